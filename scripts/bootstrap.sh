#!/bin/sh
# Installs the Debian 12 packages exhunt needs, idempotently: apt-get runs
# only when something is missing. Run as root (or with sudo available).
#   bootstrap.sh          build dependencies
#   bootstrap.sh --test   + what the tests use (clang for ASan/UBSan and libFuzzer, python3)
#   bootstrap.sh --bench  + the benchmark baselines (ripgrep, python3)
set -eu
PKGS="build-essential cmake ninja-build pkg-config libyaml-dev libhyperscan-dev libpcre2-dev libarchive-dev libyara-dev libssl-dev"
for a in "$@"; do
  case "$a" in
    --test) PKGS="$PKGS clang libclang-rt-14-dev libcmocka-dev python3 python3-evtx" ;;
    --bench) PKGS="$PKGS ripgrep python3 bc python3-evtx libevtx-utils yara" ;;
    *) echo "bootstrap: unknown option $a" >&2; exit 2 ;;
  esac
done
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "bootstrap: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
