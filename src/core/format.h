/* The format interface (issue 12): what every evidence format supplies, as
 * YARA's modules do: one table per format, listed in formats/registry.c.
 * The driver and the walk loop over the tables and know no format; a
 * container (an archive) reads its members through the dispatch it is
 * handed in the worker (core/evidence.h), so it knows no format either.
 *
 * Adding a format: a folder here with its table, one line in registry.c,
 * its kinds in core/kinds.h (the shared vocabulary of formats and rules:
 * Sigma service, ECS dataset), its tests and fuzz target (docs/architecture.md). */
#ifndef EXH_FORMATS_FORMAT_H
#define EXH_FORMATS_FORMAT_H

#include <stddef.h>

#include "evidence.h"
#include "kinds.h"
#include "paths.h"
#include "source.h"

#define EXH_FORMAT_MAX_KINDS 8

typedef struct exh_format {
  const char *name;
  /* the kinds it reads, EXH_KIND_NONE-terminated */
  exh_kind kinds[EXH_FORMAT_MAX_KINDS];
  /* Recognises a file by its path (relative to the root, or the path of a
   * member inside an archive): one of its kinds, with `sub` (an HttpProxy
   * protocol folder, an IIS site, an area) filled, or EXH_KIND_NONE. NULL:
   * never by path. Tables are asked in registry order; the first answer wins. */
  exh_kind (*by_path)(const exh_path *p, char *sub, size_t subn);
  /* Recognises a file by its first bytes (a log handed over on its own, a
   * file whose path says nothing), or EXH_KIND_NONE. NULL: never by content. */
  exh_kind (*by_head)(const unsigned char *head, size_t n);
  /* Reads one evidence of its kinds from a byte source (a file, an archive
   * member, memory), writing findings, records, times, channels and errors
   * into the evidence. */
  void (*scan)(exh_worker *wk, exh_evidence *ev, exh_source *src);
  /* Reads one evidence from its file (the format opens it: an archive needs
   * positioned reads, content checks read the size first). NULL: the driver
   * opens the file as a source (no link followed, the walk's device and
   * inode checked) and calls scan. */
  void (*scan_file)(exh_worker *wk, exh_evidence *ev);
  /* Frees the calling thread's buffers of this format before a worker
   * thread ends; NULL: none. */
  void (*thread_end)(void);
  /* Reads the part [from, to) of a large file's evidence, for the driver
   * that splits one file across workers (scan/scan.c): parts start at
   * part_base + i x part_unit (records never straddle those offsets), the
   * part from 0 reads the file's header too. Each part fills its own
   * evidence (a copy of the file's, sharing its path), which the driver
   * merges in file order; a part whose reading was not clean (an error,
   * damage, a cap reached) makes the driver read the whole file again the
   * ordinary way, so the report is the one a single worker gives. NULL:
   * never split. */
  void (*scan_part)(exh_worker *wk, exh_evidence *ev, exh_source *src, uint64_t from, uint64_t to);
  uint64_t part_base, part_unit;
  /* Merges the clean parts of a split file into its evidence in file order
   * itself, for a format whose parts are not independent (a text log: line
   * numbers, the header in force at a part's start, the first and last
   * records), reading again with `wk` the parts it must; each part's
   * part_state is what its scan_part left. 0 (nothing merged yet): it
   * cannot, and the driver reads the whole file again. NULL: the driver
   * merges with exh__evidence_merge_part. */
  int (*merge_parts)(exh_worker *wk, exh_evidence *ev, exh_evidence *parts, size_t nparts);
} exh_format;

#endif
