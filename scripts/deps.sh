#!/usr/bin/env bash
# Installs every Debian package Mercato needs (DESIGN.md section 2).
# Idempotent: does nothing when all are present. Needs root for apt-get.
# With --e2e it also installs what only the browser tests need (Debian's
# chromium, and playwright-core from npm at a pinned version under
# $MERCATO_E2E_DIR, outside the tree); `make run` never asks for those.
set -euo pipefail

E2E=0
[ "${1:-}" = "--e2e" ] && E2E=1
PLAYWRIGHT_VERSION=1.65.2
E2E_DIR=${MERCATO_E2E_DIR:-/opt/mercato-e2e}

PKGS=(
  build-essential pkg-config
  libmicrohttpd-dev libjansson-dev libjwt-dev libsodium-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
  libcmocka-dev python3-pytest python3-requests python3-aiosmtpd
  wrk nginx-light curl
  prometheus systemd openssl
)
if [ $E2E -eq 1 ]; then
  PKGS+=(chromium)
  # Node may come from elsewhere (its own npm); Debian's only when absent.
  command -v npm >/dev/null || PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
install_apt() {
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
}
[ ${#missing[@]} -eq 0 ] || install_apt

if [ $E2E -eq 1 ]; then
  have=$(node -p "require('$E2E_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
  if [ "$have" != "$PLAYWRIGHT_VERSION" ]; then
    echo "deps.sh: installing playwright-core@$PLAYWRIGHT_VERSION into $E2E_DIR"
    mkdir -p "$E2E_DIR"
    npm install --prefix "$E2E_DIR" --no-audit --no-fund --save-exact "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
  fi
fi
