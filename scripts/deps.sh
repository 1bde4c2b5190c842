#!/usr/bin/env bash
# Installs every Debian package Mercato needs (DESIGN.md section 2).
# Idempotent: does nothing when all are present. Needs root for apt-get.
set -euo pipefail

PKGS=(
  build-essential pkg-config
  libmicrohttpd-dev libjansson-dev libjwt-dev libsodium-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
  libcmocka-dev python3-pytest python3-requests python3-aiosmtpd
  wrk nginx-light curl
)

# Test-only npm tools (scripts/run_contract.sh), pinned, outside the tree;
# `make run` never needs them. Node.js and npm are the machine's.
TOOLS_DIR=${MERCATO_TOOLS:-/opt/mercato-tools}
NPM_PKGS=(
  @redocly/cli@2.77.0 openapi-typescript@7.13.0 typescript@5.9.3 newman@6.2.2
)

npm_tools() {
  local want=() spec name
  for spec in "${NPM_PKGS[@]}"; do
    name=${spec%@*}
    [ "$(node -p "require('$TOOLS_DIR/node_modules/$name/package.json').version" 2>/dev/null)" = "${spec##*@}" ] ||
      want+=("$spec")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  echo "deps.sh: installing ${want[*]} into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "${want[@]}" >/dev/null
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then npm_tools; exit 0; fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services on install; tests run their own throwaway instances.
for svc in nginx postgresql; do
  command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null || true
  service "$svc" stop >/dev/null 2>&1 || true
done
npm_tools
