/* Scanning one Exchange CSV or IIS W3C log as a stream: read the header
 * block from the top, then blocks of whole lines through the kind's
 * literal prefilter, parsing and evaluating only the lines it hands back.
 *
 *   source (file by read(), archive member, memory)
 *     ──► head (EXH_LOG_HEAD: #Software, #Version, #Fields, bare header)
 *     ──► blocks of whole lines (EXH_LOG_BLOCK) ──► prefilter ──► hit lines
 *                                                      split CSV/W3C, eval rules
 *
 * Nothing is mapped: a log truncated while it is read (a live server
 * rotating its logs) gives a short read and an error on the file, never
 * SIGBUS. State that spans blocks: the header in force (#Fields: may change
 * mid-file in IIS), line numbers, byte offsets, a line cut at a block end,
 * the last data record (for the log window: a sequential source such as an
 * archive member cannot be read again from its end), the time limit. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/limits.h"
#include "../../core/source.h"
#include "exlog.h"
#include "../../platform/platform.h"
#include "../../match/prefilter.h"
#include "../../rules/rules.h"
#include "../../checks/checks.h"
#include "logs.h"

typedef struct exctx {
  exh_worker *wk;
  exh_evidence *ev;
  const exh_kind_plan *plan;
  const char *data;     /* the block being read */
  size_t n;
  uint64_t base;        /* source offset of data[0] */
  exh_exlog_header hdr; /* in force at the current position */
  int text_mode;        /* no header: each line is one RawRecord */
  uint64_t skip_end;    /* lines ending at or before this offset are not records */
  size_t cont_end;      /* bytes of the block before this finish a line cut at the last block */
  size_t fields_end;    /* end of the block's last #Fields: line read so far (0: none) */
  size_t nl_pos;        /* newlines of the block counted up to here */
  uint64_t nl_count;    /* newlines before data + nl_pos */
  int stem_col, uri_col; /* W3C: cs-uri-stem, cs-uri (HTTPERR) */
  /* the server side and the forwarded client (note_hops), found when the
   * header is read: its names point into a block that does not last */
  int sip_col, sport_col, xff_col, host_col;
  int ustem_col, uquery_col; /* Exchange CSV: UrlStem, UrlQuery */
  exh_buf dec[4];            /* the decoded virtual fields' bytes, when they differ */
  exh_buf unq;               /* a CSV value with its quotes undone, before decoding */
  double deadline;       /* monotonic seconds */
  int timed_out;
  unsigned nl_checks;
  int cols_noted;        /* a #Fields: line over EXH_MAX_COLS was reported */
  uint64_t data_start;   /* offset of the first data record, or UINT64_MAX if none was found */
  struct logs_part *part; /* a part of a split file (below), or NULL: the whole file */
  int board;              /* its file's entry on the board (below), or -1 */
  /* damage (docs/formats.md): zero-filled regions (a log copied while the
   * server wrote it, a crashed server's preallocated tail) are gaps
   * between lines; a record cut short by one, or by the end of the file
   * without a line end, is not evaluated when it lacks fields */
  int at_eof;              /* the block is the source's last */
  uint64_t z_runs, z_bytes; /* zero runs and their bytes */
  uint64_t z_first, z_first_len, z_end; /* the first run; where the last ended (a run may span blocks) */
  uint64_t cut_zero;       /* records cut short by zeros */
  uint64_t cut_eof;        /* the last record cut short (its offset + 1), or 0 */
  int cut_eof_cols, cut_eof_need;
  exh_exlog_header dhdr;   /* the header in force at the damage pass's position */
  size_t dpos;             /* #Fields: lines of the block read by the damage pass up to here */
  /* Exchange CSV records holding a line break in a quoted value (RFC 4180
   * allows it): their lines are gathered (ml, up to ML_MAX bytes) and the
   * record evaluated whole, in file order; its lines are not evaluated
   * one by one (the ranges of the block they cover: mlr) */
  int ml_open;             /* a quoted value is open at the end of the lines gathered */
  exh_buf ml;              /* the record's bytes so far */
  uint64_t ml_off, ml_line; /* its offset and line */
  struct ml_rec {
    uint64_t off, line;
    char *p;
    size_t n;
    size_t bs, be;         /* the lines of the block it covers: [bs, be] (be: its last '\n', or n when open) */
    int open;              /* still open at the block's end: not a record yet */
    int64_t t;             /* its time, once evaluated */
  } *mlr;
  size_t nmlr, capmlr, mlr_eval, mlr_skip; /* ranges; evaluated up to; the skip cursor */
  uint64_t ml_dropped, ml_dropped_off; /* records not closed within ML_MAX bytes, the first's offset */
  uint64_t ml_cut_eof;     /* the last record open at the end of the file (its offset + 1), or 0 */
  uint64_t line_force;     /* the line of the record evaluated from ml, or 0 */
} exctx;

/* A part of a log split across workers (format.h scan_part): it reads the
 * lines that start in [from, to), the line straddling `from` being the
 * part before's; its line numbers count from its own start, renumbered
 * when the parts are merged (line numbers are the only per-line state
 * that depends on what came before, with the header in force). The header
 * in force at its start is assumed (the last #Fields: line found a little
 * before it, else the top's) and checked at the merge against what the
 * parts before it ended with; a part that assumed wrongly is read again
 * with the right one. One heap block (exh_evidence.part_state). */
#define HDR_NONE UINT64_MAX /* no #Fields: line before: the top's header as the probe read it */
typedef struct logs_part {
  uint64_t from, to;         /* as planned */
  uint64_t start, end;       /* the lines read */
  uint64_t newlines;         /* in them */
  uint64_t hdr_in, hdr_out;  /* the #Fields: line in force at the start, at the end: offset or HDR_NONE */
  uint32_t hdr_in_len, hdr_out_len; /* its length, without the line end */
  int has_last;              /* a data line set last_ms */
  int whole;                 /* the part from 0 read the whole file (nothing to split); the others nothing */
  int ml_open;               /* it ends inside a CSV record's quoted value: the next part began inside it */
} logs_part;

/* The #Fields: lines the parts being read have met so far, per file: a
 * part's guess of the header in force at its start when none lies in its
 * look-back is the last one met before it (the top's when none was), so
 * that a mid-file change costs a reading again only of the parts that
 * started before the part holding it got there. Only a guess: the merge
 * checks each. A small table under a spin lock; an entry lives until its
 * file's merge (or, when the file is read again whole instead, until its
 * slot is the least recently used of a full table). */
#define BOARD_FILES 16
#define BOARD_LINES 64
static struct board_file {
  const char *key; /* the file's path (its parts share it) */
  uint64_t dev, ino, size;
  uint64_t used;   /* when last joined */
  size_t n;
  struct {
    uint64_t off;
    uint32_t len;
  } lines[BOARD_LINES];
} board[BOARD_FILES];
static atomic_flag board_lock = ATOMIC_FLAG_INIT;
static uint64_t board_clock;

static void board_acquire(void) {
  while (atomic_flag_test_and_set_explicit(&board_lock, memory_order_acquire)) {
  }
}

static void board_release(void) { atomic_flag_clear_explicit(&board_lock, memory_order_release); }

static int board_same(const struct board_file *f, const exh_evidence *ev) {
  return f->key == ev->path && f->dev == ev->dev && f->ino == ev->ino && f->size == ev->size;
}

static int board_join(const exh_evidence *ev) {
  int b = -1;
  board_acquire();
  for (int i = 0; i < BOARD_FILES && b < 0; i++)
    if (board_same(&board[i], ev)) b = i;
  if (b < 0) { /* a free slot, else the least recently used */
    b = 0;
    for (int i = 0; i < BOARD_FILES; i++)
      if (!board[i].key || (board[b].key && board[i].used < board[b].used)) b = i;
    board[b].key = ev->path, board[b].dev = ev->dev, board[b].ino = ev->ino, board[b].size = ev->size;
    board[b].n = 0;
  }
  board[b].used = ++board_clock;
  board_release();
  return b;
}

/* The file's entry dropped (its parts are merged). */
static void board_drop(const exh_evidence *ev) {
  board_acquire();
  for (int i = 0; i < BOARD_FILES; i++)
    if (board_same(&board[i], ev)) board[i].key = NULL, board[i].n = 0;
  board_release();
}

static void board_note(int b, uint64_t off, uint32_t len) {
  board_acquire();
  struct board_file *f = &board[b];
  size_t k = f->n, low = 0;
  for (size_t i = 0; i < f->n && k == f->n; i++)
    if (f->lines[i].off == off) k = i;
  if (k == f->n && f->n == BOARD_LINES) { /* full: the earliest goes */
    for (size_t i = 1; i < f->n; i++)
      if (f->lines[i].off < f->lines[low].off) low = i;
    k = low;
  } else if (k == f->n) {
    f->n++;
  }
  f->lines[k].off = off, f->lines[k].len = len;
  board_release();
}

/* The last #Fields: line met before `before`: 1 with it, else 0. */
static int board_guess(int b, uint64_t before, uint64_t *off, uint32_t *len) {
  int found = 0;
  board_acquire();
  for (size_t i = 0; i < board[b].n; i++)
    if (board[b].lines[i].off < before && (!found || board[b].lines[i].off > *off))
      *off = board[b].lines[i].off, *len = board[b].lines[i].len, found = 1;
  board_release();
  return found;
}

static int col_named(const exh_exlog_header *h, const char *name) {
  for (int i = 0; i < h->n; i++)
    if (exh__strieq(h->names[i], name)) return i;
  return -1;
}

static void remap(exctx *c) {
  if (c->hdr.named > c->hdr.n && !c->cols_noted) {
    c->cols_noted = 1;
    exh__evidence_error(c->ev, "a #Fields: line names %d columns: only the first %d are read", c->hdr.named,
                       c->hdr.n);
  }
  exh__ruleset_map_header(c->wk->rs, c->ev->kind, c->hdr.names, c->hdr.n, c->wk->fmap);
  c->stem_col = col_named(&c->hdr, "cs-uri-stem");
  c->uri_col = col_named(&c->hdr, "cs-uri");
  c->sip_col = col_named(&c->hdr, "s-ip");
  c->host_col = col_named(&c->hdr, "ServerHostName");
  c->sport_col = col_named(&c->hdr, "s-port");
  c->xff_col = col_named(&c->hdr, "X-Forwarded-For");
  if (c->xff_col < 0) c->xff_col = col_named(&c->hdr, "cs(X-Forwarded-For)");
  c->ustem_col = col_named(&c->hdr, "UrlStem");
  c->uquery_col = col_named(&c->hdr, "UrlQuery");
}

/* A decoded virtual field: the column itself when it has nothing to decode
 * (no copy), else its decoded bytes in buf. */
static exh_str decode_into(exh_buf *buf, exh_str v, int plus_space) {
  if (exh__url_decode(buf, v.p, v.n, plus_space)) return (exh_str){buf->p, buf->n};
  return v;
}

/* The decoded virtual fields (core/record.h, docs/formats.md): W3C's
 * cs-uri-stem-decoded and cs-uri-query-decoded (the whole URI, as
 * cs-uri-query means on W3C: stem decoded as a path, query as a query
 * string), Exchange CSV's UrlStem-decoded and UrlQuery-decoded. */
static void decode_fields(exctx *c, exh_record *rec) {
  const exh_str *cols = c->wk->cols;
  if (c->hdr.fmt == EXH_FMT_W3C) {
    if (c->uri_col >= 0 && c->uri_col < rec->ncols) { /* HTTPERR: one cs-uri */
      exh_str u = cols[c->uri_col];
      const char *q = memchr(u.p, '?', u.n);
      exh_str st = {u.p, q ? (size_t)(q - u.p) : u.n};
      rec->virt[EXH_VF_STEM_DECODED] = decode_into(&c->dec[0], st, 0);
      exh_str full = rec->virt[EXH_VF_FULLURI];
      rec->virt[EXH_VF_URI_DECODED] = decode_into(&c->dec[1], full.p ? full : u, 0);
      return;
    }
    if (c->stem_col < 0 || c->stem_col >= rec->ncols) return;
    exh_str st = decode_into(&c->dec[0], cols[c->stem_col], 0);
    rec->virt[EXH_VF_STEM_DECODED] = st;
    int q = c->hdr.query_col;
    exh_str qv = q >= 0 && q < rec->ncols ? cols[q] : (exh_str){"", 0};
    exh_str qd = decode_into(&c->dec[2], qv, 1);
    if (st.p == cols[c->stem_col].p && qd.p == qv.p) { /* nothing decoded: the full URI as it is */
      rec->virt[EXH_VF_URI_DECODED] = rec->virt[EXH_VF_FULLURI];
      return;
    }
    exh_buf *u = &c->dec[1];
    u->n = 0;
    exh_buf_add(u, st.p, st.n);
    if (qd.n) {
      exh_buf_addc(u, '?');
      exh_buf_add(u, qd.p, qd.n);
    }
    rec->virt[EXH_VF_URI_DECODED] = (exh_str){u->p, u->n};
    return;
  }
  const int col[2] = {c->ustem_col, c->uquery_col};
  for (int k = 0; k < 2; k++) {
    if (col[k] < 0 || col[k] >= rec->ncols) continue;
    exh_str v = cols[col[k]];
    if (c->wk->qflags[col[k]]) { /* undo CSV quote doubling first */
      c->unq.n = 0;
      for (size_t i = 0; i < v.n; i++) {
        exh_buf_addc(&c->unq, v.p[i]);
        if (v.p[i] == '"' && i + 1 < v.n && v.p[i + 1] == '"') i++;
      }
      v = (exh_str){c->unq.p ? c->unq.p : "", c->unq.n};
      exh_str d = decode_into(&c->dec[2 + k], v, k == 1);
      if (d.p == v.p) { /* keep the unquoted bytes apart from the next value */
        c->dec[2 + k].n = 0;
        exh_buf_add(&c->dec[2 + k], v.p, v.n);
        d = (exh_str){c->dec[2 + k].p, c->dec[2 + k].n};
      }
      rec->virt[EXH_VF_URLSTEM_DECODED + k] = d;
      continue;
    }
    rec->virt[EXH_VF_URLSTEM_DECODED + k] = decode_into(&c->dec[2 + k], v, k == 1);
  }
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
    return exh__parse_iso8601_prefix((exh_str){p, n}, &ms, NULL) == 0 ? ms : EXH_TIME_UNKNOWN;
  }
  exh_str *cols = c->wk->cols;
  int nc = exh__log_split(&c->hdr, p, n, cols, c->wk->qflags, EXH_MAX_COLS);
  return exh__log_record_time(&c->hdr, cols, nc);
}

static void field_value(exh_record *rec, const exh_ruleset *rs, const char *name, exh_str *out, int *ok) {
  int fid = exh__ruleset_field_id(rs, name);
  *ok = fid >= 0 && exh__record_get(rec, fid, out) && out->n > 0 && !(out->n == 1 && out->p[0] == '-');
}

static char *dup_field(exh_record *rec, const exh_ruleset *rs, const char *name) {
  exh_str v;
  int ok;
  field_value(rec, rs, name, &v, &ok);
  return ok ? exh__xstrndup(v.p, v.n < 4096 ? v.n : 4096) : NULL;
}

/* The first of two candidate columns (Exchange name, IIS name). */
static char *dup_either(exh_record *rec, const exh_ruleset *rs, const char *a, const char *b) {
  char *v = dup_field(rec, rs, a);
  return v ? v : dup_field(rec, rs, b);
}

/* Column k (or NULL) of the record just split, at most 256 bytes. */
static char *dup_col(const exh_record *rec, int k) {
  if (k < 0 || k >= rec->ncols || rec->cols[k].n == 0) return NULL;
  exh_str v = rec->cols[k];
  if (v.n == 1 && v.p[0] == '-') return NULL;
  return exh__xstrndup(v.p, v.n < 256 ? v.n : 256);
}

/* The server side of the record and the client a proxy forwarded, as the
 * log writes them: correlation (correlate/labels.c) tells the server's own
 * addresses from attackers with them. IIS: s-ip, s-port and the custom
 * X-Forwarded-For field (either spelling); HttpProxy: ServerHostName. */
static void note_hops(const exctx *c, const exh_record *rec, exh_finding *f) {
  f->server_ip = dup_col(rec, c->sip_col);
  if (!f->server_ip) f->server_ip = dup_col(rec, c->host_col);
  char *port = dup_col(rec, c->sport_col);
  uint64_t v = 0;
  if (port && exh__parse_u64((exh_str){port, strlen(port)}, &v) == 0 && v < 65536) f->server_port = (int)v;
  free(port);
  f->forwarded_for = dup_col(rec, c->xff_col);
}

/* The server's own address, from the log's first data record (IIS s-ip):
 * correlation does not take it for an attacker (correlate/labels.c), also
 * when only another log's findings name it. */
static void note_server_ip(exctx *c, const char *p, size_t n) {
  if (c->text_mode || (c->sip_col < 0 && c->host_col < 0)) return;
  exh_str *cols = c->wk->cols;
  int nc = exh__log_split(&c->hdr, p, n, cols, c->wk->qflags, EXH_MAX_COLS);
  /* the server's name for the report (HttpProxy's ServerHostName) */
  if (c->host_col >= 0 && c->host_col < nc && !c->ev->host[0]) {
    exh_str h = cols[c->host_col];
    if (h.n > 0 && h.n < sizeof c->ev->host && !(h.n == 1 && h.p[0] == '-')) {
      memcpy(c->ev->host, h.p, h.n);
      c->ev->host[h.n] = 0;
    }
  }
  if (c->sip_col < 0 || c->sip_col >= nc) return;
  exh_str v = cols[c->sip_col];
  if (v.n == 0 || v.n >= sizeof c->ev->server_ip || (v.n == 1 && v.p[0] == '-')) return;
  memcpy(c->ev->server_ip, v.p, v.n);
  c->ev->server_ip[v.n] = 0;
}

static void emit(exctx *c, const exh_rule *rule, exh_record *rec, size_t start, size_t end,
                 uint64_t line) {
  const exh_ruleset *rs = c->wk->rs;
  exh_finding *f = exh__rule_finding(c->wk, c->ev, rule, exh__kind_dataset(c->ev->kind));
  if (!f) return;
  f->offset = c->base + start;
  f->line = line;
  size_t len = end - start;
  if (len && c->data[start + len - 1] == '\r') len--;
  f->evidence_truncated = len > EXH_EVIDENCE_MAX;
  f->evidence_len = len > EXH_EVIDENCE_MAX ? EXH_EVIDENCE_MAX : len;
  f->evidence = exh__xstrndup(c->data + start, f->evidence_len);
  f->time_ms = record_time(c, c->data + start, len);
  /* record_time reused the column buffer: split again for the entities */
  if (!c->text_mode) {
    rec->ncols = exh__log_split(&c->hdr, c->data + start, len, c->wk->cols, c->wk->qflags, EXH_MAX_COLS);
    if (c->hdr.fmt == EXH_FMT_W3C) w3c_fixup(c, rec);
  }
  f->source_ip = dup_either(rec, rs, "ClientIpAddress", "c-ip");
  if (!c->text_mode) note_hops(c, rec, f);
  f->user_agent = dup_either(rec, rs, "UserAgent", "cs(User-Agent)");
  f->user_name = dup_either(rec, rs, "AuthenticatedUser", "cs-username");
  f->http_method = dup_either(rec, rs, "Method", "cs-method");
  char *status = dup_either(rec, rs, "HttpStatus", "sc-status");
  if (status) {
    uint64_t st = 0;
    if (exh__parse_u64((exh_str){status, strlen(status)}, &st) == 0 && st < 1000) f->http_status = (int)st;
    free(status);
  }
  char *stem = dup_field(rec, rs, "UrlStem");
  if (!stem && rec->virt[EXH_VF_FULLURI].n) {
    f->url = exh__xstrndup(rec->virt[EXH_VF_FULLURI].p, rec->virt[EXH_VF_FULLURI].n);
  } else if (stem) {
    char *q = dup_field(rec, rs, "UrlQuery");
    f->url = q ? exh__xasprintf("%s%s%s", stem, q[0] == '?' ? "" : "?", q) : exh__xstrdup(stem);
    free(q);
    free(stem);
  }
  f->message = exh__rule_message(c->wk, rule, rec);
}

/* Lines come in order within a block; the count carries over blocks. */
static uint64_t line_number(exctx *c, size_t start) {
  if (c->line_force) return c->line_force;
  if (start > c->nl_pos) {
    c->nl_count += exh__count_newlines(c->data + c->nl_pos, start - c->nl_pos);
    c->nl_pos = start;
  }
  return c->nl_count + 1;
}

static struct ml_rec *ml_at(exctx *c, size_t at);

/* The last data line of d[from, n): for the end of the log window. Each
 * step goes back one line, so a call costs at most the bytes it is given.
 * A run of zeros is a gap between lines (a zero-filled tail is no line). */
static int last_data_line(exctx *c, const char *d, size_t n, size_t from, size_t *ls, size_t *le) {
  size_t end = n;
  while (end > from) {
    while (end > from && (d[end - 1] == '\n' || d[end - 1] == '\r' || d[end - 1] == 0)) end--;
    if (end <= from) break;
    const char *nl = memrchr(d + from, '\n', end - from);
    size_t s = nl ? (size_t)(nl - d) + 1 : from;
    const char *z = memrchr(d + s, 0, end - s);
    if (z) s = (size_t)(z - d) + 1;
    if (d[s] != '#' || (c && ml_at(c, s))) { /* (a line of a CSV record read whole is data) */
      *ls = s;
      *le = end;
      return 1;
    }
    end = s;
  }
  return 0;
}

/* Whether the line d[.., le) (as last_data_line gives it) was cut short:
 * no line end follows it before n, or zeros do. */
static int line_cut(const char *d, size_t n, size_t le) {
  while (le < n && d[le] == '\r') le++;
  return le >= n || d[le] != '\n';
}

/* The time of the last data record of d[from, n): a record cut short
 * whose time cannot be read gives way to the one before it (the window
 * ends at the last time the log holds, never at "unknown" for a cut
 * line). 0 when none. */
static int last_record_time(exctx *c, const char *d, size_t n, size_t from, int64_t *t) {
  size_t ls, le, upto = n;
  while (upto > from && last_data_line(NULL, d, upto, from, &ls, &le)) {
    *t = record_time(c, d + ls, le - ls);
    if (*t != EXH_TIME_UNKNOWN || !line_cut(d, upto, le)) return 1;
    upto = ls;
  }
  return 0;
}

/* The end of the log window: the time of the last data record of the
 * block before `upto`, read with the header in force there. Called before
 * each #Fields: line and at the end of each block, so a record is always
 * read with its own header whatever the block boundaries. */
static void note_last_before(exctx *c, size_t upto) {
  if (c->data_start == UINT64_MAX || c->data_start >= c->base + upto) return;
  size_t from = c->data_start > c->base ? (size_t)(c->data_start - c->base) : 0;
  if (from < c->cont_end) from = c->cont_end;
  if (from < c->fields_end) from = c->fields_end;
  int64_t t;
  while (upto > from) {
    size_t ls, le;
    if (!last_data_line(c, c->data, upto, from, &ls, &le)) return;
    const struct ml_rec *m = ml_at(c, ls);
    if (m && m->open) { /* a record not whole here: the lines before it */
      upto = m->bs;
      continue;
    }
    t = m ? m->t : record_time(c, c->data + ls, le - ls);
    if (!m && t == EXH_TIME_UNKNOWN && line_cut(c->data, upto, le)) { /* cut short: the record before it */
      upto = ls;
      continue;
    }
    c->ev->last_ms = t;
    if (c->part) c->part->has_last = 1;
    return;
  }
}

/* Whether a record cut short (by zeros, or by the end of the file without
 * a line end) lacks fields of its header h: it is then not evaluated (a
 * status cut off is unknown, not an error; a rule never sees a record
 * that is not there whole). *ncols: the fields it holds. */
static int record_short(exctx *c, const exh_exlog_header *h, int text, const char *p, size_t n, int *ncols) {
  if (text || h->n <= 0 || (n && p[0] == '#')) return 0;
  int nc = exh__log_split(h, p, n, c->wk->cols, c->wk->qflags, EXH_MAX_COLS);
  if (ncols) *ncols = nc;
  return nc < h->n;
}

/* Evaluates rules on one record (a line, or the part of one between runs
 * of zeros). cut: zeros or the end of the file end it, not a line end. */
static void eval_seg(exctx *c, size_t start, size_t end, int cut, const uint32_t *ids, size_t nids) {
  const char *p = c->data + start;
  size_t len = end - start;
  if (len && p[len - 1] == '\r') len--;
  if (len && p[0] == '#') {
    if (len >= 8 && exh__strnieq(p, "#Fields:", 8)) {
      note_last_before(c, start); /* the records before it, with their header */
      c->fields_end = end < c->n ? end + 1 : end;
      exh__exlog_header_parse(&c->hdr, p, len, 1, c->hdr.fmt);
      c->text_mode = 0;
      remap(c);
      if (c->part) c->part->hdr_out = c->base + start, c->part->hdr_out_len = (uint32_t)len;
      if (c->board >= 0) board_note(c->board, c->base + start, (uint32_t)len);
    }
    return;
  }
  if (c->base + end <= c->skip_end || len == 0) return;
  if (cut && record_short(c, &c->hdr, c->text_mode, p, len, NULL)) return;
  exh_worker *wk = c->wk;
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.raw = (exh_str){p, len};
  rec.cols = wk->cols;
  rec.qflags = wk->qflags;
  rec.fmap = wk->fmap;
  rec.nfmap = (int)exh__ruleset_nfields(wk->rs);
  rec.scratch = wk->scratch;
  rec.virt[EXH_VF_RAWRECORD] = rec.raw;
  if (c->ev->sub[0]) rec.virt[EXH_VF_LOGFOLDER] = (exh_str){c->ev->sub, strlen(c->ev->sub)};
  if (!c->text_mode) {
    rec.ncols = exh__log_split(&c->hdr, p, len, wk->cols, wk->qflags, EXH_MAX_COLS);
    if (c->hdr.fmt == EXH_FMT_W3C) w3c_fixup(c, &rec);
    decode_fields(c, &rec);
  }
  uint64_t line = 0;
  if (!ids) { /* every rule of the kind */
    size_t nr = exh_ruleset_count(wk->rs);
    for (size_t i = 0; i < nr; i++) {
      const exh_rule *r = exh__ruleset_get(wk->rs, i);
      if (!exh__rule_applies(r, c->ev->kind) || !exh__rule_eval(r, &rec)) continue;
      if (!line) line = line_number(c, start);
      emit(c, r, &rec, start, end, line);
    }
    return;
  }
  /* A rule runs when its anchor literal occurred in the line and every
   * other literal group of it is there too. */
  for (size_t i = 0; i < nids; i++) {
    if (ids[i] == EXH_PF_ID_FIELDS) continue;
    const exh_rule *r = exh__ruleset_get(wk->rs, EXH_PF_RULE(ids[i]));
    if (!r || !exh__rule_applies(r, c->ev->kind)) continue;
    if (!exh__rule_verify_groups(r, p, len) || !exh__rule_eval(r, &rec)) continue;
    if (!line) line = line_number(c, start);
    emit(c, r, &rec, start, end, line);
  }
}

static int last_fields_line(exctx *c, const char *d, size_t n, size_t lo, size_t hi, int first_starts, size_t *at,
                            size_t *len);

/* ---- CSV records across line ends ---------------------------------------- */

/* The most bytes a record with quoted line breaks may hold; past them its
 * lines are reported not read (a quote that never closes must not take
 * the rest of the file). */
#define ML_MAX ((size_t)64 << 10)

/* Whether a CSV line ends inside a quoted value, read as exh__csv_split
 * does (a quote opens a value only at a field's start, "" inside is one
 * quote, bytes after the closing quote up to the comma are ignored);
 * inq: it starts inside one (the line before ended so). */
static int csv_open_at_end(const char *p, size_t n, int inq) {
  size_t i = 0;
  for (;;) {
    if (inq) {
      for (;;) {
        const char *q = i < n ? memchr(p + i, '"', n - i) : NULL;
        if (!q) return 1;
        i = (size_t)(q - p) + 1;
        if (i < n && p[i] == '"') {
          i++;
          continue;
        }
        break;
      }
      inq = 0;
      const char *cm = i < n ? memchr(p + i, ',', n - i) : NULL;
      if (!cm) return 0;
      i = (size_t)(cm - p) + 1;
    }
    /* the next quote outside a quoted value opens one when it starts a
     * field (the line's start or after a comma: every comma out here
     * separates fields), else it is a byte of an unquoted value */
    const char *q = i < n ? memchr(p + i, '"', n - i) : NULL;
    if (!q) return 0;
    i = (size_t)(q - p) + 1;
    inq = q == p || q[-1] == ',';
  }
}

static void eval_seg(exctx *c, size_t start, size_t end, int cut, const uint32_t *ids, size_t nids);

/* The gathered record whose lines cover d[at] of the block, or NULL. */
static struct ml_rec *ml_at(exctx *c, size_t at) {
  size_t lo = 0, hi = c->nmlr;
  while (lo < hi) { /* the first range ending at or after `at` */
    size_t mid = lo + (hi - lo) / 2;
    if (c->mlr[mid].be < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < c->nmlr && at >= c->mlr[lo].bs ? &c->mlr[lo] : NULL;
}

/* Evaluates the gathered records that start before `before` (a source
 * offset), in order: each read from its own bytes, as one line. */
static void ml_flush(exctx *c, uint64_t before) {
  while (c->mlr_eval < c->nmlr && c->mlr[c->mlr_eval].off < before) {
    struct ml_rec *m = &c->mlr[c->mlr_eval++];
    if (m->open) continue; /* not a record (yet): nothing to evaluate */
    const char *sd = c->data;
    size_t sn = c->n, snl = c->nl_pos, sce = c->cont_end, sfe = c->fields_end;
    uint64_t sb = c->base, snc = c->nl_count;
    int seof = c->at_eof;
    c->data = m->p, c->n = m->n, c->base = m->off, c->nl_pos = 0, c->cont_end = 0, c->fields_end = 0;
    c->at_eof = 0;
    c->line_force = m->line;
    m->t = record_time(c, m->p, m->n);
    if (c->plan->nrules > 0) eval_seg(c, 0, m->n, 0, NULL, 0);
    c->line_force = 0;
    c->data = sd, c->n = sn, c->base = sb, c->nl_pos = snl, c->nl_count = snc, c->cont_end = sce;
    c->fields_end = sfe, c->at_eof = seof;
  }
}

/* The block's gathered records (evaluated) are dropped (an open one's
 * bytes stay in c->ml). */
static void ml_block_end(exctx *c) {
  for (size_t i = 0; i < c->nmlr; i++) free(c->mlr[i].p);
  c->nmlr = c->mlr_eval = c->mlr_skip = 0;
}

static struct ml_rec *ml_range(exctx *c, size_t bs) {
  EXH_VEC_RESERVE(c->mlr, c->capmlr, c->nmlr + 1);
  struct ml_rec *m = &c->mlr[c->nmlr++];
  memset(m, 0, sizeof *m);
  m->bs = bs;
  m->off = c->ml_off;
  m->t = EXH_TIME_UNKNOWN;
  return m;
}

/* The pass over a CSV block before its lines are evaluated: the records
 * that hold a line break in a quoted value, gathered (a record may go on
 * from the block before and on into the next). Only lines holding a quote
 * are read, and the lines of an open record. */
static void note_multiline(exctx *c, const char *d, size_t n) {
  size_t pos = c->cont_end, cnt_pos = 0;
  uint64_t cnt = c->nl_count; /* newlines before d[cnt_pos] */
  if (c->ml_open && pos > 0) { /* a line cut at the last block: give the record up */
    if (!c->ml_dropped++) c->ml_dropped_off = c->ml_off;
    c->ml_open = 0;
  }
  if (c->ml_open) ml_range(c, 0)->open = 1;
  while (pos < n) {
    size_t ls = pos;
    if (!c->ml_open) {
      /* the line of the next quote, read from the byte before the quote
       * (no quote before it on its line); its start only when it opens */
      const char *q = memchr(d + pos, '"', n - pos);
      if (!q) break;
      size_t qi = (size_t)(q - d), from = qi > pos && d[qi - 1] != '\n' ? qi - 1 : qi;
      const char *e = memchr(q, '\n', n - qi);
      size_t le = e ? (size_t)(e - d) : n;
      size_t prev = pos;
      pos = le + 1;
      if (!csv_open_at_end(d + from, le - from, 0)) continue;
      const char *nl = qi > prev ? memrchr(d + prev, '\n', qi - prev) : NULL;
      ls = nl ? (size_t)(nl - d) + 1 : prev;
      if (d[ls] == '#' || c->base + le <= c->skip_end) continue;
      if (le == n) break; /* the file's last line, cut inside a quote: the cut record (note_damage) */
      cnt += exh__count_newlines(d + cnt_pos, ls - cnt_pos);
      cnt_pos = ls;
      c->ml_open = 1;
      c->ml_off = c->base + ls; /* before ml_range: its offset */
      c->ml_line = cnt + 1;
      c->ml.n = 0;
      exh_buf_add(&c->ml, d + ls, le + 1 - ls);
      ml_range(c, ls)->open = 1;
      continue;
    }
    const char *e = memchr(d + ls, '\n', n - ls);
    size_t le = e ? (size_t)(e - d) : n;
    pos = le + 1;
    struct ml_rec *m = &c->mlr[c->nmlr - 1];
    if (!e) { /* the end of the block (or of the file) inside the record */
      m->be = n;
      if (c->at_eof) {
        c->ml_cut_eof = c->ml_off + 1;
        c->ml_open = 0;
      }
      break;
    }
    if (c->ml.n + (le + 1 - ls) > ML_MAX) { /* give it up: its lines are not read */
      if (!c->ml_dropped++) c->ml_dropped_off = c->ml_off;
      c->ml_open = 0;
      m->be = le, m->open = 1; /* its lines skipped, nothing evaluated */
      continue;
    }
    exh_buf_add(&c->ml, d + ls, le + 1 - ls);
    m->be = le;
    if (csv_open_at_end(d + ls, le - ls, 1)) continue;
    c->ml_open = 0; /* closed: a record, evaluated in its place */
    m->open = 0;
    m->off = c->ml_off, m->line = c->ml_line;
    size_t rn = c->ml.n;
    while (rn && c->ml.p[rn - 1] == '\n') rn--;
    m->p = exh__xstrndup(c->ml.p, rn);
    m->n = rn;
  }
  /* the record open at the block's end covers the rest of the block */
  if (c->ml_open && c->nmlr) c->mlr[c->nmlr - 1].be = n;
}


/* Evaluates rules on one data line. ids: rule indexes (or all rules of the
 * kind when ids == NULL). Runs of zeros in it are gaps between records. */
static void eval_line(exctx *c, size_t start, size_t end, const uint32_t *ids, size_t nids) {
  if (c->nmlr) {
    ml_flush(c, c->base + start);
    while (c->mlr_skip < c->nmlr && c->mlr[c->mlr_skip].be < start) c->mlr_skip++;
    if (c->mlr_skip < c->nmlr && start >= c->mlr[c->mlr_skip].bs) return; /* a line of a record read whole */
  }
  if (start < c->cont_end) return; /* the rest of a line cut at the last block */
  int eof_cut = end == c->n && c->at_eof; /* the file's last line, with no line end */
  const char *z = memchr(c->data + start, 0, end - start);
  if (!z) {
    eval_seg(c, start, end, eof_cut, ids, nids);
    return;
  }
  for (size_t s = start; s < end;) {
    z = memchr(c->data + s, 0, end - s);
    size_t e = z ? (size_t)(z - c->data) : end;
    if (e > s) eval_seg(c, s, e, z ? 1 : eof_cut, ids, nids);
    if (!z) break;
    for (s = e; s < end && !c->data[s]; s++) {
    }
  }
}

/* Whether the record ending at d[e] (zeros, or the file's end, follow it)
 * lacks fields of the header in force there; the #Fields: lines of the
 * block before it are read on the way (c->dpos, c->dhdr). */
static int seg_short(exctx *c, const char *d, size_t n, size_t e, int *dtext, int *ncols, size_t *sp) {
  const char *nl = e ? memrchr(d, '\n', e) : NULL;
  size_t s = nl ? (size_t)(nl - d) + 1 : 0;
  const char *z = e > s ? memrchr(d + s, 0, e - s) : NULL;
  if (z) s = (size_t)(z - d) + 1;
  *sp = s;
  if (s >= e || s < c->cont_end || c->base + e <= c->skip_end) return 0;
  size_t at, len;
  if (c->dpos < c->cont_end) c->dpos = c->cont_end;
  if (s > c->dpos && last_fields_line(c, d, n, c->dpos, s, c->cont_end == 0, &at, &len)) {
    exh__exlog_header_parse(&c->dhdr, d + at, len, 1, c->dhdr.fmt);
    *dtext = 0;
  }
  if (s > c->dpos) c->dpos = s;
  if (ml_at(c, s)) return 0; /* a line of a CSV record read whole */
  size_t l = e - s;
  if (d[s + l - 1] == '\r') l--;
  return l && record_short(c, &c->dhdr, *dtext, d + s, l, ncols);
}

/* The damage pass over a block, before its lines are evaluated: runs of
 * zeros (a run may go on from the block before), the records they cut
 * short, and the file's last record cut short by its end. */
static void note_damage(exctx *c, const char *d, size_t n) {
  int dtext = c->text_mode, nc = 0;
  size_t s;
  c->dhdr = c->hdr;
  c->dpos = 0;
  for (const char *z = memchr(d, 0, n); z;) {
    size_t zs = (size_t)(z - d), ze = zs;
    while (ze < n && !d[ze]) ze++;
    uint64_t at = c->base + zs;
    if (c->z_runs && c->z_end == at) {
      if (c->z_runs == 1) c->z_first_len += ze - zs;
    } else {
      if (!c->z_runs) c->z_first = at, c->z_first_len = ze - zs;
      c->z_runs++;
    }
    c->z_bytes += ze - zs;
    c->z_end = c->base + ze;
    if (seg_short(c, d, n, zs, &dtext, &nc, &s)) c->cut_zero++;
    z = ze < n ? memchr(d + ze, 0, n - ze) : NULL;
  }
  if (c->at_eof && n && d[n - 1] != '\n' && d[n - 1] != 0 && seg_short(c, d, n, n, &dtext, &nc, &s)) {
    c->cut_eof = c->base + s + 1;
    c->cut_eof_cols = nc;
    c->cut_eof_need = c->dhdr.n;
  }
}

typedef struct winctx {
  exctx *c;
} winctx;

static int out_of_time(exctx *c) {
  if (!c->timed_out && exh__monotonic_s() > c->deadline) c->timed_out = 1;
  return c->timed_out;
}

static int on_line(void *vctx, size_t start, size_t end, const uint32_t *ids, size_t nids) {
  winctx *w = vctx;
  eval_line(w->c, start, end, ids, nids);
  /* a clock read every 4096 hit lines keeps the check off the hot path */
  return (++w->c->nl_checks & 4095) == 0 && out_of_time(w->c);
}

/* The last record from the end of a source that can be read at any offset
 * (files, memory), when the lines were not all read through. */
static void last_from_tail(exctx *c, exh_source *src, uint64_t size) {
  if (!src->pread || size == EXH_SIZE_UNKNOWN || c->data_start == UINT64_MAX || c->data_start >= size) return;
  uint64_t from = size > EXH_LOG_TAIL ? size - EXH_LOG_TAIL : 0;
  if (from <= c->data_start) from = c->data_start;
  else from--; /* one byte more: does the tail start a line? */
  size_t want = (size_t)(size - from);
  char *buf = exh__xmalloc(want);
  long got = src->pread(src, buf, want, from);
  /* the lines that start in the tail: from its start when it is the
   * data's, else after the first line end */
  const char *nl = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
  size_t vs = from == c->data_start ? 0 : nl ? (size_t)(nl - buf) + 1 : (size_t)(got > 0 ? got : 0);
  int64_t t;
  if (got > 0 && vs < (size_t)got && last_record_time(c, buf, (size_t)got, vs, &t)) c->ev->last_ms = t;
  free(buf);
}

/* A source that first gives back the head already read, then the rest. */
typedef struct head_source {
  exh_source s;
  exh_source *in;
  const char *head;
  size_t nhead;
} head_source;

static long head_read(exh_source *s, void *buf, size_t n) {
  head_source *h = (head_source *)s;
  if (s->pos < h->nhead) {
    size_t k = h->nhead - (size_t)s->pos;
    if (k > n) k = n;
    memcpy(buf, h->head + s->pos, k);
    s->pos += k;
    return (long)k;
  }
  long r = h->in->read(h->in, buf, n);
  if (r < 0) {
    memcpy(s->why, h->in->why, sizeof s->why);
    return -1;
  }
  s->pos += (uint64_t)r;
  return r;
}

static void head_close(exh_source *s) { (void)s; }

/* Evaluates one block of whole lines (or a piece of a line longer than
 * the longest read whole). Returns -1 if the prefilter failed. */
static int scan_block(exctx *c) {
  exh_evidence *ev = c->ev;
  if (c->plan->nalways > 0) { /* rules without literals: every line */
    size_t ls = 0;
    while (ls < c->n) {
      const char *e = memchr(c->data + ls, '\n', c->n - ls);
      size_t le = e ? (size_t)(e - c->data) : c->n;
      eval_line(c, ls, le, NULL, 0);
      ev->records++;
      ls = le + 1;
      if ((ev->records & 4095) == 0 && out_of_time(c)) break;
    }
    return 0;
  }
  winctx w = {c};
  return exh__pf_scan(c->plan->pf, c->wk->pfs[ev->kind], c->data, c->n, on_line, &w) < 0 ? -1 : 0;
}

/* Reads n bytes at off, or fewer at the end: the count, or -1. */
static long pread_full(exh_source *src, char *buf, size_t n, uint64_t off) {
  size_t k = 0;
  while (k < n) {
    long r = src->pread(src, buf + k, n - k, off + k);
    if (r < 0) return -1;
    if (r == 0) break;
    k += (size_t)r;
  }
  return (long)k;
}

int exh__logs_line_start(exh_source *src, uint64_t from, uint64_t *start) {
  if (from == 0) {
    *start = 0;
    return 0;
  }
  char buf[1 << 16];
  for (uint64_t off = from - 1;;) { /* from the byte before `from`: a '\n' there starts a line at from */
    long got = pread_full(src, buf, sizeof buf, off);
    if (got < 0) return -1;
    const char *nl = got ? memchr(buf, '\n', (size_t)got) : NULL;
    if (nl) {
      *start = off + (uint64_t)(nl - buf) + 1;
      return 0;
    }
    off += (uint64_t)got;
    if ((size_t)got < sizeof buf) { /* the end: the last line started before from */
      *start = off;
      return 0;
    }
  }
}

/* The last "#Fields:" line (as eval_line knows one: any case, at a line
 * start) whose '#' lies in d[lo, hi), its line ending inside d[0, n): d[0]
 * starts a line when first_starts, else it is the byte before the first
 * one that may. Its offset in d and length without the line end. */
static int last_fields_line(exctx *c, const char *d, size_t n, size_t lo, size_t hi, int first_starts, size_t *at,
                            size_t *len) {
  int found = 0;
  for (const char *h = lo < hi ? memchr(d + lo, '#', hi - lo) : NULL; h;
       h = (size_t)(h - d) + 1 < hi ? memchr(h + 1, '#', hi - (size_t)(h - d) - 1) : NULL) {
    size_t i = (size_t)(h - d);
    /* as eval_line reads lines: zeros end one and start the next; the
     * lines of a CSV record read whole (c: the block's) are not lines */
    if (i ? d[i - 1] != '\n' && d[i - 1] != 0 : !first_starts) continue;
    if (c && ml_at(c, i)) continue;
    const char *e = memchr(h, '\n', n - i);
    size_t l = (e ? (size_t)(e - d) : n) - i;
    const char *z = memchr(h, 0, l);
    if (z) l = (size_t)(z - h);
    if (l && d[i + l - 1] == '\r') l--;
    if (l >= 8 && exh__strnieq(h, "#Fields:", 8)) *at = i, *len = l, found = 1;
  }
  return found;
}

/* How far before a part's start a #Fields: line is looked for; past it,
 * the top's is assumed (and checked at the merge). */
#define FIELDS_BACK ((uint64_t)256 << 10)

/* The #Fields: line in force at `start` (a line start) as far as can be
 * told cheaply: the last one in the FIELDS_BACK bytes before it, else the
 * last one of the head or of those the other parts met (board b, or -1),
 * whichever comes later (HDR_NONE: none). */
static int fields_before(exh_source *src, uint64_t start, const char *head, size_t nhead, int b, uint64_t *off,
                         uint32_t *len) {
  uint64_t ws = start > FIELDS_BACK ? start - FIELDS_BACK : 0;
  size_t at, l;
  *off = HDR_NONE, *len = 0;
  if (start > 0) {
    uint64_t rs = ws ? ws - 1 : 0; /* one byte more: does the window start a line? */
    size_t want = (size_t)(start - rs);
    char *w = exh__xmalloc(want);
    long got = pread_full(src, w, want, rs);
    if (got < 0) {
      free(w);
      return -1;
    }
    if (last_fields_line(NULL, w, (size_t)got, ws ? 1 : 0, (size_t)got, ws == 0, &at, &l)) *off = rs + at, *len = (uint32_t)l;
    free(w);
    if (*off != HDR_NONE || ws == 0) return 0;
  }
  size_t hi = ws < nhead ? (size_t)ws : nhead;
  if (last_fields_line(NULL, head, nhead, 0, hi, 1, &at, &l)) *off = at, *len = (uint32_t)l;
  uint64_t bo = HDR_NONE;
  uint32_t bl = 0;
  if (b >= 0 && board_guess(b, ws, &bo, &bl) && (*off == HDR_NONE || bo > *off)) *off = bo, *len = bl;
  return 0;
}

/* A source reading another from an offset on (positioned reads). */
typedef struct range_source {
  exh_source s;
  exh_source *in;
  uint64_t at;
} range_source;

static long range_read(exh_source *s, void *buf, size_t n) {
  range_source *r = (range_source *)s;
  long k = r->in->pread(r->in, buf, n, r->at + s->pos);
  if (k < 0) {
    memcpy(s->why, r->in->why, sizeof s->why);
    return -1;
  }
  s->pos += (uint64_t)k;
  return k;
}

/* What a part is asked to read: [from, to), and the header in force at
 * its start when the merge knows it (forced). */
typedef struct part_req {
  uint64_t from, to;
  int forced;
  uint64_t hdr_off;
  uint32_t hdr_len;
  logs_part *out;
  int board; /* note and read the board */
} part_req;

/* A UTF-16 source read as UTF-8 block by block (memory stays bounded):
 * the head already read (past its byte order mark) first, then the rest of
 * `in`. Offsets in findings count the UTF-8 text. */
#define U16_IN (64u << 10)
typedef struct u16_source {
  exh_source s;
  exh_source *in;
  const unsigned char *head;
  size_t nhead, hpos;
  int be, eof, odd;
  uint64_t bad, raw;        /* unpaired surrogates; bytes read from `in` past the head */
  unsigned char in_buf[U16_IN];
  size_t nin;
  char out[U16_IN / 2 * 3];
  size_t nout, opos;
} u16_source;

static long u16_read(exh_source *s, void *buf, size_t n) {
  u16_source *u = (u16_source *)s;
  while (u->opos == u->nout) {
    if (u->eof && !u->nin) return 0;
    if (!u->eof) {
      size_t room = U16_IN - u->nin;
      if (u->hpos < u->nhead) {
        size_t k = u->nhead - u->hpos < room ? u->nhead - u->hpos : room;
        memcpy(u->in_buf + u->nin, u->head + u->hpos, k);
        u->hpos += k, u->nin += k;
      } else {
        long r = u->in->read(u->in, u->in_buf + u->nin, room);
        if (r < 0) {
          memcpy(s->why, u->in->why, sizeof s->why);
          return -1;
        }
        if (r == 0) u->eof = 1;
        u->nin += (size_t)r, u->raw += (uint64_t)r;
      }
    }
    size_t used;
    u->nout = exh__utf16_to_utf8(u->in_buf, u->nin, u->be, u->eof, u->out, &used, &u->bad);
    u->opos = 0;
    memmove(u->in_buf, u->in_buf + used, u->nin - used);
    u->nin -= used;
    if (u->eof && u->nin) u->odd = 1, u->nin = 0; /* half a code unit at the end */
  }
  size_t k = u->nout - u->opos < n ? u->nout - u->opos : n;
  memcpy(buf, u->out + u->opos, k);
  u->opos += k;
  s->pos += k;
  return (long)k;
}

static void scan_range(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line,
                       const part_req *pq, int decoded);

/* A UTF-16 log: read whole as UTF-8 (a split file's first part reads it
 * all, the others nothing). */
static void scan_utf16(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line,
                       const char *head, size_t hn, size_t bom, int be) {
  u16_source *u = exh__xcalloc(1, sizeof *u);
  u->s = (exh_source){u16_read, NULL, head_close, EXH_SIZE_UNKNOWN, 0, ""};
  u->in = src;
  u->head = (const unsigned char *)head + bom;
  u->nhead = hn - bom;
  u->be = be;
  scan_range(wk, ev, &u->s, block, max_line, NULL, 1);
  if (u->odd) exh__evidence_error(ev, "UTF-16 text ends with half a character (an odd byte count): cut short?");
  if (u->bad)
    exh__evidence_error(ev, "%llu unpaired UTF-16 surrogate%s read as U+FFFD", (unsigned long long)u->bad,
                       u->bad == 1 ? "" : "s");
  uint64_t got = hn + u->raw;
  if ((ev->dev || ev->ino) && ev->size > got && !ev->error)
    exh__evidence_error(ev, "the file shrank while it was scanned (%llu bytes listed, %llu read): truncated or "
                           "rotated by the server? what was read is reported",
                       (unsigned long long)ev->size, (unsigned long long)got);
  free(u);
}

/* The whole file (pq NULL) or a part of it; decoded: src is the UTF-8 text
 * of a UTF-16 file (its sizes are not the file's). */
static void scan_range(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line,
                       const part_req *pq, int decoded) {
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
  uint64_t size = src->size;
  if (size != EXH_SIZE_UNKNOWN && size > wk->lim->max_file_bytes) {
    exh__evidence_error(ev, "not read: %llu bytes, over the limit of %llu", (unsigned long long)size,
                       (unsigned long long)wk->lim->max_file_bytes);
    return;
  }
  int later = pq && pq->from > 0; /* a part after the first: the head is read where it lies */
  /* the header block, read once from the top */
  char *head = exh__xmalloc(EXH_LOG_HEAD);
  long hn = later ? pread_full(src, head, EXH_LOG_HEAD, 0) : exh__source_read_full(src, head, EXH_LOG_HEAD);
  if (hn < 0) {
    exh__evidence_error(ev, "%s", src->why[0] ? src->why : "read error");
    free(head);
    return;
  }
  if (hn == 0) { /* empty; or emptied since the walk listed it */
    if ((ev->dev || ev->ino) && ev->size > 0 && !decoded)
      exh__evidence_error(ev, "the file shrank while it was scanned (%llu bytes listed, 0 read): truncated or rotated "
                             "by the server?",
                         (unsigned long long)ev->size);
    free(head);
    return;
  }
  size_t bom;
  int u16 = decoded ? 0 : exh__utf16_sniff((const unsigned char *)head, (size_t)hn, &bom);
  if (u16) {
    if (pq) pq->out->whole = 1;
    if (!later) scan_utf16(wk, ev, src, block, max_line, head, (size_t)hn, bom, u16 == 2);
    free(head);
    return;
  }
  int head_all = (size_t)hn < EXH_LOG_HEAD;
  exctx *c = exh__xcalloc(1, sizeof *c);
  char *fields = NULL; /* a later part's #Fields: line in force at its start */
  c->wk = wk;
  c->ev = ev;
  c->part = pq ? pq->out : NULL;
  c->board = pq && pq->board ? board_join(ev) : -1;
  c->plan = exh__ruleset_plan(wk->rs, ev->kind);
  c->deadline = exh__monotonic_s() + wk->lim->max_file_seconds;
  c->data_start = UINT64_MAX;
  c->sip_col = c->sport_col = c->xff_col = c->host_col = -1; /* until a header names them */
  exh_exlog_probe *pr = exh__xmalloc(sizeof *pr);
  /* the probe sees whole lines only: a line running past the head is left
   * to the blocks */
  size_t probe_n = (size_t)hn;
  if (!head_all) {
    const char *nl = memrchr(head, '\n', (size_t)hn);
    if (nl) probe_n = (size_t)(nl - head) + 1;
  }
  int w3c = exh__kind_is_w3c(ev->kind);
  exh__exlog_probe_top(head, probe_n, pr, w3c ? EXH_FMT_W3C : EXH_FMT_CSV);
  if (w3c) {
    if (!pr->have_header) {
      exh__evidence_error(ev, "%sno #Fields: header: not read as a W3C log (columns are never guessed)",
                         decoded ? "UTF-16 text (decoded): " : "");
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
      exh__evidence_error(ev, "%sno #Fields: header: not read as an Exchange log (columns are never guessed)",
                         decoded ? "UTF-16 text (decoded): " : "");
      goto done;
    }
  } else if (ev->kind == EXH_KIND_EXLOG_OTHER && !pr->software_exchange) {
    ev->skipped = 1;
    goto done;
  }
  /* the build that wrote the log; a zero build number is a placeholder, not a build */
  if (pr->version[0] && !w3c && !later &&
      (exh__build_normalise(pr->version, ev->version, sizeof ev->version) || strstr(ev->version, ".0.0") ||
       !strncmp(ev->version, "0.", 2)))
    ev->version[0] = 0;
  if (later) ev->version[0] = 0;
  c->hdr = pr->hdr;
  if (pr->bare_header) c->skip_end = pr->bare_end;
  remap(c);
  /* start of the log window: the first data record */
  if (pr->data_start < probe_n) {
    c->data_start = pr->data_start;
    if (!later) {
      const char *e = memchr(head + pr->data_start, '\n', probe_n - pr->data_start);
      size_t le = e ? (size_t)(e - head) : probe_n;
      ev->first_ms = record_time(c, head + pr->data_start, le - pr->data_start);
      note_server_ip(c, head + pr->data_start, le - pr->data_start);
    }
  }
  int read_through = c->plan->nrules > 0 || !src->pread; /* else the end is read from the tail */
  if (pq && (!read_through || !src->pread)) { /* nothing worth splitting: the first part reads it all */
    pq->out->whole = 1;
    if (later) goto done;
    c->part = NULL;
    pq = NULL;
  }
  uint64_t start = 0; /* where the lines read start */
  if (later) {
    if (exh__logs_line_start(src, pq->from, &start) < 0) {
      exh__evidence_error(ev, "read error at byte %llu (%s)", (unsigned long long)pq->from, src->why);
      goto done;
    }
    uint64_t off = pq->hdr_off;
    uint32_t len = pq->hdr_len;
    if (!pq->forced && fields_before(src, start, head, probe_n, c->board, &off, &len) < 0) {
      exh__evidence_error(ev, "read error before byte %llu (%s)", (unsigned long long)start, src->why);
      goto done;
    }
    if (off != HDR_NONE) {
      fields = exh__xmalloc((size_t)len + 1);
      if (pread_full(src, fields, len, off) != (long)len || !exh__strnieq(fields, "#Fields:", 8)) {
        exh__evidence_error(ev, "the #Fields: line at byte %llu could not be read again", (unsigned long long)off);
        goto done;
      }
      exh__exlog_header_parse(&c->hdr, fields, len, 1, c->hdr.fmt);
      c->text_mode = 0;
      remap(c);
    }
    c->part->hdr_in = c->part->hdr_out = off;
    c->part->hdr_in_len = c->part->hdr_out_len = len;
  } else if (c->part) {
    c->part->hdr_in = c->part->hdr_out = HDR_NONE;
  }
  uint64_t to = pq ? pq->to : UINT64_MAX;
  uint64_t done_bytes = start;
  int stopped = 0, reached = 0;
  if (read_through && start < to) {
    head_source hs = {{head_read, NULL, head_close, size, 0, ""}, src, head, (size_t)hn};
    range_source rgs = {{range_read, NULL, head_close, size == EXH_SIZE_UNKNOWN ? size : size - start, 0, ""},
                        src, start};
    exh_source *in = later ? &rgs.s : &hs.s;
    exh_lines r;
    exh__lines_init(&r, in, block, max_line);
    const char *p;
    size_t n;
    uint64_t off;
    int rc, in_cut = 0;
    uint64_t long_lines = 0;
    while ((rc = exh__lines_next(&r, &p, &n, &off)) == 1) {
      off += start;
      if (off >= to) { /* a part's lines end at the first that starts at or after its end */
        reached = 1;
        break;
      }
      if (to - off < n) { /* ... after the line holding byte to - 1 */
        const char *nl = memchr(p + (to - 1 - off), '\n', n - (size_t)(to - 1 - off));
        if (nl) n = (size_t)(nl - p) + 1, reached = 1;
      }
      c->data = p;
      c->n = n;
      c->base = off;
      c->nl_pos = 0;
      c->cont_end = 0;
      c->fields_end = 0;
      if (in_cut == 1) { /* the rest of a line cut at the last block (a cut ended by zeros ended the line) */
        const char *nl = memchr(p, '\n', n);
        c->cont_end = nl ? (size_t)(nl - p) + 1 : n;
      }
      /* a block that ends without a line end before the source's end is a
       * piece of a line longer than max_line (it holds no line end at all) */
      int cut = p[n - 1] != '\n' && !r.eof;
      c->at_eof = r.eof && !reached;
      if (c->hdr.fmt == EXH_FMT_CSV) note_multiline(c, p, n);
      note_damage(c, p, n);
      if (c->plan->nrules > 0 && c->cont_end < n) {
        if (scan_block(c) < 0) {
          exh__evidence_error(ev, "prefilter engine failed");
          stopped = 1;
          ml_block_end(c);
          break;
        }
      }
      ml_flush(c, UINT64_MAX);
      note_last_before(c, n);
      ml_block_end(c);
      c->nl_count += exh__count_newlines(p + c->nl_pos, n - c->nl_pos);
      int zero_end = p[n - 1] == 0; /* zeros end a line: what follows them is the next record */
      if (cut && !in_cut && !zero_end) long_lines++;
      in_cut = cut ? (zero_end ? 2 : 1) : 0;
      done_bytes = off + n;
      if (out_of_time(c)) {
        exh__evidence_error(ev, "stopped after %.0f s (time limit per file) at byte %llu; findings before it are kept",
                           wk->lim->max_file_seconds, (unsigned long long)done_bytes);
        stopped = 1;
        break;
      }
      if (done_bytes > wk->lim->max_file_bytes) {
        exh__evidence_error(ev, "stopped at byte %llu: over the limit of %llu; findings before it are kept",
                           (unsigned long long)done_bytes, (unsigned long long)wk->lim->max_file_bytes);
        stopped = 1;
        break;
      }
      if (reached) break;
    }
    if (rc < 0) {
      exh__evidence_error(ev, "read error at byte %llu (%s); findings before it are kept",
                         (unsigned long long)done_bytes, in->why[0] ? in->why : "?");
      stopped = 1;
    }
    if (long_lines)
      exh__evidence_error(ev, "%llu line%s longer than %zu bytes: only the first %zu bytes of each were read",
                         (unsigned long long)long_lines, long_lines == 1 ? "" : "s", r.max_line, r.max_line);
    if (c->z_runs == 1)
      exh__evidence_error(ev, "%llu bytes of zeros at byte %llu (a zero-filled region: read as a gap between lines)",
                         (unsigned long long)c->z_bytes, (unsigned long long)c->z_first);
    else if (c->z_runs)
      exh__evidence_error(ev, "%llu zero-filled regions, %llu bytes of zeros, the first of %llu bytes at byte %llu "
                             "(read as gaps between lines)",
                         (unsigned long long)c->z_runs, (unsigned long long)c->z_bytes,
                         (unsigned long long)c->z_first_len, (unsigned long long)c->z_first);
    if (c->cut_zero)
      exh__evidence_error(ev, "%llu record%s cut short by zeros (fewer fields than the header): not evaluated",
                         (unsigned long long)c->cut_zero, c->cut_zero == 1 ? "" : "s");
    if (c->cut_eof)
      exh__evidence_error(ev, "the last record (byte %llu) is cut short: %d of %d fields and no line end: not evaluated",
                         (unsigned long long)(c->cut_eof - 1), c->cut_eof_cols, c->cut_eof_need);
    if (c->ml_dropped)
      exh__evidence_error(ev, "%llu record%s with a quoted value not closed within %zu bytes (the first at byte %llu): "
                             "%s lines not read",
                         (unsigned long long)c->ml_dropped, c->ml_dropped == 1 ? "" : "s", ML_MAX,
                         (unsigned long long)c->ml_dropped_off, c->ml_dropped == 1 ? "its" : "their");
    if (c->ml_open && !stopped && !reached && !c->part) c->ml_cut_eof = c->ml_off + 1;
    if (c->ml_cut_eof)
      exh__evidence_error(ev, "the last record (byte %llu) is cut short inside a quoted value: not evaluated",
                         (unsigned long long)(c->ml_cut_eof - 1));
    if (c->part) c->part->ml_open = c->ml_open;
    exh__lines_free(&r);
    /* a file that is shorter than when it was listed or opened was
     * truncated or rotated under us: say so (growing is normal) */
    uint64_t expect = size != EXH_SIZE_UNKNOWN ? size : 0;
    if ((ev->dev || ev->ino) && ev->size > expect && !decoded) expect = ev->size;
    if (!stopped && !reached && done_bytes < expect)
      exh__evidence_error(ev, "the file shrank while it was scanned (%llu bytes listed, %llu read): truncated or "
                         "rotated by the server? what was read is reported",
                         (unsigned long long)expect, (unsigned long long)done_bytes);
  }
  if (c->part) {
    c->part->start = start;
    c->part->end = done_bytes;
    c->part->newlines = c->nl_count;
  } else {
    if (!read_through || (stopped && src->pread)) last_from_tail(c, src, size);
    if (ev->first_ms == EXH_TIME_UNKNOWN) ev->first_ms = ev->last_ms;
  }
done:
  ml_block_end(c);
  free(c->mlr);
  exh__buf_free(&c->ml);
  for (int i = 0; i < 4; i++) exh__buf_free(&c->dec[i]);
  exh__buf_free(&c->unq);
  free(fields);
  free(pr);
  free(c);
  free(head);
}

void exh__scan_exlog_source_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line) {
  scan_range(wk, ev, src, block, max_line, NULL, 0);
}

void exh__scan_exlog_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  exh__scan_exlog_source_sized(wk, ev, src, EXH_LOG_BLOCK, EXH_LOG_MAX_LINE);
}

void exh__scan_exlog(exh_worker *wk, exh_evidence *ev) {
  exh_source *src = exh__evidence_open(ev);
  if (!src) return;
  exh__scan_exlog_source(wk, ev, src);
  exh__source_close(src);
}

void exh__scan_exlog_map(exh_worker *wk, exh_evidence *ev, exh_map *map) {
  exh_source *src = exh__source_mem(map->data, map->size);
  exh__scan_exlog_source(wk, ev, src);
  exh__source_close(src);
}

/* ---- a log split across workers (format.h scan_part, merge_parts) -------- */

static void part_read(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block, size_t max_line,
                      uint64_t from, uint64_t to, int forced, uint64_t hdr_off, uint32_t hdr_len, int use_board) {
  free(ev->part_state);
  logs_part *lp = exh__xcalloc(1, sizeof *lp);
  ev->part_state = lp;
  lp->from = from, lp->to = to;
  lp->hdr_in = lp->hdr_out = HDR_NONE;
  part_req pq = {from, to, forced, hdr_off, hdr_len, lp, use_board};
  scan_range(wk, ev, src, block, max_line, &pq, 0);
}

void exh__scan_exlog_part_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to,
                               size_t block, size_t max_line) {
  part_read(wk, ev, src, block, max_line, from, to, 0, HDR_NONE, 0, 0);
}

void exh__scan_exlog_part(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to) {
  part_read(wk, ev, src, EXH_LOG_BLOCK, EXH_LOG_MAX_LINE, from, to, 0, HDR_NONE, 0, 1);
}

/* Whether two #Fields: lines (offset, length; HDR_NONE: none) read alike. */
static int same_header(exh_source *src, uint64_t a, uint32_t an, uint64_t b, uint32_t bn) {
  if (a == HDR_NONE || b == HDR_NONE) return a == b;
  if (a == b || an != bn) return a == b && an == bn;
  char *x = exh__xmalloc((size_t)an * 2 + 1);
  int same = pread_full(src, x, an, a) == (long)an && pread_full(src, x + an, an, b) == (long)an &&
             !memcmp(x, x + an, an);
  free(x);
  return same;
}

int exh__scan_exlog_merge_sized(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t n, exh_source *src,
                               size_t block, size_t max_line) {
  for (size_t k = 0; k < n; k++)
    if (!parts[k].part_state) return 0;
  const logs_part *p0 = parts[0].part_state;
  if (!p0->whole) {
    /* the header each part assumed at its start, against the one the
     * parts before it ended with; a wrong guess is read again */
    uint64_t hdr = p0->hdr_out;
    uint32_t hdr_len = p0->hdr_out_len;
    size_t again = 0;
    for (size_t k = 1; k < n; k++) {
      logs_part *lp = parts[k].part_state;
      if (lp->whole) return 0;
      if (!same_header(src, hdr, hdr_len, lp->hdr_in, lp->hdr_in_len)) {
        exh_evidence *pe = &parts[k];
        uint64_t from = lp->from, to = lp->to;
        atomic_fetch_sub(&((exh_scan_limits *)wk->lim)->findings, pe->nfindings);
        exh__evidence_release(pe); /* its part_state too */
        pe->records = 0;
        pe->first_ms = pe->last_ms = EXH_TIME_UNKNOWN;
        pe->suppressed = 0;
        part_read(wk, pe, src, block, max_line, from, to, 1, hdr, hdr_len, 0);
        pe->done = 1;
        again++;
        if (!exh__evidence_part_clean(pe)) return 0;
        lp = pe->part_state;
      }
      hdr = lp->hdr_out, hdr_len = lp->hdr_out_len;
    }
    /* where the time went (EXHUNT_TIMING=1, as scan/scan.c) */
    if (again && getenv("EXHUNT_TIMING") && getenv("EXHUNT_TIMING")[0] == '1')
      fprintf(stderr, "exhunt: timing: a split log: %zu of %zu parts read again with the header in force\n", again, n);
    /* the parts hold every line once, in order; a record across a part's
     * end (a quoted line break) was read as two: the whole file again */
    size_t nf = 0;
    for (size_t k = 0; k < n; k++) {
      const logs_part *lp = parts[k].part_state;
      if (lp->ml_open) return 0;
      if (k ? lp->start != ((const logs_part *)parts[k - 1].part_state)->end : lp->start != 0) return 0;
      nf += parts[k].nfindings;
    }
    if (nf > ((exh_scan_limits *)wk->lim)->max_findings_per_file) return 0;
    EXH_VEC_RESERVE(ev->findings, ev->capfindings, ev->nfindings + nf);
  }
  /* nothing below fails: merged in file order, line numbers counted on */
  int64_t first = parts[0].first_ms, last = EXH_TIME_UNKNOWN;
  uint64_t lines = 0;
  for (size_t k = 0; k < n; k++) {
    exh_evidence *pe = &parts[k];
    logs_part *lp = pe->part_state;
    if (p0->whole) {
      if (k == 0) last = pe->last_ms;
    } else {
      for (size_t i = 0; i < pe->nfindings; i++) pe->findings[i].line += lines;
      lines += lp->newlines;
      if (lp->has_last) last = pe->last_ms;
    }
    pe->first_ms = pe->last_ms = EXH_TIME_UNKNOWN;
    exh__evidence_merge_part(ev, pe);
  }
  ev->first_ms = first;
  ev->last_ms = last;
  if (!p0->whole && ev->first_ms == EXH_TIME_UNKNOWN) ev->first_ms = ev->last_ms;
  for (size_t k = 0; k < n; k++) {
    free(parts[k].part_state);
    parts[k].part_state = NULL;
  }
  return 1;
}

int exh__scan_exlog_merge(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t n) {
  board_drop(ev);
  /* the file itself, for the #Fields: lines to compare and the parts to read again */
  exh_evidence tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.path = ev->path, tmp.size = ev->size, tmp.mtime_ms = ev->mtime_ms, tmp.dev = ev->dev, tmp.ino = ev->ino;
  exh_source *src = exh__evidence_open(&tmp);
  free(tmp.error);
  if (!src) return 0;
  int ok = exh__scan_exlog_merge_sized(wk, ev, parts, n, src, EXH_LOG_BLOCK, EXH_LOG_MAX_LINE);
  exh__source_close(src);
  return ok;
}
