#!/usr/bin/env bash
# Installs every Debian package Mercato needs (DESIGN.md section 2).
# Idempotent: does nothing when all are present. Needs root for apt-get.
# With --test-tools it also installs what only the tests need: Debian's
# chromium, node and npm when absent, and the npm packages below at pinned
# versions into a directory outside the tree (MERCATO_NPM_DIR, default
# ~/.cache/mercato-npm). `make run` never asks for those.
set -euo pipefail

NPM_TOOLS=(
  playwright-core@1.65.2   # drives chromium in the storefront's browser tests
  s3rver@3.7.1             # an S3-compatible server for the media tests
  @redocly/cli@2.77.0      # lints the OpenAPI document
  openapi-typescript@7.13.0 typescript@5.9.3   # the typed client under tsc --strict
  newman@6.2.2             # runs the Postman collection
)
NPM_DIR="${MERCATO_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mercato-npm}"
TOOLS=0
[ "${1:-}" = "--test-tools" ] && TOOLS=1

PKGS=(
  build-essential pkg-config
  libmicrohttpd-dev libjansson-dev libsodium-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
  libcmocka-dev python3-pytest python3-requests python3-aiosmtpd
  wrk nginx-light curl faketime
  prometheus systemd openssl
  clang libclang-rt-14-dev
)
if [ $TOOLS -eq 1 ]; then
  PKGS+=(chromium)
  # Node may come from elsewhere (with its own npm); Debian's only when absent.
  command -v npm >/dev/null || PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts services on install; tests run their own throwaway instances.
  for svc in nginx postgresql prometheus; do
    command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null || true
    service "$svc" stop >/dev/null 2>&1 || true
  done
fi

[ $TOOLS -eq 1 ] || exit 0
stale=0
for spec in "${NPM_TOOLS[@]}"; do
  name="${spec%@*}" want="${spec##*@}"
  have="$(node -p "require(process.argv[1]).version" "$NPM_DIR/node_modules/$name/package.json" 2>/dev/null || true)"
  [ "$have" = "$want" ] || stale=1
done
# All in one install: npm prunes what its package.json does not list.
if [ $stale -eq 1 ]; then
  echo "deps.sh: npm install ${NPM_TOOLS[*]} into $NPM_DIR"
  mkdir -p "$NPM_DIR"
  npm install --prefix "$NPM_DIR" --no-audit --no-fund --save-exact --silent "${NPM_TOOLS[@]}"
fi
