/* Correlation: verdicts, coverage, campaigns, stories, attackers. Fed the
 * result model (core/result.h) and the evidence's notes; calls nothing
 * above it. Internal to the library: exh__ names (docs/architecture.md). */
#ifndef EXH_CORRELATE_H
#define EXH_CORRELATE_H

#include <stddef.h>

#include "../core/evidence.h"
#include "../core/result.h"
#include "exhunt/exhunt.h"

/* Labels that agree with the evidence (correlate/labels.c): the server's
 * own addresses moved out of the findings' clients, ProxyShell-shaped
 * requests on builds patched for ProxyShell relabelled. Runs first. */
void exh__correlate_labels(exh_result *r);
/* Correlation (correlate/verdict.c): escalations and the verdicts that
 * findings give (compromised, exploitation attempted). */
void exh__correlate(exh_result *r);
/* Findings of a shadow copy identical to the live volume's: merged into
 * the live one, the snapshot's path listed (snapshots.c). */
void exh__correlate_snapshots(exh_result *r);
/* Coverage (correlate/coverage.c): one row per class of evidence read,
 * noted per evidence file during the merge; then the expected classes
 * that are absent; then each campaign's state and the verdicts of servers
 * without findings (earned clean, cannot tell, no evidence examined). */
/* kind_rules[k]: the rules or checks that read evidence of kind k. */
void exh__coverage_note(exh_result *r, size_t *cap, const exh_evidence *ev, const size_t *kind_rules);
void exh__coverage_finish(exh_result *r, size_t *cap, const exh_walk_server *srv, size_t nsrv);
void exh__correlate_verdicts(exh_result *r, const exh_ruleset *rs);
/* The campaigns a finding counts for, one rule for the campaign table and
 * the verdict's reason (coverage.c): EXH_NCAMPAIGNS campaigns by index;
 * ctx is exh__campaign_context's of the finding's server. */
#define EXH_NCAMPAIGNS 4
const char *exh__campaign_name(size_t k);
int exh__campaign_has_cve(size_t k, const char *cve);
unsigned exh__campaign_context(const exh_result *r, size_t server);
int exh__finding_in_campaign(const exh_finding *f, size_t k, unsigned ctx);
/* The release of the update that fixes the last of a campaign's CVEs, in
 * ms since the epoch, or EXH_TIME_UNKNOWN for a name not in the table. */
int64_t exh__campaign_fixed_ms(const char *campaign);
/* The story of each file finding: the request that wrote it, who used it. */
void exh__correlate_story(exh_result *r);
/* Findings grouped by client address per server (exh_result.actors). */
void exh__correlate_actors(exh_result *r);

#endif
