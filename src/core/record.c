/* Field values of a record (core/record.h). */
#include "record.h"

int exh__record_get(const exh_record *r, int fid, exh_str *out) {
  if (fid < EXH_VF_COUNT) {
    if (fid < 0 || !r->virt[fid].p) return 0;
    *out = r->virt[fid];
    return 1;
  }
  if (fid >= r->nfmap) return 0;
  int c = r->fmap[fid];
  if (c <= -2) { /* served from a virtual field */
    int vf = -2 - c;
    if (vf >= EXH_VF_COUNT || !r->virt[vf].p) return 0;
    *out = r->virt[vf];
    return 1;
  }
  if (c < 0 || c >= r->ncols) return 0;
  exh_str v = r->cols[c];
  if (r->qflags && r->qflags[c] && r->scratch) {
    /* undo CSV quote doubling */
    r->scratch->n = 0;
    for (size_t i = 0; i < v.n; i++) {
      exh_buf_addc(r->scratch, v.p[i]);
      if (v.p[i] == '"' && i + 1 < v.n && v.p[i + 1] == '"') i++;
    }
    v = (exh_str){r->scratch->p ? r->scratch->p : "", r->scratch->n};
  }
  *out = v;
  return 1;
}
