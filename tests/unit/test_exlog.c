/* Exchange CSV log parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "formats/logs/exlog.h"

static int eq(exh_str s, const char *v) { return s.n == strlen(v) && !memcmp(s.p, v, s.n); }

static void test_split(void **st) {
  (void)st;
  exh_str c[8];
  uint8_t q[8];
  const char *l = "a,,\"b,c\",\"x \"\"y\"\" z\",last\r";
  int n = exh__csv_split(l, strlen(l), c, q, 8);
  assert_int_equal(n, 5);
  assert_true(eq(c[0], "a"));
  assert_true(eq(c[1], ""));
  assert_true(eq(c[2], "b,c"));
  assert_int_equal(q[2], 0);
  assert_true(eq(c[3], "x \"\"y\"\" z"));
  assert_int_equal(q[3], 1);
  assert_true(eq(c[4], "last")); /* '\r' dropped */
  /* trailing comma: one more empty column */
  n = exh__csv_split("a,b,", 4, c, q, 8);
  assert_int_equal(n, 3);
  assert_true(eq(c[2], ""));
  /* unterminated quote takes the rest */
  n = exh__csv_split("a,\"b,c", 6, c, q, 8);
  assert_int_equal(n, 2);
  assert_true(eq(c[1], "b,c"));
  /* more columns than slots: the last slot takes the rest */
  n = exh__csv_split("1,2,3,4", 7, c, q, 3);
  assert_int_equal(n, 3);
  assert_true(eq(c[2], "3,4"));
  /* empty line: one empty column */
  n = exh__csv_split("", 0, c, q, 8);
  assert_int_equal(n, 1);
}

static void test_header(void **st) {
  (void)st;
  exh_exlog_header h;
  const char *l = "#Fields: DateTime,RequestId,AnchorMailbox";
  exh__exlog_header_parse(&h, l, strlen(l), 1, EXH_FMT_CSV);
  assert_int_equal(h.n, 3);
  assert_true(eq(h.names[0], "DateTime"));
  assert_true(eq(h.names[2], "AnchorMailbox"));
  assert_int_equal(h.time_col, 0);
  l = "#Fields: TimeStamp,ServerName,EventId,EventData";
  exh__exlog_header_parse(&h, l, strlen(l), 1, EXH_FMT_CSV);
  assert_int_equal(h.time_col, 0);
}

static void test_probe(void **st) {
  (void)st;
  exh_exlog_probe pr;
  const char *f = "DateTime,AnchorMailbox\r\n#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
                  "#Log-type: HttpProxy Logs\r\n#Fields: DateTime,AnchorMailbox\r\n2021-03-03T00:00:00.000Z,x\r\n";
  exh__exlog_probe_top(f, strlen(f), &pr, EXH_FMT_CSV);
  assert_true(pr.have_header);
  assert_true(pr.bare_header);
  assert_true(pr.software_exchange);
  assert_string_equal(pr.version, "15.01.2176.002");
  assert_int_equal(pr.hdr.n, 2);
  assert_int_equal(pr.data_start, strstr(f, "2021") - f);
  /* no bare header, BOM */
  const char *g = "\xef\xbb\xbf#Software: Microsoft Exchange Server\n#Fields: TimeStamp,EventData\nT,x\n";
  exh__exlog_probe_top(g, strlen(g), &pr, EXH_FMT_CSV);
  assert_true(pr.have_header);
  assert_false(pr.bare_header);
  /* no header at all: reported, not guessed */
  const char *h = "2021-03-03T00:00:00Z something happened\nanother line\n";
  exh__exlog_probe_top(h, strlen(h), &pr, EXH_FMT_CSV);
  assert_false(pr.have_header);
  assert_int_equal(pr.data_start, 0);
  /* a bare header alone counts only if it names a time column */
  const char *i = "DateTime,Foo\n2021-03-03T00:00:00Z,1\n";
  exh__exlog_probe_top(i, strlen(i), &pr, EXH_FMT_CSV);
  assert_true(pr.have_header);
  assert_true(pr.bare_header);
  /* only header lines */
  const char *j = "#Software: Microsoft Exchange Server\n#Fields: DateTime,A\n";
  exh__exlog_probe_top(j, strlen(j), &pr, EXH_FMT_CSV);
  assert_true(pr.have_header);
  assert_int_equal(pr.data_start, strlen(j));
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_split), cmocka_unit_test(test_header),
                                     cmocka_unit_test(test_probe)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
