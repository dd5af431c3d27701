/* libFuzzer target: the compiled rule cache's reader (rules/cache.c), on
 * the payload of a rule folder's cache file as if its checksum had passed:
 * every count, length, field id, node index, literal and Windows source
 * must be checked before use. Regular expressions are PCRE2's serialised
 * form, which PCRE2 trusts (the file's checksum guards it): here they are
 * parsed but never decoded. Seeds: payloads written for the shipped rules.
 * The same input goes to the reader of the compiled YARA rules' entry
 * (checks/yara.c: file hashes, key, and the bytes libyara reads, which it
 * trusts as PCRE2 does its own: never loaded here). */
#include <stdint.h>
#include <stdlib.h>

#include "checks/yara.h"
#include "rules/sigma_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) return 0;
  (void)exh__cache_parse_payload(data, size);
  exh_yara_cached yc;
  if (exh__yara_cached_parse(data, size, &yc) == 0 && yc.nrules + yc.nfiles * 16 + 28 != size) abort();
  exh__guard_pop(&g);
  return 0;
}
