/* The literal prefilter: per-line hits with the ids of the literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "match/prefilter.h"

typedef struct hits {
  size_t start[16], end[16], nids[16];
  uint32_t ids[16][8];
  size_t n;
} hits;

static int on_line(void *ctx, size_t s, size_t e, const uint32_t *ids, size_t nids) {
  hits *h = ctx;
  if (h->n < 16) {
    h->start[h->n] = s;
    h->end[h->n] = e;
    h->nids[h->n] = nids;
    memcpy(h->ids[h->n], ids, (nids < 8 ? nids : 8) * sizeof *ids);
    h->n++;
  }
  return 0;
}

static int has(const hits *h, size_t i, uint32_t id) {
  for (size_t k = 0; k < h->nids[i]; k++)
    if (h->ids[i][k] == id) return 1;
  return 0;
}

static void test_lines(void **st) {
  (void)st;
  exh_pf_lit lits[] = {{"ServerInfo~", 11, 1}, {"#Fields:", 8, 99}, {"Download failed", 15, 2}, {"serverinfo~loc", 14, 1}};
  char why[128];
  exh_prefilter *pf = exh__pf_build(lits, 4, why, sizeof why);
  assert_non_null(pf);
  exh_pf_scratch *s = exh__pf_scratch_new(pf);
  const char *d = "#Fields: a,b\n"
                  "nothing here\n"
                  "x,SERVERINFO~localhost/ecp,download failed\n"
                  "\n"
                  "tail serverinfo~";
  hits h = {0};
  assert_int_equal(exh__pf_scan(pf, s, d, strlen(d), on_line, &h), 0);
  assert_int_equal(h.n, 3);
  assert_int_equal(h.start[0], 0);
  assert_int_equal(h.end[0], 12);
  assert_true(has(&h, 0, 99));
  const char *l3 = strstr(d, "x,SERVER");
  assert_int_equal(h.start[1], (size_t)(l3 - d));
  assert_int_equal(h.end[1], (size_t)(strchr(l3, '\n') - d));
  assert_int_equal(h.nids[1], 2); /* ids 1 and 2, each once */
  assert_true(has(&h, 1, 1));
  assert_true(has(&h, 1, 2));
  /* last line without a newline */
  assert_int_equal(h.end[2], strlen(d));
  assert_int_equal(h.start[2], (size_t)(strstr(d, "tail") - d));
  exh__pf_scratch_free(s);
  exh__pf_free(pf);
}

static void test_empty(void **st) {
  (void)st;
  char why[128];
  exh_prefilter *pf = exh__pf_build(NULL, 0, why, sizeof why);
  assert_non_null(pf);
  exh_pf_scratch *s = exh__pf_scratch_new(pf);
  hits h = {0};
  assert_int_equal(exh__pf_scan(pf, s, "abc\n", 4, on_line, &h), 0);
  assert_int_equal(h.n, 0);
  exh__pf_scratch_free(s);
  exh__pf_free(pf);
}


/* Issue 11 defect 5: a line hit by more literals than the old per-line cap
 * (256) reports every id, so no rule is dropped. */
typedef struct many {
  size_t lines, nids;
  unsigned char seen[1000];
} many;

static int on_many(void *ctx, size_t s, size_t e, const uint32_t *ids, size_t nids) {
  many *m = ctx;
  (void)s, (void)e;
  m->lines++;
  m->nids += nids;
  for (size_t i = 0; i < nids; i++) m->seen[ids[i]]++;
  return 0;
}

static void test_many_hits(void **st) {
  (void)st;
  enum { N = 700 };
  static char text[N][16];
  exh_pf_lit lits[N];
  char line[N * 12 + 2];
  size_t ln = 0;
  for (int i = 0; i < N; i++) {
    snprintf(text[i], sizeof text[i], "lit%04dz", i);
    lits[i] = (exh_pf_lit){text[i], strlen(text[i]), (uint32_t)i};
    ln += (size_t)snprintf(line + ln, sizeof line - ln, "%s ", text[i]);
  }
  line[ln++] = '\n';
  char why[128];
  exh_prefilter *pf = exh__pf_build(lits, N, why, sizeof why);
  assert_non_null(pf);
  exh_pf_scratch *s = exh__pf_scratch_new(pf);
  many m;
  memset(&m, 0, sizeof m);
  for (int round = 0; round < 2; round++) { /* the scratch is reused cleanly */
    memset(&m, 0, sizeof m);
    assert_int_equal(exh__pf_scan(pf, s, line, ln, on_many, &m), 0);
    assert_int_equal(m.lines, 1);
    assert_int_equal(m.nids, N);
    for (int i = 0; i < N; i++) assert_int_equal(m.seen[i], 1);
  }
  exh__pf_scratch_free(s);
  exh__pf_free(pf);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_lines), cmocka_unit_test(test_many_hits), cmocka_unit_test(test_empty)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
