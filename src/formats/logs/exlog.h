/* Exchange CSV logs (HttpProxy, ECP, OAB generator and the rest): the
 * header lines, and one record split into column slices without copying. */
#ifndef EXH_EXLOG_H
#define EXH_EXLOG_H

#include <stddef.h>
#include <stdint.h>

#include "../../util/util.h"

#include "../../core/limits.h"

/* The two line formats: Exchange CSV (comma, double quotes) and W3C extended
 * (IIS, HTTPERR: space-separated, no quoting; see w3c.c). */
typedef enum exh_logfmt { EXH_FMT_CSV = 0, EXH_FMT_W3C = 1 } exh_logfmt;

typedef struct exh_exlog_header {
  exh_str names[EXH_MAX_COLS];
  int n;
  int named;     /* columns the line names: more than n when it names over
                    EXH_MAX_COLS (then only the first EXH_MAX_COLS - 1 are
                    read, and the caller says so) */
  exh_logfmt fmt;
  int time_col;  /* DateTime / TimeStamp / date-time, or W3C "date"; -1 if none */
  int time2_col; /* W3C "time" (joined to "date"), or -1 */
  int query_col; /* W3C "cs-uri-query": takes surplus tokens, or -1 */
} exh_exlog_header;

/* Splits one CSV record (no line terminator; a trailing '\r' is dropped).
 * Double-quoted values lose their quotes; qflags[i] is set when the value
 * still holds doubled quotes to undo. Returns the number of columns (at
 * most max; the rest of the line goes into the last one). An unterminated
 * quote takes the rest of the line. */
int exh__csv_split(const char *p, size_t n, exh_str *cols, uint8_t *qflags, int max);

/* W3C: splits on single spaces; when a line has more tokens than the header
 * has fields (Exchange writes raw spaces in some query strings,
 * plaso#3529), the surplus is merged into merge_col. Returns the count. */
int exh__w3c_split(const char *p, size_t n, exh_str *cols, int max, int nfields, int merge_col);

/* Splits one record by the header's format. */
int exh__log_split(const exh_exlog_header *h, const char *p, size_t n, exh_str *cols, uint8_t *qflags,
                  int max);

/* Fills a header from a "#Fields: a,b,c" line or a bare "a,b,c" line. A
 * line naming more than EXH_MAX_COLS columns keeps the first
 * EXH_MAX_COLS - 1 (the last slot of a split holds the rest of the line, so
 * its value would be wrong) and sets named to the count. */
void exh__exlog_header_parse(exh_exlog_header *h, const char *p, size_t n, int has_prefix,
                            exh_logfmt fmt);
/* Parses the record's time (UTC ms) from its columns; EXH_TIME_UNKNOWN-like
 * INT64_MIN when absent or malformed. */
int64_t exh__log_record_time(const exh_exlog_header *h, const exh_str *cols, int ncols);

/* What the top of a file says. */
typedef struct exh_exlog_probe {
  int software_exchange;  /* "#Software: Microsoft Exchange..." seen */
  int software_iis;       /* "#Software: Microsoft Internet Information Services" */
  int have_header;        /* a #Fields: line (or a bare header) was found */
  int bare_header;        /* line 1 is a bare CSV header (skip it) */
  size_t bare_end;        /* end of line 1 when bare_header */
  size_t data_start;      /* offset of the first data line, or n */
  char version[32];       /* "#Version:" value */
  exh_exlog_header hdr;   /* the header in force at data_start */
} exh_exlog_probe;

/* Reads the header block at the top of data[0..n). */
void exh__exlog_probe_top(const char *data, size_t n, exh_exlog_probe *pr, exh_logfmt fmt);

/* UTF-16 text (what PowerShell 5's Out-File writes when a responder
 * saves a log again): 1 little-endian, 2 big-endian, 0 neither, from the
 * byte order mark (its length in *bom) or, without one, from the first
 * code units being ASCII. */
int exh__utf16_sniff(const unsigned char *d, size_t n, size_t *bom);
/* Converts the whole code units of in[0, n) to UTF-8 in out (room for
 * n / 2 * 3 bytes); a high surrogate whose pair lies past n is left for
 * the next call unless final. Lone surrogates become U+FFFD (counted in
 * *bad). The bytes written; *used, the input bytes taken. */
size_t exh__utf16_to_utf8(const unsigned char *in, size_t n, int be, int final, char *out, size_t *used,
                          uint64_t *bad);

#endif
