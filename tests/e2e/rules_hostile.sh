#!/bin/sh
# Issue 11, through the command line: what a user hands exhunt with -r,
# --yara, --ioc and --baseline, built to hurt (tests/unit/test_rules_hostile.c
# has the library side).
#  - 200,000 IP indicators: an address near the end of the list is found on
#    an HttpProxy log line (past about 52,000 every one was dropped);
#  - a FIFO named by -r, --yara, --ioc or --baseline is refused at once (-r
#    hung forever);
#  - a billion-laughs rule and a 6,000-term condition are answered with a
#    reason or loaded, never a crash.
# usage: rules_hostile.sh EXHUNT WORKDIR SOURCE_DIR
set -u
X=$1 W=$2 SRC=$3
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { # name status
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

# a server with one HttpProxy log whose last record comes from the address
LOG="$W/srv/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa"
mkdir -p "$LOG"
SAMPLE=$(find "$SRC/samples/exch01" -path '*HttpProxy/Owa/*.LOG' | sort | head -n 1)
python3 - "$SAMPLE" "$LOG/HttpProxy_2021030312-1.LOG" "$W/ips.txt" <<'EOF'
import csv, io, sys
src, dst, ips = sys.argv[1:4]
lines = open(src, newline="").read().splitlines()
fields = next(l for l in lines if l.startswith("#Fields:"))[8:].strip().split(",")
col = fields.index("ClientIpAddress")
data = [l for l in lines if l and not l.startswith("#") and not l.startswith("DateTime,")]
row = next(csv.reader([data[-1]]))
target = "203.0.113.77"
row[col] = target
out = io.StringIO()
csv.writer(out, lineterminator="").writerow(row)
with open(dst, "w", newline="") as f:
    f.write("\r\n".join(lines + [out.getvalue()]) + "\r\n")
with open(ips, "w") as f:
    for i in range(200000):
        if i == 199990:
            f.write(target + "\n")
        f.write("%d.%d.%d.%d\n" % (10 + (i >> 16), (i >> 8) & 255, i & 255, 1 + i % 250))
EOF
"$X" scan --no-progress -f jsonl --ioc "$W/ips.txt" "$W/srv" > "$W/ips.jsonl" 2> "$W/ips.err"
rc=$?
[ $rc -eq 1 ] && grep '"exhunt-ioc-ip-exchange"' "$W/ips.jsonl" | grep -q '"203.0.113.77"'
check "200,000 IP indicators: the address near the end is found on the log line (exit $rc)" $?
! grep -q "not loaded" "$W/ips.err"
check "200,000 IP indicators: no rule dropped" $?

# FIFOs: refused without blocking (timeout turns a hang into a failure)
mkfifo "$W/fifo.yml"
timeout 30 "$X" rules check --no-builtin "$W/fifo.yml" > /dev/null 2> "$W/fifo1.err"
rc=$?
[ $rc -ne 124 ] && grep -q "not a regular file" "$W/fifo1.err"
check "-r FIFO: refused, not waited on (exit $rc)" $?
for opt in --yara --ioc --baseline; do
  timeout 30 "$X" scan --no-progress $opt "$W/fifo.yml" "$W/srv" > /dev/null 2> "$W/fifo2.err"
  rc=$?
  [ $rc -ne 124 ] && grep -q "not a regular file" "$W/fifo2.err"
  check "$opt FIFO: refused, not waited on (exit $rc)" $?
done
mkdir -p "$W/rules"
mkfifo "$W/rules/fifo.yml"
printf 'title: t\nlogsource:\n  product: exchange\ndetection:\n  a:\n    X: x\n  condition: a\n' > "$W/rules/a.yml"
ln -s . "$W/rules/loop"
timeout 30 "$X" rules check --no-builtin "$W/rules" > "$W/dir.out" 2> "$W/dir.err"
rc=$?
[ $rc -ne 124 ] && grep -q "loaded 1 of 2 rules" "$W/dir.out" && grep -q "fifo.yml: not a regular file" "$W/dir.err"
check "rule folder with a FIFO and a link to itself: the rule loads, the FIFO is named (exit $rc)" $?

# a billion-laughs rule and the issue's 6,000-term chain
python3 - "$W" <<'EOF'
import sys
w = sys.argv[1]
h = "title: t\nlogsource:\n  product: exchange\n"
s = h + "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
for i in range(1, 9):
    s += "x%d: &a%d [%s]\n" % (i, i, ", ".join("*a%d" % (i - 1) for _ in range(10)))
open(w + "/laughs.yml", "w").write(s + "detection:\n  sel:\n    - X: *a8\n  condition: sel\n")
open(w + "/chain.yml", "w").write(h + "detection:\n  a:\n    X: x\n  condition: a" + " and a" * 6000 + "\n")
EOF
timeout 60 "$X" rules check --no-builtin "$W/laughs.yml" > /dev/null 2> "$W/laughs.err"
rc=$?
[ $rc -eq 1 ] && grep -q "YAML nodes" "$W/laughs.err"
check "billion laughs: rejected with the reason (exit $rc)" $?
timeout 60 "$X" rules check --no-builtin "$W/chain.yml" > "$W/chain.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "loaded 1 of 1 rules" "$W/chain.out"
check "6,000-term 'and' chain: loads (exit $rc)" $?

echo "rules_hostile: $fails failed"
[ "$fails" -eq 0 ]
