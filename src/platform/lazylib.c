/* The optional libraries, opened when first used (lazylib.h). */
#define _GNU_SOURCE
#define EXH_LAZY_IMPL /* the lazy_<lib>.h tables without the name redirections */
#include "lazylib.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef EXH_LAZY_LIBS
#include <dlfcn.h>
#endif

#include "lazy_yaml.h"
#ifdef EXH_HAVE_HYPERSCAN
#include "lazy_hs.h"
#endif
#ifdef EXH_HAVE_PCRE2
#include "lazy_pcre2.h"
#endif
#ifdef EXH_HAVE_ARCHIVE
#include "lazy_archive.h"
#endif
#ifdef EXH_HAVE_YARA
#include "lazy_yara.h"
#endif
#ifdef EXH_HAVE_OPENSSL
#include "lazy_crypto.h"
#endif

typedef struct lib_desc {
  const char *name;   /* in messages */
  const char *key;    /* in EXHUNT_TEST_NO_LIB */
  const char *option; /* the CMake option that leaves it out, or NULL */
  int built;          /* 0: EXH_WITH_<X>=OFF */
#ifdef EXH_LAZY_LIBS
  const char *soname;                          /* opened by this name (CMake found it) */
  int (*resolve)(void *h, const char **missing); /* fills the table; -1 naming a missing function */
#endif
} lib_desc;

static atomic_int state[EXH_LIB_COUNT]; /* 0 not tried, 1 usable, -1 not (reason[] says why) */
static char reason[EXH_LIB_COUNT][320];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

#ifdef EXH_LAZY_LIBS
/* One table per library, its resolver and its accessor. A function pointer
 * from dlsym's void * is what POSIX promises to work. */
#define RESOLVE(f)                    \
  if (!(p = dlsym(h, #f))) {          \
    *missing = #f;                    \
    return -1;                        \
  }                                   \
  t->f = (__typeof__(t->f))p;

static void lib_need(exh_lib lib) {
  char why[320];
  if (exh__lib_load(lib, why, sizeof why) == 0) return;
  /* a caller that did not ask exh__lib_load first: a bug, not a state */
  fprintf(stderr, "exhunt: internal error: %s used without checking that it loaded: %s\n", exh__lib_name(lib), why);
  abort();
}

#define LAZY_DEFINE(lib, LIST, ENUM)                                        \
  static exh_lazy_##lib tab_##lib;                                          \
  static int resolve_##lib(void *h, const char **missing) {                 \
    exh_lazy_##lib *t = &tab_##lib;                                         \
    void *p;                                                                \
    LIST(RESOLVE)                                                           \
    return 0;                                                               \
  }                                                                         \
  const exh_lazy_##lib *exh__lazy_##lib(void) {                             \
    if (atomic_load_explicit(&state[ENUM], memory_order_acquire) != 1) lib_need(ENUM); \
    return &tab_##lib;                                                      \
  }

LAZY_DEFINE(yaml, EXH_LAZY_YAML, EXH_LIB_YAML)
#ifdef EXH_HAVE_HYPERSCAN
LAZY_DEFINE(hs, EXH_LAZY_HS, EXH_LIB_HYPERSCAN)
#endif
#ifdef EXH_HAVE_PCRE2
LAZY_DEFINE(pcre2, EXH_LAZY_PCRE2, EXH_LIB_PCRE2)
#endif
#ifdef EXH_HAVE_ARCHIVE
LAZY_DEFINE(archive, EXH_LAZY_ARCHIVE, EXH_LIB_ARCHIVE)
#endif
#ifdef EXH_HAVE_YARA
LAZY_DEFINE(yara, EXH_LAZY_YARA, EXH_LIB_YARA)
#endif
#ifdef EXH_HAVE_OPENSSL
LAZY_DEFINE(crypto, EXH_LAZY_CRYPTO, EXH_LIB_CRYPTO)
#endif

/* CMake writes each SONAME (EXH_SONAME_<X>) from the library it found. */
#define LIB(name, key, option, soname, res) {name, key, option, 1, soname, res}
#define NOLIB(name, key, option) {name, key, option, 0, NULL, NULL}
#else
#define LIB(name, key, option, soname, res) {name, key, option, 1}
#define NOLIB(name, key, option) {name, key, option, 0}
#endif

static const lib_desc libs[EXH_LIB_COUNT] = {
    [EXH_LIB_YAML] = LIB("libyaml", "yaml", NULL, EXH_SONAME_YAML, resolve_yaml),
#ifdef EXH_HAVE_HYPERSCAN
    [EXH_LIB_HYPERSCAN] = LIB("Hyperscan", "hyperscan", "EXH_WITH_HYPERSCAN", EXH_SONAME_HYPERSCAN, resolve_hs),
#else
    [EXH_LIB_HYPERSCAN] = NOLIB("Hyperscan", "hyperscan", "EXH_WITH_HYPERSCAN"),
#endif
#ifdef EXH_HAVE_PCRE2
    [EXH_LIB_PCRE2] = LIB("PCRE2", "pcre2", "EXH_WITH_PCRE2", EXH_SONAME_PCRE2, resolve_pcre2),
#else
    [EXH_LIB_PCRE2] = NOLIB("PCRE2", "pcre2", "EXH_WITH_PCRE2"),
#endif
#ifdef EXH_HAVE_ARCHIVE
    [EXH_LIB_ARCHIVE] = LIB("libarchive", "archive", "EXH_WITH_ARCHIVE", EXH_SONAME_ARCHIVE, resolve_archive),
#else
    [EXH_LIB_ARCHIVE] = NOLIB("libarchive", "archive", "EXH_WITH_ARCHIVE"),
#endif
#ifdef EXH_HAVE_YARA
    [EXH_LIB_YARA] = LIB("libyara", "yara", "EXH_WITH_YARA", EXH_SONAME_YARA, resolve_yara),
#else
    [EXH_LIB_YARA] = NOLIB("libyara", "yara", "EXH_WITH_YARA"),
#endif
#ifdef EXH_HAVE_OPENSSL
    [EXH_LIB_CRYPTO] = LIB("libcrypto", "crypto", "EXH_WITH_OPENSSL", EXH_SONAME_CRYPTO, resolve_crypto),
#else
    [EXH_LIB_CRYPTO] = NOLIB("libcrypto", "crypto", "EXH_WITH_OPENSSL"),
#endif
};

const char *exh__lib_name(exh_lib lib) { return (unsigned)lib < EXH_LIB_COUNT ? libs[lib].name : "?"; }

/* 1 if EXHUNT_TEST_NO_LIB names the key (a comma list). */
static int refused_by_test(const char *key) {
  const char *e = getenv("EXHUNT_TEST_NO_LIB");
  size_t k = strlen(key);
  while (e && *e) {
    size_t n = strcspn(e, ",");
    if (n == k && !memcmp(e, key, k)) return 1;
    e += n;
    if (*e == ',') e++;
  }
  return 0;
}

/* Tries once (under mu): 1 usable, or -1 with reason[lib]. */
static int open_lib(exh_lib lib) {
  const lib_desc *d = &libs[lib];
  char *why = reason[lib];
  size_t whyn = sizeof reason[lib];
  if (!d->built) {
    snprintf(why, whyn, "%s is not built in (%s=OFF)", d->name, d->option ? d->option : "");
    return -1;
  }
  if (refused_by_test(d->key)) {
    snprintf(why, whyn, "%s could not be loaded (refused by EXHUNT_TEST_NO_LIB)", d->name);
    return -1;
  }
#ifdef EXH_LAZY_LIBS
  dlerror();
  void *h = dlopen(d->soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    snprintf(why, whyn, "%s could not be loaded (%s)", d->name, e ? e : d->soname);
    return -1;
  }
  const char *missing = "?";
  if (d->resolve(h, &missing)) {
    snprintf(why, whyn, "%s could not be loaded (%s has no function %s)", d->name, d->soname, missing);
    dlclose(h);
    return -1;
  }
  /* never closed: its functions stay in the table for the whole process */
#endif
  return 1;
}

int exh__lib_load(exh_lib lib, char *why, size_t whyn) {
  if ((unsigned)lib >= EXH_LIB_COUNT) {
    if (why && whyn) snprintf(why, whyn, "no such library");
    return -1;
  }
  int s = atomic_load_explicit(&state[lib], memory_order_acquire);
  if (s == 0) {
    pthread_mutex_lock(&mu);
    s = atomic_load_explicit(&state[lib], memory_order_relaxed);
    if (s == 0) {
      s = open_lib(lib);
      atomic_store_explicit(&state[lib], s, memory_order_release);
    }
    pthread_mutex_unlock(&mu);
  }
  if (s == 1) return 0;
  if (why && whyn) snprintf(why, whyn, "%s", reason[lib]);
  return -1;
}
