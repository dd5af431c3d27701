/* JSON lines of events (Winlogbeat, Velociraptor, OTRF Security-Datasets):
 * one object per line, flattened into (key path, value) pairs. */
#ifndef EXH_JSONEV_H
#define EXH_JSONEV_H

#include <stddef.h>

#include "../util/util.h"

/* Called per scalar: key is the dotted path ("winlog.event_data.Image"),
 * val the value as text (strings unescaped to UTF-8, numbers and booleans as
 * written, null as ""). Both slices are valid during the call only. */
typedef void (*exh_json_pair_fn)(void *ctx, exh_str key, exh_str val);

/* Flattens one JSON object. Returns 0, or -1 if the text is not one well
 * formed object (what was delivered before the error stands). Nesting is
 * limited to 32 levels. */
int exh__json_flatten(const char *p, size_t n, exh_buf *scratch, exh_json_pair_fn fn, void *ctx);

#endif
