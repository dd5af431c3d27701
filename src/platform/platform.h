/* The platform layer: everything that differs between POSIX and Windows
 * lives behind these few calls (posix.c today; a win32.c later). */
#ifndef EXH_PLATFORM_H
#define EXH_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Bytes in memory seen as a whole file (the scanners' _map/_buf entry
 * points for fuzz targets and tests). Evidence is never mapped: files are
 * read with read() (exh_file below), so a file truncated while it is read
 * gives a short read, never SIGBUS. */
typedef struct exh_map {
  const char *data;
  size_t size;
  int mapped; /* always 0: kept for the callers that still carry it */
} exh_map;

/* Reads up to n bytes from the start of a regular file (read-only, never
 * blocks on a FIFO). Returns the count, or -1. */
long exh__read_head(const char *path, char *buf, size_t n);

typedef enum exh_ftype { EXH_FT_FILE, EXH_FT_DIR, EXH_FT_LINK, EXH_FT_OTHER } exh_ftype;

typedef struct exh_stat {
  exh_ftype type;
  uint64_t size;
  int64_t mtime_ms;
  uint64_t dev, ino;
} exh_stat;

/* An evidence file open for sequential or positioned reads. Reading with
 * read() into the caller's buffers (not mmap) means a log truncated or
 * rotated while it is read (a live server) gives a short read or an error,
 * never SIGBUS. */
typedef struct exh_file exh_file;
/* Opens a regular file read-only: a final symbolic link is not followed
 * (O_NOFOLLOW), the access time is kept where the kernel permits it
 * (O_NOATIME needs the file's owner or CAP_FOWNER; otherwise the open is
 * retried without it and exh__file_atime_kept says so), a FIFO never blocks.
 * With `expect` (the walk's lstat), a file that is no longer the one the
 * walk saw (another device or inode: swapped between the walk and the open)
 * is refused. NULL with a reason on failure. */
exh_file *exh__file_open(const char *path, const exh_stat *expect, char *why, size_t whyn);
/* Sequential read: bytes read, 0 at the end, -1 on error (reason in why). */
long exh__file_read(exh_file *f, void *buf, size_t n, char *why, size_t whyn);
/* Positioned read (does not move the sequential position). */
long exh__file_pread(exh_file *f, void *buf, size_t n, uint64_t off, char *why, size_t whyn);
/* Size when opened. */
uint64_t exh__file_size(const exh_file *f);
/* 1 if the file was opened with O_NOATIME (its access time is not changed). */
int exh__file_atime_kept(const exh_file *f);
void exh__file_close(exh_file *f);

/* lstat(): does not follow symbolic links. */
int exh__lstat(const char *path, exh_stat *st, char *why, size_t whyn);
/* stat(): follows them (a path the user named). */
int exh__stat(const char *path, exh_stat *st, char *why, size_t whyn);

/* Lists one directory. Calls fn for each entry except "." and "..". Returns
 * -1 with a reason if the directory cannot be read. */
typedef void (*exh_dir_fn)(void *ctx, const char *name);
int exh__list_dir(const char *path, exh_dir_fn fn, void *ctx, char *why, size_t whyn);
/* The names of one directory sorted bytewise (deterministic output), or
 * NULL with a reason. The caller frees each name and the array. */
char **exh__list_dir_sorted(const char *path, size_t *n, char *why, size_t whyn);

/* A report file: written beside the evidence, never into it. Refused (NULL
 * with a reason) when the path, its links resolved, lies inside a folder
 * root or is a file root (same path, or the same file by device and inode).
 * A regular file is written to a new temporary file in the target's folder
 * (owner-only permissions: reports quote evidence) and renamed over the
 * target on commit, so an existing file at the path, even a hard or
 * symbolic link to evidence, is replaced as a name, never written into.
 * A special file (a terminal, /dev/null, a pipe) is written directly. */
typedef struct exh_outfile exh_outfile;
exh_outfile *exh__outfile_open(const char *path, const char *const *roots, size_t nroots, char *why, size_t whyn);
FILE *exh__outfile_stream(exh_outfile *o);
/* Flushes, syncs, closes and renames into place: 0, or -1 with a reason
 * (a full disk shows here). The temporary file is removed on failure. */
int exh__outfile_commit(exh_outfile *o, char *why, size_t whyn);
/* Closes and removes the temporary file. */
void exh__outfile_abort(exh_outfile *o);

/* Threads. */
typedef struct exh_thread exh_thread;
exh_thread *exh__thread_start(void *(*fn)(void *), void *arg);
void exh__thread_join(exh_thread *t);
int exh__cpu_count(void);

typedef struct exh_mutex exh_mutex;
exh_mutex *exh__mutex_new(void);
void exh__mutex_lock(exh_mutex *m);
void exh__mutex_unlock(exh_mutex *m);
void exh__mutex_free(exh_mutex *m);

typedef struct exh_cond exh_cond;
exh_cond *exh__cond_new(void);
void exh__cond_wait(exh_cond *c, exh_mutex *m);
void exh__cond_broadcast(exh_cond *c);
void exh__cond_free(exh_cond *c);

int exh__stderr_is_tty(void);
/* The GNU build id of the loaded object that holds `addr` (the library, or
 * the program it is linked into): its length, 0 when it has none. */
size_t exh__build_id(const void *addr, unsigned char *out, size_t max);
double exh__monotonic_s(void);
/* CPU seconds the calling thread has used (EXHUNT_TIMING). */
double exh__thread_cpu_s(void);
#define EXH_PATH_SEP '/'

#endif
