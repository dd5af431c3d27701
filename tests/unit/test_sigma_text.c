/* Issue 13 item 2: Sigma's text semantics where exhunt departed from the
 * specification. Case-insensitive values fold every script (Unicode simple
 * case folding: Администратор, Järjestelmänvalvoja, contraseña match their
 * other cases); '?' and regex '.' are one character of UTF-8, not one byte;
 * re|i folds non-ASCII; invalid UTF-8 in a log is matched around, never an
 * error; and the prefilter stays sound: a literal derived from a value
 * occurs, ASCII-caselessly, in every record the value matches. Each of the
 * matching cases below failed before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/limits.h"
#include "formats/events/events.h"
#include "formats/logs/exlog.h"
#include "rules/sigma_int.h"
#include "scan/scan.h"

static char last_why[512];
static void on_reject(void *ctx, const char *src, const char *title, const char *why) {
  (void)ctx, (void)src, (void)title;
  snprintf(last_why, sizeof last_why, "%s", why);
}

static exh_ruleset *load(const char *yaml) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_on_reject(rs, on_reject, NULL);
  last_why[0] = 0;
  exh_ruleset_add_yaml(rs, "test", yaml, strlen(yaml));
  if (exh_ruleset_count(rs) != 1) fail_msg("not loaded: %s", last_why);
  return rs;
}

/* Rule 0 on a one-column record (column "V" holds `value`), and the
 * prefilter's promise checked on the way: when the rule matches, each of
 * its literal groups has a member in the record's bytes (caselessly). */
static int ev(exh_ruleset *rs, const char *value, size_t n) {
  const exh_rule *rule = exh__ruleset_get(rs, 0);
  exh_str name = {"V", 1};
  int *fmap = calloc(exh__ruleset_nfields(rs), sizeof(int));
  exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, &name, 1, fmap);
  exh_str col = {value, n};
  exh_buf scratch = {0};
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.raw = col;
  rec.cols = &col;
  rec.ncols = 1;
  rec.fmap = fmap;
  rec.nfmap = (int)exh__ruleset_nfields(rs);
  rec.scratch = &scratch;
  rec.virt[EXH_VF_RAWRECORD] = rec.raw;
  int r = exh__rule_eval(rule, &rec);
  if (r) {
    size_t ng;
    const exh_rule_lits *g = exh__rule_literal_groups(rule, &ng);
    for (size_t i = 0; i < ng; i++) {
      size_t k = 0;
      while (k < g[i].n && !exh__memimem(value, n, g[i].lits[k].p, g[i].lits[k].n)) k++;
      if (k == g[i].n) fail_msg("prefilter unsound: group %zu (first '%.*s') not in '%.*s'", i, (int)g[i].lits[0].n,
                                g[i].lits[0].p, (int)n, value);
    }
  }
  exh__buf_free(&scratch);
  free(fmap);
  return r;
}
#define EV(rs, s) ev(rs, s, strlen(s))

#define HEAD "title: t\nlogsource:\n  product: exchange\n  service: httpproxy\ndetection:\n  sel:\n"

static exh_ruleset *rule(const char *mod, const char *value) {
  char y[1024];
  snprintf(y, sizeof y, HEAD "    V%s: '%s'\n  condition: sel\n", mod, value);
  return load(y);
}

static void test_fold_table(void **st) {
  (void)st;
  static const struct {
    uint32_t a, b;
  } same[] = {
      {'A', 'a'},       {0xC0, 0xE0},     {0xC4, 0xE4},     {0xD1, 0xF1},     {0xDE, 0xFE},     {0x178, 0xFF},
      {0x100, 0x101},   {0x141, 0x142},   {0x150, 0x151},   {0x17D, 0x17E},   {0x391, 0x3B1},   {0x3A3, 0x3C3},
      {0x3C2, 0x3C3},   {0x386, 0x3AC},   {0x3A9, 0x3C9},   {0x410, 0x430},   {0x42F, 0x44F},   {0x401, 0x451},
      {0x40F, 0x45F},   {0x460, 0x461},   {0x4C1, 0x4C2},   {0x4D0, 0x4D1},   {0x1E9E, 0xDF},   {0xB5, 0x3BC},
      {0x10A0, 0x2D00}, {0xFF21, 0xFF41}, {0x10400, 0x10428}, {0x53F, 0x56F},   {0x1F88, 0x1F80},
  };
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    if (exh__fold_cp(same[i].a) != exh__fold_cp(same[i].b)) fail_msg("U+%04X and U+%04X", same[i].a, same[i].b);
  /* no simple fold: dotted capital I, sharp s, digits, CJK; and the two
   * folds into ASCII left out (docs/sigma.md) */
  static const uint32_t alone[] = {0x130, 0x131, 0xDF, 0x30, 0x4E00, 0x17F, 0x212A, EXH_UTF8_BAD | 0xFF};
  for (size_t i = 0; i < sizeof alone / sizeof alone[0]; i++) {
    uint32_t f = exh__fold_cp(alone[i]);
    if (alone[i] == 0x130 || alone[i] == 0x17F || alone[i] == 0x212A || alone[i] > 0xFFFF) assert_int_equal(f, alone[i]);
    assert_true(f >= 0x80 || alone[i] < 0x80);
  }
  assert_true(exh__fold_has_variants(0x416));  /* Ж */
  assert_true(exh__fold_has_variants(0x436));  /* ж: Ж folds to it */
  assert_true(exh__fold_has_variants(0xE4));   /* ä */
  assert_false(exh__fold_has_variants(0x4E00)); /* 一 */
  assert_false(exh__fold_has_variants('A'));
  assert_true(exh__fold_eq("Järjestelmänvalvoja", strlen("Järjestelmänvalvoja"), "JÄRJESTELMÄNVALVOJA",
                           strlen("JÄRJESTELMÄNVALVOJA")));
  assert_false(exh__fold_eq("ä", 2, "a", 1));
}

static void test_case_folding(void **st) {
  (void)st;
  static const struct {
    const char *mod, *value, *yes[4], *no;
  } cases[] = {
      {"|contains", " Администратор ", {"net user АДМИНИСТРАТОР /active:yes", "net user администратор x", "net user АдМиНиСтРаТоР x"}, "net user Administrator x"},
      {"|contains", " Järjestelmänvalvoja ", {"net user JÄRJESTELMÄNVALVOJA /add", "net user järjestelmänvalvoja x"}, "net user Jarjestelmanvalvoja x"},
      {"|contains", "contraseña", {"findstr /si CONTRASEÑA *.txt", "Contraseña"}, "contrasena"},
      {"|contains", "Διαχειριστής", {"ΔΙΑΧΕΙΡΙΣΤΉΣ", "διαχειριστής", "ΔιαχειριστήΣ"}, "διαχειριστης"},
      {"|endswith", "Ñ", {"añ", "AÑ"}, "an"},
      {"", "ÅÖ*Ý", {"åöxyzý", "ÅÖý"}, "aoy"},
      /* cased stays exact */
      {"|cased", "Администратор", {"Администратор"}, "АДМИНИСТРАТОР"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    exh_ruleset *rs = rule(cases[i].mod, cases[i].value);
    for (size_t k = 0; k < 4 && cases[i].yes[k]; k++)
      if (!EV(rs, cases[i].yes[k])) fail_msg("'%s' should match '%s'", cases[i].value, cases[i].yes[k]);
    if (EV(rs, cases[i].no)) fail_msg("'%s' should not match '%s'", cases[i].value, cases[i].no);
    exh_ruleset_free(rs);
  }
}

static void test_one_character(void **st) {
  (void)st;
  exh_ruleset *rs = rule("", "Administrat?r");
  assert_true(EV(rs, "Administratör"));
  assert_true(EV(rs, "ADMINISTRATOR"));
  assert_false(EV(rs, "Administratoor"));
  assert_true(ev(rs, "Administrat\xffr", 13)); /* an invalid byte is one character */
  exh_ruleset_free(rs);
  rs = rule("", "??");
  assert_true(EV(rs, "Ж€"));
  assert_true(EV(rs, "\xf0\x9f\x98\x80z")); /* U+1F600 then z */
  assert_false(EV(rs, "Ж€x"));
  assert_false(EV(rs, "\xf0\x9f\x98\x80")); /* one character */
  exh_ruleset_free(rs);
  rs = rule("|contains", "a?c");
  assert_true(EV(rs, "xxaжcxx"));
  assert_false(EV(rs, "xxaжжcxx"));
  exh_ruleset_free(rs);
  /* an encoding transform's output is bytes: '?' is not a wildcard there */
  rs = rule("|wide|contains", "ä");
  assert_true(ev(rs, "x\xe4\x00y", 4));
  exh_ruleset_free(rs);
}

/* Built without PCRE2, 're' rules are rejected (docs/sigma.md). */
static int have_pcre2(void) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  const char *y = HEAD "    V|re: a\n  condition: sel\n";
  exh_ruleset_add_yaml(rs, "test", y, strlen(y));
  int n = (int)exh_ruleset_count(rs);
  exh_ruleset_free(rs);
  return n == 1;
}

static void test_regex_utf8(void **st) {
  (void)st;
  if (!have_pcre2()) skip();
  exh_ruleset *rs = rule("|re", "^Administrat.r$");
  assert_true(EV(rs, "Administratör"));
  assert_true(EV(rs, "Administrator"));
  assert_false(EV(rs, "Administratr"));
  exh_ruleset_free(rs);
  rs = rule("|re|i", "^администратор$");
  assert_true(EV(rs, "АДМИНИСТРАТОР"));
  assert_true(EV(rs, "Администратор"));
  exh_ruleset_free(rs);
  rs = rule("|re|i", "järjestelmänvalvoja");
  assert_true(EV(rs, "net user JÄRJESTELMÄNVALVOJA"));
  exh_ruleset_free(rs);
  rs = rule("|re", "^a.c$");
  assert_true(EV(rs, "aжc"));
  assert_false(EV(rs, "aжжc"));
  assert_false(ev(rs, "a\xffz", 3));
  exh_ruleset_free(rs);
  /* invalid UTF-8 in a log: the expression matches around it */
  rs = rule("|re", "whoami\\s+/all");
  assert_true(ev(rs, "\xff\xfe cmd /c whoami /all \xc3", 24));
  exh_ruleset_free(rs);
  /* \w is Unicode's, as in Python's re */
  rs = rule("|re", "^\\w+$");
  assert_true(EV(rs, "contraseña"));
  exh_ruleset_free(rs);
}

static void test_fieldref_folds(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD "    V|fieldref: W\n  condition: sel\n");
  exh_str names[2] = {{"V", 1}, {"W", 1}};
  int *fmap = calloc(exh__ruleset_nfields(rs), sizeof(int));
  exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, names, 2, fmap);
  exh_str cols[2] = {{"Администратор", strlen("Администратор")}, {"АДМИНИСТРАТОР", strlen("АДМИНИСТРАТОР")}};
  exh_buf scratch = {0};
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.cols = cols;
  rec.ncols = 2;
  rec.fmap = fmap;
  rec.nfmap = (int)exh__ruleset_nfields(rs);
  rec.scratch = &scratch;
  assert_true(exh__rule_eval(exh__ruleset_get(rs, 0), &rec));
  exh__buf_free(&scratch);
  free(fmap);
  exh_ruleset_free(rs);
}

/* The literals a value gives the prefilter hold no character with another
 * case outside ASCII: they are searched ASCII-caselessly. */
static void test_prefilter_literals(void **st) {
  (void)st;
  exh_ruleset *rs = rule("|contains", "Järjestelmänvalvoja");
  size_t ng;
  const exh_rule_lits *g = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_int_equal(ng, 1);
  assert_int_equal(g[0].n, 1);
  assert_int_equal(g[0].lits[0].n, 8); /* "rjestelm" or "nvalvoja" */
  assert_null(memchr(g[0].lits[0].p, 0xC3, g[0].lits[0].n));
  exh_ruleset_free(rs);
  /* all Cyrillic: nothing to search for, the rule runs on every record */
  rs = rule("|contains", "Администратор");
  assert_null(exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng));
  exh_ruleset_free(rs);
  /* characters without case are kept: CJK, digits, punctuation */
  rs = rule("|contains", "管理员");
  g = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_int_equal(ng, 1);
  assert_int_equal(g[0].lits[0].n, strlen("管理员"));
  exh_ruleset_free(rs);
}

/* The whole road, through the events prefilter (Hyperscan or portable):
 * SigmaHQ's default-account rule fires on a Russian upper-case command line
 * given as a JSON event, with the prefilter and without it. */
static const char *const NET_RULE =
    "title: Suspicious Manipulation Of Default Accounts Via Net.EXE\nid: 5b768e71-86f2-4879-b448-81061cbae951\n"
    "logsource:\n  category: process_creation\n  product: windows\nlevel: high\ndetection:\n"
    "  selection_img:\n    - Image|endswith: ['\\\\net.exe', '\\\\net1.exe']\n"
    "    - OriginalFileName: ['net.exe', 'net1.exe']\n"
    "  selection_user_option:\n    CommandLine|contains: ' user '\n"
    "  selection_username:\n    CommandLine|contains: [' Järjestelmänvalvoja ', ' Администратор ', ' Administrator ']\n"
    "  filter:\n    CommandLine|contains|all: ['guest', '/active no']\n"
    "  condition: all of selection_* and not filter\n";

static size_t scan_json(exh_ruleset *rs, const char *line) {
  exh_scan_limits lim;
  exh__scan_limits_default(&lim);
  exh_worker wk;
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  exh_evidence ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = EXH_KIND_JSONEV;
  ev.path = "t.json";
  ev.rel = "";
  exh__scan_jsonev_buf(&wk, &ev, line, strlen(line));
  exh__worker_fini(&wk);
  size_t n = ev.nfindings;
  for (size_t i = 0; i < ev.nfindings; i++) exh__finding_release(&ev.findings[i]);
  free(ev.findings);
  free(ev.error);
  return n;
}

static void test_events_prefilter_sound(void **st) {
  (void)st;
  exh_ruleset *rs = load(NET_RULE);
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  static const char *const yes[] = {
      "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"Image\":\"C:\\\\Windows\\\\System32\\\\NET.EXE\","
      "\"CommandLine\":\"net USER АДМИНИСТРАТОР /active:yes\"}\n",
      "{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"Image\":\"C:\\\\Windows\\\\System32\\\\net1.exe\","
      "\"CommandLine\":\"net1 user JÄRJESTELMÄNVALVOJA P4ss\"}\n",
      "{\"Channel\":\"Security\",\"EventID\":4688,\"NewProcessName\":\"C:\\\\Windows\\\\System32\\\\net.exe\","
      "\"CommandLine\":\"net user администратор /active:yes\"}\n",
  };
  for (int off = 0; off < 2; off++) {
    if (off) setenv("EXHUNT_NO_EVENT_PREFILTER", "1", 1);
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
      if (scan_json(rs, yes[i]) != 1) fail_msg("event %zu (prefilter %s) gives no finding", i, off ? "off" : "on");
    assert_int_equal(scan_json(rs, "{\"Channel\":\"Security\",\"EventID\":4688,\"NewProcessName\":\"net.exe\","
                                   "\"CommandLine\":\"net user Администратор2 x\"}\n"),
                     0);
  }
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  exh_ruleset_free(rs);
}

/* Issue 15: a matcher of many exact values looks a field up in a hash set
 * of its folded values. The answer must be the value-by-value loop's on
 * every input: each rule below is evaluated with its index and again with
 * the index dropped, over values that fold across scripts, invalid UTF-8,
 * escaped wildcards (exact), the empty value and null. */
static matcher *first_matcher(exh_ruleset *rs) {
  exh_rule *r = (exh_rule *)exh__ruleset_get(rs, 0);
  return &r->sels[0].alts[0].m[0];
}

static void test_exact_index(void **st) {
  (void)st;
  static const char *const lists[] = {
      /* plain (Unicode folding), with a null and an empty value */
      "    V:\n      - 'Järjestelmänvalvoja'\n      - 'АДМИНИСТРАТОР'\n      - '/ecp/About.aspx'\n"
      "      - 'a\\*b'\n      - 'x\\?y'\n      - ''\n      - ~\n      - 'ΣΊΣΥΦΟΣ'\n      - 'Straße'\n"
      "      - 'ǅemal'\n      - '\\\\share\\c$'\n      - 'ǈ'\n",
      /* |cased: no folding */
      "    V|cased:\n      - ~\n      - 'Järjestelmänvalvoja'\n      - 'АДМИНИСТРАТОР'\n      - '/ecp/About.aspx'\n"
      "      - 'a\\*b'\n      - 'One'\n      - 'two'\n      - 'ΣΊΣΥΦΟΣ'\n      - 'Straße'\n      - 'K'\n",
      /* an encoding transform's output: bytes, ASCII folded */
      "    V|wide:\n      - 'Admin'\n      - 'root'\n      - 'Järj'\n      - 'x1'\n      - 'x2'\n      - 'x3'\n"
      "      - 'x4'\n      - 'x5'\n      - 'x6'\n",
  };
  static const char *const fields[] = {
      "järjestelmänvalvoja", "JÄRJESTELMÄNVALVOJA", "Järjestelmänvalvoja", "Jarjestelmanvalvoja",
      "администратор", "АДМИНИСТРАТОР", "АдМиНиСтРаТоР", "/ECP/about.ASPX", "/ecp/About.aspx", "/ecp/About.aspx ",
      "a*b", "A*B", "axb", "ab", "x?y", "xzy", "", "σίσυφος", "ΣΊΣΥΦΟΣ", "σίσυφοσ", "STRASSE", "straße", "STRAẞE",
      "ǆemal", "Ǆemal", "ǅEMAL", "\\\\SHARE\\C$", "ǉ", "Ǉ", "ǈ", "one", "One", "TWO", "two", "K", "k", "\xe2\x84\xaa",
      "\xff\xfe", "J\xc3", "\xc3\xa4", "\xc3\x84",
  };
  /* the wide transform's fields: UTF-16LE bytes */
  static const struct {
    const char *p;
    size_t n;
  } wide[] = {{"A\0d\0m\0i\0n\0", 10}, {"a\0D\0M\0I\0N\0", 10}, {"r\0o\0o\0t\0", 8}, {"R\0O\0O\0T\0", 8},
              {"r\0o\0o\0", 6},       {"x\0" "1\0", 4},         {"X\0" "6\0", 4},         {"", 0},
              {"J\0\xe4\0r\0j\0", 8}, {"J\0\xc4\0r\0j\0", 8},   {"j\0\xe4\0R\0J\0", 8}};
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    char y[2048];
    snprintf(y, sizeof y, HEAD "%s  condition: sel\n", lists[l]);
    exh_ruleset *rs = load(y);
    matcher *m = first_matcher(rs);
    if (!m->ix) fail_msg("list %zu: no index built", l);
    size_t hits = 0;
    for (size_t i = 0; i < (l == 2 ? sizeof wide / sizeof wide[0] : sizeof fields / sizeof fields[0]); i++) {
      const char *p = l == 2 ? wide[i].p : fields[i];
      size_t n = l == 2 ? wide[i].n : strlen(fields[i]);
      exh__rule_index_build((exh_rule *)exh__ruleset_get(rs, 0));
      assert_non_null(m->ix);
      int hashed = ev(rs, p, n);
      exh__matcher_index_free(m);
      int looped = ev(rs, p, n);
      if (hashed != looped) fail_msg("list %zu, field %zu ('%.*s'): hashed %d, loop %d", l, i, (int)n, p, hashed, looped);
      hits += (size_t)hashed;
    }
    /* both ways agree, and on something: each list matches some fields, not all */
    assert_true(hits > 2);
    exh_ruleset_free(rs);
  }
  /* below the threshold, and wildcards or modifiers: no index */
  static const char *const none[] = {
      "    V: ['a', 'b', 'c', 'd', 'e', 'f', 'g']\n",
      "    V: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h*']\n",
      "    V: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h?']\n",
      "    V|contains: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']\n",
      "    V|all: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']\n",
  };
  for (size_t l = 0; l < sizeof none / sizeof none[0]; l++) {
    char y[1024];
    snprintf(y, sizeof y, HEAD "%s  condition: sel\n", none[l]);
    exh_ruleset *rs = load(y);
    if (first_matcher(rs)->ix) fail_msg("list %zu indexed", l);
    exh_ruleset_free(rs);
  }
  /* many values: every one found, in every case, and near misses not */
  {
    exh_buf y = {0};
    exh__buf_adds(&y, HEAD "    V:\n");
    for (int i = 0; i < 700; i++) exh__buf_printf(&y, "      - '/owa/auth/Page%dÄ.aspx'\n", i);
    exh__buf_adds(&y, "  condition: sel\n");
    exh_ruleset *rs;
    exh_ruleset_new(&rs);
    exh_ruleset_add_yaml(rs, "test", (const char *)y.p, y.n);
    assert_int_equal(exh_ruleset_count(rs), 1);
    assert_non_null(first_matcher(rs)->ix);
    char f[64];
    for (int i = 0; i < 700; i++) {
      snprintf(f, sizeof f, "/OWA/AUTH/PAGE%dä.ASPX", i);
      assert_true(EV(rs, f));
      snprintf(f, sizeof f, "/owa/auth/Page%dÄ.aspx2", i);
      assert_false(EV(rs, f));
    }
    exh_ruleset_free(rs);
    exh__buf_free(&y);
  }
}

/* Issue 15: a log header is mapped through the field-name hash, each column
 * looked up once; the map must be the field-by-field comparison's, for
 * every kind, on columns with spaces, tabs, case, duplicates, aliases. */
static void test_map_header_hashed(void **st) {
  (void)st;
  const char *y =
      "title: a\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-user-agent: x\n    c-uri: y\n"
      "    cs-uri-stem: z\n    cs-uri-query: q\n    cs-host: h\n    cs-Method: GET\n    Threat Name: t\n"
      "    c-useragent: u\n    cs-referrer: r\n    cs-uri: w\n    sc-status: 200\n  condition: sel\n"
      "---\n"
      "title: b\nlogsource:\n  product: exchange\n  service: httpproxy\ndetection:\n  sel:\n    UrlStem: a\n"
      "    ClientIpAddress: b\n    urlstem-decoded: c\n    AuthenticatedUser: d\n  condition: sel\n";
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_yaml(rs, "test", y, strlen(y));
  assert_int_equal(exh_ruleset_count(rs), 2);
  static const char *const headers[][16] = {
      {"date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "cs(User-Agent)", "cs(Referer)", "sc-status",
       "cs(Host)", NULL},
      {" cs-method ", "CS-URI-STEM", "cs uri query", "\tcs(user-agent)\r", "cs-method", "ThreatName", "Threat Name",
       "cs-uri", "cs-host", NULL},
      {"DateTime", "UrlStem", "ClientIpAddress", "urlstem", "AuthenticatedUser ", "UrlStem-decoded", "LogFolder", "",
       " ", NULL},
      {NULL},
  };
  const exh_kind kinds[] = {EXH_KIND_IIS, EXH_KIND_HTTPPROXY, EXH_KIND_HTTPERR, EXH_KIND_ECP_SERVER};
  size_t nf = exh__ruleset_nfields(rs);
  int *a = calloc(nf, sizeof(int)), *b = calloc(nf, sizeof(int));
  int mapped = 0;
  for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
    exh_str cols[16];
    int n = 0;
    while (headers[h][n]) {
      cols[n] = (exh_str){headers[h][n], strlen(headers[h][n])};
      n++;
    }
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      for (size_t f = 0; f < nf; f++) a[f] = b[f] = 7;
      exh__ruleset_map_header(rs, kinds[k], cols, n, a);
      exh__ruleset_map_header_slow(rs, kinds[k], cols, n, b);
      for (size_t f = 0; f < nf; f++) {
        if (a[f] != b[f])
          fail_msg("header %zu, kind %d, field '%s': hashed %d, compared %d", h, (int)kinds[k],
                   exh__ruleset_field_name(rs, (int)f), a[f], b[f]);
        mapped += a[f] >= 0;
      }
    }
  }
  assert_true(mapped > 20); /* the headers do name fields */
  free(a);
  free(b);
  exh_ruleset_free(rs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fold_table),          cmocka_unit_test(test_case_folding),
      cmocka_unit_test(test_one_character),       cmocka_unit_test(test_regex_utf8),
      cmocka_unit_test(test_fieldref_folds),      cmocka_unit_test(test_prefilter_literals),
      cmocka_unit_test(test_events_prefilter_sound), cmocka_unit_test(test_exact_index),
      cmocka_unit_test(test_map_header_hashed)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
