/* libFuzzer target: the EVTX scan path, record to rule evaluation
 * (scan/scan_evtx.c through exh__scan_evtx_buf, the source a chunk at a
 * time): decoding, flattening into Sigma's field names, the channel
 * decided per record, the event prefilter, the rules (the shipped ones and
 * fuzz/windows_rules.h), each finding's evidence rendered. The input is
 * placed after a valid file header, as in fuzz_evtx, so chunk data is what
 * gets mutated (seeds: fuzz/corpus/evtx_scan, events and template bombs).
 * Differential: the findings with the event prefilter equal those of every
 * rule on every record (EXHUNT_NO_EVENT_PREFILTER); a difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"
#include "windows_rules.h"
#include "formats/events/events.h"

static exh_ruleset *rs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  rs = fuzz_windows_ruleset();
  return 0;
}

static void scan(const uint8_t *buf, size_t n, exh_evidence *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EXH_KIND_EVTX;
  ev->path = "fuzz.evtx";
  ev->rel = "";
  exh_worker wk;
  exh__worker_init(&wk, rs);
  exh_scan_limits lim;
  exh__scan_limits_default(&lim);
  wk.lim = &lim;
  exh__scan_evtx_buf(&wk, ev, (const char *)buf, n);
  exh__worker_fini(&wk);
}

static void release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n = 4096 + size;
  uint8_t *buf = malloc(n);
  memset(buf, 0, 4096);
  memcpy(buf, "ElfFile", 8);
  memcpy(buf + 4096, data, size);
  exh_evidence on, off;
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  scan(buf, n, &on);
  setenv("EXHUNT_NO_EVENT_PREFILTER", "1", 1);
  scan(buf, n, &off);
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  int same = on.nfindings == off.nfindings && on.records == off.records;
  for (size_t i = 0; same && i < on.nfindings; i++)
    same = on.findings[i].rule == off.findings[i].rule && on.findings[i].record_id == off.findings[i].record_id &&
           on.findings[i].offset == off.findings[i].offset;
  if (!same) {
    fprintf(stderr, "findings differ with the event prefilter (%zu) and without (%zu)\n", on.nfindings, off.nfindings);
    abort();
  }
  release(&on);
  release(&off);
  free(buf);
  return 0;
}
