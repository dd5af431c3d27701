/* The rule set: loading YAML files, interning field names, and building the
 * per-log-kind execution plans (prefilter + rules that need every record). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "../core/limits.h"
#include "../platform/lazy_yaml.h"
#include "../platform/platform.h"
#include "sigma_int.h"
#include "yaml_bounded.h"

struct exh_ruleset {
  exh_rule **rules;
  size_t n, cap;
  char **fields; /* interned, original spelling of the first use */
  size_t nfields, capf;
  exh_reject_fn rej;
  void *rejctx;
  size_t nrejected;
  int compiled;
  size_t unfiltered;
  exh_kind_plan plans[EXH_KIND_COUNT];
  int *fhash; /* open addressing: lowercased field name -> field id (kept while loading) */
  size_t fhash_cap;
  size_t nvalues; /* compiled values of every rule (EXH_RULESET_MAX_VALUES) */
  size_t nbytes;  /* and their bytes (EXH_RULESET_MAX_BYTES) */
  size_t nregex;  /* and regular expressions among them (EXH_RULESET_MAX_REGEX) */
  int broken; /* an allocation failed while indicators loaded or the set compiled */
  size_t rule_bytes; /* the rule being compiled (sigma.c) */
  size_t rule_regex; /* its regular expressions so far */
  const exh_valueset *valueset_compiling; /* while value-set rules compile */
  /* the content rules (YARA, indicators, baselines), held by the checks
   * (checks/load.c) and attached here so that one handle carries every
   * rule the user loaded; the rule set never looks inside */
  void *content;
  void (*content_free)(void *content);
  exh_err (*content_compile)(exh_ruleset *rs, void *content);
  /* rule sets (the report names what ran): each Sigma rule's set, parallel
   * to rules; the set rules and rejections go to now (NO_SET: none) */
  exh_rule_set *sets;
  size_t nsets, capsets;
  size_t *rule_set;
  size_t cap_rule_set;
  size_t cur_set;
  /* the compiled rule cache (cache.c): its settings, and the hook it puts
   * on rejections while it gathers or records a rule set */
  void *cache;
  void (*cache_free)(void *cache);
  exh_reject_hook hook;
  void *hookctx;
  int threads; /* the compile's threads (exh_ruleset_set_threads; 0: one) */
};

#define NO_SET ((size_t)-1)

struct exh_rule_set {
  char *name, *origin, *version;
  size_t loaded, rejected;
};

static uint32_t fnv_lower(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ exh_lower((unsigned char)s[i])) * 16777619u;
  return h;
}

int exh__ruleset_field_lookup(const exh_ruleset *rs, const char *name, size_t n) {
  if (!rs->fhash) return -1;
  size_t mask = rs->fhash_cap - 1;
  for (size_t i = fnv_lower(name, n) & mask;; i = (i + 1) & mask) {
    int f = rs->fhash[i];
    if (f < 0) return -1;
    if (strlen(rs->fields[f]) == n && exh__strnieq(rs->fields[f], name, n)) return f;
  }
}

static const char *const virtual_names[EXH_VF_COUNT] = {
    "LogFolder",           "RawRecord",       "exhunt-full-uri", "cs-uri-stem-decoded", "cs-uri-query-decoded",
    "UrlStem-decoded",     "UrlQuery-decoded"};

/* Field aliases for W3C logs: SigmaHQ's webserver names -> IIS columns. */
static const struct {
  const char *sigma, *column;
} w3c_alias[] = {
    {"cs-user-agent", "cs(User-Agent)"}, {"cs-referer", "cs(Referer)"}, {"cs-referrer", "cs(Referer)"},
    {"cs-cookie", "cs(Cookie)"},         {"cs-host", "cs(Host)"},        {"cs-uri-stem", "cs-uri"},
    {"c-useragent", "cs(User-Agent)"},   {"c-uri", "exhunt-full-uri"},
};

/* Every public entry point runs under a guard (util.h): running out of
 * memory, or a buffer passing its limit, returns EXH_ENOMEM or EXH_ELIMIT
 * instead of ending the program. What the failed call had built is not
 * freed; a failure while indicators load or the set compiles leaves the set
 * unusable (later calls fail, so a half-loaded set is never scanned with). */
#define GUARDED(rs, marks_broken, call)                                                        \
  do {                                                                                         \
    if ((rs)->broken) return EXH_ENOMEM;                                                       \
    exh_guard g_;                                                                              \
    exh__guard_push(&g_);                                                                       \
    if (setjmp(g_.jb)) {                                                                       \
      if (marks_broken) (rs)->broken = 1;                                                      \
      return g_.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;                             \
    }                                                                                          \
    exh_err r_ = (call);                                                                       \
    exh__guard_pop(&g_);                                                                        \
    return r_;                                                                                 \
  } while (0)

static exh_err rs_new_(exh_ruleset **out) {
  exh_ruleset *rs = exh__xcalloc(1, sizeof *rs);
  rs->cur_set = NO_SET;
  for (int i = 0; i < EXH_VF_COUNT; i++) exh__ruleset_intern(rs, virtual_names[i], strlen(virtual_names[i]));
  /* Columns the scanner reads for a finding's ECS entities (scan_exlog.c). */
  static const char *const entity_fields[] = {
      "ClientIpAddress", "UserAgent",   "AuthenticatedUser", "Method",      "HttpStatus",      "UrlStem",
      "UrlQuery",        "c-ip",        "cs(User-Agent)",    "cs-username", "cs-method",       "sc-status",
      "SubjectUserName", "User",        "IpAddress",         "SourceIp",    "TargetUserName",  "Image",
      "CommandLine",     "ParentImage"};
  for (size_t i = 0; i < sizeof entity_fields / sizeof entity_fields[0]; i++)
    exh__ruleset_intern(rs, entity_fields[i], strlen(entity_fields[i]));
  *out = rs;
  return EXH_OK;
}

exh_err exh_ruleset_new(exh_ruleset **out) {
  *out = NULL;
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) return g.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;
  exh_err r = rs_new_(out);
  exh__guard_pop(&g);
  return r;
}

void exh_ruleset_free(exh_ruleset *rs) {
  if (!rs) return;
  for (size_t i = 0; i < rs->n; i++) exh__sigma_rule_free(rs->rules[i]);
  free(rs->rules);
  for (size_t i = 0; i < rs->nfields; i++) free(rs->fields[i]);
  free(rs->fields);
  free(rs->fhash);
  for (int k = 0; k < EXH_KIND_COUNT; k++) {
    exh__pf_free(rs->plans[k].pf);
    free(rs->plans[k].always);
  }
  if (rs->content_free) rs->content_free(rs->content);
  for (size_t i = 0; i < rs->nsets; i++) {
    free(rs->sets[i].name);
    free(rs->sets[i].origin);
    free(rs->sets[i].version);
  }
  free(rs->sets);
  free(rs->rule_set);
  if (rs->cache_free) rs->cache_free(rs->cache);
  free(rs);
}

void exh_ruleset_on_reject(exh_ruleset *rs, exh_reject_fn fn, void *ctx) {
  rs->rej = fn;
  rs->rejctx = ctx;
}

int exh__ruleset_field_id(const exh_ruleset *rs, const char *name) {
  return exh__ruleset_field_lookup(rs, name, strlen(name));
}

static void fhash_put(exh_ruleset *rs, int f) {
  size_t mask = rs->fhash_cap - 1, i = fnv_lower(rs->fields[f], strlen(rs->fields[f])) & mask;
  while (rs->fhash[i] >= 0) i = (i + 1) & mask;
  rs->fhash[i] = f;
}

/* Interning is hashed (a rule of 100,000 distinct field names would take
 * 5 x 10^9 comparisons in a list); -1 past EXH_RULESET_MAX_FIELDS. */
int exh__ruleset_intern(exh_ruleset *rs, const char *name, size_t n) {
  /* a NUL inside a YAML key ends the name, as everywhere else it is read */
  const char *z = memchr(name, 0, n);
  if (z) n = (size_t)(z - name);
  /* a field name loses its spaces (the Sigma specification's field-name
   * rule: "Threat Name" is ThreatName), as the events' names do */
  char *nosp = NULL;
  if (memchr(name, ' ', n)) {
    nosp = exh__xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (name[i] != ' ') nosp[k++] = name[i];
    nosp[k] = 0;
    name = nosp, n = k;
  }
  int f = exh__ruleset_field_lookup(rs, name, n);
  if (f >= 0 || rs->nfields >= EXH_RULESET_MAX_FIELDS) {
    free(nosp);
    return f >= 0 ? f : -1;
  }
  EXH_VEC_RESERVE(rs->fields, rs->capf, rs->nfields + 1);
  rs->fields[rs->nfields] = exh__xstrndup(name, n);
  free(nosp);
  f = (int)rs->nfields++;
  if (2 * rs->nfields > rs->fhash_cap) {
    free(rs->fhash);
    rs->fhash_cap = 64;
    while (rs->fhash_cap < rs->nfields * 4) rs->fhash_cap *= 2;
    rs->fhash = exh__xmalloc(rs->fhash_cap * sizeof(int));
    for (size_t i = 0; i < rs->fhash_cap; i++) rs->fhash[i] = -1;
    for (size_t i = 0; i < rs->nfields; i++) fhash_put(rs, (int)i);
  } else {
    fhash_put(rs, f);
  }
  return f;
}

const exh_valueset *exh__ruleset_valueset_compiling(const exh_ruleset *rs) { return rs->valueset_compiling; }
void exh__ruleset_set_valueset(exh_ruleset *rs, const exh_valueset *vs) { rs->valueset_compiling = vs; }

void *exh__ruleset_content(const exh_ruleset *rs) { return rs->content; }

void exh__ruleset_set_hook(exh_ruleset *rs, exh_reject_hook fn, void *ctx) {
  rs->hook = fn;
  rs->hookctx = ctx;
}
void *exh__ruleset_hook_ctx(const exh_ruleset *rs) { return rs->hookctx; }
void exh__ruleset_budget(const exh_ruleset *rs, size_t out[4], int *valueset) {
  out[0] = rs->n, out[1] = rs->nvalues, out[2] = rs->nbytes, out[3] = rs->nregex;
  *valueset = rs->valueset_compiling != NULL;
}
void exh__ruleset_append(exh_ruleset *rs, exh_rule *r) {
  EXH_VEC_RESERVE(rs->rules, rs->cap, rs->n + 1);
  EXH_VEC_RESERVE(rs->rule_set, rs->cap_rule_set, rs->n + 1);
  rs->rule_set[rs->n] = rs->cur_set;
  rs->rules[rs->n++] = r;
  rs->nvalues += r->nvalues;
  rs->nbytes += r->nbytes;
  rs->nregex += r->nregex;
}
void *exh__ruleset_cache(const exh_ruleset *rs) { return rs->cache; }
void exh__ruleset_set_cache(exh_ruleset *rs, void *cache, void (*free_fn)(void *)) {
  if (rs->cache_free) rs->cache_free(rs->cache);
  rs->cache = cache;
  rs->cache_free = free_fn;
}
size_t exh__ruleset_set_names(const exh_ruleset *rs, size_t i, const char **name, const char **origin) {
  if (i < rs->nsets) *name = rs->sets[i].name, *origin = rs->sets[i].origin;
  return rs->nsets;
}
void exh__ruleset_attach_content(exh_ruleset *rs, void *content, void (*free_fn)(void *),
                                 exh_err (*compile)(exh_ruleset *, void *)) {
  rs->content = content;
  rs->content_free = free_fn;
  rs->content_compile = compile;
}
int exh__ruleset_compiled(const exh_ruleset *rs) { return rs->compiled; }
int *exh__ruleset_broken(exh_ruleset *rs) { return &rs->broken; }
void exh__ruleset_count_reject(exh_ruleset *rs) { rs->nrejected++; }
void exh__ruleset_note(exh_ruleset *rs, const char *source, const char *why) {
  if (rs->hook && rs->hook(rs->hookctx, source, EXH_REJECT_NOTE, why, 1)) return;
  if (rs->rej) rs->rej(rs->rejctx, source, EXH_REJECT_NOTE, why);
}
size_t *exh__ruleset_rule_bytes(exh_ruleset *rs) { return &rs->rule_bytes; }
void exh__ruleset_rule_begin(exh_ruleset *rs) { rs->rule_bytes = rs->rule_regex = 0; }

int exh__ruleset_regex_room(exh_ruleset *rs, size_t n) {
  if (rs->nregex + rs->rule_regex + n > EXH_RULESET_MAX_REGEX) return -1;
  rs->rule_regex += n;
  return 0;
}

size_t exh__ruleset_nfields(const exh_ruleset *rs) { return rs->nfields; }
const char *exh__ruleset_field_name(const exh_ruleset *rs, int fid) {
  return fid >= 0 && (size_t)fid < rs->nfields ? rs->fields[fid] : "";
}

/* A column name equals a field name ignoring case and spaces (field names
 * are interned without them). */
static int col_eq(exh_str col, const char *name) {
  size_t i = 0;
  for (const char *q = name;; q++) {
    while (i < col.n && col.p[i] == ' ') i++;
    if (!*q) return i == col.n;
    if (i == col.n || exh_lower((unsigned char)col.p[i]) != exh_lower((unsigned char)*q)) return 0;
    i++;
  }
}

static int find_col(const exh_str *names, int nnames, const char *name) {
  for (int c = 0; c < nnames; c++)
    if (col_eq(exh__trim(names[c]), name)) return c;
  return -1;
}

/* A header is mapped once per log file (and every #Fields line): with
 * hundreds of field names and dozens of columns, comparing each pair cost a
 * third of a scan of small logs (a fleet's). So each column is looked up
 * in the set's field-name hash instead (field names are interned without
 * spaces and compared ignoring ASCII case, as col_eq compares): the first
 * column of a name wins, as in the comparison loop. */
void exh__ruleset_map_header(const exh_ruleset *rs, exh_kind kind, const exh_str *names, int nnames,
                            int *fmap) {
  if (!rs->fhash) {
    exh__ruleset_map_header_slow(rs, kind, names, nnames, fmap);
    return;
  }
  int w3c = exh__kind_is_w3c(kind);
  for (size_t f = 0; f < rs->nfields; f++) fmap[f] = -1;
  char small[256];
  for (int c = 0; c < nnames; c++) {
    exh_str col = exh__trim(names[c]);
    char *key = col.n < sizeof small ? small : exh__xmalloc(col.n + 1);
    size_t k = 0;
    for (size_t i = 0; i < col.n; i++)
      if (col.p[i] != ' ') key[k++] = col.p[i];
    int f = exh__ruleset_field_lookup(rs, key, k);
    if (key != small) free(key);
    if (f >= EXH_VF_COUNT && fmap[f] == -1) fmap[f] = c;
  }
  if (!w3c) return;
  /* SigmaHQ's web rules put path pieces in cs-uri-query: it means the
   * whole URI on W3C logs (docs/sigma.md) */
  static const char *const whole_uri[] = {"cs-uri-query", "cs-uri"};
  int whole[2];
  for (int i = 0; i < 2; i++) {
    whole[i] = exh__ruleset_field_lookup(rs, whole_uri[i], strlen(whole_uri[i]));
    if (whole[i] >= EXH_VF_COUNT) fmap[whole[i]] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
  }
  /* a field no column names: its aliases in order, the first found wins */
  for (size_t a = 0; a < sizeof w3c_alias / sizeof w3c_alias[0]; a++) {
    int f = exh__ruleset_field_lookup(rs, w3c_alias[a].sigma, strlen(w3c_alias[a].sigma));
    if (f < EXH_VF_COUNT || fmap[f] != -1) continue;
    if (!strcmp(w3c_alias[a].column, "exhunt-full-uri")) fmap[f] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
    else fmap[f] = find_col(names, nnames, w3c_alias[a].column);
  }
}

void exh__ruleset_map_header_slow(const exh_ruleset *rs, exh_kind kind, const exh_str *names, int nnames, int *fmap) {
  int w3c = exh__kind_is_w3c(kind);
  for (size_t f = 0; f < rs->nfields; f++) {
    fmap[f] = -1;
    if (f < EXH_VF_COUNT) continue;
    const char *name = rs->fields[f];
    /* SigmaHQ's web rules put path pieces in cs-uri-query: it means the
     * whole URI on W3C logs (docs/sigma.md) */
    if (w3c && (!strcasecmp(name, "cs-uri-query") || !strcasecmp(name, "cs-uri"))) {
      fmap[f] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
      continue;
    }
    fmap[f] = find_col(names, nnames, name);
    if (fmap[f] >= 0 || !w3c) continue;
    for (size_t a = 0; a < sizeof w3c_alias / sizeof w3c_alias[0]; a++) {
      if (strcasecmp(name, w3c_alias[a].sigma)) continue;
      if (!strcmp(w3c_alias[a].column, "exhunt-full-uri")) fmap[f] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
      else fmap[f] = find_col(names, nnames, w3c_alias[a].column);
      if (fmap[f] != -1) break;
    }
  }
}


/* ---- YAML documents within bounds (yaml_bounded.h) ---------------------- */

void exh__yaml_budget_init(exh_yaml_budget *b) {
  memset(b, 0, sizeof *b);
  b->max_nodes = EXH_YAML_MAX_NODES;
  b->max_bytes = EXH_YAML_MAX_BYTES;
  b->max_depth = EXH_YAML_MAX_DEPTH;
}

typedef struct yframe {
  int id;         /* the sequence or mapping node */
  int is_map;
  int key;        /* mapping: the key waiting for its value, 0 if none */
  uint64_t size;  /* nodes it stands for so far (itself and its children) */
  uint64_t bytes; /* scalar bytes it stands for so far */
  char *anchor;   /* registered when the node is complete */
} yframe;

typedef struct yanchor {
  char *name;
  int id;
  uint64_t size, bytes;
} yanchor;

/* Anchors of one document: open addressing on the name (a file may define
 * as many anchors as it has nodes, and an alias looks one up). */
typedef struct yanchors {
  yanchor *v;
  size_t n, cap; /* cap: a power of two, kept at least twice n */
} yanchors;

static uint32_t fnv_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static yanchor *anchor_slot(yanchors *a, const char *name) {
  size_t mask = a->cap - 1;
  for (size_t i = fnv_str(name) & mask;; i = (i + 1) & mask)
    if (!a->v[i].name || !strcmp(a->v[i].name, name)) return &a->v[i];
}

static void anchor_set(yanchors *a, char *name, int id, uint64_t size, uint64_t bytes) {
  if (2 * (a->n + 1) > a->cap) {
    yanchors b = {NULL, 0, a->cap ? a->cap * 2 : 64};
    b.v = exh__xcalloc(b.cap, sizeof *b.v);
    for (size_t i = 0; i < a->cap; i++)
      if (a->v[i].name) *anchor_slot(&b, a->v[i].name) = a->v[i];
    b.n = a->n;
    free(a->v);
    *a = b;
  }
  yanchor *s = anchor_slot(a, name);
  if (s->name) {
    free(s->name); /* a later anchor of the same name hides the earlier one */
  } else {
    a->n++;
  }
  *s = (yanchor){name, id, size, bytes};
}

static const yanchor *anchor_get(const yanchors *a, const char *name) {
  if (!a->cap) return NULL;
  const yanchor *s = anchor_slot((yanchors *)a, name);
  return s->name ? s : NULL;
}

static void anchors_free(yanchors *a) {
  for (size_t i = 0; i < a->cap; i++) free(a->v[i].name);
  free(a->v);
  memset(a, 0, sizeof *a);
}

static yaml_char_t *ev_tag(yaml_char_t *tag) {
  /* no tag, or the non-specific "!": the default tag of the node's kind */
  return tag && strcmp((const char *)tag, "!") ? tag : NULL;
}

int exh__yaml_load(yaml_parser_t *ps, yaml_document_t *doc, exh_yaml_budget *b, char *why, size_t whyn) {
  yframe st[EXH_YAML_MAX_DEPTH + 1];
  int depth = 0, indoc = 0, rc = -1;
  int maxd = b->max_depth > 0 && b->max_depth <= EXH_YAML_MAX_DEPTH ? b->max_depth : EXH_YAML_MAX_DEPTH;
  yanchors anchors = {NULL, 0, 0};
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(ps, &ev)) {
      snprintf(why, whyn, "YAML error at line %zu: %s", (size_t)ps->problem_mark.line + 1,
               ps->problem ? ps->problem : "unknown");
      goto out;
    }
    int id = 0;            /* a node to attach to its parent */
    uint64_t size = 0;     /* the nodes it stands for */
    uint64_t bytes = 0;    /* and the scalar bytes */
    char *anchor = NULL;   /* to register once complete */
    int err = 0;
    switch (ev.type) {
    case YAML_STREAM_START_EVENT: break;
    case YAML_NO_EVENT: /* what the parser gives after the end */
    case YAML_STREAM_END_EVENT:
      yaml_event_delete(&ev);
      rc = 0;
      goto out;
    case YAML_DOCUMENT_START_EVENT:
      if (!yaml_document_initialize(doc, NULL, NULL, NULL, ev.data.document_start.implicit, 1)) {
        snprintf(why, whyn, "out of memory reading YAML");
        err = 1;
      } else {
        indoc = 1;
      }
      break;
    case YAML_DOCUMENT_END_EVENT:
      yaml_event_delete(&ev);
      rc = 1;
      indoc = 0; /* the caller owns it now */
      goto out;
    case YAML_ALIAS_EVENT: {
      const yanchor *a = anchor_get(&anchors, (const char *)ev.data.alias.anchor);
      if (!a) {
        snprintf(why, whyn, "YAML alias '%.40s' names no complete anchor before it", (const char *)ev.data.alias.anchor);
        err = 1;
      } else {
        id = a->id;
        size = a->size;
        bytes = a->bytes;
      }
      break;
    }
    case YAML_SCALAR_EVENT:
      if (ev.data.scalar.length > INT_MAX) {
        snprintf(why, whyn, "YAML scalar too long");
        err = 1;
        break;
      }
      id = yaml_document_add_scalar(doc, ev_tag(ev.data.scalar.tag), ev.data.scalar.value,
                                    (int)ev.data.scalar.length, ev.data.scalar.style);
      size = 1;
      bytes = ev.data.scalar.length;
      if (ev.data.scalar.anchor) anchor = exh__xstrdup((const char *)ev.data.scalar.anchor);
      if (!id) {
        snprintf(why, whyn, "cannot store a YAML scalar");
        err = 1;
      }
      break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      if (depth >= maxd) {
        snprintf(why, whyn, "YAML nested deeper than %d levels", maxd);
        err = 1;
        break;
      }
      int map = ev.type == YAML_MAPPING_START_EVENT;
      int nid = map ? yaml_document_add_mapping(doc, ev_tag(ev.data.mapping_start.tag), ev.data.mapping_start.style)
                    : yaml_document_add_sequence(doc, ev_tag(ev.data.sequence_start.tag),
                                                 ev.data.sequence_start.style);
      if (!nid) {
        snprintf(why, whyn, "cannot store a YAML collection");
        err = 1;
        break;
      }
      yaml_char_t *an = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
      st[depth++] = (yframe){nid, map, 0, 1, 0, an ? exh__xstrdup((const char *)an) : NULL};
      if (++b->nodes > b->max_nodes) {
        snprintf(why, whyn, "more than %llu YAML nodes in the file (aliases counted as the nodes they stand for)",
                 (unsigned long long)b->max_nodes);
        err = 1;
      }
      break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
      yframe f = st[--depth];
      id = f.id;
      size = f.size;
      bytes = f.bytes;
      anchor = f.anchor;
      break;
    }
    }
    if (!err && id) {
      /* a scalar or an alias counts here; a collection counted at its start */
      if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT) {
        b->nodes += size;
        b->bytes += bytes;
        if (b->nodes > b->max_nodes) {
          snprintf(why, whyn, "more than %llu YAML nodes in the file (aliases counted as the nodes they stand for)",
                   (unsigned long long)b->max_nodes);
          err = 1;
        } else if (b->bytes > b->max_bytes) {
          snprintf(why, whyn, "more than %llu MiB of YAML values in the file (aliases counted as the values they stand for)",
                   (unsigned long long)(b->max_bytes >> 20));
          err = 1;
        }
      }
      if (!err && anchor) {
        anchor_set(&anchors, anchor, id, size, bytes);
        anchor = NULL;
      }
      if (!err && depth > 0) {
        yframe *p = &st[depth - 1];
        p->size += size;
        p->bytes += bytes;
        int ok = 1;
        if (!p->is_map) {
          ok = yaml_document_append_sequence_item(doc, p->id, id);
        } else if (!p->key) {
          p->key = id;
        } else {
          ok = yaml_document_append_mapping_pair(doc, p->id, p->key, id);
          p->key = 0;
        }
        if (!ok) {
          snprintf(why, whyn, "cannot store a YAML node");
          err = 1;
        }
      }
    }
    free(anchor);
    yaml_event_delete(&ev);
    if (err) goto out;
  }
out:
  while (depth > 0) free(st[--depth].anchor);
  anchors_free(&anchors);
  if (rc < 0 && indoc) yaml_document_delete(doc);
  return rc;
}

/* "12 MiB", "640 KiB": a limit as a person reads it (static buffer per
 * thread, one use at a time). */
const char *exh__size_text(size_t n) {
  static _Thread_local char b[32];
  if (n >= (1u << 20) && !(n & ((1u << 20) - 1))) snprintf(b, sizeof b, "%zu MiB", n >> 20);
  else snprintf(b, sizeof b, "%zu KiB", n >> 10);
  return b;
}

void exh__ruleset_reject(exh_ruleset *rs, const char *source, const char *title, const char *why) {
  if (rs->hook && rs->hook(rs->hookctx, source, title, why, 0)) return;
  rs->nrejected++;
  if (rs->cur_set != NO_SET && !(title && !strcmp(title, EXH_REJECT_NOTE))) rs->sets[rs->cur_set].rejected++;
  if (rs->rej) rs->rej(rs->rejctx, source, title, why);
}

/* Best-effort title for a rejection message. */
static char *doc_title(yaml_document_t *d) {
  yaml_node_t *root = yaml_document_get_root_node(d);
  if (!root || root->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
    if (k && k->type == YAML_SCALAR_NODE && v && v->type == YAML_SCALAR_NODE &&
        !strcmp((char *)k->data.scalar.value, "title"))
      return exh__xstrdup((char *)v->data.scalar.value);
  }
  return NULL;
}

static exh_err rs_add_yaml_(exh_ruleset *rs, const char *source, const char *text, size_t len, exh_yaml_docs *pre) {
  if (rs->compiled) return EXH_EARG;
  if (len > EXH_RULE_FILE_MAX) {
    char why[96];
    snprintf(why, sizeof why, "rule file larger than %s", exh__size_text(EXH_RULE_FILE_MAX));
    exh__ruleset_reject(rs, source, NULL, why);
    return EXH_ERULE;
  }
  char lwhy[320];
  if (exh__lib_load(EXH_LIB_YAML, lwhy, sizeof lwhy)) {
    exh__ruleset_reject(rs, source, NULL, lwhy);
    return EXH_ERULE;
  }
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return EXH_ENOMEM;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  exh_yaml_budget budget;
  exh__yaml_budget_init(&budget);
  budget.max_bytes = EXH_RULE_YAML_MAX_BYTES;
  exh_err rc = EXH_OK;
  int ndocs = 0, nrej = 0;
  for (;;) {
    yaml_document_t doc;
    char why[256] = "";
    int got;
    if (!pre) {
      got = exh__yaml_load(&parser, &doc, &budget, why, sizeof why);
    } else if (pre->used < pre->n) { /* parsed ahead: the same documents */
      doc = pre->docs[pre->used++];
      got = 1;
    } else {
      got = pre->end;
      snprintf(why, sizeof why, "%s", pre->why);
    }
    if (got < 0) {
      exh__ruleset_reject(rs, source, NULL, why);
      rc = EXH_ERULE;
      break;
    }
    if (got == 0) break;
    ndocs++;
    exh_rule *r = NULL;
    if (rs->n >= EXH_RULESET_MAX_RULES)
      snprintf(why, sizeof why, "more than %u rules in the set", (unsigned)EXH_RULESET_MAX_RULES);
    else
      r = exh__sigma_compile_doc(rs, &doc, source, why, sizeof why);
    if (r && (rs->nvalues + r->nvalues > EXH_RULESET_MAX_VALUES || rs->nbytes + r->nbytes > EXH_RULESET_MAX_BYTES)) {
      snprintf(why, sizeof why, "the rule set would hold more than %u values or %u MiB of them",
               (unsigned)EXH_RULESET_MAX_VALUES, (unsigned)(EXH_RULESET_MAX_BYTES >> 20));
      exh__sigma_rule_free(r);
      r = NULL;
    }
    if (r) {
      exh__ruleset_append(rs, r);
    } else {
      char *t = doc_title(&doc);
      exh__ruleset_reject(rs, source, t, why);
      free(t);
      rc = EXH_ERULE;
      nrej++;
    }
    yaml_document_delete(&doc);
    if (nrej >= EXH_RULE_FILE_MAX_REJECTS) {
      char msg[128];
      snprintf(msg, sizeof msg, "%d documents rejected: the rest of the file is not read", nrej);
      exh__ruleset_reject(rs, source, NULL, msg);
      break;
    }
  }
  yaml_parser_delete(&parser);
  if (ndocs == 0 && rc == EXH_OK) {
    exh__ruleset_reject(rs, source, NULL, "no YAML document");
    rc = EXH_ERULE;
  }
  return rc;
}

static exh_err rs_add_yaml_user_(exh_ruleset *rs, const char *source, const char *text, size_t len,
                                 exh_yaml_docs *pre) {
  size_t prev = rs->cur_set;
  if (prev == NO_SET) exh__ruleset_set_open(rs, "user", source, NULL);
  exh_err rc = rs_add_yaml_(rs, source, text, len, pre);
  rs->cur_set = prev;
  return rc;
}

exh_err exh_ruleset_add_yaml(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  GUARDED(rs, 0, rs_add_yaml_user_(rs, source, text, len, NULL));
}

exh_err exh__ruleset_add_yaml_parsed(exh_ruleset *rs, const char *source, const char *text, size_t len,
                                     exh_yaml_docs *d) {
  GUARDED(rs, 0, rs_add_yaml_user_(rs, source, text, len, d && d->ok ? d : NULL));
}

int exh__ruleset_threads(const exh_ruleset *rs) { return rs->threads; }

/* Every document until the end or an error (the budget bounds them as it
 * does the loader's); d->ok when that end was reached. */
static void parse_ahead_(const char *text, size_t len, exh_yaml_docs *d) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  exh_yaml_budget budget;
  exh__yaml_budget_init(&budget);
  budget.max_bytes = EXH_RULE_YAML_MAX_BYTES;
  for (;;) {
    yaml_document_t doc;
    int got = exh__yaml_load(&parser, &doc, &budget, d->why, sizeof d->why);
    if (got <= 0) {
      d->end = got;
      d->ok = 1;
      break;
    }
    EXH_VEC_RESERVE(d->docs, d->cap, d->n + 1);
    d->docs[d->n++] = doc;
  }
  yaml_parser_delete(&parser);
}

void exh__yaml_parse_ahead(const char *text, size_t len, exh_yaml_docs *d) {
  memset(d, 0, sizeof *d);
  if (len > EXH_RULE_FILE_MAX || exh__lib_load(EXH_LIB_YAML, NULL, 0)) return; /* the loader says why */
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) { /* out of memory: the loader parses (and unwinds) itself */
    exh__yaml_docs_free(d);
    return;
  }
  parse_ahead_(text, len, d);
  exh__guard_pop(&g);
  if (!d->ok) exh__yaml_docs_free(d);
}

void exh__yaml_docs_free(exh_yaml_docs *d) {
  if (d->docs)
    for (size_t i = d->used; i < d->n; i++) yaml_document_delete(&d->docs[i]);
  free(d->docs);
  memset(d, 0, sizeof *d);
}



/* Opens a file the user named (a rule, indicator or baseline file, or one
 * found in their rule folder): links are followed (the user's own files),
 * but anything that is not a regular file is refused without blocking (a
 * FIFO would hang the open or the read forever, a device never end). */
exh_file *exh__rules_open_user_file(const char *path, char *why, size_t whyn) {
  char *real = realpath(path, NULL);
  if (!real) {
    snprintf(why, whyn, "cannot open: %s", strerror(errno));
    return NULL;
  }
  exh_file *f = exh__file_open(real, NULL, why, whyn);
  free(real);
  return f;
}

/* Reads a whole file of at most `max` bytes (refused with a reason past
 * it). NULL with a reason on failure. */
char *exh__rules_read_user_file(const char *path, size_t max, size_t *n, char *why, size_t whyn) {
  exh_file *f = exh__rules_open_user_file(path, why, whyn);
  if (!f) return NULL;
  uint64_t size = exh__file_size(f);
  if (size > max) {
    snprintf(why, whyn, "larger than %s: refused", exh__size_text(max));
    exh__file_close(f);
    return NULL;
  }
  /* the size when opened bounds the buffer; a file that grows meanwhile is
   * read up to max + 1 bytes and refused */
  exh_buf b = {0};
  char tmp[65536];
  for (;;) {
    long got = exh__file_read(f, tmp, sizeof tmp, why, whyn);
    if (got < 0) {
      exh__file_close(f);
      exh__buf_free(&b);
      return NULL;
    }
    if (got == 0) break;
    exh_buf_add(&b, tmp, (size_t)got);
    if (b.n > max) {
      snprintf(why, whyn, "larger than %s: refused", exh__size_text(max));
      exh__file_close(f);
      exh__buf_free(&b);
      return NULL;
    }
  }
  exh__file_close(f);
  *n = b.n;
  return b.p ? exh__buf_take(&b) : exh__xstrdup("");
}

static exh_err add_file(exh_ruleset *rs, const char *path) {
  char why[256];
  size_t n;
  char *t = exh__rules_read_user_file(path, EXH_RULE_FILE_MAX, &n, why, sizeof why);
  if (!t) {
    exh__ruleset_reject(rs, path, NULL, why);
    return EXH_EIO;
  }
  exh_err rc = exh_ruleset_add_yaml(rs, path, t, n);
  free(t);
  return rc;
}

/* Adds every file with one of `exts` below a path (or the path itself if
 * it is a file), in name order, at most 32 folders deep. Links are
 * followed here (rule folders are the user's own, not evidence), but each
 * folder is read once: links that point back up cannot multiply the walk.
 * Entries with a rule extension that are not regular files (a FIFO, a
 * device, a socket) are named and skipped. */
typedef exh_rule_file_fn rule_file_fn;

typedef struct dirid {
  uint64_t dev, ino; /* ino 0: an empty slot (no folder has inode 0) */
} dirid;

typedef struct rule_walk {
  exh_ruleset *rs;
  const char *const *exts;
  rule_file_fn fn;
  dirid *seen; /* open addressing, power-of-two size */
  size_t nseen, capseen;
} rule_walk;

/* 1 if the folder was read already; else notes it. */
static int seen_dir(rule_walk *w, uint64_t dev, uint64_t ino) {
  if (2 * (w->nseen + 1) > w->capseen) {
    size_t nc = w->capseen ? 2 * w->capseen : 64;
    dirid *v = exh__xcalloc(nc, sizeof *v);
    for (size_t i = 0; i < w->capseen; i++) {
      if (!w->seen[i].ino) continue;
      size_t k = (w->seen[i].ino * 0x9E3779B97F4A7C15ull ^ w->seen[i].dev) & (nc - 1);
      while (v[k].ino) k = (k + 1) & (nc - 1);
      v[k] = w->seen[i];
    }
    free(w->seen);
    w->seen = v;
    w->capseen = nc;
  }
  size_t k = (ino * 0x9E3779B97F4A7C15ull ^ dev) & (w->capseen - 1);
  for (; w->seen[k].ino; k = (k + 1) & (w->capseen - 1))
    if (w->seen[k].ino == ino && w->seen[k].dev == dev) return 1;
  w->seen[k] = (dirid){dev, ino ? ino : 1};
  w->nseen++;
  return 0;
}

static int has_ext(const char *name, const char *const *exts) {
  size_t n = strlen(name);
  for (; *exts; exts++) {
    size_t e = strlen(*exts);
    if (n > e && !strcasecmp(name + n - e, *exts)) return 1;
  }
  return 0;
}

static exh_err walk_rules(rule_walk *w, const char *path, int depth, int named) {
  exh_ruleset *rs = w->rs;
  struct stat st;
  if (stat(path, &st) != 0) {
    if (!named && !has_ext(path, w->exts)) return EXH_OK; /* a dangling link that is no rule */
    char why[160];
    snprintf(why, sizeof why, "cannot stat: %s", strerror(errno));
    exh__ruleset_reject(rs, path, NULL, why);
    return EXH_EIO;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (!named && !has_ext(path, w->exts)) return EXH_OK;
    if (!S_ISREG(st.st_mode)) {
      exh__ruleset_reject(rs, path, NULL, "not a regular file (a FIFO, device or socket): not read");
      return EXH_EIO;
    }
    return w->fn(rs, path);
  }
  if (seen_dir(w, (uint64_t)st.st_dev, (uint64_t)st.st_ino)) return EXH_OK; /* read already (a link back up) */
  if (depth > 32) {
    exh__ruleset_reject(rs, path, NULL, "folder more than 32 levels deep: not read");
    return EXH_ELIMIT;
  }
  char why[256];
  size_t n;
  char **names = exh__list_dir_sorted(path, &n, why, sizeof why);
  if (!names) {
    exh__ruleset_reject(rs, path, NULL, why);
    return EXH_EIO;
  }
  exh_err rc = EXH_OK;
  for (size_t i = 0; i < n; i++) {
    exh_err r = EXH_OK;
    if (names[i][0] != '.') {
      char *cp = exh__xasprintf("%s/%s", path, names[i]);
      r = walk_rules(w, cp, depth + 1, 0);
      free(cp);
    }
    if (r != EXH_OK && rc == EXH_OK) rc = r;
    free(names[i]);
  }
  free(names);
  return rc;
}

exh_err exh__ruleset_walk_files(exh_ruleset *rs, const char *path, const char *const *exts, rule_file_fn fn) {
  rule_walk w = {rs, exts, fn, NULL, 0, 0};
  exh_err rc = walk_rules(&w, path, 0, 1);
  free(w.seen);
  return rc;
}

static const char *const yaml_exts[] = {".yml", ".yaml", NULL};

static exh_err rs_add_path_(exh_ruleset *rs, const char *path) {
  if (rs->compiled) return EXH_EARG;
  size_t prev = rs->cur_set;
  if (prev == NO_SET) exh__ruleset_set_open(rs, "user", path, NULL);
  exh_err rc = rs->cache ? exh__cache_rule_walk(rs, "path", &path, 1, add_file)
                         : exh__ruleset_walk_files(rs, path, yaml_exts, add_file);
  rs->cur_set = prev;
  return rc;
}

exh_err exh_ruleset_add_path(exh_ruleset *rs, const char *path) {
  GUARDED(rs, 0, rs_add_path_(rs, path));
}


static size_t kinds_of(const exh_rule *r) {
  size_t k = 0;
  for (int kind = 1; kind <= EXH_KIND_EVTX; kind++) k += (size_t)exh__rule_applies(r, (exh_kind)kind);
  return k;
}

/* Hyperscan's cost grows faster than the literals it holds (measured: 8,000
 * take 0.26 s and 27 MB, 64,000 take 4.7 s and 167 MB, 200,000 take 10 s
 * and 500 MB), and one rule of 150,000 values gave it 150,000. The anchor
 * literals of every kind's database together are kept within
 * EXH_PREFILTER_MAX_LITERALS: the largest groups are cut to a common
 * length (exh__rule_coarsen_anchor) down to the largest per-rule count c
 * that fits. Past what one literal per rule and kind allows, the last
 * rules loaded are rejected with the reason. SigmaHQ's tree (21,500
 * anchor literals) is not touched. */
static void bound_prefilter(exh_ruleset *rs) {
  size_t n = rs->n;
  if (!n) return;
  size_t *g = exh__xcalloc(n, sizeof *g), *k = exh__xcalloc(n, sizeof *k);
  size_t total = 0, base = 0, maxg = 0;
  for (size_t i = 0; i < n; i++) {
    size_t ng;
    const exh_rule_lits *rl = exh__rule_literal_groups(rs->rules[i], &ng);
    g[i] = rl ? rl[0].n : 0;
    k[i] = kinds_of(rs->rules[i]);
    total += g[i] * k[i];
    base += g[i] ? k[i] : 0;
    if (g[i] > maxg) maxg = g[i];
  }
  if (total > EXH_PREFILTER_MAX_LITERALS) {
    while (base > EXH_PREFILTER_MAX_LITERALS && rs->n > 0) {
      exh_rule *r = rs->rules[--rs->n];
      size_t i = rs->n;
      base -= g[i] ? k[i] : 0;
      char why[160];
      snprintf(why, sizeof why, "the prefilter holds at most %u literals (every rule and log kind together)",
               (unsigned)EXH_PREFILTER_MAX_LITERALS);
      size_t cur = rs->cur_set;
      rs->cur_set = rs->rule_set[i];
      exh__ruleset_reject(rs, r->source, r->title, why);
      rs->cur_set = cur;
      rs->nvalues -= r->nvalues;
      rs->nbytes -= r->nbytes;
      rs->nregex -= r->nregex;
      exh__sigma_rule_free(r);
    }
    n = rs->n;
    size_t lo = 1, hi = maxg;
    while (lo < hi) { /* the largest per-rule count that fits */
      size_t c = lo + (hi - lo + 1) / 2, sum = 0;
      for (size_t i = 0; i < n; i++) sum += (g[i] < c ? g[i] : c) * k[i];
      if (sum <= EXH_PREFILTER_MAX_LITERALS) lo = c;
      else hi = c - 1;
    }
    for (size_t i = 0; i < n; i++)
      if (g[i] > lo) exh__rule_coarsen_anchor(rs->rules[i], lo);
  }
  free(g);
  free(k);
}

/* One log kind's prefilter database to compile. */
typedef struct pf_job {
  int kind;
  exh_pf_lit *lits;
  size_t nl;
  exh_prefilter *pf; /* built, or NULL with why */
  int fail;          /* the guard's code: out of memory */
  char why[256];
} pf_job;

typedef struct pf_queue {
  pf_job *jobs;
  size_t *order; /* largest first: the long one starts at once */
  size_t n, next;
  exh_mutex *mu;
} pf_queue;

static void run_job(pf_job *j) {
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb)) {
    j->fail = g.code;
    return;
  }
  j->pf = exh__pf_build(j->lits, j->nl, j->why, sizeof j->why);
  exh__guard_pop(&g);
}

static void *pf_worker(void *arg) {
  pf_queue *q = arg;
  for (;;) {
    exh__mutex_lock(q->mu);
    size_t i = q->next++;
    exh__mutex_unlock(q->mu);
    if (i >= q->n) return NULL;
    run_job(&q->jobs[q->order[i]]);
  }
}

/* Compiles the jobs, with up to `threads` threads (the caller's one). */
static void build_jobs(pf_job *jobs, size_t n, int threads) {
  size_t order[EXH_KIND_COUNT];
  for (size_t i = 0; i < n; i++) order[i] = i;
  for (size_t i = 1; i < n; i++) /* insertion sort, by size, descending */
    for (size_t k = i; k > 0 && jobs[order[k]].nl > jobs[order[k - 1]].nl; k--) {
      size_t t = order[k];
      order[k] = order[k - 1];
      order[k - 1] = t;
    }
  pf_queue q = {jobs, order, n, 0, NULL};
  size_t nt = threads > 1 ? (size_t)threads : 1;
  if (nt > n) nt = n;
  exh_thread *th[EXH_KIND_COUNT] = {0};
  if (nt > 1) q.mu = exh__mutex_new();
  if (q.mu)
    for (size_t i = 1; i < nt; i++) th[i] = exh__thread_start(pf_worker, &q);
  if (q.mu) {
    pf_worker(&q);
  } else {
    for (size_t i = 0; i < n; i++) run_job(&jobs[order[i]]);
  }
  for (size_t i = 1; i < nt; i++) exh__thread_join(th[i]);
  if (q.mu) exh__mutex_free(q.mu);
}

static exh_err rs_compile_(exh_ruleset *rs) {
  if (rs->compiled) return EXH_OK;
  /* the content rules first: their indicators may add rules to the set */
  if (rs->content_compile) {
    exh_err e = rs->content_compile(rs, rs->content);
    if (e != EXH_OK) return e;
  }
  bound_prefilter(rs);
  rs->unfiltered = 0;
  for (size_t i = 0; i < rs->n; i++) {
    size_t ng;
    if (!exh__rule_literal_groups(rs->rules[i], &ng) && !exh__rule_applies(rs->rules[i], EXH_KIND_EVTX))
      rs->unfiltered++;
  }
  exh_pf_cache *pfc = rs->cache ? exh__cache_pf_open(rs) : NULL;
  pf_job jobs[EXH_KIND_COUNT];
  size_t njobs = 0;
  for (int k = 1; k <= EXH_KIND_EVTX; k++) {
    exh_kind_plan *pl = &rs->plans[k];
    exh_pf_lit *lits = NULL;
    size_t nl = 0, cap = 0;
    EXH_VEC_RESERVE(lits, cap, 1);
    /* logs: the header marker too; events have no header lines */
    if (k != EXH_KIND_EVTX) lits[nl++] = (exh_pf_lit){"#Fields:", 8, EXH_PF_ID_FIELDS};
    for (size_t i = 0; i < rs->n; i++) {
      const exh_rule *r = rs->rules[i];
      if (!exh__rule_applies(r, (exh_kind)k)) continue;
      pl->nrules++;
      size_t ng;
      const exh_rule_lits *rl = exh__rule_literal_groups(r, &ng);
      if (!rl) {
        pl->always = exh__xrealloc(pl->always, (pl->nalways + 1) * sizeof(uint32_t));
        pl->always[pl->nalways++] = (uint32_t)i;
        continue;
      }
      /* only the anchor group goes into the database */
      for (size_t j = 0; j < rl[0].n; j++) {
        EXH_VEC_RESERVE(lits, cap, nl + 1);
        lits[nl++] = (exh_pf_lit){rl[0].lits[j].p, rl[0].lits[j].n, EXH_PF_ID(i, 0)};
      }
    }
    if (nl == 0) { /* events, no rule with literals: the always list is everything */
      free(lits);
      continue;
    }
    pl->pf = pfc ? exh__cache_pf_get(pfc, k, lits, nl) : NULL;
    if (pl->pf) {
      free(lits);
      continue;
    }
    memset(&jobs[njobs], 0, sizeof jobs[njobs]);
    jobs[njobs].kind = k;
    jobs[njobs].lits = lits;
    jobs[njobs++].nl = nl;
  }
  /* the databases not in the cache, compiled at once (each by one thread;
   * the result does not depend on which), then taken in kind order */
  build_jobs(jobs, njobs, rs->threads);
  int fail = 0;
  exh_err rc = EXH_OK;
  for (size_t j = 0; j < njobs; j++) {
    pf_job *jb = &jobs[j];
    if (jb->fail && !fail) fail = jb->fail;
    if (!fail && rc == EXH_OK) {
      if (!jb->pf) {
        fprintf(stderr, "exhunt: cannot build the prefilter: %s\n", jb->why);
        rc = EXH_ERULE;
      } else {
        rs->plans[jb->kind].pf = jb->pf;
        jb->pf = NULL;
        if (pfc) exh__cache_pf_put(pfc, jb->kind, jb->lits, jb->nl, rs->plans[jb->kind].pf);
      }
    }
  }
  for (size_t j = 0; j < njobs; j++) {
    exh__pf_free(jobs[j].pf);
    free(jobs[j].lits);
  }
  if (fail) { /* out of memory in a compile: as if here */
    exh__cache_pf_close(pfc);
    exh__guard_fail(fail);
  }
  if (rc != EXH_OK) {
    exh__cache_pf_close(pfc);
    return rc;
  }
  exh__cache_pf_close(pfc);
  for (size_t i = 0; i < rs->nsets; i++) rs->sets[i].loaded = 0;
  for (size_t i = 0; i < rs->n; i++)
    if (rs->rule_set[i] != NO_SET) rs->sets[rs->rule_set[i]].loaded++;
  rs->compiled = 1; /* the field hash is kept up to date by exh__ruleset_intern */
  return EXH_OK;
}

void exh_ruleset_set_threads(exh_ruleset *rs, int threads) {
  rs->threads = threads > 0 ? threads : exh__cpu_count();
}

exh_err exh_ruleset_compile(exh_ruleset *rs) {
  GUARDED(rs, 1, rs_compile_(rs));
}


const exh_kind_plan *exh__ruleset_plan(const exh_ruleset *rs, exh_kind k) { return &rs->plans[k]; }
const struct exh_prefilter *exh__ruleset_prefilter(const exh_ruleset *rs, exh_kind k) { return rs->plans[k].pf; }
size_t exh__ruleset_kind_rules(const exh_ruleset *rs, exh_kind k) { return rs->plans[k].nrules; }
size_t exh_ruleset_count(const exh_ruleset *rs) { return rs->n; }
size_t exh_ruleset_rejected(const exh_ruleset *rs) { return rs->nrejected; }
size_t exh_ruleset_unfiltered(const exh_ruleset *rs) { return rs->unfiltered; }
const exh_rule_info *exh_ruleset_rule(const exh_ruleset *rs, size_t i) {
  return i < rs->n ? exh__rule_info_of(rs->rules[i]) : NULL;
}
const exh_rule *exh__ruleset_get(const exh_ruleset *rs, size_t i) { return i < rs->n ? rs->rules[i] : NULL; }

/* ---- rule sets --------------------------------------------------------------
 * The rules added together under one name (built-in, SigmaHQ, a user's
 * folder), counted so that a report says what ran: "no finding" is read in
 * the context of the rules that looked. */

size_t exh__ruleset_set_open(exh_ruleset *rs, const char *name, const char *origin, const char *version) {
  size_t prev = rs->cur_set;
  if (rs->nsets) { /* the same set again (add_yaml called per document of one source): one entry */
    exh_rule_set *l = &rs->sets[rs->nsets - 1];
    if (!strcmp(l->name, name) && !strcmp(l->origin, origin ? origin : "") &&
        !strcmp(l->version ? l->version : "", version ? version : "")) {
      rs->cur_set = rs->nsets - 1;
      return prev;
    }
  }
  EXH_VEC_RESERVE(rs->sets, rs->capsets, rs->nsets + 1);
  exh_rule_set *st = &rs->sets[rs->nsets];
  memset(st, 0, sizeof *st);
  st->name = exh__xstrdup(name);
  st->origin = exh__xstrdup(origin ? origin : "");
  st->version = version ? exh__xstrdup(version) : NULL;
  rs->cur_set = rs->nsets++;
  return prev;
}

void exh__ruleset_set_restore(exh_ruleset *rs, size_t prev) { rs->cur_set = prev; }

size_t exh_ruleset_nsets(const exh_ruleset *rs) { return rs->nsets; }
const exh_rule_set *exh_ruleset_set(const exh_ruleset *rs, size_t i) { return i < rs->nsets ? &rs->sets[i] : NULL; }
const char *exh_rule_set_name(const exh_rule_set *s) { return s->name; }
const char *exh_rule_set_origin(const exh_rule_set *s) { return s->origin; }
const char *exh_rule_set_version(const exh_rule_set *s) { return s->version; }
size_t exh_rule_set_loaded(const exh_rule_set *s) { return s->loaded; }
size_t exh_rule_set_rejected(const exh_rule_set *s) { return s->rejected; }

/* A version for a rule tree: a git checkout's HEAD commit, else the first
 * line of a COMMIT, VERSION or version.txt file at its root (release
 * archives, copies made by a deployment), printable ASCII only. NULL when
 * none says. */
static char *first_line(const char *path, size_t max) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char buf[128];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  size_t k = 0;
  while (k < n && k < max && buf[k] >= 0x20 && buf[k] < 0x7f) k++;
  while (k > 0 && buf[k - 1] == ' ') k--;
  if (!k) return NULL;
  buf[k] = 0;
  return exh__xstrdup(buf);
}

static char *tree_version(const char *root) {
  char *p = exh__xasprintf("%s/.git/HEAD", root);
  char *head = first_line(p, 120);
  free(p);
  if (head) {
    char *commit = NULL;
    if (!strncmp(head, "ref: ", 5)) {
      p = exh__xasprintf("%s/.git/%s", root, head + 5);
      commit = first_line(p, 64);
      free(p);
      if (!commit) { /* packed: "<sha> <ref>" lines */
        p = exh__xasprintf("%s/.git/packed-refs", root);
        FILE *f = fopen(p, "rb");
        free(p);
        char line[512];
        while (f && !commit && fgets(line, sizeof line, f)) {
          char *sp = strchr(line, ' ');
          if (!sp || line[0] == '#') continue;
          *sp = 0;
          char *nl = strchr(sp + 1, '\n');
          if (nl) *nl = 0;
          if (!strcmp(sp + 1, head + 5) && strlen(line) >= 12) commit = exh__xstrdup(line);
        }
        if (f) fclose(f);
      }
    } else {
      commit = exh__xstrdup(head); /* a detached HEAD */
    }
    free(head);
    if (commit) {
      size_t k = 0;
      while (commit[k] && strchr("0123456789abcdef", commit[k])) k++;
      char *v = k >= 12 ? exh__xasprintf("commit %.12s", commit) : NULL;
      free(commit);
      if (v) return v;
    }
  }
  static const char *const files[] = {"COMMIT", "VERSION", "version.txt"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    p = exh__xasprintf("%s/%s", root, files[i]);
    char *l = first_line(p, 64);
    free(p);
    if (l) {
      size_t k = 0;
      while (l[k] && strchr("0123456789abcdef", l[k])) k++;
      char *v = (k >= 12 && !l[k]) ? exh__xasprintf("commit %.12s", l) : exh__xasprintf("version %s", l);
      free(l);
      return v;
    }
  }
  return NULL;
}

/* SigmaHQ's repository (or a release archive of it) holds rules meant to
 * alert (rules/, rules-emerging-threats/, rules-dfir/) beside hunting rules
 * (rules-threat-hunting/: broad by design, for a hunter to sift), rules
 * that need placeholders filled (rules-placeholder/), deprecated and
 * unsupported ones and test data. A verdict is built on the first kind
 * only. A folder without rules/ is loaded whole. */
static exh_err rs_add_sigmahq_(exh_ruleset *rs, const char *path) {
  if (rs->compiled) return EXH_EARG;
  struct stat st;
  char *sub = exh__xasprintf("%s/rules", path);
  int layout = stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
  free(sub);
  char *version = tree_version(path);
  size_t prev = exh__ruleset_set_open(rs, "SigmaHQ", path, version);
  free(version);
  exh_err rc = EXH_OK;
  char *roots[3];
  size_t nroots = 0;
  if (!layout) {
    roots[nroots++] = exh__xstrdup(path);
  } else {
    static const char *const alerting[] = {"rules", "rules-emerging-threats", "rules-dfir"};
    for (size_t i = 0; i < sizeof alerting / sizeof alerting[0]; i++) {
      sub = exh__xasprintf("%s/%s", path, alerting[i]);
      if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) roots[nroots++] = sub;
      else free(sub);
    }
  }
  if (rs->cache) {
    rc = exh__cache_rule_walk(rs, "sigmahq", (const char *const *)roots, nroots, add_file);
  } else {
    for (size_t i = 0; i < nroots; i++) {
      exh_err r = exh__ruleset_walk_files(rs, roots[i], yaml_exts, add_file);
      if (r != EXH_OK && rc == EXH_OK) rc = r;
    }
  }
  for (size_t i = 0; i < nroots; i++) free(roots[i]);
  rs->cur_set = prev;
  return rc;
}

exh_err exh_ruleset_add_sigmahq(exh_ruleset *rs, const char *path) {
  GUARDED(rs, 0, rs_add_sigmahq_(rs, path));
}
