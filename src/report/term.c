/* Public helpers that write third-party text for a terminal through the
 * caller's callback (exhunt.h): escaped as in the text report. They run
 * under a guard (out.h), so running out of memory is an error value. */
#include <string.h>

#include "../rules/rules.h"
#include "out.h"

/* The prefilter's literal groups of Sigma rule i (rules/rules.h). */
static void prefilter(exh_out *o, const exh_ruleset *rs, size_t i) {
  const exh_rule *rule = exh__ruleset_get(rs, i);
  if (!rule) return;
  size_t ng;
  const exh_rule_lits *g = exh__rule_literal_groups(rule, &ng);
  if (!g) out_puts(o, "         prefilter: none (runs on every record)\n");
  for (size_t k = 0; k < ng; k++) {
    out_puts(o, k ? "     and any of: " : "    prefilter any of: ");
    for (size_t j = 0; j < g[k].n; j++) {
      if (j) out_puts(o, " | ");
      out_term(o, g[k].lits[j].p, g[k].lits[j].n);
    }
    out_putc(o, '\n');
  }
}

exh_err exh_term_write(exh_write_fn write, void *ctx, const char *s, size_t n) {
  if (!write || (!s && n)) return EXH_EARG;
  EXH_OUT_GUARDED(write, ctx, out_term(&out_, s, n));
}

exh_err exh_ruleset_describe_prefilter(const exh_ruleset *rs, size_t i, exh_write_fn write, void *ctx) {
  if (!rs || !write) return EXH_EARG;
  EXH_OUT_GUARDED(write, ctx, prefilter(&out_, rs, i));
}
