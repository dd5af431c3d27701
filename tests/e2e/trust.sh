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

echo "trust: $fails failed"
[ "$fails" -eq 0 ]
