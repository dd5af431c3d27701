/* libFuzzer target: the report writers (issue 11: attacker-controlled text
 * reaches every output). The input is cut at NUL bytes into the strings a
 * result carries (server names, messages, paths, evidence, URLs, user
 * agents, coverage labels, campaign reasons, error reasons); the result is
 * written in every format, and each output is checked:
 *   text: no control byte but '\n', no bidi or invisible format character;
 *   JSONL: every line is one JSON object (the project's JSON reader), and
 *          every address field (source.ip, related.ip, threat.indicator.ip;
 *          Timesketch's source_ip) holds what inet_pton reads (issue 14);
 *   CSV: every row has the header's cells, no cell a spreadsheet would read
 *        as a formula, no control byte but '\r', '\n' and tab;
 *   HTML: every tag is one the writer emits (the input never makes one);
 *   all: written whole (EXH_OK), through the public writer list;
 * before writing, the stories are told (correlate/story.c) on half the
 * inputs: they read the hostile evidence, paths and URLs too.
 * A failed check aborts (a finding for libFuzzer). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"
#include "core/json.h"
#include "core/result.h"
#include "correlate/correlate.h"
#include "util/util.h"

static const char *const cves[] = {"CVE-2021-26855", "CVE-2021-27065"};
static const char *const techs[] = {"T1190"};

typedef struct cut {
  const uint8_t *p;
  size_t n, pos;
} cut;

/* The next NUL-separated string (a copy), or a fixed one when input ends. */
static char *next(cut *c) {
  if (c->pos >= c->n) return exh__xstrdup("x");
  const uint8_t *s = c->p + c->pos;
  const uint8_t *e = memchr(s, 0, c->n - c->pos);
  size_t len = e ? (size_t)(e - s) : c->n - c->pos;
  c->pos += len + 1;
  return exh__xstrndup((const char *)s, len);
}

static uint8_t byte(cut *c) { return c->pos < c->n ? c->p[c->pos++] : 0; }

static void fail(const char *what, const char *out) {
  fprintf(stderr, "report check failed: %s\n--- output ---\n%s\n", what, out ? out : "");
  abort();
}

static void check_text(const char *o, size_t n) {
  const unsigned char *u = (const unsigned char *)o;
  for (size_t i = 0; i < n; i++) {
    if ((u[i] < 0x20 && u[i] != '\n') || u[i] == 0x7f) fail("text: raw control byte", o);
    /* U+202A..U+202E, U+2066..U+2069, U+200B..U+200F (E2 80 8B..8F, AA..AE; E2 81 A6..A9) */
    if (u[i] == 0xE2 && i + 2 < n &&
        ((u[i + 1] == 0x80 && ((u[i + 2] >= 0x8B && u[i + 2] <= 0x8F) || (u[i + 2] >= 0xAA && u[i + 2] <= 0xAE))) ||
         (u[i + 1] == 0x81 && u[i + 2] >= 0xA6 && u[i + 2] <= 0xA9)))
      fail("text: raw bidi or invisible character", o);
    if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] < 0xA0) fail("text: raw C1 control", o);
  }
}

/* An address field must hold an address: an `ip` field that does not
 * parse makes Elasticsearch reject the whole line. */
static int is_key(exh_str k, const char *name) {
  size_t n = strlen(name);
  return k.n >= n && !memcmp(k.p, name, n) && (k.n == n || k.p[n] == '.' || k.p[n] == '[');
}
static void pair(void *ctx, exh_str k, exh_str v) {
  if (!is_key(k, "source.ip") && !is_key(k, "related.ip") && !is_key(k, "threat.indicator.ip") &&
      !is_key(k, "source_ip"))
    return;
  char t[64];
  unsigned char bin[16];
  if (v.n >= sizeof t || memchr(v.p, 0, v.n)) {
    *(int *)ctx = 1;
    return;
  }
  memcpy(t, v.p, v.n);
  t[v.n] = 0;
  if (inet_pton(AF_INET, t, bin) != 1 && inet_pton(AF_INET6, t, bin) != 1) *(int *)ctx = 1;
}

static int to_buf(void *ctx, const char *p, size_t n) {
  exh_buf_add(ctx, p, n);
  return 0;
}

static void check_jsonl(const char *o, size_t n) {
  exh_buf scratch = {0};
  size_t s = 0;
  while (s < n) {
    const char *e = memchr(o + s, '\n', n - s);
    if (!e) fail("jsonl: last line without newline", o);
    size_t len = (size_t)(e - (o + s));
    int bad_ip = 0;
    if (exh__json_flatten(o + s, len, &scratch, pair, &bad_ip) != 0) fail("jsonl: a line is not one JSON object", o);
    if (bad_ip) fail("jsonl: an address field holds no address", o);
    s += len + 1;
  }
  exh__buf_free(&scratch);
}

static void check_csv(const char *o, size_t n) {
  size_t cells = 0, header = 0, i = 0;
  int row = 0;
  while (i < n) {
    /* a cell: always quoted by the writer */
    if (o[i] != '"') fail("csv: unquoted cell", o);
    i++;
    int first = 1;
    for (;;) {
      if (i >= n) fail("csv: unterminated cell", o);
      unsigned char c = (unsigned char)o[i];
      if (c == '"') {
        if (i + 1 < n && o[i + 1] == '"') {
          i += 2;
          first = 0;
          continue;
        }
        i++;
        break;
      }
      if (first && (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'))
        fail("csv: a cell starts like a formula", o);
      if ((c < 0x20 && c != '\t') || c == 0x7f) fail("csv: control byte in a cell", o);
      first = 0;
      i++;
    }
    cells++;
    if (i < n && o[i] == ',') {
      i++;
      continue;
    }
    if (i + 1 < n && o[i] == '\r' && o[i + 1] == '\n') {
      i += 2;
      if (row == 0) header = cells;
      else if (cells != header) fail("csv: a row with another number of cells than the header", o);
      row++;
      cells = 0;
      continue;
    }
    fail("csv: junk after a cell", o);
  }
}

static void check_html(const char *o, size_t n) {
  static const char *const tags[] = {"html", "head", "meta", "title", "style", "body", "h1",  "h2", "h3",  "p",
                                     "span", "b",    "small", "table", "tr",   "th",   "td", "br", "pre", "details",
                                     "summary", "div", "thead", "tbody", "section", "a",
                                     /* the activity chart (inline SVG) */
                                     "svg", "g", "rect", "line", "text", "path"};
  for (size_t i = 0; i + 1 < n; i++) {
    if (o[i] != '<') continue;
    size_t k = i + 1;
    if (o[k] == '/' || o[k] == '!') k++;
    size_t s = k;
    while (k < n && ((o[k] >= 'a' && o[k] <= 'z') || (o[k] >= 'A' && o[k] <= 'Z') || (o[k] >= '0' && o[k] <= '9'))) k++;
    if (o[i + 1] == '!' && k - s == 7 && !strncmp(o + s, "DOCTYPE", 7)) continue;
    int ok = 0;
    for (size_t t = 0; t < sizeof tags / sizeof tags[0] && !ok; t++)
      ok = strlen(tags[t]) == k - s && !strncmp(o + s, tags[t], k - s);
    if (!ok) fail("html: a tag the writer never emits", o);
  }
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)o[i] < 0x20 && o[i] != '\n' && o[i] != '\t') fail("html: raw control byte", o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cut c = {data, size, 0};
  exh_rule_info *rule = exh__xcalloc(1, sizeof *rule);
  rule->id = "rid";
  rule->title = "rule";
  rule->source = (byte(&c) & 1) ? "builtin:x.yml" : "/rules/x.yml";
  rule->dataset = "exchange.httpproxy";
  rule->level = EXH_LEVEL_HIGH;
  rule->cves = cves;
  rule->ncves = byte(&c) % 3;
  rule->techniques = techs;
  rule->ntechniques = 1;
  exh_result *r = exh__xcalloc(1, sizeof *r);
  r->nservers = 1 + byte(&c) % 2;
  r->servers = exh__xcalloc(r->nservers, sizeof *r->servers);
  for (size_t s = 0; s < r->nservers; s++) {
    exh_server *sv = &r->servers[s];
    sv->name = next(&c);
    sv->root = next(&c);
    sv->reason = next(&c);
    sv->limits = next(&c);
    sv->verdict = (exh_verdict)(byte(&c) % 5);
    sv->ncampaigns = 1;
    sv->campaigns = exh__xcalloc(1, sizeof *sv->campaigns);
    sv->campaigns[0].campaign = "ProxyLogon";
    sv->campaigns[0].state = (exh_campaign_state)(byte(&c) % 5);
    sv->campaigns[0].why = next(&c);
    sv->campaigns[0].exposure_first_ms = sv->campaigns[0].covered_first_ms = EXH_TIME_UNKNOWN;
    sv->campaigns[0].exposure_last_ms = sv->campaigns[0].covered_last_ms = EXH_TIME_UNKNOWN;
    sv->ncves = 1; /* the chart's campaign lanes */
    sv->cves = exh__xcalloc(1, sizeof *sv->cves);
    sv->cves[0] = (exh_cve_status){"CVE-2021-26855", "ProxyLogon", EXH_PATCH_UNKNOWN, "fuzz"};
    if (byte(&c) & 1) {
      sv->build = next(&c);
      sv->build_source = "fuzz";
    }
  }
  r->nfindings = 1 + byte(&c) % 4;
  r->findings = exh__xcalloc(r->nfindings, sizeof *r->findings);
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *f = &r->findings[i];
    f->rule = rule;
    f->level = (exh_level)(byte(&c) % 5);
    /* unknown, within seconds, weeks apart (the chart's columns), or
     * anywhere from 1601 to 9999 (spans of millions of days) */
    switch (byte(&c) % 4) {
    case 0: f->time_ms = EXH_TIME_UNKNOWN; break;
    case 1: f->time_ms = 1614733323123LL + byte(&c); break;
    case 2: f->time_ms = 1614733323123LL + (int64_t)byte(&c) * 7 * 86400000LL; break;
    default: f->time_ms = -11644473600000LL + (int64_t)byte(&c) * 980000000000LL; break;
    }
    f->server = byte(&c) % r->nservers;
    f->message = next(&c);
    f->dataset = (byte(&c) & 1) ? "windows.evtx" : "exchange.httpproxy"; /* events' stories too */
    f->path = next(&c);
    f->line = byte(&c);
    f->evidence = next(&c);
    f->evidence_len = strlen(f->evidence);
    f->source_ip = next(&c);
    f->url = next(&c);
    f->user_agent = next(&c);
    f->user_name = next(&c);
    f->http_method = next(&c);
    f->is_file = byte(&c) & 1;
    if (f->is_file) f->file_sha256 = next(&c);
    if (byte(&c) & 1) {
      f->ioc_value = next(&c);
      f->ioc_source = next(&c);
      f->ioc_type = "ip";
    }
    if (byte(&c) & 1) f->story = next(&c);
  }
  /* the stories (correlate/story.c) read the evidence, paths and URLs: as hostile as the rest */
  if (byte(&c) & 1) exh__correlate_story(r);
  r->ncoverage = byte(&c) % 3;
  r->coverage = exh__xcalloc(r->ncoverage + 1, sizeof *r->coverage);
  for (size_t i = 0; i < r->ncoverage; i++) {
    exh_coverage *cv = &r->coverage[i];
    cv->server = byte(&c) % r->nservers;
    cv->cls = "httpproxy";
    cv->item = next(&c);
    cv->label = next(&c);
    cv->present = byte(&c) & 1;
    cv->first_ms = cv->last_ms = EXH_TIME_UNKNOWN;
    cv->files = byte(&c);
  }
  r->nwindows = byte(&c) % 2;
  r->windows = exh__xcalloc(r->nwindows + 1, sizeof *r->windows);
  for (size_t i = 0; i < r->nwindows; i++) {
    r->windows[i].folder = next(&c);
    r->windows[i].kind = "httpproxy";
    r->windows[i].first_ms = r->windows[i].last_ms = EXH_TIME_UNKNOWN;
  }
  r->nerrors = byte(&c) % 3;
  r->errors = exh__xcalloc(r->nerrors + 1, sizeof *r->errors);
  for (size_t i = 0; i < r->nerrors; i++) {
    r->errors[i].path = next(&c);
    r->errors[i].reason = next(&c);
    r->errors[i].skipped = byte(&c) & 1;
  }
  /* actors: a finding's address (folded as scanner noise in the HTML
   * unless high, or tied to a file) or any text */
  r->nactors = byte(&c) % 4;
  r->actors = exh__xcalloc(r->nactors + 1, sizeof *r->actors);
  for (size_t i = 0; i < r->nactors; i++) {
    const exh_finding *f = &r->findings[byte(&c) % r->nfindings];
    r->actors[i].ip = (byte(&c) & 1) ? exh__xstrdup(f->source_ip) : next(&c);
    r->actors[i].server = byte(&c) % r->nservers;
    r->actors[i].first_ms = r->actors[i].last_ms = EXH_TIME_UNKNOWN;
    r->actors[i].nfindings = 1;
    r->actors[i].nlevel[(byte(&c) & 1) ? EXH_LEVEL_HIGH : EXH_LEVEL_LOW] = 1;
  }
  exh_report_opts ro = {byte(&c) & 1, byte(&c) & 1};
  static const char *const names[] = {"text", "jsonl", "csv", "timesketch", "html"};
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
    exh_buf b = {0};
    if (exh_writer_write(exh_writer_find(names[k]), to_buf, &b, r, &ro) != EXH_OK) fail("writer failed", NULL);
    char *o = b.p ? b.p : exh__xstrdup("");
    size_t n = b.n;
    if (memchr(o, 0, n)) fail("NUL byte in a report", o);
    if (k == 0 && !ro.color) check_text(o, n);
    if (k == 1 || k == 3) check_jsonl(o, n);
    if (k == 2) check_csv(o, n);
    if (k == 4) check_html(o, n);
    free(o);
  }
  exh_result_free(r);
  free(rule);
  return 0;
}
