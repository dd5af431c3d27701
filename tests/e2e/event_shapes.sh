#!/bin/sh
# Issue 13 item 7: one event reader for every JSON event shape. exhunt dump's
# own output (the evtx crate's JSON shape: {"#attributes":...,"#text":...})
# scanned as JSON lines must give the findings of the EVTX it came from:
# every shared EVTX is dumped to JSON lines, and both are scanned with the
# shipped rules and SigmaHQ's; the (file, rule, record) triples must agree.
# usage: event_shapes.sh EXHUNT SHARED WORKDIR
set -u
EXHUNT=$1 SHARED=$2 W=$3
if [ ! -d "$SHARED/data/evtx" ]; then echo "skip: ../shared is absent"; exit 0; fi
rm -rf "$W" && mkdir -p "$W/json"
E="$SHARED/data/evtx"
RULES=""
[ -d "$SHARED/data/sigma/rules" ] && RULES="-r $SHARED/data/sigma/rules"
find "$E" -name '*.evtx' | sort > "$W/list"
n=0
while IFS= read -r f; do
  rel=${f#"$E"/}
  mkdir -p "$W/json/$(dirname "$rel")"
  "$EXHUNT" dump "$f" > "$W/json/$rel.jsonl" 2>/dev/null
  n=$((n + 1))
done < "$W/list"
# each file is its own root: the CSV's path column names it
keys() { # csv -> "relative path,rule id,record id" for findings only
  python3 -c '
import csv, sys
base = sys.argv[1]
for row in csv.DictReader(sys.stdin):
    if row["rule_id"].startswith("exhunt.") or row["rule_id"] == "rule_id":
        continue
    p = row["path"]
    if p.endswith(".jsonl"):
        p = p[:-6]
    p = p.split(base, 1)[1] if base in p else p
    print("%s,%s,%s" % (p, row["rule_id"], row["record_id"]))' "$1" | sort
}
# shellcheck disable=SC2086
xargs -a "$W/list" -d '\n' "$EXHUNT" scan --no-progress -j 2 $RULES -f csv 2>/dev/null | keys "$E/" > "$W/evtx.keys"
find "$W/json" -name '*.jsonl' | sort > "$W/jlist"
# shellcheck disable=SC2086
xargs -a "$W/jlist" -d '\n' "$EXHUNT" scan --no-progress -j 2 $RULES -f csv 2>/dev/null | keys "$W/json/" > "$W/json.keys"
a=$(wc -l < "$W/evtx.keys"); b=$(wc -l < "$W/json.keys")
echo "$n EVTX files: $a findings from the EVTX, $b from their JSON lines"
if ! cmp -s "$W/evtx.keys" "$W/json.keys"; then
  echo "FAIL: the findings differ (first differences, < EVTX only, > JSON only):"
  diff "$W/evtx.keys" "$W/json.keys" | head -20
  exit 1
fi
[ "$a" -gt 100 ] || { echo "FAIL: too few findings to compare"; exit 1; }
echo "ok   scan(EVTX) = scan(dump(EVTX))"
