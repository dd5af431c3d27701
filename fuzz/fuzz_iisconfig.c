/* libFuzzer target: the IIS configuration reader (formats/iisconfig): the
 * tokenizer and the module checks on any bytes, through the format's scan
 * on a source read in order (an archive member) or in memory. Byte 0 picks
 * the source, whether the file is a web.config (the content checks run on
 * it too) and the content limit; the rest is the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "fuzz_common.h"
#include "formats/iisconfig/iisconfig.h"
#include "scan/scan.h"

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
  lim.max_content_bytes = (data[0] & 0x40) ? (1u << 20) : 16u + (data[0] & 0x3c) * 16u;
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_IISCONFIG;
  if (data[0] & 2) {
    ev.path = "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/web.config";
    strcpy(ev.sub, "web");
  } else {
    ev.path = "C/Windows/System32/inetsrv/config/applicationHost.config";
  }
  ev.rel = ev.path;
  ev.size = n;
  fuzz_seq q;
  fuzz_seq_init(&q, copy, n, 777);
  exh_source *src = (data[0] & 1) ? &q.s : exh__source_mem(copy, n);
  exh__format_iisconfig.scan(&wk, &ev, src);
  if (!(data[0] & 1)) exh__source_close(src);
  for (size_t i = 0; i < ev.nfindings; i++) {
    const exh_finding *f = &ev.findings[i]; /* a module finding (not a content check's) cites the file's bytes */
    if (!f->message || (!strncmp(f->rule->id, "exhunt-iis-", 11) && (!f->evidence || f->offset + f->evidence_len > n)))
      abort();
  }
  for (size_t i = 0; i < ev.nfindings; i++) exh__finding_release(&ev.findings[i]);
  free(ev.findings);
  free(ev.error);
  free(copy);
  return 0;
}
