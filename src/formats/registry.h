/* The formats exhunt reads, in one list (registry.c): recognition and
 * reading by kind, for the walk, the driver and containers. */
#ifndef EXH_FORMATS_REGISTRY_H
#define EXH_FORMATS_REGISTRY_H

#include "../core/format.h"

/* The tables, NULL-terminated, in the order they are asked. */
extern const exh_format *const exh__formats[];

/* The format that reads a kind, or NULL. */
const exh_format *exh__format_of(exh_kind k);
/* A path's kind (the first table whose by_path answers), with sub filled. */
exh_kind exh__formats_by_path(const char *rel, char *sub, size_t subn);
/* A file's kind by its first bytes (the first table whose by_head answers). */
exh_kind exh__formats_by_head(const unsigned char *head, size_t n);
/* Reads one evidence file with its format (the format opens it, or the
 * registry does: no link followed, the walk's device and inode checked). */
void exh__formats_scan_file(exh_worker *wk, exh_evidence *ev);
/* Reads one evidence from a source with its format. */
void exh__formats_scan(exh_worker *wk, exh_evidence *ev, exh_source *src);

/* How a file of this kind may be split across workers (format.h
 * scan_part): 0 when it may not, else 1 with where parts may start. */
int exh__formats_part_unit(exh_kind k, uint64_t *base, uint64_t *unit);
/* Reads the part [from, to) of an evidence file with its format's
 * scan_part, into `part` (a copy of the file's evidence, path shared). */
void exh__formats_scan_part(exh_worker *wk, exh_evidence *part, uint64_t from, uint64_t to);

/* The format's merge_parts for a split file's clean parts (format.h):
 * -1 when it has none (the driver merges), else what it returns. */
int exh__formats_merge_parts(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t nparts);

/* Every format's thread_end, for a worker thread that ends. */
void exh__formats_thread_end(void);

/* The dispatch a worker hands containers (core/evidence.h). */
extern const exh_dispatch exh__formats_dispatch;

#endif
