/* The scan driver: walk the roots, hand files to worker threads, run the
 * format each file needs, merge, then correlate. */
#ifndef EXH_SCAN_H
#define EXH_SCAN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../classify/classify.h"
#include "../core/evidence.h"
#include "../correlate/correlate.h"
#include "../detect/detect.h"
#include "../walk/walk.h"
#include "exhunt/exhunt.h"

void exh_worker_init(exh_worker *wk, const exh_ruleset *rs);
void exh_worker_fini(exh_worker *wk);
/* After a file's reading unwound (guard): the prefilter scratch and the
 * YARA scanner may have been mid-call, so they are replaced (the old YARA
 * scanner is dropped, not destroyed: its state is unknown). */
void exh_worker_recover(exh_worker *wk);

/* Scans one Exchange log (walk kinds EXH_KIND_HTTPPROXY..LOG_LAST). */
void exh_scan_exlog(exh_worker *wk, exh_evidence *ev);
/* The same on bytes already in memory (the fuzz targets use this). */
struct exh_map;
void exh_scan_exlog_map(exh_worker *wk, exh_evidence *ev, struct exh_map *map);
/* The same on any byte source (a file, an archive member, memory), read in
 * blocks of whole lines; the caller opens and closes it. The _sized form
 * takes the block and longest-line sizes (tests and fuzz targets use a few
 * bytes so every block boundary is crossed). */
struct exh_source;
void exh_scan_exlog_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_exlog_source_sized(exh_worker *wk, exh_evidence *ev, struct exh_source *src, size_t block,
                                 size_t max_line);

/* Scans one EVTX file (scan_evtx.c); the same on bytes in memory; and a
 * file of JSON lines of events (Winlogbeat, Velociraptor, OTRF). */
void exh_scan_evtx(exh_worker *wk, exh_evidence *ev);
void exh_scan_evtx_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
void exh_scan_jsonev_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
/* The same read from a source (core/source.h): an EVTX a chunk at a time,
 * JSON lines a block at a time, so memory stays bounded whatever the size
 * (files, archive members); the _buf forms are these over memory. And a
 * JSON-lines file opened as exh_scan_evtx opens an EVTX (the walk's
 * device and inode checked, no link followed). */
struct exh_source;
void exh_scan_evtx_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_jsonev_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_jsonev(exh_worker *wk, exh_evidence *ev);
/* JSON lines with the block and longest-line sizes given (the fuzz target
 * uses a few bytes so block boundaries and over-long lines are crossed). */
void exh_scan_jsonev_source_sized(exh_worker *wk, exh_evidence *ev, struct exh_source *src, size_t block,
                                  size_t max_line);
/* Scans the members of an archive given on the command line (scan_archive.c). */
void exh_scan_archive(exh_worker *wk, exh_evidence *ev);
/* The same on an archive's bytes from any source (fuzz targets use memory). */
void exh_scan_archive_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);


#endif
