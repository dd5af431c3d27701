/* Correlation, first stage: per-server verdicts and the escalation of
 * supporting files next to a CVE finding.
 *
 * Verdicts:
 *   compromised  - a high or critical finding: a successful exploitation
 *                  trace (CVE-2021-26855 SSRF reaching a back end, a
 *                  virtual-directory or OAB file write), or a supporting
 *                  file raised by one;
 *   suspicious   - only low/medium findings: failed attempts, scanner probes;
 *   clean        - no finding: correlate/coverage.c decides whether that was
 *                  earned (clean), or is "cannot tell" or "no evidence
 *                  examined". */
#include <stdlib.h>
#include <string.h>

#include "../checks/checks.h"
#include "correlate.h"
#include "../util/util.h"

const char *exh_verdict_name(exh_verdict v) {
  switch (v) {
  case EXH_VERDICT_CLEAN: return "no evidence of compromise";
  case EXH_VERDICT_SUSPICIOUS: return "exploitation attempted";
  case EXH_VERDICT_COMPROMISED: return "compromised";
  case EXH_VERDICT_CANNOT_TELL: return "cannot tell";
  case EXH_VERDICT_NOTHING_EXAMINED: return "no evidence examined";
  }
  return "?";
}

/* Test-ProxyLogon's "other suspicious files" (detect/files.c): names and
 * places alone, informational unless a CVE finding stands beside them.
 * Content findings (YARA, IOCs, dumps) carry their own level. */
static int exh_rule_is_supporting(const exh_rule_info *ri) {
  return (ri->flags & EXH_RULE_SUPPORTING) != 0;
}

static int is_cve_hit(const exh_finding *f) {
  return f->rule && exh_finding_ncves(f) > 0 && f->level >= EXH_LEVEL_HIGH;
}

void exh__correlate(exh_result *r) {
  for (size_t s = 0; s < r->nservers; s++) {
    exh_server *sv = &r->servers[s];
    int cve = 0;
    for (size_t i = 0; i < r->nfindings; i++)
      if (r->findings[i].server == s && is_cve_hit(&r->findings[i])) cve = 1;
    /* supporting files: raised only next to a CVE finding */
    for (size_t i = 0; i < r->nfindings; i++) {
      exh_finding *f = &r->findings[i];
      if (f->server != s || !f->is_file || f->rule->ncves || !exh_rule_is_supporting(f->rule)) continue;
      if (cve && f->level < EXH_LEVEL_HIGH) f->level = EXH_LEVEL_HIGH;
    }
    memset(sv->nfindings, 0, sizeof sv->nfindings);
    exh_buf why = {0};
    /* CVEs with successful traces, grouped by campaign as the campaign
     * table groups them (coverage.c's exh__finding_in_campaign: one rule
     * for both): the campaign with the most such findings leads (then the
     * earliest), its CVEs in first-seen order; CVEs of no campaign last
     * ("other CVEs") */
    enum { G = EXH_NCAMPAIGNS + 1, P = 16 };
    size_t gcve[P], ncve = 0, counts[P] = {0}, camp_hits[G] = {0};
    const char *cves[P];
    int64_t first[P], camp_first[G];
    for (size_t g = 0; g < G; g++) camp_first[g] = EXH_TIME_UNKNOWN;
    unsigned ctx = exh__campaign_context(r, s);
    for (size_t i = 0; i < r->nfindings; i++) {
      const exh_finding *f = &r->findings[i];
      if (f->server != s) continue;
      sv->nfindings[f->level]++;
      if (f->level < EXH_LEVEL_HIGH || !exh_finding_ncves(f)) continue;
      unsigned in = 0;
      for (size_t k = 0; k < EXH_NCAMPAIGNS; k++)
        if (exh__finding_in_campaign(f, k, ctx)) in |= 1u << k;
      for (size_t g = 0; g < G; g++) {
        int hit = 0;
        for (size_t c = 0; c < exh_finding_ncves(f); c++) {
          const char *id = exh_finding_cve(f, c);
          int mine;
          if (g < EXH_NCAMPAIGNS) mine = (in >> g & 1) && exh__campaign_has_cve(g, id);
          else { /* named under no campaign the finding counts for */
            mine = 1;
            for (size_t k = 0; k < EXH_NCAMPAIGNS; k++)
              if ((in >> k & 1) && exh__campaign_has_cve(k, id)) mine = 0;
          }
          if (!mine) continue;
          size_t q = 0;
          while (q < ncve && (gcve[q] != g || strcmp(cves[q], id))) q++;
          if (q == ncve) {
            if (ncve == P) continue;
            gcve[q] = g;
            cves[q] = id;
            first[q] = EXH_TIME_UNKNOWN;
            ncve++;
          }
          counts[q]++;
          if (f->time_ms != EXH_TIME_UNKNOWN && (first[q] == EXH_TIME_UNKNOWN || f->time_ms < first[q]))
            first[q] = f->time_ms;
          hit = 1;
        }
        if (!hit) continue;
        camp_hits[g]++;
        if (f->time_ms != EXH_TIME_UNKNOWN && (camp_first[g] == EXH_TIME_UNKNOWN || f->time_ms < camp_first[g]))
          camp_first[g] = f->time_ms;
      }
    }
    /* groups by findings (most first), then first time, other CVEs last */
    size_t order[G], ncamp = 0;
    for (size_t m = 0; m < G; m++) {
      if (!camp_hits[m]) continue;
      size_t j = ncamp++;
      while (j > 0 && m != EXH_NCAMPAIGNS &&
             (camp_hits[order[j - 1]] < camp_hits[m] ||
              (camp_hits[order[j - 1]] == camp_hits[m] && camp_first[order[j - 1]] > camp_first[m]))) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = m;
    }
    size_t hi = sv->nfindings[EXH_LEVEL_HIGH] + sv->nfindings[EXH_LEVEL_CRITICAL];
    size_t lo = sv->nfindings[EXH_LEVEL_LOW] + sv->nfindings[EXH_LEVEL_MEDIUM];
    if (hi) {
      sv->verdict = EXH_VERDICT_COMPROMISED;
      if (ncve) {
        exh__buf_adds(&why, "successful exploitation traces");
        for (size_t o = 0; o < ncamp; o++) {
          size_t g = order[o];
          exh__buf_printf(&why, "%s of %s: ", o ? ";" : "", g < EXH_NCAMPAIGNS ? exh__campaign_name(g) : "other CVEs");
          size_t shown = 0;
          for (size_t k = 0; k < ncve; k++) {
            if (gcve[k] != g) continue;
            char t[32];
            exh__format_iso8601(first[k], t);
            exh__buf_printf(&why, "%s%s (%zu finding%s, first %s)", shown++ ? ", " : "", cves[k], counts[k],
                            counts[k] == 1 ? "" : "s", t);
          }
        }
      } else {
        exh__buf_printf(&why, "%zu high or critical finding%s", hi, hi == 1 ? "" : "s");
      }
    } else if (lo) {
      sv->verdict = EXH_VERDICT_SUSPICIOUS;
      exh__buf_printf(&why, "%zu low or medium finding%s (failed attempts or probes), no successful exploitation trace",
                     lo, lo == 1 ? "" : "s");
    } else {
      sv->verdict = EXH_VERDICT_CLEAN;
      exh__buf_adds(&why, "no finding in the logs and files read; see the log window for how far back that reaches");
    }
    free(sv->reason);
    sv->reason = exh__buf_take(&why);
  }
}
