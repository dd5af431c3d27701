/* The Rps_Http format (rps.h): recognised by its folder under Logging
 * (CmdletInfra/<Powershell-Proxy or another RPS endpoint>/Http/NAME.log) or
 * by its directive block (#Software: Microsoft Exchange, a #Log-type naming
 * Rps and Http); read by the Exchange CSV reader, whose columns come from the
 * file's own #Fields: line, so rules name the fields (ClientInfo, UrlStem,
 * HttpStatus...) and no position is assumed. Sigma: product exchange, service
 * rps_http. What this format costs: this folder, one registry line, one kind. */
#include <stdio.h>
#include <string.h>

#include "../../util/util.h"
#include "../logs/logs.h"
#include "rps.h"

static exh_kind by_path(const exh_path *cs, char *sub, size_t subn) {
  if (cs->n < 5 || !exh__path_ends(cs->c[cs->n - 1], ".log")) return EXH_KIND_NONE;
  /* .../Logging/CmdletInfra/<endpoint>/Http/NAME.log */
  size_t i = cs->n - 5;
  if (!exh__path_ieq(cs->c[i], "logging") || !exh__path_ieq(cs->c[i + 1], "cmdletinfra") ||
      !exh__path_ieq(cs->c[i + 3], "http"))
    return EXH_KIND_NONE;
  if (subn) snprintf(sub, subn, "%.*s", (int)cs->c[i + 2].n, cs->c[i + 2].p);
  return EXH_KIND_RPS_HTTP;
}

/* The directive block at the top (after an optional bare CSV header line):
 * "#Software: Microsoft Exchange..." and a "#Log-type:" naming Rps and Http. */
static exh_kind by_head(const unsigned char *head, size_t n) {
  const char *buf = (const char *)head;
  size_t pos = n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
  int exchange = 0, rps = 0;
  for (int lineno = 1; pos < n && lineno <= 16; lineno++) {
    const char *e = memchr(buf + pos, '\n', n - pos);
    exh_str l = {buf + pos, (e ? (size_t)(e - buf) : n) - pos};
    if (l.n && l.p[0] == '#') {
      if (exh__str_istarts(l, "#Software:") && exh__memimem(l.p, l.n, "Microsoft Exchange", 18)) exchange = 1;
      if (exh__str_istarts(l, "#Log-type:") && exh__memimem(l.p, l.n, "rps", 3) && exh__memimem(l.p, l.n, "http", 4))
        rps = 1;
    } else if (lineno > 1) {
      break; /* the first record */
    }
    if (!e) break;
    pos = (size_t)(e - buf) + 1;
  }
  return exchange && rps ? EXH_KIND_RPS_HTTP : EXH_KIND_NONE;
}

const exh_format exh__format_rps = {
    "rps_http", {EXH_KIND_RPS_HTTP, EXH_KIND_NONE}, by_path, by_head, exh__scan_exlog_source, exh__scan_exlog, NULL,
    exh__scan_exlog_part, 0, 1, exh__scan_exlog_merge, /* as the logs (scan_logs.c) */
};
