/* util: time parsing and formatting, output escaping, newline counting,
 * error strings. */
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
#include "core/limits.h"

static void test_iso8601(void **st) {
  (void)st;
  int64_t ms;
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03T01:02:03.123Z"), &ms), 0);
  char out[32];
  exh__format_iso8601(ms, out);
  assert_string_equal(out, "2021-03-03T01:02:03.123Z");
  assert_int_equal(ms, 1614733323123LL);
  /* seven fractional digits (Exchange writes them in some logs), offsets */
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03T01:02:03.1234567Z"), &ms), 0);
  assert_int_equal(ms, 1614733323123LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03+02:00"), &ms), 0);
  assert_int_equal(ms, 1614733323000LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03 01:02:03"), &ms), 0);
  assert_int_equal(exh__parse_iso8601(EXH_STR("\"2021-03-03T01:02:03Z\""), &ms), 0);
  /* rejects */
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-13-03T01:02:03Z"), &ms), 0);
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-03-03T01:02"), &ms), 0);
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("#Software: x"), &ms), 0);
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-03-03T01:02:03."), &ms), 0);
  exh__format_iso8601(0, out);
  assert_string_equal(out, "1970-01-01T00:00:00.000Z");
  exh__format_iso8601(EXH_TIME_UNKNOWN, out);
  assert_string_equal(out, "unknown");
}

static void test_parse_u64(void **st) {
  (void)st;
  uint64_t v;
  /* a slice is read only within its bounds: "4688" followed by more digits
   * in the same buffer is 4688 (issue 11 defect 6) */
  const char *buf = "4688,\"2\":\"x\"";
  assert_int_equal(exh__parse_u64((exh_str){buf, 4}, &v), 0);
  assert_int_equal(v, 4688);
  const char *glued = "46882";
  assert_int_equal(exh__parse_u64((exh_str){glued, 4}, &v), 0);
  assert_int_equal(v, 4688);
  assert_int_equal(exh__parse_u64(EXH_STR(" 17 "), &v), 0);
  assert_int_equal(v, 17);
  assert_int_equal(exh__parse_u64(EXH_STR("18446744073709551615"), &v), 0);
  assert_true(v == UINT64_MAX);
  assert_int_not_equal(exh__parse_u64(EXH_STR("18446744073709551616"), &v), 0);
  assert_int_not_equal(exh__parse_u64(EXH_STR(""), &v), 0);
  assert_int_not_equal(exh__parse_u64(EXH_STR("-1"), &v), 0);
  assert_int_not_equal(exh__parse_u64(EXH_STR("12x"), &v), 0);
  assert_int_not_equal(exh__parse_u64((exh_str){NULL, 0}, &v), 0);
  int64_t s;
  assert_int_equal(exh__parse_i64(EXH_STR("-42"), &s), 0);
  assert_int_equal(s, -42);
  assert_int_equal(exh__parse_i64(EXH_STR("-9223372036854775808"), &s), 0);
  assert_true(s == INT64_MIN);
  assert_int_not_equal(exh__parse_i64(EXH_STR("9223372036854775808"), &s), 0);
  /* the leading number of a slice, and how far it went */
  size_t used = 0;
  assert_int_equal(exh__parse_u64_prefix(EXH_STR("404 Not Found"), &v, &used), 0);
  assert_int_equal(v, 404);
  assert_int_equal(used, 3);
  assert_int_not_equal(exh__parse_u64_prefix(EXH_STR("x1"), &v, &used), 0);
}

static void test_iso8601_offsets(void **st) {
  (void)st;
  int64_t ms;
  /* "+0200" and "+02" are offsets too (issue 11 defect 10: read as UTC) */
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03+0200"), &ms), 0);
  assert_int_equal(ms, 1614733323000LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03+02"), &ms), 0);
  assert_int_equal(ms, 1614733323000LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-02T23:02:03.5-0200"), &ms), 0);
  assert_int_equal(ms, 1614733323500LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03 01:02:03 UTC"), &ms), 0);
  assert_int_equal(ms, 1614733323000LL);
  assert_int_equal(exh__parse_iso8601(EXH_STR("2021-03-03 03:02:03 +0200"), &ms), 0);
  assert_int_equal(ms, 1614733323000LL);
  /* a stamp leading free text */
  size_t used = 0;
  assert_int_equal(exh__parse_iso8601_prefix(EXH_STR("2021-03-03T01:02:03.123Z,OABGen,x"), &ms, &used), 0);
  assert_int_equal(ms, 1614733323123LL);
  assert_int_equal(used, 24);
  assert_int_equal(exh__parse_iso8601_prefix(EXH_STR("2021-03-03 03:02:03+02 text"), &ms, &used), 0);
  assert_int_equal(ms, 1614733323000LL);
  /* anything else after the time is not a time we can place */
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03 PST"), &ms), 0);
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03+2"), &ms), 0);
  assert_int_not_equal(exh__parse_iso8601(EXH_STR("2021-03-03T03:02:03+02:0"), &ms), 0);
}

static char *capture(void (*fn)(FILE *, const char *, size_t), const char *s, size_t n) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fn(f, s, n);
  fclose(f);
  return buf;
}

static void test_json_escape(void **st) {
  (void)st;
  char *o = capture(exh__json_str, "a\"b\\c\n\x1b[31m\x01", 12);
  assert_string_equal(o, "\"a\\\"b\\\\c\\n\\u001b[31m\\u0001\"");
  free(o);
  /* invalid UTF-8 and an overlong encoding become U+FFFD; valid stays */
  o = capture(exh__json_str, "\xff\xc0\xaf\xc3\xa9", 5);
  assert_string_equal(o, "\"\\ufffd\\ufffd\\ufffd\xc3\xa9\"");
  free(o);
  /* U+2028 is escaped for JavaScript consumers */
  o = capture(exh__json_str, "\xe2\x80\xa8", 3);
  assert_string_equal(o, "\"\\u2028\"");
  free(o);
  /* NUL bytes are data, not terminators */
  o = capture(exh__json_str, "a\0b", 3);
  assert_string_equal(o, "\"a\\u0000b\"");
  free(o);
}

static void test_term_escape(void **st) {
  (void)st;
  char *o = capture(exh__term_str, "ok\x1b]0;pwned\x07\r\n", 14);
  assert_string_equal(o, "ok\\x1b]0;pwned\\x07\\x0d\\x0a");
  free(o);
  /* C1 CSI (U+009B) is a terminal escape too */
  o = capture(exh__term_str, "\xc2\x9b" "2J", 4);
  assert_string_equal(o, "\\xc2\\x9b2J");
  free(o);
  o = capture(exh__term_str, "caf\xc3\xa9 \xff", 7);
  assert_string_equal(o, "caf\xc3\xa9 \\xff");
  free(o);
  /* bidi overrides and isolates, zero-width and invisible format characters
   * reorder or hide what the terminal shows (Trojan Source): escaped */
  o = capture(exh__term_str, "a\xe2\x80\xaexsa.aspx", 12);
  assert_string_equal(o, "a\\u202exsa.aspx");
  free(o);
  o = capture(exh__term_str, "\xe2\x80\x8b\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c\xef\xbb\xbf\xe2\x80\xa8", 20);
  assert_string_equal(o, "\\u200b\\u2066\\u2069\\u200f\\u061c\\ufeff\\u2028");
  free(o);
  /* other non-ASCII text passes */
  o = capture(exh__term_str, "\xe2\x80\x94\xd0\x96", 5);
  assert_string_equal(o, "\xe2\x80\x94\xd0\x96");
  free(o);
}

static void test_memimem(void **st) {
  (void)st;
  /* against a naive search, over many positions and both cases */
  char hay[300];
  for (size_t i = 0; i < sizeof hay; i++) hay[i] = "ab/@`CD.x"[i % 9];
  const char *needles[] = {"ab/", "AB/@`c", "@`", "d.x", "X", "/@`cd.xab/@", "zz", "`cD"};
  for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++) {
    size_t nn = strlen(needles[k]);
    for (size_t start = 0; start < 40; start++) {
      const char *want = NULL;
      for (size_t i = start; i + nn <= sizeof hay; i++)
        if (exh__strnieq(hay + i, needles[k], nn)) {
          want = hay + i;
          break;
        }
      assert_ptr_equal(exh__memimem(hay + start, sizeof hay - start, needles[k], nn), want);
    }
  }
  /* '@' | 0x20 == '`': a false candidate must be rejected */
  assert_null(exh__memimem("````````````````````````````x", 29, "@x", 2));
  assert_non_null(exh__memimem("````````````````````````````@X", 30, "@x", 2));
}

static void test_newlines(void **st) {
  (void)st;
  char *b = malloc(100000);
  size_t expect = 0;
  for (size_t i = 0; i < 100000; i++) {
    b[i] = (i * 7919) % 13 == 0 ? '\n' : 'x';
    expect += b[i] == '\n';
  }
  assert_int_equal(exh__count_newlines(b, 100000), expect);
  assert_int_equal(exh__count_newlines(b, 0), 0);
  assert_int_equal(exh__count_newlines(b + 1, 254), exh__count_newlines(b + 1, 100) + exh__count_newlines(b + 101, 154));
  /* nothing but newlines: byte-wide counters at their limit (255 per lane
   * in a block of 255 x 16 bytes), at every alignment and many lengths */
  memset(b, '\n', 100000);
  for (size_t off = 0; off < 17; off++)
    for (size_t n = 0; n < 100000 - off; n = n * 3 + 1 + off) assert_int_equal(exh__count_newlines(b + off, n), n);
  assert_int_equal(exh__count_newlines(b, 255 * 16), 255 * 16);
  assert_int_equal(exh__count_newlines(b, 255 * 16 + 15), 255 * 16 + 15);
  assert_int_equal(exh__count_newlines(b, 99999), 99999);
  free(b);
}

/* Pins every error message: adding a code without one, or changing one,
 * fails here (curl's test 1538 idea). */
static void test_strerror(void **st) {
  (void)st;
  static const char *const want[EXH_ERR_LAST] = {
      "no error", "out of memory", "cannot open, read or map a file", "malformed input",
      "a rule cannot be honoured", "feature not built in", "bad argument", "a resource limit was hit"};
  for (int i = 0; i < EXH_ERR_LAST; i++) assert_string_equal(exh_strerror((exh_err)i), want[i]);
  assert_string_equal(exh_strerror(EXH_ERR_LAST), "unknown error");
}

static void test_levels(void **st) {
  (void)st;
  exh_level l;
  assert_int_equal(exh_level_parse("critical", &l), 0);
  assert_int_equal(l, EXH_LEVEL_CRITICAL);
  assert_int_equal(exh_level_severity(l), 99);
  assert_int_equal(exh_level_parse("informational", &l), 0);
  assert_int_equal(exh_level_parse("bogus", &l), -1);
  assert_int_equal(exh_level_severity(EXH_LEVEL_HIGH), 73);
  assert_int_equal(exh_level_severity(EXH_LEVEL_MEDIUM), 47);
  assert_int_equal(exh_level_severity(EXH_LEVEL_LOW), 21);
}

/* Repeat counts: the hashed path (more than 32 keys) against a plain scan,
 * with few distinct keys (many repeats), empty keys, and prefixes. */
/* URL decoding for the decoded virtual fields (issue 13 item 4). */
static const char *dec(exh_buf *b, const char *s, int plus) {
  if (!exh__url_decode(b, s, strlen(s), plus)) return "(unchanged)";
  assert_int_equal(strlen(b->p), b->n);
  return b->p;
}

static void test_url_decode(void **st) {
  (void)st;
  exh_buf b = {0};
  assert_string_equal(dec(&b, "/owa/auth/logon.aspx", 0), "(unchanged)");
  assert_string_equal(dec(&b, "a+b", 0), "(unchanged)"); /* a path keeps its '+' */
  assert_string_equal(dec(&b, "a+b", 1), "a b");         /* a query string's '+' is a space */
  assert_string_equal(dec(&b, "/%50owershell", 0), "/Powershell");
  assert_string_equal(dec(&b, "x%40evil.com", 0), "x@evil.com");
  assert_string_equal(dec(&b, "x%2540evil.com", 0), "x@evil.com");   /* double */
  assert_string_equal(dec(&b, "x%252540evil.com", 0), "x@evil.com"); /* triple */
  assert_string_equal(dec(&b, "%u0064squery", 1), "dsquery");         /* IIS %uXXXX */
  assert_string_equal(dec(&b, "%u00e9", 0), "\xc3\xa9");              /* as UTF-8 */
  assert_string_equal(dec(&b, "%uD800x", 0), "(unchanged)");          /* a lone surrogate stays */
  assert_string_equal(dec(&b, "a%00b%zz%4", 0), "(unchanged)");       /* NUL and malformed stay */
  assert_string_equal(dec(&b, "%2%35", 0), "%");                      /* one layer a pass: %2%35 -> %25 -> % */
  assert_string_equal(dec(&b, "cmd=whoami%2B%252Fall", 1), "cmd=whoami /all");
  exh__buf_free(&b);
}

static void test_url_decode_passes(void **st) {
  (void)st;
  /* %25 nested deeper than EXH_URL_DECODE_PASSES: decoding stops there */
  char s[64] = "%";
  for (int i = 0; i < EXH_URL_DECODE_PASSES + 1; i++) strcat(s, "25");
  strcat(s, "41");
  exh_buf b = {0};
  assert_int_equal(exh__url_decode(&b, s, strlen(s), 0), 1);
  assert_string_equal(b.p, "%2541");
  exh__buf_free(&b);
}

static void test_dup_counts(void **st) {
  (void)st;
  static const char *pool[] = {"Data", "Data_1", "", "D", "Dat", "x", "Data"};
  for (size_t k = 0; k < 3000; k = k * 2 + 1) {
    exh_str *keys = malloc((k + 1) * sizeof *keys);
    unsigned *dup = malloc((k + 1) * sizeof *dup);
    uint32_t r = 7;
    for (size_t i = 0; i < k; i++) {
      r = r * 1103515245u + 12345u;
      const char *s = pool[(r >> 16) % 7];
      keys[i] = (exh_str){s, strlen(s)};
    }
    exh__dup_counts(keys, k, dup);
    for (size_t i = 0; i < k; i++) {
      unsigned want = 0;
      for (size_t j = 0; j < i; j++) want += keys[j].n == keys[i].n && !memcmp(keys[j].p, keys[i].p, keys[i].n);
      assert_int_equal(dup[i], want);
    }
    free(keys);
    free(dup);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iso8601),    cmocka_unit_test(test_parse_u64), cmocka_unit_test(test_iso8601_offsets),    cmocka_unit_test(test_json_escape),
      cmocka_unit_test(test_term_escape), cmocka_unit_test(test_memimem), cmocka_unit_test(test_newlines),
      cmocka_unit_test(test_strerror),   cmocka_unit_test(test_levels),     cmocka_unit_test(test_dup_counts), cmocka_unit_test(test_url_decode), cmocka_unit_test(test_url_decode_passes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
