/* The fleet table's rows (fleet.h), from the public accessors only. */
#include "fleet.h"

#include <stdio.h>
#include <string.h>

#include "../util/util.h"

static void add(char *b, size_t n, const char *s) {
  size_t k = strlen(b);
  if (k + 1 < n) snprintf(b + k, n - k, "%s", s);
}

size_t *exh__fleet_order(const exh_result *r) {
  static const exh_verdict order[] = {EXH_VERDICT_COMPROMISED, EXH_VERDICT_SUSPICIOUS, EXH_VERDICT_CANNOT_TELL,
                                      EXH_VERDICT_NOTHING_EXAMINED, EXH_VERDICT_CLEAN};
  size_t n = exh_result_nservers(r), k = 0;
  size_t *idx = exh__xcalloc(n ? n : 1, sizeof *idx);
  for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
    for (size_t i = 0; i < n; i++)
      if (exh_server_verdict(exh_result_server(r, i)) == order[o]) idx[k++] = i;
  return idx;
}

void exh__fleet_counts(const exh_result *r, size_t counts[5]) {
  memset(counts, 0, 5 * sizeof counts[0]);
  for (size_t i = 0; i < exh_result_nservers(r); i++) {
    exh_verdict v = exh_server_verdict(exh_result_server(r, i));
    if ((int)v >= 0 && (int)v < 5) counts[v]++;
  }
}

void exh__fleet_row(const exh_result *r, size_t i, exh_fleet_row *row) {
  memset(row, 0, sizeof *row);
  const exh_server *S = exh_result_server(r, i);
  row->server = S;
  row->index = i;
  row->verdict = exh_server_verdict(S);
  /* campaigns: compromised first, then attempted */
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < exh_server_ncampaigns(S); k++) {
      const exh_campaign *c = exh_server_campaign(S, k);
      exh_campaign_state st = exh_campaign_state_of(c);
      if ((pass == 0 && st != EXH_CAMPAIGN_COMPROMISED) || (pass == 1 && st != EXH_CAMPAIGN_ATTEMPTED)) continue;
      if (row->campaigns[0]) add(row->campaigns, sizeof row->campaigns, ", ");
      add(row->campaigns, sizeof row->campaigns, exh_campaign_name(c));
      if (pass == 1) add(row->campaigns, sizeof row->campaigns, " attempted");
    }
  /* attacker activity */
  row->first = row->last = EXH_TIME_UNKNOWN;
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) != i) continue;
    int64_t f = exh_actor_first(a), l = exh_actor_last(a);
    if (f != EXH_TIME_UNKNOWN && (row->first == EXH_TIME_UNKNOWN || f < row->first)) row->first = f;
    if (l != EXH_TIME_UNKNOWN && (row->last == EXH_TIME_UNKNOWN || l > row->last)) row->last = l;
  }
  if (row->first == EXH_TIME_UNKNOWN) /* no client address: the findings (events, files) */
    for (size_t k = 0; k < exh_result_nfindings(r); k++) {
      const exh_finding *f = exh_result_finding(r, k);
      if (exh_finding_server(f) != i || exh_finding_level(f) < EXH_LEVEL_LOW) continue;
      int64_t t = exh_finding_time(f);
      if (t == EXH_TIME_UNKNOWN) continue;
      if (row->first == EXH_TIME_UNKNOWN || t < row->first) row->first = t;
      if (row->last == EXH_TIME_UNKNOWN || t > row->last) row->last = t;
    }
  /* patch level: the worst of the CVEs */
  row->patch = EXH_PATCH_UNKNOWN;
  int fixed = 0, unknown = 0;
  for (size_t k = 0; k < exh_server_ncves(S); k++) {
    exh_patch p = exh_cve_status_patch(exh_server_cve(S, k));
    if (p == EXH_PATCH_VULNERABLE) row->patch = EXH_PATCH_VULNERABLE;
    else if (p == EXH_PATCH_FIXED) fixed++;
    else unknown++;
  }
  if (row->patch != EXH_PATCH_VULNERABLE && fixed && !unknown) row->patch = EXH_PATCH_FIXED;
  /* log window */
  row->log_first = row->log_last = EXH_TIME_UNKNOWN;
  for (size_t k = 0; k < exh_result_nwindows(r); k++) {
    const exh_logwindow *w = exh_result_window(r, k);
    if (exh_logwindow_server(w) != i) continue;
    int64_t f = exh_logwindow_first(w), l = exh_logwindow_last(w);
    if (f != EXH_TIME_UNKNOWN && (row->log_first == EXH_TIME_UNKNOWN || f < row->log_first)) row->log_first = f;
    if (l != EXH_TIME_UNKNOWN && (row->log_last == EXH_TIME_UNKNOWN || l > row->log_last)) row->log_last = l;
  }
  /* coverage: what was read, by class */
  int hp = 0, rps = 0, iis = 0, ecp = 0, web = 0, web_expected = 0, stg = 0, exs = 0, ev_present = 0, ev_expected = 0;
  for (size_t k = 0; k < exh_result_ncoverage(r); k++) {
    const exh_coverage *c = exh_result_coverage(r, k);
    if (exh_coverage_server(c) != i) continue;
    const char *cl = exh_coverage_class(c);
    int p = exh_coverage_present(c);
    if (!strcmp(cl, "httpproxy")) hp |= p;
    else if (!strcmp(cl, "iis")) iis |= p;
    else if (!strcmp(cl, "ecp_server")) ecp |= p;
    else if (!strcmp(cl, "rps_http")) rps |= p;
    else if (!strcmp(cl, "web_files")) { /* the web roots: the three expected ones */
      int expected = !strcmp(exh_coverage_item(c), "inetpub/wwwroot") ||
                     !strcmp(exh_coverage_item(c), "FrontEnd/HttpProxy") || !strcmp(exh_coverage_item(c), "ClientAccess");
      web_expected += expected;
      web += expected && p;
    }
    else if (!strcmp(cl, "staging_files")) stg |= p;
    else if (!strcmp(cl, "exsetup")) exs |= p;
    else if (!strcmp(cl, "windows_events")) ev_expected++, ev_present += p;
  }
  char evs[32], webs[32];
  snprintf(evs, sizeof evs, "events %d/%d", ev_present, ev_expected);
  if (web == web_expected) snprintf(webs, sizeof webs, "web");
  else snprintf(webs, sizeof webs, "web %d/%d", web, web_expected); /* web roots read of the expected */
  const char *parts[] = {hp ? "HttpProxy" : NULL, rps ? "Rps_Http" : NULL, ecp ? "ECP" : NULL, iis ? "IIS" : NULL,
                         ev_present ? evs : NULL, web ? webs : NULL, stg ? "staging" : NULL,
                         exs ? "ExSetup" : NULL};
  for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
    if (parts[k]) {
      if (row->coverage[0]) add(row->coverage, sizeof row->coverage, " ");
      add(row->coverage, sizeof row->coverage, parts[k]);
    }
  if (!row->coverage[0]) snprintf(row->coverage, sizeof row->coverage, "nothing read");
}
