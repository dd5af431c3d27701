/* The Timesketch report: Timesketch's JSONL import format, one event per
 * finding: the fields Timesketch requires (message, datetime, timestamp in
 * microseconds as an integer, timestamp_desc) plus the finding's details.
 * Coverage is not an event: it stays in the other formats. */
#include <string.h>

#include "../util/util.h"
#include "guarded.h"

static exh_err report_timesketch(FILE *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *x = &r->findings[i];
    int64_t ms = x->time_ms != EXH_TIME_UNKNOWN ? x->time_ms : r->scan_start_ms;
    char t[32];
    exh_format_iso8601(ms, t);
    fputs("{\"message\":", f);
    exh_json_str(f, x->message, strlen(x->message));
    fputs(",\"datetime\":", f);
    exh_json_str(f, t, strlen(t));
    fprintf(f, ",\"timestamp\":%lld,\"timestamp_desc\":", (long long)ms * 1000);
    const char *desc = x->is_file ? "File modification time" : x->record_id ? "Event time" : "Log record time";
    exh_json_str(f, desc, strlen(desc));
    fputs(",\"data_type\":", f);
    const char *dt = x->is_file ? "exhunt:file:finding" : x->record_id ? "windows:evtx:finding" : "exchange:log:finding";
    exh_json_str(f, dt, strlen(dt));
    fputs(",\"tag\":[", f);
    exh_json_str(f, exh_level_name(x->level), strlen(exh_level_name(x->level)));
    for (size_t k = 0; k < x->rule->ncves; k++) {
      fputc(',', f);
      exh_json_str(f, x->rule->cves[k], strlen(x->rule->cves[k]));
    }
    fputs("],\"rule_id\":", f);
    exh_json_str(f, x->rule->id, strlen(x->rule->id));
    fputs(",\"hostname\":", f);
    exh_json_str(f, r->servers[x->server].name, strlen(r->servers[x->server].name));
    fputs(",\"file_path\":", f);
    exh_json_str(f, x->path, strlen(x->path));
    if (x->source_ip) {
      fputs(",\"source_ip\":", f);
      exh_json_str(f, x->source_ip, strlen(x->source_ip));
    }
    if (x->evidence) {
      fputs(",\"evidence\":", f);
      exh_json_str(f, x->evidence, x->evidence_len);
    }
    fputs("}\n", f);
  }
  return ferror(f) ? EXH_EIO : EXH_OK;
}


EXH_REPORT_GUARDED(exh_report_timesketch, report_timesketch)
