/* Sigma wildcard values: '*' any run, '?' one byte, '\' escapes them.
 * Matching is ASCII case-insensitive unless the value is "cased". The
 * matcher is the usual single-backtrack glob, linear in practice and never
 * worse than O(n*m) on hostile input. */
#include <stdlib.h>

#include "rules.h"

enum { T_LIT = 0, T_STAR = 1, T_Q = 2 };

void exh__glob_compile(exh_glob *g, const char *v, size_t n, int star_front, int star_back,
                      int cased, int raw) {
  g->lit = exh__xmalloc(n + 2);
  g->tok = exh__xmalloc(n + 2);
  g->cased = cased;
  size_t k = 0;
  if (star_front) g->tok[k] = T_STAR, g->lit[k++] = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if (!raw && c == '\\' && i + 1 < n && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      c = (unsigned char)v[++i];
      g->tok[k] = T_LIT;
      g->lit[k++] = cased ? c : exh_lower(c);
      continue;
    }
    if (!raw && c == '*') {
      if (k && g->tok[k - 1] == T_STAR) continue; /* "**" is "*" */
      g->tok[k] = T_STAR, g->lit[k++] = 0;
    } else if (!raw && c == '?') {
      g->tok[k] = T_Q, g->lit[k++] = 0;
    } else {
      g->tok[k] = T_LIT, g->lit[k++] = cased ? c : exh_lower(c);
    }
  }
  if (star_back && !(k && g->tok[k - 1] == T_STAR)) g->tok[k] = T_STAR, g->lit[k++] = 0;
  g->n = k;
}

void exh__glob_free(exh_glob *g) {
  free(g->lit);
  free(g->tok);
  g->lit = g->tok = NULL;
}

int exh__glob_match(const exh_glob *g, const char *s, size_t n) {
  const unsigned char *t = (const unsigned char *)s;
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
