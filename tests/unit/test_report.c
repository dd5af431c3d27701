/* Reports: attacker-controlled strings stay inert in every format, and the
 * JSONL contract's field names are where users expect them. White-box: the
 * result is built by hand (core/result.h); the writers are reached as a
 * user reaches them (exh_writer_find, a callback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/result.h"
#include "report/ip.h"
#include "exhunt/exhunt.h"
#include "util/util.h"

static const char *const cves[] = {"CVE-2021-26855"};
static const char *const techs[] = {"T1190"};
static const exh_rule_info rule = {"rid-1", "SSRF", "d", "builtin:x.yml", "exchange.httpproxy",
                                   EXH_LEVEL_HIGH, cves, 1, techs, 1, 0};

#define HOSTILE "evil\x1b]0;title\x07\x1b[2J\"</script><img src=x>\r\n=cmd|' /C calc'!A0\xff"

static exh_result *make(void) {
  exh_result *r = exh__xcalloc(1, sizeof *r);
  r->nservers = 1;
  r->servers = exh__xcalloc(1, sizeof *r->servers);
  r->servers[0].name = exh__xstrdup("srv\x1b[31m");
  r->servers[0].root = exh__xstrdup("/x");
  r->servers[0].reason = exh__xstrdup("because");
  r->servers[0].verdict = EXH_VERDICT_COMPROMISED;
  r->nfindings = 1;
  r->findings = exh__xcalloc(1, sizeof *r->findings);
  exh_finding *f = &r->findings[0];
  f->rule = &rule;
  f->level = EXH_LEVEL_HIGH;
  f->time_ms = 1614733323123LL;
  f->message = exh__xstrdup("msg " HOSTILE);
  f->dataset = "exchange.httpproxy";
  f->path = exh__xstrdup("/x/HttpProxy_1.LOG");
  f->offset = 42;
  f->line = 3;
  f->evidence = exh__xstrdup(HOSTILE);
  f->evidence_len = strlen(HOSTILE);
  f->source_ip = exh__xstrdup("1.2.3.4");
  f->url = exh__xstrdup("/ecp/y.js?" HOSTILE);
  f->user_agent = exh__xstrdup(HOSTILE);
  f->http_status = 200;
  /* coverage and campaigns carry attacker-chosen names too (folder names,
   * EVTX channel names) */
  r->ncoverage = 2;
  r->coverage = exh__xcalloc(2, sizeof *r->coverage);
  r->coverage[0] = (exh_coverage){0, "httpproxy", exh__xstrdup(HOSTILE), exh__xstrdup("HttpProxy logs " HOSTILE), 1,
                                  1614733323123LL, 1614733323999LL, 3, 100, 10, 1, 5};
  r->coverage[1] = (exh_coverage){0, "iis", exh__xstrdup(""), exh__xstrdup("IIS logs"), 0, EXH_TIME_UNKNOWN,
                                  EXH_TIME_UNKNOWN, 0, 0, 0, 0, 0};
  r->servers[0].limits = exh__xstrdup("read: " HOSTILE);
  r->servers[0].ncampaigns = 1;
  r->servers[0].campaigns = exh__xcalloc(1, sizeof *r->servers[0].campaigns);
  r->servers[0].campaigns[0] = (exh_campaign){"ProxyLogon", EXH_CAMPAIGN_NO_TRACE, 0, 1, 0, 1, 3,
                                                   exh__xstrdup("why " HOSTILE)};
  return r;
}

/* The callback: appends to an exh_buf. */
static int to_buf(void *ctx, const char *p, size_t n) {
  exh_buf_add(ctx, p, n);
  return 0;
}

/* 0 text, 1 jsonl, 2 csv, 3 timesketch, 4 html */
static char *render(int fmt, exh_result *r) {
  static const char *const names[] = {"text", "jsonl", "csv", "timesketch", "html"};
  const exh_writer *w = exh_writer_find(names[fmt]);
  assert_non_null(w);
  assert_string_equal(exh_writer_name(w), names[fmt]);
  exh_buf b = {0};
  exh_report_opts o = {0, 1};
  assert_int_equal(exh_writer_write(w, to_buf, &b, r, &o), EXH_OK);
  return b.p ? b.p : exh__xstrdup("");
}

static void no_raw_controls(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '\n') continue;
    if (*p < 0x20 || *p == 0x7f) fail_msg("raw control byte 0x%02x at %ld", *p, (long)(p - (const unsigned char *)s));
  }
}

static void test_jsonl(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(1, r);
  no_raw_controls(o);
  assert_null(strstr(o, "\xff"));
  /* contract fields */
  assert_non_null(strstr(o, "{\"@timestamp\":\"2021-03-03T01:02:03.123Z\",\"message\":"));
  assert_non_null(strstr(o, "\"event\":{\"kind\":\"alert\",\"severity\":73,\"dataset\":\"exchange.httpproxy\"}"));
  assert_non_null(strstr(o, "\"rule\":{\"id\":\"rid-1\",\"name\":\"SSRF\""));
  assert_non_null(strstr(o, "\"vulnerability\":{\"id\":[\"CVE-2021-26855\"]}"));
  assert_non_null(strstr(o, "\"threat\":{\"technique\":{\"id\":[\"T1190\"]}}"));
  assert_non_null(strstr(o, "\"source\":{\"ip\":\"1.2.3.4\"}"));
  assert_non_null(strstr(o, "\"log\":{\"file\":{\"path\":\"/x/HttpProxy_1.LOG\"},\"offset\":42}"));
  assert_non_null(strstr(o, "\"line\":3"));
  assert_non_null(strstr(o, "\\u001b]0;title\\u0007"));
  assert_non_null(strstr(o, "\"event\":{\"kind\":\"state\",\"dataset\":\"exhunt.verdict\"}"));
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.log_window\""));
  /* every line is one object */
  size_t lines = 0;
  for (char *p = o; *p; p++) lines += *p == '\n';
  assert_int_equal(lines, 6); /* fleet, finding, verdict, build, coverage, log window */
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.fleet\"},\"exhunt\":{\"fleet\":{\"servers\":1,"));
  assert_true(strstr(o, "exhunt.fleet") < strstr(o, "\"kind\":\"alert\"")); /* the fleet first */
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.build\""));
  assert_non_null(strstr(o, "\"dataset\":\"exhunt.coverage\""));
  assert_non_null(strstr(o, "\"class\":\"iis\",\"label\":\"IIS logs\",\"present\":false"));
  assert_non_null(strstr(o, "\"campaigns\":[{\"name\":\"ProxyLogon\",\"state\":\"no trace\""));
  free(o);
  exh_result_free(r);
}

static void test_text(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(0, r);
  no_raw_controls(o);
  assert_non_null(strstr(o, "VERDICT: compromised"));
  assert_non_null(strstr(o, "\\x1b]0;title\\x07"));
  assert_non_null(strstr(o, "HttpProxy_1.LOG:3 (offset 42)"));
  assert_non_null(strstr(o, "campaigns: ProxyLogon    no trace"));
  assert_non_null(strstr(o, "-  IIS logs\n"));
  assert_non_null(strstr(o, "+  HttpProxy logs evil\\x1b]0;title"));
  free(o);
  assert_int_equal(exh_result_exit_code(r), 1);
  r->findings[0].level = EXH_LEVEL_INFO;
  assert_int_equal(exh_result_exit_code(r), 0);
  exh_result_free(r);
}

static void test_csv(void **st) {
  (void)st;
  exh_result *r = make();
  free(r->findings[0].user_agent);
  r->findings[0].user_agent = exh__xstrdup("=cmd|' /C calc'!A0");
  char *o = render(2, r);
  /* header + one row, CRLF */
  assert_non_null(strstr(o, "\"time\",\"host\",\"level\""));
  /* a formula-looking cell is defused, quotes doubled, controls flattened */
  assert_non_null(strstr(o, "\"'=cmd|' /C calc'!A0\""));
  assert_null(strstr(o, ",\"=cmd"));
  assert_non_null(strstr(o, "\"\"</script>"));
  for (const char *p = o; *p; p++)
    if ((unsigned char)*p < 0x20 && *p != '\r' && *p != '\n' && *p != '\t') fail_msg("control byte in CSV");
  assert_null(strstr(o, "\xff"));
  size_t rows = 0;
  for (char *p = o; *p; p++) rows += *p == '\n';
  assert_int_equal(rows, 6); /* header, finding, verdict, campaign, 2 coverage rows */
  assert_non_null(strstr(o, "\"exhunt.coverage\",\"HttpProxy logs evil"));
  assert_non_null(strstr(o, "\"exhunt.campaign\",\"ProxyLogon\""));
  free(o);
  exh_result_free(r);
}

static void test_timesketch(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(3, r);
  no_raw_controls(o);
  assert_non_null(strstr(o, "\"datetime\":\"2021-03-03T01:02:03.123Z\",\"timestamp\":1614733323123000,\"timestamp_desc\":\"Log record time\""));
  assert_non_null(strstr(o, "{\"message\":\"msg "));
  free(o);
  exh_result_free(r);
}

static void test_html(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(4, r);
  no_raw_controls(o);
  assert_null(strstr(o, "\xff"));
  assert_non_null(strstr(o, "<!DOCTYPE html>"));
  assert_non_null(strstr(o, "default-src 'none'"));
  /* the hostile markup is text, never an element */
  assert_null(strstr(o, "<script"));
  assert_non_null(strstr(o, "&lt;/script&gt;&lt;img src=x&gt;"));
  assert_null(strstr(o, "<img"));
  assert_non_null(strstr(o, "1.2.3.4")); /* the attacker table */
  assert_non_null(strstr(o, "<h3>Coverage"));
  assert_non_null(strstr(o, "<tr class=absent><td>IIS logs</td><td>not found</td>"));
  assert_non_null(strstr(o, "<td>ProxyLogon</td><td>no trace</td>"));
  free(o);
  exh_result_free(r);
}

/* The writers by name, in order, the list ending with NULL. */
static void test_writers_list(void **st) {
  (void)st;
  static const char *const names[] = {"text", "jsonl", "csv", "timesketch", "html"};
  const exh_writer *const *w = exh_writers();
  size_t n = 0;
  for (; w[n]; n++) {
    assert_true(n < 5);
    assert_string_equal(exh_writer_name(w[n]), names[n]);
    assert_true(strlen(exh_writer_summary(w[n])) > 10);
    assert_ptr_equal(exh_writer_find(names[n]), w[n]);
  }
  assert_int_equal(n, 5);
  assert_null(exh_writer_find("xml"));
  assert_null(exh_writer_find(NULL));
}

/* A callback that fails on call number fail_at (1-based) and counts calls. */
typedef struct failing {
  int calls, fail_at;
  size_t bytes;
} failing;

static int fail_some(void *ctx, const char *p, size_t n) {
  failing *f = ctx;
  (void)p;
  assert_true(n > 0);
  f->calls++;
  if (f->calls >= f->fail_at) return -1;
  f->bytes += n;
  return 0;
}

/* A result whose reports run to several hundred KB (several hand-overs). */
static exh_result *make_big(void) {
  exh_result *r = make();
  size_t n = 400;
  exh_finding *fs = exh__xcalloc(n, sizeof *fs);
  fs[0] = r->findings[0];
  free(r->findings);
  r->findings = fs;
  r->nfindings = n;
  for (size_t i = 1; i < n; i++) {
    exh_finding *f = &fs[i];
    *f = fs[0];
    f->message = exh__xstrdup(fs[0].message);
    f->path = exh__xstrdup(fs[0].path);
    f->evidence = exh__xcalloc(1, EXH_EVIDENCE_MAX + 1);
    memset(f->evidence, 'e', EXH_EVIDENCE_MAX);
    f->evidence_len = EXH_EVIDENCE_MAX;
    f->source_ip = exh__xstrdup(fs[0].source_ip);
    f->url = exh__xstrdup(fs[0].url);
    f->user_agent = exh__xstrdup(fs[0].user_agent);
  }
  return r;
}

/* A callback's failure: EXH_EIO, and no call after the one that failed. */
static void test_write_failure(void **st) {
  (void)st;
  exh_result *r = make_big();
  exh_report_opts o = {0, 1};
  for (const exh_writer *const *w = exh_writers(); *w; w++) {
    failing ok = {0, 1 << 30, 0};
    assert_int_equal(exh_writer_write(*w, fail_some, &ok, r, &o), EXH_OK);
    assert_true(ok.bytes > 200000);
    assert_true(ok.calls >= 3); /* handed over in pieces, not token by token */
    assert_true((size_t)ok.calls <= ok.bytes / 32768 + 1);
    for (int k = 1; k <= 2; k++) {
      failing f = {0, k, 0};
      assert_int_equal(exh_writer_write(*w, fail_some, &f, r, &o), EXH_EIO);
      assert_int_equal(f.calls, k);
    }
  }
  assert_int_equal(exh_writer_write(exh_writer_find("text"), NULL, NULL, r, &o), EXH_EARG);
  exh_result_free(r);
}

/* The public terminal writer: escaped text, errors as values. */
static void test_term_write(void **st) {
  (void)st;
  exh_buf b = {0};
  static const char hostile[] = "a\x1b[2J\xe2\x80\xae" "b";
  assert_int_equal(exh_term_write(to_buf, &b, hostile, sizeof hostile - 1), EXH_OK);
  assert_string_equal(b.p, "a\\x1b[2J\\u202eb");
  exh__buf_free(&b);
  failing f = {0, 1, 0};
  assert_int_equal(exh_term_write(fail_some, &f, "x", 1), EXH_EIO);
  assert_int_equal(exh_term_write(NULL, NULL, "x", 1), EXH_EARG);
  f.calls = 0;
  assert_int_equal(exh_term_write(fail_some, &f, "", 0), EXH_OK); /* nothing to write: no call */
  assert_int_equal(f.calls, 0);
}

/* The accessors read what the model holds; an index past the end is NULL. */
static void test_accessors(void **st) {
  (void)st;
  exh_result *r = make();
  assert_int_equal(exh_result_nservers(r), 1);
  assert_null(exh_result_server(r, 1));
  const exh_server *s = exh_result_server(r, 0);
  assert_string_equal(exh_server_root(s), "/x");
  assert_int_equal(exh_server_verdict(s), EXH_VERDICT_COMPROMISED);
  assert_int_equal(exh_server_ncampaigns(s), 1);
  assert_string_equal(exh_campaign_name(exh_server_campaign(s, 0)), "ProxyLogon");
  assert_int_equal(exh_campaign_state_of(exh_server_campaign(s, 0)), EXH_CAMPAIGN_NO_TRACE);
  assert_null(exh_server_campaign(s, 1));
  assert_null(exh_server_build(s));
  assert_int_equal(exh_server_nlevel(s, (exh_level)7), 0);
  assert_int_equal(exh_result_nfindings(r), 1);
  assert_null(exh_result_finding(r, 1));
  const exh_finding *f = exh_result_finding(r, 0);
  const exh_rule_info *ri = exh_finding_rule(f);
  assert_string_equal(exh_rule_info_id(ri), "rid-1");
  assert_int_equal(exh_rule_info_ncves(ri), 1);
  assert_string_equal(exh_rule_info_cve(ri, 0), "CVE-2021-26855");
  assert_null(exh_rule_info_cve(ri, 1));
  assert_string_equal(exh_rule_info_technique(ri, 0), "T1190");
  assert_int_equal(exh_finding_time(f), 1614733323123LL);
  assert_int_equal(exh_finding_line(f), 3);
  assert_int_equal(exh_finding_offset(f), 42);
  assert_int_equal(exh_finding_http_status(f), 200);
  assert_string_equal(exh_finding_source_ip(f), "1.2.3.4");
  assert_null(exh_finding_user_name(f));
  size_t n;
  int cut = 1;
  assert_non_null(exh_finding_evidence(f, &n, &cut));
  assert_int_equal(n, strlen(HOSTILE));
  assert_int_equal(cut, 0);
  assert_int_equal(exh_result_ncoverage(r), 2);
  assert_string_equal(exh_coverage_class(exh_result_coverage(r, 1)), "iis");
  assert_false(exh_coverage_present(exh_result_coverage(r, 1)));
  assert_null(exh_result_window(r, 0));
  assert_null(exh_result_actor(r, 0));
  assert_null(exh_result_error(r, 0));
  exh_result_free(r);
}

/* Client addresses as IIS, HttpProxy and EVTX write them (attacker-chosen
 * in part: X-Forwarded-For, a crafted c-ip): only an address inet_pton
 * reads reaches source.ip / related.ip (an `ip` field: Elasticsearch
 * rejects the whole line otherwise); the text as logged is kept under
 * exhunt.source_address whenever source.ip is not exactly it. */
static const struct {
  const char *in;
  int family;       /* 0: not an address */
  const char *ip;   /* canonical, when an address */
  int port;         /* -1: none */
} addrs[] = {
    {"1.2.3.4", 4, "1.2.3.4", -1},
    {"10.0.0.5:1234", 4, "10.0.0.5", 1234},
    {"::ffff:1.2.3.4", 6, "::ffff:1.2.3.4", -1},
    {"2001:DB8::1", 6, "2001:db8::1", -1},
    {"[2001:db8::1]:443", 6, "2001:db8::1", 443},
    {"[2001:db8::1]", 6, "2001:db8::1", -1},
    {"fe80::1%eth0", 6, "fe80::1", -1},
    {"[fe80::1%12]:80", 6, "fe80::1", 80},
    {"::", 6, "::", -1},
    {"::1", 6, "::1", -1},
    {"-", 0, NULL, -1},
    {"", 0, NULL, -1},
    {" 1.2.3.4", 0, NULL, -1},
    {"1.2.3.4 ", 0, NULL, -1},
    {"1.2.3.4, 5.6.7.8", 0, NULL, -1},
    {"1.2.3.4,5.6.7.8", 0, NULL, -1},
    {"01.2.3.4", 0, NULL, -1},
    {"1.2.3.256", 0, NULL, -1},
    {"1.2.3", 0, NULL, -1},
    {"1.2.3.4:", 0, NULL, -1},
    {"1.2.3.4:99999", 0, NULL, -1},
    {"1.2.3.4:123456", 0, NULL, -1},
    {"1.2.3.4:-1", 0, NULL, -1},
    {"1.2.3.4:80:80", 0, NULL, -1},
    {"1.2.3.4%eth0", 0, NULL, -1},
    {"[1.2.3.4]:80", 0, NULL, -1},
    {"[::1", 0, NULL, -1},
    {"[::1]x", 0, NULL, -1},
    {"[::1]:", 0, NULL, -1},
    {"::1]:80", 0, NULL, -1},
    {"fe80::1%", 0, NULL, -1},
    {"fe80::1%eth0 1.2.3.4", 0, NULL, -1},
    {"fe80::1%a/b", 0, NULL, -1},
    {"2001:db8::1::2", 0, NULL, -1},
    {"2001:db8:0:0:0:0:0:0:1", 0, NULL, -1},
    {"localhost", 0, NULL, -1},
    {"mail.contoso.com:443", 0, NULL, -1},
    {"0x7f.1", 0, NULL, -1},
    {"2130706433", 0, NULL, -1},
    {"::ffff:1.2.3.4.5", 0, NULL, -1},
    {"1.2.3.4\xff", 0, NULL, -1},
    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee:ffff:0000:1111", 0, NULL, -1},
    {HOSTILE, 0, NULL, -1},
};

static void test_ip_parse(void **st) {
  (void)st;
  for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++) {
    exh_ip ip;
    int fam = exh__ip_parse(addrs[i].in, &ip);
    if (fam != addrs[i].family) fail_msg("%zu \"%s\": family %d, want %d", i, addrs[i].in, fam, addrs[i].family);
    if (fam) {
      assert_string_equal(ip.text, addrs[i].ip);
      assert_int_equal(ip.exact, strcmp(addrs[i].in, addrs[i].ip) == 0);
    } else {
      assert_string_equal(ip.text, "");
      assert_int_equal(ip.exact, 0);
    }
    assert_int_equal(ip.port, addrs[i].port);
  }
  exh_ip ip;
  assert_int_equal(exh__ip_parse(NULL, &ip), 0);
}

static void test_jsonl_source_ip(void **st) {
  (void)st;
  for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++) {
    exh_result *r = make();
    free(r->findings[0].source_ip);
    r->findings[0].source_ip = exh__xstrdup(addrs[i].in);
    /* the attacker line carries the same address */
    r->nactors = 1;
    r->actors = exh__xcalloc(1, sizeof *r->actors);
    r->actors[0].ip = exh__xstrdup(addrs[i].in);
    r->actors[0].first_ms = r->actors[0].last_ms = 1614733323123LL;
    r->actors[0].nfindings = 1;
    r->actors[0].rules[0] = "SSRF";
    r->actors[0].nrules = 1;
    char *o = render(1, r);
    no_raw_controls(o);
    char want[256];
    size_t nsrc = 0, nrel = 0, naddr = 0;
    for (const char *p = o; (p = strstr(p, "\"source\":{")); p++) nsrc++;
    for (const char *p = o; (p = strstr(p, "\"related\":{\"ip\":[")); p++) nrel++;
    for (const char *p = o; (p = strstr(p, "\"source_address\":")); p++) naddr++;
    if (addrs[i].family) {
      if (addrs[i].port >= 0)
        snprintf(want, sizeof want, "\"source\":{\"ip\":\"%s\",\"port\":%d},\"related\":{\"ip\":[\"%s\"]}", addrs[i].ip,
                 addrs[i].port, addrs[i].ip);
      else
        snprintf(want, sizeof want, "\"source\":{\"ip\":\"%s\"},\"related\":{\"ip\":[\"%s\"]}", addrs[i].ip, addrs[i].ip);
      if (!strstr(o, want)) fail_msg("%zu \"%s\": no %s in\n%s", i, addrs[i].in, want, o);
      assert_int_equal(nsrc, 2); /* the finding and the attacker */
      assert_int_equal(nrel, 2);
    } else {
      if (nsrc || nrel) fail_msg("%zu \"%s\": source.ip or related.ip written for a non-address", i, addrs[i].in);
    }
    /* the text as logged, whenever source.ip is not exactly it */
    int exact = addrs[i].family && !strcmp(addrs[i].in, addrs[i].ip);
    assert_int_equal(naddr, exact ? 0 : 2);
    if (!exact && addrs[i].in[0] && !strchr(addrs[i].in, '\x1b') && !strchr(addrs[i].in, '\xff')) {
      snprintf(want, sizeof want, "\"source_address\":\"%s\"", addrs[i].in);
      if (!strstr(o, want)) fail_msg("%zu: no %s", i, want);
    }
    /* the attacker's rule titles are rule.name (exhunt.rules is an object elsewhere) */
    assert_non_null(strstr(o, "\"rule\":{\"name\":[\"SSRF\"]}"));
    assert_null(strstr(o, "\"rules\":[\"SSRF\"]"));
    /* the Timesketch report: the same rule, flat */
    char *t = render(3, r);
    no_raw_controls(t);
    if (addrs[i].family) {
      snprintf(want, sizeof want, "\"source_ip\":\"%s\"", addrs[i].ip);
      if (!strstr(t, want)) fail_msg("%zu \"%s\": timesketch: no %s", i, addrs[i].in, want);
    } else {
      assert_null(strstr(t, "\"source_ip\""));
    }
    assert_int_equal(strstr(t, "\"source_address\":") != NULL, !exact);
    free(t);
    free(o);
    exh_result_free(r);
  }
}

/* Every line names its ECS version, as its last member. */
static void test_jsonl_ecs_version(void **st) {
  (void)st;
  exh_result *r = make();
  r->nerrors = 1;
  r->errors = exh__xcalloc(1, sizeof *r->errors);
  r->errors[0].path = exh__xstrdup("/x/" HOSTILE);
  r->errors[0].reason = exh__xstrdup("unreadable");
  char *o = render(1, r);
  size_t lines = 0;
  for (char *line = o, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    static const char end[] = ",\"ecs\":{\"version\":\"8.11.0\"}}";
    size_t n = (size_t)(nl - line);
    if (n < sizeof end - 1 || memcmp(nl - (sizeof end - 1), end, sizeof end - 1))
      fail_msg("line %zu does not end with ecs.version: %.*s", lines + 1, (int)n, line);
    lines++;
  }
  assert_int_equal(lines, 7); /* fleet, finding, verdict, build, coverage, log window, error */
  free(o);
  exh_result_free(r);
}

/* threat.indicator.type in ECS's expected values; exhunt's own type kept. */
static void test_jsonl_indicator_type(void **st) {
  (void)st;
  static const struct {
    const char *type, *value, *ecs, *ip;
  } c[] = {
      {"sha256", "0000000000000000000000000000000000000000000000000000000000000000", "file", NULL},
      {"sha1", "0000000000000000000000000000000000000000", "file", NULL},
      {"md5", "00000000000000000000000000000000", "file", NULL},
      {"path", "c:\\inetpub\\wwwroot\\aspnet_client\\x.aspx", "file", NULL},
      {"name", "x.aspx", "file", NULL},
      {"ip", "10.1.2.3", "ipv4-addr", "10.1.2.3"},
      {"ip", "2001:DB8::7", "ipv6-addr", "2001:db8::7"},
      {"ip", "not-an-address", NULL, NULL},
      {"weird", HOSTILE, NULL, NULL},
  };
  for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
    exh_result *r = make();
    exh_finding *f = &r->findings[0];
    f->ioc_type = c[i].type;
    f->ioc_value = exh__xstrdup(c[i].value);
    f->ioc_source = exh__xstrdup("/feeds/ioc.txt:3");
    char *o = render(1, r);
    no_raw_controls(o);
    char want[200];
    if (c[i].ecs) {
      snprintf(want, sizeof want, "\"indicator\":{\"type\":\"%s\",\"description\":", c[i].ecs);
      if (!strstr(o, want)) fail_msg("%zu %s: no %s in\n%s", i, c[i].type, want, o);
    } else {
      assert_non_null(strstr(o, "\"indicator\":{\"description\":"));
    }
    if (c[i].ip) {
      snprintf(want, sizeof want, "\"reference\":\"/feeds/ioc.txt:3\",\"ip\":\"%s\"}", c[i].ip);
      if (!strstr(o, want)) fail_msg("%zu: no %s in\n%s", i, want, o);
    } else {
      assert_null(strstr(o, "\"reference\":\"/feeds/ioc.txt:3\",\"ip\""));
    }
    snprintf(want, sizeof want, "\"indicator_type\":\"%s\"", c[i].type);
    assert_non_null(strstr(o, want));
    free(o);
    exh_result_free(r);
  }
}

/* The Timesketch report: verdict, coverage and log window are events, with
 * the four fields Timesketch needs, at their times. */
static void test_timesketch_state(void **st) {
  (void)st;
  exh_result *r = make();
  r->scan_start_ms = 1700000000000LL;
  r->nwindows = 2;
  r->windows = exh__xcalloc(2, sizeof *r->windows);
  r->windows[0] = (exh_logwindow){0, exh__xstrdup("/x/Logging/HttpProxy/Owa " HOSTILE), "httpproxy", 1614556800000LL,
                                   1614733323123LL, 3, 300, 0};
  r->windows[1] = (exh_logwindow){0, exh__xstrdup("/x/Logging/ECP/Server"), "ecp_server", EXH_TIME_UNKNOWN,
                                   EXH_TIME_UNKNOWN, 1, 10, 0};
  char *o = render(3, r);
  no_raw_controls(o);
  size_t lines = 0;
  for (char *line = o, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
    lines++;
    *nl = 0;
    if (strncmp(line, "{\"message\":\"", 12) || !strstr(line, ",\"datetime\":\"") || !strstr(line, ",\"timestamp\":") ||
        !strstr(line, ",\"timestamp_desc\":\""))
      fail_msg("line %zu lacks a field Timesketch needs: %s", lines, line);
    *nl = '\n';
  }
  /* finding, verdict, 2 coverage, window 1 first and last, window 2 once */
  assert_int_equal(lines, 7);
  assert_non_null(strstr(o, "\"datetime\":\"2023-11-14T22:13:20.000Z\",\"timestamp\":1700000000000000,"
                            "\"timestamp_desc\":\"Scan time\",\"data_type\":\"exhunt:verdict\""));
  assert_non_null(strstr(o, "\"verdict\":\"compromised\",\"verdict_reason\":\"because\""));
  assert_non_null(strstr(o, "\"campaigns\":[\"ProxyLogon: no trace\"]"));
  assert_non_null(strstr(o, "\"data_type\":\"exhunt:coverage\",\"hostname\":\"srv\\u001b[31m\",\"tag\":[\"coverage\",\"absent\"],"
                            "\"coverage_class\":\"iis\",\"coverage_label\":\"IIS logs\",\"present\":false,\"files\":0"));
  assert_non_null(strstr(o, "\"present\":true,\"first_record\":\"2021-03-03T01:02:03.123Z\",\"last_record\":\"2021-03-03T01:02:03.999Z\",\"files\":3"));
  assert_non_null(strstr(o, "\"datetime\":\"2021-03-01T00:00:00.000Z\",\"timestamp\":1614556800000000,"
                            "\"timestamp_desc\":\"First record time\",\"data_type\":\"exhunt:log_window\""));
  assert_non_null(strstr(o, "\"timestamp\":1614733323123000,\"timestamp_desc\":\"Last record time\",\"data_type\":\"exhunt:log_window\""));
  assert_non_null(strstr(o, "(ecp_server): no dated record\",\"datetime\":\"2023-11-14T22:13:20.000Z\""));
  free(o);
  exh_result_free(r);
}


/* ---- HTML: the activity chart and the folded scanner noise (issue 14 item 5) */

static const exh_rule_info probe_rule = {"rid-probe", "Probe for " HOSTILE, "d", "builtin:p.yml", "exchange.httpproxy",
                                         EXH_LEVEL_LOW, cves, 1, techs, 1, 0};
static const exh_rule_info shell_rule = {"rid-shell", "Web shell", "d", "builtin:w.yml", "file", EXH_LEVEL_CRITICAL,
                                         NULL, 0, NULL, 0, 0};

static exh_finding *add_finding(exh_result *r, const exh_rule_info *ru, exh_level lv, int64_t t, const char *ip) {
  r->findings = exh__xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
  exh_finding *f = &r->findings[r->nfindings++];
  memset(f, 0, sizeof *f);
  f->rule = ru;
  f->level = lv;
  f->time_ms = t;
  f->server = r->nservers - 1;
  f->message = exh__xstrdup("m");
  f->dataset = "exchange.httpproxy";
  f->path = exh__xstrdup("/x/HttpProxy_2.LOG");
  f->line = r->nfindings;
  if (ip) f->source_ip = exh__xstrdup(ip);
  return f;
}

static void add_actor(exh_result *r, const char *ip, size_t low, size_t high, int64_t t0, int64_t t1) {
  r->actors = exh__xrealloc(r->actors, (r->nactors + 1) * sizeof *r->actors);
  exh_actor *a = &r->actors[r->nactors++];
  memset(a, 0, sizeof *a);
  a->server = r->nservers - 1;
  a->ip = exh__xstrdup(ip);
  a->first_ms = t0, a->last_ms = t1;
  a->nfindings = low + high;
  a->nlevel[EXH_LEVEL_LOW] = low;
  a->nlevel[EXH_LEVEL_HIGH] = high;
  a->rules[0] = "r";
  a->nrules = 1;
}

/* make() plus 50 scanner addresses that only probed (10.0.0.0 probed 5
 * times, .1 4 times, .2 3 times, the others once), the attacker 1.2.3.4
 * (its high finding), and 10.9.9.9: low findings only but a web shell's
 * story names it, so it stays an attacker. */
static exh_result *make_noisy(int64_t span_days) {
  exh_result *r = make();
  int64_t t0 = 1614733323123LL;
  add_actor(r, "1.2.3.4", 0, 1, t0, t0);
  size_t total = 0;
  for (int i = 0; i < 50; i++) {
    char ip[32];
    snprintf(ip, sizeof ip, "10.0.0.%d", i);
    int n = i == 0 ? 5 : i == 1 ? 4 : i == 2 ? 3 : 1;
    for (int k = 0; k < n; k++) {
      int64_t t = t0 + (int64_t)((i * 7 + k) % (span_days > 0 ? span_days : 1)) * 86400000LL;
      add_finding(r, &probe_rule, k == 1 ? EXH_LEVEL_MEDIUM : EXH_LEVEL_LOW, t, ip);
      total++;
    }
    add_actor(r, ip, (size_t)n, 0, t0, t0);
  }
  assert_int_equal(total, 59);
  add_finding(r, &probe_rule, EXH_LEVEL_LOW, t0 + 3600000, "10.9.9.9");
  add_actor(r, "10.9.9.9", 1, 0, t0, t0);
  exh_finding *w = add_finding(r, &shell_rule, EXH_LEVEL_CRITICAL, t0 + 7200000, NULL);
  w->is_file = 1;
  w->story = exh__xstrdup("requested 3 times at /aspnet_client/x.aspx from 10.9.9.9, first 2021-03-03");
  /* 1.2.3.4 is a substring of none of them; 10.0.0.4 is of 10.0.0.40..49 */
  return r;
}

static size_t count(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, what)); p++) n++;
  return n;
}

static void test_html_noise_folded(void **st) {
  (void)st;
  exh_result *r = make_noisy(3);
  char *o = render(4, r);
  no_raw_controls(o);
  /* the page says how many addresses were folded */
  assert_non_null(strstr(o, "<b>50 addresses folded</b>"));
  assert_non_null(strstr(o, "Their 59 findings"));
  /* one row per probe kind: count, first/last, distinct sources, top 3 */
  const char *row = strstr(o, "<table class=noise>");
  assert_non_null(row);
  assert_int_equal(count(row, "<td>Probe for evil"), 1);
  assert_non_null(strstr(row, "<td>Probe for evil<span class=c>\\x1b</span>]0;title<span class=c>\\x07</span>"));
  assert_non_null(strstr(row, "</td><td class=n>59</td><td class=t>2021-03-03 01:02:03</td><td class=t>2021-03-05 "));
  assert_non_null(strstr(row, "<td class=n>50</td><td>10.0.0.0 (5)<br>10.0.0.1 (4)<br>10.0.0.2 (3)<br>and 47 more</td>"));
  /* the probing addresses are not listed one by one anywhere */
  for (int i = 3; i < 50; i++) {
    char ip[40];
    snprintf(ip, sizeof ip, ">10.0.0.%d<", i);
    if (strstr(o, ip)) fail_msg("%s listed on its own", ip);
  }
  /* the attacker and the address tied to a web shell stay, each on a row */
  assert_non_null(strstr(o, "<tr class=high><td>1.2.3.4</td>"));
  assert_non_null(strstr(o, "<tr class=low><td>10.9.9.9</td>"));
  /* the timeline leaves the folded findings out and says so */
  assert_non_null(strstr(o, "59 scanner findings left out (folded above)."));
  const char *tl = strstr(o, "<h3>Timeline</h3>");
  assert_non_null(tl);
  assert_int_equal(count(tl, "<td>10.0.0."), 0);
  free(o);
  exh_result_free(r);
}

/* A high event whose story names a probing address (a process the web
 * server started during that address's request, correlate/story.c) keeps
 * the address an attacker, as a file's story does. */
static void test_html_event_story_unfolds(void **st) {
  (void)st;
  exh_result *r = make_noisy(3);
  exh_finding *p = add_finding(r, &shell_rule, EXH_LEVEL_HIGH, 1614733323123LL + 9000000, NULL);
  p->story = exh__xstrdup("probably run by the request POST /aspnet_client/y.aspx from 10.0.0.7 logged at 2021-03-03");
  char *o = render(4, r);
  assert_non_null(strstr(o, "<b>49 addresses folded</b>"));
  assert_non_null(strstr(o, "<td>10.0.0.7</td>"));
  free(o);
  o = render(0, r); /* the text tells an event's story too */
  assert_non_null(strstr(o, "      story: probably run by the request POST /aspnet_client/y.aspx"));
  free(o);
  exh_result_free(r);
}

/* The SVG of one server, from <svg to </svg>. */
static char *svg_of(const char *o, size_t k) {
  const char *p = o;
  for (size_t i = 0; i <= k; i++) {
    p = strstr(i ? p + 1 : p, "<svg class=chart");
    if (!p) return NULL;
  }
  const char *e = strstr(p, "</svg>");
  assert_non_null(e);
  return exh__xstrndup(p, (size_t)(e - p) + 6);
}

static void test_html_chart(void **st) {
  (void)st;
  exh_result *r = make_noisy(3);
  /* a second server, named by the attacker, with one finding from an
   * address that is markup */
  r->servers = exh__xrealloc(r->servers, 2 * sizeof *r->servers);
  r->nservers = 2;
  memset(&r->servers[1], 0, sizeof r->servers[1]);
  r->servers[1].name = exh__xstrdup("<svg onload=alert(1)>\x1b" HOSTILE);
  r->servers[1].root = exh__xstrdup("/y");
  r->servers[1].reason = exh__xstrdup("b");
  r->servers[1].verdict = EXH_VERDICT_COMPROMISED;
  r->servers[1].ncampaigns = 1;
  r->servers[1].campaigns = exh__xcalloc(1, sizeof *r->servers[1].campaigns);
  r->servers[1].campaigns[0] = (exh_campaign){"ProxyLogon", EXH_CAMPAIGN_COMPROMISED, 0, 1, 0, 1, 3, exh__xstrdup("w")};
  r->servers[1].ncves = 1;
  r->servers[1].cves = exh__xcalloc(1, sizeof *r->servers[1].cves);
  r->servers[1].cves[0] = (exh_cve_status){"CVE-2021-26855", "ProxyLogon", EXH_PATCH_VULNERABLE, "w"};
  add_finding(r, &rule, EXH_LEVEL_HIGH, 1614733323123LL, "\"><script>alert(1)</script>" HOSTILE);
  add_actor(r, "\"><script>alert(1)</script>" HOSTILE, 0, 1, 1614733323123LL, 1614733323123LL);
  char *o = render(4, r);
  no_raw_controls(o);
  /* one chart per server, and nothing an SVG may not hold */
  assert_int_equal(count(o, "<svg class=chart"), 2);
  for (size_t k = 0; k < 2; k++) {
    char *svg = svg_of(o, k);
    assert_non_null(svg);
    assert_null(strstr(svg, "<span")); /* an HTML element would end the SVG */
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<img"));
    assert_null(strstr(svg + 1, "<svg"));
    assert_null(strstr(svg, "\xff"));
    assert_non_null(strstr(svg, "<title>"));
    free(svg);
  }
  char *s0 = svg_of(o, 0), *s1 = svg_of(o, 1);
  /* server 0: its lanes, the exploitation mark, days as columns */
  assert_non_null(strstr(s0, "<title>Activity on srv\\x1b[31m, 2021-03-03 to 2021-03-05</title>"));
  assert_non_null(strstr(s0, ">1.2.3.4 (1)</text>"));
  assert_non_null(strstr(s0, ">scanner noise (50 addr.) (59)</text>"));
  assert_non_null(strstr(s0, "<title>scanner noise (50 addr.), 2021-03-03: "));
  assert_non_null(strstr(s0, "fill=\"#D55E00\"")); /* exploitation */
  assert_non_null(strstr(s0, ">Mar 3</text>"));
  /* a file drop on the lane of the address its story names */
  assert_non_null(strstr(s0, "<title>10.9.9.9, 2021-03-03: 2 findings, 1 file</title>"));
  /* server 1: the hostile names are text in <title> and <text> */
  assert_non_null(strstr(s1, "<title>Activity on &lt;svg onload=alert(1)&gt;\\x1bevil\\x1b]0;title\\x07"));
  assert_non_null(strstr(s1, "<title>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;evil\\x1b]0;title\\x07\\x1b[2J"));
  /* the lane label cut at 24 bytes, the whole address in its <title> */
  assert_non_null(strstr(s1, "font-family=\"monospace\">&quot;&gt;&lt;script&gt;alert(1)&lt;/scri\xe2\x80\xa6 (1)</text>"));
  free(s0);
  free(s1);
  free(o);
  exh_result_free(r);
}

/* 90 days read as 13 weeks; 3 days as 3 days. */
static void test_html_chart_weeks(void **st) {
  (void)st;
  exh_result *r = make_noisy(90);
  char *o = render(4, r);
  assert_non_null(strstr(o, "One column per week (Monday to Sunday, UTC), 2021-03-01 to "));
  char *svg = svg_of(o, 0);
  assert_non_null(svg);
  assert_non_null(strstr(svg, "<title>scanner noise (50 addr.), 2021-03-01 to 2021-03-07: "));
  free(svg);
  free(o);
  exh_result_free(r);
  r = make_noisy(3);
  o = render(4, r);
  assert_non_null(strstr(o, "One column per day (UTC), 2021-03-03 to 2021-03-05."));
  free(o);
  exh_result_free(r);
}

/* Printed: headers repeat, evidence shows, badges keep their colours, a
 * page per server. */
static void test_html_print(void **st) {
  (void)st;
  exh_result *r = make();
  char *o = render(4, r);
  const char *m = strstr(o, "@media print{");
  assert_non_null(m);
  assert_non_null(strstr(m, "thead{display:table-header-group}"));
  assert_non_null(strstr(m, "print-color-adjust:exact"));
  assert_non_null(strstr(m, "section.srv{break-before:page}"));
  assert_non_null(strstr(m, "pre.pe{display:block}"));
  /* the evidence twice: folded on screen, shown in print */
  assert_int_equal(count(o, "&lt;/script&gt;&lt;img src=x&gt;\r"), 0);
  assert_non_null(strstr(o, "</pre></details><pre class=pe>evil"));
  /* every table has its header in a thead */
  assert_int_equal(count(o, "<table"), count(o, "<thead>"));
  assert_int_equal(count(o, "<section class=srv>"), 1);
  free(o);
  exh_result_free(r);
}

/* The server's own address moved out of source_ip (correlate/labels.c: a
 * back-end hop) reaches every format, not only text and JSONL: a responder
 * filtering a CSV or a Timesketch timeline for it must find the rows. */
static void test_hop_ip_everywhere(void **st) {
  (void)st;
  exh_result *r = make();
  exh_finding *f = &r->findings[0];
  free(f->source_ip);
  f->source_ip = NULL;
  f->hop_ip = exh__xstrdup("10.0.0.5");
  for (int fmt = 0; fmt < 5; fmt++) {
    char *o = render(fmt, r);
    if (!strstr(o, "10.0.0.5")) fail_msg("format %d: no hop address", fmt);
    free(o);
  }
  char *csv = render(2, r);
  assert_non_null(strstr(csv, ",\"hop_ip\"\r\n"));
  free(csv);
  char *ts = render(3, r);
  assert_non_null(strstr(ts, "\"hop_ip\":\"10.0.0.5\""));
  free(ts);
  exh_result_free(r);
}

/* What the hop or the client is (correlate/labels.c: another scanned
 * server, an internal proxy) reaches text, JSONL, Timesketch and HTML,
 * escaped; a hop without it is the server itself. */
static void test_address_note(void **st) {
  (void)st;
  exh_result *r = make();
  exh_finding *f = &r->findings[0];
  f->hop_ip = exh__xstrdup("10.1.1.250");
  f->addr_note = exh__xstrdup("an internal <proxy>");
  static const char *const want[5] = {"via 10.1.1.250 (an internal <proxy>)", "\"address_note\":\"an internal <proxy>\"",
                                      NULL, "\"address_note\":\"an internal <proxy>\"",
                                      "via 10.1.1.250 (an internal &lt;proxy&gt;)"};
  for (int fmt = 0; fmt < 5; fmt++) {
    char *o = render(fmt, r);
    if (want[fmt] && !strstr(o, want[fmt])) fail_msg("format %d: no \"%s\"", fmt, want[fmt]);
    free(o);
  }
  /* lateral movement: the note labels the client itself */
  free(f->hop_ip);
  f->hop_ip = NULL;
  free(f->addr_note);
  f->addr_note = exh__xstrdup("EXCH02, another scanned server");
  char *o = render(0, r);
  char *want_text = exh__xasprintf("from %s (EXCH02, another scanned server)", f->source_ip);
  assert_non_null(strstr(o, want_text));
  free(want_text);
  free(o);
  o = render(4, r);
  assert_non_null(strstr(o, "(EXCH02, another scanned server)"));
  free(o);
  /* a hop without a note: the server itself, as before */
  free(f->addr_note);
  f->addr_note = NULL;
  f->hop_ip = exh__xstrdup("10.0.0.5");
  o = render(0, r);
  assert_non_null(strstr(o, "via 10.0.0.5 (the server itself)"));
  free(o);
  exh_result_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_jsonl), cmocka_unit_test(test_text), cmocka_unit_test(test_csv),
                                     cmocka_unit_test(test_timesketch), cmocka_unit_test(test_html),
                                     cmocka_unit_test(test_writers_list), cmocka_unit_test(test_write_failure),
                                     cmocka_unit_test(test_term_write),
                                     cmocka_unit_test(test_accessors), cmocka_unit_test(test_ip_parse),
                                     cmocka_unit_test(test_jsonl_source_ip), cmocka_unit_test(test_jsonl_ecs_version),
                                     cmocka_unit_test(test_jsonl_indicator_type), cmocka_unit_test(test_timesketch_state),
                                     cmocka_unit_test(test_html_noise_folded), cmocka_unit_test(test_html_chart),
                                     cmocka_unit_test(test_html_chart_weeks), cmocka_unit_test(test_html_print),
                                     cmocka_unit_test(test_hop_ip_everywhere), cmocka_unit_test(test_address_note),
                                     cmocka_unit_test(test_html_event_story_unfolds)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
