#!/bin/sh
# Issue 11, "a verdict you can trust": one regression check per defect,
# through the command line. Each check names the defect it pins; each
# failed on the code before its fix.
# usage: trust.sh EXHUNT EXGEN WORKDIR SOURCEDIR
set -u
EXHUNT=$1 EXGEN=$2 W=$3 SRC=$4
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { # description, expected, actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; fails=$((fails + 1)); fi
}

# --- defect 6: numbers are read within their field ---------------------------
# The flattened event keeps names and values side by side: "4688" followed by
# the key "2" used to read as 46882, so process_creation rules never saw 4688.
mkdir -p "$W/d6"
cat > "$W/d6/rule.yml" <<'R'
title: test process creation cmd
id: 11111111-2222-3333-4444-555555555555
level: high
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\cmd.exe'
  condition: sel
R
printf '{"EventID":4688,"2":"x","Channel":"Security","NewProcessName":"C:\\\\Windows\\\\System32\\\\cmd.exe"}\n' > "$W/d6/ev.jsonl"
"$EXHUNT" scan --no-progress --no-builtin -r "$W/d6/rule.yml" -f jsonl "$W/d6/ev.jsonl" > "$W/d6/out.jsonl"
check "d6: EventID 4688 glued to the next key's digits is 4688 (exit 1)" 1 $?
grep -q '"name":"test process creation cmd"' "$W/d6/out.jsonl"; check "d6: the process_creation rule fired" 0 $?

# --- defect 5: a line hit by more than 256 rules' literals ---------------------
# The prefilter kept 256 ids per line and dropped the rest in silence.
mkdir -p "$W/d5/rules" "$W/d5/srv/V15/Logging/HttpProxy/Owa"
i=1; stem="/owa/"
while [ $i -le 300 ]; do
  n=$(printf '%03d' $i)
  cat > "$W/d5/rules/r$n.yml" <<R
title: many literals $n
id: 00000000-0000-4000-8000-000000000$n
level: medium
logsource: {product: exchange, service: httpproxy}
detection:
  sel:
    UrlStem|contains: 'zq${n}x'
  condition: sel
R
  stem="${stem}zq${n}x"
  i=$((i + 1))
done
L="$W/d5/srv/V15/Logging/HttpProxy/Owa/HttpProxy_2021030301-1.LOG"
{
  printf '#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n'
  printf '#Date: 2021-03-03T01:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,HttpStatus,Method\r\n'
  printf '2021-03-03T01:02:03.000Z,1,%s,192.0.2.7,200,GET\r\n' "$stem"
} > "$L"
"$EXHUNT" scan --no-progress --no-builtin -r "$W/d5/rules" -f jsonl "$W/d5/srv" > "$W/d5/out.jsonl"
n=$(grep -c '"kind":"alert"' "$W/d5/out.jsonl"); check "d5: 300 rules hit on one line give 300 findings" 300 "$n"

# --- defect 3: -o never writes into the evidence -------------------------------
mkdir -p "$W/d3/ev" "$W/d3/out"
printf '<%%@ Page Language="C#" %%><%% Response.Write(Request["c"]); %%>\n' > "$W/d3/ev/x.aspx"
sum() { cksum < "$1"; }
before=$(sum "$W/d3/ev/x.aspx")
"$EXHUNT" scan --no-progress -o "$W/d3/ev/x.aspx" "$W/d3/ev/x.aspx" > /dev/null 2>&1
check "d3: -o naming the file root is refused (exit 2)" 2 $?
check "d3: the file root is unchanged" "$before" "$(sum "$W/d3/ev/x.aspx")"
ln -s "$W/d3/ev/x.aspx" "$W/d3/out/link.txt"
"$EXHUNT" scan --no-progress -o "$W/d3/out/link.txt" "$W/d3/ev/x.aspx" > /dev/null 2>&1
check "d3: -o through a symlink to the file root is refused (exit 2)" 2 $?
check "d3: the file root is unchanged after the symlink try" "$before" "$(sum "$W/d3/ev/x.aspx")"
ln -s "$W/d3/ev" "$W/d3/out/evdir"
"$EXHUNT" scan --no-progress -o "$W/d3/out/evdir/r.txt" "$W/d3/ev" > /dev/null 2>&1
check "d3: -o into a folder root through a symlinked folder is refused (exit 2)" 2 $?
[ ! -e "$W/d3/ev/r.txt" ]; check "d3: nothing created in the folder root" 0 $?
# a hard link to the evidence outside the root: the report replaces the
# name, never the evidence's bytes
ln "$W/d3/ev/x.aspx" "$W/d3/out/hard.txt"
"$EXHUNT" scan --no-progress -o "$W/d3/out/hard.txt" "$W/d3/ev" > /dev/null 2>&1
check "d3: the evidence behind a hard-linked -o is unchanged" "$before" "$(sum "$W/d3/ev/x.aspx")"
grep -q "VERDICT" "$W/d3/out/hard.txt"; check "d3: the report was written under the -o name" 0 $?
# a report written over an earlier one works
"$EXHUNT" scan --no-progress -o "$W/d3/out/r.txt" "$W/d3/ev" > /dev/null 2>&1
"$EXHUNT" scan --no-progress -o "$W/d3/out/r.txt" "$W/d3/ev" > /dev/null 2>&1
grep -q "VERDICT" "$W/d3/out/r.txt"; check "d3: a second run replaces the report" 0 $?
ls "$W/d3/out" | grep -q exhunt-tmp; check "d3: no temporary file left behind" 1 $?

# --- defect 10: a report that cannot be written is an error --------------------
if [ -w /dev/full ]; then
  "$EXHUNT" scan --no-progress "$W/d3/ev" > /dev/full 2>/dev/null; check "d10: report to a full disk (stdout) exits 2" 2 $?
  "$EXHUNT" scan --no-progress -o /dev/full "$W/d3/ev" 2>/dev/null; check "d10: report to a full disk (-o) exits 2" 2 $?
else
  echo "skip d10 full-disk checks: no writable /dev/full"
fi

# --- defect 9: a clean verdict is earned, never given for nothing --------------
"$EXHUNT" scan --no-progress "$W/d9-missing" > "$W/d9-missing.txt" 2>&1
check "d9: a root that does not exist is an error (exit 2)" 2 $?
grep -q "^VERDICT: no evidence examined" "$W/d9-missing.txt"; check "d9: missing root: 'no evidence examined'" 0 $?
mkdir -p "$W/d9-empty"
"$EXHUNT" scan --no-progress "$W/d9-empty" > "$W/d9-empty.txt" 2>&1
check "d9: an empty folder is inconclusive (exit 3)" 3 $?
grep -q "^VERDICT: no evidence examined" "$W/d9-empty.txt"; check "d9: empty folder: 'no evidence examined'" 0 $?
mkdir -p "$W/d9-junk/docs" && printf 'hello\n' > "$W/d9-junk/docs/readme.txt" && printf 'x' > "$W/d9-junk/photo.jpg"
"$EXHUNT" scan --no-progress "$W/d9-junk" > "$W/d9-junk.txt" 2>&1
check "d9: a folder of nothing exhunt reads is inconclusive (exit 3)" 3 $?
if [ "$(id -u)" != 0 ]; then
  mkdir -p "$W/d9-locked" && chmod 000 "$W/d9-locked"
  "$EXHUNT" scan --no-progress "$W/d9-locked" > /dev/null 2>&1; check "d9: an unreadable root is an error (exit 2)" 2 $?
  chmod 755 "$W/d9-locked"
fi
# logs only, from a build patched against every campaign in the logs' time:
# the logs cannot show what happened before the patch, so "cannot tell"
P="$W/d9-patched/V15/Logging/HttpProxy/Owa"
mkdir -p "$P"
{
  printf '#Software: Microsoft Exchange Server\r\n#Version: 15.02.1118.020\r\n#Log-type: HttpProxy Logs\r\n'
  printf '#Date: 2023-05-01T10:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,HttpStatus,Method\r\n'
  printf '2023-05-01T10:00:01.000Z,r1,/owa/,10.0.0.9,200,GET\r\n2023-05-01T10:59:01.000Z,r2,/owa/,10.0.0.9,200,GET\r\n'
} > "$P/HttpProxy_2023050110-1.LOG"
"$EXHUNT" scan --no-progress -f jsonl "$W/d9-patched" > "$W/d9-patched.jsonl" 2>&1
check "d9: patched build, logs after the fixes, no web folders: inconclusive (exit 3)" 3 $?
grep -q '"verdict":"cannot tell"' "$W/d9-patched.jsonl"; check "d9: ... verdict 'cannot tell'" 0 $?
grep -q '"dataset":"exhunt.coverage"' "$W/d9-patched.jsonl"; check "d9: JSONL has the exhunt.coverage object" 0 $?
for root in inetpub/wwwroot FrontEnd/HttpProxy ClientAccess; do
  grep -q '"class":"web_files","item":"'$root'","label":"web folder '$root'","present":false' "$W/d9-patched.jsonl"
  check "d9: coverage names the web root $root as not found" 0 $?
done
# the same logs from a vulnerable build (unpatched until the collection):
# they cover every campaign's exposure up to the collection -> earned clean
V="$W/d9-vuln/V15/Logging/HttpProxy/Owa"
mkdir -p "$V"
sed 's/15.02.1118.020/15.01.2176.002/' "$P/HttpProxy_2023050110-1.LOG" > "$V/HttpProxy_2023050110-1.LOG"
"$EXHUNT" scan --no-progress "$W/d9-vuln" > "$W/d9-vuln.txt" 2>&1
check "d9: vulnerable build, web logs within every exposure: earned clean (exit 0)" 0 $?
grep -q "^VERDICT: no evidence of compromise" "$W/d9-vuln.txt"; check "d9: ... verdict 'no evidence of compromise'" 0 $?
grep -q "ProxyShell    no trace " "$W/d9-vuln.txt"; check "d9: ... ProxyShell: no trace in the web logs" 0 $?
grep -q "^  -  HTTPERR logs" "$W/d9-vuln.txt"; check "d9: ... the text coverage names HTTPERR as not found" 0 $?

# --- defect 7: a log truncated while it is read (a live server rotating logs) --
# A 2 GiB sparse log is cut to a few bytes while exhunt reads it: mapped
# reads died of SIGBUS; reads into buffers end short and the scan goes on.
T="$W/d7/V15/Logging/HttpProxy/Owa"
mkdir -p "$T"
printf '#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T01:00:00.000Z\r\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress\r\n' > "$T/HttpProxy_2021030301-1.LOG"
if truncate -s 2G "$T/HttpProxy_2021030301-1.LOG" 2>/dev/null; then
  "$EXHUNT" scan --no-progress -j 1 "$W/d7" > "$W/d7.txt" 2>&1 &
  pid=$!
  sleep 1
  truncate -s 200 "$T/HttpProxy_2021030301-1.LOG"
  wait $pid; rc=$?
  [ $rc -lt 4 ]; check "d7: a log truncated mid-read ends the scan normally (exit $rc, not a signal)" 0 $?
  grep -q "^VERDICT" "$W/d7.txt"; check "d7: the report still comes" 0 $?
else
  echo "skip d7: no sparse files here"
fi

# --- coverage of a zipped collection: the same as the folder it holds ---------
"$EXGEN" --seed 12 --scenario benign --out "$W/cz/benign" --truth "$W/cz/benign.tsv" > /dev/null || exit 1
python3 - "$W/cz/benign" "$W/cz/zipped/collection.zip" <<'PY'
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.dirname(out), exist_ok=True)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dp, _, fs in os.walk(root):
        for fn in sorted(fs):
            full = os.path.join(dp, fn)
            z.write(full, os.path.relpath(full, root))
PY
"$EXHUNT" scan --no-progress "$W/cz/benign" > "$W/cz/folder.txt" 2>&1; fr=$?
"$EXHUNT" scan --no-progress "$W/cz/zipped" > "$W/cz/zip.txt" 2>&1; zr=$?
check "coverage: a zipped collection earns the folder's verdict (exit $fr)" "$fr" "$zr"
grep -q "^  +  HttpProxy logs Owa" "$W/cz/zip.txt"; check "coverage: the HttpProxy logs inside the zip are read" 0 $?
for root in inetpub/wwwroot FrontEnd/HttpProxy ClientAccess; do
  grep -q "^  +  web folder $root" "$W/cz/zip.txt"; check "coverage: the web root $root inside the zip is read" 0 $?
done

# --- review 8 items 1 and 3: web roots and files left unchecked, -j 1 and -j 2 --
# IIS's default page alone is not a clean server (cannot tell, exit 3, the
# Exchange web roots named); three files on a desktop are counted as not
# content-checked with either walk (the parallel walk's notes), not with
# --all-files.
U="$W/unchecked/SRV"
mkdir -p "$U/C/inetpub/wwwroot" "$U/C/Users/bob/Desktop/stuff"
printf '<html></html>' > "$U/C/inetpub/wwwroot/iisstart.htm"
for n in a b; do printf 'x' > "$U/C/Users/bob/Desktop/$n.txt"; done
printf 'x' > "$U/C/Users/bob/Desktop/stuff/c.bin"
for j in 1 2; do
  "$EXHUNT" scan --no-progress -j $j "$U" > "$W/unchecked/j$j.txt" 2>&1
  check "unchecked: one default page is not clean (-j $j, exit 3)" 3 $?
  grep -q "^VERDICT: cannot tell" "$W/unchecked/j$j.txt"; check "unchecked: ... 'cannot tell' (-j $j)" 0 $?
  grep -q "web roots not collected (FrontEnd/HttpProxy, ClientAccess)" "$W/unchecked/j$j.txt"
  check "unchecked: ... the Exchange web roots named (-j $j)" 0 $?
  grep -q "^  !  other files, not content-checked (use --all-files)  3 files$" "$W/unchecked/j$j.txt"
  check "unchecked: the 3 desktop files counted (-j $j)" 0 $?
done
"$EXHUNT" scan --no-progress --all-files "$U" > "$W/unchecked/all.txt" 2>&1
grep -q "not content-checked" "$W/unchecked/all.txt"; check "unchecked: none with --all-files" 1 $?
# DearCry's note and encrypted files outside the checked folders are found
# by their names without --all-files (cheap: no read to decide)
R="$W/ransom/SRV/C/Users/Administrator"
mkdir -p "$R/Desktop" "$R/Documents"
printf 'Your file has been encrypted!\r\nIf you want to decrypt, please contact us.\r\nkonedieyp@airmail.cc\r\nDEARCRY\r\n' > "$R/Desktop/readme.txt"
printf 'DEARCRY!\001\002\003' > "$R/Documents/finance.xlsx.CRYPT"
"$EXHUNT" scan --no-progress "$W/ransom/SRV" > "$W/ransom/out.txt" 2>&1
check "ransom: a DearCry note and file on a desktop: compromised (exit 1)" 1 $?
grep -q "exhunt_dearcry_note: .*Desktop/readme.txt" "$W/ransom/out.txt"; check "ransom: ... the note named" 0 $?
grep -q "exhunt_dearcry_encrypted_file: .*finance.xlsx.CRYPT" "$W/ransom/out.txt"; check "ransom: ... the .CRYPT file named" 0 $?
n=$(grep -c "collection.zip!.*Logging/HttpProxy/" "$W/cz/zip.txt"); [ "$n" -ge 5 ]
check "log window: one row per log folder inside the zip (got $n)" 0 $?

# --- a rule path the user named must be usable --------------------------------
"$EXHUNT" scan --no-progress -r "$W/no-such-rules" "$W/d3/ev" > /dev/null 2>&1; check "-r naming nothing is an error (exit 2)" 2 $?
mkfifo "$W/rules.fifo" 2>/dev/null && {
  timeout 20 "$EXHUNT" scan --no-progress --yara "$W/rules.fifo" "$W/d3/ev" > /dev/null 2>&1
  check "--yara naming a FIFO is an error at once (exit 2, no hang)" 2 $?
}

# --- an event with more fields than are kept says so ---------------------------
python3 -c '
import json
e = {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational"}
for i in range(600): e["f%d" % i] = "v"
print(json.dumps(e))' > "$W/wide.jsonl"
"$EXHUNT" scan --no-progress -f jsonl "$W/wide.jsonl" > "$W/wide.out" 2>&1
grep -q 'more than 512 fields' "$W/wide.out"; check "an event past 512 fields is named, not cut in silence" 0 $?

# --- defect 11: bidi and invisible characters never reach the terminal raw ------
mkdir -p "$W/bidi"
printf 'title: "evil \342\200\256xsa.aspx"\nlogsource: {product: exchange}\ndetection: {s: {A|nope: b}, condition: s}\n' > "$W/bidi/r.yml"
"$EXHUNT" rules check --no-builtin "$W/bidi" > /dev/null 2> "$W/bidi/err"
grep -q 'evil \\u202exsa' "$W/bidi/err"; check "d11: a rule title's right-to-left override is escaped on stderr" 0 $?
! grep -q "$(printf '\342\200\256')" "$W/bidi/err"; check "d11: ... and never written raw" 0 $?

echo "trust: $fails failed"
[ "$fails" -eq 0 ]
