/* libFuzzer target: the EVTX parser (chunks, records, binary XML,
 * templates, substitutions) and both renderings, on arbitrary bytes. The
 * input is placed after a valid file header so the chunk code is reached.
 * Differential: the JSON of the compiled-template path (exh__evtx_set_json)
 * must equal the tree's JSON byte for byte, issues included; a difference
 * aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/evtx/evtx.h"

static FILE *sink;

typedef struct out {
  exh_buf b;
  int xml;
} out;

static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  out *o = ctx;
  exh__evtx_json_append(&o->b, p, r);
  if (o->xml) exh__evtx_write_xml(sink, p, r);
  return 0;
}

static void on_issue(void *ctx, uint64_t off, const char *what) {
  out *o = ctx;
  char line[320];
  int k = snprintf(line, sizeof line, "ISSUE %llu %s\n", (unsigned long long)off, what);
  exh_buf_add(&o->b, line, (size_t)k);
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
  out tree = {{0}, 1}, fast = {{0}, 0};
  exh_evtx *p = exh__evtx_new();
  exh__evtx_parse(p, buf, n, on_record, on_issue, &tree);
  exh__evtx_free(p);
  p = exh__evtx_new();
  exh__evtx_set_json(p, 1);
  exh__evtx_parse(p, buf, n, on_record, on_issue, &fast);
  exh__evtx_free(p);
  if (tree.b.n != fast.b.n || (tree.b.n && memcmp(tree.b.p, fast.b.p, tree.b.n))) {
    fprintf(stderr, "compiled and tree JSON differ\n--- tree\n%.*s\n--- compiled\n%.*s\n", (int)tree.b.n,
            tree.b.p ? tree.b.p : "", (int)fast.b.n, fast.b.p ? fast.b.p : "");
    abort();
  }
  exh__buf_free(&tree.b);
  exh__buf_free(&fast.b);
  free(buf);
  return 0;
}
