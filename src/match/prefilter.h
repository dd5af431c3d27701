/* The literal prefilter: every rule contributes the literals of which at
 * least one must occur in a record for the rule to fire; all of a log
 * kind's literals go into one Hyperscan database (or the portable fallback)
 * and the file's bytes are scanned once. Hits are reported per line, with
 * the set of ids whose literal occurred in that line. */
#ifndef EXH_PREFILTER_H
#define EXH_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

typedef struct exh_prefilter exh_prefilter;
typedef struct exh_pf_scratch exh_pf_scratch;

typedef struct exh_pf_lit {
  const char *p; /* no '\n' inside */
  size_t n;
  uint32_t id;   /* reported back; several literals may share an id */
} exh_pf_lit;

/* Builds a caseless literal matcher. NULL with a reason on failure. */
exh_prefilter *exh__pf_build(const exh_pf_lit *lits, size_t n, char *why, size_t whyn);
void exh__pf_free(exh_prefilter *pf);
/* The same from a database exh__pf_serialize wrote for these literals (the
 * rule cache): NULL when it cannot be used (then build). */
exh_prefilter *exh__pf_load(const exh_pf_lit *lits, size_t n, const void *db, size_t dbn, char *why, size_t whyn);
/* The engine's database in a form exh__pf_load reads: 0 and *out (the
 * caller frees it), or -1 when there is none (the portable engine). */
int exh__pf_serialize(const exh_prefilter *pf, char **out, size_t *n);
/* What a serialised database depends on besides its literals (engine
 * version, the CPU platform it was compiled for), as text; its length. */
size_t exh__pf_platform(char *buf, size_t n);
const char *exh__pf_engine(void); /* "hyperscan" or "portable" */

exh_pf_scratch *exh__pf_scratch_new(const exh_prefilter *pf);
void exh__pf_scratch_free(exh_pf_scratch *s);

/* Called once per line holding at least one literal, in file order:
 * [start, end) excludes the '\n'. Return nonzero to stop the scan. */
typedef int (*exh_pf_line_fn)(void *ctx, size_t start, size_t end, const uint32_t *ids,
                              size_t nids);

/* Scans data[0..n). Returns 0, or -1 if the engine failed, 1 if stopped. */
int exh__pf_scan(const exh_prefilter *pf, exh_pf_scratch *s, const char *data, size_t n,
                exh_pf_line_fn fn, void *ctx);

#endif
