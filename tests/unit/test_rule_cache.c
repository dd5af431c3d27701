/* The compiled rule cache (rules/cache.c): a rule folder loaded through the
 * cache gives the rules, rejections and prefilter groups of a fresh load;
 * the reader refuses every truncation of a payload it wrote and survives
 * every byte of it flipped (run under the sanitizers in that build). */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "exhunt/exhunt.h"
#include "checks/yara.h"
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
  char text[1 << 16];
} rejs;

static void on_reject(void *ctx, const char *source, const char *title, const char *why) {
  rejs *r = ctx;
  size_t n = strlen(r->text);
  snprintf(r->text + n, sizeof r->text - n, "%s|%s|%s\n", source, title ? title : "", why);
}

static int to_buf(void *ctx, const char *p, size_t n) {
  char *b = ctx;
  size_t k = strlen(b);
  if (k + n >= 1 << 20) return -1;
  memcpy(b + k, p, n);
  b[k + n] = 0;
  return 0;
}

static int threads = 1; /* exh_ruleset_set_threads for load() */

/* Loads the folder (through the cache in `cache` when not NULL): its
 * rejections and every rule's id, title, level and prefilter groups. */
static char *load(const char *cache, const char *folder, rejs *rj) {
  exh_ruleset *rs;
  assert_int_equal(exh_ruleset_new(&rs), EXH_OK);
  exh_ruleset_set_threads(rs, threads);
  memset(rj, 0, sizeof *rj);
  exh_ruleset_on_reject(rs, on_reject, rj);
  if (cache) assert_int_equal(exh_ruleset_use_cache(rs, cache, NULL, 0, 0), EXH_OK);
  (void)exh_ruleset_add_path(rs, folder);
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  char *out = calloc(1, 1 << 20);
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

/* ---- the compiled YARA rules (checks/yara.c) ----------------------------- */

/* The path of the one file of the cache folder whose name starts with
 * `prefix`, and its inode; 0 when there is none. */
static int find(const char *cache, const char *prefix, char *path, size_t n, struct stat *st) {
  DIR *d = opendir(cache);
  if (!d) return 0;
  int found = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (!strncmp(e->d_name, prefix, strlen(prefix))) {
      snprintf(path, n, "%s/%s", cache, e->d_name);
      found++;
    }
  closedir(d);
  assert_true(found <= 1);
  return found && stat(path, st) == 0;
}

/* Loads YARA rule texts (through the cache when not NULL, its notes in
 * rj): "n|name,name,..." of the compiled rules, or NULL without libyara. */
static char *load_yara(const char *cache, const char *const *names, const char *const *texts, size_t nt, rejs *rj) {
  exh_ruleset *rs;
  assert_int_equal(exh_ruleset_new(&rs), EXH_OK);
  memset(rj, 0, sizeof *rj);
  exh_ruleset_on_reject(rs, on_reject, rj);
  if (cache) assert_int_equal(exh_ruleset_use_cache(rs, cache, NULL, 0, EXH_CACHE_VERBOSE), EXH_OK);
  char why[320];
  if (!exh__yara_available(why, sizeof why)) {
    exh_ruleset_free(rs);
    return NULL;
  }
  for (size_t i = 0; i < nt; i++) (void)exh_ruleset_add_yara_text(rs, names[i], texts[i], strlen(texts[i]));
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  size_t ny = 0;
  exh_ruleset_content_counts(rs, &ny, NULL, NULL);
  char *out = calloc(1, 4096);
  snprintf(out, 4096, "%zu|", ny);
  for (size_t i = 0; i < ny; i++) {
    const exh_rule_info *ri = exh_ruleset_yara_rule(rs, i);
    size_t k = strlen(out);
    snprintf(out + k, 4096 - k, "%s:%s:%d,", exh_rule_info_id(ri), exh_rule_info_source(ri), (int)exh_rule_info_level(ri));
  }
  exh_ruleset_free(rs);
  return out;
}

static void test_yara_cache(void **st) {
  (void)st;
  char cache[300], path[700], path2[700];
  snprintf(cache, sizeof cache, "%s/ycache", base);
  static const char *const names[] = {"builtin:yara/a.yar", "b.yar", "broken.yar"};
  static const char *const texts[] = {
      "rule alpha { meta: description = \"a\" score = 60 strings: $a = \"evil\" condition: $a }\n",
      ("rule beta { strings: $b = { 4D 5A } condition: $b at 0 and filesize < 1000 }\n"
       "rule gamma { meta: level = \"critical\" condition: filename == \"x.aspx\" }\n"),
      "rule broken { condition: no_such_thing }\n"};
  rejs r0, r1, r2, r3;
  char *fresh = load_yara(NULL, names, texts, 3, &r0);
  if (!fresh) {
    skip();
    return;
  }
  assert_non_null(strstr(fresh, "3|yara:alpha:builtin:yara/a.yar:2,yara:beta:b.yar"));
  assert_non_null(strstr(r0.text, "broken.yar"));
  struct stat s1, s2;
  /* first run: compiled and written */
  char *first = load_yara(cache, names, texts, 3, &r1);
  assert_string_equal(fresh, first);
  assert_string_equal(r0.text, r1.text);
  assert_true(find(cache, "yara-", path, sizeof path, &s1));
  /* second run: read (the file is not written again), the same rules and
   * the same rejection of the file that does not compile */
  char *second = load_yara(cache, names, texts, 3, &r2);
  assert_string_equal(fresh, second);
  assert_string_equal(r0.text, r2.text);
  assert_true(find(cache, "yara-", path2, sizeof path2, &s2));
  assert_string_equal(path, path2);
  assert_int_equal(s1.st_ino, s2.st_ino);
  /* a used file is marked used (pruning keeps it) */
  struct timespec old[2] = {{time(NULL) - 10 * 86400, 0}, {time(NULL) - 10 * 86400, 0}};
  assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
  free(load_yara(cache, names, texts, 3, &r2));
  assert_true(find(cache, "yara-", path2, sizeof path2, &s2));
  assert_true(s2.st_mtime > time(NULL) - 3600);
  /* a changed rule text: compiled again, its own rules */
  const char *const texts2[] = {texts[0], "rule delta { condition: true }\n", texts[2]};
  char *changed = load_yara(cache, names, texts2, 3, &r3);
  assert_non_null(strstr(changed, "2|yara:alpha:builtin:yara/a.yar:2,yara:delta:b.yar:"));
  /* a corrupt file: ignored with a note, the rules compiled, written again */
  assert_true(find(cache, "yara-", path, sizeof path, &s1));
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  assert_int_equal(fseek(f, -10, SEEK_END), 0);
  int c = fgetc(f);
  assert_int_equal(fseek(f, -10, SEEK_END), 0);
  fputc(c ^ 0x5A, f);
  fclose(f);
  char *again = load_yara(cache, names, texts, 3, &r3);
  assert_string_equal(fresh, again);
  assert_non_null(strstr(r3.text, "compiled rule cache file ignored (checksum mismatch)"));
  assert_true(find(cache, "yara-", path2, sizeof path2, &s2));
  assert_true(s1.st_ino != s2.st_ino);
  free(load_yara(cache, names, texts, 3, &r2));
  assert_string_equal(r0.text, r2.text); /* read back: no note */

  /* a first file that does not compile: the entry is found again all the
   * same (it is stored under the name it was looked for by) */
  char cache2[300];
  snprintf(cache2, sizeof cache2, "%s/ycache2", base);
  const char *const names3[] = {names[2], names[0], names[1]};
  const char *const texts3[] = {texts[2], texts[0], texts[1]};
  char *b1 = load_yara(cache2, names3, texts3, 3, &r3);
  assert_true(find(cache2, "yara-", path, sizeof path, &s1));
  char *b2 = load_yara(cache2, names3, texts3, 3, &r3);
  assert_string_equal(b1, b2);
  assert_non_null(strstr(b1, "3|yara:alpha:"));
  assert_true(find(cache2, "yara-", path, sizeof path, &s2));
  assert_int_equal(s1.st_ino, s2.st_ino); /* read, not written again */
  free(b1), free(b2);

  /* the entry's reader: every truncation refused */
  f = fopen(path2, "rb");
  assert_non_null(f);
  unsigned char *b = malloc(1 << 22);
  size_t n = fread(b, 1, 1 << 22, f);
  fclose(f);
  assert_true(n > 64);
  exh_yara_cached yc;
  assert_int_equal(exh__yara_cached_parse(b + 64, n - 64, &yc), 0);
  assert_int_equal(yc.nfiles, 2);
  for (size_t k = 0; k < n - 64; k += (k < 200 ? 1 : 997)) assert_int_equal(exh__yara_cached_parse(b + 64, k, &yc), -1);
  free(b);
  free(fresh), free(first), free(second), free(changed), free(again);
}

/* ---- pruning ---------------------------------------------------------------- */

static void put_aged(const char *dir, const char *name, time_t t) {
  put(dir, name, "x");
  char p[700];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
}

static int exists(const char *dir, const char *name) {
  char p[700];
  struct stat st;
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

static void test_prune(void **st) {
  (void)st;
  char cache[300], name[100];
  snprintf(cache, sizeof cache, "%s/pcache", base);
  assert_int_equal(mkdir(cache, 0700), 0);
  time_t now = time(NULL);
  put_aged(cache, "rules-0123456789abcdef0123456789abcdef.bin", now - 31 * 86400); /* unused for 31 days */
  put_aged(cache, "yara-00000000000000000000000000000000.bin", now - 29 * 86400);  /* 29: kept */
  put_aged(cache, "notes.txt", now - 90 * 86400);                                  /* not a cache file */
  put_aged(cache, "rules-0123.bin", now - 90 * 86400);                              /* not a cache name */
  for (int i = 0; i < 40; i++) { /* 41 cache files in all: the 32 used last stay */
    snprintf(name, sizeof name, "prefilter-%032d.bin", i);
    put_aged(cache, name, now - 1000 - i);
  }
  exh_ruleset *rs;
  assert_int_equal(exh_ruleset_new(&rs), EXH_OK);
  assert_int_equal(exh_ruleset_use_cache(rs, cache, NULL, 0, 0), EXH_OK);
  exh_ruleset_free(rs);
  assert_false(exists(cache, "rules-0123456789abcdef0123456789abcdef.bin"));
  assert_false(exists(cache, "yara-00000000000000000000000000000000.bin")); /* the oldest of the 41 */
  assert_true(exists(cache, "notes.txt"));
  assert_true(exists(cache, "rules-0123.bin"));
  for (int i = 0; i < 40; i++) {
    snprintf(name, sizeof name, "prefilter-%032d.bin", i);
    assert_int_equal(exists(cache, name), i < 32);
  }
}

/* ---- a first load with threads (the YAML parsed ahead, the databases
 * compiled at once) -------------------------------------------------------- */

static void test_threads(void **st) {
  (void)st;
  char folder[300], c1[300], c3[300], p1[700], p3[700];
  snprintf(folder, sizeof folder, "%s/many", base);
  snprintf(c1, sizeof c1, "%s/tcache1", base);
  snprintf(c3, sizeof c3, "%s/tcache3", base);
  mkdir(folder, 0700);
  /* enough files for the workers: every kind of file above, many times, a
   * file of three documents (one rejected), an empty one */
  for (int k = 0; k < 12; k++)
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
      char name[64];
      snprintf(name, sizeof name, "%02d-%s", k, rules[i][0]);
      put(folder, name, rules[i][1]);
    }
  put(folder, "50-multi.yml", "title: m1\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-uri-query|contains: zzq\n"
                              "  condition: s\n---\ntitle: m2\n---\ntitle: m3\nlogsource:\n  product: windows\n"
                              "  service: system\ndetection:\n  s:\n    EventID: 7045\n  condition: s\n");
  put(folder, "51-empty.yml", "");
  rejs r0, r1, r3, r4;
  threads = 1;
  char *fresh = load(NULL, folder, &r0);
  char *one = load(c1, folder, &r1);
  threads = 3;
  char *three = load(c3, folder, &r3); /* first load: parsed ahead */
  char *again = load(c3, folder, &r4); /* read back */
  threads = 1;
  assert_string_equal(fresh, one);
  assert_string_equal(fresh, three);
  assert_string_equal(fresh, again);
  assert_string_equal(r0.text, r1.text);
  assert_string_equal(r0.text, r3.text);
  assert_string_equal(r0.text, r4.text);
  assert_non_null(strstr(r0.text, "50-multi.yml|m2|"));
  assert_non_null(strstr(r0.text, "51-empty.yml||no YAML document"));
  /* the files written do not depend on the threads */
  struct stat s1, s3;
  assert_true(find(c1, "rules-", p1, sizeof p1, &s1));
  assert_true(find(c3, "rules-", p3, sizeof p3, &s3));
  assert_int_equal(s1.st_size, s3.st_size);
  char cmd[2000];
  snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", p1, p3);
  assert_int_equal(system(cmd), 0);
  free(fresh), free(one), free(three), free(again);
}

int main(void) {
  snprintf(base, sizeof base, "/tmp/exh-test-rule-cache-XXXXXX");
  if (!mkdtemp(base)) return 1;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip_and_reader), cmocka_unit_test(test_yara_cache),
                                     cmocka_unit_test(test_prune), cmocka_unit_test(test_threads)};
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  if (system(cmd) != 0) rc = rc ? rc : 1;
  return rc;
}
