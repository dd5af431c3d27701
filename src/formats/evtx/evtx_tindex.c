/* Compiled templates found again (evtx_int.h, exh_evtx_tindex): the index
 * that evtx_json.c (dump's JSON) and evtx_fields.c (scan's fields) share.
 * Within a chunk a definition is found by its offset; across chunks by its
 * signature (exh__evtx__signature: the definition with offsets left out),
 * since every chunk of a log repeats the same definitions. */
#include <stdlib.h>
#include <string.h>

#include "evtx_int.h"

static void clear_slots(exh_evtx_tindex *x) {
  for (size_t i = 0; i < EXH_EVTX_TI_SLOTS; i++) x->slot[i].t = -1;
  x->nslot = 0;
}

void exh__evtx__tindex_chunk(exh_evtx_tindex *x) { clear_slots(x); }

void exh__evtx__tindex_reset(exh_evtx_tindex *x) {
  x->sig.n = 0;
  x->nts = 0;
  if (x->gslot) memset(x->gslot, 0, x->gcap * sizeof *x->gslot);
  x->gused = 0;
  clear_slots(x);
}

size_t exh__evtx__tindex_bytes(const exh_evtx_tindex *x) { return x->sig.n + x->nts * sizeof *x->ts; }

void exh__evtx__tindex_free(exh_evtx_tindex *x) {
  free(x->gslot);
  free(x->ts);
  exh__buf_free(&x->sig);
  exh__buf_free(&x->sigtmp);
  memset(x, 0, sizeof *x);
}

/* A template numbered before with this signature, or -1. */
static int32_t sig_find(const exh_evtx_tindex *x, uint64_t h, const exh_buf *sig) {
  if (!x->gcap) return -1;
  for (size_t i = h & (x->gcap - 1);; i = (i + 1) & (x->gcap - 1)) {
    uint32_t e = x->gslot[i];
    if (!e) return -1;
    const struct exh_evtx_tsig *t = &x->ts[e - 1];
    if (t->hash == h && t->len == sig->n && !memcmp(x->sig.p + t->off, sig->p, sig->n)) return (int32_t)(e - 1);
  }
}

static void sig_add(exh_evtx_tindex *x, uint32_t ti, uint64_t h) {
  if (2 * (x->gused + 1) > x->gcap) { /* grow at half full */
    size_t nc = x->gcap ? 2 * x->gcap : 256;
    uint32_t *ng = exh__xcalloc(nc, sizeof *ng);
    for (size_t i = 0; i < x->gcap; i++) {
      if (!x->gslot[i]) continue;
      size_t j = x->ts[x->gslot[i] - 1].hash & (nc - 1);
      while (ng[j]) j = (j + 1) & (nc - 1);
      ng[j] = x->gslot[i];
    }
    free(x->gslot);
    x->gslot = ng;
    x->gcap = nc;
  }
  size_t j = h & (x->gcap - 1);
  while (x->gslot[j]) j = (j + 1) & (x->gcap - 1);
  x->gslot[j] = ti + 1;
  x->gused++;
}

int32_t exh__evtx__tindex_find(const exh_evtx *p, exh_evtx_tindex *x, uint32_t def, size_t tstart, size_t tend) {
  uint32_t h = (def * 2654435761u) >> 23; /* 9 bits: EXH_EVTX_TI_SLOTS */
  while (x->slot[h].t >= 0) {
    if (x->slot[h].def == def) return x->slot[h].t;
    h = (h + 1) & (EXH_EVTX_TI_SLOTS - 1);
  }
  if (x->nslot >= EXH_EVTX_TI_MAX) return -2;
  x->pend_slot = h;
  x->pend_def = def;
  x->pend_sig = exh__evtx__signature(p, tstart, tend, &x->sigtmp, &x->pend_hash) == 0;
  int32_t ti = x->pend_sig ? sig_find(x, x->pend_hash, &x->sigtmp) : -1;
  if (ti >= 0) { /* compiled in an earlier chunk */
    x->slot[h].def = def, x->slot[h].t = ti;
    x->nslot++;
  }
  return ti;
}

void exh__evtx__tindex_add(exh_evtx_tindex *x, int32_t ti) {
  EXH_VEC_RESERVE(x->ts, x->capts, (size_t)ti + 1);
  while (x->nts <= (size_t)ti) x->ts[x->nts++] = (struct exh_evtx_tsig){0, 0, 0};
  if (x->pend_sig) {
    x->ts[ti] = (struct exh_evtx_tsig){x->pend_hash, (uint32_t)x->sig.n, (uint32_t)x->sigtmp.n};
    exh_buf_add(&x->sig, x->sigtmp.p, x->sigtmp.n);
    sig_add(x, (uint32_t)ti, x->pend_hash);
  }
  x->slot[x->pend_slot].def = x->pend_def, x->slot[x->pend_slot].t = ti;
  x->nslot++;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int exh__evtx__instance_head(const exh_evtx *p, size_t pos, size_t end, uint32_t *def, size_t *tstart, size_t *tend,
                            uint32_t *nv, size_t *at) {
  const uint8_t *c = p->chunk;
  if (pos + 10 > end) return -1;
  *def = le32(c + pos + 6);
  *at = pos + 10;
  if ((size_t)*def + 24 > p->chunk_size) return -1;
  *tstart = (size_t)*def + 24, *tend = *tstart + le32(c + *def + 20);
  if (*tend > p->chunk_size) return -1;
  if (*def == *at) *at = *tend; /* inline definition: the instance data follows it */
  if (*at + 4 > end) return -1;
  *nv = le32(c + *at);
  *at += 4;
  if (*nv > EXH_EVTX_MAX_VALUES || *at + 4ull * *nv > end) return -1;
  return 0;
}

size_t exh__evtx__instance_values(const exh_evtx *p, size_t at, uint32_t nv, size_t end, exh_evtx_value *vals) {
  const uint8_t *c = p->chunk;
  size_t dat = at + 4ull * nv;
  for (uint32_t i = 0; i < nv; i++) {
    const uint8_t *d = c + at + 4 * i;
    uint16_t sz = le16(d);
    if (dat + sz > end) return 0;
    vals[i] = (exh_evtx_value){d[2], c + dat, sz};
    dat += sz;
  }
  return dat;
}
