/* Literal prefilter: Hyperscan when built with it and it can be loaded
 * (platform/lazylib.h), else a portable line-by-line search (same results,
 * slower: used for the Windows build until Hyperscan is available there). */
#define _GNU_SOURCE
#include "prefilter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#ifdef EXH_HAVE_HYPERSCAN
#include "../platform/lazy_hs.h"
#endif

struct exh_prefilter {
  size_t n;
  uint32_t *slot;   /* literal index -> dense index of its id (ids are sparse: 0xFFFFFFFF marks #Fields:) */
  uint32_t *uniq;   /* dense index -> id */
  size_t nuniq;
  uint32_t *ids;  /* literal index -> reported id */
  size_t *lens;   /* literal index -> length */
  char **lits;    /* portable engine: lowercased literals */
#ifdef EXH_HAVE_HYPERSCAN
  hs_database_t *db; /* NULL: the portable engine (no literal, or Hyperscan could not be loaded) */
#endif
};

/* The ids hit on one line: every one of them, however many (a line can
 * hold the literals of every loaded rule). `stamp[id] == gen` marks an id
 * already in the set, so adding is O(1) and clearing is one increment. */
struct exh_pf_scratch {
#ifdef EXH_HAVE_HYPERSCAN
  hs_scratch_t *hs;
#endif
  uint32_t *ids;   /* nuniq entries: the ids of the line */
  uint32_t *stamp; /* nuniq entries, by dense index */
  uint32_t gen;
  size_t nids, nslots;
};

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

const char *exh__pf_engine(void) {
#ifdef EXH_HAVE_HYPERSCAN
  if (exh__lib_load(EXH_LIB_HYPERSCAN, NULL, 0) == 0) return "hyperscan";
#endif
  return "portable";
}

/* Builds the prefilter; with `db`, Hyperscan's database is read from its
 * serialised form (hs_serialize_database, the rule cache) instead of
 * compiled: NULL when that form is unusable (the caller compiles). */
static exh_prefilter *pf_build(const exh_pf_lit *lits, size_t n, const void *db, size_t dbn, char *why,
                               size_t whyn) {
  exh_prefilter *pf = exh__xcalloc(1, sizeof *pf);
  pf->n = n;
  pf->ids = exh__xcalloc(n, sizeof *pf->ids);
  pf->lens = exh__xcalloc(n, sizeof *pf->lens);
  pf->lits = exh__xcalloc(n, sizeof *pf->lits);
  /* dense slots for the distinct ids */
  pf->uniq = exh__xcalloc(n ? n : 1, sizeof *pf->uniq);
  pf->slot = exh__xcalloc(n ? n : 1, sizeof *pf->slot);
  for (size_t i = 0; i < n; i++) pf->uniq[i] = lits[i].id;
  if (n > 1) qsort(pf->uniq, n, sizeof *pf->uniq, cmp_u32);
  for (size_t i = 0; i < n; i++)
    if (i == 0 || pf->uniq[i] != pf->uniq[pf->nuniq - 1]) pf->uniq[pf->nuniq++] = pf->uniq[i];
  for (size_t i = 0; i < n; i++) {
    const uint32_t *at = bsearch(&lits[i].id, pf->uniq, pf->nuniq, sizeof *pf->uniq, cmp_u32);
    pf->slot[i] = (uint32_t)(at - pf->uniq);
  }
  for (size_t i = 0; i < n; i++) {
    pf->ids[i] = lits[i].id;
    pf->lens[i] = lits[i].n;
    pf->lits[i] = exh__xstrndup(lits[i].p, lits[i].n);
    for (size_t k = 0; k < lits[i].n; k++) pf->lits[i][k] = (char)exh_lower((unsigned char)pf->lits[i][k]);
  }
#ifdef EXH_HAVE_HYPERSCAN
  /* Hyperscan is loaded by the first set with a literal; without it the
   * portable search gives the same lines */
  if (n && db && exh__lib_load(EXH_LIB_HYPERSCAN, NULL, 0) == 0) {
    if (hs_deserialize_database(db, dbn, &pf->db) != HS_SUCCESS) {
      pf->db = NULL;
      snprintf(why, whyn, "hyperscan: the cached database cannot be read");
      exh__pf_free(pf);
      return NULL;
    }
  } else if (n && exh__lib_load(EXH_LIB_HYPERSCAN, NULL, 0) == 0) {
    const char **exprs = exh__xcalloc(n, sizeof *exprs);
    unsigned *flags = exh__xcalloc(n, sizeof *flags);
    unsigned *ids = exh__xcalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
      exprs[i] = lits[i].p;
      flags[i] = HS_FLAG_CASELESS;
      ids[i] = (unsigned)i;
    }
    hs_compile_error_t *err = NULL;
    hs_error_t rc = hs_compile_lit_multi(exprs, flags, ids, pf->lens, (unsigned)n, HS_MODE_BLOCK,
                                         NULL, &pf->db, &err);
    free(exprs);
    free(flags);
    free(ids);
    if (rc != HS_SUCCESS) {
      snprintf(why, whyn, "hyperscan: %s", err ? err->message : "compile failed");
      if (err) hs_free_compile_error(err);
      exh__pf_free(pf);
      return NULL;
    }
  }
#else
  (void)why;
  (void)whyn;
  if (db && dbn) { /* a database this build cannot read */
    exh__pf_free(pf);
    return NULL;
  }
#endif
  return pf;
}

exh_prefilter *exh__pf_build(const exh_pf_lit *lits, size_t n, char *why, size_t whyn) {
  return pf_build(lits, n, NULL, 0, why, whyn);
}

exh_prefilter *exh__pf_load(const exh_pf_lit *lits, size_t n, const void *db, size_t dbn, char *why, size_t whyn) {
  if (!db) {
    snprintf(why, whyn, "no database");
    return NULL;
  }
  return pf_build(lits, n, db, dbn, why, whyn);
}

int exh__pf_serialize(const exh_prefilter *pf, char **out, size_t *n) {
  *out = NULL;
  *n = 0;
#ifdef EXH_HAVE_HYPERSCAN
  if (!pf->db) return -1;
  char *b = NULL;
  size_t bn = 0;
  if (hs_serialize_database(pf->db, &b, &bn) != HS_SUCCESS || !b) return -1;
  *out = exh__xmalloc(bn ? bn : 1);
  memcpy(*out, b, bn);
  free(b); /* hs_serialize_database allocates with the default allocator (malloc) */
  *n = bn;
  return 0;
#else
  (void)pf;
  return -1;
#endif
}

size_t exh__pf_platform(char *buf, size_t n) {
#ifdef EXH_HAVE_HYPERSCAN
  hs_platform_info_t pi;
  memset(&pi, 0, sizeof pi);
  if (exh__lib_load(EXH_LIB_HYPERSCAN, NULL, 0) != 0) { /* the portable search then */
    int k = snprintf(buf, n, "portable (hyperscan not loaded)");
    return k > 0 && (size_t)k < n ? (size_t)k : 0;
  }
  if (hs_populate_platform(&pi) != HS_SUCCESS) return 0;
  int k = snprintf(buf, n, "hyperscan %s; tune %u; cpu %llx; reserved %llx %llx", hs_version(), pi.tune,
                   (unsigned long long)pi.cpu_features, (unsigned long long)pi.reserved1,
                   (unsigned long long)pi.reserved2);
  return k > 0 && (size_t)k < n ? (size_t)k : 0;
#else
  int k = snprintf(buf, n, "portable");
  return k > 0 && (size_t)k < n ? (size_t)k : 0;
#endif
}

void exh__pf_free(exh_prefilter *pf) {
  if (!pf) return;
#ifdef EXH_HAVE_HYPERSCAN
  if (pf->db) hs_free_database(pf->db);
#endif
  for (size_t i = 0; i < pf->n; i++) free(pf->lits[i]);
  free(pf->lits);
  free(pf->slot);
  free(pf->uniq);
  free(pf->ids);
  free(pf->lens);
  free(pf);
}

exh_pf_scratch *exh__pf_scratch_new(const exh_prefilter *pf) {
  exh_pf_scratch *s = exh__xcalloc(1, sizeof *s);
#ifdef EXH_HAVE_HYPERSCAN
  if (pf->db && hs_alloc_scratch(pf->db, &s->hs) != HS_SUCCESS) {
    free(s);
    return NULL;
  }
#endif
  s->nslots = pf->nuniq ? pf->nuniq : 1;
  s->ids = exh__xcalloc(s->nslots, sizeof *s->ids);
  s->stamp = exh__xcalloc(s->nslots, sizeof *s->stamp);
  s->gen = 1;
  return s;
}

void exh__pf_scratch_free(exh_pf_scratch *s) {
  if (!s) return;
#ifdef EXH_HAVE_HYPERSCAN
  if (s->hs) hs_free_scratch(s->hs);
#endif
  free(s->ids);
  free(s->stamp);
  free(s);
}

/* Adds literal i's id to the line's set. */
static void add_lit(const exh_prefilter *pf, exh_pf_scratch *s, size_t i) {
  uint32_t k = pf->slot[i];
  if (s->stamp[k] == s->gen) return;
  s->stamp[k] = s->gen;
  s->ids[s->nids++] = pf->uniq[k];
}

/* Empties the line's set. */
static void clear_ids(exh_pf_scratch *s) {
  s->nids = 0;
  if (++s->gen == 0) { /* wrapped: old stamps could look current */
    memset(s->stamp, 0, s->nslots * sizeof *s->stamp);
    s->gen = 1;
  }
}

#ifdef EXH_HAVE_HYPERSCAN
typedef struct hs_ctx {
  const exh_prefilter *pf;
  exh_pf_scratch *s;
  const char *data; /* the block being scanned */
  size_t n, base;   /* block length; its offset in the caller's buffer */
  size_t ls, le;    /* current line [ls, le), block-relative */
  size_t floor;     /* no line starts before this (end of the last line + 1) */
  int have;
  exh_pf_line_fn fn;
  void *ctx;
  int stopped;
} hs_ctx;

static int flush(hs_ctx *c) {
  if (!c->have) return 0;
  c->have = 0;
  c->floor = c->le + 1;
  int r = c->fn(c->ctx, c->base + c->ls, c->base + c->le, c->s->ids, c->s->nids);
  clear_ids(c->s);
  if (r) c->stopped = 1;
  return r;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *vctx) {
  (void)from;
  (void)flags;
  hs_ctx *c = vctx;
  size_t end = (size_t)to;
  size_t start = end - c->pf->lens[id];
  if (c->have && start >= c->ls && start < c->le) {
    add_lit(c->pf, c->s, id);
    return 0;
  }
  if (flush(c)) return 1;
  /* Matches come in end-offset order and a literal never spans a '\n', so
   * the new line starts after the last '\n' between `floor` and `start`. */
  size_t floor = c->floor <= start ? c->floor : 0;
  const char *nl = start > floor ? memrchr(c->data + floor, '\n', start - floor) : NULL;
  c->ls = nl ? (size_t)(nl - c->data) + 1 : floor;
  const char *e = memchr(c->data + end, '\n', c->n - end);
  c->le = e ? (size_t)(e - c->data) : c->n;
  c->have = 1;
  add_lit(c->pf, c->s, id);
  return 0;
}

static int hs_scan_lines(const exh_prefilter *pf, exh_pf_scratch *s, const char *data, size_t n, exh_pf_line_fn fn,
                         void *ctx) {
  hs_ctx c;
  memset(&c, 0, sizeof c);
  c.pf = pf, c.s = s, c.fn = fn, c.ctx = ctx;
  size_t off = 0;
  /* Hyperscan takes an unsigned int length: feed it line-aligned blocks. */
  const size_t maxblk = (size_t)1 << 30;
  while (off < n) {
    size_t len = n - off;
    if (len > maxblk) {
      const char *nl = memrchr(data + off, '\n', maxblk);
      len = nl ? (size_t)(nl - (data + off)) + 1 : maxblk;
    }
    c.data = data + off;
    c.n = len;
    c.base = off;
    c.ls = c.le = c.floor = 0;
    c.have = 0;
    hs_error_t rc = hs_scan(pf->db, data + off, (unsigned)len, 0, s->hs, on_match, &c);
    if (c.stopped) return 1;
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) return -1;
    if (flush(&c)) return 1;
    off += len;
  }
  return 0;
}
#endif

static int portable_scan(const exh_prefilter *pf, exh_pf_scratch *s, const char *data, size_t n, exh_pf_line_fn fn,
                         void *ctx) {
  size_t ls = 0;
  while (ls < n) {
    const char *e = memchr(data + ls, '\n', n - ls);
    size_t le = e ? (size_t)(e - data) : n;
    for (size_t i = 0; i < pf->n; i++)
      if (exh__memimem(data + ls, le - ls, pf->lits[i], pf->lens[i])) add_lit(pf, s, i);
    if (s->nids) {
      int r = fn(ctx, ls, le, s->ids, s->nids);
      clear_ids(s);
      if (r) return 1;
    }
    ls = le + 1;
  }
  return 0;
}

int exh__pf_scan(const exh_prefilter *pf, exh_pf_scratch *s, const char *data, size_t n,
                exh_pf_line_fn fn, void *ctx) {
  clear_ids(s);
  if (pf->n == 0 || n == 0) return 0;
#ifdef EXH_HAVE_HYPERSCAN
  if (pf->db) return hs_scan_lines(pf, s, data, n, fn, ctx);
#endif
  return portable_scan(pf, s, data, n, fn, ctx);
}
