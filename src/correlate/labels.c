/* Correlation, stage zero: labels that agree with the evidence (issue 13
 * item 6; docs/rules.md, "Labels that agree with the evidence").
 *
 * 1. Who the client was (docs/rules.md, "Clients, proxies and hops"). The
 *    scanned servers' addresses are learned from the logs, each with its
 *    server: the s-ip of each IIS log's first record (scan/), the server
 *    side of each finding's record (s-ip; HttpProxy's ServerHostName);
 *    loopback is always the server itself. The clients of back-end lines
 *    (s-port 444: only a front end calls the back end) are Exchange front
 *    ends. A finding's client that is the server itself, or another
 *    scanned server or a front end on a back-end line or a line with
 *    X-Forwarded-For, or an internal address on a line with
 *    X-Forwarded-For (a load balancer), is a hop: the finding keeps its
 *    level and its place in the verdict, the address moves to hop_ip and
 *    the client becomes the one X-Forwarded-For names (the rightmost entry
 *    that is not a trusted proxy), or none. Another scanned server or a
 *    front end requesting the front-end site is lateral movement: the
 *    client stays, labelled (addr_note). The story, the actors and the
 *    reports never show a server, a front end or a balancer as the
 *    attacker when the record names the client.
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
#include <arpa/inet.h>
#include <stdint.h>
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

/* An address of an internal network: RFC 1918 (10/8, 172.16/12,
 * 192.168/16), loopback (127/8, ::1), link-local (169.254/16, fe80::/10),
 * unique local (RFC 4193, fc00::/7), IPv4-mapped forms of those. Text that
 * is not an address is not private. */
static int is_private(const char *ip) {
  if (is_loopback(ip)) return 1;
  unsigned char a[16];
  if (inet_pton(AF_INET, ip, a) == 1) {
  v4:
    return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
           (a[0] == 169 && a[1] == 254);
  }
  if (inet_pton(AF_INET6, ip, a) != 1) return 0;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (!memcmp(a, mapped, 12)) {
    memmove(a, a + 12, 4);
    goto v4;
  }
  return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

static int is_address(const char *ip) {
  unsigned char a[16];
  return inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1;
}

/* The addresses the scan knows: each scanned server's (with the server),
 * and the clients of back-end lines (front ends of some Exchange server). */
typedef struct addrset {
  char **v;
  size_t *server; /* the scanned server the address is one of, or SIZE_MAX */
  size_t n, cap;
} addrset;

static int in_set(const addrset *s, const char *ip, size_t server) {
  for (size_t i = 0; i < s->n; i++)
    if ((server == SIZE_MAX || s->server[i] == server) && !strcasecmp(s->v[i], ip)) return 1;
  return 0;
}

static void add_set(addrset *s, const char *ip, size_t server) {
  if (!ip || !ip[0] || in_set(s, ip, server) || s->n >= 2 * EXH_MAX_OWN_ADDRESSES) return;
  size_t had = s->cap;
  EXH_VEC_RESERVE(s->v, s->cap, s->n + 1);
  if (s->cap != had) s->server = exh__xrealloc(s->server, s->cap * sizeof *s->server);
  s->server[s->n] = server;
  s->v[s->n++] = exh__xstrdup(ip);
}

/* The first scanned server other than `server` whose address `ip` is, or
 * SIZE_MAX. */
static size_t other_server(const addrset *servers, const char *ip, size_t server) {
  for (size_t i = 0; i < servers->n; i++)
    if (servers->server[i] != server && !strcasecmp(servers->v[i], ip)) return servers->server[i];
  return SIZE_MAX;
}

/* A proxy exhunt trusts to have appended the address before it to
 * X-Forwarded-For: the scan's servers, their front ends, internal
 * addresses. */
static int trusted_proxy(const addrset *servers, const addrset *frontends, const char *ip) {
  return is_private(ip) || in_set(servers, ip, SIZE_MAX) || in_set(frontends, ip, SIZE_MAX);
}

/* How much of a record's X-Forwarded-For the log reader keeps
 * (formats/logs/scan_logs.c, dup_col). */
#define XFF_KEPT 256

/* One X-Forwarded-For entry as an address: brackets and a port dropped. */
static char *xff_entry(const char *p, const char *e) {
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
  char *zone = strchr(a, '%'); /* fe80::1%eth0 */
  if (zone) *zone = 0;
  return a;
}

/* The original client an X-Forwarded-For value ("a, b"; IIS writes the
 * space as '+') names, as a reverse proxy's "real IP" does (nginx
 * real_ip_recursive): each proxy appends the address it received the
 * request from, so only the right end was written by proxies; the leftmost
 * is whatever the client sent. Walking from the right, trusted proxies are
 * skipped (trusted_proxy); the first other entry is the client. When every
 * entry is a trusted proxy (an internal client), the leftmost that is not
 * a scanned server's own address. Entries that are not addresses
 * ("unknown", host names) are skipped. NULL when there is none. */
static char *forwarded_client(const addrset *servers, const addrset *frontends, const char *xff) {
  enum { KEEP = 64 }; /* the rightmost entries: those the proxies wrote */
  const char *b[KEEP], *e[KEEP];
  size_t n = 0;
  for (const char *p = xff; *p;) {
    while (*p == ',' || *p == ' ' || *p == '+') p++;
    const char *q = p;
    while (*q && *q != ',' && *q != ' ' && *q != '+') q++;
    if (q > p) {
      b[n % KEEP] = p;
      e[n % KEEP] = q;
      n++;
    }
    p = q;
  }
  char *leftmost = NULL;
  for (size_t k = n; k-- > (n > KEEP ? n - KEEP : 0);) {
    char *a = xff_entry(b[k % KEEP], e[k % KEEP]);
    if (!is_address(a)) { /* "unknown", a host name, garbage: not a client */
      free(a);
      continue;
    }
    if (!trusted_proxy(servers, frontends, a)) {
      free(leftmost);
      return a;
    }
    if (!is_loopback(a) && !in_set(servers, a, SIZE_MAX) && !in_set(frontends, a, SIZE_MAX)) {
      free(leftmost);
      leftmost = a;
    } else free(a);
  }
  return leftmost;
}

/* Who the client of each request finding is (docs/rules.md, "Clients,
 * proxies and hops"): the address the log names, or, through a hop (the
 * server itself, a front end calling a back end, an internal proxy), the
 * client X-Forwarded-For names. */
static void attribute(exh_result *r) {
  addrset servers = {0}, frontends = {0};
  for (size_t i = 0; i < r->nown_addrs; i++) add_set(&servers, r->own_addrs[i], r->own_addr_servers[i]);
  for (size_t i = 0; i < r->nfindings; i++) add_set(&servers, r->findings[i].server_ip, r->findings[i].server);
  for (size_t i = 0; i < r->nfindings; i++) {
    const exh_finding *f = &r->findings[i];
    if (f->server_port == 444 && f->source_ip && !in_set(&servers, f->source_ip, SIZE_MAX))
      add_set(&frontends, f->source_ip, SIZE_MAX);
  }
  for (size_t i = 0; i < r->nfindings; i++) {
    exh_finding *f = &r->findings[i];
    if (!f->source_ip) continue;
    const char *a = f->source_ip;
    int back_end = f->server_port == 444; /* only a front end calls the back end */
    size_t other = other_server(&servers, a, f->server);
    int self = is_loopback(a) || in_set(&servers, a, f->server);
    /* the client the line's X-Forwarded-For names, if any; a value as long
     * as the log reader keeps (formats/logs: its first 256 characters) may
     * have lost its right end, the entries the proxies appended: it names
     * no client exhunt can trust */
    char *fwd = f->forwarded_for && strlen(f->forwarded_for) < XFF_KEPT
                    ? forwarded_client(&servers, &frontends, f->forwarded_for)
                    : NULL;
    char *note = NULL;
    int hop;
    if (self) hop = 1;
    else if (other != SIZE_MAX) { /* another scanned server: its front end, or lateral movement */
      const char *name = other < r->nservers && r->servers[other].name ? r->servers[other].name : "?";
      note = exh__xasprintf("%s, another scanned server", name);
      hop = back_end || fwd;
    } else if (in_set(&frontends, a, SIZE_MAX)) {
      note = exh__xstrdup("an Exchange front end: it calls back ends on port 444");
      hop = back_end || fwd;
    } else if (fwd && is_private(a)) { /* a load balancer, a reverse proxy */
      note = exh__xstrdup("an internal proxy");
      hop = 1;
    } else hop = 0;
    if (!hop && !note && f->forwarded_for && strlen(f->forwarded_for) >= XFF_KEPT)
      note = exh__xstrdup("its X-Forwarded-For is cut (longer than 256 characters): the entries the "
                          "proxies appended are lost");
    else if (!hop && !note && f->forwarded_for) /* a public address: its X-Forwarded-For is its own claim */
      note = exh__xasprintf("it sent X-Forwarded-For: %s", f->forwarded_for);
    f->addr_note = note;
    if (!hop) {
      free(fwd);
      continue;
    }
    f->hop_ip = f->source_ip;
    f->source_ip = fwd;
  }
  for (size_t i = 0; i < servers.n; i++) free(servers.v[i]);
  for (size_t i = 0; i < frontends.n; i++) free(frontends.v[i]);
  free(servers.v);
  free(servers.server);
  free(frontends.v);
  free(frontends.server);
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
