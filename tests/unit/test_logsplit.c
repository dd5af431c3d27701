/* One large text log split across workers (issue 15; formats/logs/
 * scan_logs.c): where a part starts (the line straddling its planned start
 * is the part before's), and that a log read in parts and merged gives what
 * one reading gives (findings with their line numbers and offsets, the log
 * window, host, s-ip, #Version, records) at every split point, with the
 * header changing mid-file both near a part's start and farther back than
 * a part looks (the merge reads such parts again), CRLF and LF, a bare
 * header line, a line longer than a part. And through exh_scan with two
 * threads: a per-file finding cap reached in a middle part gives what one
 * thread gives. */
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

#include "core/result.h"
#include "core/source.h"
#include "formats/logs/logs.h"
#include "platform/platform.h"
#include "scan/scan.h"
#include "util/util.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static exh_worker wk;
static char tmp[256];
static char why[256];

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  snprintf(tmp, sizeof tmp, "/tmp/exh_logsplit_%ld", (long)getpid());
  return 0;
}

static int teardown(void **st) {
  (void)st;
  exh__worker_fini(&wk);
  exh_ruleset_free(rs);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  return system(cmd) == 0 ? 0 : -1;
}

static void line_start_is(const char *d, uint64_t from, uint64_t want) {
  exh_source *src = exh__source_mem(d, strlen(d));
  uint64_t got = 12345;
  assert_int_equal(exh__logs_line_start(src, from, &got), 0);
  if (got != want) fail_msg("from %llu: start %llu, wanted %llu", (unsigned long long)from, (unsigned long long)got,
                            (unsigned long long)want);
  exh__source_close(src);
}

static void test_line_start(void **st) {
  (void)st;
  const char *d = "ab\ncd\r\nef";
  line_start_is(d, 0, 0);
  line_start_is(d, 1, 3); /* inside "ab": the next line */
  line_start_is(d, 2, 3); /* at its '\n' */
  line_start_is(d, 3, 3); /* just after a '\n': a line starts there */
  line_start_is(d, 4, 7);
  line_start_is(d, 6, 7); /* between '\r' and '\n' */
  line_start_is(d, 7, 7);
  line_start_is(d, 8, 9); /* inside the last line, no line end: the end */
  line_start_is(d, 9, 9);
  /* a line longer than the 64 KiB read at a time */
  size_t n = 200000;
  char *big = exh__xmalloc(n + 1);
  memset(big, 'x', n);
  big[10] = '\n';
  big[150000] = '\n';
  big[n] = 0;
  line_start_is(big, 11, 11);
  line_start_is(big, 12, 150001);
  line_start_is(big, 150001, 150001);
  line_start_is(big, 150002, n);
  free(big);
}

/* ---- parts against the whole ---------------------------------------------- */

#define HP_FIELDS "DateTime,ClientIpAddress,AnchorMailbox,UrlStem,ServerHostName"
#define HP_MOVED "DateTime,AnchorMailbox,UrlStem,ServerHostName,ClientIpAddress"
#define HP_HEAD                                                                                               \
  HP_FIELDS "\r\n#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n" \
            "#Date: 2021-03-01T07:00:00.000Z\r\n#Fields: " HP_FIELDS "\r\n"

/* An HttpProxy log: probes every seventh line, the columns moved after
 * `move_at` bytes (and a #Fields: line repeated unchanged before), LF-only
 * lines among CRLF ones, one long line, padded to about `size` bytes. */
static char *make_log(size_t size, size_t move_at, size_t *n) {
  exh_buf b = {0};
  exh__buf_adds(&b, HP_HEAD);
  int moved = 0, repeated = 0;
  char line[512];
  for (int i = 0; b.n < size; i++) {
    if (!repeated && b.n > move_at / 2) {
      exh__buf_adds(&b, "#Fields: " HP_FIELDS "\r\n");
      repeated = 1;
    }
    if (!moved && b.n > move_at) {
      exh__buf_adds(&b, "#Date: 2021-03-01T09:00:00.000Z\r\n#Fields: " HP_MOVED "\n");
      moved = 1;
    }
    const char *eol = i % 5 == 0 ? "\n" : "\r\n";
    char ip[32], mbx[128];
    snprintf(ip, sizeof ip, "%s.%d", i % 7 == 3 ? "142.4.110" : "10.0.0", i % 250);
    snprintf(mbx, sizeof mbx, "%s", i % 7 == 3 ? "ServerInfo~localhost/ecp/default.flt?" : "user@contoso.com");
    int h = 7 + (i / 60) % 12, m = i % 60;
    if (moved)
      snprintf(line, sizeof line, "2021-03-01T%02d:%02d:05.891Z,%s,/owa/auth/x.js,EXCH%02d,%s%s", h, m, mbx, i % 3, ip,
               eol);
    else
      snprintf(line, sizeof line, "2021-03-01T%02d:%02d:05.891Z,%s,%s,/owa/auth/x.js,EXCH%02d%s", h, m, ip, mbx, i % 3,
               eol);
    exh__buf_adds(&b, line);
    if (i == 40) { /* a long line */
      exh__buf_adds(&b, "2021-03-01T07:41:00.000Z,10.0.0.9,user@contoso.com,/owa/?");
      for (int k = 0; k < 3000; k++) exh__buf_adds(&b, "q");
      exh__buf_adds(&b, ",EXCH01\r\n");
    }
  }
  exh__buf_adds(&b, "2021-02-28T00:00:00.000Z,x,y,z,w"); /* out of order, no line end */
  *n = b.n;
  return b.p;
}

static void ev_init(exh_evidence *ev, const char *path, uint64_t size) {
  memset(ev, 0, sizeof *ev);
  ev->path = (char *)path;
  ev->kind = EXH_KIND_HTTPPROXY;
  snprintf(ev->sub, sizeof ev->sub, "Owa");
  ev->size = size;
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
}

static char *summary(const exh_evidence *ev) {
  exh_buf b = {0};
  exh__buf_printf(&b, "first=%lld last=%lld version=%s host=%s sip=%s records=%llu error=%s suppressed=%llu n=%zu\n",
                 (long long)ev->first_ms, (long long)ev->last_ms, ev->version, ev->host, ev->server_ip,
                 (unsigned long long)ev->records, ev->error ? ev->error : "-", (unsigned long long)ev->suppressed,
                 ev->nfindings);
  for (size_t i = 0; i < ev->nfindings; i++) {
    const exh_finding *f = &ev->findings[i];
    exh__buf_printf(&b, "%s line=%llu off=%llu t=%lld ip=%s host=%s msg=%s\n", f->rule->id,
                   (unsigned long long)f->line, (unsigned long long)f->offset, (long long)f->time_ms,
                   f->source_ip ? f->source_ip : "-", f->server_ip ? f->server_ip : "-", f->message);
  }
  return b.p;
}

static void release(exh_evidence *ev) {
  exh__evidence_release(ev);
}

/* The log read in parts split at `cuts` (planned starts; ncuts of them)
 * and merged, against `whole`. */
static void parts_match(const char *path, size_t size, const uint64_t *cuts, size_t ncuts, const char *whole) {
  exh_evidence parts[8], ev;
  size_t np = ncuts + 1;
  assert_true(np <= 8);
  for (size_t k = 0; k < np; k++) {
    ev_init(&parts[k], path, size);
    exh_source *src = exh__source_file(path, NULL, why, sizeof why);
    assert_non_null(src);
    uint64_t from = k ? cuts[k - 1] : 0, to = k < ncuts ? cuts[k] : UINT64_MAX;
    /* small blocks: block ends and part ends cross everywhere */
    exh__scan_exlog_part_sized(&wk, &parts[k], src, from, to, 4096, 1 << 20);
    exh__source_close(src);
    parts[k].done = 1;
    if (!exh__evidence_part_clean(&parts[k])) fail_msg("part %zu not clean: %s", k, parts[k].error);
  }
  ev_init(&ev, path, size);
  exh_source *src = exh__source_file(path, NULL, why, sizeof why);
  int ok = exh__scan_exlog_merge_sized(&wk, &ev, parts, np, src, 4096, 1 << 20);
  exh__source_close(src);
  assert_int_equal(ok, 1);
  char *got = summary(&ev);
  if (strcmp(got, whole)) {
    fprintf(stderr, "cuts:");
    for (size_t k = 0; k < ncuts; k++) fprintf(stderr, " %llu", (unsigned long long)cuts[k]);
    fprintf(stderr, "\n--- whole\n%s--- parts\n%s", whole, got);
    fail_msg("parts differ from the whole");
  }
  free(got);
  release(&ev);
  for (size_t k = 0; k < np; k++) release(&parts[k]);
}

static void check_log(size_t size, size_t move_at, size_t step) {
  mkdir(tmp, 0700);
  char path[300];
  snprintf(path, sizeof path, "%s/HttpProxy_2021030107-1.LOG", tmp);
  size_t n;
  char *d = make_log(size, move_at, &n);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(d, 1, n, f), n);
  fclose(f);
  exh_evidence ev;
  ev_init(&ev, path, n);
  exh_source *src = exh__source_file(path, NULL, why, sizeof why);
  exh__scan_exlog_source_sized(&wk, &ev, src, 4096, 1 << 20);
  exh__source_close(src);
  char *whole = summary(&ev);
  assert_true(ev.nfindings > 10);
  release(&ev);
  /* two parts, at every step; three parts around the column move */
  for (uint64_t c = 1; c < n; c += step) parts_match(path, n, &c, 1, whole);
  for (uint64_t c = move_at > 3000 ? move_at - 3000 : 1; c < move_at + 3000 && c < n; c += step / 3 + 1) {
    uint64_t cuts[3] = {c / 2 + 1, c, c + (n - c) / 2};
    parts_match(path, n, cuts, 3, whole);
  }
  uint64_t seven[7];
  for (int k = 0; k < 7; k++) seven[k] = (uint64_t)(k + 1) * n / 8 + (uint64_t)k;
  parts_match(path, n, seven, 7, whole);
  free(whole);
  free(d);
}

/* The header change within a part's look-back: found there. */
static void test_parts_near(void **st) {
  (void)st;
  check_log(40000, 15000, 97);
}

/* The change past the head and farther back than a part looks (256 KiB
 * each): the parts after it
 * assume the top's header, and the merge reads them again. */
static void test_parts_far(void **st) {
  (void)st;
  check_log(1200000, 400000, 40009);
}

/* ---- through exh_scan: two threads against one ---------------------------- */

static char *scan_text(const char *root, int threads, size_t cap) {
  exh_scan_opts o;
  memset(&o, 0, sizeof o);
  o.roots = &root;
  o.nroots = 1;
  o.threads = threads;
  o.max_findings_per_file = cap;
  exh_result *r = NULL;
  assert_int_equal(exh_scan(rs, &o, &r), EXH_OK);
  exh_buf b = {0};
  exh__buf_printf(&b, "findings=%zu errors=%zu windows=%zu\n", r->nfindings, r->nerrors, r->nwindows);
  for (size_t i = 0; i < r->nfindings; i++)
    exh__buf_printf(&b, "%s line=%llu off=%llu t=%lld\n", r->findings[i].rule->id,
                   (unsigned long long)r->findings[i].line, (unsigned long long)r->findings[i].offset,
                   (long long)r->findings[i].time_ms);
  for (size_t i = 0; i < r->nerrors; i++) exh__buf_printf(&b, "error %s\n", r->errors[i].reason);
  for (size_t i = 0; i < r->nwindows; i++)
    exh__buf_printf(&b, "window %lld %lld %llu\n", (long long)r->windows[i].first_ms, (long long)r->windows[i].last_ms,
                   (unsigned long long)r->windows[i].records);
  exh_result_free(r);
  return b.p;
}

static void test_scan_threads(void **st) {
  (void)st;
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/srv/Logging/HttpProxy/Owa", tmp);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(path, sizeof path, "%s/HttpProxy_2021030107-1.LOG", dir);
  size_t n;
  char *d = make_log(400000, 150000, &n);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(d, 1, n, f), n);
  fclose(f);
  free(d);
  char root[300];
  snprintf(root, sizeof root, "%s/srv", tmp);
  setenv("EXHUNT_SPLIT_BYTES", "30000", 1);
  static const size_t caps[] = {0, 5000, 400}; /* none; not reached; reached in a middle part */
  for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
    char *one = scan_text(root, 1, caps[i]), *two = scan_text(root, 2, caps[i]);
    if (strcmp(one, two)) fail_msg("cap %zu: -j 2 differs:\n%s\n---\n%s", caps[i], one, two);
    if (caps[i] == 400) assert_non_null(strstr(one, "more findings not kept"));
    free(one);
    free(two);
  }
  unsetenv("EXHUNT_SPLIT_BYTES");
}

/* A CSV record holding a quoted line break (scan_logs.c reads it whole):
 * a part ending inside it cannot be merged (the part after it began inside
 * the record) and the file is read again whole; at every other cut the
 * parts give what the whole gives. */
static void test_parts_multiline(void **st) {
  (void)st;
  mkdir(tmp, 0700);
  char path[300];
  snprintf(path, sizeof path, "%s/HttpProxy_2021030108-1.LOG", tmp);
  exh_buf b = {0};
  exh__buf_adds(&b, HP_HEAD);
  uint64_t in_lo[4], in_hi[4];
  int nin = 0;
  for (int i = 0; i < 60; i++) {
    if (i % 15 == 7) { /* the record's lines: a part starting after its first line begins inside it */
      in_lo[nin] = b.n;
      exh__buf_printf(&b, "2021-03-01T07:%02d:05.891Z,\"142.4.110.%d\r\nx\r\n\",ServerInfo~localhost/ecp/default.flt?,"
                         "/owa/auth/x.js,EXCH01\r\n", i, i);
      /* a part planned from `cut` starts after the first line end at or after cut - 1 */
      size_t e = b.n - 1;
      while (b.p[e - 1] != '\n') e--;
      in_hi[nin++] = e; /* one past the record's last inner line end */
    } else {
      exh__buf_printf(&b, "2021-03-01T07:%02d:05.891Z,10.0.0.%d,%s,/owa/auth/x.js,EXCH01\r\n", i, i,
                     i % 4 == 1 ? "ServerInfo~localhost/ecp/default.flt?" : "user@contoso.com");
    }
  }
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(b.p, 1, b.n, f), b.n);
  fclose(f);
  exh_evidence ev;
  ev_init(&ev, path, b.n);
  exh_source *src = exh__source_file(path, NULL, why, sizeof why);
  exh__scan_exlog_source_sized(&wk, &ev, src, 4096, 1 << 20);
  exh__source_close(src);
  char *whole = summary(&ev);
  assert_int_equal(ev.nfindings, 4 + 14); /* i = 37 is one of the four */
  assert_null(ev.error);
  release(&ev);
  int refused = 0;
  for (uint64_t cut = 1; cut < b.n; cut += 7) {
    int inside = 0;
    for (int k = 0; k < nin; k++) inside |= cut > in_lo[k] && cut <= in_hi[k];
    exh_evidence parts[2];
    for (int k = 0; k < 2; k++) {
      ev_init(&parts[k], path, b.n);
      src = exh__source_file(path, NULL, why, sizeof why);
      exh__scan_exlog_part_sized(&wk, &parts[k], src, k ? cut : 0, k ? UINT64_MAX : cut, 4096, 1 << 20);
      exh__source_close(src);
      parts[k].done = 1;
    }
    ev_init(&ev, path, b.n);
    src = exh__source_file(path, NULL, why, sizeof why);
    int ok = exh__scan_exlog_merge_sized(&wk, &ev, parts, 2, src, 4096, 1 << 20);
    exh__source_close(src);
    if (ok) {
      char *got = summary(&ev);
      if (strcmp(got, whole)) fail_msg("cut %llu:\n--- whole\n%s--- parts\n%s", (unsigned long long)cut, whole, got);
      free(got);
    } else if (!inside) {
      fail_msg("cut %llu: not merged, outside every record across lines", (unsigned long long)cut);
    }
    refused += !ok;
    release(&ev);
    for (int k = 0; k < 2; k++) release(&parts[k]);
  }
  assert_true(refused > 0);
  free(whole);
  free(b.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_line_start),
      cmocka_unit_test(test_parts_near),
      cmocka_unit_test(test_parts_far),
      cmocka_unit_test(test_parts_multiline),
      cmocka_unit_test(test_scan_threads),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
