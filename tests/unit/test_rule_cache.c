/* The compiled rule cache (rules/cache.c): a rule folder loaded through the
 * cache gives the rules, rejections and prefilter groups of a fresh load;
 * the reader refuses every truncation of a payload it wrote and survives
 * every byte of it flipped (run under the sanitizers in that build). */
#include <dirent.h>
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

#include "exhunt/exhunt.h"
#include "rules/sigma_int.h"

static char base[256];

static void put(const char *dir, const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Rules of every matcher kind but regular expressions (the payload tests
 * parse without decoding PCRE2), one rejected rule, one YAML error. */
static const char *const rules[][2] = {
    {"a.yml", "title: web probe\nid: a1\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem|contains:\n"
              "      - /ecp/x.js\n      - '/owa/auth/?.js'\n    cs-method: POST\n  not_me:\n    c-ip|cidr: 10.0.0.0/8\n"
              "  condition: sel and not not_me\nlevel: high\ntags:\n  - attack.t1190\n  - cve.2021-26855\n"},
    {"b.yml", "title: events\nid: b1\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n"
              "  s1:\n    Image|endswith: '\\w3wp.exe'\n  s2:\n    CommandLine|contains|all:\n      - whoami\n      - /all\n"
              "  s3:\n    User|fieldref: TargetUserName\n  s4:\n    ParentImage|exists: true\n  condition: 1 of s* and s4\n"
              "---\ntitle: keywords\nid: b2\nlogsource:\n  product: windows\n  service: security\ndetection:\n"
              "  keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\n  condition: keywords\n"},
    {"e.yml", "title: many exact pages\nid: e1\nlogsource:\n  category: webserver\ndetection:\n  pages:\n"
              "    cs-uri-stem:\n      - /a1.aspx\n      - /a2.aspx\n      - /a3.aspx\n      - /a4.aspx\n      - /a5.aspx\n"
              "      - /a6.aspx\n      - /a7.aspx\n      - /a8.aspx\n      - /a9.aspx\n  condition: pages\n"},
    {"c.yml", "title: other product\nid: c1\nlogsource:\n  product: linux\ndetection:\n  s:\n    a: b\n  condition: s\n"},
    {"d.yml", "title: [broken\n"},
};

typedef struct rejs {
  char text[4096];
} rejs;

static void on_reject(void *ctx, const char *source, const char *title, const char *why) {
  rejs *r = ctx;
  size_t n = strlen(r->text);
  snprintf(r->text + n, sizeof r->text - n, "%s|%s|%s\n", source, title ? title : "", why);
}

static int to_buf(void *ctx, const char *p, size_t n) {
  char *b = ctx;
  size_t k = strlen(b);
  if (k + n >= 65536) return -1;
  memcpy(b + k, p, n);
  b[k + n] = 0;
  return 0;
}

/* Loads the folder (through the cache in `cache` when not NULL): its
 * rejections and every rule's id, title, level and prefilter groups. */
static char *load(const char *cache, const char *folder, rejs *rj) {
  exh_ruleset *rs;
  assert_int_equal(exh_ruleset_new(&rs), EXH_OK);
  memset(rj, 0, sizeof *rj);
  exh_ruleset_on_reject(rs, on_reject, rj);
  if (cache) assert_int_equal(exh_ruleset_use_cache(rs, cache, NULL, 0, 0), EXH_OK);
  (void)exh_ruleset_add_path(rs, folder);
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  char *out = calloc(1, 65536);
  for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
    const exh_rule_info *ri = exh_ruleset_rule(rs, i);
    char line[512];
    snprintf(line, sizeof line, "%s|%s|%d|%zu|%zu\n", exh_rule_info_id(ri), exh_rule_info_title(ri),
             (int)exh_rule_info_level(ri), exh_rule_info_ncves(ri), exh_rule_info_ntechniques(ri));
    to_buf(out, line, strlen(line));
    /* derived structures are built again on a read: the hash sets of
     * matchers with many exact values (exh__matcher_index_build) */
    const exh_rule *r = exh__ruleset_get(rs, i);
    size_t nix = 0;
    for (size_t s = 0; s < r->nsels; s++)
      for (size_t a = 0; a < r->sels[s].nalts; a++)
        for (size_t m = 0; m < r->sels[s].alts[a].n; m++) nix += r->sels[s].alts[a].m[m].ix != NULL;
    snprintf(line, sizeof line, "indexed matchers: %zu\n", nix);
    to_buf(out, line, strlen(line));
    assert_int_equal(exh_ruleset_describe_prefilter(rs, i, to_buf, out), EXH_OK);
  }
  exh_ruleset_free(rs);
  return out;
}

/* The payload of the one rules-*.bin in the cache folder. */
static unsigned char *payload(const char *cache, size_t *n) {
  DIR *d = opendir(cache);
  assert_non_null(d);
  char p[1024] = "";
  for (struct dirent *e; (e = readdir(d));)
    if (!strncmp(e->d_name, "rules-", 6)) snprintf(p, sizeof p, "%s/%s", cache, e->d_name);
  closedir(d);
  assert_true(p[0]);
  FILE *f = fopen(p, "rb");
  assert_non_null(f);
  unsigned char *b = malloc(1 << 20);
  size_t got = fread(b, 1, 1 << 20, f);
  fclose(f);
  assert_true(got > 64);
  memmove(b, b + 64, got - 64);
  *n = got - 64;
  return b;
}

static void test_round_trip_and_reader(void **st) {
  (void)st;
  char folder[300], cache[300];
  snprintf(folder, sizeof folder, "%s/rules", base);
  snprintf(cache, sizeof cache, "%s/cache", base);
  mkdir(folder, 0700);
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) put(folder, rules[i][0], rules[i][1]);
  rejs r0, r1, r2;
  char *fresh = load(NULL, folder, &r0);
  char *first = load(cache, folder, &r1);  /* compiled, written */
  char *second = load(cache, folder, &r2); /* read */
  assert_string_equal(fresh, first);
  assert_string_equal(fresh, second);
  assert_string_equal(r0.text, r1.text);
  assert_string_equal(r0.text, r2.text);
  assert_non_null(strstr(fresh, "web probe"));
  assert_non_null(strstr(fresh, "indexed matchers: 1\n"));
  assert_non_null(strstr(r0.text, "c.yml|other product|unsupported log source"));
  assert_non_null(strstr(r0.text, "d.yml||YAML error"));
  free(fresh), free(first), free(second);

  size_t n;
  unsigned char *p = payload(cache, &n);
  assert_int_equal(exh__cache_parse_payload(p, n), 0);
  /* every truncation is refused; every byte flipped is survived (and is
   * caught before parsing by the checksum in real use) */
  for (size_t k = 0; k < n; k++) assert_int_equal(exh__cache_parse_payload(p, k), -1);
  unsigned char *q = malloc(n);
  for (size_t k = 0; k < n; k++) {
    memcpy(q, p, n);
    q[k] ^= 0xFF;
    exh_guard g;
    exh__guard_push(&g);
    if (setjmp(g.jb) == 0) {
      (void)exh__cache_parse_payload(q, n);
      exh__guard_pop(&g);
    }
  }
  free(q);
  free(p);
}

int main(void) {
  snprintf(base, sizeof base, "/tmp/exh-test-rule-cache-XXXXXX");
  if (!mkdtemp(base)) return 1;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip_and_reader)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  if (system(cmd) != 0) rc = rc ? rc : 1;
  return rc;
}
