/* `exhunt dump`: decode EVTX files and print every record. Chunks are
 * independent, so with several threads the chunk runs of all files form
 * one ordered work queue (below); output is identical whatever the thread
 * count, and memory is bounded by the queue's window. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#include "../parse/evtx.h"
#include "../platform/platform.h"
#include "exhunt/exhunt.h"


typedef struct task {
  const uint8_t *data;
  size_t n, first, count;
  exh_dump_format fmt;
  const char *path;
  char *err;     /* issues gathered in memory (opened at the first one) */
  size_t errn;
  FILE *fo, *fe; /* XML output; issues (NULL: err is opened when needed) */
  exh_buf *ob;   /* JSON lines go here when set, else to fo */
  uint64_t records, issues;
  exh_evtx *px;
} task;

#define FLUSH_AT (1u << 20)

static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  task *t = ctx;
  if (t->fmt == EXH_DUMP_XML) exh_evtx_write_xml(t->fo, p, r);
  else if (t->fmt == EXH_DUMP_JSONL && t->ob) {
    if (!r->json) exh_evtx_json_append(t->ob, p, r); /* else the parser wrote it there */
    if (t->fo && t->ob->n >= FLUSH_AT) { /* one thread: write out as it fills */
      fwrite(t->ob->p, 1, t->ob->n, t->fo);
      t->ob->n = 0;
    }
  }
  else if (t->fmt == EXH_DUMP_JSONL) exh_evtx_write_json(t->fo, p, r);
  /* EXH_DUMP_NONE: decode only (validation, benchmarks) */
  t->records++;
  return 0;
}

static void own_stream(FILE *f);

/* The task's issue stream, opened in memory at the first issue. */
static FILE *task_err(task *t) {
  if (!t->fe) {
    t->fe = open_memstream(&t->err, &t->errn);
    own_stream(t->fe);
  }
  return t->fe;
}

static void on_issue(void *ctx, uint64_t off, const char *what) {
  task *t = ctx;
  t->issues++;
  task_err(t);
  exh_term_str(t->fe, t->path, strlen(t->path));
  fprintf(t->fe, ": offset %llu: %s\n", (unsigned long long)off, what);
}

/* Each stream here is written by one thread only: glibc's per-call stream
 * locking (taken on every fputc once a process has threads) is turned off. */
static void own_stream(FILE *f) {
#ifdef __GLIBC__
  if (f) __fsetlocking(f, FSETLOCKING_BYCALLER);
#else
  (void)f;
#endif
}

/* ---- several threads: an ordered work queue over chunk runs of all files ----
 *
 * Every file is cut into runs of CHUNKS_PER_UNIT chunks ("units", in file
 * and chunk order). Workers take units from an atomic counter and render
 * each into its own memory streams; the calling thread writes finished
 * units strictly in order. A worker does not start a unit more than WINDOW
 * units ahead of the writer, so memory stays bounded whatever the input.
 * Files are mapped in batches of BATCH_FILES (bounded mappings; a mapped
 * file holds no descriptor). */
#define CHUNKS_PER_UNIT 4
#define WINDOW_PER_THREAD 4
#define BATCH_FILES 1024
#define MAX_PACK 64 /* small files in one unit at most */

typedef struct unit {
  size_t file;         /* index into the batch */
  size_t nfiles;       /* > 1: a run of whole small files from `file` on */
  size_t first, count; /* chunks (one file) */
  int head;            /* first unit of its file: header checks */
  exh_buf out;         /* JSON lines (a buffer from the queue's pool) */
  char *xout, *err;    /* XML output, issues (memory streams) */
  size_t xoutn, errn;
  uint64_t records, issues;
  _Atomic int done;
} unit;

typedef struct bfile {
  const char *path;
  exh_map map;
  int ok;       /* mapped and EVTX */
  char why[256];
} bfile;

typedef struct queue {
  unit *u;
  size_t n;
  bfile *files;
  exh_dump_format fmt;
  atomic_size_t next;
  size_t written; /* guarded by mu */
  size_t window;
  exh_mutex *mu;
  exh_cond *cv;
  exh_evtx **px;
  /* output buffers written out and kept for reuse (guarded by mu): fresh
   * ones for every unit cost a page fault per 4 KiB of output */
  exh_buf *pool;
  size_t npool, cappool;
} queue;

#define POOL_KEEP_MAX (64u << 20) /* a bigger buffer is freed, not kept */

static void do_unit(queue *q, unit *u, exh_evtx *px) {
  task t;
  memset(&t, 0, sizeof t);
  t.fmt = q->fmt, t.px = px;
  if (q->fmt == EXH_DUMP_XML) {
    t.fo = open_memstream(&u->xout, &u->xoutn);
    own_stream(t.fo);
  } else {
    t.ob = &u->out;
    exh_evtx_set_json_buffer(px, &u->out);
  }
  for (size_t f = u->file; f < u->file + u->nfiles; f++) {
    bfile *bf = &q->files[f];
    size_t first = u->nfiles > 1 ? 0 : u->first;
    size_t count = u->nfiles > 1 ? exh_evtx_chunk_count(bf->ok ? bf->map.size : 0) : u->count;
    int head = u->nfiles > 1 || u->head;
    t.path = bf->path;
  if (!bf->ok) {
    if (bf->why[0]) {
      exh_term_str(task_err(&t), bf->path, strlen(bf->path));
      fprintf(task_err(&t), ": %s\n", bf->why);
    } else {
      on_issue(&t, 0, "not an EVTX file (no ElfFile signature)");
    }
  } else {
    const uint8_t *d = (const uint8_t *)bf->map.data;
    if (head && bf->map.size >= 128) {
      uint32_t crc = exh_crc32(d, 120);
      uint32_t want = (uint32_t)d[124] | (uint32_t)d[125] << 8 | (uint32_t)d[126] << 16 | (uint32_t)d[127] << 24;
      if (crc != want) on_issue(&t, 0, "file header checksum mismatch (the file may be dirty; chunks are still read)");
    }
    if (count) exh_evtx_parse_chunks(px, d, bf->map.size, first, count, on_record, on_issue, &t);
  }
  }
  if (t.fo) fclose(t.fo);
  if (t.fe) fclose(t.fe);
  u->err = t.err, u->errn = t.errn;
  u->records = t.records;
  u->issues = t.issues;
}

typedef struct worker_arg {
  queue *q;
  int id;
} worker_arg;

static void *worker(void *arg) {
  worker_arg *wa = arg;
  queue *q = wa->q;
  for (;;) {
    size_t i = atomic_fetch_add(&q->next, 1);
    if (i >= q->n) break;
    exh_mutex_lock(q->mu);
    while (i >= q->written + q->window) exh_cond_wait(q->cv, q->mu);
    if (q->npool) q->u[i].out = q->pool[--q->npool];
    exh_mutex_unlock(q->mu);
    if (!q->u[i].out.cap && q->fmt == EXH_DUMP_JSONL) /* room for the usual JSON of the run at once */
      exh_buf_grow(&q->u[i].out, q->u[i].count * 65536 * 3);
    do_unit(q, &q->u[i], q->px[wa->id]);
    exh_mutex_lock(q->mu);
    atomic_store(&q->u[i].done, 1);
    exh_cond_broadcast(q->cv);
    exh_mutex_unlock(q->mu);
  }
  exh_evtx_out_thread_cleanup();
  return NULL;
}

/* Dumps a batch of files with `threads` workers; returns EXH_EIO if any
 * file could not be read as EVTX. */
static exh_err dump_batch(const char *const *paths, size_t nfiles, exh_dump_format fmt, int threads, exh_evtx **px,
                          FILE *out, FILE *err, uint64_t *nrec, uint64_t *niss) {
  exh_err rc = EXH_OK;
  bfile *files = exh_xcalloc(nfiles, sizeof *files);
  unit *u = NULL;
  size_t nu = 0, cap = 0, pack_chunks = 0;
  int packing = 0;
  for (size_t f = 0; f < nfiles; f++) {
    bfile *bf = &files[f];
    bf->path = paths[f];
    if (exh_map_open(&bf->map, paths[f], bf->why, sizeof bf->why) != 0) {
      rc = EXH_EIO;
    } else if (bf->map.size < 8 || memcmp(bf->map.data, "ElfFile", 8) != 0) {
      exh_map_close(&bf->map);
      rc = EXH_EIO;
    } else {
      bf->ok = 1;
    }
    size_t nchunks = bf->ok ? exh_evtx_chunk_count(bf->map.size) : 0;
    /* a small file joins the previous run of whole small files while the
     * run stays within a unit's worth of chunks: units of one chunk each
     * would cost more in hand-offs than in work */
    if (nchunks <= CHUNKS_PER_UNIT && packing && pack_chunks + nchunks <= CHUNKS_PER_UNIT &&
        u[nu - 1].nfiles < MAX_PACK) {
      u[nu - 1].nfiles++;
      pack_chunks += nchunks;
      continue;
    }
    size_t c0 = 0;
    do {
      EXH_VEC_RESERVE(u, cap, nu + 1);
      unit *x = &u[nu++];
      memset(x, 0, sizeof *x);
      x->file = f, x->nfiles = 1, x->first = c0, x->head = c0 == 0;
      x->count = nchunks - c0 < CHUNKS_PER_UNIT ? nchunks - c0 : CHUNKS_PER_UNIT;
      atomic_init(&x->done, 0);
      c0 += CHUNKS_PER_UNIT;
    } while (c0 < nchunks);
    packing = nchunks <= CHUNKS_PER_UNIT; /* a whole small file: others may join it */
    pack_chunks = nchunks;
  }
  queue q;
  memset(&q, 0, sizeof q);
  q.u = u, q.n = nu, q.files = files, q.fmt = fmt, q.px = px;
  q.window = (size_t)threads * WINDOW_PER_THREAD;
  atomic_init(&q.next, 0);
  q.mu = exh_mutex_new();
  q.cv = exh_cond_new();
  exh_thread **th = exh_xcalloc((size_t)threads, sizeof *th);
  worker_arg *wa = exh_xcalloc((size_t)threads, sizeof *wa);
  for (int i = 0; i < threads; i++) {
    wa[i] = (worker_arg){&q, i};
    th[i] = exh_thread_start(worker, &wa[i]);
  }
  /* the writer: units in order, as they finish */
  for (size_t i = 0; i < nu; i++) {
    exh_mutex_lock(q.mu);
    while (!atomic_load(&u[i].done)) exh_cond_wait(q.cv, q.mu);
    exh_mutex_unlock(q.mu);
    if (u[i].out.n) fwrite(u[i].out.p, 1, u[i].out.n, out);
    if (u[i].xoutn) fwrite(u[i].xout, 1, u[i].xoutn, out);
    if (u[i].errn) fwrite(u[i].err, 1, u[i].errn, err);
    free(u[i].xout);
    free(u[i].err);
    *nrec += u[i].records;
    *niss += u[i].issues;
    exh_mutex_lock(q.mu);
    if (u[i].out.cap && u[i].out.cap <= POOL_KEEP_MAX) {
      u[i].out.n = 0;
      EXH_VEC_RESERVE(q.pool, q.cappool, q.npool + 1);
      q.pool[q.npool++] = u[i].out;
    } else {
      exh_buf_free(&u[i].out);
    }
    u[i].out = (exh_buf){0};
    q.written = i + 1;
    exh_cond_broadcast(q.cv);
    exh_mutex_unlock(q.mu);
    /* a file is unmapped once its last unit is out */
    for (size_t f = u[i].file; f < u[i].file + u[i].nfiles; f++)
      if ((i + 1 == nu || u[i + 1].file != f) && files[f].ok) exh_map_close(&files[f].map);
  }
  for (int i = 0; i < threads; i++) exh_thread_join(th[i]);
  free(th);
  free(wa);
  exh_mutex_free(q.mu);
  exh_cond_free(q.cv);
  for (size_t i = 0; i < q.npool; i++) exh_buf_free(&q.pool[i]);
  free(q.pool);
  free(u);
  free(files);
  return rc;
}

exh_err exh_dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, FILE *out,
                      FILE *err, uint64_t *records, uint64_t *issues) {
  exh_err rc = EXH_OK;
  uint64_t nrec = 0, niss = 0;
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  exh_evtx **px = exh_xcalloc((size_t)threads, sizeof *px);
  for (int i = 0; i < threads; i++) {
    px[i] = exh_evtx_new();
    exh_evtx_set_json(px[i], fmt == EXH_DUMP_JSONL);
  }
  if (threads > 1) {
    for (size_t b = 0; b < npaths; b += BATCH_FILES) {
      size_t nb = npaths - b < BATCH_FILES ? npaths - b : BATCH_FILES;
      if (dump_batch(paths + b, nb, fmt, threads, px, out, err, &nrec, &niss) != EXH_OK) rc = EXH_EIO;
    }
  }
  exh_buf ob = {0}; /* one thread: JSON lines gather here, written a MiB at a time */
  for (size_t fi = 0; threads == 1 && fi < npaths; fi++) {
    exh_map map;
    char why[256];
    if (exh_map_open(&map, paths[fi], why, sizeof why) != 0) {
      exh_term_str(err, paths[fi], strlen(paths[fi]));
      fprintf(err, ": %s\n", why);
      rc = EXH_EIO;
      continue;
    }
    const uint8_t *d = (const uint8_t *)map.data;
    task head = {.data = d, .n = map.size, .fmt = fmt, .path = paths[fi], .fo = out, .fe = err, .px = px[0]};
    if (fmt == EXH_DUMP_JSONL) {
      head.ob = &ob;
      exh_evtx_set_json_buffer(px[0], &ob);
    }
    if (map.size < 8 || memcmp(d, "ElfFile", 8) != 0) {
      on_issue(&head, 0, "not an EVTX file (no ElfFile signature)");
      niss++;
      rc = EXH_EIO;
      exh_map_close(&map);
      continue;
    }
    exh_evtx_parse(px[0], d, map.size, on_record, on_issue, &head);
    nrec += head.records;
    niss += head.issues;
    exh_map_close(&map);
  }
  if (ob.n) fwrite(ob.p, 1, ob.n, out);
  exh_buf_free(&ob);
  for (int i = 0; i < threads; i++) exh_evtx_free(px[i]);
  free(px);
  exh_evtx_out_thread_cleanup();
  if (records) *records = nrec;
  if (issues) *issues = niss;
  return rc;
}
