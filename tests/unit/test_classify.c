/* Path classification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/paths.h"
#include "formats/archive/archive.h"
#include "formats/registry.h"

static exh_kind k(const char *p) {
  char sub[64];
  return exh__formats_by_path(p, sub, sizeof sub);
}

static void test_logs(void **st) {
  (void)st;
  char sub[64];
  assert_int_equal(exh__formats_by_path("C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030303-1.LOG", sub, sizeof sub), EXH_KIND_HTTPPROXY);
  assert_string_equal(sub, "Ecp");
  /* backslashes, other case, a live drive */
  assert_int_equal(exh__formats_by_path("Program Files\\Microsoft\\Exchange Server\\V15\\logging\\httpproxy\\OWA\\x.log", sub, sizeof sub), EXH_KIND_HTTPPROXY);
  assert_string_equal(sub, "OWA");
  assert_int_equal(k("V15/Logging/ECP/Server/ECPServer20210303-1.LOG"), EXH_KIND_ECP_SERVER);
  assert_int_equal(k("V15/Logging/ECP/Activity/ECPActivity_1_20210303-1.LOG"), EXH_KIND_ECP_ACTIVITY);
  assert_int_equal(k("V15/Logging/OABGeneratorLog/OABGeneratorLog20210303-1.LOG"), EXH_KIND_OABGEN);
  assert_int_equal(k("V15/Logging/OABGeneratorLog/sub/any.txt"), EXH_KIND_OABGEN);
  assert_int_equal(k("V15/Logging/MapiHttp/Mailbox/x.LOG"), EXH_KIND_EXLOG_OTHER);
  /* not logs */
  assert_int_equal(k("V15/Logging/HttpProxy/Ecp/readme.txt"), EXH_KIND_NONE);
  assert_int_equal(exh__formats_by_path("V15/Logging/HttpProxy/x.log", sub, sizeof sub), EXH_KIND_HTTPPROXY); /* no protocol folder */
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
  assert_int_equal(exh__kind_from_service("httpproxy"), EXH_KIND_HTTPPROXY);
  assert_int_equal(exh__kind_from_service("ECP_SERVER"), EXH_KIND_ECP_SERVER);
  assert_int_equal(exh__kind_from_service("nope"), EXH_KIND_NONE);
  assert_string_equal(exh__kind_dataset(EXH_KIND_HTTPPROXY), "exchange.httpproxy");
}

/* Issue 11 defect 12: a log is told by the directives at its top, never by
 * "#Software:" further down: one JSON event quoting it made a whole event
 * export an Exchange log (skipped: "scanned 0 of 1"). */
static void test_content_sniff(void **st) {
  (void)st;
  const char *json = "{\"EventID\":4104,\"ScriptBlockText\":\"Write-Host '#Software: Microsoft Exchange'\"}\n"
                     "{\"EventID\":1,\"CommandLine\":\"x\"}\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)json, strlen(json)), EXH_KIND_NONE);
  const char *json2 = "{\"a\":1}\n#Software: Microsoft Exchange Server\n#Fields: DateTime,A\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)json2, strlen(json2)), EXH_KIND_NONE);
  const char *note = "Notes on the incident\n#Software: Microsoft Internet Information Services 10.0\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)note, strlen(note)), EXH_KIND_NONE);
  /* real headers: IIS directives from line 1; Exchange after its bare CSV
   * header line (HttpProxy's is about 1.5 KB long), BOM or not */
  const char *iis = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Fields: date time\r\n"
                    "2021-01-01 00:00:00\r\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)iis, strlen(iis)), EXH_KIND_IIS);
  const char *he = "#Version: 1.0\r\n#Software: Microsoft HTTP API 2.0\r\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)he, strlen(he)), EXH_KIND_HTTPERR);
  char hp[4096];
  int o = snprintf(hp, sizeof hp, "\xef\xbb\xbf" "DateTime,RequestId");
  for (int i = 0; i < 100; i++) o += snprintf(hp + o, sizeof hp - (size_t)o, ",Column%d", i);
  snprintf(hp + o, sizeof hp - (size_t)o, "\r\n#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
                                        "#Log-type: HttpProxy Logs\r\n#Fields: DateTime,RequestId\r\n");
  assert_int_equal(exh__formats_by_head((const unsigned char *)hp, strlen(hp)), EXH_KIND_HTTPPROXY);
  const char *ecp = "TimeStamp,ServerName,EventId,EventData\n#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n"
                    "#Log-type: ECP Server Log\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)ecp, strlen(ecp)), EXH_KIND_ECP_SERVER);
  const char *mt = "#Software: Microsoft Exchange Server\n#Version: 15.01.2176.009\n#Log-type: Message Tracking Log\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)mt, strlen(mt)), EXH_KIND_EXLOG_OTHER);
  /* a bare header line is an Exchange habit, not IIS's */
  const char *odd = "date,time\n#Software: Microsoft Internet Information Services 10.0\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)odd, strlen(odd)), EXH_KIND_NONE);
  assert_int_equal(exh__formats_by_head((const unsigned char *)"ElfFile\0xxxx", 12), EXH_KIND_EVTX);
}

/* Issue 11 defect 9: containers exhunt does not open are told by signature
 * (else by name); archive formats libarchive opens by signature. */
static void test_containers(void **st) {
  (void)st;
  static unsigned char h[40000];
  memset(h, 0, sizeof h);
  assert_null(exh__container_label("x.bin", h, sizeof h, sizeof h));
  memcpy(h, "vhdxfile", 8);
  assert_string_equal(exh__container_label("x.bin", h, sizeof h, sizeof h), "VHDX disk image");
  memcpy(h, "EVF\x09\x0d\x0a\xff\x00", 8);
  assert_string_equal(exh__container_label("x.E02", h, sizeof h, sizeof h), "EnCase image (E01)");
  memset(h, 0, 16);
  memcpy(h + 512, "EFI PART", 8);
  assert_string_equal(exh__container_label("x", h, sizeof h, sizeof h), "raw disk image (GPT)");
  memset(h + 512, 0, 8);
  /* an MBR describing a partition, in a file of at least 1 MiB */
  h[446] = 0x80, h[450] = 0x07, h[454] = 0x00, h[455] = 0x08, h[460] = 0x00, h[461] = 0x10;
  h[510] = 0x55, h[511] = 0xAA;
  assert_null(exh__container_label("x", h, sizeof h, 4096));
  assert_string_equal(exh__container_label("x", h, sizeof h, 1 << 20), "raw disk image (MBR)");
  h[446] = 0x12; /* not a boot flag: any boot sector's 55 AA is no disk */
  assert_null(exh__container_label("x", h, sizeof h, 1 << 20));
  assert_string_equal(exh__container_label("C/images/disk.VMDK", NULL, 0, 0), "VMDK disk image");
  assert_string_equal(exh__container_label("a.aff4", NULL, 0, 0), "AFF4 image");
  assert_null(exh__container_label("a.aff4.txt", NULL, 0, 0));
  memset(h, 0, sizeof h);
  memcpy(h, "PK\003\004", 4);
  assert_int_equal(exh__archive_sniff("x.docx", h, sizeof h), EXH_ARC_ZIP);
  memcpy(h, "7z\xbc\xaf\x27\x1c", 6);
  assert_int_equal(exh__archive_sniff("x", h, sizeof h), EXH_ARC_7Z);
  memcpy(h, "Rar!\x1a\x07\x01\x00", 8);
  assert_int_equal(exh__archive_sniff("x", h, sizeof h), EXH_ARC_RAR);
  memset(h, 0, 8);
  memcpy(h + 257, "ustar", 5);
  assert_int_equal(exh__archive_sniff("x", h, sizeof h), EXH_ARC_TAR);
  memset(h + 257, 0, 5);
  memcpy(h, "\x1f\x8b", 2);
  assert_int_equal(exh__archive_sniff("c.tar.gz", h, sizeof h), EXH_ARC_TAR);
  assert_int_equal(exh__archive_sniff("C.TGZ", h, sizeof h), EXH_ARC_TAR);
  assert_int_equal(exh__archive_sniff("u_ex210303.log.gz", h, sizeof h), EXH_ARC_COMPRESSED);
  assert_int_equal(exh__archive_sniff("x", h, 1), EXH_ARC_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_logs), cmocka_unit_test(test_supporting_files),
                                     cmocka_unit_test(test_services), cmocka_unit_test(test_content_sniff),
                                     cmocka_unit_test(test_containers)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
