#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests.
#
#   pg_cluster.sh start DIR   initdb + start in DIR; prints ONLY the URL
#                             (postgres://mercato@127.0.0.1:PORT/mercato)
#   pg_cluster.sh stop DIR    stops it and removes DIR; safe to repeat and
#                             after a failed start
#   pg_cluster.sh down DIR fast|crash
#                             outage drills: a fast shutdown (clients are
#                             disconnected), or kill -9 of the postmaster
#   pg_cluster.sh up DIR      starts it again after down, on the same port
#
# Listens on 127.0.0.1 only, trust auth, socket and server log (DIR/log)
# inside DIR. PostgreSQL refuses to run as root, so as root the binaries run
# as the postgres user and DIR is handed to it.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MARK=.mercato-pg-cluster   # marks a DIR this script may delete

die() { echo "pg_cluster: $*" >&2; exit 1; }

usage() { die "usage: $0 start|stop|up DIR | down DIR fast|crash"; }

# Runs a PostgreSQL binary as the cluster owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A loopback port nobody listens on right now; start retries on a race.
free_port() {
  local py
  py=$(command -v /usr/bin/python3 python3 2>/dev/null | head -n1 || true)
  if [ -n "$py" ]; then
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return
  fi
  echo $((20000 + RANDOM % 40000))
}

# Shows the end of the server log on stderr, for failures.
show_log() {
  [ -r "$dir/log" ] && tail -n 20 "$dir/log" >&2
  return 0
}

start() {
  [ -x "$PGBIN/initdb" ] || die "no PostgreSQL binaries in $PGBIN (set PGBIN)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/data" ] && die "$dir/data exists; stop the old cluster first"
  # stop deletes DIR, so never adopt a directory holding someone's files.
  [ -e "$dir/$MARK" ] || [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  touch "$dir/$MARK" "$dir/log"   # log: before the chown, so the server can append
  mkdir -p "$dir/sock"
  # Unix socket paths are limited to 107 bytes.
  [ ${#dir} -le 80 ] || die "DIR path too long for a unix socket: $dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user"
    chown -R postgres: "$dir"
  fi
  # The server runs from DIR: a root-only cwd would be unreadable for it.
  cd "$dir"

  as_owner "$PGBIN/initdb" -D "$dir/data" -U mercato -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >>"$dir/log" 2>&1 || { show_log; die "initdb failed (log: $dir/log)"; }
  cat >>"$dir/data/postgresql.conf" <<EOF

# pg_cluster.sh: throwaway test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
logging_collector = off
EOF

  local port try
  for try in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $port" -w -t 60 start \
         >/dev/null 2>>"$dir/log"; then
      echo "$port" >"$dir/port"
      as_owner "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U mercato mercato >>"$dir/log" 2>&1 \
        || { show_log; stop_server; die "createdb failed (log: $dir/log)"; }
      echo "postgres://mercato@127.0.0.1:$port/mercato"
      return 0
    fi
    # Someone took the port between the probe and the bind: try another.
    grep -q 'could not bind\|Address already in use' "$dir/log" || break
    echo "pg_cluster: port $port taken, retrying ($try)" >&2
  done
  show_log
  die "server did not start (log: $dir/log)"
}

stop_server() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    # Throwaway data: skip the shutdown checkpoint.
    (cd "$dir" && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop) >/dev/null 2>&1 || {
      local pid
      pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
      # A stale pid file may name someone else's process by now.
      if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ]; then
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    }
  fi
}

stop() {
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  stop_server
  # Only delete what start created (or an empty directory, e.g. from mktemp).
  if [ -e "$dir/$MARK" ] || [ -z "$(ls -A "$dir")" ]; then
    rm -rf -- "$dir"
  else
    die "refusing to remove $dir: not a pg_cluster.sh directory"
  fi
}

# The postmaster's pid, if it runs.
postmaster_pid() {
  local pid
  pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] && echo "$pid"
  return 0
}

down() {
  local pid
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/$MARK" ] || die "$dir is not a pg_cluster.sh directory"
  case $1 in
    fast) (cd "$dir" && as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop) >/dev/null 2>>"$dir/log" \
            || die "fast stop failed (log: $dir/log)" ;;
    crash)
      pid=$(postmaster_pid)
      [ -n "$pid" ] || die "no postmaster running in $dir"
      kill -KILL "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done ;;
    *) usage ;;
  esac
}

# After a crash the old backends notice the postmaster's death and exit;
# until they have, the new postmaster refuses to start: retry (30 s at most).
up() {
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/$MARK" ] && [ -f "$dir/port" ] || die "$dir is not a started pg_cluster.sh directory"
  cd "$dir"
  for _ in $(seq 60); do
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $(cat "$dir/port")" -w -t 30 start \
      >/dev/null 2>>"$dir/log" && return 0
    sleep 0.5
  done
  show_log
  die "server did not start again (log: $dir/log)"
}

[ $# -ge 2 ] || usage
dir=$2
if [ -z "$dir" ] || [ "$dir" = / ]; then usage; fi
case $1 in
  start) [ $# -eq 2 ] || usage; start ;;
  stop) [ $# -eq 2 ] || usage; stop ;;
  down) [ $# -eq 3 ] || usage; down "$3" ;;
  up) [ $# -eq 2 ] || usage; up ;;
  *) usage ;;
esac
