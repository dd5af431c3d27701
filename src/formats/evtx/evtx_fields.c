/* Compiled templates for `scan`: a record's fields without a tree.
 *
 * `scan` reads from a record what scan_events.c's tree walk reads: System's
 * Channel, EventID, TimeCreated/@SystemTime and Computer, then the fields
 * (System's children, EventData's and UserData's leaves). Here each
 * template definition is compiled once (the parser's symbolic parse, as
 * evtx_json.c does it, kept across chunks under its position-free
 * signature) into elements whose names are decoded and classified in
 * advance, with their attributes and content as static text or
 * substitutions; a record is read by walking the compiled elements with
 * its values, a binary XML value in content expanding into the nested
 * instance's compiled elements. Names are never decoded again, no node is
 * built; values are rendered (exh__evtx__render_value, as the tree renders
 * them) into the parser's arena.
 *
 * The walk answers the questions the tree walk asks, in the same order:
 * an element's children are its content's elements and those of the
 * instances its binary XML values hold; its text is the concatenation of
 * its static text, its values' renderings and those instances' top-level
 * text. So what a record gives is the tree's by construction.
 *
 * Before a record is delivered, it is checked and its charges added up as
 * evtx_json.c does it (the tree's charges exactly: cost_inst). Anything the
 * walk does not express is declined there, before anything is delivered,
 * and the record goes through the tree: damage, instances that cannot be
 * read, binary XML in an attribute or at the top level of an instance,
 * elements written in a value without a template, nesting that could come
 * near the depth limit, a record over the expansion budget, a deadline
 * passed. The walk afterwards meets only what the check read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"

enum { FI_ELEM, FI_TEXT, FI_SUB };

typedef struct fitem {
  uint8_t kind;
  uint16_t id;       /* FI_SUB: value index */
  uint32_t node;     /* FI_ELEM: compiled element */
  uint32_t off, len; /* FI_TEXT: raw text in lit */
} fitem;

typedef struct fattr {
  uint32_t name, name_len; /* raw name in lit */
  uint32_t val, val_len;   /* static: the value in lit */
  uint32_t item0, nitem;   /* dynamic: pieces (FI_TEXT / FI_SUB) */
  uint8_t dynamic;
} fattr;

/* the element names the walk asks for */
enum { NM_OTHER, NM_SYSTEM, NM_EVENTDATA, NM_USERDATA, NM_CHANNEL, NM_EVENTID, NM_COMPUTER, NM_TIMECREATED,
       NM_PROVIDER, NM_SECURITY, NM_EXECUTION, NM_DATA };

typedef struct fnode {
  uint32_t name, name_len; /* raw name in lit */
  uint32_t attr0, nattr;
  uint32_t item0, nitem;
  uint8_t nm;
} fnode;

typedef struct ftpl {
  int ok;                /* 0: records of this template go through the tree */
  uint32_t item0, nitem; /* top-level items */
  uint64_t snodes, sbytes; /* the definition's own charges */
  uint32_t occ0, nocc;     /* its substitutions in order (fc->occ) */
  int maxdepth;            /* the deepest level of its parse from level 1 */
} ftpl;

typedef struct fkid {
  uint32_t node, vfirst, nv; /* compiled element and its instance's values */
} fkid;

#define FC_KEEP_BYTES (16u << 20) /* kept across chunks up to this much */
#define LEAF_DEPTH 16             /* scan_events.c's flatten_leaves */

struct exh_evtx_fc {
  ftpl *t;
  size_t nt, capt;
  fnode *n;
  size_t nn, capn;
  fattr *a;
  size_t na, capa;
  fitem *it;
  size_t nit, capit;
  uint32_t *occ;
  size_t nocc, capocc;
  exh_buf lit;
  exh_evtx_tindex ix; /* definitions -> compiled templates (fc->t) */
  exh_evtx *cp; /* symbolic parses of definitions */
  exh_evtx *tp; /* a delivered record's tree, when one is asked for */
  /* the record being read */
  exh_evtx_value *vals;
  size_t nvals, capvals;
  fkid *kids;
  size_t nkids, capkids;
  fkid sys, ed, ud;
  int has_sys, has_ed, has_ud;
  exh_buf head; /* the head's strings */
  exh_evtx_head h;
};

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void exh__evtx_set_fields(exh_evtx *p, int on) { p->fields_mode = on; }

void exh__evtx__fields_chunk(exh_evtx *p) {
  if (!p->fc) p->fc = exh__xcalloc(1, sizeof *p->fc);
  exh_evtx_fc *fc = p->fc;
  size_t bytes = fc->lit.n + exh__evtx__tindex_bytes(&fc->ix) + fc->nn * sizeof(fnode) + fc->na * sizeof(fattr) + fc->nit * sizeof(fitem) +
                 fc->nt * sizeof(ftpl) + fc->nocc * sizeof *fc->occ;
  if (bytes > FC_KEEP_BYTES) { /* start afresh */
    fc->nt = fc->nn = fc->na = fc->nit = fc->nocc = 0;
    fc->lit.n = 0;
    exh__evtx__tindex_reset(&fc->ix);
  }
  exh__evtx__tindex_chunk(&fc->ix);
}

void exh__evtx__fields_free(exh_evtx *p) {
  exh_evtx_fc *fc = p->fc;
  if (!fc) return;
  free(fc->t);
  free(fc->n);
  free(fc->a);
  free(fc->it);
  free(fc->occ);
  exh__buf_free(&fc->lit);
  exh__evtx__tindex_free(&fc->ix);
  exh__evtx_free(fc->cp);
  exh__evtx_free(fc->tp);
  free(fc->vals);
  free(fc->kids);
  exh__buf_free(&fc->head);
  free(fc);
  p->fc = NULL;
}

/* ---- compiling --------------------------------------------------------- */

static uint32_t lit_raw(exh_evtx_fc *fc, const char *s, size_t n) {
  uint32_t off = (uint32_t)fc->lit.n;
  exh_buf_add(&fc->lit, s, n);
  return off;
}

static int str_is(exh_str s, const char *lit) { return s.n == strlen(lit) && !memcmp(s.p, lit, s.n); }

static uint8_t name_code(exh_str s) {
  static const struct {
    const char *s;
    uint8_t nm;
  } names[] = {{"System", NM_SYSTEM},           {"EventData", NM_EVENTDATA}, {"UserData", NM_USERDATA},
               {"Channel", NM_CHANNEL},         {"EventID", NM_EVENTID},     {"Computer", NM_COMPUTER},
               {"TimeCreated", NM_TIMECREATED}, {"Provider", NM_PROVIDER},   {"Security", NM_SECURITY},
               {"Execution", NM_EXECUTION},     {"Data", NM_DATA}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (str_is(s, names[i].s)) return names[i].nm;
  return NM_OTHER;
}

/* Text of the symbolic tree, markers included, as items. */
static void pieces(exh_evtx_fc *fc, exh_str s) {
  size_t i = 0;
  while (i < s.n) {
    EXH_VEC_RESERVE(fc->it, fc->capit, fc->nit + 1);
    fitem *x = &fc->it[fc->nit++];
    memset(x, 0, sizeof *x);
    if ((uint8_t)s.p[i] == EXH_EVTX_MARK && i + 3 <= s.n) {
      x->kind = FI_SUB;
      x->id = (uint16_t)((uint8_t)s.p[i + 1] | (uint8_t)s.p[i + 2] << 8);
      i += 3;
      continue;
    }
    size_t j = i;
    while (j < s.n && (uint8_t)s.p[j] != EXH_EVTX_MARK) j++;
    x->kind = FI_TEXT;
    x->off = lit_raw(fc, s.p + i, j - i);
    x->len = (uint32_t)(j - i);
    i = j;
  }
}

/* The content of node `node` of the symbolic tree q as items from fc->nit
 * on (elements still by their tree index). */
static void content(exh_evtx_fc *fc, const exh_evtx *q, int node) {
  for (int c = q->nodes[node].first_child; c >= 0; c = q->nodes[c].next) {
    const exh_evtx_node *ch = &q->nodes[c];
    if (ch->is_text) {
      pieces(fc, exh__evtx_str(q, ch->text, ch->text_len));
    } else {
      EXH_VEC_RESERVE(fc->it, fc->capit, fc->nit + 1);
      fitem *x = &fc->it[fc->nit++];
      memset(x, 0, sizeof *x);
      x->kind = FI_ELEM;
      x->node = (uint32_t)c;
    }
  }
}

static uint32_t compile_node(exh_evtx_fc *fc, const exh_evtx *q, int node) {
  const exh_evtx_node *tn = &q->nodes[node];
  EXH_VEC_RESERVE(fc->n, fc->capn, fc->nn + 1);
  uint32_t ci = (uint32_t)fc->nn++;
  fnode cn;
  memset(&cn, 0, sizeof cn);
  exh_str nm = exh__evtx_str(q, tn->name, tn->name_len);
  cn.name = lit_raw(fc, nm.p, nm.n);
  cn.name_len = (uint32_t)nm.n;
  cn.nm = name_code(nm);
  cn.attr0 = (uint32_t)fc->na;
  for (int a = tn->first_attr; a >= 0; a = q->attrs[a].next) cn.nattr++;
  EXH_VEC_RESERVE(fc->a, fc->capa, fc->na + cn.nattr);
  fc->na += cn.nattr;
  uint32_t k = 0;
  for (int a = tn->first_attr; a >= 0; a = q->attrs[a].next, k++) {
    const exh_evtx_attr *ta = &q->attrs[a];
    exh_str an = exh__evtx_str(q, ta->name, ta->name_len), av = exh__evtx_str(q, ta->val, ta->val_len);
    fattr ca;
    memset(&ca, 0, sizeof ca);
    ca.name = lit_raw(fc, an.p, an.n);
    ca.name_len = (uint32_t)an.n;
    if (av.n && memchr(av.p, EXH_EVTX_MARK, av.n)) {
      ca.dynamic = 1;
      ca.item0 = (uint32_t)fc->nit;
      pieces(fc, av);
      ca.nitem = (uint32_t)fc->nit - ca.item0;
    } else {
      ca.val = lit_raw(fc, av.p, av.n);
      ca.val_len = (uint32_t)av.n;
    }
    fc->a[cn.attr0 + k] = ca;
  }
  cn.item0 = (uint32_t)fc->nit;
  content(fc, q, node);
  cn.nitem = (uint32_t)fc->nit - cn.item0;
  fc->n[ci] = cn;
  for (uint32_t i = 0; i < cn.nitem; i++) {
    if (fc->it[cn.item0 + i].kind != FI_ELEM) continue;
    uint32_t child = compile_node(fc, q, (int)fc->it[cn.item0 + i].node); /* may move fc->it */
    fc->it[cn.item0 + i].node = child;
  }
  return ci;
}

static ftpl *compile(exh_evtx *p, exh_evtx_fc *fc, size_t tstart, size_t tend) {
  p->ncompiled++;
  if (!fc->cp) fc->cp = exh__evtx_new();
  exh_evtx *q = fc->cp;
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
  EXH_VEC_RESERVE(fc->t, fc->capt, fc->nt + 1);
  ftpl *t = &fc->t[fc->nt++];
  memset(t, 0, sizeof *t);
  t->ok = rc == 0 && !q->unsupported && !q->bad && !q->over;
  t->item0 = (uint32_t)fc->nit;
  if (!t->ok) return t;
  t->snodes = q->cnodes, t->sbytes = q->cbytes;
  t->maxdepth = q->maxdepth;
  t->occ0 = (uint32_t)fc->nocc;
  t->nocc = (uint32_t)q->nocc;
  EXH_VEC_RESERVE(fc->occ, fc->capocc, fc->nocc + q->nocc);
  if (q->nocc) memcpy(fc->occ + fc->nocc, q->occ, q->nocc * sizeof *q->occ);
  fc->nocc += q->nocc;
  content(fc, q, top);
  uint32_t item0 = t->item0, nitem = (uint32_t)fc->nit - item0;
  for (uint32_t i = 0; i < nitem; i++) {
    if (fc->it[item0 + i].kind != FI_ELEM) continue;
    uint32_t ci = compile_node(fc, q, (int)fc->it[item0 + i].node);
    fc->it[item0 + i].node = ci;
  }
  t = &fc->t[fc->nt - 1];
  t->nitem = nitem;
  return t;
}

/* ---- the cache: per chunk by offset, across chunks by signature --------- */

static const ftpl *lookup(exh_evtx *p, exh_evtx_fc *fc, uint32_t def, size_t tstart, size_t tend) {
  int32_t ti = exh__evtx__tindex_find(p, &fc->ix, def, tstart, tend);
  if (ti == -2) return NULL;
  if (ti < 0) {
    ti = (int32_t)(compile(p, fc, tstart, tend) - fc->t);
    exh__evtx__tindex_add(&fc->ix, ti);
  }
  return &fc->t[ti];
}

/* The template instance at `pos` (token 0x0c) within [pos, end), checked as
 * parse_template checks it: its compiled definition, its values appended to
 * fc->vals, and the offset after them. */
static int instance(exh_evtx *p, exh_evtx_fc *fc, size_t pos, size_t end, uint32_t *tix, uint32_t *vfirst,
                    uint32_t *nvals, size_t *next) {
  uint32_t def, nv;
  size_t tstart, tend, at;
  if (exh__evtx__instance_head(p, pos, end, &def, &tstart, &tend, &nv, &at)) return -1;
  const ftpl *t = lookup(p, fc, def, tstart, tend);
  if (!t || !t->ok) return -1;
  EXH_VEC_RESERVE(fc->vals, fc->capvals, fc->nvals + nv);
  /* no values: vals may still be NULL, and NULL + 0 is undefined */
  size_t dat = nv ? exh__evtx__instance_values(p, at, nv, end, fc->vals + fc->nvals) : at;
  if (!dat) return -1;
  *tix = (uint32_t)(t - fc->t);
  *vfirst = (uint32_t)fc->nvals;
  *nvals = nv;
  fc->nvals += nv;
  *next = dat;
  return 0;
}

static const exh_evtx_value *val_at(const exh_evtx_fc *fc, uint32_t vfirst, uint32_t nv, uint16_t id) {
  if (id >= nv) return NULL;
  const exh_evtx_value *v = &fc->vals[vfirst + id];
  return v->type && v->size ? v : NULL; /* null or empty: renders nothing */
}

/* ---- the check, and the expansion budget --------------------------------
 *
 * What the tree would charge for the record (evtx.c: charge()), added up
 * as evtx_json.c's cost_values does it: per instance its definition's
 * static charges and its size, then each substitution as often as it
 * occurs, binary XML values followed into their instances. Everything the
 * walk does not handle is declined on the way. Depth: an instance whose
 * definition the tree parses from level `base` reaches base + maxdepth - 1;
 * a binary XML value in one of its elements starts its instances at most
 * at base + maxdepth + 1 (the element's level, then the value's fragment,
 * then the template); whatever might pass EXH_EVTX_MAX_DEPTH is declined
 * (the tree reports it). */

typedef struct cost {
  uint64_t n, b;
  int level;
} cost;

static int cost_add(const exh_evtx *p, cost *k, uint64_t n, uint64_t b) {
  k->n += n, k->b += b;
  return k->n > p->max_nodes || k->b > p->max_bytes ? -1 : 0;
}

static int cost_inst(exh_evtx *p, exh_evtx_fc *fc, size_t pos, uint32_t tix, uint32_t vfirst, uint32_t nv, int base,
                     cost *k);

/* A binary XML value in content: put_value's charge, then parse_fragment's
 * loop over instances (anything else: declined). */
static int cost_binxml(exh_evtx *p, exh_evtx_fc *fc, exh_evtx_value v, int base, cost *k) {
  if (cost_add(p, k, 1, 0) || ++k->level > EXH_EVTX_MAX_DEPTH) return -1;
  const uint8_t *c = p->chunk;
  size_t pos = (size_t)(v.data - c), end = pos + v.size;
  while (pos < end) {
    uint8_t t = c[pos];
    if (t == 0x00) break;
    if (t == 0x0f) {
      pos += 4;
      continue;
    }
    if (t != 0x0c) return -1; /* elements or text written directly: the tree */
    uint32_t tix, vfirst, nv;
    size_t next;
    if (instance(p, fc, pos, end, &tix, &vfirst, &nv, &next)) return -1;
    if (cost_inst(p, fc, pos, tix, vfirst, nv, base, k)) return -1;
    pos = next;
  }
  k->level--;
  return 0;
}

static int cost_inst(exh_evtx *p, exh_evtx_fc *fc, size_t pos, uint32_t tix, uint32_t vfirst, uint32_t nv, int base,
                     cost *k) {
  const uint8_t *c = p->chunk;
  ftpl t = fc->t[tix]; /* a copy: nested compilations may move fc->t */
  if (base + t.maxdepth - 1 > EXH_EVTX_MAX_DEPTH) return -1;
  for (uint32_t i = 0; i < t.nitem; i++) { /* binary XML at the top level: the tree */
    const fitem *x = &fc->it[t.item0 + i];
    const exh_evtx_value *w = x->kind == FI_SUB ? val_at(fc, vfirst, nv, x->id) : NULL;
    if (w && w->type == 0x21) return -1;
  }
  uint32_t dsize = le32(c + le32(c + pos + 6) + 20); /* instance() checked it is in the chunk */
  if (cost_add(p, k, 1 + t.snodes, dsize + 16ull * nv + t.sbytes)) return -1;
  uint64_t n = 0, b = 0;
  for (uint32_t i = 0; i < t.nocc; i++) {
    uint32_t o = fc->occ[t.occ0 + i], id = o & 0xFFFF;
    if (id >= nv) continue;
    const exh_evtx_value *v = &fc->vals[vfirst + id];
    n += o >> 16; /* EXH_EVTX_OCC_ATTR: the scratch node */
    if (v->type == 0x00 || v->size == 0) continue;
    if (v->type != 0x21) {
      n++;
      b += EXH_EVTX_VALUE_BYTES(v->size);
      continue;
    }
    if (o & EXH_EVTX_OCC_ATTR) return -1; /* binary XML in an attribute: the tree */
    exh_evtx_value vv = *v; /* fc->vals may move below */
    if (cost_add(p, k, n, b) || cost_binxml(p, fc, vv, base + t.maxdepth + 1, k)) return -1;
    n = b = 0;
  }
  return cost_add(p, k, n, b);
}

/* ---- the walk ---------------------------------------------------------- */

static void push_kid(exh_evtx_fc *fc, uint32_t node, uint32_t vfirst, uint32_t nv) {
  EXH_VEC_RESERVE(fc->kids, fc->capkids, fc->nkids + 1);
  fc->kids[fc->nkids++] = (fkid){node, vfirst, nv};
}

/* A binary XML value in content: its instances' top-level elements become
 * children, their top-level text the element's text (when `text`). */
static void expand(exh_evtx *p, exh_evtx_fc *fc, const exh_evtx_value *v, int text) {
  const uint8_t *c = p->chunk;
  size_t pos = (size_t)(v->data - c), end = pos + v->size;
  while (pos < end) {
    uint8_t t = c[pos];
    if (t == 0x00) break;
    if (t == 0x0f) {
      pos += 4;
      continue;
    }
    uint32_t tix, vfirst, nv;
    size_t next;
    if (t != 0x0c || instance(p, fc, pos, end, &tix, &vfirst, &nv, &next)) return; /* checked before: never */
    ftpl tp = fc->t[tix];
    for (uint32_t i = 0; i < tp.nitem; i++) {
      const fitem x = fc->it[tp.item0 + i];
      if (x.kind == FI_ELEM) {
        push_kid(fc, x.node, vfirst, nv);
      } else if (!text) {
        continue;
      } else if (x.kind == FI_TEXT) {
        exh_buf_add(&p->arena, fc->lit.p + x.off, x.len);
      } else {
        const exh_evtx_value *w = val_at(fc, vfirst, nv, x.id);
        if (w && w->type != 0x21) exh__evtx__render_value(p, w);
      }
    }
    pos = next;
  }
}

/* An element's children appended to fc->kids, and its text to the arena
 * (when `text`): the tree's children and text pieces of that element. */
static void realize(exh_evtx *p, exh_evtx_fc *fc, fkid e, int text) {
  const fnode n = fc->n[e.node];
  for (uint32_t i = 0; i < n.nitem; i++) {
    const fitem x = fc->it[n.item0 + i];
    if (x.kind == FI_ELEM) {
      push_kid(fc, x.node, e.vfirst, e.nv);
    } else if (x.kind == FI_TEXT) {
      if (text) exh_buf_add(&p->arena, fc->lit.p + x.off, x.len);
    } else {
      const exh_evtx_value *w = val_at(fc, e.vfirst, e.nv, x.id);
      if (!w) continue;
      if (w->type == 0x21) expand(p, fc, w, text);
      else if (text) exh__evtx__render_value(p, w);
    }
  }
}

/* The element's text appended to the arena: its length. */
static size_t text_of(exh_evtx *p, exh_evtx_fc *fc, fkid e) {
  size_t m = p->arena.n, k0 = fc->nkids;
  realize(p, fc, e, 1);
  fc->nkids = k0;
  return p->arena.n - m;
}

/* The value of the element's first attribute named `name` appended to the
 * arena (as exh__evtx_attr_value gives it): 1, or 0 when it has none. */
static int attr_of(exh_evtx *p, exh_evtx_fc *fc, fkid e, const char *name) {
  const fnode *n = &fc->n[e.node];
  size_t nl = strlen(name);
  for (uint32_t a = 0; a < n->nattr; a++) {
    const fattr ca = fc->a[n->attr0 + a];
    if (ca.name_len != nl || memcmp(fc->lit.p + ca.name, name, nl)) continue;
    if (!ca.dynamic) {
      exh_buf_add(&p->arena, fc->lit.p + ca.val, ca.val_len);
      return 1;
    }
    for (uint32_t i = 0; i < ca.nitem; i++) {
      const fitem x = fc->it[ca.item0 + i];
      if (x.kind == FI_TEXT) {
        exh_buf_add(&p->arena, fc->lit.p + x.off, x.len);
      } else {
        const exh_evtx_value *w = val_at(fc, e.vfirst, e.nv, x.id);
        if (w && w->type != 0x21) exh__evtx__render_value(p, w); /* binary XML here was declined */
      }
    }
    return 1;
  }
  return 0;
}

static exh_str head_str(exh_evtx_fc *fc, size_t off, size_t len) { return (exh_str){fc->head.p + off, len}; }

const exh_evtx_head *exh__evtx__fields_record(exh_evtx *p, size_t pos, size_t end) {
  const uint8_t *c = p->chunk;
  exh_evtx_fc *fc = p->fc;
  /* fragment header, then one template instance, then the end */
  if (!fc || pos + 14 > end || c[pos] != 0x0f || c[pos + 4] != 0x0c) return NULL;
  exh__evtx__reset_record(p);
  if (p->over) return NULL; /* past the deadline: the tree says so */
  fc->nvals = fc->nkids = 0;
  uint32_t tix, vfirst, nv;
  size_t next;
  if (instance(p, fc, pos + 4, end, &tix, &vfirst, &nv, &next)) return NULL;
  if (next < end && c[next] != 0x00) return NULL;
  const ftpl *t = &fc->t[tix];
  uint32_t root = UINT32_MAX;
  for (uint32_t i = 0; i < t->nitem && root == UINT32_MAX; i++)
    if (fc->it[t->item0 + i].kind == FI_ELEM) root = fc->it[t->item0 + i].node;
  if (root == UINT32_MAX) return NULL;
  cost k = {0, 0, 0};
  if (cost_inst(p, fc, pos + 4, tix, vfirst, nv, 1, &k)) return NULL;
  /* the tree's charges at once: also where the clock is read */
  if (exh__evtx__charge(p, k.n, k.b)) return NULL;
  /* the walk: System, EventData, UserData, the first of each */
  fc->has_sys = fc->has_ed = fc->has_ud = 0;
  realize(p, fc, (fkid){root, vfirst, nv}, 0);
  for (size_t i = 0; i < fc->nkids; i++) {
    fkid e = fc->kids[i];
    uint8_t nm = fc->n[e.node].nm;
    if (nm == NM_SYSTEM && !fc->has_sys) fc->sys = e, fc->has_sys = 1;
    else if (nm == NM_EVENTDATA && !fc->has_ed) fc->ed = e, fc->has_ed = 1;
    else if (nm == NM_USERDATA && !fc->has_ud) fc->ud = e, fc->has_ud = 1;
  }
  fc->nkids = 0;
  /* the head: texts and an attribute of System's first Channel, EventID,
   * Computer and TimeCreated, copied apart (the arena serves the fields) */
  int have[4] = {0, 0, 0, 0};
  fkid hk[4];
  if (fc->has_sys) {
    realize(p, fc, fc->sys, 0);
    for (size_t i = 0; i < fc->nkids; i++) {
      uint8_t nm = fc->n[fc->kids[i].node].nm;
      int w = nm == NM_CHANNEL ? 0 : nm == NM_EVENTID ? 1 : nm == NM_COMPUTER ? 2 : nm == NM_TIMECREATED ? 3 : -1;
      if (w >= 0 && !have[w]) have[w] = 1, hk[w] = fc->kids[i];
    }
    fc->nkids = 0;
  }
  size_t off[4] = {0, 0, 0, 0}, len[4] = {0, 0, 0, 0};
  int st = 0;
  fc->head.n = 0;
  for (int w = 0; w < 4; w++) {
    if (!have[w]) continue;
    size_t m = p->arena.n;
    if (w < 3) {
      text_of(p, fc, hk[w]);
    } else {
      st = attr_of(p, fc, hk[w], "SystemTime");
    }
    off[w] = fc->head.n;
    len[w] = p->arena.n - m;
    exh_buf_add(&fc->head, p->arena.p ? p->arena.p + m : "", len[w]);
    p->arena.n = m;
  }
  exh_buf_add(&fc->head, "", 0);
  fc->h.channel = head_str(fc, off[0], len[0]);
  fc->h.event_id = head_str(fc, off[1], len[1]);
  fc->h.computer = head_str(fc, off[2], len[2]);
  fc->h.system_time = st ? head_str(fc, off[3], len[3]) : (exh_str){NULL, 0};
  return &fc->h;
}

/* ---- the fields -------------------------------------------------------- */

static void field(exh_evtx *p, exh_evtx_field_fn fn, void *ctx, const char *name, size_t nl, size_t m) {
  fn(ctx, name, nl, (exh_str){p->arena.p ? p->arena.p + m : "", p->arena.n - m});
  p->arena.n = m;
}

/* scan_events.c's flatten_leaves on the compiled walk. */
static void leaves(exh_evtx *p, exh_evtx_fc *fc, fkid e, int depth, exh_evtx_field_fn fn, void *ctx) {
  if (depth > LEAF_DEPTH) return;
  size_t k0 = fc->nkids;
  realize(p, fc, e, 0);
  size_t k1 = fc->nkids;
  for (size_t i = k0; i < k1; i++) {
    fkid ch = fc->kids[i];
    size_t m = p->arena.n;
    realize(p, fc, ch, 1);
    int leaf = fc->nkids == k1;
    fc->nkids = k1;
    if (!leaf) {
      p->arena.n = m;
      leaves(p, fc, ch, depth + 1, fn, ctx);
      continue;
    }
    const fnode *n = &fc->n[ch.node];
    size_t tl = p->arena.n - m;
    if (n->nm == NM_DATA) {
      size_t m2 = p->arena.n;
      if (attr_of(p, fc, ch, "Name")) { /* the value after the text: both in place now */
        const char *a = p->arena.p;
        fn(ctx, a + m2, p->arena.n - m2, (exh_str){a + m, tl});
        p->arena.n = m;
        continue;
      }
    }
    field(p, fn, ctx, fc->lit.p + n->name, n->name_len, m);
  }
  fc->nkids = k0;
}

void exh__evtx_fields_each(const exh_evtx *cp, exh_evtx_field_fn fn, void *ctx) {
  exh_evtx *p = (exh_evtx *)cp; /* the parser's arena is the walk's scratch */
  exh_evtx_fc *fc = p->fc;
  if (!fc) return;
  fc->nkids = 0;
  if (fc->has_sys) {
    realize(p, fc, fc->sys, 0);
    size_t nk = fc->nkids;
    for (size_t i = 0; i < nk; i++) {
      fkid ch = fc->kids[i];
      const fnode *n = &fc->n[ch.node];
      size_t m = p->arena.n;
      switch (n->nm) {
      case NM_PROVIDER:
        if (attr_of(p, fc, ch, "Name")) field(p, fn, ctx, "Provider_Name", 13, m);
        if (attr_of(p, fc, ch, "Guid")) field(p, fn, ctx, "Provider_Guid", 13, m);
        if (attr_of(p, fc, ch, "EventSourceName")) field(p, fn, ctx, "EventSourceName", 15, m);
        break;
      case NM_TIMECREATED:
        if (attr_of(p, fc, ch, "SystemTime")) field(p, fn, ctx, "SystemTime", 10, m);
        break;
      case NM_SECURITY:
        if (attr_of(p, fc, ch, "UserID")) field(p, fn, ctx, "UserID", 6, m);
        break;
      case NM_EXECUTION:
        if (attr_of(p, fc, ch, "ProcessID")) field(p, fn, ctx, "ProcessID", 9, m);
        if (attr_of(p, fc, ch, "ThreadID")) field(p, fn, ctx, "ThreadID", 8, m);
        break;
      default:
        text_of(p, fc, ch);
        field(p, fn, ctx, fc->lit.p + n->name, n->name_len, m);
        break;
      }
      fc->nkids = nk;
    }
    fc->nkids = 0;
  }
  if (fc->has_ed) leaves(p, fc, fc->ed, 0, fn, ctx);
  if (fc->has_ud) leaves(p, fc, fc->ud, 0, fn, ctx);
}

/* ---- a delivered record as a tree, for its evidence --------------------- */

void exh__evtx_write_json_any(FILE *f, const exh_evtx *p, const exh_evtx_record *r) {
  if (!r->fields || !p->fc) {
    exh__evtx_write_json(f, p, r);
    return;
  }
  exh_evtx_fc *fc = p->fc;
  if (!fc->tp) fc->tp = exh__evtx_new();
  exh_evtx *t = fc->tp;
  t->chunk = p->chunk, t->chunk_size = p->chunk_size, t->chunk_file_off = p->chunk_file_off;
  t->on_issue = NULL, t->quiet = 1;
  t->max_nodes = p->max_nodes, t->max_bytes = p->max_bytes;
  exh__evtx_set_deadline(t, 0); /* within the budget already: decoded whole */
  exh__evtx__reset_record(t);
  size_t off = (size_t)(r->file_offset - p->chunk_file_off), size = le32(p->chunk + off + 4);
  int top = exh__evtx__new_node(t, -1);
  size_t used = 0;
  exh__evtx__fragment(t, off + 24, off + size - 4, NULL, 0, top, 0, 0, &used);
  exh_evtx_record rec = *r;
  rec.fields = NULL;
  rec.root = -1;
  for (int ch = t->nodes[top].first_child; ch >= 0; ch = t->nodes[ch].next)
    if (!t->nodes[ch].is_text) {
      rec.root = ch;
      break;
    }
  exh__evtx_write_json(f, t, &rec);
}

/* ---- the same from a record's tree --------------------------------------
 *
 * The tree path's walk (what `scan` read before the compiled one, and still
 * reads for the records the compiled path declines): the reference the
 * compiled walk above is checked against (test_evtx, fuzz_evtx_scan). */

static void tree_leaves(const exh_evtx *p, int node, int depth, exh_buf *tmp, exh_evtx_field_fn fn, void *ctx) {
  if (depth > LEAF_DEPTH) return;
  for (int ch = exh__evtx_node_at(p, node)->first_child; ch >= 0; ch = exh__evtx_node_at(p, ch)->next) {
    const exh_evtx_node *n = exh__evtx_node_at(p, ch);
    if (n->is_text) continue;
    int leaf = 1;
    for (int g = n->first_child; g >= 0; g = exh__evtx_node_at(p, g)->next)
      if (!exh__evtx_node_at(p, g)->is_text) leaf = 0;
    exh_str nm = exh__evtx_str(p, n->name, n->name_len);
    if (!leaf) {
      tree_leaves(p, ch, depth + 1, tmp, fn, ctx);
      continue;
    }
    exh_str dn = exh__evtx_attr_value(p, ch, "Name");
    exh_str v = exh__evtx_text(p, ch, tmp);
    if (nm.n == 4 && !memcmp(nm.p, "Data", 4) && dn.p) fn(ctx, dn.p, dn.n, v);
    else fn(ctx, nm.p, nm.n, v);
  }
}

/* exh__evtx_text's concatenation, appended to b. */
static void text_append(const exh_evtx *p, int node, exh_buf *b) {
  for (int c = node >= 0 ? exh__evtx_node_at(p, node)->first_child : -1; c >= 0; c = exh__evtx_node_at(p, c)->next) {
    const exh_evtx_node *n = exh__evtx_node_at(p, c);
    if (n->is_text) exh_buf_add(b, p->arena.p + n->text, n->text_len);
  }
}

int exh__evtx_tree_head(const exh_evtx *p, const exh_evtx_record *r, exh_evtx_head *h, exh_buf *tmp) {
  if (r->root < 0) return -1;
  /* a record may lack System or any part of it (damage, or crafted):
   * every lookup below takes a missing node (-1) */
  int sys = exh__evtx_child(p, r->root, "System");
  static const char *const names[3] = {"Channel", "EventID", "Computer"};
  size_t off[4];
  tmp->n = 0;
  for (int i = 0; i < 3; i++) { /* the texts, one after the other */
    off[i] = tmp->n;
    text_append(p, exh__evtx_child(p, sys, names[i]), tmp);
  }
  off[3] = tmp->n;
  exh_buf_add(tmp, "", 0);
  h->channel = (exh_str){tmp->p + off[0], off[1] - off[0]};
  h->event_id = (exh_str){tmp->p + off[1], off[2] - off[1]};
  h->computer = (exh_str){tmp->p + off[2], off[3] - off[2]};
  h->system_time = exh__evtx_attr_value(p, exh__evtx_child(p, sys, "TimeCreated"), "SystemTime");
  return 0;
}

void exh__evtx_tree_fields(const exh_evtx *p, const exh_evtx_record *r, exh_buf *tmp, exh_evtx_field_fn fn,
                           void *ctx) {
  if (r->root < 0) return;
  int sys = exh__evtx_child(p, r->root, "System");
  for (int ch = sys >= 0 ? exh__evtx_node_at(p, sys)->first_child : -1; ch >= 0; ch = exh__evtx_node_at(p, ch)->next) {
    const exh_evtx_node *n = exh__evtx_node_at(p, ch);
    if (n->is_text) continue;
    exh_str nm = exh__evtx_str(p, n->name, n->name_len);
    if (nm.n == 8 && !memcmp(nm.p, "Provider", 8)) {
      exh_str v = exh__evtx_attr_value(p, ch, "Name");
      if (v.p) fn(ctx, "Provider_Name", 13, v);
      v = exh__evtx_attr_value(p, ch, "Guid");
      if (v.p) fn(ctx, "Provider_Guid", 13, v);
      v = exh__evtx_attr_value(p, ch, "EventSourceName");
      if (v.p) fn(ctx, "EventSourceName", 15, v);
    } else if (nm.n == 11 && !memcmp(nm.p, "TimeCreated", 11)) {
      exh_str v = exh__evtx_attr_value(p, ch, "SystemTime");
      if (v.p) fn(ctx, "SystemTime", 10, v);
    } else if (nm.n == 8 && !memcmp(nm.p, "Security", 8)) {
      exh_str v = exh__evtx_attr_value(p, ch, "UserID");
      if (v.p) fn(ctx, "UserID", 6, v);
    } else if (nm.n == 9 && !memcmp(nm.p, "Execution", 9)) {
      exh_str v = exh__evtx_attr_value(p, ch, "ProcessID");
      if (v.p) fn(ctx, "ProcessID", 9, v);
      v = exh__evtx_attr_value(p, ch, "ThreadID");
      if (v.p) fn(ctx, "ThreadID", 8, v);
    } else {
      fn(ctx, nm.p, nm.n, exh__evtx_text(p, ch, tmp));
    }
  }
  int ed = exh__evtx_child(p, r->root, "EventData");
  if (ed >= 0) tree_leaves(p, ed, 0, tmp, fn, ctx);
  int ud = exh__evtx_child(p, r->root, "UserData");
  if (ud >= 0) tree_leaves(p, ud, 0, tmp, fn, ctx);
}
