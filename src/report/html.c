/* Self-contained HTML report: one file, inline CSS, no script, no external
 * resource, and a Content-Security-Policy that forbids scripts, so even an
 * escaping mistake could not run attacker text. Every string that came
 * from evidence goes through html_str (entities for & < > " ', control
 * bytes and invalid UTF-8 made visible).
 *
 * Layout per server: the verdict and why; the patch level; the attackers
 * (findings grouped by client address: first and last seen, what they hit,
 * which CVEs); files left behind; the whole timeline; the log window. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "noise.h"
#include "out.h"
#include "report.h"

/* svg: inside SVG text no HTML element may appear (a <span> would end the
 * SVG in the parser's eyes), so control bytes become plain text there. */
static void html_esc(exh_out *f, const char *s, size_t n, int svg) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    switch (c) {
    case '&': out_write(f, "&amp;", 5); i++; continue;
    case '<': out_write(f, "&lt;", 4); i++; continue;
    case '>': out_write(f, "&gt;", 4); i++; continue;
    case '"': out_write(f, "&quot;", 6); i++; continue;
    case '\'': out_write(f, "&#39;", 5); i++; continue;
    default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      if (c == '\n' || c == '\t') out_putc(f, svg ? ' ' : (char)c);
      else exh__out_printf(f, svg ? "\\x%02x" : "<span class=c>\\x%02x</span>", c);
      i++;
      continue;
    }
    if (c < 0x80) {
      size_t j = i + 1; /* a run of plain bytes at once */
      while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '&' && p[j] != '<' && p[j] != '>' && p[j] != '"' &&
             p[j] != '\'')
        j++;
      out_write(f, s + i, j - i);
      i = j;
      continue;
    }
    size_t k = exh__utf8_len(p + i, n - i);
    if (!k) {
      exh__out_printf(f, svg ? "\\x%02x" : "<span class=c>\\x%02x</span>", c);
      i++;
      continue;
    }
    /* C1 controls (U+0080..U+009F) are as dangerous as C0 in some viewers */
    if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0)
      exh__out_printf(f, svg ? "\\u%04x" : "<span class=c>\\u%04x</span>", p[i + 1]);
    else out_write(f, s + i, k);
    i += k;
  }
}

static void html_str(exh_out *f, const char *s, size_t n) { html_esc(f, s, n, 0); }

static void h(exh_out *f, const char *s) {
  if (s) html_str(f, s, strlen(s));
}

/* Text inside SVG <text> and <title>; at most max bytes (0: all), cut at a
 * character boundary with an ellipsis. */
static void hs(exh_out *f, const char *s, size_t max) {
  if (!s) return;
  size_t n = strlen(s);
  if (max && n > max) {
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    html_esc(f, s, max, 1);
    out_puts(f, "\xe2\x80\xa6");
    return;
  }
  html_esc(f, s, n, 1);
}

/* A table with a header row that repeats on every printed page. */
static void table_open(exh_out *f, const char *cls, const char *ths) {
  out_puts(f, cls ? "<table class=" : "<table");
  if (cls) out_puts(f, cls);
  out_puts(f, "><thead><tr>");
  out_puts(f, ths);
  out_puts(f, "</tr></thead><tbody>\n");
}
static void table_close(exh_out *f) { out_puts(f, "</tbody></table>\n"); }

static void when(exh_out *f, int64_t ms) {
  char t[32];
  if (ms == EXH_TIME_UNKNOWN) {
    out_putc(f, '?');
    return;
  }
  exh__format_iso8601(ms, t);
  t[19] = 0; /* seconds are enough on screen; JSONL has the milliseconds */
  t[10] = ' ';
  out_puts(f, t);
}

static const char *level_class(exh_level l) {
  static const char *const c[] = {"info", "low", "medium", "high", "critical"};
  return (unsigned)l <= EXH_LEVEL_CRITICAL ? c[l] : "info";
}

static void cves(exh_out *f, const exh_finding *x) {
  for (size_t k = 0; k < exh_finding_ncves(x); k++) {
    if (k) out_putc(f, ' ');
    h(f, exh_finding_cve(x, k));
  }
}

static void where(exh_out *f, const exh_finding *x) {
  h(f, exh_finding_path(x));
  if (exh_finding_line(x)) exh__out_printf(f, ":%llu", (unsigned long long)exh_finding_line(x));
  else if (exh_finding_record_id(x)) exh__out_printf(f, " record %llu", (unsigned long long)exh_finding_record_id(x));
}

static void finding_row(exh_out *f, const exh_finding *x) {
  exh_level lv = exh_finding_level(x);
  exh__out_printf(f, "<tr class=%s><td class=t>", level_class(lv));
  when(f, exh_finding_time(x));
  exh__out_printf(f, "</td><td><span class=\"lv %s\">%s</span></td><td>", level_class(lv), exh_level_name(lv));
  cves(f, x);
  out_puts(f, "</td><td>");
  h(f, exh_finding_source_ip(x));
  const char *note = exh_finding_address_note(x);
  if (exh_finding_hop_ip(x)) { /* the server's own address, a front end, a proxy: a hop, not the client */
    out_puts(f, exh_finding_source_ip(x) ? " <span class=absent>via " : "<span class=absent>via ");
    h(f, exh_finding_hop_ip(x));
    out_puts(f, " (");
    h(f, note ? note : "the server itself");
    out_puts(f, ")</span>");
  } else if (note && exh_finding_source_ip(x)) {
    out_puts(f, " <span class=absent>(");
    h(f, note);
    out_puts(f, ")</span>");
  }
  out_puts(f, "</td><td>");
  h(f, exh_finding_message(x));
  if (exh_finding_original_path(x)) {
    out_puts(f, "<div><b>on the server:</b> ");
    h(f, exh_finding_original_path(x));
    out_puts(f, "</div>");
  }
  for (size_t i = 0; i < exh_finding_nalso(x); i++) {
    out_puts(f, "<div><b>also in a shadow copy:</b> ");
    h(f, exh_finding_also(x, i));
    out_puts(f, "</div>");
  }
  if (exh_finding_story(x)) {
    out_puts(f, "<div><b>story:</b> ");
    h(f, exh_finding_story(x));
    out_puts(f, "</div>");
  }
  /* where it is; the raw record or matched bytes fold out beneath */
  size_t evn;
  const char *evp = exh_finding_evidence(x, &evn, NULL);
  int ev = evp && evn;
  out_puts(f, ev ? "<details><summary>" : "<div class=w>");
  where(f, x);
  if (exh_finding_sha256(x)) {
    out_puts(f, " sha256 ");
    h(f, exh_finding_sha256(x));
  }
  if (ev) {
    /* the evidence folds out on screen; printed, the copy after it shows
     * (a closed <details> prints closed in every browser) */
    out_puts(f, "</summary><pre>");
    html_str(f, evp, evn);
    out_puts(f, "</pre></details><pre class=pe>");
    html_str(f, evp, evn);
    out_puts(f, "</pre>");
  } else {
    out_puts(f, "</div>");
  }
  out_puts(f, "</td></tr>\n");
}

static int folded_actor(const exh_noise *nz, const exh_actor *a) {
  long k = exh__noise_actor(nz, exh_actor_ip(a));
  return k >= 0 && nz->folded[k];
}

/* Findings grouped by client address (correlate/story.c): who did what,
 * when; the addresses that only probed are folded (noise.h). */
static void attackers(exh_out *f, const exh_result *r, size_t sv, const exh_noise *nz) {
  size_t shown = 0;
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) != sv || folded_actor(nz, a)) continue;
    if (!shown++)
      table_open(f, NULL, "<th>client address</th><th>first seen</th><th>last seen</th><th>findings</th><th>CVEs</th>"
                          "<th>what</th>");
    exh_level top = EXH_LEVEL_LOW;
    for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_LOW; l--)
      if (exh_actor_nlevel(a, (exh_level)l)) {
        top = (exh_level)l;
        break;
      }
    exh__out_printf(f, "<tr class=%s><td>", level_class(top));
    h(f, exh_actor_ip(a));
    out_puts(f, "</td><td class=t>");
    when(f, exh_actor_first(a));
    out_puts(f, "</td><td class=t>");
    when(f, exh_actor_last(a));
    exh__out_printf(f, "</td><td>%zu (%zu critical, %zu high)</td><td>", exh_actor_nfindings(a),
                    exh_actor_nlevel(a, EXH_LEVEL_CRITICAL), exh_actor_nlevel(a, EXH_LEVEL_HIGH));
    for (size_t c = 0; c < exh_actor_ncves(a); c++) {
      if (c) out_putc(f, ' ');
      h(f, exh_actor_cve(a, c));
    }
    out_puts(f, "</td><td>");
    for (size_t c = 0; c < exh_actor_nrules(a); c++) {
      if (c) out_puts(f, "<br>");
      h(f, exh_actor_rule(a, c));
    }
    out_puts(f, "</td></tr>\n");
  }
  if (shown) table_close(f);
  else if (nz->nfolded) out_puts(f, "<p>No client address left more than probes (every one is folded below).</p>\n");
  else out_puts(f, "<p>No finding names a client address.</p>\n");
}

/* The folded probes: one row per probe kind. */
static void noise(exh_out *f, const exh_noise *nz) {
  if (!nz->nfolded) return;
  exh__out_printf(f,
                  "<h3>Internet scanner noise (folded)</h3>\n<p class=fold><b>%zu address%s folded</b>: %s only probed "
                  "(low or medium findings, none high or critical, no file tied to %s). Their %zu finding%s "
                  "are summed up below, one row per probe kind, and left out of the attacker table and the "
                  "timeline.</p>\n",
                  nz->nfolded, nz->nfolded == 1 ? "" : "es", nz->nfolded == 1 ? "it" : "they",
                  nz->nfolded == 1 ? "it" : "them", nz->nfindings, nz->nfindings == 1 ? "" : "s");
  if (!nz->nrow) return;
  table_open(f, "noise", "<th>probe kind</th><th>level</th><th>CVE</th><th>findings</th><th>first</th><th>last</th>"
                         "<th>sources</th><th>top sources</th>");
  for (size_t i = 0; i < nz->nrow; i++) {
    const exh_noise_row *w = &nz->row[i];
    exh__out_printf(f, "<tr class=%s><td>", level_class(w->level));
    h(f, exh_rule_info_title(w->rule));
    exh__out_printf(f, "</td><td><span class=\"lv %s\">%s</span>", level_class(w->level), exh_level_name(w->level));
    out_puts(f, "</td><td class=d>");
    cves(f, w->example);
    exh__out_printf(f, "</td><td class=n>%zu</td><td class=t>", w->count);
    when(f, w->first);
    out_puts(f, "</td><td class=t>");
    when(f, w->last);
    exh__out_printf(f, "</td><td class=n>%zu</td><td>", w->sources);
    for (size_t k = 0; k < w->ntop; k++) {
      if (k) out_puts(f, "<br>");
      h(f, w->top[k].ip);
      exh__out_printf(f, " (%zu)", w->top[k].n);
    }
    if (w->sources > w->ntop) exh__out_printf(f, "<br>and %zu more", w->sources - w->ntop);
    out_puts(f, "</td></tr>\n");
  }
  table_close(f);
}

static const char CSS[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{margin-top:2em;border-bottom:2px solid #ccc}h3{margin-top:1.5em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}"
    "td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}"
    "th{background:#f3f3f3}td.t{white-space:nowrap;font-family:monospace}"
    "pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:4px;margin:2px 0}"
    ".w{font-family:monospace;font-size:.9em;color:#555;word-break:break-all}"
    "summary{font-family:monospace;font-size:.9em;color:#555;cursor:pointer;word-break:break-all}"
    ".lv{padding:1px 5px;border-radius:3px;color:#fff;font-size:.85em;white-space:nowrap}"
    ".lv.critical{background:#8b0000}.lv.high{background:#d32f2f}.lv.medium{background:#ef6c00}"
    ".lv.low{background:#607d8b}.lv.info{background:#9e9e9e}"
    ".verdict{font-size:1.3em;font-weight:bold;padding:.3em .6em;display:inline-block;border-radius:4px}"
    ".v2{background:#d32f2f;color:#fff}.v1{background:#ef6c00;color:#fff}.v0{background:#2e7d32;color:#fff}"
    ".v3,.v4{background:#6a1b9a;color:#fff}.absent{color:#888}"
    ".vulnerable{color:#d32f2f;font-weight:bold}.patched{color:#2e7d32}.c{color:#b00;font-family:monospace}"
    "td.d{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555;font-size:.9em}"
    ".fold{background:#f3f3f3;border-left:4px solid #999;padding:.3em .6em}"
    "svg.chart{width:100%;max-width:1400px;height:auto;display:block;border:1px solid #ddd}.pe{display:none}"
    /* printed: headers on every page, evidence shown, badges in colour, a
     * page per server */
    "@media print{body{margin:0;font-size:11px}td:last-child,summary,.w{overflow-wrap:anywhere}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "thead{display:table-header-group}tr,svg.chart{break-inside:avoid}"
    "section.srv{break-before:page}p+section.srv{break-before:auto}h2,h3{break-after:avoid}"
    "pre.pe{display:block}details[open]+pre.pe{display:none}summary{list-style:none}"
    "a{color:inherit;text-decoration:none}}";

static void patch_level(exh_out *f, const exh_server *S) {
  const char *build = exh_server_build(S), *product = exh_server_product(S);
  out_puts(f, "<h3>Patch level</h3>\n");
  if (!build) {
    out_puts(f, "<p>Unknown: no Bin/ExSetup.exe, OWA build folder or Exchange log with #Version.</p>\n");
    return;
  }
  out_puts(f, "<p>Build <b>");
  h(f, build);
  out_puts(f, "</b> (");
  h(f, product ? product : "unknown product");
  out_puts(f, "; from ");
  h(f, exh_server_build_source(S));
  out_puts(f, ")</p>\n<table><thead><tr><th>CVE</th><th>campaign</th><th>status</th><th>why</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < exh_server_ncves(S); i++) {
    const exh_cve_status *c = exh_server_cve(S, i);
    const char *st = exh_patch_name(exh_cve_status_patch(c));
    exh__out_printf(f, "<tr><td>%s</td><td>%s</td><td class=%s>%s</td><td>%s</td></tr>\n", exh_cve_status_id(c),
                    exh_cve_status_campaign(c), st, st, exh_cve_status_why(c));
  }
  out_puts(f, "</tbody></table>\n");
  size_t nb = exh_server_nbuilds_seen(S);
  if (nb) {
    out_puts(f, "<p>Builds named by the Exchange logs:</p><table><thead><tr><th>build</th><th>first</th><th>last</th>"
                "<th>files</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < nb; i++) {
      const exh_build_seen *b = exh_server_build_seen(S, i);
      out_puts(f, "<tr><td>");
      h(f, exh_build_seen_build(b));
      out_puts(f, "</td><td class=t>");
      when(f, exh_build_seen_first(b));
      out_puts(f, "</td><td class=t>");
      when(f, exh_build_seen_last(b));
      exh__out_printf(f, "</td><td>%u</td></tr>\n", exh_build_seen_files(b));
    }
    out_puts(f, "</tbody></table>\n");
  }
}

/* ---- the activity chart (inline SVG, no script) ----------------------------
 * One lane per campaign (findings naming its CVEs), per attacker (client
 * address, the most severe first), one for the folded scanner noise and one
 * for findings without a client address (events, files). Columns are days
 * (UTC), weeks past 60 days, longer spans past 120 weeks; a bar's height
 * grows with the square root of the findings in its column. Exploitation
 * (a high or critical finding naming a CVE) is a downward triangle, a file
 * drop (file finding) a diamond: shapes as well as colours, and colours from
 * the Okabe-Ito palette, told apart with every common colour blindness. */
#define DAY_MS 86400000LL
#define CH_W 1100
#define CH_LABEL 200
#define CH_RIGHT 16
#define CH_TOP 8
#define CH_LANE 28
#define CH_ATTACKERS 8
#define CH_CAMPAIGNS 12

enum { LANE_CAMPAIGN, LANE_ATTACKER, LANE_OTHERS, LANE_NOISE, LANE_NOADDR };

typedef struct lane {
  int kind;
  const char *name; /* campaign name, client address, or NULL */
  const char *colour;
  size_t total, expl, files, extra; /* extra: the number of addresses a lane sums */
} lane;

static const char *const CAMPAIGN_COLOUR[] = {"#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#999933"};
#define C_ATTACKER "#0072B2"
#define C_NOISE "#B8B8B8"
#define C_NOADDR "#6E6E6E"
#define C_EXPL "#D55E00"

/* floor(ms / DAY_MS), without overflow at either end */
static int64_t day_of(int64_t ms) { return ms >= 0 ? ms / DAY_MS : (ms + 1) / DAY_MS - 1; }

static double sqroot(double x) {
  if (x <= 0) return 0;
  double g = x < 1 ? 1 : x;
  for (int i = 0; i < 40; i++) g = 0.5 * (g + x / g);
  return g;
}

static void day_text(int64_t day, char out[11]) {
  char t[32];
  exh__format_iso8601(day * DAY_MS, t);
  memcpy(out, t, 10);
  out[10] = 0;
}

static void lane_label(exh_out *f, const lane *l, size_t max) {
  switch (l->kind) {
  case LANE_CAMPAIGN: hs(f, l->name, max); break;
  case LANE_ATTACKER: hs(f, l->name, max); break;
  case LANE_OTHERS: exh__out_printf(f, "%zu more attackers", l->extra); break;
  case LANE_NOISE: exh__out_printf(f, "scanner noise (%zu addr.)", l->extra); break;
  default: out_puts(f, "no client address"); break;
  }
}

static int64_t finding_when(const exh_finding *x) {
  int64_t t = exh_finding_time(x);
  if (t == EXH_TIME_UNKNOWN && exh_finding_is_file(x)) t = exh_finding_file_mtime(x);
  /* beyond year 30000 either way is no time (and days of it stay in range) */
  return t != EXH_TIME_UNKNOWN && (t < -1000000000000000LL || t > 1000000000000000LL) ? EXH_TIME_UNKNOWN : t;
}

/* The campaign lanes a finding counts in (bit k: lane k), by its CVEs. */
static unsigned finding_campaigns(const exh_server *S, const lane *ln, size_t ncamp, const exh_finding *x) {
  unsigned bits = 0;
  for (size_t k = 0; k < exh_finding_ncves(x); k++) {
    const char *id = exh_finding_cve(x, k);
    for (size_t c = 0; c < exh_server_ncves(S); c++) {
      const exh_cve_status *cs = exh_server_cve(S, c);
      if (strcmp(id, exh_cve_status_id(cs))) continue;
      for (size_t l = 0; l < ncamp; l++)
        if (!strcmp(ln[l].name, exh_cve_status_campaign(cs))) bits |= 1u << l;
    }
  }
  return bits;
}

/* The chart's legend, wrapped to the chart's width: draws it when draw,
 * and returns its rows (widths estimated at 7 px a character). */
static int legend(exh_out *f, const lane *ln, size_t nl, int ly, int draw) {
  double lx = 8;
  int rows = 1, seen_att = 0;
  for (size_t l = 0; l <= nl + 1; l++) {
    const char *txt = NULL, *colour = NULL;
    if (l == nl) txt = "exploitation";
    else if (l == nl + 1) txt = "file drop";
    else {
      const lane *L = &ln[l];
      if (!L->total) continue;
      colour = L->colour;
      if (L->kind == LANE_CAMPAIGN) txt = L->name;
      else if (L->kind == LANE_ATTACKER || L->kind == LANE_OTHERS) {
        if (seen_att++) continue;
        txt = "attacker (client address)";
      } else if (L->kind == LANE_NOISE) txt = "scanner noise (folded)";
      else txt = "no client address";
    }
    size_t len = strlen(txt) > 32 ? 33 : strlen(txt);
    double w = 16 + 7.0 * (double)len;
    if (lx > 8 && lx + w > CH_W - 8) {
      rows++;
      lx = 8;
      ly += 20;
    }
    if (draw) {
      if (l == nl)
        exh__out_printf(f, "<path d=\"M%.1f %dh12l-6 10z\" fill=\"" C_EXPL "\" stroke=\"#000\" stroke-width=\".6\"/>",
                        lx, ly - 10);
      else if (l == nl + 1)
        exh__out_printf(f, "<path d=\"M%.1f %dl6 6 -6 6 -6 -6z\" fill=\"#000\"/>", lx + 6, ly - 11);
      else
        exh__out_printf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", lx, ly - 10, colour);
      exh__out_printf(f, "<text x=\"%.1f\" y=\"%d\">", lx + 16, ly);
      hs(f, txt, 32);
      out_puts(f, "</text>");
    }
    lx += w + 18;
  }
  return rows;
}

typedef struct chart_mem {
  lane *ln;
  size_t *cell; /* per lane and column: findings, exploitation, files */
} chart_mem;

static void chart(exh_out *f, const exh_result *r, size_t sv, const exh_noise *nz, chart_mem *m) {
  const exh_server *S = exh_result_server(r, sv);
  size_t nf = exh_result_nfindings(r);
  /* the span: findings of level low and above with a time */
  /* the span: findings of level low and above with a time, from the logs
   * and events when there are any, with the files dated up to 30 days
   * around them (a file's modification time may be the day it was copied
   * for the collection, years after the attack) */
  int64_t d0 = 0, d1 = 0;
  int any = 0, logs = 0;
  for (int files = 0; files < 2; files++) {
    int64_t e0 = d0 - 30, e1 = d1 + 30;
    for (size_t i = 0; i < nf; i++) {
      const exh_finding *x = exh_result_finding(r, i);
      int64_t t = finding_when(x);
      if (exh_finding_server(x) != sv || exh_finding_level(x) < EXH_LEVEL_LOW || t == EXH_TIME_UNKNOWN) continue;
      if (!files == !!exh_finding_is_file(x)) continue;
      int64_t d = day_of(t);
      if (files && logs && (d < e0 || d > e1)) continue;
      if (!any || d < d0) d0 = d;
      if (!any || d > d1) d1 = d;
      any = 1;
    }
    logs = any;
  }
  out_puts(f, "<h3>Activity</h3>\n");
  if (!any) {
    out_puts(f, "<p>No dated finding of level low or above: nothing to chart.</p>\n");
    return;
  }
  int64_t span = d1 - d0 + 1, bd = 1;
  if (span > 60 * 14) bd = (span + 119) / 120;
  else if (span > 60) {
    bd = 7;
    d0 -= ((d0 % 7) + 7 + 3) % 7; /* weeks from Monday (1970-01-01 was a Thursday) */
  }
  size_t nb = (size_t)((d1 - d0) / bd + 1);
  /* lanes */
  size_t maxl = CH_CAMPAIGNS + CH_ATTACKERS + 3, nl = 0, ncamp = 0;
  m->ln = exh__xcalloc(maxl, sizeof *m->ln);
  lane *ln = m->ln;
  for (size_t k = 0; k < exh_server_ncampaigns(S) && ncamp < CH_CAMPAIGNS; k++, ncamp++)
    ln[nl++] = (lane){LANE_CAMPAIGN, exh_campaign_name(exh_server_campaign(S, k)),
                      CAMPAIGN_COLOUR[ncamp % (sizeof CAMPAIGN_COLOUR / sizeof *CAMPAIGN_COLOUR)], 0, 0, 0, 0};
  size_t a0 = nl, nattackers = 0;
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) != sv || folded_actor(nz, a)) continue;
    if (nattackers++ < CH_ATTACKERS) ln[nl++] = (lane){LANE_ATTACKER, exh_actor_ip(a), C_ATTACKER, 0, 0, 0, 1};
  }
  size_t a1 = nl;
  size_t others = nl, noise_l = nl + 1, noaddr = nl + 2;
  ln[nl++] = (lane){LANE_OTHERS, NULL, C_ATTACKER, 0, 0, 0, nattackers > CH_ATTACKERS ? nattackers - CH_ATTACKERS : 0};
  ln[nl++] = (lane){LANE_NOISE, NULL, C_NOISE, 0, 0, 0, nz->nfolded};
  ln[nl++] = (lane){LANE_NOADDR, NULL, C_NOADDR, 0, 0, 0, 0};
  m->cell = exh__xcalloc(nl * nb * 3, sizeof *m->cell);
  size_t *cell = m->cell, outside = 0;
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    int64_t t = finding_when(x);
    if (exh_finding_server(x) != sv || exh_finding_level(x) < EXH_LEVEL_LOW || t == EXH_TIME_UNKNOWN) continue;
    if (day_of(t) < d0 || day_of(t) > d1) {
      outside++;
      continue;
    }
    size_t b = (size_t)((day_of(t) - d0) / bd);
    int file = exh_finding_is_file(x);
    int expl = !file && exh_finding_level(x) >= EXH_LEVEL_HIGH && exh_finding_ncves(x);
    unsigned bits = finding_campaigns(S, ln, ncamp, x);
    size_t hit[CH_CAMPAIGNS + CH_ATTACKERS + 3], nh = 0;
    for (size_t l = 0; l < ncamp; l++)
      if (bits & (1u << l)) hit[nh++] = l;
    const char *ip = exh_finding_source_ip(x);
    long ai = exh__noise_actor(nz, ip);
    if (ai >= 0 && nz->folded[ai]) hit[nh++] = noise_l;
    else if (ai >= 0) {
      size_t l = a0;
      while (l < a1 && strcmp(ln[l].name, ip)) l++;
      hit[nh++] = l < a1 ? l : others;
    } else {
      hit[nh++] = noaddr;
      /* a file or event whose story names an attacker shows on its lane too */
      const char *story = exh_finding_story(x);
      for (size_t l = a0; story && l < a1; l++)
        if (exh__noise_mentions(story, ln[l].name)) hit[nh++] = l;
    }
    for (size_t k = 0; k < nh; k++) {
      size_t *c = &cell[(hit[k] * nb + b) * 3];
      c[0]++, c[1] += expl, c[2] += file;
      ln[hit[k]].total++, ln[hit[k]].expl += expl, ln[hit[k]].files += file;
    }
  }
  size_t vis = 0, max = 1;
  for (size_t l = 0; l < nl; l++) {
    if (!ln[l].total) continue;
    vis++;
    for (size_t b = 0; b < nb; b++)
      if (cell[(l * nb + b) * 3] > max) max = cell[(l * nb + b) * 3];
  }
  char a[11], z[11];
  day_text(d0, a);
  day_text(d0 + (int64_t)nb * bd - 1, z);
  if (bd == 1)
    exh__out_printf(f, "<p class=note>One column per day (UTC), %s to %s.", a, z);
  else if (bd == 7)
    exh__out_printf(f, "<p class=note>One column per week (Monday to Sunday, UTC), %s to %s.", a, z);
  else
    exh__out_printf(f, "<p class=note>One column per %lld days (UTC), %s to %s.", (long long)bd, a, z);
  out_puts(f, " A bar grows with the findings in its column (square root scale; hover it for the counts). "
              "&#9660; exploitation (a high or critical finding naming a CVE), &#9670; a file dropped.");
  if (outside)
    exh__out_printf(f, " %zu file finding%s dated outside the span of the logs and events (modification times, "
                       "often the day of the copy) %s not charted.",
                    outside, outside == 1 ? "" : "s", outside == 1 ? "is" : "are");
  out_puts(f, "</p>\n");
  /* geometry */
  double pw = CH_W - CH_LABEL - CH_RIGHT, bw = pw / (double)nb;
  int lanes_h = (int)vis * CH_LANE, axis_y = CH_TOP + lanes_h;
  int leg_y = axis_y + 44, H = leg_y + 20 * legend(f, ln, nl, leg_y, 0) + 2;
  exh__out_printf(f,
                  "<svg class=chart xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                  "height=\"%d\" role=\"img\" font-family=\"system-ui,sans-serif\" font-size=\"12\"><title>Activity on ",
                  CH_W, H, CH_W, H);
  hs(f, exh_server_name(S), 0);
  exh__out_printf(f, ", %s to %s</title>\n", a, z);
  /* columns: ticks and labels every k columns, about 70 px apart */
  size_t step = (size_t)(70.0 / bw) + 1;
  if (70.0 / bw <= 1) step = 1;
  if (bd == 1 && step > 1) {
    static const size_t nice[] = {2, 3, 7, 14, 28, 56};
    size_t k = 0;
    while (k < 5 && nice[k] < step) k++;
    step = nice[k] < step ? step : nice[k];
  }
  static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int last_year = -1;
  for (size_t b = 0; b < nb; b += step) {
    double x = CH_LABEL + (double)b * bw;
    char d[11];
    day_text(d0 + (int64_t)b * bd, d);
    int year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int mon = (d[5] - '0') * 10 + (d[6] - '0'), dd = (d[8] - '0') * 10 + (d[9] - '0');
    exh__out_printf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>", x, x, CH_TOP, axis_y + 5);
    double tx = bd == 1 ? x + bw / 2 : x; /* a day under its column, a week from its first day */
    exh__out_printf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s %d</text>", tx, axis_y + 18,
                    bd == 1 || b ? "middle" : "start", mon >= 1 && mon <= 12 ? MON[mon - 1] : "?", dd);
    if (year != last_year)
      exh__out_printf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" fill=\"#555\">%d</text>", tx, axis_y + 32,
                      bd == 1 || b ? "middle" : "start", year);
    last_year = year;
    out_putc(f, '\n');
  }
  exh__out_printf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", CH_LABEL, CH_W - CH_RIGHT,
                  axis_y, axis_y);
  /* lanes */
  int y = CH_TOP;
  size_t row = 0;
  for (size_t l = 0; l < nl; l++) {
    const lane *L = &ln[l];
    if (!L->total) continue;
    if (row++ % 2)
      exh__out_printf(f, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f4f4f4\"/>", y, CH_W - CH_RIGHT,
                      CH_LANE);
    exh__out_printf(f, "<g><title>");
    lane_label(f, L, 0);
    exh__out_printf(f, ": %zu finding%s, %zu exploitation, %zu file%s</title><text x=\"%d\" y=\"%d\" "
                       "text-anchor=\"end\"%s>",
                    L->total, L->total == 1 ? "" : "s", L->expl, L->files, L->files == 1 ? "" : "s", CH_LABEL - 8,
                    y + CH_LANE / 2 + 4, L->kind == LANE_ATTACKER ? " font-family=\"monospace\"" : "");
    lane_label(f, L, 24);
    exh__out_printf(f, " (%zu)</text></g>\n", L->total);
    for (size_t b = 0; b < nb; b++) {
      const size_t *c = &cell[(l * nb + b) * 3];
      if (!c[0]) continue;
      double x = CH_LABEL + (double)b * bw;
      double w = bw * 0.7 > 40 ? 40 : bw * 0.7;
      if (w < 2) w = bw < 2 ? bw : 2;
      double bh = 3 + (CH_LANE - 14) * sqroot((double)c[0]) / sqroot((double)max);
      double cx = x + bw / 2;
      char p[11], q[11];
      day_text(d0 + (int64_t)b * bd, p);
      day_text(d0 + (int64_t)(b + 1) * bd - 1, q);
      out_puts(f, "<g><title>");
      lane_label(f, L, 0);
      if (bd == 1) exh__out_printf(f, ", %s: ", p);
      else exh__out_printf(f, ", %s to %s: ", p, q);
      exh__out_printf(f, "%zu finding%s", c[0], c[0] == 1 ? "" : "s");
      if (c[1]) exh__out_printf(f, ", %zu exploitation", c[1]);
      if (c[2]) exh__out_printf(f, ", %zu file%s", c[2], c[2] == 1 ? "" : "s");
      exh__out_printf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", cx - w / 2,
                      y + CH_LANE - 3 - bh, w, bh, L->colour);
      /* the marks, side by side when both, shrunk to fit a narrow column */
      double ms = (c[1] && c[2] ? (bw - 2) / 2 : bw - 1), my = y + 2.5;
      ms = ms > 9 ? 9 : ms < 4 ? 4 : ms;
      if (c[1])
        exh__out_printf(f,
                        "<path d=\"M%.1f %.1fh%.1fl%.1f %.1fz\" fill=\"" C_EXPL "\" stroke=\"#000\" "
                        "stroke-width=\".6\"/>",
                        c[2] ? cx - ms - 0.5 : cx - ms / 2, my, ms, -ms / 2, ms * 0.8);
      if (c[2])
        exh__out_printf(f, "<path d=\"M%.1f %.1fl%.1f %.1f %.1f %.1f %.1f %.1fz\" fill=\"#000\"/>",
                        c[1] ? cx + 0.5 + ms / 2 : cx, my, ms / 2, ms / 2, -ms / 2, ms / 2, -ms / 2, -ms / 2);
      out_puts(f, "</g>\n");
    }
    y += CH_LANE;
  }
  legend(f, ln, nl, leg_y, 1);
  out_puts(f, "\n</svg>\n");
}

static void server(exh_out *f, const exh_result *r, size_t sv, exh_noise *nz, chart_mem *m) {
  const exh_server *S = exh_result_server(r, sv);
  size_t nf = exh_result_nfindings(r);
  exh__noise_build(r, sv, nz);
  exh__out_printf(f, "<section class=srv>\n<h2 id=\"server-%zu\">", sv);
  h(f, exh_server_name(S));
  out_puts(f, " <small>");
  h(f, exh_server_root(S));
  exh__out_printf(f, "</small></h2>\n<p><span class=\"verdict v%d\">%s</span></p>\n<p>", (int)exh_server_verdict(S),
                  exh_verdict_name(exh_server_verdict(S)));
  h(f, exh_server_reason(S));
  out_puts(f, "</p>\n<p>");
  h(f, exh_server_limits(S));
  out_puts(f, "</p>\n<table><thead><tr><th>campaign</th><th>state</th><th>why</th></tr></thead><tbody>\n");
  for (size_t k = 0; k < exh_server_ncampaigns(S); k++) {
    const exh_campaign *c = exh_server_campaign(S, k);
    out_puts(f, "<tr><td>");
    h(f, exh_campaign_name(c));
    out_puts(f, "</td><td>");
    h(f, exh_campaign_state_name(exh_campaign_state_of(c)));
    out_puts(f, "</td><td>");
    h(f, exh_campaign_why(c));
    out_puts(f, "</td></tr>\n");
  }
  out_puts(f, "</tbody></table>\n");
  exh__out_printf(f, "<p>Findings: %zu critical, %zu high, %zu medium, %zu low, %zu informational.</p>\n",
                  exh_server_nlevel(S, EXH_LEVEL_CRITICAL), exh_server_nlevel(S, EXH_LEVEL_HIGH),
                  exh_server_nlevel(S, EXH_LEVEL_MEDIUM), exh_server_nlevel(S, EXH_LEVEL_LOW),
                  exh_server_nlevel(S, EXH_LEVEL_INFO));
  chart(f, r, sv, nz, m);
  patch_level(f, S);
  out_puts(f, "<h3>Attackers (findings by client address)</h3>\n");
  attackers(f, r, sv, nz);
  noise(f, nz);
  out_puts(f, "<h3>Files left behind</h3>\n");
  size_t nfiles = 0;
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) == sv && exh_finding_is_file(x)) nfiles++;
  }
  if (!nfiles) {
    out_puts(f, "<p>No file finding.</p>\n");
  } else {
    out_puts(f, "<table><thead><tr><th>modified</th><th>level</th><th>CVE</th><th>client</th><th>finding</th></tr></thead><tbody>\n");
    for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_INFO; l--)
      for (size_t i = 0; i < nf; i++) {
        const exh_finding *x = exh_result_finding(r, i);
        if (exh_finding_server(x) == sv && exh_finding_is_file(x) && (int)exh_finding_level(x) == l) finding_row(f, x);
      }
    out_puts(f, "</tbody></table>\n");
  }
  out_puts(f, "<h3>Timeline</h3>\n<table><thead><tr><th>time (UTC)</th><th>level</th><th>CVE</th><th>client</th>"
              "<th>finding</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) == sv && !exh__noise_folds(nz, x)) finding_row(f, x);
  }
  out_puts(f, "</tbody></table>\n");
  if (nz->nfindings)
    exh__out_printf(f, "<p class=note>%zu scanner finding%s left out (folded above).</p>\n", nz->nfindings,
                    nz->nfindings == 1 ? "" : "s");
  out_puts(f, "<h3>Log window</h3>\n");
  int any = 0;
  for (size_t i = 0; i < exh_result_nwindows(r); i++) {
    const exh_logwindow *w = exh_result_window(r, i);
    if (exh_logwindow_server(w) != sv) continue;
    if (!any) out_puts(f, "<table><thead><tr><th>first</th><th>last</th><th>files</th><th>folder</th></tr></thead><tbody>\n");
    any = 1;
    out_puts(f, "<tr><td class=t>");
    when(f, exh_logwindow_first(w));
    out_puts(f, "</td><td class=t>");
    when(f, exh_logwindow_last(w));
    exh__out_printf(f, "</td><td>%u</td><td>", exh_logwindow_files(w));
    h(f, exh_logwindow_folder(w));
    out_puts(f, "</td></tr>\n");
  }
  out_puts(f, any ? "</tbody></table>\n" : "<p>No Exchange or IIS log was read.</p>\n");
  out_puts(f, "<h3>Coverage (what the verdict rests on)</h3>\n<table><thead><tr><th>evidence</th><th>read</th><th>first</th>"
              "<th>last</th><th>files</th><th>records</th><th>with errors</th><th>rules</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < exh_result_ncoverage(r); i++) {
    const exh_coverage *c = exh_result_coverage(r, i);
    if (exh_coverage_server(c) != sv) continue;
    int present = exh_coverage_present(c);
    exh__out_printf(f, "<tr%s><td>", present ? "" : " class=absent");
    h(f, exh_coverage_label(c));
    exh__out_printf(f, "</td><td>%s</td><td class=t>",
                    !present ? "not found" : strcmp(exh_coverage_class(c), "unchecked_files") ? "yes" : "not content-checked");
    when(f, exh_coverage_first(c));
    out_puts(f, "</td><td class=t>");
    when(f, exh_coverage_last(c));
    exh__out_printf(f, "</td><td>%u</td><td>%llu</td><td>%u</td><td>%zu</td></tr>\n", exh_coverage_files(c),
                    (unsigned long long)exh_coverage_records(c), exh_coverage_errors(c), exh_coverage_rules(c));
  }
  out_puts(f, "</tbody></table>\n</section>\n");
}

typedef struct html_mem {
  exh_noise nz;
  chart_mem chart;
  size_t *order; /* the servers in the fleet table's order */
} html_mem;

static void mem_free(html_mem *m) {
  exh__noise_free(&m->nz);
  free(m->chart.ln);
  free(m->chart.cell);
  memset(&m->chart, 0, sizeof m->chart);
}

/* The servers' sections: what they allocate is freed after each, and on a
 * failure before the guard above unwinds (the memory is reachable from m,
 * which lives on the heap so that nothing changed after setjmp is a local). */
static void servers(exh_out *f, const exh_result *r) {
  html_mem *volatile m = exh__xcalloc(1, sizeof *m);
  exh_guard g;
  exh__guard_push(&g);
  if (setjmp(g.jb) != 0) {
    mem_free(m);
    free(m->order);
    free(m);
    exh__guard_fail(g.code);
  }
  /* in the fleet table's order (most severe first), as its links lead */
  m->order = exh__fleet_order(r);
  for (size_t k = 0; k < exh_result_nservers(r); k++) {
    server(f, r, m->order[k], &m->nz, &m->chart);
    mem_free(m);
  }
  exh__guard_pop(&g);
  free(m->order);
  free(m);
}

static void day_cell(exh_out *f, int64_t a, int64_t b) {
  char x[32], y[32];
  if (a == EXH_TIME_UNKNOWN) {
    out_puts(f, "<td>-</td>");
    return;
  }
  exh__format_iso8601(a, x);
  exh__format_iso8601(b, y);
  exh__out_printf(f, "<td class=d>%.10s .. %.10s</td>", x, y);
}

/* The fleet table (more than one server): most severe first, each name
 * linking to its server's section. */
static void fleet(exh_out *f, const exh_result *r) {
  size_t n = exh_result_nservers(r), c[5];
  exh__fleet_counts(r, c);
  exh__out_printf(f, "<h2>Fleet: %zu servers</h2>\n<p>%zu compromised, %zu exploitation attempted, %zu cannot tell, %zu no evidence "
                     "examined, %zu no evidence of compromise.</p>\n",
                  n, c[EXH_VERDICT_COMPROMISED], c[EXH_VERDICT_SUSPICIOUS], c[EXH_VERDICT_CANNOT_TELL],
                  c[EXH_VERDICT_NOTHING_EXAMINED], c[EXH_VERDICT_CLEAN]);
  out_puts(f, "<table class=fleet><thead><tr><th>server</th><th>verdict</th><th>campaigns</th><th>attacker activity</th>"
              "<th>patch</th><th>logs</th><th>read</th></tr></thead><tbody>\n");
  size_t *idx = exh__fleet_order(r);
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    exh_fleet_row row;
    exh__fleet_row(r, i, &row);
    exh__out_printf(f, "<tr><td><a href=\"#server-%zu\">", i);
    h(f, exh_server_name(row.server));
    exh__out_printf(f, "</a></td><td class=\"v%d\">%s</td><td>", (int)row.verdict, exh_verdict_name(row.verdict));
    h(f, row.campaigns[0] ? row.campaigns : "-");
    out_puts(f, "</td>");
    day_cell(f, row.first, row.last);
    exh__out_printf(f, "<td>%s</td>", exh_patch_name(row.patch));
    day_cell(f, row.log_first, row.log_last);
    out_puts(f, "<td>");
    h(f, row.coverage);
    out_puts(f, "</td></tr>\n");
  }
  free(idx);
  out_puts(f, "</tbody></table>\n");
}

static void report_html(exh_out *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  char now[32];
  exh__format_iso8601(exh_result_start(r), now);
  out_puts(f, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
              "<meta name=referrer content=no-referrer>\n<title>exhunt report</title>\n<style>");
  out_puts(f, CSS);
  exh__out_printf(f, "</style></head><body>\n<h1>exhunt %s: Exchange compromise assessment</h1>\n", EXH_VERSION);
  exh__out_printf(f,
                  "<p>Scan started %s; %llu of %llu files read (%.1f MB) in %.2f s. Rules: %zu Sigma, %zu YARA, %zu "
                  "indicators, %zu baseline rows.</p>\n",
                  now, (unsigned long long)exh_result_files_scanned(r), (unsigned long long)exh_result_files_seen(r),
                  (double)exh_result_bytes_scanned(r) / 1e6, exh_result_seconds(r), exh_result_rules_sigma(r),
                  exh_result_rules_yara(r), exh_result_indicators(r), exh_result_baseline_rows(r));
  out_puts(f, "<p>Sigma rule sets:");
  for (size_t i = 0; i < exh_result_nrule_sets(r); i++) {
    const exh_rule_set *st = exh_result_rule_set(r, i);
    size_t loaded = exh_rule_set_loaded(st), rejected = exh_rule_set_rejected(st);
    out_puts(f, i ? "; " : " ");
    h(f, exh_rule_set_name(st));
    if (rejected) exh__out_printf(f, " %zu of %zu", loaded, loaded + rejected);
    else exh__out_printf(f, " %zu", loaded);
    if (exh_rule_set_version(st)) {
      out_puts(f, " (");
      h(f, exh_rule_set_version(st));
      out_putc(f, ')');
    }
    if (exh_rule_set_origin(st)[0] && strcmp(exh_rule_set_name(st), "built-in")) {
      out_puts(f, " from ");
      h(f, exh_rule_set_origin(st));
    }
  }
  if (!exh_result_nrule_sets(r)) out_puts(f, " none");
  out_puts(f, ".</p>\n");
  if (exh_result_nservers(r) > 1) fleet(f, r);
  servers(f, r);
  if (exh_result_nerrors(r)) {
    out_puts(f, "<h2>Files not read or skipped</h2>\n<table><thead><tr><th></th><th>path</th><th>reason</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < exh_result_nerrors(r); i++) {
      const exh_file_error *e = exh_result_error(r, i);
      exh__out_printf(f, "<tr><td>%s</td><td class=w>", exh_file_error_skipped(e) ? "skipped" : "error");
      h(f, exh_file_error_path(e));
      out_puts(f, "</td><td>");
      h(f, exh_file_error_reason(e));
      out_puts(f, "</td></tr>\n");
    }
    out_puts(f, "</tbody></table>\n");
  }
  out_puts(f, "</body></html>\n");
}

EXH_REPORT_GUARDED(exh__report_html, report_html)
