/* W3C extended logs (IIS): splitting, the surplus-token merge, time, and
 * the real IIS logs of the shared data set (skipped when it is absent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/paths.h"
#include "formats/archive/archive.h"
#include "formats/registry.h"
#include "formats/logs/exlog.h"

static const char *shared_dir;

#define FIELDS "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

static int eq(exh_str s, const char *v) { return s.n == strlen(v) && !memcmp(s.p, v, s.n); }

static void test_header_and_split(void **st) {
  (void)st;
  exh_exlog_header h;
  exh__exlog_header_parse(&h, FIELDS, strlen(FIELDS), 1, EXH_FMT_W3C);
  assert_int_equal(h.n, 15);
  assert_int_equal(h.time_col, 0);
  assert_int_equal(h.time2_col, 1);
  assert_int_equal(h.query_col, 5);
  exh_str c[EXH_MAX_COLS];
  uint8_t q[EXH_MAX_COLS];
  const char *l = "2021-10-09 02:24:04 1.1.1.1 GET /a.json @evil/x?&E=1 443 - 1.1.1.1 python-requests/2.26.0 - 200 0 0 332\r";
  int n = exh__log_split(&h, l, strlen(l), c, q, EXH_MAX_COLS);
  assert_int_equal(n, 15);
  assert_true(eq(c[5], "@evil/x?&E=1"));
  assert_true(eq(c[14], "332"));
  assert_int_equal(exh__log_record_time(&h, c, n), 1633746244000LL);
  /* a raw space inside the query (plaso#3529): merged back into cs-uri-query */
  const char *r = "2021-10-09 02:24:04 1.1.1.1 GET /EWS/x email=a@b&size=HR96 &Corr=1 443 - 1.1.1.1 UA - 200 0 0 3";
  n = exh__log_split(&h, r, strlen(r), c, q, EXH_MAX_COLS);
  assert_int_equal(n, 15);
  assert_true(eq(c[5], "email=a@b&size=HR96 &Corr=1"));
  assert_true(eq(c[6], "443"));
  assert_true(eq(c[14], "3"));
  /* fewer tokens: reported as is */
  n = exh__log_split(&h, "2021-10-09 02:24:04 x", 21, c, q, EXH_MAX_COLS);
  assert_int_equal(n, 3);
}

static void test_classify(void **st) {
  (void)st;
  char sub[64];
  assert_int_equal(exh__formats_by_path("C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", sub, sizeof sub), EXH_KIND_IIS);
  assert_string_equal(sub, "W3SVC1");
  assert_int_equal(exh__formats_by_path("C/Windows/System32/LogFiles/HTTPERR/httperr1.log", sub, sizeof sub), EXH_KIND_HTTPERR);
  assert_int_equal(exh__formats_by_path("C/inetpub/logs/LogFiles/W3SVCx/u_ex.log", sub, sizeof sub), EXH_KIND_NONE);
  const char *iis = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)iis, strlen(iis)), EXH_KIND_IIS);
  const char *hp = "#Software: Microsoft Exchange Server\r\n#Version: 15.01\r\n#Log-type: HttpProxy Logs\r\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)hp, strlen(hp)), EXH_KIND_HTTPPROXY);
  const char *mt = "#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n";
  assert_int_equal(exh__formats_by_head((const unsigned char *)mt, strlen(mt)), EXH_KIND_EXLOG_OTHER);
  assert_int_equal(exh__formats_by_head((const unsigned char *)"hello", 5), EXH_KIND_NONE);
}

/* Every data line of the real IIS logs splits into exactly the header's
 * number of fields, under every #Fields: line in force. */
static void test_shared_iis_logs(void **st) {
  (void)st;
  if (!shared_dir) {
    printf("skip: ../shared is absent\n");
    return;
  }
  const char *files[] = {"tunna_rdp_tunnel_IIS.log", "velociraptor-iis.log"};
  for (size_t fi = 0; fi < 2; fi++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/data/iis/%s", shared_dir, files[fi]);
    FILE *f = fopen(path, "rb");
    if (!f) {
      printf("skip: %s not found\n", path);
      continue;
    }
    exh_exlog_header h;
    memset(&h, 0, sizeof h);
    h.fmt = EXH_FMT_W3C;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lines = 0, bad = 0;
    exh_str c[EXH_MAX_COLS];
    uint8_t q[EXH_MAX_COLS];
    while ((len = getline(&line, &cap, f)) > 0) {
      size_t n = (size_t)len;
      while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
      if (n == 0) continue;
      if (line[0] == '#') {
        if (!strncmp(line, "#Fields:", 8)) exh__exlog_header_parse(&h, line, n, 1, EXH_FMT_W3C);
        continue;
      }
      lines++;
      int k = exh__log_split(&h, line, n, c, q, EXH_MAX_COLS);
      if (k != h.n || exh__log_record_time(&h, c, k) == INT64_MIN) {
        if (bad++ < 3) printf("malformed %s: %.*s\n", files[fi], (int)n, line);
      }
    }
    free(line);
    fclose(f);
    printf("%s: %ld lines, %ld malformed\n", files[fi], lines, bad);
    assert_true(lines > 0);
    assert_int_equal(bad, 0);
  }
}

int main(int argc, char **argv) {
  if (argc > 1) {
    char p[4096];
    snprintf(p, sizeof p, "%s/data/iis", argv[1]);
    FILE *f = fopen(p, "r");
    if (f) {
      fclose(f);
      shared_dir = argv[1];
    }
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_header_and_split), cmocka_unit_test(test_classify),
                                     cmocka_unit_test(test_shared_iis_logs)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
