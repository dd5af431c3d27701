/* libFuzzer target: the compiled rule cache's reader (rules/cache.c), on
 * the payload of a rule folder's cache file as if its checksum had passed:
 * every count, length, field id, node index, literal and Windows source
 * must be checked before use. Regular expressions are PCRE2's serialised
 * form, which PCRE2 trusts (the file's checksum guards it): here they are
 * parsed but never decoded. Seeds: payloads written for the shipped rules. */
#include <stdint.h>
#include <stdlib.h>

#include "rules/sigma_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) return 0;
  (void)exh__cache_parse_payload(data, size);
  exh__guard_pop(&g);
  return 0;
}
