/* Byte sources and line blocks (source.h). */
#include "source.h"

#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

typedef struct file_source {
  exh_source s;
  exh_file *f;
} file_source;

static long file_read(exh_source *s, void *buf, size_t n) {
  file_source *fs = (file_source *)s;
  long r = exh__file_read(fs->f, buf, n, s->why, sizeof s->why);
  if (r > 0) s->pos += (uint64_t)r;
  return r;
}

static long file_pread(exh_source *s, void *buf, size_t n, uint64_t off) {
  file_source *fs = (file_source *)s;
  return exh__file_pread(fs->f, buf, n, off, s->why, sizeof s->why);
}

static void file_close(exh_source *s) {
  file_source *fs = (file_source *)s;
  exh__file_close(fs->f);
  free(fs);
}

exh_source *exh__source_file(const char *path, const exh_stat *expect, char *why, size_t whyn) {
  exh_file *f = exh__file_open(path, expect, why, whyn);
  if (!f) return NULL;
  file_source *fs = exh__xcalloc(1, sizeof *fs);
  fs->f = f;
  fs->s.read = file_read;
  fs->s.pread = file_pread;
  fs->s.close = file_close;
  fs->s.size = exh__file_size(f);
  return &fs->s;
}

typedef struct mem_source {
  exh_source s;
  const char *p;
  size_t n;
} mem_source;

static long mem_read(exh_source *s, void *buf, size_t n) {
  mem_source *m = (mem_source *)s;
  size_t left = m->n - (size_t)s->pos;
  if (n > left) n = left;
  if (n) memcpy(buf, m->p + s->pos, n);
  s->pos += n;
  return (long)n;
}

static long mem_pread(exh_source *s, void *buf, size_t n, uint64_t off) {
  mem_source *m = (mem_source *)s;
  if (off >= m->n) return 0;
  if (n > m->n - off) n = (size_t)(m->n - off);
  memcpy(buf, m->p + off, n);
  return (long)n;
}

static void mem_close(exh_source *s) { free(s); }

exh_source *exh__source_mem(const void *p, size_t n) {
  mem_source *m = exh__xcalloc(1, sizeof *m);
  m->p = p;
  m->n = n;
  m->s.read = mem_read;
  m->s.pread = mem_pread;
  m->s.close = mem_close;
  m->s.size = n;
  return &m->s;
}

long exh__source_read_full(exh_source *s, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    long r = s->read(s, (char *)buf + got, n - got);
    if (r < 0) return -1;
    if (r == 0) break;
    got += (size_t)r;
  }
  return (long)got;
}

int exh__source_slurp(exh_source *s, size_t max, char **out, size_t *n) {
  size_t cap = s->size != EXH_SIZE_UNKNOWN && s->size < max ? (size_t)s->size + 1 : 1 << 16;
  if (cap > max + 1) cap = max + 1;
  char *buf = exh__xmalloc(cap + 1);
  size_t len = 0;
  int more = 0;
  for (;;) {
    if (len == cap) {
      if (cap > max) break;
      cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      buf = exh__xrealloc(buf, cap + 1);
    }
    long r = s->read(s, buf + len, cap - len);
    if (r < 0) {
      free(buf);
      *out = NULL;
      *n = 0;
      return -1;
    }
    if (r == 0) break;
    len += (size_t)r;
  }
  if (len > max) { /* one byte past max was read to tell "more" from "exactly max" */
    len = max;
    more = 1;
  }
  buf[len] = 0;
  *out = buf;
  *n = len;
  return more;
}

void exh__source_close(exh_source *s) {
  if (s) s->close(s);
}

void exh__lines_init(exh_lines *r, exh_source *src, size_t block, size_t max_line) {
  memset(r, 0, sizeof *r);
  r->src = src;
  r->block = block ? block : (1u << 22);
  r->max_line = max_line > r->block ? max_line : r->block;
}

/* memrchr is a GNU extension; this is the portable one. */
static const char *last_nl(const char *p, size_t n) {
  while (n) {
    if (p[--n] == '\n') return p + n;
  }
  return NULL;
}

int exh__lines_next(exh_lines *r, const char **p, size_t *n, uint64_t *off) {
  /* drop what was delivered */
  if (r->used) {
    memmove(r->buf, r->buf + r->used, r->len - r->used);
    r->len -= r->used;
    r->base += r->used;
    r->used = 0;
  }
  if (!r->buf) {
    r->cap = r->block;
    r->buf = exh__xmalloc(r->cap);
  }
  size_t scanned = 0; /* bytes of buf known to hold no '\n' */
  for (;;) {
    const char *nl = r->len > scanned ? last_nl(r->buf + scanned, r->len - scanned) : NULL;
    if (nl && (r->len == r->cap || r->eof)) {
      r->used = (size_t)(nl - r->buf) + 1;
      break;
    }
    if (r->eof) {
      if (r->len == 0) return 0;
      r->used = r->len; /* the last line, without '\n' */
      break;
    }
    if (r->len == r->cap) {
      if (nl) { /* full buffer with a line end: deliver up to it */
        r->used = (size_t)(nl - r->buf) + 1;
        break;
      }
      if (r->cap >= r->max_line) { /* one line longer than max_line: a piece of it */
        r->used = r->len;
        r->cut_lines++;
        break;
      }
      size_t nc = r->cap * 2 > r->max_line ? r->max_line : r->cap * 2;
      r->buf = exh__xrealloc(r->buf, nc);
      r->cap = nc;
    }
    if (!nl) scanned = r->len;
    long got = r->src->read(r->src, r->buf + r->len, r->cap - r->len);
    if (got < 0) return -1;
    if (got == 0) r->eof = 1;
    r->len += (size_t)got;
  }
  *p = r->buf;
  *n = r->used;
  *off = r->base;
  return 1;
}

void exh__lines_free(exh_lines *r) {
  free(r->buf);
  memset(r, 0, sizeof *r);
}
