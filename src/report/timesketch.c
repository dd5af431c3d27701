/* The Timesketch report: Timesketch's JSONL import format, one event per
 * finding: the fields Timesketch requires (message, datetime, timestamp in
 * microseconds as an integer, timestamp_desc) plus the finding's details.
 * Coverage is not an event: it stays in the other formats. */
#include <string.h>

#include "out.h"
#include "report.h"

static void str(exh_out *o, const char *s) { out_json(o, s, strlen(s)); }

static void report_timesketch(exh_out *o, const exh_result *r, const exh_report_opts *opts) {
  (void)opts;
  for (size_t i = 0; i < exh_result_nfindings(r); i++) {
    const exh_finding *x = exh_result_finding(r, i);
    const exh_rule_info *ri = exh_finding_rule(x);
    int64_t ms = exh_finding_time(x) != EXH_TIME_UNKNOWN ? exh_finding_time(x) : exh_result_start(r);
    int file = exh_finding_is_file(x);
    uint64_t rec = exh_finding_record_id(x);
    char t[32];
    exh__format_iso8601(ms, t);
    out_puts(o, "{\"message\":");
    str(o, exh_finding_message(x));
    out_puts(o, ",\"datetime\":");
    str(o, t);
    exh__out_printf(o, ",\"timestamp\":%lld,\"timestamp_desc\":", (long long)ms * 1000);
    str(o, file ? "File modification time" : rec ? "Event time" : "Log record time");
    out_puts(o, ",\"data_type\":");
    str(o, file ? "exhunt:file:finding" : rec ? "windows:evtx:finding" : "exchange:log:finding");
    out_puts(o, ",\"tag\":[");
    str(o, exh_level_name(exh_finding_level(x)));
    for (size_t k = 0; k < exh_finding_ncves(x); k++) {
      out_putc(o, ',');
      str(o, exh_finding_cve(x, k));
    }
    out_puts(o, "],\"rule_id\":");
    str(o, exh_rule_info_id(ri));
    out_puts(o, ",\"hostname\":");
    str(o, exh_server_name(exh_result_server(r, exh_finding_server(x))));
    out_puts(o, ",\"file_path\":");
    str(o, exh_finding_path(x));
    if (exh_finding_source_ip(x)) {
      out_puts(o, ",\"source_ip\":");
      str(o, exh_finding_source_ip(x));
    }
    size_t evn;
    const char *ev = exh_finding_evidence(x, &evn, NULL);
    if (ev) {
      out_puts(o, ",\"evidence\":");
      out_json(o, ev, evn);
    }
    out_puts(o, "}\n");
  }
}

EXH_REPORT_GUARDED(exh__report_timesketch, report_timesketch)
