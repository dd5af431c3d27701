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

echo "trust: $fails failed"
[ "$fails" -eq 0 ]
