#!/bin/sh
# Issue 15: libraries opened when first used (src/platform/lazylib.h).
#  - exhunt dump, --version and --help load none of libyaml, Hyperscan,
#    PCRE2, libarchive, libyara, libcrypto (the dynamic loader's own list,
#    LD_DEBUG=files); a scan loads each at its first use: the sample tree
#    loads libyaml, Hyperscan, libyara and libcrypto but not libarchive, a
#    zip of it loads libarchive too.
#  - a library that cannot be loaded is reported, never a crash, as a build
#    without it: EXHUNT_TEST_NO_LIB for each library, and (when the build
#    opens them) a libarchive.so.13 without its functions put first on
#    LD_LIBRARY_PATH: the archive is named as not opened, with the reason.
# usage: lazylibs.sh EXHUNT CC LAZY(ON|OFF) WORKDIR SRCDIR
set -u
X=$1 CC=$2 LAZY=$3 W=$4 SRC=$5
export EXHUNT_SIGMA_PATH=
rm -rf "$W" && mkdir -p "$W"
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want $2, got $3"; fi; }
HEAVY='libyaml|libhs\.|libpcre2|libarchive|libyara|libcrypto'
# the libraries the dynamic loader opened while running "$@" (one name a line)
loaded() {
  LD_DEBUG=files "$@" 2> "$W/ld.err" > /dev/null
  grep -o 'file=[^ ]*' "$W/ld.err" | sed 's,file=,,; s,.*/,,' | sort -u
}
SAMPLE=$SRC/samples/exch01
EVTX=$(find "$SAMPLE" -name '*.evtx' | sort | head -n 1)
[ -n "$EVTX" ] || { echo "no EVTX in $SAMPLE"; exit 1; }
# a zip of the sample tree (Python's zipfile: no tool needed)
python3 -c "
import os, sys, zipfile
os.chdir(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    for dp, _, fs in sorted(os.walk('exch01')):
        for f in sorted(fs):
            z.write(os.path.join(dp, f))
" "$SRC/samples" "$W/exch01.zip" || exit 1
mkdir -p "$W/zipped" && mv "$W/exch01.zip" "$W/zipped/"

if ! loaded "$X" --version | grep -q '^libc\.so'; then
  echo "skip (loading checks): LD_DEBUG=files names no library here"
elif [ "$LAZY" != ON ]; then
  echo "skip (loading checks): built with EXH_LAZY_LIBS=OFF (the libraries are linked)"
else
  for cmd in "--version" "--help" "dump -j 1 $EVTX" "dump --format xml $EVTX"; do
    # shellcheck disable=SC2086
    n=$(loaded "$X" $cmd | grep -Ec "$HEAVY")
    check "exhunt $cmd loads none of the optional libraries" 0 "$n"
  done
  loaded "$X" scan --no-progress --no-cache "$SAMPLE" > "$W/scan.libs"
  for l in libyaml libhs libpcre2 libyara libcrypto; do
    grep -q "^$l" "$W/scan.libs"; check "a scan of the sample tree (no rule cache) loads $l" 0 $?
  done
  # rules from the compiled cache (docs/rules.md) need no YAML parser
  XDG_CACHE_HOME="$W/xdg" "$X" scan --no-progress -o /dev/null "$SAMPLE"
  loaded env XDG_CACHE_HOME="$W/xdg" "$X" scan --no-progress "$SAMPLE" > "$W/cached.libs"
  grep -q '^libyaml' "$W/cached.libs"; check "a scan with the rules cached does not load libyaml" 1 $?
  grep -q '^libarchive' "$W/scan.libs"; check "a scan of the sample tree (no archive) does not load libarchive" 1 $?
  loaded "$X" scan --no-progress "$W/zipped" > "$W/zip.libs"
  grep -q '^libarchive' "$W/zip.libs"; check "a scan of a zip loads libarchive" 0 $?
fi

# every library refused in turn: no crash (exit 0-3), the reason said
"$X" scan --no-progress --no-cache -f csv "$SAMPLE" > "$W/all.csv" 2> /dev/null
check "scan of the sample tree" 1 $?
for l in yaml hyperscan pcre2 archive yara crypto; do
  EXHUNT_TEST_NO_LIB=$l "$X" scan --no-progress --no-cache -f csv "$SAMPLE" > "$W/no-$l.csv" 2> "$W/no-$l.err"
  rc=$?
  [ $rc -le 3 ]; check "scan with $l refused exits normally (rc $rc)" 0 $?
done
# the portable prefilter gives the same findings; the sample tree holds no archive
for l in hyperscan archive; do
  cmp -s "$W/all.csv" "$W/no-$l.csv"; check "without $l: the same report" 0 $?
done
grep -q "builtin:.*modifier 're' needs PCRE2: PCRE2 could not be loaded (refused by EXHUNT_TEST_NO_LIB)" "$W/no-pcre2.err"
check "without PCRE2: the 're' rules named as not loaded, with the reason" 0 $?
n=$(grep -c '"[0-9a-f]\{64\}"' "$W/all.csv"); [ "$n" -gt 0 ]; check "with libcrypto: SHA-256 of the files found ($n)" 0 $?
n=$(grep -c '"[0-9a-f]\{64\}"' "$W/no-crypto.csv"); check "without libcrypto: no hash" 0 "$n"
grep -q 'builtin:yara/.*libyara could not be loaded (refused by EXHUNT_TEST_NO_LIB)' "$W/no-yara.err"
check "without libyara: its rules named as not loaded, with the reason" 0 $?
grep -q 'webshell' "$W/all.csv"; check "with libyara: the YARA web shell findings" 0 $?
n=$(grep -c 'yara:' "$W/no-yara.csv"); check "without libyara: no YARA finding" 0 "$n"
grep -q 'the web folders were checked without content rules' "$W/no-yara.csv"
check "without libyara: campaigns say the web folders were checked without content rules" 0 $?
grep -q 'libyaml could not be loaded (refused by EXHUNT_TEST_NO_LIB)' "$W/no-yaml.err"
check "without libyaml: the rule files named as not loaded, with the reason" 0 $?
# a 're' rule without PCRE2
mkdir -p "$W/re"
cat > "$W/re/re.yml" << 'EOF'
title: a regular expression
id: 5f0c2d6e-0000-4000-8000-000000000015
logsource: {product: windows, service: security}
detection:
  sel: {CommandLine|re: 'who.mi'}
  condition: sel
level: low
EOF
"$X" rules check --no-builtin "$W/re" > "$W/re.ok" 2>&1
check "rules check: a 're' rule loads with PCRE2" 0 $?
EXHUNT_TEST_NO_LIB=pcre2 "$X" rules check --no-builtin "$W/re" > "$W/re.out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -le 3 ]; check "rules check without PCRE2: the rule is refused, no crash (rc $rc)" 0 $?
grep -q "modifier 're' needs PCRE2: PCRE2 could not be loaded (refused by EXHUNT_TEST_NO_LIB)" "$W/re.out"
check "rules check without PCRE2: the reason" 0 $?
# an archive without libarchive: named as not opened, the verdict says nothing was examined
EXHUNT_TEST_NO_LIB=archive "$X" scan --no-progress -v "$W/zipped" > "$W/zip-noarc.txt" 2>&1
check "scan of a zip without libarchive: no evidence examined (exit 3)" 3 $?
grep -q 'exch01.zip: libarchive could not be loaded (refused by EXHUNT_TEST_NO_LIB): not opened' "$W/zip-noarc.txt"
check "scan of a zip without libarchive: the archive named as not opened, with the reason" 0 $?
"$X" scan --no-progress "$W/zipped" > /dev/null 2>&1
check "scan of a zip with libarchive: compromised (exit 1)" 1 $?

# a real loading failure: a libarchive.so.13 that has none of its functions
if [ "$LAZY" = ON ] && command -v "$CC" > /dev/null 2>&1; then
  mkdir -p "$W/fake"
  echo 'int exhunt_not_libarchive;' > "$W/fake/fake.c"
  if "$CC" -shared -fPIC -o "$W/fake/libarchive.so.13" -Wl,-soname,libarchive.so.13 "$W/fake/fake.c" 2> "$W/fake/cc.err"; then
    LD_LIBRARY_PATH="$W/fake${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$X" scan --no-progress -v "$W/zipped" > "$W/zip-fake.txt" 2>&1
    check "scan of a zip with a libarchive lacking its functions: exit 3" 3 $?
    grep -q 'exch01.zip: libarchive could not be loaded (libarchive.so.13 has no function archive_' "$W/zip-fake.txt"
    check "... the reason names the missing function" 0 $?
  else
    echo "skip (fake library): $CC cannot build a shared library"
  fi
fi
echo "lazylibs: $fails failed"
[ "$fails" -eq 0 ]
