/* libFuzzer target: the content checks of a file in a web or staging
 * folder (path and hash indicators, YARA with the shipped rules, the
 * minidump header) through exh__detect_content_source: read whole, or, over
 * the content limit, the header checks only, by positioned reads (a file)
 * or on the first bytes (an archive member read in order). Byte 0 picks
 * the limit and the source; the rest is the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "fuzz_common.h"
#include "scan/scan.h"
#include "formats/files/files.h"

static exh_ruleset *rs;
static exh_worker wk;
static exh_scan_limits lim;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_worker_init(&rs, &wk, &lim);
  return 0;
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  atomic_store(&lim.findings, 0); /* run-wide count: one scan per input here */
  size_t n = size - 1;
  char *copy = malloc(n ? n : 1);
  memcpy(copy, data + 1, n);
  /* limits from 16 bytes to larger than any input: both paths */
  lim.max_content_bytes = (data[0] & 0x40) ? (1u << 20) : 16u + (data[0] & 0x3f) * 64u;
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = (data[0] & 0x80) ? EXH_KIND_LSASS_DUMP : EXH_KIND_CONTENT;
  ev.path = "C/inetpub/wwwroot/aspnet_client/fuzz.aspx";
  ev.rel = ev.path;
  strcpy(ev.sub, "web");
  ev.size = n;
  fuzz_seq q;
  fuzz_seq_init(&q, copy, n, 1000);
  exh_source *src = (data[0] & 1) ? &q.s : exh__source_mem(copy, n);
  if (ev.kind != EXH_KIND_CONTENT) exh__detect_file(&wk, &ev);
  exh__detect_content_source(&wk, &ev, src);
  if (!(data[0] & 1)) exh__source_close(src);
  for (size_t i = 0; i < ev.nfindings; i++) exh__finding_release(&ev.findings[i]);
  free(ev.findings);
  free(ev.error);
  free(copy);
  return 0;
}
