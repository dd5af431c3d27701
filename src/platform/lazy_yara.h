/* libyara through the loader (lazylib.h): include instead of <yara.h>. */
#ifndef EXH_LAZY_YARA_H
#define EXH_LAZY_YARA_H

#include <yara.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_YARA(X) \
  X(yr_compiler_add_string) \
  X(yr_compiler_create) \
  X(yr_compiler_define_string_variable) \
  X(yr_compiler_destroy) \
  X(yr_compiler_get_rules) \
  X(yr_compiler_set_callback) \
  X(yr_finalize) \
  X(yr_initialize) \
  X(yr_rules_destroy) \
  X(yr_rules_load_stream) \
  X(yr_rules_save_stream) \
  X(yr_scanner_create) \
  X(yr_scanner_define_string_variable) \
  X(yr_scanner_destroy) \
  X(yr_scanner_scan_mem) \
  X(yr_scanner_set_callback) \
  X(yr_scanner_set_flags) \
  X(yr_scanner_set_timeout)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_yara {
  EXH_LAZY_YARA(EXH_LAZY_SLOT)
} exh_lazy_yara;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_yara *exh__lazy_yara(void);
#ifndef EXH_LAZY_IMPL
#define yr_compiler_add_string (exh__lazy_yara()->yr_compiler_add_string)
#define yr_compiler_create (exh__lazy_yara()->yr_compiler_create)
#define yr_compiler_define_string_variable (exh__lazy_yara()->yr_compiler_define_string_variable)
#define yr_compiler_destroy (exh__lazy_yara()->yr_compiler_destroy)
#define yr_compiler_get_rules (exh__lazy_yara()->yr_compiler_get_rules)
#define yr_compiler_set_callback (exh__lazy_yara()->yr_compiler_set_callback)
#define yr_finalize (exh__lazy_yara()->yr_finalize)
#define yr_initialize (exh__lazy_yara()->yr_initialize)
#define yr_rules_destroy (exh__lazy_yara()->yr_rules_destroy)
#define yr_rules_load_stream (exh__lazy_yara()->yr_rules_load_stream)
#define yr_rules_save_stream (exh__lazy_yara()->yr_rules_save_stream)
#define yr_scanner_create (exh__lazy_yara()->yr_scanner_create)
#define yr_scanner_define_string_variable (exh__lazy_yara()->yr_scanner_define_string_variable)
#define yr_scanner_destroy (exh__lazy_yara()->yr_scanner_destroy)
#define yr_scanner_scan_mem (exh__lazy_yara()->yr_scanner_scan_mem)
#define yr_scanner_set_callback (exh__lazy_yara()->yr_scanner_set_callback)
#define yr_scanner_set_flags (exh__lazy_yara()->yr_scanner_set_flags)
#define yr_scanner_set_timeout (exh__lazy_yara()->yr_scanner_set_timeout)
#endif
#endif

#endif
