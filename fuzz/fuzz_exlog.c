/* libFuzzer target: the Exchange CSV and W3C (IIS) log path (header
 * probe, prefilter, CSV/W3C split, Sigma evaluation, findings, the log
 * window) on arbitrary bytes, with the shipped rules, read as a stream.
 * Byte 0 picks the log kind (the Rps_Http kind of formats/rps among them:
 * it is read by this same reader, with the URL-decoded fields); byte 1 the block size (1 to 97 bytes, so
 * every block boundary falls somewhere) and whether the source can be read
 * by position (memory) or only in order (an archive member).
 *
 * Differential: the small-block scan must report exactly what one block
 * holding the whole input reports (findings, lines, offsets, times, the log
 * window, the build, the errors); a third scan with a longest line as
 * short as the block (lines read in pieces) must only not crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "fuzz_common.h"
#include "platform/platform.h"
#include "scan/scan.h"
#include "util/util.h"
#include "formats/logs/logs.h"

static exh_ruleset *rs;
static exh_worker wk;
static exh_scan_limits lim;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_worker_init(&rs, &wk, &lim);
  /* a run-wide cap a single input can reach: the cap's path is fuzzed too
   * (both scans must stop at the same finding), and a count carried from
   * one scan to the next fails the corpus replay at once */
  lim.max_findings = 64;
  return 0;
}


static char *scan(exh_kind kind, const char *sub, const char *p, size_t n, int seq, size_t block, size_t max_line,
                  int whole_map) {
  /* the run-wide findings count starts at zero for each scan: one fuzzing
   * process scans millions of inputs, and a count carried over would
   * suppress every finding once it reached the run's cap (it did: the
   * second of two scans of one input found nothing) */
  atomic_store(&lim.findings, 0);
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = kind;
  ev.path = "fuzz.log";
  ev.rel = "fuzz.log";
  strcpy(ev.sub, sub);
  if (whole_map) {
    exh_map map = {p, n, 0};
    exh__scan_exlog_map(&wk, &ev, &map);
  } else {
    fuzz_seq d;
    fuzz_seq_init(&d, p, n, 1 + block % 5);
    exh_source *src = seq ? &d.s : exh__source_mem(p, n);
    exh__scan_exlog_source_sized(&wk, &ev, src, block, max_line);
    if (!seq) exh__source_close(src);
  }
  exh_buf b = {0};
  exh__buf_printf(&b, "first=%lld last=%lld version=%s records=%llu skipped=%d suppressed=%llu error=%s\n", (long long)ev.first_ms,
                 (long long)ev.last_ms, ev.version, (unsigned long long)ev.records, ev.skipped,
                 (unsigned long long)ev.suppressed,
                 ev.error ? ev.error : "-");
  for (size_t i = 0; i < ev.nfindings; i++) {
    exh_finding *f = &ev.findings[i];
    exh__buf_printf(&b, "%s line=%llu off=%llu t=%lld ip=%s url=%s msg=%s\n", f->rule->id, (unsigned long long)f->line,
                   (unsigned long long)f->offset, (long long)f->time_ms, f->source_ip ? f->source_ip : "-",
                   f->url ? f->url : "-", f->message ? f->message : "-");
    exh__finding_release(f);
  }
  free(ev.findings);
  free(ev.error);
  return b.p ? b.p : calloc(1, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  static const exh_kind kinds[] = {EXH_KIND_HTTPPROXY, EXH_KIND_ECP_SERVER, EXH_KIND_OABGEN, EXH_KIND_EXLOG_OTHER,
                                   EXH_KIND_IIS,       EXH_KIND_HTTPERR,    EXH_KIND_RPS_HTTP, EXH_KIND_ECP_ACTIVITY};
  exh_kind kind = kinds[data[0] % 8];
  const char *sub = (data[0] & 8) ? "Ecp" : "Owa";
  size_t block = 1 + (size_t)(data[1] & 0x7f) % 97;
  int seq = data[1] >> 7;
  /* a heap copy of exactly the bytes: ASan sees any overread */
  size_t n = size - 2;
  char *copy = malloc(n ? n : 1);
  memcpy(copy, data + 2, n);
  char *whole = scan(kind, sub, copy, n, 0, 1u << 20, 1u << 20, data[0] & 16);
  char *blocks = scan(kind, sub, copy, n, seq, block, 1u << 20, 0);
  if (strcmp(whole, blocks)) {
    fprintf(stderr, "block %zu, %s source: the results differ\n--- one block\n%s--- blocks\n%s", block,
            seq ? "sequential" : "memory", whole, blocks);
    abort();
  }
  free(whole);
  free(blocks);
  free(scan(kind, sub, copy, n, seq, block, block, 0));
  free(copy);
  return 0;
}
