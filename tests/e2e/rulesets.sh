#!/bin/sh
# SigmaHQ by default, and the report naming the rule sets that ran (issue 13
# item 2). A small tree in SigmaHQ's layout is built here, so the test runs
# on a fresh clone; with ../shared, its SigmaHQ copy is loaded the same way.
#   - --sigmahq DIR, $EXHUNT_SIGMA_PATH and $XDG_DATA_HOME/exhunt/sigma each
#     load it; EXHUNT_SIGMA_PATH="" and --no-sigmahq load none; a named
#     folder that is not there is an error (exit 2), not a scan without it;
#   - only the alerting folders load (rules/, rules-emerging-threats/,
#     rules-dfir/), not rules-threat-hunting/ or deprecated/;
#   - the version is the checkout's HEAD commit (a ref, a packed ref) or a
#     COMMIT/VERSION file; a one-line summary goes to stderr;
#   - text, JSONL and HTML reports list built-in, SigmaHQ (loaded of total,
#     version, folder) and user sets; without SigmaHQ the text says so.
# usage: rulesets.sh EXHUNT SAMPLE_TREE WORKDIR [SHARED]
set -u
X=$1 SAMPLE=$2 W=$3 SHARED=${4:-}
rm -rf "$W" && mkdir -p "$W"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
unset EXHUNT_SIGMA_PATH XDG_DATA_HOME
export HOME="$W/home"
mkdir -p "$HOME"

rule() { # file title logsource-product logsource-category keyword
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<R
title: $2
id: $(printf '%s' "$2" | md5sum | sed 's/^\(........\)\(....\)\(....\)\(....\)\(............\).*/\1-\2-\3-\4-\5/')
status: test
logsource:
  product: $3
  category: $4
detection:
  selection:
    cs-uri-stem|contains: '$5'
  condition: selection
level: high
R
}
T="$W/sigma"
rule "$T/rules/web/a.yml" "alert one" windows webserver /alert-one/
rule "$T/rules/web/b.yml" "alert two" windows webserver /alert-two/
rule "$T/rules/linux/c.yml" "linux only" linux process_creation /x/
rule "$T/rules-emerging-threats/2021/d.yml" "emerging" windows webserver /emerging/
rule "$T/rules-dfir/e.yml" "dfir" windows webserver /dfir/
rule "$T/rules-threat-hunting/web/f.yml" "hunting" windows webserver /hunting/
rule "$T/deprecated/g.yml" "deprecated" windows webserver /deprecated/
mkdir -p "$T/.git/refs/heads"
echo "ref: refs/heads/master" > "$T/.git/HEAD"
echo "0123456789abcdef0123456789abcdef01234567" > "$T/.git/refs/heads/master"

scan() { "$X" scan --no-progress "$@" "$SAMPLE"; }

# --sigmahq: 4 of 5 alerting rules (the linux one is rejected), hunting and deprecated not read
scan --sigmahq "$T" > "$W/t1.txt" 2> "$W/t1.err"
grep -q "^Sigma rule sets: built-in [0-9]* (exhunt [^)]*); SigmaHQ 4 of 5 (commit 0123456789ab) from $T\$" "$W/t1.txt" \
  || fail "text report: $(grep '^Sigma rule sets' "$W/t1.txt")"
grep -q "^exhunt: SigmaHQ rules from $T (commit 0123456789ab): 4 of 5 loaded" "$W/t1.err" || fail "summary: $(cat "$W/t1.err")"
grep -q "rule not loaded" "$W/t1.err" && fail "SigmaHQ's rejections listed one by one"
"$X" rules list --no-builtin "$T/rules-threat-hunting" > /dev/null 2>&1 # (sanity: the hunting rule itself loads)
scan --sigmahq "$T" -f jsonl > "$W/t1.jsonl" 2>/dev/null
grep -q '"sets":\[{"name":"built-in","origin":"compiled into exhunt","version":"exhunt [^"]*","loaded":[0-9]*,"rejected":0},{"name":"SigmaHQ","origin":"'"$T"'","version":"commit 0123456789ab","loaded":4,"rejected":1}\]' "$W/t1.jsonl" \
  || fail "jsonl sets: $(grep -o '"sets":[^]]*]' "$W/t1.jsonl" | head -1)"
scan --sigmahq "$T" -f html > "$W/t1.html" 2>/dev/null
grep -q "<p>Sigma rule sets: built-in [0-9]* (exhunt [^)]*); SigmaHQ 4 of 5 (commit 0123456789ab) from $T.</p>" "$W/t1.html" \
  || fail "html sets: $(grep 'rule sets' "$W/t1.html")"

# the environment and the user's data folder
EXHUNT_SIGMA_PATH="$T" scan > "$W/t2.txt" 2>/dev/null
grep -q "SigmaHQ 4 of 5" "$W/t2.txt" || fail "EXHUNT_SIGMA_PATH not loaded"
mkdir -p "$W/xdg/exhunt" && ln -s "$T" "$W/xdg/exhunt/sigma"
XDG_DATA_HOME="$W/xdg" scan > "$W/t3.txt" 2>/dev/null
grep -q "SigmaHQ 4 of 5 (commit 0123456789ab) from $W/xdg/exhunt/sigma" "$W/t3.txt" || fail "XDG_DATA_HOME not loaded"
mkdir -p "$HOME/.local/share/exhunt" && ln -s "$T" "$HOME/.local/share/exhunt/sigma"
scan > "$W/t4.txt" 2>/dev/null
grep -q "SigmaHQ 4 of 5" "$W/t4.txt" || fail "~/.local/share/exhunt/sigma not loaded"
# switched off
scan --no-sigmahq > "$W/t5.txt" 2>/dev/null
grep -q "SigmaHQ not loaded" "$W/t5.txt" || fail "--no-sigmahq still loads"
EXHUNT_SIGMA_PATH= scan > "$W/t6.txt" 2>/dev/null
grep -q "SigmaHQ not loaded" "$W/t6.txt" || fail "EXHUNT_SIGMA_PATH= still loads"
rm "$HOME/.local/share/exhunt/sigma"
# named but absent: an error
EXHUNT_SIGMA_PATH="$W/nowhere" scan > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "EXHUNT_SIGMA_PATH to nowhere: exit $rc"
scan --sigmahq "$W/nowhere" > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "--sigmahq to nowhere: exit $rc"

# a packed ref, then a release archive's VERSION file
rm "$T/.git/refs/heads/master"
printf '# pack-refs with: peeled\nfedcba9876543210fedcba9876543210fedcba98 refs/heads/master\n' > "$T/.git/packed-refs"
scan --sigmahq "$T" > "$W/t7.txt" 2>/dev/null
grep -q "SigmaHQ 4 of 5 (commit fedcba987654)" "$W/t7.txt" || fail "packed ref: $(grep 'rule sets' "$W/t7.txt")"
rm -rf "$T/.git" && echo "r2024-11-20" > "$T/VERSION"
scan --sigmahq "$T" > "$W/t8.txt" 2>/dev/null
grep -q "SigmaHQ 4 of 5 (version r2024-11-20)" "$W/t8.txt" || fail "VERSION file: $(grep 'rule sets' "$W/t8.txt")"
# a folder without SigmaHQ's layout is loaded whole; user rules are their own set
scan --sigmahq "$T/rules-threat-hunting" -r "$T/rules/web/a.yml" > "$W/t9.txt" 2>/dev/null
grep -q "SigmaHQ 1 from $T/rules-threat-hunting; user 1 from $T/rules/web/a.yml" "$W/t9.txt" \
  || fail "plain folder and user set: $(grep 'rule sets' "$W/t9.txt")"

# ../shared's copy of SigmaHQ, as a user would install it
if [ -n "$SHARED" ] && [ -d "$SHARED/data/sigma/rules" ]; then
  S="$SHARED/data/sigma"
  EXHUNT_SIGMA_PATH="$S" scan -f jsonl > "$W/s.jsonl" 2> "$W/s.err"
  cat "$W/s.err"
  line=$("$X" rules check --no-builtin "$S/rules" "$S/rules-emerging-threats" "$S/rules-dfir" 2>/dev/null | tail -n 1)
  loaded=$(echo "$line" | sed -n 's/^loaded \([0-9]*\) of \([0-9]*\).*/\1/p')
  total=$(echo "$line" | sed -n 's/^loaded \([0-9]*\) of \([0-9]*\).*/\2/p')
  commit=$(head -c 12 "$S/COMMIT")
  grep -q "\"name\":\"SigmaHQ\",\"origin\":\"$S\",\"version\":\"commit $commit\",\"loaded\":$loaded,\"rejected\":$((total - loaded))" "$W/s.jsonl" \
    || fail "../shared SigmaHQ set: want $loaded of $total at $commit: $(grep -o '"sets":[^]]*]' "$W/s.jsonl" | head -1)"
  echo "../shared SigmaHQ: $loaded of $total alerting rules load (commit $commit)"
else
  echo "skip: ../shared's SigmaHQ is absent (the built tree above was tested)"
fi
echo "rulesets: $fails failed"
[ "$fails" -eq 0 ]
