/* Enumerates evidence below a root. Symbolic links are never followed (so
 * link loops cannot happen) and are recorded as skipped; special files are
 * recorded as skipped; unreadable folders are errors. Only files that the
 * classifier recognises are kept: the rest is counted and dropped here. */
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../core/source.h"
#include "../core/limits.h"
#include "../checks/ioc.h"
#include "../platform/platform.h"
#include "../formats/archive/archive.h"
#include "../formats/registry.h"
#include "walk.h"
#include "../core/paths.h"
#include "../util/util.h"


void exh__walk_add_error(exh_walk *w, size_t server, const char *path, const char *reason, int skipped) {
  EXH_VEC_RESERVE(w->errors, w->caperrors, w->nerrors + 1);
  exh_file_error *e = &w->errors[w->nerrors++];
  e->server = server;
  e->path = exh__xstrdup(path);
  e->reason = exh__xstrdup(reason);
  e->skipped = skipped;
}

/* Files at least this large outside the checked folders have their first
 * bytes read for the minidump signature (LSASS dumps are tens of MB) and
 * for the signatures of disk images (the cost is one open and read per
 * large file). */
#define MDMP_SNIFF_MIN (1u << 20)

static int ends_ext(const char *p, const char *ext) {
  size_t n = strlen(p), k = strlen(ext);
  return n > k && exh__strnieq(p + n - k, ext, k);
}

static int ends_log(const char *p) {
  size_t n = strlen(p);
  return n > 4 && (p[n - 4] == '.') && (p[n - 3] | 32) == 'l' && (p[n - 2] | 32) == 'o' && (p[n - 1] | 32) == 'g';
}

/* Archive names opened when met while walking (any signature libarchive
 * reads is opened when the file is named on the command line). */
static int archive_ext(const char *p) {
  static const char *const ext[] = {".zip", ".7z", ".rar", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst",
                                    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (ends_ext(p, ext[i])) return 1;
  return 0;
}

/* The first bytes of a file, read at most once and only when a test needs
 * them, opened as the scan opens evidence (no link followed, the access
 * time kept where permitted, the walk's device and inode checked). */
typedef struct sniffed {
  unsigned char *p;
  size_t n;
  int done;
} sniffed;

static const unsigned char *sniff(sniffed *h, const char *path, const exh_stat *st) {
  if (!h->done) {
    h->done = 1;
    char why[256];
    exh_source *src = exh__source_file(path, st, why, sizeof why);
    if (src) {
      h->p = exh__xmalloc(EXH_SNIFF_BYTES);
      long n = src->pread(src, h->p, EXH_SNIFF_BYTES, 0);
      h->n = n > 0 ? (size_t)n : 0;
      exh__source_close(src);
    }
  }
  return h->p;
}

static int starts_json(const sniffed *h) {
  size_t i = 0;
  while (i < h->n && (h->p[i] == ' ' || h->p[i] == '\n' || h->p[i] == '\r' || h->p[i] == '\t')) i++;
  return i < h->n && h->p[i] == '{';
}

static void push_evidence(exh_walk *w, const char *path, const char *rel, size_t server, const exh_stat *st,
                          exh_kind k, const char *sub) {
  EXH_VEC_RESERVE(w->ev, w->cap, w->n + 1);
  exh_evidence *e = &w->ev[w->n++];
  memset(e, 0, sizeof *e);
  e->path = exh__xstrdup(path);
  e->rel = exh__xstrdup(rel);
  e->server = server;
  e->kind = k;
  snprintf(e->sub, sizeof e->sub, "%s", sub);
  e->size = st->size;
  e->mtime_ms = st->mtime_ms;
  e->dev = st->dev;
  e->ino = st->ino;
  e->first_ms = e->last_ms = EXH_TIME_UNKNOWN;
}

static void add_file(exh_walk *w, const char *path, const char *rel, size_t server, const exh_stat *st) {
  w->files_seen++;
  char sub[64];
  sniffed h = {NULL, 0, 0};
  exh_kind k = exh__formats_by_path(rel[0] ? rel : path, sub, sizeof sub);
  /* A log handed over on its own, or lying where no known path leads: the
   * directives at its top say what it is. */
  if (k == EXH_KIND_NONE && (rel[0] == 0 || ends_log(path)) && sniff(&h, path, st))
    k = exh__formats_by_head(h.p, h.n);
  /* given on the command line: an archive is opened (any format libarchive
   * reads), a JSON-lines file read */
  if (rel[0] == 0 && (k == EXH_KIND_NONE || k == EXH_KIND_STAGING_ARCHIVE) && sniff(&h, path, st)) {
    if (exh__archive_sniff(path, h.p, h.n) != EXH_ARC_NONE) k = EXH_KIND_ARCHIVE;
    else if (starts_json(&h)) k = EXH_KIND_JSONEV;
  }
  if (k == EXH_KIND_NONE && rel[0] && exh__path_is_exsetup(rel) && server < w->nsrv && !w->srv[server].exsetup)
    w->srv[server].exsetup = exh__xstrdup(path);
  /* archives met on the way (a collection zipped or tarred inside the tree)
   * are opened like those named on the command line; ProgramData's .zip,
   * .7z and .rar stay Test-ProxyLogon's staging archives */
  if (k == EXH_KIND_NONE && rel[0] && archive_ext(path) && sniff(&h, path, st)) {
    exh_archive_fmt f = exh__archive_sniff(path, h.p, h.n);
    if (f != EXH_ARC_NONE && f != EXH_ARC_COMPRESSED) k = EXH_KIND_ARCHIVE;
  }
  /* containers exhunt cannot open are named, so the verdict does not count
   * them as examined (the file may still get the content checks below) */
  if (k == EXH_KIND_NONE && (st->size >= MDMP_SNIFF_MIN || exh__container_label(path, NULL, 0, 0))) {
    sniff(&h, path, st);
    const char *label = exh__container_label(path, h.p, h.n, st->size);
    if (label) {
      char *why = exh__xasprintf("%s: not opened (exhunt reads no file system inside an image: mount it read-only, "
                                "or extract the logs, event logs and web folders, and scan those)",
                                label);
      exh__walk_add_error(w, server, path, why, 0);
      free(why);
    }
  }
  if (k == EXH_KIND_NONE) {
    exh_area a = rel[0] ? exh__path_area(rel) : EXH_AREA_GIVEN;
    /* a memory dump is looked at wherever it lies: large files outside the
     * checked folders get their first bytes read */
    if (a == EXH_AREA_NONE && rel[0] && w->iocs && exh__iocset_path(w->iocs, rel)) a = EXH_AREA_ALL;
    if (a == EXH_AREA_NONE && !w->all_files && st->size >= MDMP_SNIFF_MIN && sniff(&h, path, st) && h.n >= 4 &&
        !memcmp(h.p, "MDMP", 4))
      a = EXH_AREA_ALL;
    if (a == EXH_AREA_NONE && w->all_files) a = EXH_AREA_ALL;
    if (a != EXH_AREA_NONE) {
      k = EXH_KIND_CONTENT;
      snprintf(sub, sizeof sub, "%s", exh__area_name(a));
    }
  }
  free(h.p);
  if (k == EXH_KIND_NONE) return;
  push_evidence(w, path, rel, server, st, k, sub);
  /* an archive in a web or staging folder is also a file there: its hash
   * and name are checked like any other (staged loot, a dropped kit) */
  exh_area a = k == EXH_KIND_ARCHIVE && rel[0] ? exh__path_area(rel) : EXH_AREA_NONE;
  if (a != EXH_AREA_NONE) {
    snprintf(sub, sizeof sub, "%s", exh__area_name(a));
    push_evidence(w, path, rel, server, st, EXH_KIND_CONTENT, sub);
  }
}

/* OWA keeps one folder per installed build ("owa/auth/15.1.2176.9",
 * "ClientAccess/Owa/15.1.2176.9"): a witness of the build when
 * Bin/ExSetup.exe was not collected (facts §5.2). */
static void note_build_dir(exh_walk *w, size_t server, const char *rel, const char *name) {
  if (server >= w->nsrv) return;
  int dots = 0;
  size_t n = strlen(name);
  if (n < 6 || n > 24 || name[0] != '1' || (name[1] != '4' && name[1] != '5') || name[2] != '.') return;
  for (size_t i = 0; i < n; i++) {
    if (name[i] == '.') dots++;
    else if (name[i] < '0' || name[i] > '9') return;
  }
  if (dots < 2 || dots > 3 || name[n - 1] == '.' || !exh__memimem(rel, strlen(rel), "owa/", 4)) return;
  exh_walk_server *s = &w->srv[server];
  for (size_t i = 0; i < s->nbuilds; i++)
    if (!strcmp(s->builds[i], name)) return;
  if (s->nbuilds >= 64) return;
  EXH_VEC_RESERVE(s->builds, s->capbuilds, s->nbuilds + 1);
  s->builds[s->nbuilds++] = exh__xstrdup(name);
}

/* A web or staging folder exists on this server (even if empty): the
 * coverage tells "checked, nothing there" from "not collected". */
static void note_area_dir(exh_walk *w, size_t server, const char *rel) {
  char *probe = exh__xasprintf("%s/x", rel);
  exh_area a = exh__path_area(probe);
  free(probe);
  if (a == EXH_AREA_WEB) w->srv[server].web_dirs++;
  else if (a == EXH_AREA_STAGING) w->srv[server].staging_dirs++;
}

static void walk_dir(exh_walk *w, const char *path, const char *rel, size_t server, int depth) {
  char why[256];
  if (depth > EXH_WALK_MAX_DEPTH) {
    exh__walk_add_error(w, server, path, "folder nesting deeper than 128 levels: not entered", 0);
    return;
  }
  size_t nn;
  char **names = exh__list_dir_sorted(path, &nn, why, sizeof why); /* sorted: deterministic output */
  if (!names) {
    exh__walk_add_error(w, server, path, why, 0);
    if (depth == 0 && server < w->nsrv && !w->srv[server].root_error) w->srv[server].root_error = exh__xstrdup(why);
    return;
  }
  if (depth > 0 && server < w->nsrv) note_area_dir(w, server, rel);
  for (size_t i = 0; i < nn; i++) {
    char *cp = exh__xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
    char *cr = rel[0] ? exh__xasprintf("%s/%s", rel, names[i]) : exh__xstrdup(names[i]);
    exh_stat st;
    if (exh__lstat(cp, &st, why, sizeof why) != 0) {
      exh__walk_add_error(w, server, cp, why, 0);
    } else if (st.type == EXH_FT_DIR) {
      note_build_dir(w, server, cr, names[i]);
      walk_dir(w, cp, cr, server, depth + 1);
    } else if (st.type == EXH_FT_FILE) {
      add_file(w, cp, cr, server, &st);
    } else if (st.type == EXH_FT_LINK) {
      w->files_seen++;
      exh__walk_add_error(w, server, cp, "symbolic link: not followed", 1);
    } else {
      w->files_seen++;
      exh__walk_add_error(w, server, cp, "not a regular file (device, FIFO or socket): skipped", 1);
    }
    free(cp);
    free(cr);
    free(names[i]);
  }
  free(names);
}

void exh__walk_root(exh_walk *w, const char *root, size_t server) {
  char why[256];
  if (server >= w->nsrv) {
    w->srv = exh__xrealloc(w->srv, (server + 1) * sizeof *w->srv);
    memset(w->srv + w->nsrv, 0, (server + 1 - w->nsrv) * sizeof *w->srv);
    w->nsrv = server + 1;
  }
  exh_stat st;
  /* The root itself may be a link the user chose on purpose: follow it by
   * letting the platform stat it through a trailing "/." for folders. */
  if (exh__lstat(root, &st, why, sizeof why) != 0) {
    exh__walk_add_error(w, server, root, why, 0);
    w->srv[server].root_error = exh__xstrdup(why);
    return;
  }
  if (st.type == EXH_FT_LINK) {
    char *dot = exh__xasprintf("%s/.", root);
    if (exh__lstat(dot, &st, why, sizeof why) == 0 && st.type == EXH_FT_DIR) {
      walk_dir(w, root, "", server, 0);
    } else {
      exh__walk_add_error(w, server, root, "symbolic link to a file: give the target itself", 0);
      w->srv[server].root_error = exh__xstrdup("symbolic link to a file: give the target itself");
    }
    free(dot);
    return;
  }
  if (st.type == EXH_FT_DIR) walk_dir(w, root, "", server, 0);
  else if (st.type == EXH_FT_FILE) add_file(w, root, "", server, &st);
  else {
    exh__walk_add_error(w, server, root, "not a regular file or folder", 0);
    w->srv[server].root_error = exh__xstrdup("not a regular file or folder");
  }
}
