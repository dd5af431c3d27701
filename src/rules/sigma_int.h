/* Private structures shared by sigma.c (one rule) and ruleset.c (the set). */
#ifndef EXH_SIGMA_INT_H
#define EXH_SIGMA_INT_H

#include "../match/prefilter.h"
#include "rules.h"

enum {
  MOD_CONTAINS = 1u << 0,
  MOD_STARTS = 1u << 1,
  MOD_ENDS = 1u << 2,
  MOD_ALL = 1u << 3,
  MOD_RE = 1u << 4,
  MOD_CASED = 1u << 5,
  MOD_EXISTS = 1u << 6,
  MOD_RE_I = 1u << 7,
  MOD_RE_M = 1u << 8,
  MOD_RE_S = 1u << 9,
  MOD_CIDR = 1u << 10,
  MOD_FIELDREF = 1u << 11,
  MOD_IPSET = 1u << 12, /* internal: the value is in the loaded IP indicators */
};

/* Value transforms, applied in the order the modifiers are written. */
enum { TR_WIDE = 1, TR_UTF16BE, TR_UTF16, TR_BASE64, TR_BASE64OFF, TR_WINDASH };

typedef struct cidr_net {
  int family; /* 4 or 6 */
  unsigned char addr[16];
  int bits;
} cidr_net;

typedef struct matcher {
  int fid;        /* -1: keyword, matched anywhere in the raw record */
  unsigned mods;
  size_t nv;
  exh_glob *globs;
  void **res;     /* pcre2_code * when MOD_RE */
  unsigned char *is_null; /* per value: YAML null, "field empty or absent" */
  int exists_val;
  cidr_net *nets;         /* MOD_CIDR: per value */
  int *refs;              /* MOD_FIELDREF: per value, the other field's id */
  const exh_valueset *vs; /* MOD_IPSET: the set tested by lookup */
  struct matcher_index *ix; /* derived, or NULL: exh__matcher_index_build */
} matcher;

typedef struct conj {
  matcher *m;
  size_t n;
} conj;

typedef struct selection {
  char *name;
  conj *alts; /* OR of ANDs */
  size_t nalts;
  size_t nvals; /* values of all its matchers (what one evaluation may test) */
} selection;

enum { C_SEL, C_AND, C_OR, C_NOT, C_ONEOF, C_ALLOF };

/* The condition tree. 'and' and 'or' chains are one n-ary node each, so
 * the tree is only as deep as the condition's parentheses and 'not's
 * (EXH_SIGMA_MAX_NESTING): walks over it recurse at most 2 x that + 2
 * levels, whatever the number of terms. */
typedef struct cnode {
  int op;
  int a;       /* C_NOT: the child */
  int *kids;   /* C_AND / C_OR: the children */
  size_t nkids;
  int sel;     /* C_SEL */
  int *sels;   /* C_ONEOF / C_ALLOF */
  size_t nsels;
} cnode;

/* Where a Windows log source's events come from: a channel, the event ids
 * (none: all) and the field mapping to apply (docs/windows-mapping.md). */
typedef struct win_src {
  const char *channel;
  unsigned short eids[8];
  int map; /* WMAP_* */
} win_src;


struct exh_rule {
  exh_rule_info info;
  const win_src *wsrc[16];
  size_t nwsrc; /* 0 and kind EVTX: any event */
  char *id, *title, *desc, *source;
  char **cves, **techs;
  unsigned kinds; /* bit per exh_kind */
  selection *sels;
  size_t nsels;
  cnode *nodes;
  size_t nnodes;
  int root;
  exh_rule_lits groups[EXH_MAX_LIT_GROUPS];
  size_t ngroups;
  int *shown;
  size_t nshown;
  size_t nvalues; /* values of all its selections (the set's budget) */
  size_t nbytes;  /* bytes of those values, after transforms (the same) */
  size_t nregex;  /* of them regular expressions (the same) */
};

/* Cuts the anchor group's literals to one length (prefixes: a record that
 * holds a literal holds its prefix, so the filter stays exact, only looser)
 * so that at most `max` distinct ones remain; a better group becomes the
 * anchor if there is one now. Returns the anchor's literal count. */
size_t exh__rule_coarsen_anchor(exh_rule *r, size_t max);


/* Parses one YAML document into a rule. Returns NULL with *why set (static
 * buffer of the caller) when the rule cannot be honoured. */
struct exh_rule *exh__sigma_compile_doc(exh_ruleset *rs, void *yaml_doc, const char *source,
                                       char *why, size_t whyn);
void exh__sigma_rule_free(struct exh_rule *r);

/* Exact value lists hashed (issue 15): a matcher whose values are all
 * exact (no wildcard; no contains, startswith, endswith, all, re, cidr,
 * fieldref, exists) and at least EXH_SIGMA_INDEX_MIN gets a hash set of its
 * values, case-folded as the matcher compares them (Unicode simple folding,
 * or none when cased, or ASCII bytes for an encoding transform's output),
 * so a field is looked up once instead of compared value by value; a hit
 * is confirmed by the value's own comparison, so the answer is the loop's.
 * The index is derived from the compiled matcher and nothing else: a rule
 * loaded another way (a compiled-rule cache) gets it by calling
 * exh__rule_index_build once, after which the rule is read-only. Building
 * twice is harmless (the old index is replaced). */
#define EXH_SIGMA_INDEX_MIN 8

/* exh__ruleset_map_header the old way, field by field, each field's
 * columns compared in turn (used on a set without its field-name hash;
 * the unit tests compare both). */
void exh__ruleset_map_header_slow(const exh_ruleset *rs, exh_kind kind, const exh_str *names, int nnames, int *fmap);
void exh__matcher_index_build(matcher *m);
void exh__matcher_index_free(matcher *m);
void exh__rule_index_build(struct exh_rule *r);


/* While the set's value-set rules compile, the set that the internal
 * modifier 'exhunt-ipset' refers to (rules.h); NULL otherwise. */
const exh_valueset *exh__ruleset_valueset_compiling(const exh_ruleset *rs);

/* The value bytes of the rule being compiled (sigma.c charges them);
 * exh__ruleset_rule_begin sets them, and its regex count, to 0. */
size_t *exh__ruleset_rule_bytes(exh_ruleset *rs);
void exh__ruleset_rule_begin(exh_ruleset *rs);
/* Room for n more regular expressions in the set (counting the rule being
 * compiled): 0 and they are counted, or -1 past EXH_RULESET_MAX_REGEX. */
int exh__ruleset_regex_room(exh_ruleset *rs, size_t n);


/* ---- the compiled rule cache (cache.c) ----------------------------------- */

/* The Windows log sources by number (sigma.c): NULL for an empty slot or
 * past the end; *count is the end. */
const win_src *exh__sigma_win_src(size_t i, size_t *count);

/* While the cache gathers or records a rule set's loading, every rejection
 * and note goes to this hook first; it returns 1 to take it (gathering: it
 * is replayed later), 0 to let it through as usual. */
typedef int (*exh_reject_hook)(void *ctx, const char *source, const char *title, const char *why, int note);
void exh__ruleset_set_hook(exh_ruleset *rs, exh_reject_hook fn, void *ctx);
void *exh__ruleset_hook_ctx(const exh_ruleset *rs);
/* What loading one more rule depends on: the rules, values, value bytes and
 * regular expressions the set holds, and whether value-set rules compile. */
void exh__ruleset_budget(const exh_ruleset *rs, size_t out[4], int *valueset);
/* Appends a rule restored from the cache to the current set, as loading does. */
void exh__ruleset_append(exh_ruleset *rs, exh_rule *r);
/* The cache's settings (cache.c owns them; NULL: no cache). */
void *exh__ruleset_cache(const exh_ruleset *rs);
void exh__ruleset_set_cache(exh_ruleset *rs, void *cache, void (*free_fn)(void *));
/* The set's rule sets' names and origins (the prefilter cache's slot). */
size_t exh__ruleset_set_names(const exh_ruleset *rs, size_t i, const char **name, const char **origin);

/* Loads the rule files below `roots` (YAML, walked as exh_ruleset_add_path
 * does) through the cache: the same rules, rejections and field ids as the
 * walk, from the cache when every file's path and content and the set's
 * state before are those it was written for. */
exh_err exh__cache_rule_walk(exh_ruleset *rs, const char *what, const char *const *roots, size_t nroots,
                             exh_rule_file_fn add_file);
/* Prefilter databases of one compile: opened before, one get per kind (the
 * cached database for exactly these literals, or NULL), a put for each one
 * built, closed after (written when one was built). */
typedef struct exh_pf_cache exh_pf_cache;
exh_pf_cache *exh__cache_pf_open(exh_ruleset *rs);
struct exh_prefilter *exh__cache_pf_get(exh_pf_cache *c, int kind, const exh_pf_lit *lits, size_t n);
void exh__cache_pf_put(exh_pf_cache *c, int kind, const exh_pf_lit *lits, size_t n, const struct exh_prefilter *pf);
void exh__cache_pf_close(exh_pf_cache *c);
/* A rule file's YAML documents parsed ahead by another thread (the cache's
 * first load of a folder, with exh_ruleset_set_threads above one): what
 * exh_ruleset_add_yaml would read from its parser, in order, then the end
 * or the error that stopped it. Parsing depends on the text alone, so the
 * documents are those the loader would parse itself. */
typedef struct exh_yaml_docs {
  struct yaml_document_s *docs;
  size_t n, cap, used; /* used: taken by the loader (it deletes them) */
  int end;             /* after the n documents: 0 the end, -1 an error */
  char why[256];
  int ok;              /* 0: not parsed (a limit, no libyaml, out of memory): the loader parses */
} exh_yaml_docs;
/* In any thread: parses text as exh_ruleset_add_yaml would (never unwinds). */
void exh__yaml_parse_ahead(const char *text, size_t len, exh_yaml_docs *d);
void exh__yaml_docs_free(exh_yaml_docs *d);
/* exh_ruleset_add_yaml with the documents d holds (d->ok) instead of
 * parsing: the same rules, rejections and result. */
exh_err exh__ruleset_add_yaml_parsed(exh_ruleset *rs, const char *source, const char *text, size_t len,
                                     exh_yaml_docs *d);
int exh__ruleset_threads(const exh_ruleset *rs);

/* For the fuzz target: parses a rule set's cache payload (no checksum) into
 * a fresh rule set and frees it. 0 if it parsed. */
int exh__cache_parse_payload(const void *data, size_t n);

#endif
