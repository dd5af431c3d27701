/* End to end through the library: generated server trees, scanned, compared
 * with the generator's ground truth both ways (nothing missed, nothing
 * extra), with levels, verdicts and exit codes. Black-box: the result is
 * read through the public accessors only.
 * usage: test_e2e PATH/TO/exgen WORKDIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exhunt/exhunt.h"

static const char *exgen, *work;
/* Findings point at their ruleset's rule descriptions: the set outlives them. */
static exh_ruleset *rs;

typedef struct row {
  char rule[64], level[16], rel[512];
  unsigned long line;
  int seen;
} row;

static row *read_truth(const char *path, size_t *n) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  row *rows = NULL;
  size_t cap = 0;
  *n = 0;
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    if (*n == cap) rows = realloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows);
    row *r = &rows[*n];
    memset(r, 0, sizeof *r);
    if (sscanf(line, "%63[^\t]\t%15[^\t]\t%511[^\t]\t%lu", r->rule, r->level, r->rel, &r->line) == 4) (*n)++;
  }
  fclose(f);
  return rows;
}

static exh_result *gen_and_scan(const char *scenario, const char *seed, int threads, char *root, size_t rootn,
                                row **truth, size_t *ntruth) {
  char cmd[4096], tp[1024];
  snprintf(root, rootn, "%s/%s-%s/tree", work, scenario, seed);
  snprintf(tp, sizeof tp, "%s/%s-%s/truth.tsv", work, scenario, seed);
  snprintf(cmd, sizeof cmd, "rm -rf '%s/%s-%s' && '%s' --seed %s --scenario %s --out '%s' --truth '%s'", work, scenario,
           seed, exgen, seed, scenario, root, tp);
  assert_int_equal(system(cmd), 0);
  *truth = read_truth(tp, ntruth);
  const char *roots[] = {root};
  exh_scan_opts o;
  memset(&o, 0, sizeof o);
  o.roots = roots;
  o.nroots = 1;
  o.threads = threads;
  exh_result *res = NULL;
  assert_int_equal(exh_scan(rs, &o, &res), EXH_OK);
  return res;
}

/* Compares both ways; returns the number of mismatches (printed). */
static int compare(const exh_result *res, const char *root, row *truth, size_t nt) {
  int bad = 0;
  size_t rl = strlen(root);
  for (size_t i = 0; i < exh_result_nfindings(res); i++) {
    const exh_finding *f = exh_result_finding(res, i);
    const char *path = exh_finding_path(f), *id = exh_rule_info_id(exh_finding_rule(f));
    const char *level = exh_level_name(exh_finding_level(f));
    uint64_t line = exh_finding_line(f);
    const char *rel = strncmp(path, root, rl) == 0 && path[rl] == '/' ? path + rl + 1 : path;
    size_t k = 0;
    for (; k < nt; k++)
      if (!truth[k].seen && !strcmp(truth[k].rule, id) && !strcmp(truth[k].rel, rel) && truth[k].line == line) break;
    if (k == nt) {
      fprintf(stderr, "EXTRA: %s %s %s:%llu\n", id, level, rel, (unsigned long long)line);
      bad++;
      continue;
    }
    truth[k].seen = 1;
    if (strcmp(truth[k].level, level)) {
      fprintf(stderr, "LEVEL: %s %s:%lu got %s want %s\n", id, rel, truth[k].line, level, truth[k].level);
      bad++;
    }
  }
  for (size_t k = 0; k < nt; k++)
    if (!truth[k].seen) {
      fprintf(stderr, "MISSED: %s %s %s:%lu\n", truth[k].rule, truth[k].level, truth[k].rel, truth[k].line);
      bad++;
    }
  return bad;
}

static void test_attack_tree(void **st) {
  (void)st;
  char root[1024];
  row *truth;
  size_t nt;
  exh_result *res = gen_and_scan("attack", "1", 2, root, sizeof root, &truth, &nt);
  assert_true(nt >= 15);
  assert_int_equal(compare(res, root, truth, nt), 0);
  const exh_server *sv = exh_result_server(res, 0);
  assert_int_equal(exh_server_verdict(sv), EXH_VERDICT_COMPROMISED);
  assert_non_null(strstr(exh_server_reason(sv), "CVE-2021-26855"));
  assert_non_null(strstr(exh_server_reason(sv), "CVE-2021-27065"));
  assert_non_null(strstr(exh_server_reason(sv), "CVE-2021-26858"));
  assert_int_equal(exh_result_exit_code(res), 1);
  assert_int_equal(exh_result_nerrors(res), 0);
  /* a log window for every HttpProxy protocol folder, ECP, OAB generator */
  assert_true(exh_result_nwindows(res) >= 12);
  for (size_t i = 0; i < exh_result_nwindows(res); i++) {
    const exh_logwindow *w = exh_result_window(res, i);
    assert_true(exh_logwindow_first(w) != EXH_TIME_UNKNOWN);
    assert_true(exh_logwindow_last(w) >= exh_logwindow_first(w));
  }
  /* entities of the SSRF findings */
  int ssrf = 0;
  for (size_t i = 0; i < exh_result_nfindings(res); i++) {
    const exh_finding *f = exh_result_finding(res, i);
    const char *ip = exh_finding_source_ip(f);
    if (exh_finding_level(f) == EXH_LEVEL_HIGH && exh_rule_info_ncves(exh_finding_rule(f)) && !exh_finding_is_file(f) &&
        ip && !strcmp(ip, "104.140.114.110")) {
      ssrf++;
      size_t n = 0;
      assert_non_null(exh_finding_url(f));
      assert_non_null(exh_finding_user_agent(f));
      assert_true(exh_finding_time(f) != EXH_TIME_UNKNOWN);
      assert_non_null(exh_finding_evidence(f, &n, NULL));
      assert_true(n > 0);
    }
  }
  assert_true(ssrf >= 7);
  exh_result_free(res);
  free(truth);
}

static void test_clean_and_benign_trees(void **st) {
  (void)st;
  char root[1024];
  row *truth;
  size_t nt;
  exh_result *res = gen_and_scan("clean", "2", 2, root, sizeof root, &truth, &nt);
  assert_int_equal(compare(res, root, truth, nt), 0);
  assert_int_equal(exh_server_verdict(exh_result_server(res, 0)), EXH_VERDICT_SUSPICIOUS);
  for (size_t i = 0; i < exh_result_nfindings(res); i++)
    assert_true(exh_finding_level(exh_result_finding(res, i)) < EXH_LEVEL_MEDIUM);
  assert_int_equal(exh_result_exit_code(res), 1);
  exh_result_free(res);
  free(truth);
  res = gen_and_scan("benign", "3", 1, root, sizeof root, &truth, &nt);
  assert_int_equal(compare(res, root, truth, nt), 0);
  assert_int_equal(exh_server_verdict(exh_result_server(res, 0)), EXH_VERDICT_CLEAN);
  assert_int_equal(exh_result_exit_code(res), 0);
  exh_result_free(res);
  free(truth);
}

/* ---- the post-exploitation stage (issue 13): EVTX and web shell families ---- */

static int sink(void *ctx, const char *p, size_t n) {
  (void)ctx, (void)p, (void)n;
  return 0;
}

static const char *const evtx_files[] = {
    "Security.evtx", "Microsoft-Windows-Sysmon%4Operational.evtx", "Microsoft-Windows-PowerShell%4Operational.evtx",
    "MSExchange Management.evtx", "System.evtx"};
#define NEVTX (sizeof evtx_files / sizeof evtx_files[0])

/* The generator's EVTX decode whole: records, no issue (CRCs, sizes, tokens). */
static void check_evtx_decode(const char *root) {
  for (size_t i = 0; i < NEVTX; i++) {
    char p[2048];
    snprintf(p, sizeof p, "%s/C/Windows/System32/winevt/Logs/%s", root, evtx_files[i]);
    const char *paths[] = {p};
    uint64_t records = 0, issues = 0;
    assert_int_equal(exh_dump_evtx(paths, 1, EXH_DUMP_JSONL, 1, sink, NULL, sink, NULL, &records, &issues), EXH_OK);
    if (issues) fprintf(stderr, "%s: %llu issues\n", p, (unsigned long long)issues);
    assert_true(records > 0);
    assert_int_equal(issues, 0);
  }
}

static int has_finding(const exh_result *res, const char *rule, const char *path_part) {
  for (size_t i = 0; i < exh_result_nfindings(res); i++) {
    const exh_finding *f = exh_result_finding(res, i);
    if (!strcmp(exh_rule_info_id(exh_finding_rule(f)), rule) && strstr(exh_finding_path(f), path_part)) return 1;
  }
  return 0;
}

static void test_post_exploitation_stage(void **st) {
  (void)st;
  char root[1024];
  row *truth;
  size_t nt;
  exh_result *res = gen_and_scan("attack", "4", 2, root, sizeof root, &truth, &nt);
  check_evtx_decode(root);
  assert_int_equal(compare(res, root, truth, nt), 0);
  /* each published step after the web shell gives its finding, from the event that shows it */
  static const struct {
    const char *rule, *where, *step;
  } steps[] = {
      {"83cc54c5-b1bf-41ac-82da-377d4212d175", "Sysmon", "w3wp.exe starting cmd.exe"},
      {"6234d81d-4fcd-47de-a446-d03de081d23a", "Security.evtx", "China Chopper's whoami wrapper"},
      {"fe69603a-1c64-4dba-a57b-e236b052371d", "Security.evtx", "whoami as SYSTEM"},
      {"41353d52-b20f-4a11-81bf-4a0b9090b01f", "Sysmon", "comsvcs.dll MiniDump of lsass"},
      {"af42a729-e743-4639-81d2-30937715e53a", "Sysmon", "lsass opened through comsvcs"},
      {"6c6cabdf-324e-4f58-9fd0-3e4f493ae590", "Sysmon", "the lsass dump file"},
      {"77e5bef3-8dd6-4fd5-8137-e6227833068b", "Sysmon", "7-Zip with a password"},
      {"f9102c7d-f349-4813-b909-1a251d8ac6c3", "Sysmon", "an archive made into a web folder"},
      {"da4da604-20e0-49a7-b4d2-b3ca1a2d6dab", "Sysmon", "the archive written in a web folder"},
      {"4bd21503-973f-4db8-82c5-ab53bc0f705a", "MSExchange Management", "New-MailboxExportRequest"},
      {"fa46ebfd-eff4-45da-92eb-6a8868d6c13c", "PowerShell", "New-MailboxExportRequest in a script block"},
      {"1a2fa74f-41d5-4ea5-838e-91798dd01aba", "Sysmon", "net group \"domain admins\""},
      {"67067188-710d-4054-a901-ee63dad156f7", "Sysmon", "schtasks /create"},
      {"48014e40-7203-48ca-8ec5-3596fca045a9", "Sysmon", "net user /add"},
      {"eec7cc45-d7e6-421b-ba0e-b79ee3f871b1", "Security.evtx", "an account made by SYSTEM"},
      {"2ea9a6e7-825d-4645-af2e-f4f2a2f5602b", "Security.evtx", "a new local administrator"},
      {"565ed02b-ce03-4521-b992-69bff723b4fe", "System.evtx", "a service running a shell"},
      /* web shell families on disk */
      {"yara:exhunt_chopper_jscript_oneliner", "owa/auth/OutlookEN.aspx", "Chopper, single quotes"},
      {"yara:exhunt_chopper_jscript_oneliner", "4_0_30319/help.aspx", "Chopper, no quotes"},
      {"yara:exhunt_chopper_jscript_oneliner", "system_web/Xs5wPqL2.aspx", "Chopper, double quotes"},
      {"yara:exhunt_aspx_session_assembly", "ecp/auth/errorPage.aspx", "Godzilla-like"},
      {"yara:exhunt_aspx_assembly_loader", "resources/error.aspx", "Behinder-like"},
      {"yara:exhunt_aspx_request_exec", "system_web/spy.aspx", "ASPXSpy-like"},
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    if (!has_finding(res, steps[i].rule, steps[i].where)) fprintf(stderr, "MISSED step: %s\n", steps[i].step);
    assert_true(has_finding(res, steps[i].rule, steps[i].where));
  }
  /* the channels the stage writes are read */
  static const char *const channels[] = {"Security", "System", "Microsoft-Windows-PowerShell/Operational",
                                         "Microsoft-Windows-Sysmon/Operational", "MSExchange Management"};
  for (size_t k = 0; k < sizeof channels / sizeof channels[0]; k++) {
    int seen = 0;
    for (size_t i = 0; i < exh_result_ncoverage(res); i++) {
      const exh_coverage *c = exh_result_coverage(res, i);
      if (!strcmp(exh_coverage_class(c), "windows_events") && !strcmp(exh_coverage_item(c), channels[k]) &&
          exh_coverage_present(c) && exh_coverage_records(c) > 0)
        seen = 1;
    }
    if (!seen) fprintf(stderr, "channel not read: %s\n", channels[k]);
    assert_true(seen);
  }
  exh_result_free(res);
  free(truth);
  /* the benign tree carries the administrator's activity in the same logs: no finding of
   * level low or above from them */
  res = gen_and_scan("benign", "5", 2, root, sizeof root, &truth, &nt);
  check_evtx_decode(root);
  for (size_t i = 0; i < exh_result_nfindings(res); i++) {
    const exh_finding *f = exh_result_finding(res, i);
    if (strstr(exh_finding_path(f), "winevt")) {
      fprintf(stderr, "benign event finding: %s\n", exh_finding_message(f));
      assert_true(exh_finding_level(f) < EXH_LEVEL_LOW);
    }
  }
  assert_int_equal(exh_server_verdict(exh_result_server(res, 0)), EXH_VERDICT_CLEAN);
  exh_result_free(res);
  free(truth);
}

/* One thread or two: the same findings in the same order. */
static void test_deterministic(void **st) {
  (void)st;
  char root[1024];
  row *t1, *t2;
  size_t n1, n2;
  exh_result *a = gen_and_scan("attack", "7", 1, root, sizeof root, &t1, &n1);
  exh_result *b = gen_and_scan("attack", "7", 2, root, sizeof root, &t2, &n2);
  assert_int_equal(exh_result_nfindings(a), exh_result_nfindings(b));
  for (size_t i = 0; i < exh_result_nfindings(a); i++) {
    const exh_finding *x = exh_result_finding(a, i), *y = exh_result_finding(b, i);
    assert_string_equal(exh_finding_path(x), exh_finding_path(y));
    assert_int_equal(exh_finding_line(x), exh_finding_line(y));
    assert_string_equal(exh_rule_info_id(exh_finding_rule(x)), exh_rule_info_id(exh_finding_rule(y)));
  }
  exh_result_free(a);
  exh_result_free(b);
  free(t1);
  free(t2);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: test_e2e EXGEN WORKDIR\n");
    return 2;
  }
  exgen = argv[1];
  work = argv[2];
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return 1;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_attack_tree), cmocka_unit_test(test_clean_and_benign_trees),
                                     cmocka_unit_test(test_post_exploitation_stage), cmocka_unit_test(test_deterministic)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  exh_ruleset_free(rs);
  return rc;
}
