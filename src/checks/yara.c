/* libyara wrapper (see yara.h). */
#include "yara.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/result.h"
#include "../platform/platform.h"
#include "../rules/rules.h"
#include "../util/util.h"

#ifdef EXH_HAVE_YARA
#include "../platform/lazy_yara.h"

static const char *const ext_names[] = {"filename", "filepath", "extension", "filetype", "owner"};
#define NEXT (sizeof ext_names / sizeof ext_names[0])

typedef struct ysrc {
  char *source, *text;
  size_t n;
} ysrc;

typedef struct yinfo {
  exh_rule_info info;
  char *id, *title, *desc, *source;
  const char **cves, **techs;
} yinfo;

struct exh_yara {
  exh_yara_reject_fn fn;
  void *ctx;
  ysrc *src;
  size_t nsrc, capsrc;
  YR_RULES *rules;
  yinfo *info;
  size_t ninfo;
  char err[512];
  int loaded;     /* libyara loaded and initialised */
  char off[320];  /* else why not: every rule file is rejected with it */
  /* the compiled rule cache (exh__yara_use_cache) */
  exh_ruleset *cache_rs;
  unsigned char *kctx; /* what every key starts with: libyara's version and build id, the variables */
  size_t nctx;
  int looked;         /* the cached entry was looked for */
  char *slot;         /* under this name (the first file's) */
  unsigned char *ent; /* its payload (NULL: none) */
  size_t nent;
  exh_yara_cached cached; /* its parts, checked */
  uint64_t (*fh)[2];  /* the hashes of the files added, in order */
  size_t nfh, capfh;
};

int exh__yara_available(char *why, size_t whyn) { return exh__lib_load(EXH_LIB_YARA, why, whyn) == 0; }

exh_yara *exh__yara_new(exh_yara_reject_fn fn, void *ctx) {
  exh_yara *y = exh__xcalloc(1, sizeof *y);
  y->fn = fn;
  y->ctx = ctx;
  if (exh__lib_load(EXH_LIB_YARA, y->off, sizeof y->off)) return y; /* as a build without libyara */
  if (yr_initialize() != ERROR_SUCCESS) {
    free(y);
    return NULL;
  }
  y->loaded = 1;
  return y;
}

void exh__yara_free(exh_yara *y) {
  if (!y) return;
  for (size_t i = 0; i < y->nsrc; i++) {
    free(y->src[i].source);
    free(y->src[i].text);
  }
  free(y->src);
  for (size_t i = 0; i < y->ninfo; i++) {
    yinfo *f = &y->info[i];
    free(f->id);
    free(f->title);
    free(f->desc);
    free(f->source);
    for (size_t k = 0; k < f->info.ncves; k++) free((char *)f->cves[k]);
    for (size_t k = 0; k < f->info.ntechniques; k++) free((char *)f->techs[k]);
    free(f->cves);
    free(f->techs);
  }
  free(y->info);
  free(y->kctx);
  free(y->slot);
  free(y->ent);
  free(y->fh);
  if (y->rules) yr_rules_destroy(y->rules);
  if (y->loaded) yr_finalize();
  free(y);
}

static void on_compile(int level, const char *file, int line, const YR_RULE *rule, const char *msg, void *ud) {
  (void)file;
  (void)rule;
  exh_yara *y = ud;
  if (level == YARA_ERROR_LEVEL_ERROR && !y->err[0]) snprintf(y->err, sizeof y->err, "line %d: %s", line, msg);
}

static YR_COMPILER *new_compiler(exh_yara *y) {
  YR_COMPILER *c;
  if (yr_compiler_create(&c) != ERROR_SUCCESS) return NULL;
  yr_compiler_set_callback(c, on_compile, y);
  for (size_t i = 0; i < NEXT; i++) yr_compiler_define_string_variable(c, ext_names[i], "");
  return c;
}

/* ---- the compiled rule cache (docs/rules.md) ------------------------------
 * One blob "yara" per first rule file's name (the shipped rules' for a
 * default run): the hashes of the files that compiled alone (their check
 * is skipped when added again) and, keyed by every file added (name and
 * text, in order), the compiled rules as yr_rules_save_stream wrote them.
 * Every key starts with libyara's version and build id and the external
 * variables. The cache file is the user's own, in a folder only they can
 * write (rules/cache.c checks both, and a checksum): a compiled YARA file
 * is trusted as much as the program (libyara does not check it). */

void exh__yara_use_cache(exh_yara *y, exh_ruleset *rs) {
  if (!y->loaded || y->cache_rs || y->nsrc || !exh__cache_enabled(rs)) return;
  unsigned char bid[64];
  /* the library's own build id: another libyara (an update) writes
   * another compiled form; none (stripped): no cache */
  size_t nbid = exh__build_id((const void *)(uintptr_t)yr_rules_load_stream, bid, sizeof bid);
  if (!nbid) return;
  exh_buf b = {0};
  exh_buf_add(&b, "yara " YR_VERSION, strlen("yara " YR_VERSION) + 1);
  exh_buf_add(&b, bid, nbid);
  for (size_t i = 0; i < NEXT; i++) exh_buf_add(&b, ext_names[i], strlen(ext_names[i]) + 1);
  y->kctx = (unsigned char *)b.p;
  y->nctx = b.n;
  y->cache_rs = rs;
}

static void file_hash(const exh_yara *y, const char *source, const char *t, size_t n, uint64_t h[2]) {
  if (!y->cache_rs) return;
  exh_buf b = {0};
  exh_buf_add(&b, y->kctx, y->nctx);
  exh_buf_add(&b, source, strlen(source) + 1);
  exh_buf_add(&b, t, n);
  exh__cache_hash(b.p, b.n, h);
  free(b.p);
}

int exh__yara_cached_parse(const unsigned char *p, size_t n, exh_yara_cached *out) {
  memset(out, 0, sizeof *out);
  if (n < 4) return -1;
  uint32_t nf = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  size_t off = 4;
  if (nf > (n - off) / 16) return -1;
  out->files = p + off;
  out->nfiles = nf;
  off += (size_t)nf * 16;
  if (n - off < 16 + 8) return -1;
  out->key = p + off;
  off += 16;
  uint64_t len = 0;
  for (int i = 7; i >= 0; i--) len = len << 8 | p[off + (size_t)i];
  off += 8;
  if (len != n - off) return -1;
  out->rules = p + off;
  out->nrules = (size_t)len;
  return 0;
}

/* The cached entry, looked for once, when the first file is added. */
static void look(exh_yara *y, const char *source) {
  if (y->looked || !y->cache_rs) return;
  y->looked = 1;
  y->slot = exh__xstrdup(source);
  size_t n = 0;
  unsigned char *e = exh__cache_blob_get(y->cache_rs, "yara", source, strlen(source), &n);
  if (e && exh__yara_cached_parse(e, n, &y->cached) == 0) {
    y->ent = e;
    y->nent = n;
  } else {
    free(e);
  }
}

static int known_file(exh_yara *y, const char *source, const uint64_t h[2]) {
  look(y, source);
  if (!y->ent) return 0;
  for (size_t i = 0; i < y->cached.nfiles; i++)
    if (!memcmp(y->cached.files + i * 16, h, 16)) return 1;
  return 0;
}

#define EXH_YARA_CACHE_MAX ((size_t)64 << 20) /* compiled rules larger than this are not kept */

typedef struct mstream {
  const unsigned char *p;
  size_t n, off;
  exh_buf out;
} mstream;

static size_t ms_read(void *ptr, size_t size, size_t count, void *ud) {
  mstream *m = ud;
  size_t k = 0;
  for (; k < count && size <= m->n - m->off; k++, m->off += size) memcpy((char *)ptr + k * size, m->p + m->off, size);
  return k;
}

static size_t ms_write(const void *ptr, size_t size, size_t count, void *ud) {
  mstream *m = ud;
  /* a bound far below the buffer's (which would unwind through libyara) */
  if (size && (count > EXH_YARA_CACHE_MAX / size || m->out.n + size * count > EXH_YARA_CACHE_MAX)) return 0;
  exh_buf_add(&m->out, ptr, size * count);
  return count;
}

/* The key of the whole set: every file added, in order. */
static void set_key(const exh_yara *y, unsigned char key[16]) {
  exh_buf b = {0};
  exh_buf_add(&b, y->kctx, y->nctx);
  for (size_t i = 0; i < y->nsrc; i++) {
    uint64_t n = y->src[i].n;
    exh_buf_add(&b, y->src[i].source, strlen(y->src[i].source) + 1);
    exh_buf_add(&b, &n, sizeof n);
    exh_buf_add(&b, y->src[i].text, y->src[i].n);
  }
  uint64_t h[2];
  exh__cache_hash(b.p, b.n, h);
  memcpy(key, h, 16);
  free(b.p);
}

/* The rules from the cache: 0, else -1 (then compiled). */
static int from_cache(exh_yara *y, const unsigned char key[16]) {
  if (!y->ent || memcmp(y->cached.key, key, 16)) return -1;
  mstream m = {y->cached.rules, y->cached.nrules, 0, {0}};
  YR_STREAM st = {&m, ms_read, ms_write};
  YR_RULES *r = NULL;
  if (yr_rules_load_stream(&st, &r) != ERROR_SUCCESS || !r) return -1;
  y->rules = r;
  return 0;
}

static void to_cache(exh_yara *y, const unsigned char key[16]) {
  mstream m = {NULL, 0, 0, {0}};
  YR_STREAM st = {&m, ms_read, ms_write};
  if (yr_rules_save_stream(y->rules, &st) == ERROR_SUCCESS) {
    exh_buf b = {0};
    uint32_t nf = (uint32_t)y->nfh;
    unsigned char le[8];
    for (int i = 0; i < 4; i++) le[i] = (unsigned char)(nf >> (8 * i));
    exh_buf_add(&b, le, 4);
    for (size_t i = 0; i < y->nfh; i++) exh_buf_add(&b, y->fh[i], 16);
    exh_buf_add(&b, key, 16);
    uint64_t len = m.out.n;
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(len >> (8 * i));
    exh_buf_add(&b, le, 8);
    exh_buf_add(&b, m.out.p, m.out.n);
    exh__cache_blob_put(y->cache_rs, "yara", y->slot, strlen(y->slot), b.p, b.n);
    free(b.p);
  }
  free(m.out.p);
}

int exh__yara_add(exh_yara *y, const char *source, const char *text, size_t n) {
  if (memchr(text, 0, n)) {
    if (y->fn) y->fn(y->ctx, source, "binary data, not YARA rule text");
    return -1;
  }
  if (!y->loaded) {
    if (y->fn) y->fn(y->ctx, source, y->off);
    return -1;
  }
  char *t = exh__xstrndup(text, n);
  uint64_t h[2] = {0, 0};
  file_hash(y, source, t, n, h);
  int errs = 0;
  if (!known_file(y, source, h)) { /* else it compiled alone before: the cache says so */
    YR_COMPILER *c = new_compiler(y);
    if (!c) {
      free(t);
      return -1;
    }
    y->err[0] = 0;
    errs = yr_compiler_add_string(c, t, source);
    yr_compiler_destroy(c);
  }
  if (!errs && y->cache_rs) {
    EXH_VEC_RESERVE(y->fh, y->capfh, y->nfh + 1);
    memcpy(y->fh[y->nfh++], h, sizeof h);
  }
  if (errs) {
    if (y->fn) y->fn(y->ctx, source, y->err[0] ? y->err : "does not compile");
    free(t);
    return -1;
  }
  EXH_VEC_RESERVE(y->src, y->capsrc, y->nsrc + 1);
  y->src[y->nsrc++] = (ysrc){exh__xstrdup(source), t, n};
  return 0;
}

static int describe(exh_yara *y);

static const char *meta_str(const YR_RULE *r, const char *id) {
  const YR_META *m;
  yr_rule_metas_foreach(r, m) {
    if (!strcmp(m->identifier, id) && m->type == META_TYPE_STRING) return m->string;
  }
  return NULL;
}

static int meta_int(const YR_RULE *r, const char *id, int64_t *v) {
  const YR_META *m;
  yr_rule_metas_foreach(r, m) {
    if (!strcmp(m->identifier, id)) {
      if (m->type == META_TYPE_INTEGER) {
        *v = m->integer;
        return 1;
      }
      /* a string score ("75"): the bounded parser, not atoll (whose
       * overflow is undefined); anything but a number is no score */
      if (m->type == META_TYPE_STRING && m->string && exh__parse_i64((exh_str){m->string, strlen(m->string)}, v) == 0)
        return 1;
      return 0;
    }
  }
  return 0;
}

/* Splits a meta value "A, B" into a string list. */
static const char **split_list(const char *s, size_t *n) {
  *n = 0;
  if (!s) return NULL;
  const char **v = NULL;
  size_t cap = 0;
  while (*s) {
    while (*s == ' ' || *s == ',') s++;
    const char *b = s;
    while (*s && *s != ',' && *s != ' ') s++;
    if (s > b) {
      EXH_VEC_RESERVE(v, cap, *n + 1);
      v[(*n)++] = exh__xstrndup(b, (size_t)(s - b));
    }
  }
  return v;
}

int exh__yara_compile(exh_yara *y, char *why, size_t whyn) {
  if (!y->loaded) return 0; /* nothing was added */
  unsigned char key[16];
  int cached = -1;
  if (y->cache_rs && y->nsrc) {
    set_key(y, key);
    cached = from_cache(y, key);
  }
  if (cached == 0) return describe(y);
  YR_COMPILER *c = new_compiler(y);
  if (!c) {
    snprintf(why, whyn, "cannot create a YARA compiler");
    return -1;
  }
  for (size_t i = 0; i < y->nsrc; i++) {
    y->err[0] = 0;
    /* each file in its own namespace: rule names may repeat across files */
    if (yr_compiler_add_string(c, y->src[i].text, y->src[i].source)) {
      snprintf(why, whyn, "%s: %s", y->src[i].source, y->err);
      yr_compiler_destroy(c);
      return -1;
    }
  }
  int rc = yr_compiler_get_rules(c, &y->rules);
  yr_compiler_destroy(c);
  if (rc != ERROR_SUCCESS) {
    snprintf(why, whyn, "cannot build the YARA rules (error %d)", rc);
    return -1;
  }
  if (y->cache_rs && y->nsrc && y->slot) to_cache(y, key);
  return describe(y);
}

/* The rules' infos (compiled or read from the cache). */
static int describe(exh_yara *y) {
  size_t n = 0;
  const YR_RULE *r;
  yr_rules_foreach(y->rules, r) n++;
  y->info = exh__xcalloc(n ? n : 1, sizeof *y->info);
  y->ninfo = n;
  size_t i = 0;
  yr_rules_foreach(y->rules, r) {
    yinfo *f = &y->info[i++];
    const char *ns = r->ns && r->ns->name ? r->ns->name : "default";
    f->id = exh__xasprintf("yara:%s", r->identifier);
    const char *d = meta_str(r, "description");
    f->title = exh__xasprintf("YARA %s%s%s", r->identifier, d ? ": " : "", d ? d : "");
    f->desc = exh__xstrdup(d ? d : "");
    f->source = exh__xstrdup(ns);
    exh_level lv = EXH_LEVEL_HIGH;
    const char *ls = meta_str(r, "level");
    int64_t score;
    if (ls && exh_level_parse(ls, &lv) == 0) {
    } else if (meta_int(r, "score", &score)) {
      /* signature-base / THOR scores: 75 is their default for a match */
      lv = score >= 75 ? EXH_LEVEL_HIGH : score >= 50 ? EXH_LEVEL_MEDIUM : EXH_LEVEL_LOW;
    }
    f->cves = split_list(meta_str(r, "cve"), &f->info.ncves);
    f->techs = split_list(meta_str(r, "mitre_attack"), &f->info.ntechniques);
    f->info.id = f->id;
    f->info.title = f->title;
    f->info.description = f->desc;
    f->info.source = f->source;
    f->info.dataset = "exhunt.file";
    f->info.level = lv;
    f->info.cves = f->cves;
    f->info.techniques = f->techs;
  }
  return 0;
}

size_t exh__yara_count(const exh_yara *y) { return y ? y->ninfo : 0; }

const exh_rule_info *exh__yara_rule(const exh_yara *y, size_t i) { return i < y->ninfo ? &y->info[i].info : NULL; }

struct exh_yara_scanner {
  const exh_yara *y;
  YR_SCANNER *s;
};

exh_yara_scanner *exh__yara_scanner_new(const exh_yara *y, int timeout_s) {
  if (!y || !y->rules) return NULL;
  exh_yara_scanner *s = exh__xcalloc(1, sizeof *s);
  s->y = y;
  if (yr_scanner_create(y->rules, &s->s) != ERROR_SUCCESS) {
    free(s);
    return NULL;
  }
  yr_scanner_set_flags(s->s, SCAN_FLAGS_FAST_MODE);
  if (timeout_s > 0) yr_scanner_set_timeout(s->s, timeout_s);
  return s;
}

void exh__yara_scanner_free(exh_yara_scanner *s) {
  if (!s) return;
  yr_scanner_destroy(s->s);
  free(s);
}

typedef struct hitctx {
  exh_yara_scanner *s;
  exh_yara_hit_fn fn;
  void *ctx;
} hitctx;

static int on_scan(YR_SCAN_CONTEXT *sc, int msg, void *data, void *ud) {
  hitctx *h = ud;
  if (msg != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  YR_RULE *r = data;
  size_t idx = (size_t)(r - h->s->y->rules->rules_table);
  if (idx >= h->s->y->ninfo) return CALLBACK_CONTINUE;
  uint64_t off = 0;
  const char *sid = "";
  const YR_STRING *str;
  /* libyara 4.2 allocates YR_MATCH records in its notebook without
   * alignment (UBSan flags any field access), so each is copied out with
   * memcpy instead of read in place through yr_string_matches_foreach. */
  yr_rule_strings_foreach(r, str) {
    const void *mp = sc->matches[str->idx].head;
    for (int guard = 0; mp && guard < 1000000; guard++) {
      YR_MATCH m;
      memcpy(&m, mp, sizeof m);
      if (!m.is_private) {
        off = (uint64_t)(m.base + m.offset);
        sid = str->identifier;
        goto found;
      }
      mp = m.next;
    }
  }
found:
  h->fn(h->ctx, &h->s->y->info[idx].info, off, sid);
  return CALLBACK_CONTINUE;
}

int exh__yara_scan(exh_yara_scanner *s, const uint8_t *p, size_t n, const exh_yara_file *f, exh_yara_hit_fn fn,
                  void *ctx, char *why, size_t whyn) {
  const char *vals[NEXT] = {f->name, f->path, f->ext, f->type, ""};
  for (size_t i = 0; i < NEXT; i++) yr_scanner_define_string_variable(s->s, ext_names[i], vals[i] ? vals[i] : "");
  hitctx h = {s, fn, ctx};
  yr_scanner_set_callback(s->s, on_scan, &h);
  int rc = yr_scanner_scan_mem(s->s, p, n);
  if (rc == ERROR_SUCCESS) return 0;
  snprintf(why, whyn, "YARA scan stopped: %s",
           rc == ERROR_SCAN_TIMEOUT          ? "time limit reached"
           : rc == ERROR_TOO_MANY_MATCHES    ? "too many matches"
           : rc == ERROR_INSUFFICIENT_MEMORY ? "out of memory"
                                             : "libyara error");
  return -1;
}

#else /* no libyara */

struct exh_yara {
  exh_yara_reject_fn fn;
  void *ctx;
};

int exh__yara_available(char *why, size_t whyn) {
  snprintf(why, whyn, "YARA support not built in (EXH_WITH_YARA=OFF)");
  return 0;
}

exh_yara *exh__yara_new(exh_yara_reject_fn fn, void *ctx) {
  exh_yara *y = exh__xcalloc(1, sizeof *y);
  y->fn = fn;
  y->ctx = ctx;
  return y;
}

void exh__yara_free(exh_yara *y) { free(y); }

void exh__yara_use_cache(exh_yara *y, exh_ruleset *rs) {
  (void)y;
  (void)rs;
}

int exh__yara_cached_parse(const unsigned char *p, size_t n, exh_yara_cached *out) {
  (void)p;
  (void)n;
  memset(out, 0, sizeof *out);
  return -1;
}

int exh__yara_add(exh_yara *y, const char *source, const char *text, size_t n) {
  (void)text;
  (void)n;
  if (y->fn) y->fn(y->ctx, source, "YARA support not built in (EXH_WITH_YARA=OFF)");
  return -1;
}

int exh__yara_compile(exh_yara *y, char *why, size_t whyn) {
  (void)y;
  (void)why;
  (void)whyn;
  return 0;
}

size_t exh__yara_count(const exh_yara *y) {
  (void)y;
  return 0;
}

const exh_rule_info *exh__yara_rule(const exh_yara *y, size_t i) {
  (void)y;
  (void)i;
  return NULL;
}

exh_yara_scanner *exh__yara_scanner_new(const exh_yara *y, int timeout_s) {
  (void)y;
  (void)timeout_s;
  return NULL;
}

void exh__yara_scanner_free(exh_yara_scanner *s) { (void)s; }

int exh__yara_scan(exh_yara_scanner *s, const uint8_t *p, size_t n, const exh_yara_file *f, exh_yara_hit_fn fn,
                  void *ctx, char *why, size_t whyn) {
  (void)s, (void)p, (void)n, (void)f, (void)fn, (void)ctx;
  snprintf(why, whyn, "YARA support not built in");
  return -1;
}
#endif
