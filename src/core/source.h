/* Byte sources: evidence read as a stream, whatever holds it (a file on
 * disk, an archive member being inflated, bytes in memory), so every
 * format reads through the same few calls and memory stays bounded by the
 * reader's buffers, never by the evidence's size.
 *
 * Files are read with read() into buffers, not mapped: a live server's log
 * truncated or rotated while it is read gives a short read, not SIGBUS. */
#ifndef EXH_CORE_SOURCE_H
#define EXH_CORE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "../platform/platform.h"

#define EXH_SIZE_UNKNOWN UINT64_MAX

typedef struct exh_source exh_source;
struct exh_source {
  /* Reads up to n bytes: the count, 0 at the end, -1 on error (reason in
   * why). A source may return fewer bytes than asked before its end. */
  long (*read)(exh_source *s, void *buf, size_t n);
  /* Positioned read, or NULL when the source can only be read in order
   * (an archive member). Does not move the sequential position. */
  long (*pread)(exh_source *s, void *buf, size_t n, uint64_t off);
  void (*close)(exh_source *s);
  uint64_t size; /* the size expected (stat, archive header), or EXH_SIZE_UNKNOWN */
  uint64_t pos;  /* bytes delivered by read so far */
  char why[256];
};

/* An evidence file (exh__file_open's rules: no symlink followed, O_NOATIME
 * where permitted, refused if it is not the file the walk saw). NULL with a
 * reason on failure. */
exh_source *exh__source_file(const char *path, const exh_stat *expect, char *why, size_t whyn);
/* Bytes in memory, not copied: they must outlive the source. */
exh_source *exh__source_mem(const void *p, size_t n);
/* Reads until n bytes or the end: the count, or -1 on error. */
long exh__source_read_full(exh_source *s, void *buf, size_t n);
/* Reads the whole rest of the source into one heap buffer of at most max
 * bytes: 0 with *out (NUL-terminated, free() it) and *n; 1 if the source
 * holds more than max (the first max bytes are in *out); -1 on error. */
int exh__source_slurp(exh_source *s, size_t max, char **out, size_t *n);
void exh__source_close(exh_source *s);

/* Blocks of whole lines from a source, for line formats (Exchange and IIS
 * logs, JSON lines). Each block ends at a '\n' (the last one may end at the
 * source's end without one). A line longer than max_line is delivered in
 * pieces of max_line bytes and counted in cut_lines. */
typedef struct exh_lines {
  exh_source *src;
  char *buf;
  size_t cap, len, used; /* bytes held, bytes of them already delivered */
  size_t block, max_line;
  uint64_t base;         /* source offset of buf[0] */
  int eof;
  uint64_t cut_lines;
} exh_lines;

void exh__lines_init(exh_lines *r, exh_source *src, size_t block, size_t max_line);
/* Next block: 1 with its bytes and source offset; 0 at the end; -1 on a
 * read error (reason in r->src->why). The bytes stay valid until the next
 * call. */
int exh__lines_next(exh_lines *r, const char **p, size_t *n, uint64_t *off);
void exh__lines_free(exh_lines *r);

#endif
