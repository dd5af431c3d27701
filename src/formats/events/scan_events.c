/* Scanning one EVTX file: read each record's fields in Sigma's names
 * (System children, Provider_Name, EventData's <Data Name="X">, UserData's
 * leaves; docs/windows-mapping.md), through the chunk's compiled templates
 * or, for records of other shapes, from their tree (formats/evtx/
 * evtx_fields.c: both give the same), and evaluate the rules whose
 * Windows log source takes the record's channel and event id. Keyword
 * selections match the record's whole text (all values, space-separated):
 * MSExchange Management events carry their cmdlet only as positional data. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../../core/limits.h"
#include "../../core/source.h"
#include "../evtx/evtx.h"
#include "../../core/json.h"
#include "../../platform/platform.h"
#include "../../match/prefilter.h"
#include "../../rules/rules.h"
#include "events.h"

#define CHANNEL_CACHE 8

typedef struct evctx {
  exh_worker *wk;
  exh_evidence *ev;
  const exh_kind_plan *plan;
  exh_str names[EXH_EVENT_MAX_FIELDS], vals[EXH_EVENT_MAX_FIELDS];
  unsigned char in_data[EXH_EVENT_MAX_FIELDS]; /* JSON: under EventData/UserData */
  int n;
  int cur_in_data; /* JSON: the pair being added is */
  exh_buf flat;      /* names and values of the record */
  exh_buf raw;       /* the whole text for keywords */
  exh_buf tmp;
  exh_buf head; /* a tree's System values */
  /* whether any loaded rule reads a channel, for the channels met last
   * (the answer is a loop over the rules; a file has one or a few) */
  struct {
    char name[96];
    size_t n;
    int wanted;
  } chc[CHANNEL_CACHE];
  size_t nchc, chc_next;
  uint64_t wanted_records; /* records of a channel some rule reads */
  int have_time; /* JSON: a time field was already taken for this line */
  int no_prefilter; /* EXHUNT_NO_EVENT_PREFILTER: every rule on every event */
  uint32_t *cand; /* rules to run on the current record */
  size_t ncand, capcand;
  uint32_t *stamp; /* per rule: the serial of the last record it was a hit of */
  size_t nstamp;
  uint32_t serial;
  double deadline;
  int timed_out;
  uint64_t fields_dropped; /* events with more fields than EXH_EVENT_MAX_FIELDS */
  int dropped_here;        /* the current event lost fields */
} evctx;

static evctx *ctx_new(exh_worker *wk, exh_evidence *ev) {
  evctx *c = exh__xcalloc(1, sizeof *c);
  c->wk = wk;
  c->ev = ev;
  c->plan = exh__ruleset_plan(wk->rs, EXH_KIND_EVTX);
  c->deadline = exh__monotonic_s() + wk->lim->max_file_seconds;
  /* read once per file, into the file's own state: a static here was a
   * data race between workers */
  c->no_prefilter = getenv("EXHUNT_NO_EVENT_PREFILTER") != NULL;
  return c;
}

static void ctx_free(evctx *c) {
  if (c->fields_dropped) /* never in silence */
    exh__evidence_error(c->ev, "%llu events had more than %u fields: the fields past it were not read",
                       (unsigned long long)c->fields_dropped, (unsigned)EXH_EVENT_MAX_FIELDS);
  exh__buf_free(&c->flat);
  exh__buf_free(&c->raw);
  exh__buf_free(&c->tmp);
  exh__buf_free(&c->head);
  free(c->cand);
  free(c->stamp);
  free(c);
}

/* The evidence's time span, from every event with a time. */
static void note_time(exh_evidence *ev, int64_t t) {
  if (t == EXH_TIME_UNKNOWN) return;
  if (ev->first_ms == EXH_TIME_UNKNOWN || t < ev->first_ms) ev->first_ms = t;
  if (ev->last_ms == EXH_TIME_UNKNOWN || t > ev->last_ms) ev->last_ms = t;
}

static void flat_add(evctx *c, const char *name, size_t nl, exh_str v) {
  if (c->n >= EXH_EVENT_MAX_FIELDS) {
    if (!c->dropped_here) c->fields_dropped++;
    c->dropped_here = 1;
    return;
  }
  /* offsets into c->flat, fixed up to pointers once the record is done.
   * The name loses its spaces, as the Sigma specification's field-name rule
   * says (Defender's "Threat Name" is ThreatName, "New Value" NewValue) */
  size_t no = c->flat.n;
  if (memchr(name, ' ', nl)) {
    for (size_t i = 0; i < nl; i++)
      if (name[i] != ' ') exh_buf_addc(&c->flat, name[i]);
    nl = c->flat.n - no;
  } else {
    exh_buf_add(&c->flat, name, nl);
  }
  size_t vo = c->flat.n;
  exh_buf_add(&c->flat, v.p, v.n);
  c->names[c->n] = (exh_str){(const char *)(uintptr_t)no, nl};
  c->vals[c->n] = (exh_str){(const char *)(uintptr_t)vo, v.n};
  c->in_data[c->n] = (unsigned char)c->cur_in_data;
  c->n++;
  if (v.n) {
    if (c->raw.n) exh_buf_addc(&c->raw, ' ');
    exh_buf_add(&c->raw, v.p, v.n);
  }
}

static int flat_find(const evctx *c, const char *name) {
  size_t nl = strlen(name);
  for (int i = 0; i < c->n; i++)
    if (c->names[i].n == nl && exh__strnieq(c->names[i].p, name, nl)) return i;
  return -1;
}

/* A System value of a JSON event (channel, event id, time, record id,
 * host): never a field under EventData/UserData of the same name, which
 * may come first (JSON objects are unordered; event 104's UserData holds
 * the cleared log's Channel). */
static int sys_find(const evctx *c, const char *name) {
  size_t nl = strlen(name);
  for (int i = 0; i < c->n; i++)
    if (!c->in_data[i] && c->names[i].n == nl && exh__strnieq(c->names[i].p, name, nl)) return i;
  return -1;
}

static char *flat_dup(const evctx *c, const char *a, const char *b) {
  int i = flat_find(c, a);
  if ((i < 0 || c->vals[i].n == 0 || (c->vals[i].n == 1 && c->vals[i].p[0] == '-')) && b) i = flat_find(c, b);
  if (i < 0 || c->vals[i].n == 0 || (c->vals[i].n == 1 && c->vals[i].p[0] == '-')) return NULL;
  return exh__xstrndup(c->vals[i].p, c->vals[i].n < 4096 ? c->vals[i].n : 4096);
}

/* Where the current event came from, for its findings. */
typedef struct evsrc {
  const exh_evtx *p;        /* EVTX: render the record as evidence */
  const exh_evtx_record *r;
  exh_str line;             /* JSON lines: the line is the evidence */
  uint64_t offset, line_no;
  const char *dataset;
} evsrc;

static void set_evidence(exh_finding *f, const char *buf, size_t len) {
  while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) len--;
  f->evidence_truncated = len > EXH_EVIDENCE_MAX;
  f->evidence_len = len > EXH_EVIDENCE_MAX ? EXH_EVIDENCE_MAX : len;
  f->evidence = exh__xstrndup(buf, f->evidence_len);
}

static void emit(evctx *c, const exh_rule *rule, exh_record *rec, const evsrc *src, int64_t t, uint64_t rid) {
  exh_finding *f = exh__rule_finding(c->wk, c->ev, rule, src->dataset);
  if (!f) return;
  f->offset = src->offset;
  f->line = src->line_no;
  f->record_id = rid;
  f->time_ms = t;
  if (src->p) { /* the record as one evtx_dump-shaped JSON line */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
      exh__evtx_write_json_any(m, src->p, src->r);
      fclose(m);
      set_evidence(f, buf, len);
      free(buf);
    } else {
      f->evidence = exh__xstrdup("");
    }
  } else {
    set_evidence(f, src->line.p, src->line.n);
  }
  f->user_name = flat_dup(c, "SubjectUserName", "User");
  f->source_ip = flat_dup(c, "IpAddress", "SourceIp");
  f->message = exh__rule_message(c->wk, rule, rec);
}

/* Does any loaded Windows rule read this channel at all? */
static int channel_wanted_rules(evctx *c, exh_str channel) {
  const exh_ruleset *rs = c->wk->rs;
  for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
    const exh_rule *rule = exh__ruleset_get(rs, i);
    if (!exh__rule_applies(rule, EXH_KIND_EVTX)) continue;
    if (exh__rule_reads_channel(rule, channel)) return 1;
  }
  return 0;
}

/* The same, decided for each record (a log may hold records of several
 * channels, or records without one: one record never decides for a file),
 * remembered for the last few channels. */
static int channel_wanted(evctx *c, exh_str channel) {
  for (size_t i = 0; i < c->nchc; i++)
    if (c->chc[i].n == channel.n && !memcmp(c->chc[i].name, channel.p, channel.n)) return c->chc[i].wanted;
  int wanted = channel_wanted_rules(c, channel);
  if (channel.n < sizeof c->chc[0].name) { /* longer ones are asked each time */
    size_t i = c->nchc < CHANNEL_CACHE ? c->nchc++ : c->chc_next++ % CHANNEL_CACHE;
    memcpy(c->chc[i].name, channel.p, channel.n);
    c->chc[i].n = channel.n;
    c->chc[i].wanted = wanted;
  }
  return wanted;
}

/* Prefilter hits of one record: rule indexes whose anchor literal occurs
 * anywhere in the record's text (values may hold newlines: the lines of
 * one record are one haystack), each once: a rule's literals may occur
 * many times, and a stamp per rule (the record's serial) drops repeats
 * before they are sorted. */
static int on_hit(void *ctx, size_t start, size_t end, const uint32_t *ids, size_t nids) {
  evctx *c = ctx;
  (void)start, (void)end;
  for (size_t i = 0; i < nids; i++) {
    uint32_t r = EXH_PF_RULE(ids[i]);
    if (r >= c->nstamp) { /* the rule set's size, once */
      size_t n = exh_ruleset_count(c->wk->rs) > r ? exh_ruleset_count(c->wk->rs) : (size_t)r + 1;
      c->stamp = exh__xrealloc(c->stamp, n * sizeof *c->stamp);
      memset(c->stamp + c->nstamp, 0, (n - c->nstamp) * sizeof *c->stamp);
      c->nstamp = n;
    }
    if (c->stamp[r] == c->serial) continue;
    c->stamp[r] = c->serial;
    EXH_VEC_RESERVE(c->cand, c->capcand, c->ncand + 1);
    c->cand[c->ncand++] = r;
  }
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* The rules to run on this record, in rule order: those with no literal,
 * and those whose log source takes the record's channel and event id and
 * whose every literal group occurs in the record's text. A rule can only
 * match if its literals occur in the values it tests, and every value is
 * in the text (docs/architecture.md: the literal derivation); eval_event
 * asks every rule for its log source again (the rules without a literal
 * are asked only there), so the log source is asked first here only
 * because it is cheaper than the literal search. */
static void candidates(evctx *c, exh_str channel, unsigned eid) {
  c->ncand = 0;
  if (++c->serial == 0) { /* wrapped: no stale stamp may equal it */
    if (c->stamp) memset(c->stamp, 0, c->nstamp * sizeof *c->stamp);
    c->serial = 1;
  }
  const exh_kind_plan *pl = c->plan;
  /* EXHUNT_NO_EVENT_PREFILTER=1 runs every rule on every event: the test
   * event_prefilter_sound compares both ways on real data */
  if (c->no_prefilter || (pl->pf && c->raw.n &&
              exh__pf_scan(pl->pf, c->wk->pfs[EXH_KIND_EVTX], c->raw.p, c->raw.n, on_hit, c) < 0)) {
    /* engine failure (or switched off): every rule (correct, slower) */
    c->ncand = 0;
    for (size_t i = 0; i < exh_ruleset_count(c->wk->rs); i++)
      if (exh__rule_applies(exh__ruleset_get(c->wk->rs, i), EXH_KIND_EVTX)) {
        EXH_VEC_RESERVE(c->cand, c->capcand, c->ncand + 1);
        c->cand[c->ncand++] = (uint32_t)i;
      }
    return;
  }
  size_t nhit = c->ncand, k = 0;
  for (size_t i = 0; i < nhit; i++) { /* unique already (on_hit) */
    const exh_rule *r = exh__ruleset_get(c->wk->rs, c->cand[i]);
    int map;
    if (exh__rule_windows_accepts(r, channel, eid, &map) && exh__rule_verify_groups(r, c->raw.p, c->raw.n))
      c->cand[k++] = c->cand[i];
  }
  c->ncand = k;
  for (size_t i = 0; i < pl->nalways; i++) {
    EXH_VEC_RESERVE(c->cand, c->capcand, c->ncand + 1);
    c->cand[c->ncand++] = pl->always[i];
  }
  if (c->ncand > 1) qsort(c->cand, c->ncand, sizeof *c->cand, cmp_u32);
}

/* Runs every candidate Windows rule whose log source takes (channel, eid)
 * on the event flattened in c->names / c->vals [0, c->n). */
static void eval_event(evctx *c, exh_str channel, unsigned eid, int64_t t, uint64_t rid, const evsrc *src) {
  exh_worker *wk = c->wk;
  const exh_ruleset *rs = wk->rs;
  int *fmap = wk->fmap;
  size_t nf = exh__ruleset_nfields(rs);
  int base_n = c->n;
  int mapped = -1; /* which field map fmap holds */
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.raw = (exh_str){c->raw.p ? c->raw.p : "", c->raw.n};
  rec.virt[EXH_VF_RAWRECORD] = rec.raw;
  rec.cols = c->vals;
  rec.fmap = fmap;
  rec.nfmap = (int)nf;
  rec.scratch = wk->scratch;
  candidates(c, channel, eid);
  for (size_t i = 0; i < c->ncand; i++) {
    const exh_rule *rule = exh__ruleset_get(rs, c->cand[i]);
    int map;
    if (!exh__rule_windows_accepts(rule, channel, eid, &map)) continue;
    if (map != mapped) {
      /* field map for this record (and, for Security 4688, process_creation's names) */
      c->n = base_n;
      if (map == WMAP_SECURITY_4688 || map == WMAP_ANTIVIRUS) {
        static const char *const alias4688[][2] = {
            {"NewProcessName", "Image"}, {"ParentProcessName", "ParentImage"}, {"SubjectUserName", "User"}, {0, 0}};
        /* Defender writes "Threat Name" (field names lose their spaces) */
        static const char *const alias_av[][2] = {{"ThreatName", "Signature"}, {"Path", "Filename"}, {0, 0}};
        const char *const(*alias)[2] = map == WMAP_SECURITY_4688 ? alias4688 : alias_av;
        for (size_t a = 0; alias[a][0] && c->n < EXH_EVENT_MAX_FIELDS; a++) {
          int j = flat_find(c, alias[a][0]);
          if (j >= 0) {
            c->names[c->n] = (exh_str){alias[a][1], strlen(alias[a][1])};
            c->vals[c->n++] = c->vals[j];
          }
        }
      }
      for (size_t f = 0; f < nf; f++) fmap[f] = -1;
      for (int k = c->n - 1; k >= 0; k--) { /* first occurrence wins */
        int fid = exh__ruleset_field_lookup(rs, c->names[k].p, c->names[k].n);
        if (fid >= EXH_VF_COUNT) fmap[fid] = k;
      }
      rec.ncols = c->n;
      mapped = map;
    }
    if (exh__rule_eval(rule, &rec)) emit(c, rule, &rec, src, t, rid);
  }
  c->n = base_n;
}

/* The evidence's host name: printable, no path separators. */
static void note_host(exh_evidence *ev, exh_str h) {
  if (!h.p || h.n == 0 || h.n >= sizeof ev->host) return;
  for (size_t i = 0; i < h.n; i++)
    if ((unsigned char)h.p[i] <= 0x20 || h.p[i] == '/' || h.p[i] == '\\' || (unsigned char)h.p[i] == 0x7f) return;
  memcpy(ev->host, h.p, h.n);
  ev->host[h.n] = 0;
}

/* exh__evtx_fields_each's callback: one field of a compiled record. */
static void on_field(void *ctx, const char *name, size_t nl, exh_str v) { flat_add(ctx, name, nl, v); }

/* A record, read through the compiled templates (r->fields: its System
 * values, exh__evtx_fields_each its fields) or from its tree; both give
 * the same values in the same order (evtx_fields.c). */
static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  evctx *c = ctx;
  c->ev->records++;
  if ((c->ev->records & 1023) == 0 && exh__monotonic_s() > c->deadline) {
    c->timed_out = 1;
    return 1;
  }
  exh_evtx_head tree_head;
  const exh_evtx_head *h = r->fields;
  if (!h) {
    if (exh__evtx_tree_head(p, r, &tree_head, &c->head)) return 0; /* nothing decoded */
    h = &tree_head;
  }
  char chbuf[256];
  snprintf(chbuf, sizeof chbuf, "%.*s", (int)(h->channel.n < 255 ? h->channel.n : 255), h->channel.p);
  exh_str channel = {chbuf, strlen(chbuf)};
  int64_t t = EXH_TIME_UNKNOWN, ms;
  if (h->system_time.p && exh__parse_iso8601(h->system_time, &ms) == 0) t = ms;
  if (t == EXH_TIME_UNKNOWN) t = r->written_ms;
  exh__evidence_channel(c->ev, channel.p, channel.n, t);
  note_time(c->ev, t);
  if (!c->ev->host[0]) note_host(c->ev, h->computer); /* the host the log was written on names the server */
  if (!channel_wanted(c, channel)) return 0; /* no loaded rule reads this record's channel */
  c->wanted_records++;
  uint64_t eid64 = 0;
  unsigned eid = exh__parse_u64(h->event_id, &eid64) == 0 && eid64 <= UINT32_MAX ? (unsigned)eid64 : 0;
  /* flatten */
  c->n = 0;
  c->dropped_here = 0;
  c->flat.n = 0;
  c->raw.n = 0;
  if (r->fields) exh__evtx_fields_each(p, on_field, c);
  else exh__evtx_tree_fields(p, r, &c->tmp, on_field, c);
  /* slices into c->flat, now that it will not move */
  for (int i = 0; i < c->n; i++) {
    c->names[i].p = c->flat.p + (uintptr_t)c->names[i].p;
    c->vals[i].p = c->flat.p + (uintptr_t)c->vals[i].p;
  }
  int ri = flat_find(c, "EventRecordID");
  uint64_t rid = r->id;
  if (ri >= 0 && exh__parse_u64(c->vals[ri], &rid) != 0) rid = r->id;
  evsrc src = {p, r, {NULL, 0}, r->file_offset, 0, "windows.evtx"};
  eval_event(c, channel, eid, t, rid, &src);
  return 0;
}

static void on_issue(void *ctx, uint64_t off, const char *what) {
  evctx *c = ctx;
  c->ev->evtx_issues++;
  if (c->ev->evtx_issues == 1)
    exh__evidence_error(c->ev, "EVTX damage at offset %llu: %s (the rest is still read)", (unsigned long long)off, what);
}

void exh__scan_evtx(exh_worker *wk, exh_evidence *ev) {
  char why[256];
  exh_stat want;
  memset(&want, 0, sizeof want);
  want.type = EXH_FT_FILE;
  want.dev = ev->dev, want.ino = ev->ino, want.size = ev->size;
  exh_source *src = exh__source_file(ev->path, ev->dev || ev->ino ? &want : NULL, why, sizeof why);
  if (!src) {
    ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
    exh__evidence_error(ev, "%s", why);
    return;
  }
  exh__scan_evtx_source(wk, ev, src);
  exh__source_close(src);
}

/* The file header, then one chunk at a time into one buffer: memory is a
 * chunk and the parser's arena whatever the file's size, and a file that
 * shrinks while it is read gives a short read, not a fault. */
static void scan_evtx_range(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to);

void exh__scan_evtx_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  scan_evtx_range(wk, ev, src, 0, UINT64_MAX);
}

/* A part of a large file for one worker (core/format.h scan_part): the
 * chunks that start in [from, to), from a chunk boundary; the part from 0
 * reads and checks the file header too. */
static void evtx_part(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to) {
  scan_evtx_range(wk, ev, src, from, to);
}

static void scan_evtx_range(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to) {
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
  evctx *c = ctx_new(wk, ev);
  if (c->plan->nrules == 0) {
    ev->skipped = 1; /* no Windows rule loaded */
    ctx_free(c);
    return;
  }
  if (src->size != EXH_SIZE_UNKNOWN && src->size > wk->lim->max_file_bytes) {
    exh__evidence_error(ev, "not read: %llu bytes, over the limit", (unsigned long long)src->size);
    ctx_free(c);
    return;
  }
  uint8_t *buf = exh__xmalloc(EXH_EVTX_CHUNK);
  exh_evtx *px = exh__evtx_new();
  exh__evtx_set_deadline(px, c->deadline);
  /* EXHUNT_EVTX_TREE=1 decodes every record into a tree: the test
   * evtx_scan_compiled compares both ways on real data */
  exh__evtx_set_fields(px, getenv("EXHUNT_EVTX_TREE") == NULL);
  uint64_t off = 0;
  long k = from ? EXH_EVTX_FILE_HEADER : exh__source_read_full(src, buf, EXH_EVTX_FILE_HEADER);
  if (from) { /* a later part: its chunks, read where they lie (the header is the first part's) */
    for (off = from; off < to; off += EXH_EVTX_CHUNK) {
      k = 0;
      while (k < (long)EXH_EVTX_CHUNK) {
        long r = src->pread(src, buf + k, EXH_EVTX_CHUNK - (size_t)k, off + (uint64_t)k);
        if (r <= 0) {
          if (r < 0) k = -1;
          break;
        }
        k += r;
      }
      if (k < 0) {
        exh__evidence_error(ev, "read error at offset %llu: %s (records before it were read)", (unsigned long long)off,
                           src->why);
        break;
      }
      if (k == 0) break;
      exh__evtx_parse_chunk(px, buf, (size_t)k, off, on_record, on_issue, c);
      if (c->timed_out || exh__evtx_timed_out(px) || k < (long)EXH_EVTX_CHUNK) break;
    }
  } else if (k < 0) {
    exh__evidence_error(ev, "read error: %s", src->why);
  } else if (k < 8 || memcmp(buf, "ElfFile", 8) != 0) {
    exh__evidence_error(ev, "not an EVTX file (no ElfFile signature)");
  } else if (exh__evtx_check_header(buf, (size_t)k, on_issue, c) == 0 && k == EXH_EVTX_FILE_HEADER) {
    for (off = EXH_EVTX_FILE_HEADER; off < to; off += (uint64_t)k) {
      if (off - EXH_EVTX_FILE_HEADER >= wk->lim->max_file_bytes) { /* a source of unknown size */
        exh__evidence_error(ev, "read up to %llu bytes, the limit; the rest is not read", (unsigned long long)off);
        break;
      }
      k = exh__source_read_full(src, buf, EXH_EVTX_CHUNK);
      if (k < 0) {
        exh__evidence_error(ev, "read error at offset %llu: %s (records before it were read)", (unsigned long long)off,
                           src->why);
        break;
      }
      if (k == 0) break;
      exh__evtx_parse_chunk(px, buf, (size_t)k, off, on_record, on_issue, c);
      if (c->timed_out || exh__evtx_timed_out(px) || k < (long)EXH_EVTX_CHUNK) break;
    }
  }
  if (exh__evtx_timed_out(px)) c->timed_out = 1;
  exh__evtx_free(px);
  free(buf);
  if (c->timed_out) {
    exh__evidence_error(ev, "stopped after %.0f s (time limit per file) at offset %llu; findings before it are kept",
                       wk->lim->max_file_seconds, (unsigned long long)off);
  } else if (ev->evtx_issues > 1) {
    exh__evidence_error(ev, "%llu damage reports in all", (unsigned long long)ev->evtx_issues);
  }
  /* a log none of whose records any loaded rule reads: read, and said */
  if (ev->records && !c->wanted_records) ev->skipped_channel = 1;
  ctx_free(c);
}

void exh__scan_evtx_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n) {
  exh_source *src = exh__source_mem(data, n);
  exh__scan_evtx_source(wk, ev, src);
  exh__source_close(src);
}

/* ---- JSON lines of events ------------------------------------------------ */

/* Field names of the common exporters -> Sigma's (docs/windows-mapping.md). */
static const struct {
  const char *key; /* full dotted key, or a leaf name when it has no '.' */
  const char *name;
} json_names[] = {
    {"SourceName", "Provider_Name"},   {"ProviderName", "Provider_Name"}, {"provider_name", "Provider_Name"},
    {"System.Provider.Name", "Provider_Name"}, {"event_id", "EventID"}, {"EventId", "EventID"},
    {"System.EventID.Value", "EventID"}, {"event.code", "EventID"},   {"channel", "Channel"},
    {"Hostname", "Computer"},          {"computer_name", "Computer"},    {"TimeCreated", "SystemTime"},
    {"@timestamp", "SystemTime"},      {"record_id", "EventRecordID"},   {"RecordNumber", "EventRecordID"},
    /* Get-WinEvent | ConvertTo-Json */
    {"LogName", "Channel"},            {"RecordId", "EventRecordID"},    {"MachineName", "Computer"},
};

/* The last component of a dotted key before `end`, and where it starts. */
static exh_str last_part(exh_str key, size_t end) {
  size_t s = end;
  while (s > 0 && key.p[s - 1] != '.') s--;
  return (exh_str){key.p + s, end - s};
}

/* evtx_dump's JSON shape (the evtx crate's, and exhunt dump's: one object
 * per record under "Event"): an element with attributes becomes
 * {"#attributes": {...}, "#text": ...}, so EventID may be
 * Event.System.EventID.#text and the provider Event.System.Provider.
 * #attributes.Name. Named as the EVTX reader names them (Provider_Name,
 * SystemTime, UserID, ProcessID...), other attributes left out as the EVTX
 * reader leaves them out, so a record gives the same fields either way.
 * Returns 1 with *key (and *name when renamed) set, or 0 to skip. */
static int evtx_json_key(exh_str *key, const char **name) {
  exh_str last = last_part(*key, key->n);
  if (last.n == 5 && !memcmp(last.p, "#text", 5)) { /* the element's text */
    key->n -= 6 > key->n ? key->n : 6;
    return key->n > 0;
  }
  if (key->n <= last.n + 1) return 1;
  exh_str prev = last_part(*key, key->n - last.n - 1);
  if (!(prev.n == 11 && !memcmp(prev.p, "#attributes", 11))) return 1;
  size_t pend = (size_t)(prev.p - key->p);
  if (pend == 0) return 0;
  exh_str elem = last_part(*key, pend - 1);
  if (exh__strieq(elem, "Provider")) {
    if (exh__strieq(last, "Name")) *name = "Provider_Name";
    else if (exh__strieq(last, "Guid")) *name = "Provider_Guid";
    else if (exh__strieq(last, "EventSourceName")) *name = "EventSourceName";
    else return 0;
    return 1;
  }
  if ((exh__strieq(elem, "TimeCreated") && exh__strieq(last, "SystemTime")) ||
      (exh__strieq(elem, "Security") && exh__strieq(last, "UserID")) ||
      (exh__strieq(elem, "Execution") && (exh__strieq(last, "ProcessID") || exh__strieq(last, "ThreadID")))) {
    *key = last;
    return 1;
  }
  return 0; /* xmlns, Qualifiers, Correlation's ids, attributes inside the data */
}

/* Whether a dotted key lies under an event's data (EventData/UserData as
 * evtx_dump, Velociraptor and Get-WinEvent's XML name them, winlogbeat's
 * event_data/user_data): a component before the leaf. */
static int key_in_data(exh_str key) {
  static const char *const data[] = {"EventData", "UserData", "event_data", "user_data"};
  size_t s = 0;
  for (size_t i = 0; i < key.n; i++) {
    if (key.p[i] != '.') continue;
    exh_str part = {key.p + s, i - s};
    for (size_t k = 0; k < sizeof data / sizeof data[0]; k++)
      if (exh__strieq(part, data[k])) return 1;
    s = i + 1;
  }
  return 0;
}

static void json_pair(void *ctx, exh_str key, exh_str val) {
  evctx *c = ctx;
  const char *renamed = NULL;
  c->cur_in_data = key_in_data(key);
  if (memchr(key.p, '#', key.n) && !evtx_json_key(&key, &renamed)) return;
  if (renamed) {
    flat_add(c, renamed, strlen(renamed), val);
    return;
  }
  /* Get-WinEvent's event id is a top-level "Id" (a nested Id is data) */
  if (key.n == 2 && exh__strieq(key, "Id")) {
    flat_add(c, "EventID", 7, val);
    return;
  }
  const char *dot = key.n ? memrchr(key.p, '.', key.n) : NULL;
  exh_str leaf = dot ? (exh_str){dot + 1, key.n - (size_t)(dot + 1 - key.p)} : key;
  const char *name = NULL;
  for (size_t i = 0; i < sizeof json_names / sizeof json_names[0] && !name; i++) {
    const char *k = json_names[i].key;
    if (strchr(k, '.') ? exh__strieq(key, k) : exh__strieq(leaf, k)) name = json_names[i].name;
  }
  if (name && !strcmp(name, "SystemTime") && !c->cur_in_data) {
    if (c->have_time) return; /* keep the first */
    c->have_time = 1;
  }
  if (name) flat_add(c, name, strlen(name), val);
  else flat_add(c, leaf.p, leaf.n, val);
}

/* One line holding one event. */
static void json_line(evctx *c, exh_buf *scratch, exh_str line, uint64_t offset, uint64_t line_no, uint64_t *bad,
                      uint64_t *first_bad) {
  exh_evidence *ev = c->ev;
  c->n = 0;
  c->dropped_here = 0;
  c->flat.n = 0;
  c->raw.n = 0;
  c->have_time = 0;
  if (exh__json_flatten(line.p, line.n, scratch, json_pair, c) != 0) {
    if (!(*bad)++) *first_bad = line_no;
    return;
  }
  for (int i = 0; i < c->n; i++) {
    c->names[i].p = c->flat.p + (uintptr_t)c->names[i].p;
    c->vals[i].p = c->flat.p + (uintptr_t)c->vals[i].p;
  }
  ev->records++;
  int ci = sys_find(c, "Channel"), ei = sys_find(c, "EventID"), ti = sys_find(c, "SystemTime"),
      ri = sys_find(c, "EventRecordID");
  exh_str channel = ci >= 0 ? c->vals[ci] : (exh_str){"", 0};
  uint64_t eid64 = 0;
  unsigned eid = ei >= 0 && exh__parse_u64(c->vals[ei], &eid64) == 0 && eid64 <= UINT32_MAX ? (unsigned)eid64 : 0;
  int64_t t = EXH_TIME_UNKNOWN, ms;
  if (ti >= 0 && exh__parse_iso8601(c->vals[ti], &ms) == 0) t = ms;
  exh__evidence_channel(ev, channel.p, channel.n, t);
  note_time(ev, t);
  if (!ev->host[0]) {
    int hi = sys_find(c, "Computer");
    if (hi < 0) hi = sys_find(c, "MachineName"); /* Get-WinEvent's shape */
    if (hi >= 0) note_host(ev, c->vals[hi]);
  }
  uint64_t rid = 0;
  if (ri >= 0 && exh__parse_u64(c->vals[ri], &rid) != 0) rid = 0;
  evsrc src = {NULL, NULL, line, offset, line_no, "windows.events_json"};
  eval_event(c, channel, eid, t, rid, &src);
}

/* JSON lines in blocks of whole lines (exh_lines): memory is a block
 * whatever the file's size. A line longer than max_line is reported and
 * skipped whole: its pieces are never read as events. */
void exh__scan_jsonev_source_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line) {
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
  evctx *c = ctx_new(wk, ev);
  if (c->plan->nrules == 0) {
    ctx_free(c);
    return;
  }
  exh_buf scratch = {0};
  exh_lines lr;
  exh__lines_init(&lr, src, block, max_line);
  uint64_t line_no = 0, bad = 0, first_bad = 0, cuts = 0, longs = 0, first_long = 0;
  int in_long = 0; /* the rest of a line already reported as too long */
  for (;;) {
    const char *p;
    size_t n;
    uint64_t off;
    int rc = exh__lines_next(&lr, &p, &n, &off);
    if (rc < 0) {
      exh__evidence_error(ev, "read error after line %llu: %s (lines before it were read)", (unsigned long long)line_no,
                         src->why);
      break;
    }
    if (rc == 0) break;
    int piece = lr.cut_lines != cuts; /* the block is a piece of one long line, no line end in it */
    cuts = lr.cut_lines;
    size_t pos = 0;
    if (in_long) {
      if (piece) continue;
      const char *e = memchr(p, '\n', n);
      pos = e ? (size_t)(e - p) + 1 : n;
      in_long = 0;
    } else if (piece) {
      line_no++;
      if (!longs++) first_long = line_no;
      in_long = 1;
      continue;
    }
    while (pos < n) {
      const char *e = memchr(p + pos, '\n', n - pos);
      size_t le = e ? (size_t)(e - p) : n;
      exh_str line = exh__trim((exh_str){p + pos, le - pos});
      line_no++;
      if (line.n) json_line(c, &scratch, line, off + (uint64_t)(line.p - p), line_no, &bad, &first_bad);
      pos = le + 1;
      if ((line_no & 4095) == 0 && exh__monotonic_s() > c->deadline) {
        c->timed_out = 1;
        break;
      }
    }
    if (c->timed_out) {
      exh__evidence_error(ev, "stopped after %.0f s (time limit per file) at line %llu", wk->lim->max_file_seconds,
                         (unsigned long long)line_no);
      break;
    }
  }
  if (longs)
    exh__evidence_error(ev, "%llu lines longer than %zu bytes were not read (first: line %llu)", (unsigned long long)longs,
                       lr.max_line, (unsigned long long)first_long);
  if (bad)
    exh__evidence_error(ev, "%llu lines are not JSON objects (first: line %llu); the others were read",
                       (unsigned long long)bad, (unsigned long long)first_bad);
  exh__lines_free(&lr);
  exh__buf_free(&scratch);
  ctx_free(c);
}

void exh__scan_jsonev_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  exh__scan_jsonev_source_sized(wk, ev, src, EXH_JSONEV_BLOCK, EXH_JSONEV_MAX_LINE);
}

void exh__scan_jsonev(exh_worker *wk, exh_evidence *ev) {
  char why[256];
  exh_stat want;
  memset(&want, 0, sizeof want);
  want.type = EXH_FT_FILE;
  want.dev = ev->dev, want.ino = ev->ino, want.size = ev->size;
  exh_source *src = exh__source_file(ev->path, ev->dev || ev->ino ? &want : NULL, why, sizeof why);
  if (!src) {
    ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
    exh__evidence_error(ev, "%s", why);
    return;
  }
  exh__scan_jsonev_source(wk, ev, src);
  exh__source_close(src);
}

void exh__scan_jsonev_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n) {
  exh_source *src = exh__source_mem(data, n);
  exh__scan_jsonev_source(wk, ev, src);
  exh__source_close(src);
}

/* ---- the format tables (format.h) ---------------------------------------- */

static exh_kind evtx_by_path(const exh_path *p, char *sub, size_t subn) {
  (void)sub, (void)subn;
  return p->n && exh__path_ends(p->c[p->n - 1], ".evtx") ? EXH_KIND_EVTX : EXH_KIND_NONE;
}

static exh_kind evtx_by_head(const unsigned char *head, size_t n) {
  return n >= 8 && !memcmp(head, "ElfFile", 8) ? EXH_KIND_EVTX : EXH_KIND_NONE;
}

const exh_format exh__format_evtx = {
    "evtx", {EXH_KIND_EVTX, EXH_KIND_NONE}, evtx_by_path, evtx_by_head, exh__scan_evtx_source, exh__scan_evtx,
    exh__evtx_out_thread_cleanup, evtx_part, EXH_EVTX_FILE_HEADER, EXH_EVTX_CHUNK, NULL,
};

/* JSON events are never told by path or first bytes alone here: a file
 * named on the command line that starts with '{', and a .json member of an
 * archive outside the checked folders, are read as events (the walk and
 * the archive decide; a .json in a web folder is a file to check). */
const exh_format exh__format_jsonev = {
    "jsonev", {EXH_KIND_JSONEV, EXH_KIND_NONE}, NULL, NULL, exh__scan_jsonev_source, exh__scan_jsonev, NULL,
    NULL, 0, 0, NULL,
};
