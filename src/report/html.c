/* Self-contained HTML report: one file, inline CSS, no script, no external
 * resource, and a Content-Security-Policy that forbids scripts, so even an
 * escaping mistake could not run attacker text. Every string that came
 * from evidence goes through html_str (entities for & < > " ', control
 * bytes and invalid UTF-8 made visible).
 *
 * Layout per server: the verdict and why; the patch level; the attackers
 * (findings grouped by client address: first and last seen, what they hit,
 * which CVEs); files left behind; the whole timeline; the log window. */
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "guarded.h"
#include "exhunt/exhunt.h"

static void html_str(FILE *f, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    switch (c) {
    case '&': fputs("&amp;", f); i++; continue;
    case '<': fputs("&lt;", f); i++; continue;
    case '>': fputs("&gt;", f); i++; continue;
    case '"': fputs("&quot;", f); i++; continue;
    case '\'': fputs("&#39;", f); i++; continue;
    default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      if (c == '\n' || c == '\t') fputc(c, f);
      else fprintf(f, "<span class=c>\\x%02x</span>", c);
      i++;
      continue;
    }
    if (c < 0x80) {
      fputc(c, f);
      i++;
      continue;
    }
    size_t k = exh_utf8_len(p + i, n - i);
    if (!k) {
      fprintf(f, "<span class=c>\\x%02x</span>", c);
      i++;
      continue;
    }
    /* C1 controls (U+0080..U+009F) are as dangerous as C0 in some viewers */
    if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0) fprintf(f, "<span class=c>\\u%04x</span>", p[i + 1]);
    else fwrite(p + i, 1, k, f);
    i += k;
  }
}

static void h(FILE *f, const char *s) {
  if (s) html_str(f, s, strlen(s));
}

static void when(FILE *f, int64_t ms) {
  char t[32];
  if (ms == EXH_TIME_UNKNOWN) {
    fputs("?", f);
    return;
  }
  exh_format_iso8601(ms, t);
  t[19] = 0; /* seconds are enough on screen; JSONL has the milliseconds */
  t[10] = ' ';
  fputs(t, f);
}

static const char *level_class(exh_level l) {
  static const char *const c[] = {"info", "low", "medium", "high", "critical"};
  return (unsigned)l <= EXH_LEVEL_CRITICAL ? c[l] : "info";
}

static void cves(FILE *f, const exh_finding *x) {
  for (size_t k = 0; k < x->rule->ncves; k++) {
    if (k) fputs(" ", f);
    h(f, x->rule->cves[k]);
  }
}

static void where(FILE *f, const exh_finding *x) {
  h(f, x->path);
  if (x->line) fprintf(f, ":%llu", (unsigned long long)x->line);
  else if (x->record_id) fprintf(f, " record %llu", (unsigned long long)x->record_id);
}

static void finding_row(FILE *f, const exh_finding *x) {
  fprintf(f, "<tr class=%s><td class=t>", level_class(x->level));
  when(f, x->time_ms);
  fprintf(f, "</td><td><span class=\"lv %s\">%s</span></td><td>", level_class(x->level), exh_level_name(x->level));
  cves(f, x);
  fputs("</td><td>", f);
  h(f, x->source_ip);
  fputs("</td><td>", f);
  h(f, x->message);
  if (x->story) {
    fputs("<div><b>story:</b> ", f);
    h(f, x->story);
    fputs("</div>", f);
  }
  /* where it is; the raw record or matched bytes fold out beneath */
  int ev = x->evidence && x->evidence_len;
  fputs(ev ? "<details><summary>" : "<div class=w>", f);
  where(f, x);
  if (x->file_sha256) {
    fputs(" sha256 ", f);
    h(f, x->file_sha256);
  }
  if (ev) {
    fputs("</summary><pre>", f);
    html_str(f, x->evidence, x->evidence_len);
    fputs("</pre></details>", f);
  } else {
    fputs("</div>", f);
  }
  fputs("</td></tr>\n", f);
}

/* Findings grouped by client address (correlate/story.c): who did what, when. */
static void attackers(FILE *f, const exh_result *r, size_t sv) {
  size_t shown = 0;
  for (size_t k = 0; k < r->nactors; k++) {
    const exh_actor *a = &r->actors[k];
    if (a->server != sv) continue;
    if (!shown++)
      fputs("<table><tr><th>client address</th><th>first seen</th><th>last seen</th><th>findings</th><th>CVEs</th>"
            "<th>what</th></tr>\n",
            f);
    exh_level top = EXH_LEVEL_LOW;
    for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_LOW; l--)
      if (a->nlevel[l]) {
        top = (exh_level)l;
        break;
      }
    fprintf(f, "<tr class=%s><td>", level_class(top));
    h(f, a->ip);
    fputs("</td><td class=t>", f);
    when(f, a->first_ms);
    fputs("</td><td class=t>", f);
    when(f, a->last_ms);
    fprintf(f, "</td><td>%zu (%zu critical, %zu high)</td><td>", a->nfindings, a->nlevel[EXH_LEVEL_CRITICAL],
            a->nlevel[EXH_LEVEL_HIGH]);
    for (size_t c = 0; c < a->ncves; c++) {
      if (c) fputs(" ", f);
      h(f, a->cves[c]);
    }
    fputs("</td><td>", f);
    for (size_t c = 0; c < a->nrules; c++) {
      if (c) fputs("<br>", f);
      h(f, a->rules[c]);
    }
    fputs("</td></tr>\n", f);
  }
  fputs(shown ? "</table>\n" : "<p>No finding names a client address.</p>\n", f);
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

static exh_err report_html(FILE *f, const exh_result *r, const exh_report_opts *o) {
  (void)o;
  char now[32];
  exh_format_iso8601(r->scan_start_ms, now);
  fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=referrer content=no-referrer>\n<title>exhunt report</title>\n<style>",
        f);
  fputs(CSS, f);
  fprintf(f, "</style></head><body>\n<h1>exhunt %s: Exchange compromise assessment</h1>\n", EXH_VERSION);
  fprintf(f, "<p>Scan started %s; %llu of %llu files read (%.1f MB) in %.2f s. Rules: %zu Sigma, %zu YARA, %zu "
          "indicators, %zu baseline rows.</p>\n",
          now, (unsigned long long)r->files_scanned, (unsigned long long)r->files_seen,
          (double)r->bytes_scanned / 1e6, r->seconds, r->rules_sigma, r->rules_yara, r->indicators,
          r->baseline_rows);
  for (size_t sv = 0; sv < r->nservers; sv++) {
    const exh_server *S = &r->servers[sv];
    fputs("<h2>", f);
    h(f, S->name);
    fputs(" <small>", f);
    h(f, S->root);
    fprintf(f, "</small></h2>\n<p><span class=\"verdict v%d\">%s</span></p>\n<p>", (int)S->verdict,
            exh_verdict_name(S->verdict));
    h(f, S->reason);
    fputs("</p>\n<p>", f);
    if (S->limits) h(f, S->limits);
    fputs("</p>\n<table><tr><th>campaign</th><th>state</th><th>why</th></tr>\n", f);
    for (size_t k = 0; k < S->ncampaigns; k++) {
      fputs("<tr><td>", f);
      h(f, S->campaigns[k].campaign);
      fputs("</td><td>", f);
      h(f, exh_campaign_state_name(S->campaigns[k].state));
      fputs("</td><td>", f);
      h(f, S->campaigns[k].why);
      fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    fprintf(f, "<p>Findings: %zu critical, %zu high, %zu medium, %zu low, %zu informational.</p>\n",
            S->nfindings[4], S->nfindings[3], S->nfindings[2], S->nfindings[1], S->nfindings[0]);
    fputs("<h3>Patch level</h3>\n", f);
    if (!S->build) {
      fputs("<p>Unknown: no Bin/ExSetup.exe, OWA build folder or Exchange log with #Version.</p>\n", f);
    } else {
      fputs("<p>Build <b>", f);
      h(f, S->build);
      fputs("</b> (", f);
      h(f, S->product ? S->product : "unknown product");
      fputs("; from ", f);
      h(f, S->build_source);
      fputs(")</p>\n<table><tr><th>CVE</th><th>campaign</th><th>status</th><th>why</th></tr>\n", f);
      for (size_t i = 0; i < S->ncves; i++) {
        const exh_cve_status *c = &S->cves[i];
        fprintf(f, "<tr><td>%s</td><td>%s</td><td class=%s>%s</td><td>%s</td></tr>\n", c->cve, c->campaign,
                exh_patch_name(c->status), exh_patch_name(c->status), c->why);
      }
      fputs("</table>\n", f);
      if (S->nbuilds_seen) {
        fputs("<p>Builds named by the Exchange logs:</p><table><tr><th>build</th><th>first</th><th>last</th>"
              "<th>files</th></tr>\n",
              f);
        for (size_t i = 0; i < S->nbuilds_seen; i++) {
          fputs("<tr><td>", f);
          h(f, S->builds_seen[i].build);
          fputs("</td><td class=t>", f);
          when(f, S->builds_seen[i].first_ms);
          fputs("</td><td class=t>", f);
          when(f, S->builds_seen[i].last_ms);
          fprintf(f, "</td><td>%u</td></tr>\n", S->builds_seen[i].files);
        }
        fputs("</table>\n", f);
      }
    }
    fputs("<h3>Attackers (findings by client address)</h3>\n", f);
    attackers(f, r, sv);
    fputs("<h3>Files left behind</h3>\n", f);
    size_t nfiles = 0;
    for (size_t i = 0; i < r->nfindings; i++)
      if (r->findings[i].server == sv && r->findings[i].is_file) nfiles++;
    if (!nfiles) {
      fputs("<p>No file finding.</p>\n", f);
    } else {
      fputs("<table><tr><th>modified</th><th>level</th><th>CVE</th><th>client</th><th>finding</th></tr>\n", f);
      for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_INFO; l--)
        for (size_t i = 0; i < r->nfindings; i++)
          if (r->findings[i].server == sv && r->findings[i].is_file && (int)r->findings[i].level == l)
            finding_row(f, &r->findings[i]);
      fputs("</table>\n", f);
    }
    fputs("<h3>Timeline</h3>\n<table><tr><th>time (UTC)</th><th>level</th><th>CVE</th><th>client</th>"
          "<th>finding</th></tr>\n",
          f);
    for (size_t i = 0; i < r->nfindings; i++)
      if (r->findings[i].server == sv) finding_row(f, &r->findings[i]);
    fputs("</table>\n<h3>Log window</h3>\n", f);
    int any = 0;
    for (size_t i = 0; i < r->nwindows; i++) {
      const exh_logwindow *w = &r->windows[i];
      if (w->server != sv) continue;
      if (!any) fputs("<table><tr><th>first</th><th>last</th><th>files</th><th>folder</th></tr>\n", f);
      any = 1;
      fputs("<tr><td class=t>", f);
      when(f, w->first_ms);
      fputs("</td><td class=t>", f);
      when(f, w->last_ms);
      fprintf(f, "</td><td>%u</td><td>", w->files);
      h(f, w->folder);
      fputs("</td></tr>\n", f);
    }
    fputs(any ? "</table>\n" : "<p>No Exchange or IIS log was read.</p>\n", f);
    fputs("<h3>Coverage (what the verdict rests on)</h3>\n<table><tr><th>evidence</th><th>read</th><th>first</th>"
          "<th>last</th><th>files</th><th>records</th><th>with errors</th><th>rules</th></tr>\n",
          f);
    for (size_t i = 0; i < r->ncoverage; i++) {
      const exh_coverage *c = &r->coverage[i];
      if (c->server != sv) continue;
      fprintf(f, "<tr%s><td>", c->present ? "" : " class=absent");
      h(f, c->label);
      fprintf(f, "</td><td>%s</td><td class=t>", c->present ? "yes" : "not found");
      when(f, c->first_ms);
      fputs("</td><td class=t>", f);
      when(f, c->last_ms);
      fprintf(f, "</td><td>%u</td><td>%llu</td><td>%u</td><td>%zu</td></tr>\n", c->files,
              (unsigned long long)c->records, c->errors, c->rules);
    }
    fputs("</table>\n", f);
  }
  if (r->nerrors) {
    fputs("<h2>Files not read or skipped</h2>\n<table><tr><th></th><th>path</th><th>reason</th></tr>\n", f);
    for (size_t i = 0; i < r->nerrors; i++) {
      fprintf(f, "<tr><td>%s</td><td class=w>", r->errors[i].skipped ? "skipped" : "error");
      h(f, r->errors[i].path);
      fputs("</td><td>", f);
      h(f, r->errors[i].reason);
      fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
  }
  fputs("</body></html>\n", f);
  return ferror(f) ? EXH_EIO : EXH_OK;
}

EXH_REPORT_GUARDED(exh_report_html, report_html)
