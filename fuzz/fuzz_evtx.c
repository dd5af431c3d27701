/* libFuzzer target: the EVTX parser (chunks, records, binary XML,
 * templates, substitutions) and both renderings, on arbitrary bytes. The
 * input is placed after a valid file header so the chunk code is reached. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/evtx.h"

static FILE *sink;

static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  (void)ctx;
  exh_evtx_write_json(sink, p, r);
  exh_evtx_write_xml(sink, p, r);
  return 0;
}

static void on_issue(void *ctx, uint64_t off, const char *what) {
  (void)ctx, (void)off, (void)what;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!sink) sink = fopen("/dev/null", "w");
  /* a file header, then the input as chunk data (its own first bytes may
   * be a chunk header or not) */
  size_t n = 4096 + size;
  uint8_t *buf = malloc(n);
  memset(buf, 0, 4096);
  memcpy(buf, "ElfFile", 8);
  memcpy(buf + 4096, data, size);
  exh_evtx *p = exh_evtx_new();
  exh_evtx_parse(p, buf, n, on_record, on_issue, NULL);
  exh_evtx_free(p);
  free(buf);
  return 0;
}
