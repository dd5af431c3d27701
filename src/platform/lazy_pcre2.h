/* PCRE2 (8-bit code units) through the loader (lazylib.h): include instead
 * of <pcre2.h>. pcre2.h's names (pcre2_compile...) are macros for the _8
 * functions, which are the ones listed and redirected here. */
#ifndef EXH_LAZY_PCRE2_H
#define EXH_LAZY_PCRE2_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_PCRE2(X) \
  X(pcre2_code_free_8) \
  X(pcre2_compile_8) \
  X(pcre2_config_8) \
  X(pcre2_get_error_message_8) \
  X(pcre2_jit_compile_8) \
  X(pcre2_match_8) \
  X(pcre2_match_context_create_8) \
  X(pcre2_match_context_free_8) \
  X(pcre2_match_data_create_8) \
  X(pcre2_match_data_free_8) \
  X(pcre2_serialize_decode_8) \
  X(pcre2_serialize_encode_8) \
  X(pcre2_serialize_free_8) \
  X(pcre2_serialize_get_number_of_codes_8) \
  X(pcre2_set_depth_limit_8) \
  X(pcre2_set_match_limit_8)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_pcre2 {
  EXH_LAZY_PCRE2(EXH_LAZY_SLOT)
} exh_lazy_pcre2;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_pcre2 *exh__lazy_pcre2(void);
#ifndef EXH_LAZY_IMPL
#define pcre2_code_free_8 (exh__lazy_pcre2()->pcre2_code_free_8)
#define pcre2_compile_8 (exh__lazy_pcre2()->pcre2_compile_8)
#define pcre2_config_8 (exh__lazy_pcre2()->pcre2_config_8)
#define pcre2_get_error_message_8 (exh__lazy_pcre2()->pcre2_get_error_message_8)
#define pcre2_jit_compile_8 (exh__lazy_pcre2()->pcre2_jit_compile_8)
#define pcre2_match_8 (exh__lazy_pcre2()->pcre2_match_8)
#define pcre2_match_context_create_8 (exh__lazy_pcre2()->pcre2_match_context_create_8)
#define pcre2_match_context_free_8 (exh__lazy_pcre2()->pcre2_match_context_free_8)
#define pcre2_match_data_create_8 (exh__lazy_pcre2()->pcre2_match_data_create_8)
#define pcre2_match_data_free_8 (exh__lazy_pcre2()->pcre2_match_data_free_8)
#define pcre2_serialize_decode_8 (exh__lazy_pcre2()->pcre2_serialize_decode_8)
#define pcre2_serialize_encode_8 (exh__lazy_pcre2()->pcre2_serialize_encode_8)
#define pcre2_serialize_free_8 (exh__lazy_pcre2()->pcre2_serialize_free_8)
#define pcre2_serialize_get_number_of_codes_8 (exh__lazy_pcre2()->pcre2_serialize_get_number_of_codes_8)
#define pcre2_set_depth_limit_8 (exh__lazy_pcre2()->pcre2_set_depth_limit_8)
#define pcre2_set_match_limit_8 (exh__lazy_pcre2()->pcre2_set_match_limit_8)
#endif
#endif

#endif
