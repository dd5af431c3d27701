/* Not installed: a program linked with every library exhunt opens when first
 * used (EXH_LAZY_LIBS, src/platform/lazylib.h), naming exactly the functions
 * exhunt resolves. dpkg-shlibdeps cannot see a dlopen; run on this program
 * when the .deb is made (packaging/cpack-project.cmake.in), it computes the
 * Depends those libraries need, with the versions their symbols files give
 * for those functions, as it did when exhunt linked them. */
#define EXH_LAZY_IMPL /* the function lists without the name redirections */
#include <stdio.h>

#include "platform/lazy_yaml.h"
#ifdef EXH_HAVE_HYPERSCAN
#include "platform/lazy_hs.h"
#endif
#ifdef EXH_HAVE_PCRE2
#include "platform/lazy_pcre2.h"
#endif
#ifdef EXH_HAVE_ARCHIVE
#include "platform/lazy_archive.h"
#endif
#ifdef EXH_HAVE_YARA
#include "platform/lazy_yara.h"
#endif
#ifdef EXH_HAVE_OPENSSL
#include "platform/lazy_crypto.h"
#endif

typedef void (*fn)(void);
#define ADDR(f) (fn)f,
static fn volatile const fns[] = {
    EXH_LAZY_YAML(ADDR)
#ifdef EXH_HAVE_HYPERSCAN
    EXH_LAZY_HS(ADDR)
#endif
#ifdef EXH_HAVE_PCRE2
    EXH_LAZY_PCRE2(ADDR)
#endif
#ifdef EXH_HAVE_ARCHIVE
    EXH_LAZY_ARCHIVE(ADDR)
#endif
#ifdef EXH_HAVE_YARA
    EXH_LAZY_YARA(ADDR)
#endif
#ifdef EXH_HAVE_OPENSSL
    EXH_LAZY_CRYPTO(ADDR)
#endif
};

int main(void) {
  size_t n = 0;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) n += fns[i] != NULL;
  printf("%zu functions\n", n);
  return 0;
}
