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

/* The campaign a CVE belongs to (checks/build.c's table), "other" else. */
static const char *campaign_of(const char *cve) {
  const char *c = exh__build_cve_campaign(cve);
  return c ? c : "other CVEs";
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
    /* CVEs with successful traces, grouped by campaign: the campaign with
     * the most such findings leads (then the earliest), its CVEs in
     * first-seen order, so the reason names first what the evidence
     * supports best (a relabelled finding counts for its new campaign) */
    const char *cves[16], *camps[16];
    size_t ncve = 0, ncamp = 0, counts[16] = {0}, camp_hits[16] = {0};
    int64_t first[16], camp_first[16];
    for (size_t i = 0; i < r->nfindings; i++) {
      const exh_finding *f = &r->findings[i];
      if (f->server != s) continue;
      sv->nfindings[f->level]++;
      if (f->level < EXH_LEVEL_HIGH) continue;
      const char *seen_camp[16];
      size_t nseen = 0;
      for (size_t c = 0; c < exh_finding_ncves(f); c++) {
        const char *id = exh_finding_cve(f, c);
        size_t k = 0;
        while (k < ncve && strcmp(cves[k], id)) k++;
        if (k == ncve) {
          if (ncve == 16) continue;
          cves[ncve] = id;
          first[ncve] = f->time_ms;
          ncve++;
        }
        counts[k]++;
        if (f->time_ms != EXH_TIME_UNKNOWN && (first[k] == EXH_TIME_UNKNOWN || f->time_ms < first[k]))
          first[k] = f->time_ms;
        const char *cn = campaign_of(id);
        size_t m = 0;
        while (m < ncamp && strcmp(camps[m], cn)) m++;
        if (m == ncamp) {
          if (ncamp == 16) continue;
          camps[ncamp] = cn;
          camp_first[ncamp] = f->time_ms;
          ncamp++;
        }
        size_t q = 0;
        while (q < nseen && strcmp(seen_camp[q], cn)) q++;
        if (q == nseen && nseen < 16) { /* a finding counts once per campaign */
          seen_camp[nseen++] = cn;
          camp_hits[m]++;
        }
        if (f->time_ms != EXH_TIME_UNKNOWN && (camp_first[m] == EXH_TIME_UNKNOWN || f->time_ms < camp_first[m]))
          camp_first[m] = f->time_ms;
      }
    }
    /* campaigns by findings (most first), then first time: insertion sort */
    size_t order[16];
    for (size_t m = 0; m < ncamp; m++) {
      size_t j = m;
      while (j > 0 && (camp_hits[order[j - 1]] < camp_hits[m] ||
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
          const char *cn = camps[order[o]];
          exh__buf_printf(&why, "%s of %s: ", o ? ";" : "", cn);
          size_t shown = 0;
          for (size_t k = 0; k < ncve; k++) {
            if (strcmp(campaign_of(cves[k]), cn)) continue;
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
