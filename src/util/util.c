/* Shared helpers: allocation, buffers, strings, time, escaping. */
#include "util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "../core/limits.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- guards and allocation ---------------------------------------------- */

static _Thread_local exh_guard *guard_top;

void exh__guard_push(exh_guard *g) {
  g->prev = guard_top;
  g->code = 0;
  guard_top = g;
}

void exh__guard_pop(exh_guard *g) {
  if (guard_top == g) guard_top = g->prev;
}

_Noreturn void exh__guard_fail(int code) {
  exh_guard *g = guard_top;
  if (!g) {
    fprintf(stderr, "exhunt: %s outside any guard (a bug): aborting\n",
            code == EXH_GUARD_LIMIT ? "buffer over its limit" : "out of memory");
    abort();
  }
  guard_top = g->prev;
  g->code = code;
  longjmp(g->jb, code);
}

/* fault injection: armed != 0 turns counting on */
static atomic_int fail_armed;
static atomic_uint_fast64_t alloc_count, fail_at;

void exh__alloc_fail_at(uint64_t n) {
  atomic_store(&alloc_count, 0);
  atomic_store(&fail_at, n);
  atomic_store(&fail_armed, n != 0);
}

uint64_t exh__alloc_count(void) { return atomic_load(&alloc_count); }

static int injected_failure(void) {
  if (!atomic_load_explicit(&fail_armed, memory_order_relaxed)) return 0;
  uint64_t k = atomic_fetch_add(&alloc_count, 1) + 1;
  return k == atomic_load(&fail_at);
}

void *exh__xmalloc(size_t n) {
  void *p = injected_failure() ? NULL : malloc(n ? n : 1);
  if (!p) exh__guard_fail(EXH_GUARD_NOMEM);
  return p;
}

void *exh__xcalloc(size_t n, size_t m) {
  void *p = injected_failure() ? NULL : calloc(n ? n : 1, m ? m : 1);
  if (!p) exh__guard_fail(EXH_GUARD_NOMEM);
  return p;
}

void *exh__xrealloc(void *p, size_t n) {
  void *q = injected_failure() ? NULL : realloc(p, n ? n : 1);
  if (!q) exh__guard_fail(EXH_GUARD_NOMEM);
  return q;
}

char *exh__xstrndup(const char *s, size_t n) {
  char *d = exh__xmalloc(n + 1);
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

char *exh__xstrdup(const char *s) { return exh__xstrndup(s, strlen(s)); }

char *exh__xasprintf(const char *fmt, ...) {
  exh_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n < sizeof tmp) {
    va_end(ap2);
    return exh__xstrndup(tmp, (size_t)n);
  }
  b.p = exh__xmalloc((size_t)n + 1);
  vsnprintf(b.p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return b.p;
}

void exh__buf_grow(exh_buf *b, size_t need) {
  if (b->n + need + 1 <= b->cap) return;
  if (need > EXH_BUF_MAX || b->n + need + 1 > EXH_BUF_MAX) exh__guard_fail(EXH_GUARD_LIMIT);
  size_t nc = b->cap ? b->cap * 2 : 256;
  while (nc < b->n + need + 1) nc *= 2;
  if (nc > EXH_BUF_MAX) nc = EXH_BUF_MAX;
  b->p = exh__xrealloc(b->p, nc);
  b->cap = nc;
}
void exh__buf_adds(exh_buf *b, const char *s) { exh_buf_add(b, s, strlen(s)); }

void exh__buf_printf(exh_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s;
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) {
    va_end(ap2);
    return;
  }
  s = exh__xmalloc((size_t)n + 1);
  vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  exh_buf_add(b, s, (size_t)n);
  free(s);
}

void exh__buf_free(exh_buf *b) {
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

char *exh__buf_take(exh_buf *b) {
  char *p = b->p ? b->p : exh__xstrdup("");
  b->p = NULL;
  b->n = b->cap = 0;
  return p;
}

int exh__strnieq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (exh_lower((unsigned char)a[i]) != exh_lower((unsigned char)b[i])) return 0;
  return 1;
}

int exh__strieq(exh_str a, const char *b) {
  size_t bn = strlen(b);
  return a.n == bn && exh__strnieq(a.p, b, bn);
}

int exh__str_istarts(exh_str s, const char *prefix) {
  size_t pn = strlen(prefix);
  return s.n >= pn && exh__strnieq(s.p, prefix, pn);
}

/* Case-insensitive (ASCII) substring search. The SSE2 path compares the
 * needle's first and last bytes at 16 positions at once, with bit 0x20 set
 * on both sides (so letters match either case; a non-letter may give a
 * false candidate, which the full comparison then rejects). */
const char *exh__memimem(const char *h, size_t hn, const char *n, size_t nn) {
  if (nn == 0) return h;
  if (hn < nn) return NULL;
  size_t i = 0;
#ifdef __SSE2__
  if (nn >= 2) {
    const __m128i m20 = _mm_set1_epi8(0x20);
    const __m128i first = _mm_set1_epi8((char)(n[0] | 0x20));
    const __m128i last = _mm_set1_epi8((char)(n[nn - 1] | 0x20));
    for (; i + nn - 1 + 16 <= hn; i += 16) {
      __m128i bf = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(h + i)), m20);
      __m128i bl = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(h + i + nn - 1)), m20);
      unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(bf, first), _mm_cmpeq_epi8(bl, last)));
      while (mask) {
        unsigned bit = (unsigned)__builtin_ctz(mask);
        if (exh__strnieq(h + i + bit, n, nn)) return h + i + bit;
        mask &= mask - 1;
      }
    }
  }
#endif
  unsigned char f = exh_lower((unsigned char)n[0]);
  for (; i + nn <= hn; i++) {
    if (exh_lower((unsigned char)h[i]) == f && exh__strnieq(h + i, n, nn)) return h + i;
  }
  return NULL;
}

exh_str exh__trim(exh_str s) {
  while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r')) s.p++, s.n--;
  while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r' ||
                 s.p[s.n - 1] == '\n'))
    s.n--;
  return s;
}

/* ---- numbers ---------------------------------------------------------- */

int exh__parse_u64_prefix(exh_str s, uint64_t *out, size_t *used) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
    unsigned d = (unsigned)(s.p[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
    i++;
  }
  if (i == 0) return -1;
  *out = v;
  if (used) *used = i;
  return 0;
}

int exh__parse_u64(exh_str s, uint64_t *out) {
  if (!s.p) return -1;
  s = exh__trim(s);
  size_t used;
  uint64_t v;
  if (exh__parse_u64_prefix(s, &v, &used) != 0 || used != s.n) return -1;
  *out = v;
  return 0;
}

int exh__parse_i64(exh_str s, int64_t *out) {
  if (!s.p) return -1;
  s = exh__trim(s);
  int neg = s.n && s.p[0] == '-';
  if (neg || (s.n && s.p[0] == '+')) s.p++, s.n--;
  uint64_t v;
  size_t used;
  if (exh__parse_u64_prefix(s, &v, &used) != 0 || used != s.n) return -1;
  if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return -1;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

/* ---- time ------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: days since 1970-01-01. */
int64_t exh__days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *p, size_t n, int *out) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    v = v * 10 + (p[i] - '0');
  }
  *out = v;
  return 0;
}

static int parse_iso8601(exh_str s, int64_t *ms, int whole, size_t *used);

int exh__parse_iso8601(exh_str s, int64_t *ms) { return parse_iso8601(exh__trim(s), ms, 1, NULL); }

int exh__parse_iso8601_prefix(exh_str s, int64_t *ms, size_t *used) { return parse_iso8601(s, ms, 0, used); }

/* whole: s is the stamp and nothing else; else the stamp starts s and ends
 * where a time zone suffix cannot continue (*used: its length). */
static int parse_iso8601(exh_str s, int64_t *ms, int whole, size_t *used) {
  if (s.n >= 2 && s.p[0] == '"') s.p++, s.n -= 2;
  if (s.n < 19) return -1;
  const char *p = s.p;
  int Y, M, D, h, m, sec;
  if (digits(p, 4, &Y) || p[4] != '-' || digits(p + 5, 2, &M) || p[7] != '-' ||
      digits(p + 8, 2, &D) || (p[10] != 'T' && p[10] != ' ') || digits(p + 11, 2, &h) ||
      p[13] != ':' || digits(p + 14, 2, &m) || p[16] != ':' || digits(p + 17, 2, &sec))
    return -1;
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return -1;
  size_t i = 19;
  int frac = 0;
  if (i < s.n && (p[i] == '.' || p[i] == ',')) {
    i++;
    int nd = 0;
    while (i < s.n && p[i] >= '0' && p[i] <= '9') {
      if (nd < 3) frac = frac * 10 + (p[i] - '0');
      nd++, i++;
    }
    if (nd == 0) return -1;
    while (nd < 3) frac *= 10, nd++;
  }
  int64_t off_min = 0;
  if (i + 1 < s.n && p[i] == ' ' && (p[i + 1] == '+' || p[i + 1] == '-' || p[i + 1] == 'Z' || p[i + 1] == 'U'))
    i++; /* "... 01:02:03 +0000", "... 01:02:03 UTC" */
  if (i < s.n) {
    if (s.n - i == 3 && !memcmp(p + i, "UTC", 3)) {
      i += 3;
    } else if (p[i] == 'Z' || p[i] == 'z') {
      i++;
    } else if (p[i] == '+' || p[i] == '-') {
      /* +hh:mm, +hhmm or +hh */
      int oh, om = 0;
      size_t k = i + 1;
      if (k + 2 > s.n || digits(p + k, 2, &oh)) return -1;
      k += 2;
      size_t m0 = k < s.n && p[k] == ':' ? k + 1 : k;
      if (m0 + 2 <= s.n && digits(p + m0, 2, &om) == 0) k = m0 + 2;
      else om = 0;
      if (oh > 23 || om > 59) return -1;
      off_min = (int64_t)(oh * 60 + om) * (p[i] == '-' ? -1 : 1);
      i = k;
    }
    if (whole && i != s.n) return -1;
    if (!whole && i < s.n && ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z')) return -1;
  }
  if (used) *used = i;
  int64_t days = exh__days_from_civil(Y, (unsigned)M, (unsigned)D);
  *ms = ((days * 86400 + h * 3600 + m * 60 + sec) - off_min * 60) * 1000 + frac;
  return 0;
}

void exh__format_iso8601(int64_t ms, char out[32]) {
  if (ms == INT64_MIN) {
    snprintf(out, 32, "unknown");
    return;
  }
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int msec = (int)(ms - secs * 1000);
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  /* civil_from_days */
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) y = y < 0 ? 0 : 9999; /* keep 4 digits: 24 chars */
  /* digits by hand: this runs for every EVTX timestamp */
  unsigned yy = (unsigned)y, hh = (unsigned)(rem / 3600) % 100, mi = (unsigned)(rem / 60 % 60), ss = (unsigned)(rem % 60);
  unsigned ms3 = (unsigned)msec % 1000;
  char *o = out;
  *o++ = (char)('0' + yy / 1000), *o++ = (char)('0' + yy / 100 % 10), *o++ = (char)('0' + yy / 10 % 10),
  *o++ = (char)('0' + yy % 10), *o++ = '-';
  *o++ = (char)('0' + m / 10), *o++ = (char)('0' + m % 10), *o++ = '-';
  *o++ = (char)('0' + d / 10), *o++ = (char)('0' + d % 10), *o++ = 'T';
  *o++ = (char)('0' + hh / 10), *o++ = (char)('0' + hh % 10), *o++ = ':';
  *o++ = (char)('0' + mi / 10), *o++ = (char)('0' + mi % 10), *o++ = ':';
  *o++ = (char)('0' + ss / 10), *o++ = (char)('0' + ss % 10), *o++ = '.';
  *o++ = (char)('0' + ms3 / 100), *o++ = (char)('0' + ms3 / 10 % 10), *o++ = (char)('0' + ms3 % 10);
  *o++ = 'Z', *o = 0;
}

int64_t exh__now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- escaping ---------------------------------------------------------- */

size_t exh__utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

void exh__json_str(FILE *f, const char *s, size_t n) {
  /* one escaping routine for files and buffers */
  exh_buf b = {0};
  exh__json_buf(&b, s, n);
  fwrite(b.p, 1, b.n, f);
  exh__buf_free(&b);
}

void exh__json_buf(exh_buf *b, const char *s, size_t n) {
  static const char hx[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  /* room for the worst case (every byte six wide), then write directly */
  exh__buf_grow(b, 6 * n + 2);
  char *o = b->p + b->n;
  *o++ = '"';
  size_t i = 0;
  while (i < n) {
#ifdef __SSE2__
    /* 16 plain bytes at a time: a signed compare below 0x20 catches both
     * the control bytes and every byte >= 0x80 */
    const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
                  del = _mm_set1_epi8(0x7F);
    while (i + 16 <= n) {
      __m128i v = _mm_loadu_si128((const __m128i *)(u + i));
      __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, q)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, bs), _mm_cmpeq_epi8(v, del)));
      int mask = _mm_movemask_epi8(m);
      _mm_storeu_si128((__m128i *)o, v); /* room was reserved: bytes past the special one are overwritten */
      if (mask) {
        unsigned k = (unsigned)__builtin_ctz((unsigned)mask);
        o += k;
        i += k;
        break;
      }
      o += 16;
      i += 16;
    }
    if (i >= n) break;
#endif
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      *o++ = (char)c;
      i++;
      continue;
    }
    const char *esc = NULL;
    switch (c) {
    case '"': esc = "\\\""; break;
    case '\\': esc = "\\\\"; break;
    case '\n': esc = "\\n"; break;
    case '\r': esc = "\\r"; break;
    case '\t': esc = "\\t"; break;
    default: break;
    }
    if (esc) {
      *o++ = esc[0], *o++ = esc[1];
      i++;
      continue;
    }
    unsigned cp = 0;
    size_t l = 1;
    if (c < 0x20 || c == 0x7F) {
      cp = c;
    } else if ((l = exh__utf8_len(u + i, n - i)) == 0) {
      cp = 0xFFFD, l = 1;
    } else if (l == 3 && u[i] == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
      cp = u[i + 2] == 0xA8 ? 0x2028 : 0x2029; /* line separators: legal JSON, unsafe in JavaScript */
    } else {
      memcpy(o, u + i, l);
      o += l;
      i += l;
      continue;
    }
    *o++ = '\\', *o++ = 'u';
    *o++ = hx[cp >> 12 & 15], *o++ = hx[cp >> 8 & 15], *o++ = hx[cp >> 4 & 15], *o++ = hx[cp & 15];
    i += l;
  }
  *o++ = '"';
  b->n = (size_t)(o - b->p);
  b->p[b->n] = 0;
}

/* Characters that change the order or visibility of the text around them
 * (Unicode bidi controls, zero-width and invisible format characters, line
 * and paragraph separators). */
static int exh_is_invisible_format(uint32_t cp) {
  return cp == 0x00AD || cp == 0x061C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* The terminal escaping, once, for streams and buffers: runs of plain
 * bytes and escapes go to put as they come (no allocation). */
static void term_escape(void (*put)(void *, const char *, size_t), void *ctx, const char *s, size_t n) {
  static const char hx[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x7F) {
      size_t j = i + 1;
      while (j < n && u[j] >= 0x20 && u[j] < 0x7F) j++;
      put(ctx, s + i, j - i);
      i = j;
      continue;
    }
    size_t l = c < 0x80 ? 1 : exh__utf8_len(u + i, n - i);
    /* C0 controls and DEL; invalid UTF-8; C1 controls (U+0080..U+009F,
     * encoded C2 80..C2 9F: CSI lives there): the byte, as \xNN */
    if (c < 0x80 || l == 0 || (l == 2 && c == 0xC2 && u[i + 1] < 0xA0)) {
      const char e[4] = {'\\', 'x', hx[c >> 4], hx[c & 15]};
      put(ctx, e, 4);
      i++;
      continue;
    }
    uint32_t cp = l == 2 ? (uint32_t)(c & 0x1F) << 6 | (u[i + 1] & 0x3F)
                  : l == 3 ? (uint32_t)(c & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F)
                           : 0;
    if (exh_is_invisible_format(cp)) {
      const char e[6] = {'\\', 'u', hx[cp >> 12 & 15], hx[cp >> 8 & 15], hx[cp >> 4 & 15], hx[cp & 15]};
      put(ctx, e, 6);
      i += l;
      continue;
    }
    put(ctx, s + i, l);
    i += l;
  }
}

static void put_file(void *f, const char *p, size_t n) { fwrite(p, 1, n, f); }
static void put_buf(void *b, const char *p, size_t n) { exh_buf_add(b, p, n); }

void exh__term_str(FILE *f, const char *s, size_t n) { term_escape(put_file, f, s, n); }
void exh__term_buf(exh_buf *b, const char *s, size_t n) { term_escape(put_buf, b, s, n); }

uint64_t exh__count_newlines(const char *p, size_t n) {
  uint64_t c = 0;
  size_t i = 0;
#ifdef __SSE2__
  /* Every byte of every log passes here (line numbers): 16 at a time, the
   * compare's 0xFF (-1) subtracted into byte counters, summed with
   * _mm_sad_epu8 before they can wrap (255 rounds). gcc -O2 left the plain
   * loop below scalar: a third of a log scan's time. */
  const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  while (n - i >= 16) {
    __m128i acc = zero;
    size_t rounds = (n - i) / 16;
    if (rounds > 255) rounds = 255;
    for (size_t r = 0; r < rounds; r++, i += 16)
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), nl));
    __m128i sum = _mm_sad_epu8(acc, zero);
    c += (uint64_t)_mm_cvtsi128_si32(sum) + (uint64_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
  }
#endif
  /* Blocks of 255 so the byte-wide accumulators cannot overflow. */
  while (n - i >= 255) {
    unsigned char acc = 0;
    for (size_t k = 0; k < 255; k++) acc += (unsigned char)(p[i + k] == '\n');
    c += acc;
    i += 255;
  }
  for (; i < n; i++) c += p[i] == '\n';
  return c;
}

struct exh_dup_slot {
  const char *p;
  size_t n;
  uint64_t h;
  unsigned count;
};

static uint64_t dup_hash(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h | 1; /* 0 marks an empty slot */
}

void exh__dup_counts(const exh_str *keys, size_t k, unsigned *dup) {
  if (k <= 32) {
    for (size_t i = 0; i < k; i++) {
      unsigned d = 0;
      for (size_t j = 0; j < i; j++) d += keys[j].n == keys[i].n && (keys[i].n == 0 || !memcmp(keys[j].p, keys[i].p, keys[i].n));
      dup[i] = d;
    }
    return;
  }
  size_t cap = 64;
  while (cap < 2 * k) cap *= 2;
  struct exh_dup_slot *slot = exh__xcalloc(cap, sizeof *slot);
  for (size_t i = 0; i < k; i++) {
    uint64_t h = dup_hash(keys[i].p, keys[i].n);
    size_t j = h & (cap - 1);
    for (;;) {
      struct exh_dup_slot *s = &slot[j];
      if (!s->h) {
        *s = (struct exh_dup_slot){keys[i].p, keys[i].n, h, 1};
        dup[i] = 0;
        break;
      }
      if (s->h == h && s->n == keys[i].n && (s->n == 0 || !memcmp(s->p, keys[i].p, s->n))) {
        dup[i] = s->count++;
        break;
      }
      j = (j + 1) & (cap - 1);
    }
  }
  free(slot);
}

/* ---- URL decoding (util.h) ---------------------------------------------- */

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = exh_lower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One pass from s into d (d may be s: the output never outgrows the input,
 * %uXXXX's six bytes give at most three). Returns the length written and
 * sets *changed. */
static size_t url_decode_pass(char *d, const char *s, size_t n, int plus_space, int *changed) {
  size_t o = 0;
  *changed = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '+' && plus_space) {
      d[o++] = ' ';
      *changed = 1;
      continue;
    }
    if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 && hexval((unsigned char)s[i + 2]) >= 0) {
      int v = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);
      if (v != 0) {
        d[o++] = (char)v;
        i += 2;
        *changed = 1;
        continue;
      }
    } else if (c == '%' && i + 5 < n && (s[i + 1] | 32) == 'u') {
      int v = 0, ok = 1;
      for (int k = 2; k < 6; k++) {
        int h = hexval((unsigned char)s[i + k]);
        if (h < 0) ok = 0;
        v = v * 16 + (h < 0 ? 0 : h);
      }
      if (ok && v != 0 && (v < 0xD800 || v > 0xDFFF)) {
        if (v < 0x80) {
          d[o++] = (char)v;
        } else if (v < 0x800) {
          d[o++] = (char)(0xC0 | (v >> 6));
          d[o++] = (char)(0x80 | (v & 0x3F));
        } else {
          d[o++] = (char)(0xE0 | (v >> 12));
          d[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
          d[o++] = (char)(0x80 | (v & 0x3F));
        }
        i += 5;
        *changed = 1;
        continue;
      }
    }
    d[o++] = (char)c;
  }
  return o;
}

int exh__url_decode(exh_buf *out, const char *s, size_t n, int plus_space) {
  if (!memchr(s, '%', n) && !(plus_space && memchr(s, '+', n))) return 0;
  out->n = 0;
  exh_buf_add(out, s, n); /* room for the first pass; then decoded in place */
  int any = 0;
  for (int pass = 0; pass < EXH_URL_DECODE_PASSES; pass++) {
    int changed;
    out->n = url_decode_pass(out->p, out->p, out->n, plus_space, &changed);
    out->p[out->n] = 0;
    if (!changed) break;
    any = 1;
  }
  return any;
}
