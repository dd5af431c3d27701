/* Enumerates evidence below a root. Symbolic links are never followed (so
 * link loops cannot happen) and are recorded as skipped; special files are
 * recorded as skipped; unreadable folders are errors. Only files that the
 * classifier recognises are kept: the rest is counted and dropped here. */
#include <setjmp.h>
#include <stdatomic.h>
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

/* ---- the parallel walk (declarations; the walk itself is at the end) ------
 * With several threads, each folder below a root is walked as a task of
 * its own: a task's walker writes what it finds into segments, each ended
 * where a subfolder was handed over as a task, so the merge (segments and
 * tasks in the serial walk's order) gives the same evidence, errors and
 * server notes in the same order as one thread. Notes on a server (its
 * ExSetup.exe, OWA build folders, web and staging folders, the root's
 * error) are kept as notes and applied in that order at the merge. */
typedef enum { NOTE_EXSETUP, NOTE_BUILD, NOTE_WEB, NOTE_STAGING, NOTE_ROOT_ERROR, NOTE_OTHER } note_kind;
typedef struct exh_wnote {
  note_kind kind;
  size_t server;
  char *text;
  uint64_t n; /* NOTE_WEB: the web root's bit; NOTE_OTHER: files */
} exh_wnote;

static void note(exh_walk *w, note_kind kind, size_t server, const char *text) {
  EXH_VEC_RESERVE(w->notes, w->capnotes, w->nnotes + 1);
  w->notes[w->nnotes++] = (exh_wnote){kind, server, text ? exh__xstrdup(text) : NULL, 0};
}

/* A file left without content checks (outside the checked folders, no
 * --all-files): counted per server for the coverage; one note per run of
 * such files in the parallel walk. */
static void note_other(exh_walk *w, size_t server) {
  if (server >= w->nsrv) return;
  if (!w->par) {
    w->srv[server].other_files++;
    return;
  }
  if (w->nnotes && w->notes[w->nnotes - 1].kind == NOTE_OTHER && w->notes[w->nnotes - 1].server == server) {
    w->notes[w->nnotes - 1].n++;
    return;
  }
  note(w, NOTE_OTHER, server, NULL);
  w->notes[w->nnotes - 1].n = 1;
}

static void spawn(exh_walk *w, const char *path, const char *rel, size_t server, int depth);

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
  if (k == EXH_KIND_ARCHIVE) /* a zip of several servers: its members go to theirs */
    for (size_t i = 0; i < w->nzsplits; i++)
      if (w->zsplits[i].path && !strcmp(w->zsplits[i].path, path)) {
        e->splits = w->zsplits[i].splits;
        e->nsplits = w->zsplits[i].nsplits;
        e->server = e->splits[0].server;
        w->zsplits[i].splits = NULL;
        free(w->zsplits[i].path);
        w->zsplits[i].path = NULL;
      }
}

/* Names the follow-on ransomware gives its notes and encrypted files
 * (rules/yara/followon.yar): DearCry's readme.txt and .CRYPT files, Black
 * Kingdom's decrypt_file.TxT. Such files get the content checks wherever
 * they lie, with no read to decide it (docs/coverage.md: cheap checks). */
static int ransom_name(const char *rel, uint64_t size) {
  const char *b = strrchr(rel, '/');
  b = b ? b + 1 : rel;
  if (ends_ext(b, ".crypt")) return 1;
  return size < (64u << 10) && (exh__strnieq(b, "readme.txt", 11) || exh__strnieq(b, "decrypt_file.txt", 17));
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
  if (k == EXH_KIND_NONE && rel[0] && exh__path_is_exsetup(rel) && server < w->nsrv && !w->srv[server].exsetup) {
    if (w->par) note(w, NOTE_EXSETUP, server, path); /* the first in the walk's order is kept */
    else w->srv[server].exsetup = exh__xstrdup(path);
  }
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
    if (a == EXH_AREA_NONE && rel[0] && ransom_name(rel, st->size)) a = EXH_AREA_ALL;
    if (a == EXH_AREA_NONE && w->all_files) a = EXH_AREA_ALL;
    if (a != EXH_AREA_NONE) {
      k = EXH_KIND_CONTENT;
      snprintf(sub, sizeof sub, "%s", exh__area_name(a));
    }
  }
  free(h.p);
  if (k == EXH_KIND_NONE) {
    if (rel[0]) note_other(w, server);
    return;
  }
  push_evidence(w, path, rel, server, st, k, sub);
  /* an archive in a web or staging folder is also a file there: its hash
   * and name are checked like any other (staged loot, a dropped kit) */
  exh_area a = k == EXH_KIND_ARCHIVE && rel[0] ? exh__path_area(rel) : EXH_AREA_NONE;
  if (a != EXH_AREA_NONE) {
    snprintf(sub, sizeof sub, "%s", exh__area_name(a));
    push_evidence(w, path, rel, server, st, EXH_KIND_CONTENT, sub);
  }
}

static void add_build(exh_walk_server *s, const char *name);

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
  if (w->par) {
    note(w, NOTE_BUILD, server, name);
    return;
  }
  add_build(&w->srv[server], name);
}

static void add_build(exh_walk_server *s, const char *name) {
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
  int root = a == EXH_AREA_WEB ? exh__path_web_root(probe) : -1;
  free(probe);
  if (w->par && (a == EXH_AREA_WEB || a == EXH_AREA_STAGING)) {
    note(w, a == EXH_AREA_WEB ? NOTE_WEB : NOTE_STAGING, server, NULL);
    if (root >= 0) w->notes[w->nnotes - 1].n = 1u << root;
  } else if (a == EXH_AREA_WEB) {
    w->srv[server].web_dirs++;
    if (root >= 0) w->srv[server].web_roots |= 1u << root;
  } else if (a == EXH_AREA_STAGING) w->srv[server].staging_dirs++;
}

/* The server a discovered collection root stands for, or (size_t)-1. */
static size_t found_server(const exh_walk *w, const char *path) {
  for (size_t i = 0; i < w->nfound; i++)
    if (!strcmp(w->found[i].path, path)) return w->found[i].server;
  return (size_t)-1;
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
    if (depth == 0 && server < w->nsrv && !w->srv[server].root_error) {
      if (w->par) note(w, NOTE_ROOT_ERROR, server, why);
      else w->srv[server].root_error = exh__xstrdup(why);
    }
    return;
  }
  if (depth > 0 && server < w->nsrv) note_area_dir(w, server, rel);
  w->dirs_seen++;
  for (size_t i = 0; i < nn; i++) {
    if (w->tick) w->tick(w);
    char *cp = exh__xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
    char *cr = rel[0] ? exh__xasprintf("%s/%s", rel, names[i]) : exh__xstrdup(names[i]);
    exh_stat st;
    if (exh__lstat(cp, &st, why, sizeof why) != 0) {
      exh__walk_add_error(w, server, cp, why, 0);
    } else if (st.type == EXH_FT_DIR) {
      size_t fs = w->nfound && depth <= EXH_DISCOVER_MAX_DEPTH ? found_server(w, cp) : (size_t)-1;
      if (fs != (size_t)-1) { /* a server's collection: its paths start there */
        if (w->par) spawn(w, cp, "", fs, depth + 1);
        else walk_dir(w, cp, "", fs, depth + 1);
      } else {
        note_build_dir(w, server, cr, names[i]);
        if (w->par) spawn(w, cp, cr, server, depth + 1); /* another thread may walk it */
        else walk_dir(w, cp, cr, server, depth + 1);
      }
    } else if (st.type == EXH_FT_FILE) {
      size_t fs = w->nfound && depth <= EXH_DISCOVER_MAX_DEPTH ? found_server(w, cp) : (size_t)-1;
      if (fs != (size_t)-1) {
        w->files_seen++; /* a zipped collection: opened as its server's evidence */
        push_evidence(w, cp, names[i], fs, &st, EXH_KIND_ARCHIVE, "");
      } else {
        add_file(w, cp, cr, server, &st);
      }
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

/* ---- servers found, not assumed (docs/fleet.md) ------------------------------
 * Below each root, every server's collection is found before the walk: a
 * Velociraptor collection (a folder holding uploads/), a drive copy (a
 * folder holding a drive, "C", "C%3A", "%5C%5C.%5CC%3A", a shadow copy's
 * device, or the drive's top folders: Windows, Program Files, ProgramData,
 * inetpub, Users), an Exchange install copy (V15, V14, Exchange Server),
 * and zips lying beside them. From where the marker is, the collection's
 * folder is the nearest one up whose name is not part of a system path or
 * of a collector's layout (uploads/auto/ntfs, collections/F.x, C.x client
 * folders). Two or more found below a root: each is one server (folders of
 * one host name are one server: two flows, two drives); the root keeps the
 * files lying outside them. One or none: the root is the one server, as
 * given. */

static int ieq(const char *a, const char *b) { return exh__strieq((exh_str){a, strlen(a)}, b); }

static int dir_entry(const char *dir, const char *name) {
  char *p = exh__xasprintf("%s/%s", dir, name);
  exh_stat st;
  char why[128];
  int r = exh__lstat(p, &st, why, sizeof why) == 0 && st.type == EXH_FT_DIR;
  free(p);
  return r;
}

static int marker_name(const char *name) {
  static const char *const m[] = {"windows", "program files", "program files (x86)", "programdata", "inetpub",
                                  "users", "v15", "v14", "exchange server", "uploads"};
  exh_str c = {name, strlen(name)};
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (exh__path_ieq(c, m[i])) return 1;
  return exh__path_is_drive(c) && strlen(name) > 1; /* "C" alone is too common a folder name */
}

/* Velociraptor's ids: a client "C.0123456789abcdef", a flow "F.C2V..." */
static int velociraptor_id(const char *n, char kind) {
  if (n[0] != kind || n[1] != '.' || strlen(n) < 6) return 0;
  for (const char *p = n + 2; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return 0;
  return 1;
}

/* A folder name that belongs to a system path or a collector's layout, not
 * to a collection: climbed over to find the collection's folder. */
static int layout_name(const char *name) {
  static const char *const m[] = {"uploads", "auto", "ntfs", "lazy_ntfs", "mft", "file", "collections",
                                  "clients", "microsoft", "exchange server", "program files", "v15", "v14",
                                  "tout"}; /* KAPE's documented target destination */
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
    if (ieq(name, m[i])) return 1;
  exh_str c = {name, strlen(name)};
  return exh__path_is_drive(c) || velociraptor_id(name, 'F');
}

static int archive_name(const char *p) {
  static const char *const ext[] = {".zip", ".7z", ".tar", ".tgz", ".tar.gz", ".tar.zst", ".tar.xz"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (ends_ext(p, ext[i])) return 1;
  return 0;
}

typedef struct cands {
  char **p;
  size_t n, cap;
} cands;

static void cand_add(cands *c, const char *path) {
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->p[i], path)) return;
  if (c->n >= EXH_MAX_SERVERS) return;
  EXH_VEC_RESERVE(c->p, c->cap, c->n + 1);
  c->p[c->n++] = exh__xstrdup(path);
}

/* From the folder holding a marker up to the collection's folder, never
 * above the root. */
static char *climb(const char *root, const char *dir) {
  char *d = exh__xstrdup(dir);
  size_t rn = strlen(root);
  for (int step = 0; strlen(d) > rn; step++) {
    char *slash = strrchr(d, '/');
    if (!slash || (size_t)(slash - d) < rn) break;
    /* a one-letter folder is a drive only where the system's folders are */
    if (!layout_name(slash + 1) || (step > 0 && strlen(slash + 1) == 1)) break;
    *slash = 0;
  }
  return d;
}

static void discover(const char *root, const char *dir, int depth, cands *c) {
  size_t nn;
  char why[256];
  char **names = exh__list_dir_sorted(dir, &nn, why, sizeof why);
  if (!names) return;
  int here = 0;
  for (size_t i = 0; i < nn && !here; i++)
    if (marker_name(names[i]) && dir_entry(dir, names[i])) here = 1;
  if (here) {
    char *top = climb(root, dir);
    cand_add(c, top);
    free(top);
  } else if (depth < EXH_DISCOVER_MAX_DEPTH) {
    for (size_t i = 0; i < nn; i++) {
      if (names[i][0] == '.') continue;
      char *cp = exh__xasprintf("%s/%s", dir, names[i]);
      exh_stat st;
      if (exh__lstat(cp, &st, why, sizeof why) == 0) {
        if (st.type == EXH_FT_DIR) discover(root, cp, depth + 1, c);
        else if (st.type == EXH_FT_FILE && depth < 3 && archive_name(names[i]) && st.size > 0) cand_add(c, cp);
      }
      free(cp);
    }
  }
  for (size_t i = 0; i < nn; i++) free(names[i]);
  free(names);
}

/* Velociraptor's client_info.json names the host ("Hostname", "Fqdn"): in
 * the collection's folder or one of the two above it (a hunt export keeps
 * it beside the client's collections). */
static char *client_hostname(const char *root, const char *dir) {
  char *d = exh__xstrdup(dir);
  char *name = NULL;
  for (int up = 0; up < 3 && !name && strlen(d) >= strlen(root); up++) {
    char *p = exh__xasprintf("%s/client_info.json", d);
    FILE *f = fopen(p, "rb");
    free(p);
    if (f) {
      char buf[8192];
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = 0;
      const char *k = exh__memimem(buf, n, "\"hostname\"", 10);
      if (k) {
        const char *v = k + 10;
        while (*v == ' ' || *v == ':' || *v == '\t' || *v == '\n' || *v == '\r') v++;
        if (*v == '"') {
          const char *e = ++v;
          while (*e && *e != '"' && *e != '\\' && (unsigned char)*e >= 0x20 && e - v < 255) e++;
          if (*e == '"' && e > v) name = exh__xstrndup(v, (size_t)(e - v));
        }
      }
    }
    char *slash = strrchr(d, '/');
    if (!slash) break;
    *slash = 0;
  }
  free(d);
  return name;
}

/* A collection's name from its folder or zip: "EXCH01-C.0123456789abcdef"
 * (a hunt export's host-client folder) gives EXCH01, a collector's zip
 * "Collection-EXCH01-2024-03-05T10_00_00Z.zip" gives EXCH01. */
static char *folder_name(const char *path, int is_file, int *named) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  char *n = exh__xstrdup(b);
  size_t len = strlen(n);
  if (is_file) {
    static const char *const ext[] = {".tar.gz", ".tar.zst", ".tar.xz", ".zip", ".7z", ".tar", ".tgz"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
      if (ends_ext(n, ext[i])) {
        n[len - strlen(ext[i])] = 0;
        break;
      }
    /* KAPE's --zip: "2021-03-05T100000_EXCH01.zip" (its time, then the name) */
    size_t d = 0;
    while (d < 4 && n[d] >= '0' && n[d] <= '9') d++;
    if (d == 4 && strlen(n) > 12 && n[4] == '-' && n[7] == '-' && n[10] == 'T') {
      char *u = strchr(n + 11, '_');
      size_t k = 11;
      while (u && n + k < u && n[k] >= '0' && n[k] <= '9') k++;
      if (u && n + k == u && u[1]) memmove(n, u + 1, strlen(u + 1) + 1);
    }
    if (!strncmp(n, "Collection-", 11)) { /* Velociraptor's offline collector names its zip after the host */
      memmove(n, n + 11, strlen(n + 11) + 1);
      *named = 1;
    }
    char *t = strstr(n, "-20"); /* "-2024-03-05T..." */
    if (t && t > n && strlen(t) >= 11 && t[5] == '-' && t[8] == '-') *t = 0;
  }
  char *c = strstr(n, "-C.");
  if (c && c > n && velociraptor_id(c + 1, 'C')) *c = 0;
  return n;
}

static size_t new_server(exh_walk *w, const char *root, char *name, int named, size_t given, int discovered) {
  w->srv = exh__xrealloc(w->srv, (w->nsrv + 1) * sizeof *w->srv);
  exh_walk_server *s = &w->srv[w->nsrv];
  memset(s, 0, sizeof *s);
  s->root = exh__xstrdup(root);
  s->name = name;
  s->named = named;
  s->given = given;
  s->discovered = discovered;
  return w->nsrv++;
}

static char *root_base(const char *root) {
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/') n--;
  const char *s = root + n;
  while (s > root && s[-1] != '/') s--;
  return exh__xstrndup(s, (size_t)(root + n - s));
}

/* ---- collections inside one zip (a hunt download zipped whole) ----------
 * The same markers, read from the members' names: each name's first marker
 * component, climbed back over layout names, gives its collection's prefix.
 * Two or more prefixes: each is a server; the zip's members go to the one
 * of the longest prefix of their name (formats/archive). */
typedef struct zdisc {
  char **p;
  size_t n, cap;
} zdisc;

static void zname(void *ctx, const char *name) {
  zdisc *z = ctx;
  exh_path cs;
  exh__path_split(name, &cs);
  size_t k = 0;
  for (; k + 1 < cs.n; k++) { /* a folder component, not the file itself */
    char c[256];
    size_t n = cs.c[k].n < sizeof c - 1 ? cs.c[k].n : sizeof c - 1;
    memcpy(c, cs.c[k].p, n);
    c[n] = 0;
    if (marker_name(c)) break;
    if (n == 1 && k + 2 < cs.n) { /* "C" before the system's folders */
      char d[256];
      size_t m = cs.c[k + 1].n < sizeof d - 1 ? cs.c[k + 1].n : sizeof d - 1;
      memcpy(d, cs.c[k + 1].p, m);
      d[m] = 0;
      if (marker_name(d)) break;
    }
  }
  if (k + 1 >= cs.n) {
    /* no system folder above it: a collection zipped inside the zip
     * ("EXCH01.zip", "dc-east/Collection-EXCH02-....zip"), found as the
     * discovery finds zips lying in folders; its members are named
     * "EXCH01.zip!..." (formats/archive), so its prefix ends with '!' */
    if (cs.n <= 3 && archive_name(name) && z->n < EXH_MAX_SERVERS) {
      char *pre = exh__xasprintf("%s!", name);
      for (size_t i = 0; i < z->n && pre; i++)
        if (!strcmp(z->p[i], pre)) free(pre), pre = NULL;
      if (pre) {
        EXH_VEC_RESERVE(z->p, z->cap, z->n + 1);
        z->p[z->n++] = pre;
      }
    }
    return;
  }
  for (int step = 0; k > 0; step++) { /* climb over the collectors' layout names */
    char c[256];
    size_t n = cs.c[k - 1].n < sizeof c - 1 ? cs.c[k - 1].n : sizeof c - 1;
    memcpy(c, cs.c[k - 1].p, n);
    c[n] = 0;
    if (!layout_name(c) || (step > 0 && n == 1)) break;
    k--;
  }
  /* the prefix as the name writes it, up to and with its separator */
  size_t len = k ? (size_t)(cs.c[k].p - name) : 0;
  for (size_t i = 0; i < z->n; i++)
    if (strlen(z->p[i]) == len && !strncmp(z->p[i], name, len)) return;
  if (z->n >= EXH_MAX_SERVERS) return;
  EXH_VEC_RESERVE(z->p, z->cap, z->n + 1);
  z->p[z->n++] = exh__xstrndup(name, len);
}

static size_t new_server(exh_walk *w, const char *root, char *name, int named, size_t given, int discovered);

/* Looks inside a zip for several collections; 1 when it made servers. */
static int zip_servers(exh_walk *w, const char *path, size_t given) {
  exh_stat st;
  char why[256];
  /* zip and 7z keep their directory apart (read without the data); a tar
   * would be read through once more just for its names: not looked into */
  if (exh__lstat(path, &st, why, sizeof why) != 0 || st.type != EXH_FT_FILE || !(ends_ext(path, ".zip") || ends_ext(path, ".7z")))
    return 0;
  zdisc z = {NULL, 0, 0};
  exh__archive_names(path, &st, zname, &z, EXH_ARCHIVE_MAX_INDEX);
  /* a zip inside a collection's folder is the collection's ("EXCH01/notes.zip",
   * KAPE's "EXCH01/<time>_EXCH01.zip" beside nothing else is one) */
  size_t kept = 0;
  for (size_t i = 0; i < z.n; i++) {
    size_t pn = strlen(z.p[i]);
    int inside = 0;
    for (size_t j = 0; j < z.n && !inside && pn && z.p[i][pn - 1] == '!'; j++) {
      size_t qn = strlen(z.p[j]);
      inside = j != i && qn && z.p[j][qn - 1] != '!' && qn < pn && !strncmp(z.p[i], z.p[j], qn);
    }
    if (inside) free(z.p[i]);
    else z.p[kept++] = z.p[i];
  }
  z.n = kept;
  int empty = 0;
  for (size_t i = 0; i < z.n; i++) empty |= z.p[i][0] == 0;
  if (z.n < 2 || empty) { /* one collection, or the zip is one */
    for (size_t i = 0; i < z.n; i++) free(z.p[i]);
    free(z.p);
    return 0;
  }
  struct exh_split *sp = exh__xcalloc(z.n, sizeof *sp);
  for (size_t i = 0; i < z.n; i++) {
    char last = z.p[i][strlen(z.p[i]) - 1];
    char *pre = exh__xstrndup(z.p[i], strlen(z.p[i]) - (last == '/' || last == '\\' || last == '!'));
    char *root = exh__xasprintf("%s!%s", path, pre);
    int named = 0;
    char *name = folder_name(pre, last == '!', &named);
    for (char *q = name; *q; q++)
      if (*q == '\\') *q = '/';
    char *base = strrchr(name, '/') ? exh__xstrdup(strrchr(name, '/') + 1) : exh__xstrdup(name);
    free(name);
    sp[i].prefix = z.p[i];
    sp[i].server = new_server(w, root, base, 0, given, 1);
    free(root);
    free(pre);
  }
  free(z.p);
  w->zsplits = exh__xrealloc(w->zsplits, (w->nzsplits + 1) * sizeof *w->zsplits);
  w->zsplits[w->nzsplits].path = exh__xstrdup(path);
  w->zsplits[w->nzsplits].splits = sp;
  w->zsplits[w->nzsplits++].nsplits = z.n;
  return 1;
}

static void walk_given(exh_walk *w, const char *root, size_t server);

void exh__walk_root(exh_walk *w, const char *root, size_t given) {
  size_t server = new_server(w, root, root_base(root), 0, given, 0);
  exh_stat st;
  char why[256];
  cands c = {NULL, 0, 0};
  if (exh__lstat(root, &st, why, sizeof why) == 0 && (st.type == EXH_FT_DIR || st.type == EXH_FT_LINK)) {
    char *r = exh__xstrdup(root);
    size_t rn = strlen(r);
    while (rn > 1 && r[rn - 1] == '/') r[--rn] = 0;
    discover(r, r, 0, &c);
    if (c.n == 1) { /* one collection: the root is the server; its host name still names it */
      char *h = client_hostname(r, c.p[0]);
      if (h) {
        free(w->srv[server].name);
        w->srv[server].name = h;
        w->srv[server].named = 1;
      }
    }
    free(r);
  }
  size_t first = w->nfound;
  if (exh__lstat(root, &st, why, sizeof why) == 0 && st.type == EXH_FT_FILE) zip_servers(w, root, given);
  if (c.n == 1) zip_servers(w, c.p[0], given); /* one zip below the root: several servers inside? */
  if (c.n >= 2) {
    for (size_t i = 0; i < c.n; i++) {
      exh_stat cs;
      int is_file = exh__lstat(c.p[i], &cs, why, sizeof why) == 0 && cs.type == EXH_FT_FILE;
      char *h = is_file ? NULL : client_hostname(root, c.p[i]);
      int named = h != NULL;
      char *name = h ? h : folder_name(c.p[i], is_file, &named);
      size_t s = (size_t)-1;
      for (size_t k = first; k < w->nfound && s == (size_t)-1; k++) /* one host name, one server */
        if (ieq(w->srv[w->found[k].server].name, name)) s = w->found[k].server;
      if (s == (size_t)-1) s = new_server(w, c.p[i], name, named, given, 1);
      else free(name);
      if (is_file && zip_servers(w, c.p[i], given)) w->srv[s].discovered = 0; /* its servers are inside */
      EXH_VEC_RESERVE(w->found, w->capfound, w->nfound + 1);
      w->found[w->nfound].path = c.p[i];
      w->found[w->nfound++].server = s;
    }
    free(c.p);
  } else {
    for (size_t i = 0; i < c.n; i++) free(c.p[i]);
    free(c.p);
  }
  walk_given(w, root, server);
  for (size_t i = first; i < w->nfound; i++) free(w->found[i].path);
  w->nfound = first;
}

/* After every root: a root whose collections took all its evidence is not
 * a server of its own (nothing of it would be reported but emptiness). */
void exh__walk_finish(exh_walk *w) {
  size_t *map = exh__xcalloc(w->nsrv ? w->nsrv : 1, sizeof *map);
  int *keep = exh__xcalloc(w->nsrv ? w->nsrv : 1, sizeof *keep);
  for (size_t s = 0; s < w->nsrv; s++) keep[s] = w->srv[s].discovered || w->srv[s].root_error;
  for (size_t i = 0; i < w->n; i++) keep[w->ev[i].server] = 1;
  for (size_t i = 0; i < w->nerrors; i++) keep[w->errors[i].server] = 1;
  for (size_t s = 0; s < w->nsrv; s++)
    if (!w->srv[s].discovered) {
      int split = 0; /* did collections come out of this root? */
      for (size_t t = 0; t < w->nsrv; t++)
        if (w->srv[t].discovered && w->srv[t].given == w->srv[s].given) split = 1;
      if (!split) keep[s] = 1; /* a root stays a server even when it held nothing */
    }
  size_t n = 0;
  for (size_t s = 0; s < w->nsrv; s++) {
    if (keep[s]) {
      map[s] = n;
      w->srv[n++] = w->srv[s];
    } else {
      free(w->srv[s].root);
      free(w->srv[s].name);
      free(w->srv[s].exsetup);
      for (size_t k = 0; k < w->srv[s].nbuilds; k++) free(w->srv[s].builds[k]);
      free(w->srv[s].builds);
    }
  }
  for (size_t i = 0; i < w->n; i++) {
    w->ev[i].server = map[w->ev[i].server];
    for (size_t k = 0; k < w->ev[i].nsplits; k++) w->ev[i].splits[k].server = map[w->ev[i].splits[k].server];
  }
  for (size_t i = 0; i < w->nerrors; i++) w->errors[i].server = map[w->errors[i].server];
  w->nsrv = n;
  free(w->found);
  w->found = NULL;
  w->capfound = 0;
  for (size_t i = 0; i < w->nzsplits; i++) { /* zips never pushed (unreadable after all) */
    free(w->zsplits[i].path);
    for (size_t k = 0; w->zsplits[i].splits && k < w->zsplits[i].nsplits; k++) free(w->zsplits[i].splits[k].prefix);
    free(w->zsplits[i].splits);
  }
  free(w->zsplits);
  w->zsplits = NULL;
  w->nzsplits = 0;
  free(map);
  free(keep);
}

static void walk_top(exh_walk *w, const char *root, size_t server);

static void walk_given(exh_walk *w, const char *root, size_t server) {
  char why[256];
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
      walk_top(w, root, server);
    } else {
      exh__walk_add_error(w, server, root, "symbolic link to a file: give the target itself", 0);
      w->srv[server].root_error = exh__xstrdup("symbolic link to a file: give the target itself");
    }
    free(dot);
    return;
  }
  if (st.type == EXH_FT_DIR) walk_top(w, root, server);
  else if (st.type == EXH_FT_FILE) add_file(w, root, "", server, &st);
  else {
    exh__walk_add_error(w, server, root, "not a regular file or folder", 0);
    w->srv[server].root_error = exh__xstrdup("not a regular file or folder");
  }
}

/* ---- the parallel walk ------------------------------------------------------ */

typedef struct wtask wtask;

/* What a task's walker found up to a subfolder handed over (child), or to
 * the task's end (child NULL). */
typedef struct wseg {
  exh_evidence *ev;
  size_t n;
  exh_file_error *errors;
  size_t nerrors;
  exh_wnote *notes;
  size_t nnotes;
  uint64_t files_seen, dirs_seen;
  wtask *child;
} wseg;

struct wtask {
  char *path, *rel;
  size_t server;
  int depth;
  wseg *seg;
  size_t nseg, capseg;
  wtask *next; /* in the queue */
};

typedef struct wshared {
  exh_walk *base;     /* read only while the threads walk (its servers, collections) */
  exh_mutex *mu;
  exh_cond *cv;
  wtask *queue;       /* tasks not started (a stack), guarded by mu */
  size_t pending;     /* tasks queued or being walked, guarded by mu */
  size_t waiting;     /* threads waiting for a task, guarded by mu */
  int stop, fail;     /* an allocation failed in a thread (its guard's code), guarded by mu */
  atomic_uint_fast64_t entries, dirs; /* progress only */
  uint64_t files0, dirs0;             /* the base's counts before this root */
} wshared;

/* A walker's part in it: the shared state, its task, and whether it is
 * the calling thread (the only one that prints progress). */
typedef struct exh_wpar {
  wshared *sh;
  wtask *task;
  int main;
} exh_wpar;

/* The walker's findings so far become a segment of its task, followed by
 * `child`; the walker starts empty again. */
static void cut(exh_walk *w, wtask *child) {
  wtask *t = w->par->task;
  EXH_VEC_RESERVE(t->seg, t->capseg, t->nseg + 1);
  t->seg[t->nseg++] = (wseg){w->ev, w->n, w->errors, w->nerrors, w->notes, w->nnotes, w->files_seen, w->dirs_seen, child};
  w->ev = NULL, w->n = w->cap = 0;
  w->errors = NULL, w->nerrors = w->caperrors = 0;
  w->notes = NULL, w->nnotes = w->capnotes = 0;
  w->files_seen = w->dirs_seen = 0;
}

static void spawn(exh_walk *w, const char *path, const char *rel, size_t server, int depth) {
  wshared *sh = w->par->sh;
  wtask *t = exh__xcalloc(1, sizeof *t);
  t->path = exh__xstrdup(path);
  t->rel = exh__xstrdup(rel);
  t->server = server;
  t->depth = depth;
  cut(w, t);
  exh__mutex_lock(sh->mu);
  t->next = sh->queue;
  sh->queue = t;
  sh->pending++;
  if (sh->waiting) exh__cond_broadcast(sh->cv);
  exh__mutex_unlock(sh->mu);
}

/* Progress from the walkers: entries and folders counted across threads,
 * printed by the calling thread's. */
static void par_tick(exh_walk *w) {
  wshared *sh = w->par->sh;
  uint64_t e = atomic_fetch_add_explicit(&sh->entries, 1, memory_order_relaxed) + 1;
  if (!w->par->main) return;
  exh_walk *b = sh->base;
  b->files_seen = sh->files0 + e;
  b->dirs_seen = sh->dirs0 + atomic_load_explicit(&sh->dirs, memory_order_relaxed);
  b->tick(b);
  b->files_seen = sh->files0, b->dirs_seen = sh->dirs0;
}

static void run_task(wshared *sh, wtask *t, int main) {
  exh_walk *b = sh->base;
  exh_wpar par = {sh, t, main};
  exh_walk tw;
  memset(&tw, 0, sizeof tw);
  tw.all_files = b->all_files;
  tw.iocs = b->iocs;
  tw.srv = b->srv;
  tw.nsrv = b->nsrv;
  tw.found = b->found;
  tw.nfound = b->nfound;
  tw.tick = b->tick ? par_tick : NULL;
  tw.par = &par;
  if (b->tick) atomic_fetch_add_explicit(&sh->dirs, 1, memory_order_relaxed);
  walk_dir(&tw, t->path, t->rel, t->server, t->depth);
  cut(&tw, NULL);
  free(t->path);
  free(t->rel);
  t->path = t->rel = NULL;
}

typedef struct wthread {
  wshared *sh;
  int main;
} wthread;

/* Takes tasks until none is queued or being walked. An allocation that
 * fails stops every thread; the calling thread then fails the same way. */
static void *walk_worker(void *arg) {
  wthread *th = arg;
  wshared *sh = th->sh;
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) {
    exh__mutex_lock(sh->mu);
    if (!sh->fail) sh->fail = g.code;
    sh->stop = 1;
    exh__cond_broadcast(sh->cv);
    exh__mutex_unlock(sh->mu);
    return NULL;
  }
  for (;;) {
    exh__mutex_lock(sh->mu);
    while (!sh->queue && sh->pending && !sh->stop) {
      sh->waiting++;
      exh__cond_wait(sh->cv, sh->mu);
      sh->waiting--;
    }
    wtask *t = sh->stop ? NULL : sh->queue;
    if (t) sh->queue = t->next;
    exh__mutex_unlock(sh->mu);
    if (!t) break;
    run_task(sh, t, th->main);
    exh__mutex_lock(sh->mu);
    if (--sh->pending == 0 && sh->waiting) exh__cond_broadcast(sh->cv);
    exh__mutex_unlock(sh->mu);
  }
  exh__guard_pop(&g);
  return NULL;
}

static void apply_note(exh_walk *w, exh_wnote *n) {
  exh_walk_server *s = &w->srv[n->server];
  switch (n->kind) {
  case NOTE_EXSETUP:
    if (!s->exsetup) s->exsetup = n->text, n->text = NULL;
    break;
  case NOTE_BUILD:
    add_build(s, n->text);
    break;
  case NOTE_WEB:
    s->web_dirs++;
    s->web_roots |= (uint32_t)n->n;
    break;
  case NOTE_OTHER:
    s->other_files += n->n;
    break;
  case NOTE_STAGING:
    s->staging_dirs++;
    break;
  case NOTE_ROOT_ERROR:
    if (!s->root_error) s->root_error = n->text, n->text = NULL;
    break;
  }
  free(n->text);
}

/* What the tasks found, in all (the merge reserves it at once: an evidence
 * record is large, and growing by doubling would copy them twice more). */
static void count_task(const wtask *t, size_t *nev, size_t *nerr) {
  for (size_t i = 0; i < t->nseg; i++) {
    *nev += t->seg[i].n;
    *nerr += t->seg[i].nerrors;
    if (t->seg[i].child) count_task(t->seg[i].child, nev, nerr);
  }
}

/* The tasks' segments appended in the serial walk's order. */
static void merge_task(exh_walk *w, wtask *t) {
  for (size_t i = 0; i < t->nseg; i++) {
    wseg *g = &t->seg[i];
    if (g->n) {
      EXH_VEC_RESERVE(w->ev, w->cap, w->n + g->n); /* reserved: no copy */
      memcpy(w->ev + w->n, g->ev, g->n * sizeof *g->ev);
      w->n += g->n;
    }
    if (g->nerrors) {
      EXH_VEC_RESERVE(w->errors, w->caperrors, w->nerrors + g->nerrors);
      memcpy(w->errors + w->nerrors, g->errors, g->nerrors * sizeof *g->errors);
      w->nerrors += g->nerrors;
    }
    for (size_t k = 0; k < g->nnotes; k++) apply_note(w, &g->notes[k]);
    w->files_seen += g->files_seen;
    w->dirs_seen += g->dirs_seen;
    free(g->ev);
    free(g->errors);
    free(g->notes);
    if (g->child) merge_task(w, g->child);
  }
  free(t->seg);
  free(t);
}

/* A root folder: walked by w->threads threads (the calling thread is one)
 * when asked; zips of several servers' collections (their members handed
 * to servers as they are met) keep the serial walk. */
static void walk_top(exh_walk *w, const char *root, size_t server) {
  int nt = w->threads < 64 ? w->threads : 64;
  if (nt <= 1 || w->nzsplits) {
    walk_dir(w, root, "", server, 0);
    return;
  }
  wshared sh;
  memset(&sh, 0, sizeof sh);
  sh.base = w;
  sh.files0 = w->files_seen;
  sh.dirs0 = w->dirs_seen;
  atomic_init(&sh.entries, 0);
  atomic_init(&sh.dirs, 0);
  sh.mu = exh__mutex_new();
  sh.cv = exh__cond_new();
  wtask *top = exh__xcalloc(1, sizeof *top);
  top->path = exh__xstrdup(root);
  top->rel = exh__xstrdup("");
  top->server = server;
  sh.queue = top;
  sh.pending = 1;
  wthread *ta = exh__xcalloc((size_t)nt, sizeof *ta);
  exh_thread **th = exh__xcalloc((size_t)nt, sizeof *th);
  for (int i = 0; i < nt; i++) ta[i] = (wthread){&sh, i == 0};
  for (int i = 1; i < nt; i++) th[i] = exh__thread_start(walk_worker, &ta[i]);
  walk_worker(&ta[0]);
  for (int i = 1; i < nt; i++) exh__thread_join(th[i]);
  free(th);
  free(ta);
  exh__mutex_free(sh.mu);
  exh__cond_free(sh.cv);
  if (sh.fail) exh__guard_fail(sh.fail); /* what the threads held is not freed (util.h, guards) */
  size_t nev = 0, nerr = 0;
  count_task(top, &nev, &nerr);
  if (w->n + nev > w->cap) {
    w->ev = exh__xrealloc(w->ev, (w->n + nev) * sizeof *w->ev);
    w->cap = w->n + nev;
  }
  if (w->nerrors + nerr > w->caperrors) {
    w->errors = exh__xrealloc(w->errors, (w->nerrors + nerr) * sizeof *w->errors);
    w->caperrors = w->nerrors + nerr;
  }
  merge_task(w, top);
}
