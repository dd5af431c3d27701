#!/bin/sh
# SigmaHQ's rule tree, unmodified (../shared/data/sigma): every rule whose log
# source exhunt supports must load; the others must each say why not.
# usage: sigmahq.sh EXHUNT SHARED_DIR WORKDIR
set -u
EXHUNT=$1 SHARED=$2 W=$3
S="$SHARED/data/sigma"
if [ ! -d "$S/rules" ]; then echo "skip: $S is absent"; exit 0; fi
rm -rf "$W" && mkdir -p "$W"
"$EXHUNT" rules check --no-builtin "$S/rules" "$S/rules-emerging-threats" "$S/rules-threat-hunting" "$S/rules-dfir" \
  > "$W/out.txt" 2> "$W/rejected.txt"
tail -n 1 "$W/out.txt"
total=$(find "$S/rules" "$S/rules-emerging-threats" "$S/rules-threat-hunting" "$S/rules-dfir" -name '*.yml' | wc -l)
rejected=$(grep -c '^rule not loaded' "$W/rejected.txt")
unsupported=$(grep -c 'unsupported log source' "$W/rejected.txt")
other=$((rejected - unsupported))
echo "rule files: $total; rejected: $rejected ($unsupported for their log source, $other for other reasons)"
grep -v 'unsupported log source' "$W/rejected.txt" | head -20
fails=0
# every webserver rule loads
for f in $(grep -rl '^ *category: webserver' "$S/rules" "$S/rules-emerging-threats" "$S/rules-threat-hunting" "$S/rules-dfir"); do
  if grep -qF "$f" "$W/rejected.txt"; then echo "FAIL webserver rule not loaded: $f"; fails=$((fails + 1)); fi
done
# every Windows rule loads but those of categories no event log holds
# (issue 13: services without a channel and product windows alone were rejected)
if grep 'unsupported log source (product: windows' "$W/rejected.txt" | grep -v 'category: file_access)\|category: file_rename)'; then
  echo "FAIL Windows rules rejected for their log source (above)"; fails=$((fails + 1))
fi
if grep 'unsupported log source (product: -, service: -, category: antivirus)' "$W/rejected.txt"; then
  echo "FAIL antivirus rules rejected (above)"; fails=$((fails + 1))
fi
# every rejection names its reason
if grep '^rule not loaded' "$W/rejected.txt" | grep -qv ': [a-zA-Z'"'"'(].*'; then echo "FAIL a rejection without a reason"; fails=$((fails + 1)); fi
# among rules of supported log sources, at most 1% rejected for other reasons
loaded=$(sed -n 's/^loaded \([0-9]*\) of.*/\1/p' "$W/out.txt")
if [ $((other * 100)) -gt $((loaded + other)) ]; then echo "FAIL more than 1% of supported rules rejected"; fails=$((fails + 1)); fi
echo "sigmahq: $fails failed"
[ "$fails" -eq 0 ]
