/* OpenSSL's libcrypto through the loader (lazylib.h): include instead of
 * <openssl/evp.h>. */
#ifndef EXH_LAZY_CRYPTO_H
#define EXH_LAZY_CRYPTO_H

#include <openssl/evp.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_CRYPTO(X) \
  X(EVP_Digest) \
  X(EVP_md5) \
  X(EVP_sha1) \
  X(EVP_sha256)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_crypto {
  EXH_LAZY_CRYPTO(EXH_LAZY_SLOT)
} exh_lazy_crypto;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_crypto *exh__lazy_crypto(void);
#ifndef EXH_LAZY_IMPL
#define EVP_Digest (exh__lazy_crypto()->EVP_Digest)
#define EVP_md5 (exh__lazy_crypto()->EVP_md5)
#define EVP_sha1 (exh__lazy_crypto()->EVP_sha1)
#define EVP_sha256 (exh__lazy_crypto()->EVP_sha256)
#endif
#endif

#endif
