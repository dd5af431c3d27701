/* exgen: EVTX files (tools/exgen/evtx_out.c), written with the binary XML
 * writer the tests use (tools/evtx/evtx_build.h). One event is a Windows
 * event as Windows writes it: a template instance whose System element
 * carries the provider, event id, level, time, record id, channel and
 * computer, and whose EventData is a nested instance in a binary XML value
 * (named Data elements, or positional ones as MSExchange Management's). */
#ifndef EXGEN_EVTX_OUT_H
#define EXGEN_EVTX_OUT_H

#include <stddef.h>
#include <stdint.h>

#define EXG_MAX_DATA 24

typedef struct exg_event {
  const char *channel, *provider, *computer;
  unsigned eid, level; /* level: 4 information, 2 error, 0 (Security) */
  int64_t ms;          /* UTC, ms since 1970 */
  size_t n;
  const char *names[EXG_MAX_DATA]; /* NULL: positional Data (no Name attribute) */
  const char *values[EXG_MAX_DATA];
} exg_event;

typedef struct exg_evtx exg_evtx;

/* A file being written (all in memory until closed); NULL on failure. */
exg_evtx *exg_evtx_open(const char *path);
/* Adds one record (record ids from 1, in the order added). */
void exg_evtx_add(exg_evtx *x, const exg_event *e);
/* Writes the file: header, chunks with their checksums; 0 on success. */
int exg_evtx_close(exg_evtx *x);

#endif
