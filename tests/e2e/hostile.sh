#!/bin/sh
# Hostile input, evidence integrity and output injection (issue 6), through
# the command line:
#  - a corpus of bad files, each named with a reason while the rest of the
#    scan goes on; exit 0/1, and 2 only with --strict;
#  - a read-only evidence tree whose hashes, sizes and times do not change;
#  - attacker strings (terminal escapes, markup, CSV formulas, invalid
#    UTF-8, a file name with a newline) that stay inert in text, JSONL,
#    CSV, Timesketch and HTML (log records, file names, YARA evidence and
#    IOC names alike).
# usage: hostile.sh EXHUNT EXGEN WORKDIR
set -u
EXHUNT=$1 EXGEN=$2 W=$3
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; fails=$((fails + 1)); fi; }

T="$W/tree"
HP="$T/V15/Logging/HttpProxy"
mkdir -p "$HP/Owa" "$HP/Ecp" "$T/inetpub/logs/LogFiles/W3SVC1" "$T/V15/Logging/ECP/Server"
HDR='#Software: Microsoft Exchange Server
#Version: 15.01.2176.002
#Log-type: HttpProxy Logs
#Fields: DateTime,RequestId,UrlStem,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus'
# a good file with one real finding, so the verdict must still come
printf '%s\n2021-03-03T03:10:07.000Z,r1,/ecp/y.js,ServerInfo~a]@x:444/mapi/emsmdb/?#,python-requests/2.25.1,1.2.3.4,200\n' "$HDR" > "$HP/Ecp/HttpProxy_2021030303-1.LOG"
: > "$HP/Owa/HttpProxy_2021030300-1.LOG"                                        # zero length
printf '%s\n2021-03-03T03:10:07.000Z,r1,/ecp/y.js,ServerInfo~a]@x:444/ma' "$HDR" > "$HP/Owa/HttpProxy_2021030301-1.LOG"   # truncated mid-record
head -c 300000 /dev/urandom > "$HP/Owa/HttpProxy_2021030302-1.LOG"            # binary noise with a log name
head -c 200000 /dev/urandom > "$T/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"
printf '#\0F\0i\0e\0l\0d\0s\0:\0' > "$HP/Owa/HttpProxy_2021030303-1.LOG"        # UTF-16 header: not our format
# invalid UTF-8 and terminal escapes inside a record that fires a rule
printf '%s\n2021-03-03T04:00:00.000Z,r2,/ecp/\033]0;pwned\007\033[2J</script><script>alert(1)</script>,ServerInfo~\377\376evil/=cmd|'"'"' /C calc'"'"'!A0,\033[31mUA\r,9.9.9.9,200\n' "$HDR" > "$HP/Ecp/HttpProxy_2021030304-1.LOG"
# one line of 150 MB holding the rule's literal
{ printf '%s\n2021-03-03T05:00:00.000Z,r3,/x,ServerInfo~a/' "$HDR"; head -c 150000000 /dev/zero | tr '\0' 'A'; printf ',ua,1.1.1.1,200\n'; } > "$HP/Ecp/HttpProxy_2021030305-1.LOG"
# a FIFO, a device, a symlink loop and a dangling link with log names
mkfifo "$HP/Owa/HttpProxy_2021030306-1.LOG"
ln -s /dev/zero "$HP/Owa/HttpProxy_2021030307-1.LOG"
ln -s loop "$HP/Owa/loop"
ln -s ../Owa "$HP/Owa/sub"
# a file name with a newline and an escape sequence
NL="$HP/Ecp/HttpProxy_x
$(printf '\033[2J')evil.LOG"
printf '%s\n2021-03-03T06:00:00.000Z,r4,/ecp/y.js,ServerInfo~b]@x:444/ews/?#,python-requests/2.25.1,5.6.7.8,200\n' "$HDR" > "$NL"

# a web shell whose bytes (shown as YARA evidence) and name carry markup and escapes
mkdir -p "$T/inetpub/wwwroot/aspnet_client"
printf '<%%@ Page Language="Jscript"%%><%%eval(Request.Item["x"],"unsafe");%%></pre></details><script>alert(2)</script><img src=x onerror=alert(3)>\033]0;pwned\007\377\n' \
  > "$T/inetpub/wwwroot/aspnet_client/<b>x\"y'z.aspx"
# tiny and hostile IOC files: a STIX bundle with markup in its name, a plain list
printf '{"type":"bundle","objects":[{"type":"indicator","id":"indicator--<i>","name":"<script>alert(4)</script>","pattern":"[ipv4-addr:value = \047%s\047]"}]}' 1.2.3.4 > "$W/hostile.stix.json"

# integrity: record everything about the tree, make it read-only
snapshot() { find "$T" -exec stat -c '%n|%s|%Y|%a' {} + 2>/dev/null | sort; find "$T" -type f -size -20M -exec sha256sum {} + 2>/dev/null | sort; }
chmod -R a-w "$T"
snapshot > "$W/before"

timeout 300 "$EXHUNT" scan --no-progress "$T" > "$W/out.txt" 2> "$W/err.txt"; rc=$?
check "hostile corpus: scan completes with a verdict (exit 1: findings)" 1 $rc
grep -q "^VERDICT: compromised" "$W/out.txt"; check "the good file's finding still gives the verdict" 0 $?
grep -q "HttpProxy_2021030302-1.LOG: no #Fields: header" "$W/out.txt"; check "binary noise named with a reason" 0 $?
grep -q "HttpProxy_2021030303-1.LOG: UTF-16 text (decoded): no #Fields: header" "$W/out.txt"; check "UTF-16 header named with a reason" 0 $?
grep -q "u_ex210303.log: no #Fields: header" "$W/out.txt"; check "noise with an IIS name named" 0 $?
timeout 300 "$EXHUNT" scan --no-progress --verbose "$T" > "$W/verbose.txt" 2>&1
grep -q "skipped .*HttpProxy_2021030306-1.LOG: not a regular file" "$W/verbose.txt"; check "FIFO skipped, not opened" 0 $?
grep -q "skipped .*loop: symbolic link" "$W/verbose.txt"; check "symlink loop skipped" 0 $?
grep -q "evil.LOG:5 (offset" "$W/out.txt"; check "the file with a newline in its name is scanned" 0 $?
# nothing raw from the attacker reaches the terminal
if LC_ALL=C grep -q "$(printf '\033')" "$W/out.txt"; then check "no raw ESC in text output" 0 1; else check "no raw ESC in text output" 0 0; fi
if LC_ALL=C grep -q "$(printf '\007')" "$W/out.txt"; then check "no raw BEL in text output" 0 1; else check "no raw BEL in text output" 0 0; fi
grep -q 'HttpProxy_x\\x0a\\x1b\[2Jevil.LOG' "$W/out.txt"; check "file name escaped in text" 0 $?
# JSONL: every line parses, escapes are there, the 150 MB line's evidence is capped
timeout 300 "$EXHUNT" scan --no-progress -f jsonl -o "$W/out.jsonl" "$T"; check "jsonl exit status" 1 $?
if command -v python3 >/dev/null 2>&1; then
  python3 - "$W/out.jsonl" <<'PY'; check "JSONL parses; hostile strings inert; evidence capped" 0 $?
import json, sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\x07" not in raw and b"\xff" not in raw, "raw control or invalid byte"
objs = [json.loads(l) for l in raw.decode("utf-8").splitlines()]
alerts = [o for o in objs if o["event"]["kind"] == "alert"]
ev = [o for o in alerts if "alert(1)" in o.get("url", {}).get("original", "")]
assert ev and "\x1b]0;pwned" in ev[0]["url"]["original"], "hostile URL kept, escaped"
big = [o for o in alerts if o.get("log", {}).get("file", {}).get("path", "").endswith("HttpProxy_2021030305-1.LOG")]
assert big and len(big[0]["exhunt"]["evidence"]) <= 2048 and big[0]["exhunt"]["evidence_truncated"]
assert len(big[0]["message"]) < 2048
errs = [o for o in objs if o["event"]["kind"] == "pipeline_error"]
assert any("HttpProxy_2021030302-1.LOG" in o["file"]["path"] for o in errs)
PY
fi
# CSV and Timesketch: the same hostile strings stay inert
timeout 300 "$EXHUNT" scan --no-progress -f csv -o "$W/out.csv" "$T"; check "csv exit status" 1 $?
if LC_ALL=C grep -q "$(printf '\033')" "$W/out.csv"; then check "no raw ESC in CSV" 0 1; else check "no raw ESC in CSV" 0 0; fi
! LC_ALL=C grep -q '\(^\|,\)"[=+@-]' "$W/out.csv"; check "no cell starts a formula" 0 $?
timeout 300 "$EXHUNT" scan --no-progress -f timesketch -o "$W/out.ts.jsonl" "$T"; check "timesketch exit status" 1 $?
if command -v python3 >/dev/null 2>&1; then
  python3 - "$W/out.ts.jsonl" <<'PY'; check "Timesketch lines parse and carry the required fields" 0 $?
import json, sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw
for line in raw.decode("utf-8").splitlines():
    o = json.loads(line)
    assert o["message"] and o["datetime"] and isinstance(o["timestamp"], int) and o["timestamp_desc"]
PY
fi
# HTML: one self-contained file, no script of ours or theirs, markup escaped
timeout 300 "$EXHUNT" scan --no-progress -f html --ioc "$W/hostile.stix.json" -o "$W/out.html" "$T"; check "html exit status" 1 $?
[ -s "$W/out.html" ]; check "HTML report written" 0 $?
! LC_ALL=C grep -qi '<script' "$W/out.html"; check "no <script> element in HTML" 0 $?
! LC_ALL=C grep -qi '<img' "$W/out.html"; check "no attacker <img> element in HTML" 0 $?
! LC_ALL=C grep -q '<b>x' "$W/out.html"; check "file name markup escaped in HTML" 0 $?
LC_ALL=C grep -q '&lt;script&gt;alert(2)&lt;/script&gt;' "$W/out.html"; check "YARA evidence shown escaped in HTML" 0 $?
LC_ALL=C grep -q '&lt;/script&gt;&lt;script&gt;alert(1)' "$W/out.html"; check "log URL shown escaped in HTML" 0 $?
if LC_ALL=C grep -q "$(printf '\033')" "$W/out.html"; then check "no raw ESC in HTML" 0 1; else check "no raw ESC in HTML" 0 0; fi
LC_ALL=C grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$W/out.html"; check "HTML forbids scripts by CSP" 0 $?
if command -v python3 >/dev/null 2>&1; then
  python3 - "$W/out.html" <<'PY'; check "HTML is valid UTF-8, well nested, loads nothing, runs nothing" 0 $?
import sys
from html.parser import HTMLParser
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")
VOID = {"meta", "br", "img", "input", "link"}
class P(HTMLParser):
    def __init__(s): super().__init__(); s.stack = []
    def handle_starttag(s, t, a):
        assert t not in ("script", "img", "iframe", "object", "embed", "link", "a", "form"), t
        for k, v in a:
            assert k not in ("src", "href", "action") and not k.startswith("on"), (t, k)
        if t not in VOID: s.stack.append(t)
    def handle_endtag(s, t):
        assert s.stack and s.stack[-1] == t, "bad nesting at </%s>: %s" % (t, s.stack[-3:])
        s.stack.pop()
p = P(); p.feed(raw.decode("utf-8")); p.close()
assert not p.stack, p.stack
PY
fi
"$EXHUNT" scan --no-progress --strict "$T" > /dev/null 2>&1; check "--strict turns unread files into exit 2" 2 $?

# limits: a tiny size cap and the findings cap are reported, not fatal
"$EXHUNT" scan --no-progress --max-file-size 1K "$T" > "$W/cap.txt" 2>&1; check "size cap: verdict still comes" 1 $?
grep -q "over the limit of 1024" "$W/cap.txt"; check "size cap named as the reason" 0 $?

# archives named on the command line: a zip bomb member and path traversal names
if command -v python3 >/dev/null 2>&1; then
  python3 - "$W/bomb.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    # 1.1 GB of zeros named like an Exchange log: streamed, so its first bytes decide
    with z.open("V15/Logging/HttpProxy/Owa/HttpProxy_2021030300-1.LOG", "w", force_zip64=True) as f:
        block = b"\0" * (1 << 20)
        for _ in range(1100):
            f.write(block)
    z.writestr("../../../../tmp/exhunt-traversal/evil.json", '{"Channel":"Security","EventID":4688}\n')
    z.writestr("C/Windows/Temp/lsass.dmp", "MDMP")
PY
  timeout 300 "$EXHUNT" scan --no-progress "$W/bomb.zip" > "$W/bomb.txt" 2>&1; rc=$?
  # exit 3: nothing in it lets a verdict of no evidence be earned
  check "zip bomb: scan completes (inconclusive)" 3 $rc
  grep -q "HttpProxy_2021030300-1.LOG: no #Fields: header" "$W/bomb.txt"; check "zip bomb member named with a reason (streamed, rejected at its first bytes)" 0 $?
  grep -q "lsass.dmp" "$W/bomb.txt"; check "the other members are still read" 0 $?
  [ ! -e /tmp/exhunt-traversal ]; check "nothing extracted (path traversal is moot)" 0 $?
  # the same archive met while walking a tree
  mkdir -p "$W/walked/C/collections" && cp "$W/bomb.zip" "$W/walked/C/collections/"
  timeout 300 "$EXHUNT" scan --no-progress "$W/walked" > "$W/walked.txt" 2>&1; rc=$?
  check "zip bomb in a walked tree: scan completes (inconclusive)" 3 $rc
  grep -q "bomb.zip: .*HttpProxy_2021030300-1.LOG: no #Fields: header" "$W/walked.txt"; check "walked zip bomb named with a reason" 0 $?
  [ ! -e /tmp/exhunt-traversal ]; check "walked zip: nothing extracted" 0 $?
fi

snapshot > "$W/after"
cmp -s "$W/before" "$W/after"; check "evidence unchanged (names, sizes, mtimes, modes, SHA-256)" 0 $?
[ -z "$(find "$T" -newer "$W/before")" ]; check "nothing written under the scanned root" 0 $?
chmod -R u+w "$T"
echo "hostile: $fails failed"
[ "$fails" -eq 0 ]
