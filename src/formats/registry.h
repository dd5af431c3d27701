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

/* Every format's thread_end, for a worker thread that ends. */
void exh__formats_thread_end(void);

/* The dispatch a worker hands containers (core/evidence.h). */
extern const exh_dispatch exh__formats_dispatch;

#endif
