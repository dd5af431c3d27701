#!/bin/sh
# The main job (README): builds exhunt and scans the bundled sample server
# tree (samples/exch01, made by tools/exgen). Extra arguments go to
# `exhunt scan`, e.g. `sh scripts/demo.sh --format jsonl`.
# Exit status is exhunt's: 1 here, since the sample holds an attack.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXH_TESTS=OFF >/dev/null
cmake --build build-demo >/dev/null
exec ./build-demo/exhunt scan "$@" samples/exch01
