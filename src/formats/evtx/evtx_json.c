/* Compiled templates: the JSON fast path of `exhunt dump`.
 *
 * Nearly every record is a template instance: a definition stored once in
 * the chunk (the element structure) plus the record's substitution values;
 * most records nest a second instance (EventData or UserData) as a binary
 * XML value. The tree path re-parses the definitions and decodes every
 * element name for every record, builds a tree, then renders it. Here each
 * definition is compiled once per chunk into a small static form:
 *
 *   cnode  an element: its name and key escaped in advance, its attributes
 *          (static values escaped in advance, others as pieces), its
 *          content items (child element, literal text, substitution n)
 *
 * and a record is rendered by walking the compiled elements with the
 * record's values; a binary XML value in content expands into the nested
 * instance's compiled elements. Names are never decoded again, only values.
 *
 * The compiled form is built by the same parser (a "symbolic" parse of the
 * definition, substitutions kept as markers, see evtx_int.h) and rendering
 * mirrors the tree renderer (report/evtx_out.c) decision for decision, so
 * the bytes are the same. A record of a shape not handled here (damage,
 * binary XML in an attribute, elements written directly in a binary XML
 * value, templates inside definitions) is declined before anything is
 * delivered and goes through the tree. Tests compare both renderings on
 * every shared EVTX, and the fuzz target compares them on arbitrary input.
 * Before a record is rendered, what the tree would charge for it is added
 * up (the expansion budget, below): a record over the bounds (a template
 * bomb) is declined too, and the tree reports it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"

enum { IT_ELEM, IT_TEXT, IT_SUB };

typedef struct item {
  uint8_t kind;
  uint16_t id;       /* IT_SUB: value index */
  uint32_t node;     /* IT_ELEM: cnode index */
  uint32_t off, len; /* IT_TEXT: raw text in lit; IT_ELEM: escaped key when the parent's keys are static */
} item;

typedef struct cattr {
  uint32_t ename, ename_len; /* escaped name, quoted */
  uint32_t val, val_len;     /* static: escaped value, quoted */
  uint32_t raw, raw_len;     /* static: the value itself (a Data element's key) */
  uint32_t item0, nitem;     /* dynamic: pieces (IT_TEXT / IT_SUB) */
  uint8_t is_name, dynamic;
} cattr;

typedef struct cnode {
  uint32_t name, name_len;   /* raw name */
  uint32_t ename, ename_len; /* escaped name, quoted */
  uint32_t attr0, nattr, nattr_noname;
  uint32_t item0, nitem; /* content */
  int32_t key_attr;      /* <Data Name=...>: the Name attribute (index into attrs) */
  uint8_t is_ed;         /* EventData / UserData: children are "in EventData" */
  uint8_t static_kids;   /* no substitution in content, all child keys static: keys precomputed */
  uint8_t has_sub;       /* content has a substitution */
  uint32_t text, text_len; /* no substitution in content: the text escaped and quoted (len 0: none) */
  uint32_t nelem;        /* child elements */
  uint32_t ekey, ekey_len; /* its key when static and not a repeat: escaped, quoted (len 0: dynamic) */
  uint8_t leaf;          /* content is exactly one substitution (leaf_id) */
  uint16_t leaf_id;
  uint32_t prog[2];      /* static_kids: its op list (tc->ops offset + 1, 0: not made yet) per in_ed */
  uint32_t height;       /* levels of elements from it down, itself included */
} cnode;

/* An element of fixed structure (static_kids) rendered as a flat op list,
 * made at its first rendering (per in_ed, which decides whether Name
 * attributes are shown): the runs of JSON that do not depend on the
 * values (braces, keys, separators, static attributes and text) merged
 * into single literals, with value slots between them. Children that are
 * leaves or of fixed structure themselves are inlined; any other child is
 * a call to render(). Running the list writes the bytes render() would. */
enum { OP_VAL, OP_AVAL, OP_ATEXT, OP_CALL, OP_END }; /* each after its literal */

typedef struct op {
  uint8_t kind, in_ed; /* OP_VAL, OP_CALL: the element's in_ed */
  uint16_t id;         /* OP_VAL, OP_AVAL: value index */
  uint32_t off, len;   /* the literal written first (in tc->lit; len 0: none) */
  uint32_t a;          /* OP_VAL, OP_CALL: cnode; OP_ATEXT: cattr */
  uint32_t b;          /* OP_VAL, OP_CALL: depth below the list's element */
} op;

typedef struct tpl {
  int ok;       /* 0: records of this template go through the tree */
  uint32_t item0, nitem; /* top-level items */
  /* what parsing the definition charges whatever the values (nodes,
   * bytes), and its substitutions in order (tc->occ): cost_values */
  uint64_t snodes, sbytes;
  uint32_t occ0, nocc;
} tpl;

enum { KEY_LIT, KEY_ARENA, KEY_TREE };

#define MEMO_MAX 16
typedef struct memo {
  uint32_t pos, end; /* where, and the end of the value holding it */
  uint8_t direct;    /* elements written directly (else an instance) */
  uint32_t tix, vfirst, nv, next; /* an instance: as instance() read it */
  int32_t top;       /* direct: the top node in tc->dp */
  int maxd;          /* direct: the depth its parse reached, from 1 */
  uint64_t n, b;     /* direct: its charges */
} memo;

/* an element to render as a child of the element being rendered */
typedef struct kid {
  uint32_t node, vfirst, nv; /* compiled element and its instance's values */
  int depth;
  uint32_t key_off, key_len; /* raw key (where: key_src) */
  uint8_t key_src;             /* KEY_LIT, KEY_ARENA, KEY_TREE */
  int32_t tnode;               /* >= 0: a node of tc->dp's tree, rendered by the tree renderer */
  unsigned dup;             /* siblings before it with the same key */
} kid;

#define LIT_SLACK 16 /* room kept past the end of tc->lit (out_lit) */
/* Compiled templates are kept across chunks (the same definitions come back
 * in every chunk of a log) until they take this much memory; then the
 * cache starts afresh at the next chunk. */
#define TC_KEEP_BYTES (16u << 20)

struct exh_evtx_tc {
  tpl *t;
  size_t nt, capt;
  cnode *n;
  size_t nn, capn;
  cattr *a;
  size_t na, capa;
  item *it;
  size_t nit, capit;
  exh_buf lit;
  exh_evtx_tindex ix; /* definitions -> compiled templates (tc->t) */
  /* rendering stacks */
  exh_evtx_value *vals;
  size_t nvals, capvals;
  kid *kids;
  size_t nkids, capkids;
  exh_evtx *cp; /* the parser used for symbolic parses of definitions */
  exh_evtx *dp; /* the tree of binary XML values written without a template (per record) */
  exh_str *keys; /* scratch for repeat counting */
  size_t capkeys;
  unsigned *dups;
  size_t capdups;
  int dp_used;
  uint32_t *occ; /* substitutions of the compiled definitions (tpl.occ0) */
  size_t nocc, capocc;
  memo memo[MEMO_MAX]; /* the record's walk, for rendering */
  size_t nmemo;
  op *ops; /* the op lists of cnodes (cnode.prog) */
  size_t nops, capops;
  exh_buf run; /* scratch: the literal run being gathered */
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

void exh__evtx__json_chunk(exh_evtx *p) {
  if (!p->tc) p->tc = exh__xcalloc(1, sizeof *p->tc);
  exh_evtx_tc *tc = p->tc;
  size_t bytes = tc->lit.n + exh__evtx__tindex_bytes(&tc->ix) + tc->nn * sizeof(cnode) + tc->na * sizeof(cattr) + tc->nit * sizeof(item) +
                 tc->nt * sizeof(tpl) + tc->nocc * sizeof *tc->occ + tc->nops * sizeof(op);
  if (bytes > TC_KEEP_BYTES) { /* start afresh */
    tc->nt = tc->nn = tc->na = tc->nit = tc->nocc = tc->nops = 0;
    tc->lit.n = 0;
    exh__evtx__tindex_reset(&tc->ix);
  }
  exh__evtx__tindex_chunk(&tc->ix);
}

void exh__evtx__json_free(exh_evtx *p) {
  exh_evtx_tc *tc = p->tc;
  if (!tc) return;
  free(tc->t);
  free(tc->n);
  free(tc->a);
  free(tc->it);
  free(tc->vals);
  free(tc->kids);
  exh__evtx__tindex_free(&tc->ix);
  free(tc->keys);
  free(tc->dups);
  exh__buf_free(&tc->lit);
  free(tc->occ);
  free(tc->ops);
  exh__buf_free(&tc->run);
  exh__evtx_free(tc->cp);
  exh__evtx_free(tc->dp);
  free(tc);
  p->tc = NULL;
}

/* ---- compiling --------------------------------------------------------- */

static uint32_t lit_raw(exh_evtx_tc *tc, const char *s, size_t n) {
  uint32_t off = (uint32_t)tc->lit.n;
  exh_buf_add(&tc->lit, s, n);
  return off;
}

static uint32_t lit_json(exh_evtx_tc *tc, const char *s, size_t n, uint32_t *len) {
  uint32_t off = (uint32_t)tc->lit.n;
  exh__json_buf(&tc->lit, n ? s : "", n);
  *len = (uint32_t)(tc->lit.n - off);
  return off;
}

static int has_mark(exh_str s) { return s.n && memchr(s.p, EXH_EVTX_MARK, s.n) != NULL; }
static int str_is(exh_str s, const char *lit) { return s.n == strlen(lit) && !memcmp(s.p, lit, s.n); }

/* Splits text with markers into items appended to tc->it. */
static void pieces(exh_evtx_tc *tc, exh_str s) {
  size_t i = 0;
  while (i < s.n) {
    EXH_VEC_RESERVE(tc->it, tc->capit, tc->nit + 1);
    item *x = &tc->it[tc->nit++];
    memset(x, 0, sizeof *x);
    if ((uint8_t)s.p[i] == EXH_EVTX_MARK && i + 3 <= s.n) {
      x->kind = IT_SUB;
      x->id = (uint16_t)((uint8_t)s.p[i + 1] | (uint8_t)s.p[i + 2] << 8);
      i += 3;
      continue;
    }
    size_t j = i;
    while (j < s.n && (uint8_t)s.p[j] != EXH_EVTX_MARK) j++;
    x->kind = IT_TEXT;
    x->off = lit_raw(tc, s.p + i, j - i);
    x->len = (uint32_t)(j - i);
    i = j;
  }
}

/* Compiles element `node` of the symbolic tree q; returns its index. */
static uint32_t compile_node(exh_evtx_tc *tc, const exh_evtx *q, int node) {
  const exh_evtx_node *tn = &q->nodes[node];
  EXH_VEC_RESERVE(tc->n, tc->capn, tc->nn + 1);
  uint32_t ci = (uint32_t)tc->nn++;
  cnode cn;
  memset(&cn, 0, sizeof cn);
  exh_str nm = exh__evtx_str(q, tn->name, tn->name_len);
  cn.name = lit_raw(tc, nm.p, nm.n);
  cn.name_len = (uint32_t)nm.n;
  cn.ename = lit_json(tc, nm.p, nm.n, &cn.ename_len);
  cn.is_ed = str_is(nm, "EventData") || str_is(nm, "UserData");
  cn.key_attr = -1;
  int is_data = str_is(nm, "Data");
  /* attributes */
  cn.attr0 = (uint32_t)tc->na;
  for (int a = tn->first_attr; a >= 0; a = q->attrs[a].next) cn.nattr++;
  EXH_VEC_RESERVE(tc->a, tc->capa, tc->na + cn.nattr);
  tc->na += cn.nattr;
  uint32_t k = 0;
  for (int a = tn->first_attr; a >= 0; a = q->attrs[a].next, k++) {
    const exh_evtx_attr *ta = &q->attrs[a];
    exh_str an = exh__evtx_str(q, ta->name, ta->name_len), av = exh__evtx_str(q, ta->val, ta->val_len);
    cattr ca;
    memset(&ca, 0, sizeof ca);
    ca.ename = lit_json(tc, an.p, an.n, &ca.ename_len);
    ca.is_name = str_is(an, "Name");
    if (ca.is_name) {
      if (is_data && cn.key_attr < 0) cn.key_attr = (int32_t)(cn.attr0 + k);
    } else {
      cn.nattr_noname++;
    }
    if (has_mark(av)) {
      ca.dynamic = 1;
      ca.item0 = (uint32_t)tc->nit;
      pieces(tc, av);
      ca.nitem = (uint32_t)tc->nit - ca.item0;
    } else {
      ca.val = lit_json(tc, av.p, av.n, &ca.val_len);
      ca.raw = lit_raw(tc, av.p, av.n);
      ca.raw_len = (uint32_t)av.n;
    }
    tc->a[cn.attr0 + k] = ca;
  }
  /* content: first the items of this element (a contiguous range), then
   * the child elements they point to */
  cn.item0 = (uint32_t)tc->nit;
  exh_buf text = {0};
  for (int c = tn->first_child; c >= 0; c = q->nodes[c].next) {
    const exh_evtx_node *ch = &q->nodes[c];
    if (ch->is_text) {
      exh_str s = exh__evtx_str(q, ch->text, ch->text_len);
      if (has_mark(s)) cn.has_sub = 1;
      exh_buf_add(&text, s.p, s.n);
      pieces(tc, s);
    } else {
      EXH_VEC_RESERVE(tc->it, tc->capit, tc->nit + 1);
      item *x = &tc->it[tc->nit++];
      memset(x, 0, sizeof *x);
      x->kind = IT_ELEM;
      x->node = (uint32_t)c; /* the tree's index for now */
    }
  }
  cn.nitem = (uint32_t)tc->nit - cn.item0;
  for (uint32_t i = 0; i < cn.nitem; i++) cn.nelem += tc->it[cn.item0 + i].kind == IT_ELEM;
  if (cn.nitem == 1 && tc->it[cn.item0].kind == IT_SUB) cn.leaf = 1, cn.leaf_id = tc->it[cn.item0].id;
  if (!cn.has_sub && text.n) cn.text = lit_json(tc, text.p, text.n, &cn.text_len);
  exh__buf_free(&text);
  if (cn.key_attr < 0) cn.ekey = cn.ename, cn.ekey_len = cn.ename_len;
  else if (!tc->a[cn.key_attr].dynamic) cn.ekey = tc->a[cn.key_attr].val, cn.ekey_len = tc->a[cn.key_attr].val_len;
  tc->n[ci] = cn;
  int keys_static = 1;
  tc->n[ci].height = 1;
  for (uint32_t i = 0; i < cn.nitem; i++) {
    if (tc->it[cn.item0 + i].kind != IT_ELEM) continue;
    uint32_t child = compile_node(tc, q, (int)tc->it[cn.item0 + i].node);
    tc->it[cn.item0 + i].node = child;
    if (tc->n[child].height + 1 > tc->n[ci].height) tc->n[ci].height = tc->n[child].height + 1;
    if (tc->n[child].key_attr >= 0 && tc->a[tc->n[child].key_attr].dynamic) keys_static = 0;
  }
  /* keys known now: the final ones ("_1", "_2"... for repeats), escaped */
  if (keys_static && !cn.has_sub) {
    tc->n[ci].static_kids = 1;
    exh_str *keys = exh__xmalloc((cn.nelem + 1) * sizeof *keys);
    unsigned *dups = exh__xmalloc((cn.nelem + 1) * sizeof *dups);
    uint32_t *koffs = exh__xmalloc((cn.nelem + 1) * sizeof *koffs); /* tc->lit grows below */
    uint32_t nk = 0;
    for (uint32_t i = 0; i < cn.nitem; i++) {
      if (tc->it[cn.item0 + i].kind != IT_ELEM) continue;
      const cnode *x = &tc->n[tc->it[cn.item0 + i].node];
      uint32_t koff = x->key_attr >= 0 ? tc->a[x->key_attr].raw : x->name;
      uint32_t klen = x->key_attr >= 0 ? tc->a[x->key_attr].raw_len : x->name_len;
      koffs[nk] = koff;
      keys[nk++] = (exh_str){tc->lit.p + koff, klen};
    }
    exh__dup_counts(keys, nk, dups);
    nk = 0;
    for (uint32_t i = 0; i < cn.nitem; i++) {
      if (tc->it[cn.item0 + i].kind != IT_ELEM) continue;
      size_t koff = koffs[nk], klen = keys[nk].n;
      unsigned dup = dups[nk++];
      char small[512];
      const char *kp = small;
      size_t kn = klen;
      if (dup) {
        kn = (size_t)snprintf(small, sizeof small, "%.*s_%u", (int)(klen < 480 ? klen : 480), tc->lit.p + koff, dup);
      } else { /* escaped from tc->lit into itself: the room first, so kp stays put */
        exh__buf_grow(&tc->lit, 6 * klen + 2);
        kp = tc->lit.p + koff;
      }
      uint32_t len, off = lit_json(tc, kp, kn, &len);
      tc->it[cn.item0 + i].off = off, tc->it[cn.item0 + i].len = len;
    }
    free(keys);
    free(dups);
    free(koffs);
  }
  return ci;
}

/* Compiles the definition whose binary XML is [tstart, tend) of the chunk
 * into a new entry of the cache. */
static tpl *compile(exh_evtx *p, exh_evtx_tc *tc, size_t tstart, size_t tend) {
  p->ncompiled++;
  if (!tc->cp) tc->cp = exh__evtx_new();
  exh_evtx *q = tc->cp;
  q->chunk = p->chunk;
  q->chunk_size = p->chunk_size;
  q->chunk_file_off = p->chunk_file_off;
  exh__evtx__reset_record(q);
  q->symbolic = q->quiet = 1;
  q->unsupported = 0;
  q->max_nodes = p->max_nodes, q->max_bytes = p->max_bytes;
  int top = exh__evtx__new_node(q, -1);
  size_t used = 0;
  int rc = exh__evtx__fragment(q, tstart, tend, NULL, 65536, top, 1, 1, &used);
  EXH_VEC_RESERVE(tc->t, tc->capt, tc->nt + 1);
  tpl *t = &tc->t[tc->nt++];
  t->ok = rc == 0 && !q->unsupported && !q->bad && !q->over;
  t->item0 = (uint32_t)tc->nit;
  t->nitem = 0;
  t->nocc = 0;
  if (!t->ok) return t;
  /* a symbolic parse charges exactly what the tree's parse of the
   * definition charges apart from the values (evtx.c) */
  t->snodes = q->cnodes, t->sbytes = q->cbytes;
  t->occ0 = (uint32_t)tc->nocc;
  t->nocc = (uint32_t)q->nocc;
  EXH_VEC_RESERVE(tc->occ, tc->capocc, tc->nocc + q->nocc);
  if (q->nocc) memcpy(tc->occ + tc->nocc, q->occ, q->nocc * sizeof *q->occ);
  tc->nocc += q->nocc;
  /* top-level items, then the elements behind them */
  for (int c = q->nodes[top].first_child; c >= 0; c = q->nodes[c].next) {
    const exh_evtx_node *ch = &q->nodes[c];
    if (ch->is_text) {
      pieces(tc, exh__evtx_str(q, ch->text, ch->text_len));
    } else {
      EXH_VEC_RESERVE(tc->it, tc->capit, tc->nit + 1);
      item *x = &tc->it[tc->nit++];
      memset(x, 0, sizeof *x);
      x->kind = IT_ELEM;
      x->node = (uint32_t)c;
    }
  }
  uint32_t item0 = t->item0, nitem = (uint32_t)tc->nit - item0;
  for (uint32_t i = 0; i < nitem; i++) {
    if (tc->it[item0 + i].kind != IT_ELEM) continue;
    uint32_t ci = compile_node(tc, q, (int)tc->it[item0 + i].node); /* may move tc->it */
    tc->it[item0 + i].node = ci;
  }
  t->nitem = nitem;
  exh__buf_grow(&tc->lit, LIT_SLACK); /* out_lit's fixed-size moves stay inside */
  return t;
}

/* ---- the cache across chunks -------------------------------------------
 *
 * A definition's signature is its token stream with every name given by
 * its characters instead of its chunk offset, and without the sizes that
 * count inline names: everything the parser reads from a definition, and
 * nothing that depends on where it lies. The parser reads a definition token
 * by token, so equal signatures parse, and compile, the same in any chunk.
 * A definition with anything else in it (processing instructions, nested
 * templates, unknown tokens, names outside the chunk) has no signature and
 * is compiled once per chunk, as before. */

static int sig_name(const exh_evtx *p, size_t *pos, size_t end, exh_buf *out) {
  const uint8_t *c = p->chunk;
  if (*pos + 4 > end) return -1;
  uint32_t noff = le32(c + *pos);
  *pos += 4;
  if ((size_t)noff + 8 > p->chunk_size) return -1;
  size_t nch = le16(c + noff + 6), need = 8 + 2 * nch + 2;
  if ((size_t)noff + need > p->chunk_size) return -1;
  exh_buf_add(out, (const char *)c + noff + 6, 2 + 2 * nch); /* count, characters */
  if (noff == *pos) { /* written inline: skipped by the parser */
    if (*pos + need > end) return -1;
    *pos += need;
  }
  return 0;
}

static int signature(const exh_evtx *p, size_t pos, size_t end, exh_buf *out) {
  const uint8_t *c = p->chunk;
  out->n = 0;
  while (pos < end) {
    uint8_t t = c[pos];
    exh_buf_addc(out, (char)t);
    switch (t & 0x0F) {
    case 0x00: /* end of the fragment: the parser stops here */
      return t == 0x00 ? 0 : -1;
    case 0x0F: /* fragment header */
      if (t != 0x0F || pos + 4 > end) return -1;
      pos += 4;
      break;
    case 0x01: /* element start: dependency id, data size (not read), name, attribute list size (not read) */
      if (pos + 7 > end) return -1;
      exh_buf_add(out, (const char *)c + pos + 1, 2);
      pos += 7;
      if (sig_name(p, &pos, end, out)) return -1;
      if (t & 0x40) {
        if (pos + 4 > end) return -1;
        pos += 4;
      }
      break;
    case 0x02: case 0x03: case 0x04: /* close start, close empty, end element */
      if (t & 0xF0) return -1;
      pos++;
      break;
    case 0x06: /* attribute: its name */
    case 0x09: /* entity reference: its name */
      pos++;
      if (sig_name(p, &pos, end, out)) return -1;
      break;
    case 0x05: /* value text: type, count, characters */
    case 0x07: { /* CDATA: count, characters */
      size_t at = pos + ((t & 0x0F) == 0x05 ? 2 : 1);
      if (at + 2 > end) return -1;
      size_t len = at + 2 + 2 * (size_t)le16(c + at) - (pos + 1);
      if (pos + 1 + len > end) return -1;
      exh_buf_add(out, (const char *)c + pos + 1, len);
      pos += 1 + len;
      break;
    }
    case 0x0D: case 0x0E: /* substitution: id, type */
      if ((t & 0xF0) || pos + 4 > end) return -1;
      exh_buf_add(out, (const char *)c + pos + 1, 3);
      pos += 4;
      break;
    case 0x08: /* character reference */
      if (pos + 3 > end) return -1;
      exh_buf_add(out, (const char *)c + pos + 1, 2);
      pos += 3;
      break;
    default: /* processing instructions, templates, unknown: no signature */
      return -1;
    }
  }
  return -1; /* no end token */
}

static uint64_t sig_hash(const exh_buf *b) {
  /* eight bytes a step (signatures are a few hundred bytes; every chunk
   * hashes each of its definitions once) */
  uint64_t h = 1469598103934665603ull ^ b->n;
  size_t i = 0;
  for (; i + 8 <= b->n; i += 8) {
    uint64_t w;
    memcpy(&w, b->p + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  for (; i < b->n; i++) h = (h ^ (uint8_t)b->p[i]) * 1099511628211ull;
  return h;
}

static tpl *lookup(exh_evtx *p, exh_evtx_tc *tc, uint32_t def, size_t tstart, size_t tend) {
  int32_t ti = exh__evtx__tindex_find(p, &tc->ix, def, tstart, tend);
  if (ti == -2) return NULL;
  if (ti < 0) {
    ti = (int32_t)(compile(p, tc, tstart, tend) - tc->t);
    exh__evtx__tindex_add(&tc->ix, ti);
  }
  return &tc->t[ti];
}

/* ---- rendering --------------------------------------------------------- */

/* The template instance at `pos` (token 0x0c) within [pos, end), checked as
 * parse_template checks it: its compiled definition, its values appended to
 * tc->vals, and the offset after them. */
static int instance(exh_evtx *p, exh_evtx_tc *tc, size_t pos, size_t end, uint32_t *tix, uint32_t *vfirst,
                    uint32_t *nvals, size_t *next) {
  uint32_t def, nv;
  size_t tstart, tend, at;
  if (exh__evtx__instance_head(p, pos, end, &def, &tstart, &tend, &nv, &at)) return -1;
  tpl *t = lookup(p, tc, def, tstart, tend);
  if (!t || !t->ok) return -1;
  EXH_VEC_RESERVE(tc->vals, tc->capvals, tc->nvals + nv);
  /* no values: vals may still be NULL, and NULL + 0 is undefined */
  size_t dat = nv ? exh__evtx__instance_values(p, at, nv, end, tc->vals + tc->nvals) : at;
  if (!dat) return -1;
  *tix = (uint32_t)(t - tc->t);
  *vfirst = (uint32_t)tc->nvals;
  *nvals = nv;
  tc->nvals += nv;
  *next = dat;
  return 0;
}

/* ---- the expansion budget ------------------------------------------------
 *
 * Before a record is rendered here, what the tree would charge for it
 * (evtx.c: charge()) is added up: per instance its definition's static
 * charges (from the symbolic parse that compiled it) and its size, then
 * each substitution the definition holds, as often as it occurs, with
 * binary XML values followed into their own instances. The sum is the
 * tree's exactly, so a record is rendered here only if the tree would
 * decode it within the limits too; otherwise (a template bomb) it is
 * declined and the tree reports it. The walk stops as soon as the sum is
 * over, so its own work is bounded by the limits. */

typedef struct cost {
  uint64_t n, b;
  int level; /* binary XML values followed */
} cost;

static int cost_add(const exh_evtx *p, cost *k, uint64_t n, uint64_t b) {
  k->n += n, k->b += b;
  return k->n > p->max_nodes || k->b > p->max_bytes ? -1 : 0;
}

/* What the walk read, kept for rendering (the first MEMO_MAX of a record):
 * a nested instance's template and values, or the tree of elements written
 * directly in a value (with the depth its parse reached), so neither is
 * parsed twice. Keyed by position and the end of the value holding it: a
 * crafted record may hold one instance in two values of different ends. */
static memo *memo_find(exh_evtx_tc *tc, size_t pos, size_t end, int direct) {
  for (size_t i = 0; i < tc->nmemo; i++)
    if (tc->memo[i].pos == pos && tc->memo[i].end == end && tc->memo[i].direct == direct) return &tc->memo[i];
  return NULL;
}

static memo *memo_add(exh_evtx_tc *tc, size_t pos, size_t end, int direct) {
  if (tc->nmemo == MEMO_MAX) return NULL;
  memo *m = &tc->memo[tc->nmemo++];
  memset(m, 0, sizeof *m);
  m->pos = (uint32_t)pos, m->end = (uint32_t)end, m->direct = (uint8_t)direct;
  return m;
}

static int cost_values(exh_evtx *p, exh_evtx_tc *tc, size_t pos, uint32_t tix, uint32_t vfirst, uint32_t nv, cost *k);

static int instance(exh_evtx *p, exh_evtx_tc *tc, size_t pos, size_t end, uint32_t *tix, uint32_t *vfirst,
                    uint32_t *nvals, size_t *next);

/* The tree of values written without a template (tc->dp), reset at a
 * record's first use. */
static exh_evtx *dp_for(exh_evtx *p, exh_evtx_tc *tc) {
  if (!tc->dp) tc->dp = exh__evtx_new();
  exh_evtx *d = tc->dp;
  if (!tc->dp_used) exh__evtx__reset_record(d);
  tc->dp_used = 1;
  d->chunk = p->chunk, d->chunk_size = p->chunk_size, d->chunk_file_off = p->chunk_file_off;
  d->quiet = 1;
  return d;
}

/* Elements or text written directly in a binary XML value, from pos on:
 * what the tree's parse of them charges, by parsing them into tc->dp (the
 * tree kept for rendering, see memo). */
static int cost_direct(exh_evtx *p, exh_evtx_tc *tc, size_t pos, size_t end, cost *k) {
  const memo *m = memo_find(tc, pos, end, 1);
  if (m) return cost_add(p, k, m->n, m->b);
  exh_evtx *d = dp_for(p, tc);
  size_t nodes0 = d->nnodes, attrs0 = d->nattrs, arena0 = d->arena.n;
  uint64_t n0 = d->cnodes, b0 = d->cbytes;
  d->max_nodes = n0 + (p->max_nodes - k->n), d->max_bytes = b0 + (p->max_bytes - k->b);
  d->bad = d->over = d->maxdepth = 0;
  int top = exh__evtx__new_node(d, -1);
  size_t used = 0;
  int rc = exh__evtx__fragment(d, pos, end, NULL, 0, top, 1, 0, &used);
  uint64_t n = d->cnodes - n0, b = d->cbytes - b0;
  int bad = rc || d->bad || d->over;
  d->max_nodes = p->max_nodes, d->max_bytes = p->max_bytes;
  d->over = 0;
  memo *mm = bad ? NULL : memo_add(tc, pos, end, 1);
  if (mm) {
    mm->top = top, mm->maxd = d->maxdepth, mm->n = n, mm->b = b;
  } else { /* not kept: dropped */
    d->nnodes = nodes0, d->nattrs = attrs0, d->arena.n = arena0;
  }
  return bad ? -1 : cost_add(p, k, n, b);
}

/* A binary XML value: put_value's charge, then parse_fragment's loop. */
static int cost_binxml(exh_evtx *p, exh_evtx_tc *tc, exh_evtx_value v, cost *k) {
  if (cost_add(p, k, 1, 0) || ++k->level > EXH_EVTX_MAX_DEPTH) return -1; /* deeper: damage for the tree */
  const uint8_t *c = p->chunk;
  size_t pos = (size_t)(v.data - c), end = pos + v.size;
  while (pos < end) {
    uint8_t t = c[pos];
    if (t == 0x00) break;
    if (t == 0x0f) {
      pos += 4;
      continue;
    }
    if (t != 0x0c) {
      if (cost_direct(p, tc, pos, end, k)) return -1;
      break;
    }
    uint32_t tix, vfirst, nv;
    size_t next, nvals = tc->nvals, nmemo = tc->nmemo;
    const memo *m = memo_find(tc, pos, end, 0);
    if (m) {
      tix = m->tix, vfirst = m->vfirst, nv = m->nv, next = m->next;
    } else {
      if (instance(p, tc, pos, end, &tix, &vfirst, &nv, &next)) return -1;
      memo *mm = memo_add(tc, pos, end, 0);
      if (mm) mm->tix = tix, mm->vfirst = vfirst, mm->nv = nv, mm->next = (uint32_t)next;
    }
    if (cost_values(p, tc, pos, tix, vfirst, nv, k)) return -1;
    if (tc->nmemo == nmemo) tc->nvals = nvals; /* nothing kept: the values go */
    pos = next;
  }
  k->level--;
  return 0;
}

/* The instance at pos (template tix, values vfirst..+nv, as instance()
 * read them): parse_template's charges (the definition's size, the value
 * count), the definition's own, then its substitutions in order, as
 * put_value charges them (an attribute's scratch node, a node and the
 * rendering's bound per value, binary XML followed). */
static int cost_values(exh_evtx *p, exh_evtx_tc *tc, size_t pos, uint32_t tix, uint32_t vfirst, uint32_t nv, cost *k) {
  const uint8_t *c = p->chunk;
  uint32_t dsize = le32(c + le32(c + pos + 6) + 20); /* instance() checked it is in the chunk */
  if (cost_add(p, k, 1 + tc->t[tix].snodes, dsize + 16ull * nv + tc->t[tix].sbytes)) return -1;
  uint32_t occ0 = tc->t[tix].occ0, nocc = tc->t[tix].nocc; /* tc->t may move below (nested definitions) */
  /* plain values summed apart and added at the end (no overflow: at most
   * 16K substitutions of at most 400 KB each) */
  uint64_t n = 0, b = 0;
  for (uint32_t i = 0; i < nocc; i++) {
    uint32_t o = tc->occ[occ0 + i], id = o & 0xFFFF;
    if (id >= nv) continue;
    const exh_evtx_value *v = &tc->vals[vfirst + id];
    n += o >> 16; /* EXH_EVTX_OCC_ATTR: the scratch node */
    if (v->type == 0x00 || v->size == 0) continue;
    if (v->type != 0x21) {
      n++;
      b += EXH_EVTX_VALUE_BYTES(v->size);
      continue;
    }
    exh_evtx_value vv = *v; /* tc->vals may move below */
    if (cost_add(p, k, n, b) || cost_binxml(p, tc, vv, k)) return -1;
    n = b = 0;
  }
  return cost_add(p, k, n, b);
}

static const exh_evtx_value *val_at(const exh_evtx_tc *tc, uint32_t vfirst, uint32_t nv, uint16_t id) {
  if (id >= nv) return NULL;
  const exh_evtx_value *v = &tc->vals[vfirst + id];
  return v->type && v->size ? v : NULL; /* null or empty: renders nothing */
}

static void push_kid(exh_evtx_tc *tc, uint32_t node, uint32_t vfirst, uint32_t nv, int depth) {
  EXH_VEC_RESERVE(tc->kids, tc->capkids, tc->nkids + 1);
  kid *k = &tc->kids[tc->nkids++];
  memset(k, 0, sizeof *k);
  k->node = node, k->vfirst = vfirst, k->nv = nv, k->depth = depth;
  k->tnode = -1;
}

/* A binary XML value holding elements written directly (no template, as
 * CAPI2's UserData): parsed into the tree of tc->dp, as put_value does it,
 * its elements become children and its text goes to the arena. */
static int expand_tree(exh_evtx *p, exh_evtx_tc *tc, size_t pos, size_t end, int depth) {
  exh_evtx *d = dp_for(p, tc);
  const memo *m = memo_find(tc, pos, end, 1);
  int top;
  if (m) { /* parsed by the walk from depth 1: here from depth + 1 */
    if (m->maxd + depth > EXH_EVTX_MAX_DEPTH) return -1;
    top = m->top;
  } else {
    d->bad = 0;
    top = exh__evtx__new_node(d, -1);
    size_t used = 0;
    if (exh__evtx__fragment(d, pos, end, NULL, 0, top, depth + 1, 0, &used) || d->bad) return -1;
  }
  for (int c = d->nodes[top].first_child; c >= 0; c = d->nodes[c].next) {
    if (d->nodes[c].is_text) {
      exh_buf_add(&p->arena, d->arena.p + d->nodes[c].text, d->nodes[c].text_len);
      continue;
    }
    push_kid(tc, 0, 0, 0, 0);
    tc->kids[tc->nkids - 1].tnode = c;
  }
  return 0;
}

/* A binary XML value in the content of an element at `depth`: its template
 * instances' top-level elements become children (pushed on tc->kids) and
 * their top-level text goes to the arena, as parse_fragment does it. */
static int expand(exh_evtx *p, exh_evtx_tc *tc, const exh_evtx_value *v, int depth) {
  const uint8_t *c = p->chunk;
  size_t pos = (size_t)(v->data - c), end = pos + v->size;
  if (depth + 2 > EXH_EVTX_MAX_DEPTH) return -1;
  int instances = 0;
  while (pos < end) {
    uint8_t t = c[pos];
    if (t == 0x00) break;
    if (t == 0x0f) {
      pos += 4;
      continue;
    }
    if (t != 0x0c) { /* elements or text written directly */
      if (instances) return -1; /* after an instance: the whole record goes to the tree */
      return expand_tree(p, tc, pos, end, depth);
    }
    instances++;
    uint32_t tix, vfirst, nv;
    size_t next;
    const memo *m = memo_find(tc, pos, end, 0);
    if (m) tix = m->tix, vfirst = m->vfirst, nv = m->nv, next = m->next;
    else if (instance(p, tc, pos, end, &tix, &vfirst, &nv, &next)) return -1;
    const tpl *tp = &tc->t[tix];
    for (uint32_t i = 0; i < tp->nitem; i++) {
      const item *x = &tc->it[tp->item0 + i];
      if (x->kind == IT_ELEM) {
        push_kid(tc, x->node, vfirst, nv, depth + 3);
      } else if (x->kind == IT_TEXT) {
        exh_buf_add(&p->arena, tc->lit.p + x->off, x->len);
      } else {
        const exh_evtx_value *w = val_at(tc, vfirst, nv, x->id);
        if (w && w->type == 0x21) return -1; /* deeper nesting at the top level: the tree */
        if (w) exh__evtx__render_value(p, w);
      }
    }
    pos = next;
  }
  return 0;
}

/* The raw text of a dynamic attribute's pieces, appended to the arena. */
static int attr_text(exh_evtx *p, exh_evtx_tc *tc, const cattr *ca, uint32_t vfirst, uint32_t nv) {
  for (uint32_t i = 0; i < ca->nitem; i++) {
    const item *x = &tc->it[ca->item0 + i];
    if (x->kind == IT_TEXT) {
      exh_buf_add(&p->arena, tc->lit.p + x->off, x->len);
      continue;
    }
    const exh_evtx_value *w = val_at(tc, vfirst, nv, x->id);
    if (w && w->type == 0x21) return -1; /* the tree keeps odd text here */
    if (w) exh__evtx__render_value(p, w);
  }
  return 0;
}

/* Output appends. The line is not kept NUL-terminated while it grows (its
 * length is what counts): a terminator after every piece made the compiler
 * reload the buffer's fields after each byte store. */
static inline void os(exh_buf *o, const char *s, size_t n) {
  size_t at = o->n;
  if (at + n + 1 > o->cap) exh__buf_grow(o, n);
  memcpy(o->p + at, s, n);
  o->n = at + n;
}

static inline void oc(exh_buf *o, char c) {
  size_t at = o->n;
  if (at + 2 > o->cap) exh__buf_grow(o, 1);
  o->p[at] = c;
  o->n = at + 1;
}

/* Literals of the compiled form: tc->lit keeps LIT_SLACK bytes of room past
 * its end, so a short one is copied with one fixed-size move. */
static inline void out_lit(exh_evtx *p, const exh_evtx_tc *tc, uint32_t off, uint32_t len) {
  exh_buf *o = p->jout;
  size_t at = o->n;
  if (at + len + LIT_SLACK + 1 > o->cap) exh__buf_grow(o, len + LIT_SLACK);
  if (len <= LIT_SLACK) memcpy(o->p + at, tc->lit.p + off, LIT_SLACK);
  else memcpy(o->p + at, tc->lit.p + off, len);
  o->n = at + len;
}

static int value_json(exh_evtx *p, const exh_evtx_value *v) { return exh__evtx__value_json(p, p->jout, v); }

/* The "#attributes" object of an element (it has some in this context). */
static int attrs_json(exh_evtx *p, exh_evtx_tc *tc, const cnode *cn, uint32_t vfirst, uint32_t nv, int in_ed) {
  exh_buf *o = p->jout, *ar = &p->arena;
  os(o, "\"#attributes\":{", 15);
  int fa = 1;
  for (uint32_t a = 0; a < cn->nattr; a++) {
    const cattr ca = tc->a[cn->attr0 + a];
    if (in_ed && ca.is_name) continue;
    if (!fa) oc(o, ',');
    out_lit(p, tc, ca.ename, ca.ename_len);
    oc(o, ':');
    if (!ca.dynamic) {
      out_lit(p, tc, ca.val, ca.val_len);
    } else if (ca.nitem == 1 && tc->it[ca.item0].kind == IT_SUB) {
      const exh_evtx_value *w = val_at(tc, vfirst, nv, tc->it[ca.item0].id);
      if (w && w->type == 0x21) return -1; /* the tree keeps odd text here */
      if (!w || !value_json(p, w)) os(o, "\"\"", 2);
    } else {
      size_t m = ar->n;
      if (attr_text(p, tc, &ca, vfirst, nv)) return -1;
      exh__json_buf(o, ar->n > m ? ar->p + m : "", ar->n - m);
      ar->n = m;
    }
    fa = 0;
  }
  oc(o, '}');
  return 0;
}

static const char *key_base(const exh_evtx *p, const exh_evtx_tc *tc, int src) {
  return src == KEY_ARENA ? p->arena.p : src == KEY_TREE ? tc->dp->arena.p : tc->lit.p;
}

/* ---- op lists (see op) ---------------------------------------------------- */

/* An op, after the literal gathered in tc->run (written first). */
static void op_push(exh_evtx_tc *tc, uint8_t kind, uint8_t in_ed, uint16_t id, uint32_t a, uint32_t b) {
  uint32_t off = 0, len = (uint32_t)tc->run.n;
  if (len) off = lit_raw(tc, tc->run.p, len);
  tc->run.n = 0;
  EXH_VEC_RESERVE(tc->ops, tc->capops, tc->nops + 1);
  tc->ops[tc->nops++] = (op){kind, in_ed, id, off, len, a, b};
}

static void run_lit(exh_evtx_tc *tc, uint32_t off, uint32_t len) { exh_buf_add(&tc->run, tc->lit.p + off, len); }

/* Ops writing element ni's value as render(ni, in_ed) at depth `rd` below
 * the list's element would. */
static void op_value(exh_evtx_tc *tc, uint32_t ni, int in_ed, uint32_t rd) {
  const cnode cn = tc->n[ni]; /* a copy: tc->n does not move here, but stay as render() is */
  uint32_t nattr = in_ed ? cn.nattr_noname : cn.nattr;
  if (!nattr && cn.leaf) {
    op_push(tc, OP_VAL, (uint8_t)in_ed, cn.leaf_id, ni, rd);
    return;
  }
  if (!nattr && !cn.has_sub && !cn.nelem) {
    if (cn.text_len) run_lit(tc, cn.text, cn.text_len);
    else exh_buf_add(&tc->run, "null", 4);
    return;
  }
  if (!cn.static_kids) {
    op_push(tc, OP_CALL, (uint8_t)in_ed, 0, ni, rd);
    return;
  }
  exh_buf_addc(&tc->run, '{');
  if (nattr) { /* as attrs_json */
    exh_buf_add(&tc->run, "\"#attributes\":{", 15);
    int fa = 1;
    for (uint32_t a = 0; a < cn.nattr; a++) {
      const cattr ca = tc->a[cn.attr0 + a];
      if (in_ed && ca.is_name) continue;
      if (!fa) exh_buf_addc(&tc->run, ',');
      run_lit(tc, ca.ename, ca.ename_len);
      exh_buf_addc(&tc->run, ':');
      if (!ca.dynamic) {
        run_lit(tc, ca.val, ca.val_len);
      } else if (ca.nitem == 1 && tc->it[ca.item0].kind == IT_SUB) {
        op_push(tc, OP_AVAL, 0, tc->it[ca.item0].id, 0, 0);
      } else {
        op_push(tc, OP_ATEXT, 0, 0, cn.attr0 + a, 0);
      }
      fa = 0;
    }
    exh_buf_addc(&tc->run, '}');
  }
  uint32_t k = 0;
  for (uint32_t i = 0; i < cn.nitem; i++) {
    const item x = tc->it[cn.item0 + i];
    if (x.kind != IT_ELEM) continue;
    if (nattr || k++) exh_buf_addc(&tc->run, ',');
    run_lit(tc, x.off, x.len);
    exh_buf_addc(&tc->run, ':');
    op_value(tc, x.node, in_ed || cn.is_ed, rd + 1);
  }
  if (cn.text_len) {
    exh_buf_add(&tc->run, ",\"#text\":", 9);
    run_lit(tc, cn.text, cn.text_len);
  }
  exh_buf_addc(&tc->run, '}');
}

/* The op list of static_kids element ni for in_ed: its first op. */
static uint32_t op_list(exh_evtx_tc *tc, uint32_t ni, int in_ed) {
  uint32_t first = (uint32_t)tc->nops;
  tc->run.n = 0;
  op_value(tc, ni, in_ed, 0);
  op_push(tc, OP_END, 0, 0, 0, 0);
  exh__buf_grow(&tc->lit, LIT_SLACK); /* out_lit's fixed-size moves stay inside */
  tc->n[ni].prog[in_ed] = first + 1;
  return first;
}

static int render(exh_evtx *p, exh_evtx_tc *tc, uint32_t ni, uint32_t vfirst, uint32_t nv, int in_ed, int depth);
static int attr_text(exh_evtx *p, exh_evtx_tc *tc, const cattr *ca, uint32_t vfirst, uint32_t nv);
static inline void os(exh_buf *o, const char *s, size_t n);
static inline void out_lit(exh_evtx *p, const exh_evtx_tc *tc, uint32_t off, uint32_t len);
static int value_json(exh_evtx *p, const exh_evtx_value *v);
static const exh_evtx_value *val_at(const exh_evtx_tc *tc, uint32_t vfirst, uint32_t nv, uint16_t id);

/* Runs the op list at tc->ops[first] for an element at `depth`. Ops are
 * read by index: a call may compile nested definitions (and move tc->ops
 * when it makes their lists). */
static int op_run(exh_evtx *p, exh_evtx_tc *tc, uint32_t first, uint32_t vfirst, uint32_t nv, int depth) {
  exh_buf *o = p->jout;
  for (uint32_t i = first;; i++) {
    const op x = tc->ops[i];
    if (x.len) out_lit(p, tc, x.off, x.len);
    switch (x.kind) {
    case OP_VAL: {
      const exh_evtx_value *w = val_at(tc, vfirst, nv, x.id);
      if (!w) {
        os(o, "null", 4);
      } else if (w->type == 0x01) { /* a string, as exh__evtx__value_json writes it */
        size_t nch = w->size / 2;
        while (nch && w->data[2 * nch - 2] == 0 && w->data[2 * nch - 1] == 0) nch--; /* trailing NULs go */
        if (nch) exh__evtx__json_utf16(o, w->data, nch);
        else os(o, "null", 4);
      } else if (w->type != 0x21) {
        if (!value_json(p, w)) os(o, "null", 4);
      } else if (render(p, tc, x.a, vfirst, nv, x.in_ed, depth + (int)x.b)) {
        return -1;
      }
      break;
    }
    case OP_AVAL: {
      const exh_evtx_value *w = val_at(tc, vfirst, nv, x.id);
      if (w && w->type == 0x21) return -1; /* the tree keeps odd text here */
      if (!w || !value_json(p, w)) os(o, "\"\"", 2);
      break;
    }
    case OP_ATEXT: {
      exh_buf *ar = &p->arena;
      size_t m = ar->n;
      cattr ca = tc->a[x.a];
      if (attr_text(p, tc, &ca, vfirst, nv)) return -1;
      exh__json_buf(o, ar->n > m ? ar->p + m : "", ar->n - m);
      ar->n = m;
      break;
    }
    case OP_CALL:
      if (render(p, tc, x.a, vfirst, nv, x.in_ed, depth + (int)x.b)) return -1;
      break;
    default:
      return 0;
    }
  }
}

/* Renders compiled element `ni` (values vfirst..+nv) as json_node() of
 * report/evtx_out.c renders the same element's tree. */
static int render(exh_evtx *p, exh_evtx_tc *tc, uint32_t ni, uint32_t vfirst, uint32_t nv, int in_ed, int depth) {
  if (depth > EXH_EVTX_MAX_DEPTH) return -1;
  exh_buf *o = p->jout, *ar = &p->arena;
  {
    /* the common leaves first: <X>%n</X> and <X>text</X> without attributes */
    const cnode *np = &tc->n[ni];
    if (!(in_ed ? np->nattr_noname : np->nattr)) {
      if (np->leaf) {
        const exh_evtx_value *w = val_at(tc, vfirst, nv, np->leaf_id);
        if (!w) {
          os(o, "null", 4);
          return 0;
        }
        if (w->type != 0x21) {
          if (!value_json(p, w)) os(o, "null", 4);
          return 0;
        }
      } else if (!np->has_sub && !np->nelem) {
        if (np->text_len) out_lit(p, tc, np->text, np->text_len);
        else os(o, "null", 4);
        return 0;
      }
    }
  }
  /* as its op list, unless an element below it is too deep (then the walk
   * below declines the record where the tree does, and no list is made:
   * lists are made only for subtrees that fit, so they stay linear in the
   * definitions' size) */
  if (tc->n[ni].static_kids && depth + (int64_t)tc->n[ni].height - 1 <= EXH_EVTX_MAX_DEPTH) {
    uint32_t pr = tc->n[ni].prog[in_ed != 0];
    uint32_t first = pr ? pr - 1 : op_list(tc, ni, in_ed != 0);
    return op_run(p, tc, first, vfirst, nv, depth);
  }
  const cnode cn = tc->n[ni]; /* a copy: compiling nested definitions may move tc->n */
  uint32_t nattr = in_ed ? cn.nattr_noname : cn.nattr;
  if (cn.static_kids) {
    /* the structure is fixed: children with their keys made at compile time */
    oc(o, '{');
    if (nattr && attrs_json(p, tc, &cn, vfirst, nv, in_ed)) return -1;
    uint32_t k = 0;
    for (uint32_t i = 0; i < cn.nitem; i++) {
      const item x = tc->it[cn.item0 + i];
      if (x.kind != IT_ELEM) continue;
      if (nattr || k++) oc(o, ',');
      out_lit(p, tc, x.off, x.len);
      oc(o, ':');
      if (render(p, tc, x.node, vfirst, nv, in_ed || cn.is_ed, depth + 1)) return -1;
    }
    if (cn.text_len) {
      os(o, ",\"#text\":", 9);
      out_lit(p, tc, cn.text, cn.text_len);
    }
    oc(o, '}');
    return 0;
  }
  size_t kbase = tc->nkids, tmark = ar->n;
  /* content: children and text, in order */
  for (uint32_t i = 0; i < cn.nitem; i++) {
    const item x = tc->it[cn.item0 + i];
    if (x.kind == IT_ELEM) {
      push_kid(tc, x.node, vfirst, nv, depth + 1);
    } else if (x.kind == IT_TEXT) {
      if (cn.has_sub) exh_buf_add(ar, tc->lit.p + x.off, x.len);
    } else {
      const exh_evtx_value *w = val_at(tc, vfirst, nv, x.id);
      if (!w) continue;
      if (w->type == 0x21) {
        if (expand(p, tc, w, depth)) return -1;
      } else {
        exh__evtx__render_value(p, w);
      }
    }
  }
  size_t tlen = ar->n - tmark, nk = tc->nkids - kbase;
  if (!nattr && !nk) {
    if (!cn.has_sub) {
      if (cn.text_len) out_lit(p, tc, cn.text, cn.text_len);
      else os(o, "null", 4);
    } else if (tlen) {
      exh__json_buf(o, ar->p + tmark, tlen);
    } else {
      os(o, "null", 4);
    }
    ar->n = tmark;
    return 0;
  }
  oc(o, '{');
  if (nattr && attrs_json(p, tc, &cn, vfirst, nv, in_ed)) return -1;
  /* the children's keys: static ones were escaped at compile time; the
   * others are gathered in the arena (kept until this element is done) */
  for (size_t i = 0; i < nk; i++) {
    kid *k = &tc->kids[kbase + i];
    if (k->tnode >= 0) { /* as key_of() of the tree renderer */
      const exh_evtx *d = tc->dp;
      const exh_evtx_node *tn = exh__evtx_node_at(d, k->tnode);
      exh_str key = exh__evtx_str(d, tn->name, tn->name_len);
      if (key.n == 4 && !memcmp(key.p, "Data", 4)) {
        exh_str dn = exh__evtx_attr_value(d, k->tnode, "Name");
        if (dn.p) key = dn;
      }
      k->key_src = KEY_TREE, k->key_off = (uint32_t)(key.p - d->arena.p), k->key_len = (uint32_t)key.n;
      continue;
    }
    const cnode *x = &tc->n[k->node];
    if (x->key_attr >= 0 && tc->a[x->key_attr].dynamic) {
      size_t m = ar->n;
      cattr ca = tc->a[x->key_attr];
      if (attr_text(p, tc, &ca, k->vfirst, k->nv)) return -1;
      k = &tc->kids[kbase + i];
      k->key_src = KEY_ARENA, k->key_off = (uint32_t)m, k->key_len = (uint32_t)(ar->n - m);
    } else if (x->key_attr >= 0) {
      k->key_off = tc->a[x->key_attr].raw, k->key_len = tc->a[x->key_attr].raw_len;
    } else {
      k->key_off = x->name, k->key_len = x->name_len;
    }
  }
  /* repeat counts, all at once now that every key is in place */
  EXH_VEC_RESERVE(tc->keys, tc->capkeys, nk + 1);
  EXH_VEC_RESERVE(tc->dups, tc->capdups, nk + 1);
  for (size_t i = 0; i < nk; i++) {
    const kid *k = &tc->kids[kbase + i];
    tc->keys[i] = (exh_str){key_base(p, tc, k->key_src) + k->key_off, k->key_len};
  }
  exh__dup_counts(tc->keys, nk, tc->dups);
  for (size_t i = 0; i < nk; i++) tc->kids[kbase + i].dup = tc->dups[i];
  for (size_t i = 0; i < nk; i++) {
    if (nattr || i) oc(o, ',');
    kid k = tc->kids[kbase + i];
    const char *kp = key_base(p, tc, k.key_src) + k.key_off;
    if (!k.dup && k.tnode < 0 && tc->n[k.node].ekey_len) { /* escaped at compile time */
      out_lit(p, tc, tc->n[k.node].ekey, tc->n[k.node].ekey_len);
    } else if (!k.dup) {
      exh__json_buf(o, k.key_len ? kp : "", k.key_len);
    } else {
      char tmp[512];
      int w = snprintf(tmp, sizeof tmp, "%.*s_%u", (int)(k.key_len < 480 ? k.key_len : 480), kp, k.dup);
      exh__json_buf(o, tmp, (size_t)w);
    }
    oc(o, ':');
    if (k.tnode >= 0) exh__evtx_json_subtree(o, tc->dp, k.tnode, in_ed || cn.is_ed);
    else if (render(p, tc, k.node, k.vfirst, k.nv, in_ed || cn.is_ed, k.depth)) return -1;
  }
  tc->nkids = kbase;
  if (!cn.has_sub) {
    if (cn.text_len) {
      os(o, ",\"#text\":", 9);
      out_lit(p, tc, cn.text, cn.text_len);
    }
  } else if (tlen) {
    os(o, ",\"#text\":", 9);
    exh__json_buf(o, ar->p + tmark, tlen);
  }
  oc(o, '}');
  ar->n = tmark;
  return 0;
}

int exh__evtx__json_record(exh_evtx *p, size_t pos, size_t end) {
  const uint8_t *c = p->chunk;
  exh_evtx_tc *tc = p->tc;
  /* fragment header, then one template instance, then the end */
  if (!tc || pos + 14 > end || c[pos] != 0x0f || c[pos + 4] != 0x0c) return 0;
  tc->nvals = tc->nkids = 0;
  tc->dp_used = 0;
  tc->nmemo = 0;
  p->arena.n = 0;
  uint32_t tix, vfirst, nv;
  size_t next;
  if (instance(p, tc, pos + 4, end, &tix, &vfirst, &nv, &next)) return 0;
  if (next < end && c[next] != 0x00) return 0;
  /* the record's element is the template's first top-level element; a
   * binary XML value at the top level could put another one first, or
   * hold damage the tree would report: those records go to the tree */
  const tpl *t = &tc->t[tix];
  uint32_t root = UINT32_MAX;
  for (uint32_t i = 0; i < t->nitem; i++) {
    const item *x = &tc->it[t->item0 + i];
    const exh_evtx_value *w = x->kind == IT_SUB ? val_at(tc, vfirst, nv, x->id) : NULL;
    if (x->kind == IT_ELEM && root == UINT32_MAX) root = x->node;
    if (w && w->type == 0x21) return 0;
  }
  if (root == UINT32_MAX) return 0;
  cost k = {0, 0, 0};
  if (cost_values(p, tc, pos + 4, tix, vfirst, nv, &k)) return 0; /* the tree decides */
  p->cnodes = k.n, p->cbytes = k.b; /* what the tree would have charged (the chunk's sum) */
  exh_buf *o = p->jout;
  size_t start = o->n;
  oc(o, '{');
  out_lit(p, tc, tc->n[root].ename, tc->n[root].ename_len);
  oc(o, ':');
  if (render(p, tc, root, vfirst, nv, 0, 2)) {
    o->n = start; /* declined half-way: nothing stays written */
    return 0;
  }
  os(o, "}\n", 2);
  p->json_start = start;
  return 1;
}

int exh__evtx__signature(const exh_evtx *p, size_t pos, size_t end, exh_buf *out, uint64_t *hash) {
  if (signature(p, pos, end, out)) return -1;
  *hash = sig_hash(out);
  return 0;
}
