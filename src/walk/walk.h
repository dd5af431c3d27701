/* The walk: enumerates the evidence below each root (walk.c). */
#ifndef EXH_WALK_H
#define EXH_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "../core/evidence.h"

typedef struct exh_walk {
  exh_evidence *ev;
  size_t n, cap;
  exh_file_error *errors;
  size_t nerrors, caperrors;
  uint64_t files_seen;
  int all_files;           /* --all-files: every file gets the content checks */
  const struct exh_iocset *iocs; /* path indicators: a file they name is checked wherever it is */
  exh_walk_server *srv;    /* per server, nsrv entries */
  size_t nsrv;
  struct exh_found { char *path; size_t server; } *found; /* the current root's collections */
  size_t nfound, capfound;
  /* zips holding several servers' collections: their prefixes' servers,
   * handed to the zip's evidence when it is pushed */
  struct exh_zsplit { char *path; struct exh_split *splits; size_t nsplits; } *zsplits;
  size_t nzsplits;
  uint64_t dirs_seen;      /* folders listed, for the progress line */
  void (*tick)(struct exh_walk *w); /* when set: called for each entry walked (progress) */
  void *tick_ctx;
  int threads;             /* > 1: each root's folders are walked by that many threads (walk.c) */
  /* walk.c, the parallel walk: the walk this walker is a part of, and the
   * server notes it keeps in order (applied when the parts are merged) */
  struct exh_wpar *par;
  struct exh_wnote *notes;
  size_t nnotes, capnotes;
} exh_walk;

/* Walks one root (a folder or a file) and appends what it finds: the
 * servers whose collections lie below it (each its own server when there
 * are two or more; docs/fleet.md), the root's own otherwise. `given` is
 * the root's index on the command line. */
void exh__walk_root(exh_walk *w, const char *root, size_t given);
/* After the last root: drops roots that were only folders of collections
 * (their evidence all went to the collections' servers), numbers servers. */
void exh__walk_finish(exh_walk *w);
void exh__walk_add_error(exh_walk *w, size_t server, const char *path, const char *reason,
                        int skipped);

#endif
