/* A rule's finding on an evidence: the common fields, and the message (the
 * title, then the values of the fields the rule tested). Shared by every
 * format that evaluates Sigma rules. */
#include <stdlib.h>
#include <string.h>

#include "../core/evidence.h"
#include "../util/util.h"
#include "sigma_int.h"

exh_finding *exh__rule_finding(exh_worker *wk, exh_evidence *ev, const exh_rule *rule, const char *dataset) {
  exh_finding *f = exh__evidence_new_finding(wk, ev);
  if (!f) return NULL;
  const exh_rule_info *info = exh__rule_info_of(rule);
  f->rule = info;
  f->level = info->level;
  f->server = ev->server;
  f->dataset = dataset;
  f->path = exh__xstrdup(ev->path);
  return f;
}

char *exh__rule_message(exh_worker *wk, const exh_rule *rule, const exh_record *rec) {
  exh_buf *m = wk->msg;
  m->n = 0;
  exh__buf_adds(m, exh__rule_info_of(rule)->title);
  size_t ns;
  const int *shown = exh__rule_shown_fields(rule, &ns);
  int first = 1;
  for (size_t i = 0; i < ns; i++) {
    exh_str v;
    if (!exh__record_get(rec, shown[i], &v)) continue;
    exh__buf_adds(m, first ? ": " : ", ");
    first = 0;
    exh__buf_adds(m, exh__ruleset_field_name(wk->rs, shown[i]));
    exh_buf_addc(m, '=');
    exh_buf_add(m, v.p, v.n > 300 ? 300 : v.n);
    if (v.n > 300) exh__buf_adds(m, "...");
  }
  return exh__xstrndup(m->p, m->n);
}
