/* Indicator checks on files: the path and name against the loaded IOC
 * paths and names (MSTIC's web shell paths, CHIRP), the SHA-256 (and the
 * SHA-1 and MD5 when a list carries them) against the IOC hashes. */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "check.h"
#include "checks.h"
#include "ioc.h"

static const char *const t1505[] = {"T1505.003"};
static const char *const t1588[] = {"T1588.001"};

/* The source label is the rules' stable name, kept as reports have shown it. */
static const exh_rule_info ioc_hash = {.id = "exhunt-ioc-file-hash",
                                       .title = "IOC: file hash on an indicator list",
                                       .description = "The file's SHA-256, SHA-1 or MD5 is listed in a loaded IOC set.",
                                       .source = "builtin:detect/content.c",
                                       .dataset = "exhunt.file",
                                       .level = EXH_LEVEL_HIGH,
                                       .techniques = t1588,
                                       .ntechniques = 1};
static const exh_rule_info ioc_path = {
    .id = "exhunt-ioc-file-path",
    .title = "IOC: file path or name on an indicator list",
    .description = "The file lies at a path (or has a name) listed in a loaded IOC set, e.g. the MSTIC web shell paths.",
    .source = "builtin:detect/content.c",
    .dataset = "exhunt.file",
    .level = EXH_LEVEL_HIGH,
    .techniques = t1505,
    .ntechniques = 1};

static void set_ioc(exh_finding *f, const exh_ioc *io) {
  f->ioc_value = exh__xstrdup(io->value);
  f->ioc_source = exh__xstrdup(io->source);
  f->ioc_type = exh__ioc_type_name(io->type);
}

static void by_path(exh_check_ctx *c) {
  const exh_ioc *io = exh__iocset_path(exh__ruleset_iocs(c->wk->rs), exh__check_shown_path(c->ev));
  if (!io) return;
  exh_finding *f = exh__check_finding(c, &ioc_path, ioc_path.level,
                                     exh__xasprintf("%s: %s matches %s indicator '%s' (%s%s%s)", ioc_path.title,
                                                   exh__check_shown_path(c->ev), exh__ioc_type_name(io->type),
                                                   io->value, io->source, io->label ? ", " : "",
                                                   io->label ? io->label : ""));
  if (f) set_ioc(f, io);
}

static void by_hash(exh_check_ctx *c) {
  const exh_iocset *iocs = exh__ruleset_iocs(c->wk->rs);
  if (c->sha256) {
    const exh_ioc *io = exh__iocset_hash(iocs, EXH_IOC_SHA256, c->sha256);
    if (io) {
      exh_finding *f = exh__check_finding(c, &ioc_hash, ioc_hash.level,
                                         exh__xasprintf("%s: %s has SHA-256 %s (%s%s%s)", ioc_hash.title,
                                                       exh__check_shown_path(c->ev), io->value, io->source,
                                                       io->label ? ", " : "", io->label ? io->label : ""));
      if (f) set_ioc(f, io);
    }
  }
  static const struct {
    exh_ioc_type t;
    const char *alg;
  } more[] = {{EXH_IOC_SHA1, "sha1"}, {EXH_IOC_MD5, "md5"}};
  for (size_t k = 0; k < 2; k++) {
    uint8_t d[32];
    if (!exh__iocset_has_hashes(iocs, more[k].t) || exh__check_digest(more[k].alg, c->p, c->n, d)) continue;
    const exh_ioc *io = exh__iocset_hash(iocs, more[k].t, d);
    if (!io) continue;
    exh_finding *f = exh__check_finding(c, &ioc_hash, ioc_hash.level,
                                       exh__xasprintf("%s: %s has %s %s (%s%s%s)", ioc_hash.title,
                                                     exh__check_shown_path(c->ev), more[k].alg, io->value, io->source,
                                                     io->label ? ", " : "", io->label ? io->label : ""));
    if (f) set_ioc(f, io);
  }
}

const exh_check exh__check_ioc_path = {"ioc-path", by_path, NULL, NULL};
const exh_check exh__check_ioc_hash = {"ioc-hash", NULL, by_hash, NULL};
