#!/usr/bin/env bash
# The API contract as integrators' tools see it (README "Integrate"):
#   lint    redocly lint on docs/openapi.json: no errors, no warnings
#   types   openapi-typescript, then tsc --strict on tests/contract/client.ts
#           (which fails when any operation's body type is unknown)
#   newman  docs/postman/ run against a fresh seeded server (the sanitizer
#           build), every assertion counted; the server must exit cleanly
# The npm tools come from scripts/deps.sh --test-tools (MERCATO_NPM_DIR). Prints one closing
# line "contract: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${MERCATO_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mercato-npm}/node_modules/.bin
server=${MERCATO_BIN:-build/asan/mercato}
out=build/contract
mkdir -p "$out"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
passed=0; failed=0

# step NAME CMD...: runs CMD with its output in build/contract/NAME.log,
# shown only when it fails.
step() {
  local name=$1; shift
  if "$@" > "$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok      $name"
  else
    failed=$((failed + 1)); echo "FAILED  $name (build/contract/$name.log):"; tail -n 40 "$out/$name.log"
  fi
}

lint() {
  "$bin/redocly" lint docs/openapi.json --format=json > "$out/lint.json" || true
  "$bin/redocly" lint docs/openapi.json --format=stylish || true
  python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
print("redocly: %d errors, %d warnings" % (t["errors"], t["warnings"]))
sys.exit(1 if t["errors"] or t["warnings"] else 0)' "$out/lint.json"
}

types() {
  "$bin/openapi-typescript" docs/openapi.json --default-non-nullable false -o "$out/mercato-api.d.ts" &&
    "$bin/tsc" --strict -p tests/contract/tsconfig.json
}

# A fresh server on a free port with its own data directory: the demo seed
# and an admin made by the CLI, as the API harness does.
srv_dir=; srv_pid=
stop_server() {
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null
  wait "$srv_pid"; local rc=$?
  srv_pid=
  return $rc
}
cleanup() { stop_server; [ -z "$srv_dir" ] || rm -rf "$srv_dir"; }
trap cleanup EXIT

start_server() {
  srv_dir=$(mktemp -d /tmp/mercato-contract.XXXXXX) || return 1
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export MERCATO_DB="sqlite:$srv_dir/mercato.db" MERCATO_PORT=$port MERCATO_HOST=127.0.0.1 \
    MERCATO_DATA_DIR="$srv_dir/data" MERCATO_ENV=development MERCATO_THREADS=4 \
    ASAN_OPTIONS="detect_leaks=1:log_path=$srv_dir/asan" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$srv_dir/ubsan"
  admin_email=admin@contract.test admin_password="contract admin password"
  "$server" seed > "$srv_dir/cli.log" 2>&1 &&
    "$server" user create --email "$admin_email" --password "$admin_password" --role admin \
      --name "Contract Admin" >> "$srv_dir/cli.log" 2>&1 || { cat "$srv_dir/cli.log"; return 1; }
  "$server" serve > "$srv_dir/server.log" 2>&1 &
  srv_pid=$!
  # Bounded wait for the listener.
  for _ in $(seq 600); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    kill -0 "$srv_pid" 2>/dev/null || { cat "$srv_dir/server.log"; srv_pid=; return 1; }
    sleep 0.1
  done
  echo "server did not start"; cat "$srv_dir/server.log"; return 1
}

# Each newman assertion counts as one test.
newman_run() {
  "$bin/newman" run docs/postman/mercato.postman_collection.json \
    -e docs/postman/mercato.postman_environment.json \
    --env-var "baseUrl=http://127.0.0.1:$port" \
    --env-var "adminEmail=$admin_email" --env-var "adminPassword=$admin_password" \
    --reporters cli,json --reporter-json-export "$out/newman.json" --color off --timeout-request 30000 \
    > "$out/newman.log" 2>&1
  local rc=$?
  local counts
  counts=$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["run"]["stats"]["assertions"]
print(a["total"] - a["failed"], a["failed"])' "$out/newman.json") || { failed=$((failed + 1)); return; }
  set -- $counts
  passed=$((passed + $1)); failed=$((failed + $2))
  if [ "$rc" -ne 0 ] || [ "$2" -ne 0 ]; then
    [ "$2" -ne 0 ] || failed=$((failed + 1))   # a failure outside any assertion
    echo "FAILED  newman (build/contract/newman.log):"; sed -e 's/\x1b\[[0-9;]*m//g' "$out/newman.log" | sed -n '/# *failure/,$p' | head -n 60
  else
    echo "ok      newman: $1 assertions"
  fi
}

server_clean_exit() {
  stop_server || { echo "server exited with an error"; tail -n 40 "$srv_dir/server.log"; return 1; }
  if ls "$srv_dir"/asan* "$srv_dir"/ubsan* >/dev/null 2>&1; then cat "$srv_dir"/asan* "$srv_dir"/ubsan*; return 1; fi
}

step lint lint
step types types
if start_server > "$out/server-start.log" 2>&1; then
  newman_run
  step server-exit server_clean_exit
else
  failed=$((failed + 1)); echo "FAILED  server start (build/contract/server-start.log):"; tail -n 40 "$out/server-start.log"
fi
echo "contract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
