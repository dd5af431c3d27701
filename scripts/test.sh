#!/bin/sh
# The test command (README): builds exhunt with gcc and runs every test
# (unit, end to end, command line), then builds it again with clang under
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the same tests plus
# a short libFuzzer run of every fuzz target (EXH_FUZZ_SECONDS each, 30 by
# default). Exits non-zero if anything fails.
set -eu
cd "$(dirname "$0")/.."
sh scripts/bootstrap.sh --test
echo "== release build (gcc) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc -DEXH_TESTS=ON
cmake --build build
(cd build && ctest --output-on-failure -j 2)
echo "== ASan+UBSan build (clang) with fuzz smoke =="
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DEXH_TESTS=ON -DEXH_SANITIZE=ON -DEXH_FUZZ=ON -DEXH_FUZZ_SECONDS="${EXH_FUZZ_SECONDS:-30}" -DEXH_PYTHON_EVTX_COMPARE=OFF
cmake --build build-asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j 2)
