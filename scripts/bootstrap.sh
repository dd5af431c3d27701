#!/bin/sh
# Installs the Debian 12 packages exhunt needs to build, test and benchmark.
# Idempotent: packages already present are left alone; apt-get runs only when
# something is missing. Must run as root (or with sudo available).
set -eu
PKGS="build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev \
libyaml-dev libhyperscan-dev libpcre2-dev libssl-dev libarchive-dev libcmocka-dev"
if [ "${1:-}" = "--bench" ]; then PKGS="$PKGS ripgrep python3"; fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "bootstrap: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
