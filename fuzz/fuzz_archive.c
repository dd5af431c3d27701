/* libFuzzer target: archives (zip, 7z, rar, tar and compressed tars, cpio,
 * ISO, whatever libarchive recognises) read from memory through
 * exh__scan_archive_source: the read/seek/skip callbacks, member names
 * (locale, CP437), classification of members, members as streams into the
 * log scanner, the event readers and the content checks (YARA, hashes,
 * minidump header), encryption and container reports, the caps, archives
 * inside archives (read from the member as it inflates, 7-Zip from memory,
 * the depth limit, the caps shared by the chain). The shipped rules; a
 * content limit of 64 KiB so the header-only path is reached, and an
 * archive byte cap of 256 MiB so a (nested) bomb costs a fraction of a
 * second. Byte 0 chooses a source with positioned reads (seekable) or one
 * read only in order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/source.h"
#include "fuzz_common.h"
#include "scan/scan.h"
#include "formats/archive/archive.h"

static exh_ruleset *rs;
static exh_worker wk;
static exh_scan_limits lim;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  fuzz_worker_init(&rs, &wk, &lim);
  lim.max_content_bytes = 1 << 16;
  lim.max_archive_bytes = 256u << 20;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  atomic_store(&lim.findings, 0); /* run-wide count: one scan per input here */
  size_t n = size - 1;
  char *copy = malloc(n ? n : 1);
  memcpy(copy, data + 1, n);
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_ARCHIVE;
  ev.path = "fuzz.zip";
  ev.rel = "";
  ev.first_ms = ev.last_ms = EXH_TIME_UNKNOWN;
  fuzz_seq q;
  fuzz_seq_init(&q, copy, n, 1000);
  exh_source *src = data[0] & 1 ? &q.s : exh__source_mem(copy, n);
  exh__scan_archive_source(&wk, &ev, src);
  if (!(data[0] & 1)) exh__source_close(src);
  exh__evidence_release(&ev);
  free(copy);
  return 0;
}
