# Shared by the bench scripts (sourced from the project root): installs the
# baselines, builds exhunt, and times commands.
sh scripts/bootstrap.sh --bench
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build >/dev/null
now() { date +%s.%N; }
# best COMMAND...: the best wall time of BEST_N runs (default 3), output
# discarded. Short runs on this shared VM vary by 2x from one second to the
# next: the EVTX bench takes the best of 9.
best() {
  b=""
  for _ in $(seq "${BEST_N:-3}"); do
    t0=$(now); "$@" > /dev/null 2>&1 || true; t1=$(now)
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
# mbs SECONDS: $BYTES per second in MB
mbs() { echo "scale=1; $BYTES / $1 / 1000000" | bc -l; }
