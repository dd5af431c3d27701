/* CSV and Timesketch JSONL reports.
 *
 * CSV (RFC 4180, one finding per row): every cell is quoted, inner quotes
 * doubled, and a cell that a spreadsheet would take for a formula (first
 * byte = + - @, tab or carriage return) gets a leading apostrophe (OWASP's
 * advice against CSV injection); control bytes other than tab become
 * spaces, invalid UTF-8 becomes U+FFFD.
 *
 * Timesketch JSONL: the fields Timesketch requires (message, datetime,
 * timestamp in microseconds as an integer, timestamp_desc) plus the
 * finding's details, one event per finding. */
#include <string.h>

#include "../util/util.h"
#include "exhunt/exhunt.h"

static void csv_cell(FILE *f, const char *s, size_t n) {
  fputc('"', f);
  if (n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    fputc('\'', f);
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    if (c == '"') {
      fputs("\"\"", f);
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      fputc(c == '\t' ? '\t' : ' ', f);
      i++;
    } else if (c < 0x80) {
      fputc(c, f);
      i++;
    } else {
      size_t l = exh_utf8_len(u + i, n - i);
      if (l == 0) {
        fputs("\xef\xbf\xbd", f);
        i++;
      } else {
        fwrite(s + i, 1, l, f);
        i += l;
      }
    }
  }
  fputc('"', f);
}

static void cell(FILE *f, const char *s) { csv_cell(f, s ? s : "", s ? strlen(s) : 0); }

static void join(FILE *f, const char *const *v, size_t n) {
  exh_buf b = {0};
  for (size_t i = 0; i < n; i++) {
    if (i) exh_buf_addc(&b, ' ');
    exh_buf_adds(&b, v[i]);
  }
  csv_cell(f, b.p ? b.p : "", b.n);
  exh_buf_free(&b);
}

exh_err exh_report_csv(FILE *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  fputs("\"time\",\"host\",\"level\",\"severity\",\"rule_id\",\"rule\",\"cve\",\"technique\",\"source_ip\","
        "\"method\",\"url\",\"status\",\"user_agent\",\"user\",\"path\",\"line\",\"record_id\",\"offset\","
        "\"message\",\"evidence\",\"sha256\",\"indicator\"\r\n",
        f);
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *x = &r->findings[i];
    char t[32], num[32];
    exh_format_iso8601(x->time_ms, t);
    cell(f, t);
    fputc(',', f);
    cell(f, r->servers[x->server].name);
    fputc(',', f);
    cell(f, exh_level_name(x->level));
    fprintf(f, ",\"%d\",", exh_level_severity(x->level));
    cell(f, x->rule->id);
    fputc(',', f);
    cell(f, x->rule->title);
    fputc(',', f);
    join(f, x->rule->cves, x->rule->ncves);
    fputc(',', f);
    join(f, x->rule->techniques, x->rule->ntechniques);
    fputc(',', f);
    cell(f, x->source_ip);
    fputc(',', f);
    cell(f, x->http_method);
    fputc(',', f);
    cell(f, x->url);
    fputc(',', f);
    snprintf(num, sizeof num, "%d", x->http_status);
    cell(f, x->http_status ? num : "");
    fputc(',', f);
    cell(f, x->user_agent);
    fputc(',', f);
    cell(f, x->user_name);
    fputc(',', f);
    cell(f, x->path);
    fprintf(f, ",\"%llu\",\"%llu\",\"%llu\",", (unsigned long long)x->line, (unsigned long long)x->record_id,
            (unsigned long long)x->offset);
    cell(f, x->message);
    fputc(',', f);
    csv_cell(f, x->evidence ? x->evidence : "", x->evidence ? x->evidence_len : 0);
    fputc(',', f);
    cell(f, x->file_sha256);
    fputc(',', f);
    cell(f, x->ioc_value);
    fputs("\r\n", f);
  }
  return ferror(f) ? EXH_EIO : EXH_OK;
}

exh_err exh_report_timesketch(FILE *f, const exh_result *r, const exh_report_opts *o) {
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
