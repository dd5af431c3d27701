#!/bin/sh
# Reproducible benchmark for the file checks (issue 4): hashing and YARA
# scanning of a ~1 GB tree of mixed files (web pages, scripts, binaries,
# archives) laid out in the web and staging folders exhunt reads.
# Times, hot page cache, best of 3:
#   sha256sum over every file (one process, one core)
#   yara -r -p 1 / default threads, exhunt's shipped rules (rules/yara), same externals
#   exhunt scan --no-builtin --ioc (SHA-256 of every file + an IOC lookup), -j 1 / -j 2
#   exhunt scan (all shipped rules: SHA-256 + YARA), -j 1 / -j 2
# usage: sh bench/files.sh [SIZE_MB]   (default 1024)
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-1024}
. bench/lib.sh
TREE=$(filetree "$SIZE")
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
NFILES=$(find "$TREE" -type f | wc -l)
find "$TREE" -type f -exec cat {} + > /dev/null   # warm the page cache
printf '%s\n' "# one indicator that matches nothing: exhunt hashes every file for it" \
  "0000000000000000000000000000000000000000000000000000000000000000" > "$W/none.ioc"
EXT="-d filename= -d filepath= -d extension= -d filetype= -d owner="
cat rules/yara/*.yar > "$W/all.yar"
SHA=$(best sh -c "find '$TREE' -type f -print0 | xargs -0 sha256sum")
# shellcheck disable=SC2086
Y1=$(best yara -r -p 1 $EXT "$W/all.yar" "$TREE")
# shellcheck disable=SC2086
Y2=$(best yara -r $EXT "$W/all.yar" "$TREE")
H1=$(best "$BUILD"/exhunt scan -j 1 --no-builtin --ioc "$W/none.ioc" -f jsonl -o /dev/null "$TREE")
H2=$(best "$BUILD"/exhunt scan -j 2 --no-builtin --ioc "$W/none.ioc" -f jsonl -o /dev/null "$TREE")
E1=$(best "$BUILD"/exhunt scan -j 1 -f jsonl -o /dev/null "$TREE")
E2=$(best "$BUILD"/exhunt scan -j 2 -f jsonl -o /dev/null "$TREE")
echo "corpus: $BYTES bytes, $NFILES files ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
row() { printf '%-52s %8s s %9s MB/s\n' "$1" "$(printf %.3f "$2")" "$(mbs "$2")"; }
row "sha256sum (1 core)" "$SHA"
row "yara -r -p 1 (shipped rules)" "$Y1"
row "yara -r (default threads)" "$Y2"
row "exhunt scan -j 1, hashing only (--ioc, no rules)" "$H1"
row "exhunt scan -j 2, hashing only" "$H2"
row "exhunt scan -j 1 (SHA-256 + YARA + all rules)" "$E1"
row "exhunt scan -j 2 (SHA-256 + YARA + all rules)" "$E2"
echo "ratio exhunt hashing -j 1 / sha256sum:   $(echo "scale=2; $SHA / $H1" | bc -l)x"
echo "ratio exhunt full -j 1 / yara -r -p 1:   $(echo "scale=2; $Y1 / $E1" | bc -l)x"
echo "ratio exhunt full -j 2 / yara -r:        $(echo "scale=2; $Y2 / $E2" | bc -l)x"
