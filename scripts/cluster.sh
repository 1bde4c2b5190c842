#!/usr/bin/env bash
# A Mercato cluster on loopback (DESIGN section 9): PostgreSQL, N `mercato
# serve` nodes, one `worker`, one `scheduler` and nginx as the gateway.
#
#   cluster.sh nginx-conf DIR LISTEN_PORT NODE_PORT...
#                          prints the gateway's nginx.conf (pid, logs and temp
#                          files in DIR); tests/api/test_cluster.py uses it
#   cluster.sh start DIR [NODES]
#                          starts everything (default 3 nodes) with DIR as the
#                          working directory; prints ONLY the gateway URL
#   cluster.sh stop DIR    stops everything start started, removes DIR
#
# nginx-conf and start take the gateway's per-IP limit from MERCATO_RATE and
# MERCATO_RATE_BURST (the nodes' settings; defaults 100/s, burst 200).
# start uses build/mercato (MERCATO_BIN overrides) and the settings of the
# environment (MERCATO_THREADS, ...); it sets MERCATO_DB, the ports, one
# shared MERCATO_JWT_SECRET, MERCATO_TRUSTED_PROXIES=127.0.0.1 and a data
# directory per node. Logs: DIR/node-N.log, worker.log, scheduler.log,
# nginx/error.log, nginx/access.log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NGINX=${NGINX:-/usr/sbin/nginx}
MARK=.mercato-cluster   # marks a DIR this script may delete

die() { echo "cluster: $*" >&2; exit 1; }

usage() { die "usage: $0 nginx-conf DIR LISTEN_PORT NODE_PORT... | start DIR [NODES] | stop DIR"; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The gateway: round robin over the nodes with pooled HTTP/1.1 connections.
# X-Forwarded-For is set to the peer, never appended to: the gateway is the
# edge, so a client cannot plant an address the nodes would believe.
#
# Failover: a node that fails 3 requests within a second rests for a second,
# then gets traffic again (max_fails, fail_timeout); while all rest, their
# backup twins (never marked down) are tried. A request whose
# connect fails moves to the next node whatever its method; once sent, only
# GET and HEAD move on (no non_idempotent: a POST may have taken effect, and
# its client retries with its Idempotency-Key). A node's 503 is an answer,
# not a failure: during a database outage every node gives it, and moving
# on would only multiply the load and mark healthy nodes down.
#
# The per-IP request limit (MERCATO_RATE per second, MERCATO_RATE_BURST, the
# nodes' own defaults) holds for the whole cluster here; each node's limit
# alone would let N nodes take N times the traffic.
nginx_conf() {
  local dir=$1 listen=$2 port rate=${MERCATO_RATE:-100} burst=${MERCATO_RATE_BURST:-200}
  shift 2
  [ $# -ge 1 ] || usage
  # As root the master would hand requests to workers running as nobody,
  # who cannot write the temp directories below.
  [ "$(id -u)" -eq 0 ] && echo "user root;"
  cat <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;

events {
    worker_connections 1024;
}

http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    # Bodies are bounded by each route on the nodes (images: 5 MiB).
    client_max_body_size 6m;

    limit_req_zone \$binary_remote_addr zone=per_ip:10m rate=${rate}r/s;

    upstream mercato {
EOF
  for port in "$@"; do
    echo "        server 127.0.0.1:$port max_fails=3 fail_timeout=1s;"
  done
  # The same nodes again, never marked down: used only when every node
  # above rests, so nodes restarted in quick succession get traffic as
  # soon as they listen instead of a "no live upstreams" 502.
  for port in "$@"; do
    echo "        server 127.0.0.1:$port backup max_fails=0;"
  done
  cat <<EOF
        keepalive 32;
        # Below the nodes' idle timeout (MC_CONN_IDLE_TIMEOUT, 30 s), so nginx
        # never reuses a connection a node is closing.
        keepalive_timeout 20s;
    }

    server {
        listen 127.0.0.1:$listen;
        location / {
            limit_req zone=per_ip burst=$burst nodelay;
            limit_req_status 429;
            # Refusals are the limit working, not a gateway fault.
            limit_req_log_level warn;
            error_page 429 = @rate_limited;
            proxy_pass http://mercato;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_504;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 10s;
        }
        # The nodes' own 429, as problem+json.
        location @rate_limited {
            default_type application/problem+json;
            add_header Retry-After 1 always;
            return 429 '{"type":"https://mercato.dev/problems/rate_limited","title":"Too Many Requests","status":429,"code":"rate_limited","detail":"too many requests from this address"}';
        }
    }
}
EOF
}

# Polls URL until it answers 200 or the process PID dies (60 s at most).
wait_up() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "process $pid exited at start (log: $log)"; }
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  die "$url did not answer (log: $log)"
}

start() {
  local nodes=$1 bin=${MERCATO_BIN:-$ROOT/build/mercato} url i port ports=() gw
  [ -x "$bin" ] || die "no binary $bin (make, or set MERCATO_BIN)"
  [ -x "$NGINX" ] || die "no nginx at $NGINX (scripts/deps.sh installs it)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  touch "$dir/$MARK"
  url=$(bash "$ROOT/scripts/pg_cluster.sh" start "$dir/pg")
  export MERCATO_DB=$url MERCATO_HOST=127.0.0.1 MERCATO_TRUSTED_PROXIES=127.0.0.1
  MERCATO_JWT_SECRET=${MERCATO_JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
  export MERCATO_JWT_SECRET
  # One at a time: the first applies the migrations.
  for i in $(seq "$nodes"); do
    port=$(free_port)
    MERCATO_PORT=$port MERCATO_DATA_DIR=$dir/data-$i "$bin" serve >>"$dir/node-$i.log" 2>&1 &
    echo $! >"$dir/node-$i.pid"
    wait_up "http://127.0.0.1:$port/healthz" $! "$dir/node-$i.log"
    ports+=("$port")
  done
  for i in worker scheduler; do
    MERCATO_DATA_DIR=$dir/data-1 "$bin" "$i" >>"$dir/$i.log" 2>&1 &
    echo $! >"$dir/$i.pid"
  done
  mkdir -p "$dir/nginx/tmp"
  gw=$(free_port)
  nginx_conf "$dir/nginx" "$gw" "${ports[@]}" >"$dir/nginx/nginx.conf"
  "$NGINX" -e "$dir/nginx/error.log" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" >>"$dir/nginx/nginx.out" 2>&1 &
  echo $! >"$dir/nginx.pid"
  wait_up "http://127.0.0.1:$gw/healthz" $! "$dir/nginx/error.log"
  echo "http://127.0.0.1:$gw"
}

# Stops a process this script started (its pid file), and waits for it.
stop_one() {
  local file=$1 sig=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "cluster: $file: $pid ignored SIG$sig; killing it" >&2; kill -KILL "$pid"; }
  fi
  rm -f "$file"
}

stop() {
  [ -d "$dir" ] || return 0
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/$MARK" ] || die "refusing to touch $dir: not a cluster.sh directory"
  stop_one "$dir/nginx.pid" QUIT
  for f in "$dir"/node-*.pid "$dir/worker.pid" "$dir/scheduler.pid"; do
    stop_one "$f" TERM
  done
  bash "$ROOT/scripts/pg_cluster.sh" stop "$dir/pg"
  rm -rf -- "$dir"
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
if [ -z "$dir" ] || [ "$dir" = / ]; then usage; fi
case $cmd in
  nginx-conf) [ $# -ge 4 ] || usage; shift 2; nginx_conf "$dir" "$@" ;;
  start) [ $# -le 3 ] || usage; start "${3:-3}" ;;
  stop) [ $# -eq 2 ] || usage; stop ;;
  *) usage ;;
esac
