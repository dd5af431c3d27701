/* core/source: byte sources and line blocks; platform evidence opens. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/source.h"
#include "platform/platform.h"

/* A source that returns at most `step` bytes a call (archives do). */
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

static void check_blocks(exh_source *src, const char *text, size_t len, size_t block, size_t max_line) {
  exh_lines r;
  exh__lines_init(&r, src, block, max_line);
  const char *p;
  size_t n;
  uint64_t off, want_off = 0;
  int rc;
  while ((rc = exh__lines_next(&r, &p, &n, &off)) == 1) {
    assert_true(n > 0);
    assert_int_equal(off, want_off);
    assert_memory_equal(p, text + off, n);
    /* a block ends at a line end, at the end of the text, or is a piece of
     * a line longer than max_line */
    int at_end = off + n == len;
    assert_true(p[n - 1] == '\n' || at_end || n == r.max_line);
    want_off += n;
  }
  assert_int_equal(rc, 0);
  assert_int_equal(want_off, len);
  exh__lines_free(&r);
}

static void test_lines(void **st) {
  (void)st;
  srand(7);
  for (int round = 0; round < 300; round++) {
    size_t len = (size_t)(rand() % 2000);
    char *text = malloc(len + 1);
    for (size_t i = 0; i < len; i++) text[i] = rand() % 9 == 0 ? '\n' : (char)('a' + rand() % 26);
    if (round % 7 == 0 && len > 300) memset(text + 10, 'x', 250); /* a line longer than max_line */
    size_t block = (size_t)(1 + rand() % 64), max_line = block * (size_t)(1 + rand() % 4);
    exh_source *m = exh__source_mem(text, len);
    check_blocks(m, text, len, block, max_line);
    exh__source_close(m);
    dribble d = {{dribble_read, NULL, dribble_close, len, 0, ""}, text, len, (size_t)(1 + rand() % 5)};
    check_blocks(&d.s, text, len, block, max_line);
    free(text);
  }
  /* long lines are counted */
  char big[100];
  memset(big, 'y', sizeof big);
  exh_source *m = exh__source_mem(big, sizeof big);
  exh_lines r;
  exh__lines_init(&r, m, 16, 32);
  const char *p;
  size_t n;
  uint64_t off;
  while (exh__lines_next(&r, &p, &n, &off) == 1) assert_true(n <= 32);
  assert_true(r.cut_lines >= 3);
  exh__lines_free(&r);
  exh__source_close(m);
}

static void test_slurp(void **st) {
  (void)st;
  char *out;
  size_t n;
  exh_source *m = exh__source_mem("hello world", 11);
  assert_int_equal(exh__source_slurp(m, 5, &out, &n), 1);
  assert_int_equal(n, 5);
  assert_string_equal(out, "hello");
  free(out);
  exh__source_close(m);
  m = exh__source_mem("hello", 5);
  assert_int_equal(exh__source_slurp(m, 5, &out, &n), 0);
  assert_string_equal(out, "hello");
  free(out);
  exh__source_close(m);
}

static void test_file_open(void **st) {
  (void)st;
  char dir[] = "/tmp/exh-src-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char a[256], b[256], l[256], fifo[256], why[256];
  snprintf(a, sizeof a, "%s/a.log", dir);
  snprintf(b, sizeof b, "%s/b.log", dir);
  snprintf(l, sizeof l, "%s/link.log", dir);
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  FILE *f = fopen(a, "w");
  fputs("line one\nline two\n", f);
  fclose(f);
  f = fopen(b, "w");
  fputs("other\n", f);
  fclose(f);
  assert_int_equal(symlink(b, l), 0);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  /* a symbolic link is never followed */
  assert_null(exh__source_file(l, NULL, why, sizeof why));
  assert_non_null(strstr(why, "symbolic link"));
  /* a FIFO neither blocks nor is read */
  assert_null(exh__source_file(fifo, NULL, why, sizeof why));
  /* the walk saw a.log; b.log moved into its place is refused */
  exh_stat sa;
  assert_int_equal(exh__lstat(a, &sa, why, sizeof why), 0);
  assert_int_equal(rename(b, a), 0);
  assert_null(exh__source_file(a, &sa, why, sizeof why));
  assert_non_null(strstr(why, "replaced"));
  /* the file the walk saw is read */
  assert_int_equal(exh__lstat(a, &sa, why, sizeof why), 0);
  exh_source *s = exh__source_file(a, &sa, why, sizeof why);
  assert_non_null(s);
  char buf[64];
  assert_int_equal(exh__source_read_full(s, buf, sizeof buf), 6);
  exh__source_close(s);
  /* truncated while read (a live log rotated): a short read, no signal */
  f = fopen(a, "w");
  for (int i = 0; i < 100000; i++) fputs("0123456789abcdef\n", f);
  fclose(f);
  s = exh__source_file(a, NULL, why, sizeof why);
  assert_non_null(s);
  assert_int_equal(exh__source_read_full(s, buf, 17), 17);
  assert_int_equal(truncate(a, 100), 0);
  char *rest = malloc(1 << 20);
  long got = exh__source_read_full(s, rest, 1 << 20);
  assert_int_equal(got, 100 - 17);
  free(rest);
  exh__source_close(s);
  unlink(a);
  unlink(l);
  unlink(fifo);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lines),
      cmocka_unit_test(test_slurp),
      cmocka_unit_test(test_file_open),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
