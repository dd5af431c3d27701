/* What the scan-path fuzz targets share: the shipped rules compiled into
 * one worker with default limits, and a source that can only be read in
 * order, a few bytes at a time (an archive member's, a pipe's), so every
 * read boundary falls somewhere. Header-only: each target is one file. */
#ifndef EXH_FUZZ_COMMON_H
#define EXH_FUZZ_COMMON_H

#include <stddef.h>
#include <string.h>

#include "core/source.h"
#include "scan/scan.h"

/* The built-in rules, compiled, in *rs; wk reads them under lim. */
static inline void fuzz_worker_init(exh_ruleset **rs, exh_worker *wk, exh_scan_limits *lim) {
  exh_ruleset_new(rs);
  exh_ruleset_add_builtin(*rs);
  exh_ruleset_compile(*rs);
  exh__worker_init(wk, *rs);
  exh__scan_limits_default(lim);
  wk->lim = lim;
}

/* p[0..n), read in order, at most `step` bytes a read; no position reads. */
typedef struct fuzz_seq {
  exh_source s;
  const char *p;
  size_t n, step;
} fuzz_seq;

static inline long fuzz_seq_read(exh_source *s, void *buf, size_t n) {
  fuzz_seq *q = (fuzz_seq *)s;
  size_t left = q->n - (size_t)s->pos;
  if (n > q->step) n = q->step;
  if (n > left) n = left;
  memcpy(buf, q->p + s->pos, n);
  s->pos += n;
  return (long)n;
}
static inline void fuzz_seq_close(exh_source *s) { (void)s; }

static inline exh_source *fuzz_seq_init(fuzz_seq *q, const char *p, size_t n, size_t step) {
  *q = (fuzz_seq){{fuzz_seq_read, NULL, fuzz_seq_close, n, 0, ""}, p, n, step ? step : 1};
  return &q->s;
}

#endif
