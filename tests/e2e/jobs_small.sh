#!/bin/sh
# Issue 15 item 4, many small files: with several threads the files are
# opened and read by the workers (dump: the calling thread only plans from
# each file's size) and each root's folders are walked by several threads
# (scan). What they write must not depend on the thread count, byte for
# byte: dump's output, its issue lines (capped per file), its summary and
# exit code over hundreds of files mixed with files that are not EVTX, empty,
# missing, folders, links and damaged ones; scan's reports (every format) of
# a fleet of generated servers holding links, a FIFO, empty web folders, a
# folder nested past the walk's depth limit and files outside the servers.
# usage: jobs_small.sh EXHUNT EXGEN TEST_EVTX_SCAN SHARED WORKDIR
set -u
EXHUNT=$1 EXGEN=$2 FIXTURES=$3 SHARED=$4 W=$5
rm -rf "$W" && mkdir -p "$W" || exit 1
export EXHUNT_SIGMA_PATH=
fails=0
same() { # description, file A, file B
  if [ ! -s "$2" ]; then
    echo "FAIL $1: $2 is empty"; fails=$((fails + 1))
  elif cmp -s "$2" "$3"; then
    echo "ok   $1"
  else
    echo "FAIL $1"; diff "$2" "$3" | head -10; fails=$((fails + 1))
  fi
}

# --- dump over many files -----------------------------------------------------
mkdir -p "$W/fx" && "$FIXTURES" --write "$W/fx" > /dev/null || { echo "FAIL: fixtures not written"; exit 1; }
L=$W/list
: > "$L"
if [ -d "$SHARED/data/evtx" ]; then
  find "$SHARED/data/evtx" -name '*.evtx' | sort > "$L"
else
  echo "note: ../shared is absent: the fixtures only"
fi
printf 'hello, not an event log\n' > "$W/text.evtx"
: > "$W/empty.evtx"
mkdir -p "$W/folder.evtx"
ln -s "$W/fx/events.evtx" "$W/link.evtx"
{
  echo "$W/text.evtx"; echo "$W/empty.evtx"; echo "$W/folder.evtx"; echo "$W/missing.evtx"; echo "$W/link.evtx"
  for f in "$W"/fx/*.evtx "$W"/fx/*/*.evtx; do echo "$f"; done
  echo "$W/fx/damaged.evtx" # twice: its issues capped per file, each time
} >> "$L"
n=$(wc -l < "$L" | tr -d ' ')
tr '\n' '\0' < "$L" > "$L.0"
for fmt in jsonl xml; do
  for j in 1 2 3; do
    xargs -0 sh -c '"$@"; echo "exit $?" >&2' sh "$EXHUNT" dump -f $fmt -j $j < "$L.0" > "$W/dump.$j.$fmt" \
      2> "$W/dump.$j.$fmt.err"
  done
  for j in 2 3; do
    same "dump $fmt of $n files, -j $j: the output of -j 1" "$W/dump.1.$fmt" "$W/dump.$j.$fmt"
    same "dump $fmt of $n files, -j $j: the issues, summary and exit code of -j 1" "$W/dump.1.$fmt.err" "$W/dump.$j.$fmt.err"
  done
done
for what in 'text.evtx: offset 0: not an EVTX file' 'missing.evtx: cannot open' 'folder.evtx: not a regular file' '^exit 2$'; do
  grep -q "$what" "$W/dump.2.jsonl.err" || { echo "FAIL dump: '$what' not in the issues compared"; fails=$((fails + 1)); }
done
[ "$(grep -c 'damaged.evtx: [0-9]* more issues not shown' "$W/dump.2.jsonl.err")" = 2 ] ||
  { echo "FAIL dump: the damaged file's issues not capped, each time"; fails=$((fails + 1)); }
# where the time went (EXHUNT_TIMING=1): the planning, each worker's CPU, waits and templates
# compiled, on standard error only (the output is the same)
for j in 1 2; do
  EXHUNT_TIMING=1 xargs -0 "$EXHUNT" dump -j $j < "$L.0" > "$W/dump.t$j" 2> "$W/dump.t$j.err"
  same "dump -j $j with EXHUNT_TIMING=1: the output of -j 1" "$W/dump.1.jsonl" "$W/dump.t$j"
done
grep -q '^exhunt: timing: dump .* of CPU), [0-9]* templates compiled$' "$W/dump.t1.err" ||
  { echo "FAIL dump -j 1: no timing line"; fails=$((fails + 1)); }
for what in '^exhunt: timing: dump .*, planning ' '^exhunt: timing: worker 0 started .* [0-9]* templates compiled$' \
  '^exhunt: timing: worker 1 started .* [0-9]* templates compiled$'; do
  grep -q "$what" "$W/dump.t2.err" || { echo "FAIL dump -j 2: no timing line '$what'"; fails=$((fails + 1)); }
done
# a worker keeps a file open for its next unit of the same file: each worker opens each of two
# files of many units (4 chunks a unit) once at most
S=$SHARED/data/evtx/evtx-rs-samples
if [ -f "$S/security.evtx" ] && [ -f "$S/sysmon.evtx" ]; then
  for j in 2 3; do
    EXHUNT_TIMING=1 "$EXHUNT" dump -j $j "$S/security.evtx" "$S/sysmon.evtx" 2>&1 > /dev/null |
      grep '^exhunt: timing: worker' > "$W/opens.$j"
    n=$(sed 's/.* \([0-9]*\) units, \([0-9]*\) files opened.*/\1 \2/' "$W/opens.$j" | awk '$1 > 2 && $2 > 2' | wc -l)
    [ -s "$W/opens.$j" ] && [ "$n" = 0 ] || { echo "FAIL dump -j $j: a file opened again for each unit"; cat "$W/opens.$j"; fails=$((fails + 1)); }
  done
fi

# --- scan of a fleet: the walk split across threads ---------------------------
F=$W/fleet
for i in 1 2 3 4 5 6; do
  sc=benign
  [ $((i % 3)) = 0 ] && sc=attack
  "$EXGEN" --scenario $sc --seed $i --host EXCH0$i --days 1 --lines 3 --out "$F/EXCH0$i" > /dev/null ||
    { echo "FAIL: exgen"; exit 1; }
done
ln -s "$F/EXCH01" "$F/EXCH02/0-link-to-a-folder"
f1=$(find "$F/EXCH01" -type f | sort | head -n 1)
ln -s "$f1" "$F/EXCH03/0-link-to-a-file"
ln -s "$f1" "$F/EXCH03/C/zz-link-to-a-file"
mkfifo "$F/EXCH04/0-fifo" 2> /dev/null || true
web=$(find "$F/EXCH05" -type d -name wwwroot | head -n 1)
[ -n "$web" ] && mkdir -p "$web/aspnet_client/empty" "$web/aspnet_client/system_web"
deep=$F/EXCH06/deep
d=$deep
for _ in $(seq 132); do d=$d/d; done
mkdir -p "$d" && echo x > "$d/f.aspx"
mkdir -p "$F/outside" && echo 'stray' > "$F/outside/readme.txt"
for fmt in text jsonl csv html; do
  for j in 1 2 3; do
    "$EXHUNT" scan --no-progress -v -j $j -f $fmt "$F" 2> "$W/fleet.$j.$fmt.err" |
      sed -E -e 's/20(2[5-9]|[3-9][0-9])-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3}Z)?/<scan time>/g' \
             -e 's/"timestamp":1(7[4-9]|[89][0-9])[0-9]{13}/"timestamp":<scan time>/g' \
             -e 's/in [0-9]+\.[0-9]+ s/in <t> s/g' > "$W/fleet.$j.$fmt"
  done
  for j in 2 3; do same "fleet scan, $fmt, -j $j: the report of -j 1" "$W/fleet.1.$fmt" "$W/fleet.$j.$fmt"; done
done
grep -q 'deeper than 128 levels' "$W/fleet.2.jsonl" || { echo "FAIL: the depth limit was not reached"; fails=$((fails + 1)); }
grep -q 'symbolic link' "$W/fleet.2.jsonl" || { echo "FAIL: no link in the fleet"; fails=$((fails + 1)); }
echo "jobs_small: $fails failed"
[ "$fails" -eq 0 ]
