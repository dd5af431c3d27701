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

#include "core/limits.h"
#include "util/util.h"
#include "formats/evtx/evtx.h"
#include "formats/evtx/evtx_int.h" /* a record's charges (test_at_the_limit) */
#include "../../tools/evtx/evtx_build.h"

/* A one-chunk EVTX file with one record made by `rec`. */
static size_t file_with(uint8_t *f, void (*rec)(w *)) {
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  evb_record(&x, 7, rec);
  evb_chunk_end(&x, x.n);
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
  exh__evtx_write_json(o->f, p, r);
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
  exh_evtx *p = exh__evtx_new();
  exh__evtx_set_json(p, json);
  exh__evtx_parse(p, d, n, on_rec, on_iss, o);
  exh__evtx_free(p);
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
static int timeouts;      /* time-limit reports (test_deadline_inside_a_record) */

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

/* A record whose fragment is written without a template, as Windows Event
 * Collector forwards events (evtx-rs-samples' MSExchange_Management_wec.evtx):
 * its element starts carry no dependency id, like a binary XML value's. The
 * tree read one before as damage (a name offset taken two bytes off), so
 * scan missed forwarded MSExchange Management events. */
static void rec_forwarded(w *x) {
  size_t as;
  frag_header(x);
  direct = 1;
  open_el(x, "Event", 0, NULL);
  close_start(x);
  open_el(x, "System", 0, NULL);
  close_start(x);
  open_el(x, "Channel", 0, NULL);
  close_start(x);
  text(x, "MSExchange Management");
  end_el(x);
  end_el(x);
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "Cmd");
  put32(x, as, 0);
  close_start(x);
  text(x, "Set-Mailbox");
  end_el(x);
  end_el(x);
  end_el(x);
  direct = 0;
  u8(x, 0x00);
}

static void test_record_without_template(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  size_t n = file_with(f, rec_forwarded);
  long fast;
  char *j = both(f, n, &fast);
  assert_null(strstr(j, "ISSUE"));
  assert_non_null(strstr(j, "\"Channel\":\"MSExchange Management\""));
  assert_non_null(strstr(j, "\"EventData\":{\"Cmd\":\"Set-Mailbox\"}"));
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

/* ---- scalar values against printf ------------------------------------------
 *
 * Numbers, FILETIMEs, GUIDs and hex are written by hand (table lookups, the
 * date from the days since 1601): each against a printf or
 * exh__format_iso8601 rendering, on edge and random values. */

static const char *value_text(exh_evtx *p, exh_buf *o, uint8_t type, const uint8_t *d, uint32_t n) {
  exh_evtx_value v = {type, d, n};
  o->n = 0;
  if (!exh__evtx__value_json(p, o, &v)) exh_buf_add(o, "(none)", 6);
  exh_buf_addc(o, 0);
  return o->p;
}

static void ref_filetime(uint64_t when, char *text) {
  uint64_t us_total = when / 10;
  int64_t secs = (int64_t)(us_total / 1000000) - 11644473600LL;
  unsigned us = (unsigned)(us_total % 1000000);
  char iso[32];
  exh__format_iso8601(secs * 1000, iso);
  iso[10] = ' ';
  int k = snprintf(text, 64, "\"%.19s", iso);
  if (us) k += snprintf(text + k, 64 - (size_t)k, ".%06u", us);
  snprintf(text + k, 64 - (size_t)k, "\"");
}

static void test_scalar_values(void **st) {
  (void)st;
  exh_evtx *p = exh__evtx_new();
  exh_buf o = {0};
  char want[128];
  uint8_t d[16];
  uint64_t r = 88172645463325252ull;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
  /* unsigned integers: every digit count, its edges */
  uint64_t p10 = 1;
  for (int k = 0; k < 20; k++, p10 *= 10) {
    uint64_t vs[3] = {p10 - 1, p10, p10 + 1};
    for (int i = 0; i < 3; i++) {
      for (int b = 0; b < 8; b++) d[b] = (uint8_t)(vs[i] >> (8 * b));
      snprintf(want, sizeof want, "\"%llu\"", (unsigned long long)vs[i]);
      assert_string_equal(value_text(p, &o, 0x0a, d, 8), want);
    }
  }
  memset(d, 0xFF, 8);
  assert_string_equal(value_text(p, &o, 0x0a, d, 8), "\"18446744073709551615\"");
  assert_string_equal(value_text(p, &o, 0x09, d, 8), "\"-1\"");
  /* FILETIMEs: 1601, 1970, leap days, the year 9999 and past it (kept to 9999), the end */
  static const uint64_t fts[] = {0, 1, 9, 10, 11, 10000000, 116444736000000000ull, 116444735999999990ull,
                                 125911584000000000ull /* 2000-01-01 */, 125962560000000000ull,
                                 2650467743990000000ull /* 9999-12-31 23:59:59 */, 2650467744000000000ull,
                                 2650467744000000010ull, UINT64_MAX, UINT64_MAX - 9};
  for (size_t i = 0; i < sizeof fts / sizeof *fts + 200000; i++) {
    uint64_t when = i < sizeof fts / sizeof *fts ? fts[i] : (i & 1) ? NEXT() : NEXT() % 140000000000000000ull;
    if (i % 7 == 0 && i >= sizeof fts / sizeof *fts) when -= when % 864000000000ull; /* midnight */
    for (int b = 0; b < 8; b++) d[b] = (uint8_t)(when >> (8 * b));
    ref_filetime(when, want);
    assert_string_equal(value_text(p, &o, 0x11, d, 8), want);
  }
  /* GUIDs, 32- and 64-bit hex, binary */
  for (int i = 0; i < 20000; i++) {
    uint64_t a = NEXT(), b = NEXT();
    for (int k = 0; k < 8; k++) d[k] = (uint8_t)(a >> (8 * k)), d[8 + k] = (uint8_t)(b >> (8 * k));
    snprintf(want, sizeof want, "\"{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}\"", (unsigned)a,
             (unsigned)(a >> 32) & 0xFFFF, (unsigned)(a >> 48), d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
    assert_string_equal(value_text(p, &o, 0x0f, d, 16), want);
    snprintf(want, sizeof want, "\"0x%016llx\"", (unsigned long long)a);
    assert_string_equal(value_text(p, &o, 0x15, d, 8), want);
    snprintf(want, sizeof want, "\"0x%08x\"", (unsigned)a);
    assert_string_equal(value_text(p, &o, 0x14, d, 4), want);
    snprintf(want, sizeof want, "\"%016llX%016llX\"", (unsigned long long)__builtin_bswap64(a),
             (unsigned long long)__builtin_bswap64(b));
    assert_string_equal(value_text(p, &o, 0x0e, d, 16), want);
  }
#undef NEXT
  exh__buf_free(&o);
  exh__evtx_free(p);
}

/* ---- template bombs (issue 11, defect 2) ---------------------------------------
 *
 * Two shapes that expand exponentially: definitions holding instances of
 * the next definition (40 levels of two: 2^40 elements), and a definition
 * that references its one binary XML value eight times, the value being an
 * instance of the same definition, 12 levels deep (8^12). Each such record
 * is damage: reported, not delivered, and the records after it are read. */

#define BOMB_LEVELS 40
static size_t bomb_def[BOMB_LEVELS + 2];
static int bomb_k;
static void bomb_leaf(w *x) {
  open_el(x, "a", 0, NULL);
  empty_el(x);
}
static void bomb_twice(w *x) { /* D_k: two instances of D_k+1 */
  instance_of(x, bomb_def[bomb_k + 1], NULL, 0);
  instance_of(x, bomb_def[bomb_k + 1], NULL, 0);
}
static void rec_def_bomb(w *x) { instance_of(x, bomb_def[1], NULL, 0); }

#define VBOMB_LEVELS 12
static size_t vbomb_def;
static int vbomb_k;
static void vbomb_body(w *x) { /* <E>%0 eight times</E> */
  open_el(x, "E", 0, NULL);
  close_start(x);
  for (int i = 0; i < 8; i++) sub(x, 0, 0x21);
  end_el(x);
}
static void vbomb_value(w *x) { /* level k: an instance of E whose value is level k+1 */
  frag_header(x);
  if (++vbomb_k < VBOMB_LEVELS) {
    val v = {0x21, NULL, 0, vbomb_value};
    instance_of(x, vbomb_def, &v, 1);
  } else {
    direct = 1;
    open_el(x, "leaf", 0, NULL);
    empty_el(x);
    direct = 0;
  }
  u8(x, 0x00);
}
static void rec_value_bomb(w *x) {
  vbomb_k = 0;
  val v = {0x21, NULL, 0, vbomb_value};
  instance_of(x, vbomb_def, &v, 1);
}

/* One chunk: a good record, the two bombs, a good record. */
static size_t file_with_bombs(uint8_t *f) {
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  x.n = 40000; /* the shared definitions, past the records */
  bomb_def[BOMB_LEVELS] = definition(&x, bomb_leaf);
  for (bomb_k = BOMB_LEVELS - 1; bomb_k >= 1; bomb_k--) bomb_def[bomb_k] = definition(&x, bomb_twice);
  vbomb_def = definition(&x, vbomb_body);
  x.n = 512;
  nested_ok_key = 0, binxml_in_attr = 0;
  evb_record(&x, 1, rec_event);
  evb_record(&x, 2, rec_def_bomb);
  evb_record(&x, 3, rec_value_bomb);
  evb_record(&x, 4, rec_event);
  evb_chunk_end(&x, x.n);
  return 4096 + 65536;
}

static size_t count(const char *s, const char *what) {
  size_t k = 0;
  for (const char *p = s; (p = strstr(p, what)); p++) k++;
  return k;
}

static void test_template_bombs(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  size_t n = file_with_bombs(f);
  long fast;
  char *j = both(f, n, &fast); /* both ways: the same reports, the same records */
  assert_int_equal(count(j, "{\"Event\":"), 2);   /* records 1 and 4 */
  assert_int_equal(fast, 2);                        /* the good ones still compiled */
  assert_int_equal(count(j, "ISSUE "), 3);
  assert_non_null(strstr(j, "template instance inside a template definition"));
  assert_non_null(strstr(j, "record 2 could not be fully decoded"));
  assert_non_null(strstr(j, "record 3 expands past"));
  free(j);
  free(f);
}

/* The deadline is read inside a record's expansion: a deadline already
 * past stops the parse in the middle of the value bomb, says so, and
 * delivers nothing after it. */
static int count_rec(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  (void)p, (void)r;
  ++*(long *)ctx;
  return 0;
}
static void keep_issue(void *ctx, uint64_t off, const char *what) {
  (void)ctx, (void)off;
  if (strstr(what, "time limit")) timeouts++;
}

static void test_deadline_inside_a_record(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  size_t n = file_with_bombs(f);
  exh_evtx *p = exh__evtx_new();
  exh__evtx_set_deadline(p, 1e-9); /* long past */
  long recs = 0;
  timeouts = 0;
  exh__evtx_parse(p, f, n, count_rec, keep_issue, &recs);
  assert_true(exh__evtx_timed_out(p));
  assert_int_equal(timeouts, 1);
  assert_int_equal(recs, 1); /* record 1; record 4 is after the stop */
  exh__evtx_free(p);
  free(f);
}

/* At the limit, to the byte: a record whose binary value (s bytes) is
 * referenced 48 times, with a text of `pad` characters and `elems` empty
 * elements, is charged exactly the byte limit (accepted: the bound is
 * inclusive) or one byte more (reported). The compiled path adds up the
 * tree's charges before it renders: both renderings must take the same
 * decision at both points, or a record would be dumped one way and
 * reported the other. The charge of each knob is measured, not assumed. */
#define BIG_REFS 48
static size_t big_size, big_pad, big_elems;
static uint8_t big_value[62000];
static char big_text[4096];
static void big_body(w *x) {
  open_el(x, "Event", 0, NULL);
  close_start(x);
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  if (big_pad) {
    memset(big_text, 'x', big_pad);
    big_text[big_pad] = 0;
    text(x, big_text);
  }
  for (size_t i = 0; i < big_elems; i++) {
    open_el(x, "e", 0, NULL);
    close_start(x);
    end_el(x);
  }
  for (int i = 0; i < BIG_REFS; i++) {
    open_el(x, "Data", 0, NULL);
    close_start(x);
    sub(x, 0, 0x0e);
    end_el(x);
  }
  end_el(x);
  end_el(x);
}
static void rec_big(w *x) {
  val v = {0x0e, big_value, (uint16_t)big_size, NULL};
  instance(x, big_body, &v, 1);
}

static uint64_t charged;
static int on_charge(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  (void)ctx, (void)r;
  charged = p->cbytes; /* the record's charges, tree path */
  return 0;
}
static uint64_t charge_of(uint8_t *f, size_t size, size_t pad, size_t elems) {
  big_size = size, big_pad = pad, big_elems = elems;
  size_t n = file_with(f, rec_big);
  exh_evtx *p = exh__evtx_new();
  charged = 0;
  exh__evtx_parse(p, f, n, on_charge, NULL, NULL);
  exh__evtx_free(p);
  return charged;
}

/* pad and elems (at most 15) for which the record charges exactly `want`
 * bytes, given the measured charge t0 at (size, 1, 0) and the steps of
 * one text character and one element; 0 if none. */
static int solve(uint64_t want, uint64_t t0, uint64_t dp, uint64_t de, size_t *pad, size_t *elems) {
  for (size_t e = 0; e < 16; e++) {
    if (t0 + e * de > want || (want - t0 - e * de) % dp) continue;
    *pad = 1 + (size_t)((want - t0 - e * de) / dp), *elems = e;
    return 1;
  }
  return 0;
}

static void test_at_the_limit(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  memset(big_value, 0xAB, sizeof big_value);
  const uint64_t limit = EXH_EVTX_MAX_RECORD_BYTES;
  uint64_t t1 = charge_of(f, 1000, 1, 0);
  uint64_t per = charge_of(f, 1001, 1, 0) - t1; /* a byte more of the value */
  uint64_t dp = charge_of(f, 1000, 2, 0) - t1;  /* a character more of text */
  uint64_t de = charge_of(f, 1000, 1, 1) - t1;  /* an element more */
  assert_true(t1 > 0 && per > 0 && dp > 0 && de > 0);
  /* s as large as leaves at least 2000 to the limit, the rest by text and elements */
  size_t size = 1000 + (size_t)((limit - t1 - 2000) / per), pad = 0, elems = 0;
  uint64_t t0 = t1 + per * (size - 1000);
  assert_true(size <= sizeof big_value);
  assert_true(solve(limit, t0, dp, de, &pad, &elems));
  assert_true(pad < sizeof big_text);
  assert_int_equal(charge_of(f, size, pad, elems), limit); /* exactly at the limit, taken */
  size_t n = file_with(f, rec_big);
  long fast;
  char *j = both(f, n, &fast);
  assert_int_equal(fast, 1); /* taken, and compiled */
  assert_null(strstr(j, "ISSUE"));
  free(j);
  assert_true(solve(limit + 1, t0, dp, de, &pad, &elems));
  assert_int_equal(charge_of(f, size, pad, elems), 0); /* one byte over: not delivered */
  n = file_with(f, rec_big);
  j = both(f, n, &fast); /* reported both ways */
  assert_int_equal(fast, 0);
  assert_non_null(strstr(j, "expands past"));
  assert_null(strstr(j, "{\"Event\""));
  free(j);
  big_pad = big_elems = 0;
  free(f);
}

/* The chunk's sum: records each under the bounds, but many of them. With
 * the chunk's byte bound lowered to five and a half records' charges, the
 * first six are decoded and the rest of the chunk is reported, the same
 * way in both renderings (the compiled path reports the tree's charges
 * for what it renders). */
static void render_bounded(const uint8_t *d, size_t n, int json, uint64_t chunk_bytes, out *o) {
  memset(o, 0, sizeof *o);
  o->f = open_memstream(&o->p, &o->n);
  exh_evtx *p = exh__evtx_new();
  exh__evtx_set_json(p, json);
  p->max_chunk_bytes = chunk_bytes;
  exh__evtx_parse(p, d, n, on_rec, on_iss, o);
  exh__evtx_free(p);
  fclose(o->f);
}

static void test_chunk_sum(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  nested_ok_key = 0, binxml_in_attr = 0;
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  for (uint64_t id = 1; id <= 20; id++) evb_record(&x, id, rec_event);
  evb_chunk_end(&x, x.n);
  size_t n = 4096 + 65536;
  exh_evtx *p = exh__evtx_new();
  charged = 0;
  exh__evtx_parse(p, f, n, on_charge, NULL, NULL); /* every record charges the same */
  exh__evtx_free(p);
  assert_true(charged > 0);
  out t, c;
  render_bounded(f, n, 0, 5 * charged + charged / 2, &t);
  render_bounded(f, n, 1, 5 * charged + charged / 2, &c);
  assert_string_equal(c.p, t.p);
  assert_int_equal(t.records, 6);
  assert_int_equal(c.fast, 6);
  assert_int_equal(count(t.p, "ISSUE "), 1);
  assert_non_null(strstr(t.p, "chunk expands past"));
  free(t.p), free(c.p);
  free(f);
}

/* ---- every shared EVTX ------------------------------------------------------ */

/* ---- elements of fixed structure (evtx_json.c: op lists) ------------------
 *
 * An element whose structure does not depend on the values renders as one
 * list of ops made at its first rendering, per context: inside EventData a
 * Data element's Name attribute is its key and not shown, elsewhere it is
 * shown, so one element rendered in both contexts needs two lists. */

static size_t group_def; /* the nested definition, written inline by the first instance */
static void body_group(w *x) { /* <Group><Data Name="a">%0</Data><Data Name="b" Kind="k%1z">x</Data><Data Name="c" Tag="%2"/></Group> */
  size_t as;
  open_el(x, "Group", 0, NULL);
  close_start(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "a");
  put32(x, as, 0);
  close_start(x);
  sub(x, 0, 0x01);
  end_el(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 1);
  text(x, "b");
  attr(x, "Kind", 0);
  text(x, "k");
  sub(x, 1, 0x06);
  text(x, "z");
  put32(x, as, 0);
  close_start(x);
  text(x, "x");
  end_el(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 1);
  text(x, "c");
  attr(x, "Tag", 0);
  sub(x, 2, 0x01);
  put32(x, as, 0);
  empty_el(x);
  end_el(x);
}
static const uint8_t s_q[] = {'q', 0, '\\', 0};
static void group_value(w *x) {
  val v[3] = {{0x01, s_x, 4, NULL}, {0x06, eid, 2, NULL}, {0x01, s_q, 4, NULL}};
  frag_header(x);
  if (!group_def) {
    group_def = x->n + 10;
    instance(x, body_group, v, 3);
  } else {
    instance_of(x, group_def, v, 3);
  }
  u8(x, 0x00);
}
static void body_two_contexts(w *x) { /* <Event><EventData>%0</EventData><Other>%1</Other></Event> */
  open_el(x, "Event", 0, NULL);
  close_start(x);
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  sub(x, 0, 0x21);
  end_el(x);
  open_el(x, "Other", 0, NULL);
  close_start(x);
  sub(x, 1, 0x21);
  end_el(x);
  end_el(x);
}
static void rec_two_contexts(w *x) {
  val v[2] = {{0x21, NULL, 0, group_value}, {0x21, NULL, 0, group_value}};
  instance(x, body_two_contexts, v, 2);
}

static void test_fixed_structure_in_two_contexts(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  group_def = 0;
  evb_record(&x, 7, rec_two_contexts);
  evb_record(&x, 8, rec_two_contexts); /* the lists made by the first record */
  evb_chunk_end(&x, x.n);
  long fast;
  char *j = both(f, 4096 + 65536, &fast);
  assert_int_equal(fast, 2);
  const char *rec = "{\"Event\":{\"EventData\":{\"Group\":{\"a\":\"x\\\"\",\"b\":{\"#attributes\":{\"Kind\":\"k4624z\"},"
                    "\"#text\":\"x\"},\"c\":{\"#attributes\":{\"Tag\":\"q\\\\\"}}}},"
                    "\"Other\":{\"Group\":{\"a\":{\"#attributes\":{\"Name\":\"a\"},\"#text\":\"x\\\"\"},"
                    "\"b\":{\"#attributes\":{\"Name\":\"b\",\"Kind\":\"k4624z\"},\"#text\":\"x\"},"
                    "\"c\":{\"#attributes\":{\"Name\":\"c\",\"Tag\":\"q\\\\\"}}}}}}\n";
  size_t rn = strlen(rec);
  assert_int_equal(strlen(j), 2 * rn);
  assert_memory_equal(j, rec, rn);
  assert_memory_equal(j + rn, rec, rn);
  free(j);
  free(f);
}

/* A chain of fixed-structure elements nested `chain` deep, in the record's
 * template and in a nested instance: around the depth limit the op list of
 * the outer elements reaches past it, and the record is declined exactly
 * where the tree reports it. */
static int chain, chain_nested;
static void body_chain(w *x) {
  size_t as;
  for (int i = 0; i < chain; i++) {
    open_el(x, "C", i == 0, &as);
    if (i == 0) {
      attr(x, "n", 0);
      text(x, "1");
      put32(x, as, 0);
    }
    close_start(x);
  }
  open_el(x, "Leaf", 0, NULL);
  close_start(x);
  sub(x, 0, 0x01);
  end_el(x);
  open_el(x, "T", 0, NULL);
  close_start(x);
  text(x, "t");
  end_el(x);
  for (int i = 0; i < chain; i++) end_el(x);
}
static void chain_value(w *x) {
  val v = {0x01, s_x, 4, NULL};
  frag_header(x);
  instance(x, body_chain, &v, 1);
  u8(x, 0x00);
}
static void body_chain_event(w *x) {
  open_el(x, "Event", 0, NULL);
  close_start(x);
  if (chain_nested) {
    open_el(x, "EventData", 0, NULL);
    close_start(x);
    sub(x, 1, 0x21);
    end_el(x);
  } else {
    body_chain(x);
  }
  end_el(x);
}
static void rec_chain(w *x) {
  val v[2] = {{0x01, s_x, 4, NULL}, {0x21, NULL, 0, chain_value}};
  instance(x, body_chain_event, v, 2);
}

static void test_fixed_structure_near_the_depth_limit(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  for (chain_nested = 0; chain_nested < 2; chain_nested++) {
    long fasts = 0, declined = 0;
    for (chain = 1; chain < EXH_EVTX_MAX_DEPTH + 4; chain++) {
      size_t n = file_with(f, rec_chain);
      long fast;
      char *j = both(f, n, &fast);
      fasts += fast;
      declined += !fast;
      if (fast) assert_non_null(strstr(j, "\"Leaf\":\"x\\\"\",\"T\":\"t\"}"));
      free(j);
    }
    assert_true(fasts > 50); /* both ways: rendered compiled, then declined past the limit */
    assert_true(declined > 0);
  }
  free(f);
}

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
      cmocka_unit_test(test_record_without_template),
      cmocka_unit_test(test_many_repeats), cmocka_unit_test(test_template_bombs),
      cmocka_unit_test(test_deadline_inside_a_record), cmocka_unit_test(test_at_the_limit),
      cmocka_unit_test(test_chunk_sum), cmocka_unit_test(test_fixed_structure_in_two_contexts),
      cmocka_unit_test(test_fixed_structure_near_the_depth_limit), cmocka_unit_test(test_scalar_values),
      cmocka_unit_test(test_shared_evtx)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
