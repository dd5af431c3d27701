/* `exhunt dump`: decode EVTX files and print every record. Chunks are
 * independent, so with several threads the chunk runs of all files form
 * one ordered work queue (below); output is identical whatever the thread
 * count, and memory is bounded by the queue's window.
 *
 * Files are read with pread() a chunk at a time into a buffer each reader
 * owns, not mapped: a file truncated while it is dumped (a live log) gives
 * a short read and a "truncated chunk" report, never SIGBUS. Every write of
 * the output is checked: a full disk stops the dump with an error.
 *
 * Output and issues go to the caller's callbacks (exhunt.h: exh_write_fn),
 * never to a FILE * of the caller: JSON lines gather in a buffer, XML in a
 * memory stream, and either is handed over a MiB at a time (or a unit's
 * worth at once, in order, with several threads). */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __GLIBC__
#include <stdio_ext.h>
#endif

#include "../../core/limits.h"
#include "evtx.h"
#include "../../platform/platform.h"
#include "exhunt/exhunt.h"

struct queue;

/* A caller's callback; err is the errno of its first failure, after which
 * it is not called again. Used by one thread at a time (the queue's turn). */
typedef struct sink {
  exh_write_fn fn;
  void *ctx;
  int err;
} sink;

typedef struct task {
  exh_dump_format fmt;
  const char *path;
  char *err;     /* issues gathered in memory (opened at the first one) */
  size_t errn;
  FILE *fo, *fe; /* XML output (a memory stream over *xp, *xn); issues (opened when needed) */
  char **xp;
  size_t *xn;
  exh_buf *ob;   /* JSON lines */
  sink *out;     /* where the task writes when direct */
  sink *issues_to; /* one thread: issue lines go there after each chunk */
  uint64_t records, issues;
  uint64_t shown, hidden; /* issue lines of the current file written, and not */
  int werr;      /* errno of a failed output write */
  exh_evtx *px;
  struct queue *q; /* several threads: the queue, and the unit being rendered */
  size_t ui;
  int direct;      /* the task writes to the output itself: one thread, or a streaming unit */
  int streaming;   /* the unit writes to the output itself (unit_stream) */
} task;

#define FLUSH_AT (1u << 17) /* one thread: written out every 128 KiB, so the buffer stays in the
                                * cache (a MiB, grown by doubling, cost a quarter of a first pass) */
/* A unit holds at most this much output before it writes it itself, once
 * its turn has come: a unit's usual output is under 1 MB (four chunks),
 * but crafted records each under the bounds can make a chunk render to
 * gigabytes; held, the window of units would hold them all. */

static void unit_stream(task *t);

/* Writes n bytes; 0, or the errno of the failure (also every later time). */
static int put_out(sink *s, const void *p, size_t n) {
  if (s->err || !n) return s->err;
  errno = 0;
  if (s->fn(s->ctx, p, n) == 0) return 0;
  s->err = errno ? errno : EIO;
  return s->err;
}

/* Text for the issue callback (its failures are not reported: nowhere to). */
static void put_err(sink *s, const char *p, size_t n) { (void)put_out(s, p, n); }

static void own_stream(FILE *f);

/* XML: the task's memory stream (its bytes land in *t->xp, *t->xn). */
static void xml_open(task *t) {
  t->fo = open_memstream(t->xp, t->xn);
  own_stream(t->fo);
}

/* A direct task's XML so far goes to the output; then a fresh stream. */
static void xml_spill(task *t) {
  fclose(t->fo);
  if (!t->werr) t->werr = put_out(t->out, *t->xp, *t->xn);
  free(*t->xp);
  *t->xp = NULL, *t->xn = 0;
  xml_open(t);
}

static int on_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  task *t = ctx;
  if (t->fmt == EXH_DUMP_XML) {
    exh__evtx_write_xml(t->fo, p, r);
    if (ferror(t->fo)) t->werr = errno ? errno : EIO;
    else if (t->direct && ftell(t->fo) >= (long)FLUSH_AT) xml_spill(t); /* write out as it fills */
    else if (t->q && !t->direct && ftell(t->fo) > (long)EXH_DUMP_UNIT_OUT_MAX) unit_stream(t);
  } else if (t->fmt == EXH_DUMP_JSONL) {
    if (!r->json) exh__evtx_json_append(t->ob, p, r); /* else the parser wrote it there */
    if (t->direct && t->ob->n >= FLUSH_AT) { /* one thread, or a streaming unit: write out as it fills */
      t->werr = put_out(t->out, t->ob->p, t->ob->n);
      t->ob->n = 0;
    } else if (t->q && !t->direct && t->ob->n > EXH_DUMP_UNIT_OUT_MAX) {
      unit_stream(t);
    }
  }
  /* EXH_DUMP_NONE: decode only (validation, benchmarks) */
  t->records++;
  return t->werr != 0; /* the output is gone: stop */
}

/* The task's issue stream, opened in memory at the first issue. */
static FILE *task_err(task *t) {
  if (!t->fe) {
    t->fe = open_memstream(&t->err, &t->errn);
    own_stream(t->fe);
  }
  return t->fe;
}

/* An issue line, "path: offset N: what"; past EXH_EVTX_MAX_ISSUE_LINES of a
 * file (a crafted file can have one per record) only counted. */
static void on_issue(void *ctx, uint64_t off, const char *what) {
  task *t = ctx;
  t->issues++;
  if (t->shown >= EXH_EVTX_MAX_ISSUE_LINES) {
    t->hidden++;
    return;
  }
  t->shown++;
  task_err(t);
  exh__term_str(t->fe, t->path, strlen(t->path));
  fprintf(t->fe, ": offset %llu: %s\n", (unsigned long long)off, what);
}

/* One thread: the issue lines gathered so far go to the issue callback. */
static void flush_issues(task *t) {
  if (!t->fe || !t->issues_to) return;
  fclose(t->fe);
  t->fe = NULL;
  put_err(t->issues_to, t->err, t->errn);
  free(t->err);
  t->err = NULL, t->errn = 0;
}

/* "path: what" (the path escaped for a terminal) on the issue callback. */
static void say(sink *err, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(sink *err, const char *path, const char *fmt, ...) {
  exh_buf b = {0};
  if (path) exh__term_buf(&b, path, strlen(path));
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  exh__buf_adds(&b, line);
  put_err(err, b.p, b.n);
  exh__buf_free(&b);
}

static void more_issues(sink *err, const char *path, uint64_t hidden) {
  say(err, path, ": %llu more issues not shown (the first %u are above)\n", (unsigned long long)hidden,
      (unsigned)EXH_EVTX_MAX_ISSUE_LINES);
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

/* A file named on the command line: a symbolic link is followed (the user
 * named it), the target is opened as evidence is (read-only, no access
 * time change where permitted). The link is resolved only when there is
 * one: realpath costs a readlink per path component. */
static exh_file *open_named(const char *path, char *why, size_t whyn) {
  exh_file *f = exh__file_open(path, NULL, why, whyn);
  if (f || !strstr(why, "symbolic link")) return f;
  char *real = realpath(path, NULL);
  if (!real) {
    snprintf(why, whyn, "cannot open: %s", strerror(errno));
    return NULL;
  }
  f = exh__file_open(real, NULL, why, whyn);
  free(real);
  return f;
}

/* Reads and parses chunks [first, first+count) of an open file, one at a
 * time into buf (EXH_EVTX_CHUNK bytes). A read error is an issue. */
static void read_chunks(task *t, exh_file *f, uint64_t size, size_t first, size_t count, uint8_t *buf) {
  char why[256];
  for (size_t ci = first; ci < first + count && !t->werr; ci++) {
    uint64_t off = EXH_EVTX_FILE_HEADER + (uint64_t)ci * EXH_EVTX_CHUNK;
    if (off >= size) break;
    long k = exh__file_pread(f, buf, EXH_EVTX_CHUNK, off, why, sizeof why);
    if (k < 0) {
      on_issue(t, off, why);
      break;
    }
    if (k == 0) { /* shorter than when it was opened */
      on_issue(t, off, "the file ends here now (truncated while it was read)");
      break;
    }
    exh__evtx_parse_chunk(t->px, buf, (size_t)k, off, on_record, on_issue, t);
    flush_issues(t);
    if (k < (long)EXH_EVTX_CHUNK) break; /* the file's end (or it was truncated) */
  }
}

/* The file header's checks (signature, checksum): 0 if it is EVTX. */
static int check_head(task *t, exh_file *f) {
  uint8_t head[128];
  char why[256];
  long k = exh__file_pread(f, head, sizeof head, 0, why, sizeof why);
  if (k < 0) {
    on_issue(t, 0, why);
    return -1;
  }
  return exh__evtx_check_header(head, (size_t)k, on_issue, t);
}

/* ---- several threads: an ordered work queue over chunk runs of all files ----
 *
 * Every file is cut into runs of CHUNKS_PER_UNIT chunks ("units", in file
 * and chunk order), planned from each file's size (a stat: the calling
 * thread opens and reads nothing). The other workers start before the
 * planning and take units as soon as they are planned: the planning (a
 * stat per file, a millisecond for 600 files) is not a serial part of the
 * run. Workers (the calling thread is one, once it has planned the batch)
 * take units from an atomic counter and render each into its own buffers;
 * the worker that finishes the unit next in order writes it out, and any
 * finished ones after it, strictly in order (drain). A worker does not
 * start a unit more than WINDOW units ahead of the writing, so memory stays
 * bounded whatever the input. A unit opens its file, checks its signature
 * (and, first unit, its header), reads its chunks and closes it, unless
 * more units of the file follow: the worker then keeps it open for its
 * next unit of the same file (kept: one descriptor a worker at most). */
#define CHUNKS_PER_UNIT 4
#define WINDOW_PER_THREAD 4
#define BATCH_FILES 1024
/* Units are stored in blocks that never move (workers read them while the
 * batch is still being planned); a batch has at most UNIT_BLOCK *
 * UNIT_BLOCKS units (256 GiB of chunks in runs of 4): past that a file's
 * last unit takes all of its remaining chunks. */
#define UNIT_BLOCK 256
#define UNIT_BLOCKS 4096

/* The issues of one file in a unit: lines up to `end` of the unit's issue
 * text, and how many more were only counted. */
typedef struct useg {
  size_t file, end;
  uint64_t hidden;
} useg;

typedef struct unit {
  size_t file;         /* index into the batch */
  size_t nfiles;       /* > 1: a run of whole small files from `file` on */
  size_t first, count; /* chunks (one file) */
  int head;            /* first unit of its file: header checks */
  int whole;           /* the file's only unit: read to its end as opened */
  int last;            /* the last unit of its (last) file */
  exh_buf out;         /* JSON lines (a buffer from the queue's pool) */
  char *xout, *err;    /* XML output, issues (memory streams) */
  size_t xoutn, errn;
  useg *seg;           /* issues per file */
  size_t nseg;
  uint64_t records, issues;
  _Atomic int done;
} unit;

typedef struct bfile {
  const char *path;
  uint64_t size; /* when the batch was planned (stat: the file is opened by a worker) */
  int bad;      /* not opened, or not EVTX (its first unit's worker says so) */
  uint64_t shown, hidden; /* issue lines written, and only counted (the writer's) */
} bfile;

typedef struct queue {
  unit **blk;      /* UNIT_BLOCKS blocks of UNIT_BLOCK units, allocated as planned */
  size_t nplanned; /* guarded by mu: units [0, nplanned) are planned and never change */
  int planned;     /* guarded by mu: the batch is planned (nplanned is its unit count) */
  bfile *files;
  exh_dump_format fmt;
  sink *out;
  atomic_size_t next;
  atomic_int stop; /* the output failed: units are skipped */
  atomic_int werr; /* errno of the failed write */
  size_t written; /* guarded by mu */
  int writing;    /* guarded by mu: a worker is writing finished units out (drain) */
  int failed;     /* guarded by mu: an allocation failed in a worker (its guard's code): all stop */
  sink *err;
  uint64_t records, issues; /* of the units written (the writer's) */
  size_t window;
  exh_mutex *mu;
  exh_cond *cv;
  exh_evtx **px;
  uint8_t **buf; /* a chunk buffer per worker */
  /* output buffers written out and kept for reuse (guarded by mu): fresh
   * ones for every unit cost a page fault per 4 KiB of output */
  exh_buf *pool;
  size_t npool, cappool;
  struct wtime *tm; /* per worker, EXHUNT_TIMING=1 only (else NULL) */
} queue;

/* Where a worker's time went (EXHUNT_TIMING=1), summed over batches. */
typedef struct wtime {
  double cpu, wait, write, start, end; /* CPU s; s waiting for the window; s writing units out; first unit at; done at */
  uint64_t units, opens;
} wtime;


static unit *unit_at(const queue *q, size_t i) { return &q->blk[i / UNIT_BLOCK][i % UNIT_BLOCK]; }

/* A unit over EXH_DUMP_UNIT_OUT_MAX: once every unit before it is written (the
 * writer then waits for this one), it writes what it holds and the rest of
 * its output goes straight to the output. */
static void unit_stream(task *t) {
  queue *q = t->q;
  unit *u = unit_at(q, t->ui);
  exh__mutex_lock(q->mu);
  while (q->written < t->ui && !q->failed) exh__cond_wait(q->cv, q->mu);
  int failed = q->failed;
  exh__mutex_unlock(q->mu);
  if (failed) { /* another worker ran out of memory: the dump stops */
    t->werr = EIO;
    return;
  }
  int e = atomic_load(&q->werr);
  if (q->fmt == EXH_DUMP_XML) {
    fclose(t->fo); /* the memory stream: its bytes are in u->xout */
    if (!e) e = put_out(q->out, u->xout, u->xoutn);
    free(u->xout);
    u->xout = NULL, u->xoutn = 0;
    xml_open(t); /* from now on spilled as it fills (xml_spill) */
  } else {
    if (!e) e = put_out(q->out, t->ob->p, t->ob->n);
    t->ob->n = 0;
  }
  t->direct = 1;
  t->streaming = 1;
  if (e) {
    int none = 0;
    atomic_compare_exchange_strong(&q->werr, &none, e);
    atomic_store(&q->stop, 1);
    t->werr = e;
  }
}

/* A worker's file kept open after a unit that is not its file's last: its
 * next unit of the same file (with two workers, every other one) reads it
 * without opening it again (an open, a stat, two fcntl, the signature's
 * read and a close each: 1,300 of the 7,500 file system calls of a -j 2
 * dump of the 581 shared EVTX). One descriptor a worker at most, closed at
 * the batch's end. */
typedef struct kept {
  exh_file *fh; /* signature checked */
  size_t file;
  uint64_t opens; /* files opened (EXHUNT_TIMING) */
} kept;

static void do_unit(queue *q, unit *u, size_t ui, exh_evtx *px, uint8_t *buf, kept *kf) {
  task t;
  memset(&t, 0, sizeof t);
  t.fmt = q->fmt, t.px = px, t.q = q, t.ui = ui, t.out = q->out;
  t.xp = &u->xout, t.xn = &u->xoutn;
  if (q->fmt == EXH_DUMP_XML) {
    xml_open(&t);
  } else {
    t.ob = &u->out;
    exh__evtx_set_json_buffer(px, &u->out);
  }
  u->seg = exh__xcalloc(u->nfiles, sizeof *u->seg);
  for (size_t f = u->file; f < u->file + u->nfiles && !atomic_load(&q->stop); f++) {
    bfile *bf = &q->files[f];
    int head = u->nfiles > 1 || u->head, whole = u->nfiles > 1 || u->whole;
    t.path = bf->path;
    t.shown = t.hidden = 0;
    /* the file is opened here, by the worker, not by the planning thread:
     * its signature, then (first unit) its header's checks */
    char why[256];
    uint8_t hb[128];
    exh_file *fh = NULL;
    long k;
    if (kf->fh && kf->file == f && !head) { /* this worker's previous unit of the file: checked then */
      fh = kf->fh, kf->fh = NULL;
      memcpy(hb, "ElfFile", 8), k = 8;
    } else {
      exh__file_close(kf->fh);
      kf->fh = NULL;
      fh = open_named(bf->path, why, sizeof why);
      kf->opens++;
      k = fh ? exh__file_pread(fh, hb, head ? sizeof hb : 8, 0, why, sizeof why) : -1;
    }
    int evtx = k >= 8 && memcmp(hb, "ElfFile", 8) == 0;
    if (!evtx) {
      if (head) { /* the other units of a file that is not EVTX say nothing */
        bf->bad = 1;
        if (k < 0) {
          exh__term_str(task_err(&t), bf->path, strlen(bf->path));
          fprintf(task_err(&t), ": %s\n", why);
        } else {
          on_issue(&t, 0, "not an EVTX file (no ElfFile signature)");
        }
      }
    } else if (!head || exh__evtx_check_header(hb, (size_t)k, on_issue, &t) == 0) {
      uint64_t size = whole ? exh__file_size(fh) : bf->size;
      size_t first = whole ? 0 : u->first;
      size_t count = whole ? exh__evtx_chunk_count(size) : u->count;
      if (count) read_chunks(&t, fh, size, first, count, buf);
    }
    if (evtx && !u->last && u->nfiles == 1) kf->fh = fh, kf->file = f; /* more units of the file follow */
    else exh__file_close(fh);
    if (t.fe) fflush(t.fe);
    u->seg[u->nseg++] = (useg){f, t.fe ? t.errn : 0, t.hidden};
  }
  if (t.streaming && t.werr) { /* as the writer would have */
    int none = 0;
    atomic_compare_exchange_strong(&q->werr, &none, t.werr);
    atomic_store(&q->stop, 1);
  }
  if (t.fo) fclose(t.fo); /* what it holds (a streaming unit's tail too) the writer writes */
  if (t.fe) fclose(t.fe);
  u->err = t.err, u->errn = t.errn;
  u->records = t.records;
  u->issues = t.issues;
}

/* Writes a unit's issue lines: per file at most EXH_EVTX_MAX_ISSUE_LINES
 * in all its units, the others counted for the file's last line. */
static void write_issues(queue *q, unit *u, sink *err) {
  size_t start = 0;
  const char *text = u->err ? u->err : ""; /* no issue at all: no stream was opened */
  for (size_t s = 0; s < u->nseg; s++) {
    bfile *bf = &q->files[u->seg[s].file];
    const char *p = text + start, *end = text + u->seg[s].end;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      const char *next = nl ? nl + 1 : end;
      if (bf->shown < EXH_EVTX_MAX_ISSUE_LINES) {
        put_err(err, p, (size_t)(next - p));
        bf->shown++;
      } else {
        bf->hidden++;
      }
      p = next;
    }
    bf->hidden += u->seg[s].hidden;
    start = u->seg[s].end;
  }
}

/* Writes unit i out (its output, then its issue lines) and recycles its
 * buffers. Called by one worker at a time (q->writing), without q->mu. */
static void write_unit(queue *q, size_t i) {
  unit *u = unit_at(q, i);
  int e = atomic_load(&q->werr); /* a streaming unit's failure too */
  if (!e) {
    e = put_out(q->out, u->out.p, u->out.n);
    if (!e) e = put_out(q->out, u->xout, u->xoutn);
    if (e) {
      atomic_store(&q->werr, e);
      atomic_store(&q->stop, 1); /* the rest is decoded for nothing: skipped */
    }
  }
  write_issues(q, u, q->err);
  free(u->xout);
  free(u->err);
  free(u->seg);
  u->xout = u->err = NULL;
  u->seg = NULL;
  q->records += u->records;
  q->issues += u->issues;
  /* a file's count of issues not shown, once its last unit is out */
  for (size_t f = u->file; f < u->file + u->nfiles; f++)
    if ((f + 1 < u->file + u->nfiles || u->last) && q->files[f].hidden)
      more_issues(q->err, q->files[f].path, q->files[f].hidden);
}

/* With q->mu held: the finished units next in order are written out, by
 * the worker that finished one of them (no writer thread waking for each
 * unit); another worker already writing them goes on instead. */
static void drain(queue *q) {
  if (q->writing) return;
  q->writing = 1;
  while (!q->failed && q->written < q->nplanned && atomic_load(&unit_at(q, q->written)->done)) {
    size_t i = q->written;
    exh__mutex_unlock(q->mu);
    write_unit(q, i);
    exh__mutex_lock(q->mu);
    unit *u = unit_at(q, i);
    if (u->out.cap && u->out.cap <= EXH_DUMP_POOL_KEEP_MAX && q->npool < q->cappool) { /* no allocation here */
      u->out.n = 0;
      q->pool[q->npool++] = u->out;
    } else {
      exh__buf_free(&u->out);
    }
    u->out = (exh_buf){0};
    q->written = i + 1;
    exh__cond_broadcast(q->cv);
  }
  q->writing = 0;
}

typedef struct worker_arg {
  queue *q;
  int id;
  kept kf; /* outside the worker's frame: closed after a failure too */
} worker_arg;

/* A worker (the calling thread is worker 0): takes units in order, renders
 * each, and writes out the finished ones next in order. Each unit runs
 * under a guard: an allocation that fails (in any worker, the calling
 * thread's too) stops every worker, and the dump then fails with
 * EXH_ENOMEM (dump_batch). Nothing is allocated while q->mu is held, so a
 * failure never unwinds with the lock taken. */
static void *worker(void *arg) {
  worker_arg *wa = arg;
  queue *q = wa->q;
  exh_guard g;
  wtime *tm = q->tm ? &q->tm[wa->id] : NULL;
  double c0 = tm ? exh__thread_cpu_s() : 0;
  if (tm && !tm->start) tm->start = exh__monotonic_s();
  for (;;) {
    size_t i = atomic_fetch_add(&q->next, 1);
    exh__mutex_lock(q->mu);
    while (i >= q->nplanned && !q->planned && !q->failed) exh__cond_wait(q->cv, q->mu); /* not planned yet */
    if (i >= q->nplanned) { /* past the batch's end (or the planning failed) */
      exh__mutex_unlock(q->mu);
      break;
    }
    unit *u = unit_at(q, i);
    if (tm && i >= q->written + q->window && !q->failed) {
      double w0 = exh__monotonic_s();
      while (i >= q->written + q->window && !q->failed) exh__cond_wait(q->cv, q->mu);
      tm->wait += exh__monotonic_s() - w0;
    }
    while (i >= q->written + q->window && !q->failed) exh__cond_wait(q->cv, q->mu);
    int failed = q->failed;
    if (!failed && q->npool) u->out = q->pool[--q->npool];
    exh__mutex_unlock(q->mu);
    if (failed) break;
    exh__guard_push(&g);
    if (setjmp(g.jb) != 0) {
      exh__mutex_lock(q->mu);
      if (!q->failed) q->failed = g.code;
      atomic_store(&q->stop, 1);
      exh__cond_broadcast(q->cv);
      exh__mutex_unlock(q->mu);
      exh__file_close(wa->kf.fh); /* the file kept open (other memory the unit held is not freed: util.h, guards) */
      wa->kf.fh = NULL;
      return NULL;
    }
    if (!u->out.cap && q->fmt == EXH_DUMP_JSONL) /* room for the usual JSON of the run at once */
      exh__buf_grow(&u->out, (u->count < CHUNKS_PER_UNIT ? u->count : CHUNKS_PER_UNIT) * 65536 * 3);
    do_unit(q, u, i, q->px[wa->id], q->buf[wa->id], &wa->kf);
    exh__mutex_lock(q->mu);
    atomic_store(&u->done, 1);
    double d0 = tm ? exh__monotonic_s() : 0;
    drain(q); /* writes with q->mu released: under this guard too */
    if (tm) tm->write += exh__monotonic_s() - d0, tm->units++;
    exh__cond_broadcast(q->cv);
    exh__mutex_unlock(q->mu);
    exh__guard_pop(&g);
  }
  exh__file_close(wa->kf.fh);
  wa->kf.fh = NULL;
  if (tm) tm->cpu += exh__thread_cpu_s() - c0, tm->end = exh__monotonic_s(), tm->opens += wa->kf.opens;
  if (wa->id) exh__evtx_out_thread_cleanup(); /* the calling thread's at the dump's end */
  return NULL;
}

/* Units planned so far are published (under q->mu) and waiting workers
 * woken. */
static void publish(queue *q, size_t n) {
  exh__mutex_lock(q->mu);
  if (n > q->nplanned) {
    q->nplanned = n;
    exh__cond_broadcast(q->cv);
  }
  exh__mutex_unlock(q->mu);
}

/* The calling thread plans the batch while the other workers take its
 * units: each file's size (one stat: the files are opened and read by the
 * workers) cut into units, published as they are made. A unit of whole
 * small files may still take the next file, so the last unit is published
 * only once the next file has been planned (or the batch is). */
static void plan(queue *q, const char *const *paths, size_t nfiles) {
  bfile *files = q->files;
  size_t nu = 0, pack_chunks = 0, maxu = (size_t)UNIT_BLOCK * UNIT_BLOCKS;
  int packing = 0;
  unit *prev = NULL;
  for (size_t f = 0; f < nfiles; f++) {
    bfile *bf = &files[f];
    bf->path = paths[f];
    exh_stat st;
    char why[256];
    if (exh__stat(paths[f], &st, why, sizeof why) == 0 && st.type == EXH_FT_FILE) bf->size = st.size;
    size_t nchunks = exh__evtx_chunk_count(bf->size > SIZE_MAX ? SIZE_MAX : (size_t)bf->size);
    /* a small file joins the previous run of whole small files while the
     * run stays within a unit's worth of chunks: units of one chunk each
     * would cost more in hand-offs than in work */
    if (nchunks <= CHUNKS_PER_UNIT && packing && pack_chunks + nchunks <= CHUNKS_PER_UNIT &&
        prev->nfiles < EXH_DUMP_MAX_PACK) {
      prev->nfiles++;
      pack_chunks += nchunks;
      continue;
    }
    if (packing) publish(q, nu); /* the previous unit takes no more files */
    size_t c0 = 0;
    do {
      if (nu % UNIT_BLOCK == 0) q->blk[nu / UNIT_BLOCK] = exh__xcalloc(UNIT_BLOCK, sizeof **q->blk);
      unit *x = unit_at(q, nu++);
      x->file = f, x->nfiles = 1, x->first = c0, x->head = c0 == 0, x->whole = nchunks <= CHUNKS_PER_UNIT;
      x->count = nchunks - c0 < CHUNKS_PER_UNIT ? nchunks - c0 : CHUNKS_PER_UNIT;
      /* a unit left for each file after this one, or this unit takes the rest */
      if (nu + (nfiles - f) >= maxu) x->count = nchunks - c0;
      x->last = c0 + x->count >= nchunks;
      atomic_init(&x->done, 0);
      c0 += x->count;
      prev = x;
    } while (c0 < nchunks);
    packing = nchunks <= CHUNKS_PER_UNIT; /* a whole small file: others may join it */
    pack_chunks = nchunks;
    if (!packing) publish(q, nu);
  }
  exh__mutex_lock(q->mu);
  q->nplanned = nu;
  q->planned = 1;
  exh__cond_broadcast(q->cv);
  exh__mutex_unlock(q->mu);
}

/* The planning runs under a guard of its own: the other workers are
 * running, so a failed allocation stops them (as a worker's does) and the
 * dump then fails with EXH_ENOMEM (dump_batch). */
static void plan_guarded(queue *q, const char *const *paths, size_t nfiles, double *tplan) {
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) {
    exh__mutex_lock(q->mu);
    if (!q->failed) q->failed = g.code;
    atomic_store(&q->stop, 1);
    exh__cond_broadcast(q->cv);
    exh__mutex_unlock(q->mu);
    return; /* the calling thread's worker then stops at once (q->failed) */
  }
  double p0 = q->tm ? exh__monotonic_s() : 0;
  plan(q, paths, nfiles);
  if (q->tm) *tplan += exh__monotonic_s() - p0;
  exh__guard_pop(&g);
}

/* Dumps a batch of files with `threads` workers; returns EXH_EIO if any
 * file could not be read as EVTX; *werr is set if the output failed. The
 * calling thread plans the units from each file's size (one stat), the
 * other workers already at work on them, and then is a worker too: the
 * files are opened and read by the workers. */
static exh_err dump_batch(const char *const *paths, size_t nfiles, exh_dump_format fmt, int threads, exh_evtx **px,
                          uint8_t **bufs, sink *out, sink *err, uint64_t *nrec, uint64_t *niss, int *werr, wtime *tm,
                          double *tplan) {
  bfile *files = exh__xcalloc(nfiles, sizeof *files);
  queue q;
  memset(&q, 0, sizeof q);
  q.blk = exh__xcalloc(UNIT_BLOCKS, sizeof *q.blk);
  q.files = files, q.fmt = fmt, q.px = px, q.buf = bufs, q.out = out, q.err = err, q.tm = tm;
  q.window = (size_t)threads * WINDOW_PER_THREAD;
  atomic_init(&q.next, 0);
  atomic_init(&q.stop, 0);
  atomic_init(&q.werr, 0);
  q.mu = exh__mutex_new();
  q.cv = exh__cond_new();
  q.cappool = q.window + (size_t)threads + 1; /* buffers in flight at most: the pool never grows */
  q.pool = exh__xcalloc(q.cappool, sizeof *q.pool);
  exh_thread **th = exh__xcalloc((size_t)threads, sizeof *th);
  worker_arg *wa = exh__xcalloc((size_t)threads, sizeof *wa);
  for (int i = 0; i < threads; i++) wa[i] = (worker_arg){&q, i, {NULL, 0, 0}};
  for (int i = 1; i < threads; i++) th[i] = exh__thread_start(worker, &wa[i]);
  plan_guarded(&q, paths, nfiles, tplan);
  worker(&wa[0]);
  for (int i = 1; i < threads; i++) exh__thread_join(th[i]);
  if (q.failed) exh__guard_fail(q.failed); /* to exh_dump_evtx's guard: EXH_ENOMEM (the rest is not freed) */
  /* every unit was written by the worker that finished the last of them */
  exh_err rc = EXH_OK;
  *nrec += q.records;
  *niss += q.issues;
  for (size_t f = 0; f < nfiles; f++)
    if (files[f].bad) rc = EXH_EIO;
  if (!*werr) *werr = atomic_load(&q.werr);
  free(th);
  free(wa);
  exh__mutex_free(q.mu);
  exh__cond_free(q.cv);
  for (size_t i = 0; i < q.npool; i++) exh__buf_free(&q.pool[i]);
  free(q.pool);
  for (size_t b = 0; b < UNIT_BLOCKS && q.blk[b]; b++) free(q.blk[b]);
  free(q.blk);
  free(files);
  return rc;
}

static exh_err dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, sink *out,
                         sink *err, uint64_t *records, uint64_t *issues);

/* The public entry point. It runs under a guard: running out of memory
 * returns EXH_ENOMEM (util.h), with any thread count (with several, the
 * worker that ran out stops them all: worker()). */
exh_err exh_dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, exh_write_fn out,
                      void *out_ctx, exh_write_fn err, void *err_ctx, uint64_t *records, uint64_t *issues) {
  if (!out || !err || (npaths && !paths)) return EXH_EARG;
  sink so = {out, out_ctx, 0}, se = {err, err_ctx, 0};
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) {
    char m[120];
    int n = snprintf(m, sizeof m, "exhunt dump: %s (the dump is incomplete)\n",
                     g.code == EXH_GUARD_LIMIT ? "a buffer passed its limit" : "out of memory");
    put_err(&se, m, (size_t)n);
    return g.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;
  }
  exh_err rc = dump_evtx(paths, npaths, fmt, threads, &so, &se, records, issues);
  exh__guard_pop(&g);
  return rc;
}

static exh_err dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, sink *out,
                         sink *err, uint64_t *records, uint64_t *issues) {
  exh_err rc = EXH_OK;
  uint64_t nrec = 0, niss = 0;
  int werr = 0;
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  exh_evtx **px = exh__xcalloc((size_t)threads, sizeof *px);
  uint8_t **bufs = exh__xcalloc((size_t)threads, sizeof *bufs);
  /* where the time went (EXHUNT_TIMING=1; docs/benchmarks.md) */
  int timing = getenv("EXHUNT_TIMING") && getenv("EXHUNT_TIMING")[0] == '1';
  double t0 = exh__monotonic_s(), c0 = exh__thread_cpu_s(), tplan = 0;
  wtime *tm = timing && threads > 1 ? exh__xcalloc((size_t)threads, sizeof *tm) : NULL;
  for (int i = 0; i < threads; i++) {
    px[i] = exh__evtx_new();
    exh__evtx_set_json(px[i], fmt == EXH_DUMP_JSONL);
    bufs[i] = exh__xmalloc(EXH_EVTX_CHUNK);
  }
  if (threads > 1) {
    for (size_t b = 0; b < npaths && !werr; b += BATCH_FILES) {
      size_t nb = npaths - b < BATCH_FILES ? npaths - b : BATCH_FILES;
      if (dump_batch(paths + b, nb, fmt, threads, px, bufs, out, err, &nrec, &niss, &werr, tm, &tplan) != EXH_OK)
        rc = EXH_EIO;
    }
  }
  exh_buf ob = {0}; /* one thread: JSON lines gather here, written a MiB at a time */
  char *xb = NULL;  /* one thread: XML, the same through a memory stream */
  size_t xn = 0;
  for (size_t fi = 0; threads == 1 && fi < npaths && !werr; fi++) {
    char why[256];
    task head = {.fmt = fmt, .path = paths[fi], .px = px[0], .out = out, .issues_to = err, .direct = 1};
    head.xp = &xb, head.xn = &xn;
    if (fmt == EXH_DUMP_JSONL) {
      head.ob = &ob;
      exh__evtx_set_json_buffer(px[0], &ob);
    }
    exh_file *fh = open_named(paths[fi], why, sizeof why);
    if (!fh) {
      say(err, paths[fi], ": %s\n", why);
      rc = EXH_EIO;
      continue;
    }
    if (fmt == EXH_DUMP_XML) xml_open(&head);
    if (check_head(&head, fh) != 0) {
      rc = EXH_EIO;
    } else {
      uint64_t size = exh__file_size(fh);
      read_chunks(&head, fh, size, 0, exh__evtx_chunk_count(size > SIZE_MAX ? SIZE_MAX : (size_t)size), bufs[0]);
    }
    exh__file_close(fh);
    if (head.fo) { /* the file's XML goes out before the next file */
      fclose(head.fo);
      if (!head.werr) head.werr = put_out(out, xb, xn);
      free(xb);
      xb = NULL, xn = 0;
    }
    flush_issues(&head);
    if (head.hidden) more_issues(err, paths[fi], head.hidden);
    werr = head.werr;
    nrec += head.records;
    niss += head.issues;
  }
  if (!werr) werr = put_out(out, ob.p, ob.n);
  exh__buf_free(&ob);
  if (timing) {
    double t1 = exh__monotonic_s();
    if (!tm)
      fprintf(stderr, "exhunt: timing: dump %.3f s (%.3f s of CPU), %llu templates compiled\n", t1 - t0,
              exh__thread_cpu_s() - c0, (unsigned long long)exh__evtx_compiled(px[0]));
    else
      fprintf(stderr, "exhunt: timing: dump %.4f s, planning %.4f s\n", t1 - t0, tplan);
    for (int i = 0; tm && i < threads; i++)
      fprintf(stderr,
              "exhunt: timing: worker %d started at %.4f s, done at %.4f s, %.4f s of CPU, %llu units, %llu files opened, "
              "%.4f s waiting for the window, %.4f s writing units out, %llu templates compiled\n",
              i, tm[i].start - t0, tm[i].end - t0, tm[i].cpu, (unsigned long long)tm[i].units,
              (unsigned long long)tm[i].opens, tm[i].wait, tm[i].write,
              (unsigned long long)exh__evtx_compiled(px[i]));
    free(tm);
  }
  for (int i = 0; i < threads; i++) {
    exh__evtx_free(px[i]);
    free(bufs[i]);
  }
  free(px);
  free(bufs);
  exh__evtx_out_thread_cleanup();
  if (werr) {
    say(err, NULL, "exhunt dump: writing the output failed: %s (the dump is incomplete)\n", strerror(werr));
    rc = EXH_EIO;
  }
  if (records) *records = nrec;
  if (issues) *issues = niss;
  return rc;
}
