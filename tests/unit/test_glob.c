/* Sigma wildcard values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules/rules.h"

static int m(const char *pat, const char *s, int front, int back, int cased) {
  exh_glob g;
  exh__glob_compile(&g, pat, strlen(pat), front, back, cased, 0);
  int r = exh__glob_match(&g, s, strlen(s));
  exh__glob_free(&g);
  return r;
}

static void test_wildcards(void **st) {
  (void)st;
  assert_true(m("ServerInfo~*/*", "ServerInfo~a]@x:444/mapi/emsmdb/?#", 0, 0, 0));
  assert_true(m("ServerInfo~*/*", "serverinfo~localhost/ecp/default.flt?", 0, 0, 0));
  assert_false(m("ServerInfo~*/*", "ServerInfo~nohost", 0, 0, 0));
  assert_false(m("ServerInfo~*/*", "xServerInfo~a/b", 0, 0, 0));
  assert_true(m("ServerInfo~*/autodiscover*", "ServerInfo~a]@x:444/autodiscover/autodiscover.xml?#", 0, 0, 0));
  assert_false(m("ServerInfo~*/autodiscover*", "ServerInfo~a]@x:444/mapi/emsmdb/?#", 0, 0, 0));
  assert_true(m("ServerInfo~*/*Reset*VirtualDirectory#", "ServerInfo~a]@x:444/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#", 0, 0, 0));
  assert_false(m("ServerInfo~*/*Reset*VirtualDirectory#", "ServerInfo~a]@x:444/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory#x", 0, 0, 0));
  assert_true(m("a?c", "abc", 0, 0, 0));
  assert_false(m("a?c", "ac", 0, 0, 0));
  assert_true(m("", "", 0, 0, 0));
  assert_false(m("", "x", 0, 0, 0));
  assert_true(m("*", "", 0, 0, 0));
  /* backtracking over several stars */
  assert_true(m("*a*b*c*", "xxaxxbxxbxxcxx", 0, 0, 0));
  assert_false(m("*a*b*c*", "xxaxxcxxbxx", 0, 0, 0));
}

static void test_modifiers_and_case(void **st) {
  (void)st;
  assert_true(m("Download failed", "2021 [x] download FAILED and", 1, 1, 0));
  assert_true(m("/ecp/", "/ecp/y.js", 0, 1, 0));
  assert_false(m("/ecp/", "/owa/ecp/", 0, 1, 0));
  assert_true(m(".aspx", "shell.ASPX", 1, 0, 0));
  assert_false(m("ABC", "abc", 0, 0, 1));
  assert_true(m("ABC", "ABC", 0, 0, 1));
}

static void test_escapes(void **st) {
  (void)st;
  assert_true(m("a\\*b", "a*b", 0, 0, 0));
  assert_false(m("a\\*b", "axxb", 0, 0, 0));
  assert_true(m("a\\?b", "a?b", 0, 0, 0));
  assert_false(m("a\\?b", "axb", 0, 0, 0));
  /* a backslash before anything else is literal: Windows paths */
  assert_true(m("C:\\Windows\\Temp\\", "c:\\windows\\temp\\x.bat", 0, 1, 0));
  /* escaped backslash followed by a wildcard */
  assert_true(m("C:\\\\*", "C:\\anything", 0, 0, 0));
}

static void test_longest_literal(void **st) {
  (void)st;
  exh_glob g;
  exh__glob_compile(&g, "ServerInfo~*/*", 14, 0, 0, 0, 0);
  exh_str l = exh__glob_longest_literal(&g, "\"");
  assert_int_equal(l.n, 11);
  assert_memory_equal(l.p, "serverinfo~", 11);
  exh__glob_free(&g);
  /* quotes are doubled in CSV: the literal must avoid them */
  exh__glob_compile(&g, "run\"at=\"server", 14, 1, 1, 0, 0);
  l = exh__glob_longest_literal(&g, "\"");
  assert_int_equal(l.n, 6);
  assert_memory_equal(l.p, "server", 6);
  exh__glob_free(&g);
  exh__glob_compile(&g, "*", 1, 0, 0, 0, 0);
  l = exh__glob_longest_literal(&g, "\"");
  assert_int_equal(l.n, 0);
  exh__glob_free(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wildcards), cmocka_unit_test(test_modifiers_and_case),
      cmocka_unit_test(test_escapes), cmocka_unit_test(test_longest_literal)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
