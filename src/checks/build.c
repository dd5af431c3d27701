/* Patch level: which Exchange build a server runs, and whether that build
 * carries the fix for each CVE of the campaigns exhunt hunts.
 *
 * Sources, best first (facts §5.2): the FileVersion of Bin/ExSetup.exe
 * (reflects security updates); the build-numbered OWA folders (several
 * coexist after upgrades: the highest is taken); the #Version: line of the
 * Exchange logs (the build that wrote each log, so a change over time
 * dates the update).
 *
 * The fixed builds are data (tables below; sources in docs/files.md). A
 * build is judged on its CU line (major.minor.build): on a listed line it
 * is fixed from the listed revision on; on a line newer than every listed
 * one of its version it is fixed (later CUs include earlier SUs); on any
 * other line it is vulnerable (no update exists for that CU). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../core/source.h"
#include "pe.h"
#include "../platform/platform.h"
#include "checks.h"
#include "../util/util.h"

typedef struct fixline {
  unsigned a, b, c, rev;
} fixline;

/* ProxyLogon: March 2021 SU (KB5000871), per CU; facts §5.1. */
static const fixline mar21[] = {
    {15, 0, 1395, 12},  {15, 0, 1473, 6},   {15, 0, 1497, 12},  {15, 1, 1415, 8},   {15, 1, 1466, 13},
    {15, 1, 1531, 12},  {15, 1, 1591, 18},  {15, 1, 1713, 10},  {15, 1, 1779, 8},   {15, 1, 1847, 12},
    {15, 1, 1913, 12},  {15, 1, 1979, 8},   {15, 1, 2044, 13},  {15, 1, 2106, 13},  {15, 1, 2176, 9},
    {15, 2, 330, 11},   {15, 2, 397, 11},   {15, 2, 464, 15},   {15, 2, 529, 13},   {15, 2, 595, 8},
    {15, 2, 659, 12},   {15, 2, 721, 13},   {15, 2, 792, 10},
};
/* ProxyShell: April 2021 SU (KB5001779) for CVE-2021-34473 and -34523,
 * May 2021 SU (KB5003435) for CVE-2021-31207. */
static const fixline apr21[] = {
    {15, 0, 1497, 15}, {15, 1, 2176, 12}, {15, 1, 2242, 8}, {15, 2, 792, 13}, {15, 2, 858, 10},
};
static const fixline may21[] = {
    {15, 0, 1497, 18}, {15, 1, 2176, 14}, {15, 1, 2242, 10}, {15, 2, 792, 15}, {15, 2, 858, 12},
};
/* ProxyNotShell and OWASSRF: November 2022 SU (KB5019758). */
static const fixline nov22[] = {
    {15, 0, 1497, 44}, {15, 1, 2375, 37}, {15, 1, 2507, 16}, {15, 2, 986, 36}, {15, 2, 1118, 20},
};

typedef struct cvefix {
  const char *cve, *campaign, *update;
  const fixline *lines;
  size_t n;
} cvefix;

#define N(a) (sizeof(a) / sizeof(a)[0])
static const cvefix cves[] = {
    {"CVE-2021-26855", "ProxyLogon", "KB5000871, March 2021", mar21, N(mar21)},
    {"CVE-2021-26857", "ProxyLogon", "KB5000871, March 2021", mar21, N(mar21)},
    {"CVE-2021-26858", "ProxyLogon", "KB5000871, March 2021", mar21, N(mar21)},
    {"CVE-2021-27065", "ProxyLogon", "KB5000871, March 2021", mar21, N(mar21)},
    {"CVE-2021-34473", "ProxyShell", "KB5001779, April 2021", apr21, N(apr21)},
    {"CVE-2021-34523", "ProxyShell", "KB5001779, April 2021", apr21, N(apr21)},
    {"CVE-2021-31207", "ProxyShell", "KB5003435, May 2021", may21, N(may21)},
    {"CVE-2022-41040", "ProxyNotShell", "KB5019758, November 2022", nov22, N(nov22)},
    {"CVE-2022-41082", "ProxyNotShell", "KB5019758, November 2022", nov22, N(nov22)},
    {"CVE-2022-41080", "OWASSRF", "KB5019758, November 2022", nov22, N(nov22)},
};

/* CU release builds, to name a build. */
static const struct {
  unsigned a, b, c;
  const char *name;
} cus[] = {
    {15, 0, 1395, "Exchange 2013 CU21"}, {15, 0, 1473, "Exchange 2013 CU22"}, {15, 0, 1497, "Exchange 2013 CU23"},
    {15, 1, 1415, "Exchange 2016 CU8"},  {15, 1, 1466, "Exchange 2016 CU9"},  {15, 1, 1531, "Exchange 2016 CU10"},
    {15, 1, 1591, "Exchange 2016 CU11"}, {15, 1, 1713, "Exchange 2016 CU12"}, {15, 1, 1779, "Exchange 2016 CU13"},
    {15, 1, 1847, "Exchange 2016 CU14"}, {15, 1, 1913, "Exchange 2016 CU15"}, {15, 1, 1979, "Exchange 2016 CU16"},
    {15, 1, 2044, "Exchange 2016 CU17"}, {15, 1, 2106, "Exchange 2016 CU18"}, {15, 1, 2176, "Exchange 2016 CU19"},
    {15, 1, 2242, "Exchange 2016 CU20"}, {15, 1, 2308, "Exchange 2016 CU21"}, {15, 1, 2375, "Exchange 2016 CU22"},
    {15, 1, 2507, "Exchange 2016 CU23"}, {15, 2, 330, "Exchange 2019 CU1"},   {15, 2, 397, "Exchange 2019 CU2"},
    {15, 2, 464, "Exchange 2019 CU3"},   {15, 2, 529, "Exchange 2019 CU4"},   {15, 2, 595, "Exchange 2019 CU5"},
    {15, 2, 659, "Exchange 2019 CU6"},   {15, 2, 721, "Exchange 2019 CU7"},   {15, 2, 792, "Exchange 2019 CU8"},
    {15, 2, 858, "Exchange 2019 CU9"},   {15, 2, 922, "Exchange 2019 CU10"},  {15, 2, 986, "Exchange 2019 CU11"},
    {15, 2, 1118, "Exchange 2019 CU12"}, {15, 2, 1258, "Exchange 2019 CU13"}, {15, 2, 1544, "Exchange 2019 CU14"},
};

const char *exh_patch_name(exh_patch p) {
  return p == EXH_PATCH_FIXED ? "patched" : p == EXH_PATCH_VULNERABLE ? "vulnerable" : "unknown";
}

/* "15.01.2375.007" or "15.1.2375.7" -> parts; 0 on success. */
static int parse_build(const char *s, unsigned v[4]) {
  int k = 0;
  v[0] = v[1] = v[2] = v[3] = 0;
  const char *p = s;
  while (*p && k < 4) {
    if (*p < '0' || *p > '9') return -1;
    unsigned x = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 6) x = x * 10 + (unsigned)(*p++ - '0'), digits++;
    v[k++] = x;
    if (*p == '.') p++;
    else break;
  }
  return k >= 3 && (*p == 0 || *p == ' ' || *p == '\r' || *p == '\n') ? 0 : -1;
}

int exh__build_normalise(const char *in, char *out, size_t n) {
  unsigned v[4];
  if (parse_build(in, v)) return -1;
  snprintf(out, n, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
  return 0;
}

static int cmp_build(const unsigned a[4], const unsigned b[4]) {
  for (int i = 0; i < 4; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

char *exh__build_from_walk(const exh_walk_server *ws, const char **source) {
  *source = NULL;
  if (ws->exsetup) {
    /* read, not mapped (no SIGBUS if it changes under us), and bounded:
     * ExSetup.exe is tens of KB; a file claiming to be it is read up to
     * EXH_EXSETUP_MAX */
    char why[256];
    exh_source *src = exh__source_file(ws->exsetup, NULL, why, sizeof why);
    char *buf = NULL;
    size_t n = 0;
    if (src && exh__source_slurp(src, EXH_EXSETUP_MAX, &buf, &n) >= 0) {
      uint16_t v[4];
      const char *err;
      int rc = exh__pe_file_version((const uint8_t *)buf, n, v, &err);
      free(buf);
      exh__source_close(src);
      if (rc == 0 && v[0] >= 14 && v[0] <= 15) {
        *source = "Bin/ExSetup.exe version resource";
        return exh__xasprintf("%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
      }
    } else if (src) {
      exh__source_close(src);
    }
  }
  const char *best = NULL;
  unsigned bv[4] = {0};
  for (size_t i = 0; i < ws->nbuilds; i++) {
    unsigned v[4];
    if (parse_build(ws->builds[i], v)) continue;
    if (!best || cmp_build(v, bv) > 0) {
      best = ws->builds[i];
      memcpy(bv, v, sizeof bv);
    }
  }
  if (!best) return NULL;
  *source = "OWA build folder";
  return exh__xasprintf("%u.%u.%u.%u", bv[0], bv[1], bv[2], bv[3]);
}

static void judge(const unsigned v[4], const cvefix *cf, exh_cve_status *st) {
  st->cve = cf->cve;
  st->campaign = cf->campaign;
  st->status = EXH_PATCH_UNKNOWN;
  st->why = "no fixed build of this Exchange version is known to exhunt";
  unsigned maxc = 0;
  int any = 0;
  for (size_t i = 0; i < cf->n; i++) {
    const fixline *l = &cf->lines[i];
    if (l->a != v[0] || l->b != v[1]) continue;
    any = 1;
    if (l->c > maxc) maxc = l->c;
    if (l->c == v[2]) {
      st->status = v[3] >= l->rev ? EXH_PATCH_FIXED : EXH_PATCH_VULNERABLE;
      st->why = v[3] >= l->rev ? "security update installed" : "security update missing";
      return;
    }
  }
  if (!any) return;
  if (v[2] > maxc) {
    st->status = EXH_PATCH_FIXED;
    st->why = "cumulative update newer than the fix";
  } else {
    st->status = EXH_PATCH_VULNERABLE;
    st->why = "cumulative update without a fix: upgrade the CU";
  }
}

static const char *product_of(const unsigned v[4]) {
  for (size_t i = 0; i < N(cus); i++)
    if (cus[i].a == v[0] && cus[i].b == v[1] && cus[i].c == v[2]) return cus[i].name;
  if (v[0] == 15 && v[1] == 0) return "Exchange 2013";
  if (v[0] == 15 && v[1] == 1) return "Exchange 2016";
  if (v[0] == 15 && v[1] == 2) return "Exchange 2019";
  if (v[0] == 14) return "Exchange 2010";
  return NULL;
}

/* The fixed build of a CVE for the server's line, as text ("15.1.2176.9"). */
const char *exh__build_fixed_in(const char *cve, const char *build, char *out, size_t n) {
  unsigned v[4];
  if (parse_build(build, v)) return NULL;
  for (size_t k = 0; k < N(cves); k++) {
    if (strcmp(cves[k].cve, cve)) continue;
    for (size_t i = 0; i < cves[k].n; i++) {
      const fixline *l = &cves[k].lines[i];
      if (l->a == v[0] && l->b == v[1] && l->c == v[2]) {
        snprintf(out, n, "%u.%u.%u.%u (%s)", l->a, l->b, l->c, l->rev, cves[k].update);
        return out;
      }
    }
    snprintf(out, n, "%s", cves[k].update);
    return out;
  }
  return NULL;
}

const char *exh__build_cve_campaign(const char *cve) {
  for (size_t k = 0; k < N(cves); k++)
    if (!strcmp(cves[k].cve, cve)) return cves[k].campaign;
  return NULL;
}

exh_patch exh__build_cve_status(const char *cve, const char *build) {
  unsigned v[4];
  if (!build || parse_build(build, v)) return EXH_PATCH_UNKNOWN;
  for (size_t k = 0; k < N(cves); k++) {
    if (strcmp(cves[k].cve, cve)) continue;
    exh_cve_status st;
    judge(v, &cves[k], &st);
    return st.status;
  }
  return EXH_PATCH_UNKNOWN;
}

static int cmp_seen(const void *x, const void *y) {
  const exh_build_seen *a = x, *b = y;
  if (a->first_ms != b->first_ms) return a->first_ms < b->first_ms ? -1 : 1;
  return strcmp(a->build, b->build);
}

void exh__build_finish(exh_result *r, char **early, const char **early_src) {
  for (size_t s = 0; s < r->nservers; s++) {
    exh_server *sv = &r->servers[s];
    if (sv->nbuilds_seen > 1) qsort(sv->builds_seen, sv->nbuilds_seen, sizeof *sv->builds_seen, cmp_seen);
    if (early && early[s]) {
      sv->build = exh__xstrdup(early[s]);
      sv->build_source = early_src[s];
    } else if (sv->nbuilds_seen) {
      const exh_build_seen *last = &sv->builds_seen[0];
      for (size_t i = 1; i < sv->nbuilds_seen; i++)
        if (sv->builds_seen[i].last_ms > last->last_ms) last = &sv->builds_seen[i];
      sv->build = exh__xstrdup(last->build);
      sv->build_source = "Exchange log #Version (the latest log)";
    }
    if (!sv->build) continue;
    unsigned v[4];
    if (parse_build(sv->build, v)) continue;
    sv->product = product_of(v);
    sv->cves = exh__xcalloc(N(cves), sizeof *sv->cves);
    sv->ncves = N(cves);
    for (size_t k = 0; k < N(cves); k++) judge(v, &cves[k], &sv->cves[k]);
  }
}
