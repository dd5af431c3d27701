/* EVTX rendering: the compiled-template JSON path (parse/evtx_json.c)
 * against the tree path (report/evtx_out.c), which must agree byte for
 * byte. Hand-built chunks cover each shape the compiled path handles and
 * each it must decline (then the tree renders); with an argument (the
 * shared folder), every EVTX under data/evtx is compared too. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "parse/evtx.h"

/* ---- a tiny binary XML writer -------------------------------------------- */

typedef struct w {
  uint8_t *b;
  size_t n;
} w;

static void u8(w *x, unsigned v) { x->b[x->n++] = (uint8_t)v; }
static void u16(w *x, unsigned v) { u8(x, v & 0xFF), u8(x, (v >> 8) & 0xFF); }
static void u32(w *x, uint32_t v) { u16(x, v & 0xFFFF), u16(x, v >> 16); }
static void u64(w *x, uint64_t v) { u32(x, (uint32_t)v), u32(x, (uint32_t)(v >> 32)); }
static void put32(w *x, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) x->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}
/* a name structure written inline (its offset is where it starts) */
static void name(w *x, const char *s) {
  u32(x, (uint32_t)(x->n + 4));
  u32(x, 0); /* next */
  u16(x, 0); /* hash */
  u16(x, (unsigned)strlen(s));
  for (const char *c = s; *c; c++) u16(x, (unsigned char)*c);
  u16(x, 0);
}
/* element start; attrs: 1 when an attribute list follows. Elements written
 * directly in a binary XML value have no dependency id (direct = 1). */
static int direct;
static void open_el(w *x, const char *nm, int attrs, size_t *attr_size_at) {
  u8(x, attrs ? 0x41 : 0x01);
  if (!direct) u16(x, 0xFFFF); /* dependency id */
  u32(x, 0);      /* data size */
  name(x, nm);
  if (attrs) {
    *attr_size_at = x->n;
    u32(x, 0);
  }
}
static void attr(w *x, const char *nm, int more) {
  u8(x, more ? 0x46 : 0x06);
  name(x, nm);
}
static void text(w *x, const char *s) {
  u8(x, 0x05);
  u8(x, 0x01);
  u16(x, (unsigned)strlen(s));
  for (const char *c = s; *c; c++) u16(x, (unsigned char)*c);
}
static void sub(w *x, unsigned id, unsigned type) {
  u8(x, 0x0e);
  u16(x, id);
  u8(x, type);
}
static void close_start(w *x) { u8(x, 0x02); }
static void end_el(w *x) { u8(x, 0x04); }
static void empty_el(w *x) { u8(x, 0x03); }

/* template instance with an inline definition written by `body`; the
 * values follow. Returns where the value count goes. */
typedef struct val {
  uint8_t type;
  const uint8_t *d;
  uint16_t n;
  void (*build)(w *); /* binary XML written in place (offsets are chunk offsets) */
} val;

static void instance(w *x, void (*body)(w *), const val *v, unsigned nv) {
  u8(x, 0x0c);
  u8(x, 0x01);
  u32(x, 0); /* template id */
  u32(x, (uint32_t)(x->n + 4));
  u32(x, 0);                        /* next definition */
  for (int i = 0; i < 16; i++) u8(x, (unsigned)i); /* GUID */
  size_t size_at = x->n;
  u32(x, 0);
  size_t start = x->n;
  u8(x, 0x0f), u8(x, 1), u8(x, 1), u8(x, 0);
  body(x);
  u8(x, 0x00);
  put32(x, size_at, (uint32_t)(x->n - start));
  u32(x, nv);
  size_t desc = x->n;
  for (unsigned i = 0; i < nv; i++) u16(x, v[i].n), u8(x, v[i].type), u8(x, 0);
  for (unsigned i = 0; i < nv; i++) {
    if (!v[i].build) {
      if (v[i].n) memcpy(x->b + x->n, v[i].d, v[i].n), x->n += v[i].n;
      continue;
    }
    size_t s0 = x->n;
    v[i].build(x);
    x->b[desc + 4 * i] = (uint8_t)(x->n - s0), x->b[desc + 4 * i + 1] = (uint8_t)((x->n - s0) >> 8);
  }
}

/* A one-chunk EVTX file with one record made by `rec`. */
static size_t file_with(uint8_t *f, void (*rec)(w *)) {
  memset(f, 0, 4096 + 65536);
  memcpy(f, "ElfFile", 8);
  w x = {f + 4096, 0};
  memcpy(x.b, "ElfChnk", 8);
  x.n = 512;
  size_t r0 = x.n;
  u32(&x, 0x00002a2a);
  u32(&x, 0); /* size */
  u64(&x, 7); /* record id */
  u64(&x, 132539328000000000ull);
  u8(&x, 0x0f), u8(&x, 1), u8(&x, 1), u8(&x, 0);
  rec(&x);
  u8(&x, 0x00);
  while ((x.n - r0 + 4) % 8) u8(&x, 0);
  u32(&x, (uint32_t)(x.n - r0 + 4));
  put32(&x, r0 + 4, (uint32_t)(x.n - r0));
  put32(&x, 48, (uint32_t)x.n); /* free space offset */
  put32(&x, 52, exh_crc32(x.b + 512, x.n - 512));
  uint8_t hdr[504];
  memcpy(hdr, x.b, 120);
  memcpy(hdr + 120, x.b + 128, 384);
  put32(&x, 124, exh_crc32(hdr, 504));
  w fh = {f, 0};
  put32(&fh, 124, exh_crc32(f, 120));
  return 4096 + 65536;
}

/* ---- rendering both ways ---------------------------------------------------- */

typedef struct out {
  FILE *f;
  char *p;
  size_t n;
  long fast, records;
} out;

static int on_rec(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  out *o = ctx;
  exh_evtx_write_json(o->f, p, r);
  o->records++;
  if (r->json) o->fast++;
  return 0;
}

static void on_iss(void *ctx, uint64_t off, const char *what) {
  out *o = ctx;
  fprintf(o->f, "ISSUE %llu %s\n", (unsigned long long)off, what);
}

static void render(const uint8_t *d, size_t n, int json, out *o) {
  memset(o, 0, sizeof *o);
  o->f = open_memstream(&o->p, &o->n);
  exh_evtx *p = exh_evtx_new();
  exh_evtx_set_json(p, json);
  exh_evtx_parse(p, d, n, on_rec, on_iss, o);
  exh_evtx_free(p);
  fclose(o->f);
}

/* Both renderings of a file; they must be equal. Returns the JSON. */
static char *both(const uint8_t *d, size_t n, long *fast) {
  out t, c;
  render(d, n, 0, &t);
  render(d, n, 1, &c);
  assert_int_equal(t.fast, 0);
  assert_string_equal(c.p, t.p);
  *fast = c.fast;
  free(c.p);
  return t.p;
}

/* ---- the shapes ------------------------------------------------------------ */

static const uint8_t u16s_sec[] = {'S', 0, 'e', 0, 'c', 0, 0, 0};
static const uint8_t eid[] = {0x10, 0x12};
static const uint8_t ft[] = {0x00, 0xC0, 0x91, 0x6E, 0xDC, 0x16, 0xD7, 0x01};
static const uint8_t s_x[] = {'x', 0, '"', 0};
static const uint8_t s_key[] = {'K', 0};
static uint8_t rnd_a[64], rnd_b[64]; /* random UTF-16 values (test_random_strings) */
static uint16_t rnd_an, rnd_bn;
static int use_rnd;
static int damage; /* 1: the nested instance's definition offset is wrong */
static int nested_ok_key; /* 1: Data names from values */

static unsigned ndata = 3; /* Data elements in EventData */
static void body_data(w *x) {
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  size_t as;
  for (unsigned i = 0; i < ndata; i++) {
    open_el(x, "Data", 1, &as);
    attr(x, "Name", 0);
    if (nested_ok_key) sub(x, 3, 0x01);
    else text(x, i == 2 ? "B" : "A");
    put32(x, as, 0);
    close_start(x);
    sub(x, i % 3, 0x01);
    end_el(x);
  }
  end_el(x);
}

/* <UserData><Op Kind="read">go</Op><Op>%none</Op></UserData> written
 * without a template (as CAPI2 logs do) */
static int direct_value;
static void nested_direct(w *x) {
  size_t as;
  u8(x, 0x0f), u8(x, 1), u8(x, 1), u8(x, 0);
  direct = 1;
  open_el(x, "UserData", 0, NULL);
  close_start(x);
  open_el(x, "Op", 1, &as);
  attr(x, "Kind", 0);
  text(x, "read");
  close_start(x);
  text(x, "go");
  end_el(x);
  open_el(x, "Op", 0, NULL);
  empty_el(x);
  end_el(x);
  direct = 0;
  u8(x, 0x00);
}

static void nested(w *x) {
  if (direct_value) {
    nested_direct(x);
    return;
  }
  size_t at = x->n;
  u8(x, 0x0f), u8(x, 1), u8(x, 1), u8(x, 0);
  val v[4] = {{0x01, s_x, 4, NULL}, {0x00, NULL, 0, NULL}, {0x06, eid, 2, NULL}, {0x01, s_key, 2, NULL}};
  if (use_rnd) v[0] = (val){0x01, rnd_a, rnd_an, NULL}, v[1] = (val){0x01, rnd_b, rnd_bn, NULL};
  instance(x, body_data, v, 4);
  u8(x, 0x00);
  if (damage) put32(x, at + 4 + 6, 70000);
}

static int binxml_in_attr; /* 1: the Provider Name value is binary XML */

static void body_event(w *x) {
  size_t as;
  open_el(x, "Event", 1, &as);
  attr(x, "xmlns", 0);
  text(x, "http://schemas.microsoft.com/win/2004/08/events/event");
  close_start(x);
  open_el(x, "System", 0, NULL);
  close_start(x);
  open_el(x, "Provider", 1, &as);
  attr(x, "Name", 0);
  sub(x, 0, binxml_in_attr ? 0x21 : 0x01);
  empty_el(x);
  open_el(x, "EventID", 0, NULL);
  close_start(x);
  sub(x, 1, 0x06);
  end_el(x);
  open_el(x, "Level", 0, NULL); /* null value: null */
  close_start(x);
  sub(x, 4, 0x04);
  end_el(x);
  open_el(x, "Msg", 0, NULL); /* text around a value and an element: #text */
  close_start(x);
  text(x, "a&b ");
  sub(x, 1, 0x06);
  open_el(x, "B", 0, NULL);
  empty_el(x);
  end_el(x);
  open_el(x, "TimeCreated", 1, &as);
  attr(x, "SystemTime", 0);
  sub(x, 2, 0x11);
  empty_el(x);
  end_el(x);
  sub(x, 3, 0x21);
  end_el(x);
}

static void rec_event(w *x) {
  val v[5] = {{0x01, u16s_sec, 8, NULL},
              {0x06, eid, 2, NULL},
              {0x11, ft, 8, NULL},
              {0x21, NULL, 0, nested},
              {0x00, NULL, 0, NULL}};
  if (binxml_in_attr) v[0] = (val){0x21, NULL, 0, nested};
  instance(x, body_event, v, 5);
}

static void test_nested_eventdata(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 0;
  binxml_in_attr = 0;
  size_t n = file_with(f, rec_event);
  long fast;
  char *j = both(f, n, &fast);
  assert_int_equal(fast, 1);
  assert_string_equal(j, "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/event\"},"
                         "\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Sec\"}},\"EventID\":\"4624\",\"Level\":null,"
                         "\"Msg\":{\"B\":null,\"#text\":\"a&b 4624\"},\"TimeCreated\":{\"#attributes\":{\"SystemTime\":"
                         "\"2021-03-12 01:10:03.438080\"}}},"
                         "\"EventData\":{\"A\":\"x\\\"\",\"A_1\":null,\"B\":\"4624\"}}}\n");
  free(j);
  free(f);
}

static void test_keys_from_values(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 1; /* every Data is named by value 3 ("K"): K, K_1, K_2 */
  binxml_in_attr = 0;
  size_t n = file_with(f, rec_event);
  long fast;
  char *j = both(f, n, &fast);
  assert_int_equal(fast, 1);
  assert_non_null(strstr(j, "\"EventData\":{\"K\":\"x\\\"\",\"K_1\":null,\"K_2\":\"4624\"}"));
  free(j);
  free(f);
}

static void test_binxml_in_attribute_goes_to_the_tree(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 0;
  binxml_in_attr = 1;
  size_t n = file_with(f, rec_event);
  long fast;
  char *j = both(f, n, &fast);
  assert_int_equal(fast, 0); /* declined, and the tree's output is the same */
  assert_non_null(strstr(j, "\"EventData\""));
  free(j);
  free(f);
}

static void test_damage_goes_to_the_tree(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 0;
  binxml_in_attr = 0;
  damage = 1;
  size_t n = file_with(f, rec_event);
  long fast;
  char *j = both(f, n, &fast); /* both report the same, render the same */
  assert_int_equal(fast, 0);
  assert_non_null(strstr(j, "ISSUE"));
  damage = 0;
  free(j);
  free(f);
}

static void test_elements_written_directly(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 0, binxml_in_attr = 0, direct_value = 1;
  size_t n = file_with(f, rec_event);
  long fast;
  char *j = both(f, n, &fast);
  assert_int_equal(fast, 1); /* the System part compiled, the value through the tree */
  assert_non_null(strstr(j, "\"UserData\":{\"Op\":{\"#attributes\":{\"Kind\":\"read\"},\"#text\":\"go\"},\"Op_1\":null}}}"));
  direct_value = 0;
  free(j);
  free(f);
}

/* An element with hundreds of children of one name: repeat suffixes up to
 * _N through the hashed counting, both ways, static and value keys. */
static void test_many_repeats(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  binxml_in_attr = 0, ndata = 400;
  for (nested_ok_key = 0; nested_ok_key < 2; nested_ok_key++) {
    size_t n = file_with(f, rec_event);
    long fast;
    char *j = both(f, n, &fast);
    assert_int_equal(fast, 1);
    assert_non_null(strstr(j, nested_ok_key ? "\"K_399\":" : "\"A_398\":"));
    free(j);
  }
  nested_ok_key = 0, ndata = 3;
  free(f);
}

/* Strings of random UTF-16 units biased to the awkward ones (surrogates,
 * controls, quote, backslash, DEL, U+2028, trailing NULs, odd sizes): the
 * one-pass JSON string writer against UTF-8 conversion then escaping. */
static void test_random_strings(void **st) {
  (void)st;
  static const uint16_t odd[] = {0, 1, 9, 10, 13, 0x1F, '"', '\\', 0x7F, 0x80, 0x9F, 0xFF, 0x7FF, 0x800, 0xD7FF, 0xD800,
                                 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0x2028, 0x2029, 0xFFFD, 0xFFFF, 'a', 'Z', ' '};
  uint8_t *f = malloc(4096 + 65536);
  uint32_t r = 2463534242u;
  nested_ok_key = 0, binxml_in_attr = 0, use_rnd = 1;
  for (int iter = 0; iter < 3000; iter++) {
    uint8_t *bufs[2] = {rnd_a, rnd_b};
    uint16_t *lens[2] = {&rnd_an, &rnd_bn};
    for (int k = 0; k < 2; k++) {
      r ^= r << 13, r ^= r >> 17, r ^= r << 5;
      size_t n = r % 32;
      for (size_t i = 0; i < n; i++) {
        r ^= r << 13, r ^= r >> 17, r ^= r << 5;
        uint16_t u = (r & 3) ? odd[(r >> 8) % (sizeof odd / sizeof *odd)] : (uint16_t)(r >> 16);
        bufs[k][2 * i] = (uint8_t)u, bufs[k][2 * i + 1] = (uint8_t)(u >> 8);
      }
      *lens[k] = (uint16_t)(2 * n + ((r >> 30) == 3 && n ? -1 : 0)); /* sometimes an odd size */
    }
    size_t n = file_with(f, rec_event);
    long fast;
    char *j = both(f, n, &fast);
    assert_int_equal(fast, 1);
    free(j);
  }
  use_rnd = 0;
  free(f);
}

/* ---- every shared EVTX ------------------------------------------------------ */

static const char *shared;
static long files, recs, fastrecs;

static void compare_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(path, &sb)) continue;
    if (S_ISDIR(sb.st_mode)) {
      compare_tree(path);
      continue;
    }
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 5, ".evtx")) continue;
    FILE *fp = fopen(path, "rb");
    if (!fp) continue;
    uint8_t *buf = malloc((size_t)sb.st_size + 1);
    size_t n = fread(buf, 1, (size_t)sb.st_size, fp);
    fclose(fp);
    out t, c;
    render(buf, n, 0, &t);
    render(buf, n, 1, &c);
    if (t.n != c.n || memcmp(t.p, c.p, t.n)) fail_msg("%s: the compiled and tree renderings differ", path);
    files++, recs += c.records, fastrecs += c.fast;
    free(t.p), free(c.p), free(buf);
  }
  closedir(d);
}

static void test_shared_evtx(void **st) {
  (void)st;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/data/evtx", shared ? shared : "");
  struct stat sb;
  if (!shared || stat(dir, &sb)) {
    print_message("skip: %s is absent\n", dir);
    skip();
  }
  compare_tree(dir);
  print_message("%ld files, %ld records, %ld (%.1f%%) through compiled templates\n", files, recs, fastrecs,
                recs ? 100.0 * (double)fastrecs / (double)recs : 0.0);
  assert_true(files > 0);
  assert_true(fastrecs > 0);
}

int main(int argc, char **argv) {
  shared = argc > 1 ? argv[1] : NULL;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nested_eventdata), cmocka_unit_test(test_keys_from_values),
      cmocka_unit_test(test_binxml_in_attribute_goes_to_the_tree), cmocka_unit_test(test_damage_goes_to_the_tree),
      cmocka_unit_test(test_random_strings), cmocka_unit_test(test_elements_written_directly),
      cmocka_unit_test(test_many_repeats),
      cmocka_unit_test(test_shared_evtx)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
