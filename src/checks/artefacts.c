/* Checks on files that are code, not rules: the supporting files that
 * Test-ProxyLogon lists after a CVE hit (facts §1.6). They are reported as
 * informational here; correlate/ raises them when the same server has a
 * CVE finding (CSS-Exchange PR #386: alone they caused most false alarms). */
#include <stdlib.h>

#include "../util/util.h"
#include "check.h"
#include "checks.h"

static const char *const t1003[] = {"T1003.001"};
static const char *const t1560[] = {"T1560.001"};

const exh_rule_info exh__rule_lsass_dump = {
    .id = "exhunt-file-lsass-dump",
    .title = "LSASS memory dump file (Test-ProxyLogon 'LsassDump')",
    .description = "A file named like lsass*dmp under Windows\\Temp or C:\\root, where HAFNIUM left "
                   "procdump/comsvcs output.",
    .source = "builtin:detect/files.c",
    .dataset = "exhunt.file",
    .level = EXH_LEVEL_INFO,
    .techniques = t1003,
    .ntechniques = 1,
    .flags = EXH_RULE_SUPPORTING,
};

const exh_rule_info exh__rule_staging_archive = {
    .id = "exhunt-file-staging-archive",
    .title = "Archive under ProgramData (Test-ProxyLogon 'SuspiciousArchive')",
    .description = "A .7z, .zip or .rar file under ProgramData, where HAFNIUM staged stolen data.",
    .source = "builtin:detect/files.c",
    .dataset = "exhunt.file",
    .level = EXH_LEVEL_INFO,
    .techniques = t1560,
    .ntechniques = 1,
    .flags = EXH_RULE_SUPPORTING,
};

static void artefact(exh_check_ctx *c) {
  if (c->ev->kind == EXH_KIND_LSASS_DUMP || c->ev->kind == EXH_KIND_STAGING_ARCHIVE) exh__detect_file(c->wk, c->ev);
}

const exh_check exh__check_artefacts = {"artefacts", artefact, NULL, NULL};

void exh__detect_file(exh_worker *wk, exh_evidence *ev) {
  const exh_rule_info *ri = ev->kind == EXH_KIND_LSASS_DUMP ? &exh__rule_lsass_dump : &exh__rule_staging_archive;
  exh_finding *f = exh__evidence_new_finding(wk, ev);
  if (!f) return;
  f->rule = ri;
  f->level = ri->level;
  f->server = ev->server;
  f->dataset = ri->dataset;
  f->time_ms = ev->mtime_ms;
  f->is_file = 1;
  f->path = exh__xstrdup(ev->path);
  f->file_size = ev->size;
  f->file_mtime_ms = ev->mtime_ms;
  f->message = exh__xasprintf("%s: %s (%llu bytes)", ri->title, ev->rel[0] ? ev->rel : ev->path,
                             (unsigned long long)ev->size);
}
