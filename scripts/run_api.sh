#!/usr/bin/env bash
# Runs the API suites (tests/api) against the sanitizer build, on SQLite and
# on a throwaway PostgreSQL cluster started by the harness. Arguments are
# passed to pytest (e.g. a file or -k EXPR).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then set -- tests/api; fi
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
