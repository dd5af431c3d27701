/* CISA CHIRP indicator files (YAML, one indicator per document):
 *   name, description, confidence, ioc_type: network | yara | events | ...,
 *   indicator: { ips: "a\nb\n..." } or { files: GLOB, rule: YARA text } ...
 * Read through the bounded loader (rules/yaml_bounded.h: nesting, nodes
 * with aliases counted as what they stand for). Each document goes to the
 * callback; the caller decides what it can use. */
#include "chirp.h"

#include <string.h>

#include "../platform/lazy_yaml.h"
#include "../rules/yaml_bounded.h"
#include "../util/util.h"

int exh__chirp_sniff(const char *text, size_t n) {
  return exh__memimem(text, n, "ioc_type:", 9) != NULL && exh__memimem(text, n, "indicator:", 10) != NULL;
}

static const char *scalar(yaml_document_t *d, yaml_node_t *map, const char *key) {
  if (!map || map->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
    if (!k || !v || k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE) continue;
    if (!strcmp((const char *)k->data.scalar.value, key)) return (const char *)v->data.scalar.value;
  }
  return NULL;
}

static yaml_node_t *child(yaml_document_t *d, yaml_node_t *map, const char *key) {
  if (!map || map->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(d, p->key);
    if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
      return yaml_document_get_node(d, p->value);
  }
  return NULL;
}

int exh__chirp_parse(const char *text, size_t n, exh_chirp_fn fn, void *ctx, char *why, size_t whyn) {
  if (exh__lib_load(EXH_LIB_YAML, why, whyn)) return -1;
  yaml_parser_t ps;
  if (!yaml_parser_initialize(&ps)) {
    snprintf(why, whyn, "cannot start the YAML parser");
    return -1;
  }
  yaml_parser_set_input_string(&ps, (const unsigned char *)text, n);
  int docs = 0, rc = 0;
  exh_yaml_budget budget;
  exh__yaml_budget_init(&budget);
  for (;;) {
    yaml_document_t d;
    int got = exh__yaml_load(&ps, &d, &budget, why, whyn);
    if (got < 0) {
      rc = -1;
      break;
    }
    if (got == 0) break; /* the end of the stream */
    yaml_node_t *root = yaml_document_get_root_node(&d);
    yaml_node_t *ind = child(&d, root, "indicator");
    exh_chirp_doc doc = {scalar(&d, root, "name"), scalar(&d, root, "ioc_type"), scalar(&d, ind, "files"),
                         scalar(&d, ind, "rule"), scalar(&d, ind, "ips")};
    if (doc.ioc_type) {
      fn(ctx, &doc, docs);
      docs++;
    }
    yaml_document_delete(&d);
  }
  yaml_parser_delete(&ps);
  if (rc == 0 && docs == 0) {
    snprintf(why, whyn, "no CHIRP indicator document (ioc_type + indicator)");
    rc = -1;
  }
  return rc < 0 ? -1 : docs;
}
