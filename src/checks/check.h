/* The check interface (issue 12): every file check supplies one table, and
 * checks/registry.c lists them, as formats/registry.c lists the formats.
 * The files format (formats/files) reads a file once, computes its SHA-256
 * once, and hands the same context to every check; a check knows no other.
 *
 * Adding a check: a file here with its table and its rule infos, one line
 * in registry.c, its tests. */
#ifndef EXH_CHECKS_CHECK_H
#define EXH_CHECKS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "../core/evidence.h"
#include "../core/source.h"

/* What a check sees of one file. */
typedef struct exh_check_ctx {
  exh_worker *wk;
  exh_evidence *ev;
  const uint8_t *p;      /* the whole content (check->content); NULL otherwise */
  size_t n;
  exh_source *src;       /* a file over the content limit: positioned reads (check->large) */
  const char *ext;       /* lowercased extension ("aspx"), "" if none */
  const uint8_t *sha256; /* the content's SHA-256, or NULL (no libcrypto, or not read whole) */
} exh_check_ctx;

typedef struct exh_check {
  const char *name;
  /* on the file's name, place and kind, whatever its size; NULL: none */
  void (*file)(exh_check_ctx *c);
  /* on its whole content (read up to the content size limit); NULL: none */
  void (*content)(exh_check_ctx *c);
  /* on a file over the limit, by positioned reads of the bytes it needs
   * (c->src); or on the first bytes of a sequential source (c->p); NULL: none */
  void (*large)(exh_check_ctx *c);
} exh_check;

/* The checks, NULL-terminated, in the order they run. */
extern const exh_check *const exh__checks[];

/* A file finding of `ri` on the context's file (time: its modification
 * time), or NULL over a findings cap (message is then freed). */
exh_finding *exh__check_finding(exh_check_ctx *c, const exh_rule_info *ri, exh_level lv, char *message);
/* The path shown in messages: relative to the root when there is one. */
const char *exh__check_shown_path(const exh_evidence *ev);
/* A digest ("sha256", "sha1", "md5") of bytes: 0, or -1 without libcrypto
 * (not built in, or it could not be loaded: platform/lazylib.h). */
int exh__check_digest(const char *alg, const uint8_t *p, size_t n, uint8_t *out);
/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void exh__check_hex(const uint8_t *d, size_t n, char *out);

#endif
