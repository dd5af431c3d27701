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
# command-line manners (issue 14 item 6)
# progress: never when stderr is not a terminal (as here) unless asked
"$EXHUNT" scan "$W/benign" > /dev/null 2> "$W/noprog.err"
grep -q "walking\|scann" "$W/noprog.err"; check "no progress when stderr is not a terminal" 1 $?
# asked: the walk's and the scan's lines (EXHUNT_PROGRESS_EVERY=0: every update, whatever the speed);
# a folder name with a terminal escape never reaches them
odd="$W/benign/$(printf 'odd\033]0;title\007dir')"
mkdir -p "$odd" && printf 'x\n' > "$odd/a.txt"
EXHUNT_PROGRESS_EVERY=0 "$EXHUNT" scan --progress "$W/benign" > /dev/null 2> "$W/prog.err"
rm -rf "$odd"
tr '\r' '\n' < "$W/prog.err" > "$W/prog.txt"
grep -q "^exhunt: walking: [1-9][0-9]* files, [1-9][0-9]* folders found *$" "$W/prog.txt"; check "progress while walking" 0 $?
grep -q "^exhunt: scanning: [0-9]*/[0-9]* files, [0-9.]* [kMG]*B/[0-9.]* [kMG]*B read, [0-9.]* [kMG]*B/s, ETA [0-9hms-]* *$" "$W/prog.txt"; check "progress while scanning: files, bytes, rate, ETA" 0 $?
grep -q "^exhunt: scanned: \([0-9]*\)/\1 files, [0-9.]* [kMG]*B read in [0-9hms]* *$" "$W/prog.txt"; check "progress: the last line" 0 $?
grep -q "$(printf '\033')\|odd\|title" "$W/prog.err"; check "progress prints no file names" 1 $?
grep -v "^exhunt: \(walking\|scanning\|scanned\): \|^ *$" "$W/prog.txt" > "$W/prog.other"; check "progress: nothing else" 0 "$(wc -l < "$W/prog.other" | tr -d ' ')"
# -o: one summary line on stderr, the verdicts counted
"$EXHUNT" scan -o "$W/two.txt" "$W/attack" "$W/benign" > "$W/two.out" 2> "$W/two.err"; check "-o over two servers" 1 $?
check "-o: the summary line" "exhunt: 2 servers: 1 compromised, 1 no evidence of compromise; report written to $W/two.txt" "$(cat "$W/two.err")"
check "-o: nothing on stdout" 0 "$(wc -c < "$W/two.out" | tr -d ' ')"
"$EXHUNT" scan "$W/attack" 2>&1 >/dev/null | grep -q "report written"; check "no summary line without -o" 1 $?
# bad options: a clear message, a short usage, exit 2
for bad in "--color sometimes" "-j 0" "--threads 1x" "--format nope" "--max-file-size abc" "--max-content-size -1" \
           "--file-timeout inf" "--bogus" "-x" "--strict=yes"; do
  # shellcheck disable=SC2086
  "$EXHUNT" scan $bad "$W/benign" > "$W/bad.out" 2> "$W/bad.err"; check "rejected: $bad" 2 $?
  check "rejected: $bad: a message, then a short usage (3 lines)" 4 "$(wc -l < "$W/bad.err" | tr -d ' ')"
  grep -q "^\`exhunt scan --help\` for all options$" "$W/bad.err"; check "rejected: $bad: points to --help" 0 $?
  check "rejected: $bad: nothing on stdout" 0 "$(wc -c < "$W/bad.out" | tr -d ' ')"
done
"$EXHUNT" scan --color sometimes "$W/benign" 2>&1 | grep -q "^exhunt: --color takes auto, always or never$"; check "--color: what it takes" 0 $?
"$EXHUNT" scan --bogus "$W/benign" 2>&1 | grep -q "^exhunt: unknown option: --bogus$"; check "unknown option named" 0 $?
"$EXHUNT" scan "--$(printf 'x\033[2Jy')" "$W/benign" 2>&1 | grep -q "$(printf '\033')"; check "unknown option escaped" 1 $?
for bad in "dump --bogus" "dump -j 0" "dump --format yaml" "rules check --bogus" "rules list -x"; do
  # shellcheck disable=SC2086
  "$EXHUNT" $bad "$W/x.evtx" > "$W/bad.out" 2> "$W/bad.err"; check "rejected: $bad" 2 $?
  grep -q "^usage: exhunt " "$W/bad.err"; check "rejected: $bad: a short usage" 0 $?
  check "rejected: $bad: at most 4 lines" 1 "$([ "$(wc -l < "$W/bad.err")" -le 4 ] && echo 1)"
done
"$EXHUNT" dump "--$(printf 'x\033[2Jy')" "$W/x.evtx" 2>&1 | grep -q "$(printf '\033')"; check "dump: unknown option escaped" 1 $?
"$EXHUNT" > /dev/null 2> "$W/none.err"; check "no command: exit 2" 2 $?
check "no command: a short usage" 3 "$(wc -l < "$W/none.err" | tr -d ' ')"
"$EXHUNT" frobnicate 2> "$W/cmd.err"; check "unknown command: exit 2" 2 $?
check "unknown command: message and a short usage" 4 "$(wc -l < "$W/cmd.err" | tr -d ' ')"
for h in "--help" "scan --help" "scan -h" "help"; do
  # shellcheck disable=SC2086
  "$EXHUNT" $h > "$W/help.out" 2> "$W/help.err"; check "$h: exit 0" 0 $?
  grep -q -- "--max-content-size N" "$W/help.out"; check "$h: the full help on stdout" 0 $?
  check "$h: nothing on stderr" 0 "$(wc -c < "$W/help.err" | tr -d ' ')"
done
# the package's SigmaHQ folder holding only its README note is not a rule tree
mkdir -p "$W/xdg/exhunt/sigma" && echo note > "$W/xdg/exhunt/sigma/README"
env -u EXHUNT_SIGMA_PATH XDG_DATA_HOME="$W/xdg" "$EXHUNT" scan "$W/benign" 2>&1 >/dev/null | grep -q "SigmaHQ rules from $W/xdg"
check "a SigmaHQ folder with only the package's note is not loaded" 1 $?
# the bundled sample tree scans to a compromised verdict
if [ -d "$SRC/samples/exch01" ]; then
  "$EXHUNT" scan "$SRC/samples/exch01" > "$W/sample.txt"; check "bundled sample: findings" 1 $?
fi
echo "cli: $fails failed"
[ "$fails" -eq 0 ]
