/* W3C extended log format (IIS W3SVC logs, HTTPERR): space-separated
 * fields named by "#Fields:", "-" for empty, spaces inside values written as
 * "+" by IIS. The header block and the time are shared with exlog.c. */
#include <string.h>

#include "exlog.h"

int exh__w3c_split(const char *p, size_t n, exh_str *cols, int max, int nfields, int merge_col) {
  if (n && p[n - 1] == '\r') n--;
  if (max <= 0) return 0;
  int k = 0;
  size_t i = 0;
  for (;;) {
    const char *sp = i < n ? memchr(p + i, ' ', n - i) : NULL;
    size_t e = sp ? (size_t)(sp - p) : n;
    if (k == max - 1) e = n; /* last slot takes the rest */
    cols[k++] = (exh_str){p + i, e - i};
    if (e >= n) break;
    i = e + 1;
  }
  if (nfields > 0 && k > nfields && merge_col >= 0 && merge_col < nfields) {
    /* merge the surplus tokens into merge_col: they are contiguous bytes */
    int extra = k - nfields;
    exh_str last = cols[merge_col + extra];
    cols[merge_col].n = (size_t)(last.p + last.n - cols[merge_col].p);
    memmove(cols + merge_col + 1, cols + merge_col + 1 + extra, (size_t)(k - merge_col - 1 - extra) * sizeof *cols);
    k = nfields;
  }
  return k;
}
