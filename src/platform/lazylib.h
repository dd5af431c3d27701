/* The optional libraries, opened when first used (issue 15; docs/dependencies.md).
 *
 * Built with EXH_LAZY_LIBS (the default), exhunt links none of libyaml,
 * Hyperscan, PCRE2, libarchive, libyara and libcrypto: `exhunt dump`,
 * `--version` and `--help` start with libc alone, and `scan` opens each
 * library by its SONAME (found when the build is configured) the first time
 * it needs it, with dlopen(RTLD_NOW | RTLD_LOCAL), and resolves every
 * function exhunt calls into a table, once per process (thread-safe).
 *
 * The files that use a library keep calling its own names: they include
 * the library's header through lazy_<lib>.h, which #defines each name used
 * to its table entry, typed with the library's own prototype (__typeof__),
 * so every call is checked against the real declaration. Built without
 * EXH_LAZY_LIBS the libraries are linked as before and the headers define
 * nothing.
 *
 * A library that cannot be opened (not installed, another ABI, a function
 * missing) is no crash: exh__lib_load says why and the caller treats the
 * feature as a build without it does (archives named as not opened, YARA
 * rules not run, `re` rules rejected, no hashes, the portable prefilter,
 * Sigma files rejected), with that reason. EXHUNT_TEST_NO_LIB (a comma
 * list of yaml, hyperscan, pcre2, archive, yara, crypto) makes the loader
 * refuse those libraries, for the tests; it acts with the libraries linked
 * too. */
#ifndef EXH_LAZYLIB_H
#define EXH_LAZYLIB_H

#include <stddef.h>

typedef enum exh_lib {
  EXH_LIB_YAML,
  EXH_LIB_HYPERSCAN,
  EXH_LIB_PCRE2,
  EXH_LIB_ARCHIVE,
  EXH_LIB_YARA,
  EXH_LIB_CRYPTO,
  EXH_LIB_COUNT
} exh_lib;

/* Makes the library's functions callable, opening it on the first call.
 * 0, or -1 with the reason in why (NULL allowed), e.g. "libarchive could
 * not be loaded (libarchive.so.13: cannot open shared object file: No such
 * file or directory)" or "libarchive is not built in (EXH_WITH_ARCHIVE=OFF)".
 * The answer is the same for the whole process. After 0 the lazy_<lib>.h
 * names may be called from any thread. */
int exh__lib_load(exh_lib lib, char *why, size_t whyn);

/* "libarchive" */
const char *exh__lib_name(exh_lib lib);

/* One member of a library's table: a pointer of the function's own type. */
#define EXH_LAZY_SLOT(f) __typeof__(f) *f;

#endif
