#!/bin/sh
# End to end through the command line: exit codes, output formats, the
# JSONL contract, and the refusal to write inside evidence.
# usage: cli.sh EXHUNT EXGEN WORKDIR SOURCEDIR
set -u
EXHUNT=$1 EXGEN=$2 W=$3 SRC=$4
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { # description, expected, actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; fails=$((fails + 1)); fi
}
"$EXGEN" --seed 11 --scenario attack --out "$W/attack" --truth "$W/attack.tsv" || exit 1
"$EXGEN" --seed 12 --scenario benign --out "$W/benign" --truth "$W/benign.tsv" || exit 1

"$EXHUNT" scan "$W/attack" > "$W/attack.txt"; check "exit 1 on a compromised tree" 1 $?
grep -q "^VERDICT: compromised" "$W/attack.txt"; check "text verdict first" 0 $?
"$EXHUNT" scan "$W/benign" > "$W/benign.txt"; check "exit 0 on a benign tree" 0 $?
grep -q "^VERDICT: no evidence of compromise" "$W/benign.txt"; check "clean verdict" 0 $?
"$EXHUNT" scan --format jsonl -o "$W/attack.jsonl" "$W/attack"; check "jsonl to a file" 1 $?
n=$(grep -c '"kind":"alert"' "$W/attack.jsonl"); check "one alert per ground-truth row" "$(wc -l < "$W/attack.tsv" | tr -d ' ')" "$n"
grep -q '"dataset":"exhunt.log_window"' "$W/attack.jsonl"; check "log window summary object" 0 $?
if command -v python3 >/dev/null 2>&1; then
  python3 - "$W/attack.jsonl" <<'PY'; check "every JSONL line parses and carries the contract" 0 $?
import json, sys
need = ["@timestamp", "message", "event"]
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    o = json.loads(line)
    for k in need:
        assert k in o, (i, k)
    if o["event"]["kind"] == "alert":
        assert "rule" in o, i
        assert o["event"]["severity"] in (21, 47, 73, 99), o
        assert o["rule"]["id"] and o["rule"]["name"]
        assert "log" in o or "file" in o
        if "log" in o:
            # a log line has its line number, an event record (EVTX) its record id
            assert o["log"]["file"]["path"] and o["log"]["offset"] >= 0
            assert o["exhunt"].get("line", 0) >= 1 or o["exhunt"].get("record_id", 0) >= 1, o
            assert len(o["exhunt"]["evidence"].encode()) <= 2048 * 3
        assert o["@timestamp"].endswith("Z") and len(o["@timestamp"]) == 24
PY
else
  echo "skip JSONL parse check: python3 not installed"
fi
"$EXHUNT" scan -o "$W/attack/report.txt" "$W/attack" 2>/dev/null; check "refuses to write inside a scanned root" 2 $?
[ ! -e "$W/attack/report.txt" ]; check "nothing written inside the root" 0 $?
"$EXHUNT" scan --format xml "$W/attack" 2>/dev/null; check "unknown format is an error" 2 $?
"$EXHUNT" scan 2>/dev/null; check "no path is an error" 2 $?
"$EXHUNT" scan "$W/does-not-exist" > "$W/missing.txt"; check "missing root is an error (exit 2)" 2 $?
grep -q "^VERDICT: no evidence examined" "$W/missing.txt"; check "missing root: the verdict says nothing was examined" 0 $?
"$EXHUNT" rules check > "$W/rules.txt"; check "rules check on the shipped rules" 0 $?
grep -q "^loaded [0-9]* of [0-9]* rules" "$W/rules.txt"; check "rules check summary line" 0 $?
mkdir -p "$W/badrules" && printf 'title: x\nlogsource: {product: exchange}\ndetection: {s: {A|nope: b}, condition: s}\n' > "$W/badrules/bad.yml"
"$EXHUNT" rules check --no-builtin "$W/badrules" > "$W/bad.txt" 2> "$W/bad.err"; check "rules check with a bad rule" 1 $?
grep -q "unsupported modifier 'nope'" "$W/bad.err"; check "the reason is given" 0 $?
grep -q "^loaded 0 of 1 rules" "$W/bad.txt"; check "the count says so" 0 $?
# a log with no #Fields: header is named as not read, the rest still scanned
H="$W/nohdr/V15/Logging/HttpProxy/Owa"
mkdir -p "$H" && printf '2021-03-03T01:02:03.000Z,x,ServerInfo~a]@h:444/mapi/emsmdb/?#\n' > "$H/HttpProxy_2021030301-1.LOG"
cp "$W/attack/C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/"ECPServer20210303-1.LOG "$W/nohdr/"
mkdir -p "$W/nohdr/V15/Logging/ECP/Server" && mv "$W/nohdr/ECPServer20210303-1.LOG" "$W/nohdr/V15/Logging/ECP/Server/"
"$EXHUNT" scan "$W/nohdr" > "$W/nohdr.txt"; check "headerless log: the other files still give findings" 1 $?
grep -q "error   .*HttpProxy_2021030301-1.LOG: no #Fields: header" "$W/nohdr.txt"; check "headerless log named in the text report" 0 $?
"$EXHUNT" scan -f jsonl "$W/nohdr" | grep -q '"kind":"pipeline_error".*HttpProxy_2021030301-1.LOG'; check "headerless log as a JSONL pipeline_error" 0 $?
# the bundled sample tree scans to a compromised verdict
if [ -d "$SRC/samples/exch01" ]; then
  "$EXHUNT" scan "$SRC/samples/exch01" > "$W/sample.txt"; check "bundled sample: findings" 1 $?
fi
echo "cli: $fails failed"
[ "$fails" -eq 0 ]
