/* The CSV report.
 *
 * CSV (RFC 4180, one finding per row (hop_ip, the server's own address a
 * log named as the client, is the last column, added after the others), then state rows whose rule_id is
 * exhunt.verdict, exhunt.campaign or exhunt.coverage): every cell is quoted, inner quotes
 * doubled, and a cell that a spreadsheet would take for a formula (first
 * byte = + - @, tab or carriage return) gets a leading apostrophe (OWASP's
 * advice against CSV injection); control bytes other than tab become
 * spaces, invalid UTF-8 becomes U+FFFD.
 */
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "report.h"

static void csv_cell(exh_out *o, const char *s, size_t n) {
  out_putc(o, '"');
  if (n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    out_putc(o, '\'');
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    if (c == '"') {
      out_write(o, "\"\"", 2);
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      out_putc(o, c == '\t' ? '\t' : ' ');
      i++;
    } else if (c < 0x80) {
      size_t j = i + 1; /* a run of plain bytes at once */
      while (j < n && u[j] >= 0x20 && u[j] < 0x7F && u[j] != '"') j++;
      out_write(o, s + i, j - i);
      i = j;
    } else {
      size_t l = exh__utf8_len(u + i, n - i);
      if (l == 0) {
        out_write(o, "\xef\xbf\xbd", 3);
        i++;
      } else {
        out_write(o, s + i, l);
        i += l;
      }
    }
  }
  out_putc(o, '"');
}

static void cell(exh_out *o, const char *s) { csv_cell(o, s ? s : "", s ? strlen(s) : 0); }

/* The CVEs of a finding (as correlation labelled it) or the techniques of
 * its rule, space-separated, in one cell. */
static void join(exh_out *o, const exh_finding *x, int techniques) {
  const exh_rule_info *ri = exh_finding_rule(x);
  exh_buf b = {0};
  size_t n = techniques ? exh_rule_info_ntechniques(ri) : exh_finding_ncves(x);
  for (size_t i = 0; i < n; i++) {
    if (i) exh_buf_addc(&b, ' ');
    exh__buf_adds(&b, techniques ? exh_rule_info_technique(ri, i) : exh_finding_cve(x, i));
  }
  csv_cell(o, b.p ? b.p : "", b.n);
  exh__buf_free(&b);
}

/* A state row in the findings' columns: host, rule_id, rule, path, message. */
static void state_row(exh_out *o, const char *host, const char *id, const char *name, const char *path,
                      const char *msg) {
  out_puts(o, "\"\",");
  cell(o, host);
  out_puts(o, ",\"\",\"\",");
  cell(o, id);
  out_putc(o, ',');
  cell(o, name);
  out_puts(o, ",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",");
  cell(o, path);
  out_puts(o, ",\"\",\"\",\"\",");
  cell(o, msg);
  out_puts(o, ",\"\",\"\",\"\",\"\"\r\n");
}

static void report_csv(exh_out *o, const exh_result *r, const exh_report_opts *opts) {
  (void)opts;
  out_puts(o, "\"time\",\"host\",\"level\",\"severity\",\"rule_id\",\"rule\",\"cve\",\"technique\",\"source_ip\","
              "\"method\",\"url\",\"status\",\"user_agent\",\"user\",\"path\",\"line\",\"record_id\",\"offset\","
              "\"message\",\"evidence\",\"sha256\",\"indicator\",\"hop_ip\"\r\n");
  for (size_t i = 0; i < exh_result_nfindings(r); i++) {
    const exh_finding *x = exh_result_finding(r, i);
    const exh_rule_info *ri = exh_finding_rule(x);
    char t[32], num[32];
    exh__format_iso8601(exh_finding_time(x), t);
    cell(o, t);
    out_putc(o, ',');
    cell(o, exh_server_name(exh_result_server(r, exh_finding_server(x))));
    out_putc(o, ',');
    cell(o, exh_level_name(exh_finding_level(x)));
    exh__out_printf(o, ",\"%d\",", exh_level_severity(exh_finding_level(x)));
    cell(o, exh_rule_info_id(ri));
    out_putc(o, ',');
    cell(o, exh_rule_info_title(ri));
    out_putc(o, ',');
    join(o, x, 0);
    out_putc(o, ',');
    join(o, x, 1);
    out_putc(o, ',');
    cell(o, exh_finding_source_ip(x));
    out_putc(o, ',');
    cell(o, exh_finding_http_method(x));
    out_putc(o, ',');
    cell(o, exh_finding_url(x));
    out_putc(o, ',');
    snprintf(num, sizeof num, "%d", exh_finding_http_status(x));
    cell(o, exh_finding_http_status(x) ? num : "");
    out_putc(o, ',');
    cell(o, exh_finding_user_agent(x));
    out_putc(o, ',');
    cell(o, exh_finding_user_name(x));
    out_putc(o, ',');
    cell(o, exh_finding_path(x));
    exh__out_printf(o, ",\"%llu\",\"%llu\",\"%llu\",", (unsigned long long)exh_finding_line(x),
                    (unsigned long long)exh_finding_record_id(x), (unsigned long long)exh_finding_offset(x));
    cell(o, exh_finding_message(x));
    out_putc(o, ',');
    size_t evn;
    const char *ev = exh_finding_evidence(x, &evn, NULL);
    csv_cell(o, ev ? ev : "", ev ? evn : 0);
    out_putc(o, ',');
    cell(o, exh_finding_sha256(x));
    out_putc(o, ',');
    cell(o, exh_finding_indicator(x));
    out_putc(o, ',');
    cell(o, exh_finding_hop_ip(x)); /* last: columns keep their places */
    out_puts(o, "\r\n");
  }
  /* after the findings, the state rows: per server its verdict, each
   * campaign and each class of evidence (rule_id exhunt.*, no level) */
  for (size_t s = 0; s < exh_result_nservers(r); s++) {
    const exh_server *S = exh_result_server(r, s);
    const char *reason = exh_server_reason(S), *limits = exh_server_limits(S);
    exh_buf m = {0};
    exh__buf_printf(&m, "%s; %s", reason ? reason : "", limits ? limits : "");
    state_row(o, exh_server_name(S), "exhunt.verdict", exh_verdict_name(exh_server_verdict(S)), exh_server_root(S),
              m.p);
    for (size_t k = 0; k < exh_server_ncampaigns(S); k++) {
      const exh_campaign *c = exh_server_campaign(S, k);
      m.n = 0;
      exh__buf_printf(&m, "%s: %s", exh_campaign_state_name(exh_campaign_state_of(c)), exh_campaign_why(c));
      state_row(o, exh_server_name(S), "exhunt.campaign", exh_campaign_name(c), "", m.p);
    }
    for (size_t i = 0; i < exh_result_ncoverage(r); i++) {
      const exh_coverage *c = exh_result_coverage(r, i);
      if (exh_coverage_server(c) != s) continue;
      m.n = 0;
      if (!exh_coverage_present(c)) {
        exh__buf_adds(&m, "not found");
      } else if (!strcmp(exh_coverage_class(c), "unchecked_files")) {
        exh__buf_printf(&m, "found, not content-checked: %u files (use --all-files)", exh_coverage_files(c));
      } else {
        char a[32], b[32];
        exh__format_iso8601(exh_coverage_first(c), a);
        exh__format_iso8601(exh_coverage_last(c), b);
        exh__buf_printf(&m, "read: %s .. %s, %u files, %llu bytes, %llu records, %u with errors, %zu rules", a, b,
                       exh_coverage_files(c), (unsigned long long)exh_coverage_bytes(c),
                       (unsigned long long)exh_coverage_records(c), exh_coverage_errors(c), exh_coverage_rules(c));
      }
      state_row(o, exh_server_name(S), "exhunt.coverage", exh_coverage_label(c), "", m.p);
    }
    exh__buf_free(&m);
  }
}

EXH_REPORT_GUARDED(exh__report_csv, report_csv)
