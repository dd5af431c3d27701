/* Self-contained HTML report: one file, inline CSS, no script, no external
 * resource, and a Content-Security-Policy that forbids scripts, so even an
 * escaping mistake could not run attacker text. Every string that came
 * from evidence goes through html_str (entities for & < > " ', control
 * bytes and invalid UTF-8 made visible).
 *
 * Layout per server: the verdict and why; the patch level; the attackers
 * (findings grouped by client address: first and last seen, what they hit,
 * which CVEs); files left behind; the whole timeline; the log window. */
#include <stdio.h>
#include <string.h>

#include "fleet.h"
#include "out.h"
#include "report.h"

static void html_str(exh_out *f, const char *s, size_t n) {
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
      if (c == '\n' || c == '\t') out_putc(f, (char)c);
      else exh__out_printf(f, "<span class=c>\\x%02x</span>", c);
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
      exh__out_printf(f, "<span class=c>\\x%02x</span>", c);
      i++;
      continue;
    }
    /* C1 controls (U+0080..U+009F) are as dangerous as C0 in some viewers */
    if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0) exh__out_printf(f, "<span class=c>\\u%04x</span>", p[i + 1]);
    else out_write(f, s + i, k);
    i += k;
  }
}

static void h(exh_out *f, const char *s) {
  if (s) html_str(f, s, strlen(s));
}

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
    out_puts(f, "</summary><pre>");
    html_str(f, evp, evn);
    out_puts(f, "</pre></details>");
  } else {
    out_puts(f, "</div>");
  }
  out_puts(f, "</td></tr>\n");
}

/* Findings grouped by client address (correlate/story.c): who did what, when. */
static void attackers(exh_out *f, const exh_result *r, size_t sv) {
  size_t shown = 0;
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) != sv) continue;
    if (!shown++)
      out_puts(f, "<table><tr><th>client address</th><th>first seen</th><th>last seen</th><th>findings</th><th>CVEs</th>"
                  "<th>what</th></tr>\n");
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
  out_puts(f, shown ? "</table>\n" : "<p>No finding names a client address.</p>\n");
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
    ".lv{padding:1px 5px;border-radius:3px;color:#fff;font-size:.85em}"
    ".lv.critical{background:#8b0000}.lv.high{background:#d32f2f}.lv.medium{background:#ef6c00}"
    ".lv.low{background:#607d8b}.lv.info{background:#9e9e9e}"
    ".verdict{font-size:1.3em;font-weight:bold;padding:.3em .6em;display:inline-block;border-radius:4px}"
    ".v2{background:#d32f2f;color:#fff}.v1{background:#ef6c00;color:#fff}.v0{background:#2e7d32;color:#fff}"
    ".v3,.v4{background:#6a1b9a;color:#fff}.absent{color:#888}"
    ".vulnerable{color:#d32f2f;font-weight:bold}.patched{color:#2e7d32}.c{color:#b00;font-family:monospace}";

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
  out_puts(f, ")</p>\n<table><tr><th>CVE</th><th>campaign</th><th>status</th><th>why</th></tr>\n");
  for (size_t i = 0; i < exh_server_ncves(S); i++) {
    const exh_cve_status *c = exh_server_cve(S, i);
    const char *st = exh_patch_name(exh_cve_status_patch(c));
    exh__out_printf(f, "<tr><td>%s</td><td>%s</td><td class=%s>%s</td><td>%s</td></tr>\n", exh_cve_status_id(c),
                    exh_cve_status_campaign(c), st, st, exh_cve_status_why(c));
  }
  out_puts(f, "</table>\n");
  size_t nb = exh_server_nbuilds_seen(S);
  if (nb) {
    out_puts(f, "<p>Builds named by the Exchange logs:</p><table><tr><th>build</th><th>first</th><th>last</th>"
                "<th>files</th></tr>\n");
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
    out_puts(f, "</table>\n");
  }
}

static void server(exh_out *f, const exh_result *r, size_t sv) {
  const exh_server *S = exh_result_server(r, sv);
  size_t nf = exh_result_nfindings(r);
  exh__out_printf(f, "<h2 id=\"server-%zu\">", sv);
  h(f, exh_server_name(S));
  out_puts(f, " <small>");
  h(f, exh_server_root(S));
  exh__out_printf(f, "</small></h2>\n<p><span class=\"verdict v%d\">%s</span></p>\n<p>", (int)exh_server_verdict(S),
                  exh_verdict_name(exh_server_verdict(S)));
  h(f, exh_server_reason(S));
  out_puts(f, "</p>\n<p>");
  h(f, exh_server_limits(S));
  out_puts(f, "</p>\n<table><tr><th>campaign</th><th>state</th><th>why</th></tr>\n");
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
  out_puts(f, "</table>\n");
  exh__out_printf(f, "<p>Findings: %zu critical, %zu high, %zu medium, %zu low, %zu informational.</p>\n",
                  exh_server_nlevel(S, EXH_LEVEL_CRITICAL), exh_server_nlevel(S, EXH_LEVEL_HIGH),
                  exh_server_nlevel(S, EXH_LEVEL_MEDIUM), exh_server_nlevel(S, EXH_LEVEL_LOW),
                  exh_server_nlevel(S, EXH_LEVEL_INFO));
  patch_level(f, S);
  out_puts(f, "<h3>Attackers (findings by client address)</h3>\n");
  attackers(f, r, sv);
  out_puts(f, "<h3>Files left behind</h3>\n");
  size_t nfiles = 0;
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) == sv && exh_finding_is_file(x)) nfiles++;
  }
  if (!nfiles) {
    out_puts(f, "<p>No file finding.</p>\n");
  } else {
    out_puts(f, "<table><tr><th>modified</th><th>level</th><th>CVE</th><th>client</th><th>finding</th></tr>\n");
    for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_INFO; l--)
      for (size_t i = 0; i < nf; i++) {
        const exh_finding *x = exh_result_finding(r, i);
        if (exh_finding_server(x) == sv && exh_finding_is_file(x) && (int)exh_finding_level(x) == l) finding_row(f, x);
      }
    out_puts(f, "</table>\n");
  }
  out_puts(f, "<h3>Timeline</h3>\n<table><tr><th>time (UTC)</th><th>level</th><th>CVE</th><th>client</th>"
              "<th>finding</th></tr>\n");
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) == sv) finding_row(f, x);
  }
  out_puts(f, "</table>\n<h3>Log window</h3>\n");
  int any = 0;
  for (size_t i = 0; i < exh_result_nwindows(r); i++) {
    const exh_logwindow *w = exh_result_window(r, i);
    if (exh_logwindow_server(w) != sv) continue;
    if (!any) out_puts(f, "<table><tr><th>first</th><th>last</th><th>files</th><th>folder</th></tr>\n");
    any = 1;
    out_puts(f, "<tr><td class=t>");
    when(f, exh_logwindow_first(w));
    out_puts(f, "</td><td class=t>");
    when(f, exh_logwindow_last(w));
    exh__out_printf(f, "</td><td>%u</td><td>", exh_logwindow_files(w));
    h(f, exh_logwindow_folder(w));
    out_puts(f, "</td></tr>\n");
  }
  out_puts(f, any ? "</table>\n" : "<p>No Exchange or IIS log was read.</p>\n");
  out_puts(f, "<h3>Coverage (what the verdict rests on)</h3>\n<table><tr><th>evidence</th><th>read</th><th>first</th>"
              "<th>last</th><th>files</th><th>records</th><th>with errors</th><th>rules</th></tr>\n");
  for (size_t i = 0; i < exh_result_ncoverage(r); i++) {
    const exh_coverage *c = exh_result_coverage(r, i);
    if (exh_coverage_server(c) != sv) continue;
    int present = exh_coverage_present(c);
    exh__out_printf(f, "<tr%s><td>", present ? "" : " class=absent");
    h(f, exh_coverage_label(c));
    exh__out_printf(f, "</td><td>%s</td><td class=t>", present ? "yes" : "not found");
    when(f, exh_coverage_first(c));
    out_puts(f, "</td><td class=t>");
    when(f, exh_coverage_last(c));
    exh__out_printf(f, "</td><td>%u</td><td>%llu</td><td>%u</td><td>%zu</td></tr>\n", exh_coverage_files(c),
                    (unsigned long long)exh_coverage_records(c), exh_coverage_errors(c), exh_coverage_rules(c));
  }
  out_puts(f, "</table>\n");
}

static void day_cell(exh_out *f, int64_t a, int64_t b) {
  char x[32], y[32];
  if (a == EXH_TIME_UNKNOWN) {
    out_puts(f, "<td>-</td>");
    return;
  }
  exh__format_iso8601(a, x);
  exh__format_iso8601(b, y);
  exh__out_printf(f, "<td>%.10s .. %.10s</td>", x, y);
}

/* The fleet table (more than one server): most severe first, each name
 * linking to its server's section. */
static void fleet(exh_out *f, const exh_result *r) {
  size_t n = exh_result_nservers(r), c[5];
  exh__fleet_counts(r, c);
  exh__out_printf(f, "<h2>Fleet: %zu servers</h2>\n<p>%zu compromised, %zu suspicious, %zu cannot tell, %zu no evidence "
                     "examined, %zu no evidence of compromise.</p>\n",
                  n, c[EXH_VERDICT_COMPROMISED], c[EXH_VERDICT_SUSPICIOUS], c[EXH_VERDICT_CANNOT_TELL],
                  c[EXH_VERDICT_NOTHING_EXAMINED], c[EXH_VERDICT_CLEAN]);
  out_puts(f, "<table class=fleet><thead><tr><th>server</th><th>verdict</th><th>campaigns</th><th>attacker activity</th>"
              "<th>patch</th><th>logs</th><th>read</th></tr></thead><tbody>\n");
  static const exh_verdict order[] = {EXH_VERDICT_COMPROMISED, EXH_VERDICT_SUSPICIOUS, EXH_VERDICT_CANNOT_TELL,
                                      EXH_VERDICT_NOTHING_EXAMINED, EXH_VERDICT_CLEAN};
  for (size_t o = 0; o < 5; o++)
    for (size_t i = 0; i < n; i++) {
      if (exh_server_verdict(exh_result_server(r, i)) != order[o]) continue;
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
  for (size_t sv = 0; sv < exh_result_nservers(r); sv++) server(f, r, sv);
  if (exh_result_nerrors(r)) {
    out_puts(f, "<h2>Files not read or skipped</h2>\n<table><tr><th></th><th>path</th><th>reason</th></tr>\n");
    for (size_t i = 0; i < exh_result_nerrors(r); i++) {
      const exh_file_error *e = exh_result_error(r, i);
      exh__out_printf(f, "<tr><td>%s</td><td class=w>", exh_file_error_skipped(e) ? "skipped" : "error");
      h(f, exh_file_error_path(e));
      out_puts(f, "</td><td>");
      h(f, exh_file_error_reason(e));
      out_puts(f, "</td></tr>\n");
    }
    out_puts(f, "</table>\n");
  }
  out_puts(f, "</body></html>\n");
}

EXH_REPORT_GUARDED(exh__report_html, report_html)
