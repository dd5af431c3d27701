/* The Windows events formats: EVTX files (decoded by formats/evtx/) and
 * JSON lines of events (Winlogbeat, Velociraptor, OTRF), both flattened
 * into Sigma's field names and evaluated against the Windows rules
 * (scan_events.c, docs/windows-mapping.md). */
#ifndef EXH_FORMATS_EVENTS_H
#define EXH_FORMATS_EVENTS_H

#include "../../core/format.h"

extern const exh_format exh__format_evtx, exh__format_jsonev;

/* Scans one EVTX file (opened as evidence); the same on bytes in memory;
 * the same read from a source a chunk at a time (files, archive members):
 * memory stays bounded whatever the size. */
void exh__scan_evtx(exh_worker *wk, exh_evidence *ev);
void exh__scan_evtx_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
void exh__scan_evtx_source(exh_worker *wk, exh_evidence *ev, exh_source *src);
/* A JSON-lines file of events, opened as exh__scan_evtx opens an EVTX; the
 * same on bytes in memory; from a source a block of lines at a time; and
 * with the block and longest-line sizes given (the fuzz target uses a few
 * bytes so block boundaries and over-long lines are crossed). */
void exh__scan_jsonev(exh_worker *wk, exh_evidence *ev);
void exh__scan_jsonev_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
void exh__scan_jsonev_source(exh_worker *wk, exh_evidence *ev, exh_source *src);
void exh__scan_jsonev_source_sized(exh_worker *wk, exh_evidence *ev, exh_source *src, size_t block,
                                  size_t max_line);

#endif
