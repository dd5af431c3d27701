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
python3 - "$SRC" "$BIG" "$MIB" <<'PY'
import sys
src = open(sys.argv[1], 'rb').read()
chunks = [src[4096 + i * 65536:4096 + (i + 1) * 65536] for i in range((len(src) - 4096) // 65536)]
chunks = [c for c in chunks if c[:8] == b'ElfChnk\0']
want = int(sys.argv[3]) * 1024 * 1024
import struct, zlib
n = min(want // 65536, 65535)
hdr = bytearray(src[:4096])
struct.pack_into('<QQ', hdr, 8, 0, n - 1)  # first and last chunk numbers
struct.pack_into('<H', hdr, 42, n)  # number of chunks
struct.pack_into('<I', hdr, 124, zlib.crc32(bytes(hdr[:120])))
with open(sys.argv[2], 'wb') as f:
    f.write(hdr)
    for i in range(n):
        f.write(chunks[i % len(chunks)])
PY
BYTES=$(stat -c %s "$BIG")
cat "$BIG" > /dev/null
pin() { c=$1; shift; if command -v taskset > /dev/null; then taskset -c "$c" "$@"; else "$@"; fi; }
keep() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
A0=""; A1=""; E2=""
for _ in $(seq "$BEST_N"); do # interleaved, run by run
  A0=$(keep "$A0" "$(BEST_N=1 best pin 0 ./build/exhunt dump -j 1 "$BIG")")
  A1=$(keep "$A1" "$(BEST_N=1 best pin 1 ./build/exhunt dump -j 1 "$BIG")")
  E2=$(keep "$E2" "$(BEST_N=1 best ./build/exhunt dump -j 2 "$BIG")")
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
