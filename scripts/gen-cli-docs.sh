#!/bin/sh
# Writes docs/exhunt.1 (man page), contrib/completions/exhunt.bash and
# contrib/completions/_exhunt (zsh) from src/cli/options.def, the one list
# of exhunt's options (main.c builds getopt's table and --help from it).
# Run it after changing an option; ctest cli_docs fails while they differ.
# usage: sh scripts/gen-cli-docs.sh [OUTDIR]   (default: the source tree)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$SRC/tools/clidocs/gen_cli_docs.py" "$SRC" "$@"
