#!/bin/sh
# Reproducible benchmark for `exhunt scan` on Exchange logs (issue 2).
# Generates a >= 1 GB server tree (tools/exgen, fixed seed), warms the page
# cache, then times, on the same files:
#   exhunt scan, all shipped rules, -j 1 and -j 2, JSONL report to /dev/null
#   rg -c -i -F with the rules' literals (-j 1 and default)
#   bench/testproxylogon.py, a Python csv stand-in for Test-ProxyLogon.ps1
# and prints MB/s and the ratios. Best of 3 runs (Python: 1 run).
# usage: sh bench/run.sh [SIZE_MB]   (default 1100)
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-1100}
. bench/lib.sh
TREE=$(logtree "$SIZE")
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
find "$TREE" -type f -exec cat {} + > /dev/null   # warm the page cache
E1=$(best "$BUILD"/exhunt scan -j 1 -f jsonl -o /dev/null "$TREE")
E2=$(best "$BUILD"/exhunt scan -j 2 -f jsonl -o /dev/null "$TREE")
RG1=$(best rg -j 1 -c -i -F -e 'ServerInfo~' -e 'VirtualDirectory' -e 'Download failed and temporary file' "$TREE")
RG2=$(best rg -c -i -F -e 'ServerInfo~' -e 'VirtualDirectory' -e 'Download failed and temporary file' "$TREE")
t0=$(now); python3 bench/testproxylogon.py "$TREE" > "$W/python.out"; t1=$(now)
PY=$(echo "$t1 - $t0" | bc -l)
echo "corpus: $BYTES bytes, $(find "$TREE" -type f | wc -l) files ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
printf '%-44s %8s s %9s MB/s\n' "exhunt scan -j 1 (all shipped rules)" "$(printf %.3f "$E1")" "$(mbs "$E1")"
printf '%-44s %8s s %9s MB/s\n' "exhunt scan -j 2" "$(printf %.3f "$E2")" "$(mbs "$E2")"
printf '%-44s %8s s %9s MB/s\n' "rg -j 1 -c -i -F (same literals)" "$(printf %.3f "$RG1")" "$(mbs "$RG1")"
printf '%-44s %8s s %9s MB/s\n' "rg -c -i -F (all cores)" "$(printf %.3f "$RG2")" "$(mbs "$RG2")"
printf '%-44s %8s s %9s MB/s\n' "python Test-ProxyLogon stand-in" "$(printf %.3f "$PY")" "$(mbs "$PY")"
echo "ratio exhunt -j 1 / python stand-in: $(echo "scale=1; $PY / $E1" | bc -l)x"
echo "ratio exhunt -j 1 / rg -j 1:         $(echo "scale=2; $RG1 / $E1" | bc -l)x"
echo "ratio exhunt -j 2 / exhunt -j 1:     $(echo "scale=2; $E1 / $E2" | bc -l)x"
