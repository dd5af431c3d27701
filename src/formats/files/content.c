/* Content checks on files found on disk (issue 4): the path against IOC
 * paths and names; SHA-256 (and, for IOC lists that carry them or files
 * that drew a finding, SHA-1 and MD5) against IOC hashes; the Exchange
 * files against a known-good baseline of the installed build; minidumps
 * by their header; and the YARA rules (shipped ones in rules/yara, plus
 * --yara). Hashing uses OpenSSL's libcrypto (SHA-NI on this hardware).
 * Files are read through exh_source (read(), not mmap): whole up to
 * --max-content-size, else only the path and the header checks, by
 * positioned reads. */
#include <stdlib.h>
#include <string.h>

#include "../../core/source.h"
#include "../../checks/ioc.h"
#include "../../checks/pe.h"
#include "../../platform/platform.h"
#include "../../checks/checks.h"
#include "files.h"
#include "../../core/paths.h"
#include "../../util/util.h"
#include "../../checks/yara.h"

#ifdef EXH_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static const char *const t1505[] = {"T1505.003"};
static const char *const t1003[] = {"T1003.001"};
static const char *const t1588[] = {"T1588.001"};

#define FILE_RULE(name, id_, title_, desc_, level_, tech)                                                      \
  const exh_rule_info name = {.id = id_,                                                                      \
                              .title = title_,                                                                \
                              .description = desc_,                                                           \
                              .source = "builtin:detect/content.c",                                           \
                              .dataset = "exhunt.file",                                                       \
                              .level = level_,                                                                \
                              .techniques = tech,                                                             \
                              .ntechniques = 1}

FILE_RULE(exh_rule_ioc_hash, "exhunt-ioc-file-hash", "IOC: file hash on an indicator list",
          "The file's SHA-256, SHA-1 or MD5 is listed in a loaded IOC set.", EXH_LEVEL_HIGH, t1588);
FILE_RULE(exh_rule_ioc_path, "exhunt-ioc-file-path", "IOC: file path or name on an indicator list",
          "The file lies at a path (or has a name) listed in a loaded IOC set, e.g. the MSTIC web shell paths.",
          EXH_LEVEL_HIGH, t1505);
FILE_RULE(exh_rule_base_modified, "exhunt-baseline-modified", "Exchange file differs from the known-good baseline",
          "A file shipped with the installed Exchange build whose SHA-256 is not the one of the baseline.",
          EXH_LEVEL_HIGH, t1505);
FILE_RULE(exh_rule_base_unknown, "exhunt-baseline-unknown-script",
          "Server-side script unknown to the baseline of the installed build",
          "An .aspx/.ashx/.asmx/... file under the Exchange web folders that the build's baseline does not list: "
          "where ProxyLogon and ProxyShell web shells were written.",
          EXH_LEVEL_HIGH, t1505);
FILE_RULE(exh_rule_base_unknown_other, "exhunt-baseline-unknown-file", "File unknown to the baseline of the installed build",
          "A file under the Exchange web folders that the build's baseline does not list (not a server-side script).",
          EXH_LEVEL_LOW, t1505);
FILE_RULE(exh_rule_lsass_minidump, "exhunt-file-lsass-minidump", "Minidump of lsass.exe (credential dump)",
          "A Windows minidump whose first module is lsass.exe, whatever its name and place: procdump -ma lsass or "
          "comsvcs.dll MiniDump output.",
          EXH_LEVEL_HIGH, t1003);
FILE_RULE(exh_rule_minidump, "exhunt-file-minidump", "Process memory dump in a web or staging folder",
          "A Windows minidump of a process other than lsass.exe: context for a responder.", EXH_LEVEL_INFO, t1003);

static void hexs(const uint8_t *d, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) out[2 * i] = hx[d[i] >> 4], out[2 * i + 1] = hx[d[i] & 15];
  out[2 * n] = 0;
}

/* Digest of bytes; 0 on success (-1 without libcrypto). */
static int digest(const char *alg, const uint8_t *p, size_t n, uint8_t *out) {
#ifdef EXH_HAVE_OPENSSL
  const EVP_MD *md = !strcmp(alg, "sha256") ? EVP_sha256() : !strcmp(alg, "sha1") ? EVP_sha1() : EVP_md5();
  unsigned len = 0;
  return EVP_Digest(p, n, out, &len, md, NULL) == 1 ? 0 : -1;
#else
  (void)alg, (void)p, (void)n, (void)out;
  return -1;
#endif
}

typedef struct cctx {
  exh_worker *wk;
  exh_evidence *ev;
  const uint8_t *p;
  size_t n;
  size_t first; /* index of this pass's first finding in ev->findings */
} cctx;

static exh_finding *file_finding(cctx *c, const exh_rule_info *ri, exh_level lv, char *message) {
  exh_finding *f = exh_evidence_new_finding(c->wk, c->ev);
  if (!f) {
    free(message);
    return NULL;
  }
  f->rule = ri;
  f->level = lv;
  f->server = c->ev->server;
  f->dataset = "exhunt.file";
  f->time_ms = c->ev->mtime_ms;
  f->is_file = 1;
  f->path = exh_xstrdup(c->ev->path);
  f->file_size = c->ev->size;
  f->file_mtime_ms = c->ev->mtime_ms;
  f->message = message;
  return f;
}

static const char *shown_path(const exh_evidence *ev) { return ev->rel[0] ? ev->rel : ev->path; }

static void set_ioc(exh_finding *f, const exh_ioc *io) {
  f->ioc_value = exh_xstrdup(io->value);
  f->ioc_source = exh_xstrdup(io->source);
  f->ioc_type = exh_ioc_type_name(io->type);
}

static void check_path(cctx *c, const exh_iocset *iocs) {
  const exh_ioc *io = exh_iocset_path(iocs, shown_path(c->ev));
  if (!io) return;
  exh_finding *f = file_finding(c, &exh_rule_ioc_path, exh_rule_ioc_path.level,
                                exh_xasprintf("%s: %s matches %s indicator '%s' (%s%s%s)", exh_rule_ioc_path.title,
                                              shown_path(c->ev), exh_ioc_type_name(io->type), io->value, io->source,
                                              io->label ? ", " : "", io->label ? io->label : ""));
  if (f) set_ioc(f, io);
}

static void check_minidump(cctx *c) {
  char name[128];
  if (!exh_minidump_process(c->p, c->n, name, sizeof name)) return;
  int lsass = !strcmp(name, "lsass.exe");
  if (!lsass && c->ev->kind == EXH_KIND_CONTENT && !strcmp(c->ev->sub, "all")) return;
  const exh_rule_info *ri = lsass ? &exh_rule_lsass_minidump : &exh_rule_minidump;
  file_finding(c, ri, ri->level,
               exh_xasprintf("%s: %s (process image %s, %llu bytes)", ri->title, shown_path(c->ev),
                             name[0] ? name : "not named in the dump", (unsigned long long)c->ev->size));
}

static void on_yara(void *ctx, const exh_rule_info *ri, uint64_t off, const char *sid) {
  cctx *c = ctx;
  exh_finding *f = file_finding(c, ri, ri->level,
                                exh_xasprintf("%s: %s (string %s at offset %llu)", ri->title, shown_path(c->ev),
                                              sid[0] ? sid : "-", (unsigned long long)off));
  if (!f) return;
  f->offset = off;
  /* the bytes around the match, escaped later by each report */
  if (off < c->n) {
    size_t s = off > 64 ? (size_t)off - 64 : 0, e = (size_t)off + 192 < c->n ? (size_t)off + 192 : c->n;
    f->evidence = exh_xstrndup((const char *)c->p + s, e - s);
    f->evidence_len = e - s;
  }
}

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

static int server_script(const char *ext) {
  static const char *const s[] = {"aspx", "ashx", "asmx", "asax", "ascx", "asp", "cshtml", "master", "svc", "config", NULL};
  for (const char *const *e = s; *e; e++)
    if (!strcmp(*e, ext)) return 1;
  return 0;
}

static void check_baseline(cctx *c, const exh_baseline *b, const uint8_t sha[32], const char *ext) {
  const char *rel = c->ev->rel;
  size_t off = exh_path_install_rel(rel);
  if (off == (size_t)-1 || !exh_baseline_covers_ext(b, ext)) return;
  const char *build = c->wk->server_builds ? c->wk->server_builds[c->ev->server] : NULL;
  if (build && !exh_baseline_has_build(b, build)) return; /* said once per server by detect/build.c */
  char norm[1024];
  exh_path_normalise(rel + off, norm, sizeof norm, 1);
  int r = exh_baseline_check(b, build, norm, sha);
  if (r == 0) return;
  const exh_rule_info *ri = r == 1 ? &exh_rule_base_modified
                            : server_script(ext) ? &exh_rule_base_unknown
                                                 : &exh_rule_base_unknown_other;
  file_finding(c, ri, ri->level,
               exh_xasprintf("%s: %s (%s %s)", ri->title, shown_path(c->ev),
                             build ? "build" : "no build known; checked against every loaded baseline", build ? build : ""));
}

void exh_detect_content_buf(exh_worker *wk, exh_evidence *ev, const uint8_t *p, size_t n) {
  const exh_iocset *iocs = exh_ruleset_iocs(wk->rs);
  const exh_baseline *base = exh_ruleset_baseline(wk->rs);
  const exh_yara *yara = exh_ruleset_yara(wk->rs);
  cctx c = {wk, ev, p, n, ev->nfindings};
  check_path(&c, iocs);
  check_minidump(&c);
  uint8_t sha[32];
  int have_sha = n > 0 || ev->size == 0 ? digest("sha256", p, n, sha) == 0 : 0;
  if (have_sha) {
    const exh_ioc *io = exh_iocset_hash(iocs, EXH_IOC_SHA256, sha);
    if (io) {
      exh_finding *f = file_finding(&c, &exh_rule_ioc_hash, exh_rule_ioc_hash.level,
                                    exh_xasprintf("%s: %s has SHA-256 %s (%s%s%s)", exh_rule_ioc_hash.title,
                                                  shown_path(ev), io->value, io->source, io->label ? ", " : "",
                                                  io->label ? io->label : ""));
      if (f) set_ioc(f, io);
    }
  }
  static const struct {
    exh_ioc_type t;
    const char *alg;
    size_t len;
  } more[] = {{EXH_IOC_SHA1, "sha1", 20}, {EXH_IOC_MD5, "md5", 16}};
  for (size_t k = 0; k < 2; k++) {
    uint8_t d[32];
    if (!exh_iocset_has_hashes(iocs, more[k].t) || digest(more[k].alg, p, n, d)) continue;
    const exh_ioc *io = exh_iocset_hash(iocs, more[k].t, d);
    if (!io) continue;
    exh_finding *f = file_finding(&c, &exh_rule_ioc_hash, exh_rule_ioc_hash.level,
                                  exh_xasprintf("%s: %s has %s %s (%s%s%s)", exh_rule_ioc_hash.title, shown_path(ev),
                                                more[k].alg, io->value, io->source, io->label ? ", " : "",
                                                io->label ? io->label : ""));
    if (f) set_ioc(f, io);
  }
  char ext[16];
  ext_of(ev->path, ext, sizeof ext);
  if (base && have_sha && ev->rel[0]) check_baseline(&c, base, sha, ext);
  if (yara && exh_yara_count(yara)) {
    if (!wk->yscan) wk->yscan = exh_yara_scanner_new(yara, (int)(wk->lim->max_file_seconds > 0 ? wk->lim->max_file_seconds : 60));
    if (wk->yscan) {
      const char *name = strrchr(ev->path, '/');
      name = name ? name + 1 : ev->path;
      exh_yara_file yf = {name, ev->path, ext, ext};
      char why[160];
      if (exh_yara_scan(wk->yscan, p, n, &yf, on_yara, &c, why, sizeof why) && !ev->error) ev->error = exh_xstrdup(why);
    }
  }
  /* every finding on a file carries its hashes */
  if (ev->nfindings > 0 && have_sha) {
    char h256[65], h1[41], h5[33];
    uint8_t d1[20], d5[16];
    hexs(sha, 32, h256);
    int ok1 = digest("sha1", p, n, d1) == 0, ok5 = digest("md5", p, n, d5) == 0;
    if (ok1) hexs(d1, 20, h1);
    if (ok5) hexs(d5, 16, h5);
    for (size_t i = 0; i < ev->nfindings; i++) { /* the supporting-file finding too */
      exh_finding *f = &ev->findings[i];
      if (!f->is_file || f->file_sha256) continue;
      f->file_sha256 = exh_xstrdup(h256);
      if (ok1) f->file_sha1 = exh_xstrdup(h1);
      if (ok5) f->file_md5 = exh_xstrdup(h5);
    }
  }
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static int pread_all(exh_source *s, void *buf, size_t n, uint64_t off) {
  return s->pread(s, buf, n, off) == (long)n ? 0 : -1;
}

/* The minidump check on a file too large to read whole: the few bytes the
 * module-list reader needs (header, stream directory, first module, its
 * name) are read by position, wherever they lie, and laid out as a small
 * minidump for exh_minidump_process, so both paths give the same answer. */
static void check_minidump_pread(cctx *c, exh_source *src) {
  uint8_t hdr[32];
  if (pread_all(src, hdr, sizeof hdr, 0) || memcmp(hdr, "MDMP", 4)) return;
  /* header (32) | directory entry (12) | module count + first module (28) | name (4 + len) */
  uint8_t mini[32 + 12 + 28 + 4 + 2048];
  memset(mini, 0, sizeof mini);
  memcpy(mini, "MDMP", 4);
  put32(mini + 12, 32); /* the directory right after the header */
  size_t used = 32;
  uint32_t nstreams = le32(hdr + 8), dir = le32(hdr + 12);
  if (nstreams > 1024) nstreams = 1024;
  for (uint32_t i = 0; i < nstreams; i++) {
    uint8_t e[12], mod[28], len4[4];
    if (pread_all(src, e, sizeof e, (uint64_t)dir + (uint64_t)i * 12)) break;
    if (le32(e) != 4) continue; /* ModuleListStream */
    put32(mini + 8, 1);
    memcpy(mini + 32, e, 12);
    put32(mini + 32 + 8, 44);
    used = 44;
    uint32_t rva = le32(e + 8);
    if (pread_all(src, mod, sizeof mod, rva)) break;
    memcpy(mini + 44, mod, sizeof mod);
    put32(mini + 44 + 24, 72);
    used = 72;
    uint32_t name_rva = le32(mod + 24);
    if (pread_all(src, len4, 4, name_rva)) break;
    uint32_t len = le32(len4);
    memcpy(mini + 72, len4, 4);
    used = 76;
    if (len <= 2048 && pread_all(src, mini + 76, len, (uint64_t)name_rva + 4) == 0) used = 76 + len;
    break;
  }
  c->p = mini;
  c->n = used;
  check_minidump(c);
  c->p = NULL;
  c->n = 0;
}

static void over_limit(exh_evidence *ev, uint64_t size, int size_known, uint64_t cap) {
  if (size_known)
    exh_evidence_error(ev, "content not hashed or YARA-scanned: %llu bytes, over the limit of %llu "
                           "(--max-content-size); path and header checks done",
                       (unsigned long long)size, (unsigned long long)cap);
  else
    exh_evidence_error(ev, "content not hashed or YARA-scanned: over the limit of %llu bytes "
                           "(--max-content-size); path and header checks done",
                       (unsigned long long)cap);
  ev->skipped = 1;
}

void exh_detect_content_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  uint64_t cap = wk->lim->max_content_bytes;
  if (src->pread && src->size != EXH_SIZE_UNKNOWN && src->size > cap) {
    /* large: the path and the header checks only, by positioned reads */
    cctx c = {wk, ev, NULL, 0, ev->nfindings};
    check_path(&c, exh_ruleset_iocs(wk->rs));
    check_minidump_pread(&c, src);
    over_limit(ev, src->size, 1, cap);
    return;
  }
  char *buf;
  size_t n;
  int r = exh_source_slurp(src, (size_t)cap, &buf, &n);
  if (r < 0) {
    exh_evidence_error(ev, "%s", src->why[0] ? src->why : "read error");
    return;
  }
  if (r == 1) { /* a sequential source (archive member) larger than said */
    cctx c = {wk, ev, (const uint8_t *)buf, n, ev->nfindings};
    check_path(&c, exh_ruleset_iocs(wk->rs));
    check_minidump(&c);
    over_limit(ev, src->size, src->size != EXH_SIZE_UNKNOWN && src->size > cap, cap);
  } else {
    exh_detect_content_buf(wk, ev, (const uint8_t *)buf, n);
    if ((ev->dev || ev->ino) && n < ev->size)
      exh_evidence_error(ev, "the file shrank after it was listed (%llu bytes listed, %zu read): checked as read",
                         (unsigned long long)ev->size, n);
  }
  free(buf);
}

void exh_detect_content(exh_worker *wk, exh_evidence *ev) {
  if (ev->kind == EXH_KIND_LSASS_DUMP || ev->kind == EXH_KIND_STAGING_ARCHIVE) exh_detect_file(wk, ev);
  if (ev->size == 0) {
    exh_detect_content_buf(wk, ev, (const uint8_t *)"", 0);
    return;
  }
  char why[256];
  exh_stat st;
  memset(&st, 0, sizeof st);
  st.type = EXH_FT_FILE;
  st.size = ev->size;
  st.mtime_ms = ev->mtime_ms;
  st.dev = ev->dev;
  st.ino = ev->ino;
  exh_source *src = exh_source_file(ev->path, ev->dev || ev->ino ? &st : NULL, why, sizeof why);
  if (!src) {
    exh_evidence_error(ev, "%s", why);
    return;
  }
  exh_detect_content_source(wk, ev, src);
  exh_source_close(src);
}

/* ---- the format table (format.h) ----------------------------------------- */

/* Test-ProxyLogon's "other suspicious files", by place and name: .7z/.zip/
 * .rar under ProgramData (staging), lsass*dmp under Windows/Temp or C:\root. */
static exh_kind files_by_path(const exh_path *cs, char *sub, size_t subn) {
  (void)sub, (void)subn;
  if (cs->n == 0) return EXH_KIND_NONE;
  exh_str name = cs->c[cs->n - 1];
  size_t d = exh_path_drive_start(cs);
  if (cs->n - d < 2) return EXH_KIND_NONE;
  exh_str c0 = cs->c[d];
  if (exh_path_ieq(c0, "programdata") &&
      (exh_path_ends(name, ".7z") || exh_path_ends(name, ".zip") || exh_path_ends(name, ".rar")))
    return EXH_KIND_STAGING_ARCHIVE;
  if (exh_path_lsass_dump_name(name)) {
    if (exh_path_ieq(c0, "root")) return EXH_KIND_LSASS_DUMP;
    if (cs->n - d >= 3 && exh_path_ieq(c0, "windows") && exh_path_ieq(cs->c[d + 1], "temp")) return EXH_KIND_LSASS_DUMP;
  }
  return EXH_KIND_NONE;
}

/* A member or any source: the supporting-file check first when the place
 * and name make it one, then the content checks. */
static void files_scan(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  if (ev->kind != EXH_KIND_CONTENT) exh_detect_file(wk, ev);
  exh_detect_content_source(wk, ev, src);
}

const exh_format exh_format_files = {
    "files",
    {EXH_KIND_CONTENT, EXH_KIND_LSASS_DUMP, EXH_KIND_STAGING_ARCHIVE, EXH_KIND_NONE},
    files_by_path,
    NULL,
    files_scan,
    exh_detect_content,
};
