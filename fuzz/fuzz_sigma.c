/* libFuzzer target: the Sigma YAML loader (libyaml, the rule compiler, the
 * condition parser, regex compilation) and the prefilter build. */
#include <stdint.h>
#include <stdlib.h>

#include "exhunt/exhunt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_yaml(rs, "fuzz", (const char *)data, size);
  exh_ruleset_compile(rs);
  exh_ruleset_free(rs);
  return 0;
}
