/* IOC sets and baselines (see ioc.h for the forms read). Tables are sorted
 * arrays searched by bisection: built once, read by every worker without
 * locks. */
#include "ioc.h"

#ifdef _WIN32
#include <ws2tcpip.h> /* inet_pton (mingw-w64, Vista and later) */
#else
#include <arpa/inet.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../parse/jsonev.h"
#include "../util/util.h"

static const char *const type_names[EXH_IOC_NTYPES] = {"sha256", "sha1", "md5", "path", "name", "ip"};

const char *exh_ioc_type_name(exh_ioc_type t) { return (unsigned)t < EXH_IOC_NTYPES ? type_names[t] : "?"; }

typedef struct hkey {
  uint8_t k[32]; /* digest, or a 16-byte address (IPv4 mapped) */
  size_t idx;
} hkey;

typedef struct skey {
  const char *k; /* basename (paths) or name */
  size_t idx;
} skey;

struct exh_iocset {
  exh_ioc *v;
  size_t n, cap;
  hkey *h[EXH_IOC_NTYPES]; /* SHA256, SHA1, MD5, IP */
  size_t nh[EXH_IOC_NTYPES], caph[EXH_IOC_NTYPES];
  skey *s[EXH_IOC_NTYPES]; /* PATH (by basename), NAME */
  size_t ns[EXH_IOC_NTYPES], caps[EXH_IOC_NTYPES];
  size_t count[EXH_IOC_NTYPES];
};

exh_iocset *exh_iocset_new(void) { return exh_xcalloc(1, sizeof(exh_iocset)); }

void exh_iocset_free(exh_iocset *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].value);
    free(s->v[i].source);
    free(s->v[i].label);
  }
  free(s->v);
  for (int t = 0; t < EXH_IOC_NTYPES; t++) {
    free(s->h[t]);
    free(s->s[t]);
  }
  free(s);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 32;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static size_t digest_len(exh_ioc_type t) { return t == EXH_IOC_SHA256 ? 32 : t == EXH_IOC_SHA1 ? 20 : 16; }

/* Parses an address (dotted IPv4, IPv6, optionally "[v6]:port" or
 * "v4:port") into 16 bytes. Returns 0 on success. */
static int parse_ip(const char *p, size_t n, uint8_t out[16]) {
  char b[64];
  exh_str s = exh_trim((exh_str){p, n});
  if (s.n == 0 || s.n >= sizeof b) return -1;
  memcpy(b, s.p, s.n);
  b[s.n] = 0;
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

void exh_path_normalise(const char *in, char *out, size_t outn, int builds) {
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

static void add(exh_iocset *s, exh_ioc_type t, const char *val, size_t n, const char *source, const char *label) {
  exh_ioc io = {t, NULL, exh_xstrdup(source), label && *label ? exh_xstrdup(label) : NULL};
  if (t <= EXH_IOC_MD5) {
    hkey hk;
    memset(&hk, 0, sizeof hk);
    char *v = exh_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
      v[i] = (char)exh_lower((unsigned char)val[i]);
      if (i % 2) hk.k[i / 2] = (uint8_t)(hexval(val[i - 1]) << 4 | hexval(val[i]));
    }
    v[n] = 0;
    io.value = v;
    hk.idx = s->n;
    EXH_VEC_RESERVE(s->h[t], s->caph[t], s->nh[t] + 1);
    s->h[t][s->nh[t]++] = hk;
  } else if (t == EXH_IOC_IP) {
    hkey hk;
    memset(&hk, 0, sizeof hk);
    if (parse_ip(val, n, hk.k)) return;
    io.value = exh_xstrndup(val, n);
    hk.idx = s->n;
    EXH_VEC_RESERVE(s->h[t], s->caph[t], s->nh[t] + 1);
    s->h[t][s->nh[t]++] = hk;
  } else {
    char tmp[1024], *raw = exh_xstrndup(val, n);
    exh_path_normalise(raw, tmp, sizeof tmp, 0);
    free(raw);
    if (!tmp[0]) {
      free(io.source);
      free(io.label);
      return;
    }
    io.value = exh_xstrdup(tmp);
    EXH_VEC_RESERVE(s->s[t], s->caps[t], s->ns[t] + 1);
    s->s[t][s->ns[t]++] = (skey){NULL, s->n}; /* key set in finish (v may move) */
  }
  EXH_VEC_RESERVE(s->v, s->cap, s->n + 1);
  s->v[s->n++] = io;
  s->count[t]++;
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
  t = exh_trim(t);
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (exh_strieq(t, m[i].name)) return m[i].type;
  return -1;
}

/* Adds a value of a known or inferred type after checking it fits. */
static int add_checked(exh_iocset *s, int t, exh_str v, const char *source, const char *label) {
  v = exh_trim(v);
  if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') v.p++, v.n -= 2;
  int inferred = infer(v.p, v.n);
  if (t < 0) t = inferred;
  if (t < 0) return -1;
  if (t <= EXH_IOC_MD5 && (inferred != t)) return -1;
  if (t == EXH_IOC_IP && inferred != EXH_IOC_IP) return -1;
  if ((t == EXH_IOC_PATH || t == EXH_IOC_NAME) && (v.n == 0 || v.n > 1000)) return -1;
  add(s, (exh_ioc_type)t, v.p, v.n, source, label);
  return 0;
}

/* ---- line-based forms ----------------------------------------------------- */

static exh_str next_line(const char **p, const char *end) {
  const char *s = *p;
  const char *e = memchr(s, '\n', (size_t)(end - s));
  if (!e) e = end;
  *p = e < end ? e + 1 : end;
  size_t n = (size_t)(e - s);
  if (n && s[n - 1] == '\r') n--;
  return (exh_str){s, n};
}

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
    cells[k++] = exh_trim((exh_str){s, (size_t)(p - s)});
    if (p >= end) break;
    p++;
  }
  return k;
}

static long load_mstic(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped) {
  const char *p = text, *end = text + n;
  exh_str cells[MAXCELLS];
  size_t nc = split_csv(next_line(&p, end), cells);
  int ci = -1, ct = -1, cd = -1;
  for (size_t i = 0; i < nc; i++) {
    if (exh_strieq(cells[i], "indicator") || exh_strieq(cells[i], "ioc")) ci = (int)i;
    else if (exh_strieq(cells[i], "indicatortype") || exh_strieq(cells[i], "type")) ct = (int)i;
    else if (exh_strieq(cells[i], "dateadded")) cd = (int)i;
  }
  if (ci < 0) return -1;
  long added = 0;
  unsigned long lineno = 1;
  while (p < end) {
    exh_str line = next_line(&p, end);
    lineno++;
    if (exh_trim(line).n == 0) continue;
    nc = split_csv(line, cells);
    if ((size_t)ci >= nc) {
      (*skipped)++;
      continue;
    }
    int t = ct >= 0 && (size_t)ct < nc ? type_of(cells[ct]) : -1;
    char src[600], label[64] = "";
    snprintf(src, sizeof src, "%s:%lu", source, lineno);
    if (cd >= 0 && (size_t)cd < nc && cells[cd].n < 40)
      snprintf(label, sizeof label, "added %.*s", (int)cells[cd].n, cells[cd].p);
    if (add_checked(s, t, cells[ci], src, label)) (*skipped)++;
    else added++;
  }
  return added;
}

static long load_plain(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped) {
  const char *p = text, *end = text + n;
  long added = 0;
  unsigned long lineno = 0;
  while (p < end) {
    exh_str line = exh_trim(next_line(&p, end));
    lineno++;
    if (line.n == 0 || line.p[0] == '#' || (line.n > 1 && line.p[0] == '/' && line.p[1] == '/')) continue;
    /* value[;,\t]description (signature-base uses ';') */
    exh_str v = line, d = {"", 0};
    for (size_t i = 0; i < line.n; i++)
      if (line.p[i] == ';' || line.p[i] == '\t' || line.p[i] == ',') {
        v = (exh_str){line.p, i};
        d = exh_trim((exh_str){line.p + i + 1, line.n - i - 1});
        break;
      }
    char src[600], label[256];
    snprintf(src, sizeof src, "%s:%lu", source, lineno);
    snprintf(label, sizeof label, "%.*s", (int)(d.n > 200 ? 200 : d.n), d.p);
    if (add_checked(s, -1, v, src, label)) (*skipped)++;
    else added++;
  }
  return added;
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
} stix_ctx;

/* Reads one comparison "path = 'value'" at *p; returns 1 with its parts,
 * 0 at the end, -1 on something else (skipped). */
static int stix_cmp(const char **pp, const char *end, exh_buf *path, exh_buf *val) {
  const char *p = *pp;
  for (;;) {
    while (p < end && (*p == ' ' || *p == '[' || *p == ']' || *p == '(' || *p == ')' || *p == '\t' || *p == '\n'))
      p++;
    if (p >= end) return 0;
    if ((end - p >= 3 && exh_strnieq(p, "AND", 3)) || (end - p >= 2 && exh_strnieq(p, "OR", 2))) {
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

static void stix_flush(stix_ctx *c) {
  stix_obj *o = &c->o;
  if (o->pattern.n) {
    const char *p = o->pattern.p, *end = p + o->pattern.n;
    exh_buf path = {0}, val = {0}, dir = {0}, fname = {0};
    const char *src = o->id.n ? o->id.p : c->source;
    const char *label = o->name.n ? o->name.p : NULL;
    int r;
    while ((r = stix_cmp(&p, end, &path, &val)) != 0) {
      if (r < 0) continue;
      int t = -1;
      const char *k = path.p;
      if (exh_strnieq(k, "file:hashes.", 12)) {
        exh_str h = {k + 12, path.n - 12};
        if (h.n >= 2 && h.p[0] == '\'') h.p++, h.n -= 2;
        t = exh_strieq(h, "SHA-256") || exh_strieq(h, "SHA256")  ? EXH_IOC_SHA256
            : exh_strieq(h, "SHA-1") || exh_strieq(h, "SHA1") ? EXH_IOC_SHA1
            : exh_strieq(h, "MD5")                             ? EXH_IOC_MD5
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
          if (exh_parse_u64(bs, &bits) != 0 || bits != (k[3] == '4' ? 32u : 128u)) t = -1;
          val.n = (size_t)(slash - val.p);
        }
      }
      if (t < 0 || add_checked(c->s, t, (exh_str){val.p ? val.p : "", val.n}, src, label)) (*c->skipped)++;
      else c->added++;
    }
    if (fname.n) {
      exh_buf full = {0};
      if (dir.n) {
        exh_buf_add(&full, dir.p, dir.n);
        exh_buf_addc(&full, '\\');
      }
      exh_buf_add(&full, fname.p, fname.n);
      if (add_checked(c->s, dir.n ? EXH_IOC_PATH : EXH_IOC_NAME, (exh_str){full.p, full.n}, src, label))
        (*c->skipped)++;
      else c->added++;
      exh_buf_free(&full);
    } else if (dir.n) {
      (*c->skipped)++;
    }
    exh_buf_free(&path);
    exh_buf_free(&val);
    exh_buf_free(&dir);
    exh_buf_free(&fname);
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
  if (exh_str_istarts(k, "objects.")) k.p += 8, k.n -= 8;
  if (k.n == 4 && !memcmp(k.p, "type", 4)) {
    if (c->o.type.n) stix_flush(c);
    stix_set(&c->o.type, val);
    if (exh_strieq(val, "bundle") || exh_strieq(val, "indicator")) c->saw_stix = 1;
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
  int rc = exh_json_flatten(text, n, &scratch, stix_pair, &c);
  stix_flush(&c);
  exh_buf_free(&scratch);
  exh_buf_free(&c.o.id);
  exh_buf_free(&c.o.name);
  exh_buf_free(&c.o.pattern);
  exh_buf_free(&c.o.type);
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

long exh_iocset_load(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped, char *why,
                     size_t whyn) {
  size_t sk = 0;
  if (!skipped) skipped = &sk;
  *skipped = 0;
  size_t i = 0;
  if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) i = 3;
  while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
  if (i < n && text[i] == '{') return load_stix(s, source, text + i, n - i, skipped, why, whyn);
  const char *nl = memchr(text + i, '\n', n - i);
  exh_str first = {text + i, nl ? (size_t)(nl - (text + i)) : n - i};
  exh_str cells[MAXCELLS];
  size_t nc = split_csv(first, cells);
  for (size_t k = 0; k < nc; k++)
    if (exh_strieq(cells[k], "indicator") || exh_strieq(cells[k], "ioc"))
      return load_mstic(s, source, text + i, n - i, skipped);
  for (size_t k = 0; k < n; k++)
    if (text[k] == 0) {
      snprintf(why, whyn, "binary data, not an IOC list");
      return -1;
    }
  return load_plain(s, source, text + i, n - i, skipped);
}

static int cmp_hkey(const void *a, const void *b) { return memcmp(((const hkey *)a)->k, ((const hkey *)b)->k, 32); }

static int cmp_skey(const void *a, const void *b) {
  return strcmp(((const skey *)a)->k, ((const skey *)b)->k);
}

void exh_iocset_finish(exh_iocset *s) {
  for (int t = 0; t < EXH_IOC_NTYPES; t++) {
    if (s->nh[t] > 1) qsort(s->h[t], s->nh[t], sizeof(hkey), cmp_hkey);
    for (size_t i = 0; i < s->ns[t]; i++) s->s[t][i].k = base_of(s->v[s->s[t][i].idx].value);
    if (s->ns[t] > 1) qsort(s->s[t], s->ns[t], sizeof(skey), cmp_skey);
  }
}

size_t exh_iocset_count(const exh_iocset *s, exh_ioc_type t) { return s && t < EXH_IOC_NTYPES ? s->count[t] : 0; }

const exh_ioc *exh_iocset_nth(const exh_iocset *s, exh_ioc_type t, size_t i) {
  for (size_t k = 0; s && k < s->n; k++)
    if (s->v[k].type == t && i-- == 0) return &s->v[k];
  return NULL;
}

int exh_iocset_has_hashes(const exh_iocset *s, exh_ioc_type t) { return s && s->nh[t] > 0; }

static const hkey *hfind(const hkey *v, size_t n, const uint8_t k[32]) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = memcmp(v[mid].k, k, 32);
    if (c == 0) return &v[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const exh_ioc *exh_iocset_hash(const exh_iocset *s, exh_ioc_type t, const uint8_t *digest) {
  if (!s || t > EXH_IOC_MD5 || !s->nh[t]) return NULL;
  uint8_t k[32] = {0};
  memcpy(k, digest, digest_len(t));
  const hkey *h = hfind(s->h[t], s->nh[t], k);
  return h ? &s->v[h->idx] : NULL;
}

const exh_ioc *exh_iocset_ip(const exh_iocset *s, const char *p, size_t n) {
  if (!s || !s->nh[EXH_IOC_IP]) return NULL;
  uint8_t k[32] = {0};
  if (parse_ip(p, n, k)) return NULL;
  const hkey *h = hfind(s->h[EXH_IOC_IP], s->nh[EXH_IOC_IP], k);
  return h ? &s->v[h->idx] : NULL;
}

/* First index in a sorted skey table whose key equals k, or n. */
static size_t sfirst(const skey *v, size_t n, const char *k) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(v[mid].k, k) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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

const exh_ioc *exh_iocset_path(const exh_iocset *s, const char *rel) {
  if (!s || (!s->ns[EXH_IOC_PATH] && !s->ns[EXH_IOC_NAME])) return NULL;
  char norm[1024];
  exh_path_normalise(rel, norm, sizeof norm, 0);
  const char *b = base_of(norm);
  for (size_t i = sfirst(s->s[EXH_IOC_PATH], s->ns[EXH_IOC_PATH], b);
       i < s->ns[EXH_IOC_PATH] && !strcmp(s->s[EXH_IOC_PATH][i].k, b); i++) {
    const exh_ioc *io = &s->v[s->s[EXH_IOC_PATH][i].idx];
    if (suffix_match(io->value, norm)) return io;
  }
  size_t i = sfirst(s->s[EXH_IOC_NAME], s->ns[EXH_IOC_NAME], b);
  if (i < s->ns[EXH_IOC_NAME] && !strcmp(s->s[EXH_IOC_NAME][i].k, b)) return &s->v[s->s[EXH_IOC_NAME][i].idx];
  return NULL;
}

/* ---- baselines ------------------------------------------------------------ */

typedef struct brow {
  char *path; /* normalised, builds as "version" */
  uint16_t build;
  uint8_t sha[32];
} brow;

struct exh_baseline {
  brow *v;
  size_t n, cap;
  char **builds;
  size_t nbuilds, capbuilds;
  char **exts;
  size_t nexts, capexts;
};

exh_baseline *exh_baseline_new(void) { return exh_xcalloc(1, sizeof(exh_baseline)); }

void exh_baseline_free(exh_baseline *b) {
  if (!b) return;
  for (size_t i = 0; i < b->n; i++) free(b->v[i].path);
  for (size_t i = 0; i < b->nbuilds; i++) free(b->builds[i]);
  for (size_t i = 0; i < b->nexts; i++) free(b->exts[i]);
  free(b->v);
  free(b->builds);
  free(b->exts);
  free(b);
}

static int build_index(exh_baseline *b, exh_str s) {
  for (size_t i = 0; i < b->nbuilds; i++)
    if (strlen(b->builds[i]) == s.n && !memcmp(b->builds[i], s.p, s.n)) return (int)i;
  if (b->nbuilds >= 65535) return -1;
  EXH_VEC_RESERVE(b->builds, b->capbuilds, b->nbuilds + 1);
  b->builds[b->nbuilds] = exh_xstrndup(s.p, s.n);
  return (int)b->nbuilds++;
}

static void note_ext(exh_baseline *b, const char *path) {
  const char *base = base_of(path), *dot = strrchr(base, '.');
  if (!dot || !dot[1] || strlen(dot + 1) > 15) return;
  for (size_t i = 0; i < b->nexts; i++)
    if (!strcmp(b->exts[i], dot + 1)) return;
  EXH_VEC_RESERVE(b->exts, b->capexts, b->nexts + 1);
  b->exts[b->nexts++] = exh_xstrdup(dot + 1);
}

long exh_baseline_load(exh_baseline *b, const char *source, const char *text, size_t n, char *why, size_t whyn) {
  const char *p = text, *end = text + n;
  long added = 0;
  unsigned long lineno = 0;
  while (p < end) {
    exh_str line = exh_trim(next_line(&p, end));
    lineno++;
    if (!line.n) continue;
    exh_str c[MAXCELLS];
    size_t nc = split_csv(line, c);
    if (nc != 3 || c[0].n != 64 || !all_hex(c[0].p, 64) || c[1].n == 0 || c[1].n > 32 || c[2].n == 0 ||
        c[2].n > 900) {
      snprintf(why, whyn, "%s:%lu: not a baseline row (SHA256,build,\\relative\\path)", source, lineno);
      return -1;
    }
    int bi = build_index(b, c[1]);
    if (bi < 0) {
      snprintf(why, whyn, "%s: too many builds", source);
      return -1;
    }
    brow r;
    char tmp[1024], *raw = exh_xstrndup(c[2].p, c[2].n);
    exh_path_normalise(raw, tmp, sizeof tmp, 1);
    free(raw);
    r.path = exh_xstrdup(tmp);
    r.build = (uint16_t)bi;
    for (int i = 0; i < 32; i++) r.sha[i] = (uint8_t)(hexval(c[0].p[2 * i]) << 4 | hexval(c[0].p[2 * i + 1]));
    note_ext(b, r.path);
    EXH_VEC_RESERVE(b->v, b->cap, b->n + 1);
    b->v[b->n++] = r;
    added++;
  }
  return added;
}

static int cmp_brow(const void *x, const void *y) {
  const brow *a = x, *c = y;
  int r = strcmp(a->path, c->path);
  return r ? r : (a->build > c->build) - (a->build < c->build);
}

void exh_baseline_finish(exh_baseline *b) {
  if (b->n > 1) qsort(b->v, b->n, sizeof *b->v, cmp_brow);
}

size_t exh_baseline_count(const exh_baseline *b) { return b ? b->n : 0; }

int exh_baseline_has_build(const exh_baseline *b, const char *build) {
  for (size_t i = 0; b && i < b->nbuilds; i++)
    if (!strcmp(b->builds[i], build)) return 1;
  return 0;
}

int exh_baseline_covers_ext(const exh_baseline *b, const char *ext) {
  for (size_t i = 0; b && i < b->nexts; i++)
    if (!strcmp(b->exts[i], ext)) return 1;
  return 0;
}

int exh_baseline_check(const exh_baseline *b, const char *build, const char *inst_rel, const uint8_t sha256[32]) {
  int bi = -1;
  if (build) {
    for (size_t i = 0; i < b->nbuilds; i++)
      if (!strcmp(b->builds[i], build)) bi = (int)i;
    if (bi < 0) return 2;
  }
  size_t lo = 0, hi = b->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(b->v[mid].path, inst_rel) < 0) lo = mid + 1;
    else hi = mid;
  }
  int known = 0;
  for (size_t i = lo; i < b->n && !strcmp(b->v[i].path, inst_rel); i++) {
    if (bi >= 0 && b->v[i].build != bi) continue;
    known = 1;
    if (!memcmp(b->v[i].sha, sha256, 32)) return 0;
  }
  return known ? 1 : 2;
}
