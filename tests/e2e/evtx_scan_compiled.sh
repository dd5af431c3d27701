#!/bin/sh
# Issue 15 item 2: `scan` reads EVTX records through compiled templates
# (formats/evtx/evtx_fields.c); EXHUNT_EVTX_TREE=1 reads every record from
# its tree as before. The two must give the same report, byte for byte
# (CSV: every finding with its fields, evidence and message, then the
# verdict and coverage rows): on the sample server's logs with the built-in
# rules, and when ../shared is there, on its 581 EVTX files with SigmaHQ's
# rules and with the built-in ones.
# usage: evtx_scan_compiled.sh EXHUNT SOURCE_DIR SHARED_DIR WORKDIR
set -u
EXHUNT=$1 SRC=$2 SHARED=$3 W=$4
rm -rf "$W" && mkdir -p "$W"
export EXHUNT_SIGMA_PATH=
fails=0
both() { # name, then scan arguments
  name=$1
  shift
  "$EXHUNT" scan --no-progress --no-sigmahq -f csv "$@" > "$W/$name.compiled" 2> "$W/$name.compiled.err"
  EXHUNT_EVTX_TREE=1 "$EXHUNT" scan --no-progress --no-sigmahq -f csv "$@" > "$W/$name.tree" 2> "$W/$name.tree.err"
  n=$(grep -vc '"exhunt\.' "$W/$name.compiled")
  if [ "$n" -gt 1 ] && cmp -s "$W/$name.compiled" "$W/$name.tree" && cmp -s "$W/$name.compiled.err" "$W/$name.tree.err"; then
    echo "ok   $name: $((n - 1)) findings, the same both ways"
  else
    echo "FAIL $name: $((n - 1)) findings; compiled and tree reports differ (or none):"
    diff "$W/$name.compiled" "$W/$name.tree" | head -5
    fails=$((fails + 1))
  fi
}
both sample "$SRC/samples/exch01/C/Windows/System32/winevt/Logs"
if [ -d "$SHARED/data/evtx" ] && [ -d "$SHARED/data/sigma/rules" ]; then
  both shared-sigmahq -r "$SHARED/data/sigma/rules" "$SHARED/data/evtx"
  both shared-builtin "$SHARED/data/evtx"
else
  echo "skip: ../shared is absent (the sample server's logs only)"
fi
[ "$fails" -eq 0 ]
