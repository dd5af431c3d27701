/* The logs format (format.h): Exchange's CSV logs (HttpProxy per protocol,
 * ECP Server and Activity, the OAB generator, any other log under Logging)
 * and IIS's W3C logs (W3SVC sites, HTTPERR), recognised by path and by the
 * directive block at their top, read by scan_logs.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/util.h"
#include "exlog.h"
#include "logs.h"

static int is_w3svc(exh_str s) {
  if (s.n < 6 || !exh__strnieq(s.p, "w3svc", 5)) return 0;
  for (size_t i = 5; i < s.n; i++)
    if (s.p[i] < '0' || s.p[i] > '9') return 0;
  return 1;
}

static exh_kind by_path(const exh_path *cs, char *sub, size_t subn) {
  if (cs->n == 0) return EXH_KIND_NONE;
  exh_str name = cs->c[cs->n - 1];
  /* IIS: .../W3SVC<n>/NAME.log and .../HTTPERR/NAME.log */
  if (cs->n >= 2 && exh__path_ends(name, ".log")) {
    exh_str dir = cs->c[cs->n - 2];
    if (is_w3svc(dir)) {
      if (subn) snprintf(sub, subn, "%.*s", (int)dir.n, dir.p);
      return EXH_KIND_IIS;
    }
    if (exh__path_ieq(dir, "httperr")) return EXH_KIND_HTTPERR;
  }
  /* Exchange logs: a "Logging" component anywhere. */
  for (size_t i = 0; i + 1 < cs->n; i++) {
    if (!exh__path_ieq(cs->c[i], "logging")) continue;
    exh_str a = cs->c[i + 1];
    size_t left = cs->n - (i + 1); /* components after "Logging" */
    if (exh__path_ieq(a, "oabgeneratorlog") && left >= 2) return EXH_KIND_OABGEN;
    if (!exh__path_ends(name, ".log")) continue;
    if (exh__path_ieq(a, "httpproxy") && left >= 2) {
      /* Test-ProxyLogon reads every .log below HttpProxy, folder or not */
      exh_str proto = left >= 3 ? cs->c[i + 2] : (exh_str){"", 0};
      if (subn) snprintf(sub, subn, "%.*s", (int)proto.n, proto.p);
      return EXH_KIND_HTTPPROXY;
    }
    if (exh__path_ieq(a, "ecp") && left >= 3) {
      if (exh__path_ieq(cs->c[i + 2], "server")) return EXH_KIND_ECP_SERVER;
      if (exh__path_ieq(cs->c[i + 2], "activity")) return EXH_KIND_ECP_ACTIVITY;
    }
    return EXH_KIND_EXLOG_OTHER;
  }
  return EXH_KIND_NONE;
}

/* A bare CSV header line as Exchange writes it on line 1 of its logs
 * ("DateTime,RequestId,..."): names of letters, digits and - _ . ( )
 * separated by commas. Not a JSON event, not a sentence. */
static int bare_csv_header(exh_str l) {
  if (l.n < 3 || !((l.p[0] | 32) >= 'a' && (l.p[0] | 32) <= 'z')) return 0;
  size_t commas = 0;
  for (size_t i = 0; i < l.n; i++) {
    unsigned char c = (unsigned char)l.p[i];
    if (c == ',') commas++;
    else if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && !strchr("-_.() ", c)) return 0;
  }
  return commas > 0;
}

/* W3C logs (IIS, HTTPERR) start with their directives; Exchange logs with
 * their directives too, after an optional bare CSV header line. The
 * "#Software:" line counts only inside that leading block of "#" lines, so
 * a file that merely quotes one (a JSON event, a note) is not a log. */
static exh_kind by_head(const unsigned char *head, size_t n) {
  size_t bom;
  int u16 = exh__utf16_sniff(head, n, &bom);
  if (u16) { /* a UTF-16 log: its head as UTF-8 (scan_logs.c decodes the rest) */
    char *u = exh__xmalloc((n - bom) / 2 * 3 + 1);
    size_t used;
    uint64_t bad = 0;
    size_t un = exh__utf16_to_utf8(head + bom, n - bom, u16 == 2, 1, u, &used, &bad);
    exh_kind k = exh__utf16_sniff((const unsigned char *)u, un, &bom) ? EXH_KIND_NONE : by_head((const unsigned char *)u, un);
    free(u);
    return k;
  }
  const char *buf = (const char *)head;
  size_t pos = 0;
  if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) pos = 3;
  exh_str sw = {NULL, 0}, lt = {NULL, 0};
  int bare = 0;
  for (size_t lineno = 1; pos < n; lineno++) {
    const char *e = memchr(buf + pos, '\n', n - pos);
    exh_str l = {buf + pos, (e ? (size_t)(e - buf) : n) - pos};
    if (l.n && l.p[l.n - 1] == '\r') l.n--;
    if (l.n && l.p[0] == '#') {
      if (!sw.p && exh__str_istarts(l, "#Software:")) sw = l;
      else if (!lt.p && exh__str_istarts(l, "#Log-type:")) lt = l;
    } else if (lineno == 1 && bare_csv_header(l)) {
      bare = 1;
    } else {
      break; /* the first record, or not a log at all */
    }
    if (!e) break;
    pos = (size_t)(e - buf) + 1;
  }
  if (!sw.p) return EXH_KIND_NONE;
  /* IIS and HTTP.sys write no bare header line */
  if (!bare && exh__memimem(sw.p, sw.n, "Internet Information Services", 29)) return EXH_KIND_IIS;
  if (!bare && exh__memimem(sw.p, sw.n, "Microsoft HTTP API", 18)) return EXH_KIND_HTTPERR;
  if (!exh__memimem(sw.p, sw.n, "Microsoft Exchange", 18)) return EXH_KIND_NONE;
  if (lt.p) {
    if (exh__memimem(lt.p, lt.n, "HttpProxy", 9)) return EXH_KIND_HTTPPROXY;
    if (exh__memimem(lt.p, lt.n, "ECP Server", 10)) return EXH_KIND_ECP_SERVER;
    if (exh__memimem(lt.p, lt.n, "ECP Activity", 12)) return EXH_KIND_ECP_ACTIVITY;
    if (exh__memimem(lt.p, lt.n, "OAB", 3)) return EXH_KIND_OABGEN;
  }
  return EXH_KIND_EXLOG_OTHER;
}

const exh_format exh__format_logs = {
    "logs",
    {EXH_KIND_HTTPPROXY, EXH_KIND_ECP_SERVER, EXH_KIND_ECP_ACTIVITY, EXH_KIND_OABGEN, EXH_KIND_EXLOG_OTHER,
     EXH_KIND_IIS, EXH_KIND_HTTPERR, EXH_KIND_NONE},
    by_path,
    by_head,
    exh__scan_exlog_source,
    exh__scan_exlog,
    NULL,
    /* a large log in parts of whole lines, merged by line (scan_logs.c) */
    exh__scan_exlog_part, 0, 1, exh__scan_exlog_merge,
};
