/* Issue 11 defect 13: running out of memory anywhere in a scan or a report
 * gives an error value (EXH_ENOMEM) or a report with the file named, never
 * an exit or a crash. Every allocation of a small scan is made to fail in
 * turn (as sqlite's OOM tests do); the scan must come back each time.
 * Memory held by the unwound frames is not freed by design (util.h,
 * guards), so this test runs without the leak checker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "exhunt/exhunt.h"
#include "util/util.h"

static char root[256], events[300];

static void put(const char *rel, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(path, 0755);
      *p = '/';
    }
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void make_tree(void) {
  snprintf(root, sizeof root, "/tmp/exh-oom-XXXXXX");
  assert_non_null(mkdtemp(root));
  put("C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030303-1.LOG",
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
      "#Date: 2021-03-03T03:00:00.000Z\r\n"
      "#Fields: DateTime,RequestId,UrlStem,AnchorMailbox,UserAgent,ClientIpAddress,HttpStatus,BackEndStatus,Method,"
      "RoutingHint,TargetServer\r\n"
      "2021-03-03T03:10:07.000Z,r1,/ecp/y.js,ServerInfo~a]@exch01.contoso.local:444/mapi/emsmdb/?#,python-requests/2.25.1,"
      "104.140.114.110,200,200,POST,X-BEResource-Cookie,EXCH01\r\n"
      "2021-03-03T03:11:07.000Z,r2,/owa/,,Mozilla,10.0.0.5,200,200,GET,,EXCH01\r\n");
  put("C/inetpub/wwwroot/aspnet_client/shell.aspx",
      "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"pass\"],\"unsafe\");%>\n");
  put("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
      "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-03 03:00:00\r\n"
      "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
      "cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
      "2021-03-03 03:12:00 10.0.0.1 POST /aspnet_client/shell.aspx - 443 - 104.140.114.110 Mozilla - 200 0 0 5\r\n");
  snprintf(events, sizeof events, "%s/events.jsonl", root);
  FILE *f = fopen(events, "w");
  assert_non_null(f);
  fputs("{\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
        "\"ParentProcessName\":\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\",\"CommandLine\":\"cmd /c whoami\","
        "\"TimeCreated\":\"2021-03-03T03:13:00.000Z\"}\n",
        f);
  fclose(f);
}

static exh_ruleset *rules(void) {
  exh_ruleset *rs;
  assert_int_equal(exh_ruleset_new(&rs), EXH_OK);
  assert_int_equal(exh_ruleset_add_builtin(rs), EXH_OK);
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  return rs;
}

static exh_err scan(exh_ruleset *rs, int threads, exh_result **res) {
  const char *roots[] = {root, events};
  exh_scan_opts o;
  memset(&o, 0, sizeof o);
  o.roots = roots;
  o.nroots = 2;
  o.threads = threads;
  return exh_scan(rs, &o, res);
}

/* Allocation n of the scan fails, for n over the whole scan. */
static void test_scan_oom(void **st) {
  (void)st;
  make_tree();
  exh_ruleset *rs = rules();
  for (int threads = 1; threads <= 2; threads++) {
    exh_result *res = NULL;
    exh__alloc_fail_at(UINT64_MAX); /* count only */
    assert_int_equal(scan(rs, threads, &res), EXH_OK);
    uint64_t total = exh__alloc_count();
    exh__alloc_fail_at(0);
    assert_true(total > 50);
    assert_int_equal(exh_server_verdict(exh_result_server(res, 0)), EXH_VERDICT_COMPROMISED);
    exh_result_free(res);
    uint64_t step = total / 400 + 1;
    size_t enomem = 0, partial = 0;
    for (uint64_t n = 1; n <= total + 1; n += step) {
      res = NULL;
      exh__alloc_fail_at(n);
      exh_err rc = scan(rs, threads, &res);
      exh__alloc_fail_at(0);
      if (rc == EXH_ENOMEM) {
        assert_null(res);
        enomem++;
        continue;
      }
      assert_int_equal(rc, EXH_OK);
      assert_non_null(res);
      assert_int_equal(exh_result_nservers(res), 2);
      /* a file whose reading ran out of memory is named */
      for (size_t i = 0; i < exh_result_nerrors(res); i++)
        if (strstr(exh_file_error_reason(exh_result_error(res, i)), "out of memory")) partial++;
      exh_result_free(res);
    }
    /* both outcomes happen: failures in the driver and inside a file */
    assert_true(enomem > 0);
    assert_true(partial > 0);
  }
  exh_ruleset_free(rs);
}

static int discard(void *ctx, const char *p, size_t n) {
  (void)ctx, (void)p, (void)n;
  return 0;
}

/* Allocation n of a report fails: EXH_ENOMEM, never a crash. */
static void test_report_oom(void **st) {
  (void)st;
  exh_ruleset *rs = rules();
  exh_result *res = NULL;
  assert_int_equal(scan(rs, 1, &res), EXH_OK);
  exh_report_opts ro = {0, 1};
  size_t nenomem = 0;
  for (const exh_writer *const *w = exh_writers(); *w; w++) {
    exh__alloc_fail_at(UINT64_MAX);
    assert_int_equal(exh_writer_write(*w, discard, NULL, res, &ro), EXH_OK);
    uint64_t total = exh__alloc_count();
    exh__alloc_fail_at(0);
    for (uint64_t n = 1; n <= total; n++) {
      exh__alloc_fail_at(n);
      exh_err rc = exh_writer_write(*w, discard, NULL, res, &ro);
      exh__alloc_fail_at(0);
      assert_true(rc == EXH_OK || rc == EXH_ENOMEM);
      nenomem += rc == EXH_ENOMEM;
    }
  }
  assert_true(nenomem > 0);
  /* the terminal writer and the prefilter description too */
  exh__alloc_fail_at(1);
  assert_int_equal(exh_term_write(discard, NULL, "x\x1b", 2), EXH_ENOMEM);
  exh__alloc_fail_at(1);
  assert_int_equal(exh_ruleset_describe_prefilter(rs, 0, discard, NULL), EXH_ENOMEM);
  exh__alloc_fail_at(0);
  assert_int_equal(exh_ruleset_describe_prefilter(rs, 0, discard, NULL), EXH_OK);
  exh_result_free(res);
  exh_ruleset_free(rs);
}

/* Allocation n of `exhunt dump` fails, with one thread and with several:
 * EXH_ENOMEM (or EXH_OK when the failure was one not needed), never an
 * abort (with several threads the worker that ran out used to abort). */
static void test_dump_oom(void **st) {
  (void)st;
  static const char *const names[] = {"Security.evtx", "System.evtx", "MSExchange Management.evtx",
                                      "Microsoft-Windows-PowerShell%4Operational.evtx",
                                      "Microsoft-Windows-Sysmon%4Operational.evtx"};
  char paths[10][512];
  const char *pp[10];
  for (size_t i = 0; i < 10; i++) { /* each twice: several units, small files packed */
    snprintf(paths[i], sizeof paths[i], "%s/samples/exch01/C/Windows/System32/winevt/Logs/%s", EXH_SOURCE_DIR,
             names[i % 5]);
    pp[i] = paths[i];
  }
  for (int threads = 1; threads <= 3; threads++) {
    for (int fmt = 0; fmt < 2; fmt++) {
      exh_dump_format f = fmt ? EXH_DUMP_XML : EXH_DUMP_JSONL;
      uint64_t records = 0, issues = 0;
      exh__alloc_fail_at(UINT64_MAX); /* count only */
      assert_int_equal(exh_dump_evtx(pp, 10, f, threads, discard, NULL, discard, NULL, &records, &issues), EXH_OK);
      uint64_t total = exh__alloc_count();
      exh__alloc_fail_at(0);
      assert_true(records > 10);
      assert_true(total > 20);
      size_t enomem = 0;
      for (uint64_t n = 1; n <= total + 10; n++) { /* with threads the count varies a little */
        exh__alloc_fail_at(n);
        exh_err rc = exh_dump_evtx(pp, 10, f, threads, discard, NULL, discard, NULL, NULL, NULL);
        exh__alloc_fail_at(0);
        assert_true(rc == EXH_OK || rc == EXH_ENOMEM);
        enomem += rc == EXH_ENOMEM;
      }
      assert_true(enomem > 0);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_scan_oom), cmocka_unit_test(test_report_oom),
                                     cmocka_unit_test(test_dump_oom)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (root[0] && system(cmd) != 0) rc = 1;
  return rc;
}
