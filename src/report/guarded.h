/* Every report writer is a public entry point: it runs under a guard, so
 * running out of memory while writing returns EXH_ENOMEM (util.h). */
#ifndef EXH_REPORT_GUARDED_H
#define EXH_REPORT_GUARDED_H

#include <setjmp.h>

#include "../util/util.h"
#include "exhunt/exhunt.h"

#define EXH_REPORT_GUARDED(name, impl)                                              \
  exh_err name(FILE *f, const exh_result *r, const exh_report_opts *o) {            \
    exh_guard g_;                                                                   \
    exh_guard_push(&g_);                                                            \
    if (setjmp(g_.jb) != 0) return g_.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM; \
    exh_err rc_ = impl(f, r, o);                                                    \
    exh_guard_pop(&g_);                                                             \
    return rc_;                                                                     \
  }

#endif
