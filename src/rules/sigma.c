/* Sigma rules: YAML document -> compiled rule, evaluation, and the literal
 * sets the prefilter uses.
 *
 * Supported (see docs/sigma.md): field selections with plain values
 * (case-insensitive equality with '*' and '?' wildcards, '\' escapes),
 * modifiers contains, startswith, endswith, all, re (flags i, m, s),
 * cased, exists; null values; lists OR-ed; lists of maps OR-ed; keyword
 * selections; conditions with and / or / not / parentheses / "1 of x*" /
 * "all of x*" / "1 of them" / "all of them". Anything else is rejected
 * with a reason, never half-loaded. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <strings.h>

#include "../core/limits.h"
#include "../platform/lazy_yaml.h"
#include "sigma_int.h"

#ifdef EXH_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include "../platform/lazy_pcre2.h"
#endif

#define FAIL(...)                                                                            \
  do {                                                                                       \
    snprintf(why, whyn, __VA_ARGS__);                                                        \
    goto fail;                                                                               \
  } while (0)

/* ---- YAML helpers ------------------------------------------------------ */

static yaml_node_t *node(yaml_document_t *d, int i) { return yaml_document_get_node(d, i); }

static int is_scalar(yaml_node_t *n) { return n && n->type == YAML_SCALAR_NODE; }

static const char *sval(yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_null_scalar(yaml_node_t *n) {
  if (!is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  const char *v = sval(n);
  return v[0] == 0 || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
         !strcmp(v, "NULL");
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key) {
  if (!m || m->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(d, p->key);
    if (is_scalar(k) && !strcmp(sval(k), key)) return node(d, p->value);
  }
  return NULL;
}

static char *map_str(yaml_document_t *d, yaml_node_t *m, const char *key) {
  yaml_node_t *v = map_get(d, m, key);
  return is_scalar(v) ? exh__xstrdup(sval(v)) : NULL;
}

/* ---- matchers ---------------------------------------------------------- */

#ifdef EXH_HAVE_PCRE2
static _Thread_local pcre2_match_data *tl_md;
static _Thread_local pcre2_match_context *tl_mctx;
#endif

void exh__rules_thread_cleanup(void) {
#ifdef EXH_HAVE_PCRE2
  if (tl_md) pcre2_match_data_free(tl_md);
  if (tl_mctx) pcre2_match_context_free(tl_mctx);
  tl_md = NULL;
  tl_mctx = NULL;
#endif
}

static int re_match(void *code, const char *s, size_t n) {
#ifdef EXH_HAVE_PCRE2
  if (!tl_md) {
    tl_md = pcre2_match_data_create(8, NULL);
    tl_mctx = pcre2_match_context_create(NULL);
    /* Backtracking bombs in user rules must not hang a scan. */
    pcre2_set_match_limit(tl_mctx, 2000000);
    pcre2_set_depth_limit(tl_mctx, 20000);
  }
  int rc = pcre2_match((pcre2_code *)code, (PCRE2_SPTR)s, n, 0, 0, tl_md, tl_mctx);
  return rc >= 0;
#else
  (void)code, (void)s, (void)n;
  return 0;
#endif
}

/* Parses an IPv4 or IPv6 address (no zone); returns 4, 6 or 0. */
static int parse_ip(const char *s, size_t n, unsigned char out[16]) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return 0;
  memcpy(buf, s, n);
  buf[n] = 0;
  memset(out, 0, 16);
  if (inet_pton(AF_INET, buf, out) == 1) return 4;
  if (inet_pton(AF_INET6, buf, out) == 1) return 6;
  return 0;
}

static int cidr_match(const cidr_net *net, const char *s, size_t n) {
  unsigned char a[16];
  int fam = parse_ip(s, n, a);
  if (fam != net->family) {
    /* an IPv4-mapped IPv6 address against an IPv4 network */
    if (fam == 6 && net->family == 4 && !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
      memmove(a, a + 12, 4);
      fam = 4;
    } else {
      return 0;
    }
  }
  int bits = net->bits;
  for (int i = 0; bits > 0; i++, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
    if ((a[i] & mask) != (net->addr[i] & mask)) return 0;
  }
  return 1;
}

static int match_one(const matcher *m, size_t i, const char *s, size_t n, const exh_record *rec) {
  if (m->mods & MOD_RE) return re_match(m->res[i], s, n);
  if (m->mods & MOD_IPSET) return m->vs->has(m->vs->set, s, n);
  if (m->mods & MOD_CIDR) return cidr_match(&m->nets[i], s, n);
  if (m->mods & MOD_FIELDREF) {
    exh_str o;
    /* the other value must be copied: unquoting shares one scratch buffer */
    char *mine = exh__xstrndup(s, n);
    int ok = exh__record_get(rec, m->refs[i], &o) && exh__fold_eq(o.p, o.n, mine, n);
    free(mine);
    return ok;
  }
  return exh__glob_match(&m->globs[i], s, n);
}

/* ---- exact value lists, hashed (sigma_int.h) ---------------------------- */

struct matcher_index {
  uint64_t *h;   /* per slot: the key's hash, 0 for an empty slot (hashes are never 0) */
  uint32_t *vi;  /* per slot: the value's index in the matcher */
  size_t mask;
  int has_null;  /* a null value: the empty field matches */
  int cased;     /* compare characters as written */
  int bytes;     /* an encoding transform's output: bytes, ASCII folded */
};

#define IX_SEED 0xcbf29ce484222325ull
static inline uint64_t ix_step(uint64_t h, uint32_t c) { return (h ^ c) * 0x100000001b3ull; }
static inline uint64_t ix_final(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h ? h : 1;
}

/* The key of a field's bytes: its characters as the value's comparison
 * sees them (glob.c: ASCII lowered, others by Unicode simple folding,
 * unless cased; an encoding transform's output byte by byte). A value
 * matches a field only if their keys are equal. */
static uint64_t ix_key_field(const struct matcher_index *ix, const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  uint64_t h = IX_SEED;
  for (size_t i = 0; i < n;) {
    uint32_t c;
    if (u[i] < 0x80 || ix->bytes) {
      c = ix->cased ? u[i] : exh_lower(u[i]);
      i++;
    } else {
      i += exh__utf8_next(u + i, n - i, &c);
      if (!ix->cased) c = exh__fold_cp(c);
    }
    h = ix_step(h, c);
  }
  return ix_final(h);
}

/* The same key from a compiled exact value: its folded code points, or
 * its (lowered unless cased) bytes when it needs no character matcher. */
static uint64_t ix_key_glob(const exh_glob *g) {
  uint64_t h = IX_SEED;
  if (g->cp)
    for (size_t i = 0; i < g->nc; i++) h = ix_step(h, g->cp[i]);
  else
    for (size_t i = 0; i < g->n; i++) h = ix_step(h, g->lit[i]);
  return ix_final(h);
}

void exh__matcher_index_free(matcher *m) {
  if (!m->ix) return;
  free(m->ix->h);
  free(m->ix->vi);
  free(m->ix);
  m->ix = NULL;
}

void exh__matcher_index_build(matcher *m) {
  exh__matcher_index_free(m);
  const unsigned not_exact = MOD_CONTAINS | MOD_STARTS | MOD_ENDS | MOD_ALL | MOD_RE | MOD_EXISTS | MOD_CIDR |
                             MOD_FIELDREF | MOD_IPSET;
  if (m->fid < 0 || (m->mods & not_exact) || !m->globs || m->nv < EXH_SIGMA_INDEX_MIN || m->nv > UINT32_MAX / 4)
    return;
  size_t nvals = 0;
  int bytes = -1;
  for (size_t i = 0; i < m->nv; i++) {
    if (m->is_null[i]) continue;
    const exh_glob *g = &m->globs[i];
    if (!exh__glob_exact(g) || g->cased != ((m->mods & MOD_CASED) != 0)) return;
    if (bytes < 0) bytes = g->bytes;
    else if (bytes != g->bytes) return;
    nvals++;
  }
  if (nvals < EXH_SIGMA_INDEX_MIN) return;
  struct matcher_index *ix = exh__xcalloc(1, sizeof *ix);
  size_t cap = 16;
  while (cap < 2 * nvals) cap *= 2;
  ix->h = exh__xcalloc(cap, sizeof *ix->h);
  ix->vi = exh__xcalloc(cap, sizeof *ix->vi);
  ix->mask = cap - 1;
  ix->cased = (m->mods & MOD_CASED) != 0;
  ix->bytes = bytes > 0;
  for (size_t i = 0; i < m->nv; i++) {
    if (m->is_null[i]) {
      ix->has_null = 1;
      continue;
    }
    uint64_t h = ix_key_glob(&m->globs[i]);
    size_t s = (size_t)h & ix->mask;
    while (ix->h[s]) s = (s + 1) & ix->mask;
    ix->h[s] = h;
    ix->vi[s] = (uint32_t)i;
  }
  m->ix = ix;
}

void exh__rule_index_build(exh_rule *r) {
  for (size_t s = 0; s < r->nsels; s++)
    for (size_t a = 0; a < r->sels[s].nalts; a++)
      for (size_t i = 0; i < r->sels[s].alts[a].n; i++) exh__matcher_index_build(&r->sels[s].alts[a].m[i]);
}

/* Any value of an indexed matcher equal to the field: the slots of the
 * field's key, each confirmed by its value's comparison. */
static int ix_lookup(const matcher *m, const char *p, size_t n) {
  const struct matcher_index *ix = m->ix;
  if (n == 0 && ix->has_null) return 1;
  uint64_t h = ix_key_field(ix, p, n);
  for (size_t s = (size_t)h & ix->mask; ix->h[s]; s = (s + 1) & ix->mask)
    if (ix->h[s] == h && exh__glob_match(&m->globs[ix->vi[s]], p, n)) return 1;
  return 0;
}

static int matcher_eval(const matcher *m, const exh_record *rec) {
  exh_str v;
  if (m->fid < 0) {
    v = rec->raw;
  } else if (!exh__record_get(rec, m->fid, &v)) {
    if (m->mods & MOD_EXISTS) return !m->exists_val;
    for (size_t i = 0; i < m->nv; i++)
      if (m->is_null[i]) return 1;
    return 0;
  }
  if (m->mods & MOD_EXISTS) return m->exists_val;
  if (m->ix) return ix_lookup(m, v.p, v.n);
  if (m->mods & MOD_ALL) {
    for (size_t i = 0; i < m->nv; i++) {
      int ok = m->is_null[i] ? v.n == 0 : match_one(m, i, v.p, v.n, rec);
      if (!ok) return 0;
    }
    return 1;
  }
  for (size_t i = 0; i < m->nv; i++) {
    int ok = m->is_null[i] ? v.n == 0 : match_one(m, i, v.p, v.n, rec);
    if (ok) return 1;
  }
  return 0;
}

static int sel_eval(const selection *s, const exh_record *rec) {
  for (size_t a = 0; a < s->nalts; a++) {
    const conj *c = &s->alts[a];
    size_t i = 0;
    for (; i < c->n; i++)
      if (!matcher_eval(&c->m[i], rec)) break;
    if (i == c->n) return 1;
  }
  return 0;
}

/* Recursion bounded by the tree's depth (sigma_int.h: at most
 * 2 x EXH_SIGMA_MAX_NESTING + 2 levels). */
static int node_eval(const exh_rule *r, int ni, const exh_record *rec) {
  const cnode *n = &r->nodes[ni];
  switch (n->op) {
  case C_SEL: return sel_eval(&r->sels[n->sel], rec);
  case C_AND:
    for (size_t i = 0; i < n->nkids; i++)
      if (!node_eval(r, n->kids[i], rec)) return 0;
    return 1;
  case C_OR:
    for (size_t i = 0; i < n->nkids; i++)
      if (node_eval(r, n->kids[i], rec)) return 1;
    return 0;
  case C_NOT: return !node_eval(r, n->a, rec);
  case C_ONEOF:
    for (size_t i = 0; i < n->nsels; i++)
      if (sel_eval(&r->sels[n->sels[i]], rec)) return 1;
    return 0;
  case C_ALLOF:
    for (size_t i = 0; i < n->nsels; i++)
      if (!sel_eval(&r->sels[n->sels[i]], rec)) return 0;
    return 1;
  }
  return 0;
}

int exh__rule_eval(const exh_rule *r, const exh_record *rec) { return node_eval(r, r->root, rec); }

/* ---- building matchers from YAML -------------------------------------- */

static void matcher_free(matcher *m) {
  exh__matcher_index_free(m);
  for (size_t i = 0; i < m->nv; i++) {
    if (m->globs) exh__glob_free(&m->globs[i]);
#ifdef EXH_HAVE_PCRE2
    if (m->res && m->res[i]) pcre2_code_free((pcre2_code *)m->res[i]);
#endif
  }
  free(m->globs);
  free(m->res);
  free(m->is_null);
  free(m->nets);
  free(m->refs);
}

typedef struct mods_t {
  unsigned mods;
  unsigned char tr[8];
  int ntr;
} mods_t;

static int parse_mods(const char *spec, mods_t *md, char *why, size_t whyn) {
  /* spec: the part after the field name, e.g. "contains|all" */
  memset(md, 0, sizeof *md);
  const char *p = spec;
  while (*p) {
    const char *e = strchr(p, '|');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    exh_str m = {p, n};
    int tr = 0;
    if (exh__strieq(m, "contains")) md->mods |= MOD_CONTAINS;
    else if (exh__strieq(m, "startswith")) md->mods |= MOD_STARTS;
    else if (exh__strieq(m, "endswith")) md->mods |= MOD_ENDS;
    else if (exh__strieq(m, "all")) md->mods |= MOD_ALL;
    else if (exh__strieq(m, "re")) md->mods |= MOD_RE;
    else if (exh__strieq(m, "cased")) md->mods |= MOD_CASED;
    else if (exh__strieq(m, "exists")) md->mods |= MOD_EXISTS;
    else if (exh__strieq(m, "cidr")) md->mods |= MOD_CIDR;
    else if (exh__strieq(m, "fieldref")) md->mods |= MOD_FIELDREF;
    else if (exh__strieq(m, "exhunt-ipset")) md->mods |= MOD_IPSET; /* checked by build_matcher */
    else if ((md->mods & MOD_RE) && exh__strieq(m, "i")) md->mods |= MOD_RE_I;
    else if ((md->mods & MOD_RE) && exh__strieq(m, "m")) md->mods |= MOD_RE_M;
    else if ((md->mods & MOD_RE) && exh__strieq(m, "s")) md->mods |= MOD_RE_S;
    else if (exh__strieq(m, "wide") || exh__strieq(m, "utf16le")) tr = TR_WIDE;
    else if (exh__strieq(m, "utf16be")) tr = TR_UTF16BE;
    else if (exh__strieq(m, "utf16")) tr = TR_UTF16;
    else if (exh__strieq(m, "base64")) tr = TR_BASE64;
    else if (exh__strieq(m, "base64offset")) tr = TR_BASE64OFF;
    else if (exh__strieq(m, "windash")) tr = TR_WINDASH;
    else if (exh__strieq(m, "expand")) {
      snprintf(why, whyn, "modifier 'expand' needs placeholder values, which exhunt does not have");
      return -1;
    } else {
      snprintf(why, whyn, "unsupported modifier '%.*s'", (int)(n > 40 ? 40 : n), p);
      return -1;
    }
    if (tr) {
      if (md->ntr == 8) {
        snprintf(why, whyn, "too many modifiers");
        return -1;
      }
      md->tr[md->ntr++] = (unsigned char)tr;
    }
    p += n;
    if (*p == '|') p++;
  }
  unsigned mods = md->mods;
  unsigned pos = mods & (MOD_CONTAINS | MOD_STARTS | MOD_ENDS);
  if ((mods & MOD_RE) && (pos || (mods & (MOD_CASED | MOD_CIDR | MOD_FIELDREF)) || md->ntr)) {
    snprintf(why, whyn, "modifier 're' cannot be combined with other value modifiers");
    return -1;
  }
  if ((mods & MOD_CIDR) && (pos || (mods & MOD_FIELDREF) || md->ntr)) {
    snprintf(why, whyn, "modifier 'cidr' cannot be combined with other value modifiers");
    return -1;
  }
  if ((mods & MOD_FIELDREF) && (pos || md->ntr)) {
    snprintf(why, whyn, "modifier 'fieldref' is supported for equality only");
    return -1;
  }
  if (pos && (pos & (pos - 1))) {
    snprintf(why, whyn, "more than one of contains/startswith/endswith");
    return -1;
  }
  return 0;
}

/* ---- value transforms ---------------------------------------------------- */

typedef struct val {
  char *p;
  size_t n;
  int null;
  int raw; /* no wildcard meaning left (after an encoding transform) */
} val;

typedef struct vals {
  val *v;
  size_t n, cap;
} vals;

static void vals_push(vals *vs, char *p, size_t n, int null, int raw) {
  EXH_VEC_RESERVE(vs->v, vs->cap, vs->n + 1);
  vs->v[vs->n++] = (val){p, n, null, raw};
}

static void vals_free(vals *vs) {
  for (size_t i = 0; i < vs->n; i++) free(vs->v[i].p);
  free(vs->v);
  vs->v = NULL;
  vs->n = vs->cap = 0;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(const unsigned char *in, size_t n, size_t *outn) {
  char *o = exh__xmalloc((n + 2) / 3 * 4 + 1);
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    o[k++] = B64[v >> 18 & 63];
    o[k++] = B64[v >> 12 & 63];
    o[k++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
    o[k++] = i + 2 < n ? B64[v & 63] : '=';
  }
  o[k] = 0;
  *outn = k;
  return o;
}

/* UTF-8 -> UTF-16 (le, be); invalid bytes pass as U+FFFD. */
static char *utf16(const char *s, size_t n, int be, int bom, size_t *outn) {
  char *o = exh__xmalloc(n * 4 + 4);
  size_t k = 0;
  if (bom) {
    o[k++] = be ? (char)0xFE : (char)0xFF;
    o[k++] = be ? (char)0xFF : (char)0xFE;
  }
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    size_t l = exh__utf8_len(u + i, n - i);
    uint32_t cp;
    if (l == 0) cp = 0xFFFD, l = 1;
    else if (l == 1) cp = u[i];
    else if (l == 2) cp = (u[i] & 0x1Fu) << 6 | (u[i + 1] & 0x3Fu);
    else if (l == 3) cp = (u[i] & 0x0Fu) << 12 | (u[i + 1] & 0x3Fu) << 6 | (u[i + 2] & 0x3Fu);
    else cp = (u[i] & 0x07u) << 18 | (u[i + 1] & 0x3Fu) << 12 | (u[i + 2] & 0x3Fu) << 6 | (u[i + 3] & 0x3Fu);
    i += l;
    uint16_t units[2];
    int nu = 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units[0] = (uint16_t)(0xD800 + (cp >> 10));
      units[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
      nu = 2;
    } else {
      units[0] = (uint16_t)cp;
    }
    for (int j = 0; j < nu; j++) {
      o[k++] = (char)(be ? units[j] >> 8 : units[j] & 0xFF);
      o[k++] = (char)(be ? units[j] & 0xFF : units[j] >> 8);
    }
  }
  *outn = k;
  return o;
}

static int is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* Applies one transform to every value. */
static void transform(vals *vs, int tr) {
  vals out = {0};
  for (size_t i = 0; i < vs->n; i++) {
    val *v = &vs->v[i];
    if (v->null) {
      vals_push(&out, v->p, v->n, 1, v->raw);
      v->p = NULL;
      continue;
    }
    size_t n;
    switch (tr) {
    case TR_WIDE:
    case TR_UTF16BE:
    case TR_UTF16: {
      char *o = utf16(v->p, v->n, tr == TR_UTF16BE, tr == TR_UTF16, &n);
      vals_push(&out, o, n, 0, 1);
      break;
    }
    case TR_BASE64: {
      char *o = b64((const unsigned char *)v->p, v->n, &n);
      /* padding says where the value ended: drop it to match inside data */
      while (n && o[n - 1] == '=') n--;
      vals_push(&out, o, n, 0, 1);
      break;
    }
    case TR_BASE64OFF: {
      static const size_t start[3] = {0, 2, 3}, endcut[3] = {0, 3, 2};
      for (size_t k = 0; k < 3; k++) {
        unsigned char *buf = exh__xmalloc(v->n + 3);
        memset(buf, ' ', k);
        memcpy(buf + k, v->p, v->n);
        char *o = b64(buf, v->n + k, &n);
        free(buf);
        size_t cut = endcut[(v->n + k) % 3];
        size_t e = n >= cut ? n - cut : 0;
        size_t st = start[k] < e ? start[k] : e;
        char *piece = exh__xstrndup(o + st, e - st);
        free(o);
        vals_push(&out, piece, e - st, 0, 1);
      }
      break;
    }
    case TR_WINDASH: {
      /* '-' or '/' starting an option (after a non-word byte, before a word
       * byte) in each of the five spellings Windows accepts */
      static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};
      for (size_t d = 0; d < 5; d++) {
        exh_buf b = {0};
        for (size_t j = 0; j < v->n; j++) {
          unsigned char c = (unsigned char)v->p[j];
          int opt = (c == '-' || c == '/') && (j == 0 || !is_word((unsigned char)v->p[j - 1])) &&
                    j + 1 < v->n && is_word((unsigned char)v->p[j + 1]);
          if (opt) exh__buf_adds(&b, dashes[d]);
          else exh_buf_addc(&b, (char)c);
        }
        n = b.n;
        vals_push(&out, exh__buf_take(&b), n, 0, v->raw);
      }
      break;
    }
    }
  }
  vals_free(vs);
  *vs = out;
}

/* What the transforms will make of the values, computed before making it:
 * windash gives 5 values of up to 3 times the bytes, base64offset 3,
 * UTF-16 doubles, base64 adds a third; eight stacked transforms of a long
 * list would otherwise ask for 5^8 times the values or 2^8 times the
 * bytes. Bounded by the rule's test budget and EXH_SIGMA_MAX_VALUE_BYTES. */
static int transform_budget(exh_ruleset *rs, const vals *vs, const mods_t *md, const char *what, char *why,
                            size_t whyn) {
  double count = (double)vs->n, bytes = 0;
  for (size_t i = 0; i < vs->n; i++) bytes += (double)vs->v[i].n;
  for (int t = 0; t < md->ntr; t++) {
    switch (md->tr[t]) {
    case TR_WIDE:
    case TR_UTF16BE:
    case TR_UTF16: bytes = bytes * 2 + 2 * count; break;
    case TR_BASE64: bytes = bytes * 4 / 3 + 4 * count; break;
    case TR_BASE64OFF: bytes = 3 * (bytes * 4 / 3 + 8 * count), count *= 3; break;
    case TR_WINDASH: bytes = 15 * bytes, count *= 5; break;
    }
  }
  size_t *used = exh__ruleset_rule_bytes(rs);
  if (count > EXH_SIGMA_MAX_TESTS || bytes + (double)*used > EXH_SIGMA_MAX_VALUE_BYTES) {
    snprintf(why, whyn, "values of '%.60s' would make %.0f values of %.0f bytes (a rule may hold %u values, %u bytes)",
             what, count, bytes, (unsigned)EXH_SIGMA_MAX_TESTS, (unsigned)EXH_SIGMA_MAX_VALUE_BYTES);
    return -1;
  }
  *used += (size_t)bytes;
  return 0;
}

static int compile_value(matcher *m, size_t i, const val *v, char *why, size_t whyn) {
  if (m->mods & MOD_RE) {
#ifdef EXH_HAVE_PCRE2
    char lwhy[320];
    if (exh__lib_load(EXH_LIB_PCRE2, lwhy, sizeof lwhy)) {
      snprintf(why, whyn, "modifier 're' needs PCRE2: %s", lwhy);
      return -1;
    }
    /* UTF-8 with Unicode properties: '.' is one character, |i folds every
     * script, \w and \d are Unicode's (as in Python's re); logs hold
     * invalid UTF-8, which is matched around, never an error */
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (m->mods & MOD_RE_I) opts |= PCRE2_CASELESS;
    if (m->mods & MOD_RE_M) opts |= PCRE2_MULTILINE;
    if (m->mods & MOD_RE_S) opts |= PCRE2_DOTALL;
    int err;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)v->p, v->n, opts, &err, &off, NULL);
    if (!c && err >= PCRE2_ERROR_UTF8_ERR21 && err <= PCRE2_ERROR_UTF8_ERR1) {
      /* the expression itself is not UTF-8: bytes, as before */
      opts &= ~(uint32_t)(PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF);
      c = pcre2_compile((PCRE2_SPTR)v->p, v->n, opts, &err, &off, NULL);
    }
    if (!c) {
      PCRE2_UCHAR msg[128];
      pcre2_get_error_message(err, msg, sizeof msg);
      snprintf(why, whyn, "bad regular expression at offset %zu: %s", (size_t)off, (char *)msg);
      return -1;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    m->res[i] = c;
    return 0;
#else
    (void)v;
    snprintf(why, whyn, "modifier 're' needs PCRE2, which this build does not have");
    return -1;
#endif
  }
  if (m->mods & MOD_CIDR) {
    const char *slash = memchr(v->p, '/', v->n);
    size_t an = slash ? (size_t)(slash - v->p) : v->n;
    cidr_net *net = &m->nets[i];
    net->family = parse_ip(v->p, an, net->addr);
    int maxb = net->family == 6 ? 128 : 32;
    net->bits = maxb;
    if (slash) {
      /* the prefix length: digits only, read within the value's bytes */
      exh_str bs = {slash + 1, v->n - an - 1};
      uint64_t b;
      size_t used;
      if (exh__parse_u64_prefix(bs, &b, &used) != 0 || used != bs.n || b > (uint64_t)maxb) net->family = 0;
      else net->bits = (int)b;
    }
    if (!net->family) {
      snprintf(why, whyn, "bad network '%.60s' for 'cidr'", v->p);
      return -1;
    }
    exh__glob_compile(&m->globs[i], "", 0, 0, 0, 0, 1);
    return 0;
  }
  if (m->mods & MOD_IPSET) {
    exh__glob_compile(&m->globs[i], "", 0, 0, 0, 0, 1);
    return 0;
  }
  if (m->mods & MOD_FIELDREF) {
    m->refs[i] = -1; /* resolved by the caller, which can intern */
    exh__glob_compile(&m->globs[i], "", 0, 0, 0, 0, 1);
    return 0;
  }
  int front = (m->mods & (MOD_CONTAINS | MOD_ENDS)) || m->fid < 0;
  int back = (m->mods & (MOD_CONTAINS | MOD_STARTS)) || m->fid < 0;
  exh__glob_compile(&m->globs[i], v->p, v->n, front, back, (m->mods & MOD_CASED) != 0, v->raw);
  return 0;
}

/* Fills a matcher for `field|mods: value(s)`; key NULL for a keyword list,
 * or "|mods" for a keyword map. */
static int build_matcher(exh_ruleset *rs, yaml_document_t *d, matcher *m, const char *key,
                         yaml_node_t *val_node, char *why, size_t whyn) {
  memset(m, 0, sizeof *m);
  m->fid = -1;
  mods_t md;
  memset(&md, 0, sizeof md);
  if (key) {
    const char *bar = strchr(key, '|');
    size_t fn = bar ? (size_t)(bar - key) : strlen(key);
    if (parse_mods(bar ? bar + 1 : "", &md, why, whyn)) return -1;
    m->mods = md.mods;
    if (fn > 0) {
      m->fid = exh__ruleset_intern(rs, key, fn);
      if (m->fid < 0) {
        snprintf(why, whyn, "more than %d distinct field names in the rule set", EXH_RULESET_MAX_FIELDS);
        return -1;
      }
    } else if (m->mods & (MOD_EXISTS | MOD_CIDR | MOD_FIELDREF)) {
      snprintf(why, whyn, "keywords cannot take exists, cidr or fieldref");
      return -1;
    }
    if (m->mods & MOD_IPSET) {
      /* only the set's own IP indicator rules (ruleset.c) use it */
      m->vs = exh__ruleset_valueset_compiling(rs);
      if (!m->vs || m->mods != MOD_IPSET || md.ntr || fn == 0) {
        snprintf(why, whyn, "unsupported modifier 'exhunt-ipset'");
        return -1;
      }
    }
  }
  const char *what = key ? key : "keywords";
  vals vs = {0};
  if (is_scalar(val_node)) {
    vals_push(&vs, exh__xstrndup(sval(val_node), val_node->data.scalar.length), val_node->data.scalar.length,
              is_null_scalar(val_node), 0);
  } else if (val_node && val_node->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t *it = val_node->data.sequence.items.start; it < val_node->data.sequence.items.top; it++) {
      yaml_node_t *v = node(d, *it);
      if (!is_scalar(v)) {
        vals_free(&vs);
        snprintf(why, whyn, "nested lists or maps as values of '%.60s'", what);
        return -1;
      }
      vals_push(&vs, exh__xstrndup(sval(v), v->data.scalar.length), v->data.scalar.length, is_null_scalar(v), 0);
    }
    if (vs.n == 0) {
      snprintf(why, whyn, "empty value list for '%.60s'", what);
      return -1;
    }
  } else {
    snprintf(why, whyn, "value of '%.60s' is a map", what);
    return -1;
  }
  int rc = 0;
  if (m->mods & MOD_EXISTS) {
    if (vs.n != 1) {
      snprintf(why, whyn, "'exists' takes one boolean");
      rc = -1;
    } else {
      const char *v = vs.v[0].p;
      m->exists_val = !strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "yes");
    }
    vals_free(&vs);
    return rc;
  }
  for (size_t i = 0; i < vs.n; i++)
    if (vs.v[i].null && m->fid < 0) {
      vals_free(&vs);
      snprintf(why, whyn, "null keyword");
      return -1;
    }
  if (transform_budget(rs, &vs, &md, what, why, whyn)) {
    vals_free(&vs);
    return -1;
  }
  for (int t = 0; t < md.ntr; t++) transform(&vs, md.tr[t]);
  if ((m->mods & MOD_RE) && exh__ruleset_regex_room(rs, vs.n)) {
    snprintf(why, whyn, "more than %u regular expressions in the rule set", (unsigned)EXH_RULESET_MAX_REGEX);
    vals_free(&vs);
    return -1;
  }
  size_t nv = vs.n;
  m->nv = nv;
  m->globs = exh__xcalloc(nv, sizeof *m->globs);
  m->res = exh__xcalloc(nv, sizeof *m->res);
  m->is_null = exh__xcalloc(nv, 1);
  if (m->mods & MOD_CIDR) m->nets = exh__xcalloc(nv, sizeof *m->nets);
  if (m->mods & MOD_FIELDREF) m->refs = exh__xcalloc(nv, sizeof *m->refs);
  for (size_t i = 0; i < nv && rc == 0; i++) {
    if (vs.v[i].null) {
      m->is_null[i] = 1;
      exh__glob_compile(&m->globs[i], "", 0, 0, 0, 0, 1);
      continue;
    }
    rc = compile_value(m, i, &vs.v[i], why, whyn);
    if (rc == 0 && (m->mods & MOD_FIELDREF)) {
      m->refs[i] = exh__ruleset_intern(rs, vs.v[i].p, vs.v[i].n);
      if (m->refs[i] < 0) {
        snprintf(why, whyn, "more than %d distinct field names in the rule set", EXH_RULESET_MAX_FIELDS);
        rc = -1;
      }
    }
  }
  vals_free(&vs);
  return rc;
}

/* `field|...|all` with a transform that turns one value into several
 * spellings (windash, base64offset): Sigma means every value in any of its
 * spellings (pySigma's expansions), not every spelling of every value. Such
 * a key is built as one matcher per value, without 'all', ANDed in the
 * selection (a single value: one matcher without 'all'). Returns the key
 * without its 'all' (to free), or NULL when the key is not such. */
static char *split_all_key(const char *key, yaml_node_t *vals_node) {
  const char *bar = key ? strchr(key, '|') : NULL;
  if (!bar || !vals_node ||
      (vals_node->type == YAML_SEQUENCE_NODE &&
       vals_node->data.sequence.items.top == vals_node->data.sequence.items.start))
    return NULL;
  int all = 0, expands = 0;
  size_t o = (size_t)(bar - key);
  char *out = exh__xmalloc(strlen(key) + 1);
  memcpy(out, key, o);
  for (const char *m = bar + 1; *m;) {
    const char *e = strchr(m, '|');
    size_t n = e ? (size_t)(e - m) : strlen(m);
    exh_str t = {m, n};
    if (exh__strieq(t, "all")) {
      all = 1;
    } else {
      if (exh__strieq(t, "windash") || exh__strieq(t, "base64offset")) expands = 1;
      out[o++] = '|';
      memcpy(out + o, m, n);
      o += n;
    }
    m += n + (e != NULL);
  }
  out[o] = 0;
  if (all && expands) return out;
  free(out);
  return NULL;
}

/* The values of a split key: each item of a list, or the one scalar. */
static size_t split_count(yaml_node_t *v) {
  return v->type == YAML_SEQUENCE_NODE ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start) : 1;
}

static int build_conj(exh_ruleset *rs, yaml_document_t *d, yaml_node_t *map, conj *c, char *why,
                      size_t whyn) {
  size_t cnt = 0;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
    char *split = is_scalar(k) ? split_all_key(sval(k), v) : NULL;
    cnt += split ? split_count(v) : 1;
    free(split);
  }
  c->m = exh__xcalloc(cnt ? cnt : 1, sizeof *c->m);
  c->n = 0;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
    if (!is_scalar(k)) {
      snprintf(why, whyn, "non-scalar field name");
      return -1;
    }
    char *split = split_all_key(sval(k), v);
    if (split) {
      int rc = 0;
      for (size_t i = 0; i < split_count(v) && rc == 0; i++) {
        yaml_node_t *one = v->type == YAML_SEQUENCE_NODE ? node(d, v->data.sequence.items.start[i]) : v;
        rc = build_matcher(rs, d, &c->m[c->n], split, one, why, whyn);
        c->n++;
      }
      free(split);
      if (rc) return -1;
      continue;
    }
    int rc = build_matcher(rs, d, &c->m[c->n], sval(k), v, why, whyn);
    c->n++;
    if (rc) return -1;
  }
  if (c->n == 0) {
    snprintf(why, whyn, "empty selection map");
    return -1;
  }
  return 0;
}

static void sel_free(selection *s) {
  for (size_t a = 0; a < s->nalts; a++) {
    for (size_t i = 0; i < s->alts[a].n; i++) matcher_free(&s->alts[a].m[i]);
    free(s->alts[a].m);
  }
  free(s->alts);
  free(s->name);
}

static int build_selection_(exh_ruleset *rs, yaml_document_t *d, selection *s, yaml_node_t *v,
                            char *why, size_t whyn);

/* Builds a selection and counts its values (the rule's test budget). */
static int build_selection(exh_ruleset *rs, yaml_document_t *d, selection *s, yaml_node_t *v, char *why,
                           size_t whyn) {
  int rc = build_selection_(rs, d, s, v, why, whyn);
  s->nvals = 0;
  for (size_t a = 0; a < s->nalts; a++)
    for (size_t i = 0; i < s->alts[a].n; i++) s->nvals += s->alts[a].m[i].nv ? s->alts[a].m[i].nv : 1;
  return rc;
}

static int build_selection_(exh_ruleset *rs, yaml_document_t *d, selection *s, yaml_node_t *v,
                            char *why, size_t whyn) {
  if (v->type == YAML_MAPPING_NODE) {
    s->alts = exh__xcalloc(1, sizeof *s->alts);
    s->nalts = 1;
    return build_conj(rs, d, v, &s->alts[0], why, whyn);
  }
  if (v->type == YAML_SEQUENCE_NODE) {
    size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (cnt == 0) {
      snprintf(why, whyn, "selection '%s' is an empty list", s->name);
      return -1;
    }
    yaml_node_t *first = node(d, *v->data.sequence.items.start);
    if (is_scalar(first)) { /* keywords */
      s->alts = exh__xcalloc(1, sizeof *s->alts);
      s->nalts = 1;
      s->alts[0].m = exh__xcalloc(1, sizeof(matcher));
      s->alts[0].n = 1;
      return build_matcher(rs, d, &s->alts[0].m[0], NULL, v, why, whyn);
    }
    s->alts = exh__xcalloc(cnt, sizeof *s->alts);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
      yaml_node_t *m = node(d, *it);
      if (!m || m->type != YAML_MAPPING_NODE) {
        snprintf(why, whyn, "selection '%s' mixes maps and other items", s->name);
        return -1;
      }
      int rc = build_conj(rs, d, m, &s->alts[s->nalts], why, whyn);
      s->nalts++;
      if (rc) return -1;
    }
    return 0;
  }
  if (is_scalar(v)) {
    snprintf(why, whyn, "selection '%s' is a plain value", s->name);
    return -1;
  }
  snprintf(why, whyn, "selection '%s' has an unknown shape", s->name);
  return -1;
}

/* ---- condition parser -------------------------------------------------- */

typedef struct cparse {
  exh_rule *r;
  const char *p;
  char *why;
  size_t whyn;
  int depth;     /* parentheses and 'not's open: bounds the recursion here and the tree's depth */
  size_t cap;
  size_t *tests; /* values the rule tests so far, every condition of it together */
  size_t *work;  /* selections quantifiers looked at so far */
  const int *selidx; /* selection names hashed: slot -> index + 1 */
  size_t nselidx;
} cparse;

static uint32_t name_hash(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
  return h;
}

/* The index of selection names used to resolve the condition's words (a
 * rule of 30,000 selections named 30,000 times would otherwise take 10^9
 * comparisons). */
static int *sel_index(const exh_rule *r, size_t *nslots) {
  size_t ns = 16;
  while (ns < 2 * r->nsels) ns *= 2;
  int *v = exh__xcalloc(ns, sizeof *v);
  for (size_t i = 0; i < r->nsels; i++) {
    size_t k = name_hash(r->sels[i].name, strlen(r->sels[i].name)) & (ns - 1);
    while (v[k]) {
      if (!strcmp(r->sels[v[k] - 1].name, r->sels[i].name)) break; /* the first of a repeated name wins */
      k = (k + 1) & (ns - 1);
    }
    if (!v[k]) v[k] = (int)i + 1;
  }
  *nslots = ns;
  return v;
}

/* Charges the values a mention of selection `sel` tests. */
static int charge(cparse *c, size_t sel) {
  size_t v = c->r->sels[sel].nvals ? c->r->sels[sel].nvals : 1;
  *c->tests += v;
  if (*c->tests > EXH_SIGMA_MAX_TESTS) {
    snprintf(c->why, c->whyn, "condition tests more than %u values on a record (each selection counted once per mention)",
             (unsigned)EXH_SIGMA_MAX_TESTS);
    return -1;
  }
  return 0;
}

static void skip_ws(cparse *c) {
  while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r') c->p++;
}

static int is_ident_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '-' || ch == '*' || ch == '.';
}

static int next_word(cparse *c, exh_str *w) {
  skip_ws(c);
  const char *s = c->p;
  while (is_ident_char(*c->p)) c->p++;
  *w = (exh_str){s, (size_t)(c->p - s)};
  return w->n > 0;
}

static int peek_word(cparse *c, const char *kw) {
  const char *save = c->p;
  exh_str w;
  int ok = next_word(c, &w) && exh__strieq(w, kw);
  c->p = save;
  return ok;
}

static int new_node(cparse *c, int op) {
  exh_rule *r = c->r;
  EXH_VEC_RESERVE(r->nodes, c->cap, r->nnodes + 1);
  memset(&r->nodes[r->nnodes], 0, sizeof(cnode));
  r->nodes[r->nnodes].op = op;
  return (int)r->nnodes++;
}

static int find_sel(const cparse *c, exh_str name) {
  const exh_rule *r = c->r;
  for (size_t k = name_hash(name.p, name.n) & (c->nselidx - 1); c->selidx[k]; k = (k + 1) & (c->nselidx - 1)) {
    const char *nm = r->sels[c->selidx[k] - 1].name;
    if (strlen(nm) == name.n && !memcmp(nm, name.p, name.n)) return c->selidx[k] - 1;
  }
  return -1;
}

static int parse_or(cparse *c);

static int parse_quant(cparse *c, int all) {
  exh_str w;
  if (!next_word(c, &w) || !exh__strieq(w, "of")) {
    snprintf(c->why, c->whyn, "condition: expected 'of'");
    return -1;
  }
  if (!next_word(c, &w)) {
    snprintf(c->why, c->whyn, "condition: expected a selection pattern after 'of'");
    return -1;
  }
  /* every selection is looked at: bounded like the tests */
  *c->work += c->r->nsels;
  if (*c->work > (size_t)EXH_SIGMA_MAX_TESTS * 4) {
    snprintf(c->why, c->whyn, "condition: quantifiers ('1 of', 'all of') over too many selections");
    return -1;
  }
  int n = new_node(c, all ? C_ALLOF : C_ONEOF);
  int them = exh__strieq(w, "them");
  exh_glob g;
  if (!them) exh__glob_compile(&g, w.p, w.n, 0, 0, 1, 0);
  int *sels = exh__xcalloc(c->r->nsels ? c->r->nsels : 1, sizeof(int));
  size_t ns = 0;
  int over = 0;
  for (size_t i = 0; i < c->r->nsels && !over; i++) {
    const char *nm = c->r->sels[i].name;
    if (them ? nm[0] != '_' : exh__glob_match(&g, nm, strlen(nm))) {
      sels[ns++] = (int)i;
      over = charge(c, i) != 0;
    }
  }
  if (!them) exh__glob_free(&g);
  if (over) {
    free(sels);
    return -1;
  }
  if (ns == 0) {
    free(sels);
    snprintf(c->why, c->whyn, "condition: '%.*s' names no selection", (int)(w.n > 60 ? 60 : w.n), w.p);
    return -1;
  }
  c->r->nodes[n].sels = sels;
  c->r->nodes[n].nsels = ns;
  return n;
}

static int parse_factor(cparse *c) {
  if (++c->depth > EXH_SIGMA_MAX_NESTING) {
    snprintf(c->why, c->whyn, "condition nested too deeply");
    return -1;
  }
  skip_ws(c);
  int res = -1;
  if (*c->p == '(') {
    c->p++;
    res = parse_or(c);
    skip_ws(c);
    if (res >= 0 && *c->p != ')') {
      snprintf(c->why, c->whyn, "condition: missing ')'");
      res = -1;
    } else if (res >= 0) {
      c->p++;
    }
  } else {
    exh_str w;
    if (!next_word(c, &w)) {
      if (*c->p == '|') snprintf(c->why, c->whyn, "aggregation expressions ('|') are not supported");
      else if (*c->p) snprintf(c->why, c->whyn, "condition: unexpected '%c'", *c->p);
      else snprintf(c->why, c->whyn, "condition: unexpected end");
    } else if (exh__strieq(w, "not")) {
      int a = parse_factor(c);
      if (a >= 0) {
        res = new_node(c, C_NOT);
        c->r->nodes[res].a = a;
      }
    } else if (exh__strieq(w, "1") || exh__strieq(w, "any")) {
      res = parse_quant(c, 0);
    } else if (exh__strieq(w, "all")) {
      res = parse_quant(c, 1);
    } else {
      int s = find_sel(c, w);
      if (s < 0) {
        snprintf(c->why, c->whyn, "condition names unknown selection '%.*s'", (int)(w.n > 60 ? 60 : w.n), w.p);
      } else if (charge(c, (size_t)s) == 0) {
        res = new_node(c, C_SEL);
        c->r->nodes[res].sel = s;
      }
    }
  }
  c->depth--;
  return res;
}

/* "x and y and z": one n-ary node (a chain of thousands of terms is one
 * level of the tree, not thousands). */
static int parse_chain(cparse *c, int op, const char *kw, int (*sub)(cparse *)) {
  int a = sub(c);
  if (a < 0 || !peek_word(c, kw)) return a;
  int *kids = NULL;
  size_t n = 0, cap = 0;
  EXH_VEC_RESERVE(kids, cap, 1);
  kids[n++] = a;
  while (peek_word(c, kw)) {
    exh_str w;
    next_word(c, &w);
    int b = sub(c);
    if (b < 0) {
      free(kids);
      return -1;
    }
    EXH_VEC_RESERVE(kids, cap, n + 1);
    kids[n++] = b;
  }
  int node = new_node(c, op);
  c->r->nodes[node].kids = kids;
  c->r->nodes[node].nkids = n;
  return node;
}

static int parse_and(cparse *c) { return parse_chain(c, C_AND, "and", parse_factor); }

static int parse_or(cparse *c) { return parse_chain(c, C_OR, "or", parse_and); }

typedef struct cstate {
  size_t cap, tests, work;
  int *selidx;
  size_t nselidx;
} cstate;

static int parse_condition(exh_rule *r, const char *text, cstate *cs, char *why, size_t whyn) {
  cparse c = {r, text, why, whyn, 0, cs->cap, &cs->tests, &cs->work, cs->selidx, cs->nselidx};
  size_t *cap = &cs->cap;
  int root = parse_or(&c);
  *cap = c.cap;
  if (root < 0) return -1;
  skip_ws(&c);
  if (*c.p) {
    if (*c.p == '|') snprintf(why, whyn, "aggregation expressions ('|') are not supported");
    else snprintf(why, whyn, "condition: unexpected text '%.20s'", c.p);
    return -1;
  }
  return root;
}

/* ---- literal sets for the prefilter ------------------------------------ */

/* A litset is a disjunction: one of its literals must occur. A cnf is a
 * conjunction of litsets; n == 0 means "no requirement known". */
typedef struct litset {
  exh_str *v;
  size_t n, cap;
  size_t minlen;
  double w;      /* weight of the least selective literal (ls_weight) */
  uint32_t *idx; /* past LS_SCAN literals: hash slots, literal index + 1 */
  size_t nidx;   /* slots: a power of two, at least twice n */
} litset;

typedef struct cnf {
  litset g[2 * EXH_MAX_LIT_GROUPS];
  size_t n;
} cnf;

/* Groups whose shortest literal is this short tell nothing; they are
 * dropped when the rule has another group. */
#define MIN_USEFUL_LIT 2


/* Up to this many literals a group is searched in line for duplicates;
 * past it a hash index keeps adding O(1) (a selection of 100,000 values
 * would otherwise take 5 x 10^9 comparisons). */
#define LS_SCAN 16

/* Substrings found on a large share of the lines of Exchange and IIS logs.
 * A literal inside one of them is a poor anchor for the prefilter: its
 * weight is a quarter of its length (docs/architecture.md). */
static const char *const common_tokens[] = {
    "post ", "get ", "http", " 200 ", "mozilla/5.0+(windows+nt+10.0;+win64;+x64)", "/owa/auth/logon.aspx",
    "/owa/auth/", "/owa/", "/ecp/", "/ews/exchange.asmx", "/mapi/emsmdb/", "/mapi/nspi/", "/oab/",
    "/autodiscover/autodiscover.json", "/autodiscover/autodiscover.xml", "/microsoft-server-activesync",
    "/powershell", ".aspx", ".js", ".css", "microsoft office", "microsoft+office", "exchange",
};

static double lit_weight(exh_str l) {
  for (size_t i = 0; i < sizeof common_tokens / sizeof common_tokens[0]; i++)
    if (exh__memimem(common_tokens[i], strlen(common_tokens[i]), l.p, l.n)) return (double)l.n / 4.0;
  return (double)l.n;
}

/* A group is as selective as its least selective literal (kept as
 * literals are added, so sorting groups costs nothing per literal). */
static double ls_weight(const litset *s) { return s->n ? s->w : 0; }

static uint32_t lit_hash(exh_str x) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < x.n; i++) h = (h ^ exh_lower((unsigned char)x.p[i])) * 16777619u;
  return h;
}

static int lit_eq(exh_str a, exh_str b) { return a.n == b.n && exh__strnieq(a.p, b.p, a.n); }

static void ls_reindex(litset *s) {
  size_t ns = 64;
  while (ns < 4 * s->n) ns *= 2;
  free(s->idx);
  s->idx = exh__xcalloc(ns, sizeof *s->idx);
  s->nidx = ns;
  for (size_t i = 0; i < s->n; i++) {
    size_t k = lit_hash(s->v[i]) & (ns - 1);
    while (s->idx[k]) k = (k + 1) & (ns - 1);
    s->idx[k] = (uint32_t)(i + 1);
  }
}

/* Adds a literal unless the group has it already (case-insensitively). */
static void ls_add(litset *s, exh_str x) {
  if (s->idx) {
    size_t k = lit_hash(x) & (s->nidx - 1);
    for (; s->idx[k]; k = (k + 1) & (s->nidx - 1))
      if (lit_eq(s->v[s->idx[k] - 1], x)) return;
  } else {
    for (size_t i = 0; i < s->n; i++)
      if (lit_eq(s->v[i], x)) return;
  }
  EXH_VEC_RESERVE(s->v, s->cap, s->n + 1);
  s->v[s->n++] = x;
  double w = lit_weight(x);
  if (s->n == 1 || x.n < s->minlen) s->minlen = x.n;
  if (s->n == 1 || w < s->w) s->w = w;
  if (s->n > LS_SCAN) {
    if (!s->idx || 2 * s->n > s->nidx) {
      ls_reindex(s);
    } else {
      size_t k = lit_hash(x) & (s->nidx - 1);
      while (s->idx[k]) k = (k + 1) & (s->nidx - 1);
      s->idx[k] = (uint32_t)s->n;
    }
  }
}

static void ls_free(litset *s) {
  free(s->v);
  free(s->idx);
  memset(s, 0, sizeof *s);
}

static void cnf_free(cnf *c) {
  for (size_t i = 0; i < c->n; i++) ls_free(&c->g[i]);
  c->n = 0;
}

/* Better group first: higher weight, then fewer literals. */
static int ls_better(const litset *a, const litset *b) {
  double wa = ls_weight(a), wb = ls_weight(b);
  return wa > wb || (wa == wb && a->n < b->n);
}

static void cnf_sort(cnf *c) {
  for (size_t i = 1; i < c->n; i++)
    for (size_t j = i; j > 0 && ls_better(&c->g[j], &c->g[j - 1]); j--) {
      litset t = c->g[j];
      c->g[j] = c->g[j - 1];
      c->g[j - 1] = t;
    }
}

/* Keeps at most EXH_MAX_LIT_GROUPS of the best groups (dropping a group
 * only weakens the filter, never hides a match). */
static void cnf_trim(cnf *c) {
  cnf_sort(c);
  while (c->n > EXH_MAX_LIT_GROUPS) ls_free(&c->g[--c->n]);
  while (c->n > 1 && c->g[c->n - 1].minlen < MIN_USEFUL_LIT) ls_free(&c->g[--c->n]);
}

/* AND: both conjunctions hold. */
static cnf cnf_and(cnf a, cnf b) {
  for (size_t i = 0; i < b.n; i++) {
    if (a.n == 2 * EXH_MAX_LIT_GROUPS) cnf_trim(&a);
    a.g[a.n++] = b.g[i];
  }
  cnf_trim(&a);
  return a;
}

/* OR: either holds, so the union of one group from each side is needed.
 * a's group takes b's literals: O(|b|) per union, so a chain of n values
 * costs O(n) (ls_add is O(1)). */
static cnf cnf_or(cnf a, cnf b) {
  cnf r;
  r.n = 0;
  if (a.n == 0 || b.n == 0) {
    cnf_free(&a);
    cnf_free(&b);
    return r;
  }
  cnf_sort(&a);
  cnf_sort(&b);
  litset u = a.g[0];
  a.g[0] = (litset){0};
  for (size_t i = 0; i < b.g[0].n; i++) ls_add(&u, b.g[0].v[i]);
  cnf_free(&a);
  cnf_free(&b);
  r.g[0] = u;
  r.n = 1;
  return r;
}

static cnf cnf_none(void) {
  cnf c;
  memset(&c, 0, sizeof c);
  return c;
}

/* Bytes a literal taken from a field value must avoid: CSV doubles '"';
 * W3C's full URI joins stem and query with '?' where the raw line has a
 * space; a raw space in a value never reaches the bytes of an IIS line; the
 * prefilter finds no literal across a line break (prefilter.c). */
#define RAW_AVOID "\"? \n"

/* "%00".."%FF": the escapes a decoded field's literal may hide behind. */
static const char pct_hex[] =
    "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F"
    "%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F"
    "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F"
    "%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F"
    "%40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F"
    "%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F"
    "%60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F"
    "%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F"
    "%80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F"
    "%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F"
    "%A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF"
    "%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF"
    "%C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF"
    "%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF"
    "%E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF"
    "%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF";

static exh_str pct(unsigned char c) { return (exh_str){pct_hex + 3 * c, 3}; }

/* The literal group of a value of a URL-decoded field (core/record.h): the
 * decoded value holds l only if the raw record holds l as written, or one
 * of l's bytes escaped (%HH of either ASCII case; %uXXXX as "%u"), or an
 * escape made in an earlier decoding pass, which starts with an escaped '%'
 * (%25), hex digit (%30-%39, %41-%46, %61-%66) or 'u' (%55, %75), or "%u".
 * '+' decodes to a space, which no literal holds (RAW_AVOID). Far fewer
 * lines hold one of these than hold a '%' (encoded ':' and '/' are
 * everywhere in Exchange's URLs). */
static void add_decoded_lits(litset *g, exh_str l) {
  ls_add(g, (exh_str){"%u", 2});
  ls_add(g, pct('%'));
  ls_add(g, pct('u'));
  ls_add(g, pct('U'));
  for (unsigned c = 0; c < 16; c++) ls_add(g, pct((unsigned char)"0123456789abcdef"[c]));
  for (unsigned c = 10; c < 16; c++) ls_add(g, pct((unsigned char)"0123456789ABCDEF"[c]));
  for (size_t i = 0; i < l.n; i++) {
    unsigned char c = (unsigned char)l.p[i];
    ls_add(g, pct(c));
    if (c >= 'a' && c <= 'z') ls_add(g, pct((unsigned char)(c - 32)));
    if (c >= 'A' && c <= 'Z') ls_add(g, pct((unsigned char)(c + 32)));
  }
}

static cnf matcher_lits(const matcher *m) {
  if (m->mods & MOD_IPSET) {
    /* one group: a text each address of the set leaves in any spelling of
     * it (ioc.c says which), so the prefilter stays exact */
    size_t n;
    const exh_str *l = m->vs->literals(m->vs->set, &n);
    cnf one = cnf_none();
    for (size_t i = 0; i < n; i++) ls_add(&one.g[0], l[i]);
    one.n = n ? 1 : 0;
    return one;
  }
  if (m->mods & (MOD_RE | MOD_EXISTS | MOD_CIDR | MOD_FIELDREF)) return cnf_none();
  /* a decoded virtual field's value is in the raw record as written, or
   * behind escapes the record holds (add_decoded_lits) */
  int decoded = m->fid >= 0 && exh__vf_is_decoded(m->fid);
  if (m->fid >= 0 && m->fid < EXH_VF_COUNT && m->fid != EXH_VF_RAWRECORD && !decoded) return cnf_none();
  cnf acc = cnf_none();
  int all = (m->mods & MOD_ALL) != 0;
  for (size_t i = 0; i < m->nv; i++) {
    cnf one = cnf_none();
    if (!m->is_null[i]) {
      exh_str l = exh__glob_longest_literal(&m->globs[i], RAW_AVOID);
      /* a prefix is as exact (a record holding the literal holds it), and
       * Hyperscan refuses very long literals: one 60 KB value used to make
       * the whole prefilter, and so the scan, fail */
      if (l.n > EXH_PREFILTER_MAX_LITERAL) l.n = EXH_PREFILTER_MAX_LITERAL;
      if (l.n) {
        one.g[0] = (litset){0};
        ls_add(&one.g[0], l);
        if (decoded) add_decoded_lits(&one.g[0], l);
        one.n = 1;
      }
    }
    if (i == 0) acc = one;
    else acc = all ? cnf_and(acc, one) : cnf_or(acc, one);
  }
  return acc;
}

static cnf conj_lits(const conj *c) {
  cnf acc = cnf_none();
  for (size_t i = 0; i < c->n; i++) acc = cnf_and(acc, matcher_lits(&c->m[i]));
  return acc;
}

static cnf sel_lits(const selection *s) {
  cnf acc = conj_lits(&s->alts[0]);
  for (size_t a = 1; a < s->nalts; a++) acc = cnf_or(acc, conj_lits(&s->alts[a]));
  return acc;
}

static cnf node_lits(const exh_rule *r, int ni) {
  const cnode *n = &r->nodes[ni];
  switch (n->op) {
  case C_SEL: return sel_lits(&r->sels[n->sel]);
  case C_AND: { /* recursion bounded by the tree's depth (sigma_int.h) */
    cnf acc = node_lits(r, n->kids[0]);
    for (size_t i = 1; i < n->nkids; i++) acc = cnf_and(acc, node_lits(r, n->kids[i]));
    return acc;
  }
  case C_OR: {
    cnf acc = node_lits(r, n->kids[0]);
    for (size_t i = 1; i < n->nkids; i++) acc = cnf_or(acc, node_lits(r, n->kids[i]));
    return acc;
  }
  case C_NOT: return cnf_none();
  case C_ONEOF: {
    cnf acc = sel_lits(&r->sels[n->sels[0]]);
    for (size_t i = 1; i < n->nsels; i++) acc = cnf_or(acc, sel_lits(&r->sels[n->sels[i]]));
    return acc;
  }
  case C_ALLOF: {
    cnf acc = cnf_none();
    for (size_t i = 0; i < n->nsels; i++) acc = cnf_and(acc, sel_lits(&r->sels[n->sels[i]]));
    return acc;
  }
  }
  return cnf_none();
}

/* Fields that positive parts of the condition test: shown in messages.
 * Recursion bounded by the tree's depth (sigma_int.h). */
static void collect_shown(exh_rule *r, int ni, int neg) {
  const cnode *n = &r->nodes[ni];
  switch (n->op) {
  case C_AND:
  case C_OR:
    for (size_t i = 0; i < n->nkids && r->nshown < 8; i++) collect_shown(r, n->kids[i], neg);
    return;
  case C_NOT: collect_shown(r, n->a, !neg); return;
  default: break;
  }
  if (neg) return;
  size_t ns = n->op == C_SEL ? 1 : n->nsels;
  for (size_t k = 0; k < ns; k++) {
    const selection *s = &r->sels[n->op == C_SEL ? n->sel : n->sels[k]];
    for (size_t a = 0; a < s->nalts; a++)
      for (size_t i = 0; i < s->alts[a].n; i++) {
        int fid = s->alts[a].m[i].fid;
        if (fid < EXH_VF_COUNT && !exh__vf_is_decoded(fid)) continue; /* decoded forms are worth showing */
        size_t j = 0;
        while (j < r->nshown && r->shown[j] != fid) j++;
        if (j == r->nshown && r->nshown < 8) {
          r->shown = exh__xrealloc(r->shown, (r->nshown + 1) * sizeof(int));
          r->shown[r->nshown++] = fid;
        }
      }
  }
}

/* ---- the rule ---------------------------------------------------------- */

static char *tag_cve(const char *t) {
  /* cve.2021-26855 or cve.2021.26855 -> CVE-2021-26855 */
  if (strncasecmp(t, "cve.", 4) != 0) return NULL;
  const char *p = t + 4;
  size_t pn = strnlen(p, 21); /* a tag may be an alias of a long scalar */
  if (pn < 6 || pn > 20) return NULL;
  char *c = exh__xasprintf("CVE-%s", p);
  for (char *q = c + 4; *q; q++) {
    if (*q == '.') *q = '-';
    else if (!((*q >= '0' && *q <= '9') || *q == '-')) {
      free(c);
      return NULL;
    }
  }
  return c;
}

static char *tag_technique(const char *t) {
  /* attack.t1190 / attack.t1505.003 -> T1190 / T1505.003 */
  if (strncasecmp(t, "attack.t", 8) != 0) return NULL;
  const char *p = t + 8;
  size_t n = strnlen(p, 9);
  if (n < 4 || n > 8) return NULL;
  for (size_t i = 0; i < n; i++)
    if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '.')) return NULL;
  return exh__xasprintf("T%s", p);
}

static unsigned exchange_kinds(void) {
  unsigned k = 0;
  for (int i = EXH_KIND_HTTPPROXY; i <= EXH_KIND_EXLOG_OTHER; i++) k |= 1u << i;
  return k;
}

/* Windows log sources: data, documented in docs/windows-mapping.md. */
#define CH_SYSMON "Microsoft-Windows-Sysmon/Operational"
#define CH_PS "Microsoft-Windows-PowerShell/Operational"
static const win_src W_APPLICATION = {"Application", {0}, 0};
static const win_src W_SECURITY = {"Security", {0}, 0};
static const win_src W_SYSTEM = {"System", {0}, 0};
static const win_src W_SYSMON = {CH_SYSMON, {0}, 0};
static const win_src W_PS = {CH_PS, {0}, 0};
static const win_src W_PS_CLASSIC = {"Windows PowerShell", {0}, 0};
static const win_src W_EXMGMT = {"MSExchange Management", {0}, 0};
static const win_src W_DEFENDER = {"Microsoft-Windows-Windows Defender/Operational", {0}, 0};
static const win_src W_TASKSCHED = {"Microsoft-Windows-TaskScheduler/Operational", {0}, 0};
static const win_src W_WMI = {"Microsoft-Windows-WMI-Activity/Operational", {0}, 0};
static const win_src W_PROC_SYSMON = {CH_SYSMON, {1}, 0};
static const win_src W_PROC_4688 = {"Security", {4688}, WMAP_SECURITY_4688};
static const win_src W_FILE_EVENT = {CH_SYSMON, {11}, 0};
static const win_src W_PROC_ACCESS = {CH_SYSMON, {10}, 0};
static const win_src W_IMAGE_LOAD = {CH_SYSMON, {7}, 0};
static const win_src W_NETWORK = {CH_SYSMON, {3}, 0};
static const win_src W_REG_EVENT = {CH_SYSMON, {12, 13, 14}, 0};
static const win_src W_REG_ADD = {CH_SYSMON, {12}, 0};
static const win_src W_REG_DELETE = {CH_SYSMON, {12}, 0};
static const win_src W_REG_SET = {CH_SYSMON, {13}, 0};
static const win_src W_REG_RENAME = {CH_SYSMON, {14}, 0};
static const win_src W_DNS = {CH_SYSMON, {22}, 0};
static const win_src W_PIPE = {CH_SYSMON, {17, 18}, 0};
static const win_src W_REMOTE_THREAD = {CH_SYSMON, {8}, 0};
static const win_src W_FILE_DELETE = {CH_SYSMON, {23, 26}, 0};
static const win_src W_FILE_CHANGE = {CH_SYSMON, {2}, 0};
static const win_src W_STREAM_HASH = {CH_SYSMON, {15}, 0};
static const win_src W_DRIVER = {CH_SYSMON, {6}, 0};
static const win_src W_RAW_ACCESS = {CH_SYSMON, {9}, 0};
static const win_src W_PROC_END = {CH_SYSMON, {5}, 0};
static const win_src W_WMI_EVENT = {CH_SYSMON, {19, 20, 21}, 0};
static const win_src W_SYSMON_STATUS = {CH_SYSMON, {4, 16}, 0};
static const win_src W_SYSMON_ERROR = {CH_SYSMON, {255}, 0};
static const win_src W_CLIPBOARD = {CH_SYSMON, {24}, 0};
static const win_src W_TAMPERING = {CH_SYSMON, {25}, 0};
static const win_src W_FILE_BLOCK_EXE = {CH_SYSMON, {27}, 0};
static const win_src W_FILE_BLOCK_SHRED = {CH_SYSMON, {28}, 0};
static const win_src W_FILE_EXE_DETECTED = {CH_SYSMON, {29}, 0};
static const win_src W_PS_SCRIPT = {CH_PS, {4104}, 0};
static const win_src W_PS_MODULE = {CH_PS, {4103}, 0};
static const win_src W_PS_CLASSIC_START = {"Windows PowerShell", {400}, 0};
static const win_src W_PS_CLASSIC_PROVIDER = {"Windows PowerShell", {600}, 0};
static const win_src W_PS_CLASSIC_SCRIPT = {"Windows PowerShell", {800}, 0};
static const win_src W_PS_CORE = {"PowerShellCore/Operational", {0}, 0};
static const win_src W_PS_CORE_SCRIPT = {"PowerShellCore/Operational", {4104}, 0};
static const win_src W_PS_CORE_MODULE = {"PowerShellCore/Operational", {4103}, 0};
/* category antivirus: Defender's detection events, with Sigma's generic
 * names Signature and Filename read as ThreatName and Path (SigmaHQ's
 * thor.yml windows-defender-antivirus-mapping) */
static const win_src W_ANTIVIRUS = {"Microsoft-Windows-Windows Defender/Operational",
                                    {1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017}, WMAP_ANTIVIRUS};
static const win_src W_ANTIVIRUS2 = {"Microsoft-Windows-Windows Defender/Operational", {1018, 1019, 1115, 1116},
                                     WMAP_ANTIVIRUS};

/* Every other Windows service SigmaHQ names: one channel or a few, any
 * event id (SigmaHQ's thor.yml and pySigma's windows_logsource_mapping;
 * where the two spell a channel differently both are taken, the one real
 * logs carry first). docs/windows-mapping.md lists them. */
#define WCH(id, ch) static const win_src id = {ch, {0}, 0};
WCH(W_NTLM, "Microsoft-Windows-NTLM/Operational")
WCH(W_FIREWALL_AS, "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall")
WCH(W_LDAP, "Microsoft-Windows-LDAP-Client/Debug")
WCH(W_LSA_SERVER, "Microsoft-Windows-LSA/Operational")
WCH(W_OPENSSH, "OpenSSH/Operational")
WCH(W_MITIGATIONS_K, "Microsoft-Windows-Security-Mitigations/Kernel Mode")
WCH(W_MITIGATIONS_U, "Microsoft-Windows-Security-Mitigations/User Mode")
WCH(W_SMBCLIENT_SECURITY, "Microsoft-Windows-SmbClient/Security")
WCH(W_SMBCLIENT_CONNECTIVITY, "Microsoft-Windows-SmbClient/Connectivity")
WCH(W_SMBSERVER_CONNECTIVITY, "Microsoft-Windows-SMBServer/Connectivity")
WCH(W_SHELL_CORE, "Microsoft-Windows-Shell-Core/Operational")
WCH(W_TS_LSM, "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational")
WCH(W_BITS_CLIENT, "Microsoft-Windows-Bits-Client/Operational")
WCH(W_DNS_SERVER, "DNS Server")
WCH(W_DNS_SERVER_AUDIT, "Microsoft-Windows-DNSServer/Audit")
WCH(W_DNS_SERVER_AUDIT2, "Microsoft-Windows-DNS-Server/Audit")
WCH(W_DNS_SERVER_ANALYTIC, "Microsoft-Windows-DNSServer/Analytical")
WCH(W_DNS_SERVER_ANALYTIC2, "Microsoft-Windows-DNS-Server/Analytical")
WCH(W_DNS_CLIENT, "Microsoft-Windows-DNS Client Events/Operational")
WCH(W_CAPI2, "Microsoft-Windows-CAPI2/Operational")
WCH(W_CODEINTEGRITY, "Microsoft-Windows-CodeIntegrity/Operational")
WCH(W_APPX_DEPLOYMENT_SERVER, "Microsoft-Windows-AppXDeploymentServer/Operational")
WCH(W_APPX_PACKAGING, "Microsoft-Windows-AppxPackaging/Operational")
WCH(W_APPMODEL_RUNTIME, "Microsoft-Windows-AppModel-Runtime/Admin")
WCH(W_APPLOCKER_MSI, "Microsoft-Windows-AppLocker/MSI and Script")
WCH(W_APPLOCKER_EXE, "Microsoft-Windows-AppLocker/EXE and DLL")
WCH(W_APPLOCKER_PKG_DEPLOY, "Microsoft-Windows-AppLocker/Packaged app-Deployment")
WCH(W_APPLOCKER_PKG_EXEC, "Microsoft-Windows-AppLocker/Packaged app-Execution")
WCH(W_IIS_CONFIGURATION, "Microsoft-IIS-Configuration/Operational")
WCH(W_PRINT_ADMIN, "Microsoft-Windows-PrintService/Admin")
WCH(W_PRINT_OPERATIONAL, "Microsoft-Windows-PrintService/Operational")
WCH(W_SERVICEBUS, "Microsoft-ServiceBus-Client")
WCH(W_SERVICEBUS_ADMIN, "Microsoft-ServiceBus-Client/Admin")
WCH(W_SERVICEBUS_OPERATIONAL, "Microsoft-ServiceBus-Client/Operational")
WCH(W_DRIVER_FRAMEWORK, "Microsoft-Windows-DriverFrameworks-UserMode/Operational")
WCH(W_DIAGNOSIS_SCRIPTED, "Microsoft-Windows-Diagnosis-Scripted/Operational")
WCH(W_CERT_LIFECYCLE_SYSTEM, "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational")
WCH(W_DHCP, "Microsoft-Windows-DHCP-Server/Operational")
WCH(W_BITLOCKER, "Microsoft-Windows-BitLocker/BitLocker Management")
WCH(W_VHDMP, "Microsoft-Windows-VHDMP/Operational")
WCH(W_SHIMENGINE_OP, "Microsoft-Windows-Kernel-ShimEngine/Operational")
WCH(W_SHIMENGINE_DIAG, "Microsoft-Windows-Kernel-ShimEngine/Diagnostic")
WCH(W_APPEXP_TELEMETRY, "Microsoft-Windows-Application-Experience/Program-Telemetry")
WCH(W_APPEXP_PCA, "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant")
WCH(W_NTFS, "Microsoft-Windows-Ntfs/Operational")
WCH(W_HYPERV_WORKER, "Microsoft-Windows-Hyper-V-Worker-Admin")
WCH(W_HYPERV_WORKER2, "Microsoft-Windows-Hyper-V-Worker")
WCH(W_KERNEL_EVENT_TRACING, "Microsoft-Windows-Kernel-EventTracing/Admin")
WCH(W_KERNEL_EVENT_TRACING2, "Microsoft-Windows-Kernel-EventTracing")
WCH(W_SENSE, "Microsoft-Windows-SENSE/Operational")
#undef WCH

#define WIN_SRC_MAX 4
static const struct {
  const char *name;
  const win_src *src[WIN_SRC_MAX];
} win_services[] = {
    {"application", {&W_APPLICATION}},   {"security", {&W_SECURITY}},
    {"system", {&W_SYSTEM}},             {"sysmon", {&W_SYSMON}},
    {"powershell", {&W_PS, &W_PS_CORE}}, {"powershell-classic", {&W_PS_CLASSIC}},
    {"msexchange-management", {&W_EXMGMT}}, {"windefend", {&W_DEFENDER}},
    {"taskscheduler", {&W_TASKSCHED}},   {"wmi", {&W_WMI}},
    {"ntlm", {&W_NTLM}},
    {"firewall-as", {&W_FIREWALL_AS}},
    {"ldap", {&W_LDAP}},
    {"ldap_debug", {&W_LDAP}},
    {"lsa-server", {&W_LSA_SERVER}},
    {"openssh", {&W_OPENSSH}},
    {"security-mitigations", {&W_MITIGATIONS_K, &W_MITIGATIONS_U}},
    {"smbclient-security", {&W_SMBCLIENT_SECURITY}},
    {"smbclient-connectivity", {&W_SMBCLIENT_CONNECTIVITY}},
    {"smbserver-connectivity", {&W_SMBSERVER_CONNECTIVITY}},
    {"shell-core", {&W_SHELL_CORE}},
    {"terminalservices-localsessionmanager", {&W_TS_LSM}},
    {"bits-client", {&W_BITS_CLIENT}},
    {"dns-server", {&W_DNS_SERVER}},
    {"dns-server-audit", {&W_DNS_SERVER_AUDIT, &W_DNS_SERVER_AUDIT2}},
    {"dns-server-analytic", {&W_DNS_SERVER_ANALYTIC, &W_DNS_SERVER_ANALYTIC2}},
    {"dns-client", {&W_DNS_CLIENT}},
    {"capi2", {&W_CAPI2}},
    {"codeintegrity-operational", {&W_CODEINTEGRITY}},
    {"appxdeployment-server", {&W_APPX_DEPLOYMENT_SERVER}},
    {"appxpackaging-om", {&W_APPX_PACKAGING}},
    {"appmodel-runtime", {&W_APPMODEL_RUNTIME}},
    {"applocker", {&W_APPLOCKER_MSI, &W_APPLOCKER_EXE, &W_APPLOCKER_PKG_DEPLOY, &W_APPLOCKER_PKG_EXEC}},
    {"iis-configuration", {&W_IIS_CONFIGURATION}},
    {"printservice-admin", {&W_PRINT_ADMIN}},
    {"printservice-operational", {&W_PRINT_OPERATIONAL}},
    {"microsoft-servicebus-client", {&W_SERVICEBUS, &W_SERVICEBUS_ADMIN, &W_SERVICEBUS_OPERATIONAL}},
    {"servicebus-client", {&W_SERVICEBUS, &W_SERVICEBUS_ADMIN, &W_SERVICEBUS_OPERATIONAL}},
    {"driver-framework", {&W_DRIVER_FRAMEWORK}},
    {"diagnosis-scripted", {&W_DIAGNOSIS_SCRIPTED}},
    {"certificateservicesclient-lifecycle-system", {&W_CERT_LIFECYCLE_SYSTEM}},
    {"dhcp", {&W_DHCP}},
    {"bitlocker", {&W_BITLOCKER}},
    {"vhdmp", {&W_VHDMP}},
    {"kernel-shimengine", {&W_SHIMENGINE_OP, &W_SHIMENGINE_DIAG}},
    {"application-experience", {&W_APPEXP_TELEMETRY, &W_APPEXP_PCA}},
    {"ntfs", {&W_NTFS}},
    {"hyper-v-worker", {&W_HYPERV_WORKER, &W_HYPERV_WORKER2}},
    {"kernel-event-tracing", {&W_KERNEL_EVENT_TRACING, &W_KERNEL_EVENT_TRACING2}},
    {"sense", {&W_SENSE}},
}, win_categories[] = {
    {"process_creation", {&W_PROC_SYSMON, &W_PROC_4688}},
    {"file_event", {&W_FILE_EVENT}},
    {"process_access", {&W_PROC_ACCESS}},
    {"image_load", {&W_IMAGE_LOAD}},
    {"network_connection", {&W_NETWORK}},
    {"registry_event", {&W_REG_EVENT}},
    {"registry_add", {&W_REG_ADD}},
    {"registry_delete", {&W_REG_DELETE}},
    {"registry_set", {&W_REG_SET}},
    {"registry_rename", {&W_REG_RENAME}},
    {"dns_query", {&W_DNS}},
    {"pipe_created", {&W_PIPE}},
    {"create_remote_thread", {&W_REMOTE_THREAD}},
    {"file_delete", {&W_FILE_DELETE}},
    {"file_change", {&W_FILE_CHANGE}},
    {"create_stream_hash", {&W_STREAM_HASH}},
    {"driver_load", {&W_DRIVER}},
    {"raw_access_thread", {&W_RAW_ACCESS}},
    {"process_termination", {&W_PROC_END}},
    {"wmi_event", {&W_WMI_EVENT}},
    {"sysmon_status", {&W_SYSMON_STATUS}},
    {"sysmon_error", {&W_SYSMON_ERROR}},
    {"clipboard_capture", {&W_CLIPBOARD}},
    {"process_tampering", {&W_TAMPERING}},
    {"file_block_executable", {&W_FILE_BLOCK_EXE}},
    {"file_block_shredding", {&W_FILE_BLOCK_SHRED}},
    {"file_executable_detected", {&W_FILE_EXE_DETECTED}},
    {"ps_script", {&W_PS_SCRIPT, &W_PS_CORE_SCRIPT}},
    {"ps_module", {&W_PS_MODULE, &W_PS_CORE_MODULE}},
    {"ps_classic_start", {&W_PS_CLASSIC_START}},
    {"ps_classic_provider_start", {&W_PS_CLASSIC_PROVIDER}},
    {"ps_classic_script", {&W_PS_CLASSIC_SCRIPT}},
    {"antivirus", {&W_ANTIVIRUS, &W_ANTIVIRUS2}},
};

int exh__rule_windows_accepts(const exh_rule *r, exh_str channel, unsigned eventid, int *map) {
  *map = WMAP_NONE;
  if (r->nwsrc == 0) return 1;
  for (size_t i = 0; i < r->nwsrc; i++) {
    const win_src *w = r->wsrc[i];
    if (w->channel && !exh__strieq(channel, w->channel)) continue;
    if (w->eids[0]) {
      size_t k = 0;
      while (k < 8 && w->eids[k] && w->eids[k] != eventid) k++;
      if (k == 8 || !w->eids[k]) continue;
    }
    *map = w->map;
    return 1;
  }
  return 0;
}

/* product windows: a service (its channels), a category (channels and
 * event ids, perhaps a field mapping), or neither: every Windows event
 * (keyword rules such as SigmaHQ's Mimikatz Use). */
static int windows_logsource(exh_rule *r, const char *s, const char *c) {
  if (!s[0] && !c[0]) {
    r->nwsrc = 0;
    return 0;
  }
  for (size_t i = 0; s[0] && i < sizeof win_services / sizeof win_services[0]; i++)
    if (!strcasecmp(s, win_services[i].name)) {
      if (c[0]) return -1;
      for (size_t k = 0; k < WIN_SRC_MAX && win_services[i].src[k]; k++) r->wsrc[r->nwsrc++] = win_services[i].src[k];
      return 0;
    }
  for (size_t i = 0; c[0] && !s[0] && i < sizeof win_categories / sizeof win_categories[0]; i++)
    if (!strcasecmp(c, win_categories[i].name)) {
      for (size_t k = 0; k < WIN_SRC_MAX && win_categories[i].src[k]; k++)
        r->wsrc[r->nwsrc++] = win_categories[i].src[k];
      return 0;
    }
  return -1;
}

static int logsource_kinds(exh_rule *r, yaml_document_t *d, yaml_node_t *ls, unsigned *kinds, const char **dataset,
                           char *why, size_t whyn) {
  if (!ls || ls->type != YAML_MAPPING_NODE) {
    snprintf(why, whyn, "no logsource");
    return -1;
  }
  yaml_node_t *prod = map_get(d, ls, "product"), *svc = map_get(d, ls, "service"),
              *cat = map_get(d, ls, "category");
  const char *p = is_scalar(prod) ? sval(prod) : "";
  const char *s = is_scalar(svc) ? sval(svc) : "";
  const char *c = is_scalar(cat) ? sval(cat) : "";
  if (!strcasecmp(p, "exchange") && !c[0]) {
    if (!s[0]) {
      *kinds = exchange_kinds();
      *dataset = "exchange";
      return 0;
    }
    exh_kind k = exh__kind_from_service(s);
    if (k != EXH_KIND_NONE && k <= EXH_KIND_EXLOG_OTHER) {
      *kinds = 1u << k;
      *dataset = exh__kind_dataset(k);
      return 0;
    }
  }
  if (!strcasecmp(c, "webserver") && (!p[0] || !strcasecmp(p, "windows") || !strcasecmp(p, "iis")) && !s[0]) {
    *kinds = (1u << EXH_KIND_IIS) | (1u << EXH_KIND_HTTPERR);
    *dataset = "iis.access";
    return 0;
  }
  if (!strcasecmp(p, "windows") && !strcasecmp(s, "iis") && !c[0]) {
    *kinds = (1u << EXH_KIND_IIS) | (1u << EXH_KIND_HTTPERR);
    *dataset = "iis.access";
    return 0;
  }
  /* antivirus has no product in SigmaHQ: on Windows, Defender's detections */
  if ((!strcasecmp(p, "windows") || (!p[0] && !s[0] && !strcasecmp(c, "antivirus"))) &&
      windows_logsource(r, s, c) == 0) {
    *kinds = 1u << EXH_KIND_EVTX;
    *dataset = "windows.evtx";
    return 0;
  }
  snprintf(why, whyn, "unsupported log source (product: %.40s, service: %.40s, category: %.40s)",
           p[0] ? p : "-", s[0] ? s : "-", c[0] ? c : "-");
  return -1;
}

void exh__sigma_rule_free(exh_rule *r) {
  if (!r) return;
  free(r->id);
  free(r->title);
  free(r->desc);
  free(r->source);
  for (size_t i = 0; i < r->info.ncves; i++) free(r->cves[i]);
  for (size_t i = 0; i < r->info.ntechniques; i++) free(r->techs[i]);
  free(r->cves);
  free(r->techs);
  for (size_t i = 0; i < r->nsels; i++) sel_free(&r->sels[i]);
  free(r->sels);
  for (size_t i = 0; i < r->nnodes; i++) {
    free(r->nodes[i].sels);
    free(r->nodes[i].kids);
  }
  free(r->nodes);
  for (size_t i = 0; i < r->ngroups; i++) free(r->groups[i].lits);
  free(r->shown);
  free(r);
}

exh_rule *exh__sigma_compile_doc(exh_ruleset *rs, void *yaml_doc, const char *source, char *why,
                                size_t whyn) {
  yaml_document_t *d = yaml_doc;
  yaml_node_t *root = yaml_document_get_root_node(d);
  exh_rule *r = exh__xcalloc(1, sizeof *r);
  cstate cs = {0, 0, 0, NULL, 0};
  exh__ruleset_rule_begin(rs); /* this rule's value bytes and regexes start at 0 */
  r->source = exh__xstrdup(source);
  if (!root || root->type != YAML_MAPPING_NODE) FAIL("document is not a map");
  r->title = map_str(d, root, "title");
  r->id = map_str(d, root, "id");
  r->desc = map_str(d, root, "description");
  if (!r->title) FAIL("no title");
  if (map_get(d, root, "action")) FAIL("rule collections ('action:') are not supported");
  if (map_get(d, root, "correlation")) FAIL("correlation rules are not supported");
  if (!r->id) r->id = exh__xstrdup(r->title);
  yaml_node_t *lv = map_get(d, root, "level");
  r->info.level = EXH_LEVEL_MEDIUM;
  if (is_scalar(lv) && exh_level_parse(sval(lv), &r->info.level)) FAIL("unknown level '%.30s'", sval(lv));
  const char *dataset = "exchange";
  if (logsource_kinds(r, d, map_get(d, root, "logsource"), &r->kinds, &dataset, why, whyn)) goto fail;
  yaml_node_t *tags = map_get(d, root, "tags");
  if (tags && tags->type == YAML_SEQUENCE_NODE) {
    size_t cnt = (size_t)(tags->data.sequence.items.top - tags->data.sequence.items.start);
    r->cves = exh__xcalloc(cnt + 1, sizeof(char *));
    r->techs = exh__xcalloc(cnt + 1, sizeof(char *));
    for (yaml_node_item_t *it = tags->data.sequence.items.start; it < tags->data.sequence.items.top; it++) {
      yaml_node_t *t = node(d, *it);
      if (!is_scalar(t)) continue;
      char *x;
      if ((x = tag_cve(sval(t)))) r->cves[r->info.ncves++] = x;
      else if ((x = tag_technique(sval(t)))) r->techs[r->info.ntechniques++] = x;
    }
  }
  yaml_node_t *det = map_get(d, root, "detection");
  if (!det || det->type != YAML_MAPPING_NODE) FAIL("no detection map");
  yaml_node_t *cond = NULL;
  size_t cnt = (size_t)(det->data.mapping.pairs.top - det->data.mapping.pairs.start);
  r->sels = exh__xcalloc(cnt ? cnt : 1, sizeof *r->sels);
  for (yaml_node_pair_t *p = det->data.mapping.pairs.start; p < det->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(d, p->key), *v = node(d, p->value);
    if (!is_scalar(k) || !v) FAIL("bad detection key");
    if (!strcmp(sval(k), "condition")) {
      cond = v;
      continue;
    }
    if (!strcmp(sval(k), "timeframe")) FAIL("'timeframe' (aggregation) is not supported");
    selection *s = &r->sels[r->nsels++];
    s->name = exh__xstrdup(sval(k));
    if (build_selection(rs, d, s, v, why, whyn)) goto fail;
  }
  if (!cond) FAIL("no condition");
  if (r->nsels == 0) FAIL("no selections");
  for (size_t i = 0; i < r->nsels; i++) {
    r->nvalues += r->sels[i].nvals;
    for (size_t a = 0; a < r->sels[i].nalts; a++)
      for (size_t j = 0; j < r->sels[i].alts[a].n; j++)
        if (r->sels[i].alts[a].m[j].mods & MOD_RE) r->nregex += r->sels[i].alts[a].m[j].nv;
  }
  r->nbytes = *exh__ruleset_rule_bytes(rs);
  cs.selidx = sel_index(r, &cs.nselidx);
  if (is_scalar(cond)) {
    r->root = parse_condition(r, sval(cond), &cs, why, whyn);
    if (r->root < 0) goto fail;
  } else if (cond->type == YAML_SEQUENCE_NODE) {
    /* A list of conditions: the rule fires when any of them holds (one
     * n-ary 'or' over them). */
    size_t nc = (size_t)(cond->data.sequence.items.top - cond->data.sequence.items.start);
    if (nc == 0) FAIL("empty condition list");
    int *kids = exh__xcalloc(nc, sizeof *kids);
    size_t k = 0;
    for (yaml_node_item_t *it = cond->data.sequence.items.start; it < cond->data.sequence.items.top; it++) {
      yaml_node_t *cn = node(d, *it);
      int n = is_scalar(cn) ? parse_condition(r, sval(cn), &cs, why, whyn) : -1;
      if (n < 0) {
        free(kids);
        if (!is_scalar(cn)) FAIL("condition list holds a non-string");
        goto fail;
      }
      kids[k++] = n;
    }
    if (k == 1) {
      r->root = kids[0];
      free(kids);
    } else {
      cparse c = {r, "", why, whyn, 0, cs.cap, &cs.tests, &cs.work, cs.selidx, cs.nselidx};
      r->root = new_node(&c, C_OR);
      cs.cap = c.cap;
      r->nodes[r->root].kids = kids;
      r->nodes[r->root].nkids = k;
    }
  } else {
    FAIL("condition is not a string");
  }
  cnf lits = node_lits(r, r->root);
  cnf_trim(&lits);
  /* groups after the anchor are searched on every candidate line: a big
   * one is dropped (which only weakens the filter) */
  while (lits.n > 1 && lits.g[lits.n - 1].n > EXH_SIGMA_MAX_VERIFY_LITERALS) ls_free(&lits.g[--lits.n]);
  for (size_t i = 1; i + 1 < lits.n; i++)
    if (lits.g[i].n > EXH_SIGMA_MAX_VERIFY_LITERALS) {
      ls_free(&lits.g[i]);
      memmove(&lits.g[i], &lits.g[i + 1], (lits.n - i - 1) * sizeof lits.g[0]);
      lits.n--, i--;
    }
  for (size_t i = 0; i < lits.n; i++) {
    free(lits.g[i].idx);
    r->groups[i] = (exh_rule_lits){lits.g[i].v, lits.g[i].n};
  }
  r->ngroups = lits.n;
  collect_shown(r, r->root, 0);
  free(cs.selidx);
  r->info.id = r->id;
  r->info.title = r->title;
  r->info.description = r->desc ? r->desc : "";
  r->info.source = r->source;
  r->info.dataset = dataset;
  r->info.cves = (const char *const *)r->cves;
  r->info.techniques = (const char *const *)r->techs;
  exh__rule_index_build(r);
  return r;
fail:
  free(cs.selidx);
  exh__sigma_rule_free(r);
  return NULL;
}

const exh_rule_info *exh__rule_info_of(const exh_rule *r) { return &r->info; }
int exh__rule_applies(const exh_rule *r, exh_kind k) { return (r->kinds >> k) & 1u; }
int exh__rule_verify_groups(const exh_rule *r, const char *p, size_t n) {
  int pct = -1; /* does the line hold a '%'? The escapes of decoded fields' groups
                   (add_decoded_lits) all start with one: asked once, not per escape */
  for (size_t g = 1; g < r->ngroups; g++) {
    size_t k = 0;
    for (; k < r->groups[g].n; k++) {
      const exh_str *l = &r->groups[g].lits[k];
      if (l->n && l->p[0] == '%') {
        if (pct < 0) pct = memchr(p, '%', n) != NULL;
        if (!pct) continue;
      }
      if (exh__memimem(p, n, l->p, l->n)) break;
    }
    if (k == r->groups[g].n) return 0;
  }
  return 1;
}

static int lit_icmp(const void *a, const void *b) {
  const exh_str *x = a, *y = b;
  size_t n = x->n < y->n ? x->n : y->n;
  for (size_t i = 0; i < n; i++) {
    int c = (int)exh_lower((unsigned char)x->p[i]) - (int)exh_lower((unsigned char)y->p[i]);
    if (c) return c;
  }
  return (x->n > y->n) - (x->n < y->n);
}

/* Literals of v cut to at most len bytes, sorted, repeats dropped (in
 * place); the count left. */
static size_t cut_unique(exh_str *v, size_t n, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (v[i].n > len) v[i].n = len;
  qsort(v, n, sizeof *v, lit_icmp);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!k || lit_icmp(&v[k - 1], &v[i])) v[k++] = v[i];
  return k;
}

size_t exh__rule_coarsen_anchor(exh_rule *r, size_t max) {
  if (!r->ngroups || r->groups[0].n <= max || max == 0) return r->ngroups ? r->groups[0].n : 0;
  exh_rule_lits *g = &r->groups[0];
  size_t longest = 0;
  for (size_t i = 0; i < g->n; i++)
    if (g->lits[i].n > longest) longest = g->lits[i].n;
  /* the longest cut that leaves at most max literals: fewer distinct
   * literals as the cut shortens, so a bisection finds it */
  exh_str *tmp = exh__xmalloc(g->n * sizeof *tmp);
  size_t lo = 1, hi = longest;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    memcpy(tmp, g->lits, g->n * sizeof *tmp);
    if (cut_unique(tmp, g->n, mid) <= max) lo = mid;
    else hi = mid - 1;
  }
  free(tmp);
  g->n = cut_unique(g->lits, g->n, lo);
  /* another group may be the better anchor now */
  double wa = 1e9;
  for (size_t i = 0; i < g->n; i++) {
    double w = lit_weight(g->lits[i]);
    if (w < wa) wa = w;
  }
  size_t best = 0;
  for (size_t k = 1; k < r->ngroups; k++) {
    if (r->groups[k].n > max) continue;
    double w = 1e9;
    for (size_t i = 0; i < r->groups[k].n; i++) {
      double x = lit_weight(r->groups[k].lits[i]);
      if (x < w) w = x;
    }
    if (w > wa) wa = w, best = k;
  }
  if (best) {
    exh_rule_lits t = r->groups[0];
    r->groups[0] = r->groups[best];
    r->groups[best] = t;
  }
  return r->groups[0].n;
}

const exh_rule_lits *exh__rule_literal_groups(const exh_rule *r, size_t *n) {
  *n = r->ngroups;
  return r->ngroups ? r->groups : NULL;
}
const int *exh__rule_shown_fields(const exh_rule *r, size_t *n) {
  *n = r->nshown;
  return r->shown;
}

int exh__rule_reads_channel(const exh_rule *r, exh_str channel) {
  if (r->nwsrc == 0) return 1;
  for (size_t k = 0; k < r->nwsrc; k++)
    if (!r->wsrc[k]->channel || exh__strieq(channel, r->wsrc[k]->channel)) return 1;
  return 0;
}

/* The Windows log sources by number, for the rule cache (cache.c), which
 * stores a rule's as numbers: every one a service or category names, in
 * the tables' order; NULL for an empty slot or past the end (*count). */
const win_src *exh__sigma_win_src(size_t i, size_t *count) {
  size_t ns = sizeof win_services / sizeof win_services[0], nc = sizeof win_categories / sizeof win_categories[0];
  *count = (ns + nc) * WIN_SRC_MAX;
  if (i >= *count) return NULL;
  size_t e = i / WIN_SRC_MAX, k = i % WIN_SRC_MAX;
  return e < ns ? win_services[e].src[k] : win_categories[e - ns].src[k];
}
