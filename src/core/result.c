/* The public face of the result model (core/result.h): the accessors of
 * include/exhunt/exhunt.h, exh_result_free and the exit status. Every
 * accessor reads one field; an index past the end gives NULL. */
#include "result.h"

#include <stdlib.h>

#include "evidence.h"

/* ---- rules ---------------------------------------------------------------- */

const char *exh_rule_info_id(const exh_rule_info *ri) { return ri->id; }
const char *exh_rule_info_title(const exh_rule_info *ri) { return ri->title; }
const char *exh_rule_info_description(const exh_rule_info *ri) { return ri->description; }
const char *exh_rule_info_source(const exh_rule_info *ri) { return ri->source; }
const char *exh_rule_info_dataset(const exh_rule_info *ri) { return ri->dataset; }
exh_level exh_rule_info_level(const exh_rule_info *ri) { return ri->level; }
size_t exh_rule_info_ncves(const exh_rule_info *ri) { return ri->ncves; }
const char *exh_rule_info_cve(const exh_rule_info *ri, size_t i) { return i < ri->ncves ? ri->cves[i] : NULL; }
size_t exh_rule_info_ntechniques(const exh_rule_info *ri) { return ri->ntechniques; }
const char *exh_rule_info_technique(const exh_rule_info *ri, size_t i) {
  return i < ri->ntechniques ? ri->techniques[i] : NULL;
}
unsigned exh_rule_info_flags(const exh_rule_info *ri) { return ri->flags; }

/* ---- the result ------------------------------------------------------------ */

size_t exh_result_nservers(const exh_result *r) { return r->nservers; }
const exh_server *exh_result_server(const exh_result *r, size_t i) { return i < r->nservers ? &r->servers[i] : NULL; }
size_t exh_result_nfindings(const exh_result *r) { return r->nfindings; }
const exh_finding *exh_result_finding(const exh_result *r, size_t i) {
  return i < r->nfindings ? &r->findings[i] : NULL;
}
size_t exh_result_nwindows(const exh_result *r) { return r->nwindows; }
const exh_logwindow *exh_result_window(const exh_result *r, size_t i) {
  return i < r->nwindows ? &r->windows[i] : NULL;
}
size_t exh_result_ncoverage(const exh_result *r) { return r->ncoverage; }
const exh_coverage *exh_result_coverage(const exh_result *r, size_t i) {
  return i < r->ncoverage ? &r->coverage[i] : NULL;
}
size_t exh_result_nerrors(const exh_result *r) { return r->nerrors; }
const exh_file_error *exh_result_error(const exh_result *r, size_t i) { return i < r->nerrors ? &r->errors[i] : NULL; }
size_t exh_result_nactors(const exh_result *r) { return r->nactors; }
const exh_actor *exh_result_actor(const exh_result *r, size_t i) { return i < r->nactors ? &r->actors[i] : NULL; }
uint64_t exh_result_files_seen(const exh_result *r) { return r->files_seen; }
uint64_t exh_result_files_scanned(const exh_result *r) { return r->files_scanned; }
uint64_t exh_result_bytes_scanned(const exh_result *r) { return r->bytes_scanned; }
int64_t exh_result_start(const exh_result *r) { return r->scan_start_ms; }
double exh_result_seconds(const exh_result *r) { return r->seconds; }
size_t exh_result_rules_sigma(const exh_result *r) { return r->rules_sigma; }
size_t exh_result_rules_yara(const exh_result *r) { return r->rules_yara; }
size_t exh_result_indicators(const exh_result *r) { return r->indicators; }
size_t exh_result_baseline_rows(const exh_result *r) { return r->baseline_rows; }
const char *exh_finding_original_path(const exh_finding *f) { return f->original_path; }
size_t exh_finding_nalso(const exh_finding *f) { return f->nalso; }
const char *exh_finding_also(const exh_finding *f, size_t i) { return i < f->nalso ? f->also[i] : NULL; }
size_t exh_result_nrule_sets(const exh_result *r) { return r->nrule_sets; }
const exh_rule_set *exh_result_rule_set(const exh_result *r, size_t i) {
  return i < r->nrule_sets ? r->rule_sets[i] : NULL;
}

/* ---- a server --------------------------------------------------------------- */

const char *exh_server_name(const exh_server *s) { return s->name; }
const char *exh_server_root(const exh_server *s) { return s->root; }
const char *exh_server_root_error(const exh_server *s) { return s->root_error; }
exh_verdict exh_server_verdict(const exh_server *s) { return s->verdict; }
const char *exh_server_reason(const exh_server *s) { return s->reason; }
const char *exh_server_limits(const exh_server *s) { return s->limits; }
size_t exh_server_nlevel(const exh_server *s, exh_level l) {
  return (unsigned)l < EXH_NLEVELS ? s->nfindings[l] : 0;
}
size_t exh_server_ncampaigns(const exh_server *s) { return s->ncampaigns; }
const exh_campaign *exh_server_campaign(const exh_server *s, size_t i) {
  return i < s->ncampaigns ? &s->campaigns[i] : NULL;
}
const char *exh_server_build(const exh_server *s) { return s->build; }
const char *exh_server_build_source(const exh_server *s) { return s->build_source; }
const char *exh_server_product(const exh_server *s) { return s->product; }
size_t exh_server_ncves(const exh_server *s) { return s->ncves; }
const exh_cve_status *exh_server_cve(const exh_server *s, size_t i) { return i < s->ncves ? &s->cves[i] : NULL; }
size_t exh_server_nbuilds_seen(const exh_server *s) { return s->nbuilds_seen; }
const exh_build_seen *exh_server_build_seen(const exh_server *s, size_t i) {
  return i < s->nbuilds_seen ? &s->builds_seen[i] : NULL;
}

const char *exh_campaign_name(const exh_campaign *c) { return c->campaign; }
exh_campaign_state exh_campaign_state_of(const exh_campaign *c) { return c->state; }
const char *exh_campaign_why(const exh_campaign *c) { return c->why; }
int64_t exh_campaign_exposure_first(const exh_campaign *c) { return c->exposure_first_ms; }
int64_t exh_campaign_exposure_last(const exh_campaign *c) { return c->exposure_last_ms; }
int64_t exh_campaign_covered_first(const exh_campaign *c) { return c->covered_first_ms; }
int64_t exh_campaign_covered_last(const exh_campaign *c) { return c->covered_last_ms; }
size_t exh_campaign_nrules(const exh_campaign *c) { return c->nrules; }

const char *exh_cve_status_id(const exh_cve_status *c) { return c->cve; }
const char *exh_cve_status_campaign(const exh_cve_status *c) { return c->campaign; }
exh_patch exh_cve_status_patch(const exh_cve_status *c) { return c->status; }
const char *exh_cve_status_why(const exh_cve_status *c) { return c->why; }

const char *exh_build_seen_build(const exh_build_seen *b) { return b->build; }
int64_t exh_build_seen_first(const exh_build_seen *b) { return b->first_ms; }
int64_t exh_build_seen_last(const exh_build_seen *b) { return b->last_ms; }
uint32_t exh_build_seen_files(const exh_build_seen *b) { return b->files; }

/* ---- a finding --------------------------------------------------------------- */

size_t exh_finding_server(const exh_finding *f) { return f->server; }
const exh_rule_info *exh_finding_rule(const exh_finding *f) { return f->rule; }
exh_level exh_finding_level(const exh_finding *f) { return f->level; }
int64_t exh_finding_time(const exh_finding *f) { return f->time_ms; }
const char *exh_finding_message(const exh_finding *f) { return f->message; }
const char *exh_finding_dataset(const exh_finding *f) { return f->dataset; }
const char *exh_finding_path(const exh_finding *f) { return f->path; }
int exh_finding_is_file(const exh_finding *f) { return f->is_file; }
uint64_t exh_finding_offset(const exh_finding *f) { return f->offset; }
uint64_t exh_finding_line(const exh_finding *f) { return f->line; }
uint64_t exh_finding_record_id(const exh_finding *f) { return f->record_id; }
const char *exh_finding_evidence(const exh_finding *f, size_t *len, int *truncated) {
  *len = f->evidence ? f->evidence_len : 0;
  if (truncated) *truncated = f->evidence_truncated;
  return f->evidence;
}
size_t exh_finding_ncves(const exh_finding *f) { return f->cves ? f->ncves : f->rule->ncves; }
const char *exh_finding_cve(const exh_finding *f, size_t i) {
  return i < exh_finding_ncves(f) ? (f->cves ? f->cves[i] : f->rule->cves[i]) : NULL;
}
const char *exh_finding_source_ip(const exh_finding *f) { return f->source_ip; }
const char *exh_finding_hop_ip(const exh_finding *f) { return f->hop_ip; }
const char *exh_finding_address_note(const exh_finding *f) { return f->addr_note; }
const char *exh_finding_url(const exh_finding *f) { return f->url; }
const char *exh_finding_user_agent(const exh_finding *f) { return f->user_agent; }
const char *exh_finding_user_name(const exh_finding *f) { return f->user_name; }
const char *exh_finding_http_method(const exh_finding *f) { return f->http_method; }
int exh_finding_http_status(const exh_finding *f) { return f->http_status; }
uint64_t exh_finding_file_size(const exh_finding *f) { return f->file_size; }
int64_t exh_finding_file_mtime(const exh_finding *f) { return f->file_mtime_ms; }
const char *exh_finding_sha256(const exh_finding *f) { return f->file_sha256; }
const char *exh_finding_sha1(const exh_finding *f) { return f->file_sha1; }
const char *exh_finding_md5(const exh_finding *f) { return f->file_md5; }
const char *exh_finding_indicator(const exh_finding *f) { return f->ioc_value; }
const char *exh_finding_indicator_source(const exh_finding *f) { return f->ioc_source; }
const char *exh_finding_indicator_type(const exh_finding *f) { return f->ioc_type; }
const char *exh_finding_story(const exh_finding *f) { return f->story; }

/* ---- windows, coverage, errors, actors ---------------------------------------- */

size_t exh_logwindow_server(const exh_logwindow *w) { return w->server; }
const char *exh_logwindow_folder(const exh_logwindow *w) { return w->folder; }
const char *exh_logwindow_kind(const exh_logwindow *w) { return w->kind; }
int64_t exh_logwindow_first(const exh_logwindow *w) { return w->first_ms; }
int64_t exh_logwindow_last(const exh_logwindow *w) { return w->last_ms; }
uint32_t exh_logwindow_files(const exh_logwindow *w) { return w->files; }
uint64_t exh_logwindow_bytes(const exh_logwindow *w) { return w->bytes; }
uint64_t exh_logwindow_records(const exh_logwindow *w) { return w->records; }

size_t exh_coverage_server(const exh_coverage *c) { return c->server; }
const char *exh_coverage_class(const exh_coverage *c) { return c->cls; }
const char *exh_coverage_item(const exh_coverage *c) { return c->item; }
const char *exh_coverage_label(const exh_coverage *c) { return c->label; }
int exh_coverage_present(const exh_coverage *c) { return c->present; }
int64_t exh_coverage_first(const exh_coverage *c) { return c->first_ms; }
int64_t exh_coverage_last(const exh_coverage *c) { return c->last_ms; }
uint32_t exh_coverage_files(const exh_coverage *c) { return c->files; }
uint64_t exh_coverage_bytes(const exh_coverage *c) { return c->bytes; }
uint64_t exh_coverage_records(const exh_coverage *c) { return c->records; }
uint32_t exh_coverage_errors(const exh_coverage *c) { return c->errors; }
size_t exh_coverage_rules(const exh_coverage *c) { return c->rules; }

size_t exh_file_error_server(const exh_file_error *e) { return e->server; }
const char *exh_file_error_path(const exh_file_error *e) { return e->path; }
const char *exh_file_error_reason(const exh_file_error *e) { return e->reason; }
int exh_file_error_skipped(const exh_file_error *e) { return e->skipped; }

size_t exh_actor_server(const exh_actor *a) { return a->server; }
const char *exh_actor_ip(const exh_actor *a) { return a->ip; }
int64_t exh_actor_first(const exh_actor *a) { return a->first_ms; }
int64_t exh_actor_last(const exh_actor *a) { return a->last_ms; }
size_t exh_actor_nfindings(const exh_actor *a) { return a->nfindings; }
size_t exh_actor_nlevel(const exh_actor *a, exh_level l) { return (unsigned)l < EXH_NLEVELS ? a->nlevel[l] : 0; }
size_t exh_actor_ncves(const exh_actor *a) { return a->ncves; }
const char *exh_actor_cve(const exh_actor *a, size_t i) { return i < a->ncves ? a->cves[i] : NULL; }
size_t exh_actor_nrules(const exh_actor *a) { return a->nrules; }
const char *exh_actor_rule(const exh_actor *a, size_t i) { return i < a->nrules ? a->rules[i] : NULL; }

/* ---- freeing, exit status ------------------------------------------------------ */

void exh_result_free(exh_result *r) {
  if (!r) return;
  for (size_t i = 0; i < r->nfindings; i++) exh__finding_release(&r->findings[i]);
  free(r->findings);
  for (size_t i = 0; i < r->nactors; i++) free(r->actors[i].ip);
  free(r->actors);
  for (size_t i = 0; i < r->nwindows; i++) free(r->windows[i].folder);
  free(r->windows);
  for (size_t i = 0; i < r->ncoverage; i++) {
    free(r->coverage[i].item);
    free(r->coverage[i].label);
  }
  free(r->coverage);
  for (size_t i = 0; i < r->nown_addrs; i++) free(r->own_addrs[i]);
  free(r->own_addrs);
  free(r->own_addr_servers);
  for (size_t i = 0; i < r->nerrors; i++) {
    free(r->errors[i].path);
    free(r->errors[i].reason);
  }
  free(r->errors);
  free(r->rule_sets);
  for (size_t i = 0; i < r->nservers; i++) {
    exh_server *s = &r->servers[i];
    free(s->name);
    free(s->root);
    free(s->reason);
    free(s->limits);
    free(s->root_error);
    for (size_t k = 0; k < s->ncampaigns; k++) free(s->campaigns[k].why);
    free(s->campaigns);
    free(s->build);
    free(s->cves);
    for (size_t k = 0; k < s->nbuilds_seen; k++) free(s->builds_seen[k].build);
    free(s->builds_seen);
  }
  free(r->servers);
  free(r);
}

int exh_result_exit_code_strict(const exh_result *r, int strict) {
  for (size_t i = 0; i < r->nservers; i++)
    if (r->servers[i].root_error) return 2;
  if (strict)
    for (size_t i = 0; i < r->nerrors; i++)
      if (!r->errors[i].skipped) return 2;
  for (size_t i = 0; i < r->nfindings; i++)
    if (r->findings[i].level >= EXH_LEVEL_LOW) return 1;
  for (size_t i = 0; i < r->nservers; i++)
    if (r->servers[i].verdict == EXH_VERDICT_CANNOT_TELL || r->servers[i].verdict == EXH_VERDICT_NOTHING_EXAMINED)
      return 3;
  return 0;
}

int exh_result_exit_code(const exh_result *r) { return exh_result_exit_code_strict(r, 0); }
