#!/bin/sh
# Issue 13 item 2: the event prefilter stays sound when values fold across
# scripts. SigmaHQ's rules (rules, rules-threat-hunting) over events whose
# command lines name accounts and passwords in upper-case Cyrillic, Finnish,
# Spanish and Polish (tests/data/events/non_ascii.jsonl) give the same
# findings with the prefilter and without it (EXHUNT_NO_EVENT_PREFILTER),
# and the findings SigmaHQ's values ask for.
# usage: prefilter_text.sh EXHUNT SHARED_DIR SRC_DIR WORKDIR
set -u
EXHUNT=$1 SHARED=$2 SRC=$3 W=$4
S="$SHARED/data/sigma"
if [ ! -d "$S/rules" ]; then echo "skip: ../shared is absent"; exit 0; fi
rm -rf "$W" && mkdir -p "$W"
EV="$SRC/tests/data/events/non_ascii.jsonl"
"$EXHUNT" scan --no-builtin --no-progress -r "$S/rules" -r "$S/rules-threat-hunting" -f csv "$EV" 2>/dev/null |
  cut -d, -f5,17 | sort > "$W/on"
EXHUNT_NO_EVENT_PREFILTER=1 "$EXHUNT" scan --no-builtin --no-progress -r "$S/rules" -r "$S/rules-threat-hunting" \
  -f csv "$EV" 2>/dev/null | cut -d, -f5,17 | sort > "$W/off"
fails=0
if ! cmp -s "$W/on" "$W/off"; then echo "FAIL the prefilter changes the findings:"; diff "$W/on" "$W/off"; fails=$((fails + 1)); fi
# rule id, record id: default account manipulation (Администратор, Järjestelmänvalvoja),
# findstr password recon (contraseña, hasło)
for want in '"5b768e71-86f2-4879-b448-81061cbae951","1"' '"5b768e71-86f2-4879-b448-81061cbae951","2"' \
            '"5b768e71-86f2-4879-b448-81061cbae951","3"' '"1a0f6f16-2099-4753-9a02-43b6ac7a1fa5","4"' \
            '"1a0f6f16-2099-4753-9a02-43b6ac7a1fa5","5"'; do
  if grep -qF "$want" "$W/on"; then echo "ok   $want"; else echo "FAIL missing $want"; fails=$((fails + 1)); fi
done
if grep -qF '"5b768e71-86f2-4879-b448-81061cbae951","6"' "$W/on"; then echo "FAIL record 6 is not a default account"; fails=$((fails + 1)); fi
echo "prefilter_text: $fails failed"
[ "$fails" -eq 0 ]
