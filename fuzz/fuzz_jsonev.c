/* libFuzzer target: the JSON-lines event path (reading in blocks of whole
 * lines, flattening, field naming, the channel and time of each event,
 * Windows rule evaluation with the shipped rules and fuzz/windows_rules.h)
 * on arbitrary bytes. The first byte picks the block size (16 to 4096
 * bytes, the longest line four blocks) so block boundaries and over-long
 * lines are crossed on small inputs. Differential: the findings with the
 * event prefilter equal those of every rule on every event. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "scan/scan.h"
#include "windows_rules.h"
#include "formats/events/events.h"

static exh_ruleset *rs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  rs = fuzz_windows_ruleset();
  return 0;
}

static void scan(const uint8_t *data, size_t size, size_t block, exh_evidence *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EXH_KIND_JSONEV;
  ev->path = "fuzz.json";
  ev->rel = "";
  exh_worker wk;
  exh__worker_init(&wk, rs);
  exh_scan_limits lim;
  exh__scan_limits_default(&lim);
  wk.lim = &lim;
  exh_source *src = exh__source_mem(data, size);
  exh__scan_jsonev_source_sized(&wk, ev, src, block, 4 * block);
  exh__source_close(src);
  exh__worker_fini(&wk);
}

static void release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!size) return 0;
  size_t block = (size_t)16 << (data[0] % 9); /* 16 .. 4096 */
  data++, size--;
  exh_evidence on, off;
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  scan(data, size, block, &on);
  setenv("EXHUNT_NO_EVENT_PREFILTER", "1", 1);
  scan(data, size, block, &off);
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  int same = on.nfindings == off.nfindings && on.records == off.records;
  for (size_t i = 0; same && i < on.nfindings; i++)
    same = on.findings[i].rule == off.findings[i].rule && on.findings[i].line == off.findings[i].line;
  if (!same) {
    fprintf(stderr, "findings differ with the event prefilter (%zu) and without (%zu)\n", on.nfindings, off.nfindings);
    abort();
  }
  release(&on);
  release(&off);
  return 0;
}
