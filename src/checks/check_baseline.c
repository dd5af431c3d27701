/* The installed build's known-good files (CSS-Exchange baselines): an
 * Exchange file whose SHA-256 differs, a server-side script the build does
 * not ship, another file it does not ship. */
#include <string.h>

#include "../core/paths.h"
#include "../util/util.h"
#include "check.h"
#include "checks.h"
#include "ioc.h"

static const char *const t1505[] = {"T1505.003"};

#define BASE_RULE(name, id_, title_, desc_, level_)                                                            \
  static const exh_rule_info name = {.id = id_,                                                               \
                                     .title = title_,                                                         \
                                     .description = desc_,                                                    \
                                     .source = "builtin:detect/content.c",                                    \
                                     .dataset = "exhunt.file",                                                \
                                     .level = level_,                                                         \
                                     .techniques = t1505,                                                     \
                                     .ntechniques = 1}

BASE_RULE(base_modified, "exhunt-baseline-modified", "Exchange file differs from the known-good baseline",
          "A file shipped with the installed Exchange build whose SHA-256 is not the one of the baseline.",
          EXH_LEVEL_HIGH);
BASE_RULE(base_unknown, "exhunt-baseline-unknown-script", "Server-side script unknown to the baseline of the installed build",
          "An .aspx/.ashx/.asmx/... file under the Exchange web folders that the build's baseline does not list: "
          "where ProxyLogon and ProxyShell web shells were written.",
          EXH_LEVEL_HIGH);
BASE_RULE(base_unknown_other, "exhunt-baseline-unknown-file", "File unknown to the baseline of the installed build",
          "A file under the Exchange web folders that the build's baseline does not list (not a server-side script).",
          EXH_LEVEL_LOW);

static int server_script(const char *ext) {
  static const char *const s[] = {"aspx", "ashx", "asmx", "asax", "ascx", "asp", "cshtml", "master", "svc", "config", NULL};
  for (const char *const *e = s; *e; e++)
    if (!strcmp(*e, ext)) return 1;
  return 0;
}

static void check(exh_check_ctx *c) {
  const exh_baseline *b = exh__ruleset_baseline(c->wk->rs);
  if (!b || !c->sha256 || !c->ev->rel[0]) return;
  const char *rel = c->ev->rel;
  size_t off = exh__path_install_rel(rel);
  if (off == (size_t)-1 || !exh__baseline_covers_ext(b, c->ext)) return;
  const char *build = c->wk->server_builds ? c->wk->server_builds[c->ev->server] : NULL;
  if (build && !exh__baseline_has_build(b, build)) return; /* said once per server by checks/build.c */
  char norm[1024];
  exh__path_normalise(rel + off, norm, sizeof norm, 1);
  int r = exh__baseline_check(b, build, norm, c->sha256);
  if (r == 0) return;
  const exh_rule_info *ri = r == 1 ? &base_modified : server_script(c->ext) ? &base_unknown : &base_unknown_other;
  exh__check_finding(c, ri, ri->level,
                    exh__xasprintf("%s: %s (%s %s)", ri->title, exh__check_shown_path(c->ev),
                                  build ? "build" : "no build known; checked against every loaded baseline",
                                  build ? build : ""));
}

const exh_check exh__check_baseline = {"baseline", NULL, check, NULL};
