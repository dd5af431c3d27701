/* libFuzzer target: the Sigma YAML loader (the bounded YAML loader, the rule
 * compiler, the condition parser, regex compilation), the prefilter build,
 * and evaluation with the prefilter's soundness as the oracle.
 *
 * Input: rule text, optionally followed by a line "#record" and one CSV
 * record. The record is read under a header naming every field the set
 * interned (in order), as the scanner reads an Exchange log line; each
 * rule that matches it must have, in the record's raw bytes, a literal of
 * every one of its prefilter groups (docs/architecture.md: "prefilter and
 * evaluation are equivalent to evaluating every rule on every record").
 * A rule that fires where its literals are absent would be missed by a
 * scan: that is a crash here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "formats/logs/exlog.h"
#include "rules/sigma_int.h"

static int has_literal(const exh_rule_lits *g, const char *p, size_t n) {
  for (size_t k = 0; k < g->n; k++)
    if (exh__memimem(p, n, g->lits[k].p, g->lits[k].n)) return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  size_t tn = size;
  const char *rec = NULL;
  size_t rn = 0;
  const char *m = exh__memimem(text, size, "\n#record\n", 9);
  if (m) {
    tn = (size_t)(m - text) + 1;
    rec = m + 9;
    rn = size - tn - 8;
    const char *nl = memchr(rec, '\n', rn);
    if (nl) rn = (size_t)(nl - rec);
  }
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_yaml(rs, "fuzz", text, tn);
  if (exh_ruleset_compile(rs) == EXH_OK && rec) {
    /* header: every interned field, in id order (ids < 512 only) */
    size_t nf = exh__ruleset_nfields(rs);
    exh_str names[EXH_MAX_COLS];
    int nn = 0;
    for (size_t f = EXH_VF_COUNT; f < nf && nn < EXH_MAX_COLS; f++) {
      const char *fname = exh__ruleset_field_name(rs, (int)f);
      names[nn++] = (exh_str){fname, strlen(fname)};
    }
    int *fmap = calloc(nf ? nf : 1, sizeof(int));
    exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, names, nn, fmap);
    exh_str cols[EXH_MAX_COLS];
    uint8_t q[EXH_MAX_COLS];
    exh_buf scratch = {0};
    exh_record r;
    memset(&r, 0, sizeof r);
    r.raw = (exh_str){rec, rn};
    r.cols = cols;
    r.qflags = q;
    r.ncols = exh__csv_split(rec, rn, cols, q, EXH_MAX_COLS);
    r.fmap = fmap;
    r.nfmap = (int)nf;
    r.scratch = &scratch;
    r.virt[EXH_VF_RAWRECORD] = r.raw;
    for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
      const exh_rule *rule = exh__ruleset_get(rs, i);
      if (!exh__rule_applies(rule, EXH_KIND_HTTPPROXY) || !exh__rule_eval(rule, &r)) continue;
      size_t ng;
      const exh_rule_lits *g = exh__rule_literal_groups(rule, &ng);
      if (ng && (!has_literal(&g[0], rec, rn) || !exh__rule_verify_groups(rule, rec, rn))) __builtin_trap();
    }
    exh__buf_free(&scratch);
    free(fmap);
  }
  exh_ruleset_free(rs);
  return 0;
}
