/* Content checks read through exh_source (issue 11): a file over the
 * content limit gets the minidump check by positioned reads wherever its
 * module list lies; a member read in order gets it on its first bytes; a
 * file swapped for a symbolic link or another file after the walk is
 * refused; one that shrank after the walk is checked as read and says so. */
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
#include "formats/files/files.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static exh_worker wk;
static char dir[64];

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  lim.max_content_bytes = 1 << 20;
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  snprintf(dir, sizeof dir, "/tmp/exh_test_content_XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st) {
  (void)st;
  exh__worker_fini(&wk);
  exh_ruleset_free(rs);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* A minidump of `size` bytes whose module list (naming lsass.exe) lies at
 * `at`: procdump and comsvcs write it near the top, but nothing forces it. */
static uint8_t *minidump(size_t size, uint32_t at) {
  uint8_t *d = calloc(1, size);
  memcpy(d, "MDMP", 4);
  put32(d + 8, 1);  /* streams */
  put32(d + 12, 32); /* directory */
  put32(d + 32, 4);  /* ModuleListStream */
  put32(d + 36, 112);
  put32(d + 40, at);
  put32(d + at, 1);                /* one module */
  put32(d + at + 4 + 20, at + 200); /* its name */
  const char *name = "C:\\Windows\\System32\\lsass.exe";
  put32(d + at + 200, (uint32_t)(2 * strlen(name)));
  for (size_t i = 0; name[i]; i++) d[at + 204 + 2 * i] = (uint8_t)name[i];
  return d;
}

static char *write_file(const char *name, const void *p, size_t n) {
  char *path = exh__xasprintf("%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  fclose(f);
  return path;
}

static void evidence_for(exh_evidence *ev, char *path) {
  memset(ev, 0, sizeof *ev);
  ev->path = path;
  ev->rel = "C/Windows/Temp/d.bin";
  ev->kind = EXH_KIND_CONTENT;
  strcpy(ev->sub, "staging");
  exh_stat st;
  char why[256];
  assert_int_equal(exh__lstat(path, &st, why, sizeof why), 0);
  ev->size = st.size;
  ev->dev = st.dev;
  ev->ino = st.ino;
}

/* A source read only in order, as an archive member is. */
typedef struct seq_source {
  exh_source s;
  const uint8_t *p;
  size_t n;
} seq_source;

static long seq_read(exh_source *s, void *buf, size_t n) {
  seq_source *q = (seq_source *)s;
  size_t left = q->n - (size_t)s->pos;
  if (n > 4000) n = 4000;
  if (n > left) n = left;
  memcpy(buf, q->p + s->pos, n);
  s->pos += n;
  return (long)n;
}
static void seq_close(exh_source *s) { (void)s; }

static int has_rule(const exh_evidence *ev, const char *id) {
  for (size_t i = 0; i < ev->nfindings; i++)
    if (!strcmp(ev->findings[i].rule->id, id)) return 1;
  return 0;
}

static void release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
  free(ev->path);
}

static void test_large_dump(void **st) {
  (void)st;
  size_t size = 3 << 20;
  uint8_t *d = minidump(size, (uint32_t)(2 << 20) + 17); /* past the first 2 MiB */
  exh_evidence ev;
  evidence_for(&ev, write_file("big.dmp", d, size));
  exh__detect_content(&wk, &ev);
  assert_true(has_rule(&ev, "exhunt-file-lsass-minidump"));
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "content not hashed or YARA-scanned: 3145728 bytes"));
  release(&ev);
  /* read in order (an archive member): only the first bytes can be looked
   * at, so a module list near the top is found */
  uint8_t *near = minidump(size, 4096);
  for (int far = 0; far < 2; far++) {
    seq_source q = {{seq_read, NULL, seq_close, EXH_SIZE_UNKNOWN, 0, ""}, far ? d : near, size};
    memset(&ev, 0, sizeof ev);
    ev.path = exh__xstrdup("a.zip!C/Windows/Temp/d.bin");
    ev.rel = "C/Windows/Temp/d.bin";
    ev.kind = EXH_KIND_CONTENT;
    exh__detect_content_source(&wk, &ev, &q.s);
    assert_int_equal(has_rule(&ev, "exhunt-file-lsass-minidump"), !far);
    assert_non_null(strstr(ev.error, "content not hashed or YARA-scanned"));
    release(&ev);
  }
  free(near);
  free(d);
}

static void test_swapped_after_walk(void **st) {
  (void)st;
  uint8_t *d = minidump(8192, 64);
  char *outside = write_file("outside.dmp", d, 8192);
  exh_evidence ev;
  /* a symbolic link put in its place */
  evidence_for(&ev, write_file("a.dmp", d, 8192));
  assert_int_equal(unlink(ev.path), 0);
  assert_int_equal(symlink(outside, ev.path), 0);
  exh__detect_content(&wk, &ev);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "symbolic link"));
  assert_int_equal(ev.nfindings, 0);
  release(&ev);
  /* another file renamed over it */
  evidence_for(&ev, write_file("b.dmp", d, 8192));
  char *other = write_file("c.dmp", d, 8192);
  assert_int_equal(rename(other, ev.path), 0);
  free(other);
  exh__detect_content(&wk, &ev);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "replaced"));
  assert_int_equal(ev.nfindings, 0);
  release(&ev);
  /* shrunk: checked as read, and said */
  evidence_for(&ev, write_file("e.dmp", d, 8192));
  assert_int_equal(truncate(ev.path, 4096), 0);
  exh__detect_content(&wk, &ev);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "shrank"));
  assert_true(has_rule(&ev, "exhunt-file-lsass-minidump"));
  release(&ev);
  free(outside);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_large_dump), cmocka_unit_test(test_swapped_after_walk)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
