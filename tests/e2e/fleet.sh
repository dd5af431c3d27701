#!/bin/sh
# Servers found, not assumed (issue 14 item 1): five generated servers laid
# out as a responder gets them (a plain copy of C:\, a Velociraptor hunt's
# host folder with uploads/auto/C%3A and client_info.json, KAPE's tout/C,
# an offline collector's zip, a collection through the ntfs accessor with a
# shadow copy beside the live volume), all below one folder, two deep.
# A shadow copy's findings identical to the live volume's are merged, with
# the copy's location listed.
# One scan of the folder must give one server per collection, named from
# the collection (client_info.json's Hostname, the offline collector's zip)
# or its evidence (HttpProxy ServerHostName, EVTX Computer), each
# with the findings its tree gives alone; a folder with one collection
# stays one server named as given.
# usage: fleet.sh EXHUNT EXGEN WORKDIR
set -u
X=$1 G=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for i in 1 2 3 4 5; do "$G" --scenario attack --seed "$i" --host "EXCH0$i" --days 3 --lines 3 --out "$W/gen$i" > /dev/null || exit 1; done
F="$W/case/fleet"
mkdir -p "$F/plain/EXCH01" "$F/velo/hunt/EXCH02-C.0123456789abcdef/uploads/auto" "$F/kape/EXCH03/tout"
cp -r "$W/gen1/C/." "$F/plain/EXCH01/"
cp -r "$W/gen2/C" "$F/velo/hunt/EXCH02-C.0123456789abcdef/uploads/auto/C%3A"
printf '{"ClientId":"C.0123456789abcdef","Hostname":"exch02.corp.local","Fqdn":"exch02.corp.local"}\n' \
  > "$F/velo/hunt/EXCH02-C.0123456789abcdef/client_info.json"
cp -r "$W/gen3/C" "$F/kape/EXCH03/tout/C"
# a Velociraptor collection through the ntfs accessor: the live volume and a
# shadow copy of it (the same files)
V="$F/velo/hunt/EXCH05-C.00000000000000ff/uploads/ntfs"
mkdir -p "$V"
cp -r "$W/gen5/C" "$V/%5C%5C.%5CC%3A"
cp -r "$W/gen5/C" "$V/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy1"
(cd "$W/gen4" && python3 -c "
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in os.walk('C'):
        for f in fs:
            p = os.path.join(d, f)
            z.write(p, 'uploads/auto/' + p.replace('C/', 'C%3A/', 1))
" "$F/Collection-EXCH04-2021-03-05T10_00_00Z.zip")

count() { # jsonl -> "host count" lines of alerts
  python3 -c "
import collections, json, sys
c = collections.Counter()
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get('event', {}).get('kind') == 'alert':
        c[d['host']['name']] += 1
for h in sorted(c): print(h, c[h])
" "$1"
}
for i in 1 2 3 4 5; do
  "$X" scan --no-progress -f jsonl "$W/gen$i" > "$W/alone$i.jsonl"
  count "$W/alone$i.jsonl" | awk '{print $2}' > "$W/alone$i.n"
done
"$X" scan --no-progress -f jsonl "$W/case" > "$W/fleet.jsonl"; rc=$?
[ "$rc" = 1 ] || fail "fleet scan exit $rc"
count "$W/fleet.jsonl" > "$W/fleet.n"
cat "$W/fleet.n"
check() { # host alone-index
  got=$(awk -v h="$1" '$1 == h {print $2}' "$W/fleet.n")
  want=$(cat "$W/alone$2.n")
  [ -n "$got" ] && [ "$got" = "$want" ] || fail "$1: ${got:-no server} findings, alone $want"
}
check EXCH01 1
check exch02.corp.local 2
check EXCH03 3
check EXCH04 4
check EXCH05 5 # the shadow copy's findings merged into the live volume's
n=$(wc -l < "$W/fleet.n")
[ "$n" = 5 ] || fail "$n servers with findings, want 5"
servers=$(grep -c '"dataset":"exhunt.verdict"' "$W/fleet.jsonl")
[ "$servers" = 5 ] || fail "$servers verdicts, want 5 (no server for the folders that only hold collections)"
# each EXCH05 finding lists its shadow copy twin
python3 - "$W/fleet.jsonl" <<'PY' || fail "shadow copy locations not listed"
import json, sys
n = bad = 0
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d.get('event', {}).get('kind') != 'alert' or d['host']['name'] != 'EXCH05':
        continue
    n += 1
    path = d.get('log', {}).get('file', {}).get('path') or d.get('file', {}).get('path', '')
    also = d['exhunt'].get('also_at', [])
    if 'ShadowCopy' in path or len(also) != 1 or 'HarddiskVolumeShadowCopy1' not in also[0]:
        bad += 1
print(f"EXCH05: {n} findings, {bad} without their shadow copy twin listed")
sys.exit(1 if bad or not n else 0)
PY
# the zipped collection's Bin/ExSetup.exe gives its build, as a folder's does
grep '"dataset":"exhunt.build"' "$W/fleet.jsonl" | grep '"name":"EXCH04"' | grep -q '"build_source":"Bin/ExSetup.exe version resource"' \
  || fail "EXCH04 (zipped): the build is not read from its ExSetup.exe: $(grep '"dataset":"exhunt.build"' "$W/fleet.jsonl" | grep EXCH04 | head -c 400)"
# the fleet table: first line of the JSONL, first block of the text
head -n 1 "$W/fleet.jsonl" | grep -q '"dataset":"exhunt.fleet".*"servers":5,"verdicts":{"compromised":5,' \
  || fail "no exhunt.fleet object first: $(head -c 300 "$W/fleet.jsonl")"
[ "$(head -n 1 "$W/fleet.jsonl" | grep -o '"host":' | wc -l)" = 5 ] || fail "exhunt.fleet rows are not 5"
"$X" scan --no-progress "$W/case" > "$W/fleet.txt"
sed -n 3p "$W/fleet.txt" | grep -q '^Fleet: 5 servers: 5 compromised' || fail "text: no fleet line: $(sed -n 3p "$W/fleet.txt")"
for h in EXCH01 exch02.corp.local EXCH03 EXCH04 EXCH05; do
  sed -n 4,9p "$W/fleet.txt" | grep -q "^  $h  *compromised  *ProxyLogon" || fail "text fleet table: no row for $h"
done
# one collection in a folder: the folder given is the server, named from
# its evidence (HttpProxy's ServerHostName, EVTX Computer), not "plain"
"$X" scan --no-progress -f jsonl "$F/plain" > "$W/one.jsonl"
h=$(count "$W/one.jsonl" | awk '{print $1}')
[ "$h" = EXCH01 ] || fail "one collection: server named '$h', want the host its evidence names (EXCH01)"
grep -q '"root":"'"$F"'/plain"' "$W/one.jsonl" || fail "one collection: the root is not the folder given"
# one host collected twice, in folders of one letter (not drives: no system
# folder in them): two servers, told apart by their folders
mkdir -p "$W/twice/a" "$W/twice/b"
cp -r "$W/gen1/C" "$W/twice/a/C" && cp -r "$W/gen1/C" "$W/twice/b/C"
"$X" scan --no-progress "$W/twice" > "$W/twice.txt"
grep -q '^== EXCH01 \[a\] ' "$W/twice.txt" && grep -q '^== EXCH01 \[b\] ' "$W/twice.txt" \
  || fail "one host twice: $(grep '^== ' "$W/twice.txt" | tr '\n' ' ')"
echo "fleet: $fails failed"
[ "$fails" -eq 0 ]
