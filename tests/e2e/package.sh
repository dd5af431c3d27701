#!/bin/sh
# The Debian package: `cpack -G DEB` in the build folder, then the .deb's
# files (dpkg-deb -c) and fields (dpkg-deb -f), and the packaged binary runs.
# usage: package.sh BUILDDIR WORKDIR SOURCEDIR [PACKAGE...]
# (PACKAGE: the start of each library package Depends must name)
set -u
B=$1 W=$2 SRC=$3
shift 3
for t in dpkg-deb dpkg-shlibdeps cpack; do
  if ! command -v "$t" > /dev/null 2>&1; then echo "skip: $t is not installed (dpkg-dev, cmake)"; exit 0; fi
done
rm -rf "$W" && mkdir -p "$W"
fails=0
check() { # description, expected, actual
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: want $2, got $3"; fails=$((fails + 1)); fi
}
(cd "$B" && cpack -G DEB -B "$W" --config CPackConfig.cmake) > "$W/cpack.log" 2>&1
check "cpack -G DEB" 0 $?
deb=$(ls "$W"/exhunt_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then cat "$W/cpack.log"; echo "package: no .deb written"; exit 1; fi
echo "package: $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's,/$,,' > "$W/files"
has() { grep -qx "$1" "$W/files"; check "in the .deb: $1" 0 $?; }
has ./usr/bin/exhunt
has ./usr/share/man/man1/exhunt.1.gz
has ./usr/share/bash-completion/completions/exhunt
has ./usr/share/zsh/vendor-completions/_exhunt
has ./usr/share/doc/exhunt/README.md
has ./usr/share/doc/exhunt/docs/rules.md
has ./usr/share/exhunt/sigma/README
# every folder of contrib/ (Velociraptor, KAPE, Elastic, Timesketch...) with all its files
for d in "$SRC"/contrib/*/; do
  n=$(basename "$d")
  [ "$n" = completions ] && continue
  (cd "$SRC/contrib" && find "$n" -type f) | while read -r f; do echo "./usr/share/exhunt/contrib/$f"; done > "$W/want-$n"
  missing=$(grep -cvxF -f "$W/files" "$W/want-$n")
  check "in the .deb: every file of contrib/$n ($(wc -l < "$W/want-$n" | tr -d ' '))" 0 "$missing"
done
grep -q "^\./usr/local\|^\./home\|^\./tmp\|^\./root" "$W/files"; check "nothing outside /usr" 1 $?
check "Package" exhunt "$(dpkg-deb -f "$deb" Package)"
check "Version" "$(sed -n 's/^#define EXH_VERSION "\(.*\)"/\1/p' "$SRC/include/exhunt/exhunt.h")" "$(dpkg-deb -f "$deb" Version)"
dpkg-deb -f "$deb" Maintainer | grep -q "^.* <.*@.*>$"; check "Maintainer: name <address>" 0 $?
dep=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $dep"
echo "$dep" | grep -q "libc6 (>= "; check "Depends computed (libc6 with a version)" 0 $?
echo "$dep" | grep -q "libyaml"; check "Depends: libyaml" 0 $?
# the libraries exhunt opens when first used (EXH_LAZY_LIBS) are not linked:
# their Depends come from tools/lazyprobe, and each must be there
for p in "$@"; do
  echo "$dep" | grep -q "\(^\|, \)$p"; check "Depends: $p" 0 $?
done
# the packaged files work
dpkg-deb -x "$deb" "$W/root"
"$W/root/usr/bin/exhunt" version | grep -q "^exhunt "; check "the packaged exhunt runs" 0 $?
gzip -dc "$W/root/usr/share/man/man1/exhunt.1.gz" | cmp -s - "$SRC/docs/exhunt.1"; check "the man page is docs/exhunt.1" 0 $?
echo "package: $fails failed"
[ "$fails" -eq 0 ]
