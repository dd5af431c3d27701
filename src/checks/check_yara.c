/* YARA rules on a file's content (the shipped rules in rules/yara, --yara,
 * CHIRP's file rules), with signature-base's externals (filename, filepath,
 * extension, filetype, owner). The worker's scanner is made on first use. */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "check.h"
#include "checks.h"
#include "yara.h"

static void on_hit(void *ctx, const exh_rule_info *ri, uint64_t off, const char *sid) {
  exh_check_ctx *c = ctx;
  exh_finding *f = exh__check_finding(c, ri, ri->level,
                                     exh__xasprintf("%s: %s (string %s at offset %llu)", ri->title,
                                                   exh__check_shown_path(c->ev), sid[0] ? sid : "-",
                                                   (unsigned long long)off));
  if (!f) return;
  f->offset = off;
  /* the bytes around the match, escaped later by each report */
  if (off < c->n) {
    size_t s = off > 64 ? (size_t)off - 64 : 0, e = (size_t)off + 192 < c->n ? (size_t)off + 192 : c->n;
    f->evidence = exh__xstrndup((const char *)c->p + s, e - s);
    f->evidence_len = e - s;
  }
}

static void scan(exh_check_ctx *c) {
  const exh_yara *yara = exh__ruleset_yara(c->wk->rs);
  if (!yara || !exh__yara_count(yara)) return;
  exh_worker *wk = c->wk;
  if (!wk->yscan) wk->yscan = exh__yara_scanner_new(yara, (int)(wk->lim->max_file_seconds > 0 ? wk->lim->max_file_seconds : 60));
  if (!wk->yscan) return;
  const char *name = strrchr(c->ev->path, '/');
  name = name ? name + 1 : c->ev->path;
  exh_yara_file yf = {name, c->ev->path, c->ext, c->ext};
  char why[160];
  if (exh__yara_scan(wk->yscan, c->p, c->n, &yf, on_hit, c, why, sizeof why) && !c->ev->error)
    c->ev->error = exh__xstrdup(why);
}

const exh_check exh__check_yara = {"yara", NULL, scan, NULL};
