/* The file checks and the patch level (detect/). */
#ifndef EXH_DETECT_H
#define EXH_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/evidence.h"

struct exh_source;
/* File checks (detect/files.c): Test-ProxyLogon's supporting files; and
 * the content checks of every candidate file (detect/content.c). */
extern const exh_rule_info exh__rule_lsass_dump, exh__rule_staging_archive;
void exh__detect_file(exh_worker *wk, exh_evidence *ev);
void exh__detect_content(exh_worker *wk, exh_evidence *ev);
/* Same on bytes in memory (fuzz targets, archive members). */
void exh__detect_content_buf(exh_worker *wk, exh_evidence *ev, const uint8_t *p, size_t n);
/* Same on a source (a file, an archive member): read whole up to the
 * content size limit, else the path and header checks only. */
void exh__detect_content_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);

/* Patch level (detect/build.c): reads Bin/ExSetup.exe or the build
 * folders before the scan (for the baselines), then completes each
 * server's build, CVE status and log build history after it. */
char *exh__build_from_walk(const exh_walk_server *ws, const char **source);
void exh__build_finish(exh_result *r, char **early, const char **early_src);
/* "15.01.2375.007" -> "15.1.2375.7"; 0 on success. */
int exh__build_normalise(const char *in, char *out, size_t n);
/* The fix for a CVE on a build's CU line as text, or NULL. */
const char *exh__build_fixed_in(const char *cve, const char *build, char *out, size_t n);

/* The patch state of one CVE on one build ("15.1.2176.2"). */
exh_patch exh__build_cve_status(const char *cve, const char *build);
/* The campaign a CVE belongs to in the fixed-build table ("ProxyShell"), or NULL. */
const char *exh__build_cve_campaign(const char *cve);

/* The content rules a rule set carries (checks/load.c), NULL when none
 * were loaded. */
struct exh_yara;
struct exh_iocset;
struct exh_baseline;
const struct exh_yara *exh__ruleset_yara(const exh_ruleset *rs);
const struct exh_iocset *exh__ruleset_iocs(const exh_ruleset *rs);
const struct exh_baseline *exh__ruleset_baseline(const exh_ruleset *rs);

#endif
