/* Coverage: what evidence each server had, class by class, and what each
 * campaign's evidence says, so that a verdict of no evidence is earned.
 *
 * Classes. Every evidence file read adds to one row per (server, class,
 * item): HttpProxy per protocol folder, IIS per site, Windows events per
 * channel, and so on, with the records' time span, files, bytes, records,
 * files with errors and the rules that read the class. The classes an
 * Exchange assessment needs are listed even when absent (present = 0), so
 * the report says what was not examined.
 *
 * Campaigns. For ProxyLogon, ProxyShell, ProxyNotShell and OWASSRF:
 *   - findings naming one of its CVEs: compromised (high or above) or
 *     attempted;
 *   - else its exposure on this server: from the campaign's first known
 *     exploitation to the scan when the installed build is vulnerable or
 *     unknown; when it is patched, to the later of the fix's release (no
 *     server could be patched before it) and the last log that names a
 *     vulnerable build (#Version). The part of that exposure the web logs
 *     (HttpProxy, IIS: where every campaign's requests land) cover is read:
 *     no trace;
 *   - else, if the web folders were examined (where every campaign left its
 *     web shells) with content rules loaded: no trace on disk;
 *   - else: cannot tell. Also cannot tell when no loaded rule names the
 *     campaign's CVEs.
 *
 * Verdict (exh__correlate_verdicts): compromised / exploitation attempted
 * from findings; "no evidence examined" when nothing exhunt reads was
 * found or read (or the root could not be read); "cannot tell" when a
 * campaign cannot be told; otherwise no evidence of compromise. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../checks/checks.h"
#include "../core/paths.h"
#include "correlate.h"
#include "../util/util.h"

/* ---- classes ------------------------------------------------------------- */

typedef struct cls_def {
  const char *cls, *label;
  int expected; /* listed when absent */
} cls_def;

static const cls_def classes[] = {
    {"httpproxy", "HttpProxy logs", 1},
    {"ecp_server", "ECP Server logs", 1},
    {"ecp_activity", "ECP Activity logs", 0},
    {"oabgenerator", "OAB generator logs", 1},
    {"exchange_log", "other Exchange logs", 0},
    {"rps_http", "Remote PowerShell HTTP logs", 0}, /* OWASSRF's trace (CmdletInfra/Powershell-Proxy/Http) */
    {"iis", "IIS logs", 1},
    {"httperr", "HTTPERR logs", 1},
    {"iis_config", "IIS configuration", 1}, /* applicationHost.config, web.config: IIS modules (formats/iisconfig) */
    {"windows_events", "Windows events", 0}, /* rows per channel; the expected channels below */
    {"web_files", "web folders", 1},
    {"staging_files", "staging folders", 1},
    {"given_files", "files given", 0},
    {"other_files", "other files", 0},
    {"unchecked_files", "other files, not content-checked (use --all-files)", 0}, /* walk: outside the checked folders */
    {"archive", "archives", 0},
    {"exsetup", "Bin/ExSetup.exe", 1},
};
#define NCLASSES (sizeof classes / sizeof classes[0])

/* The channels that matter on an Exchange server (issue 11): listed when absent. */
static const char *const channels[] = {
    "Security",
    "System",
    "Application",
    "Microsoft-Windows-PowerShell/Operational",
    "Microsoft-Windows-Sysmon/Operational",
    "MSExchange Management",
    "Microsoft-Windows-Windows Defender/Operational",
};
#define NCHANNELS (sizeof channels / sizeof channels[0])

static size_t class_index(const char *cls) {
  for (size_t i = 0; i < NCLASSES; i++)
    if (!strcmp(classes[i].cls, cls)) return i;
  return NCLASSES - 1;
}

static exh_coverage *row(exh_result *r, size_t *cap, size_t server, const char *cls, const char *item) {
  for (size_t i = 0; i < r->ncoverage; i++) {
    exh_coverage *c = &r->coverage[i];
    if (c->server == server && !strcmp(c->cls, cls) && !strcasecmp(c->item, item)) return c;
  }
  EXH_VEC_RESERVE(r->coverage, *cap, r->ncoverage + 1);
  exh_coverage *c = &r->coverage[r->ncoverage++];
  memset(c, 0, sizeof *c);
  c->server = server;
  c->cls = classes[class_index(cls)].cls;
  c->item = exh__xstrdup(item);
  if (!strcmp(cls, "windows_events")) c->label = exh__xasprintf("events %s", item[0] ? item : "(channel unknown)");
  else if (!strcmp(cls, "web_files") && item[0]) c->label = exh__xasprintf("web folder %s", item);
  else if (item[0]) c->label = exh__xasprintf("%s %s", classes[class_index(cls)].label, item);
  else c->label = exh__xstrdup(classes[class_index(cls)].label);
  c->first_ms = c->last_ms = EXH_TIME_UNKNOWN;
  return c;
}

static void span(exh_coverage *c, int64_t first, int64_t last) {
  if (first != EXH_TIME_UNKNOWN && (c->first_ms == EXH_TIME_UNKNOWN || first < c->first_ms)) c->first_ms = first;
  if (last != EXH_TIME_UNKNOWN && (c->last_ms == EXH_TIME_UNKNOWN || last > c->last_ms)) c->last_ms = last;
}

static const char *class_of_kind(exh_kind k) {
  switch (k) {
  case EXH_KIND_HTTPPROXY: return "httpproxy";
  case EXH_KIND_ECP_SERVER: return "ecp_server";
  case EXH_KIND_ECP_ACTIVITY: return "ecp_activity";
  case EXH_KIND_OABGEN: return "oabgenerator";
  case EXH_KIND_EXLOG_OTHER: return "exchange_log";
  case EXH_KIND_RPS_HTTP: return "rps_http";
  case EXH_KIND_IIS: return "iis";
  case EXH_KIND_HTTPERR: return "httperr";
  case EXH_KIND_IISCONFIG: return "iis_config";
  case EXH_KIND_EVTX:
  case EXH_KIND_JSONEV: return "windows_events";
  case EXH_KIND_ARCHIVE: return "archive";
  case EXH_KIND_LSASS_DUMP:
  case EXH_KIND_STAGING_ARCHIVE: return "staging_files";
  default: return NULL;
  }
}

/* A web file's row: its web root (walk: the folder's, an archive member:
 * the part after '!'), "" when none is known. */
static const char *web_item(const char *path) {
  if (!path) return "";
  const char *bang = strrchr(path, '!');
  int i = exh__path_web_root(bang ? bang + 1 : path);
  return i < 0 ? "" : exh__web_roots[i];
}

static const char *class_of_area(const char *area) {
  if (!strcmp(area, "web")) return "web_files";
  if (!strcmp(area, "staging")) return "staging_files";
  if (!strcmp(area, "given")) return "given_files";
  return "other_files";
}

/* The Windows event channels an EVTX or JSON file (or an archive's event
 * members) held, one row each. */
static void note_channels(exh_result *r, size_t *cap, const exh_evidence *ev, size_t rules, int failed) {
  for (size_t i = 0; i < ev->nchannels; i++) {
    const struct exh_ev_channel *ch = &ev->channels[i];
    exh_coverage *c = row(r, cap, ev->kind == EXH_KIND_ARCHIVE ? ch->server : ev->server, "windows_events", ch->name);
    c->present = 1;
    c->files++;
    if (i == 0 && ev->kind != EXH_KIND_ARCHIVE) c->bytes += ev->size; /* a file's bytes go to its first channel */
    c->records += ch->records;
    c->errors += failed;
    c->rules = rules;
    span(c, ch->first_ms, ch->last_ms);
  }
}

void exh__coverage_note(exh_result *r, size_t *cap, const exh_evidence *ev, const size_t *kind_rules) {
  if (ev->skipped && !ev->error) return; /* not ours (another product's .log under Logging) */
  const char *cls = ev->kind == EXH_KIND_CONTENT ? class_of_area(ev->sub) : class_of_kind(ev->kind);
  if (!cls) return;
  int failed = ev->error != NULL;
  if (ev->kind == EXH_KIND_ARCHIVE) {
    /* its members count in their own classes, as in a folder: logs and
     * files by their notes, events by their channels; the archive itself
     * gets a row of its own (with its errors) */
    for (size_t i = 0; i < ev->nmembers; i++) {
      const exh_member_note *n = &ev->members[i];
      if (n->kind == EXH_KIND_EVTX || n->kind == EXH_KIND_JSONEV) continue;
      const char *mc = n->kind == EXH_KIND_CONTENT ? class_of_area(n->sub) : class_of_kind(n->kind);
      if (!mc) continue;
      exh_coverage *c = row(r, cap, n->server, mc,
                            n->kind == EXH_KIND_HTTPPROXY || n->kind == EXH_KIND_IIS ? n->sub
                            : !strcmp(mc, "web_files")                              ? web_item(n->dir)
                                                                                    : "");
      c->present = 1;
      c->files += n->files;
      c->bytes += n->bytes;
      c->records += n->records;
      c->errors += n->failed;
      c->rules = n->kind == EXH_KIND_ARCHIVE ? 1 : kind_rules[n->kind]; /* an archive inside, as the file's row */
      if (n->kind <= EXH_KIND_LOG_LAST) span(c, n->first_ms, n->last_ms);
      if (n->kind == EXH_KIND_IISCONFIG && n->sub[0]) { /* a web.config is a file of its web folder too */
        const char *ac = class_of_area(n->sub);
        c = row(r, cap, n->server, ac, !strcmp(ac, "web_files") ? web_item(n->dir) : "");
        c->present = 1;
        c->files += n->files;
        c->bytes += n->bytes;
        c->errors += n->failed;
        c->rules = kind_rules[EXH_KIND_CONTENT];
      }
    }
    note_channels(r, cap, ev, kind_rules[EXH_KIND_EVTX], 0);
    exh_coverage *c = row(r, cap, ev->server, cls, "");
    c->present = 1;
    c->files++;
    c->bytes += ev->size;
    c->errors += failed;
    c->rules = 1;
    return;
  }
  if (!strcmp(cls, "windows_events")) {
    if (ev->nchannels) {
      note_channels(r, cap, ev, kind_rules[ev->kind], failed);
      return;
    }
    exh_coverage *c = row(r, cap, ev->server, cls, "");
    c->present = 1;
    c->files++;
    c->bytes += ev->size;
    c->records += ev->records;
    c->errors += failed;
    c->rules = kind_rules[ev->kind];
    span(c, ev->first_ms, ev->last_ms);
    return;
  }
  const char *item = ev->kind == EXH_KIND_HTTPPROXY || ev->kind == EXH_KIND_IIS ? ev->sub
                     : !strcmp(cls, "web_files")                              ? web_item(ev->rel)
                                                                              : "";
  exh_coverage *c = row(r, cap, ev->server, cls, item);
  c->present = 1;
  c->files++;
  c->bytes += ev->size;
  c->records += ev->records;
  c->errors += failed;
  c->rules = kind_rules[ev->kind];
  if (ev->kind <= EXH_KIND_LOG_LAST) span(c, ev->first_ms, ev->last_ms);
  if (ev->kind == EXH_KIND_IISCONFIG && ev->sub[0]) { /* a web.config is a file of its web folder too */
    const char *ac = class_of_area(ev->sub);
    c = row(r, cap, ev->server, ac, !strcmp(ac, "web_files") ? web_item(ev->rel) : "");
    c->present = 1;
    c->files++;
    c->bytes += ev->size;
    c->errors += failed;
    c->rules = kind_rules[EXH_KIND_CONTENT];
  }
}

static int cmp_cov(const void *a, const void *b) {
  const exh_coverage *x = a, *y = b;
  if (x->server != y->server) return x->server < y->server ? -1 : 1;
  size_t cx = class_index(x->cls), cy = class_index(y->cls);
  if (cx != cy) return cx < cy ? -1 : 1;
  if (!strcmp(x->cls, "windows_events")) { /* the expected channels first, in their order */
    size_t ix = NCHANNELS, iy = NCHANNELS;
    for (size_t i = 0; i < NCHANNELS; i++) {
      if (!strcasecmp(x->item, channels[i])) ix = i;
      if (!strcasecmp(y->item, channels[i])) iy = i;
    }
    if (ix != iy) return ix < iy ? -1 : 1;
  }
  if (!strcmp(x->cls, "web_files")) { /* web roots in exh__web_roots' order */
    size_t ix = EXH_WEB_ROOTS, iy = EXH_WEB_ROOTS;
    for (size_t i = 0; i < EXH_WEB_ROOTS; i++) {
      if (!strcasecmp(x->item, exh__web_roots[i])) ix = i;
      if (!strcasecmp(y->item, exh__web_roots[i])) iy = i;
    }
    if (ix != iy) return ix < iy ? -1 : 1;
  }
  return strcasecmp(x->item, y->item);
}

void exh__coverage_finish(exh_result *r, size_t *cap, const exh_walk_server *srv, size_t nsrv) {
  for (size_t s = 0; s < r->nservers; s++) {
    for (size_t k = 0; k < NCLASSES; k++) {
      const cls_def *d = &classes[k];
      if (!strcmp(d->cls, "exsetup")) {
        exh_coverage *c = row(r, cap, s, d->cls, "");
        if (s < nsrv && srv[s].exsetup) {
          c->present = 1;
          c->files = 1;
        }
        continue;
      }
      if (!strcmp(d->cls, "web_files")) {
        /* one row per web root where the campaigns' web shells land,
         * listed when not collected; an existing but empty one was
         * examined */
        for (int w = 0; w < 3; w++) {
          exh_coverage *c = row(r, cap, s, d->cls, exh__web_roots[w]);
          if (s < nsrv && (srv[s].web_roots >> w & 1)) c->present = 1;
        }
        continue;
      }
      if (!strcmp(d->cls, "unchecked_files")) {
        if (s < nsrv && srv[s].other_files) {
          exh_coverage *c = row(r, cap, s, d->cls, "");
          c->present = 1;
          c->files = srv[s].other_files > UINT32_MAX ? UINT32_MAX : (uint32_t)srv[s].other_files;
        }
        continue;
      }
      if (!d->expected) continue;
      int have = 0;
      for (size_t i = 0; i < r->ncoverage && !have; i++)
        have = r->coverage[i].server == s && !strcmp(r->coverage[i].cls, d->cls);
      if (have) continue;
      exh_coverage *c = row(r, cap, s, d->cls, "");
      /* an existing but empty staging folder was examined */
      if (s < nsrv && !strcmp(d->cls, "staging_files") && srv[s].staging_dirs) c->present = 1;
    }
    for (size_t k = 0; k < NCHANNELS; k++) (void)row(r, cap, s, "windows_events", channels[k]);
  }
  if (r->ncoverage > 1) qsort(r->coverage, r->ncoverage, sizeof *r->coverage, cmp_cov);
}

/* ---- campaigns ------------------------------------------------------------ */

typedef struct campaign_def {
  const char *name;
  int y, m, d;       /* first known exploitation in the wild */
  int fy, fm, fd;    /* release of the security update that fixes the last of its CVEs */
  const char *cves[4];
  const char *source;
} campaign_def;

/* Dates: ProxyLogon, Volexity and Microsoft (exploitation from the first
 * days of January 2021; March 2, 2021 SU); ProxyShell, exploitation after
 * the Black Hat talk of August 5, 2021 (fixed by the April and May 2021
 * SUs); ProxyNotShell, GTSC's report of attacks from August 2022 (November
 * 8, 2022 SU); OWASSRF, CrowdStrike's and Rackspace's intrusions of
 * November-December 2022 (the same SU). docs/coverage.md keeps the
 * sources. */
static const campaign_def campaigns[] = {
    {"ProxyLogon", 2021, 1, 3, 2021, 3, 2,
     {"CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"}, "Volexity, Microsoft"},
    {"ProxyShell", 2021, 8, 5, 2021, 5, 11, {"CVE-2021-34473", "CVE-2021-34523", "CVE-2021-31207", NULL}, ""},
    {"ProxyNotShell", 2022, 8, 1, 2022, 11, 8, {"CVE-2022-41040", "CVE-2022-41082", NULL, NULL}, "GTSC"},
    {"OWASSRF", 2022, 11, 1, 2022, 11, 8, {"CVE-2022-41080", "CVE-2022-41082", NULL, NULL}, "CrowdStrike"},
};
#define NCAMPAIGNS (sizeof campaigns / sizeof campaigns[0])

const char *exh_campaign_state_name(exh_campaign_state s) {
  switch (s) {
  case EXH_CAMPAIGN_COMPROMISED: return "compromised";
  case EXH_CAMPAIGN_ATTEMPTED: return "attempted";
  case EXH_CAMPAIGN_NO_TRACE: return "no trace";
  case EXH_CAMPAIGN_NO_TRACE_ON_DISK: return "no trace on disk";
  case EXH_CAMPAIGN_CANNOT_TELL: return "cannot tell";
  }
  return "?";
}

static int64_t day_ms(int y, int m, int d) { return exh__days_from_civil(y, (unsigned)m, (unsigned)d) * 86400000LL; }

static int names_cve(const exh_rule_info *ri, const campaign_def *c) {
  for (size_t i = 0; ri && i < ri->ncves; i++)
    for (size_t k = 0; k < 4 && c->cves[k]; k++)
      if (!strcmp(ri->cves[i], c->cves[k])) return 1;
  return 0;
}

const char *exh__campaign_name(size_t k) { return k < NCAMPAIGNS ? campaigns[k].name : NULL; }

int64_t exh__campaign_fixed_ms(const char *campaign) {
  for (size_t k = 0; campaign && k < NCAMPAIGNS; k++)
    if (!strcmp(campaigns[k].name, campaign)) return day_ms(campaigns[k].fy, campaigns[k].fm, campaigns[k].fd);
  return EXH_TIME_UNKNOWN;
}

int exh__campaign_has_cve(size_t k, const char *cve) {
  for (size_t j = 0; k < NCAMPAIGNS && j < 4 && campaigns[k].cves[j]; j++)
    if (!strcmp(campaigns[k].cves[j], cve)) return 1;
  return 0;
}

/* The campaigns naming a CVE, as bits. */
static unsigned cve_campaigns(const char *cve) {
  unsigned m = 0;
  for (size_t k = 0; k < NCAMPAIGNS; k++)
    if (exh__campaign_has_cve(k, cve)) m |= 1u << k;
  return m;
}

/* The campaigns with a finding (low or above) on this server that names a
 * CVE only they have (CVE-2022-41040: ProxyNotShell; CVE-2022-41080:
 * OWASSRF), as bits. */
unsigned exh__campaign_context(const exh_result *r, size_t server) {
  unsigned ctx = 0;
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    if (f->server != server || f->level < EXH_LEVEL_LOW) continue;
    for (size_t c = 0; c < exh_finding_ncves(f); c++) {
      unsigned m = cve_campaigns(exh_finding_cve(f, c));
      if (m && !(m & (m - 1))) ctx |= m;
    }
  }
  return ctx;
}

/* Whether a finding belongs to a campaign: it names one of the campaign's
 * CVEs, and either one that no other campaign shares or none of another
 * campaign's (an OWASSRF finding, CVE-2022-41080 + -41082, is not
 * ProxyNotShell's). A finding naming only CVEs that campaigns share
 * (CVE-2022-41082 alone: the back end's /powershell reached) counts for
 * those of them that have a finding of their own CVEs on the server (ctx),
 * and when none has, for the campaign the patch table lists the CVE under
 * (ProxyNotShell): never for two campaigns on a guess. The finding's own
 * CVEs are read: a relabelled finding counts for its new campaign
 * (correlate/labels.c). */
int exh__finding_in_campaign(const exh_finding *f, size_t k, unsigned ctx) {
  size_t n = exh_finding_ncves(f);
  unsigned me = 1u << k, shared_by = 0;
  int named = 0, unique = 0, foreign = 0;
  const char *first_shared = NULL;
  for (size_t i = 0; i < n; i++) {
    const char *cve = exh_finding_cve(f, i);
    unsigned m = cve_campaigns(cve);
    int mine = (m & me) != 0, others = (m & ~me) != 0;
    if (mine) named = 1;
    if (mine && !others) unique = 1;
    if (!mine && others) foreign = 1;
    if (mine && others) {
      shared_by |= m;
      if (!first_shared) first_shared = cve;
    }
  }
  if (!named || foreign) return 0;
  if (unique) return 1;
  if (shared_by & ctx) return (ctx & me) != 0;
  const char *home = first_shared ? exh__build_cve_campaign(first_shared) : NULL;
  return home && !strcmp(home, campaigns[k].name);
}

/* The server's patch state for a campaign: vulnerable if any of its CVEs
 * is, fixed if all are, else unknown. */
static exh_patch patch_state(const exh_server *sv, const campaign_def *c) {
  int any = 0, fixed = 0;
  for (size_t i = 0; i < sv->ncves; i++) {
    if (strcmp(sv->cves[i].campaign, c->name)) continue;
    any++;
    if (sv->cves[i].status == EXH_PATCH_VULNERABLE) return EXH_PATCH_VULNERABLE;
    if (sv->cves[i].status == EXH_PATCH_FIXED) fixed++;
  }
  return any && fixed == any ? EXH_PATCH_FIXED : EXH_PATCH_UNKNOWN;
}

static void view(exh_result *r, size_t s, const exh_ruleset *rs, const campaign_def *c, exh_campaign *v) {
  const exh_server *sv = &r->servers[s];
  memset(v, 0, sizeof *v);
  v->campaign = c->name;
  v->covered_first_ms = v->covered_last_ms = EXH_TIME_UNKNOWN;
  for (size_t i = 0; i < exh_ruleset_count(rs); i++) v->nrules += names_cve(exh_ruleset_rule(rs, i), c);
  size_t hi = 0, lo = 0;
  int64_t first_hit = EXH_TIME_UNKNOWN;
  unsigned ctx = exh__campaign_context(r, s);
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    if (f->server != s || f->level < EXH_LEVEL_LOW || !exh__finding_in_campaign(f, (size_t)(c - campaigns), ctx)) continue;
    if (f->level >= EXH_LEVEL_HIGH) hi++;
    else lo++;
    if (f->time_ms != EXH_TIME_UNKNOWN && (first_hit == EXH_TIME_UNKNOWN || f->time_ms < first_hit)) first_hit = f->time_ms;
  }
  char t[32];
  exh__format_iso8601(first_hit, t);
  if (hi || lo) {
    v->state = hi ? EXH_CAMPAIGN_COMPROMISED : EXH_CAMPAIGN_ATTEMPTED;
    v->why = exh__xasprintf("%zu finding%s naming its CVEs (first %s)", hi + lo, hi + lo == 1 ? "" : "s", t);
    return;
  }
  /* exposure */
  v->exposure_first_ms = day_ms(c->y, c->m, c->d);
  exh_patch ps = patch_state(sv, c);
  const char *pw = ps == EXH_PATCH_VULNERABLE ? "the build is vulnerable"
                   : ps == EXH_PATCH_FIXED    ? "the build is patched"
                                              : "the build is unknown";
  if (ps == EXH_PATCH_FIXED) {
    int64_t end = day_ms(c->fy, c->fm, c->fd);
    for (size_t i = 0; i < sv->nbuilds_seen; i++) {
      const exh_build_seen *b = &sv->builds_seen[i];
      int vuln = 0;
      for (size_t k = 0; k < 4 && c->cves[k]; k++) vuln |= exh__build_cve_status(c->cves[k], b->build) == EXH_PATCH_VULNERABLE;
      if (vuln && b->last_ms != EXH_TIME_UNKNOWN && b->last_ms > end) end = b->last_ms;
    }
    v->exposure_last_ms = end;
  } else {
    /* exposed until the evidence was collected: its latest record (the
     * scan's own time when nothing is dated) */
    v->exposure_last_ms = EXH_TIME_UNKNOWN;
    for (size_t i = 0; i < r->ncoverage; i++)
      if (r->coverage[i].server == s && r->coverage[i].present && r->coverage[i].last_ms != EXH_TIME_UNKNOWN &&
          r->coverage[i].last_ms > v->exposure_last_ms)
        v->exposure_last_ms = r->coverage[i].last_ms;
    if (v->exposure_last_ms == EXH_TIME_UNKNOWN) v->exposure_last_ms = r->scan_start_ms;
  }
  int64_t newest = EXH_TIME_UNKNOWN; /* the newest record read */
  for (size_t i = 0; i < r->ncoverage; i++)
    if (r->coverage[i].server == s && r->coverage[i].present && r->coverage[i].last_ms != EXH_TIME_UNKNOWN &&
        r->coverage[i].last_ms > newest)
      newest = r->coverage[i].last_ms;
  /* the newest evidence predates the campaign (or the log's end is all we
   * know): the logs cannot show it, only what it would have left on disk */
  int before = v->exposure_last_ms < v->exposure_first_ms;
  /* the web logs' part of it */
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *cv = &r->coverage[i];
    if (cv->server != s || !cv->present || cv->rules == 0 || (strcmp(cv->cls, "httpproxy") && strcmp(cv->cls, "iis")))
      continue;
    if (cv->first_ms == EXH_TIME_UNKNOWN || cv->last_ms == EXH_TIME_UNKNOWN) continue;
    int64_t a = cv->first_ms > v->exposure_first_ms ? cv->first_ms : v->exposure_first_ms;
    int64_t b = cv->last_ms < v->exposure_last_ms ? cv->last_ms : v->exposure_last_ms;
    if (a > b) continue;
    if (v->covered_first_ms == EXH_TIME_UNKNOWN || a < v->covered_first_ms) v->covered_first_ms = a;
    if (v->covered_last_ms == EXH_TIME_UNKNOWN || b > v->covered_last_ms) v->covered_last_ms = b;
  }
  size_t yara = 0;
  exh_ruleset_content_counts(rs, &yara, NULL, NULL);
  /* the web roots read and not collected, and the web shells found */
  exh_buf read = {0}, missing = {0}, shells = {0};
  size_t nread = 0, nmissing = 0, nshells = 0;
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *cv = &r->coverage[i];
    if (cv->server != s || strcmp(cv->cls, "web_files")) continue;
    int expected = 0;
    for (size_t w = 0; w < 3; w++) expected |= !strcasecmp(cv->item, exh__web_roots[w]);
    if (cv->present) exh__buf_printf(&read, "%s%s", nread++ ? ", " : "", cv->item[0] ? cv->item : "web folders");
    else if (expected) exh__buf_printf(&missing, "%s%s", nmissing++ ? ", " : "", cv->item);
  }
  /* web shells (high or critical file findings in a web root) dated from
   * the campaign's first exploitation on, or undated: it may have
   * written them; older ones it cannot have */
  const char *shell1 = NULL;
  size_t nold = 0;
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    if (f->server != s || !f->is_file || f->level < EXH_LEVEL_HIGH || !f->path || exh__path_web_root(f->path) < 0) continue;
    int64_t when = f->time_ms != EXH_TIME_UNKNOWN ? f->time_ms : f->file_mtime_ms;
    if (when != EXH_TIME_UNKNOWN && when < v->exposure_first_ms) {
      nold++;
      continue;
    }
    if (!nshells++) shell1 = f->path;
  }
  if (nshells) exh__buf_printf(&shells, "%zu: %s%s", nshells, shell1, nshells > 1 ? ", ..." : "");
  /* "no web shell" is never said beside one (review item 18) */
  char none[96];
  if (nold)
    snprintf(none, sizeof none, "%zu web shell%s dated before its first exploitation,", nold,
             nold == 1 ? "," : "s, all");
  char a[32], b[32];
  exh__format_iso8601(v->exposure_first_ms, a);
  exh__format_iso8601(v->exposure_last_ms, b);
  if (v->nrules == 0) {
    v->state = EXH_CAMPAIGN_CANNOT_TELL;
    v->why = exh__xstrdup("no loaded rule names its CVEs");
  } else if (v->covered_first_ms != EXH_TIME_UNKNOWN) {
    char x[32], y[32];
    exh__format_iso8601(v->covered_first_ms, x);
    exh__format_iso8601(v->covered_last_ms, y);
    v->state = EXH_CAMPAIGN_NO_TRACE;
    v->why = exh__xasprintf("no trace in the web logs of %.10s..%.10s (%s; exposed from %.10s)", x, y, pw, a);
  } else {
    exh_buf o = {0};
    if (before && ps == EXH_PATCH_FIXED) {
      /* the exposure ends at the fix's release (or the last log naming a
       * vulnerable build): that is not evidence, say what it is */
      int64_t fix = day_ms(c->fy, c->fm, c->fd);
      char fx[32];
      exh__format_iso8601(v->exposure_last_ms, fx);
      exh__buf_printf(&o, "the build is patched; %s (%.10s) predates its first exploitation (%.10s)",
                      v->exposure_last_ms > fix ? "the last log naming a vulnerable build" : "its fix", fx, a);
      if (newest != EXH_TIME_UNKNOWN) {
        char nw[32];
        exh__format_iso8601(newest, nw);
        exh__buf_printf(&o, "; the newest evidence is of %.10s", nw);
      }
    } else if (before) {
      exh__buf_printf(&o, "the newest evidence (%.10s) predates its first exploitation (%.10s)", b, a);
    } else {
      exh__buf_printf(&o, "no web log (HttpProxy, IIS) covers its exposure %.10s..%.10s (%s)", a, b, pw);
    }
    if (nshells) {
      /* never "no web shell" beside one: its way in is not known */
      v->state = EXH_CAMPAIGN_CANNOT_TELL;
      exh__buf_printf(&o, "; web shells found (%s): this campaign cannot be ruled out as their way in", shells.p);
    } else if (nread && !nmissing && yara) {
      v->state = EXH_CAMPAIGN_NO_TRACE_ON_DISK;
      if (nold) exh__buf_printf(&o, "; %s in the web roots (%s)", none, read.p);
      else exh__buf_printf(&o, "; no web shell in the web roots (%s)", read.p);
    } else {
      v->state = EXH_CAMPAIGN_CANNOT_TELL;
      if (!nread) exh__buf_adds(&o, "; the web folders were not examined");
      else if (!yara) exh__buf_adds(&o, "; the web folders were checked without content rules");
      else exh__buf_printf(&o, "; %s in the web roots read (%s), but %s %s not collected", nold ? none : "no web shell",
                           read.p, missing.p, nmissing == 1 ? "was" : "were");
    }
    v->why = exh__buf_take(&o);
  }
  free(read.p);
  free(missing.p);
  free(shells.p);
}

/* ---- verdicts ------------------------------------------------------------- */

/* "2021-02-20..2021-03-20" or "undated". */
static void put_span(exh_buf *o, int64_t a, int64_t b) {
  if (a == EXH_TIME_UNKNOWN || b == EXH_TIME_UNKNOWN) {
    exh__buf_adds(o, "undated");
    return;
  }
  char x[32], y[32];
  exh__format_iso8601(a, x);
  exh__format_iso8601(b, y);
  exh__buf_printf(o, "%.10s..%.10s", x, y);
}

/* Files outside the checked folders left without content checks. */
static size_t unchecked(const exh_result *r, size_t s) {
  for (size_t i = 0; i < r->ncoverage; i++)
    if (r->coverage[i].server == s && !strcmp(r->coverage[i].cls, "unchecked_files")) return r->coverage[i].files;
  return 0;
}

/* The paragraph under the verdict: what was read (with spans), what was
 * absent, how many files could not be read. */
static char *limits_of(const exh_result *r, size_t s) {
  exh_buf o = {0};
  int64_t lf = EXH_TIME_UNKNOWN, ll = EXH_TIME_UNKNOWN;
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *c = &r->coverage[i];
    if (c->server != s || !c->present || !c->records || c->first_ms == EXH_TIME_UNKNOWN) continue;
    if (lf == EXH_TIME_UNKNOWN || c->first_ms < lf) lf = c->first_ms;
    if (ll == EXH_TIME_UNKNOWN || c->last_ms > ll) ll = c->last_ms;
  }
  exh__buf_adds(&o, "read: ");
  int n = 0;
  const char *last_cls = NULL;
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *c = &r->coverage[i];
    if (c->server != s || !c->present || !strcmp(c->cls, "unchecked_files")) continue;
    if (last_cls && !strcmp(last_cls, c->cls) && strcmp(c->cls, "windows_events")) continue; /* one entry per class */
    last_cls = c->cls;
    exh__buf_adds(&o, n++ ? ", " : "");
    if (!strcmp(c->cls, "windows_events")) exh__buf_adds(&o, c->label);
    else exh__buf_adds(&o, classes[class_index(c->cls)].label);
  }
  if (!n) exh__buf_adds(&o, "nothing");
  if (lf != EXH_TIME_UNKNOWN) {
    exh__buf_adds(&o, " (records ");
    put_span(&o, lf, ll);
    exh__buf_adds(&o, ")");
  }
  exh__buf_adds(&o, "; not found: ");
  n = 0;
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *c = &r->coverage[i];
    if (c->server != s || c->present) continue;
    exh__buf_adds(&o, n++ ? ", " : "");
    exh__buf_adds(&o, c->label);
  }
  if (!n) exh__buf_adds(&o, "nothing expected is missing");
  size_t bad = 0;
  for (size_t i = 0; i < r->nerrors; i++)
    if (r->errors[i].server == s && !r->errors[i].skipped) bad++;
  if (bad) exh__buf_printf(&o, "; %zu file%s not read in whole or in part (listed below)", bad, bad == 1 ? "" : "s");
  size_t other = unchecked(r, s);
  if (other)
    exh__buf_printf(&o, "; %zu other file%s outside the checked folders not content-checked (use --all-files)", other,
                    other == 1 ? "" : "s");
  return exh__buf_take(&o);
}

void exh__correlate_verdicts(exh_result *r, const exh_ruleset *rs) {
  for (size_t s = 0; s < r->nservers; s++) {
    exh_server *sv = &r->servers[s];
    sv->campaigns = exh__xcalloc(NCAMPAIGNS, sizeof *sv->campaigns);
    sv->ncampaigns = NCAMPAIGNS;
    for (size_t k = 0; k < NCAMPAIGNS; k++) view(r, s, rs, &campaigns[k], &sv->campaigns[k]);
    free(sv->limits);
    sv->limits = limits_of(r, s);
    if (sv->verdict == EXH_VERDICT_COMPROMISED || sv->verdict == EXH_VERDICT_SUSPICIOUS) continue;
    size_t examined = 0;
    for (size_t i = 0; i < r->ncoverage; i++) {
      const exh_coverage *c = &r->coverage[i];
      if (c->server == s && c->present && c->files > c->errors && strcmp(c->cls, "exsetup") &&
          strcmp(c->cls, "unchecked_files"))
        examined++;
    }
    exh_buf why = {0};
    if (sv->root_error) {
      sv->verdict = EXH_VERDICT_NOTHING_EXAMINED;
      exh__buf_printf(&why, "the path could not be read: %s", sv->root_error);
    } else if (!examined) {
      sv->verdict = EXH_VERDICT_NOTHING_EXAMINED;
      exh__buf_adds(&why, "no evidence exhunt reads was found or could be read below this path (Exchange or IIS logs, "
                         "Windows events, web or staging folders); see the files not read");
    } else {
      size_t nct = 0;
      for (size_t k = 0; k < sv->ncampaigns; k++) nct += sv->campaigns[k].state == EXH_CAMPAIGN_CANNOT_TELL;
      if (nct) {
        sv->verdict = EXH_VERDICT_CANNOT_TELL;
        exh__buf_adds(&why, "no finding, but the evidence cannot answer for ");
        size_t m = 0;
        for (size_t k = 0; k < sv->ncampaigns; k++)
          if (sv->campaigns[k].state == EXH_CAMPAIGN_CANNOT_TELL)
            exh__buf_printf(&why, "%s%s", m++ ? ", " : "", sv->campaigns[k].campaign);
        exh__buf_adds(&why, " (the campaigns below say why): collect the web logs covering the exposure or the web ");
        size_t m2 = 0;
        for (size_t i = 0; i < r->ncoverage; i++) {
          const exh_coverage *c = &r->coverage[i];
          if (c->server != s || c->present || strcmp(c->cls, "web_files")) continue;
          exh__buf_printf(&why, "%s%s", m2++ ? ", " : "roots not collected (", c->item);
        }
        exh__buf_adds(&why, m2 ? ")" : "folders");
      } else {
        sv->verdict = EXH_VERDICT_CLEAN;
        exh__buf_adds(&why, "no finding in the evidence read; each campaign's evidence is below");
        size_t other = unchecked(r, s);
        if (other)
          exh__buf_printf(&why, "; %zu other file%s not content-checked (use --all-files)", other,
                          other == 1 ? "" : "s");
      }
    }
    free(sv->reason);
    sv->reason = exh__buf_take(&why);
  }
}
