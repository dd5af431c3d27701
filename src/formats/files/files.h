/* The files format: a file on disk (or an archive member) in a web or
 * staging folder, named on the command line, or anywhere with
 * --all-files, read whole up to the content size limit and handed to the
 * file checks (hashes and indicators, YARA, the known-good baseline, the
 * minidump header, Test-ProxyLogon's supporting files). content.c. */
#ifndef EXH_FORMATS_FILES_H
#define EXH_FORMATS_FILES_H

#include <stdint.h>

#include "../../core/format.h"

extern const exh_format exh__format_files;

/* The content checks of one file (opened as evidence); the same on bytes
 * in memory (fuzz targets); on a source: read whole up to the content size
 * limit, else the path and header checks only. */
void exh__detect_content(exh_worker *wk, exh_evidence *ev);
void exh__detect_content_buf(exh_worker *wk, exh_evidence *ev, const uint8_t *p, size_t n);
void exh__detect_content_source(exh_worker *wk, exh_evidence *ev, exh_source *src);
/* The same on bytes another format has read from the source already, up
 * to the content limit or further (more: the source held more than n), as
 * exh__detect_content_source would have read them (formats/iisconfig: a
 * web.config is a file of its web folder too). */
void exh__detect_content_read(exh_worker *wk, exh_evidence *ev, const exh_source *src, const char *buf, size_t n,
                              int more);

#endif
