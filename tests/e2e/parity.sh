#!/bin/sh
# Parity with Test-ProxyLogon: on generated trees (several seeds, attack and
# clean), every hit of bench/testproxylogon.py (the Python rendering of the
# script's checks) must be an exhunt finding of the matching rule at the same
# file and line; and for the two checks exhunt copies exactly (CVE-2021-26855,
# the Reset-VirtualDirectory rows) nothing more either.
# usage: parity.sh EXHUNT EXGEN WORKDIR SOURCEDIR
set -u
EXHUNT=$1 EXGEN=$2 W=$3 SRC=$4
if ! command -v python3 >/dev/null 2>&1; then echo "skip: python3 not installed"; exit 0; fi
rm -rf "$W" && mkdir -p "$W"
fails=0
for case in attack:101 attack:102 attack:103 clean:104; do
  scn=${case%%:*} seed=${case##*:}
  T="$W/$scn-$seed"
  "$EXGEN" --seed "$seed" --scenario "$scn" --lines 30 --out "$T" >/dev/null || exit 1
  python3 "$SRC/bench/testproxylogon.py" --list "$T" > "$T.tpl" || exit 1
  "$EXHUNT" scan -f jsonl -o "$T.jsonl" "$T"
  python3 - "$T.tpl" "$T.jsonl" <<'PY' || fails=$((fails + 1))
import json, sys
SSRF, RESET = "3b3ea9b1-7535-4149-8c1a-956306b64d9c", "115b4eeb-ffd4-427c-84bb-e565403f3995"
ECP, OAB = "66dc7ff3-a2b4-43f4-9bc8-fdaf93b50851", "23e847a9-aeaa-4402-b1d3-88a1dad11673"
ex = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
ex = [o for o in ex if o["event"]["kind"] == "alert" and "log" in o]
def at(rule):
    return {(o["log"]["file"]["path"], o["exhunt"]["line"]) for o in ex if o["rule"]["id"] == rule}
tpl = {"26855": set(), "27065-reset": set(), "27065-ecp": set(), "26858": set()}
for line in open(sys.argv[1], encoding="utf-8"):
    cve, path, n = line.rstrip("\n").split("\t")
    tpl[cve].add((path, int(n)))
bad = 0
for name, rule in (("26855", SSRF), ("27065-reset", RESET)):
    mine = at(rule)
    for miss in sorted(tpl[name] - mine):
        print("MISSED", name, miss); bad += 1
    for extra in sorted(mine - tpl[name]):
        print("EXTRA", name, extra); bad += 1
ecp_files = {p for p, _ in at(ECP)}
for p, _ in tpl["27065-ecp"]:
    if p not in ecp_files:
        print("MISSED ECP file", p); bad += 1
oab_ev = [o["exhunt"]["evidence"] for o in ex if o["rule"]["id"] == OAB]
for p, _ in tpl["26858"]:
    if not any(p in e for e in oab_ev):
        print("MISSED OAB path", p); bad += 1
print(f"{sys.argv[1]}: {sum(len(v) for v in tpl.values())} Test-ProxyLogon hits, {bad} mismatches")
sys.exit(1 if bad else 0)
PY
done
echo "parity: $fails trees with mismatches"
[ "$fails" -eq 0 ]
