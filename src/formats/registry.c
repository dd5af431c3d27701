/* The formats exhunt reads (format.h). Adding a format adds one line here. */
#include "registry.h"

#include <string.h>

#include "archive/archive.h"
#include "events/events.h"
#include "files/files.h"
#include "iisconfig/iisconfig.h"
#include "logs/logs.h"
#include "rps/rps.h"

/* Asked in this order for a path: an .evtx is events wherever it lies;
 * Rps_Http logs before the other logs under Logging (formats/rps);
 * logs by their folders; IIS's configuration files by name and place; Test-ProxyLogon's supporting files by place and
 * name. By content: an EVTX signature, then a log's directive block. */
const exh_format *const exh__formats[] = {
    &exh__format_evtx, &exh__format_rps, &exh__format_logs, &exh__format_iisconfig, &exh__format_files, &exh__format_jsonev, &exh__format_archive, NULL,
};

const exh_format *exh__format_of(exh_kind k) {
  for (size_t i = 0; exh__formats[i]; i++)
    for (size_t j = 0; j < EXH_FORMAT_MAX_KINDS && exh__formats[i]->kinds[j] != EXH_KIND_NONE; j++)
      if (exh__formats[i]->kinds[j] == k) return exh__formats[i];
  return NULL;
}

exh_kind exh__formats_by_path(const char *rel, char *sub, size_t subn) {
  exh_path p;
  exh__path_split(rel, &p);
  if (subn) sub[0] = 0;
  for (size_t i = 0; exh__formats[i]; i++) {
    if (!exh__formats[i]->by_path) continue;
    exh_kind k = exh__formats[i]->by_path(&p, sub, subn);
    if (k != EXH_KIND_NONE) return k;
  }
  return EXH_KIND_NONE;
}

exh_kind exh__formats_by_head(const unsigned char *head, size_t n) {
  for (size_t i = 0; exh__formats[i]; i++) {
    if (!exh__formats[i]->by_head) continue;
    exh_kind k = exh__formats[i]->by_head(head, n);
    if (k != EXH_KIND_NONE) return k;
  }
  return EXH_KIND_NONE;
}

void exh__formats_scan(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  const exh_format *f = exh__format_of(ev->kind);
  if (f && f->scan) f->scan(wk, ev, src);
}

void exh__formats_scan_file(exh_worker *wk, exh_evidence *ev) {
  const exh_format *f = exh__format_of(ev->kind);
  if (!f) return;
  if (f->scan_file) {
    f->scan_file(wk, ev);
    return;
  }
  exh_source *src = exh__evidence_open(ev);
  if (!src) return;
  f->scan(wk, ev, src);
  exh__source_close(src);
}

int exh__formats_part_unit(exh_kind k, uint64_t *base, uint64_t *unit) {
  const exh_format *f = exh__format_of(k);
  if (!f || !f->scan_part || !f->part_unit) return 0;
  *base = f->part_base;
  *unit = f->part_unit;
  return 1;
}

void exh__formats_scan_part(exh_worker *wk, exh_evidence *part, uint64_t from, uint64_t to) {
  const exh_format *f = exh__format_of(part->kind);
  if (!f || !f->scan_part) return;
  exh_source *src = exh__evidence_open(part);
  if (!src) return;
  f->scan_part(wk, part, src, from, to);
  exh__source_close(src);
}

int exh__formats_merge_parts(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t nparts) {
  const exh_format *f = exh__format_of(ev->kind);
  if (!f || !f->merge_parts) return -1;
  return f->merge_parts(wk, ev, parts, nparts) ? 1 : 0;
}

void exh__formats_thread_end(void) {
  for (size_t i = 0; exh__formats[i]; i++)
    if (exh__formats[i]->thread_end) exh__formats[i]->thread_end();
}

const exh_dispatch exh__formats_dispatch = {exh__formats_by_path, exh__formats_by_head, exh__formats_scan};
