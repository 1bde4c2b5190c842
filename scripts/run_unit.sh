#!/usr/bin/env bash
# Runs every cmocka unit-test binary given on the command line and prints one
# summary line. Unit tests that need PostgreSQL get MERCATO_TEST_PG_URL from
# a throwaway cluster (scripts/pg_cluster.sh).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pgdir=$(mktemp -d /tmp/mercato-unit-pg.XXXXXX)
trap 'bash "$here/pg_cluster.sh" stop "$pgdir"' EXIT
MERCATO_TEST_PG_URL=$(bash "$here/pg_cluster.sh" start "$pgdir") || { echo "unit: cannot start PostgreSQL" >&2; exit 1; }
export MERCATO_TEST_PG_URL

failed=0; passed=0
for t in "$@"; do
  if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
