/* Shadow copies (issue 14 item 1; docs/fleet.md): a collection may hold a
 * volume's shadow copies beside the live volume (Velociraptor's ntfs
 * accessor uploads \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN/...).
 * Each is scanned as a snapshot of the same server; a finding in a
 * snapshot identical to one on the live volume (the same rule on the same
 * record or file: same path below the volume, time, line or record id,
 * offset and evidence, or the same file hash) is one finding, with the
 * snapshot's location listed beside it. A finding only a snapshot holds (a
 * shell deleted since, a log rotated away) stays as its own: that is what
 * snapshots are collected for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/paths.h"
#include "../util/util.h"
#include "correlate.h"

/* The path below its volume (after the first drive component), and
 * whether that drive is a shadow copy. NULL: no drive in the path. */
static const char *below_volume(const char *path, int *snapshot) {
  exh_path cs;
  exh__path_split(path, &cs);
  for (size_t i = 0; i + 1 < cs.n; i++)
    if (exh__path_is_drive(cs.c[i])) {
      *snapshot = exh__path_is_snapshot(cs.c[i]);
      return cs.c[i + 1].p;
    }
  return NULL;
}

static int same_place(const char *a, const char *b) {
  exh_path x, y;
  exh__path_split(a, &x);
  exh__path_split(b, &y);
  if (x.n != y.n) return 0;
  for (size_t i = 0; i < x.n; i++)
    if (x.c[i].n != y.c[i].n || !exh__strnieq(x.c[i].p, y.c[i].p, x.c[i].n)) return 0;
  return 1;
}

static int same_finding(const exh_finding *a, const exh_finding *b) {
  if (a->server != b->server || a->rule != b->rule || a->is_file != b->is_file) return 0;
  if (a->is_file)
    return a->file_sha256 && b->file_sha256 ? !strcmp(a->file_sha256, b->file_sha256)
                                            : a->file_size == b->file_size && a->offset == b->offset;
  return a->time_ms == b->time_ms && a->line == b->line && a->record_id == b->record_id && a->offset == b->offset &&
         a->evidence_len == b->evidence_len && (!a->evidence_len || !memcmp(a->evidence, b->evidence, a->evidence_len));
}

static uint64_t key(const exh_finding *f) {
  uint64_t h = 1469598103934665603ull;
  /* a file's time is its modification time, which a copy may not keep:
   * files are matched by content */
  uint64_t v[5] = {(uint64_t)f->server, (uint64_t)(uintptr_t)f->rule, f->is_file ? 0 : (uint64_t)f->time_ms,
                   f->is_file ? 0 : f->line, f->is_file ? 0 : f->record_id};
  for (int i = 0; i < 5; i++) h = (h ^ v[i]) * 1099511628211ull;
  return h;
}

void exh__correlate_snapshots(exh_result *r) {
  size_t n = r->nfindings, kept = 0, nsnap = 0;
  if (!n) return;
  for (size_t i = 0; i < n; i++) /* the path on the server, where the layout says it */
    if (r->findings[i].path && !r->findings[i].original_path)
      r->findings[i].original_path = exh__path_windows(r->findings[i].path);
  const char **below = exh__xcalloc(n, sizeof *below);
  int *snap = exh__xcalloc(n, sizeof *snap), *gone = exh__xcalloc(n, sizeof *gone);
  for (size_t i = 0; i < n; i++) {
    below[i] = below_volume(r->findings[i].path, &snap[i]);
    nsnap += below[i] && snap[i];
  }
  if (nsnap) {
    /* the live volume's findings by (server, rule, time, line, record) */
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    size_t *tab = exh__xmalloc(cap * sizeof *tab);
    for (size_t i = 0; i < cap; i++) tab[i] = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
      if (!below[i] || snap[i]) continue;
      size_t h = (size_t)key(&r->findings[i]) & (cap - 1);
      while (tab[h] != (size_t)-1) h = (h + 1) & (cap - 1);
      tab[h] = i;
    }
    for (size_t i = 0; i < n; i++) {
      if (!below[i] || !snap[i]) continue;
      for (size_t h = (size_t)key(&r->findings[i]) & (cap - 1); tab[h] != (size_t)-1; h = (h + 1) & (cap - 1)) {
        size_t k = tab[h];
        if (!same_finding(&r->findings[i], &r->findings[k]) || !same_place(below[i], below[k])) continue;
        exh_finding *keep = &r->findings[k];
        keep->also = exh__xrealloc(keep->also, (keep->nalso + 1) * sizeof *keep->also);
        keep->also[keep->nalso++] = r->findings[i].path;
        r->findings[i].path = NULL;
        gone[i] = 1;
        break;
      }
    }
    free(tab);
  }
  for (size_t i = 0; i < n; i++) {
    if (gone[i]) {
      exh__finding_release(&r->findings[i]);
      continue;
    }
    r->findings[kept++] = r->findings[i];
  }
  r->nfindings = kept;
  free(below);
  free(snap);
  free(gone);
}
