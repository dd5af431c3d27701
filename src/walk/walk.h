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
} exh_walk;

/* Walks one root (a folder or a file) and appends what it finds. */
void exh__walk_root(exh_walk *w, const char *root, size_t server);
void exh__walk_add_error(exh_walk *w, size_t server, const char *path, const char *reason,
                        int skipped);

#endif
