/* Exchange CSV log parsing. Fields are slices of the file's bytes. */
#include "exlog.h"

#include <string.h>

int exh__csv_split(const char *p, size_t n, exh_str *cols, uint8_t *qflags, int max) {
  if (n && p[n - 1] == '\r') n--;
  int k = 0;
  size_t i = 0;
  if (max <= 0) return 0;
  for (;;) {
    if (k == max - 1) { /* last slot takes the rest */
      cols[k] = (exh_str){p + i, n - i};
      qflags[k++] = 0;
      return k;
    }
    if (i < n && p[i] == '"') {
      size_t s = ++i;
      int dbl = 0;
      while (i < n) {
        if (p[i] == '"') {
          if (i + 1 < n && p[i + 1] == '"') {
            dbl = 1;
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      cols[k] = (exh_str){p + s, i - s};
      qflags[k++] = (uint8_t)dbl;
      if (i < n) i++; /* closing quote */
      /* tolerate junk between the closing quote and the comma */
      const char *c = i < n ? memchr(p + i, ',', n - i) : NULL;
      if (!c) return k;
      i = (size_t)(c - p) + 1;
    } else {
      const char *c = i < n ? memchr(p + i, ',', n - i) : NULL;
      size_t e = c ? (size_t)(c - p) : n;
      cols[k] = (exh_str){p + i, e - i};
      qflags[k++] = 0;
      if (!c) return k;
      i = e + 1;
    }
  }
}

static int is_time_name(exh_str s) {
  return exh__strieq(s, "DateTime") || exh__strieq(s, "TimeStamp") || exh__strieq(s, "date-time") ||
         exh__strieq(s, "Time");
}

int exh__log_split(const exh_exlog_header *h, const char *p, size_t n, exh_str *cols, uint8_t *qflags,
                  int max) {
  if (h->fmt == EXH_FMT_W3C) {
    /* a header over EXH_MAX_COLS: records hold more tokens than h->n
     * because the header has more fields, not because of raw spaces */
    int k = exh__w3c_split(p, n, cols, max, h->n, h->named > h->n ? -1 : h->query_col);
    memset(qflags, 0, (size_t)k);
    return k;
  }
  return exh__csv_split(p, n, cols, qflags, max);
}

/* A split into EXH_MAX_COLS slots leaves the rest of the line in the last
 * one: when that rest holds more names, count them and drop the slot (its
 * column in the records would hold the rest of each record too). */
static void over_cols(exh_exlog_header *h, char sep) {
  if (h->n < EXH_MAX_COLS) return;
  exh_str last = h->names[EXH_MAX_COLS - 1];
  size_t seps = 0;
  for (size_t i = 0; i < last.n; i++) seps += last.p[i] == sep;
  if (!seps) return;
  h->named = EXH_MAX_COLS + (int)(seps > (size_t)(1 << 24) ? (size_t)(1 << 24) : seps);
  h->n = EXH_MAX_COLS - 1;
}

void exh__exlog_header_parse(exh_exlog_header *h, const char *p, size_t n, int has_prefix,
                            exh_logfmt fmt) {
  if (has_prefix) {
    const char *c = memchr(p, ':', n);
    if (c) {
      n -= (size_t)(c + 1 - p);
      p = c + 1;
    }
  }
  h->fmt = fmt;
  h->time_col = h->time2_col = h->query_col = -1;
  if (fmt == EXH_FMT_W3C) {
    exh_str t = exh__trim((exh_str){p, n});
    h->n = h->named = exh__w3c_split(t.p, t.n, h->names, EXH_MAX_COLS, 0, -1);
    over_cols(h, ' ');
    for (int i = 0; i < h->n; i++) {
      if (exh__strieq(h->names[i], "date")) h->time_col = i;
      else if (exh__strieq(h->names[i], "time")) h->time2_col = i;
      else if (exh__strieq(h->names[i], "cs-uri-query")) h->query_col = i;
    }
    if (h->time_col < 0 && h->time2_col >= 0) h->time_col = h->time2_col, h->time2_col = -1;
    return;
  }
  uint8_t q[EXH_MAX_COLS];
  h->n = h->named = exh__csv_split(p, n, h->names, q, EXH_MAX_COLS);
  over_cols(h, ',');
  for (int i = 0; i < h->n; i++) {
    h->names[i] = exh__trim(h->names[i]);
    if (h->time_col < 0 && is_time_name(h->names[i])) h->time_col = i;
  }
}

int64_t exh__log_record_time(const exh_exlog_header *h, const exh_str *cols, int ncols) {
  int64_t ms;
  if (h->time_col < 0 || h->time_col >= ncols) return INT64_MIN;
  exh_str t = cols[h->time_col];
  if (h->time2_col >= 0) {
    if (h->time2_col >= ncols) return INT64_MIN;
    char buf[64];
    exh_str d = exh__trim(t), tm = exh__trim(cols[h->time2_col]);
    if (d.n + tm.n + 2 > sizeof buf) return INT64_MIN;
    memcpy(buf, d.p, d.n);
    buf[d.n] = 'T';
    memcpy(buf + d.n + 1, tm.p, tm.n);
    t = (exh_str){buf, d.n + 1 + tm.n};
    return exh__parse_iso8601(t, &ms) == 0 ? ms : INT64_MIN;
  }
  return exh__parse_iso8601(t, &ms) == 0 ? ms : INT64_MIN;
}


void exh__exlog_probe_top(const char *data, size_t n, exh_exlog_probe *pr, exh_logfmt fmt) {
  memset(pr, 0, sizeof *pr);
  pr->hdr.time_col = pr->hdr.time2_col = pr->hdr.query_col = -1;
  pr->hdr.fmt = fmt;
  pr->data_start = n;
  size_t pos = 0, lineno = 0;
  size_t lim = n < EXH_LOG_HEAD ? n : EXH_LOG_HEAD;
  /* skip a UTF-8 byte order mark */
  if (n >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
      (unsigned char)data[2] == 0xBF)
    pos = 3;
  int bare_candidate = 0;
  exh_str bare = {0};
  while (pos < lim) {
    /* a run of zeros is a gap between lines (scan_logs.c reports it) */
    while (pos < n && !data[pos]) pos++;
    if (pos >= lim) break;
    const char *e = memchr(data + pos, '\n', n - pos);
    size_t end = e ? (size_t)(e - data) : n;
    const char *z = memchr(data + pos, 0, end - pos);
    if (z) e = z, end = (size_t)(z - data);
    exh_str line = {data + pos, end - pos};
    if (line.n && line.p[line.n - 1] == '\r') line.n--;
    lineno++;
    if (line.n && line.p[0] == '#') {
      exh_str l = line;
      if (exh__str_istarts(l, "#Software:") && exh__memimem(l.p, l.n, "Microsoft Exchange", 18))
        pr->software_exchange = 1;
      else if (exh__str_istarts(l, "#Software:") && exh__memimem(l.p, l.n, "Internet Information Services", 29))
        pr->software_iis = 1;
      else if (exh__str_istarts(l, "#Version:")) {
        exh_str v = exh__trim((exh_str){l.p + 9, l.n - 9});
        snprintf(pr->version, sizeof pr->version, "%.*s", (int)(v.n < 31 ? v.n : 31), v.p);
      } else if (exh__str_istarts(l, "#Fields:")) {
        exh__exlog_header_parse(&pr->hdr, l.p, l.n, 1, fmt);
        /* a #Fields: line naming no column is no header (unless one came before) */
        pr->have_header |= pr->hdr.n > 1 || (pr->hdr.n == 1 && pr->hdr.names[0].n > 0);
      }
    } else if (lineno == 1 && line.n && fmt == EXH_FMT_CSV) {
      bare_candidate = 1;
      bare = line;
      pr->bare_end = end;
    } else if (line.n) {
      pr->data_start = pos;
      break;
    }
    if (!e) break;
    pos = end + 1;
  }
  if (bare_candidate) {
    if (pr->have_header) {
      pr->bare_header = 1;
    } else {
      /* No #Fields: line 1 is a header only if it names a time column. */
      exh_exlog_header h;
      exh__exlog_header_parse(&h, bare.p, bare.n, 0, EXH_FMT_CSV);
      if (h.time_col >= 0 && h.n >= 2) {
        pr->hdr = h;
        pr->have_header = 1;
        pr->bare_header = 1;
      } else {
        pr->data_start = (size_t)(bare.p - data);
      }
    }
  }
}

/* ---- UTF-16 logs (a log re-saved by PowerShell 5's Out-File) ------------ */

int exh__utf16_sniff(const unsigned char *d, size_t n, size_t *bom) {
  *bom = 0;
  if (n >= 2 && d[0] == 0xFF && d[1] == 0xFE) return *bom = 2, 1;
  if (n >= 2 && d[0] == 0xFE && d[1] == 0xFF) return *bom = 2, 2;
  /* no mark: a log starts with ASCII ('#', a letter, a digit), so its first
   * code units are a printable byte and a zero, in one order or the other */
  if (n < 8) return 0;
  int le = 1, be = 1;
  for (size_t i = 0; i < 8; i += 2) {
    le &= d[i] >= 0x20 && d[i] < 0x7F && d[i + 1] == 0;
    be &= d[i] == 0 && d[i + 1] >= 0x20 && d[i + 1] < 0x7F;
  }
  return le ? 1 : be ? 2 : 0;
}

size_t exh__utf16_to_utf8(const unsigned char *in, size_t n, int be, int final, char *out, size_t *used,
                          uint64_t *bad) {
  size_t i = 0, o = 0;
  while (i + 1 < n) {
    unsigned u = be ? (unsigned)in[i] << 8 | in[i + 1] : (unsigned)in[i + 1] << 8 | in[i];
    size_t step = 2;
    uint32_t cp = u;
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= n && !final) break; /* its pair is in the next block */
      unsigned v = i + 3 < n ? (be ? (unsigned)in[i + 2] << 8 | in[i + 3] : (unsigned)in[i + 3] << 8 | in[i + 2]) : 0;
      if (v >= 0xDC00 && v <= 0xDFFF) {
        cp = 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (v - 0xDC00);
        step = 4;
      } else {
        cp = 0xFFFD, (*bad)++;
      }
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      cp = 0xFFFD, (*bad)++;
    }
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else if (cp < 0x800) {
      out[o++] = (char)(0xC0 | cp >> 6);
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out[o++] = (char)(0xE0 | cp >> 12);
      out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    } else {
      out[o++] = (char)(0xF0 | cp >> 18);
      out[o++] = (char)(0x80 | (cp >> 12 & 0x3F));
      out[o++] = (char)(0x80 | (cp >> 6 & 0x3F));
      out[o++] = (char)(0x80 | (cp & 0x3F));
    }
    i += step;
  }
  *used = i;
  return o;
}
