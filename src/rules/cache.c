/* The compiled rule cache (docs/rules.md, "The compiled rule cache"): a
 * rule folder's compiled rules, with the rejections its loading reported,
 * and the prefilter's Hyperscan databases, kept under $XDG_CACHE_HOME/exhunt
 * so that a second run does not parse YAML or compile Hyperscan again.
 *
 * Two kinds of file, each written whole to a temporary file and renamed
 * (owner-only, in a folder only its owner can write):
 * - rules-<slot>.bin: one per rule folder load (exh_ruleset_add_path,
 *   exh_ruleset_add_sigmahq), keyed by a hash over every file the walk met
 *   (path and content, in load order, and every refusal the walk made),
 *   the set's state before it (field names, rule and value counts), the
 *   build id, the cache format, the Hyperscan and PCRE2 versions and the
 *   CPU platform. It holds the rules' compiled form (cache.c writes and
 *   reads it: selections, matchers, globs, regexes serialised by PCRE2,
 *   condition trees, literal groups, rule infos), the field names the load
 *   interned and the rejections it reported, replayed in order.
 * - prefilter-<slot>.bin: one per configuration (the rule sets' names and
 *   origins), the serialised database of every log kind, each keyed by a
 *   hash over its literals and the platform.
 * A file is read whole, its header and a checksum over the payload checked
 * before parsing, and every read of the payload is bounds-checked; any
 * failure (corrupt, truncated, foreign, another build) leaves the file
 * ignored (a note when verbose) and the rules compiled and written again.
 * The slot names stay the same when a rule file changes, so the folder
 * holds one file per rule folder and configuration. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/limits.h"
#include "../platform/platform.h"
#include "sigma_int.h"

#ifdef EXH_HAVE_PCRE2
#include "../platform/lazy_pcre2.h"
#endif

#define CACHE_FORMAT 1u
#define CACHE_MAGIC "EXHRCACH"
#define CACHE_HEADER 64
#define CACHE_FILE_MAX ((size_t)512 << 20)
#define EXH_CACHE_KEEP_DAYS 30  /* a file not used for this long is removed */
#define EXH_CACHE_KEEP_FILES 32 /* at most this many files, the ones used last */
enum { FILE_RULES = 1, FILE_PREFILTER = 2, FILE_BLOB = 3 };

/* ---- hashing: two 64-bit XXH64-style lanes, 128 bits -------------------- */

typedef struct h128 {
  uint64_t a, b;
} h128;

#define P1 11400714785074694791ull
#define P2 14029467366897019727ull
#define P3 1609587929392839161ull
#define P4 9650029242287828579ull
#define P5 2870177450012600261ull

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t rd64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}
static inline uint32_t rd32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline uint64_t xround(uint64_t acc, uint64_t in) { return rotl(acc + in * P2, 31) * P1; }
static inline uint64_t xmerge(uint64_t acc, uint64_t v) { return (acc ^ xround(0, v)) * P1 + P4; }

static uint64_t xxh64(const void *data, size_t n, uint64_t seed) {
  const unsigned char *p = data, *end = p + n;
  uint64_t h;
  if (n >= 32) {
    uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    for (; end - p >= 32; p += 32) {
      v1 = xround(v1, rd64(p));
      v2 = xround(v2, rd64(p + 8));
      v3 = xround(v3, rd64(p + 16));
      v4 = xround(v4, rd64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = xmerge(h, v1), h = xmerge(h, v2), h = xmerge(h, v3), h = xmerge(h, v4);
  } else {
    h = seed + P5;
  }
  h += (uint64_t)n;
  for (; end - p >= 8; p += 8) h = rotl(h ^ xround(0, rd64(p)), 27) * P1 + P4;
  if (end - p >= 4) h = rotl(h ^ ((uint64_t)rd32(p) * P1), 23) * P2 + P3, p += 4;
  for (; p < end; p++) h = rotl(h ^ (*p * P5), 11) * P1;
  h ^= h >> 33, h *= P2, h ^= h >> 29, h *= P3, h ^= h >> 32;
  return h;
}

static h128 hash128(const void *p, size_t n) {
  return (h128){xxh64(p, n, 0x6578687563616368ull), xxh64(p, n, 0x72756c6573657421ull)};
}

/* ---- a growable byte buffer (no limit: the guard unwinds only on memory) - */

typedef struct wbuf {
  unsigned char *p;
  size_t n, cap;
} wbuf;

static void w_raw(wbuf *w, const void *p, size_t n) {
  if (w->n + n > w->cap) {
    size_t nc = w->cap ? w->cap : 4096;
    while (nc < w->n + n) nc *= 2;
    w->p = exh__xrealloc(w->p, nc);
    w->cap = nc;
  }
  if (n) memcpy(w->p + w->n, p, n);
  w->n += n;
}
static void w_u8(wbuf *w, unsigned v) {
  unsigned char c = (unsigned char)v;
  w_raw(w, &c, 1);
}
static void w_u32(wbuf *w, uint32_t v) {
  unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
  w_raw(w, b, 4);
}
static void w_u64(wbuf *w, uint64_t v) {
  w_u32(w, (uint32_t)v);
  w_u32(w, (uint32_t)(v >> 32));
}
static void w_i32(wbuf *w, int v) { w_u32(w, (uint32_t)v); }
static void w_bytes(wbuf *w, const void *p, size_t n) {
  w_u64(w, n);
  w_raw(w, p, n);
}
/* A string that may be NULL: 0, or its length + 1 and its bytes. */
static void w_str(wbuf *w, const char *s) {
  if (!s) {
    w_u64(w, 0);
    return;
  }
  size_t n = strlen(s);
  w_u64(w, n + 1);
  w_raw(w, s, n);
}
static void w_h128(wbuf *w, h128 h) {
  w_u64(w, h.a);
  w_u64(w, h.b);
}

/* ---- a bounds-checked reader -------------------------------------------- */

typedef struct rbuf {
  const unsigned char *p;
  size_t n, off;
  int bad;
} rbuf;

static const unsigned char *r_raw(rbuf *r, size_t n) {
  if (r->bad || n > r->n - r->off) {
    r->bad = 1;
    return NULL;
  }
  const unsigned char *p = r->p + r->off;
  r->off += n;
  return p;
}
static unsigned r_u8(rbuf *r) {
  const unsigned char *p = r_raw(r, 1);
  return p ? p[0] : 0;
}
static uint32_t r_u32(rbuf *r) {
  const unsigned char *p = r_raw(r, 4);
  return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}
static uint64_t r_u64(rbuf *r) {
  uint64_t lo = r_u32(r);
  return lo | (uint64_t)r_u32(r) << 32;
}
static int r_i32(rbuf *r) { return (int)r_u32(r); }
/* A count of items of at least `min` bytes each: never more than the
 * bytes left could hold, so an allocation sized by it is bounded by the
 * file. */
static size_t r_count(rbuf *r, size_t min) {
  uint64_t v = r_u32(r);
  if (r->bad || (min && v > (r->n - r->off) / min) || v > (uint64_t)INT_MAX) {
    r->bad = 1;
    return 0;
  }
  return (size_t)v;
}
static const unsigned char *r_bytes(rbuf *r, size_t *n) {
  uint64_t v = r_u64(r);
  if (r->bad || v > r->n - r->off) {
    r->bad = 1;
    *n = 0;
    return NULL;
  }
  *n = (size_t)v;
  return r_raw(r, (size_t)v);
}
/* A string as w_str wrote it: NULL for none, else a copy (the caller's);
 * *ok = 0 (and r bad) on a malformed one. A NUL inside is malformed. */
static char *r_str(rbuf *r) {
  uint64_t v = r_u64(r);
  if (r->bad || v == 0) return NULL;
  if (v - 1 > r->n - r->off) {
    r->bad = 1;
    return NULL;
  }
  const unsigned char *p = r_raw(r, (size_t)(v - 1));
  if (!p || memchr(p, 0, (size_t)(v - 1))) {
    r->bad = 1;
    return NULL;
  }
  return exh__xstrndup((const char *)p, (size_t)(v - 1));
}
static h128 r_h128(rbuf *r) {
  h128 h;
  h.a = r_u64(r);
  h.b = r_u64(r);
  return h;
}

/* ---- settings ----------------------------------------------------------- */

typedef struct cache_cfg {
  char *dir;
  unsigned flags;
  wbuf base; /* what every key starts with: format, build id, versions, platform */
} cache_cfg;

static void cfg_free(void *p) {
  cache_cfg *c = p;
  if (!c) return;
  free(c->dir);
  free(c->base.p);
  free(c);
}

static const char anchor_in_library = 0; /* its address finds the library's build id */

/* 1 if `path` (resolved as far as it exists) is `root` or lies below it. */
static int path_inside(const char *path, const char *root) {
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/') n--;
  return !strncmp(path, root, n) && (path[n] == 0 || path[n] == '/' || (n == 1 && root[0] == '/'));
}

/* The path with its longest existing prefix resolved (links followed), the
 * rest appended as written; NULL if nothing of it resolves. */
static char *resolve_partly(const char *path) {
  char *cp = exh__xstrdup(path);
  size_t n = strlen(cp);
  for (;;) {
    char *r = realpath(cp, NULL);
    if (r) {
      char *out = exh__xasprintf("%s%s", r, path + n);
      free(r);
      free(cp);
      return out;
    }
    char *slash = strrchr(cp, '/');
    if (!slash || slash == cp) {
      free(cp);
      return NULL;
    }
    *slash = 0;
    n = (size_t)(slash - cp);
  }
}

/* Creates the folder and its missing parents (0700); 0 if it is there. */
static int make_dirs(const char *dir) {
  struct stat st;
  if (stat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : -1;
  char *cp = exh__xstrdup(dir);
  for (char *s = cp + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (stat(cp, &st) != 0 && mkdir(cp, 0700) != 0 && errno != EEXIST) {
      free(cp);
      return -1;
    }
    *s = '/';
  }
  int rc = mkdir(cp, 0700) == 0 || errno == EEXIST ? 0 : -1;
  free(cp);
  return rc;
}

/* A cache file's name: <lowercase word>-<32 hex digits>.bin. */
static int cache_name(const char *s) {
  size_t w = 0;
  while (s[w] >= 'a' && s[w] <= 'z') w++;
  if (!w || s[w] != '-') return 0;
  s += w + 1;
  for (int i = 0; i < 32; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
  return !strcmp(s + 32, ".bin");
}

typedef struct aged {
  char *name;
  time_t mtime;
} aged;

static int newest_first(const void *a, const void *b) {
  const aged *x = a, *y = b;
  if (x->mtime != y->mtime) return x->mtime < y->mtime ? 1 : -1;
  return strcmp(x->name, y->name);
}

/* Pruning (docs/rules.md): a file's modification time is when it was last
 * written or used (touch_used); files not used for EXH_CACHE_KEEP_DAYS are
 * removed, and of the rest the EXH_CACHE_KEEP_FILES used last are kept. A
 * temporary file a killed run left behind goes too (written files are
 * renamed at once, so one older than an hour is nobody's). Only regular
 * files of the user's own with a cache file's name are touched. */
static void prune(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  time_t now = time(NULL);
  aged *v = NULL;
  size_t n = 0, cap = 0;
  for (struct dirent *e; (e = readdir(d));) {
    int tmp = !strncmp(e->d_name, ".tmp-", 5);
    if (!tmp && !cache_name(e->d_name)) continue;
    struct stat ts;
    if (fstatat(dirfd(d), e->d_name, &ts, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(ts.st_mode) ||
        ts.st_uid != geteuid())
      continue;
    if (tmp) {
      if (ts.st_mtime < now - 3600) (void)unlinkat(dirfd(d), e->d_name, 0);
    } else if (ts.st_mtime < now - (time_t)EXH_CACHE_KEEP_DAYS * 86400) {
      (void)unlinkat(dirfd(d), e->d_name, 0);
    } else {
      EXH_VEC_RESERVE(v, cap, n + 1);
      v[n++] = (aged){exh__xstrdup(e->d_name), ts.st_mtime};
    }
  }
  if (n > EXH_CACHE_KEEP_FILES) {
    qsort(v, n, sizeof *v, newest_first);
    for (size_t i = EXH_CACHE_KEEP_FILES; i < n; i++) (void)unlinkat(dirfd(d), v[i].name, 0);
  }
  for (size_t i = 0; i < n; i++) free(v[i].name);
  free(v);
  closedir(d);
}

/* A file read and used: its modification time moved to now (at most once
 * an hour), so pruning sees it as used. */
static void touch_used(const char *path) {
  struct stat st;
  if (stat(path, &st) == 0 && st.st_mtime < time(NULL) - 3600) (void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
}

static void add_base(cache_cfg *c, const unsigned char *bid, size_t nbid) {
  w_raw(&c->base, "exhunt compiled rule cache", 26);
  w_u32(&c->base, CACHE_FORMAT);
  w_str(&c->base, EXH_VERSION);
  w_bytes(&c->base, bid, nbid);
  char plat[512];
  size_t np = exh__pf_platform(plat, sizeof plat);
  w_bytes(&c->base, plat, np);
#ifdef EXH_HAVE_PCRE2
  char pv[64] = "pcre2 not loaded";
  uint32_t jit = 0;
  if (exh__lib_load(EXH_LIB_PCRE2, NULL, 0) == 0) { /* else no rule has a regex: 're' rules were refused */
    pcre2_config(PCRE2_CONFIG_VERSION, pv);
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
  }
  w_str(&c->base, pv);
  w_u32(&c->base, jit);
#else
  w_str(&c->base, "no pcre2");
#endif
  w_u32(&c->base, (uint32_t)sizeof(void *));
}

static exh_err use_cache_(exh_ruleset *rs, const char *dir, const char *const *avoid, size_t navoid, unsigned flags) {
  exh__ruleset_set_cache(rs, NULL, NULL);
  if (!dir || !dir[0]) return EXH_OK;
  if (dir[0] != '/') return EXH_EARG;
  unsigned char bid[64];
  size_t nbid = exh__build_id(&anchor_in_library, bid, sizeof bid);
  if (!nbid) { /* no build id: what the cache holds could be another build's */
    if (flags & EXH_CACHE_VERBOSE) exh__ruleset_note(rs, dir, "compiled rule cache not used: this build has no build id");
    return EXH_OK;
  }
  /* never inside the evidence or a rule folder (so never created there):
   * checked on the path resolved as far as it exists, a path with '.' or
   * '..' components refused (the part not made yet could climb out), and
   * checked again once made */
  for (const char *q = dir; (q = strchr(q, '/')); q++)
    if (q[1] == '.' && (q[2] == '/' || !q[2] || (q[2] == '.' && (q[3] == '/' || !q[3])))) return EXH_OK;
  char *want = resolve_partly(dir);
  if (!want) return EXH_OK;
  for (int pass = 0; pass < 2; pass++) {
    if (pass) { /* made: resolved whole */
      char *r = make_dirs(want) == 0 ? realpath(want, NULL) : NULL;
      free(want);
      if (!(want = r)) return EXH_OK;
    }
    for (size_t i = 0; i < navoid; i++) {
      char *r = avoid[i] ? realpath(avoid[i], NULL) : NULL;
      int in = r && path_inside(want, r);
      free(r);
      if (in) {
        if (flags & EXH_CACHE_VERBOSE)
          exh__ruleset_note(rs, dir, "compiled rule cache not used: it lies inside a scanned path or a rule folder");
        free(want);
        return EXH_OK;
      }
    }
  }
  struct stat st;
  if (stat(want, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
    /* unusable, or a folder others could write into: compiled without it */
    if (flags & EXH_CACHE_VERBOSE)
      exh__ruleset_note(rs, dir, "compiled rule cache not used: the folder cannot be made, is not the user's own or others can write to it");
    free(want);
    return EXH_OK;
  }
  prune(want);
  cache_cfg *c = exh__xcalloc(1, sizeof *c);
  c->dir = want;
  c->flags = flags;
  add_base(c, bid, nbid);
  exh__ruleset_set_cache(rs, c, cfg_free);
  return EXH_OK;
}

exh_err exh_ruleset_use_cache(exh_ruleset *rs, const char *dir, const char *const *avoid, size_t navoid,
                              unsigned flags) {
  EXH_RULESET_GUARDED(rs, 0, use_cache_(rs, dir, avoid, navoid, flags));
}

static void note(exh_ruleset *rs, const char *path, const char *why) {
  const cache_cfg *c = exh__ruleset_cache(rs);
  if (!(c->flags & EXH_CACHE_VERBOSE)) return;
  char msg[300];
  snprintf(msg, sizeof msg, "compiled rule cache file ignored (%s): rules compiled and the file written again", why);
  exh__ruleset_note(rs, path, msg);
}

/* ---- files --------------------------------------------------------------- */

static char *hex(h128 h) { return exh__xasprintf("%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b); }

/* Reads a cache file whole: NULL if absent; *why set if unusable. */
static unsigned char *read_file(const char *path, size_t *n, const char **why) {
  *why = NULL;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) *why = "cannot open";
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
      st.st_size < CACHE_HEADER || (uint64_t)st.st_size > CACHE_FILE_MAX) {
    close(fd);
    *why = "not a regular file of the user's own, or a size no cache file has";
    return NULL;
  }
  size_t sz = (size_t)st.st_size, got = 0;
  unsigned char *b = exh__xmalloc(sz);
  while (got < sz) {
    ssize_t k = read(fd, b + got, sz - got);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    got += (size_t)k;
  }
  close(fd);
  if (got != sz) {
    free(b);
    *why = "cannot read";
    return NULL;
  }
  *n = sz;
  return b;
}

/* The payload of a file of this type and key: NULL with *why otherwise. */
static const unsigned char *check_file(const unsigned char *b, size_t n, unsigned type, h128 key, size_t *pn,
                                       const char **why) {
  rbuf r = {b, n, 0, 0};
  const unsigned char *m = r_raw(&r, 8);
  if (!m || memcmp(m, CACHE_MAGIC, 8)) {
    *why = "not an exhunt cache file";
    return NULL;
  }
  uint32_t fmt = r_u32(&r), t = r_u32(&r);
  h128 k = r_h128(&r);
  uint64_t len = r_u64(&r);
  h128 sum = r_h128(&r);
  if (r.bad || fmt != CACHE_FORMAT || t != type) {
    *why = "another format version";
    return NULL;
  }
  if (len != n - CACHE_HEADER) {
    *why = "truncated or extended";
    return NULL;
  }
  h128 s = hash128(b + CACHE_HEADER, (size_t)len);
  if (s.a != sum.a || s.b != sum.b) {
    *why = "checksum mismatch";
    return NULL;
  }
  if (k.a != key.a || k.b != key.b) {
    *why = "written for other rules or another build";
    return NULL;
  }
  *pn = (size_t)len;
  return b + CACHE_HEADER;
}

static int write_all(int fd, const void *p, size_t n) {
  const unsigned char *b = p;
  while (n) {
    ssize_t k = write(fd, b, n);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return -1;
    b += k, n -= (size_t)k;
  }
  return 0;
}

/* Writes header + payload to a new temporary file (0600) in the cache
 * folder, renamed into place: a reader sees the old file or the new one.
 * Not synced: a file torn by a crash fails its checksum and is rebuilt. The
 * folder was checked when the cache was set up (resolved, outside the
 * evidence and the rule folders, the user's own). */
static void write_file(const cache_cfg *c, const char *path, unsigned type, h128 key, const wbuf *payload) {
  wbuf h = {0};
  w_raw(&h, CACHE_MAGIC, 8);
  w_u32(&h, CACHE_FORMAT);
  w_u32(&h, type);
  w_h128(&h, key);
  w_u64(&h, payload->n);
  w_h128(&h, hash128(payload->p, payload->n));
  w_u64(&h, 0);
  char *tmp = exh__xasprintf("%s/.tmp-XXXXXX", c->dir);
  int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd >= 0) {
    int ok = write_all(fd, h.p, h.n) == 0 && write_all(fd, payload->p, payload->n) == 0;
    if (close(fd) != 0) ok = 0;
    if (!ok || rename(tmp, path) != 0) unlink(tmp); /* a full disk: no cache, nothing else */
  }
  free(tmp);
  free(h.p);
}

/* ---- rules: writing ------------------------------------------------------ */

static int win_src_index(const win_src *w, uint32_t *out) {
  size_t count;
  exh__sigma_win_src(0, &count);
  for (size_t i = 0; i < count; i++)
    if (exh__sigma_win_src(i, &count) == w) {
      *out = (uint32_t)i;
      return 0;
    }
  return -1;
}

static void w_glob(wbuf *w, const exh_glob *g) {
  w_bytes(w, g->lit, g->n);
  w_bytes(w, g->tok, g->n);
  w_u8(w, (unsigned)g->cased);
  w_u8(w, (unsigned)g->bytes);
  w_u8(w, g->cp != NULL);
  if (g->cp) {
    w_u32(w, (uint32_t)g->nc);
    for (size_t i = 0; i < g->nc; i++) w_u32(w, g->cp[i]);
  }
}

static int w_matcher(wbuf *w, const matcher *m) {
  if (m->mods & MOD_IPSET) return -1; /* the indicator rules: compiled each run */
  w_i32(w, m->fid);
  w_u32(w, m->mods);
  w_u32(w, (uint32_t)m->nv);
  w_i32(w, m->exists_val);
  size_t nre = 0;
  for (size_t i = 0; i < m->nv; i++) {
    w_u8(w, m->is_null[i]);
    w_glob(w, &m->globs[i]);
    if (m->mods & MOD_CIDR) {
      w_u8(w, (unsigned)m->nets[i].family);
      w_raw(w, m->nets[i].addr, 16);
      w_u8(w, (unsigned)m->nets[i].bits);
    }
    if (m->mods & MOD_FIELDREF) w_i32(w, m->refs[i]);
    w_u8(w, m->res && m->res[i] ? 1 : 0);
    if (m->res && m->res[i]) nre++;
  }
  if (nre) {
#ifdef EXH_HAVE_PCRE2
    const pcre2_code **codes = exh__xcalloc(nre, sizeof *codes);
    size_t k = 0;
    for (size_t i = 0; i < m->nv; i++)
      if (m->res[i]) codes[k++] = m->res[i];
    uint8_t *bytes = NULL;
    PCRE2_SIZE size = 0;
    int32_t rc = pcre2_serialize_encode(codes, (int32_t)nre, &bytes, &size, NULL);
    free(codes);
    if (rc < 0) return -1;
    w_bytes(w, bytes, size);
    pcre2_serialize_free(bytes);
#else
    return -1;
#endif
  }
  return 0;
}

static int w_rule(wbuf *w, const exh_rule *r) {
  w_str(w, r->id);
  w_str(w, r->title);
  w_str(w, r->desc);
  w_str(w, r->source);
  w_str(w, r->info.dataset);
  w_u32(w, (uint32_t)r->info.level);
  w_u32(w, r->info.flags);
  w_u32(w, (uint32_t)r->info.ncves);
  for (size_t i = 0; i < r->info.ncves; i++) w_str(w, r->cves[i]);
  w_u32(w, (uint32_t)r->info.ntechniques);
  for (size_t i = 0; i < r->info.ntechniques; i++) w_str(w, r->techs[i]);
  w_u32(w, r->kinds);
  w_u32(w, (uint32_t)r->nwsrc);
  for (size_t i = 0; i < r->nwsrc; i++) {
    uint32_t ix;
    if (win_src_index(r->wsrc[i], &ix)) return -1;
    w_u32(w, ix);
  }
  w_u32(w, (uint32_t)r->nsels);
  for (size_t i = 0; i < r->nsels; i++) {
    const selection *s = &r->sels[i];
    w_str(w, s->name);
    w_u64(w, s->nvals);
    w_u32(w, (uint32_t)s->nalts);
    for (size_t a = 0; a < s->nalts; a++) {
      w_u32(w, (uint32_t)s->alts[a].n);
      for (size_t j = 0; j < s->alts[a].n; j++)
        if (w_matcher(w, &s->alts[a].m[j])) return -1;
    }
  }
  w_u32(w, (uint32_t)r->nnodes);
  for (size_t i = 0; i < r->nnodes; i++) {
    const cnode *c = &r->nodes[i];
    w_u8(w, (unsigned)c->op);
    w_i32(w, c->a);
    w_i32(w, c->sel);
    w_u32(w, (uint32_t)c->nkids);
    for (size_t k = 0; k < c->nkids; k++) w_i32(w, c->kids[k]);
    w_u32(w, (uint32_t)c->nsels);
    for (size_t k = 0; k < c->nsels; k++) w_i32(w, c->sels[k]);
  }
  w_i32(w, r->root);
  w_u32(w, (uint32_t)r->ngroups);
  for (size_t g = 0; g < r->ngroups; g++) {
    w_u32(w, (uint32_t)r->groups[g].n);
    for (size_t k = 0; k < r->groups[g].n; k++) w_bytes(w, r->groups[g].lits[k].p, r->groups[g].lits[k].n);
  }
  w_u32(w, (uint32_t)r->nshown);
  for (size_t i = 0; i < r->nshown; i++) w_i32(w, r->shown[i]);
  w_u64(w, r->nvalues);
  w_u64(w, r->nbytes);
  w_u64(w, r->nregex);
  return 0;
}

/* ---- rules: reading ------------------------------------------------------ */

typedef struct rctx {
  rbuf r;
  size_t nfields; /* field ids below this are valid */
  int no_regex;   /* the fuzz target: PCRE2 trusts its serialised form (the checksum guards it) */
} rctx;

static void r_glob(rctx *c, exh_glob *g) {
  size_t n, nt;
  const unsigned char *lit = r_bytes(&c->r, &n), *tok = r_bytes(&c->r, &nt);
  if (c->r.bad || nt != n) {
    c->r.bad = 1;
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (tok[i] > 3) c->r.bad = 1;
  g->lit = exh__xmalloc(n + 2);
  g->tok = exh__xmalloc(n + 2);
  memcpy(g->lit, lit, n);
  memcpy(g->tok, tok, n);
  g->n = n;
  g->cased = (int)r_u8(&c->r);
  g->bytes = (int)r_u8(&c->r);
  if (r_u8(&c->r)) {
    size_t nc = r_count(&c->r, 4);
    g->cp = exh__xmalloc((nc + 2) * sizeof *g->cp);
    for (size_t i = 0; i < nc; i++) g->cp[i] = r_u32(&c->r);
    g->nc = nc;
  }
}

static int fid_ok(const rctx *c, int f, int allow_none) {
  return (allow_none && f == -1) || (f >= 0 && (size_t)f < c->nfields);
}

static void r_matcher(rctx *c, matcher *m) {
  rbuf *r = &c->r;
  m->fid = r_i32(r);
  m->mods = r_u32(r);
  if (!fid_ok(c, m->fid, 1) || (m->mods & MOD_IPSET)) r->bad = 1;
  size_t nv = r_count(r, 4);
  m->exists_val = r_i32(r);
  if (r->bad) return;
  m->nv = nv;
  if (!nv) return;
  m->globs = exh__xcalloc(nv, sizeof *m->globs);
  m->res = exh__xcalloc(nv, sizeof *m->res);
  m->is_null = exh__xcalloc(nv, 1);
  if (m->mods & MOD_CIDR) m->nets = exh__xcalloc(nv, sizeof *m->nets);
  if (m->mods & MOD_FIELDREF) m->refs = exh__xcalloc(nv, sizeof *m->refs);
  unsigned char *hasre = exh__xcalloc(nv, 1);
  size_t nre = 0;
  for (size_t i = 0; i < nv && !r->bad; i++) {
    m->is_null[i] = (unsigned char)(r_u8(r) != 0);
    r_glob(c, &m->globs[i]);
    if (m->mods & MOD_CIDR) {
      cidr_net *net = &m->nets[i];
      net->family = (int)r_u8(r);
      const unsigned char *a = r_raw(r, 16);
      if (a) memcpy(net->addr, a, 16);
      net->bits = (int)r_u8(r);
      if (!m->is_null[i] && !((net->family == 4 && net->bits <= 32) || (net->family == 6 && net->bits <= 128)))
        r->bad = 1;
    }
    if (m->mods & MOD_FIELDREF) {
      m->refs[i] = r_i32(r);
      if (!m->is_null[i] && !fid_ok(c, m->refs[i], 0)) r->bad = 1;
    }
    hasre[i] = (unsigned char)r_u8(r);
    /* a regex matcher has one for every value but the nulls, no other has any */
    if (hasre[i] > 1 || hasre[i] != ((m->mods & MOD_RE) && !m->is_null[i])) r->bad = 1;
    nre += hasre[i];
  }
  if (nre && !r->bad) {
    size_t n;
    const unsigned char *b = r_bytes(r, &n);
#ifdef EXH_HAVE_PCRE2
    if (b && !c->no_regex) {
      pcre2_code **codes = exh__xcalloc(nre, sizeof *codes);
      /* PCRE2 checks the header (magic, version, build) and trusts the
       * rest: the file's checksum vouches that these are the bytes written */
      if (n < 16 || exh__lib_load(EXH_LIB_PCRE2, NULL, 0) != 0 || pcre2_serialize_get_number_of_codes(b) != (int32_t)nre ||
          pcre2_serialize_decode(codes, (int32_t)nre, b, NULL) != (int32_t)nre) {
        r->bad = 1;
      } else {
        size_t k = 0;
        for (size_t i = 0; i < nv; i++)
          if (hasre[i]) {
            pcre2_jit_compile(codes[k], PCRE2_JIT_COMPLETE);
            m->res[i] = codes[k++];
          }
      }
      free(codes);
    } else if (b) {
      r->bad = 1; /* parsed, not decoded: not usable */
    }
#else
    (void)b;
    r->bad = 1;
#endif
  }
  free(hasre);
  /* Anything sigma.c derives from a compiled matcher after compiling it
   * (the hash set over many exact values) is not stored: it is built here
   * again, by the same function, once the matcher is read whole. */
  if (!r->bad) exh__matcher_index_build(m);
}

/* The condition tree is a tree: every node reached once from the root,
 * no deeper than evaluation allows. */
static int tree_ok(const exh_rule *r, int ni, int depth, unsigned char *seen) {
  if (ni < 0 || (size_t)ni >= r->nnodes || depth > 2 * EXH_SIGMA_MAX_NESTING + 2 || seen[ni]) return 0;
  seen[ni] = 1;
  const cnode *n = &r->nodes[ni];
  switch (n->op) {
  case C_SEL: return n->sel >= 0 && (size_t)n->sel < r->nsels;
  case C_NOT: return tree_ok(r, n->a, depth + 1, seen);
  case C_AND:
  case C_OR:
    for (size_t i = 0; i < n->nkids; i++)
      if (!tree_ok(r, n->kids[i], depth + 1, seen)) return 0;
    return 1;
  case C_ONEOF:
  case C_ALLOF:
    for (size_t i = 0; i < n->nsels; i++)
      if (n->sels[i] < 0 || (size_t)n->sels[i] >= r->nsels) return 0;
    return 1;
  }
  return 0;
}

static const char *known_dataset(const char *s) {
  if (!s) return NULL;
  static const char *const fixed[] = {"exchange", "iis.access", "windows.evtx"};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (!strcmp(s, fixed[i])) return fixed[i];
  for (int k = 0; k < EXH_KIND_COUNT; k++) {
    const char *d = exh__kind_dataset((exh_kind)k);
    if (d && !strcmp(s, d)) return d;
  }
  return NULL;
}

/* One rule, or NULL (r bad). */
static exh_rule *r_rule(rctx *c) {
  rbuf *r = &c->r;
  exh_rule *x = exh__xcalloc(1, sizeof *x);
  x->id = r_str(r);
  x->title = r_str(r);
  x->desc = r_str(r);
  x->source = r_str(r);
  char *ds = r_str(r);
  x->info.dataset = known_dataset(ds);
  free(ds);
  uint32_t level = r_u32(r);
  x->info.flags = r_u32(r);
  if (!x->id || !x->title || !x->source || !x->info.dataset || level > EXH_LEVEL_CRITICAL) r->bad = 1;
  x->info.level = (exh_level)level;
  size_t n = r_count(r, 8);
  x->cves = exh__xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n && !r->bad; i++)
    if (!(x->cves[x->info.ncves++] = r_str(r))) r->bad = 1;
  n = r_count(r, 8);
  x->techs = exh__xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n && !r->bad; i++)
    if (!(x->techs[x->info.ntechniques++] = r_str(r))) r->bad = 1;
  x->kinds = r_u32(r);
  n = r_count(r, 4);
  if (n > sizeof x->wsrc / sizeof x->wsrc[0]) r->bad = 1;
  for (size_t i = 0; i < n && !r->bad; i++) {
    size_t count;
    const win_src *w = exh__sigma_win_src(r_u32(r), &count);
    if (!w) r->bad = 1;
    else x->wsrc[x->nwsrc++] = w;
  }
  n = r_count(r, 8);
  if (!r->bad && n) x->sels = exh__xcalloc(n, sizeof *x->sels);
  for (size_t i = 0; i < n && !r->bad; i++) {
    selection *s = &x->sels[x->nsels++];
    s->name = r_str(r);
    s->nvals = (size_t)r_u64(r);
    size_t na = r_count(r, 4);
    if (!s->name || r->bad) {
      r->bad = 1;
      break;
    }
    s->alts = exh__xcalloc(na ? na : 1, sizeof *s->alts);
    for (size_t a = 0; a < na && !r->bad; a++) {
      conj *cj = &s->alts[s->nalts++];
      size_t nm = r_count(r, 16);
      if (r->bad) break;
      cj->m = exh__xcalloc(nm ? nm : 1, sizeof *cj->m);
      for (size_t j = 0; j < nm && !r->bad; j++) {
        cj->n++;
        r_matcher(c, &cj->m[j]);
      }
    }
  }
  n = r_count(r, 13);
  if (!r->bad && n) x->nodes = exh__xcalloc(n, sizeof *x->nodes);
  for (size_t i = 0; i < n && !r->bad; i++) {
    cnode *cn = &x->nodes[x->nnodes++];
    cn->op = (int)r_u8(r);
    cn->a = r_i32(r);
    cn->sel = r_i32(r);
    size_t nk = r_count(r, 4);
    if (r->bad) break;
    if (nk) cn->kids = exh__xcalloc(nk, sizeof *cn->kids);
    for (size_t k = 0; k < nk; k++) cn->kids[cn->nkids++] = r_i32(r);
    size_t ns = r_count(r, 4);
    if (r->bad) break;
    if (ns) cn->sels = exh__xcalloc(ns, sizeof *cn->sels);
    for (size_t k = 0; k < ns; k++) cn->sels[cn->nsels++] = r_i32(r);
  }
  x->root = r_i32(r);
  if (!r->bad) {
    unsigned char *seen = exh__xcalloc(x->nnodes ? x->nnodes : 1, 1);
    if (!tree_ok(x, x->root, 0, seen)) r->bad = 1;
    free(seen);
  }
  n = r_count(r, 4);
  if (n > EXH_MAX_LIT_GROUPS) r->bad = 1;
  for (size_t g = 0; g < n && !r->bad; g++) {
    size_t nl = r_count(r, 9);
    if (r->bad || nl == 0) {
      r->bad = 1;
      break;
    }
    /* the literal bytes live behind the array (freed with it) */
    size_t start = r->off, total = 0;
    for (size_t k = 0; k < nl && !r->bad; k++) {
      size_t ln;
      const unsigned char *p = r_bytes(r, &ln);
      if (!p || ln == 0 || ln > EXH_PREFILTER_MAX_LITERAL || memchr(p, '\n', ln)) r->bad = 1;
      total += ln;
    }
    if (r->bad) break;
    r->off = start;
    exh_str *lits = exh__xmalloc(nl * sizeof *lits + total);
    char *bytes = (char *)(lits + nl);
    for (size_t k = 0; k < nl; k++) {
      size_t ln;
      const unsigned char *p = r_bytes(r, &ln);
      memcpy(bytes, p, ln);
      lits[k] = (exh_str){bytes, ln};
      bytes += ln;
    }
    x->groups[x->ngroups++] = (exh_rule_lits){lits, nl};
  }
  n = r_count(r, 4);
  if (!r->bad && n) x->shown = exh__xcalloc(n, sizeof *x->shown);
  for (size_t i = 0; i < n && !r->bad; i++) {
    x->shown[x->nshown] = r_i32(r);
    if (!fid_ok(c, x->shown[x->nshown], 1)) r->bad = 1;
    x->nshown++;
  }
  x->nvalues = (size_t)r_u64(r);
  x->nbytes = (size_t)r_u64(r);
  x->nregex = (size_t)r_u64(r);
  if (r->bad) {
    exh__sigma_rule_free(x);
    return NULL;
  }
  x->info.id = x->id;
  x->info.title = x->title;
  x->info.description = x->desc ? x->desc : "";
  x->info.source = x->source;
  x->info.cves = (const char *const *)x->cves;
  x->info.techniques = (const char *const *)x->techs;
  return x;
}

/* ---- a rule folder's load ------------------------------------------------ */

typedef struct reject_ev {
  char *source, *title, *why;
} reject_ev;

enum { IT_FILE, IT_REJECT };
typedef struct item {
  int type;
  char *source, *title, *why; /* IT_REJECT */
  char *text;                 /* IT_FILE: the content, len bytes */
  size_t len;
  exh_err rc;
} item;

typedef struct unit {
  exh_ruleset *rs;
  item *items;
  size_t n, cap;
  /* recording */
  reject_ev *rej;
  size_t nrej, caprej;
  int uncacheable;
} unit;

static char *dup_or_null(const char *s) { return s ? exh__xstrdup(s) : NULL; }

static int gather_hook(void *ctx, const char *source, const char *title, const char *why, int is_note) {
  unit *u = ctx;
  if (is_note) {
    u->uncacheable = 1;
    return 0;
  }
  EXH_VEC_RESERVE(u->items, u->cap, u->n + 1);
  u->items[u->n++] = (item){IT_REJECT, dup_or_null(source), dup_or_null(title), dup_or_null(why), NULL, 0, EXH_OK};
  return 1;
}

static int record_hook(void *ctx, const char *source, const char *title, const char *why, int is_note) {
  unit *u = ctx;
  if (is_note) {
    u->uncacheable = 1;
    return 0;
  }
  EXH_VEC_RESERVE(u->rej, u->caprej, u->nrej + 1);
  u->rej[u->nrej++] = (reject_ev){dup_or_null(source), dup_or_null(title), dup_or_null(why)};
  return 0;
}

/* The walk's file function while gathering: the file's bytes, or its
 * refusal (as loading it would say). */
/* The common case without resolving the path first (realpath reads every
 * component's link: a fifth of a cached run): a regular file opened,
 * without blocking, and read whole. NULL for anything else, which the
 * loader's own reader then reads or refuses with its reason. */
static char *read_plain(const char *path, size_t *n) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > EXH_RULE_FILE_MAX) {
    close(fd);
    return NULL;
  }
  size_t sz = (size_t)st.st_size, got = 0;
  char *b = exh__xmalloc(sz + 2);
  for (;;) { /* to the end, whatever the size said (one byte more: a file that grew) */
    ssize_t k = read(fd, b + got, sz + 1 - got);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      free(b);
      close(fd);
      return NULL;
    }
    if (k == 0 || (got += (size_t)k) > sz) break;
  }
  close(fd);
  if (got != sz) { /* it changed while read: the loader's reader decides */
    free(b);
    return NULL;
  }
  b[got] = 0;
  *n = got;
  return b;
}

static exh_err gather_file(exh_ruleset *rs, const char *path) {
  unit *u = exh__ruleset_hook_ctx(rs);
  char why[256];
  size_t n;
  char *t = read_plain(path, &n);
  if (!t) t = exh__rules_read_user_file(path, EXH_RULE_FILE_MAX, &n, why, sizeof why);
  if (!t) {
    exh__ruleset_reject(rs, path, NULL, why);
    u->items[u->n - 1].rc = EXH_EIO;
    return EXH_EIO;
  }
  EXH_VEC_RESERVE(u->items, u->cap, u->n + 1);
  u->items[u->n++] = (item){IT_FILE, exh__xstrdup(path), NULL, NULL, t, n, EXH_OK};
  return EXH_OK;
}

static void unit_free(unit *u) {
  for (size_t i = 0; i < u->n; i++) {
    free(u->items[i].source);
    free(u->items[i].title);
    free(u->items[i].why);
    free(u->items[i].text);
  }
  free(u->items);
  for (size_t i = 0; i < u->nrej; i++) {
    free(u->rej[i].source);
    free(u->rej[i].title);
    free(u->rej[i].why);
  }
  free(u->rej);
}

/* What a load's result depends on besides the files: the set's state. */
static void add_state(wbuf *k, const exh_ruleset *rs) {
  size_t b[4];
  int vs;
  exh__ruleset_budget(rs, b, &vs);
  for (int i = 0; i < 4; i++) w_u64(k, b[i]);
  size_t nf = exh__ruleset_nfields(rs);
  w_u32(k, (uint32_t)nf);
  for (size_t f = 0; f < nf; f++) w_str(k, exh__ruleset_field_name(rs, (int)f));
}

/* A parsed rules file, applied only once whole. */
typedef struct parsed {
  char **fields;
  size_t nfields;
  reject_ev *rej;
  size_t nrej;
  exh_rule **rules;
  size_t nrules;
  exh_err rc;
} parsed;

static void parsed_free(parsed *p) {
  for (size_t i = 0; i < p->nfields; i++) free(p->fields[i]);
  free(p->fields);
  for (size_t i = 0; i < p->nrej; i++) {
    free(p->rej[i].source);
    free(p->rej[i].title);
    free(p->rej[i].why);
  }
  free(p->rej);
  for (size_t i = 0; i < p->nrules; i++) exh__sigma_rule_free(p->rules[i]);
  free(p->rules);
  memset(p, 0, sizeof *p);
}

/* Parses a payload for a set that holds nf0 fields: 0 and *p, or -1. */
static int parse_payload(const unsigned char *b, size_t n, size_t nf0, int no_regex, parsed *p) {
  memset(p, 0, sizeof *p);
  rctx c = {{b, n, 0, 0}, 0, no_regex};
  rbuf *r = &c.r;
  size_t nf = r_count(r, 8);
  if (!r->bad) p->fields = exh__xcalloc(nf ? nf : 1, sizeof *p->fields);
  for (size_t i = 0; i < nf && !r->bad; i++)
    if (!(p->fields[p->nfields++] = r_str(r))) r->bad = 1;
  if (nf0 + nf > EXH_RULESET_MAX_FIELDS) r->bad = 1;
  c.nfields = nf0 + nf;
  size_t nr = r_count(r, 24);
  if (!r->bad) p->rej = exh__xcalloc(nr ? nr : 1, sizeof *p->rej);
  for (size_t i = 0; i < nr && !r->bad; i++) {
    reject_ev *e = &p->rej[p->nrej++];
    e->source = r_str(r);
    e->title = r_str(r);
    e->why = r_str(r);
  }
  size_t nrules = r_count(r, 64);
  if (!r->bad) p->rules = exh__xcalloc(nrules ? nrules : 1, sizeof *p->rules);
  for (size_t i = 0; i < nrules && !r->bad; i++) {
    exh_rule *x = r_rule(&c);
    if (x) p->rules[p->nrules++] = x;
  }
  p->rc = (exh_err)r_i32(r);
  if (r->bad || r->off != r->n) {
    parsed_free(p);
    return -1;
  }
  return 0;
}

int exh__cache_parse_payload(const void *data, size_t n) {
  parsed p;
  int rc = parse_payload(data, n, EXH_VF_COUNT + 20, 1, &p);
  if (rc == 0) parsed_free(&p);
  return rc;
}

static const char *const yaml_exts[] = {".yml", ".yaml", NULL};

/* ---- loading the gathered files, their YAML parsed ahead ----------------
 * With exh_ruleset_set_threads above one, other threads parse the files'
 * YAML (a tenth of a first load) while this one compiles the documents in
 * load order; a file no thread has taken yet it parses itself. Workers stay
 * at most AHEAD_MAX files ahead (parsed documents take memory). */

#define AHEAD_MAX 128

enum { PA_FREE, PA_RUNNING, PA_DONE, PA_MINE };

typedef struct ahead {
  unit *u;
  exh_yaml_docs *d;
  unsigned char *state;
  size_t next;     /* the next item a worker looks at */
  size_t consumed; /* items the loader is done with */
  int stop;
  int worker_waits, main_waits; /* threads waiting (a wake-up only then) */
  exh_mutex *mu;
  exh_cond *cv;
} ahead;

static void *ahead_worker(void *arg) {
  ahead *a = arg;
  exh__mutex_lock(a->mu);
  for (;;) {
    while (a->next < a->u->n && (a->u->items[a->next].type != IT_FILE || a->state[a->next] != PA_FREE)) a->next++;
    if (a->stop || a->next >= a->u->n) break;
    if (a->next >= a->consumed + AHEAD_MAX) { /* far enough ahead: woken when half of it is used */
      a->worker_waits++;
      while (!a->stop && a->next >= a->consumed + AHEAD_MAX / 2) exh__cond_wait(a->cv, a->mu);
      a->worker_waits--;
      continue;
    }
    size_t i = a->next++;
    a->state[i] = PA_RUNNING;
    exh__mutex_unlock(a->mu);
    exh__yaml_parse_ahead(a->u->items[i].text, a->u->items[i].len, &a->d[i]);
    exh__mutex_lock(a->mu);
    a->state[i] = PA_DONE;
    if (a->main_waits) exh__cond_broadcast(a->cv);
  }
  exh__mutex_unlock(a->mu);
  return NULL;
}

static void ahead_stop(ahead *a, exh_thread **th, int nt) {
  exh__mutex_lock(a->mu);
  a->stop = 1;
  exh__cond_broadcast(a->cv);
  exh__mutex_unlock(a->mu);
  for (int t = 0; t < nt; t++) exh__thread_join(th[t]);
}

/* Loads the items in order, their documents parsed ahead when `a` has
 * workers. */
static exh_err load_loop(exh_ruleset *rs, unit *u, ahead *a, int started) {
  exh_err rc = EXH_OK;
  for (size_t i = 0; i < u->n; i++) {
    item *it = &u->items[i];
    if (it->type == IT_REJECT) {
      exh__ruleset_reject(rs, it->source, it->title, it->why);
    } else {
      exh_yaml_docs *d = NULL;
      if (started) {
        exh__mutex_lock(a->mu);
        a->main_waits++;
        while (a->state[i] == PA_RUNNING) exh__cond_wait(a->cv, a->mu);
        a->main_waits--;
        if (a->state[i] == PA_FREE) a->state[i] = PA_MINE; /* no worker got to it: parsed here */
        else d = &a->d[i];
        exh__mutex_unlock(a->mu);
      }
      it->rc = d ? exh__ruleset_add_yaml_parsed(rs, it->source, it->text, it->len, d)
                 : exh_ruleset_add_yaml(rs, it->source, it->text, it->len);
      if (d) exh__yaml_docs_free(d);
      free(it->text);
      it->text = NULL;
    }
    if (it->rc != EXH_OK && rc == EXH_OK) rc = it->rc;
    if (started) {
      exh__mutex_lock(a->mu);
      a->consumed = i + 1;
      if (a->worker_waits && a->next < a->consumed + AHEAD_MAX / 2) exh__cond_broadcast(a->cv);
      exh__mutex_unlock(a->mu);
    }
  }
  return rc;
}

static exh_err load_items(exh_ruleset *rs, unit *u) {
  int nt = exh__ruleset_threads(rs) - 1;
  size_t nfiles = 0;
  for (size_t i = 0; i < u->n; i++) nfiles += u->items[i].type == IT_FILE;
  if (nt > 8) nt = 8;
  if (nfiles < 16) nt = 0; /* not worth a thread */
  ahead a;
  memset(&a, 0, sizeof a);
  exh_thread *th[8];
  int started = 0;
  if (nt > 0) {
    a.u = u;
    a.d = calloc(u->n, sizeof *a.d); /* NULL, never an unwind: then no thread */
    a.state = calloc(u->n, 1);
    a.mu = a.d && a.state ? exh__mutex_new() : NULL;
    a.cv = a.mu ? exh__cond_new() : NULL;
    if (a.cv)
      for (int t = 0; t < nt; t++)
        if ((th[started] = exh__thread_start(ahead_worker, &a))) started++;
  }
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) { /* out of memory here: the workers stopped before the unwind goes on */
    if (started) ahead_stop(&a, th, started);
    exh__guard_fail(g.code);
  }
  exh_err rc = load_loop(rs, u, &a, started);
  exh__guard_pop(&g);
  if (started) ahead_stop(&a, th, started);
  if (a.d)
    for (size_t i = 0; i < u->n; i++) exh__yaml_docs_free(&a.d[i]);
  free(a.d);
  free(a.state);
  if (a.cv) exh__cond_free(a.cv);
  if (a.mu) exh__mutex_free(a.mu);
  return rc;
}

/* A load of the gathered items (files and refusals, in load order; grc the
 * gathering's own result) through the cache. */
static exh_err unit_run(exh_ruleset *rs, unit *u, const char *what, const char *const *roots, size_t nroots,
                        exh_err grc) {
  const cache_cfg *cfg = exh__ruleset_cache(rs);
  /* 2. the key and the slot */
  /* the slot names the load, not the build: a new build or changed rule
   * files replace the file instead of adding one */
  wbuf k = {0};
  w_str(&k, what);
  w_u32(&k, (uint32_t)nroots);
  for (size_t i = 0; i < nroots; i++) w_str(&k, roots[i]);
  add_state(&k, rs);
  h128 slot = hash128(k.p, k.n);
  w_raw(&k, cfg->base.p, cfg->base.n);
  w_u32(&k, (uint32_t)u->n);
  for (size_t i = 0; i < u->n; i++) {
    const item *it = &u->items[i];
    w_u8(&k, (unsigned)it->type);
    w_str(&k, it->source);
    w_str(&k, it->title);
    w_str(&k, it->why);
    w_u64(&k, it->len);
    /* a file's content: 64 bits suffice against an accidental match (and
     * one pass over SigmaHQ's 14 MB instead of two) */
    if (it->type == IT_FILE) w_u64(&k, xxh64(it->text, it->len, 0x6578687563616368ull));
  }
  h128 key = hash128(k.p, k.n);
  free(k.p);
  char *sx = hex(slot);
  char *path = exh__xasprintf("%s/rules-%s.bin", cfg->dir, sx);
  free(sx);
  /* 3. the cached result, if it is this one */
  size_t nf0 = exh__ruleset_nfields(rs);
  size_t fn;
  const char *why = NULL;
  unsigned char *fb = u->uncacheable ? NULL : read_file(path, &fn, &why);
  if (fb) {
    size_t pn;
    const unsigned char *pl = check_file(fb, fn, FILE_RULES, key, &pn, &why);
    parsed p;
    if (pl && parse_payload(pl, pn, nf0, 0, &p) == 0) {
      free(fb);
      for (size_t i = 0; i < p.nfields; i++) {
        int f = exh__ruleset_intern(rs, p.fields[i], strlen(p.fields[i]));
        if (f != (int)(nf0 + i)) { /* the key holds the fields before: never */
          free(path);
          parsed_free(&p);
          exh__guard_fail(EXH_GUARD_NOMEM);
        }
      }
      for (size_t i = 0; i < p.nrej; i++) exh__ruleset_reject(rs, p.rej[i].source, p.rej[i].title, p.rej[i].why);
      for (size_t i = 0; i < p.nrules; i++) {
        exh__ruleset_append(rs, p.rules[i]);
        p.rules[i] = NULL;
      }
      p.nrules = 0;
      exh_err rc = p.rc;
      parsed_free(&p);
      touch_used(path);
      free(path);
      return rc;
    }
    if (!why) why = "its content cannot be read back";
    free(fb);
  }
  if (why) note(rs, path, why);
  /* 4. loaded as without the cache, recorded */
  size_t b0[4];
  int vs;
  exh__ruleset_budget(rs, b0, &vs);
  exh__ruleset_set_hook(rs, record_hook, u);
  exh_err rc = load_items(rs, u);
  exh__ruleset_set_hook(rs, NULL, NULL);
  if (grc != EXH_OK && rc == EXH_OK) rc = grc;
  if (u->uncacheable || *exh__ruleset_broken(rs)) {
    free(path);
    return rc;
  }
  /* 5. written */
  wbuf w = {0};
  size_t nf1 = exh__ruleset_nfields(rs);
  w_u32(&w, (uint32_t)(nf1 - nf0));
  for (size_t f = nf0; f < nf1; f++) w_str(&w, exh__ruleset_field_name(rs, (int)f));
  w_u32(&w, (uint32_t)u->nrej);
  for (size_t i = 0; i < u->nrej; i++) {
    w_str(&w, u->rej[i].source);
    w_str(&w, u->rej[i].title);
    w_str(&w, u->rej[i].why);
  }
  size_t b1[4];
  exh__ruleset_budget(rs, b1, &vs);
  w_u32(&w, (uint32_t)(b1[0] - b0[0]));
  int ok = 1;
  for (size_t i = b0[0]; i < b1[0] && ok; i++) ok = w_rule(&w, exh__ruleset_get(rs, i)) == 0;
  w_i32(&w, (int)rc);
  if (ok) write_file(cfg, path, FILE_RULES, key, &w);
  free(w.p);
  free(path);
  return rc;
}

static exh_err rule_walk_(exh_ruleset *rs, unit *u, const char *what, const char *const *roots, size_t nroots) {
  /* 1. the walk, gathering every file's bytes and every refusal */
  exh_err grc = EXH_OK;
  exh__ruleset_set_hook(rs, gather_hook, u);
  for (size_t i = 0; i < nroots; i++) {
    exh_err r = exh__ruleset_walk_files(rs, roots[i], yaml_exts, gather_file);
    if (r != EXH_OK && grc == EXH_OK) grc = r;
  }
  exh__ruleset_set_hook(rs, NULL, NULL);
  return unit_run(rs, u, what, roots, nroots, grc);
}

/* Runs a load through the cache, the hook never outliving it. */
typedef struct unit_call {
  const char *what;
  const char *const *roots; /* a walk's roots, or */
  size_t nroots;
  const char *const *sources, *const *texts; /* texts in memory */
  const size_t *lens;
  size_t ntexts;
} unit_call;

static exh_err unit_guarded(exh_ruleset *rs, const unit_call *c) {
  unit u;
  memset(&u, 0, sizeof u);
  u.rs = rs;
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) {
    /* out of memory: the hook must not outlive this frame */
    exh__ruleset_set_hook(rs, NULL, NULL);
    exh__guard_fail(g.code);
  }
  exh_err rc;
  if (c->roots) {
    rc = rule_walk_(rs, &u, c->what, c->roots, c->nroots);
  } else {
    for (size_t i = 0; i < c->ntexts; i++) {
      EXH_VEC_RESERVE(u.items, u.cap, u.n + 1);
      char *t = exh__xmalloc(c->lens[i] + 1);
      memcpy(t, c->texts[i], c->lens[i]);
      t[c->lens[i]] = 0;
      u.items[u.n++] = (item){IT_FILE, exh__xstrdup(c->sources[i]), NULL, NULL, t, c->lens[i], EXH_OK};
    }
    rc = unit_run(rs, &u, c->what, NULL, 0, EXH_OK);
  }
  exh__guard_pop(&g);
  unit_free(&u);
  return rc;
}

exh_err exh__cache_rule_walk(exh_ruleset *rs, const char *what, const char *const *roots, size_t nroots,
                             exh_rule_file_fn add_file) {
  size_t b[4];
  int vs;
  exh__ruleset_budget(rs, b, &vs);
  if (vs) { /* value-set rules are compiled each run */
    exh_err rc = EXH_OK;
    for (size_t i = 0; i < nroots; i++) {
      exh_err r = exh__ruleset_walk_files(rs, roots[i], yaml_exts, add_file);
      if (r != EXH_OK && rc == EXH_OK) rc = r;
    }
    return rc;
  }
  unit_call c = {what, roots, nroots, NULL, NULL, NULL, 0};
  return unit_guarded(rs, &c);
}

exh_err exh__ruleset_add_yaml_texts(exh_ruleset *rs, const char *what, const char *const *sources,
                                    const char *const *texts, const size_t *lens, size_t n) {
  size_t b[4];
  int vs;
  exh__ruleset_budget(rs, b, &vs);
  if (!exh__ruleset_cache(rs) || vs) {
    exh_err rc = EXH_OK;
    for (size_t i = 0; i < n; i++) {
      exh_err r = exh_ruleset_add_yaml(rs, sources[i], texts[i], lens[i]);
      if (r != EXH_OK) rc = r;
    }
    return rc;
  }
  unit_call c = {what, NULL, 0, sources, texts, lens, n};
  return unit_guarded(rs, &c);
}

/* ---- prefilter databases ------------------------------------------------- */

typedef struct pf_entry {
  int kind;
  h128 key;
  const unsigned char *db; /* into file, or owned (built) */
  size_t n;
  char *owned;
} pf_entry;

struct exh_pf_cache {
  exh_ruleset *rs;
  const cache_cfg *cfg;
  char *path;
  unsigned char *file;
  pf_entry *e;
  size_t n, cap;
  int built;
};

static h128 lits_key(const exh_pf_cache *c, int kind, const exh_pf_lit *lits, size_t n) {
  wbuf k = {0};
  w_raw(&k, c->cfg->base.p, c->cfg->base.n);
  w_u32(&k, (uint32_t)kind);
  w_u64(&k, n);
  for (size_t i = 0; i < n; i++) {
    w_u32(&k, lits[i].id);
    w_bytes(&k, lits[i].p, lits[i].n);
  }
  h128 h = hash128(k.p, k.n);
  free(k.p);
  return h;
}

exh_pf_cache *exh__cache_pf_open(exh_ruleset *rs) {
  const cache_cfg *cfg = exh__ruleset_cache(rs);
  if (!cfg) return NULL;
  exh_pf_cache *c = exh__xcalloc(1, sizeof *c);
  c->rs = rs;
  c->cfg = cfg;
  /* the slot: the configuration (its rule sets' names and origins) */
  wbuf k = {0};
  w_str(&k, "prefilter");
  const char *name, *origin;
  size_t ns = exh__ruleset_set_names(rs, 0, &name, &origin);
  for (size_t i = 0; i < ns; i++) {
    exh__ruleset_set_names(rs, i, &name, &origin);
    w_str(&k, name);
    w_str(&k, origin);
  }
  h128 slot = hash128(k.p, k.n);
  free(k.p);
  char *sx = hex(slot);
  c->path = exh__xasprintf("%s/prefilter-%s.bin", cfg->dir, sx);
  free(sx);
  size_t fn;
  const char *why = NULL;
  c->file = read_file(c->path, &fn, &why);
  if (c->file) {
    size_t pn;
    /* the file's key is its slot: each database has its own inside */
    const unsigned char *pl = check_file(c->file, fn, FILE_PREFILTER, slot, &pn, &why);
    rbuf r = {pl, pn, 0, 0};
    size_t ne = pl ? r_count(&r, 28) : 0;
    for (size_t i = 0; i < ne && !r.bad; i++) {
      pf_entry e = {0};
      e.kind = (int)r_u32(&r);
      e.key = r_h128(&r);
      e.db = r_bytes(&r, &e.n);
      EXH_VEC_RESERVE(c->e, c->cap, c->n + 1);
      c->e[c->n++] = e;
    }
    if (pl && (r.bad || r.off != r.n)) {
      why = "its content cannot be read back";
      c->n = 0;
    }
  }
  if (why) {
    note(rs, c->path, why);
    c->built = 1; /* written again */
  } else if (c->file) {
    touch_used(c->path);
  }
  return c;
}

exh_prefilter *exh__cache_pf_get(exh_pf_cache *c, int kind, const exh_pf_lit *lits, size_t n) {
  h128 key = lits_key(c, kind, lits, n);
  for (size_t i = 0; i < c->n; i++) {
    pf_entry *e = &c->e[i];
    if (e->kind != kind || e->key.a != key.a || e->key.b != key.b) continue;
    char why[256];
    exh_prefilter *pf = exh__pf_load(lits, n, e->db, e->n, why, sizeof why);
    if (!pf) c->built = 1;
    return pf;
  }
  return NULL;
}

void exh__cache_pf_put(exh_pf_cache *c, int kind, const exh_pf_lit *lits, size_t n, const exh_prefilter *pf) {
  char *db;
  size_t dn;
  if (exh__pf_serialize(pf, &db, &dn)) return;
  h128 key = lits_key(c, kind, lits, n);
  size_t i = 0;
  while (i < c->n && c->e[i].kind != kind) i++;
  if (i == c->n) {
    EXH_VEC_RESERVE(c->e, c->cap, c->n + 1);
    memset(&c->e[c->n++], 0, sizeof c->e[0]);
  }
  free(c->e[i].owned);
  c->e[i] = (pf_entry){kind, key, (const unsigned char *)db, dn, db};
  c->built = 1;
}

void exh__cache_pf_close(exh_pf_cache *c) {
  if (!c) return;
  if (c->built) {
    wbuf w = {0};
    w_u32(&w, (uint32_t)c->n);
    for (size_t i = 0; i < c->n; i++) {
      w_u32(&w, (uint32_t)c->e[i].kind);
      w_h128(&w, c->e[i].key);
      w_bytes(&w, c->e[i].db, c->e[i].n);
    }
    /* the slot's hash again, as the file's key */
    wbuf k = {0};
    w_str(&k, "prefilter");
    const char *name, *origin;
    size_t ns = exh__ruleset_set_names(c->rs, 0, &name, &origin);
    for (size_t i = 0; i < ns; i++) {
      exh__ruleset_set_names(c->rs, i, &name, &origin);
      w_str(&k, name);
      w_str(&k, origin);
    }
    write_file(c->cfg, c->path, FILE_PREFILTER, hash128(k.p, k.n), &w);
    free(k.p);
    free(w.p);
  }
  for (size_t i = 0; i < c->n; i++) free(c->e[i].owned);
  free(c->e);
  free(c->file);
  free(c->path);
  free(c);
}

/* ---- another part's keyed blob (checks/: the compiled YARA rules) -------- */

int exh__cache_enabled(const exh_ruleset *rs) { return exh__ruleset_cache(rs) != NULL; }

void exh__cache_hash(const void *p, size_t n, uint64_t out[2]) {
  h128 h = hash128(p, n);
  out[0] = h.a, out[1] = h.b;
}

/* The file of a blob: <name>-<hash of the slot>.bin; its header's key a
 * hash over the cache's base (build, versions, platform), the name and the
 * slot. */
static char *blob_path(const cache_cfg *cfg, const char *name, const void *slot, size_t nslot, h128 *key) {
  wbuf k = {0};
  w_str(&k, name);
  w_bytes(&k, slot, nslot);
  h128 sh = hash128(k.p, k.n);
  w_raw(&k, cfg->base.p, cfg->base.n);
  *key = hash128(k.p, k.n);
  free(k.p);
  char *sx = hex(sh);
  char *path = exh__xasprintf("%s/%s-%s.bin", cfg->dir, name, sx);
  free(sx);
  return path;
}

void *exh__cache_blob_get(exh_ruleset *rs, const char *name, const void *slot, size_t nslot, size_t *n) {
  const cache_cfg *cfg = exh__ruleset_cache(rs);
  if (!cfg) return NULL;
  h128 key;
  char *path = blob_path(cfg, name, slot, nslot, &key);
  size_t fn, pn;
  const char *why = NULL;
  unsigned char *fb = read_file(path, &fn, &why), *out = NULL;
  if (fb) {
    const unsigned char *pl = check_file(fb, fn, FILE_BLOB, key, &pn, &why);
    if (pl) {
      out = exh__xmalloc(pn ? pn : 1);
      memcpy(out, pl, pn);
      *n = pn;
      touch_used(path);
    }
    free(fb);
  }
  if (why) note(rs, path, why);
  free(path);
  return out;
}

void exh__cache_blob_put(exh_ruleset *rs, const char *name, const void *slot, size_t nslot, const void *p, size_t n) {
  const cache_cfg *cfg = exh__ruleset_cache(rs);
  if (!cfg) return;
  h128 key;
  char *path = blob_path(cfg, name, slot, nslot, &key);
  wbuf w = {(unsigned char *)p, n, n}; /* not grown: only read */
  write_file(cfg, path, FILE_BLOB, key, &w);
  free(path);
}
