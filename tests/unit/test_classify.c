/* Path classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "classify/classify.h"

static exh_kind k(const char *p) {
  char sub[64];
  return exh_classify_path(p, sub, sizeof sub);
}

static void test_logs(void **st) {
  (void)st;
  char sub[64];
  assert_int_equal(exh_classify_path("C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030303-1.LOG", sub, sizeof sub), EXH_KIND_HTTPPROXY);
  assert_string_equal(sub, "Ecp");
  /* backslashes, other case, a live drive */
  assert_int_equal(exh_classify_path("Program Files\\Microsoft\\Exchange Server\\V15\\logging\\httpproxy\\OWA\\x.log", sub, sizeof sub), EXH_KIND_HTTPPROXY);
  assert_string_equal(sub, "OWA");
  assert_int_equal(k("V15/Logging/ECP/Server/ECPServer20210303-1.LOG"), EXH_KIND_ECP_SERVER);
  assert_int_equal(k("V15/Logging/ECP/Activity/ECPActivity_1_20210303-1.LOG"), EXH_KIND_ECP_ACTIVITY);
  assert_int_equal(k("V15/Logging/OABGeneratorLog/OABGeneratorLog20210303-1.LOG"), EXH_KIND_OABGEN);
  assert_int_equal(k("V15/Logging/OABGeneratorLog/sub/any.txt"), EXH_KIND_OABGEN);
  assert_int_equal(k("V15/Logging/MapiHttp/Mailbox/x.LOG"), EXH_KIND_EXLOG_OTHER);
  /* not logs */
  assert_int_equal(k("V15/Logging/HttpProxy/Ecp/readme.txt"), EXH_KIND_NONE);
  assert_int_equal(exh_classify_path("V15/Logging/HttpProxy/x.log", sub, sizeof sub), EXH_KIND_HTTPPROXY); /* no protocol folder */
  assert_string_equal(sub, "");
  assert_int_equal(k("inetpub/wwwroot/default.htm"), EXH_KIND_NONE);
}

static void test_supporting_files(void **st) {
  (void)st;
  assert_int_equal(k("C/Windows/Temp/lsass.dmp"), EXH_KIND_LSASS_DUMP);
  assert_int_equal(k("Windows/Temp/sub/LSASS_1234.DMP"), EXH_KIND_LSASS_DUMP);
  assert_int_equal(k("C/root/lsass.dmp"), EXH_KIND_LSASS_DUMP);
  assert_int_equal(k("uploads/auto/C%3A/Windows/Temp/lsass.dmp"), EXH_KIND_LSASS_DUMP);
  assert_int_equal(k("C/Users/x/lsass.dmp"), EXH_KIND_NONE);
  assert_int_equal(k("C/Windows/Temp/lsass.txt"), EXH_KIND_NONE);
  assert_int_equal(k("C/ProgramData/it.zip"), EXH_KIND_STAGING_ARCHIVE);
  assert_int_equal(k("ProgramData/a/b/c.7Z"), EXH_KIND_STAGING_ARCHIVE);
  assert_int_equal(k("C/ProgramData/x.rar"), EXH_KIND_STAGING_ARCHIVE);
  /* the history of Test-ProxyLogon's extension bug: .ZipFile.dll is no archive */
  assert_int_equal(k("C/ProgramData/System.IO.Compression.ZipFile.dll"), EXH_KIND_NONE);
  assert_int_equal(k("C/Users/ProgramData/x.zip"), EXH_KIND_NONE);
}

static void test_services(void **st) {
  (void)st;
  assert_int_equal(exh_kind_from_service("httpproxy"), EXH_KIND_HTTPPROXY);
  assert_int_equal(exh_kind_from_service("ECP_SERVER"), EXH_KIND_ECP_SERVER);
  assert_int_equal(exh_kind_from_service("nope"), EXH_KIND_NONE);
  assert_string_equal(exh_kind_dataset(EXH_KIND_HTTPPROXY), "exchange.httpproxy");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_logs), cmocka_unit_test(test_supporting_files),
                                     cmocka_unit_test(test_services)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
