/* Correlation, stage zero: labels that agree with the evidence (issue 13
 * item 6; docs/rules.md, "Labels that agree with the evidence").
 *
 * 1. The server's own addresses are not attackers. The addresses of the
 *    scanned servers are learned from the logs: the s-ip of each IIS log's
 *    first record (scan/), the server side of each finding's record (s-ip;
 *    HttpProxy's ServerHostName), and the
 *    client of every back-end line (s-port 444: only the front end calls the
 *    back end), over every server of the scan (Exchange servers of one
 *    organisation proxy to each other); loopback (127.0.0.0/8, ::1,
 *    ::ffff:127.x, "localhost") always. A finding whose client is one of
 *    them keeps its level and its place in the verdict, but the address
 *    moves to hop_ip and the client becomes the original one when the
 *    record carries it (X-Forwarded-For: its first address that is not the
 *    server's own), or none: the story, the actors and the reports never
 *    show the server as its own attacker.
 *
 * 2. A ProxyShell-shaped request against a build patched for ProxyShell.
 *    ProxyShell (CVE-2021-34473/-34523/-31207) needs no credentials; its
 *    fixes (April and May 2021) close the path confusion for anonymous
 *    requests. The same autodiscover.json + '@' + back-end shape sent by an
 *    authenticated user is ProxyNotShell (CVE-2022-41040 SSRF, then
 *    CVE-2022-41082 through /powershell), which those builds are still
 *    open to. So a request finding naming ProxyShell's CVEs, on a server
 *    whose build exhunt reports as patched for them at the time of the
 *    request (the installed build is fixed and no Exchange log names a
 *    vulnerable build at or after the request's time), is:
 *      - authenticated (a user name in the record): labelled
 *        CVE-2022-41040/-41082, level kept;
 *      - anonymous: an attempt that could not work, level capped at medium,
 *        ProxyShell's CVEs kept.
 *    The message says which and why. With the build unknown or vulnerable
 *    nothing changes.
 *
 * 3. Any other request finding whose CVEs are all ones the server's build
 *    was patched for at the request's time (the same test: the installed
 *    build is fixed and no Exchange log names a vulnerable build at or
 *    after the request; and the request is dated after the fix's release): ProxyLogon's shapes on a 2022 build, say. The
 *    CVE labels are dropped (no campaign claims it); the level is kept
 *    when the request succeeded (2xx) or its status is unknown (a web
 *    shell's use by antSword is a compromise whatever the way in), else
 *    capped at medium (a blocked attempt). The message says why. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../checks/checks.h"
#include "correlate.h"
#include "../util/util.h"

/* ---- addresses -------------------------------------------------------------- */

static int is_loopback(const char *ip) {
  if (!strncmp(ip, "::ffff:", 7)) ip += 7;
  if (!strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strcmp(ip, "[::1]") || !strcmp(ip, "0:0:0:0:0:0:0:1"))
    return 1;
  return !strcasecmp(ip, "localhost");
}

typedef struct addrset {
  char **v;
  size_t n, cap;
} addrset;

static int in_set(const addrset *s, const char *ip) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcasecmp(s->v[i], ip)) return 1;
  return 0;
}

static void add_set(addrset *s, const char *ip) {
  if (!ip || !ip[0] || in_set(s, ip) || s->n >= EXH_MAX_OWN_ADDRESSES) return;
  EXH_VEC_RESERVE(s->v, s->cap, s->n + 1);
  s->v[s->n++] = exh__xstrdup(ip);
}

static int is_own(const addrset *s, const char *ip) { return is_loopback(ip) || in_set(s, ip); }

/* The first address of an X-Forwarded-For value ("a, b", IIS writes the
 * space as '+') that is not the server's own; a port or brackets are
 * dropped. NULL when there is none. */
static char *forwarded_client(const addrset *own, const char *xff) {
  const char *p = xff;
  while (*p) {
    while (*p == ',' || *p == ' ' || *p == '+') p++;
    const char *e = p;
    while (*e && *e != ',' && *e != ' ' && *e != '+') e++;
    if (e > p) {
      char *a = exh__xstrndup(p, (size_t)(e - p));
      if (a[0] == '[') { /* [v6]:port */
        char *close = strchr(a, ']');
        if (close) {
          *close = 0;
          memmove(a, a + 1, strlen(a + 1) + 1);
        }
      } else if (strchr(a, ':') == strrchr(a, ':') && strchr(a, ':')) { /* v4:port */
        *strchr(a, ':') = 0;
      }
      if (a[0] && !is_own(own, a) && strcasecmp(a, "unknown")) return a;
      free(a);
    }
    p = e;
  }
  return NULL;
}

static void attribute(exh_result *r) {
  addrset own = {0};
  for (size_t i = 0; i < r->nown_addrs; i++) add_set(&own, r->own_addrs[i]);
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    add_set(&own, f->server_ip);
    if (f->server_port == 444 && f->source_ip) add_set(&own, f->source_ip);
  }
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *f = &r->findings[i];
    if (!f->source_ip || !is_own(&own, f->source_ip)) continue;
    f->hop_ip = f->source_ip;
    f->source_ip = f->forwarded_for ? forwarded_client(&own, f->forwarded_for) : NULL;
  }
  for (size_t i = 0; i < own.n; i++) free(own.v[i]);
  free(own.v);
}

/* ---- ProxyShell shapes on builds patched for ProxyShell ---------------------- */

static const char *const proxynotshell_cves[] = {"CVE-2022-41040", "CVE-2022-41082"};

static int is_proxyshell_cve(const char *cve) {
  const char *c = exh__build_cve_campaign(cve);
  return c && !strcmp(c, "ProxyShell");
}

/* Patched for every ProxyShell CVE the finding names, at the finding's time. */
static int patched_then(const exh_server *sv, const exh_finding *f, const char **build) {
  if (!sv->build) return 0;
  size_t nps = 0;
  for (size_t k = 0; k < f->rule->ncves; k++) {
    const char *cve = f->rule->cves[k];
    if (!is_proxyshell_cve(cve)) continue;
    nps++;
    if (exh__build_cve_status(cve, sv->build) != EXH_PATCH_FIXED) return 0;
    for (size_t b = 0; b < sv->nbuilds_seen; b++) {
      const exh_build_seen *bs = &sv->builds_seen[b];
      if (exh__build_cve_status(cve, bs->build) != EXH_PATCH_VULNERABLE) continue;
      /* a log written by a vulnerable build at or after the request (or a
       * request of unknown time): the server may not have been patched then */
      if (f->time_ms == EXH_TIME_UNKNOWN || bs->last_ms == EXH_TIME_UNKNOWN || bs->last_ms >= f->time_ms) return 0;
    }
  }
  *build = sv->build;
  return nps > 0;
}

static int authenticated(const exh_finding *f) {
  return f->user_name && f->user_name[0] && strcmp(f->user_name, "-") && strcasecmp(f->user_name, "anonymous");
}

static void relabel(exh_result *r) {
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *f = &r->findings[i];
    if (f->is_file || !f->url || f->cves || f->server >= r->nservers) continue;
    const char *build = NULL;
    if (!patched_then(&r->servers[f->server], f, &build)) continue;
    char *m;
    if (authenticated(f)) {
      f->cves = proxynotshell_cves;
      f->ncves = sizeof proxynotshell_cves / sizeof proxynotshell_cves[0];
      m = exh__xasprintf("%s [ProxyNotShell, CVE-2022-41040/-41082: a ProxyShell-shaped request by an "
                         "authenticated user on build %s, patched for ProxyShell]",
                         f->message ? f->message : f->rule->title, build);
    } else {
      if (f->level > EXH_LEVEL_MEDIUM) f->level = EXH_LEVEL_MEDIUM;
      m = exh__xasprintf("%s [attempt: build %s was patched for ProxyShell and the request is not "
                         "authenticated]",
                         f->message ? f->message : f->rule->title, build);
    }
    free(f->message);
    f->message = m;
  }
}

/* The build was fixed for `cve` at the finding's time: a request of
 * unknown time, or from before the fix's release, could not meet it. */
static int fixed_then(const exh_server *sv, const exh_finding *f, const char *cve) {
  if (!sv->build || exh__build_cve_status(cve, sv->build) != EXH_PATCH_FIXED) return 0;
  int64_t fix = exh__campaign_fixed_ms(exh__build_cve_campaign(cve));
  if (f->time_ms == EXH_TIME_UNKNOWN || fix == EXH_TIME_UNKNOWN || f->time_ms < fix) return 0;
  for (size_t b = 0; b < sv->nbuilds_seen; b++) {
    const exh_build_seen *bs = &sv->builds_seen[b];
    if (exh__build_cve_status(cve, bs->build) != EXH_PATCH_VULNERABLE) continue;
    if (f->time_ms == EXH_TIME_UNKNOWN || bs->last_ms == EXH_TIME_UNKNOWN || bs->last_ms >= f->time_ms) return 0;
  }
  return 1;
}

static const char *const no_cves[1] = {NULL};

static void unlabel_patched(exh_result *r) {
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *f = &r->findings[i];
    if (f->is_file || !f->url || f->server >= r->nservers) continue;
    size_t n = exh_finding_ncves(f);
    if (!n) continue;
    const exh_server *sv = &r->servers[f->server];
    int ps = 0; /* ProxyShell's shapes: relabel() above decided */
    for (size_t k = 0; k < n; k++) ps |= is_proxyshell_cve(exh_finding_cve(f, k));
    if (ps) continue;
    size_t k = 0;
    while (k < n && exh__build_cve_campaign(exh_finding_cve(f, k)) && fixed_then(sv, f, exh_finding_cve(f, k))) k++;
    if (k < n) continue;
    const char *camp = exh__build_cve_campaign(exh_finding_cve(f, 0));
    char *m = exh__xasprintf("%s [not %s: build %s was patched for %s at the request's time%s]",
                             f->message ? f->message : f->rule->title, camp, sv->build,
                             n == 1 ? exh_finding_cve(f, 0) : "its CVEs",
                             f->http_status && (f->http_status < 200 || f->http_status > 299)
                                 ? "; the request failed: an attempt"
                                 : "");
    if (f->http_status && (f->http_status < 200 || f->http_status > 299) && f->level > EXH_LEVEL_MEDIUM)
      f->level = EXH_LEVEL_MEDIUM;
    f->cves = no_cves;
    f->ncves = 0;
    free(f->message);
    f->message = m;
  }
}

void exh__correlate_labels(exh_result *r) {
  attribute(r);
  relabel(r);
  unlabel_patched(r);
}
