/* PE version resource and minidump readers, on images built here, and on
 * every truncation of them (no crash, no read past the end under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks/pe.h"

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xFFFF), put16(p + 2, v >> 16); }

/* The same layout as exgen's ExSetup.exe, built independently here. */
static size_t make_pe(uint8_t *pe, int pe32plus) {
  memset(pe, 0, 0x400);
  pe[0] = 'M', pe[1] = 'Z';
  put32(pe + 0x3C, 0x40);
  memcpy(pe + 0x40, "PE\0\0", 4);
  uint8_t *coff = pe + 0x44;
  put16(coff + 2, 1);
  put16(coff + 16, pe32plus ? 0xF0 : 0xE0);
  uint8_t *opt = coff + 20;
  put16(opt, pe32plus ? 0x20B : 0x10B);
  size_t dd = pe32plus ? 112 : 96;
  put32(opt + dd - 4, 16);
  put32(opt + dd + 16, 0x2000);
  uint8_t *sec = opt + (pe32plus ? 0xF0 : 0xE0);
  put32(sec + 8, 0x200), put32(sec + 12, 0x2000), put32(sec + 16, 0x200), put32(sec + 20, 0x200);
  uint8_t *rs = pe + 0x200;
  put16(rs + 14, 2); /* two types: 3 (icon) first, then 16 */
  put32(rs + 16, 3), put32(rs + 20, 0x80000000u | 0x60);
  put32(rs + 24, 16), put32(rs + 28, 0x80000000u | 0x20);
  put16(rs + 0x20 + 14, 1), put32(rs + 0x20 + 16, 1), put32(rs + 0x20 + 20, 0x80000000u | 0x38);
  put16(rs + 0x38 + 14, 1), put32(rs + 0x38 + 16, 0x409), put32(rs + 0x38 + 20, 0x50);
  put32(rs + 0x50, 0x2000 + 0x80), put32(rs + 0x54, 92);
  uint8_t *ffi = rs + 0x80 + 40;
  put32(ffi, 0xFEEF04BDu);
  put32(ffi + 8, 15u << 16 | 2), put32(ffi + 12, 792u << 16 | 10);
  return 0x400;
}

static void test_pe_version(void **st) {
  (void)st;
  uint8_t pe[0x400];
  for (int plus = 0; plus < 2; plus++) {
    size_t n = make_pe(pe, plus);
    uint16_t v[4];
    const char *why;
    assert_int_equal(exh__pe_file_version(pe, n, v, &why), 0);
    assert_int_equal(v[0], 15);
    assert_int_equal(v[1], 2);
    assert_int_equal(v[2], 792);
    assert_int_equal(v[3], 10);
    /* every truncation fails cleanly (heap copies so ASan sees the end) */
    for (size_t k = 0; k < n; k += 7) {
      uint8_t *c = malloc(k ? k : 1);
      memcpy(c, pe, k);
      (void)exh__pe_file_version(c, k, v, &why);
      free(c);
    }
  }
  uint16_t v[4];
  const char *why;
  assert_int_equal(exh__pe_file_version((const uint8_t *)"MZ", 2, v, &why), -1);
  /* a resource entry pointing outside the file */
  make_pe(pe, 1);
  put32(pe + 0x200 + 0x50, 0x7FFFFFF0u);
  assert_int_equal(exh__pe_file_version(pe, sizeof pe, v, &why), -1);
}

static void test_minidump(void **st) {
  (void)st;
  uint8_t m[512];
  memset(m, 0, sizeof m);
  memcpy(m, "MDMP", 4);
  put32(m + 8, 2), put32(m + 12, 32);
  put32(m + 32, 3);                            /* ThreadListStream: skipped */
  put32(m + 44, 4), put32(m + 48, 112), put32(m + 52, 100);
  put32(m + 100, 1);
  put32(m + 100 + 4 + 20, 300);
  const char *img = "C:\\Windows\\System32\\LSASS.EXE";
  put32(m + 300, (uint32_t)(2 * strlen(img)));
  for (size_t i = 0; img[i]; i++) put16(m + 304 + 2 * i, (unsigned char)img[i]);
  char name[64];
  assert_int_equal(exh__minidump_process(m, sizeof m, name, sizeof name), 1);
  assert_string_equal(name, "lsass.exe");
  for (size_t k = 0; k < sizeof m; k += 3) {
    uint8_t *c = malloc(k ? k : 1);
    memcpy(c, m, k);
    (void)exh__minidump_process(c, k, name, sizeof name);
    free(c);
  }
  put32(m + 300, 0xFFFFFFF0u); /* name length beyond the file */
  assert_int_equal(exh__minidump_process(m, sizeof m, name, sizeof name), 1);
  assert_string_equal(name, "");
  assert_int_equal(exh__minidump_process((const uint8_t *)"PK\3\4", 4, name, sizeof name), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_pe_version), cmocka_unit_test(test_minidump)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
