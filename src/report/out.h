/* The writers' output (issue 12: no FILE * in the public API): a buffer in
 * front of the caller's exh_write_fn. Writers append to it; past
 * EXH_OUT_FLUSH bytes it goes to the callback, and once at the end. The
 * first failure of the callback is kept (failed) and nothing more is
 * handed to it, as a stream's error flag would be; the writer then returns
 * EXH_EIO. Portable where fopencookie/funopen are not (Windows), and one
 * call per 64 KiB rather than one per token.
 *
 * Every report writer is a public entry point: EXH_REPORT_GUARDED runs it
 * under a guard, so running out of memory while writing returns EXH_ENOMEM
 * (util.h), and frees the buffer. */
#ifndef EXH_REPORT_OUT_H
#define EXH_REPORT_OUT_H

#include <setjmp.h>
#include <stddef.h>
#include <string.h>

#include "../util/util.h"
#include "exhunt/exhunt.h"

#define EXH_OUT_FLUSH (64u << 10)

typedef struct exh_out {
  exh_buf b;
  exh_write_fn write;
  void *ctx;
  int failed;
} exh_out;

/* Hands what is buffered to the callback (nothing after a failure). */
void exh__out_flush(exh_out *o);
void exh__out_printf(exh_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void out_spill(exh_out *o) {
  if (o->b.n >= EXH_OUT_FLUSH) exh__out_flush(o);
}
static inline void out_write(exh_out *o, const char *p, size_t n) {
  exh_buf_add(&o->b, p, n);
  out_spill(o);
}
static inline void out_puts(exh_out *o, const char *s) { out_write(o, s, strlen(s)); }
static inline void out_putc(exh_out *o, char c) {
  exh_buf_addc(&o->b, c);
  out_spill(o);
}
/* A quoted JSON string (util.h: exh__json_buf). */
static inline void out_json(exh_out *o, const char *s, size_t n) {
  exh__json_buf(&o->b, s, n);
  out_spill(o);
}
/* Third-party text for a terminal (util.h: exh__term_buf). */
static inline void out_term(exh_out *o, const char *s, size_t n) {
  exh__term_buf(&o->b, s, n);
  out_spill(o);
}

/* The body of a public entry point that writes through the callback:
 * runs `call` (which writes to out_) under a guard, flushes, and returns
 * EXH_OK, EXH_EIO (the callback failed), EXH_ENOMEM or EXH_ELIMIT. */
#define EXH_OUT_GUARDED(write, ctx, call)                                                           \
  do {                                                                                              \
    exh_out out_ = {{0}, (write), (ctx), 0};                                                        \
    exh_guard g_;                                                                                   \
    exh__guard_push(&g_);                                                                            \
    if (setjmp(g_.jb) != 0) {                                                                       \
      exh__buf_free(&out_.b);                                                                        \
      return g_.code == EXH_GUARD_LIMIT ? EXH_ELIMIT : EXH_ENOMEM;                                  \
    }                                                                                               \
    call;                                                                                           \
    exh__out_flush(&out_);                                                                          \
    exh__guard_pop(&g_);                                                                             \
    exh__buf_free(&out_.b);                                                                          \
    return out_.failed ? EXH_EIO : EXH_OK;                                                          \
  } while (0)

/* Defines the public writer `name` over `impl(exh_out *, r, o)`. */
#define EXH_REPORT_GUARDED(name, impl)                                                              \
  exh_err name(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o) {      \
    EXH_OUT_GUARDED(write, ctx, impl(&out_, r, o));                                                 \
  }

#endif
