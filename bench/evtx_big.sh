#!/bin/sh
# One large log (issue 3's -j scaling, and the usual DFIR case: a Security.evtx
# of hundreds of MB): a 256 MiB EVTX made at run time from the chunks of
# ../shared/data/evtx/evtx-rs-samples/security.evtx repeated (real records,
# valid chunks, a file header that counts them; written to a temporary
# file, removed at the end). exhunt dump
# -j 1 pinned to each core, -j 2, and evtxexport pinned to one core, best of
# BEST_N each (evtxexport: best of 2, it takes about 20 s a run).
# usage: sh bench/evtx_big.sh [MiB]
set -eu
cd "$(dirname "$0")/.."
MIB=${1:-256}
BEST_N=5
. bench/lib.sh
SRC=../shared/data/evtx/evtx-rs-samples/security.evtx
[ -f "$SRC" ] || { echo "skip: $SRC is absent"; exit 0; }
BIG=$(mktemp --suffix=.evtx)
python3 bench/mkbig.py "$SRC" "$BIG" "$MIB"
BYTES=$(stat -c %s "$BIG")
cat "$BIG" > /dev/null
A0=""; A1=""; E2=""
for _ in $(seq "$BEST_N"); do # interleaved, run by run
  A0=$(keep "$A0" "$(BEST_N=1 best pin 0 "$BUILD"/exhunt dump -j 1 "$BIG")")
  A1=$(keep "$A1" "$(BEST_N=1 best pin 1 "$BUILD"/exhunt dump -j 1 "$BIG")")
  E2=$(keep "$E2" "$(BEST_N=1 best "$BUILD"/exhunt dump -j 2 "$BIG")")
done
X=$(BEST_N=2 best pin 1 evtxexport "$BIG")
rm -f "$BIG"
row() { printf '%-36s %8s s %8s MB/s\n' "$1" "$(printf %.3f "$2")" "$(mbs "$2")"; }
echo "one log: $BYTES bytes ($MIB MiB of security.evtx's chunks)"
row "exhunt dump -j 1, core 0" "$A0"
row "exhunt dump -j 1, core 1" "$A1"
row "exhunt dump -j 2" "$E2"
row "evtxexport, core 1" "$X"
FAST=$(echo "if ($A0 < $A1) $A0 else $A1" | bc -l); SLOW=$(echo "if ($A0 < $A1) $A1 else $A0" | bc -l)
echo "ratio exhunt -j 1 / evtxexport, core 1: $(echo "scale=1; $X / $A1" | bc -l)x"
echo "ratio exhunt -j 2 / -j 1 on the faster core: $(echo "scale=2; $FAST / $E2" | bc -l)x (bound here 1 + fast/slow = $(echo "scale=2; 1 + $FAST / $SLOW" | bc -l)x)"
