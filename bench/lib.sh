# Shared by the bench scripts (sourced from the project root): installs the
# baselines, builds exhunt, and times commands. EXH_BUILD names the build
# folder (default build), BENCH_WORK the folder of generated inputs
# (default bench/work).
sh scripts/bootstrap.sh --bench
BUILD=${EXH_BUILD:-build}
W=${BENCH_WORK:-bench/work}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" >/dev/null
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
# pin CORE COMMAND...: on that core (when taskset is there)
pin() { c=$1; shift; if command -v taskset > /dev/null; then taskset -c "$c" "$@"; else "$@"; fi; }
# keep BEST NEW: the smaller of two times (BEST empty: NEW)
keep() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
# once COMMAND...: the wall time of one run, output discarded
once() { t0=$(now); "$@" > /dev/null 2>&1 || true; t1=$(now); echo "$t1 - $t0" | bc -l; }
# pair A B: commands A and B (a command or a shell function each, no
# arguments) run in turn, A B A B..., PAIRS times (default 5) after one
# warm-up run each. Sets PA and PB, their best times, and PR, the median of
# the pairs' B/A (how many times faster A is than B): pairing keeps the
# ratio meaningful when this VM's speed drifts during the run.
pair() {
  PA="" PB=""
  _r=$(mktemp)
  "$1" > /dev/null 2>&1 || true
  "$2" > /dev/null 2>&1 || true
  for _ in $(seq "${PAIRS:-5}"); do
    _a=$(once "$1")
    _b=$(once "$2")
    PA=$(keep "$PA" "$_a")
    PB=$(keep "$PB" "$_b")
    echo "$_b / $_a" | bc -l >> "$_r"
  done
  PR=$(sort -g "$_r" | awk '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m}')
  rm -f "$_r"
}
# logtree SIZE_MB: the generated Exchange server tree of that size (exgen,
# fixed seed; made once, kept in $W); prints its path
logtree() {
  _t=$W/tree-$1
  if [ ! -f "$_t.done" ]; then
    rm -rf "$_t"
    mkdir -p "$W"
    "$BUILD"/exgen --seed 42 --size-mb "$1" --days 7 --out "$_t" --truth "$_t.truth.tsv" > /dev/null
    touch "$_t.done"
  fi
  echo "$_t"
}
# filetree SIZE_MB: the tree of mixed files in web and staging folders
# (bench/mkfiles.py; made once, kept in $W); prints its path
filetree() {
  _t=$W/files-$1
  if [ ! -f "$_t.done" ]; then
    rm -rf "$_t"
    mkdir -p "$W"
    python3 bench/mkfiles.py "$_t" "$1" > /dev/null
    touch "$_t.done"
  fi
  echo "$_t"
}
