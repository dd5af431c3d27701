/* libFuzzer target: the indicator loaders (STIX 2.1 JSON, MSTIC CSV, plain
 * lists; told apart by content), the CSS-Exchange baseline loader (first
 * byte odd), the lookups, and the IP rules the ruleset builds from them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "ioc/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *text = (const char *)data + 1;
  size_t n = size - 1;
  char why[256];
  if (data[0] & 1) {
    exh_baseline *b = exh_baseline_new();
    if (exh_baseline_load(b, "fuzz", text, n, why, sizeof why) >= 0) {
      exh_baseline_finish(b);
      uint8_t sha[32] = {0};
      exh_baseline_check(b, NULL, "frontend/httpproxy/owa/auth/logon.aspx", sha);
      exh_baseline_check(b, "15.1.2176.2", "clientaccess/owa/version/x.js", sha);
      exh_baseline_covers_ext(b, "aspx");
    }
    exh_baseline_free(b);
    return 0;
  }
  exh_iocset *s = exh_iocset_new();
  size_t skipped;
  if (exh_iocset_load(s, "fuzz", text, n, &skipped, why, sizeof why) >= 0) {
    exh_iocset_finish(s);
    uint8_t d[32];
    memset(d, 0xAB, sizeof d);
    for (int t = EXH_IOC_SHA256; t <= EXH_IOC_MD5; t++) exh_iocset_hash(s, (exh_ioc_type)t, d);
    exh_iocset_path(s, "C/inetpub/wwwroot/aspnet_client/shell.aspx");
    exh_iocset_path(s, "shell.aspx");
    exh_iocset_ip(s, "104.140.114.110", 15);
    exh_iocset_ip(s, "[::1]:443", 9);
  }
  exh_iocset_free(s);
  /* the same text through the ruleset: IP indicators become Sigma rules */
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_ioc_text(rs, "fuzz", text, n);
  exh_ruleset_compile(rs);
  exh_ruleset_free(rs);
  return 0;
}
