/* The writers' buffered output over the caller's callback (out.h). */
#include "out.h"

#include <stdarg.h>
#include <stdio.h>

void exh__out_flush(exh_out *o) {
  if (o->b.n && !o->failed && o->write(o->ctx, o->b.p, o->b.n) != 0) o->failed = 1;
  o->b.n = 0;
}

void exh__out_printf(exh_out *o, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  exh__buf_grow(&o->b, 256); /* most lines fit: formatted in place, once */
  int n = vsnprintf(o->b.p + o->b.n, o->b.cap - o->b.n, fmt, ap);
  if (n > 0 && (size_t)n >= o->b.cap - o->b.n) {
    exh__buf_grow(&o->b, (size_t)n);
    vsnprintf(o->b.p + o->b.n, o->b.cap - o->b.n, fmt, ap2);
  }
  va_end(ap);
  va_end(ap2);
  if (n > 0) o->b.n += (size_t)n;
  out_spill(o);
}
