#!/bin/sh
# Every figure of issue 15, each beside its baseline measured in the same run
# and printed as a ratio to it (docs/benchmarks.md keeps the numbers):
#   1. start-up: exhunt --version against /bin/true;
#   2. EVTX, first pass: exhunt dump -j 1 over the three dense real logs
#      (security, sysmon, system of evtx-rs-samples; one process, start-up
#      counted) against evtxexport (one process a file) on the same core,
#      and python-evtx (one run);
#   3. EVTX, repeated pass: the same three files given 20 times in one run
#      (the templates compiled once), against the first pass;
#   4. rule loading: scan -r SigmaHQ's rules of an empty folder, a first
#      and a second run with XDG_CACHE_HOME a fresh folder (a rule cache, once
#      there, shows in the second run), against the built-in rules alone;
#   5. every core: -j 2 against -j 1 on many small files (the generated log
#      tree; every EVTX of ../shared) and on one large log (bench/mkbig.py),
#      with this machine's bound 1 + fast/slow (its two cores differ);
#   6. files: exhunt hashing against sha256sum, exhunt's checks against
#      yara -p 1 (the shipped rules), on the generated file tree;
#   7. logs: exhunt scan -j 1 against rg -j 1 (the same literals) and the
#      Python Test-ProxyLogon stand-in (one run), on the generated log tree.
# Every exhunt run is a new process reading its input for the first time
# (files in the page cache, warmed first): "first pass" unless a row says
# "repeated". A ratio above 1 means exhunt is that many times faster.
# Timing (bench/lib.sh): single-threaded commands pinned to core 0; A and B
# run in turn PAIRS times (default 5), the ratio is the median of the pairs'
# ratios, the times the best of each; python runs once.
# usage: sh bench/all.sh [SIZE_MB]
#   SIZE_MB: the generated log and file trees and the large log (default 64:
#   a few minutes; 1024 for the figures of docs/benchmarks.md)
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-64}
PAIRS=${PAIRS:-5}
. bench/lib.sh
SHARED=${EXH_SHARED:-../shared}
X=$BUILD/exhunt
export EXHUNT_SIGMA_PATH= # no SigmaHQ folder found by itself: -r says which rules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/empty"
div() { echo "scale=6; $1 / $2" | bc -l; }
mb() { printf '%.2f' "$(echo "$1 / $2 / 1000000" | bc -l)"; }
x2() { printf '%.2f' "$1"; }
row() { printf '  %-62s %9s s %10s\n' "$1" "$(printf %.3f "$2")" "${3:-}"; }
ratio() { printf '  %-62s %9sx  %s\n' "$1" "$2" "${3:-}"; }
# run_on CORE COMMAND...: pinned to CORE, or not pinned when CORE is "-"
run_on() { _core=$1; shift; if [ "$_core" = - ]; then "$@"; else pin "$_core" "$@"; fi; }
echo "exhunt $("$X" --version | cut -d' ' -f2), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(date -u +%Y-%m-%dT%H:%MZ), SIZE $SIZE MB, $PAIRS pairs"

echo "== 1. start-up (200 runs a sample, core 0) =="
v200() { pin 0 sh -c 'i=0; while [ $i -lt 200 ]; do "$1" --version; i=$((i + 1)); done' sh "$X"; }
t200() { pin 0 sh -c 'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done'; }
pair v200 t200
ms() { printf '  %-62s %9s ms\n' "$1" "$(printf %.2f "$(echo "$2 * 1000" | bc -l)")"; }
ms "exhunt --version, one run" "$(div "$PA" 200)"
ms "/bin/true, one run (the floor: fork and exec)" "$(div "$PB" 200)"
ratio "exhunt --version / /bin/true (1: nothing but exec)" "$(x2 "$(echo "1 / $PR" | bc -l)")" "(exhunt's own start-up about $(printf %.2f "$(echo "($PA - $PB) * 1000 / 200" | bc -l)") ms)"

DENSE=$SHARED/data/evtx/evtx-rs-samples
if [ -f "$DENSE/security.evtx" ]; then
  set -- "$DENSE/security.evtx" "$DENSE/sysmon.evtx" "$DENSE/system.evtx"
  cat "$@" > /dev/null
  DB=$(cat "$@" | wc -c)
  printf '%s\n' "$@" > "$T/dense.list"
  echo "== 2. EVTX, first pass: security + sysmon + system of evtx-rs-samples ($DB bytes), core 0 =="
  d1() { pin 0 "$X" dump -j 1 "$DENSE/security.evtx" "$DENSE/sysmon.evtx" "$DENSE/system.evtx"; }
  xe() { while IFS= read -r f; do pin 0 evtxexport "$f"; done < "$T/dense.list"; }
  pair d1 xe
  D1=$PA
  row "exhunt dump -j 1 (JSON, one process)" "$PA" "$(mb "$DB" "$PA") MB/s"
  row "evtxexport (one process a file)" "$PB" "$(mb "$DB" "$PB") MB/s"
  ratio "exhunt dump -j 1 / evtxexport (issue: >= 40x, 400 MB/s)" "$PR"
  PY=$(once /usr/bin/python3 bench/pyevtx.py "$T/dense.list")
  row "python-evtx (one run)" "$PY" "$(mb "$DB" "$PY") MB/s"
  ratio "exhunt dump -j 1 / python-evtx" "$(x2 "$(div "$PY" "$D1")")"
  echo "== 3. EVTX, repeated pass: the same files 20 times in one run, core 0 =="
  : > "$T/dense20.list"
  for _ in $(seq 20); do cat "$T/dense.list" >> "$T/dense20.list"; done
  d20() { tr '\n' '\0' < "$T/dense20.list" | pin 0 xargs -0 "$X" dump -j 1; }
  pair d20 d1
  row "exhunt dump -j 1, 20 passes (repeated)" "$PA" "$(mb "$((DB * 20))" "$PA") MB/s"
  row "exhunt dump -j 1, one pass (first)" "$PB" "$(mb "$DB" "$PB") MB/s"
  ratio "repeated pass / first pass, per byte (median of the pairs)" "$(x2 "$(echo "$PR * 20" | bc -l)")"
else
  echo "== 2-3. EVTX: skipped, $DENSE is absent =="
fi

SIGMA=$SHARED/data/sigma/rules
if [ -d "$SIGMA" ]; then
  NR=$(find "$SIGMA" -name '*.yml' | wc -l)
  echo "== 4. rule loading: scan -r SigmaHQ ($NR files) of an empty folder, a fresh XDG_CACHE_HOME each round =="
  F="" S="" B=""
  for i in $(seq "$PAIRS"); do
    mkdir -p "$T/cache-$i"
    F=$(keep "$F" "$(once env XDG_CACHE_HOME="$T/cache-$i" "$X" scan --no-progress -r "$SIGMA" "$T/empty")")
    S=$(keep "$S" "$(once env XDG_CACHE_HOME="$T/cache-$i" "$X" scan --no-progress -r "$SIGMA" "$T/empty")")
    B=$(keep "$B" "$(once env XDG_CACHE_HOME="$T/cache-$i" "$X" scan --no-progress "$T/empty")")
  done
  row "first run (nothing cached)" "$F"
  row "second run, same cache folder (issue: < 0.150 s)" "$S"
  row "the built-in rules alone (the floor)" "$B"
  ratio "first run / second run" "$(x2 "$(div "$F" "$S")")"
else
  echo "== 4. rule loading: skipped, $SIGMA is absent =="
fi

echo "== 5. every core: -j 2 against -j 1 pinned to each core (bound: 1 + fast/slow) =="
# scaling NAME FN: FN CORE J runs one; prints the three best times and the ratio to the bound
scaling() {
  _n=$1 _f=$2 _a="" _b="" _c=""
  "$_f" - 2 > /dev/null 2>&1 || true
  for _ in $(seq "$PAIRS"); do
    _a=$(keep "$_a" "$(once "$_f" 0 1)")
    _b=$(keep "$_b" "$(once "$_f" 1 1)")
    _c=$(keep "$_c" "$(once "$_f" - 2)")
  done
  _fast=$(echo "if ($_a < $_b) $_a else $_b" | bc -l)
  _slow=$(echo "if ($_a < $_b) $_b else $_a" | bc -l)
  _bound=$(echo "1 + $_fast / $_slow" | bc -l)
  _got=$(div "$_fast" "$_c")
  row "$_n: -j 1, core 0" "$_a"
  row "$_n: -j 1, core 1" "$_b"
  row "$_n: -j 2" "$_c"
  ratio "$_n: -j 2 / -j 1 (faster core); bound $(x2 "$_bound")x" "$(x2 "$_got")" "($(printf %.0f "$(echo "100 * $_got / $_bound" | bc -l)")% of the bound; issue: >= 90%)"
}
LOGS=$(logtree "$SIZE")
find "$LOGS" -type f -exec cat {} + > /dev/null
LB=$(find "$LOGS" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
sc_logs() { run_on "$1" "$X" scan -j "$2" -f jsonl -o /dev/null "$LOGS"; }
scaling "log tree scan ($(find "$LOGS" -type f | wc -l) files, $LB bytes)" sc_logs
if [ -d "$SHARED/data/evtx" ]; then
  find "$SHARED/data/evtx" -name '*.evtx' | sort > "$T/all.list"
  tr '\n' '\0' < "$T/all.list" | xargs -0 cat > /dev/null
  sc_evtx() { tr '\n' '\0' < "$T/all.list" | run_on "$1" xargs -0 "$X" dump -j "$2"; }
  scaling "dump of every shared EVTX ($(wc -l < "$T/all.list") files)" sc_evtx
  # What two cores give when both are busy: two independent -j 1 processes, each on half of
  # the files (balanced by size), run at once pinned to cores 0 and 1. On this VM each core
  # runs slower while the other works, so 1 + fast/slow (each core timed alone) is out of reach.
  find "$SHARED/data/evtx" -name '*.evtx' -printf '%s\t%p\n' | sort -rn |
    awk -F'\t' -v a="$T/half.a" -v b="$T/half.b" '{ if (sa <= sb) { print $2 > a; sa += $1 } else { print $2 > b; sb += $1 } }'
  sc_halves() {
    (tr '\n' '\0' < "$T/half.a" | run_on 0 xargs -0 "$X" dump -j 1 > /dev/null 2>&1) &
    (tr '\n' '\0' < "$T/half.b" | run_on 1 xargs -0 "$X" dump -j 1 > /dev/null 2>&1) &
    wait
  }
  _one="" _two="" _hv=""
  for _ in $(seq "$PAIRS"); do
    _one=$(keep "$_one" "$(once sc_evtx 0 1)")
    _two=$(keep "$_two" "$(once sc_evtx - 2)")
    _hv=$(keep "$_hv" "$(once sc_halves)")
  done
  row "dump of every shared EVTX: two -j 1 processes on halves at once" "$_hv"
  ratio "dump of every shared EVTX: two processes / -j 1 (what both cores give)" "$(x2 "$(div "$_one" "$_hv")")" \
    "(-j 2 at $(printf %.0f "$(echo "100 * $_hv / $_two" | bc -l)")% of it)"
fi
if [ -f "$DENSE/security.evtx" ]; then
  BIG=$T/big.evtx
  python3 bench/mkbig.py "$DENSE/security.evtx" "$BIG" "$SIZE"
  cat "$BIG" > /dev/null
  sc_big() { run_on "$1" "$X" dump -j "$2" "$BIG"; }
  scaling "dump of one $SIZE MiB log" sc_big
fi
# one large IIS log and one large HttpProxy log (tests/e2e/mklogs.py: headers
# repeated and changed mid-file; one probe in 2000 lines), each split at line
# boundaries across the workers (formats/logs/scan_logs.c)
if [ ! -f "$W/biglogs-$SIZE.done" ]; then
  rm -rf "$W/biglogs-$SIZE"
  mkdir -p "$W"
  python3 tests/e2e/mklogs.py samples/exch01 "$W/biglogs-$SIZE" "$SIZE" 2000 && touch "$W/biglogs-$SIZE.done"
fi
BIGIIS=$W/biglogs-$SIZE/C/inetpub/logs/LogFiles/W3SVC1/u_ex210301.log
BIGHP=$(find "$W/biglogs-$SIZE" -name 'HttpProxy_*.LOG')
cat "$BIGIIS" "$BIGHP" > /dev/null
sc_iis() { run_on "$1" "$X" scan -j "$2" -f jsonl -o /dev/null "$BIGIIS"; }
scaling "scan of one $SIZE MiB IIS log" sc_iis
sc_hp() { run_on "$1" "$X" scan -j "$2" -f jsonl -o /dev/null "$BIGHP"; }
scaling "scan of one $SIZE MiB HttpProxy log" sc_hp

echo "== 6. files: the generated file tree =="
FILES=$(filetree "$SIZE")
find "$FILES" -type f -exec cat {} + > /dev/null
FB=$(find "$FILES" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
printf '%s\n' "# one indicator that matches nothing: exhunt hashes every file for it" \
  "0000000000000000000000000000000000000000000000000000000000000000" > "$T/none.ioc"
cat rules/yara/*.yar > "$T/all.yar"
hash1() { pin 0 "$X" scan -j 1 --no-builtin --ioc "$T/none.ioc" -f jsonl -o /dev/null "$FILES"; }
sha() { find "$FILES" -type f -print0 | pin 0 xargs -0 sha256sum; }
pair hash1 sha
row "exhunt scan -j 1, hashing only ($FB bytes)" "$PA" "$(mb "$FB" "$PA") MB/s"
row "sha256sum" "$PB" "$(mb "$FB" "$PB") MB/s"
ratio "exhunt hashing / sha256sum" "$PR"
full1() { pin 0 "$X" scan -j 1 -f jsonl -o /dev/null "$FILES"; }
yara1() { pin 0 yara -r -p 1 -d filename= -d filepath= -d extension= -d filetype= -d owner= "$T/all.yar" "$FILES"; }
pair full1 yara1
row "exhunt scan -j 1 (SHA-256, YARA, every check)" "$PA" "$(mb "$FB" "$PA") MB/s"
row "yara -r -p 1 (the shipped rules)" "$PB" "$(mb "$FB" "$PB") MB/s"
ratio "exhunt / yara -p 1" "$PR"

echo "== 7. logs: the generated log tree ($LB bytes) =="
scan1() { pin 0 "$X" scan -j 1 -f jsonl -o /dev/null "$LOGS"; }
rg1() { pin 0 rg -j 1 -c -i -F -e 'ServerInfo~' -e 'VirtualDirectory' -e 'Download failed and temporary file' "$LOGS"; }
pair scan1 rg1
row "exhunt scan -j 1 (every shipped rule)" "$PA" "$(mb "$LB" "$PA") MB/s"
row "rg -j 1 -c -i -F (three literals)" "$PB" "$(mb "$LB" "$PB") MB/s"
ratio "exhunt / rg -j 1" "$PR"
PY=$(once python3 bench/testproxylogon.py "$LOGS")
row "Python Test-ProxyLogon stand-in (one run)" "$PY" "$(mb "$LB" "$PY") MB/s"
ratio "exhunt -j 1 / Python stand-in" "$(x2 "$(div "$PY" "$PA")")"
