#!/bin/sh
# EVTX decoding benchmark (issue 3): exhunt dump -j 1 and -j 2 against
# evtxexport (libevtx-utils) and python-evtx, on the same files: every EVTX
# of ../shared/data/evtx/evtx-rs-samples (real logs, some damaged), page
# cache warm. Each tool writes its full rendering to /dev/null.
# usage: sh bench/evtx.sh [FOLDER]
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-../shared/data/evtx/evtx-rs-samples}
BEST_N=9
. bench/lib.sh
LIST=$(mktemp)
find "$DIR" -name '*.evtx' | sort > "$LIST"
BYTES=$(tr '\n' '\0' < "$LIST" | xargs -0 stat -c %s | awk '{s+=$1} END {print s}')
tr '\n' '\0' < "$LIST" | xargs -0 cat > /dev/null
dump() { tr '\n' '\0' < "$LIST" | xargs -0 ./build/exhunt dump -j "$1"; }
export_all() { while IFS= read -r f; do evtxexport "$f"; done < "$LIST"; }
best_of_1() { BEST_N=1 best "$@"; }
pyevtx() { /usr/bin/python3 - "$LIST" <<'PY'
import sys
import Evtx.Evtx as evtx
for path in open(sys.argv[1]).read().splitlines():
    try:
        with evtx.Evtx(path) as log:
            for rec in log.records():
                sys.stdout.write(rec.xml())
    except Exception:
        pass
PY
}
# The three are interleaved, run by run, and each keeps its best of
# BEST_N: this VM's speed drifts by up to 2x over minutes, and interleaving
# keeps a slow phase from landing on one tool only.
E1=""; E2=""; X=""
keep() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
for _ in $(seq "$BEST_N"); do
  E1=$(keep "$E1" "$(best_of_1 dump 1)")
  E2=$(keep "$E2" "$(best_of_1 dump 2)")
  X=$(keep "$X" "$(best_of_1 export_all)")
done
t0=$(now); pyevtx > /dev/null 2>&1 || true; t1=$(now); P=$(echo "$t1 - $t0" | bc -l)
echo "corpus: $BYTES bytes in $(wc -l < "$LIST") EVTX files ($DIR)"
printf '%-36s %8s s %8s MB/s\n' "exhunt dump -j 1 (JSONL)" "$(printf %.3f "$E1")" "$(mbs "$E1")"
printf '%-36s %8s s %8s MB/s\n' "exhunt dump -j 2" "$(printf %.3f "$E2")" "$(mbs "$E2")"
printf '%-36s %8s s %8s MB/s\n' "evtxexport (libevtx, one run a file)" "$(printf %.3f "$X")" "$(mbs "$X")"
printf '%-36s %8s s %8s MB/s\n' "python-evtx (one process)" "$(printf %.3f "$P")" "$(mbs "$P")"
echo "ratio exhunt -j 1 / evtxexport:  $(echo "scale=1; $X / $E1" | bc -l)x"
echo "ratio exhunt -j 1 / python-evtx: $(echo "scale=1; $P / $E1" | bc -l)x"
echo "ratio exhunt -j 2 / -j 1:        $(echo "scale=2; $E1 / $E2" | bc -l)x"
rm -f "$LIST"
