/* IOC sets and baselines (see ioc.h for the forms read and the storage).
 *
 * Everything is O(1) per indicator: records are appended during the load,
 * the hash indexes are built once by finish, and strings that repeat
 * (sources, descriptions, baseline paths, builds and extensions) are
 * interned. Hashes are seeded per set, so a list crafted to collide does
 * not turn the indexes quadratic. */
#include "ioc.h"

#ifdef _WIN32
#include <ws2tcpip.h> /* inet_pton (mingw-w64, Vista and later) */
#else
#include <arpa/inet.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../core/json.h"

static const char *const type_names[EXH_IOC_NTYPES] = {"sha256", "sha1", "md5", "path", "name", "ip"};

const char *exh__ioc_type_name(exh_ioc_type t) { return (unsigned)t < EXH_IOC_NTYPES ? type_names[t] : "?"; }


/* ---- hashing -------------------------------------------------------------- */

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

static uint64_t hash_bytes(uint64_t seed, const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
  for (; n >= 8; b += 8, n -= 8) {
    uint64_t w;
    memcpy(&w, b, 8);
    h = mix64(h ^ w);
  }
  uint64_t w = 0;
  memcpy(&w, b, n);
  return mix64(h ^ w ^ 0x5bd1e995u);
}

static uint64_t new_seed(void *salt) {
  return mix64((uint64_t)exh__now_ms() ^ (uint64_t)(uintptr_t)salt ^ 0x243F6A8885A308D3ull);
}

static size_t pow2_at_least(size_t n) {
  size_t c = 16;
  while (c < n) c *= 2;
  return c;
}

/* ---- interned strings ----------------------------------------------------- */

/* Strings by id: bytes in one arena (NUL-terminated), offs[id] their start,
 * slots an open-addressing index (id + 1, 0 empty). Id 0 is "". */
typedef struct strtab {
  char *p;
  size_t n, cap;
  uint32_t *offs;
  size_t count, capoffs;
  uint32_t *slot;
  size_t nslot;
  uint64_t seed;
} strtab;

static const char *st_str(const strtab *t, uint32_t id) { return t->p + t->offs[id]; }

static void st_index(strtab *t, uint32_t id) {
  const char *s = st_str(t, id);
  size_t mask = t->nslot - 1;
  size_t k = hash_bytes(t->seed, s, strlen(s)) & mask;
  while (t->slot[k]) k = (k + 1) & mask;
  t->slot[k] = id + 1;
}

static void st_reindex(strtab *t) {
  free(t->slot);
  t->nslot = pow2_at_least(4 * t->count);
  t->slot = exh__xcalloc(t->nslot, sizeof *t->slot);
  for (uint32_t i = 0; i < t->count; i++) st_index(t, i);
}

static void st_init(strtab *t, uint64_t seed) {
  memset(t, 0, sizeof *t);
  t->seed = seed;
  EXH_VEC_RESERVE(t->p, t->cap, 1);
  t->p[t->n++] = 0;
  EXH_VEC_RESERVE(t->offs, t->capoffs, 1);
  t->offs[t->count++] = 0;
  st_reindex(t);
}

static void st_free(strtab *t) {
  free(t->p);
  free(t->offs);
  free(t->slot);
  memset(t, 0, sizeof *t);
}

/* The id of s, or (uint32_t)-1. */
static uint32_t st_find(const strtab *t, const char *s, size_t n) {
  if (!t->nslot) return (uint32_t)-1;
  size_t mask = t->nslot - 1;
  for (size_t k = hash_bytes(t->seed, s, n) & mask; t->slot[k]; k = (k + 1) & mask) {
    const char *x = st_str(t, t->slot[k] - 1);
    if (!strncmp(x, s, n) && x[n] == 0) return t->slot[k] - 1;
  }
  return (uint32_t)-1;
}

/* The id of s (a NUL inside ends it), added if new. */
static uint32_t st_intern(strtab *t, const char *s, size_t n) {
  const char *z = memchr(s, 0, n);
  if (z) n = (size_t)(z - s);
  if (n == 0) return 0;
  uint32_t id = st_find(t, s, n);
  if (id != (uint32_t)-1) return id;
  EXH_VEC_RESERVE(t->p, t->cap, t->n + n + 1);
  memcpy(t->p + t->n, s, n);
  t->p[t->n + n] = 0;
  EXH_VEC_RESERVE(t->offs, t->capoffs, t->count + 1);
  t->offs[t->count] = (uint32_t)t->n;
  t->n += n + 1;
  id = (uint32_t)t->count++;
  if (2 * t->count > t->nslot) st_reindex(t);
  else st_index(t, id);
  return id;
}

/* Takes back every string added after `count` strings. */
static void st_truncate(strtab *t, size_t count) {
  if (count >= t->count) return;
  t->n = t->offs[count];
  t->count = count;
  st_reindex(t);
}

/* ---- the set -------------------------------------------------------------- */

/* One indicator. Hash types keep the digest (the value text is rebuilt
 * from it), addresses their 16 bytes (IPv4 mapped) and the text as given,
 * paths and names the normalised text. */
typedef struct irec {
  uint32_t val;   /* offset of the value text in the set's value arena (not for hashes) */
  uint32_t src;   /* interned source */
  uint32_t line;  /* line of the source, 0: the source alone is the reference */
  uint32_t label; /* interned description, 0: none */
  uint32_t next;  /* paths: next record with the same name (index + 1) */
} irec;

static const size_t key_len[EXH_IOC_NTYPES] = {32, 20, 16, 0, 0, 16};

struct exh_iocset {
  uint64_t seed;
  strtab strs;          /* sources and descriptions */
  char *vals;           /* value texts (paths, names, addresses) */
  size_t nvals, capvals;
  irec *rec[EXH_IOC_NTYPES];
  size_t n[EXH_IOC_NTYPES], cap[EXH_IOC_NTYPES];
  uint8_t *key[EXH_IOC_NTYPES]; /* n x key_len bytes */
  size_t capkey[EXH_IOC_NTYPES];
  uint32_t *slot[EXH_IOC_NTYPES]; /* after finish: record index + 1 */
  size_t nslot[EXH_IOC_NTYPES];
  size_t total;
  int finished;
  exh_str *iplits; /* after finish: prefilter literals of the addresses */
  size_t niplits;
  char *iplit_text;
};

exh_iocset *exh__iocset_new(void) {
  exh_iocset *s = exh__xcalloc(1, sizeof(exh_iocset));
  s->seed = new_seed(s);
  st_init(&s->strs, s->seed);
  EXH_VEC_RESERVE(s->vals, s->capvals, 1);
  s->vals[s->nvals++] = 0;
  return s;
}

void exh__iocset_free(exh_iocset *s) {
  if (!s) return;
  st_free(&s->strs);
  free(s->vals);
  for (int t = 0; t < EXH_IOC_NTYPES; t++) {
    free(s->rec[t]);
    free(s->key[t]);
    free(s->slot[t]);
  }
  free(s->iplits);
  free(s->iplit_text);
  free(s);
}

/* Rollback marks: a load that fails takes back what it added. */
typedef struct iocmark {
  size_t n[EXH_IOC_NTYPES], nvals, nstrs, total;
} iocmark;

static void mark_take(const exh_iocset *s, iocmark *m) {
  for (int t = 0; t < EXH_IOC_NTYPES; t++) m->n[t] = s->n[t];
  m->nvals = s->nvals;
  m->nstrs = s->strs.count;
  m->total = s->total;
}

static void mark_rollback(exh_iocset *s, const iocmark *m) {
  for (int t = 0; t < EXH_IOC_NTYPES; t++) s->n[t] = m->n[t];
  s->nvals = m->nvals;
  st_truncate(&s->strs, m->nstrs);
  s->total = m->total;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 32;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses an address (dotted IPv4, IPv6, optionally "[v6]:port" or
 * "v4:port", a zone id dropped) into 16 bytes, IPv4 mapped. 0 on success. */
static int parse_ip(const char *p, size_t n, uint8_t out[16]) {
  char b[64];
  exh_str s = exh__trim((exh_str){p, n});
  if (s.n == 0 || s.n >= sizeof b) return -1;
  memcpy(b, s.p, s.n);
  b[s.n] = 0;
  if (memchr(b, 0, s.n)) return -1;
  char *q = b;
  if (*q == '[') {
    char *e = strchr(q, ']');
    if (!e) return -1;
    *e = 0;
    q++;
  }
  char *pct = strchr(q, '%'); /* zone id */
  if (pct) *pct = 0;
  memset(out, 0, 16);
  if (inet_pton(AF_INET, q, out + 12) == 1) {
    out[10] = out[11] = 0xFF;
    return 0;
  }
  if (inet_pton(AF_INET6, q, out) == 1) return 0;
  char *c = strchr(q, ':'); /* v4:port */
  if (c && !strchr(c + 1, ':')) {
    *c = 0;
    if (inet_pton(AF_INET, q, out + 12) == 1) {
      out[10] = out[11] = 0xFF;
      return 0;
    }
  }
  return -1;
}

static int is_v4(const uint8_t k[16]) {
  static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return !memcmp(k, pre, 12);
}

/* ::/96 (unspecified, loopback, the deprecated IPv4-compatible form): no
 * spelling of these has a text the prefilter could key on, and none is an
 * attacker's address. */
static int is_v6_unusable(const uint8_t k[16]) {
  static const uint8_t z[12] = {0};
  return !memcmp(k, z, 12);
}

void exh__path_normalise(const char *in, char *out, size_t outn, int builds) {
  size_t o = 0;
  const char *p = in;
  /* drive "c:" and leading separators */
  if (((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':') p += 2;
  while (*p == '/' || *p == '\\') p++;
  while (*p && o + 1 < outn) {
    const char *s = p;
    while (*p && *p != '/' && *p != '\\') p++;
    size_t cn = (size_t)(p - s);
    int isbuild = 0;
    if (builds && cn >= 5) {
      int dots = 0, ok = 1;
      for (size_t i = 0; i < cn; i++) {
        if (s[i] == '.') dots++;
        else if (s[i] < '0' || s[i] > '9') ok = 0;
      }
      isbuild = ok && dots >= 2 && dots <= 3 && s[0] != '.' && s[cn - 1] != '.';
    }
    if (isbuild) {
      s = "version";
      cn = 7;
    }
    for (size_t i = 0; i < cn && o + 1 < outn; i++) out[o++] = (char)exh_lower((unsigned char)s[i]);
    while (*p == '/' || *p == '\\') p++;
    if (*p && o + 1 < outn) out[o++] = '/';
  }
  out[o] = 0;
}

static const char *base_of(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Outcome of adding one indicator. */
enum { ADD_OK = 0, ADD_UNUSABLE = -1, ADD_LIMIT = -2 };

static uint32_t val_add(exh_iocset *s, const char *v, size_t n) {
  EXH_VEC_RESERVE(s->vals, s->capvals, s->nvals + n + 1);
  memcpy(s->vals + s->nvals, v, n);
  s->vals[s->nvals + n] = 0;
  uint32_t off = (uint32_t)s->nvals;
  s->nvals += n + 1;
  return off;
}

/* Per-load context: the interned source, the line, the label. */
typedef struct addctx {
  uint32_t src;
  uint32_t line;
} addctx;

static int add(exh_iocset *s, exh_ioc_type t, const char *val, size_t n, const addctx *ac, const char *label,
               size_t labeln) {
  if (s->total >= EXH_IOC_MAX_INDICATORS || s->nvals + n + 1 > EXH_IOC_MAX_TEXT || s->strs.n > EXH_IOC_MAX_TEXT)
    return ADD_LIMIT;
  irec r = {0, ac->src, ac->line, 0, 0};
  uint8_t key[32];
  if (t <= EXH_IOC_MD5) {
    for (size_t i = 0; i + 1 < n; i += 2) key[i / 2] = (uint8_t)(hexval(val[i]) << 4 | hexval(val[i + 1]));
  } else if (t == EXH_IOC_IP) {
    if (parse_ip(val, n, key) || (!is_v4(key) && is_v6_unusable(key))) return ADD_UNUSABLE;
    r.val = val_add(s, val, n);
  } else {
    char tmp[1024], raw[1024];
    if (n >= sizeof raw) return ADD_UNUSABLE;
    memcpy(raw, val, n);
    raw[n] = 0;
    exh__path_normalise(raw, tmp, sizeof tmp, 0);
    if (!tmp[0]) return ADD_UNUSABLE;
    r.val = val_add(s, tmp, strlen(tmp));
  }
  if (labeln) {
    /* a description is cut at a character boundary */
    size_t ln = labeln > EXH_IOC_MAX_LABEL ? EXH_IOC_MAX_LABEL : labeln;
    while (ln < labeln && ln > 0 && ((unsigned char)label[ln] & 0xC0) == 0x80) ln--;
    r.label = st_intern(&s->strs, label, ln);
  }
  EXH_VEC_RESERVE(s->rec[t], s->cap[t], s->n[t] + 1);
  if (key_len[t]) {
    size_t need = (s->n[t] + 1) * key_len[t];
    if (need > s->capkey[t]) {
      size_t nc = s->capkey[t] ? s->capkey[t] * 2 : 16 * key_len[t];
      while (nc < need) nc *= 2;
      s->key[t] = exh__xrealloc(s->key[t], nc);
      s->capkey[t] = nc;
    }
    memcpy(s->key[t] + s->n[t] * key_len[t], key, key_len[t]);
  }
  s->rec[t][s->n[t]++] = r;
  s->total++;
  return ADD_OK;
}

static int all_hex(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (hexval((unsigned char)p[i]) < 0) return 0;
  return 1;
}

/* Infers a type from the value alone; -1 if none fits. */
static int infer(const char *p, size_t n) {
  if (n == 0) return -1;
  if (all_hex(p, n)) return n == 64 ? EXH_IOC_SHA256 : n == 40 ? EXH_IOC_SHA1 : n == 32 ? EXH_IOC_MD5 : -1;
  uint8_t ip[16];
  if (!parse_ip(p, n, ip)) return EXH_IOC_IP;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '\\' || p[i] == '/') return EXH_IOC_PATH;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)p[i] < 0x20 || p[i] == '*' || p[i] == '?' || p[i] == '"' || p[i] == '<' || p[i] == '>' ||
        p[i] == '|')
      return -1;
  return EXH_IOC_NAME;
}

/* Type from a feed's type column ("sha256", "filepath", "IPv4", ...). */
static int type_of(exh_str t) {
  static const struct {
    const char *name;
    int type;
  } m[] = {{"sha256", EXH_IOC_SHA256}, {"sha-256", EXH_IOC_SHA256}, {"filehash-sha256", EXH_IOC_SHA256},
           {"sha1", EXH_IOC_SHA1},     {"sha-1", EXH_IOC_SHA1},     {"filehash-sha1", EXH_IOC_SHA1},
           {"md5", EXH_IOC_MD5},       {"filehash-md5", EXH_IOC_MD5}, {"filepath", EXH_IOC_PATH},
           {"path", EXH_IOC_PATH},     {"filename", EXH_IOC_NAME},  {"name", EXH_IOC_NAME},
           {"ip", EXH_IOC_IP},         {"ipv4", EXH_IOC_IP},        {"ipv6", EXH_IOC_IP},
           {"ipaddress", EXH_IOC_IP},  {"networkip", EXH_IOC_IP},   {"ipv4-addr", EXH_IOC_IP},
           {"ipv6-addr", EXH_IOC_IP}};
  t = exh__trim(t);
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (exh__strieq(t, m[i].name)) return m[i].type;
  return -1;
}

/* Adds a value of a known or inferred type after checking it fits. */
static int add_checked(exh_iocset *s, int t, exh_str v, const addctx *ac, const char *label, size_t labeln) {
  v = exh__trim(v);
  if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') v.p++, v.n -= 2;
  int inferred = infer(v.p, v.n);
  if (t < 0) t = inferred;
  if (t < 0) return ADD_UNUSABLE;
  if (t <= EXH_IOC_MD5 && (inferred != t)) return ADD_UNUSABLE;
  if (t == EXH_IOC_IP && inferred != EXH_IOC_IP) return ADD_UNUSABLE;
  if ((t == EXH_IOC_PATH || t == EXH_IOC_NAME) && (v.n == 0 || v.n > 1000)) return ADD_UNUSABLE;
  return add(s, (exh_ioc_type)t, v.p, v.n, ac, label, labeln);
}

static void limit_reason(const exh_iocset *s, char *why, size_t whyn) {
  if (s->total >= EXH_IOC_MAX_INDICATORS)
    snprintf(why, whyn, "more than %u indicators (every --ioc file together): not loaded; split the list",
             (unsigned)EXH_IOC_MAX_INDICATORS);
  else
    snprintf(why, whyn, "indicator text over %u MiB (every --ioc file together): not loaded; split the list",
             (unsigned)(EXH_IOC_MAX_TEXT >> 20));
}

/* ---- line-based forms ----------------------------------------------------- */

#define MAXCELLS 16

static size_t split_csv(exh_str line, exh_str *cells) {
  size_t k = 0;
  const char *p = line.p, *end = line.p + line.n;
  while (k < MAXCELLS) {
    const char *s = p;
    if (p < end && *p == '"') {
      p++;
      while (p < end && *p != '"') p++;
      if (p < end) p++;
    }
    while (p < end && *p != ',') p++;
    cells[k++] = exh__trim((exh_str){s, (size_t)(p - s)});
    if (p >= end) break;
    p++;
  }
  return k;
}

struct exh_baseline;
static int baseline_row(struct exh_baseline *b, exh_str line, unsigned long lineno, const char *source, char *why,
                        size_t whyn);
static void baseline_mark(struct exh_baseline *b, size_t m[4]);
static void baseline_rollback(struct exh_baseline *b, const size_t m[4]);

enum { FORM_UNKNOWN = 0, FORM_PLAIN, FORM_MSTIC, FORM_BASELINE };

/* A load of a line form in progress: lines cut from the blocks fed, a
 * partial last line carried (at most EXH_IOC_MAX_LINE bytes of it). */
struct exh_ioc_lines {
  exh_iocset *s;
  struct exh_baseline *b;
  char *source;
  addctx ac;
  int form;
  int ci, ct, cd; /* MSTIC: indicator, type and date columns */
  exh_buf part;
  int overlong;   /* the partial line passed EXH_IOC_MAX_LINE: skipped up to its end */
  int started;    /* the first bytes are known not to be (or to have been) a BOM */
  int bomn;       /* bytes of a BOM seen so far */
  unsigned long lineno;
  size_t skipped;
  long added;
  int failed; /* 1 binary, 2 limit, 3 bad baseline row */
  char why[600];
  iocmark mark;
  size_t bmark[4];
};

static void ioc_line(exh_ioc_lines *l, exh_str raw) {
  l->lineno++;
  if (l->failed) return;
  if (l->form == FORM_BASELINE) {
    if (baseline_row(l->b, raw, l->lineno, l->source, l->why, sizeof l->why) < 0) l->failed = 3;
    else if (exh__trim(raw).n) l->added++;
    return;
  }
  exh_str line = exh__trim(raw);
  if (line.n == 0) return;
  if (l->form == FORM_UNKNOWN) {
    /* the first non-blank line tells the form: an MSTIC header names the
     * indicator column */
    exh_str cells[MAXCELLS];
    size_t nc = split_csv(line, cells);
    l->ci = l->ct = l->cd = -1;
    for (size_t i = 0; i < nc; i++) {
      if (exh__strieq(cells[i], "indicator") || exh__strieq(cells[i], "ioc")) l->ci = (int)i;
      else if (exh__strieq(cells[i], "indicatortype") || exh__strieq(cells[i], "type")) l->ct = (int)i;
      else if (exh__strieq(cells[i], "dateadded")) l->cd = (int)i;
    }
    l->form = l->ci >= 0 ? FORM_MSTIC : FORM_PLAIN;
    if (l->form == FORM_MSTIC) return; /* the header */
  }
  l->ac.line = (uint32_t)(l->lineno > 0xFFFFFFFFul ? 0xFFFFFFFFul : l->lineno);
  int rc;
  if (l->form == FORM_MSTIC) {
    exh_str cells[MAXCELLS];
    size_t nc = split_csv(raw, cells);
    if ((size_t)l->ci >= nc) {
      l->skipped++;
      return;
    }
    int t = l->ct >= 0 && (size_t)l->ct < nc ? type_of(cells[l->ct]) : -1;
    char label[64] = "";
    if (l->cd >= 0 && (size_t)l->cd < nc && cells[l->cd].n < 40)
      snprintf(label, sizeof label, "added %.*s", (int)cells[l->cd].n, cells[l->cd].p);
    rc = add_checked(l->s, t, cells[l->ci], &l->ac, label, strlen(label));
  } else {
    if (line.p[0] == '#' || (line.n > 1 && line.p[0] == '/' && line.p[1] == '/')) return;
    /* value[;,\t]description (signature-base uses ';') */
    exh_str v = line, d = {"", 0};
    for (size_t i = 0; i < line.n; i++)
      if (line.p[i] == ';' || line.p[i] == '\t' || line.p[i] == ',') {
        v = (exh_str){line.p, i};
        d = exh__trim((exh_str){line.p + i + 1, line.n - i - 1});
        break;
      }
    rc = add_checked(l->s, -1, v, &l->ac, d.p, d.n > 200 ? 200 : d.n);
  }
  if (rc == ADD_OK) l->added++;
  else if (rc == ADD_UNUSABLE) l->skipped++;
  else {
    l->failed = 2;
    limit_reason(l->s, l->why, sizeof l->why);
  }
}

static exh_ioc_lines *lines_new(const char *source) {
  exh_ioc_lines *l = exh__xcalloc(1, sizeof *l);
  l->source = exh__xstrdup(source);
  return l;
}

exh_ioc_lines *exh__iocset_lines_begin(exh_iocset *s, const char *source) {
  exh_ioc_lines *l = lines_new(source);
  l->s = s;
  mark_take(s, &l->mark);
  size_t sn = strlen(source);
  l->ac.src = st_intern(&s->strs, source, sn > EXH_IOC_MAX_SOURCE ? EXH_IOC_MAX_SOURCE : sn);
  return l;
}

static int lines_feed(exh_ioc_lines *l, const char *p, size_t n);

int exh__iocset_lines_feed(exh_ioc_lines *l, const char *p, size_t n) {
  if (l->failed) return -1;
  /* a UTF-8 byte order mark is dropped, even when it comes a byte a block */
  static const char bom[3] = {'\xEF', '\xBB', '\xBF'};
  while (!l->started && n) {
    if (*p == bom[l->bomn]) {
      p++, n--;
      if (++l->bomn == 3) l->started = 1;
    } else {
      l->started = 1;
      if (l->bomn && lines_feed(l, bom, (size_t)l->bomn) < 0) return -1; /* not a mark after all */
    }
  }
  return lines_feed(l, p, n);
}

static int lines_feed(exh_ioc_lines *l, const char *p, size_t n) {
  if (memchr(p, 0, n)) {
    l->failed = 1;
    snprintf(l->why, sizeof l->why, l->form == FORM_BASELINE ? "binary data, not a baseline" : "binary data, not an IOC list");
    return -1;
  }
  const char *end = p + n;
  while (p < end && !l->failed) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end;
    if (l->overlong) {
      if (nl) l->overlong = 0; /* the rest of the overlong line ends here */
    } else if (l->part.n + (size_t)(e - p) > EXH_IOC_MAX_LINE) {
      l->part.n = 0;
      if (l->form == FORM_BASELINE) {
        l->failed = 3;
        snprintf(l->why, sizeof l->why, "%s:%lu: line longer than %u bytes: not a baseline row", l->source,
                 l->lineno + 1, (unsigned)EXH_IOC_MAX_LINE);
        break;
      }
      l->lineno++;
      l->skipped++;
      if (!nl) l->overlong = 1;
    } else if (!nl) {
      exh_buf_add(&l->part, p, (size_t)(e - p));
    } else if (l->part.n) {
      exh_buf_add(&l->part, p, (size_t)(e - p));
      exh_str line = {l->part.p, l->part.n};
      if (line.n && line.p[line.n - 1] == '\r') line.n--;
      ioc_line(l, line);
      l->part.n = 0;
    } else {
      exh_str line = {p, (size_t)(e - p)};
      if (line.n && line.p[line.n - 1] == '\r') line.n--;
      ioc_line(l, line);
    }
    p = nl ? nl + 1 : end;
  }
  return l->failed ? -1 : 0;
}

long exh__iocset_lines_end(exh_ioc_lines *l, size_t *skipped, char *why, size_t whyn) {
  if (!l->started && l->bomn) { /* the file ended inside what looked like a BOM */
    l->started = 1;
    lines_feed(l, "\xEF\xBB", (size_t)l->bomn);
  }
  if (!l->failed && l->part.n) {
    exh_str line = {l->part.p, l->part.n};
    if (line.p[line.n - 1] == '\r') line.n--;
    ioc_line(l, line);
  }
  long rc = l->added;
  if (l->failed) {
    snprintf(why, whyn, "%s", l->why);
    if (l->s) mark_rollback(l->s, &l->mark);
    if (l->b) baseline_rollback(l->b, l->bmark);
    rc = -1;
  }
  if (skipped) *skipped = l->skipped;
  exh__buf_free(&l->part);
  free(l->source);
  free(l);
  return rc;
}

/* ---- STIX 2.1 ----------------------------------------------------------- */

typedef struct stix_obj {
  exh_buf id, name, pattern, type;
} stix_obj;

typedef struct stix_ctx {
  exh_iocset *s;
  const char *source;
  stix_obj o;
  long added;
  size_t *skipped;
  int saw_stix;
  int limit;
} stix_ctx;

/* Reads one comparison "path = 'value'" at *p; returns 1 with its parts,
 * 0 at the end, -1 on something else (skipped). */
static int stix_cmp(const char **pp, const char *end, exh_buf *path, exh_buf *val) {
  const char *p = *pp;
  for (;;) {
    while (p < end && (*p == ' ' || *p == '[' || *p == ']' || *p == '(' || *p == ')' || *p == '\t' || *p == '\n'))
      p++;
    if (p >= end) return 0;
    if ((end - p >= 3 && exh__strnieq(p, "AND", 3)) || (end - p >= 2 && exh__strnieq(p, "OR", 2))) {
      p += (*p | 32) == 'a' ? 3 : 2;
      continue;
    }
    break;
  }
  path->n = val->n = 0;
  while (p < end && *p != ' ' && *p != '=' && *p != '!' && *p != '>' && *p != '<') {
    if (*p == '\'') {
      exh_buf_addc(path, *p++);
      while (p < end && *p != '\'') exh_buf_addc(path, *p++);
      if (p < end) exh_buf_addc(path, *p++);
      continue;
    }
    exh_buf_addc(path, *p++);
  }
  while (p < end && *p == ' ') p++;
  int eq = p < end && *p == '=';
  /* skip the operator up to the value's quote */
  while (p < end && *p != '\'' && *p != ']') p++;
  if (p < end && *p == '\'') {
    p++;
    while (p < end && *p != '\'') {
      if (*p == '\\' && p + 1 < end) p++;
      exh_buf_addc(val, *p++);
    }
    if (p < end) p++;
  }
  *pp = p > *pp ? p : *pp + 1;
  return eq && path->n ? 1 : -1;
}

static void stix_count(stix_ctx *c, int rc) {
  if (rc == ADD_OK) c->added++;
  else if (rc == ADD_UNUSABLE) (*c->skipped)++;
  else c->limit = 1;
}

static void stix_flush(stix_ctx *c) {
  stix_obj *o = &c->o;
  if (o->pattern.n && !c->limit) {
    const char *p = o->pattern.p, *end = p + o->pattern.n;
    exh_buf path = {0}, val = {0}, dir = {0}, fname = {0};
    const char *src = o->id.n ? o->id.p : c->source;
    size_t srcn = strlen(src);
    addctx ac = {st_intern(&c->s->strs, src, srcn > EXH_IOC_MAX_SOURCE ? EXH_IOC_MAX_SOURCE : srcn), 0};
    const char *label = o->name.n ? o->name.p : NULL;
    size_t labeln = label ? strlen(label) : 0;
    int r;
    while (!c->limit && (r = stix_cmp(&p, end, &path, &val)) != 0) {
      if (r < 0) continue;
      int t = -1;
      const char *k = path.p;
      if (exh__strnieq(k, "file:hashes.", 12)) {
        exh_str h = {k + 12, path.n - 12};
        if (h.n >= 2 && h.p[0] == '\'') h.p++, h.n -= 2;
        t = exh__strieq(h, "SHA-256") || exh__strieq(h, "SHA256")  ? EXH_IOC_SHA256
            : exh__strieq(h, "SHA-1") || exh__strieq(h, "SHA1") ? EXH_IOC_SHA1
            : exh__strieq(h, "MD5")                             ? EXH_IOC_MD5
                                                               : -1;
      } else if (!strcmp(k, "file:name")) {
        exh_buf_add(&fname, val.p ? val.p : "", val.n);
        continue;
      } else if (!strcmp(k, "file:parent_directory_ref.path") || !strcmp(k, "directory:path")) {
        exh_buf_add(&dir, val.p ? val.p : "", val.n);
        continue;
      } else if (!strcmp(k, "ipv4-addr:value") || !strcmp(k, "ipv6-addr:value")) {
        t = EXH_IOC_IP;
        char *slash = val.p ? memchr(val.p, '/', val.n) : NULL;
        if (slash) { /* only host prefixes: CIDR ranges are not indicators of one address */
          uint64_t bits = 0;
          exh_str bs = {slash + 1, val.n - (size_t)(slash + 1 - val.p)};
          if (exh__parse_u64(bs, &bits) != 0 || bits != (k[3] == '4' ? 32u : 128u)) t = -1;
          val.n = (size_t)(slash - val.p);
        }
      }
      if (t < 0) (*c->skipped)++;
      else stix_count(c, add_checked(c->s, t, (exh_str){val.p ? val.p : "", val.n}, &ac, label, labeln));
    }
    if (fname.n && !c->limit) {
      exh_buf full = {0};
      if (dir.n) {
        exh_buf_add(&full, dir.p, dir.n);
        exh_buf_addc(&full, '\\');
      }
      exh_buf_add(&full, fname.p, fname.n);
      stix_count(c, add_checked(c->s, dir.n ? EXH_IOC_PATH : EXH_IOC_NAME, (exh_str){full.p, full.n}, &ac, label,
                                labeln));
      exh__buf_free(&full);
    } else if (dir.n) {
      (*c->skipped)++;
    }
    exh__buf_free(&path);
    exh__buf_free(&val);
    exh__buf_free(&dir);
    exh__buf_free(&fname);
  }
  o->id.n = o->name.n = o->pattern.n = o->type.n = 0;
}

static void stix_set(exh_buf *b, exh_str v) {
  b->n = 0;
  exh_buf_add(b, v.p, v.n);
}

/* The flattener gives no object boundaries: a top-level property seen a
 * second time starts the next object (every STIX object has one type and
 * one id, whatever the key order). */
static void stix_pair(void *ctx, exh_str key, exh_str val) {
  stix_ctx *c = ctx;
  exh_str k = key;
  if (exh__str_istarts(k, "objects.")) k.p += 8, k.n -= 8;
  if (k.n == 4 && !memcmp(k.p, "type", 4)) {
    if (c->o.type.n) stix_flush(c);
    stix_set(&c->o.type, val);
    if (exh__strieq(val, "bundle") || exh__strieq(val, "indicator")) c->saw_stix = 1;
  } else if (k.n == 2 && !memcmp(k.p, "id", 2)) {
    if (c->o.id.n) stix_flush(c);
    stix_set(&c->o.id, val);
  } else if (k.n == 4 && !memcmp(k.p, "name", 4)) {
    if (c->o.name.n) stix_flush(c);
    stix_set(&c->o.name, val);
  } else if (k.n == 7 && !memcmp(k.p, "pattern", 7)) {
    if (c->o.pattern.n) stix_flush(c);
    stix_set(&c->o.pattern, val);
  }
}

static long load_stix(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped, char *why,
                      size_t whyn) {
  stix_ctx c;
  memset(&c, 0, sizeof c);
  c.s = s;
  c.source = source;
  c.skipped = skipped;
  exh_buf scratch = {0};
  int rc = exh__json_flatten(text, n, &scratch, stix_pair, &c);
  stix_flush(&c);
  exh__buf_free(&scratch);
  exh__buf_free(&c.o.id);
  exh__buf_free(&c.o.name);
  exh__buf_free(&c.o.pattern);
  exh__buf_free(&c.o.type);
  if (c.limit) {
    limit_reason(s, why, whyn);
    return -1;
  }
  if (rc != 0 && !c.added) {
    snprintf(why, whyn, "not well-formed JSON (a STIX 2.1 bundle was expected)");
    return -1;
  }
  if (!c.saw_stix) {
    snprintf(why, whyn, "JSON without a STIX bundle or indicator");
    return -1;
  }
  return c.added;
}

long exh__iocset_load(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped, char *why,
                     size_t whyn) {
  size_t sk = 0;
  if (!skipped) skipped = &sk;
  *skipped = 0;
  if (s->finished) {
    snprintf(why, whyn, "indicator set already finished");
    return -1;
  }
  size_t i = 0;
  if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) i = 3;
  while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
  if (i < n && text[i] == '{') {
    iocmark m;
    mark_take(s, &m);
    long r = load_stix(s, source, text + i, n - i, skipped, why, whyn);
    if (r < 0) mark_rollback(s, &m);
    return r;
  }
  exh_ioc_lines *l = exh__iocset_lines_begin(s, source);
  exh__iocset_lines_feed(l, text, n);
  return exh__iocset_lines_end(l, skipped, why, whyn);
}

/* ---- indexes ---------------------------------------------------------------- */

static const char *rec_val(const exh_iocset *s, exh_ioc_type t, size_t i) { return s->vals + s->rec[t][i].val; }

/* The bytes an index hashes and compares for record i of type t. */
static exh_str rec_key(const exh_iocset *s, exh_ioc_type t, size_t i) {
  if (key_len[t]) return (exh_str){(const char *)s->key[t] + i * key_len[t], key_len[t]};
  const char *v = rec_val(s, t, i);
  if (t == EXH_IOC_PATH) v = base_of(v);
  return (exh_str){v, strlen(v)};
}

/* Literal of one address at a coarseness level (0 the finest), written to
 * out (at least 48 bytes); its length, or 0 if the level does not exist. */
static size_t ip_literal(const uint8_t k[16], int level, char *out) {
  if (is_v4(k)) {
    int parts = 4 - level;
    if (parts < 1) return 0;
    size_t o = 0;
    for (int i = 0; i < parts; i++)
      o += (size_t)snprintf(out + o, 8, "%u%s", k[12 + i], i < 3 ? "." : "");
    return o;
  }
  /* IPv6: the longest nonzero group among the first six (the last two may
   * be written as dotted IPv4), without leading zeros: every spelling of
   * the address holds it, maybe with leading zeros before it */
  size_t best = 0;
  char g[8];
  for (int i = 0; i < 6; i++) {
    unsigned v = (unsigned)k[2 * i] << 8 | k[2 * i + 1];
    if (!v) continue;
    size_t n = (size_t)snprintf(g, sizeof g, "%x", v);
    if (n > best) {
      best = n;
      memcpy(out, g, n);
    }
  }
  size_t keep = level == 0 ? best : level == 1 ? 3 : level == 2 ? 2 : 0;
  if (keep == 0) return 0;
  return best < keep ? best : keep;
}

static void build_ip_literals(exh_iocset *s) {
  size_t n = s->n[EXH_IOC_IP];
  if (!n) return;
  /* per family, the finest level whose distinct literals fit the budget */
  int level[2] = {0, 0};
  int have[2] = {0, 0};
  for (int fam = 0; fam < 2; fam++) {
    for (int lv = 0;; lv++) {
      strtab t;
      st_init(&t, s->seed);
      size_t distinct = 0, exists = 1;
      for (size_t i = 0; i < n && distinct <= EXH_IOC_IP_LITERALS; i++) {
        const uint8_t *k = s->key[EXH_IOC_IP] + i * 16;
        if (is_v4(k) != (fam == 0)) continue;
        have[fam] = 1;
        char buf[48];
        size_t ln = ip_literal(k, lv, buf);
        if (!ln) {
          exists = 0;
          break;
        }
        size_t before = t.count;
        st_intern(&t, buf, ln);
        distinct += t.count - before;
      }
      st_free(&t);
      if (!exists) { /* no coarser level: the last one stands */
        level[fam] = lv > 0 ? lv - 1 : 0;
        break;
      }
      level[fam] = lv;
      if (distinct <= EXH_IOC_IP_LITERALS || !have[fam]) break;
    }
  }
  strtab t;
  st_init(&t, s->seed);
  if (have[0]) st_intern(&t, "ffff", 4); /* an IPv4-mapped address spelled in hex */
  for (size_t i = 0; i < n; i++) {
    const uint8_t *k = s->key[EXH_IOC_IP] + i * 16;
    char buf[48];
    size_t ln = ip_literal(k, level[is_v4(k) ? 0 : 1], buf);
    if (ln) st_intern(&t, buf, ln);
  }
  s->niplits = t.count - 1;
  s->iplits = exh__xcalloc(s->niplits ? s->niplits : 1, sizeof *s->iplits);
  for (size_t i = 1; i < t.count; i++) {
    const char *x = st_str(&t, (uint32_t)i);
    s->iplits[i - 1] = (exh_str){NULL, strlen(x)};
  }
  /* the arena is kept as the literals' storage; pointers set once it no longer moves */
  s->iplit_text = t.p;
  for (size_t i = 1; i < t.count; i++) s->iplits[i - 1].p = t.p + t.offs[i];
  t.p = NULL;
  st_free(&t);
}

void exh__iocset_finish(exh_iocset *s) {
  if (s->finished) return;
  s->finished = 1;
  for (int ti = 0; ti < EXH_IOC_NTYPES; ti++) {
    exh_ioc_type t = (exh_ioc_type)ti;
    size_t n = s->n[t];
    if (!n) continue;
    s->nslot[t] = pow2_at_least(2 * n);
    s->slot[t] = exh__xcalloc(s->nslot[t], sizeof(uint32_t));
    size_t mask = s->nslot[t] - 1;
    /* backwards, so the first loaded indicator of a key is the one found
     * (and paths of one name chain in load order) */
    for (size_t i = n; i-- > 0;) {
      exh_str k = rec_key(s, t, i);
      size_t h = hash_bytes(s->seed, k.p, k.n) & mask;
      for (;; h = (h + 1) & mask) {
        uint32_t o = s->slot[t][h];
        if (!o) break;
        exh_str ok = rec_key(s, t, o - 1);
        if (ok.n == k.n && !memcmp(ok.p, k.p, k.n)) break;
      }
      if (t == EXH_IOC_PATH) s->rec[t][i].next = s->slot[t][h];
      s->slot[t][h] = (uint32_t)(i + 1);
    }
  }
  build_ip_literals(s);
}

size_t exh__iocset_count(const exh_iocset *s, exh_ioc_type t) { return s && (unsigned)t < EXH_IOC_NTYPES ? s->n[t] : 0; }

int exh__iocset_has_hashes(const exh_iocset *s, exh_ioc_type t) {
  return s && (unsigned)t <= EXH_IOC_MD5 && s->n[t] > 0;
}

/* Record index of key k in type t's index, or -1. */
static long find(const exh_iocset *s, exh_ioc_type t, const void *k, size_t kn) {
  if (!s || !s->slot[t]) return -1;
  size_t mask = s->nslot[t] - 1;
  for (size_t h = hash_bytes(s->seed, k, kn) & mask; s->slot[t][h]; h = (h + 1) & mask) {
    uint32_t o = s->slot[t][h];
    exh_str ok = rec_key(s, t, o - 1);
    if (ok.n == kn && !memcmp(ok.p, k, kn)) return (long)o - 1;
  }
  return -1;
}

/* The answer of a lookup, in the calling thread's storage. */
static _Thread_local struct {
  exh_ioc io;
  char val[80];
  char src[EXH_IOC_MAX_SOURCE + 24];
} tl;

static const exh_ioc *answer(const exh_iocset *s, exh_ioc_type t, size_t i) {
  const irec *r = &s->rec[t][i];
  tl.io.type = t;
  if (key_len[t] && t != EXH_IOC_IP) {
    const uint8_t *k = s->key[t] + i * key_len[t];
    for (size_t j = 0; j < key_len[t]; j++) snprintf(tl.val + 2 * j, 3, "%02x", k[j]);
    tl.io.value = tl.val;
  } else {
    tl.io.value = (char *)(s->vals + r->val);
  }
  const char *src = st_str(&s->strs, r->src);
  if (r->line) {
    snprintf(tl.src, sizeof tl.src, "%s:%u", src, (unsigned)r->line);
    tl.io.source = tl.src;
  } else {
    tl.io.source = (char *)src;
  }
  tl.io.label = r->label ? (char *)st_str(&s->strs, r->label) : NULL;
  return &tl.io;
}

const exh_ioc *exh__iocset_hash(const exh_iocset *s, exh_ioc_type t, const uint8_t *digest) {
  if (!s || (unsigned)t > EXH_IOC_MD5) return NULL;
  long i = find(s, t, digest, key_len[t]);
  return i < 0 ? NULL : answer(s, t, (size_t)i);
}

int exh__iocset_ip_has(const exh_iocset *s, const char *p, size_t n) {
  uint8_t k[16];
  if (!s || !s->slot[EXH_IOC_IP] || parse_ip(p, n, k)) return 0;
  return find(s, EXH_IOC_IP, k, 16) >= 0;
}

const exh_ioc *exh__iocset_ip(const exh_iocset *s, const char *p, size_t n) {
  uint8_t k[16];
  if (!s || !s->slot[EXH_IOC_IP] || parse_ip(p, n, k)) return NULL;
  long i = find(s, EXH_IOC_IP, k, 16);
  return i < 0 ? NULL : answer(s, EXH_IOC_IP, (size_t)i);
}

const exh_str *exh__iocset_ip_literals(const exh_iocset *s, size_t *n) {
  *n = s ? s->niplits : 0;
  return s ? s->iplits : NULL;
}

/* Do the paths agree from their ends on until one of them is used up? The
 * IOC is a full Windows path, the file's path is relative to wherever the
 * collection was rooted, so either may be the shorter one; at least two
 * components must agree (a bare name is what NAME indicators are for). */
static int suffix_match(const char *ioc, const char *rel) {
  size_t a = strlen(ioc), b = strlen(rel), comps = 0;
  while (a && b) {
    size_t ea = a, eb = b;
    while (a && ioc[a - 1] != '/') a--;
    while (b && rel[b - 1] != '/') b--;
    if (ea - a != eb - b || memcmp(ioc + a, rel + b, ea - a)) return 0;
    comps++;
    if (!a || !b) return comps >= 2;
    a--, b--;
  }
  return 0;
}

const exh_ioc *exh__iocset_path(const exh_iocset *s, const char *rel) {
  if (!s || (!s->n[EXH_IOC_PATH] && !s->n[EXH_IOC_NAME])) return NULL;
  char norm[1024];
  exh__path_normalise(rel, norm, sizeof norm, 0);
  const char *b = base_of(norm);
  size_t bn = strlen(b);
  long i = find(s, EXH_IOC_PATH, b, bn);
  for (; i >= 0; i = (long)s->rec[EXH_IOC_PATH][i].next - 1)
    if (suffix_match(rec_val(s, EXH_IOC_PATH, (size_t)i), norm)) return answer(s, EXH_IOC_PATH, (size_t)i);
  i = find(s, EXH_IOC_NAME, b, bn);
  return i < 0 ? NULL : answer(s, EXH_IOC_NAME, (size_t)i);
}

/* ---- baselines ------------------------------------------------------------ */

typedef struct brow {
  uint32_t path; /* interned, normalised, builds as "version" */
  uint16_t build;
  uint8_t sha[32];
} brow;

struct exh_baseline {
  brow *v;
  size_t n, cap;
  strtab paths;  /* normalised paths */
  strtab builds; /* build id = string id - 1 */
  strtab exts;   /* extensions listed */
};

exh_baseline *exh__baseline_new(void) {
  exh_baseline *b = exh__xcalloc(1, sizeof(exh_baseline));
  uint64_t seed = new_seed(b);
  st_init(&b->paths, seed);
  st_init(&b->builds, seed);
  st_init(&b->exts, seed);
  return b;
}

void exh__baseline_free(exh_baseline *b) {
  if (!b) return;
  free(b->v);
  st_free(&b->paths);
  st_free(&b->builds);
  st_free(&b->exts);
  free(b);
}

static void baseline_mark(exh_baseline *b, size_t m[4]) {
  m[0] = b->n;
  m[1] = b->paths.count;
  m[2] = b->builds.count;
  m[3] = b->exts.count;
}

static void baseline_rollback(exh_baseline *b, const size_t m[4]) {
  b->n = m[0];
  st_truncate(&b->paths, m[1]);
  st_truncate(&b->builds, m[2]);
  st_truncate(&b->exts, m[3]);
}

static int baseline_row(exh_baseline *b, exh_str line, unsigned long lineno, const char *source, char *why,
                        size_t whyn) {
  line = exh__trim(line);
  if (!line.n) return 0;
  exh_str c[MAXCELLS];
  size_t nc = split_csv(line, c);
  if (nc != 3 || c[0].n != 64 || !all_hex(c[0].p, 64) || c[1].n == 0 || c[1].n > 32 || c[2].n == 0 ||
      c[2].n > 900) {
    snprintf(why, whyn, "%s:%lu: not a baseline row (SHA256,build,\\relative\\path)", source, lineno);
    return -1;
  }
  if (b->n >= EXH_BASELINE_MAX_ROWS || b->paths.n > EXH_IOC_MAX_TEXT) {
    snprintf(why, whyn, "%s: more than %u baseline rows or %u MiB of paths (every --baseline file together): not loaded",
             source, (unsigned)EXH_BASELINE_MAX_ROWS, (unsigned)(EXH_IOC_MAX_TEXT >> 20));
    return -1;
  }
  uint32_t bid = st_intern(&b->builds, c[1].p, c[1].n);
  if (bid == 0 || bid > 65535) {
    snprintf(why, whyn, "%s: too many builds", source);
    return -1;
  }
  char tmp[1024], raw[1024];
  memcpy(raw, c[2].p, c[2].n);
  raw[c[2].n] = 0;
  exh__path_normalise(raw, tmp, sizeof tmp, 1);
  brow r;
  r.path = st_intern(&b->paths, tmp, strlen(tmp));
  r.build = (uint16_t)(bid - 1);
  for (int i = 0; i < 32; i++) r.sha[i] = (uint8_t)(hexval(c[0].p[2 * i]) << 4 | hexval(c[0].p[2 * i + 1]));
  const char *base = base_of(tmp), *dot = strrchr(base, '.');
  if (dot && dot[1] && strlen(dot + 1) <= 15) st_intern(&b->exts, dot + 1, strlen(dot + 1));
  EXH_VEC_RESERVE(b->v, b->cap, b->n + 1);
  b->v[b->n++] = r;
  return 0;
}

exh_ioc_lines *exh__baseline_lines_begin(exh_baseline *b, const char *source) {
  exh_ioc_lines *l = lines_new(source);
  l->b = b;
  l->form = FORM_BASELINE;
  baseline_mark(b, l->bmark);
  return l;
}

long exh__baseline_load(exh_baseline *b, const char *source, const char *text, size_t n, char *why, size_t whyn) {
  exh_ioc_lines *l = exh__baseline_lines_begin(b, source);
  exh__iocset_lines_feed(l, text, n);
  return exh__iocset_lines_end(l, NULL, why, whyn);
}

static int cmp_brow(const void *x, const void *y) {
  const brow *a = x, *c = y;
  if (a->path != c->path) return a->path < c->path ? -1 : 1;
  return (a->build > c->build) - (a->build < c->build);
}

/* Rows sorted by path id, then build: a path's rows are one run. */
void exh__baseline_finish(exh_baseline *b) {
  if (b->n > 1) qsort(b->v, b->n, sizeof *b->v, cmp_brow);
}

size_t exh__baseline_count(const exh_baseline *b) { return b ? b->n : 0; }

int exh__baseline_has_build(const exh_baseline *b, const char *build) {
  return b && st_find(&b->builds, build, strlen(build)) != (uint32_t)-1;
}

int exh__baseline_covers_ext(const exh_baseline *b, const char *ext) {
  return b && st_find(&b->exts, ext, strlen(ext)) != (uint32_t)-1;
}

int exh__baseline_check(const exh_baseline *b, const char *build, const char *inst_rel, const uint8_t sha256[32]) {
  long bi = -1;
  if (build) {
    uint32_t id = st_find(&b->builds, build, strlen(build));
    if (id == (uint32_t)-1 || id == 0) return 2;
    bi = (long)id - 1;
  }
  uint32_t pid = st_find(&b->paths, inst_rel, strlen(inst_rel));
  if (pid == (uint32_t)-1) return 2;
  size_t lo = 0, hi = b->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (b->v[mid].path < pid) lo = mid + 1;
    else hi = mid;
  }
  int known = 0;
  for (size_t i = lo; i < b->n && b->v[i].path == pid; i++) {
    if (bi >= 0 && b->v[i].build != bi) continue;
    known = 1;
    if (!memcmp(b->v[i].sha, sha256, 32)) return 0;
  }
  return known ? 1 : 2;
}
