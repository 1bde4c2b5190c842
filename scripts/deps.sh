#!/usr/bin/env bash
# Installs every Debian package Mercato needs (DESIGN.md section 2).
# Idempotent: does nothing when all are present. Needs root for apt-get.
# With --test-tools it also installs what only the tests need: node and the
# npm packages below, at pinned versions, into a cache directory outside the
# tree (MERCATO_NPM_DIR, default ~/.cache/mercato-npm); `make run` never asks.
set -euo pipefail

NPM_TOOLS=(s3rver@3.7.1)   # an S3-compatible server for the media tests
NPM_DIR="${MERCATO_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mercato-npm}"

PKGS=(
  build-essential pkg-config
  libmicrohttpd-dev libjansson-dev libjwt-dev libsodium-dev
  libsqlite3-dev libpq-dev postgresql libcurl4-openssl-dev
  libcmocka-dev python3-pytest python3-requests python3-aiosmtpd
  wrk nginx-light curl
)

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
  for svc in nginx postgresql; do
    command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null || true
    service "$svc" stop >/dev/null 2>&1 || true
  done
fi

[ "${1:-}" = "--test-tools" ] || exit 0
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deps.sh: installing nodejs npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
for spec in "${NPM_TOOLS[@]}"; do
  name="${spec%@*}" want="${spec##*@}"
  have="$(node -p "require(process.argv[1]).version" "$NPM_DIR/node_modules/$name/package.json" 2>/dev/null || true)"
  if [ "$have" != "$want" ]; then
    echo "deps.sh: npm install $spec into $NPM_DIR"
    npm install --prefix "$NPM_DIR" --no-audit --no-fund --no-save --silent "$spec"
  fi
done
