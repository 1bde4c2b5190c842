#!/usr/bin/env bash
# Runs the storefront's browser tests (tests/e2e, Node's test runner driving
# Debian's chromium through playwright-core) against the sanitizer build on
# SQLite. The tests start their own server (tests/e2e/harness.js) and save
# screenshots into build/screenshots/ (MERCATO_SCREENSHOTS_DIR; `make
# screenshots` refreshes docs/screenshots/). Arguments go to `node --test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --test-tools
export NODE_PATH=${MERCATO_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mercato-npm}/node_modules
export MERCATO_BIN=${MERCATO_BIN:-$PWD/build/asan/mercato}
if [ $# -eq 0 ]; then set -- tests/e2e/*.test.js; fi
exec node --test --test-concurrency=1 "$@"
