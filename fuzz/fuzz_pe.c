/* libFuzzer target: the PE version-resource reader (Bin/ExSetup.exe) and
 * the minidump module-list reader. */
#include <stdint.h>
#include <stdlib.h>

#include "checks/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint16_t v[4];
  const char *why;
  exh__pe_file_version(data, size, v, &why);
  char name[64];
  exh__minidump_process(data, size, name, sizeof name);
  return 0;
}
