/* Sigma wildcard values: '*' any run, '?' one character, '\' escapes them.
 * Values are UTF-8: matching steps one character at a time (a byte that
 * starts no valid sequence is one character) and, unless the value is
 * "cased", compares characters after Unicode simple case folding
 * (util/fold.c). Values that an encoding transform made (wide, base64...)
 * are bytes, matched a byte at a time with ASCII folding. The matcher is
 * the usual single-backtrack glob, linear in practice and never worse than
 * O(n*m) on hostile input. */
#include <stdlib.h>

#include "rules.h"

enum { T_LIT = 0, T_STAR = 1, T_Q = 2, T_LITV = 3 };

/* The next character of s (n > 0) and its length. */
static inline size_t next_char(const exh_glob *g, const unsigned char *s, size_t n, uint32_t *c) {
  if (s[0] < 0x80 || g->bytes) {
    *c = s[0];
    return 1;
  }
  return exh__utf8_next(s, n, c);
}

static inline uint32_t fold(const exh_glob *g, uint32_t c) {
  if (g->cased) return c;
  return c < 0x80 ? exh_lower((unsigned char)c) : g->bytes ? c : exh__fold_cp(c);
}

#define CP_STAR 0xFFFFFFFFu /* per character: '*' */
#define CP_Q 0xFFFFFFFEu    /* per character: '?' (no code point or bad byte is either) */

/* A value needs the character matcher when it holds a non-ASCII byte or a
 * '?': otherwise bytes and characters match alike (an ASCII letter never
 * equals a byte of a multi-byte sequence, and no non-ASCII character folds
 * into ASCII), and the byte matcher is smaller and faster. */
static int needs_chars(const char *v, size_t n, int raw) {
  if (raw) return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] >= 0x80 || v[i] == '?') return 1;
  return 0;
}

void exh__glob_compile(exh_glob *g, const char *v, size_t n, int star_front, int star_back,
                      int cased, int raw) {
  int chars = needs_chars(v, n, raw);
  g->lit = exh__xmalloc(n + 2);
  g->tok = exh__xmalloc(n + 2);
  g->cp = chars ? exh__xmalloc((n + 2) * sizeof *g->cp) : NULL;
  g->cased = cased;
  g->bytes = raw;
  size_t k = 0, nc = 0;
  if (star_front) {
    g->tok[k] = T_STAR, g->lit[k++] = 0;
    if (chars) g->cp[nc++] = CP_STAR;
  }
  const unsigned char *u = (const unsigned char *)v;
  for (size_t i = 0; i < n;) {
    unsigned char c = u[i];
    int esc = 0;
    if (!raw && c == '\\' && i + 1 < n && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      c = u[++i];
      esc = 1;
    }
    if (!esc && !raw && c == '*') {
      i++;
      if (k && g->tok[k - 1] == T_STAR) continue; /* "**" is "*" */
      g->tok[k] = T_STAR, g->lit[k++] = 0;
      if (chars) g->cp[nc++] = CP_STAR;
      continue;
    }
    if (!esc && !raw && c == '?') {
      i++;
      g->tok[k] = T_Q, g->lit[k++] = 0;
      if (chars) g->cp[nc++] = CP_Q;
      continue;
    }
    uint32_t cp;
    size_t l = raw ? (cp = c, 1) : exh__utf8_next(u + i, n - i, &cp);
    /* bytes for the prefilter's literals: a character with another case
     * outside ASCII cannot be searched ASCII-caselessly (T_LITV breaks a
     * literal); so a literal found in a value is found in every spelling */
    int variants = !cased && !raw && exh__fold_has_variants(cp);
    for (size_t b = 0; b < l; b++) {
      g->tok[k] = variants ? T_LITV : T_LIT;
      g->lit[k++] = cased ? u[i + b] : exh_lower(u[i + b]);
    }
    if (chars) g->cp[nc++] = fold(g, cp);
    i += l;
  }
  if (star_back && !(k && g->tok[k - 1] == T_STAR)) {
    g->tok[k] = T_STAR, g->lit[k++] = 0;
    if (chars) g->cp[nc++] = CP_STAR;
  }
  g->n = k;
  g->nc = nc;
}

int exh__glob_exact(const exh_glob *g) {
  for (size_t i = 0; i < g->n; i++)
    if (g->tok[i] == T_STAR || g->tok[i] == T_Q) return 0;
  return 1;
}

void exh__glob_free(exh_glob *g) {
  free(g->lit);
  free(g->tok);
  free(g->cp);
  g->lit = g->tok = NULL;
  g->cp = NULL;
}

/* Bytes (a value of ASCII without '?', or an encoding transform's output),
 * ASCII letters folded. */
static int match_bytes(const exh_glob *g, const unsigned char *t, size_t n) {
  size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
  const int cased = g->cased;
  while (i < n) {
    if (j < g->n) {
      unsigned char tk = g->tok[j];
      if (tk == T_Q || (tk == T_LIT && g->lit[j] == (cased ? t[i] : exh_lower(t[i])))) {
        i++, j++;
        continue;
      }
      if (tk == T_STAR) {
        star = j++;
        mark = i;
        continue;
      }
    }
    if (star != (size_t)-1) {
      j = star + 1;
      i = ++mark;
      continue;
    }
    return 0;
  }
  while (j < g->n && g->tok[j] == T_STAR) j++;
  return j == g->n;
}

/* Characters of UTF-8, folded unless cased. */
static int match_chars(const exh_glob *g, const unsigned char *t, size_t n) {
  size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
  const size_t nc = g->nc;
  while (i < n) {
    if (j < nc) {
      uint32_t want = g->cp[j];
      if (want == CP_STAR) {
        star = j++;
        mark = i;
        continue;
      }
      uint32_t c;
      size_t l;
      if (t[i] < 0x80) { /* the common case, inline */
        c = g->cased ? t[i] : exh_lower(t[i]);
        l = 1;
      } else {
        l = next_char(g, t + i, n - i, &c);
        c = fold(g, c);
      }
      if (want == CP_Q || c == want) {
        i += l, j++;
        continue;
      }
    }
    if (star != (size_t)-1) {
      uint32_t c;
      j = star + 1;
      mark += next_char(g, t + mark, n - mark, &c);
      i = mark;
      continue;
    }
    return 0;
  }
  while (j < nc && g->cp[j] == CP_STAR) j++;
  return j == nc;
}

int exh__glob_match(const exh_glob *g, const char *s, size_t n) {
  return g->cp ? match_chars(g, (const unsigned char *)s, n) : match_bytes(g, (const unsigned char *)s, n);
}

exh_str exh__glob_longest_literal(const exh_glob *g, const char *avoid) {
  exh_str best = {NULL, 0};
  size_t i = 0;
  while (i < g->n) {
    if (g->tok[i] != T_LIT || (avoid && g->lit[i] && strchr(avoid, g->lit[i]))) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < g->n && g->tok[j] == T_LIT && !(avoid && g->lit[j] && strchr(avoid, g->lit[j])))
      j++;
    if (j - i > best.n) best = (exh_str){(const char *)g->lit + i, j - i};
    i = j;
  }
  return best;
}
