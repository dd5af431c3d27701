/* The logs format: Exchange CSV and IIS W3C logs (format_logs.c, the
 * recognition; scan_logs.c, the reading; exlog.c and w3c.c, the header
 * and line parsers). */
#ifndef EXH_FORMATS_LOGS_H
#define EXH_FORMATS_LOGS_H

#include "../../platform/platform.h"
#include "../../core/format.h"

extern const exh_format exh__format_logs;

/* Scans one Exchange or IIS log file (opened as evidence: no link followed,
 * the walk's device and inode checked). */
void exh__scan_exlog(exh_worker *wk, exh_evidence *ev);
/* The same on bytes already in memory (the fuzz targets use this). */
void exh__scan_exlog_map(exh_worker *wk, exh_evidence *ev, exh_map *map);
/* The same on any byte source (a file, an archive member, memory), read in
 * blocks of whole lines; the caller opens and closes it. The _sized form
 * takes the block and longest-line sizes (tests and fuzz targets use a few
 * bytes so every block boundary is crossed). */
void exh__scan_exlog_source(exh_worker *wk, exh_evidence *ev, exh_source *src);
void exh__scan_exlog_source_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block,
                                 size_t max_line);

/* A large log split across workers (format.h scan_part, merge_parts; see
 * scan_logs.c): the lines starting in [from, to) into `ev` (a copy of the
 * file's evidence), and the merge of the parts in file order, reading
 * again from `src` the parts whose assumed header was not the one in force.
 * The _sized forms take the block and longest-line sizes (tests). */
void exh__scan_exlog_part(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to);
int exh__scan_exlog_merge(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t n);
void exh__scan_exlog_part_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to,
                               size_t block, size_t max_line);
int exh__scan_exlog_merge_sized(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t n, exh_source *src,
                               size_t block, size_t max_line);
/* Where a part from `from` starts: from when the byte before it is a line
 * end, else after the next line end (the line straddling `from` is the
 * part before's), else the source's end. -1 on a read error. */
int exh__logs_line_start(exh_source *src, uint64_t from, uint64_t *start);

#endif
