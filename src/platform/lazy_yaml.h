/* libyaml through the loader (lazylib.h): include instead of <yaml.h>. */
#ifndef EXH_LAZY_YAML_H
#define EXH_LAZY_YAML_H

#include <yaml.h>

#include "lazylib.h"

/* Every function of it exhunt calls (a name missing here is an undefined
 * reference when the library is not linked; one listed but not #defined
 * below is a compile error). */
#define EXH_LAZY_YAML(X) \
  X(yaml_document_add_mapping) \
  X(yaml_document_add_scalar) \
  X(yaml_document_add_sequence) \
  X(yaml_document_append_mapping_pair) \
  X(yaml_document_append_sequence_item) \
  X(yaml_document_delete) \
  X(yaml_document_get_node) \
  X(yaml_document_get_root_node) \
  X(yaml_document_initialize) \
  X(yaml_event_delete) \
  X(yaml_parser_delete) \
  X(yaml_parser_initialize) \
  X(yaml_parser_parse) \
  X(yaml_parser_set_input_string)

#ifdef EXH_LAZY_LIBS
typedef struct exh_lazy_yaml {
  EXH_LAZY_YAML(EXH_LAZY_SLOT)
} exh_lazy_yaml;
/* The table, the library opened on first use (exh__lib_load first: a
 * library that cannot be opened aborts here). */
const exh_lazy_yaml *exh__lazy_yaml(void);
#ifndef EXH_LAZY_IMPL
#define yaml_document_add_mapping (exh__lazy_yaml()->yaml_document_add_mapping)
#define yaml_document_add_scalar (exh__lazy_yaml()->yaml_document_add_scalar)
#define yaml_document_add_sequence (exh__lazy_yaml()->yaml_document_add_sequence)
#define yaml_document_append_mapping_pair (exh__lazy_yaml()->yaml_document_append_mapping_pair)
#define yaml_document_append_sequence_item (exh__lazy_yaml()->yaml_document_append_sequence_item)
#define yaml_document_delete (exh__lazy_yaml()->yaml_document_delete)
#define yaml_document_get_node (exh__lazy_yaml()->yaml_document_get_node)
#define yaml_document_get_root_node (exh__lazy_yaml()->yaml_document_get_root_node)
#define yaml_document_initialize (exh__lazy_yaml()->yaml_document_initialize)
#define yaml_event_delete (exh__lazy_yaml()->yaml_event_delete)
#define yaml_parser_delete (exh__lazy_yaml()->yaml_parser_delete)
#define yaml_parser_initialize (exh__lazy_yaml()->yaml_parser_initialize)
#define yaml_parser_parse (exh__lazy_yaml()->yaml_parser_parse)
#define yaml_parser_set_input_string (exh__lazy_yaml()->yaml_parser_set_input_string)
#endif
#endif

#endif
