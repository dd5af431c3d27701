/* EVTX parser internals shared by evtx.c (chunks, records, binary XML ->
 * tree) and evtx_json.c (compiled templates: the JSON fast path). Not a
 * public interface. */
#ifndef EXH_EVTX_INT_H
#define EXH_EVTX_INT_H

#include "../../core/limits.h"
#include "evtx.h"

#define FILE_HEADER EXH_EVTX_FILE_HEADER
#define CHUNK EXH_EVTX_CHUNK
#define CHUNK_HEADER 512u

/* A substitution value of a template instance (points into the chunk). */
typedef struct exh_evtx_value {
  uint8_t type;
  const uint8_t *data;
  uint32_t size;
} exh_evtx_value;

typedef struct exh_evtx_tc exh_evtx_tc; /* compiled templates of one chunk */
typedef struct exh_evtx_fc exh_evtx_fc; /* the same for fields (evtx_fields.c) */

struct exh_evtx {
  exh_buf arena; /* UTF-8 strings of the current record */
  exh_evtx_node *nodes;
  size_t nnodes, capnodes;
  exh_evtx_attr *attrs;
  size_t nattrs, capattrs;
  /* current chunk */
  const uint8_t *chunk;
  size_t chunk_size;
  uint64_t chunk_file_off;
  exh_evtx_issue_fn on_issue;
  void *ctx;
  int bad; /* the record being parsed hit damage */
  int maxdepth; /* the deepest level reached in the record (evtx_json.c reuses parses) */
  /* template compilation: substitutions are parsed as markers (see
   * EXH_EVTX_MARK), issues are not reported, and anything the compiled
   * form cannot express sets `unsupported` */
  int symbolic, quiet, unsupported;
  int json_mode;  /* records are delivered as JSON lines (exh__evtx_set_json) */
  exh_buf json;   /* the JSON lines, unless the caller gave its own buffer */
  exh_buf *jout;  /* where JSON lines are appended (&json or the caller's) */
  size_t json_start; /* where the delivered record's line starts in *jout */
  exh_evtx_tc *tc;
  int fields_mode;   /* records are read through evtx_fields.c when they can be */
  exh_evtx_fc *fc;
  /* where values other than strings render (the arena, or for the JSON
   * fast path the output line itself: their text never needs escaping) */
  exh_buf *vb;
  /* Expansion budget of the record being decoded. Every step that makes
   * memory or work is charged (charge() in evtx.c: nodes, and bytes that
   * bound the arena and the work); a record over either limit is damage
   * (a template bomb), reported and not delivered. Charges that depend on
   * the definition alone are "static" and are charged the same in a
   * symbolic parse, so the compiled path can add them up per template and
   * decide exactly as the tree would (evtx_json.c: cost_values). */
  uint64_t cnodes, cbytes;
  uint64_t max_nodes, max_bytes;
  uint64_t max_chunk_nodes, max_chunk_bytes; /* the same summed over a chunk's records */
  int over;        /* over a limit, or past the deadline: every level unwinds */
  double deadline; /* exh__monotonic_s() value after which the parse stops (0: none) */
  int timed_out;
  uint64_t next_clock; /* charged units at which the clock is read next */
  /* symbolic parse: the substitutions met, in order (id | EXH_EVTX_OCC_ATTR
   * for one in an attribute value), so a record's value charges can be
   * added up without parsing the definition again */
  uint32_t *occ;
  size_t nocc, capocc;
  uint64_t ncompiled; /* templates compiled (evtx_json.c, evtx_fields.c: EXHUNT_TIMING) */
};

#define EXH_EVTX_OCC_ATTR 0x10000u
/* Bytes charged for text, names and values: bounds of what they become
 * once rendered and escaped, so a record's output is bounded by its
 * charges too (plus a few bytes of syntax per node). UTF-8 text: a byte
 * escapes to at most 6 (JSON's \u00XX; XML's &quot; and the terminal's
 * \xNN are shorter). A value of n bytes: the worst type is an int8 array,
 * "-128," per byte, and every string type stays under 6n once escaped;
 * checked against put_scalar and exh__json_buf. */
#define EXH_EVTX_TEXT_BYTES(n) (6ull * (n))
#define EXH_EVTX_VALUE_BYTES(n) (6ull * (n) + 32)

/* In a symbolic parse a substitution renders as this byte followed by its
 * index (two bytes, little-endian). 0xFF never occurs in UTF-8, and every
 * literal string of a template is UTF-8 decoded from UTF-16. */
#define EXH_EVTX_MARK 0xFF

/* evtx.c */
void exh__evtx__reset_record(exh_evtx *p);
/* Charges a step of the record's expansion: 0, or -1 once the record is
 * over a limit or the deadline has passed (p->over is then set). */
int exh__evtx__charge(exh_evtx *p, uint64_t nodes, uint64_t bytes);
int exh__evtx__new_node(exh_evtx *p, int parent);
int exh__evtx__fragment(exh_evtx *p, size_t pos, size_t end, const exh_evtx_value *vals, size_t nvals, int parent,
                       int depth, int in_def, size_t *consumed);
/* Appends the text rendering of a value (not binary XML) to the arena. */
void exh__evtx__render_value(exh_evtx *p, const exh_evtx_value *v);
/* A value (not null, not binary XML) as a quoted JSON string on o: the same
 * bytes as rendering it into the arena and escaping that (exh__json_buf),
 * without the copy. Writes nothing and returns 0 when it renders empty. */
int exh__evtx__value_json(exh_evtx *p, exh_buf *o, const exh_evtx_value *v);
/* Appends UTF-16LE text as a quoted JSON string: the same bytes as the
 * arena's UTF-8 (put_utf16) then exh__json_buf, in one pass. */
void exh__evtx__json_utf16(exh_buf *b, const uint8_t *s, size_t nchars);

/* evtx_json.c: renders the record whose binary XML spans [pos, end) of the
 * current chunk into p->json through the chunk's compiled templates.
 * Returns 0 when the record is not of the shape the compiled path handles
 * (the caller then builds the tree; the output is the same either way). */
int exh__evtx__json_record(exh_evtx *p, size_t pos, size_t end);
void exh__evtx__json_chunk(exh_evtx *p); /* a new chunk: forget its templates */
void exh__evtx__json_free(exh_evtx *p);

/* A definition's position-free signature (evtx_json.c): 0 with the
 * signature in out and its hash, -1 when it has none. */
int exh__evtx__signature(const exh_evtx *p, size_t pos, size_t end, exh_buf *out, uint64_t *hash);

/* evtx_fields.c: reads the record whose binary XML spans [pos, end) of the
 * current chunk through compiled templates, charging exactly what the tree
 * would (p->cnodes, p->cbytes); NULL when the record is not of a shape it
 * handles (the caller then builds the tree). */
const exh_evtx_head *exh__evtx__fields_record(exh_evtx *p, size_t pos, size_t end);
void exh__evtx__fields_chunk(exh_evtx *p); /* a new chunk: forget its templates */
void exh__evtx__fields_free(exh_evtx *p);


/* evtx_tindex.c: compiled templates found again, shared by evtx_json.c and
 * evtx_fields.c. A definition is found within its chunk by its offset, and
 * across chunks by its signature; the caller numbers its compiled templates
 * 0, 1, 2... and the index maps definitions to those numbers. */
#define EXH_EVTX_TI_SLOTS 512 /* open addressing; a chunk holds far fewer definitions */
#define EXH_EVTX_TI_MAX 384
typedef struct exh_evtx_tindex {
  struct {
    uint32_t def; /* chunk offset of a definition */
    int32_t t;    /* its template number, -1: empty slot */
  } slot[EXH_EVTX_TI_SLOTS]; /* this chunk's definitions */
  size_t nslot;
  exh_buf sig; /* the signatures of numbered templates, one after the other */
  struct exh_evtx_tsig {
    uint64_t hash;
    uint32_t off, len; /* in sig; len 0: none (not found across chunks) */
  } *ts;               /* per template number */
  size_t nts, capts;
  uint32_t *gslot; /* signature hash -> template number + 1 (0: empty) */
  size_t gcap, gused;
  exh_buf sigtmp;
  /* the definition of the last find that returned -1 */
  uint32_t pend_slot, pend_def;
  int pend_sig;
  uint64_t pend_hash;
} exh_evtx_tindex;
/* A new chunk: offsets forgotten, signatures kept. Call before the first find. */
void exh__evtx__tindex_chunk(exh_evtx_tindex *x);
/* Everything forgotten (the caller drops its compiled templates too). */
void exh__evtx__tindex_reset(exh_evtx_tindex *x);
size_t exh__evtx__tindex_bytes(const exh_evtx_tindex *x);
void exh__evtx__tindex_free(exh_evtx_tindex *x);
/* The template number of the definition at chunk offset def (its body
 * [tstart, tend)): >= 0 known; -1 unknown, the caller compiles it and
 * calls exh__evtx__tindex_add with its number before the next find; -2 the
 * chunk holds more definitions than EXH_EVTX_TI_MAX. */
int32_t exh__evtx__tindex_find(const exh_evtx *p, exh_evtx_tindex *x, uint32_t def, size_t tstart, size_t tend);
void exh__evtx__tindex_add(exh_evtx_tindex *x, int32_t ti);

/* A template instance (token 0x0c at pos, within [pos, end)), checked as
 * the tree's parse_template checks it: its definition's chunk offset and
 * body [tstart, tend), its value count and where its value descriptors
 * start. 0, or -1 when any of it lies outside. */
int exh__evtx__instance_head(const exh_evtx *p, size_t pos, size_t end, uint32_t *def, size_t *tstart, size_t *tend,
                            uint32_t *nv, size_t *at);
/* Its nv values (descriptors at `at`, data after them) into vals: the
 * offset after the last, or 0 when one reaches past end. */
size_t exh__evtx__instance_values(const exh_evtx *p, size_t at, uint32_t nv, size_t end, exh_evtx_value *vals);

#endif
