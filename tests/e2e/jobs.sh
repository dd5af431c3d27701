#!/bin/sh
# -j 1 and -j 2 give the same reports, byte for byte (but for the scan's own
# time), also when large EVTX files are split across the workers (issue 15:
# chunk ranges read by several workers, merged in file order; a part not
# read cleanly makes the whole file be read again). The split threshold is
# lowered to one 64 KiB chunk (EXHUNT_SPLIT_BYTES) so that the shared
# samples (1-2 MB, some damaged) are split into many parts; EXHUNT_TIMING
# says how many, so the test knows the split happened (and that the damaged
# ones were read again whole). Large text logs are split too, at line
# boundaries (formats/logs/scan_logs.c).
# usage: jobs.sh EXHUNT SHARED WORKDIR SOURCEDIR
set -u
EXHUNT=$1 SHARED=$2 W=$3 SRC=$4
rm -rf "$W" && mkdir -p "$W" || exit 1
export EXHUNT_SIGMA_PATH= EXHUNT_TIMING=1 EXHUNT_SPLIT_BYTES=65536
fails=0
norm() {
  sed -E -e 's/20(2[5-9]|[3-9][0-9])-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3}Z)?/<scan time>/g' \
         -e 's/"timestamp":1(7[4-9]|[89][0-9])[0-9]{13}/"timestamp":<scan time>/g' \
         -e 's/in [0-9]+\.[0-9]+ s/in <t> s/g'
}
check() { # name, folder, extra options...
  name=$1 dir=$2; shift 2
  for fmt in text jsonl csv html; do
    "$EXHUNT" scan --no-progress -v -j 1 -f $fmt "$@" "$dir" 2> "$W/$name.1.err" | norm > "$W/$name.1.$fmt"
    "$EXHUNT" scan --no-progress -v -j 2 -f $fmt "$@" "$dir" 2> "$W/$name.2.err" | norm > "$W/$name.2.$fmt"
    if [ ! -s "$W/$name.1.$fmt" ]; then
      echo "FAIL $name $fmt: empty report"; fails=$((fails + 1))
    elif cmp -s "$W/$name.1.$fmt" "$W/$name.2.$fmt"; then
      echo "ok   $name $fmt: -j 2 writes what -j 1 writes"
    else
      echo "FAIL $name $fmt: -j 2 differs"; diff "$W/$name.1.$fmt" "$W/$name.2.$fmt" | head -10; fails=$((fails + 1))
    fi
  done
  grep -h 'files split\|a split log' "$W/$name.2.err"
}
want_split() { # name, min files split, min read again
  line=$(grep -h 'files split' "$W/$1.2.err")
  files=$(echo "$line" | sed -E 's/.*timing: ([0-9]+) files split.*/\1/')
  again=$(echo "$line" | sed -E 's/.*, ([0-9]+) read again whole/\1/')
  if [ "${files:-0}" -ge "$2" ] && [ "${again:-0}" -ge "$3" ]; then
    echo "ok   $1: $files files split, $again read again whole"
  else
    echo "FAIL $1: split '$line', wanted >= $2 files split and >= $3 read again"; fails=$((fails + 1))
  fi
  if grep -q 'files split' "$W/$1.1.err" && ! grep -q ' 0 files split' "$W/$1.1.err"; then
    echo "FAIL $1: -j 1 split files"; fails=$((fails + 1))
  fi
}
S=$SHARED/data/evtx/evtx-rs-samples
if [ -d "$S" ]; then
  # the dense real samples, with the bundled rules and with SigmaHQ's
  check samples "$S"
  want_split samples 10 1
  if [ -d "$SHARED/data/sigma/rules" ]; then
    check sigmahq "$S" -r "$SHARED/data/sigma/rules"
    want_split sigmahq 10 1
  fi
else
  echo "skip: no $S"
fi
# the bundled sample server (its EVTX split too when large enough; its logs
# are small: each one part or two)
check exch01 "$SRC/samples/exch01"
# one large IIS log and one Exchange HttpProxy log (tests/e2e/mklogs.py:
# headers repeated and changed mid-file, CRLF and LF, lines longer than a
# part, an out-of-order time, no final line end), split at line boundaries
# into 64 KiB parts, odd ones and large ones; nothing is read again whole (a
# part whose header guess was wrong is read again, as EXHUNT_TIMING says)
if python3 "$SRC/tests/e2e/mklogs.py" "$SRC/samples/exch01" "$W/biglogs" 4; then
  check biglogs "$W/biglogs"
  want_split biglogs 2 0
  EXHUNT_SPLIT_BYTES=9973 check biglogs-odd "$W/biglogs"
  want_split biglogs-odd 2 0
  # parts larger than a part's look-back: a header guess can be wrong
  EXHUNT_SPLIT_BYTES=700001 check biglogs-large "$W/biglogs"
  want_split biglogs-large 2 0
else
  echo "FAIL mklogs.py"; fails=$((fails + 1))
fi
echo "jobs: $fails failed"
[ "$fails" -eq 0 ]
