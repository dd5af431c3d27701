/* The CPU time of `scan` alone, without rule loading, through compiled
 * templates and through the tree, in one process (issue 15 item 2,
 * docs/benchmarks.md): loads the rules once, then scans the roots N times
 * each way, alternating (tree, compiled, tree, compiled...: EXHUNT_EVTX_TREE
 * is read per file), one worker thread, and prints each scan's process CPU
 * seconds and the medians. The same binary both ways: the figures differ
 * only by how records are read.
 * usage: exh_scan_cpu N [-r RULES]... [--no-builtin] ROOT... */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exhunt/exhunt.h"

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void ignore(void *ctx, const char *source, const char *title, const char *why) {
  (void)ctx, (void)source, (void)title, (void)why;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: exh_scan_cpu N [-r RULES]... [--no-builtin] ROOT...\n");
    return 2;
  }
  int n = atoi(argv[1]), builtin = 1;
  if (n < 1 || n > 100) return 2;
  exh_ruleset *rs;
  if (exh_ruleset_new(&rs) != EXH_OK) return 1;
  exh_ruleset_on_reject(rs, ignore, NULL);
  const char **roots = calloc((size_t)argc, sizeof *roots);
  size_t nroots = 0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "-r") && i + 1 < argc) exh_ruleset_add_path(rs, argv[++i]);
    else if (!strcmp(argv[i], "--no-builtin")) builtin = 0;
    else roots[nroots++] = argv[i];
  }
  if (builtin) exh_ruleset_add_builtin(rs);
  if (exh_ruleset_compile(rs) != EXH_OK) return 1;
  exh_scan_opts o;
  memset(&o, 0, sizeof o);
  o.roots = roots, o.nroots = nroots, o.threads = 1;
  double *t[2] = {calloc((size_t)n, sizeof(double)), calloc((size_t)n, sizeof(double))};
  double *ratio = calloc((size_t)n, sizeof(double));
  size_t findings[2] = {0, 0};
  for (int i = 0; i < n; i++) {
    for (int way = 0; way < 2; way++) { /* 0: tree, 1: compiled */
      if (way == 0) setenv("EXHUNT_EVTX_TREE", "1", 1);
      else unsetenv("EXHUNT_EVTX_TREE");
      exh_result *r = NULL;
      double c0 = cpu_s();
      if (exh_scan(rs, &o, &r) != EXH_OK) return 1;
      t[way][i] = cpu_s() - c0;
      findings[way] = exh_result_nfindings(r);
      exh_result_free(r);
    }
    ratio[i] = t[1][i] / t[0][i];
    printf("run %d: tree %.3f s, compiled %.3f s (CPU)\n", i + 1, t[0][i], t[1][i]);
  }
  if (findings[0] != findings[1]) printf("FINDINGS DIFFER: %zu vs %zu\n", findings[0], findings[1]);
  printf("median CPU s: tree %.3f, compiled %.3f; compiled/tree pair by pair: median %.3f; %zu findings\n",
         median(t[0], n), median(t[1], n), median(ratio, n), findings[1]);
  free(t[0]), free(t[1]), free(ratio), free(roots);
  exh_ruleset_free(rs);
  return 0;
}
