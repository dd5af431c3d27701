/* Exchange CSV logs (HttpProxy, ECP, OAB generator and the rest): the
 * header lines, and one record split into column slices without copying. */
#ifndef EXH_EXLOG_H
#define EXH_EXLOG_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

#define EXH_MAX_COLS 512

typedef struct exh_exlog_header {
  exh_str names[EXH_MAX_COLS];
  int n;
  int time_col; /* DateTime / TimeStamp / date-time column, or -1 */
} exh_exlog_header;

/* Splits one CSV record (no line terminator; a trailing '\r' is dropped).
 * Double-quoted values lose their quotes; qflags[i] is set when the value
 * still holds doubled quotes to undo. Returns the number of columns (at
 * most max; the rest of the line goes into the last one). An unterminated
 * quote takes the rest of the line. */
int exh_csv_split(const char *p, size_t n, exh_str *cols, uint8_t *qflags, int max);

/* Fills a header from a "#Fields: a,b,c" line or a bare "a,b,c" line. */
void exh_exlog_header_parse(exh_exlog_header *h, const char *p, size_t n, int has_prefix);

/* What the top of a file says. */
typedef struct exh_exlog_probe {
  int software_exchange;  /* "#Software: Microsoft Exchange..." seen */
  int have_header;        /* a #Fields: line (or a bare header) was found */
  int bare_header;        /* line 1 is a bare CSV header (skip it) */
  size_t bare_end;        /* end of line 1 when bare_header */
  size_t data_start;      /* offset of the first data line, or n */
  char version[32];       /* "#Version:" value */
  exh_exlog_header hdr;   /* the header in force at data_start */
} exh_exlog_probe;

/* Reads the header block at the top of data[0..n). */
void exh_exlog_probe_top(const char *data, size_t n, exh_exlog_probe *pr);

#endif
