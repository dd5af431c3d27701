/* JSON Lines report with Elastic Common Schema names as nested objects.
 * The contract (README "JSONL contract") is stable: one object per finding
 * (event.kind "alert"), then state objects (verdict with the campaigns and
 * the patch level and coverage per server, attackers, the log window), then
 * one "pipeline_error" object per file that could not be read.
 * Every string goes through exh_json_str (escapes, invalid UTF-8 -> U+FFFD). */
#include <string.h>

#include "../util/util.h"
#include "guarded.h"
#include "exhunt/exhunt.h"

typedef struct jw {
  FILE *f;
  int first[16];
  int depth;
} jw;

static void j_open(jw *j) {
  fputc('{', j->f);
  j->first[++j->depth] = 1;
}
static void j_close(jw *j) {
  fputc('}', j->f);
  j->depth--;
}
static void j_key(jw *j, const char *k) {
  if (!j->first[j->depth]) fputc(',', j->f);
  j->first[j->depth] = 0;
  exh_json_str(j->f, k, strlen(k));
  fputc(':', j->f);
}
static void j_obj(jw *j, const char *k) {
  j_key(j, k);
  j_open(j);
}
static void j_str(jw *j, const char *k, const char *v) {
  if (!v) return;
  j_key(j, k);
  exh_json_str(j->f, v, strlen(v));
}
static void j_strn(jw *j, const char *k, const char *v, size_t n) {
  j_key(j, k);
  exh_json_str(j->f, v, n);
}
static void j_int(jw *j, const char *k, long long v) {
  j_key(j, k);
  fprintf(j->f, "%lld", v);
}
static void j_bool(jw *j, const char *k, int v) {
  j_key(j, k);
  fputs(v ? "true" : "false", j->f);
}
static void j_time(jw *j, const char *k, int64_t ms) {
  char t[32];
  if (ms == EXH_TIME_UNKNOWN) {
    j_key(j, k);
    fputs("null", j->f);
    return;
  }
  exh_format_iso8601(ms, t);
  j_str(j, k, t);
}
static void j_arr(jw *j, const char *k, const char *const *v, size_t n) {
  j_key(j, k);
  fputc('[', j->f);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', j->f);
    exh_json_str(j->f, v[i], strlen(v[i]));
  }
  fputc(']', j->f);
}

/* ECS threat.indicator.* for the indicator that fired. */
static void indicator(jw *j, const exh_finding *f) {
  j_obj(j, "indicator");
  j_str(j, "type", f->ioc_type);
  j_str(j, "description", f->ioc_value);
  j_str(j, "reference", f->ioc_source);
  j_close(j);
}

static void finding(jw *j, const exh_result *r, const exh_finding *f) {
  j_open(j);
  int64_t ts = f->time_ms != EXH_TIME_UNKNOWN ? f->time_ms : r->scan_start_ms;
  j_time(j, "@timestamp", ts);
  j_str(j, "message", f->message);
  j_obj(j, "event");
  j_str(j, "kind", "alert");
  j_int(j, "severity", exh_level_severity(f->level));
  j_str(j, "dataset", f->dataset);
  j_close(j);
  j_obj(j, "rule");
  j_str(j, "id", f->rule->id);
  j_str(j, "name", f->rule->title);
  j_str(j, "ruleset", strncmp(f->rule->source, "builtin:", 8) ? "user" : "exhunt");
  j_close(j);
  if (f->rule->ncves) {
    j_obj(j, "vulnerability");
    j_arr(j, "id", f->rule->cves, f->rule->ncves);
    j_close(j);
  }
  if (f->rule->ntechniques) {
    j_obj(j, "threat");
    j_obj(j, "technique");
    j_arr(j, "id", f->rule->techniques, f->rule->ntechniques);
    j_close(j);
    if (f->ioc_value) indicator(j, f);
    j_close(j);
  } else if (f->ioc_value) {
    j_obj(j, "threat");
    indicator(j, f);
    j_close(j);
  }
  j_obj(j, "host");
  j_str(j, "name", r->servers[f->server].name);
  j_close(j);
  if (f->source_ip) {
    j_obj(j, "source");
    j_str(j, "ip", f->source_ip);
    j_close(j);
  }
  if (f->url) {
    j_obj(j, "url");
    j_str(j, "original", f->url);
    j_close(j);
  }
  if (f->user_agent) {
    j_obj(j, "user_agent");
    j_str(j, "original", f->user_agent);
    j_close(j);
  }
  if (f->user_name) {
    j_obj(j, "user");
    j_str(j, "name", f->user_name);
    j_close(j);
  }
  if (f->http_method || f->http_status) {
    j_obj(j, "http");
    if (f->http_method) {
      j_obj(j, "request");
      j_str(j, "method", f->http_method);
      j_close(j);
    }
    if (f->http_status) {
      j_obj(j, "response");
      j_int(j, "status_code", f->http_status);
      j_close(j);
    }
    j_close(j);
  }
  if (f->is_file) {
    j_obj(j, "file");
    j_str(j, "path", f->path);
    j_int(j, "size", (long long)f->file_size);
    j_time(j, "mtime", f->file_mtime_ms);
    if (f->file_sha256 || f->file_sha1 || f->file_md5) {
      j_obj(j, "hash");
      if (f->file_md5) j_str(j, "md5", f->file_md5);
      if (f->file_sha1) j_str(j, "sha1", f->file_sha1);
      if (f->file_sha256) j_str(j, "sha256", f->file_sha256);
      j_close(j);
    }
    j_close(j);
  } else {
    j_obj(j, "log");
    j_obj(j, "file");
    j_str(j, "path", f->path);
    j_close(j);
    j_int(j, "offset", (long long)f->offset);
    j_close(j);
  }
  j_obj(j, "exhunt");
  j_str(j, "level", exh_level_name(f->level));
  if (f->story) j_str(j, "story", f->story);
  if (f->is_file && f->evidence) {
    j_int(j, "match_offset", (long long)f->offset);
    j_strn(j, "evidence", f->evidence, f->evidence_len);
  }
  if (!f->is_file) {
    if (f->line) j_int(j, "line", (long long)f->line);
    if (f->record_id) j_int(j, "record_id", (long long)f->record_id);
    j_strn(j, "evidence", f->evidence, f->evidence_len);
    if (f->evidence_truncated) j_bool(j, "evidence_truncated", 1);
  }
  if (f->time_ms == EXH_TIME_UNKNOWN) j_bool(j, "time_unknown", 1);
  j_str(j, "rule_source", f->rule->source);
  j_close(j);
  j_close(j);
  fputc('\n', j->f);
}

/* One state object per server: the build and, per CVE, patched or not. */
static void patch_level(jw *j, const exh_result *r, const exh_server *sv) {
  j_open(j);
  j_time(j, "@timestamp", r->scan_start_ms);
  char msg[200];
  size_t nv = 0;
  for (size_t i = 0; i < sv->ncves; i++) nv += sv->cves[i].status == EXH_PATCH_VULNERABLE;
  if (sv->build)
    snprintf(msg, sizeof msg, "build of %.60s: %.30s (%s), vulnerable to %zu of %zu CVEs checked", sv->name, sv->build,
             sv->product ? sv->product : "unknown product", nv, sv->ncves);
  else
    snprintf(msg, sizeof msg, "build of %.60s: unknown (no ExSetup.exe, OWA build folder or Exchange log)", sv->name);
  j_str(j, "message", msg);
  j_obj(j, "event");
  j_str(j, "kind", "state");
  j_str(j, "dataset", "exhunt.build");
  j_close(j);
  j_obj(j, "host");
  j_str(j, "name", sv->name);
  j_close(j);
  if (sv->build) {
    j_obj(j, "package");
    j_str(j, "name", sv->product ? sv->product : "Microsoft Exchange Server");
    j_str(j, "version", sv->build);
    j_close(j);
  }
  j_obj(j, "exhunt");
  if (sv->build_source) j_str(j, "build_source", sv->build_source);
  j_key(j, "cves");
  fputc('[', j->f);
  for (size_t i = 0; i < sv->ncves; i++) {
    const exh_cve_status *c = &sv->cves[i];
    if (i) fputc(',', j->f);
    j_open(j);
    j_str(j, "id", c->cve);
    j_str(j, "campaign", c->campaign);
    j_str(j, "status", exh_patch_name(c->status));
    j_str(j, "reason", c->why);
    j_close(j);
  }
  fputc(']', j->f);
  j_key(j, "builds_in_logs");
  fputc('[', j->f);
  for (size_t i = 0; i < sv->nbuilds_seen; i++) {
    const exh_build_seen *b = &sv->builds_seen[i];
    if (i) fputc(',', j->f);
    j_open(j);
    j_str(j, "build", b->build);
    j_time(j, "first", b->first_ms);
    j_time(j, "last", b->last_ms);
    j_int(j, "files", b->files);
    j_close(j);
  }
  fputc(']', j->f);
  j_close(j);
  j_close(j);
  fputc('\n', j->f);
}

/* One state object per server: every class of evidence, read or absent
 * (README "JSONL contract": exhunt.coverage). */
static void coverage(jw *j, const exh_result *r, size_t s) {
  j_open(j);
  j_time(j, "@timestamp", r->scan_start_ms);
  char msg[200];
  snprintf(msg, sizeof msg, "coverage of %.100s: evidence read and not found", r->servers[s].name);
  j_str(j, "message", msg);
  j_obj(j, "event");
  j_str(j, "kind", "state");
  j_str(j, "dataset", "exhunt.coverage");
  j_close(j);
  j_obj(j, "host");
  j_str(j, "name", r->servers[s].name);
  j_close(j);
  j_obj(j, "exhunt");
  j_key(j, "coverage");
  fputc('[', j->f);
  int first = 1;
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *c = &r->coverage[i];
    if (c->server != s) continue;
    if (!first) fputc(',', j->f);
    first = 0;
    j_open(j);
    j_str(j, "class", c->cls);
    if (c->item[0]) j_str(j, "item", c->item);
    j_str(j, "label", c->label);
    j_bool(j, "present", c->present);
    j_time(j, "first", c->first_ms);
    j_time(j, "last", c->last_ms);
    j_int(j, "files", c->files);
    j_int(j, "bytes", (long long)c->bytes);
    j_int(j, "records", (long long)c->records);
    j_int(j, "errors", c->errors);
    j_int(j, "rules", (long long)c->rules);
    j_close(j);
  }
  fputc(']', j->f);
  j_obj(j, "rules");
  j_int(j, "sigma", (long long)r->rules_sigma);
  j_int(j, "yara", (long long)r->rules_yara);
  j_int(j, "indicators", (long long)r->indicators);
  j_int(j, "baseline_rows", (long long)r->baseline_rows);
  j_close(j);
  j_close(j);
  j_close(j);
  fputc('\n', j->f);
}

static exh_err report_jsonl(FILE *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  jw j = {f, {0}, 0};
  for (size_t i = 0; i < r->nfindings; i++) finding(&j, r, &r->findings[i]);
  for (size_t s = 0; s < r->nservers; s++) {
    const exh_server *sv = &r->servers[s];
    j_open(&j);
    j_time(&j, "@timestamp", r->scan_start_ms);
    char msg[160];
    snprintf(msg, sizeof msg, "verdict for %.100s: %s", sv->name, exh_verdict_name(sv->verdict));
    j_str(&j, "message", msg);
    j_obj(&j, "event");
    j_str(&j, "kind", "state");
    j_str(&j, "dataset", "exhunt.verdict");
    j_close(&j);
    j_obj(&j, "host");
    j_str(&j, "name", sv->name);
    j_close(&j);
    j_obj(&j, "exhunt");
    j_str(&j, "root", sv->root);
    j_str(&j, "verdict", exh_verdict_name(sv->verdict));
    j_str(&j, "reason", sv->reason);
    j_str(&j, "limits", sv->limits);
    if (sv->root_error) j_str(&j, "root_error", sv->root_error);
    j_key(&j, "campaigns");
    fputc('[', f);
    for (size_t k = 0; k < sv->ncampaigns; k++) {
      const exh_campaign_view *c = &sv->campaigns[k];
      if (k) fputc(',', f);
      j_open(&j);
      j_str(&j, "name", c->campaign);
      j_str(&j, "state", exh_campaign_state_name(c->state));
      j_str(&j, "reason", c->why);
      if (c->state >= EXH_CAMPAIGN_NO_TRACE) {
        j_time(&j, "exposure_start", c->exposure_first_ms);
        j_time(&j, "exposure_end", c->exposure_last_ms);
        j_time(&j, "covered_start", c->covered_first_ms);
        j_time(&j, "covered_end", c->covered_last_ms);
      }
      j_int(&j, "rules", (long long)c->nrules);
      j_close(&j);
    }
    fputc(']', f);
    j_obj(&j, "findings");
    for (int l = EXH_LEVEL_INFO; l <= EXH_LEVEL_CRITICAL; l++) j_int(&j, exh_level_name((exh_level)l), (long long)sv->nfindings[l]);
    j_close(&j);
    j_close(&j);
    j_close(&j);
    fputc('\n', f);
    patch_level(&j, r, sv);
    coverage(&j, r, s);
  }
  /* the per-attacker timeline: one state object per client address */
  for (size_t k = 0; k < r->nactors; k++) {
    const exh_actor *a = &r->actors[k];
    j_open(&j);
    j_time(&j, "@timestamp", a->first_ms != EXH_TIME_UNKNOWN ? a->first_ms : r->scan_start_ms);
    char msg[160];
    snprintf(msg, sizeof msg, "client %.64s: %zu findings", a->ip, a->nfindings);
    j_str(&j, "message", msg);
    j_obj(&j, "event");
    j_str(&j, "kind", "state");
    j_str(&j, "dataset", "exhunt.attacker");
    j_time(&j, "start", a->first_ms);
    j_time(&j, "end", a->last_ms);
    j_close(&j);
    j_obj(&j, "host");
    j_str(&j, "name", r->servers[a->server].name);
    j_close(&j);
    j_obj(&j, "source");
    j_str(&j, "ip", a->ip);
    j_close(&j);
    if (a->ncves) {
      j_obj(&j, "vulnerability");
      j_arr(&j, "id", a->cves, a->ncves);
      j_close(&j);
    }
    j_obj(&j, "exhunt");
    j_obj(&j, "findings");
    for (int l = EXH_LEVEL_INFO; l <= EXH_LEVEL_CRITICAL; l++) j_int(&j, exh_level_name((exh_level)l), (long long)a->nlevel[l]);
    j_close(&j);
    j_arr(&j, "rules", a->rules, a->nrules);
    j_close(&j);
    j_close(&j);
    fputc('\n', f);
  }
  /* one summary object for the log window */
  j_open(&j);
  j_time(&j, "@timestamp", r->scan_start_ms);
  j_str(&j, "message", "log window: first and last record time per log folder");
  j_obj(&j, "event");
  j_str(&j, "kind", "state");
  j_str(&j, "dataset", "exhunt.log_window");
  j_close(&j);
  j_obj(&j, "exhunt");
  j_key(&j, "log_window");
  fputc('[', f);
  for (size_t i = 0; i < r->nwindows; i++) {
    const exh_logwindow *w = &r->windows[i];
    if (i) fputc(',', f);
    j_open(&j);
    j_str(&j, "host", r->servers[w->server].name);
    j_str(&j, "folder", w->folder);
    j_str(&j, "kind", w->kind);
    j_time(&j, "first", w->first_ms);
    j_time(&j, "last", w->last_ms);
    j_int(&j, "files", w->files);
    j_int(&j, "bytes", (long long)w->bytes);
    j_close(&j);
  }
  fputc(']', f);
  j_obj(&j, "scan");
  j_int(&j, "files_seen", (long long)r->files_seen);
  j_int(&j, "files_scanned", (long long)r->files_scanned);
  j_int(&j, "bytes_scanned", (long long)r->bytes_scanned);
  j_int(&j, "errors", (long long)r->nerrors);
  j_close(&j);
  j_close(&j);
  j_close(&j);
  fputc('\n', f);
  for (size_t i = 0; i < r->nerrors; i++) {
    const exh_file_error *e = &r->errors[i];
    j_open(&j);
    j_time(&j, "@timestamp", r->scan_start_ms);
    j_str(&j, "message", e->reason);
    j_obj(&j, "event");
    j_str(&j, "kind", "pipeline_error");
    j_str(&j, "dataset", e->skipped ? "exhunt.skipped" : "exhunt.error");
    j_close(&j);
    j_obj(&j, "file");
    j_str(&j, "path", e->path);
    j_close(&j);
    j_obj(&j, "error");
    j_str(&j, "message", e->reason);
    j_close(&j);
    j_close(&j);
    fputc('\n', f);
  }
  return ferror(f) ? EXH_EIO : EXH_OK;
}

EXH_REPORT_GUARDED(exh_report_jsonl, report_jsonl)
