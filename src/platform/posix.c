/* POSIX implementation of the platform layer. */
#define _GNU_SOURCE
#include "platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

/* Evidence is opened read-only, without updating its access time where the
 * kernel allows it (O_NOATIME needs ownership: EPERM falls back), and
 * without blocking on a FIFO. */
static int open_evidence(const char *path) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
#ifdef O_NOATIME
  int fd = open(path, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = open(path, flags);
  return fd;
#else
  return open(path, flags);
#endif
}

struct exh_file {
  int fd;
  int noatime;
  uint64_t size;
};

exh_file *exh__file_open(const char *path, const exh_stat *expect, char *why, size_t whyn) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW;
  int noatime = 0, fd = -1;
#ifdef O_NOATIME
  fd = open(path, flags | O_NOATIME);
  if (fd >= 0) noatime = 1;
  else if (errno == EPERM) fd = open(path, flags);
#else
  fd = open(path, flags);
#endif
  if (fd < 0) {
    if (errno == ELOOP) snprintf(why, whyn, "symbolic link: not followed");
    else snprintf(why, whyn, "cannot open: %s", strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(why, whyn, "cannot stat: %s", strerror(errno));
    close(fd);
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, whyn, "not a regular file");
    close(fd);
    return NULL;
  }
  if (expect && (expect->dev != (uint64_t)st.st_dev || expect->ino != (uint64_t)st.st_ino)) {
    snprintf(why, whyn, "replaced between the walk and the read (another file is at this path now): not read");
    close(fd);
    return NULL;
  }
  /* blocking reads from here on (regular files never block anyway) */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  exh_file *f = exh__xmalloc(sizeof *f);
  f->fd = fd;
  f->noatime = noatime;
  f->size = (uint64_t)st.st_size;
  return f;
}

long exh__file_read(exh_file *f, void *buf, size_t n, char *why, size_t whyn) {
  for (;;) {
    ssize_t r = read(f->fd, buf, n);
    if (r >= 0) return (long)r;
    if (errno == EINTR) continue;
    snprintf(why, whyn, "read error: %s", strerror(errno));
    return -1;
  }
}

long exh__file_pread(exh_file *f, void *buf, size_t n, uint64_t off, char *why, size_t whyn) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(f->fd, (char *)buf + got, n - got, (off_t)(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      snprintf(why, whyn, "read error: %s", strerror(errno));
      return -1;
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  return (long)got;
}

uint64_t exh__file_size(const exh_file *f) { return f->size; }
int exh__file_atime_kept(const exh_file *f) { return f->noatime; }

void exh__file_close(exh_file *f) {
  if (!f) return;
  close(f->fd);
  free(f);
}

long exh__read_head(const char *path, char *buf, size_t n) {
  int fd = open_evidence(path);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return -1;
  }
  ssize_t r;
  do r = pread(fd, buf, n, 0);
  while (r < 0 && errno == EINTR);
  close(fd);
  return (long)r;
}

static int stat_of(const struct stat *s, exh_stat *st);

int exh__lstat(const char *path, exh_stat *st, char *why, size_t whyn) {
  struct stat s;
  if (lstat(path, &s) != 0) {
    snprintf(why, whyn, "cannot stat: %s", strerror(errno));
    return -1;
  }
  return stat_of(&s, st);
}

int exh__stat(const char *path, exh_stat *st, char *why, size_t whyn) {
  struct stat s;
  if (stat(path, &s) != 0) {
    snprintf(why, whyn, "cannot stat: %s", strerror(errno));
    return -1;
  }
  return stat_of(&s, st);
}

static int stat_of(const struct stat *sp, exh_stat *st) {
  const struct stat s = *sp;
  st->type = S_ISREG(s.st_mode) ? EXH_FT_FILE
             : S_ISDIR(s.st_mode) ? EXH_FT_DIR
             : S_ISLNK(s.st_mode) ? EXH_FT_LINK
                                  : EXH_FT_OTHER;
  st->size = (uint64_t)s.st_size;
  st->mtime_ms = (int64_t)s.st_mtim.tv_sec * 1000 + s.st_mtim.tv_nsec / 1000000;
  st->dev = (uint64_t)s.st_dev;
  st->ino = (uint64_t)s.st_ino;
  return 0;
}

int exh__list_dir(const char *path, exh_dir_fn fn, void *ctx, char *why, size_t whyn) {
  DIR *d = opendir(path);
  if (!d) {
    snprintf(why, whyn, "cannot read folder: %s", strerror(errno));
    return -1;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0)))
      continue;
    fn(ctx, e->d_name);
  }
  closedir(d);
  return 0;
}

typedef struct names {
  char **v;
  size_t n, cap;
} names;

static void collect(void *ctx, const char *name) {
  names *ns = ctx;
  EXH_VEC_RESERVE(ns->v, ns->cap, ns->n + 1);
  ns->v[ns->n++] = exh__xstrdup(name);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

char **exh__list_dir_sorted(const char *path, size_t *n, char *why, size_t whyn) {
  names ns = {0};
  *n = 0;
  if (exh__list_dir(path, collect, &ns, why, whyn) != 0) return NULL;
  if (ns.n > 1) qsort(ns.v, ns.n, sizeof *ns.v, cmp_name);
  *n = ns.n;
  return ns.v ? ns.v : exh__xcalloc(1, sizeof(char *));
}

/* ---- report files -------------------------------------------------------- */

struct exh_outfile {
  FILE *f;
  char *tmp;  /* temporary name, NULL when written directly */
  char *path;
};

/* 1 if `p` (resolved) is `root` (resolved) or lies below it. */
static int below(const char *p, const char *root) {
  size_t n = strlen(root);
  if (n == 1 && root[0] == '/') return 1;
  return !strncmp(p, root, n) && (p[n] == 0 || p[n] == '/');
}

exh_outfile *exh__outfile_open(const char *path, const char *const *roots, size_t nroots, char *why, size_t whyn) {
  char *dir = exh__xstrdup(path), *rdir = NULL, *rtarget = NULL;
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : path;
  if (slash) *slash = 0;
  if (!base[0]) {
    snprintf(why, whyn, "%s names a folder, not a file", path);
    free(dir);
    return NULL;
  }
  rdir = realpath(slash ? (dir[0] ? dir : "/") : ".", NULL);
  if (!rdir) {
    snprintf(why, whyn, "cannot write %s: %s", path, strerror(errno));
    free(dir);
    return NULL;
  }
  struct stat tst;
  int exists = stat(path, &tst) == 0; /* follows a link: the file it leads to */
  if (exists) rtarget = realpath(path, NULL);
  char *named = exh__xasprintf("%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", base);
  int refuse = 0;
  for (size_t i = 0; i < nroots && !refuse; i++) {
    char *rr = realpath(roots[i], NULL);
    struct stat rst;
    if (!rr || stat(rr, &rst) != 0) {
      free(rr);
      continue;
    }
    if (S_ISDIR(rst.st_mode)) {
      refuse = below(rdir, rr) || (rtarget && below(rtarget, rr));
    } else {
      refuse = !strcmp(named, rr) || (rtarget && !strcmp(rtarget, rr)) ||
               (exists && tst.st_dev == rst.st_dev && tst.st_ino == rst.st_ino);
    }
    free(rr);
  }
  free(named);
  free(rtarget);
  exh_outfile *o = NULL;
  if (refuse) {
    snprintf(why, whyn, "refusing to write %s: it is, or is inside, a scanned path (evidence is never modified)", path);
  } else if (exists && !S_ISREG(tst.st_mode)) {
    FILE *f = fopen(path, "w");
    if (!f) snprintf(why, whyn, "cannot write %s: %s", path, strerror(errno));
    else {
      o = exh__xcalloc(1, sizeof *o);
      o->f = f;
      o->path = exh__xstrdup(path);
    }
  } else {
    char *tmp = exh__xasprintf("%s%s.%s.exhunt-tmp-XXXXXX", slash ? dir : "", slash ? "/" : "", base);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
      snprintf(why, whyn, "cannot write in the folder of %s: %s", path, strerror(errno));
      if (fd >= 0) {
        close(fd);
        unlink(tmp);
      }
      free(tmp);
    } else {
      o = exh__xcalloc(1, sizeof *o);
      o->f = f;
      o->tmp = tmp;
      o->path = exh__xstrdup(path);
    }
  }
  free(dir);
  free(rdir);
  return o;
}

FILE *exh__outfile_stream(exh_outfile *o) { return o->f; }

int exh__outfile_commit(exh_outfile *o, char *why, size_t whyn) {
  int rc = 0;
  if (fflush(o->f) != 0 || ferror(o->f)) {
    snprintf(why, whyn, "cannot write %s: %s", o->path, strerror(errno));
    rc = -1;
  } else if (o->tmp && fsync(fileno(o->f)) != 0) {
    snprintf(why, whyn, "cannot write %s: %s", o->path, strerror(errno));
    rc = -1;
  }
  if (fclose(o->f) != 0 && rc == 0) {
    snprintf(why, whyn, "cannot write %s: %s", o->path, strerror(errno));
    rc = -1;
  }
  if (o->tmp) {
    if (rc == 0 && rename(o->tmp, o->path) != 0) {
      snprintf(why, whyn, "cannot put the report at %s: %s", o->path, strerror(errno));
      rc = -1;
    }
    if (rc != 0) unlink(o->tmp);
  }
  free(o->tmp);
  free(o->path);
  free(o);
  return rc;
}

void exh__outfile_abort(exh_outfile *o) {
  if (!o) return;
  fclose(o->f);
  if (o->tmp) unlink(o->tmp);
  free(o->tmp);
  free(o->path);
  free(o);
}

struct exh_thread {
  pthread_t t;
};

exh_thread *exh__thread_start(void *(*fn)(void *), void *arg) {
  exh_thread *t = malloc(sizeof *t); /* NULL, never an unwind: threads may already run */
  if (!t) return NULL;
  if (pthread_create(&t->t, NULL, fn, arg) != 0) {
    free(t);
    return NULL;
  }
  return t;
}

void exh__thread_join(exh_thread *t) {
  if (!t) return;
  pthread_join(t->t, NULL);
  free(t);
}

int exh__cpu_count(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

struct exh_mutex {
  pthread_mutex_t m;
};

exh_mutex *exh__mutex_new(void) {
  exh_mutex *m = exh__xmalloc(sizeof *m);
  pthread_mutex_init(&m->m, NULL);
  return m;
}
void exh__mutex_lock(exh_mutex *m) { pthread_mutex_lock(&m->m); }
void exh__mutex_unlock(exh_mutex *m) { pthread_mutex_unlock(&m->m); }
void exh__mutex_free(exh_mutex *m) {
  if (!m) return;
  pthread_mutex_destroy(&m->m);
  free(m);
}

struct exh_cond {
  pthread_cond_t c;
};

exh_cond *exh__cond_new(void) {
  exh_cond *c = exh__xmalloc(sizeof *c);
  pthread_cond_init(&c->c, NULL);
  return c;
}

void exh__cond_wait(exh_cond *c, exh_mutex *m) { pthread_cond_wait(&c->c, &m->m); }
void exh__cond_broadcast(exh_cond *c) { pthread_cond_broadcast(&c->c); }

void exh__cond_free(exh_cond *c) {
  if (!c) return;
  pthread_cond_destroy(&c->c);
  free(c);
}

int exh__stderr_is_tty(void) { return isatty(2); }

double exh__monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double exh__thread_cpu_s(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the build id (the rule cache's key: docs/rules.md) ------------------ */

typedef struct bid_ctx {
  uintptr_t addr;
  unsigned char *out;
  size_t max, n;
} bid_ctx;

static int bid_cb(struct dl_phdr_info *info, size_t size, void *vctx) {
  (void)size;
  bid_ctx *c = vctx;
  int mine = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = (uintptr_t)(info->dlpi_addr + ph->p_vaddr);
    if (ph->p_type == PT_LOAD && c->addr >= lo && c->addr < lo + ph->p_memsz) mine = 1;
  }
  if (!mine) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE) continue;
    const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
    while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
      const ElfW(Nhdr) *nh = (const void *)p;
      size_t name = ((size_t)nh->n_namesz + 3) & ~(size_t)3, desc = ((size_t)nh->n_descsz + 3) & ~(size_t)3;
      if ((size_t)(end - p) - sizeof *nh < name + nh->n_descsz) break;
      const unsigned char *d = p + sizeof *nh + name;
      if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(p + sizeof *nh, "GNU", 4)) {
        c->n = nh->n_descsz < c->max ? nh->n_descsz : c->max;
        memcpy(c->out, d, c->n);
        return 1;
      }
      if ((size_t)(end - d) < desc) break;
      p = d + desc;
    }
  }
  return 1;
}

size_t exh__build_id(const void *addr, unsigned char *out, size_t max) {
  bid_ctx c = {(uintptr_t)addr, out, max, 0};
  dl_iterate_phdr(bid_cb, &c);
  return c.n;
}
