/* A small JSON reader for one event per line: recursive descent with a
 * depth limit, strings unescaped into a scratch buffer, no allocation per
 * value. Only what events need: objects, arrays, strings, numbers,
 * true/false/null. */
#include "json.h"

#include <string.h>

#include "limits.h"


typedef struct jp {
  const char *p, *end;
  exh_buf *keys;    /* the current key path */
  exh_buf *scratch; /* the current string value */
  exh_json_pair_fn fn;
  void *ctx;
} jp;

static void ws(jp *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')) j->p++;
}

static void put_cp(exh_buf *b, unsigned cp) {
  char u[4];
  size_t k;
  if (cp < 0x80) u[0] = (char)cp, k = 1;
  else if (cp < 0x800) u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
  else if (cp < 0x10000)
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
  else
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)), u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)),
    u[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
  exh_buf_add(b, u, k);
}

static int hex4(const char *p, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    *v <<= 4;
    if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
    else if ((c | 32) >= 'a' && (c | 32) <= 'f') *v |= (unsigned)((c | 32) - 'a' + 10);
    else return -1;
  }
  return 0;
}

/* Reads a string at j->p (the opening quote) into b. */
static int str(jp *j, exh_buf *b) {
  if (j->p >= j->end || *j->p != '"') return -1;
  j->p++;
  while (j->p < j->end) {
    const char *s = j->p;
    while (j->p < j->end && *j->p != '"' && *j->p != '\\') j->p++;
    exh_buf_add(b, s, (size_t)(j->p - s));
    if (j->p >= j->end) return -1;
    if (*j->p == '"') {
      j->p++;
      return 0;
    }
    if (j->end - j->p < 2) return -1;
    char e = j->p[1];
    j->p += 2;
    switch (e) {
    case '"': exh_buf_addc(b, '"'); break;
    case '\\': exh_buf_addc(b, '\\'); break;
    case '/': exh_buf_addc(b, '/'); break;
    case 'b': exh_buf_addc(b, '\b'); break;
    case 'f': exh_buf_addc(b, '\f'); break;
    case 'n': exh_buf_addc(b, '\n'); break;
    case 'r': exh_buf_addc(b, '\r'); break;
    case 't': exh_buf_addc(b, '\t'); break;
    case 'u': {
      unsigned cp, lo;
      if (j->end - j->p < 4 || hex4(j->p, &cp)) return -1;
      j->p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
          !hex4(j->p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        j->p += 6;
      } else if (cp >= 0xD800 && cp <= 0xDFFF) {
        cp = 0xFFFD;
      }
      put_cp(b, cp);
      break;
    }
    default: return -1;
    }
  }
  return -1;
}

static int value(jp *j, int depth);

static void emit(jp *j, exh_str v) {
  j->fn(j->ctx, (exh_str){j->keys->p ? j->keys->p : "", j->keys->n}, v);
}

static int object(jp *j, int depth) {
  j->p++; /* '{' */
  ws(j);
  if (j->p < j->end && *j->p == '}') {
    j->p++;
    return 0;
  }
  for (;;) {
    ws(j);
    size_t base = j->keys->n;
    if (base) exh_buf_addc(j->keys, '.');
    if (str(j, j->keys)) return -1;
    ws(j);
    if (j->p >= j->end || *j->p != ':') return -1;
    j->p++;
    if (value(j, depth + 1)) return -1;
    j->keys->n = base;
    if (j->keys->p) j->keys->p[base] = 0;
    ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == '}') {
      j->p++;
      return 0;
    }
    return -1;
  }
}

static int array(jp *j, int depth) {
  j->p++; /* '[' */
  ws(j);
  if (j->p < j->end && *j->p == ']') {
    j->p++;
    return 0;
  }
  for (;;) {
    if (value(j, depth + 1)) return -1;
    ws(j);
    if (j->p < j->end && *j->p == ',') {
      j->p++;
      continue;
    }
    if (j->p < j->end && *j->p == ']') {
      j->p++;
      return 0;
    }
    return -1;
  }
}

static int value(jp *j, int depth) {
  if (depth > EXH_JSON_MAX_DEPTH) return -1;
  ws(j);
  if (j->p >= j->end) return -1;
  char c = *j->p;
  if (c == '{') return object(j, depth);
  if (c == '[') return array(j, depth);
  if (c == '"') {
    j->scratch->n = 0;
    if (str(j, j->scratch)) return -1;
    emit(j, (exh_str){j->scratch->p ? j->scratch->p : "", j->scratch->n});
    return 0;
  }
  const char *s = j->p;
  while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ' && *j->p != '\t' &&
         *j->p != '\r' && *j->p != '\n')
    j->p++;
  exh_str lit = {s, (size_t)(j->p - s)};
  if (lit.n == 0) return -1;
  if (exh__strieq(lit, "null")) lit.n = 0;
  emit(j, lit);
  return 0;
}

int exh__json_flatten(const char *p, size_t n, exh_buf *scratch, exh_json_pair_fn fn, void *ctx) {
  exh_buf keys = {0};
  jp j = {p, p + n, &keys, scratch, fn, ctx};
  ws(&j);
  int rc = -1;
  if (j.p < j.end && *j.p == '{') rc = object(&j, 0);
  if (rc == 0) {
    ws(&j);
    if (j.p != j.end) rc = -1;
  }
  exh__buf_free(&keys);
  return rc;
}
