/* correlate/verdict.c, coverage.c and labels.c: the verdict and campaign
 * statements a responder's review found wrong (session 8, items 1, 3, 4,
 * 5, 6, 18, 19). White-box: results built by hand (core/result.h), then
 * the correlation stages in the scan's order.
 *
 *   1  a clean verdict is earned only with every Exchange web root read
 *      (inetpub/wwwroot, FrontEnd/HttpProxy, ClientAccess) when no web log
 *      covers the exposure; the roots not collected are named;
 *   3  files outside the checked folders are counted, not counted as read;
 *   4  a CVE label the build's patch level contradicts is dropped;
 *   5  a finding naming only CVE-2022-41082 counts for one campaign;
 *   6  the verdict's reason groups CVEs as the campaign table does;
 *  18  never "no web shell" beside a web shell finding;
 *  19  the fix's release date is never called the newest evidence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/checks.h"
#include "core/evidence.h"
#include "core/paths.h"
#include "core/result.h"
#include "correlate/correlate.h"
#include "exhunt/exhunt.h"
#include "util/util.h"

static const char *const cve_26855[] = {"CVE-2021-26855"};
static const char *const cve_pns[] = {"CVE-2022-41040", "CVE-2022-41082"};
static const char *const cve_41082[] = {"CVE-2022-41082"};
static const char *const cve_owassrf[] = {"CVE-2022-41080", "CVE-2022-41082"};
static const exh_rule_info hafnium = {"h-1", "HAFNIUM shapes", "d", "builtin:h.yml", "iis", EXH_LEVEL_HIGH,
                                      cve_26855, 1, NULL, 0, 0};
static const exh_rule_info pns = {"p-1", "ProxyNotShell request", "d", "builtin:p.yml", "iis", EXH_LEVEL_HIGH,
                                  cve_pns, 2, NULL, 0, 0};
static const exh_rule_info backend = {"b-1", "back end /powershell", "d", "builtin:b.yml", "iis", EXH_LEVEL_HIGH,
                                      cve_41082, 1, NULL, 0, 0};
static const exh_rule_info owassrf = {"o-1", "OWASSRF request", "d", "builtin:o.yml", "iis", EXH_LEVEL_CRITICAL,
                                      cve_owassrf, 2, NULL, 0, 0};
static const exh_rule_info yara = {"y-1", "China Chopper", "d", "builtin:w.yar", "exhunt.file", EXH_LEVEL_CRITICAL,
                                   NULL, 0, NULL, 0, 0};

#define T22 1664420531000LL /* 2022-09-29T03:02:11Z */
#define T23 1687219200000LL /* 2023-06-20T00:00:00Z */

static exh_ruleset *rs;
static size_t kind_rules[EXH_KIND_COUNT];

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  for (size_t k = 0; k < EXH_KIND_COUNT; k++) kind_rules[k] = 1;
  return 0;
}

static int teardown(void **st) {
  (void)st;
  exh_ruleset_free(rs);
  return 0;
}

typedef struct fixture {
  exh_result *r;
  size_t cap;
  exh_walk_server ws;
} fixture;

static void make(fixture *x, const char *build) {
  memset(x, 0, sizeof *x);
  exh_result *r = x->r = exh__xcalloc(1, sizeof *r);
  r->nservers = 1;
  r->servers = exh__xcalloc(1, sizeof *r->servers);
  r->servers[0].name = exh__xstrdup("EXCH01");
  r->servers[0].root = exh__xstrdup("/c");
  r->scan_start_ms = T23 + 86400000LL * 30;
  char *early[1] = {(char *)build};
  const char *src[1] = {"Bin/ExSetup.exe version resource"};
  exh__build_finish(r, early, src);
}

static exh_finding *add(fixture *x, const exh_rule_info *rule, int64_t t, const char *path) {
  exh_result *r = x->r;
  r->findings = exh__xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
  exh_finding *f = &r->findings[r->nfindings++];
  memset(f, 0, sizeof *f);
  f->rule = rule;
  f->level = rule->level;
  f->time_ms = t;
  f->path = exh__xstrdup(path);
  f->message = exh__xstrdup(rule->title);
  f->file_mtime_ms = EXH_TIME_UNKNOWN;
  return f;
}

static exh_finding *request(fixture *x, const exh_rule_info *rule, const char *url, int status) {
  exh_finding *f = add(x, rule, T22, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex220929.log");
  f->url = exh__xstrdup(url);
  f->http_status = status;
  return f;
}

/* A file of a web folder read (the walk's evidence as scan/ notes it). */
static void web_file(fixture *x, const char *rel) {
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_CONTENT;
  snprintf(ev.sub, sizeof ev.sub, "web");
  ev.rel = (char *)rel;
  ev.path = (char *)rel;
  ev.size = 100;
  ev.first_ms = ev.last_ms = EXH_TIME_UNKNOWN;
  exh__coverage_note(x->r, &x->cap, &ev, kind_rules);
  int i = exh__path_web_root(rel);
  if (i >= 0) x->ws.web_roots |= 1u << i;
}

static void iis_log(fixture *x, int64_t first, int64_t last) {
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_IIS;
  snprintf(ev.sub, sizeof ev.sub, "W3SVC1");
  ev.rel = ev.path = (char *)"C/inetpub/logs/LogFiles/W3SVC1/u_ex230620.log";
  ev.size = 1000;
  ev.records = 10;
  ev.first_ms = first;
  ev.last_ms = last;
  exh__coverage_note(x->r, &x->cap, &ev, kind_rules);
}

static void all_roots(fixture *x) {
  web_file(x, "C/inetpub/wwwroot/iisstart.htm");
  web_file(x, "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx");
  web_file(x, "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/ecp/default.aspx");
}

static void run(fixture *x) {
  exh__correlate_labels(x->r);
  exh__correlate(x->r);
  exh__coverage_finish(x->r, &x->cap, &x->ws, 1);
  exh__correlate_verdicts(x->r, rs);
}

static void done(fixture *x) { exh_result_free(x->r); }

static const exh_campaign *campaign(const fixture *x, const char *name) {
  const exh_server *sv = &x->r->servers[0];
  for (size_t k = 0; k < sv->ncampaigns; k++)
    if (!strcmp(sv->campaigns[k].campaign, name)) return &sv->campaigns[k];
  fail_msg("no campaign %s", name);
  return NULL;
}

static const exh_coverage *cov(const fixture *x, const char *cls, const char *item) {
  for (size_t i = 0; i < x->r->ncoverage; i++)
    if (!strcmp(x->r->coverage[i].cls, cls) && !strcmp(x->r->coverage[i].item, item)) return &x->r->coverage[i];
  return NULL;
}

static int have_yara(void) {
  size_t y = 0;
  exh_ruleset_content_counts(rs, &y, NULL, NULL);
  return y > 0;
}

/* item 1: IIS's default page alone is not a clean server */
static void test_default_page_is_not_clean(void **st) {
  (void)st;
  fixture x;
  make(&x, NULL);
  web_file(&x, "C/inetpub/wwwroot/iisstart.htm");
  run(&x);
  const exh_server *sv = &x.r->servers[0];
  assert_int_equal(sv->verdict, EXH_VERDICT_CANNOT_TELL);
  assert_non_null(strstr(sv->reason, "roots not collected (FrontEnd/HttpProxy, ClientAccess)"));
  assert_non_null(strstr(sv->limits, "web folder FrontEnd/HttpProxy"));
  assert_non_null(strstr(sv->limits, "web folder ClientAccess"));
  const exh_coverage *c = cov(&x, "web_files", "inetpub/wwwroot");
  assert_non_null(c);
  assert_true(c->present);
  c = cov(&x, "web_files", "FrontEnd/HttpProxy");
  assert_non_null(c);
  assert_false(c->present);
  for (size_t k = 0; k < sv->ncampaigns; k++) {
    assert_int_equal(sv->campaigns[k].state, EXH_CAMPAIGN_CANNOT_TELL);
    assert_null(strstr(sv->campaigns[k].why, "no web shell in the web folders"));
  }
  if (have_yara())
    assert_non_null(strstr(campaign(&x, "ProxyLogon")->why,
                           "no web shell in the web roots read (inetpub/wwwroot), but FrontEnd/HttpProxy, "
                           "ClientAccess were not collected"));
  done(&x);
}

/* item 1: every web root read, nothing found: earned, and said of those roots */
static void test_every_root_read_is_clean(void **st) {
  (void)st;
  if (!have_yara()) skip();
  fixture x;
  make(&x, NULL);
  all_roots(&x);
  run(&x);
  const exh_server *sv = &x.r->servers[0];
  assert_int_equal(sv->verdict, EXH_VERDICT_CLEAN);
  assert_non_null(strstr(campaign(&x, "ProxyNotShell")->why,
                         "no web shell in the web roots (inetpub/wwwroot, FrontEnd/HttpProxy, ClientAccess)"));
  done(&x);
}

/* item 3: the files left without content checks are named and counted,
 * never as evidence examined */
static void test_unchecked_files_named(void **st) {
  (void)st;
  fixture x;
  make(&x, NULL);
  x.ws.other_files = 3;
  run(&x);
  const exh_server *sv = &x.r->servers[0];
  assert_int_equal(sv->verdict, EXH_VERDICT_NOTHING_EXAMINED);
  const exh_coverage *c = cov(&x, "unchecked_files", "");
  assert_non_null(c);
  assert_int_equal(c->files, 3);
  assert_non_null(strstr(c->label, "--all-files"));
  assert_non_null(strstr(sv->limits, "3 other files outside the checked folders not content-checked (use --all-files)"));
  assert_null(strstr(sv->limits, "read: other files"));
  done(&x);

  if (!have_yara()) return;
  make(&x, NULL);
  all_roots(&x);
  x.ws.other_files = 1;
  run(&x);
  assert_int_equal(x.r->servers[0].verdict, EXH_VERDICT_CLEAN);
  assert_non_null(strstr(x.r->servers[0].reason, "1 other file not content-checked (use --all-files)"));
  done(&x);
}

/* item 18: a web shell found, no campaign says "no web shell" */
static void test_no_denial_beside_a_shell(void **st) {
  (void)st;
  fixture x;
  make(&x, NULL);
  all_roots(&x);
  exh_finding *f =
      add(&x, &yara, EXH_TIME_UNKNOWN, "/c/C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/e.aspx");
  f->is_file = 1;
  run(&x);
  const exh_server *sv = &x.r->servers[0];
  assert_int_equal(sv->verdict, EXH_VERDICT_COMPROMISED);
  for (size_t k = 0; k < sv->ncampaigns; k++) {
    assert_null(strstr(sv->campaigns[k].why, "no web shell"));
    assert_non_null(strstr(sv->campaigns[k].why, "web shells found (1: /c/C/Program Files"));
    assert_int_equal(sv->campaigns[k].state, EXH_CAMPAIGN_CANNOT_TELL);
  }
  done(&x);

  /* a shell of March 2021: ProxyLogon's time, not ProxyNotShell's */
  if (!have_yara()) return;
  make(&x, NULL);
  all_roots(&x);
  f = add(&x, &yara, EXH_TIME_UNKNOWN, "/c/C/inetpub/wwwroot/aspnet_client/s.aspx");
  f->is_file = 1;
  f->file_mtime_ms = 1614740000000LL; /* 2021-03-03 */
  iis_log(&x, 1614556800000LL, 1614816000000LL);
  run(&x);
  const char *why = campaign(&x, "ProxyNotShell")->why;
  assert_int_equal(campaign(&x, "ProxyNotShell")->state, EXH_CAMPAIGN_NO_TRACE_ON_DISK);
  assert_null(strstr(why, "no web shell"));
  assert_non_null(strstr(why, "1 web shell, dated before its first exploitation, in the web roots"));
  assert_null(strstr(campaign(&x, "ProxyLogon")->why, "no web shell"));
  done(&x);
}

/* item 19: on a patched build, the fix's release is not "the newest evidence" */
static void test_fix_date_is_not_evidence(void **st) {
  (void)st;
  fixture x;
  make(&x, "15.2.1258.12");
  all_roots(&x);
  iis_log(&x, T23, T23 + 3600000);
  run(&x);
  const char *why = campaign(&x, "ProxyShell")->why;
  assert_null(strstr(why, "newest evidence (2021-05-11)"));
  assert_non_null(strstr(why, "its fix (2021-05-11) predates its first exploitation (2021-08-05)"));
  assert_non_null(strstr(why, "the newest evidence is of 2023-06-20"));
  done(&x);
}

/* item 4: ProxyLogon's label on a build patched for ProxyLogon is dropped;
 * a web shell's use keeps its level, a failed request is an attempt */
static void test_patched_label_dropped(void **st) {
  (void)st;
  fixture x;
  make(&x, "15.2.1118.7"); /* Exchange 2019 CU12, October 2022: fixed for ProxyLogon, not ProxyNotShell */
  request(&x, &hafnium, "/owa/auth/errorEE.aspx", 200);
  request(&x, &hafnium, "/ecp/y.js", 404);
  run(&x);
  const exh_finding *ok = &x.r->findings[0], *failed = &x.r->findings[1];
  assert_int_equal(exh_finding_ncves(ok), 0);
  assert_int_equal(ok->level, EXH_LEVEL_HIGH);
  assert_non_null(strstr(ok->message, "[not ProxyLogon: build 15.2.1118.7 was patched for CVE-2021-26855"));
  assert_int_equal(exh_finding_ncves(failed), 0);
  assert_int_equal(failed->level, EXH_LEVEL_MEDIUM);
  assert_int_not_equal(campaign(&x, "ProxyLogon")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_null(strstr(x.r->servers[0].reason, "ProxyLogon"));
  done(&x);

  make(&x, "15.2.1118.7"); /* a request of February 2021: before the fix existed, label kept */
  exh_finding *early = request(&x, &hafnium, "/owa/auth/errorEE.aspx", 200);
  early->time_ms = 1614000000000LL; /* 2021-02-22 */
  run(&x);
  assert_int_equal(exh_finding_ncves(&x.r->findings[0]), 1);
  assert_int_equal(campaign(&x, "ProxyLogon")->state, EXH_CAMPAIGN_COMPROMISED);
  done(&x);

  make(&x, "15.1.2176.2"); /* Exchange 2016 CU19 before March 2021: vulnerable, label kept */
  request(&x, &hafnium, "/owa/auth/errorEE.aspx", 200);
  run(&x);
  assert_int_equal(exh_finding_ncves(&x.r->findings[0]), 1);
  assert_int_equal(campaign(&x, "ProxyLogon")->state, EXH_CAMPAIGN_COMPROMISED);
  done(&x);
}

/* item 5: CVE-2022-41082 alone counts for the campaign whose own CVE the
 * server's findings name, never for both */
static void test_shared_cve_one_campaign(void **st) {
  (void)st;
  fixture x;
  make(&x, "15.2.1118.7");
  request(&x, &pns, "/autodiscover/autodiscover.json", 200);
  request(&x, &backend, "/powershell", 200);
  run(&x);
  assert_int_equal(campaign(&x, "ProxyNotShell")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_non_null(strstr(campaign(&x, "ProxyNotShell")->why, "2 findings"));
  assert_int_not_equal(campaign(&x, "OWASSRF")->state, EXH_CAMPAIGN_COMPROMISED);
  done(&x);

  make(&x, "15.2.1118.7");
  request(&x, &owassrf, "/owa/mastermailbox@outlook.com/powershell", 200);
  request(&x, &backend, "/powershell", 200);
  run(&x);
  assert_int_equal(campaign(&x, "OWASSRF")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_non_null(strstr(campaign(&x, "OWASSRF")->why, "2 findings"));
  assert_int_not_equal(campaign(&x, "ProxyNotShell")->state, EXH_CAMPAIGN_COMPROMISED);
  done(&x);

  make(&x, "15.2.1118.7"); /* no context: the patch table's campaign */
  request(&x, &backend, "/powershell", 200);
  run(&x);
  assert_int_equal(campaign(&x, "ProxyNotShell")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_int_not_equal(campaign(&x, "OWASSRF")->state, EXH_CAMPAIGN_COMPROMISED);
  done(&x);
}

/* item 6: the verdict's reason names the campaigns the table marks */
static void test_reason_matches_table(void **st) {
  (void)st;
  fixture x;
  make(&x, "15.2.1118.7");
  request(&x, &owassrf, "/owa/mastermailbox@outlook.com/powershell", 200);
  request(&x, &owassrf, "/owa/mastermailbox@outlook.com/powershell", 200);
  run(&x);
  const exh_server *sv = &x.r->servers[0];
  assert_int_equal(campaign(&x, "OWASSRF")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_int_not_equal(campaign(&x, "ProxyNotShell")->state, EXH_CAMPAIGN_COMPROMISED);
  assert_null(strstr(sv->reason, "ProxyNotShell"));
  assert_non_null(strstr(sv->reason, "of OWASSRF: CVE-2022-41080 (2 findings"));
  assert_non_null(strstr(sv->reason, "CVE-2022-41082 (2 findings"));
  done(&x);
}

static int to_buf(void *ctx, const char *p, size_t n) {
  exh_buf_add(ctx, p, n);
  return 0;
}

static char *render(const char *fmt, const exh_result *r) {
  exh_buf b = {0};
  exh_report_opts o = {0, 0};
  assert_int_equal(exh_writer_write(exh_writer_find(fmt), to_buf, &b, r, &o), EXH_OK);
  exh_buf_add(&b, "", 1);
  return b.p;
}

/* item 20: the fleet table names every campaign, the sections follow its
 * order, the Rps_Http log is in the read column, one word for a verdict */
static void test_fleet_cosmetics(void **st) {
  (void)st;
  fixture x;
  make(&x, "15.2.1118.7");
  exh_result *r = x.r;
  r->nservers = 2;
  r->servers = exh__xrealloc(r->servers, 2 * sizeof *r->servers);
  memset(&r->servers[1], 0, sizeof r->servers[1]);
  free(r->servers[0].name);
  r->servers[0].name = exh__xstrdup("AAA-CLEAN"), r->servers[1].name = exh__xstrdup("ZZZ-HIT");
  r->servers[1].root = exh__xstrdup("/z");
  exh_finding *f = request(&x, &pns, "/autodiscover/autodiscover.json", 200);
  f->server = 1;
  f = request(&x, &owassrf, "/owa/x@y.com/powershell", 200);
  f->server = 1;
  f = add(&x, &hafnium, T22, "/z/u_ex.log");
  f->server = 1; /* server 1 has no build: ProxyLogon's label stays */
  f->url = exh__xstrdup("/ecp/y.js");
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_RPS_HTTP;
  ev.server = 1;
  ev.rel = ev.path = (char *)"Logging/CmdletInfra/Powershell-Proxy/Http/x.log";
  ev.records = 1;
  ev.first_ms = ev.last_ms = T22;
  exh__coverage_note(r, &x.cap, &ev, kind_rules);
  exh_walk_server ws[2];
  memset(ws, 0, sizeof ws);
  exh__correlate_labels(r);
  exh__correlate(r);
  exh__coverage_finish(r, &x.cap, ws, 2);
  exh__correlate_verdicts(r, rs);
  char *o = render("text", r);
  if (getenv("TV_DUMP")) fputs(o, stderr);
  assert_non_null(strstr(o, "ProxyLogon, ProxyNotShell, OWASSRF 2022-09-29"));
  assert_non_null(strstr(o, "0 exploitation attempted"));
  assert_null(strstr(o, "suspicious"));
  assert_non_null(strstr(o, " Rps_Http"));
  char *z = strstr(o, "\n== ZZZ-HIT"), *a = strstr(o, "\n== AAA-CLEAN");
  assert_non_null(z);
  assert_non_null(a);
  assert_true(z < a);
  free(o);
  o = render("html", r);
  z = strstr(o, "ZZZ-HIT</h2>");
  a = strstr(o, "AAA-CLEAN</h2>");
  if (z && a) assert_true(z < a);
  assert_null(strstr(o, " suspicious,"));
  free(o);
  done(&x);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_page_is_not_clean),
      cmocka_unit_test(test_every_root_read_is_clean),
      cmocka_unit_test(test_unchecked_files_named),
      cmocka_unit_test(test_no_denial_beside_a_shell),
      cmocka_unit_test(test_fix_date_is_not_evidence),
      cmocka_unit_test(test_patched_label_dropped),
      cmocka_unit_test(test_shared_cve_one_campaign),
      cmocka_unit_test(test_reason_matches_table),
      cmocka_unit_test(test_fleet_cosmetics),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
