/* The CSV report.
 *
 * CSV (RFC 4180, one finding per row, then state rows whose rule_id is
 * exhunt.verdict, exhunt.campaign or exhunt.coverage): every cell is quoted, inner quotes
 * doubled, and a cell that a spreadsheet would take for a formula (first
 * byte = + - @, tab or carriage return) gets a leading apostrophe (OWASP's
 * advice against CSV injection); control bytes other than tab become
 * spaces, invalid UTF-8 becomes U+FFFD.
 */
#include <string.h>

#include "../util/util.h"
#include "guarded.h"
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

/* A state row in the findings' columns: host, rule_id, rule, path, message. */
static void state_row(FILE *f, const char *host, const char *id, const char *name, const char *path, const char *msg) {
  fputs("\"\",", f);
  cell(f, host);
  fputs(",\"\",\"\",", f);
  cell(f, id);
  fputc(',', f);
  cell(f, name);
  fputs(",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",", f);
  cell(f, path);
  fputs(",\"\",\"\",\"\",", f);
  cell(f, msg);
  fputs(",\"\",\"\",\"\"\r\n", f);
}

static exh_err report_csv(FILE *f, const exh_result *r, const exh_report_opts *o) {
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
  /* after the findings, the state rows: per server its verdict, each
   * campaign and each class of evidence (rule_id exhunt.*, no level) */
  for (size_t s = 0; s < r->nservers; s++) {
    const exh_server *S = &r->servers[s];
    exh_buf m = {0};
    exh_buf_printf(&m, "%s; %s", S->reason ? S->reason : "", S->limits ? S->limits : "");
    state_row(f, S->name, "exhunt.verdict", exh_verdict_name(S->verdict), S->root, m.p);
    for (size_t k = 0; k < S->ncampaigns; k++) {
      m.n = 0;
      exh_buf_printf(&m, "%s: %s", exh_campaign_state_name(S->campaigns[k].state), S->campaigns[k].why);
      state_row(f, S->name, "exhunt.campaign", S->campaigns[k].campaign, "", m.p);
    }
    for (size_t i = 0; i < r->ncoverage; i++) {
      const exh_coverage *c = &r->coverage[i];
      if (c->server != s) continue;
      m.n = 0;
      if (!c->present) {
        exh_buf_adds(&m, "not found");
      } else {
        char a[32], b[32];
        exh_format_iso8601(c->first_ms, a);
        exh_format_iso8601(c->last_ms, b);
        exh_buf_printf(&m, "read: %s .. %s, %u files, %llu bytes, %llu records, %u with errors, %zu rules", a, b,
                       c->files, (unsigned long long)c->bytes, (unsigned long long)c->records, c->errors, c->rules);
      }
      state_row(f, S->name, "exhunt.coverage", c->label, "", m.p);
    }
    exh_buf_free(&m);
  }
  return ferror(f) ? EXH_EIO : EXH_OK;
}

EXH_REPORT_GUARDED(exh_report_csv, report_csv)

