#!/bin/sh
# The main job (README): builds exhunt and scans the bundled sample server
# tree (samples/exch01, made by tools/exgen). The tree is scanned as the
# generator writes it (build-demo/samples/exch01: the same bytes, tested by
# `sample_reproducible`, with the files' modification times, which a git
# checkout does not keep and which tie a web shell to the request that
# wrote it). Extra arguments go to `exhunt scan`, e.g.
# `sh scripts/demo.sh --format jsonl`.
# Exit status is exhunt's: 1 here, since the sample holds an attack.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh
cmake -S . -B build-demo -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXH_TESTS=OFF >/dev/null
cmake --build build-demo >/dev/null
rm -rf build-demo/samples && mkdir -p build-demo/samples
sh scripts/make-sample.sh build-demo/exgen build-demo/samples >/dev/null
exec ./build-demo/exhunt scan "$@" build-demo/samples/exch01
