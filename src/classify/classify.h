/* What a file is, decided from its path (case-insensitive, '/' or '\') and
 * confirmed later from its first bytes by the parser. */
#ifndef EXH_CLASSIFY_H
#define EXH_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "../core/kinds.h"

/* Classifies by path relative to the scanned root. `sub` receives the
 * HttpProxy protocol folder name (e.g. "Ecp") or the IIS site folder
 * (e.g. "W3SVC1"), or "" (subn bytes). */
exh_kind exh_classify_path(const char *rel, char *sub, size_t subn);

/* Classifies a log by its first bytes, for files whose path says nothing
 * (a log handed over on its own): the "#Software:" and "#Log-type:" lines
 * of the directive block at the top of the file (after an optional bare
 * CSV header line for Exchange logs), never one further down. */
exh_kind exh_classify_content(const char *buf, size_t n);

/* Containers exhunt does not open (virtual and forensic disk images, raw
 * disk and volume images), told by the signature in the first bytes h[0..n)
 * (EXH_SNIFF_BYTES of them), else by the name's extension: a label for the
 * report ("VHDX disk image"), or NULL. `size` is the file's size. */
const char *exh_classify_container(const char *name, const unsigned char *h, size_t n, uint64_t size);

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
exh_archive_fmt exh_classify_archive(const char *name, const unsigned char *h, size_t n);


#endif
