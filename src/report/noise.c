/* Scanner noise folded per probe kind (noise.h). */
#include "noise.h"

#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

static int alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int exh__noise_mentions(const char *text, const char *ip) {
  size_t n = ip ? strlen(ip) : 0;
  if (!text || !n) return 0;
  for (const char *p = text; (p = strstr(p, ip)); p++) {
    /* a letter, digit, dot or colon before or after continues the address
     * (11.2.3.45 holds 1.2.3.4); a dot ending a sentence does not */
    if (p > text && (alnum(p[-1]) || p[-1] == '.' || p[-1] == ':')) continue;
    char a = p[n];
    if (alnum(a) || (a == ':' && p[n + 1] != ' ') || (a == '.' && alnum(p[n + 1]))) continue;
    return 1;
  }
  return 0;
}

static int by_ip(const void *a, const void *b) {
  return strcmp(exh_actor_ip(*(const exh_actor *const *)a), exh_actor_ip(*(const exh_actor *const *)b));
}

long exh__noise_actor(const exh_noise *n, const char *ip) {
  if (!ip || !ip[0]) return -1;
  size_t lo = 0, hi = n->nactor;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(ip, exh_actor_ip(n->actor[mid]));
    if (!c) return (long)mid;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return -1;
}

int exh__noise_folds(const exh_noise *n, const exh_finding *x) {
  exh_level l = exh_finding_level(x);
  if (exh_finding_server(x) != n->server || (l != EXH_LEVEL_LOW && l != EXH_LEVEL_MEDIUM)) return 0;
  long a = exh__noise_actor(n, exh_finding_source_ip(x));
  return a >= 0 && n->folded[a];
}

typedef struct item {
  const char *title, *ip;
  const exh_finding *x;
  size_t order; /* the finding's index: its time order */
} item;

static int by_rule_ip(const void *a, const void *b) {
  const item *p = a, *q = b;
  int c = strcmp(p->title, q->title);
  if (!c) c = strcmp(p->ip, q->ip);
  if (!c) c = p->order < q->order ? -1 : p->order > q->order;
  return c;
}

static void top_add(exh_noise_row *w, const char *ip, size_t n) {
  size_t k = w->ntop;
  if (k == EXH_NOISE_TOP && w->top[k - 1].n >= n) return;
  if (k < EXH_NOISE_TOP) w->ntop++;
  else k--;
  while (k > 0 && w->top[k - 1].n < n) {
    w->top[k] = w->top[k - 1];
    k--;
  }
  w->top[k] = (exh_noise_src){ip, n};
}

void exh__noise_build(const exh_result *r, size_t sv, exh_noise *n) {
  memset(n, 0, sizeof *n);
  n->server = sv;
  size_t na = 0;
  for (size_t k = 0; k < exh_result_nactors(r); k++) na += exh_actor_server(exh_result_actor(r, k)) == sv;
  if (!na) return;
  n->actor = exh__xcalloc(na, sizeof *n->actor);
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) == sv) n->actor[n->nactor++] = a;
  }
  qsort(n->actor, n->nactor, sizeof *n->actor, by_ip);
  n->folded = exh__xcalloc(n->nactor, 1);
  for (size_t k = 0; k < n->nactor; k++)
    n->folded[k] = !exh_actor_nlevel(n->actor[k], EXH_LEVEL_HIGH) && !exh_actor_nlevel(n->actor[k], EXH_LEVEL_CRITICAL);
  /* a file tied to an address keeps it an attacker: the file finding names
   * it, or the file's story (who wrote it, who requested it) does; so does
   * a high or critical event whose story names it (a process the web
   * server started during its request) */
  size_t nf = exh_result_nfindings(r);
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) != sv) continue;
    if (!exh_finding_is_file(x)) {
      if (exh_finding_level(x) < EXH_LEVEL_HIGH || !exh_finding_story(x)) continue;
    } else {
      long a = exh__noise_actor(n, exh_finding_source_ip(x));
      if (a >= 0) n->folded[a] = 0;
    }
    const char *story = exh_finding_story(x);
    if (story)
      for (size_t k = 0; k < n->nactor; k++)
        if (n->folded[k] && exh__noise_mentions(story, exh_actor_ip(n->actor[k]))) n->folded[k] = 0;
  }
  for (size_t k = 0; k < n->nactor; k++) n->nfolded += n->folded[k];
  if (!n->nfolded) return;
  for (size_t i = 0; i < nf; i++) n->nfindings += exh__noise_folds(n, exh_result_finding(r, i));
  if (!n->nfindings) return;
  item *it = exh__xcalloc(n->nfindings, sizeof *it);
  size_t ni = 0;
  for (size_t i = 0; i < nf && ni < n->nfindings; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (!exh__noise_folds(n, x)) continue;
    const char *t = exh_rule_info_title(exh_finding_rule(x));
    it[ni++] = (item){t ? t : "", exh_finding_source_ip(x), x, i};
  }
  qsort(it, ni, sizeof *it, by_rule_ip);
  /* rows: one per title */
  size_t rows = 0;
  for (size_t i = 0; i < ni; i++) rows += !i || strcmp(it[i].title, it[i - 1].title);
  n->row = exh__xcalloc(rows, sizeof *n->row);
  for (size_t i = 0; i < ni;) {
    exh_noise_row *w = &n->row[n->nrow++];
    w->rule = exh_finding_rule(it[i].x);
    w->example = it[i].x;
    w->first = w->last = EXH_TIME_UNKNOWN;
    size_t j = i, best = it[i].order;
    while (j < ni && !strcmp(it[j].title, it[i].title)) {
      size_t s = j;
      while (j < ni && !strcmp(it[j].title, it[i].title) && !strcmp(it[j].ip, it[s].ip)) {
        const exh_finding *x = it[j].x;
        if (exh_finding_level(x) > w->level) w->level = exh_finding_level(x);
        if (it[j].order < best) {
          best = it[j].order;
          w->example = x;
        }
        int64_t t = exh_finding_time(x);
        if (t != EXH_TIME_UNKNOWN) {
          if (w->first == EXH_TIME_UNKNOWN || t < w->first) w->first = t;
          if (w->last == EXH_TIME_UNKNOWN || t > w->last) w->last = t;
        }
        w->count++;
        j++;
      }
      w->sources++;
      top_add(w, it[s].ip, j - s);
    }
    i = j;
  }
  free(it);
}

void exh__noise_free(exh_noise *n) {
  free(n->actor);
  free(n->folded);
  free(n->row);
  memset(n, 0, sizeof *n);
}
