/* `exhunt dump`: decode EVTX files and print every record. Chunks are
 * independent, so with several threads each takes a run of chunks of the
 * current batch into its own buffer, and the buffers are printed in order:
 * output is identical whatever the thread count, memory is bounded by the
 * batch. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#include "../parse/evtx.h"
#include "../platform/platform.h"
#include "exhunt/exhunt.h"

#define CHUNKS_PER_TASK 16

typedef struct task {
  const uint8_t *data;
  size_t n, first, count;
  exh_dump_format fmt;
  const char *path;
  char *out, *err;
  size_t outn, errn;
  FILE *fo, *fe;
  uint64_t records, issues;
  exh_evtx *px;
} task;

static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  task *t = ctx;
  if (t->fmt == EXH_DUMP_XML) exh_evtx_write_xml(t->fo, p, r);
  else if (t->fmt == EXH_DUMP_JSONL) exh_evtx_write_json(t->fo, p, r);
  /* EXH_DUMP_NONE: decode only (validation, benchmarks) */
  t->records++;
  return 0;
}

static void on_issue(void *ctx, uint64_t off, const char *what) {
  task *t = ctx;
  t->issues++;
  exh_term_str(t->fe, t->path, strlen(t->path));
  fprintf(t->fe, ": offset %llu: %s\n", (unsigned long long)off, what);
}

static void *run(void *arg) {
  task *t = arg;
  exh_evtx_parse_chunks(t->px, t->data, t->n, t->first, t->count, on_record, on_issue, t);
  fflush(t->fo);
  fflush(t->fe);
  exh_evtx_out_thread_cleanup();
  return NULL;
}

/* Small files are decoded one per thread, whole, into memory streams, and
 * printed in order: their output is bounded by this size times the thread
 * count. Larger files go chunk-parallel. */
#define FILE_PARALLEL_MAX (64u << 20)

typedef struct ftask {
  const char *path;
  exh_dump_format fmt;
  exh_evtx *px;
  char *out, *err;
  size_t outn, errn;
  uint64_t records, issues;
  int bad;
} ftask;

/* Each stream here is written by one thread only: glibc's per-call stream
 * locking (taken on every fputc once a process has threads) is turned off. */
static void own_stream(FILE *f) {
#ifdef __GLIBC__
  if (f) __fsetlocking(f, FSETLOCKING_BYCALLER);
#else
  (void)f;
#endif
}

static void *run_file(void *arg) {
  ftask *ft = arg;
  FILE *fo = open_memstream(&ft->out, &ft->outn), *fe = open_memstream(&ft->err, &ft->errn);
  own_stream(fo);
  own_stream(fe);
  exh_map map;
  char why[256];
  if (exh_map_open(&map, ft->path, why, sizeof why) != 0) {
    exh_term_str(fe, ft->path, strlen(ft->path));
    fprintf(fe, ": %s\n", why);
    ft->bad = 1;
  } else {
    task t;
    memset(&t, 0, sizeof t);
    t.fmt = ft->fmt, t.path = ft->path, t.fo = fo, t.fe = fe, t.px = ft->px;
    if (exh_evtx_parse(ft->px, (const uint8_t *)map.data, map.size, on_record, on_issue, &t) < 0) ft->bad = 1;
    ft->records = t.records;
    ft->issues = t.issues;
    exh_map_close(&map);
  }
  fclose(fo);
  fclose(fe);
  exh_evtx_out_thread_cleanup();
  return NULL;
}

static int small_evtx(const char *path) {
  exh_stat st;
  char why[128];
  return exh_lstat(path, &st, why, sizeof why) == 0 && st.type == EXH_FT_FILE && st.size <= FILE_PARALLEL_MAX;
}

exh_err exh_dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, FILE *out,
                      FILE *err, uint64_t *records, uint64_t *issues) {
  exh_err rc = EXH_OK;
  uint64_t nrec = 0, niss = 0;
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  exh_evtx **px = exh_xcalloc((size_t)threads, sizeof *px);
  for (int i = 0; i < threads; i++) px[i] = exh_evtx_new();
  task *tasks = exh_xcalloc((size_t)threads, sizeof *tasks);
  for (size_t fi = 0; fi < npaths; fi++) {
    if (threads > 1 && small_evtx(paths[fi])) {
      /* a run of small files, one per thread */
      ftask ft[64];
      exh_thread *th[64];
      int used = 0;
      while (used < threads && fi + (size_t)used < npaths && small_evtx(paths[fi + (size_t)used])) {
        memset(&ft[used], 0, sizeof ft[used]);
        ft[used].path = paths[fi + (size_t)used], ft[used].fmt = fmt, ft[used].px = px[used];
        th[used] = used ? exh_thread_start(run_file, &ft[used]) : NULL;
        used++;
      }
      run_file(&ft[0]);
      for (int i = 1; i < used; i++) exh_thread_join(th[i]);
      for (int i = 0; i < used; i++) {
        fwrite(ft[i].out, 1, ft[i].outn, out);
        fwrite(ft[i].err, 1, ft[i].errn, err);
        free(ft[i].out);
        free(ft[i].err);
        nrec += ft[i].records;
        niss += ft[i].issues;
        if (ft[i].bad) rc = EXH_EIO;
      }
      fi += (size_t)used - 1;
      continue;
    }
    exh_map map;
    char why[256];
    if (exh_map_open(&map, paths[fi], why, sizeof why) != 0) {
      exh_term_str(err, paths[fi], strlen(paths[fi]));
      fprintf(err, ": %s\n", why);
      rc = EXH_EIO;
      continue;
    }
    const uint8_t *d = (const uint8_t *)map.data;
    task head = {d, map.size, 0, 0, fmt, paths[fi], NULL, NULL, 0, 0, out, err, 0, 0, px[0]};
    if (map.size < 8 || memcmp(d, "ElfFile", 8) != 0) {
      on_issue(&head, 0, "not an EVTX file (no ElfFile signature)");
      niss++;
      rc = EXH_EIO;
      exh_map_close(&map);
      continue;
    }
    size_t nchunks = exh_evtx_chunk_count(map.size);
    if (threads == 1) {
      exh_evtx_parse(px[0], d, map.size, on_record, on_issue, &head);
      nrec += head.records;
      niss += head.issues;
      exh_map_close(&map);
      continue;
    }
    for (size_t c0 = 0; c0 < nchunks; c0 += (size_t)threads * CHUNKS_PER_TASK) {
      int used = 0;
      exh_thread *th[64];
      for (int i = 0; i < threads; i++) {
        size_t first = c0 + (size_t)i * CHUNKS_PER_TASK;
        if (first >= nchunks) break;
        task *t = &tasks[i];
        memset(t, 0, sizeof *t);
        t->data = d, t->n = map.size, t->first = first, t->fmt = fmt, t->path = paths[fi], t->px = px[i];
        t->count = nchunks - first < CHUNKS_PER_TASK ? nchunks - first : CHUNKS_PER_TASK;
        t->fo = open_memstream(&t->out, &t->outn);
        t->fe = open_memstream(&t->err, &t->errn);
        own_stream(t->fo);
        own_stream(t->fe);
        if (c0 == 0 && i == 0 && map.size >= 128) {
          /* file header checksum, once */
          uint32_t crc = exh_crc32(d, 120);
          uint32_t want = (uint32_t)d[124] | (uint32_t)d[125] << 8 | (uint32_t)d[126] << 16 | (uint32_t)d[127] << 24;
          if (crc != want) on_issue(t, 0, "file header checksum mismatch (the file may be dirty; chunks are still read)");
        }
        th[i] = i ? exh_thread_start(run, t) : NULL;
        used++;
      }
      run(&tasks[0]);
      for (int i = 1; i < used; i++) exh_thread_join(th[i]);
      for (int i = 0; i < used; i++) {
        task *t = &tasks[i];
        fclose(t->fo);
        fclose(t->fe);
        fwrite(t->out, 1, t->outn, out);
        fwrite(t->err, 1, t->errn, err);
        free(t->out);
        free(t->err);
        nrec += t->records;
        niss += t->issues;
      }
    }
    exh_map_close(&map);
  }
  for (int i = 0; i < threads; i++) exh_evtx_free(px[i]);
  free(px);
  exh_evtx_out_thread_cleanup();
  free(tasks);
  if (records) *records = nrec;
  if (issues) *issues = niss;
  return rc;
}
