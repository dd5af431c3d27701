/* The files format's reading (issue 4, issue 12): a file on disk or an
 * archive member is read once, through exh_source (read(), not mmap),
 * whole up to --max-content-size; its SHA-256 is computed once; and every
 * file check of checks/registry.c gets the same context: on the name and
 * place, on the whole content, or, for a file over the limit, on the bytes
 * it needs by positioned reads. Every finding on the file carries its
 * hashes (SHA-1 and MD5 too). Hashing uses OpenSSL's libcrypto. */
#include <stdlib.h>
#include <string.h>

#include "../../checks/check.h"
#include "../../checks/checks.h"
#include "../../core/paths.h"
#include "../../core/source.h"
#include "../../platform/platform.h"
#include "../../util/util.h"
#include "files.h"

static const char *ext_of(const char *path, char *buf, size_t n) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  const char *dot = strrchr(b, '.');
  size_t o = 0;
  if (dot)
    for (dot++; *dot && o + 1 < n; dot++) buf[o++] = (char)exh_lower((unsigned char)*dot);
  buf[o] = 0;
  return buf;
}

enum { PHASE_FILE, PHASE_CONTENT, PHASE_LARGE };

static void run(exh_check_ctx *c, int phase) {
  for (size_t i = 0; exh__checks[i]; i++) {
    const exh_check *k = exh__checks[i];
    void (*fn)(exh_check_ctx *) = phase == PHASE_FILE ? k->file : phase == PHASE_CONTENT ? k->content : k->large;
    if (fn) fn(c);
  }
}

void exh__detect_content_buf(exh_worker *wk, exh_evidence *ev, const uint8_t *p, size_t n) {
  char ext[16];
  ext_of(ev->path, ext, sizeof ext);
  uint8_t sha[32];
  int have_sha = n > 0 || ev->size == 0 ? exh__check_digest("sha256", p, n, sha) == 0 : 0;
  exh_check_ctx c = {wk, ev, p, n, NULL, ext, have_sha ? sha : NULL};
  run(&c, PHASE_FILE);
  run(&c, PHASE_CONTENT);
  /* every finding on a file carries its hashes */
  if (ev->nfindings > 0 && have_sha) {
    char h256[65], h1[41], h5[33];
    uint8_t d1[20], d5[16];
    exh__check_hex(sha, 32, h256);
    int ok1 = exh__check_digest("sha1", p, n, d1) == 0, ok5 = exh__check_digest("md5", p, n, d5) == 0;
    if (ok1) exh__check_hex(d1, 20, h1);
    if (ok5) exh__check_hex(d5, 16, h5);
    for (size_t i = 0; i < ev->nfindings; i++) { /* the supporting-file finding too */
      exh_finding *f = &ev->findings[i];
      if (!f->is_file || f->file_sha256) continue;
      f->file_sha256 = exh__xstrdup(h256);
      if (ok1) f->file_sha1 = exh__xstrdup(h1);
      if (ok5) f->file_md5 = exh__xstrdup(h5);
    }
  }
}

/* A file over the content limit: the checks on its name and place, and
 * those that need only some of its bytes. */
static void large(exh_worker *wk, exh_evidence *ev, exh_source *src, const uint8_t *head, size_t n) {
  char ext[16];
  ext_of(ev->path, ext, sizeof ext);
  exh_check_ctx c = {wk, ev, head, n, src, ext, NULL};
  run(&c, PHASE_FILE);
  run(&c, PHASE_LARGE);
}

static void over_limit(exh_evidence *ev, uint64_t size, int size_known, uint64_t cap) {
  if (size_known)
    exh__evidence_error(ev, "content not hashed or YARA-scanned: %llu bytes, over the limit of %llu "
                           "(--max-content-size); path and header checks done",
                       (unsigned long long)size, (unsigned long long)cap);
  else
    exh__evidence_error(ev, "content not hashed or YARA-scanned: over the limit of %llu bytes "
                           "(--max-content-size); path and header checks done",
                       (unsigned long long)cap);
  ev->skipped = 1;
}

void exh__detect_content_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  uint64_t cap = wk->lim->max_content_bytes;
  if (src->pread && src->size != EXH_SIZE_UNKNOWN && src->size > cap) {
    /* large: the path and the header checks only, by positioned reads */
    large(wk, ev, src, NULL, 0);
    over_limit(ev, src->size, 1, cap);
    return;
  }
  char *buf;
  size_t n;
  int r = exh__source_slurp(src, (size_t)cap, &buf, &n);
  if (r < 0) {
    exh__evidence_error(ev, "%s", src->why[0] ? src->why : "read error");
    return;
  }
  if (r == 1) { /* a sequential source (archive member) larger than said: its first bytes */
    large(wk, ev, NULL, (const uint8_t *)buf, n);
    over_limit(ev, src->size, src->size != EXH_SIZE_UNKNOWN && src->size > cap, cap);
  } else {
    exh__detect_content_buf(wk, ev, (const uint8_t *)buf, n);
    if ((ev->dev || ev->ino) && n < ev->size)
      exh__evidence_error(ev, "the file shrank after it was listed (%llu bytes listed, %zu read): checked as read",
                         (unsigned long long)ev->size, n);
  }
  free(buf);
}

void exh__detect_content_read(exh_worker *wk, exh_evidence *ev, const exh_source *src, const char *buf, size_t n,
                              int more) {
  uint64_t cap = wk->lim->max_content_bytes;
  if (more || n > cap) { /* as a sequential source larger than the limit: its first bytes */
    large(wk, ev, NULL, (const uint8_t *)buf, n > cap ? (size_t)cap : n);
    over_limit(ev, src->size, src->size != EXH_SIZE_UNKNOWN && src->size > cap, cap);
    return;
  }
  exh__detect_content_buf(wk, ev, (const uint8_t *)buf, n);
  if ((ev->dev || ev->ino) && n < ev->size)
    exh__evidence_error(ev, "the file shrank after it was listed (%llu bytes listed, %zu read): checked as read",
                       (unsigned long long)ev->size, n);
}

void exh__detect_content(exh_worker *wk, exh_evidence *ev) {
  if (ev->size == 0) {
    exh__detect_content_buf(wk, ev, (const uint8_t *)"", 0);
    return;
  }
  exh_source *src = exh__evidence_open(ev);
  if (!src) return;
  exh__detect_content_source(wk, ev, src);
  exh__source_close(src);
}

/* ---- the format table (format.h) ----------------------------------------- */

/* Test-ProxyLogon's "other suspicious files", by place and name: .7z/.zip/
 * .rar under ProgramData (staging), lsass*dmp under Windows/Temp or C:\root. */
static exh_kind files_by_path(const exh_path *cs, char *sub, size_t subn) {
  (void)sub, (void)subn;
  if (cs->n == 0) return EXH_KIND_NONE;
  exh_str name = cs->c[cs->n - 1];
  size_t d = exh__path_drive_start(cs);
  if (cs->n - d < 2) return EXH_KIND_NONE;
  exh_str c0 = cs->c[d];
  if (exh__path_ieq(c0, "programdata") &&
      (exh__path_ends(name, ".7z") || exh__path_ends(name, ".zip") || exh__path_ends(name, ".rar")))
    return EXH_KIND_STAGING_ARCHIVE;
  if (exh__path_lsass_dump_name(name)) {
    if (exh__path_ieq(c0, "root")) return EXH_KIND_LSASS_DUMP;
    if (cs->n - d >= 3 && exh__path_ieq(c0, "windows") && exh__path_ieq(cs->c[d + 1], "temp")) return EXH_KIND_LSASS_DUMP;
  }
  return EXH_KIND_NONE;
}

static void files_scan(exh_worker *wk, exh_evidence *ev, exh_source *src) { exh__detect_content_source(wk, ev, src); }

const exh_format exh__format_files = {
    "files",
    {EXH_KIND_CONTENT, EXH_KIND_LSASS_DUMP, EXH_KIND_STAGING_ARCHIVE, EXH_KIND_NONE},
    files_by_path,
    NULL,
    files_scan,
    exh__detect_content,
    NULL,
    NULL, 0, 0, NULL,
};
