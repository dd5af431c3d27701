/* EVTX parser (see evtx.h for the layout). Formats per libyal's "Windows
 * XML Event Log (EVTX)" notes and [MS-EVEN6]; value renderings follow
 * python-evtx where it is the reference for the tests. */
#include "evtx.h"
#include "evtx_int.h"

#include "../../core/limits.h"
#include "../../platform/platform.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- little-endian reads, bounds-checked by the callers ------------------ */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

/* CRC-32 (IEEE), slicing by 8 bytes: a table per byte position. */
static uint32_t crc_tab[8][256];
static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_tab[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_tab[t][i] = crc_tab[0][crc_tab[t - 1][i] & 0xFF] ^ (crc_tab[t - 1][i] >> 8);
}

/* The register update over bytes, slicing by 8 (no pre/post inversion). */
static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n) {
  while (n >= 8) {
    uint32_t a = c ^ le32(p), b = le32(p + 4);
    c = crc_tab[7][a & 0xFF] ^ crc_tab[6][(a >> 8) & 0xFF] ^ crc_tab[5][(a >> 16) & 0xFF] ^ crc_tab[4][a >> 24] ^
        crc_tab[3][b & 0xFF] ^ crc_tab[2][(b >> 8) & 0xFF] ^ crc_tab[1][(b >> 16) & 0xFF] ^ crc_tab[0][b >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_tab[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <wmmintrin.h>

/* Carry-less multiplication folding (Intel, "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ", 2009; the reflected constants of
 * CRC-32 as in Linux's crc32-pclmul): four 128-bit lanes folded 64 bytes
 * at a time, then into one lane; the last 128 bits and the tail go
 * through the table. Every chunk of an EVTX file is checked, so this is
 * on the decode path; tests compare it with the table on random input. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_pclmul(uint32_t c, const uint8_t *p, size_t n) {
  const __m128i k12 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4), k34 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
  __m128i x0 = _mm_loadu_si128((const __m128i *)p), x1 = _mm_loadu_si128((const __m128i *)(p + 16)),
          x2 = _mm_loadu_si128((const __m128i *)(p + 32)), x3 = _mm_loadu_si128((const __m128i *)(p + 48));
  x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)c));
  p += 64, n -= 64;
#define FOLD(x, k, next)                                                                                         \
  x = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next)
  while (n >= 64) {
    FOLD(x0, k12, _mm_loadu_si128((const __m128i *)p));
    FOLD(x1, k12, _mm_loadu_si128((const __m128i *)(p + 16)));
    FOLD(x2, k12, _mm_loadu_si128((const __m128i *)(p + 32)));
    FOLD(x3, k12, _mm_loadu_si128((const __m128i *)(p + 48)));
    p += 64, n -= 64;
  }
  FOLD(x0, k34, x1);
  FOLD(x0, k34, x2);
  FOLD(x0, k34, x3);
  while (n >= 16) {
    FOLD(x0, k34, _mm_loadu_si128((const __m128i *)p));
    p += 16, n -= 16;
  }
#undef FOLD
  uint8_t last[16];
  _mm_storeu_si128((__m128i *)last, x0);
  c = crc_update(0, last, 16);
  return crc_update(c, p, n);
}

static int have_pclmul(void) {
  unsigned a, b, cx, d;
  return __get_cpuid(1, &a, &b, &cx, &d) && (cx & bit_PCLMUL) && (cx & bit_SSE4_1);
}
#endif

static int use_pclmul;

static void crc_setup(void) {
  crc_init();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  use_pclmul = have_pclmul();
#endif
}

/* One initialisation for both entry points (two once-flags ran it twice,
 * the second writing the tables while the first's callers read them). */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

uint32_t exh__crc32_table(const uint8_t *p, size_t n) {
  pthread_once(&crc_once, crc_setup);
  return crc_update(0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
}

uint32_t exh__crc32(const uint8_t *p, size_t n) {
  pthread_once(&crc_once, crc_setup);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (use_pclmul && n >= 64) return crc_pclmul(0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
#endif
  return crc_update(0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
}

static int64_t filetime_ms(uint64_t ft) {
  /* 100 ns since 1601-01-01 -> ms since 1970-01-01 */
  return (int64_t)(ft / 10000) - 11644473600000LL;
}

static void issue(exh_evtx *p, size_t chunk_off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void issue(exh_evtx *p, size_t chunk_off, const char *fmt, ...) {
  p->bad = 1;
  if (!p->on_issue || p->quiet) return;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  p->on_issue(p->ctx, p->chunk_file_off + chunk_off, msg);
}

/* ---- the expansion budget ------------------------------------------------ */

/* Units of charge (nodes + bytes) between two readings of the clock: well
 * under a millisecond of decoding (the reading costs tens of nanoseconds),
 * so a deadline is kept even inside one record's expansion, which the
 * limits allow to reach about 17 million units. */
#define CLOCK_EVERY (1u << 16)

int exh__evtx__charge(exh_evtx *p, uint64_t nodes, uint64_t bytes) {
  if (p->over) return -1;
  p->cnodes += nodes;
  p->cbytes += bytes;
  if (p->cnodes > p->max_nodes || p->cbytes > p->max_bytes) {
    p->over = 1;
    return -1;
  }
  if (p->deadline > 0) {
    p->next_clock -= nodes + bytes < p->next_clock ? nodes + bytes : p->next_clock;
    if (!p->next_clock) {
      p->next_clock = CLOCK_EVERY;
      if (exh__monotonic_s() > p->deadline) {
        p->over = p->timed_out = 1;
        return -1;
      }
    }
  }
  return 0;
}

static int charge(exh_evtx *p, uint64_t nodes, uint64_t bytes) { return exh__evtx__charge(p, nodes, bytes); }

void exh__evtx_set_deadline(exh_evtx *p, double t) {
  p->deadline = t;
  p->next_clock = CLOCK_EVERY;
  p->timed_out = 0;
}

int exh__evtx_timed_out(const exh_evtx *p) { return p->timed_out; }

/* ---- arena ------------------------------------------------------------- */

static uint32_t put_utf8(exh_evtx *p, const char *s, size_t n) {
  uint32_t off = (uint32_t)p->arena.n;
  exh_buf_add(&p->arena, s, n);
  return off;
}

/* A UTF-16 unit above 0x7F as a code point: a surrogate pair combined
 * (advancing *next past the low half), a lone surrogate as U+FFFD. */
static inline uint32_t utf16_pair(uint32_t cp, const uint8_t *s, size_t nchars, size_t *next) {
  if (cp >= 0xD800 && cp <= 0xDBFF && *next < nchars) {
    uint32_t lo = le16(s + 2 * *next);
    if (lo < 0xDC00 || lo > 0xDFFF) return 0xFFFD;
    (*next)++;
    return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  return cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp;
}

/* A code point of 0x80 or more as UTF-8. */
static inline char *utf8_put(char *o, uint32_t cp) {
  if (cp < 0x800) {
    *o++ = (char)(0xC0 | cp >> 6);
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xE0 | cp >> 12);
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (char)(0xF0 | cp >> 18);
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  }
  return o;
}

/* UTF-16LE -> UTF-8 into the arena (invalid surrogates become U+FFFD). The
 * arena is grown once for the worst case, then written directly. */
static uint32_t put_utf16(exh_evtx *p, const uint8_t *s, size_t nchars, uint32_t *len, int strip_nul) {
  uint32_t off = (uint32_t)p->arena.n;
  exh_buf *b = &p->arena;
  if (b->n + nchars * 3 + 1 > b->cap) {
    exh_buf_add(b, "", 0); /* make sure p exists */
    size_t nc = b->cap ? b->cap : 256;
    while (nc < b->n + nchars * 3 + 1) nc *= 2;
    b->p = exh__xrealloc(b->p, nc);
    b->cap = nc;
  }
  char *o = b->p + b->n;
  size_t i = 0;
#ifdef __SSE2__
  /* ASCII runs, 8 characters at a time: no lane above 0x7F -> pack to bytes */
  const __m128i hi = _mm_set1_epi16((short)0xFF80);
  while (i + 8 <= nchars) {
    __m128i v = _mm_loadu_si128((const __m128i *)(s + 2 * i));
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, hi), _mm_setzero_si128())) != 0xFFFF) break;
    _mm_storel_epi64((__m128i *)o, _mm_packus_epi16(v, v));
    o += 8;
    i += 8;
  }
#endif
  for (; i < nchars; i++) {
    uint32_t cp = (uint32_t)s[2 * i] | (uint32_t)s[2 * i + 1] << 8;
    if (cp < 0x80) {
      *o++ = (char)cp;
      continue;
    }
    size_t next = i + 1;
    cp = utf16_pair(cp, s, nchars, &next);
    i = next - 1;
    o = utf8_put(o, cp);
  }
  b->n = (size_t)(o - b->p);
  /* python-evtx strips trailing NULs from strings */
  if (strip_nul)
    while (b->n > off && b->p[b->n - 1] == 0) b->n--;
  b->p[b->n] = 0;
  *len = (uint32_t)(b->n - off);
  return off;
}

void exh__evtx__json_utf16(exh_buf *b, const uint8_t *s, size_t nchars) {
  static const char hx[] = "0123456789abcdef";
  /* worst case: every unit six wide; 8 more for the last 8-byte store */
  if (b->n + 6 * nchars + 11 > b->cap) exh__buf_grow(b, 6 * nchars + 10);
  char *o = b->p + b->n;
  *o++ = '"';
  size_t i = 0;
  for (;;) {
#ifdef __SSE2__
    /* 8 units at a time while they are plain ASCII: 0x20 to 0x7E (v - 0x20
     * at most 0x5E unsigned, as a signed compare after flipping the top
     * bit), not a quote or backslash */
    const __m128i shift = _mm_set1_epi16(0x7FE0), top = _mm_set1_epi16((short)0x805E), q = _mm_set1_epi16('"'),
                  bs = _mm_set1_epi16('\\');
#define EXH_JSON_BAD16(v)                                                                                            \
  _mm_or_si128(_mm_cmpgt_epi16(_mm_add_epi16((v), shift), top),                                                      \
               _mm_or_si128(_mm_cmpeq_epi16((v), q), _mm_cmpeq_epi16((v), bs)))
    while (i + 8 <= nchars) {
      __m128i v = _mm_loadu_si128((const __m128i *)(s + 2 * i));
      __m128i bad = EXH_JSON_BAD16(v);
      unsigned mask = (unsigned)_mm_movemask_epi8(bad);
      _mm_storel_epi64((__m128i *)o, _mm_packus_epi16(v, v)); /* room was reserved */
      if (mask) {
        unsigned k = (unsigned)__builtin_ctz(mask) / 2;
        o += k;
        i += k;
        break;
      }
      o += 8;
      i += 8;
    }
    if (i < nchars && i + 8 > nchars) {
      /* the last units (fewer than 8): the same test on a copy padded
       * with plain letters, so nothing past the string is read */
      size_t r = nchars - i;
      uint16_t tmp[8] = {'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
      memcpy(tmp, s + 2 * i, 2 * r);
      __m128i v = _mm_loadu_si128((const __m128i *)tmp);
      __m128i bad = EXH_JSON_BAD16(v);
      unsigned mask = (unsigned)_mm_movemask_epi8(bad);
      _mm_storel_epi64((__m128i *)o, _mm_packus_epi16(v, v)); /* room was reserved */
      if (!mask) {
        o += r;
        break;
      }
      unsigned k = (unsigned)__builtin_ctz(mask) / 2;
      o += k;
      i += k;
    }
#undef EXH_JSON_BAD16
#endif
    if (i >= nchars) break;
    uint32_t cp = le16(s + 2 * i);
    i++;
    if (cp < 0x80) {
      if (cp >= 0x20 && cp != 0x7F && cp != '"' && cp != '\\') {
        *o++ = (char)cp;
      } else if (cp == '"' || cp == '\\') {
        *o++ = '\\', *o++ = (char)cp;
      } else if (cp == '\n' || cp == '\r' || cp == '\t') {
        *o++ = '\\', *o++ = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
      } else {
        *o++ = '\\', *o++ = 'u', *o++ = '0', *o++ = '0', *o++ = hx[cp >> 4], *o++ = hx[cp & 15];
      }
      continue;
    }
    cp = utf16_pair(cp, s, nchars, &i);
    if (cp == 0x2028 || cp == 0x2029) { /* as exh__json_buf: unsafe in JavaScript */
      memcpy(o, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
      o += 6;
    } else {
      o = utf8_put(o, cp);
    }
  }
  *o++ = '"';
  b->n = (size_t)(o - b->p);
  b->p[b->n] = 0;
}

static int new_node(exh_evtx *p, int parent) {
  EXH_VEC_RESERVE(p->nodes, p->capnodes, p->nnodes + 1);
  exh_evtx_node *n = &p->nodes[p->nnodes];
  memset(n, 0, sizeof *n);
  n->parent = parent;
  n->first_child = n->last_child = n->next = n->first_attr = n->last_attr = -1;
  int i = (int)p->nnodes++;
  if (parent >= 0) {
    exh_evtx_node *pa = &p->nodes[parent];
    if (pa->last_child >= 0) p->nodes[pa->last_child].next = i;
    else pa->first_child = i;
    pa->last_child = i;
  }
  return i;
}

static void add_text(exh_evtx *p, int parent, uint32_t off, uint32_t len) {
  if (parent < 0 || len == 0) return;
  int t = new_node(p, parent);
  p->nodes[t].is_text = 1;
  p->nodes[t].text = off;
  p->nodes[t].text_len = len;
}

/* ---- values ------------------------------------------------------------ */

typedef exh_evtx_value value;

static void put_fmt(exh_evtx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_fmt(exh_evtx *p, const char *fmt, ...) {
  char tmp[128];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k > 0) exh_buf_add(p->vb, tmp, (size_t)(k < (int)sizeof tmp ? k : (int)sizeof tmp - 1));
}

/* two decimal digits of 0..99, two hex digits of a byte */
static const char d2[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                         "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                         "8081828384858687888990919293949596979899";
static const char hex2[2][513] = {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
                                  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                                  "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F"
                                  "808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"};

static void put_u64(exh_evtx *p, uint64_t v) {
  /* digits counted first (from the bit length), then written in place two
   * at a time (every record has a dozen numbers) */
  static const uint64_t p10[20] = {0, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                   100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
                                   10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
                                   100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull};
  exh_buf *b = p->vb;
  if (b->n + 22 > b->cap) exh__buf_grow(b, 21);
  unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
  size_t len = t + 1 - (v < p10[t]);
  char *o = b->p + b->n + len;
  while (v >= 100) {
    unsigned r = (unsigned)(v % 100);
    v /= 100;
    *--o = d2[2 * r + 1], *--o = d2[2 * r];
  }
  if (v >= 10) *--o = d2[2 * v + 1], *--o = d2[2 * v];
  else *--o = (char)('0' + v);
  b->n += len;
  b->p[b->n] = 0;
}

static void put_i64(exh_evtx *p, int64_t v) {
  if (v < 0) {
    exh_buf_addc(p->vb, '-');
    put_u64(p, (uint64_t)0 - (uint64_t)v);
  } else {
    put_u64(p, (uint64_t)v);
  }
}

static void put_time(exh_evtx *p, int64_t ms_part_us_y, unsigned Y, unsigned M, unsigned D, unsigned h, unsigned mi,
                     unsigned s, unsigned us) {
  (void)ms_part_us_y;
  /* "YYYY-MM-DD hh:mm:ss[.uuuuuu]" without printf (hot: every record) */
  char b[27];
  unsigned v[6] = {Y % 10000, M % 100, D % 100, h % 100, mi % 100, s % 100};
  b[0] = (char)('0' + v[0] / 1000), b[1] = (char)('0' + v[0] / 100 % 10), b[2] = (char)('0' + v[0] / 10 % 10),
  b[3] = (char)('0' + v[0] % 10);
  static const char sep[5] = {'-', '-', ' ', ':', ':'};
  for (int i = 1; i < 6; i++) {
    b[4 + 3 * (i - 1)] = sep[i - 1];
    b[5 + 3 * (i - 1)] = (char)('0' + v[i] / 10);
    b[6 + 3 * (i - 1)] = (char)('0' + v[i] % 10);
  }
  size_t k = 19;
  if (us) {
    us %= 1000000;
    b[k++] = '.';
    for (int i = 5; i >= 0; i--, us /= 10) b[k + (size_t)i] = (char)('0' + us % 10);
    k += 6;
  }
  exh_buf_add(p->vb, b, k);
}

static void put_filetime(exh_evtx *p, uint64_t ft) {
  /* python-evtx: datetime.isoformat(' '), microseconds when nonzero. The
   * date as exh__format_iso8601 makes it (civil_from_days, the year kept
   * to 9999), here from the days since 1601, which are never negative, and
   * written straight into the buffer (hot: every record). */
  uint64_t us_total = ft / 10, secs = us_total / 1000000;
  unsigned us = (unsigned)(us_total % 1000000), rem = (unsigned)(secs % 86400);
  uint64_t z = secs / 86400 + 584694; /* days since 0000-03-01 */
  uint64_t era = z / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  uint64_t y = yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y > 9999) y = 9999;
  unsigned hh = rem / 3600, mi = rem / 60 % 60, ss = rem % 60;
  exh_buf *b = p->vb;
  if (b->n + 27 > b->cap) exh__buf_grow(b, 26);
  char *o = b->p + b->n;
  memcpy(o, d2 + 2 * (y / 100), 2), memcpy(o + 2, d2 + 2 * (y % 100), 2), o[4] = '-';
  memcpy(o + 5, d2 + 2 * m, 2), o[7] = '-';
  memcpy(o + 8, d2 + 2 * d, 2), o[10] = ' ';
  memcpy(o + 11, d2 + 2 * hh, 2), o[13] = ':';
  memcpy(o + 14, d2 + 2 * mi, 2), o[16] = ':';
  memcpy(o + 17, d2 + 2 * ss, 2);
  size_t k = 19;
  if (us) {
    o[19] = '.';
    memcpy(o + 20, d2 + 2 * (us / 10000), 2), memcpy(o + 22, d2 + 2 * (us / 100 % 100), 2);
    memcpy(o + 24, d2 + 2 * (us % 100), 2);
    k = 26;
  }
  b->n += k;
  b->p[b->n] = 0;
}

/* Hex digits of n bytes, in place; reverse: last byte first (integers). */
static void put_hex(exh_evtx *p, const uint8_t *d, size_t n, int upper, int reverse) {
  const char *dg = hex2[upper];
  exh_buf *b = p->vb;
  if (b->n + 2 * n + 1 > b->cap) exh__buf_grow(b, 2 * n + 1);
  char *o = b->p + b->n;
  if (reverse)
    for (size_t i = 0; i < n; i++) memcpy(o + 2 * i, dg + 2 * d[n - 1 - i], 2);
  else
    for (size_t i = 0; i < n; i++) memcpy(o + 2 * i, dg + 2 * d[i], 2);
  b->n += 2 * n;
  b->p[b->n] = 0;
}

/* Renders one scalar of a value type (no array bit) as text. Returns the
 * bytes consumed, 0 if the data is too short. */
static size_t put_scalar(exh_evtx *p, uint8_t t, const uint8_t *d, size_t n) {
  switch (t) {
  case 0x00: return 0;
  case 0x03: if (n < 1) return 0; put_i64(p, (int8_t)d[0]); return 1;
  case 0x04: if (n < 1) return 0; put_u64(p, d[0]); return 1;
  case 0x05: if (n < 2) return 0; put_i64(p, (int16_t)le16(d)); return 2;
  case 0x06: if (n < 2) return 0; put_u64(p, le16(d)); return 2;
  case 0x07: if (n < 4) return 0; put_i64(p, (int32_t)le32(d)); return 4;
  case 0x08: if (n < 4) return 0; put_u64(p, le32(d)); return 4;
  case 0x09: if (n < 8) return 0; put_i64(p, (int64_t)le64(d)); return 8;
  case 0x0a: if (n < 8) return 0; put_u64(p, le64(d)); return 8;
  case 0x0b: {
    if (n < 4) return 0;
    uint32_t u = le32(d);
    float f;
    memcpy(&f, &u, 4);
    put_fmt(p, "%.9g", (double)f);
    return 4;
  }
  case 0x0c: {
    if (n < 8) return 0;
    uint64_t u = le64(d);
    double f;
    memcpy(&f, &u, 8);
    put_fmt(p, "%.17g", f);
    return 8;
  }
  case 0x0d: if (n < 4) return 0; exh__buf_adds(p->vb, le32(d) ? "True" : "False"); return 4;
  case 0x0f:
    if (n < 16) return 0;
  {
    /* {DWORD-WORD-WORD-BYTES}, lowercase, the first three little-endian */
    exh_buf *b = p->vb;
    if (b->n + 39 > b->cap) exh__buf_grow(b, 38);
    char *g = b->p + b->n;
    g[0] = '{', g[9] = g[14] = g[19] = g[24] = '-', g[37] = '}';
#define EXH_GUID_HEX(at, byte) memcpy(g + (at), hex2[0] + 2 * d[byte], 2)
    EXH_GUID_HEX(1, 3), EXH_GUID_HEX(3, 2), EXH_GUID_HEX(5, 1), EXH_GUID_HEX(7, 0);
    EXH_GUID_HEX(10, 5), EXH_GUID_HEX(12, 4), EXH_GUID_HEX(15, 7), EXH_GUID_HEX(17, 6);
    EXH_GUID_HEX(20, 8), EXH_GUID_HEX(22, 9), EXH_GUID_HEX(25, 10), EXH_GUID_HEX(27, 11);
    EXH_GUID_HEX(29, 12), EXH_GUID_HEX(31, 13), EXH_GUID_HEX(33, 14), EXH_GUID_HEX(35, 15);
#undef EXH_GUID_HEX
    b->n += 38;
    b->p[b->n] = 0;
  }
    return 16;
  case 0x10: /* size type: 4 or 8 bytes, as the value's size says */
  case 0x14:
  case 0x15: {
    size_t w = t == 0x14 ? 4 : t == 0x15 ? 8 : (n >= 8 ? 8 : 4);
    if (n < w) return 0;
    exh_buf_add(p->vb, "0x", 2);
    put_hex(p, d, w, 0, 1);
    return w;
  }
  case 0x11: if (n < 8) return 0; put_filetime(p, le64(d)); return 8;
  case 0x12:
    if (n < 16) return 0;
    put_time(p, 0, le16(d), le16(d + 2), le16(d + 6), le16(d + 8), le16(d + 10), le16(d + 12), (unsigned)le16(d + 14) * 1000);
    return 16;
  case 0x13: {
    if (n < 8) return 0;
    unsigned rev = d[0], nsub = d[1];
    if (n < 8 + 4u * nsub) return 0;
    uint64_t auth = 0;
    for (int i = 2; i < 8; i++) auth = auth << 8 | d[i];
    exh_buf_add(p->vb, "S-", 2);
    put_u64(p, rev);
    exh_buf_addc(p->vb, '-');
    put_u64(p, auth);
    for (unsigned i = 0; i < nsub; i++) {
      exh_buf_addc(p->vb, '-');
      put_u64(p, le32(d + 8 + 4 * i));
    }
    return 8 + 4u * nsub;
  }
  default: return 0;
  }
}

static int parse_fragment(exh_evtx *p, size_t pos, size_t end, const value *vals, size_t nvals, int parent,
                          int depth, int in_def, size_t *consumed);

void exh__evtx__render_value(exh_evtx *p, const value *v) {
  uint8_t t = v->type;
  const uint8_t *d = v->data;
  size_t n = v->size;
  uint32_t len;
  if (t == 0x01) {
    put_utf16(p, d, n / 2, &len, 1);
  } else if (t == 0x02) {
    size_t k = n;
    while (k && d[k - 1] == 0) k--;
    put_utf8(p, (const char *)d, k);
  } else if (t == 0x0e) { /* binary: python-evtx base64, here hex (evtx crate) */
    put_hex(p, d, n, 1, 0);
  } else if (t == 0x81) { /* array of strings: NUL-terminated items, joined with ',' */
    size_t nch = n / 2, s0 = 0;
    int first = 1;
    for (size_t i = 0; i < nch; i++) {
      if (le16(d + 2 * i) != 0) continue;
      if (!first) exh_buf_addc(&p->arena, ',');
      uint32_t l2;
      put_utf16(p, d + 2 * s0, i - s0, &l2, 0);
      first = 0;
      s0 = i + 1;
    }
    if (s0 < nch) { /* a last item without its terminator */
      if (!first) exh_buf_addc(&p->arena, ',');
      uint32_t l2;
      put_utf16(p, d + 2 * s0, nch - s0, &l2, 0);
    }
  } else if (t & 0x80) {
    uint8_t bt = t & 0x7F;
    size_t at = 0;
    int first = 1;
    while (at < n) {
      if (!first) exh_buf_addc(p->vb, ',');
      size_t used = put_scalar(p, bt, d + at, n - at);
      if (!used) break;
      at += used;
      first = 0;
    }
  } else {
    put_scalar(p, t, d, n);
  }
}

int exh__evtx__value_json(exh_evtx *p, exh_buf *o, const value *v) {
  const uint8_t *d = v->data;
  size_t n = v->size;
  if (v->type == 0x01) {
    size_t nch = n / 2;
    while (nch && d[2 * nch - 2] == 0 && d[2 * nch - 1] == 0) nch--; /* trailing NULs go */
    if (!nch) return 0;
    exh__evtx__json_utf16(o, d, nch);
    return 1;
  }
  if (v->type == 0x02 || v->type == 0x81) { /* text that may need escaping */
    exh_buf *ar = &p->arena;
    size_t m = ar->n;
    exh__evtx__render_value(p, v);
    size_t k = ar->n - m;
    if (k) exh__json_buf(o, ar->p + m, k);
    ar->n = m;
    return k != 0;
  }
  /* numbers, times, GUIDs, SIDs, hex: nothing to escape, written in place
   * (the common unsigned integers without the general path's calls) */
  size_t m = o->n;
  exh_buf_addc(o, '"');
  p->vb = o;
  switch (v->type) {
  case 0x04: if (n >= 1) put_u64(p, d[0]); break;
  case 0x06: if (n >= 2) put_u64(p, le16(d)); break;
  case 0x08: if (n >= 4) put_u64(p, le32(d)); break;
  case 0x0a: if (n >= 8) put_u64(p, le64(d)); break;
  case 0x0e: exh__evtx__render_value(p, v); break;
  default: /* a scalar is put_scalar's, as exh__evtx__render_value would call it */
    if (v->type & 0x80) exh__evtx__render_value(p, v);
    else put_scalar(p, v->type, d, n);
    break;
  }
  p->vb = &p->arena;
  if (o->n == m + 1) {
    o->n = m;
    return 0;
  }
  exh_buf_addc(o, '"');
  return 1;
}

/* Renders a substitution value as content of `parent`. */
static void put_value(exh_evtx *p, const value *v, uint16_t id, int parent, int depth) {
  if (p->symbolic) { /* compiling a template: a marker stands for the value */
    uint8_t m[3] = {EXH_EVTX_MARK, (uint8_t)(id & 0xFF), (uint8_t)(id >> 8)};
    uint32_t off = put_utf8(p, (const char *)m, 3);
    add_text(p, parent, off, 3);
    return;
  }
  uint8_t t = v->type;
  size_t n = v->size;
  if (t == 0x00 || n == 0) return;
  if (t == 0x21) { /* binary XML: its elements become children */
    if (charge(p, 1, 0)) return;
    size_t pos = (size_t)(v->data - p->chunk), used = 0;
    parse_fragment(p, pos, pos + n, NULL, 0, parent, depth + 1, 0, &used);
    return;
  }
  if (charge(p, 1, EXH_EVTX_VALUE_BYTES(n))) return;
  uint32_t off = (uint32_t)p->arena.n;
  exh__evtx__render_value(p, v);
  add_text(p, parent, off, (uint32_t)(p->arena.n - off));
}

/* Reads a name structure at chunk offset `off`. */
static int read_name(exh_evtx *p, uint32_t off, uint32_t *name, uint32_t *len, size_t *inline_size) {
  if ((size_t)off + 8 > p->chunk_size) return -1;
  uint16_t nch = le16(p->chunk + off + 6);
  size_t need = 8 + 2u * nch + 2;
  if ((size_t)off + need > p->chunk_size) return -1;
  *name = put_utf16(p, p->chunk + off + 8, nch, len, 0);
  *inline_size = need;
  return 0;
}

/* Consumes the value tokens of an attribute or content starting at *pos. */
static int parse_values(exh_evtx *p, size_t *pos, size_t end, const value *vals, size_t nvals, int target,
                        int depth, int attr) {
  const uint8_t *c = p->chunk;
  while (*pos < end) {
    uint8_t tok = c[*pos];
    uint8_t base = tok & 0x0F;
    if (base == 0x05 || base == 0x07) { /* value text, CDATA */
      if (*pos + 4 > end) return -1;
      size_t at = *pos + (base == 0x05 ? 2 : 1);
      if (at + 2 > end) return -1;
      uint16_t nch = le16(c + at);
      if (at + 2 + 2u * nch > end) return -1;
      uint32_t len, off = put_utf16(p, c + at + 2, nch, &len, 0);
      if (charge(p, 1, EXH_EVTX_TEXT_BYTES(len))) return -1;
      if (attr) {
        exh_evtx_attr *a = &p->attrs[target];
        if (a->val_len == 0) a->val = off;
        a->val_len = (uint32_t)(p->arena.n - a->val);
      } else {
        add_text(p, target, off, len);
      }
      *pos = at + 2 + 2u * nch;
    } else if (tok == 0x0d || tok == 0x0e) { /* substitution */
      if (*pos + 4 > end) return -1;
      uint16_t id = le16(c + *pos + 1);
      *pos += 4;
      if (id >= nvals) continue; /* no such value: nothing to render */
      const value *v = p->symbolic ? NULL : &vals[id];
      if (p->symbolic) { /* the value's charges come per record (evtx_json.c: cost_values) */
        EXH_VEC_RESERVE(p->occ, p->capocc, p->nocc + 1);
        p->occ[p->nocc++] = id | (attr ? EXH_EVTX_OCC_ATTR : 0);
      }
      if (attr) {
        /* render into a scratch node, then take its text */
        if (!p->symbolic && charge(p, 1, 0)) return -1;
        int tmp = new_node(p, -1);
        put_value(p, v, id, tmp, depth);
        if (p->over) return -1;
        exh_evtx_attr *a = &p->attrs[target]; /* after: rendering may grow the arrays */
        for (int ch = p->nodes[tmp].first_child; ch >= 0; ch = p->nodes[ch].next) {
          if (!p->nodes[ch].is_text) continue;
          if (a->val_len == 0) a->val = p->nodes[ch].text;
          a->val_len = (uint32_t)(p->nodes[ch].text + p->nodes[ch].text_len - a->val);
        }
      } else {
        put_value(p, v, id, target, depth);
        if (p->over) return -1;
      }
    } else if (base == 0x08) { /* character reference */
      if (*pos + 3 > end) return -1;
      uint16_t v = le16(c + *pos + 1);
      char tmp[16];
      int k = snprintf(tmp, sizeof tmp, "&#%u;", v);
      if (charge(p, 1, EXH_EVTX_TEXT_BYTES(k))) return -1;
      uint32_t off = put_utf8(p, tmp, (size_t)k);
      if (attr) {
        exh_evtx_attr *a = &p->attrs[target];
        if (a->val_len == 0) a->val = off;
        a->val_len = (uint32_t)(p->arena.n - a->val);
      } else {
        add_text(p, target, off, (uint32_t)k);
      }
      *pos += 3;
    } else if (base == 0x09) { /* entity reference */
      if (*pos + 5 > end) return -1;
      uint32_t noff = le32(c + *pos + 1);
      uint32_t nm, nl;
      size_t isz;
      *pos += 5;
      if (read_name(p, noff, &nm, &nl, &isz)) return -1;
      if (noff == *pos) *pos += isz;
      exh_str en = {p->arena.p + nm, nl};
      const char *rep = exh__strieq(en, "lt") ? "<" : exh__strieq(en, "gt") ? ">" : exh__strieq(en, "amp") ? "&"
                      : exh__strieq(en, "quot") ? "\"" : exh__strieq(en, "apos") ? "'" : "";
      p->arena.n = nm; /* drop the name */
      if (charge(p, 1, EXH_EVTX_TEXT_BYTES(nl + strlen(rep)))) return -1;
      uint32_t off = put_utf8(p, rep, strlen(rep));
      if (attr) {
        exh_evtx_attr *a = &p->attrs[target];
        if (a->val_len == 0) a->val = off;
        a->val_len = (uint32_t)(p->arena.n - a->val);
      } else {
        add_text(p, target, off, (uint32_t)strlen(rep));
      }
    } else {
      return 0; /* not a value token: the caller goes on */
    }
  }
  return 0;
}

/* Parses an element starting at the open-start token at *pos. */
/* The element start carries a dependency identifier only in a template
 * definition (has_dep); in a binary XML value and in a record written
 * without a template (events forwarded by Windows Event Collector) the data
 * size follows the token. A start whose name offset cannot be read the
 * first way is read the other way before it is called damage. */
static int parse_element(exh_evtx *p, size_t *pos, size_t end, const value *vals, size_t nvals, int parent, int depth,
                         int has_dep) {
  const uint8_t *c = p->chunk;
  if (depth > p->maxdepth) p->maxdepth = depth;
  if (depth > EXH_EVTX_MAX_DEPTH) {
    issue(p, *pos, "binary XML nested deeper than %d levels", EXH_EVTX_MAX_DEPTH);
    return -1;
  }
  uint8_t tok = c[*pos];
  size_t at = *pos + 1 + (has_dep ? 2 : 0);
  if (at + 8 > end) return -1;
  uint32_t noff = le32(c + at + 4);
  uint32_t nm, nl;
  size_t isz;
  if (read_name(p, noff, &nm, &nl, &isz)) {
    size_t alt = *pos + 1 + (has_dep ? 0 : 2);
    uint32_t aoff = alt + 8 <= end ? le32(c + alt + 4) : UINT32_MAX;
    if (aoff == UINT32_MAX || read_name(p, aoff, &nm, &nl, &isz)) {
      issue(p, at + 8, "element name offset %u outside the chunk", noff);
      return -1;
    }
    at = alt;
    noff = aoff;
  }
  at += 8;
  int el = new_node(p, parent);
  p->nodes[el].name = nm;
  p->nodes[el].name_len = nl;
  if (charge(p, 1, EXH_EVTX_TEXT_BYTES(nl))) return -1;
  if (noff == at) at += isz;
  if (tok & 0x40) { /* attribute list */
    if (at + 4 > end) return -1;
    at += 4;
    while (at < end && (c[at] & 0x0F) == 0x06) {
      uint8_t atok = c[at];
      if (at + 5 > end) return -1;
      uint32_t aoff = le32(c + at + 1);
      at += 5;
      EXH_VEC_RESERVE(p->attrs, p->capattrs, p->nattrs + 1);
      int ai = (int)p->nattrs++;
      memset(&p->attrs[ai], 0, sizeof p->attrs[ai]);
      p->attrs[ai].next = -1;
      if (read_name(p, aoff, &p->attrs[ai].name, &p->attrs[ai].name_len, &isz)) {
        issue(p, at, "attribute name offset %u outside the chunk", aoff);
        return -1;
      }
      if (aoff == at) at += isz;
      if (charge(p, 1, EXH_EVTX_TEXT_BYTES(p->attrs[ai].name_len))) return -1;
      p->attrs[ai].val = (uint32_t)p->arena.n;
      if (parse_values(p, &at, end, vals, nvals, ai, depth, 1)) return -1;
      exh_evtx_node *n = &p->nodes[el];
      if (n->last_attr >= 0) p->attrs[n->last_attr].next = ai;
      else n->first_attr = ai;
      n->last_attr = ai;
      if (!(atok & 0x40)) break;
    }
  }
  if (at >= end) return -1;
  if (c[at] == 0x03) { /* close empty element */
    *pos = at + 1;
    return 0;
  }
  if (c[at] != 0x02) {
    issue(p, at, "unexpected binary XML token 0x%02x in an element start", c[at]);
    return -1;
  }
  at++;
  /* content until the end element token */
  while (at < end) {
    uint8_t t = c[at];
    if (t == 0x04) {
      *pos = at + 1;
      return 0;
    }
    if ((t & 0x0F) == 0x01) {
      if (parse_element(p, &at, end, vals, nvals, el, depth + 1, has_dep)) return -1;
      continue;
    }
    if ((t & 0x0F) == 0x0a) { /* PI target + data: skipped */
      at += 5;
      continue;
    }
    if ((t & 0x0F) == 0x0b) {
      if (at + 3 > end) return -1;
      at += 3 + 2u * le16(c + at + 1);
      continue;
    }
    size_t before = at;
    if (parse_values(p, &at, end, vals, nvals, el, depth, 0)) return -1;
    if (at == before) {
      issue(p, at, "unexpected binary XML token 0x%02x in element content", t);
      return -1;
    }
  }
  return -1;
}

/* A template instance at *pos: resolves the definition and renders it. */
static int parse_template(exh_evtx *p, size_t *pos, size_t end, int parent, int depth) {
  const uint8_t *c = p->chunk;
  if (p->symbolic) { /* a template inside a template definition: not compiled */
    p->unsupported = 1;
    return -1;
  }
  if (*pos + 10 > end) return -1;
  uint32_t def = le32(c + *pos + 6);
  size_t at = *pos + 10;
  if ((size_t)def + 24 > p->chunk_size) {
    issue(p, at, "template definition offset %u outside the chunk", def);
    return -1;
  }
  uint32_t dsize = le32(c + def + 20);
  size_t tstart = (size_t)def + 24, tend = tstart + dsize;
  if (tend > p->chunk_size) {
    issue(p, at, "template definition of %u bytes overruns the chunk", dsize);
    return -1;
  }
  if (def == at) at = tend; /* inline definition: the instance data follows it */
  if (at + 4 > end) return -1;
  uint32_t nv = le32(c + at);
  at += 4;
  if (nv > EXH_EVTX_MAX_VALUES || at + 4ull * nv > end) {
    issue(p, at, "template instance with %u values does not fit the record", nv);
    return -1;
  }
  value vstack[64] = {{0, NULL, 0}};
  value *vals = nv <= 64 ? vstack : exh__xmalloc(nv * sizeof *vals);
  size_t dat = at + 4ull * nv;
  for (uint32_t i = 0; i < nv; i++) {
    uint16_t sz = le16(c + at + 4 * i);
    vals[i].type = c[at + 4 * i + 2];
    vals[i].size = sz;
    vals[i].data = c + dat;
    if (dat + sz > end) {
      issue(p, dat, "template value %u overruns the record", i);
      if (vals != vstack) free(vals);
      return -1;
    }
    dat += sz;
  }
  /* the definition is parsed again for every instance: charged by its size */
  if (charge(p, 1, (uint64_t)dsize + 16ull * nv)) {
    if (vals != vstack) free(vals);
    return -1;
  }
  size_t used = 0;
  int rc = parse_fragment(p, tstart, tend, vals, nv, parent, depth + 1, 1, &used);
  if (vals != vstack) free(vals);
  *pos = dat;
  return rc;
}

int exh__evtx__fragment(exh_evtx *p, size_t pos, size_t end, const value *vals, size_t nvals, int parent, int depth,
                       int in_def, size_t *consumed) {
  return parse_fragment(p, pos, end, vals, nvals, parent, depth, in_def, consumed);
}

/* A fragment: the record's, a template definition's (in_def) or a binary
 * XML value's. */
static int parse_fragment(exh_evtx *p, size_t pos, size_t end, const value *vals, size_t nvals, int parent,
                          int depth, int in_def, size_t *consumed) {
  const uint8_t *c = p->chunk;
  size_t start = pos;
  if (depth > p->maxdepth) p->maxdepth = depth;
  if (depth > EXH_EVTX_MAX_DEPTH) {
    issue(p, pos, "binary XML nested deeper than %d levels", EXH_EVTX_MAX_DEPTH);
    return -1;
  }
  while (pos < end) {
    if (p->over) return -1;
    uint8_t t = c[pos];
    if (t == 0x00) {
      pos++;
      break;
    }
    if (t == 0x0f) {
      pos += 4;
      continue;
    }
    if (t == 0x0c) {
      /* Windows writes definitions without instances in them (nested
       * events come as binary XML values); one inside a definition is
       * damage, and the shape of a template bomb */
      if (in_def && !p->symbolic) {
        issue(p, pos, "template instance inside a template definition");
        return -1;
      }
      if (parse_template(p, &pos, end, parent, depth)) return -1;
      continue;
    }
    if ((t & 0x0F) == 0x01) {
      if (parse_element(p, &pos, end, vals, nvals, parent, depth + 1, in_def)) return -1;
      continue;
    }
    size_t before = pos;
    if (parse_values(p, &pos, end, vals, nvals, parent, depth, 0)) return -1;
    if (pos == before) {
      issue(p, pos, "unexpected binary XML token 0x%02x", t);
      return -1;
    }
  }
  *consumed = pos - start;
  return 0;
}

/* ---- chunks and records ------------------------------------------------ */

exh_evtx *exh__evtx_new(void) {
  exh_evtx *p = exh__xcalloc(1, sizeof(exh_evtx));
  p->vb = &p->arena;
  p->jout = &p->json;
  p->max_nodes = EXH_EVTX_MAX_RECORD_NODES;
  p->max_bytes = EXH_EVTX_MAX_RECORD_BYTES;
  p->max_chunk_nodes = EXH_EVTX_MAX_CHUNK_NODES;
  p->max_chunk_bytes = EXH_EVTX_MAX_CHUNK_BYTES;
  return p;
}

void exh__evtx_free(exh_evtx *p) {
  if (!p) return;
  exh__evtx__json_free(p);
  exh__evtx__fields_free(p);
  exh__buf_free(&p->json);
  exh__buf_free(&p->arena);
  free(p->nodes);
  free(p->attrs);
  free(p->occ);
  free(p);
}

static void reset_record(exh_evtx *p) {
  p->arena.n = 0;
  p->nnodes = 0;
  p->nattrs = 0;
  p->bad = 0;
  p->cnodes = p->cbytes = 0;
  p->maxdepth = 0;
  p->over = p->timed_out; /* past the deadline, nothing more is decoded */
  p->nocc = 0;
}

void exh__evtx_set_json(exh_evtx *p, int on) {
  p->json_mode = on;
  p->jout = &p->json;
}

void exh__evtx_set_json_buffer(exh_evtx *p, exh_buf *out) {
  p->json_mode = 1;
  p->jout = out ? out : &p->json;
}

uint64_t exh__evtx_compiled(const exh_evtx *p) { return p->ncompiled; }

int exh__evtx__new_node(exh_evtx *p, int parent) { return new_node(p, parent); }

void exh__evtx__reset_record(exh_evtx *p) { reset_record(p); }


size_t exh__evtx_chunk_count(size_t n) { return n > FILE_HEADER ? (n - FILE_HEADER + CHUNK - 1) / CHUNK : 0; }

int exh__evtx_check_header(const uint8_t *data, size_t n, exh_evtx_issue_fn on_issue, void *ctx) {
  if (n < 8 || memcmp(data, "ElfFile", 8) != 0) {
    if (on_issue) on_issue(ctx, 0, "not an EVTX file (no ElfFile signature)");
    return -1;
  }
  if (n >= 128 && exh__crc32(data, 120) != le32(data + 124))
    if (on_issue) on_issue(ctx, 0, "file header checksum mismatch (the file may be dirty; chunks are still read)");
  return 0;
}

long exh__evtx_parse(exh_evtx *p, const uint8_t *data, size_t n, exh_evtx_record_fn on_record,
                    exh_evtx_issue_fn on_issue, void *ctx) {
  if (exh__evtx_check_header(data, n, on_issue, ctx)) return -1;
  return exh__evtx_parse_chunks(p, data, n, 0, exh__evtx_chunk_count(n), on_record, on_issue, ctx);
}

/* One chunk at p->chunk: its records are delivered; *stop is set when the
 * callback asked to stop or the deadline passed. */
static long parse_chunk(exh_evtx *p, exh_evtx_record_fn on_record, int *stop) {
  long delivered = 0;
  *stop = 0;
  if (p->json_mode) exh__evtx__json_chunk(p);
  if (p->fields_mode) exh__evtx__fields_chunk(p);
  if (p->chunk_size < CHUNK_HEADER) {
    issue(p, 0, "truncated chunk (%zu bytes)", p->chunk_size);
    *stop = 1;
    return 0;
  }
  if (memcmp(p->chunk, "ElfChnk", 8) != 0) {
    /* empty (all zero) chunks at the end of a file are normal */
    size_t z = 0;
    while (z < 64 && p->chunk[z] == 0) z++;
    if (z < 64) issue(p, 0, "bad chunk signature: chunk skipped");
    return 0;
  }
  uint32_t free_off = le32(p->chunk + 48);
  if (free_off < CHUNK_HEADER || free_off > p->chunk_size) {
    issue(p, 48, "bad free-space offset %u: records read up to the chunk's end", free_off);
    free_off = (uint32_t)p->chunk_size;
  }
  /* the header checksum covers bytes 0-120 and 128-512 */
  uint8_t hdr[504];
  memcpy(hdr, p->chunk, 120);
  memcpy(hdr + 120, p->chunk + 128, 384);
  uint32_t hcrc = exh__crc32(hdr, 504);
  if (hcrc != le32(p->chunk + 124)) issue(p, 124, "chunk header checksum mismatch (records are still read)");
  if (exh__crc32(p->chunk + CHUNK_HEADER, free_off - CHUNK_HEADER) != le32(p->chunk + 52))
    issue(p, 52, "chunk records checksum mismatch (records are still read)");
  size_t off = CHUNK_HEADER;
  uint64_t chunk_nodes = 0, chunk_bytes = 0; /* the records' charges, summed */
  while (off + 28 <= free_off) {
    if (chunk_nodes > p->max_chunk_nodes || chunk_bytes > p->max_chunk_bytes) {
      /* many records each under the bounds: the chunk as a whole is a bomb */
      issue(p, off, "chunk expands past %llu nodes or %llu bytes in all: its records from here on are not decoded",
            (unsigned long long)p->max_chunk_nodes, (unsigned long long)p->max_chunk_bytes);
      break;
    }
    const uint8_t *r = p->chunk + off;
    if (le32(r) != 0x00002a2a) {
      /* resynchronise on the next record signature (8-byte aligned) */
      size_t next = off + 8;
      while (next + 28 <= free_off && le32(p->chunk + next) != 0x00002a2a) next += 8;
      issue(p, off, "no record signature: skipped %zu bytes", next - off);
      off = next;
      continue;
    }
    uint32_t size = le32(r + 4);
    if (size < 28 || off + size > p->chunk_size || (size & 7)) {
      issue(p, off, "bad record size %u: rest of the chunk skipped", size);
      break;
    }
    if (le32(r + size - 4) != size) issue(p, off, "record size copy mismatch");
    exh_evtx_record rec;
    rec.id = le64(r + 8);
    rec.written_ms = filetime_ms(le64(r + 16));
    rec.file_offset = p->chunk_file_off + off;
    rec.root = -1;
    rec.json = NULL;
    rec.json_len = 0;
    rec.fields = NULL;
    reset_record(p);
    if (p->json_mode && p->jout == &p->json) p->json.n = 0; /* our own buffer: one line at a time */
    if (p->json_mode && exh__evtx__json_record(p, off + 24, off + size - 4)) {
      rec.json = p->jout->p + p->json_start;
      rec.json_len = p->jout->n - p->json_start;
      chunk_nodes += p->cnodes, chunk_bytes += p->cbytes; /* the walk's sum: the tree's charges */
      delivered++;
      if (on_record && on_record(p->ctx, p, &rec)) {
        *stop = 1;
        return delivered;
      }
      off += size;
      continue;
    }
    if (p->fields_mode && (rec.fields = exh__evtx__fields_record(p, off + 24, off + size - 4)) != NULL) {
      chunk_nodes += p->cnodes, chunk_bytes += p->cbytes; /* the tree's charges, added up */
      delivered++;
      if (on_record && on_record(p->ctx, p, &rec)) {
        *stop = 1;
        return delivered;
      }
      off += size;
      continue;
    }
    reset_record(p);
    int top = new_node(p, -1); /* a document node above the top element */
    size_t used = 0;
    int rc = parse_fragment(p, off + 24, off + size - 4, NULL, 0, top, 0, 0, &used);
    chunk_nodes += p->cnodes, chunk_bytes += p->cbytes;
    if (p->timed_out) {
      issue(p, off, "record %" PRIu64 ": time limit reached while decoding it; the rest of the file is not read", rec.id);
      *stop = 1;
      return delivered;
    }
    if (p->over) { /* a template bomb, or a record no log writes: not delivered */
      issue(p, off, "record %" PRIu64 " expands past %llu nodes or %llu bytes: not decoded", rec.id,
            (unsigned long long)p->max_nodes, (unsigned long long)p->max_bytes);
      off += size;
      continue;
    }
    if (rc) issue(p, off, "record %" PRIu64 " could not be fully decoded", rec.id);
    for (int ch = p->nodes[top].first_child; ch >= 0; ch = p->nodes[ch].next)
      if (!p->nodes[ch].is_text) {
        rec.root = ch;
        break;
      }
    if (rc == 0 || rec.root >= 0) {
      delivered++;
      if (on_record && on_record(p->ctx, p, &rec)) {
        *stop = 1;
        return delivered;
      }
    }
    off += size;
  }
  return delivered;
}

long exh__evtx_parse_chunk(exh_evtx *p, const uint8_t *chunk, size_t n, uint64_t file_off,
                          exh_evtx_record_fn on_record, exh_evtx_issue_fn on_issue, void *ctx) {
  p->on_issue = on_issue;
  p->ctx = ctx;
  p->chunk = chunk;
  p->chunk_size = n < CHUNK ? n : CHUNK;
  p->chunk_file_off = file_off;
  int stop;
  return parse_chunk(p, on_record, &stop);
}

long exh__evtx_parse_chunks(exh_evtx *p, const uint8_t *data, size_t n, size_t first, size_t count,
                           exh_evtx_record_fn on_record, exh_evtx_issue_fn on_issue, void *ctx) {
  p->on_issue = on_issue;
  p->ctx = ctx;
  long delivered = 0;
  for (size_t ci = first; ci < first + count; ci++) {
    size_t coff = FILE_HEADER + ci * CHUNK;
    if (coff >= n) break;
    p->chunk = data + coff;
    p->chunk_size = n - coff < CHUNK ? n - coff : CHUNK;
    p->chunk_file_off = coff;
    int stop;
    delivered += parse_chunk(p, on_record, &stop);
    if (stop) break;
  }
  return delivered;
}

const exh_evtx_node *exh__evtx_node_at(const exh_evtx *p, int i) {
  return i >= 0 && (size_t)i < p->nnodes ? &p->nodes[i] : NULL;
}
const exh_evtx_attr *exh__evtx_attr_at(const exh_evtx *p, int i) {
  return i >= 0 && (size_t)i < p->nattrs ? &p->attrs[i] : NULL;
}
exh_str exh__evtx_str(const exh_evtx *p, uint32_t off, uint32_t len) {
  return (exh_str){p->arena.p ? p->arena.p + off : "", len};
}

int exh__evtx_child(const exh_evtx *p, int node, const char *name) {
  if (node < 0) return -1;
  size_t nl = strlen(name);
  for (int c = p->nodes[node].first_child; c >= 0; c = p->nodes[c].next) {
    const exh_evtx_node *n = &p->nodes[c];
    if (!n->is_text && n->name_len == nl && !memcmp(p->arena.p + n->name, name, nl)) return c;
  }
  return -1;
}

exh_str exh__evtx_attr_value(const exh_evtx *p, int node, const char *name) {
  if (node < 0) return (exh_str){NULL, 0};
  size_t nl = strlen(name);
  for (int a = p->nodes[node].first_attr; a >= 0; a = p->attrs[a].next) {
    const exh_evtx_attr *at = &p->attrs[a];
    if (at->name_len == nl && !memcmp(p->arena.p + at->name, name, nl))
      return (exh_str){p->arena.p + at->val, at->val_len};
  }
  return (exh_str){NULL, 0};
}

exh_str exh__evtx_text(const exh_evtx *p, int node, exh_buf *buf) {
  buf->n = 0;
  int pieces = 0;
  exh_str one = {"", 0};
  for (int c = node >= 0 ? p->nodes[node].first_child : -1; c >= 0; c = p->nodes[c].next) {
    const exh_evtx_node *n = &p->nodes[c];
    if (!n->is_text) continue;
    one = (exh_str){p->arena.p + n->text, n->text_len};
    exh_buf_add(buf, one.p, one.n);
    pieces++;
  }
  if (pieces <= 1) return one;
  return (exh_str){buf->p, buf->n};
}
