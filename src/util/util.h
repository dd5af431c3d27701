/* Small shared helpers: byte slices, growable buffers, checked allocation,
 * ASCII case folding, time conversion and output escaping. */
#ifndef EXH_UTIL_H
#define EXH_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A view of bytes owned by someone else (usually the mapped file). */
typedef struct exh_str {
  const char *p;
  size_t n;
} exh_str;

#define EXH_STR(lit) ((exh_str){(lit), sizeof(lit) - 1})

/* Guards: where an allocation failure (or a buffer past its cap) goes.
 * The allocators below never return NULL and never exit: they unwind to
 * the innermost guard of the calling thread, which turns it into an error
 * value: every public entry point returns EXH_ENOMEM, and a worker's guard
 * around each file gives that file a pipeline error and goes on with the
 * next (docs/architecture.md, "Allocation failure"). Memory held by the
 * unwound frames is not freed (the price of not threading a status through
 * every call); a guard is set only where that is acceptable.
 *
 *   exh_guard g;
 *   exh__guard_push(&g);
 *   if (setjmp(g.jb) == 0) { ...work...; exh__guard_pop(&g); }
 *   else { ...g.code says why; the guard is already popped... }
 *
 * Locals changed inside the guarded block and read after a failure must be
 * volatile. With no guard set, a failure aborts (a bug: every entry point
 * sets one). */
typedef struct exh_guard {
  jmp_buf jb;
  struct exh_guard *prev;
  int code; /* EXH_GUARD_NOMEM or EXH_GUARD_LIMIT */
} exh_guard;
enum { EXH_GUARD_NOMEM = 1, EXH_GUARD_LIMIT = 2 };
void exh__guard_push(exh_guard *g);
void exh__guard_pop(exh_guard *g);
_Noreturn void exh__guard_fail(int code);
/* Fault injection for tests: the n-th allocation from now fails (0: none). */
void exh__alloc_fail_at(uint64_t n);
/* Allocations counted since the last exh__alloc_fail_at (only while armed or
 * counting: exh__alloc_fail_at(UINT64_MAX) counts without failing). */
uint64_t exh__alloc_count(void);

/* Checked allocation: never NULL; a failure unwinds to the guard above. */
void *exh__xmalloc(size_t n);
void *exh__xcalloc(size_t n, size_t m);
void *exh__xrealloc(void *p, size_t n);
char *exh__xstrdup(const char *s);
char *exh__xstrndup(const char *s, size_t n);
char *exh__xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable array helper: ensures room for `need` elements. */
#define EXH_VEC_RESERVE(ptr, cap, need)                                        \
  do {                                                                         \
    if ((need) > (cap)) {                                                      \
      size_t nc_ = (cap) ? (cap) * 2 : 16;                                     \
      while (nc_ < (need)) nc_ *= 2;                                           \
      (ptr) = exh__xrealloc((ptr), nc_ * sizeof(*(ptr)));                       \
      (cap) = nc_;                                                             \
    }                                                                          \
  } while (0)

/* Growable byte buffer, always NUL-terminated. */
typedef struct exh_buf {
  char *p;
  size_t n, cap;
} exh_buf;

/* Grows the buffer to hold `need` more bytes and a NUL (the slow path).
 * A buffer never grows past EXH_BUF_MAX (core/limits.h): past it, the
 * guard unwinds with EXH_GUARD_LIMIT. */
void exh__buf_grow(exh_buf *b, size_t need);
/* Appends; inline because renderers call it per token (the EVTX JSON
 * writer spent 13% of its time in the call itself). */
static inline void exh_buf_add(exh_buf *b, const void *p, size_t n) {
  if (b->n + n + 1 > b->cap) exh__buf_grow(b, n);
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
  b->p[b->n] = 0;
}
static inline void exh_buf_addc(exh_buf *b, char c) {
  if (b->n + 2 > b->cap) exh__buf_grow(b, 1);
  b->p[b->n++] = c;
  b->p[b->n] = 0;
}
void exh__buf_adds(exh_buf *b, const char *s);
void exh__buf_printf(exh_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void exh__buf_free(exh_buf *b);
/* Hands the bytes to the caller (NUL-terminated) and resets the buffer. */
char *exh__buf_take(exh_buf *b);

static inline unsigned char exh_lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}
int exh__strieq(exh_str a, const char *b);       /* ASCII case-insensitive */
int exh__strnieq(const char *a, const char *b, size_t n);
int exh__str_istarts(exh_str s, const char *prefix);
const char *exh__memimem(const char *h, size_t hn, const char *n, size_t nn);
exh_str exh__trim(exh_str s);

/* Numbers in slices that are not NUL-terminated (a field of a mapped log,
 * a value of a JSON line): only s's bytes are read, so "4688" glued to the
 * next field's digits is still 4688. Surrounding blanks are allowed; any
 * other byte, an empty slice or overflow gives -1. */
int exh__parse_u64(exh_str s, uint64_t *out);
int exh__parse_i64(exh_str s, int64_t *out);
/* The decimal number at the start of s (no sign, no blanks): 0 with the
 * value and the digits used, or -1 if s does not start with a digit or the
 * number overflows. */
int exh__parse_u64_prefix(exh_str s, uint64_t *out, size_t *used);

/* Time: UTC milliseconds since the epoch. */
int64_t exh__days_from_civil(int64_t y, unsigned m, unsigned d);
/* Parses "YYYY-MM-DD[T ]hh:mm:ss[.fff...][Z|±hh:mm|±hhmm|±hh]" (no suffix:
 * UTC). Anything else after the time is an error, never read as UTC.
 * Returns 0 on success. */
int exh__parse_iso8601(exh_str s, int64_t *ms);
/* The same for a stamp at the start of free text: it ends at the first byte
 * that cannot continue it (*used: its length). */
int exh__parse_iso8601_prefix(exh_str s, int64_t *ms, size_t *used);
/* Writes "YYYY-MM-DDThh:mm:ss.mmmZ" (24 chars + NUL) into out[32]. */
void exh__format_iso8601(int64_t ms, char out[32]);
int64_t exh__now_ms(void);

/* Output escaping: every attacker-controlled byte goes through one of these.
 * JSON: a quoted string; invalid UTF-8 bytes become U+FFFD. */
void exh__json_str(FILE *f, const char *s, size_t n);
/* The same JSON escaping into a buffer (for renderers that write a whole
 * record at once). */
void exh__json_buf(exh_buf *b, const char *s, size_t n);
/* Terminal: control bytes (C0, DEL, C1 via UTF-8, ESC) become \xNN; invalid
 * UTF-8 becomes \xNN; characters that reorder or hide text (bidi embeddings,
 * overrides and isolates, zero-width and other invisible format characters,
 * line and paragraph separators: Trojan Source spoofing) become \uXXXX;
 * everything else passes. */
void exh__term_str(FILE *f, const char *s, size_t n);
/* The same terminal escaping into a buffer. */
void exh__term_buf(exh_buf *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t exh__utf8_len(const unsigned char *s, size_t n);
/* One character of UTF-8 at s (n > 0): its code point and length; a byte
 * that starts no valid sequence is one character, EXH_UTF8_BAD | byte
 * (equal only to the same byte). */
#define EXH_UTF8_BAD 0x80000000u
size_t exh__utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Unicode simple case folding (util/fold.c; the coverage is in
 * docs/sigma.md): ASCII as exh_lower, others by table; a code point
 * without a fold, or EXH_UTF8_BAD | byte, is returned as it is. */
uint32_t exh__fold_cp(uint32_t cp);
/* Has a non-ASCII code point another case (it folds, or another folds to
 * it)? Such characters cannot be part of a literal searched ASCII-caselessly. */
int exh__fold_has_variants(uint32_t cp);
/* Equal after simple case folding, character by character. */
int exh__fold_eq(const char *a, size_t an, const char *b, size_t bn);

/* URL decoding as a server does it, for the decoded virtual fields of web
 * logs (docs/formats.md): %XX and IIS's %uXXXX (written as UTF-8), and, when
 * plus_space is set (a query string), '+' as a space. Decoding repeats on
 * its own output until nothing changes or EXH_URL_DECODE_PASSES passes were
 * made (double and triple encoding, %2540 -> %40 -> @). %00 and malformed
 * escapes stay as written. Returns 1 and out's bytes when anything changed;
 * 0 (out untouched) when s has nothing to decode, so the caller keeps the
 * slice it has. */
int exh__url_decode(exh_buf *out, const char *s, size_t n, int plus_space);

/* Counts '\n' bytes in [p, p+n); written so the compiler vectorises it. */
uint64_t exh__count_newlines(const char *p, size_t n);

/* Repeat counts of sibling keys (a JSON object's "Data", "Data_1"...):
 * dup[i] = how many of keys[0..i) equal keys[i]. Small sets are scanned,
 * big ones hashed, so it stays linear (a 64 KiB EVTX chunk can hold an
 * element with thousands of children). */
void exh__dup_counts(const exh_str *keys, size_t k, unsigned *dup);

#endif
