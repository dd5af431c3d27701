/* Scanning one Exchange CSV log: map it, read the header block, run the
 * kind's literal prefilter over the bytes in line-aligned windows, and
 * parse and evaluate only the lines the prefilter hands back.
 *
 *   file bytes ──► window (64 MiB, ends at '\n') ──► prefilter ──► hit lines
 *        ▲                                                        │
 *        └── pages released after each window        split CSV, eval rules
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../parse/exlog.h"
#include "../platform/platform.h"
#include "../rules/sigma_int.h"
#include "scan.h"

#define WINDOW (64u << 20)

typedef struct exctx {
  exh_worker *wk;
  exh_evidence *ev;
  const exh_kind_plan *plan;
  const char *data;
  size_t n;
  exh_exlog_header hdr; /* in force at the current position */
  int text_mode;        /* no header: each line is one RawRecord */
  size_t skip_end;      /* lines ending at or before this are not records */
  size_t nl_pos;        /* newlines counted up to here */
  uint64_t nl_count;
  int stem_col, uri_col; /* W3C: cs-uri-stem, cs-uri (HTTPERR) */
  double deadline;       /* monotonic seconds */
  int timed_out;
  unsigned nl_checks;
} exctx;

static int col_named(const exh_exlog_header *h, const char *name) {
  for (int i = 0; i < h->n; i++)
    if (exh_strieq(h->names[i], name)) return i;
  return -1;
}

static void remap(exctx *c) {
  exh_ruleset_map_header(c->wk->rs, c->ev->kind, c->hdr.names, c->hdr.n, c->wk->fmap);
  c->stem_col = col_named(&c->hdr, "cs-uri-stem");
  c->uri_col = col_named(&c->hdr, "cs-uri");
}

/* W3C: "-" is an empty value; the full URI is stem + "?" + query. */
static void w3c_fixup(exctx *c, exh_record *rec) {
  exh_str *cols = c->wk->cols;
  for (int i = 0; i < rec->ncols; i++)
    if (cols[i].n == 1 && cols[i].p[0] == '-') cols[i].n = 0;
  exh_buf *u = c->wk->uri;
  u->n = 0;
  if (c->uri_col >= 0 && c->uri_col < rec->ncols) {
    exh_buf_add(u, cols[c->uri_col].p, cols[c->uri_col].n);
  } else if (c->stem_col >= 0 && c->stem_col < rec->ncols) {
    exh_buf_add(u, cols[c->stem_col].p, cols[c->stem_col].n);
    int q = c->hdr.query_col;
    if (q >= 0 && q < rec->ncols && cols[q].n) {
      exh_buf_addc(u, '?');
      exh_buf_add(u, cols[q].p, cols[q].n);
    }
  }
  rec->virt[EXH_VF_FULLURI] = (exh_str){u->p ? u->p : "", u->n};
}

static int64_t record_time(exctx *c, const char *p, size_t n) {
  int64_t ms;
  if (c->text_mode || c->hdr.time_col < 0) {
    /* free text: a leading ISO 8601 stamp, if any */
    return exh_parse_iso8601_prefix((exh_str){p, n}, &ms, NULL) == 0 ? ms : EXH_TIME_UNKNOWN;
  }
  exh_str *cols = c->wk->cols;
  int nc = exh_log_split(&c->hdr, p, n, cols, c->wk->qflags, EXH_MAX_COLS);
  return exh_log_record_time(&c->hdr, cols, nc);
}

static void field_value(exh_record *rec, const exh_ruleset *rs, const char *name, exh_str *out, int *ok) {
  int fid = exh_ruleset_field_id(rs, name);
  *ok = fid >= 0 && exh_record_get(rec, fid, out) && out->n > 0 && !(out->n == 1 && out->p[0] == '-');
}

static char *dup_field(exh_record *rec, const exh_ruleset *rs, const char *name) {
  exh_str v;
  int ok;
  field_value(rec, rs, name, &v, &ok);
  return ok ? exh_xstrndup(v.p, v.n < 4096 ? v.n : 4096) : NULL;
}

/* The first of two candidate columns (Exchange name, IIS name). */
static char *dup_either(exh_record *rec, const exh_ruleset *rs, const char *a, const char *b) {
  char *v = dup_field(rec, rs, a);
  return v ? v : dup_field(rec, rs, b);
}

static void emit(exctx *c, const exh_rule *rule, exh_record *rec, size_t start, size_t end,
                 uint64_t line) {
  const exh_ruleset *rs = c->wk->rs;
  exh_finding *f = exh_rule_finding(c->wk, c->ev, rule, exh_kind_dataset(c->ev->kind));
  if (!f) return;
  f->offset = start;
  f->line = line;
  size_t len = end - start;
  if (len && c->data[start + len - 1] == '\r') len--;
  f->evidence_truncated = len > EXH_EVIDENCE_MAX;
  f->evidence_len = len > EXH_EVIDENCE_MAX ? EXH_EVIDENCE_MAX : len;
  f->evidence = exh_xstrndup(c->data + start, f->evidence_len);
  f->time_ms = record_time(c, c->data + start, len);
  /* record_time reused the column buffer: split again for the entities */
  if (!c->text_mode) {
    rec->ncols = exh_log_split(&c->hdr, c->data + start, len, c->wk->cols, c->wk->qflags, EXH_MAX_COLS);
    if (c->hdr.fmt == EXH_FMT_W3C) w3c_fixup(c, rec);
  }
  f->source_ip = dup_either(rec, rs, "ClientIpAddress", "c-ip");
  f->user_agent = dup_either(rec, rs, "UserAgent", "cs(User-Agent)");
  f->user_name = dup_either(rec, rs, "AuthenticatedUser", "cs-username");
  f->http_method = dup_either(rec, rs, "Method", "cs-method");
  char *status = dup_either(rec, rs, "HttpStatus", "sc-status");
  if (status) {
    uint64_t st = 0;
    if (exh_parse_u64((exh_str){status, strlen(status)}, &st) == 0 && st < 1000) f->http_status = (int)st;
    free(status);
  }
  char *stem = dup_field(rec, rs, "UrlStem");
  if (!stem && rec->virt[EXH_VF_FULLURI].n) {
    f->url = exh_xstrndup(rec->virt[EXH_VF_FULLURI].p, rec->virt[EXH_VF_FULLURI].n);
  } else if (stem) {
    char *q = dup_field(rec, rs, "UrlQuery");
    f->url = q ? exh_xasprintf("%s%s%s", stem, q[0] == '?' ? "" : "?", q) : exh_xstrdup(stem);
    free(q);
    free(stem);
  }
  f->message = exh_rule_message(c->wk, rule, rec);
}

static uint64_t line_number(exctx *c, size_t start) {
  if (start < c->nl_pos) { /* cannot happen: lines come in order */
    c->nl_pos = 0;
    c->nl_count = 0;
  }
  c->nl_count += exh_count_newlines(c->data + c->nl_pos, start - c->nl_pos);
  c->nl_pos = start;
  return c->nl_count + 1;
}

/* Evaluates rules on one data line. ids: rule indexes (or all rules of the
 * kind when ids == NULL). */
static void eval_line(exctx *c, size_t start, size_t end, const uint32_t *ids, size_t nids) {
  const char *p = c->data + start;
  size_t len = end - start;
  if (len && p[len - 1] == '\r') len--;
  if (len && p[0] == '#') {
    if (len >= 8 && exh_strnieq(p, "#Fields:", 8)) {
      exh_exlog_header_parse(&c->hdr, p, len, 1, c->hdr.fmt);
      c->text_mode = 0;
      remap(c);
    }
    return;
  }
  if (end <= c->skip_end || len == 0) return;
  exh_worker *wk = c->wk;
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.raw = (exh_str){p, len};
  rec.cols = wk->cols;
  rec.qflags = wk->qflags;
  rec.fmap = wk->fmap;
  rec.nfmap = (int)exh_ruleset_nfields(wk->rs);
  rec.scratch = wk->scratch;
  rec.virt[EXH_VF_RAWRECORD] = rec.raw;
  if (c->ev->sub[0]) rec.virt[EXH_VF_LOGFOLDER] = (exh_str){c->ev->sub, strlen(c->ev->sub)};
  if (!c->text_mode) {
    rec.ncols = exh_log_split(&c->hdr, p, len, wk->cols, wk->qflags, EXH_MAX_COLS);
    if (c->hdr.fmt == EXH_FMT_W3C) w3c_fixup(c, &rec);
  }
  uint64_t line = 0;
  if (!ids) { /* every rule of the kind */
    size_t nr = exh_ruleset_count(wk->rs);
    for (size_t i = 0; i < nr; i++) {
      const exh_rule *r = exh_ruleset_get(wk->rs, i);
      if (!exh_rule_applies(r, c->ev->kind) || !exh_rule_eval(r, &rec)) continue;
      if (!line) line = line_number(c, start);
      emit(c, r, &rec, start, end, line);
    }
    return;
  }
  /* A rule runs when its anchor literal occurred in the line and every
   * other literal group of it is there too. */
  for (size_t i = 0; i < nids; i++) {
    if (ids[i] == EXH_PF_ID_FIELDS) continue;
    const exh_rule *r = exh_ruleset_get(wk->rs, EXH_PF_RULE(ids[i]));
    if (!r || !exh_rule_applies(r, c->ev->kind)) continue;
    if (!exh_rule_verify_groups(r, p, len) || !exh_rule_eval(r, &rec)) continue;
    if (!line) line = line_number(c, start);
    emit(c, r, &rec, start, end, line);
  }
}

typedef struct winctx {
  exctx *c;
  size_t base;
} winctx;

static int out_of_time(exctx *c) {
  if (!c->timed_out && exh_monotonic_s() > c->deadline) c->timed_out = 1;
  return c->timed_out;
}

static int on_line(void *vctx, size_t start, size_t end, const uint32_t *ids, size_t nids) {
  winctx *w = vctx;
  eval_line(w->c, w->base + start, w->base + end, ids, nids);
  /* a clock read every 4096 hit lines keeps the check off the hot path */
  return (++w->c->nl_checks & 4095) == 0 && out_of_time(w->c);
}

/* The last data line of [0, n): for the end of the log window. */
static int last_data_line(const char *d, size_t n, size_t from, size_t *ls, size_t *le) {
  size_t end = n;
  size_t steps = 0;
  while (end > from && steps++ < 4096) {
    while (end > from && (d[end - 1] == '\n' || d[end - 1] == '\r')) end--;
    if (end <= from) break;
    const char *nl = memrchr(d + from, '\n', end - from);
    size_t s = nl ? (size_t)(nl - d) + 1 : from;
    if (d[s] != '#') {
      *ls = s;
      *le = end;
      return 1;
    }
    end = s;
  }
  return 0;
}

void exh_scan_exlog(exh_worker *wk, exh_evidence *ev) {
  exh_map map;
  char why[256];
  if (exh_map_open(&map, ev->path, why, sizeof why) != 0) {
    ev->error = exh_xstrdup(why);
    return;
  }
  exh_scan_exlog_map(wk, ev, &map);
  exh_map_close(&map);
}

void exh_scan_exlog_map(exh_worker *wk, exh_evidence *ev, exh_map *mp) {
  exh_map map = *mp; /* a copy: release() only reads it */
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
  if (map.size == 0) return;
  if (map.size > wk->lim->max_file_bytes) {
    ev->error = exh_xasprintf("not read: %llu bytes, over the limit of %llu", (unsigned long long)map.size,
                              (unsigned long long)wk->lim->max_file_bytes);
    return;
  }
  exctx *c = exh_xcalloc(1, sizeof *c);
  c->wk = wk;
  c->ev = ev;
  c->data = map.data;
  c->n = map.size;
  c->plan = exh_ruleset_plan(wk->rs, ev->kind);
  c->deadline = exh_monotonic_s() + wk->lim->max_file_seconds;
  exh_exlog_probe *pr = exh_xmalloc(sizeof *pr);
  int w3c = exh_kind_is_w3c(ev->kind);
  exh_exlog_probe_top(map.data, map.size, pr, w3c ? EXH_FMT_W3C : EXH_FMT_CSV);
  if (w3c) {
    if (!pr->have_header) {
      ev->error = exh_xstrdup("no #Fields: header: not read as a W3C log (columns are never guessed)");
      goto done;
    }
  } else if (!pr->have_header) {
    if (ev->kind == EXH_KIND_OABGEN) {
      /* No sample of this log is public; Test-ProxyLogon reads it as text. */
      c->text_mode = 1;
    } else if (ev->kind == EXH_KIND_EXLOG_OTHER && !pr->software_exchange) {
      ev->skipped = 1; /* some other .log under Logging: not ours */
      goto done;
    } else {
      ev->error = exh_xstrdup("no #Fields: header: not read as an Exchange log (columns are never guessed)");
      goto done;
    }
  } else if (ev->kind == EXH_KIND_EXLOG_OTHER && !pr->software_exchange) {
    ev->skipped = 1;
    goto done;
  }
  /* the build that wrote the log; a zero build number is a placeholder, not a build */
  if (pr->version[0] && !w3c &&
      (exh_build_normalise(pr->version, ev->version, sizeof ev->version) || strstr(ev->version, ".0.0") ||
       !strncmp(ev->version, "0.", 2)))
    ev->version[0] = 0;
  c->hdr = pr->hdr;
  if (pr->bare_header) c->skip_end = pr->bare_end;
  remap(c);
  /* start of the log window: the first data record */
  if (pr->data_start < map.size) {
    const char *e = memchr(map.data + pr->data_start, '\n', map.size - pr->data_start);
    size_t le = e ? (size_t)(e - map.data) : map.size;
    ev->first_ms = record_time(c, map.data + pr->data_start, le - pr->data_start);
  }
  if (c->plan->nrules > 0) {
    int every = c->plan->nalways > 0;
    size_t off = 0;
    while (off < map.size) {
      size_t len = map.size - off;
      if (len > WINDOW) {
        const char *nl = memrchr(map.data + off, '\n', WINDOW);
        len = nl ? (size_t)(nl - (map.data + off)) + 1 : len; /* one huge line: take it whole */
        if (!nl) {
          const char *nx = memchr(map.data + off + WINDOW, '\n', map.size - off - WINDOW);
          len = nx ? (size_t)(nx - (map.data + off)) + 1 : map.size - off;
        }
      }
      if (every) {
        size_t ls = off, stop = off + len;
        while (ls < stop) {
          const char *e = memchr(map.data + ls, '\n', stop - ls);
          size_t le = e ? (size_t)(e - map.data) : stop;
          eval_line(c, ls, le, NULL, 0);
          ev->records++;
          ls = le + 1;
          if ((ev->records & 4095) == 0 && out_of_time(c)) break;
        }
      } else {
        winctx w = {c, off};
        if (exh_pf_scan(c->plan->pf, wk->pfs[ev->kind], map.data + off, len, on_line, &w) < 0) {
          ev->error = exh_xstrdup("prefilter engine failed");
          goto done;
        }
      }
      off += len;
      exh_map_release(&map, off);
      if (out_of_time(c)) {
        ev->error = exh_xasprintf("stopped after %.0f s (time limit per file) at byte %zu of %zu; findings before it are kept",
                                  wk->lim->max_file_seconds, off, map.size);
        break;
      }
    }
  }
  /* end of the log window: the last data record, read with the header
   * in force at the end of the file */
  size_t ls, le;
  if (last_data_line(map.data, map.size, pr->data_start < map.size ? pr->data_start : map.size, &ls, &le))
    ev->last_ms = record_time(c, map.data + ls, le - ls);
  if (ev->first_ms == EXH_TIME_UNKNOWN) ev->first_ms = ev->last_ms;
done:
  free(pr);
  free(c);
}
