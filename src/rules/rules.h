/* Internal interface of the rule engine: Sigma rules loaded from YAML into a
 * small compiled form, evaluated against records whose fields are slices of
 * the evidence bytes. */
#ifndef EXH_RULES_H
#define EXH_RULES_H

#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include "../core/kinds.h"
#include "../core/evidence.h"
#include "../core/record.h"
#include "../util/util.h"
#include "exhunt/exhunt.h"

/* ---- Sigma wildcard patterns (glob.c) ---------------------------------- */

/* A compiled value: characters, '*' (any run) and '?' (one character). */
typedef struct exh_glob {
  unsigned char *lit; /* per byte, ASCII-lowercased unless cased (the prefilter's literals) */
  unsigned char *tok; /* per byte: 0 literal, 1 star, 2 qmark, 3 literal of a
                         character with another case outside ASCII */
  size_t n;
  uint32_t *cp; /* per character: code point, case-folded unless cased, or '*' / '?'
                   markers; NULL when bytes match alike (ASCII without '?') */
  size_t nc;
  int cased;
  int bytes; /* an encoding transform's output: bytes, not UTF-8 */
} exh_glob;

/* Compiles a Sigma value. Unless `raw`, '\' escapes '*', '?' and '\'
 * (a backslash before anything else is literal, as in the Sigma spec).
 * `star_front`/`star_back` add the wildcards of endswith/startswith/contains. */
void exh__glob_compile(exh_glob *g, const char *v, size_t n, int star_front, int star_back,
                      int cased, int raw);
int exh__glob_match(const exh_glob *g, const char *s, size_t n);
void exh__glob_free(exh_glob *g);
/* No '*' and no '?': the value matches one spelling only (up to case). */
int exh__glob_exact(const exh_glob *g);
/* Longest wildcard-free run that avoids the bytes in `avoid`. */
exh_str exh__glob_longest_literal(const exh_glob *g, const char *avoid);

/* ---- rule set ---------------------------------------------------------- */

typedef struct exh_rule exh_rule;

/* Literals for the prefilter, in groups: a rule can only fire on a record
 * that contains, for every group, at least one of the group's literals
 * (case-insensitively, in the raw bytes). Group 0 is the anchor: the one
 * expected to be rarest, whose literals go into the Hyperscan database;
 * the others are verified on the anchor's lines. */
typedef struct exh_rule_lits {
  exh_str *lits;
  size_t n;
} exh_rule_lits;

#define EXH_MAX_LIT_GROUPS 4

/* Rule i of the set. */
const exh_rule *exh__ruleset_get(const exh_ruleset *rs, size_t i);
const exh_rule_info *exh__rule_info_of(const exh_rule *r);
/* Does the rule apply to this log kind? */
int exh__rule_applies(const exh_rule *r, exh_kind k);
/* The literal groups; *n == 0 (and NULL) if the rule has no usable literal
 * (it must run on every record). */
const exh_rule_lits *exh__rule_literal_groups(const exh_rule *r, size_t *n);
/* 1 if every literal group after the anchor has a member in [p, p+n). */
int exh__rule_verify_groups(const exh_rule *r, const char *p, size_t n);
/* Evaluates the rule on a record. */
int exh__rule_eval(const exh_rule *r, const exh_record *rec);
/* Field ids the rule tests positively (for the finding's message). */
const int *exh__rule_shown_fields(const exh_rule *r, size_t *n);

/* Interned field names of the set (index = field id). */
size_t exh__ruleset_nfields(const exh_ruleset *rs);
const char *exh__ruleset_field_name(const exh_ruleset *rs, int fid);
/* Interns a field name (case-insensitive); returns its id. Only before
 * exh_ruleset_compile(). Scanner-side entity fields go through this too. */
int exh__ruleset_intern(exh_ruleset *rs, const char *name, size_t n);
/* Looks a name up without interning; -1 if unknown. */
int exh__ruleset_field_id(const exh_ruleset *rs, const char *name);
/* The same, by hash, after exh_ruleset_compile (for per-event lookups). */
int exh__ruleset_field_lookup(const exh_ruleset *rs, const char *name, size_t n);

/* Builds fmap (size exh__ruleset_nfields) for a header of column names of a
 * log kind: exact names first (case-insensitive), then the kind's aliases
 * (Sigma's cs-user-agent is IIS's cs(User-Agent), ...). */
void exh__ruleset_map_header(const exh_ruleset *rs, exh_kind kind, const exh_str *names, int nnames,
                            int *fmap);

/* A finding of `rule` on this evidence with its common fields set, or
 * NULL over a cap; and the message: the title, then the values of the
 * fields the rule tested (shared by the log and EVTX scanners). */
exh_finding *exh__rule_finding(exh_worker *wk, exh_evidence *ev, const struct exh_rule *rule, const char *dataset);
char *exh__rule_message(exh_worker *wk, const struct exh_rule *rule, const struct exh_record *rec);

/* ---- for the formats that evaluate rules ---------------------------------- */

/* Per-kind execution plan, built by exh_ruleset_compile. */
typedef struct exh_kind_plan {
  struct exh_prefilter *pf;       /* literals of the kind's rules + "#Fields:" */
  uint32_t *always;        /* rules with no literal: run on every record */
  size_t nalways;
  size_t nrules;           /* rules that apply to the kind */
} exh_kind_plan;

/* Prefilter ids: rule index << 2 | literal group; and the header marker. */
#define EXH_PF_ID(rule, group) ((uint32_t)(rule) << 2 | (uint32_t)(group))
#define EXH_PF_RULE(id) ((id) >> 2)
#define EXH_PF_GROUP(id) ((id)&3u)
#define EXH_PF_ID_FIELDS 0xFFFFFFFFu

const exh_kind_plan *exh__ruleset_plan(const exh_ruleset *rs, exh_kind k);

/* The field mapping a Windows log source asks for (docs/windows-mapping.md):
 * process_creation from Security 4688 reads 4688's names as Sysmon's;
 * category antivirus reads Defender's ThreatName as Signature and Path as
 * Filename. */
enum { WMAP_NONE = 0, WMAP_SECURITY_4688 = 1, WMAP_ANTIVIRUS = 2 };
/* For EVTX events: does the rule's log source take an event of this channel
 * and id? *map receives the field mapping to apply. */
int exh__rule_windows_accepts(const exh_rule *r, exh_str channel, unsigned eventid, int *map);
/* Does the rule read events of this channel at all (any event id)? */
int exh__rule_reads_channel(const exh_rule *r, exh_str channel);

/* ---- for the driver ----------------------------------------------------- */

/* The prefilter of a kind's rules (NULL when none): each worker makes its
 * scratch for it. */
struct exh_prefilter;
const struct exh_prefilter *exh__ruleset_prefilter(const exh_ruleset *rs, exh_kind k);
/* The rules that read a kind (Windows events: EXH_KIND_EVTX). */
size_t exh__ruleset_kind_rules(const exh_ruleset *rs, exh_kind k);
/* Frees the calling thread's regex match data (call before a worker ends). */
void exh__rules_thread_cleanup(void);

/* ---- for the checks layer (checks/load.c) -------------------------------- */

/* A set of values a rule's field is tested against by lookup (the IP
 * indicators): membership, and the literals every member leaves in any
 * spelling (the prefilter's group, so it stays exact). The rule set knows
 * nothing of what the set holds. */
typedef struct exh_valueset {
  int (*has)(const void *set, const char *p, size_t n);
  const exh_str *(*literals)(const void *set, size_t *n);
  const void *set;
} exh_valueset;
/* While rules using the internal modifier 'exhunt-ipset' are added, the set
 * they test (NULL otherwise: a user rule naming the modifier is rejected). */
void exh__ruleset_set_valueset(exh_ruleset *rs, const exh_valueset *vs);

/* The content rules (YARA, indicators, baselines) are the checks', attached
 * to the set so one handle carries every rule: `compile` runs first when
 * the set compiles (it may add rules), `free_fn` when it is freed. */
void *exh__ruleset_content(const exh_ruleset *rs);
void exh__ruleset_attach_content(exh_ruleset *rs, void *content, void (*free_fn)(void *),
                                 exh_err (*compile)(exh_ruleset *, void *));
int exh__ruleset_compiled(const exh_ruleset *rs);
/* Set when an allocation failed while loading or compiling: the set is
 * unusable and every later call returns EXH_ENOMEM. */
int *exh__ruleset_broken(exh_ruleset *rs);
/* A rejection through the user's callback, counted. */
void exh__ruleset_reject(exh_ruleset *rs, const char *source, const char *title, const char *why);
/* Rules and rejections go to the named set from now on (one entry per
 * name, origin and version); returns the set that was current, for
 * exh__ruleset_set_restore. */
size_t exh__ruleset_set_open(exh_ruleset *rs, const char *name, const char *origin, const char *version);
void exh__ruleset_set_restore(exh_ruleset *rs, size_t prev);
void exh__ruleset_count_reject(exh_ruleset *rs);
/* A note (not a rejection) through the user's callback. */
void exh__ruleset_note(exh_ruleset *rs, const char *source, const char *why);
/* Files the user named: links followed, anything but a regular file refused
 * without blocking; read whole up to max (refused past it). */
struct exh_file;
struct exh_file *exh__rules_open_user_file(const char *path, char *why, size_t whyn);
char *exh__rules_read_user_file(const char *path, size_t max, size_t *n, char *why, size_t whyn);
/* Calls fn for every file with one of `exts` below a path (or the path), in
 * name order, each folder once, at most 32 deep. */
typedef exh_err (*exh_rule_file_fn)(exh_ruleset *rs, const char *path);
exh_err exh__ruleset_walk_files(exh_ruleset *rs, const char *path, const char *const *exts, exh_rule_file_fn fn);
/* Adds YAML texts (the rules compiled into exhunt) as exh_ruleset_add_yaml
 * does one by one, through the compiled rule cache when the set has one
 * (cache.c). The result: the last failure, else EXH_OK. */
exh_err exh__ruleset_add_yaml_texts(exh_ruleset *rs, const char *what, const char *const *sources,
                                    const char *const *texts, const size_t *lens, size_t n);
/* The compiled rule cache's keyed blobs for other parts (checks/yara.c:
 * the compiled YARA rules; docs/rules.md): the payload of the blob `name`
 * stored for `slot` (malloc'ed, *n bytes), NULL when the set has no cache
 * or there is none usable (absent, corrupt, another build: the same
 * checks as the rule files, a note when verbose). The payload's own
 * content is the caller's to check. */
int exh__cache_enabled(const exh_ruleset *rs); /* 1 if the set has a cache */
void *exh__cache_blob_get(exh_ruleset *rs, const char *name, const void *slot, size_t nslot, size_t *n);
void exh__cache_blob_put(exh_ruleset *rs, const char *name, const void *slot, size_t nslot, const void *p,
                         size_t n);
/* The cache's 128-bit hash (not cryptographic: against accidents). */
void exh__cache_hash(const void *p, size_t n, uint64_t out[2]);
/* "12 MiB": a limit as a person reads it (per thread, one use at a time). */
const char *exh__size_text(size_t n);

/* Runs a public entry point of the rule set under a guard (util.h): out of
 * memory returns EXH_ENOMEM; with marks_broken, the set becomes unusable. */
#define EXH_RULESET_GUARDED(rs, marks_broken, call)                                            \
  do {                                                                                         \
    if (*exh__ruleset_broken(rs)) return EXH_ENOMEM;                                           \
    exh_guard g_;                                                                              \
    exh__guard_push(&g_);                                                                       \
    if (setjmp(g_.jb)) {                                                                       \
      if (marks_broken) *exh__ruleset_broken(rs) = 1;                                          \
      return g_.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;                             \
    }                                                                                          \
    exh_err r_ = (call);                                                                       \
    exh__guard_pop(&g_);                                                                        \
    return r_;                                                                                 \
  } while (0)

#endif
