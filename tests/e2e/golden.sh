#!/bin/sh
# Golden reports: the bundled sample tree scanned in every format must give
# exactly the reports kept in tests/golden/, but for the scan's own time and
# duration. The tree is made afresh by the generator (scripts/make-sample.sh:
# the same bytes as samples/exch01, with the files' modification times,
# which a git checkout does not keep). A change to any report shows here as
# a diff; after a deliberate change, refresh them with
#   sh tests/e2e/golden.sh build/exhunt build/exgen . /tmp/g --update
# and read the diff before committing it.
# usage: golden.sh EXHUNT EXGEN SOURCEDIR WORKDIR [--update]
set -u
EXHUNT=$1 EXGEN=$2 SRC=$(cd "$3" && pwd) W=$4 UPDATE=${5:-}
rm -rf "$W" && mkdir -p "$W/samples" || exit 1
sh "$SRC/scripts/make-sample.sh" "$EXGEN" "$W/samples" > /dev/null || exit 1
cd "$W" || exit 1
fails=0
# the sample's evidence is from 2021: a time in 2025 or later is the scan's own
norm() {
  sed -E -e 's/20(2[5-9]|[3-9][0-9])-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3}Z)?/<scan time>/g' \
         -e 's/"timestamp":1(7[4-9]|[89][0-9])[0-9]{13}/"timestamp":<scan time>/g' \
         -e 's/in [0-9]+\.[0-9]+ s/in <t> s/g'
}
for fmt in text jsonl csv timesketch html; do
  want="$SRC/tests/golden/exch01.$fmt"
  got=$(mktemp)
  "$EXHUNT" scan --no-progress -j 1 -f "$fmt" samples/exch01 | norm > "$got"
  if [ "$UPDATE" = --update ]; then
    cp "$got" "$want"
    echo "updated $want"
  elif [ ! -f "$want" ]; then
    echo "FAIL $fmt: no golden report $want"; fails=$((fails + 1))
  elif cmp -s "$got" "$want"; then
    echo "ok   $fmt report as kept"
  else
    echo "FAIL $fmt report differs from $want:"; diff "$want" "$got" | head -20; fails=$((fails + 1))
  fi
  rm -f "$got"
done
echo "golden: $fails failed"
[ "$fails" -eq 0 ]
