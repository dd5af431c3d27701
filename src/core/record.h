/* A record, as every format hands it to the rules: the raw bytes, the
 * column values as slices of the evidence, the map from the rule set's
 * interned field ids to columns, and the virtual fields the format fills.
 * Below every stage: formats build records, rules read them. */
#ifndef EXH_CORE_RECORD_H
#define EXH_CORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* Virtual fields: filled by the scanner, not found in the record's bytes. */
enum {
  EXH_VF_LOGFOLDER = 0, /* HttpProxy protocol folder ("Ecp") or IIS site ("W3SVC1") */
  EXH_VF_RAWRECORD,     /* the whole raw record */
  EXH_VF_FULLURI,       /* W3C: cs-uri-stem + "?" + cs-uri-query (see docs/sigma.md) */
  /* URL-decoded forms (util.h exh__url_decode; docs/formats.md): */
  EXH_VF_STEM_DECODED,     /* W3C "cs-uri-stem-decoded" */
  EXH_VF_URI_DECODED,      /* W3C "cs-uri-query-decoded": the whole URI, as cs-uri-query means on W3C */
  EXH_VF_URLSTEM_DECODED,  /* Exchange CSV "UrlStem-decoded" */
  EXH_VF_URLQUERY_DECODED, /* Exchange CSV "UrlQuery-decoded" */
  EXH_VF_COUNT
};

/* 1 for the decoded virtual fields: a value found there is in the raw
 * record as written, or the raw record holds a '%' (or a '+', which
 * decodes to a space, and literals never hold a space): the prefilter's
 * literal group for them (rules/sigma.c). */
static inline int exh__vf_is_decoded(int vf) { return vf >= EXH_VF_STEM_DECODED && vf < EXH_VF_COUNT; }

/* fmap value for a field that a log kind serves from a virtual field. */
#define EXH_FMAP_VIRT(vf) (-2 - (vf))

typedef struct exh_record {
  exh_str raw;           /* the whole record: keyword selections match here */
  const exh_str *cols;   /* column values, raw slices of the file */
  const uint8_t *qflags; /* 1: value contains doubled quotes to undo */
  int ncols;
  const int *fmap;       /* interned field id -> column or -1 */
  int nfmap;
  exh_str virt[EXH_VF_COUNT];
  exh_buf *scratch;      /* for unquoting; one value at a time */
} exh_record;

/* Value of field `fid` in the record: 1 and *out if present, else 0. The
 * slice stays valid until the next call with the same scratch. */
int exh__record_get(const exh_record *r, int fid, exh_str *out);

#endif
