/* libyaml documents loaded within bounds (implemented in ruleset.c).
 *
 * yaml_parser_load() keeps an alias as a reference, but whoever walks the
 * document visits the aliased node once per reference: a billion-laughs
 * file of a few hundred bytes stands for 10^9 nodes. It also recurses
 * into nothing, but libyaml's scanner is quadratic in the nesting of flow
 * collections. This loader builds the same yaml_document_t from parser
 * events and stops at the first bound passed:
 *  - nesting deeper than max_depth (checked before the scanner goes on);
 *  - more than max_nodes nodes, or max_bytes bytes of scalars, in the
 *    file, every alias counted as the nodes and bytes it stands for (so a
 *    walk of everything loaded, copying every scalar, visits at most
 *    max_nodes nodes and copies at most max_bytes, whatever the aliases);
 *  - an alias naming no finished anchor (no cycles: an anchor counts once
 *    its node is complete). */
#ifndef EXH_YAML_BOUNDED_H
#define EXH_YAML_BOUNDED_H

#include <stddef.h>
#include <stdint.h>
#include "../platform/lazy_yaml.h"

typedef struct exh_yaml_budget {
  uint64_t nodes;     /* nodes loaded so far from this file (aliases expanded) */
  uint64_t max_nodes; /* EXH_YAML_MAX_NODES unless a caller wants less */
  uint64_t bytes;     /* scalar bytes so far (aliases expanded) */
  uint64_t max_bytes; /* EXH_YAML_MAX_BYTES */
  int max_depth;      /* at most EXH_YAML_MAX_DEPTH */
} exh_yaml_budget;

/* The next document of the stream: 1 with *doc filled (the caller deletes
 * it), 0 at the end of the stream, -1 with a reason (a YAML error or a
 * bound); after -1 the parser cannot go on. */
int exh__yaml_load(yaml_parser_t *ps, yaml_document_t *doc, exh_yaml_budget *b, char *why, size_t whyn);

/* A budget with the defaults of core/limits.h. */
void exh__yaml_budget_init(exh_yaml_budget *b);

#endif
