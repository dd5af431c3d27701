/* JSON Lines report with Elastic Common Schema names as nested objects.
 * The contract (README "JSONL contract") is stable: one object per finding
 * (event.kind "alert"), then state objects (verdict with the campaigns and
 * the patch level and coverage per server, attackers, the log window), then
 * one "pipeline_error" object per file that could not be read.
 * Every string goes through out_json (exh__json_buf escapes, invalid UTF-8 -> U+FFFD).
 *
 * Every line names the ECS version its fields follow (EXH_ECS_VERSION) and
 * fits the index template contrib/elastic/exhunt-template.json, field by
 * field (ctest ecs_template): a field added here is added there too. */
#include <stdio.h>
#include <string.h>

#include "fleet.h"
#include "ip.h"
#include "out.h"
#include "report.h"

/* The ECS release whose field names and types the lines use (ecs.version;
 * contrib/elastic/ maps them as that release's templates do). */
#define EXH_ECS_VERSION "8.11.0"

typedef struct jw {
  exh_out *f;
  int first[16];
  int depth;
} jw;

static void j_open(jw *j) {
  out_putc(j->f, '{');
  j->first[++j->depth] = 1;
}
static void j_close(jw *j) {
  out_putc(j->f, '}');
  j->depth--;
}
static void j_key(jw *j, const char *k) {
  if (!j->first[j->depth]) out_putc(j->f, ',');
  j->first[j->depth] = 0;
  out_json(j->f, k, strlen(k));
  out_putc(j->f, ':');
}
static void j_obj(jw *j, const char *k) {
  j_key(j, k);
  j_open(j);
}
static void j_str(jw *j, const char *k, const char *v) {
  if (!v) return;
  j_key(j, k);
  out_json(j->f, v, strlen(v));
}
static void j_strn(jw *j, const char *k, const char *v, size_t n) {
  j_key(j, k);
  out_json(j->f, v, n);
}
static void j_int(jw *j, const char *k, long long v) {
  j_key(j, k);
  exh__out_printf(j->f, "%lld", v);
}
static void j_bool(jw *j, const char *k, int v) {
  j_key(j, k);
  out_puts(j->f, v ? "true" : "false");
}
static void j_time(jw *j, const char *k, int64_t ms) {
  char t[32];
  if (ms == EXH_TIME_UNKNOWN) {
    j_key(j, k);
    out_puts(j->f, "null");
    return;
  }
  exh__format_iso8601(ms, t);
  j_str(j, k, t);
}
/* An array of strings, item by item: j_arr_begin, j_arr_item for each (i
 * from 0), j_arr_end. */
static void j_arr_begin(jw *j, const char *k) {
  j_key(j, k);
  out_putc(j->f, '[');
}
static void j_arr_item(jw *j, size_t i, const char *v) {
  if (i) out_putc(j->f, ',');
  out_json(j->f, v, strlen(v));
}
static void j_arr_end(jw *j) { out_putc(j->f, ']'); }

/* Ends a line's top-level object: every line carries ecs.version. */
static void j_end_line(jw *j) {
  j_obj(j, "ecs");
  j_str(j, "version", EXH_ECS_VERSION);
  j_close(j);
  j_close(j);
  out_putc(j->f, '\n');
}

/* source.ip (and .port) when the client address as logged parses (ip.h),
 * related.ip with it; nothing when it does not (the text then goes to
 * exhunt.source_address: source_text). */
static void source_ip(jw *j, const exh_ip *ip) {
  if (!ip->family) return;
  j_obj(j, "source");
  j_str(j, "ip", ip->text);
  if (ip->port >= 0) j_int(j, "port", ip->port);
  j_close(j);
  j_obj(j, "related");
  j_arr_begin(j, "ip");
  j_arr_item(j, 0, ip->text);
  j_arr_end(j);
  j_close(j);
}
/* Inside exhunt: the address as logged, when source.ip is not exactly it
 * (not an address at all, or with a port, brackets, a zone, other case). */
static void source_text(jw *j, const char *s, const exh_ip *ip) {
  if (s && !ip->exact) j_str(j, "source_address", s);
}

/* ECS threat.indicator.type (STIX 2 cyber observable names, ECS 8.11's
 * expected values) for exhunt's indicator types (checks/ioc.c type_names):
 * hashes, paths and names are files; an address is ipv4-addr or ipv6-addr
 * by its value. NULL when none fits. */
static const char *ecs_indicator_type(const char *t, const char *value, exh_ip *ip) {
  static const char *const files[] = {"sha256", "sha1", "md5", "path", "name", "filename"};
  if (!t) return NULL;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    if (!strcmp(t, files[i])) return "file";
  if (!strcmp(t, "ip")) {
    int fam = exh__ip_parse(value, ip);
    return fam == 4 ? "ipv4-addr" : fam == 6 ? "ipv6-addr" : NULL;
  }
  return NULL;
}

/* ECS threat.indicator.* for the indicator that fired (exhunt's own type
 * stays in exhunt.indicator_type). */
static void indicator(jw *j, const exh_finding *f) {
  exh_ip ip;
  memset(&ip, 0, sizeof ip);
  const char *type = ecs_indicator_type(exh_finding_indicator_type(f), exh_finding_indicator(f), &ip);
  j_obj(j, "indicator");
  j_str(j, "type", type);
  j_str(j, "description", exh_finding_indicator(f));
  j_str(j, "reference", exh_finding_indicator_source(f));
  if (ip.family) j_str(j, "ip", ip.text);
  j_close(j);
}

static void finding(jw *j, const exh_result *r, const exh_finding *f) {
  const exh_rule_info *ri = exh_finding_rule(f);
  int64_t t = exh_finding_time(f);
  exh_level lv = exh_finding_level(f);
  int file = exh_finding_is_file(f);
  size_t evn;
  int evcut;
  const char *ev = exh_finding_evidence(f, &evn, &evcut);
  exh_ip ip;
  exh__ip_parse(exh_finding_source_ip(f), &ip);
  j_open(j);
  j_time(j, "@timestamp", t != EXH_TIME_UNKNOWN ? t : exh_result_start(r));
  j_str(j, "message", exh_finding_message(f));
  j_obj(j, "event");
  j_str(j, "kind", "alert");
  j_int(j, "severity", exh_level_severity(lv));
  j_str(j, "dataset", exh_finding_dataset(f));
  j_close(j);
  j_obj(j, "rule");
  j_str(j, "id", exh_rule_info_id(ri));
  j_str(j, "name", exh_rule_info_title(ri));
  j_str(j, "ruleset", strncmp(exh_rule_info_source(ri), "builtin:", 8) ? "user" : "exhunt");
  j_close(j);
  if (exh_finding_ncves(f)) {
    j_obj(j, "vulnerability");
    j_arr_begin(j, "id");
    for (size_t i = 0; i < exh_finding_ncves(f); i++) j_arr_item(j, i, exh_finding_cve(f, i));
    j_arr_end(j);
    j_close(j);
  }
  if (exh_rule_info_ntechniques(ri)) {
    j_obj(j, "threat");
    j_obj(j, "technique");
    j_arr_begin(j, "id");
    for (size_t i = 0; i < exh_rule_info_ntechniques(ri); i++) j_arr_item(j, i, exh_rule_info_technique(ri, i));
    j_arr_end(j);
    j_close(j);
    if (exh_finding_indicator(f)) indicator(j, f);
    j_close(j);
  } else if (exh_finding_indicator(f)) {
    j_obj(j, "threat");
    indicator(j, f);
    j_close(j);
  }
  j_obj(j, "host");
  j_str(j, "name", exh_server_name(exh_result_server(r, exh_finding_server(f))));
  j_close(j);
  source_ip(j, &ip);
  if (exh_finding_url(f)) {
    j_obj(j, "url");
    j_str(j, "original", exh_finding_url(f));
    j_close(j);
  }
  if (exh_finding_user_agent(f)) {
    j_obj(j, "user_agent");
    j_str(j, "original", exh_finding_user_agent(f));
    j_close(j);
  }
  if (exh_finding_user_name(f)) {
    j_obj(j, "user");
    j_str(j, "name", exh_finding_user_name(f));
    j_close(j);
  }
  const char *method = exh_finding_http_method(f);
  int status = exh_finding_http_status(f);
  if (method || status) {
    j_obj(j, "http");
    if (method) {
      j_obj(j, "request");
      j_str(j, "method", method);
      j_close(j);
    }
    if (status) {
      j_obj(j, "response");
      j_int(j, "status_code", status);
      j_close(j);
    }
    j_close(j);
  }
  if (file) {
    const char *sha256 = exh_finding_sha256(f), *sha1 = exh_finding_sha1(f), *md5 = exh_finding_md5(f);
    j_obj(j, "file");
    j_str(j, "path", exh_finding_path(f));
    j_int(j, "size", (long long)exh_finding_file_size(f));
    j_time(j, "mtime", exh_finding_file_mtime(f));
    if (sha256 || sha1 || md5) {
      j_obj(j, "hash");
      if (md5) j_str(j, "md5", md5);
      if (sha1) j_str(j, "sha1", sha1);
      if (sha256) j_str(j, "sha256", sha256);
      j_close(j);
    }
    j_close(j);
  } else {
    j_obj(j, "log");
    j_obj(j, "file");
    j_str(j, "path", exh_finding_path(f));
    j_close(j);
    j_int(j, "offset", (long long)exh_finding_offset(f));
    j_close(j);
  }
  j_obj(j, "exhunt");
  j_str(j, "level", exh_level_name(lv));
  if (exh_finding_story(f)) j_str(j, "story", exh_finding_story(f));
  if (exh_finding_original_path(f)) j_str(j, "original_path", exh_finding_original_path(f));
  if (exh_finding_nalso(f)) { /* the same finding in shadow copies of the volume */
    j_arr_begin(j, "also_at");
    for (size_t i = 0; i < exh_finding_nalso(f); i++) j_arr_item(j, i, exh_finding_also(f, i));
    j_arr_end(j);
  }
  source_text(j, exh_finding_source_ip(f), &ip);
  if (exh_finding_indicator(f)) j_str(j, "indicator_type", exh_finding_indicator_type(f));
  /* the server's own address the log named as the client (not an attacker) */
  if (exh_finding_hop_ip(f)) j_str(j, "hop_ip", exh_finding_hop_ip(f));
  /* what the hop or the client is (another scanned server, a proxy) */
  if (exh_finding_address_note(f)) j_str(j, "address_note", exh_finding_address_note(f));
  if (file && ev) {
    j_int(j, "match_offset", (long long)exh_finding_offset(f));
    j_strn(j, "evidence", ev, evn);
  }
  if (!file) {
    if (exh_finding_line(f)) j_int(j, "line", (long long)exh_finding_line(f));
    if (exh_finding_record_id(f)) j_int(j, "record_id", (long long)exh_finding_record_id(f));
    j_strn(j, "evidence", ev, evn);
    if (evcut) j_bool(j, "evidence_truncated", 1);
  }
  if (t == EXH_TIME_UNKNOWN) j_bool(j, "time_unknown", 1);
  j_str(j, "rule_source", exh_rule_info_source(ri));
  j_close(j);
  j_end_line(j);
}

/* One state object per server: the build and, per CVE, patched or not. */
static void patch_level(jw *j, const exh_result *r, const exh_server *sv) {
  const char *name = exh_server_name(sv), *build = exh_server_build(sv), *product = exh_server_product(sv);
  j_open(j);
  j_time(j, "@timestamp", exh_result_start(r));
  char msg[200];
  size_t nv = 0, ncves = exh_server_ncves(sv);
  for (size_t i = 0; i < ncves; i++) nv += exh_cve_status_patch(exh_server_cve(sv, i)) == EXH_PATCH_VULNERABLE;
  if (build)
    snprintf(msg, sizeof msg, "build of %.60s: %.30s (%s), vulnerable to %zu of %zu CVEs checked", name, build,
             product ? product : "unknown product", nv, ncves);
  else
    snprintf(msg, sizeof msg, "build of %.60s: unknown (no ExSetup.exe, OWA build folder or Exchange log)", name);
  j_str(j, "message", msg);
  j_obj(j, "event");
  j_str(j, "kind", "state");
  j_str(j, "dataset", "exhunt.build");
  j_close(j);
  j_obj(j, "host");
  j_str(j, "name", name);
  j_close(j);
  if (build) {
    j_obj(j, "package");
    j_str(j, "name", product ? product : "Microsoft Exchange Server");
    j_str(j, "version", build);
    j_close(j);
  }
  j_obj(j, "exhunt");
  if (exh_server_build_source(sv)) j_str(j, "build_source", exh_server_build_source(sv));
  j_key(j, "cves");
  out_putc(j->f, '[');
  for (size_t i = 0; i < ncves; i++) {
    const exh_cve_status *c = exh_server_cve(sv, i);
    if (i) out_putc(j->f, ',');
    j_open(j);
    j_str(j, "id", exh_cve_status_id(c));
    j_str(j, "campaign", exh_cve_status_campaign(c));
    j_str(j, "status", exh_patch_name(exh_cve_status_patch(c)));
    j_str(j, "reason", exh_cve_status_why(c));
    j_close(j);
  }
  out_putc(j->f, ']');
  j_key(j, "builds_in_logs");
  out_putc(j->f, '[');
  for (size_t i = 0; i < exh_server_nbuilds_seen(sv); i++) {
    const exh_build_seen *b = exh_server_build_seen(sv, i);
    if (i) out_putc(j->f, ',');
    j_open(j);
    j_str(j, "build", exh_build_seen_build(b));
    j_time(j, "first", exh_build_seen_first(b));
    j_time(j, "last", exh_build_seen_last(b));
    j_int(j, "files", exh_build_seen_files(b));
    j_close(j);
  }
  out_putc(j->f, ']');
  j_close(j);
  j_end_line(j);
}

/* One state object per server: every class of evidence, read or absent
 * (README "JSONL contract": exhunt.coverage). */
static void coverage(jw *j, const exh_result *r, size_t s) {
  const char *name = exh_server_name(exh_result_server(r, s));
  j_open(j);
  j_time(j, "@timestamp", exh_result_start(r));
  char msg[200];
  snprintf(msg, sizeof msg, "coverage of %.100s: evidence read and not found", name);
  j_str(j, "message", msg);
  j_obj(j, "event");
  j_str(j, "kind", "state");
  j_str(j, "dataset", "exhunt.coverage");
  j_close(j);
  j_obj(j, "host");
  j_str(j, "name", name);
  j_close(j);
  j_obj(j, "exhunt");
  j_key(j, "coverage");
  out_putc(j->f, '[');
  int first = 1;
  for (size_t i = 0; i < exh_result_ncoverage(r); i++) {
    const exh_coverage *c = exh_result_coverage(r, i);
    if (exh_coverage_server(c) != s) continue;
    if (!first) out_putc(j->f, ',');
    first = 0;
    j_open(j);
    j_str(j, "class", exh_coverage_class(c));
    if (exh_coverage_item(c)[0]) j_str(j, "item", exh_coverage_item(c));
    j_str(j, "label", exh_coverage_label(c));
    j_bool(j, "present", exh_coverage_present(c));
    j_time(j, "first", exh_coverage_first(c));
    j_time(j, "last", exh_coverage_last(c));
    j_int(j, "files", exh_coverage_files(c));
    j_int(j, "bytes", (long long)exh_coverage_bytes(c));
    j_int(j, "records", (long long)exh_coverage_records(c));
    j_int(j, "errors", exh_coverage_errors(c));
    j_int(j, "rules", (long long)exh_coverage_rules(c));
    j_close(j);
  }
  out_putc(j->f, ']');
  j_obj(j, "rules");
  j_int(j, "sigma", (long long)exh_result_rules_sigma(r));
  j_int(j, "yara", (long long)exh_result_rules_yara(r));
  j_int(j, "indicators", (long long)exh_result_indicators(r));
  j_int(j, "baseline_rows", (long long)exh_result_baseline_rows(r));
  j_key(j, "sets"); /* the Sigma rule sets that ran: "no finding" is read in their context */
  out_putc(j->f, '[');
  for (size_t i = 0; i < exh_result_nrule_sets(r); i++) {
    const exh_rule_set *st = exh_result_rule_set(r, i);
    if (i) out_putc(j->f, ',');
    j_open(j);
    j_str(j, "name", exh_rule_set_name(st));
    j_str(j, "origin", exh_rule_set_origin(st));
    j_str(j, "version", exh_rule_set_version(st));
    j_int(j, "loaded", (long long)exh_rule_set_loaded(st));
    j_int(j, "rejected", (long long)exh_rule_set_rejected(st));
    j_close(j);
  }
  out_putc(j->f, ']');
  j_close(j);
  j_close(j);
  j_end_line(j);
}

/* The fleet: one state object first, one row per server (the text and
 * HTML reports' fleet table), so that a hunt's servers read in one query. */
static void fleet(jw *j, const exh_result *r) {
  size_t n = exh_result_nservers(r), c[5];
  exh__fleet_counts(r, c);
  j_open(j);
  j_time(j, "@timestamp", exh_result_start(r));
  char msg[200];
  snprintf(msg, sizeof msg, "fleet: %zu servers, %zu compromised, %zu exploitation attempted, %zu cannot tell, %zu no evidence examined, %zu clean",
           n, c[EXH_VERDICT_COMPROMISED], c[EXH_VERDICT_SUSPICIOUS], c[EXH_VERDICT_CANNOT_TELL],
           c[EXH_VERDICT_NOTHING_EXAMINED], c[EXH_VERDICT_CLEAN]);
  j_str(j, "message", msg);
  j_obj(j, "event");
  j_str(j, "kind", "state");
  j_str(j, "dataset", "exhunt.fleet");
  j_close(j);
  j_obj(j, "exhunt");
  j_obj(j, "fleet");
  j_int(j, "servers", (long long)n);
  j_obj(j, "verdicts");
  j_int(j, "compromised", (long long)c[EXH_VERDICT_COMPROMISED]);
  j_int(j, "suspicious", (long long)c[EXH_VERDICT_SUSPICIOUS]);
  j_int(j, "cannot_tell", (long long)c[EXH_VERDICT_CANNOT_TELL]);
  j_int(j, "nothing_examined", (long long)c[EXH_VERDICT_NOTHING_EXAMINED]);
  j_int(j, "clean", (long long)c[EXH_VERDICT_CLEAN]);
  j_close(j);
  j_key(j, "rows");
  out_putc(j->f, '[');
  for (size_t i = 0; i < n; i++) {
    exh_fleet_row row;
    exh__fleet_row(r, i, &row);
    if (i) out_putc(j->f, ',');
    j_open(j);
    j_str(j, "host", exh_server_name(row.server));
    j_str(j, "root", exh_server_root(row.server));
    j_str(j, "verdict", exh_verdict_name(row.verdict));
    j_str(j, "campaigns", row.campaigns);
    j_time(j, "activity_start", row.first);
    j_time(j, "activity_end", row.last);
    if (exh_server_build(row.server)) j_str(j, "build", exh_server_build(row.server));
    j_str(j, "patch", exh_patch_name(row.patch));
    j_time(j, "logs_start", row.log_first);
    j_time(j, "logs_end", row.log_last);
    j_str(j, "read", row.coverage);
    j_close(j);
  }
  out_putc(j->f, ']');
  j_close(j);
  j_close(j);
  j_end_line(j);
}

static void report_jsonl(exh_out *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  jw j = {f, {0}, 0};
  int64_t start = exh_result_start(r);
  fleet(&j, r);
  for (size_t i = 0; i < exh_result_nfindings(r); i++) finding(&j, r, exh_result_finding(r, i));
  for (size_t s = 0; s < exh_result_nservers(r); s++) {
    const exh_server *sv = exh_result_server(r, s);
    const char *name = exh_server_name(sv), *verdict = exh_verdict_name(exh_server_verdict(sv));
    j_open(&j);
    j_time(&j, "@timestamp", start);
    char msg[160];
    snprintf(msg, sizeof msg, "verdict for %.100s: %s", name, verdict);
    j_str(&j, "message", msg);
    j_obj(&j, "event");
    j_str(&j, "kind", "state");
    j_str(&j, "dataset", "exhunt.verdict");
    j_close(&j);
    j_obj(&j, "host");
    j_str(&j, "name", name);
    j_close(&j);
    j_obj(&j, "exhunt");
    j_str(&j, "root", exh_server_root(sv));
    j_str(&j, "verdict", verdict);
    j_str(&j, "reason", exh_server_reason(sv));
    j_str(&j, "limits", exh_server_limits(sv));
    if (exh_server_root_error(sv)) j_str(&j, "root_error", exh_server_root_error(sv));
    j_key(&j, "campaigns");
    out_putc(f, '[');
    for (size_t k = 0; k < exh_server_ncampaigns(sv); k++) {
      const exh_campaign *c = exh_server_campaign(sv, k);
      exh_campaign_state st = exh_campaign_state_of(c);
      if (k) out_putc(f, ',');
      j_open(&j);
      j_str(&j, "name", exh_campaign_name(c));
      j_str(&j, "state", exh_campaign_state_name(st));
      j_str(&j, "reason", exh_campaign_why(c));
      if (st >= EXH_CAMPAIGN_NO_TRACE) {
        j_time(&j, "exposure_start", exh_campaign_exposure_first(c));
        j_time(&j, "exposure_end", exh_campaign_exposure_last(c));
        j_time(&j, "covered_start", exh_campaign_covered_first(c));
        j_time(&j, "covered_end", exh_campaign_covered_last(c));
      }
      j_int(&j, "rules", (long long)exh_campaign_nrules(c));
      j_close(&j);
    }
    out_putc(f, ']');
    j_obj(&j, "findings");
    for (int l = EXH_LEVEL_INFO; l <= EXH_LEVEL_CRITICAL; l++)
      j_int(&j, exh_level_name((exh_level)l), (long long)exh_server_nlevel(sv, (exh_level)l));
    j_close(&j);
    j_close(&j);
    j_end_line(&j);
    patch_level(&j, r, sv);
    coverage(&j, r, s);
  }
  /* the per-attacker timeline: one state object per client address */
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    const char *ip = exh_actor_ip(a);
    int64_t first = exh_actor_first(a);
    exh_ip aip;
    exh__ip_parse(ip, &aip);
    j_open(&j);
    j_time(&j, "@timestamp", first != EXH_TIME_UNKNOWN ? first : start);
    char msg[160];
    snprintf(msg, sizeof msg, "client %.64s: %zu findings", ip, exh_actor_nfindings(a));
    j_str(&j, "message", msg);
    j_obj(&j, "event");
    j_str(&j, "kind", "state");
    j_str(&j, "dataset", "exhunt.attacker");
    j_time(&j, "start", first);
    j_time(&j, "end", exh_actor_last(a));
    j_close(&j);
    j_obj(&j, "host");
    j_str(&j, "name", exh_server_name(exh_result_server(r, exh_actor_server(a))));
    j_close(&j);
    source_ip(&j, &aip);
    if (exh_actor_ncves(a)) {
      j_obj(&j, "vulnerability");
      j_arr_begin(&j, "id");
      for (size_t c = 0; c < exh_actor_ncves(a); c++) j_arr_item(&j, c, exh_actor_cve(a, c));
      j_arr_end(&j);
      j_close(&j);
    }
    /* the titles of the rules that fired for it: rule.name (an array), as
     * exhunt.rules is the rule counts object of the coverage lines and one
     * name cannot be both in an index */
    if (exh_actor_nrules(a)) {
      j_obj(&j, "rule");
      j_arr_begin(&j, "name");
      for (size_t c = 0; c < exh_actor_nrules(a); c++) j_arr_item(&j, c, exh_actor_rule(a, c));
      j_arr_end(&j);
      j_close(&j);
    }
    j_obj(&j, "exhunt");
    source_text(&j, ip, &aip);
    j_obj(&j, "findings");
    for (int l = EXH_LEVEL_INFO; l <= EXH_LEVEL_CRITICAL; l++)
      j_int(&j, exh_level_name((exh_level)l), (long long)exh_actor_nlevel(a, (exh_level)l));
    j_close(&j);
    j_close(&j);
    j_end_line(&j);
  }
  /* one summary object for the log window */
  j_open(&j);
  j_time(&j, "@timestamp", start);
  j_str(&j, "message", "log window: first and last record time per log folder");
  j_obj(&j, "event");
  j_str(&j, "kind", "state");
  j_str(&j, "dataset", "exhunt.log_window");
  j_close(&j);
  j_obj(&j, "exhunt");
  j_key(&j, "log_window");
  out_putc(f, '[');
  for (size_t i = 0; i < exh_result_nwindows(r); i++) {
    const exh_logwindow *w = exh_result_window(r, i);
    if (i) out_putc(f, ',');
    j_open(&j);
    j_str(&j, "host", exh_server_name(exh_result_server(r, exh_logwindow_server(w))));
    j_str(&j, "folder", exh_logwindow_folder(w));
    j_str(&j, "kind", exh_logwindow_kind(w));
    j_time(&j, "first", exh_logwindow_first(w));
    j_time(&j, "last", exh_logwindow_last(w));
    j_int(&j, "files", exh_logwindow_files(w));
    j_int(&j, "bytes", (long long)exh_logwindow_bytes(w));
    j_close(&j);
  }
  out_putc(f, ']');
  j_obj(&j, "scan");
  j_int(&j, "files_seen", (long long)exh_result_files_seen(r));
  j_int(&j, "files_scanned", (long long)exh_result_files_scanned(r));
  j_int(&j, "bytes_scanned", (long long)exh_result_bytes_scanned(r));
  j_int(&j, "errors", (long long)exh_result_nerrors(r));
  j_close(&j);
  j_close(&j);
  j_end_line(&j);
  for (size_t i = 0; i < exh_result_nerrors(r); i++) {
    const exh_file_error *e = exh_result_error(r, i);
    j_open(&j);
    j_time(&j, "@timestamp", start);
    j_str(&j, "message", exh_file_error_reason(e));
    j_obj(&j, "event");
    j_str(&j, "kind", "pipeline_error");
    j_str(&j, "dataset", exh_file_error_skipped(e) ? "exhunt.skipped" : "exhunt.error");
    j_close(&j);
    j_obj(&j, "file");
    j_str(&j, "path", exh_file_error_path(e));
    j_close(&j);
    j_obj(&j, "error");
    j_str(&j, "message", exh_file_error_reason(e));
    j_close(&j);
    j_end_line(&j);
  }
}

EXH_REPORT_GUARDED(exh__report_jsonl, report_jsonl)
