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
                                     cmocka_unit_test(test_deterministic)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  exh_ruleset_free(rs);
  return rc;
}
