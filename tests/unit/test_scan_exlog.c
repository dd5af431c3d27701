/* Scanning Exchange and IIS logs as streams (issue 11): the same findings,
 * line numbers, offsets and log window whatever the block size and the
 * source (memory, a sequential source like an archive member, a file); a
 * #Fields: change, a line longer than the longest read whole, a header of
 * more than EXH_MAX_COLS columns; a log truncated or swapped for a symbolic
 * link between the walk and the read gives a per-file error and the scan
 * goes on. */
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
#include "scan/scan.h"
#include "util/util.h"
#include "formats/logs/logs.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static exh_worker wk; /* one for the whole run, as a scan thread keeps its own */
static char tmp[256];

#define HP_HEAD                                                                                               \
  "DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n#Software: Microsoft Exchange Server\r\n"              \
  "#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-01T07:00:00.000Z\r\n"              \
  "#Fields: DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n"
#define HP_QUIET "2021-03-01T07:%02d:00.000Z,10.0.0.1,user@contoso.com,/owa/\r\n"
#define HP_PROBE "2021-03-01T07:%02d:05.891Z,142.4.110.%d,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n"

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  snprintf(tmp, sizeof tmp, "/tmp/exh_scan_exlog_%ld", (long)getpid());
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

static void write_file(const char *path, const char *data, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  fclose(f);
}

/* An HttpProxy log of `lines` records, every tenth a localhost probe. */
static char *make_log(int lines, size_t *n) {
  exh_buf b = {0};
  exh__buf_adds(&b, HP_HEAD);
  char line[256];
  for (int i = 0; i < lines; i++) {
    if (i % 10 == 9) snprintf(line, sizeof line, HP_PROBE, i % 60, i % 250);
    else snprintf(line, sizeof line, HP_QUIET, i % 60);
    exh__buf_adds(&b, line);
  }
  *n = b.n;
  return b.p;
}

static void free_ev(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
  ev->findings = NULL;
  ev->nfindings = ev->capfindings = 0;
  ev->error = NULL;
}

static void free_walk(exh_walk *w) {
  for (size_t i = 0; i < w->n; i++) {
    free_ev(&w->ev[i]);
    free(w->ev[i].path);
    free(w->ev[i].rel);
  }
  free(w->ev);
  for (size_t i = 0; i < w->nerrors; i++) {
    free(w->errors[i].path);
    free(w->errors[i].reason);
  }
  free(w->errors);
  for (size_t i = 0; i < w->nsrv; i++) {
    free(w->srv[i].exsetup);
    free(w->srv[i].builds);
    free(w->srv[i].root);
    free(w->srv[i].name);
    free(w->srv[i].root_error);
  }
  free(w->srv);
  free(w->found);
}

/* A source that returns at most `step` bytes a call and cannot pread (an
 * archive member does both). */
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

/* What a scan of one log gave, as text to compare. */
static char *summary(exh_evidence *ev) {
  exh_buf b = {0};
  exh__buf_printf(&b, "first=%lld last=%lld version=%s error=%s findings=%zu\n", (long long)ev->first_ms,
                 (long long)ev->last_ms, ev->version, ev->error ? ev->error : "-", ev->nfindings);
  for (size_t i = 0; i < ev->nfindings; i++) {
    exh_finding *f = &ev->findings[i];
    exh__buf_printf(&b, "%s line=%llu off=%llu t=%lld ip=%s url=%s status=%d msg=%s ev=%.*s\n", f->rule->id,
                   (unsigned long long)f->line, (unsigned long long)f->offset, (long long)f->time_ms,
                   f->source_ip ? f->source_ip : "-", f->url ? f->url : "-", f->http_status, f->message,
                   (int)f->evidence_len, f->evidence);
  }
  return b.p;
}

/* Scans text as a log of `kind` from a source: 0 memory, 1 dribble. */
static char *scan_text(exh_kind kind, const char *text, size_t n, int how, size_t block, size_t max_line) {
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.path = "t.log";
  ev.rel = "t.log";
  ev.kind = kind;
  dribble d = {{dribble_read, NULL, dribble_close, n, 0, ""}, text, n, 1 + block % 7};
  exh_source *src = how == 0 ? exh__source_mem(text, n) : &d.s;
  exh__scan_exlog_source_sized(&wk, &ev, src, block, max_line);
  if (how == 0) exh__source_close(src);
  char *s = summary(&ev);
  free_ev(&ev);
  return s;
}

#define IIS_F1 "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n"
#define IIS_F2 "#Fields: date time cs-method cs-uri-stem cs-uri-query sc-status c-ip cs(User-Agent)\r\n"

/* An IIS log whose #Fields: change mid-file (a service restart): the
 * status column moves, so a finding needs the header of its block. */
static char *make_iis(size_t *n) {
  exh_buf b = {0};
  exh__buf_adds(&b, "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
                   "#Date: 2021-10-09 00:00:00\r\n" IIS_F1);
  for (int i = 0; i < 300; i++) {
    if (i % 25 == 24)
      exh__buf_printf(&b, "2021-10-09 02:%02d:04 10.0.0.5 GET /autodiscover/autodiscover.json "
                         "@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%%3F@evil.com 443 - 1.2.3.%d "
                         "python-requests/2.26.0 - %d 0 0 332\r\n", i % 60, i % 200, i % 50 == 49 ? 200 : 404);
    else
      exh__buf_printf(&b, "2021-10-09 02:%02d:05 10.0.0.5 GET /owa/ &CorrelationID=<empty>; 443 - 10.0.0.%d "
                         "Mozilla/5.0 - 200 0 0 %d\r\n", i % 60, i % 200, i);
    if (i == 150)
      exh__buf_adds(&b, "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
                       "#Date: 2021-10-09 03:00:00\r\n" IIS_F2);
    if (i > 150) { /* in the second header's order */
      b.n -= 2;
      while (b.n && b.p[b.n - 1] != '\n') b.n--;
      if (i % 25 == 24)
        exh__buf_printf(&b, "2021-10-09 03:%02d:04 GET /autodiscover/autodiscover.json "
                           "@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%%3F@evil.com %d 1.2.3.%d "
                           "python-requests/2.26.0\r\n", i % 60, i % 50 == 49 ? 200 : 404, i % 200);
      else
        exh__buf_printf(&b, "2021-10-09 03:%02d:05 GET /owa/ - 200 10.0.0.%d Mozilla/5.0\r\n", i % 60, i % 200);
    }
  }
  /* trailing directives after the last record: its time is read with the
   * header in force at its line, not this one */
  exh__buf_adds(&b, "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: c-ip time date\r\n");
  *n = b.n;
  return b.p;
}

static void check_blocks(exh_kind kind, const char *text, size_t n, size_t max_block) {
  char *ref = scan_text(kind, text, n, 0, 1 << 20, 1 << 20);
  for (size_t block = 1; block <= max_block; block += block < 40 ? 1 : 17) {
    for (int how = 0; how < 2; how++) {
      char *got = scan_text(kind, text, n, how, block, 4096);
      if (strcmp(ref, got)) printf("block %zu, source %d:\n--- whole\n%s--- blocks\n%s", block, how, ref, got);
      assert_string_equal(ref, got);
      free(got);
    }
  }
  free(ref);
}

/* Block boundaries change nothing: every block size from 1 byte, memory and
 * sequential sources, give what one block gives. */
static void test_blocks_equal(void **st) {
  (void)st;
  size_t n;
  char *log = make_log(300, &n);
  char *ref = scan_text(EXH_KIND_HTTPPROXY, log, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(ref, "findings=30\n"));
  assert_non_null(strstr(ref, "line=16 off=")); /* 6 header lines, the 10th record */
  assert_non_null(strstr(ref, "version=15.1.2176.2"));
  free(ref);
  check_blocks(EXH_KIND_HTTPPROXY, log, n, 400);
  free(log);
  char *iis = make_iis(&n);
  ref = scan_text(EXH_KIND_IIS, iis, n, 0, 1 << 20, 1 << 20);
  /* findings on both sides of the header change, success and attempt */
  assert_non_null(strstr(ref, "findings=12\n"));
  assert_non_null(strstr(ref, "line=308 off=26181 t=1633751944000")); /* 03:59:04, under the second header */
  assert_non_null(strstr(ref, "last=1633751944000")); /* the last record, not the trailing directive */
  free(ref);
  check_blocks(EXH_KIND_IIS, iis, n, 300);
  free(iis);
  /* no rule reads ECP activity logs: the window comes from the tail (memory)
   * or from the blocks as they pass (sequential) */
  const char *ecp = "#Software: Microsoft Exchange Server\n#Fields: TimeStamp,EventData\n"
                    "2021-03-03T00:00:00.000Z,a\n2021-03-03T01:00:00.000Z,b\n#Fields: TimeStamp,EventData\n";
  check_blocks(EXH_KIND_ECP_ACTIVITY, ecp, strlen(ecp), 80);
  char *e = scan_text(EXH_KIND_ECP_ACTIVITY, ecp, strlen(ecp), 1, 3, 64);
  assert_non_null(strstr(e, "first=1614729600000 last=1614733200000"));
  free(e);
  /* OAB generator logs without a header: text, one record a line */
  const char *oab = "2021-03-02T00:00:00.000Z [OABGeneratorAssistant] a\n2021-03-02T00:30:00.000Z b\nno stamp\n";
  check_blocks(EXH_KIND_OABGEN, oab, strlen(oab), 80);
}

/* A line longer than the longest read whole is read on its first bytes and
 * counted; the lines after it keep their numbers and findings. */
static void test_long_line(void **st) {
  (void)st;
  size_t n;
  char *log = make_log(40, &n);
  exh_buf b = {0};
  exh_buf_add(&b, log, n);
  exh__buf_adds(&b, "2021-03-01T08:00:00.000Z,10.0.0.9,");
  for (int i = 0; i < 5000; i++) exh_buf_addc(&b, 'x');
  exh__buf_adds(&b, ",/owa/\r\n");
  exh_buf_add(&b, log + strlen(HP_HEAD), n - strlen(HP_HEAD)); /* 40 more records */
  free(log);
  char *whole = scan_text(EXH_KIND_HTTPPROXY, b.p, b.n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(whole, "findings=8\n"));
  assert_non_null(strstr(whole, "error=-"));
  for (size_t block = 256; block <= 4096; block *= 2) {
    for (int how = 0; how < 2; how++) {
      char *cut = scan_text(EXH_KIND_HTTPPROXY, b.p, b.n, how, block, block);
      assert_non_null(strstr(cut, "1 line longer than"));
      /* the same findings, lines and offsets */
      assert_string_equal(strchr(whole, '\n'), strchr(cut, '\n'));
      free(cut);
    }
  }
  free(whole);
  free(b.p);
}

/* A #Fields: line over EXH_MAX_COLS columns: the file says which columns
 * are read; the columns before keep their values. */
static void test_many_columns(void **st) {
  (void)st;
  exh_buf b = {0};
  exh__buf_adds(&b, "#Software: Microsoft Exchange Server\r\n#Fields: DateTime,ClientIpAddress,AnchorMailbox,UrlStem");
  for (int i = 0; i < 600; i++) exh__buf_printf(&b, ",Extra%d", i);
  exh__buf_adds(&b, "\r\n2021-03-01T07:45:05.891Z,1.2.3.4,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js");
  for (int i = 0; i < 600; i++) exh__buf_adds(&b, ",v");
  exh__buf_adds(&b, "\r\n");
  char *got = scan_text(EXH_KIND_HTTPPROXY, b.p, b.n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(got, "names 604 columns: only the first 511 are read"));
  assert_non_null(strstr(got, "findings=1\n"));
  assert_non_null(strstr(got, "ip=1.2.3.4"));
  free(got);
  free(b.p);
}

/* A file that shrinks between the open and the end of the read. */
static void test_truncated_while_read(void **st) {
  (void)st;
  char dir[400], path[512];
  snprintf(dir, sizeof dir, "%s/while", tmp);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(path, sizeof path, "%s/HttpProxy_1.LOG", dir);
  size_t n;
  char *log = make_log(5000, &n);
  write_file(path, log, n);
  free(log);
  char why[256];
  exh_source *src = exh__source_file(path, NULL, why, sizeof why);
  assert_non_null(src);
  assert_int_equal(truncate(path, 1000), 0);
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.path = path;
  ev.rel = "";
  ev.kind = EXH_KIND_HTTPPROXY;
  exh__scan_exlog_source_sized(&wk, &ev, src, 256, 256);
  exh__source_close(src);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "shrank"));
  free_ev(&ev);
}

/* Two logs walked; then `change` is applied to the first before it is read. */
static void walk_two(const char *name, exh_walk *w, char *a, char *b, size_t pathn) {
  char dir[400];
  snprintf(dir, sizeof dir, "%s/%s/Logging/HttpProxy/Owa", tmp, name);
  char cmd[512];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
  assert_int_equal(system(cmd), 0);
  size_t n;
  char *log = make_log(2000, &n);
  snprintf(a, pathn, "%s/HttpProxy_2021030107-1.LOG", dir);
  snprintf(b, pathn, "%s/HttpProxy_2021030108-1.LOG", dir);
  write_file(a, log, n);
  write_file(b, log, n);
  free(log);
  memset(w, 0, sizeof *w);
  char root[400];
  snprintf(root, sizeof root, "%s/%s", tmp, name);
  exh__walk_root(w, root, 0);
  assert_int_equal(w->n, 2);
  assert_string_equal(w->ev[0].path, a);
}

static void scan_ev(exh_evidence *ev) {
  exh__scan_exlog(&wk, ev);
}

/* Truncated between the walk and the read (a live server rotating its
 * logs): what is still there is read, the file gets an error, and the next
 * file is scanned as usual. */
static void test_truncated_after_walk(void **st) {
  (void)st;
  exh_walk w;
  char a[512], b[512];
  walk_two("trunc", &w, a, b, sizeof a);
  assert_int_equal(truncate(a, (off_t)(w.ev[0].size / 2)), 0);
  scan_ev(&w.ev[0]);
  scan_ev(&w.ev[1]);
  assert_non_null(w.ev[0].error);
  assert_non_null(strstr(w.ev[0].error, "shrank"));
  assert_true(w.ev[0].nfindings > 0 && w.ev[0].nfindings < 200);
  assert_null(w.ev[1].error);
  assert_int_equal(w.ev[1].nfindings, 200);
  /* emptied */
  free_ev(&w.ev[1]);
  assert_int_equal(truncate(b, 0), 0);
  scan_ev(&w.ev[1]);
  assert_non_null(w.ev[1].error);
  assert_non_null(strstr(w.ev[1].error, "shrank"));
  free_walk(&w);
}

/* Swapped for a symbolic link to a file outside the tree after the walk:
 * not followed, not read; the next file is scanned. */
static void test_symlink_after_walk(void **st) {
  (void)st;
  exh_walk w;
  char a[512], b[512];
  walk_two("link", &w, a, b, sizeof a);
  char outside[400];
  snprintf(outside, sizeof outside, "%s/outside.log", tmp);
  size_t n;
  char *log = make_log(100, &n);
  write_file(outside, log, n);
  free(log);
  assert_int_equal(unlink(a), 0);
  assert_int_equal(symlink(outside, a), 0);
  scan_ev(&w.ev[0]);
  scan_ev(&w.ev[1]);
  assert_non_null(w.ev[0].error);
  assert_non_null(strstr(w.ev[0].error, "symbolic link"));
  assert_int_equal(w.ev[0].nfindings, 0);
  assert_null(w.ev[1].error);
  assert_int_equal(w.ev[1].nfindings, 200);
  free_walk(&w);
}

/* Replaced by another file (another inode) after the walk: refused. */
/* The URL-decoded virtual fields (issue 13 item 4), read through the whole
 * scan path (prefilter group {literal, "%"}, CSV unquoting, W3C stem and
 * query): a rule on UrlQuery-decoded / cs-uri-query-decoded fires on every
 * encoding of the same request and on no other line. */
static void test_decoded_fields(void **st) {
  (void)st;
  static const char *const yaml =
      "title: csv decoded\nid: 00000000-0000-0000-0000-00000000d001\nlogsource: {product: exchange, service: httpproxy}\n"
      "detection:\n  s:\n    UrlQuery-decoded|contains: '@evil.com/powershell'\n    UrlStem-decoded: '/autodiscover/autodiscover.json'\n"
      "  condition: s\nlevel: high\n"
      "---\n"
      "title: w3c decoded\nid: 00000000-0000-0000-0000-00000000d002\nlogsource: {category: webserver}\n"
      "detection:\n  s:\n    cs-uri-query-decoded|contains: 'autodiscover.json?@evil.com/powershell'\n"
      "    cs-uri-stem-decoded: '/autodiscover/autodiscover.json'\n  condition: s\nlevel: high\n";
  exh_ruleset *r2;
  assert_int_equal(exh_ruleset_new(&r2), EXH_OK);
  assert_int_equal(exh_ruleset_add_yaml(r2, "t", yaml, strlen(yaml)), EXH_OK);
  assert_int_equal(exh_ruleset_compile(r2), EXH_OK);
  exh_worker w2;
  exh__worker_init(&w2, r2);
  w2.lim = &lim;
  static const char csv[] =
      "DateTime,ClientIpAddress,UrlStem,UrlQuery\r\n#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
      "#Log-type: HttpProxy Logs\r\n#Fields: DateTime,ClientIpAddress,UrlStem,UrlQuery\r\n"
      "2021-08-20T01:00:00.000Z,1.2.3.4,/autodiscover/autodiscover.json,?@evil.com/powershell/?&Email=x\r\n"        /* plain */
      "2021-08-20T01:00:01.000Z,1.2.3.4,/autodiscover/autodiscover.json,?%40evil.com/%50owershell\r\n"              /* %XX */
      "2021-08-20T01:00:02.000Z,1.2.3.4,/autodiscover/%61utodiscover.json,?%2540evil.com/%2570owershell\r\n"        /* double */
      "2021-08-20T01:00:03.000Z,1.2.3.4,/autodiscover/autodiscover.json,\"?%40evil.com/POWERSHELL/?a=\"\"b\"\"\"\r\n" /* quoted */
      "2021-08-20T01:00:04.000Z,1.2.3.4,/autodiscover/autodiscover.json,?@evil.com/ews/\r\n"                        /* other */
      "2021-08-20T01:00:05.000Z,1.2.3.4,/owa/,?%40evil.com/%50owershell\r\n";                                      /* stem */
  static const char iis[] =
      "#Software: Microsoft Internet Information Services 10.0\r\n"
      "#Fields: date time cs-method cs-uri-stem cs-uri-query sc-status c-ip cs(User-Agent)\r\n"
      "2022-10-01 01:00:00 GET /autodiscover/autodiscover.json @evil.com/powershell 200 1.2.3.4 x\r\n"
      "2022-10-01 01:00:01 GET /autodiscover/autodiscover.json %40evil.com/%50owershell 200 1.2.3.4 x\r\n"
      "2022-10-01 01:00:02 GET /autodiscover/autodiscover%2Ejson %2540evil.com%252Fpowershell 200 1.2.3.4 x\r\n"
      "2022-10-01 01:00:03 GET /autodiscover/autodiscover.json @evil.com/ews 200 1.2.3.4 x\r\n"
      "2022-10-01 01:00:04 GET /owa/ %40evil.com/%50owershell 200 1.2.3.4 x\r\n";
  const struct {
    exh_kind kind;
    const char *text;
    size_t n;
  } logs[] = {{EXH_KIND_HTTPPROXY, csv, sizeof csv - 1}, {EXH_KIND_IIS, iis, sizeof iis - 1}};
  const uint64_t want[2][5] = {{6, 7, 8, 9, 0}, {3, 4, 5, 0, 0}};
  for (int k = 0; k < 2; k++) {
    exh_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.path = ev.rel = "t.log";
    ev.kind = logs[k].kind;
    exh_source *src = exh__source_mem(logs[k].text, logs[k].n);
    exh__scan_exlog_source(&w2, &ev, src);
    exh__source_close(src);
    size_t nw = 0;
    while (nw < 5 && want[k][nw]) nw++;
    if (ev.nfindings != nw) {
      char *sm = summary(&ev);
      fprintf(stderr, "%s", sm);
      free(sm);
    }
    assert_int_equal(ev.nfindings, nw);
    for (size_t i = 0; i < nw; i++) assert_int_equal(ev.findings[i].line, want[k][i]);
    free_ev(&ev);
  }
  exh__worker_fini(&w2);
  exh_ruleset_free(r2);
}

static void test_replaced_after_walk(void **st) {
  (void)st;
  exh_walk w;
  char a[512], b[512];
  walk_two("repl", &w, a, b, sizeof a);
  char other[600];
  snprintf(other, sizeof other, "%s.new", a);
  size_t n;
  char *log = make_log(100, &n);
  write_file(other, log, n);
  free(log);
  assert_int_equal(rename(other, a), 0);
  scan_ev(&w.ev[0]);
  assert_non_null(w.ev[0].error);
  assert_non_null(strstr(w.ev[0].error, "replaced"));
  assert_int_equal(w.ev[0].nfindings, 0);
  free_walk(&w);
}

/* Damaged logs (review items 13-15): a run of zeros (a log copied while
 * IIS wrote it, a crashed server's preallocated tail) is a gap between
 * lines: the record after it keeps its time, the window ends at the last
 * record, and the file says where the zeros are; a record cut short (by
 * zeros, or by the end of the file without a line end) that lacks fields
 * is not evaluated (its status is unknown, not a refusal) and is
 * reported. Whatever the block size. */
#define DMG_HEAD "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-09-28 00:00:00\r\n" IIS_F1
#define DMG_OK1 "2021-09-28 01:00:00 10.1.1.5 GET /owa/ - 443 CONTOSO\\alice 10.1.20.33 Mozilla/5.0 - 200 0 0 10\r\n"
#define DMG_ATK "2021-09-28 05:10:14 10.1.1.5 POST /autodiscover/autodiscover.json @evil.com/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/autodiscover.json%3F@evil.com 443 - 185.220.101.45 python-requests/2.26.0 - 200 0 0 569"
#define DMG_OK2 "2021-09-28 06:00:00 10.1.1.5 GET /owa/ - 443 CONTOSO\\bob 10.1.20.34 Mozilla/5.0 - 200 0 0 10\r\n"

static char *dmg(const char *a, size_t zeros_a, const char *b, size_t zeros_b, const char *c, size_t *n) {
  exh_buf o = {0};
  exh__buf_adds(&o, a);
  for (size_t i = 0; i < zeros_a; i++) exh_buf_addc(&o, 0);
  exh__buf_adds(&o, b);
  for (size_t i = 0; i < zeros_b; i++) exh_buf_addc(&o, 0);
  exh__buf_adds(&o, c);
  *n = o.n;
  return o.p;
}

static void test_damaged(void **st) {
  (void)st;
  size_t n;
  /* zeros before the attack: its time is read (2021-09-28T05:10:14Z) */
  char *t = dmg(DMG_HEAD DMG_OK1, 4096, DMG_ATK "\r\n", 0, DMG_OK2, &n);
  char *r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "t=1632805814000"));
  assert_non_null(strstr(r, "last=1632808800000")); /* 06:00:00 */
  assert_non_null(strstr(r, "4096 bytes of zeros at byte 357 (a zero-filled region"));
  free(r);
  free(t);
  /* zeros longer than the longest line read whole, ending at a block's end */
  t = dmg(DMG_HEAD DMG_OK1, 8192, DMG_ATK "\r\n", 0, DMG_OK2, &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 4096, 4096);
  assert_non_null(strstr(r, "t=1632805814000"));
  assert_non_null(strstr(r, "error=8192 bytes of zeros at byte 357 (a zero-filled region: read as a gap between lines) findings=1"));
  free(r);
  free(t);
  t = dmg(DMG_HEAD DMG_OK1, 3000, DMG_ATK "\r\n", 0, DMG_OK2, &n);
  check_blocks(EXH_KIND_IIS, t, n, 120);
  free(t);
  /* a zero-filled tail: the window ends at the last record, not unknown */
  t = dmg(DMG_HEAD DMG_OK1 DMG_ATK "\r\n" DMG_OK2, 5000, "", 0, "", &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "first=1632790800000 last=1632808800000"));
  assert_non_null(strstr(r, "5000 bytes of zeros at byte 684 "));
  assert_non_null(strstr(r, "findings=1\n"));
  free(r);
  check_blocks(EXH_KIND_IIS, t, n, 120);
  free(t);
  /* the attack cut before its status by the end of the file: no finding
   * (not "refused"), reported; the window ends at the last whole time */
  t = dmg(DMG_HEAD DMG_OK1, 0, "2021-09-28 05:10:14 10.1.1.5 POST /autodiscover/autodiscover.json "
                              "@evil.com/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/",
          0, "", &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "findings=0\n"));
  assert_non_null(strstr(r, "the last record (byte 357) is cut short: 6 of 15 fields and no line end: not evaluated"));
  assert_non_null(strstr(r, "last=1632805814000")); /* its time is whole */
  free(r);
  check_blocks(EXH_KIND_IIS, t, n, 120);
  free(t);
  /* cut inside its time: the window ends at the record before */
  t = dmg(DMG_HEAD DMG_OK1 DMG_ATK "\r\n" DMG_OK2, 0, "2021-09-28 07:1", 0, "", &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "last=1632808800000"));
  assert_non_null(strstr(r, "findings=1\n"));
  assert_non_null(strstr(r, "is cut short: 2 of 15 fields"));
  free(r);
  check_blocks(EXH_KIND_IIS, t, n, 120);
  free(t);
  /* a record cut by zeros in its line (the writer stopped, then went on):
   * not evaluated; the record after the zeros is */
  t = dmg(DMG_HEAD DMG_OK1 "2021-09-28 05:10:13 10.1.1.5 POST /autodiscover/autodiscover.json @evil.com/powershell/", 300,
          DMG_ATK "\r\n", 0, DMG_OK2, &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "findings=1\n"));
  assert_non_null(strstr(r, "t=1632805814000"));
  assert_non_null(strstr(r, "1 record cut short by zeros (fewer fields than the header): not evaluated"));
  free(r);
  check_blocks(EXH_KIND_IIS, t, n, 120);
  free(t);
  /* a whole last record without a line end is read as before, silently */
  t = dmg(DMG_HEAD DMG_OK1 DMG_ATK, 0, "", 0, "", &n);
  r = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "error=- findings=1\n"));
  free(r);
  free(t);
  /* HttpProxy (CSV): zeros between the header and the first record */
  t = dmg(HP_HEAD, 64, "2021-03-01T07:00:05.891Z,142.4.110.3,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n", 64,
          "", &n);
  r = scan_text(EXH_KIND_HTTPPROXY, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "first=1614582005891 last=1614582005891"));
  assert_non_null(strstr(r, "2 zero-filled regions, 128 bytes of zeros, the first of 64 bytes at byte"));
  assert_non_null(strstr(r, "findings=1\n"));
  free(r);
  check_blocks(EXH_KIND_HTTPPROXY, t, n, 120);
  free(t);
}

/* UTF-8 text as UTF-16 (be: big-endian; bom: with its byte order mark). */
static char *to_utf16(const char *t, size_t n, int be, int bom, size_t *out) {
  exh_buf o = {0};
  if (bom) exh_buf_add(&o, be ? "\xFE\xFF" : "\xFF\xFE", 2);
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)t[i];
    uint32_t cp = c;
    size_t k = 1;
    if (c >= 0xF0) cp = (uint32_t)(c & 7) << 18 | (uint32_t)(t[i + 1] & 63) << 12 | (uint32_t)(t[i + 2] & 63) << 6 | (t[i + 3] & 63), k = 4;
    else if (c >= 0xE0) cp = (uint32_t)(c & 15) << 12 | (uint32_t)(t[i + 1] & 63) << 6 | (t[i + 2] & 63), k = 3;
    else if (c >= 0xC0) cp = (uint32_t)(c & 31) << 6 | (t[i + 1] & 63), k = 2;
    i += k;
    unsigned u[2] = {cp, 0};
    int m = 1;
    if (cp >= 0x10000) u[0] = 0xD800 + ((cp - 0x10000) >> 10), u[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF), m = 2;
    for (int j = 0; j < m; j++) {
      char b[2] = {(char)(be ? u[j] >> 8 : u[j] & 0xFF), (char)(be ? u[j] & 0xFF : u[j] >> 8)};
      exh_buf_add(&o, b, 2);
    }
  }
  *out = o.n;
  return o.p;
}

/* A UTF-16 log (review item 16: PowerShell 5's Out-File writes UTF-16LE
 * with a mark) reads as its UTF-8 text does: the same findings, times,
 * lines and window (offsets count the UTF-8 text), little- or big-endian,
 * with or without a mark, read in blocks of any size (a character split
 * across reads); the format recognises it by its head. */
static void test_utf16(void **st) {
  (void)st;
  size_t n, un;
  /* a user name with a non-ASCII letter and a character outside the BMP */
  char *t = dmg(DMG_HEAD DMG_OK1, 0, DMG_ATK "\r\n", 0,
                "2021-09-28 06:00:00 10.1.1.5 GET /owa/ - 443 CONTOSO\\j\xC3\xBCrgen\xF0\x9F\x98\x80 10.1.20.34 Mozilla/5.0 - 200 0 0 10\r\n",
                &n);
  char *ref = scan_text(EXH_KIND_IIS, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(ref, "error=- findings=1\n"));
  for (int v = 0; v < 4; v++) {
    char *u = to_utf16(t, n, v & 1, v < 3, &un);
    char *r = scan_text(EXH_KIND_IIS, u, un, 0, 1 << 20, 1 << 20);
    assert_string_equal(ref, r);
    free(r);
    assert_int_equal(exh__format_logs.by_head((const unsigned char *)u, un < 600 ? un : 600), EXH_KIND_IIS);
    if (v == 0) check_blocks(EXH_KIND_IIS, u, un, 60);
    free(u);
  }
  free(ref);
  /* an odd byte at the end and a lone surrogate are said */
  char *u = to_utf16(t, n, 0, 1, &un);
  u = realloc(u, un + 3);
  memcpy(u + un, "\x00\xD8\x41", 3); /* U+D800 alone, then half a unit */
  char *r = scan_text(EXH_KIND_IIS, u, un + 3, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "UTF-16 text ends with half a character"));
  assert_non_null(strstr(r, "1 unpaired UTF-16 surrogate read as U+FFFD"));
  assert_non_null(strstr(r, "findings=1\n"));
  free(r);
  free(u);
  free(t);
}

/* An Exchange CSV record holding a line break in a quoted value (RFC 4180;
 * review item 17) is read whole, in its place: its finding has the line
 * it starts on, the records after it count its lines; whatever the block
 * size (a record across blocks). A quote left open at the end of the file
 * is a record cut short; one left open for more than 64 KiB gives its
 * lines up, said. */
#define ML_HEAD                                                                                                      \
  "DateTime,UserAgent,ClientIpAddress,AnchorMailbox,UrlStem\r\n#Software: Microsoft Exchange Server\r\n"             \
  "#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-01T07:00:00.000Z\r\n"                    \
  "#Fields: DateTime,UserAgent,ClientIpAddress,AnchorMailbox,UrlStem\r\n"
#define ML_PROBE(t, ua, ip) t "," ua "," ip ",ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n"

static void test_multiline(void **st) {
  (void)st;
  const char *t = ML_HEAD ML_PROBE("2021-03-01T07:00:01.000Z", "a", "10.0.0.1")
      ML_PROBE("2021-03-01T07:00:02.000Z", "\"Mozilla \"\"x\"\"\r\nb,\r\nc\"", "142.4.110.3")
      ML_PROBE("2021-03-01T07:00:03.000Z", "\"q\"", "10.0.0.3")
      /* a quote inside an unquoted value opens nothing; the next line
       * starts with a quoted value holding a line break */
      ML_PROBE("2021-03-01T07:00:04.000Z", "Mo\"zilla", "10.0.0.4")
      "\"2021-03-01T07:00:05.000Z\",\"a\r\nb\",142.4.110.5,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n";
  size_t n = strlen(t);
  char *r = scan_text(EXH_KIND_HTTPPROXY, t, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "findings=5\n"));
  assert_non_null(strstr(r, "line=12 off=")); /* 10.0.0.4, one line */
  assert_non_null(strstr(r, "line=13 off=")); /* 142.4.110.5, two lines */
  assert_non_null(strstr(r, "t=1614582005000 ip=142.4.110.5 "));
  assert_non_null(strstr(r, "error=-"));
  assert_non_null(strstr(r, "line=8 off=339 t=1614582002000 ip=142.4.110.3 "));
  assert_non_null(strstr(r, "line=11 off=")); /* the record after it: lines 8-10 were one record */
  assert_non_null(strstr(r, "last=1614582005000"));
  free(r);
  check_blocks(EXH_KIND_HTTPPROXY, t, n, 200);
  /* the last record ends inside its quoted value: cut short, said */
  const char *u = ML_HEAD ML_PROBE("2021-03-01T07:00:01.000Z", "a", "10.0.0.1")
      "2021-03-01T07:00:02.000Z,\"Mozilla\r\nb,142.4.110.3,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n";
  n = strlen(u);
  r = scan_text(EXH_KIND_HTTPPROXY, u, n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "findings=1\n"));
  assert_non_null(strstr(r, "the last record (byte 339) is cut short inside a quoted value: not evaluated"));
  assert_non_null(strstr(r, "last=1614582001000"));
  free(r);
  check_blocks(EXH_KIND_HTTPPROXY, u, n, 200);
  /* a quote that never closes: its lines (64 KiB) not read, said; the
   * records after them are read */
  exh_buf b = {0};
  exh__buf_adds(&b, ML_HEAD "2021-03-01T07:00:02.000Z,\"open\r\n");
  for (int i = 0; i < 2000; i++)
    exh__buf_adds(&b, ML_PROBE("2021-03-01T07:00:02.000Z", "x", "10.0.0.2"));
  exh__buf_adds(&b, ML_PROBE("2021-03-01T07:59:00.000Z", "x", "10.0.0.9"));
  r = scan_text(EXH_KIND_HTTPPROXY, b.p, b.n, 0, 1 << 20, 1 << 20);
  assert_non_null(strstr(r, "1 record with a quoted value not closed within 65536 bytes (the first at byte 249): its "
                            "lines not read"));
  assert_non_null(strstr(r, "ip=10.0.0.9"));
  assert_non_null(strstr(r, "last=1614585540000"));
  free(r);
  check_blocks(EXH_KIND_HTTPPROXY, b.p, b.n, 3);
  free(b.p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blocks_equal),
      cmocka_unit_test(test_long_line),
      cmocka_unit_test(test_many_columns),
      cmocka_unit_test(test_truncated_while_read),
      cmocka_unit_test(test_truncated_after_walk),
      cmocka_unit_test(test_symlink_after_walk),
      cmocka_unit_test(test_replaced_after_walk),
      cmocka_unit_test(test_decoded_fields),
      cmocka_unit_test(test_damaged),
      cmocka_unit_test(test_utf16),
      cmocka_unit_test(test_multiline),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
