#!/bin/sh
# Regenerates the bundled sample tree from the generator (deterministic:
# the test `sample_reproducible` checks that the committed tree matches).
# usage: make-sample.sh EXGEN OUTDIR
set -eu
"$1" --seed 2021 --days 3 --lines 3 --scenario attack --out "$2/exch01" --truth "$2/exch01.truth.tsv"
