/* Archives read from any source (issue 11): formats libarchive writes here
 * (7-Zip, zip, tar, cpio; compressed or not) scanned from memory and from a
 * source that can only be read in order; damaged and truncated archives
 * give an error on the archive, never a crash; an archive replaced after
 * the walk is refused. The zip-specific cases (names, encryption, hostile
 * zips) are in tests/e2e/collections.py. */
#include <archive.h>
#include <archive_entry.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/source.h"
#include "platform/platform.h"
#include "scan/scan.h"
#include "util/util.h"
#include "formats/archive/archive.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static exh_worker wk; /* one for the whole run, as a scan thread keeps its own */

#define LOG_NAME "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030107-1.LOG"
#define LOG_TEXT                                                                                                  \
  "DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n#Software: Microsoft Exchange Server\r\n"                  \
  "#Version: 15.01.2176.002\r\n#Fields: DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n"                      \
  "2021-03-01T07:00:00.000Z,10.0.0.1,user@contoso.com,/owa/\r\n"                                                 \
  "2021-03-01T07:45:05.891Z,142.4.110.34,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n"
#define SHELL_NAME "C/inetpub/wwwroot/aspnet_client/s.aspx"
#define SHELL_TEXT "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>"

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  return 0;
}

static int teardown(void **st) {
  (void)st;
  exh__worker_fini(&wk);
  exh_ruleset_free(rs);
  return 0;
}

/* An archive in memory, written by libarchive. */
static char *write_archive(int format, int filter, size_t *n) {
  size_t cap = 1 << 20;
  char *buf = malloc(cap);
  struct archive *a = archive_write_new();
  assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
  if (filter != ARCHIVE_FILTER_NONE) assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
  assert_int_equal(archive_write_open_memory(a, buf, cap, n), ARCHIVE_OK);
  const char *names[] = {LOG_NAME, SHELL_NAME}, *texts[] = {LOG_TEXT, SHELL_TEXT};
  for (int i = 0; i < 2; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_size(e, (la_int64_t)strlen(texts[i]));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1614585600, 0);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, texts[i], strlen(texts[i])), (la_ssize_t)strlen(texts[i]));
    archive_entry_free(e);
  }
  assert_int_equal(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  return buf;
}

/* A source that gives at most `step` bytes a call and has no pread. */
typedef struct dribble {
  exh_source s;
  const char *p;
  size_t n, step;
} dribble;

static long dribble_read(exh_source *s, void *buf, size_t n) {
  dribble *d = (dribble *)s;
  size_t left = d->n - (size_t)s->pos;
  if (n > d->step) n = d->step;
  if (n > left) n = left;
  memcpy(buf, d->p + s->pos, n);
  s->pos += n;
  return (long)n;
}
static void dribble_close(exh_source *s) { (void)s; }

typedef struct result {
  size_t findings;
  int log, shell;
  char *error;
} result;

static result scan_bytes(const char *p, size_t n, int sequential) {
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.path = "a";
  ev.rel = "";
  ev.kind = EXH_KIND_ARCHIVE;
  dribble d = {{dribble_read, NULL, dribble_close, n, 0, ""}, p, n, 777};
  exh_source *src = sequential ? &d.s : exh__source_mem(p, n);
  exh__scan_archive_source(&wk, &ev, src);
  if (!sequential) exh__source_close(src);
  result r = {ev.nfindings, 0, 0, ev.error};
  for (size_t i = 0; i < ev.nfindings; i++) {
    if (!strcmp(ev.findings[i].path, "a!" LOG_NAME) && ev.findings[i].line == 6) r.log++;
    if (!strcmp(ev.findings[i].path, "a!" SHELL_NAME)) r.shell++;
  }
  ev.error = NULL; /* handed to the caller */
  exh__evidence_release(&ev);
  return r;
}

static void test_formats(void **st) {
  (void)st;
  static const struct {
    int format, filter, sequential_ok;
    const char *what;
  } cases[] = {
      {ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, 0, "7z"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, 1, "zip"},
      {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, 1, "tar"},
      {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, 1, "tar.gz"},
      {ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_XZ, 1, "tar.xz"},
      {ARCHIVE_FORMAT_CPIO_POSIX, ARCHIVE_FILTER_BZIP2, 1, "cpio.bz2"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n;
    char *buf = write_archive(cases[i].format, cases[i].filter, &n);
    for (int seq = 0; seq < 2; seq++) {
      result r = scan_bytes(buf, n, seq);
      printf("%s%s: %zu findings, error %s\n", cases[i].what, seq ? " (in order)" : "", r.findings,
             r.error ? r.error : "-");
      if (!seq || cases[i].sequential_ok) {
        assert_int_equal(r.log, 1);
        assert_true(r.shell >= 1);
        assert_null(r.error);
      } else {
        /* 7-Zip keeps its index at the end: read in order it cannot be
         * opened, and says so */
        assert_non_null(r.error);
      }
      free(r.error);
    }
    /* truncated anywhere: an error or fewer members, never a crash */
    for (size_t cut = 0; cut < n; cut += 1 + n / 97) {
      result r = scan_bytes(buf, cut, 0);
      assert_true(r.error != NULL || r.findings <= 3);
      free(r.error);
    }
    free(buf);
  }
  /* not an archive */
  result r = scan_bytes("hello, world\n", 13, 0);
  assert_non_null(r.error);
  assert_non_null(strstr(r.error, "cannot open the archive"));
  free(r.error);
}

/* The archive file is opened like every evidence file: one replaced after
 * the walk (another inode) is refused. */
static void test_replaced(void **st) {
  (void)st;
  char dir[] = "/tmp/exh_test_archive_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256], other[256];
  snprintf(path, sizeof path, "%s/c.zip", dir);
  snprintf(other, sizeof other, "%s/d.zip", dir);
  size_t n;
  char *buf = write_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, &n);
  for (int i = 0; i < 2; i++) {
    FILE *f = fopen(i ? other : path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
  }
  free(buf);
  exh_stat s;
  char why[256];
  assert_int_equal(exh__lstat(path, &s, why, sizeof why), 0);
  assert_int_equal(rename(other, path), 0);
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.path = path;
  ev.rel = "";
  ev.kind = EXH_KIND_ARCHIVE;
  ev.size = s.size;
  ev.dev = s.dev;
  ev.ino = s.ino;
  exh__scan_archive(&wk, &ev);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "replaced"));
  assert_int_equal(ev.nfindings, 0);
  exh__evidence_release(&ev);
  unlink(path);
  rmdir(dir);
}

/* --- archives inside archives --- */

typedef struct entry {
  const char *name;
  const char *data;
  size_t len;
} entry;

/* An archive of the given entries, in memory (free() it). */
static char *write_entries(int format, int filter, const entry *es, size_t ne, size_t *n) {
  size_t cap = 1 << 16;
  for (size_t i = 0; i < ne; i++) cap += es[i].len + 512;
  char *buf = malloc(cap);
  struct archive *a = archive_write_new();
  assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
  if (filter != ARCHIVE_FILTER_NONE) assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
  assert_int_equal(archive_write_open_memory(a, buf, cap, n), ARCHIVE_OK);
  for (size_t i = 0; i < ne; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, es[i].name);
    archive_entry_set_size(e, (la_int64_t)es[i].len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1614585600, 0);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, es[i].data, es[i].len), (la_ssize_t)es[i].len);
    archive_entry_free(e);
  }
  assert_int_equal(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
  return buf;
}

/* Scans p[0..n) as the archive "a" (sequential: read only in order), with
 * `splits` (prefix, server) pairs; the evidence is the caller's to release. */
static void scan_into(exh_evidence *ev, const char *p, size_t n, int sequential, struct exh_split *splits,
                      size_t nsplits) {
  memset(ev, 0, sizeof *ev);
  ev->path = "a";
  ev->rel = "";
  ev->kind = EXH_KIND_ARCHIVE;
  ev->splits = splits;
  ev->nsplits = nsplits;
  dribble d = {{dribble_read, NULL, dribble_close, n, 0, ""}, p, n, 777};
  exh_source *src = sequential ? &d.s : exh__source_mem(p, n);
  exh__scan_archive_source(&wk, ev, src);
  if (!sequential) exh__source_close(src);
  ev->splits = NULL;
  ev->nsplits = 0;
}

static size_t count_path(const exh_evidence *ev, const char *path, size_t line) {
  size_t k = 0;
  for (size_t i = 0; i < ev->nfindings; i++)
    if (!strcmp(ev->findings[i].path, path) && (!line || ev->findings[i].line == line)) k++;
  return k;
}

static const entry collection[] = {{LOG_NAME, LOG_TEXT, sizeof LOG_TEXT - 1}, {SHELL_NAME, SHELL_TEXT, sizeof SHELL_TEXT - 1}};

/* A collection zipped (or tarred, 7-zipped) inside another archive: its
 * log's ProxyLogon line and its web shell found, named by the chain; the
 * inner archive told by its bytes whatever its name. */
static void test_nested(void **st) {
  (void)st;
  static const struct {
    int outer, outer_filter, inner, inner_filter;
    const char *inner_name, *what;
  } cases[] = {
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "EXCH01.zip", "zip in zip"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "evidence", "zip in zip, no extension"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "logs.dat", "zip in zip, another extension"},
      {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "EXCH01.zip", "zip in tar.gz"},
      {ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, "EXCH01.zip", "zip in 7z"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, "EXCH01.7z", "7z in zip"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP, "EXCH01.tar.gz", "tar.gz in zip"},
      {ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE, "EXCH01.bin", "tar in zip, by its bytes"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t ni, no;
    char *inner = write_entries(cases[i].inner, cases[i].inner_filter, collection, 2, &ni);
    entry outer_es[] = {{"notes.txt", "collected 2021-03-05\n", 21}, {cases[i].inner_name, inner, ni},
                        {"after.txt", "x", 1}};
    char *outer = write_entries(cases[i].outer, cases[i].outer_filter, outer_es, 3, &no);
    char log[512], shell[512];
    snprintf(log, sizeof log, "a!%s!%s", cases[i].inner_name, LOG_NAME);
    snprintf(shell, sizeof shell, "a!%s!%s", cases[i].inner_name, SHELL_NAME);
    for (int seq = 0; seq < 2; seq++) {
      if (seq && cases[i].outer == ARCHIVE_FORMAT_7ZIP) continue; /* its index is at its end (test_formats) */
      exh_evidence ev;
      scan_into(&ev, outer, no, seq, NULL, 0);
      printf("%s%s: %zu findings, error %s\n", cases[i].what, seq ? " (in order)" : "", ev.nfindings,
             ev.error ? ev.error : "-");
      assert_int_equal(count_path(&ev, log, 6), 1);
      assert_true(count_path(&ev, shell, 0) >= 1);
      assert_null(ev.error);
      /* the archive inside is noted (coverage: an archive opened, its logs a class of their own) */
      int noted = 0, log_noted = 0;
      for (size_t k = 0; k < ev.nmembers; k++) {
        noted += ev.members[k].kind == EXH_KIND_ARCHIVE && ev.members[k].files == 1 && ev.members[k].failed == 0;
        log_noted += ev.members[k].kind == EXH_KIND_HTTPPROXY && strstr(ev.members[k].dir, cases[i].inner_name) != NULL;
      }
      assert_int_equal(noted, 1);
      assert_int_equal(log_noted, 1);
      assert_int_equal(ev.log_members, 1);
      exh__evidence_release(&ev);
    }
    free(inner);
    free(outer);
  }
}

/* Archives inside archives inside archives: opened down to three levels
 * below the file, deeper ones named (how many, and the first chain). */
static void test_nested_depth(void **st) {
  (void)st;
  size_t n;
  char *cur = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, collection, 1, &n); /* l4.zip: a log */
  const char *names[] = {"l4.zip", "l3.zip", "l2.zip", "l1.zip"};
  for (int lv = 0; lv < 3; lv++) { /* l3 holds l4 and a log; l2 holds l3; l1 holds l2 */
    entry es[] = {{names[lv], cur, n}, {LOG_NAME, LOG_TEXT, sizeof LOG_TEXT - 1}};
    size_t m;
    char *next = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, lv == 0 ? 2 : 1, &m);
    free(cur);
    cur = next;
    n = m;
  }
  entry top[] = {{names[3], cur, n}};
  size_t no;
  char *outer = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, top, 1, &no);
  for (int seq = 0; seq < 2; seq++) {
    exh_evidence ev;
    scan_into(&ev, outer, no, seq, NULL, 0);
    printf("depth%s: %zu findings, error %s\n", seq ? " (in order)" : "", ev.nfindings, ev.error ? ev.error : "-");
    assert_int_equal(count_path(&ev, "a!l1.zip!l2.zip!l3.zip!" LOG_NAME, 6), 1);
    assert_int_equal(count_path(&ev, "a!l1.zip!l2.zip!l3.zip!l4.zip!" LOG_NAME, 0), 0);
    assert_non_null(ev.error);
    assert_string_equal(ev.error, "1 archive nested deeper than 3 levels: not opened (the first: l1.zip!l2.zip!l3.zip!l4.zip)");
    size_t failed = 0, opened = 0;
    for (size_t k = 0; k < ev.nmembers; k++)
      if (ev.members[k].kind == EXH_KIND_ARCHIVE) failed += ev.members[k].failed, opened += ev.members[k].files - ev.members[k].failed;
    assert_int_equal(failed, 1);
    assert_int_equal(opened, 3);
    exh__evidence_release(&ev);
  }
  free(cur);
  free(outer);
}

/* Nested zip bombs: 42.zip's shape (each level holding copies of the one
 * below, logs of zeros at the bottom) cut by the depth limit, and one whose
 * logs inflate past the byte cap stopped by the cap counted across the
 * whole chain; both reported, neither read through. */
static void test_nested_bomb(void **st) {
  (void)st;
  size_t zn = 1 << 20;
  char *zeros = calloc(1, zn);
  /* 42.zip's shape, 4 wide and 5 deep: 256 archives past the depth limit */
  entry leaf[4];
  char lnames[4][160];
  for (int i = 0; i < 4; i++) {
    snprintf(lnames[i], sizeof lnames[i], "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/%d.LOG", i);
    leaf[i] = (entry){lnames[i], zeros, zn};
  }
  size_t n;
  char *cur = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, leaf, 4, &n);
  for (int lv = 0; lv < 4; lv++) {
    entry es[4];
    char names[4][32];
    for (int i = 0; i < 4; i++) {
      snprintf(names[i], sizeof names[i], "%c%d.zip", "dcba"[lv], i);
      es[i] = (entry){names[i], cur, n};
    }
    size_t m;
    char *next = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, 4, &m);
    free(cur);
    cur = next;
    n = m;
  }
  exh_evidence ev;
  scan_into(&ev, cur, n, 1, NULL, 0);
  printf("42-shaped: %zu findings, %llu records, error %.200s\n", ev.nfindings, (unsigned long long)ev.records,
         ev.error ? ev.error : "-");
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "256 archives nested deeper than 3 levels: not opened (the first: a0.zip!b0.zip!c0.zip!d0.zip)"));
  assert_int_equal(ev.records, 0);
  exh__evidence_release(&ev);
  free(cur);

  /* logs of a few MiB each, 16 of them in each of 16 zips inside: 1 GiB,
   * against a cap lowered to 24 MiB */
  entry big[16];
  char bnames[16][160];
  char *lines = malloc(4u << 20);
  const char *q = "2021-03-01T07:00:00.000Z,10.0.0.1,user@contoso.com,/owa/\r\n";
  size_t ql = strlen(q), hl = strlen(LOG_TEXT), ln = hl;
  memcpy(lines, LOG_TEXT, hl);
  while (ln + ql <= (4u << 20)) memcpy(lines + ln, q, ql), ln += ql;
  for (int i = 0; i < 16; i++) {
    snprintf(bnames[i], sizeof bnames[i], "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/%02d.LOG", i);
    big[i] = (entry){bnames[i], lines, ln};
  }
  size_t bn;
  char *inner = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, big, 16, &bn);
  entry mid[16];
  char mnames[16][32];
  for (int i = 0; i < 16; i++) {
    snprintf(mnames[i], sizeof mnames[i], "EXCH%02d.zip", i);
    mid[i] = (entry){mnames[i], inner, bn};
  }
  size_t on;
  char *outer = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, mid, 16, &on);
  uint64_t saved = lim.max_archive_bytes;
  lim.max_archive_bytes = 24u << 20;
  for (int seq = 0; seq < 2; seq++) {
    scan_into(&ev, outer, on, seq, NULL, 0);
    printf("bomb%s: %zu findings, %llu records, error %.300s\n", seq ? " (in order)" : "", ev.nfindings,
           (unsigned long long)ev.records, ev.error ? ev.error : "-");
    assert_non_null(ev.error);
    assert_true(!strncmp(ev.error, "stopped: over 25165824 uncompressed bytes read from this archive and the archives inside "
                                   "it; members after it not read", 110));
    /* each log holds the ProxyLogon line: read up to the cap, not past it */
    assert_true(ev.nfindings > 0 && ev.nfindings < 24 / 4 + 1);
    exh__evidence_release(&ev);
  }
  lim.max_archive_bytes = saved;
  free(inner);
  free(outer);
  free(lines);
  free(zeros);
}

/* A damaged archive inside: named with its reason, the outer archive's
 * other members still read. */
static void test_nested_corrupt(void **st) {
  (void)st;
  size_t ni;
  char *inner = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, collection, 2, &ni);
  char junk[64] = "PK\003\004 not a zip at all, only its signature";
  entry es[] = {{"bad.zip", inner, ni / 2}, {"junk.bin", junk, sizeof junk}, {"empty.zip", "", 0},
                {LOG_NAME, LOG_TEXT, sizeof LOG_TEXT - 1}};
  size_t no;
  char *outer = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, 4, &no);
  for (int seq = 0; seq < 2; seq++) {
    exh_evidence ev;
    scan_into(&ev, outer, no, seq, NULL, 0);
    printf("corrupt%s: %zu findings, error %s\n", seq ? " (in order)" : "", ev.nfindings, ev.error ? ev.error : "-");
    assert_int_equal(count_path(&ev, "a!" LOG_NAME, 6), 1);
    assert_non_null(ev.error);
    assert_non_null(strstr(ev.error, "bad.zip: "));
    assert_non_null(strstr(ev.error, "junk.bin: archive damaged or unreadable after 0 uncompressed bytes"));
    assert_null(strstr(ev.error, "empty.zip")); /* an empty archive: nothing in it */
    size_t failed = 0, files = 0;
    for (size_t k = 0; k < ev.nmembers; k++)
      if (ev.members[k].kind == EXH_KIND_ARCHIVE) failed += ev.members[k].failed, files += ev.members[k].files;
    assert_int_equal(failed, 2);
    assert_int_equal(files, 3);
    exh__evidence_release(&ev);
  }
  free(inner);
  free(outer);
}

/* Each server's collection zip inside one archive goes to its server (the
 * walk's splits, by the chain's prefix), its archive noted for it; an
 * archive inside gets the time limit per file. */
static void test_nested_servers(void **st) {
  (void)st;
  size_t n1, n2;
  char *z1 = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, collection, 1, &n1);
  char *z2 = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, collection + 1, 1, &n2);
  entry es[] = {{"Collection-EXCH01.zip", z1, n1}, {"Collection-EXCH02.zip", z2, n2}};
  size_t no;
  char *outer = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, 2, &no);
  struct exh_split sp[] = {{"Collection-EXCH01.zip!", 1}, {"Collection-EXCH02.zip!", 2}};
  exh_evidence ev;
  scan_into(&ev, outer, no, 0, sp, 2);
  assert_null(ev.error);
  assert_int_equal(count_path(&ev, "a!Collection-EXCH01.zip!" LOG_NAME, 6), 1);
  assert_true(count_path(&ev, "a!Collection-EXCH02.zip!" SHELL_NAME, 0) >= 1);
  for (size_t i = 0; i < ev.nfindings; i++)
    assert_int_equal(ev.findings[i].server, strstr(ev.findings[i].path, "EXCH01") ? 1 : 2);
  int s1 = 0, s2 = 0;
  for (size_t k = 0; k < ev.nmembers; k++)
    if (ev.members[k].kind == EXH_KIND_ARCHIVE) s1 += ev.members[k].server == 1, s2 += ev.members[k].server == 2;
  assert_int_equal(s1, 1);
  assert_int_equal(s2, 1);
  exh__evidence_release(&ev);
  /* the time limit per file, for each archive inside */
  double saved = lim.max_file_seconds;
  lim.max_file_seconds = 1e-9;
  scan_into(&ev, outer, no, 0, NULL, 0);
  printf("time limit: %zu findings, error %s\n", ev.nfindings, ev.error ? ev.error : "-");
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "Collection-EXCH01.zip: cannot open the archive inside the archive: stopped after 0 s (time limit per file)"));
  exh__evidence_release(&ev);
  lim.max_file_seconds = saved;
  free(z1);
  free(z2);
  free(outer);
}

/* A log folder zipped on its own (no Logging folder above it: "Send to
 * compressed folder" on HttpProxy) inside a collection zip: the log's
 * directives tell what it is, as the walk tells a log lying where no known
 * path leads. */
#define HP_TEXT                                                                                                   \
  "DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n#Software: Microsoft Exchange Server\r\n"                  \
  "#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-01T07:00:00.000Z\r\n"                 \
  "#Fields: DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n"                                                  \
  "2021-03-01T07:45:05.891Z,142.4.110.34,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n"
static void test_nested_log_by_head(void **st) {
  (void)st;
  entry logs[] = {{"Ecp/HttpProxy_2021030107-1.LOG", HP_TEXT, sizeof HP_TEXT - 1},
                  {"Ecp/notes.log", "not a log of ours\n", 18}};
  size_t ni;
  char *inner = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, logs, 2, &ni);
  entry es[] = {{"EXCH01/HttpProxy.zip", inner, ni}, {"EXCH01/Ecp/HttpProxy_2021030108-1.LOG", HP_TEXT, sizeof HP_TEXT - 1}};
  size_t no;
  char *outer = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, 2, &no);
  for (int seq = 0; seq < 2; seq++) {
    exh_evidence ev;
    scan_into(&ev, outer, no, seq, NULL, 0);
    printf("logs by head%s: %zu findings, error %s\n", seq ? " (in order)" : "", ev.nfindings, ev.error ? ev.error : "-");
    assert_int_equal(count_path(&ev, "a!EXCH01/HttpProxy.zip!Ecp/HttpProxy_2021030107-1.LOG", 7), 1);
    assert_int_equal(count_path(&ev, "a!EXCH01/Ecp/HttpProxy_2021030108-1.LOG", 7), 1);
    assert_int_equal(ev.nfindings, 2);
    assert_null(ev.error);
    assert_int_equal(ev.log_members, 2);
    exh__evidence_release(&ev);
  }
  free(inner);
  free(outer);
}

/* --all-files reaches archive members as it reaches files on disk: a web
 * shell on a user's desktop inside a collection is content-checked (and
 * only then: without it the member is left, as on disk); small and large,
 * read in order or by position. */
static void test_all_files_members(void **st) {
  (void)st;
  char big[(1 << 20) + 64];
  memset(big, ' ', sizeof big);
  memcpy(big, SHELL_TEXT, sizeof SHELL_TEXT - 1);
  entry es[] = {{"C/Users/bob/Desktop/desk.aspx", SHELL_TEXT, sizeof SHELL_TEXT - 1},
                {"C/Users/bob/Desktop/big.aspx", big, sizeof big}};
  size_t n;
  char *z = write_entries(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, es, 2, &n);
  for (int all = 0; all < 2; all++)
    for (int seq = 0; seq < 2; seq++) {
      lim.all_files = all;
      exh_evidence ev;
      scan_into(&ev, z, n, seq, NULL, 0);
      size_t k = count_path(&ev, "a!C/Users/bob/Desktop/desk.aspx", 0), kb = count_path(&ev, "a!C/Users/bob/Desktop/big.aspx", 0);
      if (all ? (k == 0 || kb == 0) : (k || kb)) fail_msg("all=%d seq=%d: %zu and %zu findings", all, seq, k, kb);
      exh__evidence_release(&ev);
    }
  lim.all_files = 0;
  free(z);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_formats),      cmocka_unit_test(test_replaced),
                                     cmocka_unit_test(test_nested),       cmocka_unit_test(test_nested_depth),
                                     cmocka_unit_test(test_nested_bomb),  cmocka_unit_test(test_nested_corrupt),
                                     cmocka_unit_test(test_nested_servers), cmocka_unit_test(test_nested_log_by_head),
                                     cmocka_unit_test(test_all_files_members)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
