/* The file checks (check.h), in the order they run. Adding a check adds
 * one line here. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#ifdef EXH_HAVE_OPENSSL
#include "../platform/lazy_crypto.h"
#endif

extern const exh_check exh__check_artefacts, exh__check_ioc_path, exh__check_minidump, exh__check_ioc_hash,
    exh__check_baseline, exh__check_yara;

const exh_check *const exh__checks[] = {
    &exh__check_artefacts, /* Test-ProxyLogon's supporting files, by name and place */
    &exh__check_ioc_path,  /* indicator paths and names */
    &exh__check_minidump,  /* minidumps by their header, lsass.exe by its module list */
    &exh__check_ioc_hash,  /* indicator hashes */
    &exh__check_baseline,  /* the installed build's known-good files */
    &exh__check_yara,      /* YARA rules (shipped, --yara, CHIRP) */
    NULL,
};

exh_finding *exh__check_finding(exh_check_ctx *c, const exh_rule_info *ri, exh_level lv, char *message) {
  exh_finding *f = exh__evidence_new_finding(c->wk, c->ev);
  if (!f) {
    free(message);
    return NULL;
  }
  f->rule = ri;
  f->level = lv;
  f->server = c->ev->server;
  f->dataset = "exhunt.file";
  f->time_ms = c->ev->mtime_ms;
  f->is_file = 1;
  f->path = exh__xstrdup(c->ev->path);
  f->file_size = c->ev->size;
  f->file_mtime_ms = c->ev->mtime_ms;
  f->message = message;
  return f;
}

const char *exh__check_shown_path(const exh_evidence *ev) { return ev->rel[0] ? ev->rel : ev->path; }

int exh__check_digest(const char *alg, const uint8_t *p, size_t n, uint8_t *out) {
#ifdef EXH_HAVE_OPENSSL
  if (exh__lib_load(EXH_LIB_CRYPTO, NULL, 0)) return -1; /* as without libcrypto: no hashes */
  const EVP_MD *md = !strcmp(alg, "sha256") ? EVP_sha256() : !strcmp(alg, "sha1") ? EVP_sha1() : EVP_md5();
  unsigned len = 0;
  return EVP_Digest(p, n, out, &len, md, NULL) == 1 ? 0 : -1;
#else
  (void)alg, (void)p, (void)n, (void)out;
  return -1;
#endif
}

void exh__check_hex(const uint8_t *d, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) out[2 * i] = hx[d[i] >> 4], out[2 * i + 1] = hx[d[i] & 15];
  out[2 * n] = 0;
}
