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
  clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
