/* libFuzzer target: the JSON-lines event path (flattening, field naming,
 * Windows rule evaluation with the shipped rules) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"

static exh_ruleset *rs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  exh_ruleset_new(&rs);
  exh_ruleset_add_builtin(rs);
  exh_ruleset_compile(rs);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_JSONEV;
  ev.path = "fuzz.json";
  char *copy = malloc(size ? size : 1);
  memcpy(copy, data, size);
  exh_worker wk;
  exh_worker_init(&wk, rs);
  static exh_scan_limits lim;
  exh_scan_limits_default(&lim);
  wk.lim = &lim;
  exh_scan_jsonev_buf(&wk, &ev, copy, size);
  exh_worker_fini(&wk);
  for (size_t i = 0; i < ev.nfindings; i++) exh_finding_release(&ev.findings[i]);
  free(ev.findings);
  free(ev.error);
  free(copy);
  return 0;
}
