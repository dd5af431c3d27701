#!/bin/sh
# The compiled rule cache (issue 15 item 3, docs/rules.md):
#   - a cached run (the second) gives the reports (text, JSONL) and the
#     rejection lines of a fresh compile (--no-cache), byte for byte but for
#     the scan's own time, over the shipped rules loaded as a folder, the
#     built-in set (its YAML rules cached as one set), and SigmaHQ's tree (when ../shared is there); the second
#     run reads the files (they are not written again);
#   - files 0600 in a folder 0700, under $XDG_CACHE_HOME/exhunt; --no-cache
#     writes nothing;
#   - one rule file changed in content, same size and modification time,
#     is seen (the key is the content, not the file's metadata);
#   - a corrupt cache file (a byte flipped, truncated, another's) is
#     ignored (a note with -v) and written again as it was;
#   - the shipped YARA rules kept compiled (yara-*.bin, when libyara is
#     there): read back, a corrupt one noted and written again as it was;
#   - cache files not used for 30 days removed;
#   - a first run with -j 3 writes the files -j 1 writes (SigmaHQ);
#   - never inside the evidence or a rule folder; an unusable
#     XDG_CACHE_HOME and HOME: compiled, silently.
# usage: cache.sh EXHUNT SAMPLE_TREE WORKDIR SRC [SHARED]
set -u
X=$1 SAMPLE=$2 W=$3 SRC=$4 SHARED=${5:-}
rm -rf "$W" && mkdir -p "$W"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
export EXHUNT_SIGMA_PATH=
export XDG_CACHE_HOME="$W/xdg"
C="$XDG_CACHE_HOME/exhunt"

# the scan's own time differs run to run: the text's "in 0.08 s", the state lines' timestamp
norm() { sed -E -e 's/^(scanned .*) in [0-9.]+ s$/\1/' -e '/"kind":"(state|pipeline_error)"/ s/"@timestamp":"[^"]*"//' "$1"; }
same() { # name file-a file-b
  if ! norm "$2" > "$W/na" || ! norm "$3" > "$W/nb" || ! cmp -s "$W/na" "$W/nb"; then
    fail "$1: $2 and $3 differ"; diff "$W/na" "$W/nb" | head -5 | cut -c1-300
  fi
}
inode() { ls -i "$1" 2>/dev/null | cut -d' ' -f1; }

# -- the shipped rules as a user folder, and the built-in set --
cp -r "$SRC/rules" "$W/rules"
R="$W/rules"
for f in text jsonl; do
  "$X" scan --no-progress --no-cache --no-builtin -r "$R" -f $f "$SAMPLE" > "$W/fresh.$f" 2> "$W/fresh.$f.err"
done
"$X" scan --no-progress --no-cache -v --no-builtin -r "$R" -f text "$SAMPLE" > "$W/fresh.v.text" 2>/dev/null
[ -e "$C" ] && fail "--no-cache wrote $C"
"$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > "$W/c1.text" 2> "$W/c1.text.err"
RF=$(ls "$C"/rules-*.bin 2>/dev/null | head -1)
PF=$(ls "$C"/prefilter-*.bin 2>/dev/null | head -1)
# the prefilter's databases are Hyperscan's: a build without it has none to keep
HS=1
ldd "$X" 2>/dev/null | grep -q 'libhs\.' || HS=0
[ -n "$RF" ] || fail "no rules cache file written: $(ls -la "$C" 2>&1)"
if [ $HS = 1 ]; then [ -n "$PF" ] || fail "no prefilter cache file written: $(ls -la "$C" 2>&1)"; else echo "no Hyperscan: no prefilter file"; PF=$RF; fi
[ "$(stat -c %a "$C")" = 700 ] || fail "cache folder mode $(stat -c %a "$C")"
for f in "$RF" "$PF"; do [ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f")"; done
i1=$(inode "$RF") p1=$(inode "$PF")
for f in text jsonl; do
  "$X" scan --no-progress --no-builtin -r "$R" -f $f "$SAMPLE" > "$W/c2.$f" 2> "$W/c2.$f.err"
  same "cached $f report" "$W/fresh.$f" "$W/c2.$f"
  cmp -s "$W/fresh.$f.err" "$W/c2.$f.err" || fail "cached $f: stderr differs"
done
same "first cached run" "$W/fresh.text" "$W/c1.text"
[ "$(inode "$RF")" = "$i1" ] && [ "$(inode "$PF")" = "$p1" ] || fail "the second run wrote the cache again (not read)"
grep -q . "$W/fresh.text" || fail "empty report"
# the built-in rules (the prefilter databases cached)
"$X" scan --no-progress --no-cache -f jsonl "$SAMPLE" > "$W/b0.jsonl" 2>&1
"$X" scan --no-progress -f jsonl "$SAMPLE" > "$W/b1.jsonl" 2>&1
n0=$(ls "$C"/rules-*.bin | wc -l)
ls -i "$C" > "$W/inodes1"
"$X" scan --no-progress -f jsonl "$SAMPLE" > "$W/b2.jsonl" 2>&1
ls -i "$C" > "$W/inodes2"
[ "$n0" -ge 2 ] || fail "no cache file for the built-in rules"
cmp -s "$W/inodes1" "$W/inodes2" || fail "the built-in rules' cache was written again (not read)"
same "built-in, cached" "$W/b0.jsonl" "$W/b1.jsonl"
same "built-in, read from the cache" "$W/b0.jsonl" "$W/b2.jsonl"
# the shipped YARA rules: compiled once, read back; a corrupt file rebuilt
YF=$(ls "$C"/yara-*.bin 2>/dev/null | head -1)
if [ -n "$YF" ]; then
  [ "$(stat -c %a "$YF")" = 600 ] || fail "$YF mode $(stat -c %a "$YF")"
  cp "$YF" "$W/good-yara.bin"
  printf '\377' | dd of="$YF" bs=1 seek=$(( $(stat -c %s "$YF") - 7 )) conv=notrunc 2>/dev/null
  "$X" scan --no-progress -v -f jsonl "$SAMPLE" > "$W/y1.jsonl" 2> "$W/y1.err"
  grep -q "yara-.*compiled rule cache file ignored (checksum mismatch)" "$W/y1.err" || fail "corrupt YARA file: no note"
  cmp -s "$YF" "$W/good-yara.bin" || fail "corrupt YARA file: not written again as it was"
  "$X" scan --no-progress -f jsonl "$SAMPLE" > "$W/y2.jsonl" 2>&1
  same "built-in, YARA rebuilt" "$W/b0.jsonl" "$W/y2.jsonl"
else
  echo "no yara-*.bin (no libyara): the YARA rules are not kept"
fi
# pruning: a file not used for 31 days goes, one used 29 days ago stays
: > "$C/rules-0123456789abcdef0123456789abcdef.bin" && touch -d '31 days ago' "$C/rules-0123456789abcdef0123456789abcdef.bin"
: > "$C/rules-00000000000000000000000000000000.bin" && touch -d '29 days ago' "$C/rules-00000000000000000000000000000000.bin"
"$X" scan --no-progress -f jsonl "$SAMPLE" > /dev/null 2>&1
[ -e "$C/rules-0123456789abcdef0123456789abcdef.bin" ] && fail "a file unused for 31 days was not removed"
[ -e "$C/rules-00000000000000000000000000000000.bin" ] || fail "a file used 29 days ago was removed"
rm -f "$C/rules-00000000000000000000000000000000.bin"

# -- one file changed: same size, same modification time --
V=$(grep -l '^detection:' "$R"/*/*.yml | head -1)
cp -p "$V" "$W/orig.yml"
sed 's/^detection:/detectiom:/' "$W/orig.yml" > "$V"
touch -r "$W/orig.yml" "$V"
[ "$(stat -c %s.%Y "$V")" = "$(stat -c %s.%Y "$W/orig.yml")" ] || fail "test setup: size or time changed"
"$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > "$W/m1.text" 2> "$W/m1.err"
grep -q "rule not loaded: $V.*no detection map" "$W/m1.err" || fail "a changed rule file not seen: $(head -3 "$W/m1.err")"
"$X" scan --no-progress --no-cache --no-builtin -r "$R" -f text "$SAMPLE" > "$W/m0.text" 2> "$W/m0.err"
same "changed rules, cached" "$W/m0.text" "$W/m1.text"
cmp -s "$W/m0.err" "$W/m1.err" || fail "changed rules: stderr differs"
cp -p "$W/orig.yml" "$V"

# -- corrupt files: ignored, written again as they were --
"$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > /dev/null 2>&1
cp "$RF" "$W/good-rules.bin"
cp "$PF" "$W/good-pf.bin"
corrupt() { # how file good note
  case $1 in
    flip) cp "$3" "$2"; printf '\377' | dd of="$2" bs=1 seek=$(( $(stat -c %s "$3") / 2 )) conv=notrunc 2>/dev/null;;
    cut) head -c $(( $(stat -c %s "$3") - 100 )) "$3" > "$2";;
    short) head -c 40 "$3" > "$2";;
    foreign) head -c 5000 /dev/urandom > "$2";;
  esac
  "$X" scan --no-progress -v --no-builtin -r "$R" -f text "$SAMPLE" > "$W/k.text" 2> "$W/k.err"
  same "$1 $(basename "$2")" "$W/fresh.v.text" "$W/k.text"
  grep -q "compiled rule cache file ignored ($4" "$W/k.err" || fail "$1 $(basename "$2"): no note: $(grep -v 'rule not loaded' "$W/k.err" | head -2)"
  cmp -s "$2" "$3" || fail "$1 $(basename "$2"): not written again as it was"
}
corrupt flip "$RF" "$W/good-rules.bin" "checksum mismatch"
corrupt cut "$RF" "$W/good-rules.bin" "truncated"
corrupt short "$RF" "$W/good-rules.bin" "not a regular file of the user's own, or a size"
corrupt foreign "$RF" "$W/good-rules.bin" "not an exhunt cache file"
if [ $HS = 1 ]; then
  corrupt flip "$PF" "$W/good-pf.bin" "checksum mismatch"
  corrupt cut "$PF" "$W/good-pf.bin" "truncated"
fi
# a temporary file a killed run left: removed once an hour old, a fresh one kept
: > "$C/.tmp-old01" && touch -d '2 hours ago' "$C/.tmp-old01"
: > "$C/.tmp-new01"
"$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > /dev/null 2>&1
[ -e "$C/.tmp-old01" ] && fail "an old temporary file was not removed"
[ -e "$C/.tmp-new01" ] || fail "a fresh temporary file (another run's) was removed"
rm -f "$C/.tmp-new01"
# without -v: no note
printf '\377' | dd of="$RF" bs=1 seek=100 conv=notrunc 2>/dev/null
"$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > "$W/q.text" 2> "$W/q.err"
grep -q "compiled rule cache" "$W/q.err" && fail "a note without -v"
same "quiet rebuild" "$W/fresh.text" "$W/q.text"

# -- never inside the evidence or a rule folder --
cp -r "$SAMPLE" "$W/ev"
find "$W/ev" | sort > "$W/ev.before"
XDG_CACHE_HOME="$W/ev/cache" "$X" scan --no-progress --no-builtin -r "$R" -f text "$W/ev" > "$W/e1.text" 2>/dev/null
# a path that climbs into it through a folder not made yet
XDG_CACHE_HOME="$W/notyet/../ev/cache2" "$X" scan --no-progress --no-builtin -r "$R" -f text "$W/ev" > /dev/null 2>&1
find "$W/ev" | sort > "$W/ev.after"
cmp -s "$W/ev.before" "$W/ev.after" || fail "the cache was written into the evidence: $(diff "$W/ev.before" "$W/ev.after" | head -3)"
XDG_CACHE_HOME="$R/sub" "$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > /dev/null 2>&1
[ -e "$R/sub" ] && fail "the cache was written into a rule folder"
# unusable: a relative XDG_CACHE_HOME and no HOME: compiled, silently
(unset HOME; XDG_CACHE_HOME=relative "$X" scan --no-progress --no-builtin -r "$R" -f text "$SAMPLE" > "$W/u.text" 2> "$W/u.err")
same "no cache folder" "$W/fresh.text" "$W/u.text"
cmp -s "$W/fresh.text.err" "$W/u.err" || fail "no cache folder: stderr differs"
[ -e relative ] && fail "a relative XDG_CACHE_HOME was used"

# -- SigmaHQ's tree --
S="$SHARED/data/sigma"
E="$SHARED/data/evtx/evtx-rs-samples"
if [ -n "$SHARED" ] && [ -d "$S/rules" ] && [ -d "$E" ]; then
  "$X" scan --no-progress -j 2 --no-cache --sigmahq "$S" -f jsonl "$E" > "$W/s0.jsonl" 2> "$W/s0.err"
  "$X" scan --no-progress -j 2 --sigmahq "$S" -f jsonl "$E" > "$W/s1.jsonl" 2> "$W/s1.err"
  "$X" scan --no-progress -j 2 --sigmahq "$S" -f jsonl "$E" > "$W/s2.jsonl" 2> "$W/s2.err"
  same "SigmaHQ, first cached run" "$W/s0.jsonl" "$W/s1.jsonl"
  same "SigmaHQ, read from the cache" "$W/s0.jsonl" "$W/s2.jsonl"
  cmp -s "$W/s0.err" "$W/s2.err" || fail "SigmaHQ: stderr differs"
  "$X" scan --no-progress --no-cache --no-builtin -r "$S/rules" -f text "$E" > "$W/s3.text" 2> "$W/s3.err"
  "$X" scan --no-progress --no-builtin -r "$S/rules" -f text "$E" > /dev/null 2>&1
  "$X" scan --no-progress --no-builtin -r "$S/rules" -f text "$E" > "$W/s4.text" 2> "$W/s4.err"
  same "SigmaHQ rules as a folder, text" "$W/s3.text" "$W/s4.text"
  # a first run with threads (YAML parsed ahead, databases compiled at
  # once) writes what one thread writes
  for j in 1 3; do
    XDG_CACHE_HOME="$W/xdg-j$j" "$X" scan --no-progress -j $j --no-builtin -r "$S/rules" -f text "$E" > "$W/s5-$j.text" 2> "$W/s5-$j.err"
    same "SigmaHQ rules, first run -j $j" "$W/s3.text" "$W/s5-$j.text"
    cmp -s "$W/s3.err" "$W/s5-$j.err" || fail "SigmaHQ rules, first run -j $j: rejection lines differ"
  done
  for f in "$W"/xdg-j1/exhunt/*.bin; do
    cmp -s "$f" "$W/xdg-j3/exhunt/$(basename "$f")" || fail "-j 3 wrote another $(basename "$f") than -j 1"
  done
  cmp -s "$W/s3.err" "$W/s4.err" || fail "SigmaHQ rules as a folder: rejection lines differ"
  grep -c "findings\|rule not loaded" "$W/s4.err" > /dev/null
  echo "SigmaHQ: $(grep -c '"kind":"alert"' "$W/s2.jsonl") alerts, $(wc -l < "$W/s4.err") rejection lines, the same from the cache"
else
  echo "skip: SigmaHQ's tree or the EVTX samples of ../shared are absent"
fi
echo "cache: $fails failed"
[ "$fails" -eq 0 ]
