/* Indicator sets and baselines: the three list forms, path suffix matching,
 * addresses, hashes, baselines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/ioc.h"

static long load(exh_iocset *s, const char *text, size_t *skipped) {
  char why[256];
  return exh__iocset_load(s, "t", text, strlen(text), skipped, why, sizeof why);
}

static void unhex(const char *h, uint8_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
}

static void test_mstic(void **st) {
  (void)st;
  exh_iocset *s = exh__iocset_new();
  size_t sk;
  assert_int_equal(load(s, "DateAdded,FirstSeen,Indicator,IndicatorType,TLP\r\n"
                           "2021-03-10,2021-03-05T10:07:29Z,8E90ED33C7EE82C0B64078EA36EC95F7420BA435C693B3B3DD728B494ABF7DFC,sha256,White\r\n"
                           "2021-03-09,,C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx,filepath,White\r\n"
                           "2021-03-09,,not-a-hash,sha256,White\r\n",
                       &sk),
                   2);
  assert_int_equal(sk, 1);
  exh__iocset_finish(s);
  uint8_t d[32];
  unhex("8e90ed33c7ee82c0b64078ea36ec95f7420ba435c693b3b3dd728b494abf7dfc", d, 32);
  const exh_ioc *io = exh__iocset_hash(s, EXH_IOC_SHA256, d);
  assert_non_null(io);
  assert_string_equal(io->source, "t:2");
  d[0] ^= 1;
  assert_null(exh__iocset_hash(s, EXH_IOC_SHA256, d));
  /* suffix matching: either side may be the shorter, two components at least */
  assert_non_null(exh__iocset_path(s, "C/inetpub/wwwroot/aspnet_client/shell.aspx"));
  assert_non_null(exh__iocset_path(s, "C%3A/Inetpub/WWWRoot/aspnet_client/SHELL.aspx"));
  assert_non_null(exh__iocset_path(s, "aspnet_client/shell.aspx"));
  assert_null(exh__iocset_path(s, "shell.aspx"));
  assert_null(exh__iocset_path(s, "C/inetpub/wwwroot/other/shell.aspx"));
  assert_null(exh__iocset_path(s, "D/backup/inetpub/wwwroot/aspnet_client/x/shell.aspx"));
  exh__iocset_free(s);
}

static void test_plain_and_ip(void **st) {
  (void)st;
  exh_iocset *s = exh__iocset_new();
  size_t sk;
  assert_int_equal(load(s, "# comment\n\n0e55ead3b8fd305d9a54f78c7b56741a;DearCry md5\n104.140.114.110\n2001:DB8::1\n"
                           "xx.bat\nC:\\Windows\\Temp\\cw.exe\nbad*name\n",
                       &sk),
                   5);
  assert_int_equal(sk, 1);
  exh__iocset_finish(s);
  assert_int_equal(exh__iocset_count(s, EXH_IOC_MD5), 1);
  assert_int_equal(exh__iocset_count(s, EXH_IOC_IP), 2);
  assert_non_null(exh__iocset_ip(s, "104.140.114.110", 15));
  assert_non_null(exh__iocset_ip(s, " 104.140.114.110:443", 20));
  assert_non_null(exh__iocset_ip(s, "[2001:db8:0:0::1]:443", 21));
  assert_null(exh__iocset_ip(s, "104.140.114.11", 14));
  assert_null(exh__iocset_ip(s, "garbage", 7));
  assert_non_null(exh__iocset_path(s, "C/Windows/Temp/cw.exe"));
  assert_non_null(exh__iocset_path(s, "anywhere/at/all/XX.BAT")); /* a name */
  uint8_t d[16];
  unhex("0e55ead3b8fd305d9a54f78c7b56741a", d, 16);
  const exh_ioc *io = exh__iocset_hash(s, EXH_IOC_MD5, d);
  assert_non_null(io);
  assert_string_equal(io->label, "DearCry md5");
  exh__iocset_free(s);
}

static void test_stix(void **st) {
  (void)st;
  exh_iocset *s = exh__iocset_new();
  size_t sk;
  const char *b =
      "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
      "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--a\",\"name\":\"shell\","
      "\"pattern\":\"[file:hashes.'SHA-256' = '2b9838da7edb0decd32b086e47a31e8f5733b5981ad8247a2f9508e232589bff']\","
      "\"pattern_type\":\"stix\"},"
      "{\"pattern\":\"[file:name = 'log.aspx' AND file:parent_directory_ref.path = 'C:\\\\\\\\inetpub\\\\\\\\wwwroot\\\\\\\\aspnet_client']\","
      "\"type\":\"indicator\",\"id\":\"indicator--b\"},"
      "{\"type\":\"indicator\",\"id\":\"indicator--c\",\"pattern\":\"[ipv4-addr:value = '5.2.69.14/32'] OR [ipv4-addr:value = '10.0.0.0/8'] OR [url:value = 'http://x']\"},"
      "{\"type\":\"malware\",\"id\":\"malware--d\",\"name\":\"DearCry\"}]}";
  assert_int_equal(load(s, b, &sk), 3);
  assert_int_equal(sk, 2); /* the CIDR range and the URL */
  exh__iocset_finish(s);
  uint8_t d[32];
  unhex("2b9838da7edb0decd32b086e47a31e8f5733b5981ad8247a2f9508e232589bff", d, 32);
  const exh_ioc *io = exh__iocset_hash(s, EXH_IOC_SHA256, d);
  assert_non_null(io);
  assert_string_equal(io->source, "indicator--a");
  assert_string_equal(io->label, "shell");
  io = exh__iocset_path(s, "C/inetpub/wwwroot/aspnet_client/log.aspx");
  assert_non_null(io);
  assert_string_equal(io->source, "indicator--b");
  assert_non_null(exh__iocset_ip(s, "5.2.69.14", 9));
  exh__iocset_free(s);
  /* JSON that is not STIX, and binary, are refused */
  s = exh__iocset_new();
  assert_true(load(s, "{\"a\":1}", &sk) < 0);
  char bin[8] = "abc\0def";
  char why[128];
  assert_true(exh__iocset_load(s, "t", bin, sizeof bin, &sk, why, sizeof why) < 0);
  exh__iocset_free(s);
}

static void test_normalise(void **st) {
  (void)st;
  char o[128];
  exh__path_normalise("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\15.1.2176.9\\x.JS", o,
                     sizeof o, 1);
  assert_string_equal(o, "program files/microsoft/exchange server/v15/clientaccess/owa/version/x.js");
  exh__path_normalise("//a\\\\b/", o, sizeof o, 0);
  assert_string_equal(o, "a/b");
  exh__path_normalise("\\FrontEnd\\HttpProxy\\owa\\auth\\15.1.2176\\a", o, 10, 1);
  assert_int_equal(strlen(o), 9); /* truncated, terminated */
}

static void test_baseline(void **st) {
  (void)st;
  exh_baseline *b = exh__baseline_new();
  char why[256];
  const char *t = "E8088DC48FC75098B594F6A122B1763DD68D9F6D75281B077D6C7C001382CECF,15.1.2176.9,\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx\n"
                  "90728AD16FFA6D1FE55EC41390C1DBA6AB3534720D2B4A83FB7D62276B852C2E,15.1.2176.2,\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx\n"
                  "98FC3AA73175D6D55C4EE6AE8DAA0ACC721D792B14DF26B0CD39BBB13CB23D95,15.1.2176.9,\\ClientAccess\\owa\\version\\scripts\\boot.js\n";
  assert_int_equal(exh__baseline_load(b, "b", t, strlen(t), why, sizeof why), 3);
  exh__baseline_finish(b);
  assert_true(exh__baseline_has_build(b, "15.1.2176.9"));
  assert_false(exh__baseline_has_build(b, "15.2.792.10"));
  assert_true(exh__baseline_covers_ext(b, "aspx"));
  assert_false(exh__baseline_covers_ext(b, "exe"));
  uint8_t d[32];
  unhex("E8088DC48FC75098B594F6A122B1763DD68D9F6D75281B077D6C7C001382CECF", d, 32);
  assert_int_equal(exh__baseline_check(b, "15.1.2176.9", "frontend/httpproxy/owa/auth/logon.aspx", d), 0);
  assert_int_equal(exh__baseline_check(b, "15.1.2176.2", "frontend/httpproxy/owa/auth/logon.aspx", d), 1);
  assert_int_equal(exh__baseline_check(b, NULL, "frontend/httpproxy/owa/auth/logon.aspx", d), 0);
  assert_int_equal(exh__baseline_check(b, "15.1.2176.9", "frontend/httpproxy/owa/auth/shel.aspx", d), 2);
  unhex("98FC3AA73175D6D55C4EE6AE8DAA0ACC721D792B14DF26B0CD39BBB13CB23D95", d, 32);
  assert_int_equal(exh__baseline_check(b, "15.1.2176.9", "clientaccess/owa/version/scripts/boot.js", d), 0);
  /* a malformed row refuses the file with its line */
  assert_true(exh__baseline_load(b, "bad", "xyz,1,2\n", 8, why, sizeof why) < 0);
  assert_non_null(strstr(why, "bad:1"));
  exh__baseline_free(b);
}

/* The line forms fed in blocks of every size give what the whole text
 * gives; a load that fails part way (binary data in a later block, a
 * malformed baseline row) keeps nothing of itself; an over-long line is
 * counted as unusable without being held; addresses compare as addresses
 * and the IP literals cover every spelling the lookup accepts. */
static void test_streaming(void **st) {
  (void)st;
  const char *t = "\xEF\xBB\xBF# list\r\n0e55ead3b8fd305d9a54f78c7b56741a;DearCry\r\n104.140.114.110\n"
                  "C:\\Windows\\Temp\\cw.exe, a tool\nbad*name\n2001:DB8::1\nxx.bat";
  size_t n = strlen(t);
  for (size_t blk = 1; blk <= n; blk++) {
    exh_iocset *s = exh__iocset_new();
    exh_ioc_lines *l = exh__iocset_lines_begin(s, "t");
    for (size_t o = 0; o < n; o += blk) assert_int_equal(exh__iocset_lines_feed(l, t + o, o + blk <= n ? blk : n - o), 0);
    size_t sk;
    char why[128];
    assert_int_equal(exh__iocset_lines_end(l, &sk, why, sizeof why), 5);
    assert_int_equal(sk, 1);
    exh__iocset_finish(s);
    const exh_ioc *io = exh__iocset_path(s, "C/Windows/Temp/cw.exe");
    assert_non_null(io);
    assert_string_equal(io->source, "t:4");
    assert_string_equal(io->label, "a tool");
    assert_non_null(exh__iocset_path(s, "x/XX.BAT"));
    assert_true(exh__iocset_ip_has(s, "::ffff:104.140.114.110", 22));
    assert_true(exh__iocset_ip_has(s, "2001:0db8:0:0:0:0:0:1", 21));
    size_t nl;
    const exh_str *lits = exh__iocset_ip_literals(s, &nl);
    const char *spellings[] = {"104.140.114.110", "::ffff:104.140.114.110", "::ffff:688c:726e", "[2001:0DB8::1]:443",
                               "2001:db8:0:0:0:0:0:1"};
    for (size_t k = 0; k < 5; k++) {
      assert_true(exh__iocset_ip_has(s, spellings[k], strlen(spellings[k])));
      size_t i = 0;
      while (i < nl && !exh__memimem(spellings[k], strlen(spellings[k]), lits[i].p, lits[i].n)) i++;
      if (i == nl) fail_msg("no literal in '%s'", spellings[k]);
    }
    exh__iocset_free(s);
  }
  /* binary data in a later block: the whole file is taken back */
  exh_iocset *s = exh__iocset_new();
  size_t sk;
  char why[128];
  assert_true(exh__iocset_load(s, "first", "1.2.3.4\n", 8, &sk, why, sizeof why) == 1);
  exh_ioc_lines *l = exh__iocset_lines_begin(s, "t");
  assert_int_equal(exh__iocset_lines_feed(l, "5.6.7.8\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 41), 0);
  assert_int_equal(exh__iocset_lines_feed(l, "x\0y\n", 4), -1);
  assert_true(exh__iocset_lines_end(l, &sk, why, sizeof why) < 0);
  assert_non_null(strstr(why, "binary"));
  assert_int_equal(exh__iocset_count(s, EXH_IOC_IP), 1);
  assert_int_equal(exh__iocset_count(s, EXH_IOC_MD5), 0);
  /* an over-long line: unusable, counted, never held whole */
  l = exh__iocset_lines_begin(s, "long");
  char *big = malloc(200000);
  memset(big, 'a', 200000);
  for (int k = 0; k < 3; k++) assert_int_equal(exh__iocset_lines_feed(l, big, 200000), 0);
  assert_int_equal(exh__iocset_lines_feed(l, "\n9.9.9.9\n", 9), 0);
  assert_int_equal(exh__iocset_lines_end(l, &sk, why, sizeof why), 1);
  assert_int_equal(sk, 1);
  free(big);
  exh__iocset_finish(s);
  assert_non_null(exh__iocset_ip(s, "9.9.9.9", 7));
  assert_null(exh__iocset_ip(s, "5.6.7.8", 7));
  exh__iocset_free(s);
  /* a baseline whose last row is malformed keeps none of its rows */
  exh_baseline *b = exh__baseline_new();
  const char *rows = "E8088DC48FC75098B594F6A122B1763DD68D9F6D75281B077D6C7C001382CECF,15.1.2176.9,\\a\\b.aspx\nnot,a,row\n";
  assert_true(exh__baseline_load(b, "b", rows, strlen(rows), why, sizeof why) < 0);
  assert_int_equal(exh__baseline_count(b), 0);
  assert_false(exh__baseline_has_build(b, "15.1.2176.9"));
  exh__baseline_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_mstic),     cmocka_unit_test(test_plain_and_ip), cmocka_unit_test(test_stix),
      cmocka_unit_test(test_normalise), cmocka_unit_test(test_baseline),   cmocka_unit_test(test_streaming),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
