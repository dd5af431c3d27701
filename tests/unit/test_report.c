/* Reports: attacker-controlled strings stay inert in every format, and the
 * JSONL contract's field names are where users expect them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exhunt/exhunt.h"
#include "util/util.h"

static const char *const cves[] = {"CVE-2021-26855"};
static const char *const techs[] = {"T1190"};
static const exh_rule_info rule = {"rid-1", "SSRF", "d", "builtin:x.yml", "exchange.httpproxy",
                                   EXH_LEVEL_HIGH, cves, 1, techs, 1, 0};

#define HOSTILE "evil\x1b]0;title\x07\x1b[2J\"</script><img src=x>\r\n=cmd|' /C calc'!A0\xff"

static exh_result *make(void) {
  exh_result *r = exh_xcalloc(1, sizeof *r);
  r->nservers = 1;
  r->servers = exh_xcalloc(1, sizeof *r->servers);
  r->servers[0].name = exh_xstrdup("srv\x1b[31m");
  r->servers[0].root = exh_xstrdup("/x");
  r->servers[0].reason = exh_xstrdup("because");
  r->servers[0].verdict = EXH_VERDICT_COMPROMISED;
  r->nfindings = 1;
  r->findings = exh_xcalloc(1, sizeof *r->findings);
  exh_finding *f = &r->findings[0];
  f->rule = &rule;
  f->level = EXH_LEVEL_HIGH;
  f->time_ms = 1614733323123LL;
  f->message = exh_xstrdup("msg " HOSTILE);
  f->dataset = "exchange.httpproxy";
  f->path = exh_xstrdup("/x/HttpProxy_1.LOG");
  f->offset = 42;
  f->line = 3;
  f->evidence = exh_xstrdup(HOSTILE);
  f->evidence_len = strlen(HOSTILE);
  f->source_ip = exh_xstrdup("1.2.3.4");
  f->url = exh_xstrdup("/ecp/y.js?" HOSTILE);
  f->user_agent = exh_xstrdup(HOSTILE);
  f->http_status = 200;
  /* coverage and campaigns carry attacker-chosen names too (folder names,
   * EVTX channel names) */
  r->ncoverage = 2;
  r->coverage = exh_xcalloc(2, sizeof *r->coverage);
  r->coverage[0] = (exh_coverage){0, "httpproxy", exh_xstrdup(HOSTILE), exh_xstrdup("HttpProxy logs " HOSTILE), 1,
                                  1614733323123LL, 1614733323999LL, 3, 100, 10, 1, 5};
  r->coverage[1] = (exh_coverage){0, "iis", exh_xstrdup(""), exh_xstrdup("IIS logs"), 0, EXH_TIME_UNKNOWN,
                                  EXH_TIME_UNKNOWN, 0, 0, 0, 0, 0};
  r->servers[0].limits = exh_xstrdup("read: " HOSTILE);
  r->servers[0].ncampaigns = 1;
  r->servers[0].campaigns = exh_xcalloc(1, sizeof *r->servers[0].campaigns);
  r->servers[0].campaigns[0] = (exh_campaign_view){"ProxyLogon", EXH_CAMPAIGN_NO_TRACE, 0, 1, 0, 1, 3,
                                                   exh_xstrdup("why " HOSTILE)};
  return r;
}

/* 0 text, 1 jsonl, 2 csv, 3 timesketch */
static char *render(int fmt, exh_result *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  exh_report_opts o = {0, 1};
  exh_err rc = fmt == 1   ? exh_report_jsonl(f, r, &o)
               : fmt == 2 ? exh_report_csv(f, r, &o)
               : fmt == 3 ? exh_report_timesketch(f, r, &o)
               : fmt == 4 ? exh_report_html(f, r, &o)
                          : exh_report_text(f, r, &o);
  assert_int_equal(rc, EXH_OK);
  fclose(f);
  return buf;
}

static void no_raw_controls(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\n') continue;
    if (*p < 0x20 || *p == 0x7f) fail_msg("raw control byte 0x%02x at %ld", *p, (long)(p - (const unsigned char *)s));
  }
}

static void test_jsonl(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(1, r);
  no_raw_controls(o);
  assert_null(strstr(o, "\xff"));
  /* contract fields */
  assert_non_null(strstr(o, "{\"@timestamp\":\"2021-03-03T01:02:03.123Z\",\"message\":"));
  assert_non_null(strstr(o, "\"event\":{\"kind\":\"alert\",\"severity\":73,\"dataset\":\"exchange.httpproxy\"}"));
  assert_non_null(strstr(o, "\"rule\":{\"id\":\"rid-1\",\"name\":\"SSRF\""));
  assert_non_null(strstr(o, "\"vulnerability\":{\"id\":[\"CVE-2021-26855\"]}"));
  assert_non_null(strstr(o, "\"threat\":{\"technique\":{\"id\":[\"T1190\"]}}"));
  assert_non_null(strstr(o, "\"source\":{\"ip\":\"1.2.3.4\"}"));
  assert_non_null(strstr(o, "\"log\":{\"file\":{\"path\":\"/x/HttpProxy_1.LOG\"},\"offset\":42}"));
  assert_non_null(strstr(o, "\"line\":3"));
  assert_non_null(strstr(o, "\\u001b]0;title\\u0007"));
  assert_non_null(strstr(o, "\"event\":{\"kind\":\"state\",\"dataset\":\"exhunt.verdict\"}"));
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.log_window\""));
  /* every line is one object */
  size_t lines = 0;
  for (char *p = o; *p; p++) lines += *p == '\n';
  assert_int_equal(lines, 5); /* finding, verdict, build, coverage, log window */
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.build\""));
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.coverage\""));
  assert_non_null(strstr(o, "\"class\":\"iis\",\"label\":\"IIS logs\",\"present\":false"));
  assert_non_null(strstr(o, "\"campaigns\":[{\"name\":\"ProxyLogon\",\"state\":\"no trace\""));
  free(o);
  exh_result_free(r);
}

static void test_text(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(0, r);
  no_raw_controls(o);
  assert_non_null(strstr(o, "VERDICT: compromised"));
  assert_non_null(strstr(o, "\\x1b]0;title\\x07"));
  assert_non_null(strstr(o, "HttpProxy_1.LOG:3 (offset 42)"));
  assert_non_null(strstr(o, "campaigns: ProxyLogon    no trace"));
  assert_non_null(strstr(o, "-  IIS logs\n"));
  assert_non_null(strstr(o, "+  HttpProxy logs evil\\x1b]0;title"));
  free(o);
  assert_int_equal(exh_result_exit_code(r), 1);
  r->findings[0].level = EXH_LEVEL_INFO;
  assert_int_equal(exh_result_exit_code(r), 0);
  exh_result_free(r);
}

static void test_csv(void **st) {
  (void)st;
  exh_result *r = make();
  free(r->findings[0].user_agent);
  r->findings[0].user_agent = exh_xstrdup("=cmd|' /C calc'!A0");
  char *o = render(2, r);
  /* header + one row, CRLF */
  assert_non_null(strstr(o, "\"time\",\"host\",\"level\""));
  /* a formula-looking cell is defused, quotes doubled, controls flattened */
  assert_non_null(strstr(o, "\"'=cmd|' /C calc'!A0\""));
  assert_null(strstr(o, ",\"=cmd"));
  assert_non_null(strstr(o, "\"\"</script>"));
  for (const char *p = o; *p; p++)
    if ((unsigned char)*p < 0x20 && *p != '\r' && *p != '\n' && *p != '\t') fail_msg("control byte in CSV");
  assert_null(strstr(o, "\xff"));
  size_t rows = 0;
  for (char *p = o; *p; p++) rows += *p == '\n';
  assert_int_equal(rows, 6); /* header, finding, verdict, campaign, 2 coverage rows */
  assert_non_null(strstr(o, "\"exhunt.coverage\",\"HttpProxy logs evil"));
  assert_non_null(strstr(o, "\"exhunt.campaign\",\"ProxyLogon\""));
  free(o);
  exh_result_free(r);
}

static void test_timesketch(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(3, r);
  no_raw_controls(o);
  assert_non_null(strstr(o, "\"datetime\":\"2021-03-03T01:02:03.123Z\",\"timestamp\":1614733323123000,\"timestamp_desc\":\"Log record time\""));
  assert_non_null(strstr(o, "{\"message\":\"msg "));
  free(o);
  exh_result_free(r);
}

static void test_html(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(4, r);
  no_raw_controls(o);
  assert_null(strstr(o, "\xff"));
  assert_non_null(strstr(o, "<!DOCTYPE html>"));
  assert_non_null(strstr(o, "default-src 'none'"));
  /* the hostile markup is text, never an element */
  assert_null(strstr(o, "<script"));
  assert_non_null(strstr(o, "&lt;/script&gt;&lt;img src=x&gt;"));
  assert_null(strstr(o, "<img"));
  assert_non_null(strstr(o, "1.2.3.4")); /* the attacker table */
  assert_non_null(strstr(o, "<h3>Coverage"));
  assert_non_null(strstr(o, "<tr class=absent><td>IIS logs</td><td>not found</td>"));
  assert_non_null(strstr(o, "<td>ProxyLogon</td><td>no trace</td>"));
  free(o);
  exh_result_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_jsonl), cmocka_unit_test(test_text), cmocka_unit_test(test_csv),
                                     cmocka_unit_test(test_timesketch), cmocka_unit_test(test_html)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
