#!/bin/sh
# `exhunt dump` on hostile and plain EVTX files (issue 11): a full disk is an
# error (exit 2, said), not a silent exit 0; a file of hundreds of damaged
# records gives at most EXH_EVTX_MAX_ISSUE_LINES (100) damage lines and one
# line counting the rest, the same with one thread or two; a template bomb
# is one or two damage lines, and the records around it are dumped; a file
# cut in the middle of a chunk dumps what is before the cut. The files are
# written by the unit test's fixture writer (test_evtx_scan --write).
# usage: dump.sh EXHUNT TEST_EVTX_SCAN WORKDIR
set -u
EXHUNT=$1 FIXTURES=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { # description, expected, actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; fails=$((fails + 1)); fi
}
"$FIXTURES" --write "$W" || { echo "FAIL: fixtures not written"; exit 1; }
cd "$W"

# --- a full disk ---------------------------------------------------------------
if [ -w /dev/full ]; then
  for fmt in jsonl xml; do
    for j in 1 2; do
      "$EXHUNT" dump -f $fmt -j $j events.evtx > /dev/full 2> full.err
      check "full disk, $fmt -j $j: exit 2" 2 $?
      grep -q 'writing the output failed: No space left on device' full.err
      check "full disk, $fmt -j $j: said" 0 $?
    done
  done
else
  echo "skip: no /dev/full"
fi
"$EXHUNT" dump events.evtx > events.jsonl 2> /dev/null
check "a writable output: exit 0" 0 $?
check "a writable output: every record" 120 "$(wc -l < events.jsonl | tr -d ' ')"

# --- damage reports are capped per file ------------------------------------------
for j in 1 2; do
  "$EXHUNT" dump -j $j damaged.evtx > damaged.$j.out 2> damaged.$j.err
  check "damaged, -j $j: exit 0" 0 $?
  check "damaged, -j $j: 100 damage lines" 100 "$(grep -c '^damaged.evtx: offset ' damaged.$j.err)"
  check "damaged, -j $j: the rest counted" 1 "$(grep -c '^damaged.evtx: 700 more issues not shown' damaged.$j.err)"
  check "damaged, -j $j: all counted in the summary" 1 "$(grep -c '^exhunt dump: 1 records, 800 issues$' damaged.$j.err)"
  check "damaged, -j $j: the good record after them" 1 "$(wc -l < damaged.$j.out | tr -d ' ')"
done
cmp -s damaged.1.err damaged.2.err
check "damaged: the same reports with one thread and two" 0 $?

# --- template bombs --------------------------------------------------------------
for j in 1 2; do
  "$EXHUNT" dump -j $j bomb.evtx > bomb.$j.out 2> bomb.$j.err
  check "bomb, -j $j: exit 0" 0 $?
  check "bomb, -j $j: the two good records" 2 "$(grep -c '"EventRecordID":"[14]"' bomb.$j.out)"
  grep -q 'record 2 expands past' bomb.$j.err
  check "bomb, -j $j: the value bomb reported" 0 $?
  grep -q 'template instance inside a template definition' bomb.$j.err
  check "bomb, -j $j: the definition bomb reported" 0 $?
  check "bomb, -j $j: a few lines of reports" 4 "$(wc -l < bomb.$j.err | tr -d ' ')"
done
"$EXHUNT" dump -f xml bomb.evtx > bomb.xml 2> /dev/null
check "bomb, XML: exit 0" 0 $?

# --- units over their output bound write themselves, in order -------------------------
# big_values.evtx: 64 records at the byte bound (5 MB of JSON each): with two
# threads each unit of four chunks passes 8 MiB and streams once its turn has
# come; the output must be the one thread's, byte for byte.
mkdir -p big && "$FIXTURES" --write-big big || { echo "FAIL: big fixtures not written"; exit 1; }
for fmt in jsonl xml; do
  a=$("$EXHUNT" dump -f $fmt -j 1 big/big_values.evtx 2> /dev/null | cksum)
  b=$("$EXHUNT" dump -f $fmt -j 2 big/big_values.evtx 2> /dev/null | cksum)
  check "big units, $fmt: -j 2 writes what -j 1 writes" "$a" "$b"
done
"$EXHUNT" dump -j 2 big/big_values.evtx > /dev/full 2> big.err
check "big units, full disk: exit 2" 2 $?
grep -q 'writing the output failed' big.err
check "big units, full disk: said" 0 $?

# --- a file cut in the middle of a chunk -------------------------------------------
head -c $((4096 + 10 * 65536 + 2000)) events.evtx > cut.evtx
"$EXHUNT" dump cut.evtx > cut.jsonl 2> cut.err
check "cut: exit 0" 0 $?
n=$(wc -l < cut.jsonl | tr -d ' ')
check "cut: the records before the cut" 1 "$([ "$n" -ge 30 ] && [ "$n" -le 33 ] && echo 1 || echo "$n")"

echo "$fails failed"
[ "$fails" -eq 0 ]
