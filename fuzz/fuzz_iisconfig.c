/* libFuzzer target: the IIS configuration reader (formats/iisconfig): the
 * tokenizer and the module checks on any bytes, through the format's scan
 * on a source read in order (an archive member) or in memory. Byte 0 picks
 * the source, whether the file is a web.config (the content checks run on
 * it too) and the content limit; the rest is the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "formats/iisconfig/iisconfig.h"
#include "scan/scan.h"

static exh_ruleset *rs;
static exh_worker wk;
static exh_scan_limits lim;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  exh_ruleset_new(&rs);
  exh_ruleset_add_builtin(rs);
  exh_ruleset_compile(rs);
  exh__worker_init(&wk, rs);
  exh__scan_limits_default(&lim);
  wk.lim = &lim;
  return 0;
}

typedef struct seq_source {
  exh_source s;
  const char *p;
  size_t n;
} seq_source;

static long seq_read(exh_source *s, void *buf, size_t n) {
  seq_source *q = (seq_source *)s;
  size_t left = q->n - (size_t)s->pos;
  if (n > 777) n = 777;
  if (n > left) n = left;
  memcpy(buf, q->p + s->pos, n);
  s->pos += n;
  return (long)n;
}
static void seq_close(exh_source *s) { (void)s; }

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
  seq_source q = {{seq_read, NULL, seq_close, n, 0, ""}, copy, n};
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
