#!/bin/sh
# The test command (README): builds exhunt with gcc and runs every test
# (unit, end to end, command line), then
#   - builds it again with clang under AddressSanitizer + UndefinedBehavior-
#     Sanitizer and runs the same tests plus a short libFuzzer run of every
#     fuzz target (EXH_FUZZ_SECONDS each, 30 by default) and a replay of the
#     crash corpus kept in fuzz/corpus;
#   - builds it with ThreadSanitizer and runs the tests that scan with
#     several worker threads;
#   - builds it with each optional library switched off (and all of them),
#     and with the libraries linked instead of opened when first used
#     (EXH_LAZY_LIBS=OFF), and scans the bundled sample with each build.
# Exits non-zero if anything fails.
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
echo "== ThreadSanitizer build (clang): the tests that scan with several threads =="
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DEXH_TESTS=ON -DEXH_SANITIZE_THREAD=ON -DEXH_PYTHON_EVTX_COMPARE=OFF
cmake --build build-tsan
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --output-on-failure -j 2 -R '^(test_e2e|cli|trust|test_oom|files|otrf_proxylogon|test_archive|test_logsplit|jobs_small)$')
echo "== each optional library off (docs/dependencies.md), then all of them, then all linked =="
for off in HYPERSCAN PCRE2 ARCHIVE YARA OPENSSL ALL LAZY; do
  flags="-DEXH_WITH_$off=OFF"
  [ "$off" = ALL ] && flags="-DEXH_WITH_HYPERSCAN=OFF -DEXH_WITH_PCRE2=OFF -DEXH_WITH_ARCHIVE=OFF -DEXH_WITH_YARA=OFF -DEXH_WITH_OPENSSL=OFF"
  opt=EXH_WITH_$off
  [ "$off" = LAZY ] && flags="-DEXH_LAZY_LIBS=OFF" opt=EXH_LAZY_LIBS
  # shellcheck disable=SC2086
  cmake -S . -B "build-off-$off" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc -DEXH_TESTS=OFF $flags > /dev/null
  cmake --build "build-off-$off" > /dev/null
  rc=0
  "./build-off-$off/exhunt" scan --no-progress samples/exch01 > "build-off-$off/sample.txt" || rc=$?
  if [ "$rc" != 1 ] || ! grep -q '^VERDICT: compromised' "build-off-$off/sample.txt"; then
    echo "FAIL: $opt=OFF: the sample scan gave exit $rc" >&2
    exit 1
  fi
  echo "ok   $opt=OFF builds and finds the sample compromised"
done
