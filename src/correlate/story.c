/* Correlation, second stage: the story of each file left behind.
 *
 * For a file finding in a web folder exhunt looks, among the same server's
 * log findings, for
 *   - the write: a CVE-2021-26858 (OAB generator) or CVE-2021-27065 (ECP,
 *     virtual-directory reset) finding whose record names the file; failing
 *     that, the last CVE-2021-27065 finding, or successful ProxyShell,
 *     ProxyNotShell or OWASSRF exploitation, at most 30 minutes before the
 *     file's modification time ("probably": the HttpProxy record of a reset
 *     or an export does not name the target path, and mtimes can be forged);
 *   - the use: requests with findings whose path, percent-decoded, is the
 *     file's URL (the folder under wwwroot, FrontEnd/HttpProxy or
 *     ClientAccess is the site path), counted once per request, with their
 *     client addresses and first and last time.
 *   - failing the first, any other finding whose record names the file by
 *     its folder and name (a ProxyShell mailbox export's -FilePath, a
 *     command line that echoes, copies or downloads it, a Sysmon file
 *     creation): "named by" that record, a CVE's preferred, then the
 *     earliest; the same name in another folder or a longer name is not it;
 * The sentence goes to exh_finding.story of every finding on that file. */
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../checks/checks.h"
#include "correlate.h"
#include "../util/util.h"

#define WRITE_WINDOW_MS (30 * 60 * 1000ll)

/* "/aspnet_client/x.aspx" for ".../inetpub/wwwroot/aspnet_client/x.aspx",
 * "/owa/auth/x.aspx" for ".../FrontEnd/HttpProxy/owa/auth/x.aspx". */
static int url_path(const char *path, char *out, size_t n) {
  static const char *const roots[] = {"/inetpub/wwwroot/", "/frontend/httpproxy/", "/clientaccess/"};
  size_t len = strlen(path);
  for (size_t k = 0; k < sizeof roots / sizeof roots[0]; k++) {
    const char *p = exh__memimem(path, len, roots[k], strlen(roots[k])); /* case-insensitive */
    if (!p) continue;
    snprintf(out, n, "/%s", p + strlen(roots[k]));
    return 0;
  }
  return -1;
}

static int has_cve(const exh_finding *f, const char *cve) {
  for (size_t i = 0; i < exh_finding_ncves(f); i++)
    if (!strcmp(exh_finding_cve(f, i), cve)) return 1;
  return 0;
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* Path part of a finding's URL, compared case-insensitively with u after
 * percent-decoding (%XX, and IIS's %uXXXX for ASCII): the decoded path is
 * the one the server ran, whatever the spelling. */
static int same_url(const exh_finding *f, const char *u) {
  if (!f->url) return 0;
  const char *p = f->url;
  for (;; u++) {
    char c = *p;
    if (c == '?' || c == 0) return *u == 0;
    if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
      c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
      p += 3;
    } else if (c == '%' && (p[1] == 'u' || p[1] == 'U') && p[2] == '0' && p[3] == '0' && hexval(p[4]) >= 0 &&
               hexval(p[5]) >= 0) {
      c = (char)(hexval(p[4]) * 16 + hexval(p[5]));
      p += 6;
    } else {
      p++;
    }
    if (!*u || lower(c) != lower(*u)) return 0;
  }
}

/* Two findings of one record (several rules on one line) are one request. */
static int same_record(const exh_finding *a, const exh_finding *b) {
  return a->line == b->line && a->offset == b->offset && a->record_id == b->record_id && !strcmp(a->path, b->path);
}

/* The CVEs whose successful exploitation can write a file into a web
 * folder without naming it in a log: ProxyLogon's ECP reset, ProxyShell's
 * mailbox export, ProxyNotShell's and OWASSRF's PowerShell. */
static const char *writer_cve(const exh_finding *g) {
  static const char *const cves[] = {"CVE-2021-27065", "CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207",
                                     "CVE-2022-41082", "CVE-2022-41080"};
  for (size_t i = 0; i < exh_finding_ncves(g); i++)
    for (size_t k = 0; k < sizeof cves / sizeof cves[0]; k++)
      if (!strcmp(exh_finding_cve(g, i), cves[k])) return cves[k];
  return NULL;
}

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || (unsigned char)c >= 0x80;
}

/* Length of the path separator that ends right before p (at least e):
 * '/' or '\\' (doubled in JSON), or URL-encoded %5C / %2F; 0 if none. */
static size_t sep_before(const char *e, const char *p) {
  const char *q = p;
  while (q > e && (q[-1] == '/' || q[-1] == '\\')) q--;
  if (q == p && p - e >= 3 && p[-3] == '%' && (exh__strnieq(p - 2, "5c", 2) || exh__strnieq(p - 2, "2f", 2))) q = p - 3;
  return (size_t)(p - q);
}

/* Of two records naming a file, the better writer: one naming a CVE, then
 * the earlier. */
static int better_named(const exh_finding *a, const exh_finding *b) {
  if (!b) return 1;
  int ca = exh_finding_ncves(a) > 0, cb = exh_finding_ncves(b) > 0;
  if (ca != cb) return ca;
  if (a->time_ms == EXH_TIME_UNKNOWN) return 0;
  return b->time_ms == EXH_TIME_UNKNOWN || a->time_ms < b->time_ms;
}

/* Where a record is: "path:line" for a line, "path, record N" for an event. */
static void where(exh_buf *b, const exh_finding *w) {
  if (!w->line && w->record_id) exh__buf_printf(b, "%s, record %llu", w->path, (unsigned long long)w->record_id);
  else exh__buf_printf(b, "%s:%llu", w->path, (unsigned long long)w->line);
}

/* What a hop is (correlate/labels.c's note: another scanned server, a
 * front end, an internal proxy), else the server itself. */
static const char *hop_name(const exh_finding *w) { return w->addr_note ? w->addr_note : "the server itself"; }

static void when(int64_t ms, char out[32]) {
  if (ms == EXH_TIME_UNKNOWN) snprintf(out, 32, "at an unknown time");
  else exh__format_iso8601(ms, out);
}

static void tell(exh_result *r, size_t fi, const exh_finding *named) {
  exh_finding *f = &r->findings[fi];
  char u[1024];
  if (url_path(f->path, u, sizeof u)) return;
  const char *base = strrchr(f->path, '/');
  base = base ? base + 1 : f->path;
  size_t bn = strlen(base);
  const exh_finding *wr = NULL, *near = NULL;
  const exh_finding *first = NULL, *last = NULL, *prev_use = NULL;
  size_t uses = 0;
  const char *ips[4], *hop = NULL, *hop_by = NULL;
  size_t nips = 0;
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *g = &r->findings[i];
    if (g->server != f->server || g->is_file) continue;
    int writer = has_cve(g, "CVE-2021-26858") || has_cve(g, "CVE-2021-27065");
    if (writer && g->evidence && exh__memimem(g->evidence, g->evidence_len, base, bn)) {
      if (!wr) wr = g;
    } else if (writer_cve(g) && (has_cve(g, "CVE-2021-27065") || g->level >= EXH_LEVEL_HIGH) &&
               g->time_ms != EXH_TIME_UNKNOWN && f->file_mtime_ms != EXH_TIME_UNKNOWN && g->time_ms <= f->file_mtime_ms &&
               f->file_mtime_ms - g->time_ms <= WRITE_WINDOW_MS) { /* a success (the reset's own record: any) */
      if (!near || g->time_ms > near->time_ms) near = g;
    }
    if (same_url(g, u)) {
      if (prev_use && same_record(prev_use, g)) continue;
      prev_use = g;
      uses++;
      if (!first || g->time_ms < first->time_ms) first = g;
      if (!last || g->time_ms > last->time_ms) last = g;
      int seen = 0;
      for (size_t k = 0; k < nips; k++) seen |= g->source_ip && !strcmp(ips[k], g->source_ip);
      if (!seen && g->source_ip && nips < 4) ips[nips++] = g->source_ip;
      if (!g->source_ip && g->hop_ip) hop = g->hop_ip, hop_by = hop_name(g);
    }
  }
  if (!wr && !named && !near && !uses) return;
  exh_buf b = {0};
  char t[32];
  if (!wr) wr = named;
  const exh_finding *w = wr ? wr : near;
  if (w) {
    when(w->time_ms, t);
    if (wr && exh_finding_ncves(wr)) exh__buf_printf(&b, "named by a %s record at %s", exh_finding_cve(wr, 0), t);
    else if (wr) exh__buf_printf(&b, "named by a record of \"%s\" at %s", wr->rule->title, t);
    else exh__buf_printf(&b, "probably written %s", t);
    if (w->source_ip) exh__buf_printf(&b, " by %s", w->source_ip);
    else if (w->hop_ip) exh__buf_printf(&b, " through %s (%s)", hop_name(w), w->hop_ip);
    if (wr) {
      exh__buf_adds(&b, " (");
      where(&b, w);
      exh_buf_addc(&b, ')');
    } else {
      const char *cve = writer_cve(w);
      exh__buf_printf(&b, " (%s %s %llu s before the file's time, ", cve,
                      !strcmp(cve, "CVE-2021-27065") ? "virtual-directory reset" : "request",
                      (unsigned long long)((f->file_mtime_ms - w->time_ms) / 1000));
      where(&b, w);
      exh_buf_addc(&b, ')');
    }
  }
  if (uses) {
    when(first->time_ms, t);
    exh__buf_printf(&b, "%srequested %zu time%s at %s from ", w ? "; " : "", uses, uses == 1 ? "" : "s", u);
    for (size_t k = 0; k < nips; k++) exh__buf_printf(&b, "%s%s", k ? ", " : "", ips[k]);
    if (!nips && hop) exh__buf_printf(&b, "%s (%s: the log does not name the original client)", hop_by, hop);
    else if (!nips) exh__buf_adds(&b, "an unknown address");
    exh__buf_printf(&b, ", first %s", t);
    if (last != first) {
      when(last->time_ms, t);
      exh__buf_printf(&b, ", last %s", t);
    }
  }
  char *s = exh__buf_take(&b);
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *g = &r->findings[i];
    if (g->is_file && g->server == f->server && !g->story && !strcmp(g->path, f->path)) g->story = exh__xstrdup(s);
  }
  free(s);
}

/* ---- processes the web server started: the request that ran them -------- */

/* A process w3wp.exe started runs inside the request that started it, and
 * IIS (and HttpProxy) write a request's line when it ends: the request that
 * ran it is logged at most PROC_WINDOW_MS after the process's start, and
 * not before it (IIS's seconds are truncated: up to 1 s before). The
 * nearest such request of the same server with a finding that could have
 * run a page (tell_process) is told as "probably" (two requests at once on
 * one server cannot be told apart). */
#define PROC_WINDOW_MS (120 * 1000ll)

/* Whether an event's record says its parent process is the web server
 * ("ParentImage" of Sysmon 1, "ParentProcessName" of 4688). */
static int parent_is_w3wp(const exh_finding *g) {
  static const char *const keys[] = {"\"ParentImage\":\"", "\"ParentProcessName\":\""};
  const char *e = g->evidence, *end = e + g->evidence_len;
  for (size_t k = 0; k < 2; k++) {
    size_t kn = strlen(keys[k]);
    const char *p = exh__memimem(e, g->evidence_len, keys[k], kn);
    if (!p) continue;
    p += kn;
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (q && q - p >= 8 && exh__strnieq(q - 8, "w3wp.exe", 8)) return 1;
  }
  return 0;
}

static int is_event(const exh_finding *g) { return g->dataset && !strncmp(g->dataset, "windows.", 8); }

static int is_request(const exh_finding *g) {
  return !g->is_file && g->url && g->time_ms != EXH_TIME_UNKNOWN && !is_event(g) && g->level >= EXH_LEVEL_LOW;
}

typedef struct reqkey {
  size_t server;
  int64_t t;
  size_t i; /* the finding */
} reqkey;

static int cmp_req(const void *a, const void *b) {
  const reqkey *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

static void tell_process(exh_result *r, exh_finding *p, const reqkey *req, size_t nreq) {
  /* the first request of the server at or after the process's time (less 1 s) */
  size_t lo = 0, hi = nreq;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (req[mid].server < p->server || (req[mid].server == p->server && req[mid].t <= p->time_ms - 1000)) lo = mid + 1;
    else hi = mid;
  }
  /* of the requests in the window, one that ran a page: answered 2xx, then
   * one whose status is unknown, then a server error (a shell that failed
   * after starting its command); never a 404 (no page), a refusal or a
   * redirect. The nearest of the best. */
  const exh_finding *w = NULL;
  int best = 3;
  for (; lo < nreq && req[lo].server == p->server && req[lo].t - p->time_ms <= PROC_WINDOW_MS; lo++) {
    const exh_finding *g = &r->findings[req[lo].i];
    int st = g->http_status, rank = st >= 200 && st < 300 ? 0 : st == 0 ? 1 : st >= 500 ? 2 : 3;
    if (rank < best) best = rank, w = g;
    if (best == 0) break;
  }
  if (!w) return;
  exh_buf b = {0};
  char t[32];
  when(w->time_ms, t);
  exh__buf_adds(&b, "probably run by the request ");
  if (w->http_method) exh__buf_printf(&b, "%s ", w->http_method);
  exh__buf_printf(&b, "%s", w->url);
  if (w->source_ip) exh__buf_printf(&b, " from %s", w->source_ip);
  else if (w->hop_ip) exh__buf_printf(&b, " through %s (%s)", hop_name(w), w->hop_ip);
  exh__buf_printf(&b, " logged at %s (", t);
  where(&b, w);
  exh__buf_adds(&b, "; the web server started this process, and a request is logged when it ends)");
  p->story = exh__buf_take(&b);
}

/* ---- their children: Sysmon's process GUIDs ------------------------------ */

#define TREE_DEPTH 4 /* cmd.exe, then powershell.exe, then procdump.exe... */

/* The JSON string value of key ("\"ProcessGuid\":\""; the quote before the
 * name keeps ParentProcessGuid from matching) in an event's record. */
static exh_str json_value(const exh_finding *f, const char *key) {
  size_t kn = strlen(key);
  const char *p = exh__memimem(f->evidence, f->evidence_len, key, kn);
  if (!p) return (exh_str){NULL, 0};
  p += kn;
  const char *q = memchr(p, '"', f->evidence_len - (size_t)(p - f->evidence));
  return q && q > p ? (exh_str){p, (size_t)(q - p)} : (exh_str){NULL, 0};
}

typedef struct guidkey {
  size_t server;
  exh_str g;
  size_t i;
} guidkey;

static int cmp_guid(const void *a, const void *b) {
  const guidkey *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  size_t n = x->g.n < y->g.n ? x->g.n : y->g.n;
  int c = memcmp(x->g.p, y->g.p, n);
  if (c) return c;
  return x->g.n != y->g.n ? (x->g.n < y->g.n ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/* Findings of processes started by a process with a story inherit it. */
static void tell_children(exh_result *r) {
  guidkey *k = NULL;
  size_t nk = 0, cap = 0;
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    if (f->is_file || !is_event(f) || !f->evidence) continue;
    exh_str g = json_value(f, "\"ProcessGuid\":\"");
    if (!g.n) continue;
    EXH_VEC_RESERVE(k, cap, nk + 1);
    k[nk++] = (guidkey){f->server, g, i};
  }
  if (nk) qsort(k, nk, sizeof *k, cmp_guid);
  /* how many processes a finding's story went through: 0 for the request's
   * own child, none past TREE_DEPTH (a forged chain of GUIDs stays short) */
  unsigned char *depth = nk ? exh__xcalloc(r->nfindings, 1) : NULL;
  size_t told = 0;
  for (int pass = 0; pass < TREE_DEPTH && nk; pass++) {
    int more = 0;
    for (size_t i = 0; i < r->nfindings && told < EXH_MAX_STORIES; i++) {
      exh_finding *f = &r->findings[i];
      if (f->story || f->is_file || !is_event(f) || !f->evidence || f->level < EXH_LEVEL_LOW) continue;
      exh_str pg = json_value(f, "\"ParentProcessGuid\":\"");
      if (!pg.n) continue;
      /* the first finding of that process (several rules may fire on it) */
      guidkey want = {f->server, pg, 0};
      size_t lo = 0, hi = nk;
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_guid(&k[mid], &want) < 0) lo = mid + 1;
        else hi = mid;
      }
      const exh_finding *parent = NULL;
      for (; lo < nk && k[lo].server == f->server && k[lo].g.n == pg.n && !memcmp(k[lo].g.p, pg.p, pg.n); lo++)
        if (r->findings[k[lo].i].story && !r->findings[k[lo].i].is_file && depth[k[lo].i] < TREE_DEPTH) {
          parent = &r->findings[k[lo].i];
          break;
        }
      if (!parent || parent == f) continue;
      depth[i] = (unsigned char)(depth[parent - r->findings] + 1);
      exh_buf b = {0};
      exh__buf_adds(&b, "started by the process of ");
      where(&b, parent);
      exh__buf_printf(&b, ", which was %s", parent->story);
      f->story = exh__buf_take(&b);
      told++;
      more = 1;
    }
    if (!more) break;
  }
  free(depth);
  free(k);
}

/* ---- records naming a file by its folder and name: one pass ------------ */

/* A file to tell about, found by its name in the records' text. */
typedef struct ftold {
  size_t fi;
  const char *dir, *base; /* the folder holding it and its name, in its path */
  size_t dn, bn;
  char *url;              /* its URL path, whose requests are uses, not writes */
  const exh_finding *named;
  uint32_t next;          /* the next file of the same name's hash, + 1 */
} ftold;

static uint32_t hash_ci(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
  }
  return h;
}

/* Every record's text is read once: each name after a separator whose
 * folder, the name before the separator, is a told file's folder and name
 * (case-insensitively) makes the record a candidate writer of that file.
 * Linear in the evidence's size, whatever the number of files. */
static void find_named(exh_result *r, ftold *ft, size_t nft) {
  size_t tsize = 16;
  while (tsize < 2 * nft) tsize *= 2;
  uint32_t *table = exh__xcalloc(tsize, sizeof *table);
  for (size_t k = 0; k < nft; k++) {
    uint32_t *head = &table[hash_ci(ft[k].base, ft[k].bn) & (tsize - 1)];
    ft[k].next = *head;
    *head = (uint32_t)k + 1;
  }
  for (size_t gi = 0; gi < r->nfindings; gi++) {
    const exh_finding *g = &r->findings[gi];
    if (g->is_file || !g->evidence || g->level < EXH_LEVEL_LOW) continue;
    const char *e = g->evidence;
    size_t n = g->evidence_len, i = 0, ps = 0, pe = 0;
    int prev = 0;
    while (i < n) {
      if (!name_char(e[i])) {
        /* %5C and %2F are separators, not the start of a name */
        i += e[i] == '%' && n - i >= 3 && (exh__strnieq(e + i + 1, "5c", 2) || exh__strnieq(e + i + 1, "2f", 2)) ? 3 : 1;
        continue;
      }
      size_t st = i;
      while (i < n && name_char(e[i])) i++;
      size_t sep = sep_before(e, e + st);
      if (prev && sep && pe + sep == st)
        for (uint32_t k = table[hash_ci(e + st, i - st) & (tsize - 1)]; k; k = ft[k - 1].next) {
          ftold *t = &ft[k - 1];
          if (t->bn == i - st && t->dn == pe - ps && exh__strnieq(e + st, t->base, t->bn) &&
              exh__strnieq(e + ps, t->dir, t->dn) && r->findings[t->fi].server == g->server && !same_url(g, t->url) &&
              better_named(g, t->named))
            t->named = g;
        }
      ps = st, pe = i, prev = 1;
    }
  }
  free(table);
}

/* Each file's story reads every finding once more for its uses and
 * ProxyLogon's writers (a compare of URLs, a CVE test: cheap), so the
 * number of files told about is capped (EXH_MAX_STORIES); the records'
 * text is read once for all files (find_named). */
void exh__correlate_story(exh_result *r) {
  ftold *ft = NULL;
  size_t nft = 0, cap = 0;
  for (size_t i = 0; i < r->nfindings && nft < EXH_MAX_STORIES; i++) {
    exh_finding *f = &r->findings[i];
    char u[1024];
    if (!f->is_file || f->story || f->level < EXH_LEVEL_LOW || url_path(f->path, u, sizeof u)) continue;
    EXH_VEC_RESERVE(ft, cap, nft + 1);
    ftold *t = &ft[nft++];
    memset(t, 0, sizeof *t);
    t->fi = i;
    const char *base = strrchr(f->path, '/');
    t->base = base ? base + 1 : f->path;
    t->bn = strlen(t->base);
    t->dir = t->base;
    if (t->base > f->path) {
      const char *de = t->base - 1;
      for (t->dir = de; t->dir > f->path && t->dir[-1] != '/';) t->dir--;
      t->dn = (size_t)(de - t->dir);
    }
    t->url = exh__xstrdup(u);
  }
  if (nft) find_named(r, ft, nft);
  for (size_t k = 0; k < nft; k++) {
    if (!r->findings[ft[k].fi].story) tell(r, ft[k].fi, ft[k].named); /* a told file's same path was told */
    free(ft[k].url);
  }
  free(ft);
  /* processes of the web server: an index of the requests by server and time */
  reqkey *req = NULL;
  size_t nreq = 0, rcap = 0, told = 0;
  for (size_t i = 0; i < r->nfindings; i++)
    if (is_request(&r->findings[i])) {
      EXH_VEC_RESERVE(req, rcap, nreq + 1);
      req[nreq++] = (reqkey){r->findings[i].server, r->findings[i].time_ms, i};
    }
  if (nreq) {
    qsort(req, nreq, sizeof *req, cmp_req);
    for (size_t i = 0; i < r->nfindings && told < EXH_MAX_STORIES; i++) {
      exh_finding *p = &r->findings[i];
      if (p->is_file || p->story || !is_event(p) || p->time_ms == EXH_TIME_UNKNOWN || p->level < EXH_LEVEL_LOW ||
          !p->evidence || !parent_is_w3wp(p))
        continue;
      tell_process(r, p, req, nreq);
      told += p->story != NULL;
    }
  }
  free(req);
  tell_children(r);
}

/* ---- actors: findings grouped by client address, per server ---------------- */

static void add_unique(const char **v, size_t *n, size_t cap, const char *x) {
  for (size_t i = 0; i < *n; i++)
    if (!strcmp(v[i], x)) return;
  if (*n < cap) v[(*n)++] = x;
}

static int cmp_actor(const void *a, const void *b) {
  const exh_actor *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  for (int l = EXH_LEVEL_CRITICAL; l >= 0; l--)
    if (x->nlevel[l] != y->nlevel[l]) return x->nlevel[l] > y->nlevel[l] ? -1 : 1;
  if (x->first_ms != y->first_ms) return x->first_ms < y->first_ms ? -1 : 1;
  return strcmp(x->ip, y->ip);
}


static uint32_t actor_hash(size_t server, const char *ip) {
  uint32_t h = 2166136261u ^ (uint32_t)server;
  for (const unsigned char *p = (const unsigned char *)ip; *p; p++) h = (h ^ *p) * 16777619u;
  return h;
}

void exh__correlate_actors(exh_result *r) {
  size_t cap = 0, tsize = 64;
  size_t want = r->nfindings < EXH_MAX_ACTORS ? r->nfindings : EXH_MAX_ACTORS;
  while (tsize < 2 * want + 16) tsize *= 2;
  size_t *table = exh__xmalloc(tsize * sizeof *table); /* actor index + 1, 0 = empty */
  memset(table, 0, tsize * sizeof *table);
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *x = &r->findings[i];
    if (!x->source_ip || !x->source_ip[0] || x->level < EXH_LEVEL_LOW) continue;
    exh_actor *t = NULL;
    size_t slot = actor_hash(x->server, x->source_ip) & (tsize - 1);
    for (; table[slot]; slot = (slot + 1) & (tsize - 1)) {
      exh_actor *c = &r->actors[table[slot] - 1];
      if (c->server == x->server && !strcmp(c->ip, x->source_ip)) {
        t = c;
        break;
      }
    }
    if (!t) {
      if (r->nactors >= EXH_MAX_ACTORS) continue;
      table[slot] = r->nactors + 1;
      EXH_VEC_RESERVE(r->actors, cap, r->nactors + 1);
      t = &r->actors[r->nactors++];
      memset(t, 0, sizeof *t);
      t->server = x->server;
      t->ip = exh__xstrdup(x->source_ip);
      t->first_ms = t->last_ms = EXH_TIME_UNKNOWN;
    }
    t->nfindings++;
    t->nlevel[x->level]++;
    if (x->time_ms != EXH_TIME_UNKNOWN) {
      if (t->first_ms == EXH_TIME_UNKNOWN || x->time_ms < t->first_ms) t->first_ms = x->time_ms;
      if (t->last_ms == EXH_TIME_UNKNOWN || x->time_ms > t->last_ms) t->last_ms = x->time_ms;
    }
    for (size_t k = 0; k < exh_finding_ncves(x); k++)
      add_unique(t->cves, &t->ncves, EXH_ACTOR_MAX_CVES, exh_finding_cve(x, k));
    add_unique(t->rules, &t->nrules, EXH_ACTOR_MAX_RULES, x->rule->title);
  }
  free(table);
  if (r->nactors > 1) qsort(r->actors, r->nactors, sizeof *r->actors, cmp_actor);
}
