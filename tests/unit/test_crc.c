/* CRC-32 of EVTX chunks: the PCLMULQDQ folding path against the table, on
 * random buffers of every size class and alignment, and the check value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "formats/evtx/evtx.h"

static void test_check_value(void **st) {
  (void)st;
  assert_int_equal(exh__crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
  assert_int_equal(exh__crc32_table((const uint8_t *)"123456789", 9), 0xCBF43926u);
  assert_int_equal(exh__crc32((const uint8_t *)"", 0), 0);
}

static void test_folding_matches_table(void **st) {
  (void)st;
  uint8_t *b = malloc(70000);
  uint32_t s = 12345;
  for (int t = 0; t < 2000; t++) {
    size_t n = t < 600 ? (size_t)t : (size_t)((s = s * 1103515245u + 12345u) % 65536u + 64u);
    size_t off = (size_t)(t % 8);
    for (size_t i = 0; i < n + off; i++) b[i] = (uint8_t)((s = s * 1103515245u + 12345u) >> 16);
    assert_int_equal(exh__crc32(b + off, n), exh__crc32_table(b + off, n));
  }
  free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_check_value), cmocka_unit_test(test_folding_matches_table)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
