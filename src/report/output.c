/* Report files (exh_output_*): the public face of the platform's
 * exh_outfile, which holds the rules (never inside a root, replace by
 * rename, never write into an existing file). Its stream stays inside the
 * library: callers write through exh_output_write, an exh_write_fn. */
#include <stdio.h>
#include <stdlib.h>

#include "../platform/platform.h"
#include "exhunt/exhunt.h"

struct exh_output {
  exh_outfile *f;
};

exh_err exh_output_open(const char *path, const char *const *roots, size_t nroots, exh_output **out, char *why,
                        size_t whyn) {
  *out = NULL;
  exh_outfile *f = exh__outfile_open(path, roots, nroots, why, whyn);
  if (!f) return EXH_EARG;
  exh_output *o = malloc(sizeof *o);
  if (!o) {
    exh__outfile_abort(f);
    return EXH_ENOMEM;
  }
  o->f = f;
  *out = o;
  return EXH_OK;
}

int exh_output_write(void *output, const char *p, size_t n) {
  exh_output *o = output;
  return fwrite(p, 1, n, exh__outfile_stream(o->f)) == n ? 0 : -1;
}

exh_err exh_output_close(exh_output *o, int commit, char *why, size_t whyn) {
  if (!o) return EXH_OK;
  exh_err rc = EXH_OK;
  if (commit) rc = exh__outfile_commit(o->f, why, whyn) == 0 ? EXH_OK : EXH_EIO;
  else exh__outfile_abort(o->f);
  free(o);
  return rc;
}
