/* The archive format: a container whose members are read through the
 * worker's dispatch (scan_archive.c), and the signatures of archives and
 * of containers exhunt does not open (sniff.c). */
#ifndef EXH_FORMATS_ARCHIVE_H
#define EXH_FORMATS_ARCHIVE_H

#include <stdint.h>

#include "../../core/format.h"

extern const exh_format exh__format_archive;

/* Scans the members of an archive file (opened as evidence, with positioned
 * reads); the same on an archive's bytes from any source (fuzz targets use
 * memory). */
void exh__scan_archive(exh_worker *wk, exh_evidence *ev);
void exh__scan_archive_source(exh_worker *wk, exh_evidence *ev, exh_source *src);
/* Calls fn with the name of each regular member (at most max), headers
 * only; nothing without libarchive or when it cannot be opened. */
void exh__archive_names(const char *path, const exh_stat *st, void (*fn)(void *ctx, const char *name), void *ctx,
                        size_t max);

/* Containers exhunt does not open (virtual and forensic disk images, raw
 * disk and volume images), told by the signature in the first bytes h[0..n)
 * (EXH_SNIFF_BYTES of them), else by the name's extension: a label for the
 * report ("VHDX disk image"), or NULL. `size` is the file's size. */
const char *exh__container_label(const char *name, const unsigned char *h, size_t n, uint64_t size);

/* Archive formats libarchive opens, by signature (a compressed stream
 * counts as a tar only when the name says so: .tar.gz, .tgz, ...). */
typedef enum exh_archive_fmt {
  EXH_ARC_NONE = 0,
  EXH_ARC_ZIP,
  EXH_ARC_7Z,
  EXH_ARC_RAR,
  EXH_ARC_TAR,        /* plain or compressed */
  EXH_ARC_ISO,
  EXH_ARC_COMPRESSED  /* gzip, bzip2, xz or zstd of something unnamed */
} exh_archive_fmt;
exh_archive_fmt exh__archive_sniff(const char *name, const unsigned char *h, size_t n);

#endif
