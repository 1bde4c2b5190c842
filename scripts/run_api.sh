#!/usr/bin/env bash
# Runs the API suites (tests/api) against the sanitizer build, on SQLite and
# on a throwaway PostgreSQL cluster started by the harness.
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api "$@"
