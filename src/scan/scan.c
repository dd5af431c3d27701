/* The scan driver: walk, parallel per-file work, merge, correlate. */
#include "scan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../checks/yara.h"
#include "../formats/registry.h"
#include "../match/prefilter.h"
#include "../platform/platform.h"
#include "../rules/rules.h"
#include "../util/util.h"
#include "../core/limits.h"







#define PROGRESS_EVERY 0.5 /* seconds */
#define RATE_SAMPLES 20    /* x PROGRESS_EVERY: the window of the recent rate */

/* A large file is read in parts by several workers (core/format.h
 * scan_part): each part into its own evidence, merged in file order. */
#define SPLIT_BYTES ((uint64_t)32 << 20) /* a part's size; EXHUNT_SPLIT_BYTES in the tests */

typedef struct split {
  size_t ev;            /* the file's evidence */
  size_t nparts;
  exh_evidence *parts;  /* copies of it, path shared */
} split;

/* One piece of work: a whole file, or a part of one. */
typedef struct item {
  size_t ev;
  size_t split; /* SIZE_MAX: the whole file */
  size_t part;
  uint64_t from, to, size;
} item;

typedef struct pool {
  const exh_ruleset *rs;
  exh_scan_limits lim;
  exh_walk *w;
  item *items;  /* largest first, so no thread is left with a big one at the end */
  size_t nitems;
  split *splits;
  size_t nsplits, nparts, nrescans; /* files split, their parts, files read again whole (EXHUNT_TIMING) */
  atomic_size_t next;
  atomic_uint_fast64_t bytes_done;
  atomic_size_t files_done;
  int progress;
  double started, last_progress;
  uint64_t bytes_total;
  double sample_t[RATE_SAMPLES]; /* the recent rate's samples (time, bytes read) */
  uint64_t sample_b[RATE_SAMPLES];
  size_t nsamples;
  int width; /* of the progress line last printed */
  double every; /* seconds between progress lines (EXHUNT_PROGRESS_EVERY=0 in the tests: each one) */
  exh_mutex *mu;
  char **builds; /* per server: the build known before the scan, or NULL */
  atomic_int nended;      /* workers finished (EXHUNT_TIMING) */
  double ended[256];      /* when each finished, in the order they did */
  double cpu[256];        /* and the CPU seconds it used */
} pool;

void exh__worker_init(exh_worker *wk, const exh_ruleset *rs) {
  memset(wk, 0, sizeof *wk);
  wk->rs = rs;
  wk->dispatch = &exh__formats_dispatch;
  size_t nf = exh__ruleset_nfields(rs);
  wk->fmap = exh__xcalloc(nf ? nf : 1, sizeof(int));
  wk->cols = exh__xcalloc(EXH_MAX_COLS, sizeof(exh_str));
  wk->qflags = exh__xcalloc(EXH_MAX_COLS, 1);
  wk->scratch = exh__xcalloc(1, sizeof(exh_buf));
  wk->msg = exh__xcalloc(1, sizeof(exh_buf));
  wk->uri = exh__xcalloc(1, sizeof(exh_buf));
  for (int k = 1; k <= EXH_KIND_EVTX; k++) {
    const exh_prefilter *pf = exh__ruleset_prefilter(rs, (exh_kind)k);
    if (pf) wk->pfs[k] = exh__pf_scratch_new(pf);
  }
}

void exh__worker_fini(exh_worker *wk) {
  for (int k = 0; k < EXH_KIND_COUNT; k++) exh__pf_scratch_free(wk->pfs[k]);
  free(wk->fmap);
  free(wk->cols);
  free(wk->qflags);
  exh__buf_free(wk->scratch);
  exh__buf_free(wk->msg);
  exh__buf_free(wk->uri);
  exh__yara_scanner_free(wk->yscan);
  free(wk->scratch);
  free(wk->msg);
  free(wk->uri);
  exh__rules_thread_cleanup();
  exh__formats_thread_end();
}

/* ---- progress (stderr, only when asked: a terminal or --progress) -----------
 * Numbers only, never a path or other third-party text; updated at most
 * twice a second. The walk counts files and folders found; the scan files
 * and bytes read, the recent rate (the last ten seconds) and the time left
 * at that rate. */

static void fmt_bytes(char *b, size_t n, double v) {
  if (v < 1e3) snprintf(b, n, "%.0f B", v);
  else if (v < 1e6) snprintf(b, n, "%.1f kB", v / 1e3);
  else if (v < 1e9) snprintf(b, n, "%.1f MB", v / 1e6);
  else snprintf(b, n, "%.2f GB", v / 1e9);
}

static void fmt_secs(char *b, size_t n, double s) {
  if (!(s >= 0) || s > 360000) snprintf(b, n, "--");
  else if (s < 60) snprintf(b, n, "%.0fs", s);
  else if (s < 3600) snprintf(b, n, "%dm%02ds", (int)s / 60, (int)s % 60);
  else snprintf(b, n, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* One progress line, over the previous one (\r; padded to its width). */
static void progress_put(int *width, const char *line, int final) {
  int n = (int)strlen(line);
  fprintf(stderr, "\r%s%*s%s", line, *width > n ? *width - n : 0, "", final ? "\n" : "");
  *width = final ? 0 : n;
  fflush(stderr);
}

typedef struct walk_meter {
  double last, every;
  int width;
} walk_meter;

static void walk_line(exh_walk *w, int final) {
  walk_meter *m = w->tick_ctx;
  char line[128];
  snprintf(line, sizeof line, "exhunt: walking: %llu files, %llu folders found", (unsigned long long)w->files_seen,
           (unsigned long long)w->dirs_seen);
  progress_put(&m->width, line, final);
}

static void walk_tick(exh_walk *w) {
  walk_meter *m = w->tick_ctx;
  double now = exh__monotonic_s();
  if (now - m->last < m->every) return;
  m->last = now;
  walk_line(w, 0);
}

static void progress(pool *p, int final) {
  if (!p->progress) return;
  double now = exh__monotonic_s();
  exh__mutex_lock(p->mu);
  if (final || now - p->last_progress >= p->every) {
    p->last_progress = now;
    uint64_t done = atomic_load(&p->bytes_done);
    size_t files = atomic_load(&p->files_done);
    /* the recent rate: bytes read since the oldest of the last samples */
    size_t oldest = p->nsamples < RATE_SAMPLES ? 0 : p->nsamples % RATE_SAMPLES;
    double t_old = p->nsamples ? p->sample_t[oldest] : p->started;
    uint64_t b_old = p->nsamples ? p->sample_b[oldest] : 0;
    p->sample_t[p->nsamples % RATE_SAMPLES] = now;
    p->sample_b[p->nsamples % RATE_SAMPLES] = done;
    p->nsamples++;
    double rate = now > t_old ? (double)(done - b_old) / (now - t_old) : 0;
    char bd[32], bt[32], br[32], eta[32], line[192];
    fmt_bytes(bd, sizeof bd, (double)done);
    fmt_bytes(bt, sizeof bt, (double)p->bytes_total);
    if (final) {
      fmt_secs(eta, sizeof eta, now - p->started);
      snprintf(line, sizeof line, "exhunt: scanned: %zu/%zu files, %s read in %s", files, p->w->n, bd, eta);
    } else {
      fmt_bytes(br, sizeof br, rate);
      fmt_secs(eta, sizeof eta, rate > 0 ? (double)(p->bytes_total - done) / rate : -1);
      snprintf(line, sizeof line, "exhunt: scanning: %zu/%zu files, %s/%s read, %s/s, ETA %s", files, p->w->n, bd,
               bt, br, eta);
    }
    progress_put(&p->width, line, final);
  }
  exh__mutex_unlock(p->mu);
}

void exh__worker_recover(exh_worker *wk) {
  for (int k = 0; k < EXH_KIND_COUNT; k++) {
    if (!wk->pfs[k]) continue;
    exh__pf_scratch_free(wk->pfs[k]);
    wk->pfs[k] = NULL;
    const exh_prefilter *pf = exh__ruleset_prefilter(wk->rs, (exh_kind)k);
    if (pf) wk->pfs[k] = exh__pf_scratch_new(pf);
  }
  wk->yscan = NULL;
}


/* One worker thread (the calling thread is one too). Each file is read
 * under a guard: running out of memory, or a buffer passing its limit,
 * on one file gives that file an error and the worker goes on. */
static void *work(void *arg) {
  pool *p = arg;
  const double cpu0 = exh__thread_cpu_s();
  exh_guard g;
  exh_worker *wk = NULL;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) return NULL; /* no memory for this worker: the others take the files */
  wk = exh__xcalloc(1, sizeof *wk);
  exh__worker_init(wk, p->rs);
  exh__guard_pop(&g);
  wk->lim = &p->lim;
  wk->server_builds = (const char *const *)p->builds;
  for (;;) {
    size_t i = atomic_fetch_add(&p->next, 1);
    if (i >= p->nitems) break;
    const item *volatile it = &p->items[i];
    exh_evidence *volatile ev = it->split == SIZE_MAX ? &p->w->ev[it->ev] : &p->splits[it->split].parts[it->part];
    exh__guard_push(&g);
    if (setjmp(g.jb) == 0) {
      if (it->split == SIZE_MAX) exh__formats_scan_file(wk, ev); /* its format reads it (formats/registry.c) */
      else exh__formats_scan_part(wk, ev, it->from, it->to);
      exh__guard_pop(&g);
    } else {
      ev->fault = g.code;
      exh__guard_push(&g);
      if (setjmp(g.jb) != 0) { /* not even memory to recover: this worker stops */
        ev->done = 1;
        return NULL;
      }
      exh__worker_recover(wk);
      exh__guard_pop(&g);
    }
    ev->done = 1;
    atomic_fetch_add(&p->bytes_done, it->size);
    if (it->part == 0) atomic_fetch_add(&p->files_done, 1);
    progress(p, 0);
  }
  int e = atomic_fetch_add(&p->nended, 1);
  if (e >= 0 && e < 256) p->ended[e] = exh__monotonic_s(), p->cpu[e] = exh__thread_cpu_s() - cpu0;
  exh__worker_fini(wk);
  free(wk);
  return NULL;
}

static int cmp_size_desc(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->size != y->size) return x->size > y->size ? -1 : 1;
  if (x->ev != y->ev) return x->ev < y->ev ? -1 : 1;
  return x->part < y->part ? -1 : x->part > y->part;
}

/* The work: each file whole, or, with several workers, a file larger than
 * a part that its format can split, in parts of about `part_bytes`
 * (EXHUNT_SPLIT_BYTES overrides it, so the tests split small files). */
static void plan_work(pool *p, int nt) {
  uint64_t part_bytes = SPLIT_BYTES;
  const char *e = getenv("EXHUNT_SPLIT_BYTES");
  if (e && *e) {
    char *end;
    unsigned long long v = strtoull(e, &end, 10);
    if (!*end && v) part_bytes = v;
  }
  size_t n = p->w->n, cap = n ? n : 1;
  p->items = exh__xcalloc(cap, sizeof *p->items);
  for (size_t i = 0; i < n; i++) {
    exh_evidence *ev = &p->w->ev[i];
    uint64_t base, unit;
    if (nt > 1 && exh__formats_part_unit(ev->kind, &base, &unit) && ev->size > base + part_bytes) {
      uint64_t ps = part_bytes / unit * unit;
      if (ps < unit) ps = unit;
      uint64_t np = (ev->size - base + ps - 1) / ps;
      if (np > 1 && np < (uint64_t)1 << 20) {
        p->splits = exh__xrealloc(p->splits, (p->nsplits + 1) * sizeof *p->splits);
        split *sp = &p->splits[p->nsplits];
        sp->ev = i;
        sp->nparts = (size_t)np;
        sp->parts = exh__xcalloc(sp->nparts, sizeof *sp->parts);
        EXH_VEC_RESERVE(p->items, cap, p->nitems + sp->nparts);
        for (size_t k = 0; k < sp->nparts; k++) {
          exh_evidence *pe = &sp->parts[k];
          pe->path = ev->path, pe->rel = ev->rel, pe->server = ev->server, pe->kind = ev->kind;
          memcpy(pe->sub, ev->sub, sizeof pe->sub);
          pe->size = ev->size, pe->mtime_ms = ev->mtime_ms, pe->dev = ev->dev, pe->ino = ev->ino;
          pe->first_ms = pe->last_ms = EXH_TIME_UNKNOWN;
          uint64_t from = k ? base + k * ps : 0, to = k + 1 < sp->nparts ? base + (k + 1) * ps : UINT64_MAX;
          uint64_t end = to < ev->size ? to : ev->size;
          p->items[p->nitems++] = (item){i, p->nsplits, k, from, to, end - from};
        }
        p->nsplits++;
        continue;
      }
    }
    EXH_VEC_RESERVE(p->items, cap, p->nitems + 1);
    p->items[p->nitems++] = (item){i, SIZE_MAX, 0, 0, 0, ev->size};
  }
  if (p->nitems > 1) qsort(p->items, p->nitems, sizeof *p->items, cmp_size_desc);
}

/* The calling thread's worker, made when first needed (inside the
 * caller's guard: an allocation failure unwinds to it). */
static exh_worker *calling_worker(pool *p, exh_worker **wk) {
  if (!*wk) {
    *wk = exh__xcalloc(1, sizeof **wk);
    exh__worker_init(*wk, p->rs);
    (*wk)->lim = &p->lim;
    (*wk)->server_builds = (const char *const *)p->builds;
  }
  return *wk;
}

/* One file read again the ordinary way, by the calling thread (a part of
 * it did not read cleanly: only a whole reading reports it alike). */
static void rescan(pool *p, exh_worker **wk, exh_evidence *ev) {
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) == 0) {
    exh__formats_scan_file(calling_worker(p, wk), ev);
    exh__guard_pop(&g);
  } else {
    ev->fault = g.code;
    if (*wk) exh__worker_recover(*wk);
  }
  ev->done = 1;
}

/* The clean parts of a split file merged by its format (format.h
 * merge_parts), which may read some again with the calling thread's
 * worker: -1 when the format has no merge of its own, 0 when it could not
 * merge (or ran out of memory doing so), 1 when merged. */
static int merge_by_format(pool *p, exh_worker **wk, exh_evidence *ev, split *sp) {
  exh_guard g;
  volatile int m = 0;
  exh__guard_push(&g);
  if (setjmp(g.jb) == 0) {
    m = exh__formats_merge_parts(calling_worker(p, wk), ev, sp->parts, sp->nparts);
    exh__guard_pop(&g);
  } else if (*wk) {
    exh__worker_recover(*wk);
  }
  return m;
}

/* The parts of each split file merged into its evidence, in file order,
 * or the file read again whole when a part did not read cleanly. */
static void merge_splits(pool *p) {
  exh_worker *wk = NULL;
  for (size_t s = 0; s < p->nsplits; s++) {
    split *sp = &p->splits[s];
    exh_evidence *ev = &p->w->ev[sp->ev];
    int clean = 1;
    size_t nf = 0;
    for (size_t k = 0; k < sp->nparts; k++) {
      if (!exh__evidence_part_clean(&sp->parts[k])) clean = 0;
      nf += sp->parts[k].nfindings;
    }
    if (nf > p->lim.max_findings_per_file) clean = 0;
    p->nparts += sp->nparts;
    p->nrescans += !clean;
    int m = clean ? merge_by_format(p, &wk, ev, sp) : 0;
    if (m < 0)
      for (size_t k = 0; k < sp->nparts; k++) exh__evidence_merge_part(ev, &sp->parts[k]);
    if (m) {
      ev->done = 1;
    } else {
      p->nrescans += clean;
      nf = 0; /* the format may have read some parts again */
      for (size_t k = 0; k < sp->nparts; k++) nf += sp->parts[k].nfindings, exh__evidence_release(&sp->parts[k]);
      atomic_fetch_sub(&p->lim.findings, nf); /* not kept: the whole reading counts its own */
      rescan(p, &wk, ev);
    }
    free(sp->parts);
  }
  free(p->splits);
  p->splits = NULL;
  if (wk) {
    exh__worker_fini(wk);
    free(wk);
  }
}

static int cmp_finding(const void *a, const void *b) {
  const exh_finding *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  if (x->time_ms != y->time_ms) return x->time_ms < y->time_ms ? -1 : 1;
  int c = strcmp(x->path, y->path);
  if (c) return c;
  if (x->line != y->line) return x->line < y->line ? -1 : 1;
  return strcmp(x->rule->id, y->rule->id);
}

static char *dirname_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? exh__xstrndup(path, (size_t)(s - path)) : exh__xstrdup(".");
}

static void add_window_at(exh_result *r, size_t *cap, size_t server, const char *folder, exh_kind kind,
                          uint32_t files, uint64_t bytes, uint64_t records, int64_t first, int64_t last) {
  exh_logwindow *w = NULL;
  for (size_t i = 0; i < r->nwindows; i++)
    if (r->windows[i].server == server && !strcmp(r->windows[i].folder, folder)) {
      w = &r->windows[i];
      break;
    }
  if (!w) {
    EXH_VEC_RESERVE(r->windows, *cap, r->nwindows + 1);
    w = &r->windows[r->nwindows++];
    memset(w, 0, sizeof *w);
    w->server = server;
    w->folder = exh__xstrdup(folder);
    w->kind = exh__kind_service(kind);
    w->first_ms = w->last_ms = EXH_TIME_UNKNOWN;
  }
  w->files += files;
  w->bytes += bytes;
  w->records += records;
  if (first != EXH_TIME_UNKNOWN && (w->first_ms == EXH_TIME_UNKNOWN || first < w->first_ms)) w->first_ms = first;
  if (last != EXH_TIME_UNKNOWN && (w->last_ms == EXH_TIME_UNKNOWN || last > w->last_ms)) w->last_ms = last;
}

static void add_window(exh_result *r, size_t *cap, const exh_evidence *ev) {
  if (ev->kind == EXH_KIND_ARCHIVE) { /* one window per log folder inside */
    for (size_t i = 0; i < ev->nmembers; i++) {
      const exh_member_note *n = &ev->members[i];
      if (n->kind < EXH_KIND_HTTPPROXY || n->kind > EXH_KIND_LOG_LAST || n->files == n->failed) continue;
      add_window_at(r, cap, n->server, n->dir ? n->dir : ev->path, n->kind, n->files, n->bytes, n->records,
                    n->first_ms, n->last_ms);
    }
    return;
  }
  char *dir = dirname_of(ev->path);
  add_window_at(r, cap, ev->server, dir, ev->kind, 1, ev->size, ev->records, ev->first_ms, ev->last_ms);
  free(dir);
}

/* Builds named by the #Version: lines of a server's Exchange logs, with
 * the span of the logs carrying each. */
static void note_version(exh_result *r, const exh_evidence *ev) {
  exh_server *sv = &r->servers[ev->server];
  exh_build_seen *b = NULL;
  for (size_t i = 0; i < sv->nbuilds_seen; i++)
    if (!strcmp(sv->builds_seen[i].build, ev->version)) b = &sv->builds_seen[i];
  if (!b) {
    if (sv->nbuilds_seen >= 256) return;
    sv->builds_seen = exh__xrealloc(sv->builds_seen, (sv->nbuilds_seen + 1) * sizeof *sv->builds_seen);
    b = &sv->builds_seen[sv->nbuilds_seen++];
    b->build = exh__xstrdup(ev->version);
    b->first_ms = b->last_ms = EXH_TIME_UNKNOWN;
    b->files = 0;
  }
  b->files++;
  if (ev->first_ms != EXH_TIME_UNKNOWN && (b->first_ms == EXH_TIME_UNKNOWN || ev->first_ms < b->first_ms))
    b->first_ms = ev->first_ms;
  if (ev->last_ms != EXH_TIME_UNKNOWN && (b->last_ms == EXH_TIME_UNKNOWN || ev->last_ms > b->last_ms))
    b->last_ms = ev->last_ms;
}

/* The servers' own addresses (IIS s-ip), once per server, with the server
 * whose log named it, for correlate/labels.c. */
static void note_server_ip(exh_result *r, size_t *cap, const exh_evidence *ev) {
  for (size_t i = 0; i < r->nown_addrs; i++)
    if (r->own_addr_servers[i] == ev->server && !strcmp(r->own_addrs[i], ev->server_ip)) return;
  if (r->nown_addrs >= EXH_MAX_OWN_ADDRESSES) return;
  size_t had = *cap;
  EXH_VEC_RESERVE(r->own_addrs, *cap, r->nown_addrs + 1);
  if (*cap != had) r->own_addr_servers = exh__xrealloc(r->own_addr_servers, *cap * sizeof *r->own_addr_servers);
  r->own_addr_servers[r->nown_addrs] = ev->server;
  r->own_addrs[r->nown_addrs++] = exh__xstrdup(ev->server_ip);
}

static int cmp_window(const void *a, const void *b) {
  const exh_logwindow *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  return strcmp(x->folder, y->folder);
}


/* A server is named from its evidence when its collection did not name
 * it (Velociraptor's client_info.json): the host most of its files name
 * (EVTX Computer, HttpProxy ServerHostName), else its folder's name. */
static int cmp_host(const void *a, const void *b) {
  const exh_evidence *x = *(const exh_evidence *const *)a, *y = *(const exh_evidence *const *)b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  return strcmp(x->host, y->host);
}

static void name_servers(exh_result *r, const exh_walk *w) {
  const exh_evidence **e = exh__xcalloc(w->n ? w->n : 1, sizeof *e);
  size_t n = 0;
  for (size_t i = 0; i < w->n; i++)
    if (w->ev[i].host[0] && w->ev[i].server < w->nsrv && !w->srv[w->ev[i].server].named) e[n++] = &w->ev[i];
  if (n > 1) qsort(e, n, sizeof *e, cmp_host);
  for (size_t i = 0; i < n;) { /* runs of one server, within them runs of one host: the longest wins */
    size_t s = e[i]->server, end = i, best = i, bestn = 0;
    while (end < n && e[end]->server == s) end++;
    for (size_t k = i; k < end;) {
      size_t m = k;
      while (m < end && !strcmp(e[m]->host, e[k]->host)) m++;
      if (m - k > bestn) best = k, bestn = m - k;
      k = m;
    }
    if (s < r->nservers) {
      free(r->servers[s].name);
      r->servers[s].name = exh__xstrdup(e[best]->host);
    }
    i = end;
  }
  free(e);
  /* two servers one name (one host collected twice, copies made alike):
   * each is told by its folder too */
  int *dup = exh__xcalloc(r->nservers ? r->nservers : 1, sizeof *dup);
  for (size_t a = 0; a < r->nservers; a++)
    for (size_t b = a + 1; b < r->nservers; b++)
      if (!strcasecmp(r->servers[a].name, r->servers[b].name)) dup[a] = dup[b] = 1;
  for (size_t a = 0; a < r->nservers; a++) {
    if (!dup[a]) continue;
    const char *root = r->servers[a].root, *b = strrchr(root, '/');
    b = b && b[1] ? b + 1 : root;
    char *nm = exh__xasprintf("%s [%s]", r->servers[a].name, b);
    free(r->servers[a].name);
    r->servers[a].name = nm;
  }
  free(dup);
}

static exh_err scan(const exh_ruleset *rs, const exh_scan_opts *opts, exh_result **out);

/* The whole scan runs under a guard: running out of memory outside the
 * per-file guards (the walk, the merge, correlation) returns EXH_ENOMEM
 * (what was allocated is not freed). */
exh_err exh_scan(const exh_ruleset *rs, const exh_scan_opts *opts, exh_result **out) {
  *out = NULL;
  if (!rs || !opts || opts->nroots == 0) return EXH_EARG;
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) return g.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;
  exh_err rc = scan(rs, opts, out);
  exh__guard_pop(&g);
  return rc;
}

static exh_err scan(const exh_ruleset *rs, const exh_scan_opts *opts, exh_result **out) {
  double t0 = exh__monotonic_s(), c0 = exh__thread_cpu_s();
  exh_result *r = exh__xcalloc(1, sizeof *r);
  r->scan_start_ms = exh__now_ms();
  exh_walk w;
  memset(&w, 0, sizeof w);
  w.all_files = opts->all_files;
  w.iocs = exh__ruleset_iocs(rs);
  w.threads = opts->threads > 0 ? opts->threads : exh__cpu_count(); /* folders walked in parallel (walk.c) */
  /* the tests see every progress line, whatever the machine's speed */
  double every = getenv("EXHUNT_PROGRESS_EVERY") && !strcmp(getenv("EXHUNT_PROGRESS_EVERY"), "0") ? 0 : PROGRESS_EVERY;
  walk_meter wm = {t0, every, 0};
  if (opts->progress) {
    w.tick = walk_tick;
    w.tick_ctx = &wm;
    walk_line(&w, 0);
  }
  int timing = getenv("EXHUNT_TIMING") && getenv("EXHUNT_TIMING")[0] == '1';
  for (size_t i = 0; i < opts->nroots; i++) exh__walk_root(&w, opts->roots[i], i);
  if (opts->progress) walk_line(&w, 1);
  w.tick = NULL;
  exh__walk_finish(&w);
  /* the servers: each root, or each collection found below it */
  r->nservers = w.nsrv;
  r->servers = exh__xcalloc(w.nsrv ? w.nsrv : 1, sizeof *r->servers);
  for (size_t i = 0; i < w.nsrv; i++) {
    r->servers[i].root = w.srv[i].root;
    r->servers[i].name = w.srv[i].name;
    w.srv[i].root = w.srv[i].name = NULL;
  }
  pool p;
  memset(&p, 0, sizeof p);
  p.rs = rs;
  p.w = &w;
  atomic_init(&p.next, 0);
  atomic_init(&p.bytes_done, 0);
  atomic_init(&p.files_done, 0);
  atomic_init(&p.nended, 0);
  p.progress = opts->progress;
  p.every = every;
  exh__scan_limits_default(&p.lim);
  if (opts->max_file_bytes) p.lim.max_file_bytes = opts->max_file_bytes;
  if (opts->max_file_seconds > 0) p.lim.max_file_seconds = opts->max_file_seconds;
  if (opts->max_findings_per_file) p.lim.max_findings_per_file = opts->max_findings_per_file;
  if (opts->max_findings) p.lim.max_findings = opts->max_findings;
  p.lim.all_files = opts->all_files; /* archive members too (formats/archive) */
  if (opts->max_content_bytes) p.lim.max_content_bytes = opts->max_content_bytes;
  /* the build each server runs, for the baselines (from ExSetup.exe or OWA folders) */
  const char **build_src = exh__xcalloc(r->nservers, sizeof *build_src);
  p.builds = exh__xcalloc(r->nservers, sizeof *p.builds);
  for (size_t i = 0; i < r->nservers && i < w.nsrv; i++) p.builds[i] = exh__build_from_walk(&w.srv[i], &build_src[i]);
  p.started = p.last_progress = t0;
  p.mu = exh__mutex_new();
  for (size_t i = 0; i < w.n; i++) p.bytes_total += w.ev[i].size;
  double t_walk = exh__monotonic_s(), c_walk = exh__thread_cpu_s();
  int nt = opts->threads > 0 ? opts->threads : exh__cpu_count();
  plan_work(&p, nt);
  if ((size_t)nt > p.nitems) nt = p.nitems ? (int)p.nitems : 1;
  exh_thread **th = exh__xcalloc((size_t)nt, sizeof *th);
  for (int i = 1; i < nt; i++) th[i] = exh__thread_start(work, &p);
  work(&p);
  for (int i = 1; i < nt; i++) exh__thread_join(th[i]);
  free(th);
  double t_work = exh__monotonic_s(), c_work = exh__thread_cpu_s();
  progress(&p, 1);
  exh__mutex_free(p.mu);
  merge_splits(&p);
  free(p.items);
  /* merge */
  size_t total = 0, wcap = 0, covcap = 0, owncap = 0;
  /* the rules or checks that read each kind of evidence (coverage) */
  size_t kind_rules[EXH_KIND_COUNT] = {0};
  {
    size_t y = 0, ni = 0, nb = 0;
    exh_ruleset_content_counts(rs, &y, &ni, &nb);
    for (int k = 1; k < EXH_KIND_COUNT; k++) {
      if (k <= EXH_KIND_EVTX) kind_rules[k] = exh__ruleset_kind_rules(rs, (exh_kind)k);
      else if (k == EXH_KIND_JSONEV) kind_rules[k] = exh__ruleset_kind_rules(rs, EXH_KIND_EVTX);
      else kind_rules[k] = y + (ni ? 1 : 0) + (nb ? 1 : 0) + 1; /* + the built-in artefact checks */
    }
  }
  for (size_t i = 0; i < w.n; i++) total += w.ev[i].nfindings;
  name_servers(r, &w);
  r->findings = exh__xcalloc(total ? total : 1, sizeof *r->findings);
  for (size_t i = 0; i < w.n; i++) {
    exh_evidence *ev = &w.ev[i];
    /* a finding being filled in when its file's reading unwound is
     * incomplete: only whole ones are kept */
    for (size_t k = 0; k < ev->nfindings; k++) {
      exh_finding *f = &ev->findings[k];
      if (f->rule && f->path && f->message) r->findings[r->nfindings++] = *f;
      else exh__finding_release(f);
    }
    free(ev->findings);
    if (!ev->done) {
      exh__evidence_error(ev, "not read: no worker could start (out of memory)");
    } else if (ev->fault) {
      exh__evidence_error(ev, "reading stopped: %s; findings before it are kept",
                         ev->fault == EXH_GUARD_LIMIT ? "a buffer passed its limit (EXH_BUF_MAX)" : "out of memory");
    }
    if (ev->error) {
      exh__walk_add_error(&w, ev->server, ev->path, ev->error, ev->skipped);
      free(ev->error);
    }
    if (ev->suppressed) {
      char why[160];
      snprintf(why, sizeof why, "%llu more findings not kept (limit: %zu per file, %zu per scan)",
               (unsigned long long)ev->suppressed, p.lim.max_findings_per_file, p.lim.max_findings);
      exh__walk_add_error(&w, ev->server, ev->path, why, 0);
    }
    if (((ev->kind >= EXH_KIND_HTTPPROXY && ev->kind <= EXH_KIND_LOG_LAST) || ev->log_members) && !ev->skipped) {
      add_window(r, &wcap, ev);
      r->files_scanned++;
      r->bytes_scanned += ev->size;
    } else if (ev->kind > EXH_KIND_LOG_LAST && !ev->skipped) {
      r->files_scanned++;
      r->bytes_scanned += ev->size;
    }
    if (ev->version[0]) note_version(r, ev);
    if (ev->server_ip[0]) note_server_ip(r, &owncap, ev);
    exh__coverage_note(r, &covcap, ev, kind_rules);
    for (size_t k = 0; k < ev->nmembers; k++) free(ev->members[k].dir);
    free(ev->members);
    for (size_t k = 0; k < ev->nsplits; k++) free(ev->splits[k].prefix);
    free(ev->splits);
    for (size_t k = 0; k < ev->nexsetups; k++) { /* a zipped collection's Bin/ExSetup.exe */
      size_t s = ev->exsetups[k].server;
      if (s < r->nservers && !p.builds[s]) {
        p.builds[s] = exh__xstrdup(ev->exsetups[k].build);
        build_src[s] = "Bin/ExSetup.exe version resource";
      }
      if (s < w.nsrv && !w.srv[s].exsetup) w.srv[s].exsetup = ev->exsetups[k].path;
      else free(ev->exsetups[k].path);
    }
    free(ev->path);
    free(ev->rel);
  }
  free(w.ev);
  if (r->nfindings > 1) qsort(r->findings, r->nfindings, sizeof *r->findings, cmp_finding);
  if (r->nwindows > 1) qsort(r->windows, r->nwindows, sizeof *r->windows, cmp_window);
  r->errors = w.errors;
  r->nerrors = w.nerrors;
  r->files_seen = w.files_seen;
  exh__coverage_finish(r, &covcap, w.srv, w.nsrv);
  for (size_t i = 0; i < r->nservers && i < w.nsrv; i++) {
    r->servers[i].root_error = w.srv[i].root_error;
    w.srv[i].root_error = NULL;
  }
  exh_ruleset_content_counts(rs, &r->rules_yara, &r->indicators, &r->baseline_rows);
  r->rules_sigma = exh_ruleset_count(rs);
  r->nrule_sets = exh_ruleset_nsets(rs);
  r->rule_sets = exh__xcalloc(r->nrule_sets ? r->nrule_sets : 1, sizeof *r->rule_sets);
  for (size_t i = 0; i < r->nrule_sets; i++) r->rule_sets[i] = exh_ruleset_set(rs, i);
  exh__build_finish(r, p.builds, build_src);
  for (size_t i = 0; i < r->nservers; i++) free(p.builds[i]);
  free(p.builds);
  free(build_src);
  for (size_t i = 0; i < w.nsrv; i++) {
    free(w.srv[i].exsetup);
    for (size_t k = 0; k < w.srv[i].nbuilds; k++) free(w.srv[i].builds[k]);
    free(w.srv[i].builds);
  }
  free(w.srv);
  exh__correlate_snapshots(r);
  exh__correlate_labels(r);
  exh__correlate(r);
  exh__correlate_verdicts(r, rs);
  exh__correlate_story(r);
  exh__correlate_actors(r);
  r->seconds = exh__monotonic_s() - t0;
  /* where the time went (EXHUNT_TIMING=1; docs/benchmarks.md) */
  if (timing)
    fprintf(stderr,
            "exhunt: timing: walk %.3f s (%.3f s of CPU), workers %.3f s (%d threads), merge and correlate %.3f s "
            "(%.3f s of CPU)\n",
            t_walk - t0, c_walk - c0, t_work - t_walk, nt, t0 + r->seconds - t_work, exh__thread_cpu_s() - c_work);
  for (int i = 0; timing && i < nt && i < 256 && i < atomic_load(&p.nended); i++)
    fprintf(stderr, "exhunt: timing: worker %d done at %.3f s into the workers, %.3f s of CPU\n", i, p.ended[i] - t_walk,
            p.cpu[i]);
  if (timing)
    fprintf(stderr, "exhunt: timing: %zu files split into %zu parts, %zu read again whole\n", p.nsplits, p.nparts,
            p.nrescans);
  *out = r;
  return EXH_OK;
}
