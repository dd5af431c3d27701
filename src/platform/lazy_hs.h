/* Hyperscan through the loader (lazylib.h): include instead of <hs/hs.h>. */
#ifndef EXH_LAZY_HS_H
#define EXH_LAZY_HS_H

#include <hs/hs.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_HS(X) \
  X(hs_alloc_scratch) \
  X(hs_compile_lit_multi) \
  X(hs_deserialize_database) \
  X(hs_free_compile_error) \
  X(hs_free_database) \
  X(hs_free_scratch) \
  X(hs_populate_platform) \
  X(hs_scan) \
  X(hs_serialize_database) \
  X(hs_version)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_hs {
  EXH_LAZY_HS(EXH_LAZY_SLOT)
} exh_lazy_hs;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_hs *exh__lazy_hs(void);
#ifndef EXH_LAZY_IMPL
#define hs_alloc_scratch (exh__lazy_hs()->hs_alloc_scratch)
#define hs_compile_lit_multi (exh__lazy_hs()->hs_compile_lit_multi)
#define hs_deserialize_database (exh__lazy_hs()->hs_deserialize_database)
#define hs_free_compile_error (exh__lazy_hs()->hs_free_compile_error)
#define hs_free_database (exh__lazy_hs()->hs_free_database)
#define hs_free_scratch (exh__lazy_hs()->hs_free_scratch)
#define hs_populate_platform (exh__lazy_hs()->hs_populate_platform)
#define hs_scan (exh__lazy_hs()->hs_scan)
#define hs_serialize_database (exh__lazy_hs()->hs_serialize_database)
#define hs_version (exh__lazy_hs()->hs_version)
#endif
#endif

#endif
