/* libFuzzer target: the indicator loaders (STIX 2.1 JSON, MSTIC CSV, plain
 * lists; told apart by content), the same line forms fed in two blocks cut
 * where the input says (the carried partial line), the CSS-Exchange
 * baseline loader (first byte odd), the lookups, and the IP rules the
 * ruleset builds from them.
 *
 * Oracle: every line of the input that exh__iocset_ip_has() accepts as a
 * listed address must hold one of exh__iocset_ip_literals() (the IP rules'
 * prefilter group): otherwise a scan would miss the address on a log line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "checks/ioc.h"

static void check_ip_literals(const exh_iocset *s, const char *text, size_t n) {
  size_t nl;
  const exh_str *l = exh__iocset_ip_literals(s, &nl);
  const char *p = text, *end = text + n;
  for (int lines = 0; p < end && lines < 256; lines++) {
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e) e = end;
    size_t ln = (size_t)(e - p);
    /* the line, and its first word (a list line's value) */
    size_t wn = 0;
    while (wn < ln && p[wn] != ';' && p[wn] != ',' && p[wn] != '\t') wn++;
    size_t lens[2] = {ln, wn};
    for (int k = 0; k < 2; k++) {
      if (!exh__iocset_ip_has(s, p, lens[k])) continue;
      size_t i = 0;
      while (i < nl && !exh__memimem(p, lens[k], l[i].p, l[i].n)) i++;
      if (i == nl) __builtin_trap();
    }
    p = e + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *text = (const char *)data + 1;
  size_t n = size - 1;
  char why[256];
  if (data[0] & 1) {
    exh_baseline *b = exh__baseline_new();
    if (exh__baseline_load(b, "fuzz", text, n, why, sizeof why) >= 0) {
      exh__baseline_finish(b);
      uint8_t sha[32] = {0};
      exh__baseline_check(b, NULL, "frontend/httpproxy/owa/auth/logon.aspx", sha);
      exh__baseline_check(b, "15.1.2176.2", "clientaccess/owa/version/x.js", sha);
      exh__baseline_covers_ext(b, "aspx");
      exh__baseline_has_build(b, "15.1.2176.2");
    }
    exh__baseline_free(b);
    return 0;
  }
  exh_iocset *s = exh__iocset_new();
  size_t skipped;
  long got;
  if (data[0] & 2) {
    /* the line forms in two blocks, cut at a point the first byte chooses */
    size_t cut = (size_t)(data[0] >> 2) * n / 64;
    exh_ioc_lines *l = exh__iocset_lines_begin(s, "fuzz");
    exh__iocset_lines_feed(l, text, cut);
    exh__iocset_lines_feed(l, text + cut, n - cut);
    got = exh__iocset_lines_end(l, &skipped, why, sizeof why);
  } else {
    got = exh__iocset_load(s, "fuzz", text, n, &skipped, why, sizeof why);
  }
  exh__iocset_finish(s);
  if (got >= 0) {
    uint8_t d[32];
    memset(d, 0xAB, sizeof d);
    for (int t = EXH_IOC_SHA256; t <= EXH_IOC_MD5; t++) exh__iocset_hash(s, (exh_ioc_type)t, d);
    exh__iocset_path(s, "C/inetpub/wwwroot/aspnet_client/shell.aspx");
    exh__iocset_path(s, "shell.aspx");
    exh__iocset_ip(s, "104.140.114.110", 15);
    exh__iocset_ip(s, "[::1]:443", 9);
    check_ip_literals(s, text, n);
  } else if (exh__iocset_count(s, EXH_IOC_IP) || exh__iocset_count(s, EXH_IOC_SHA256) ||
             exh__iocset_count(s, EXH_IOC_PATH) || exh__iocset_count(s, EXH_IOC_NAME)) {
    __builtin_trap(); /* a failed load keeps nothing */
  }
  exh__iocset_free(s);
  /* the same text through the ruleset (IP indicators become rules): one
   * input in two, since building the prefilter databases is slow */
  if (!(data[0] & 4)) return 0;
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_ioc_text(rs, "fuzz", text, n);
  exh_ruleset_compile(rs);
  exh_ruleset_free(rs);
  return 0;
}
