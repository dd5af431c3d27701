/* libFuzzer target: the Exchange CSV and W3C (IIS) log path (header
 * probe, prefilter, CSV/W3C split, Sigma evaluation, findings) on arbitrary
 * bytes, with the shipped rules. The first byte picks the log kind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
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
  if (size < 1) return 0;
  static const exh_kind kinds[] = {EXH_KIND_HTTPPROXY, EXH_KIND_ECP_SERVER, EXH_KIND_OABGEN, EXH_KIND_EXLOG_OTHER,
                                   EXH_KIND_IIS,       EXH_KIND_HTTPERR,    EXH_KIND_IIS,    EXH_KIND_ECP_ACTIVITY};
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kinds[data[0] % 8];
  ev.path = "fuzz.log";
  strcpy(ev.sub, (data[0] & 8) ? "Ecp" : "Owa");
  /* a heap copy of exactly `size` bytes: ASan sees any overread */
  char *copy = malloc(size - 1 ? size - 1 : 1);
  memcpy(copy, data + 1, size - 1);
  exh_map map = {copy, size - 1, 0};
  exh_worker wk;
  exh_worker_init(&wk, rs);
  static exh_scan_limits lim;
  exh_scan_limits_default(&lim);
  wk.lim = &lim;
  exh_scan_exlog_map(&wk, &ev, &map);
  exh_worker_fini(&wk);
  for (size_t i = 0; i < ev.nfindings; i++) exh_finding_release(&ev.findings[i]);
  free(ev.findings);
  free(ev.error);
  free(copy);
  return 0;
}
