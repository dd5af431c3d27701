/* libFuzzer target: the YARA loading path: rule text through exhunt's
 * per-file trial compile, the set compile, and the rule metadata exhunt
 * reads (level, score, cve, mitre_attack). libyara's own compiler is fuzzed
 * upstream (OSS-Fuzz); this covers what exhunt adds around it. */
#include <stdint.h>
#include <stdlib.h>

#include "exhunt/exhunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_yara_text(rs, "fuzz", (const char *)data, size);
  exh_ruleset_compile(rs);
  exh_ruleset_free(rs);
  return 0;
}
