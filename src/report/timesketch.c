/* The Timesketch report: Timesketch's JSONL import format. Every line has
 * the fields Timesketch requires (timesketch/lib/utils.py
 * read_and_validate_jsonl: message, datetime, timestamp_desc) and the
 * timestamp it would otherwise derive (microseconds, an integer), then
 * flat fields of one JSON type each (one index holds them all: a name that
 * were a string here and a number there would be rejected by OpenSearch).
 * ctest timesketch_import checks every line with Timesketch's own logic.
 *
 * Events: one per finding (at its time), then per server the verdict and
 * one per class of evidence read or absent (coverage), both at the scan's
 * time, then the log window: per log folder its first and last record as
 * two events at those times (one at the scan's time when none is dated). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip.h"
#include "out.h"
#include "report.h"

static void str(exh_out *o, const char *s) { out_json(o, s, strlen(s)); }

/* ,"key":"value" (nothing for NULL) */
static void kv(exh_out *o, const char *k, const char *v) {
  if (!v) return;
  exh__out_printf(o, ",\"%s\":", k);
  str(o, v);
}
static void kvi(exh_out *o, const char *k, long long v) { exh__out_printf(o, ",\"%s\":%lld", k, v); }
/* ,"key":"ISO 8601" (nothing when unknown: a field is a date string or absent) */
static void kvt(exh_out *o, const char *k, int64_t ms) {
  char t[32];
  if (ms == EXH_TIME_UNKNOWN) return;
  exh__format_iso8601(ms, t);
  kv(o, k, t);
}

/* Starts an event: {"message":...,"datetime":...,"timestamp":...,"timestamp_desc":...,"data_type":...,"hostname":... */
static void begin(exh_out *o, const char *message, int64_t ms, const char *desc, const char *data_type,
                  const char *host) {
  char t[32];
  exh__format_iso8601(ms, t);
  out_puts(o, "{\"message\":");
  str(o, message);
  out_puts(o, ",\"datetime\":");
  str(o, t);
  exh__out_printf(o, ",\"timestamp\":%lld,\"timestamp_desc\":", (long long)ms * 1000);
  str(o, desc);
  kv(o, "data_type", data_type);
  kv(o, "hostname", host);
}

static void finding(exh_out *o, const exh_result *r, const exh_finding *x) {
  const exh_rule_info *ri = exh_finding_rule(x);
  int64_t ms = exh_finding_time(x) != EXH_TIME_UNKNOWN ? exh_finding_time(x) : exh_result_start(r);
  int file = exh_finding_is_file(x);
  uint64_t rec = exh_finding_record_id(x);
  begin(o, exh_finding_message(x), ms, file ? "File modification time" : rec ? "Event time" : "Log record time",
        file ? "exhunt:file:finding" : rec ? "windows:evtx:finding" : "exchange:log:finding",
        exh_server_name(exh_result_server(r, exh_finding_server(x))));
  out_puts(o, ",\"tag\":[");
  str(o, exh_level_name(exh_finding_level(x)));
  for (size_t k = 0; k < exh_finding_ncves(x); k++) { /* the finding's own (a relabelled one's differ) */
    out_putc(o, ',');
    str(o, exh_finding_cve(x, k));
  }
  out_putc(o, ']');
  kv(o, "rule_id", exh_rule_info_id(ri));
  kv(o, "file_path", exh_finding_path(x));
  /* an address only when it is one (ip.h); the text as logged otherwise */
  const char *src = exh_finding_source_ip(x);
  exh_ip ip;
  exh__ip_parse(src, &ip);
  if (ip.family) kv(o, "source_ip", ip.text);
  if (src && !ip.exact) kv(o, "source_address", src);
  kv(o, "hop_ip", exh_finding_hop_ip(x)); /* the server's own address as the client: a hop */
  kv(o, "address_note", exh_finding_address_note(x)); /* what the hop or the client is */
  size_t evn;
  const char *ev = exh_finding_evidence(x, &evn, NULL);
  if (ev) {
    out_puts(o, ",\"evidence\":");
    out_json(o, ev, evn);
  }
  out_puts(o, "}\n");
}

/* The verdict of one server, at the scan's time. */
static void verdict(exh_out *o, const exh_result *r, const exh_server *sv) {
  const char *name = exh_server_name(sv), *v = exh_verdict_name(exh_server_verdict(sv));
  char *msg = exh__xasprintf("exhunt verdict for %s: %s", name, v); /* the reason is verdict_reason */
  begin(o, msg, exh_result_start(r), "Scan time", "exhunt:verdict", name);
  free(msg);
  out_puts(o, ",\"tag\":[\"verdict\",");
  str(o, v);
  out_putc(o, ']');
  kv(o, "verdict", v);
  kv(o, "verdict_reason", exh_server_reason(sv));
  kv(o, "verdict_limits", exh_server_limits(sv));
  kv(o, "scan_root", exh_server_root(sv));
  kv(o, "scan_root_error", exh_server_root_error(sv));
  /* "ProxyLogon: compromised", one string per campaign */
  out_puts(o, ",\"campaigns\":[");
  for (size_t k = 0; k < exh_server_ncampaigns(sv); k++) {
    const exh_campaign *c = exh_server_campaign(sv, k);
    char t[200];
    snprintf(t, sizeof t, "%.100s: %s", exh_campaign_name(c), exh_campaign_state_name(exh_campaign_state_of(c)));
    if (k) out_putc(o, ',');
    str(o, t);
  }
  out_putc(o, ']');
  /* the Sigma rule sets that ran: "no finding" is read in their context */
  out_puts(o, ",\"rule_sets\":[");
  for (size_t i = 0; i < exh_result_nrule_sets(r); i++) {
    const exh_rule_set *st = exh_result_rule_set(r, i);
    char t[400];
    snprintf(t, sizeof t, "%.100s (%.100s%s%.60s): %zu loaded, %zu rejected", exh_rule_set_name(st),
             exh_rule_set_origin(st), exh_rule_set_version(st) ? " " : "",
             exh_rule_set_version(st) ? exh_rule_set_version(st) : "", exh_rule_set_loaded(st),
             exh_rule_set_rejected(st));
    if (i) out_putc(o, ',');
    str(o, t);
  }
  out_putc(o, ']');
  for (int l = EXH_LEVEL_INFO; l <= EXH_LEVEL_CRITICAL; l++) {
    char k[40];
    snprintf(k, sizeof k, "findings_%s", exh_level_name((exh_level)l));
    kvi(o, k, (long long)exh_server_nlevel(sv, (exh_level)l));
  }
  out_puts(o, "}\n");
}

/* One class of evidence of one server, read or absent, at the scan's time. */
static void coverage(exh_out *o, const exh_result *r, const exh_coverage *c) {
  const char *name = exh_server_name(exh_result_server(r, exh_coverage_server(c)));
  int64_t first = exh_coverage_first(c), last = exh_coverage_last(c);
  char a[32] = "", b[32] = "", recs[48] = "";
  if (first != EXH_TIME_UNKNOWN) exh__format_iso8601(first, a);
  if (last != EXH_TIME_UNKNOWN) exh__format_iso8601(last, b);
  if (exh_coverage_records(c)) snprintf(recs, sizeof recs, ", %llu records", (unsigned long long)exh_coverage_records(c));
  char *msg = exh_coverage_present(c) && !strcmp(exh_coverage_class(c), "unchecked_files")
                  ? exh__xasprintf("exhunt coverage of %s: %s: %lu file%s found, not content-checked", name,
                                   exh_coverage_label(c), (unsigned long)exh_coverage_files(c),
                                   exh_coverage_files(c) == 1 ? "" : "s")
              : exh_coverage_present(c)
                  ? exh__xasprintf("exhunt coverage of %s: %s: read, %lu file%s%s%s%s%s%s", name, exh_coverage_label(c),
                                   (unsigned long)exh_coverage_files(c), exh_coverage_files(c) == 1 ? "" : "s", recs, a[0] ? ", " : "", a, b[0] ? " to " : "", b)
                  : exh__xasprintf("exhunt coverage of %s: %s: absent", name, exh_coverage_label(c));
  begin(o, msg, exh_result_start(r), "Scan time", "exhunt:coverage", name);
  free(msg);
  out_puts(o, ",\"tag\":[\"coverage\"");
  if (!exh_coverage_present(c)) out_puts(o, ",\"absent\"");
  out_putc(o, ']');
  kv(o, "coverage_class", exh_coverage_class(c));
  if (exh_coverage_item(c)[0]) kv(o, "coverage_item", exh_coverage_item(c));
  kv(o, "coverage_label", exh_coverage_label(c));
  out_puts(o, exh_coverage_present(c) ? ",\"present\":true" : ",\"present\":false");
  kvt(o, "first_record", first);
  kvt(o, "last_record", last);
  kvi(o, "files", (long long)exh_coverage_files(c));
  kvi(o, "bytes", (long long)exh_coverage_bytes(c));
  kvi(o, "records", (long long)exh_coverage_records(c));
  kvi(o, "errors", (long long)exh_coverage_errors(c));
  kvi(o, "rules", (long long)exh_coverage_rules(c));
  out_puts(o, "}\n");
}

/* A log folder's window: its first and last record as events at their
 * times (one event at the scan's time when no record is dated). */
static void window(exh_out *o, const exh_result *r, const exh_logwindow *w) {
  const char *name = exh_server_name(exh_result_server(r, exh_logwindow_server(w)));
  int64_t first = exh_logwindow_first(w), last = exh_logwindow_last(w);
  struct {
    int64_t ms;
    const char *what, *desc;
  } ev[2] = {{first, "first record", "First record time"}, {last, "last record", "Last record time"}};
  int n = 2;
  if (first == EXH_TIME_UNKNOWN || last == EXH_TIME_UNKNOWN) {
    ev[0].ms = exh_result_start(r);
    ev[0].what = "no dated record";
    ev[0].desc = "Scan time";
    n = 1;
  }
  for (int i = 0; i < n; i++) {
    char *msg = exh__xasprintf("exhunt log window of %s: %s (%s): %s", name, exh_logwindow_folder(w),
                               exh_logwindow_kind(w), ev[i].what);
    begin(o, msg, ev[i].ms, ev[i].desc, "exhunt:log_window", name);
    free(msg);
    out_puts(o, ",\"tag\":[\"log_window\"]");
    kv(o, "log_folder", exh_logwindow_folder(w));
    kv(o, "log_kind", exh_logwindow_kind(w));
    kvt(o, "first_record", first);
    kvt(o, "last_record", last);
    kvi(o, "files", (long long)exh_logwindow_files(w));
    kvi(o, "bytes", (long long)exh_logwindow_bytes(w));
    out_puts(o, "}\n");
  }
}

static void report_timesketch(exh_out *o, const exh_result *r, const exh_report_opts *opts) {
  (void)opts;
  for (size_t i = 0; i < exh_result_nfindings(r); i++) finding(o, r, exh_result_finding(r, i));
  for (size_t s = 0; s < exh_result_nservers(r); s++) {
    verdict(o, r, exh_result_server(r, s));
    for (size_t i = 0; i < exh_result_ncoverage(r); i++)
      if (exh_coverage_server(exh_result_coverage(r, i)) == s) coverage(o, r, exh_result_coverage(r, i));
  }
  for (size_t i = 0; i < exh_result_nwindows(r); i++) window(o, r, exh_result_window(r, i));
}

EXH_REPORT_GUARDED(exh__report_timesketch, report_timesketch)
