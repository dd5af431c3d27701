/* Text report for a terminal: the verdict first, then findings grouped by
 * CVE with the evidence line, the log window, and what could not be read.
 * Every attacker-controlled byte goes through out_term (exh__term_buf). */
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "fleet.h"
#include "out.h"
#include "report.h"

typedef struct tctx {
  exh_out *f;
  int color;
} tctx;

static const char *col(const tctx *t, const char *c) { return t->color ? c : ""; }

static const char *level_color(exh_level l) {
  switch (l) {
  case EXH_LEVEL_CRITICAL: return "\033[1;31m";
  case EXH_LEVEL_HIGH: return "\033[31m";
  case EXH_LEVEL_MEDIUM: return "\033[33m";
  case EXH_LEVEL_LOW: return "\033[36m";
  default: return "\033[2m";
  }
}

static void s(tctx *t, const char *str) { out_term(t->f, str, strlen(str)); }

/* The record or matched bytes, cut for the screen; "..." when cut here or
 * when the finding holds only the start of its record. */
static void evidence_line(tctx *t, const char *ev, size_t evn, int cut) {
  size_t n = evn < EXH_TEXT_EVIDENCE ? evn : EXH_TEXT_EVIDENCE;
  exh__out_printf(t->f, "      %s| ", col(t, "\033[2m"));
  out_term(t->f, ev, n);
  if (n < evn || cut) out_puts(t->f, " ...");
  exh__out_printf(t->f, "%s\n", col(t, "\033[0m"));
}

/* The same finding in the volume's shadow copies. */
static void also(tctx *t, const exh_finding *f) {
  if (exh_finding_original_path(f)) {
    out_puts(t->f, "      on the server: ");
    s(t, exh_finding_original_path(f));
    out_putc(t->f, '\n');
  }
  for (size_t i = 0; i < exh_finding_nalso(f); i++) {
    out_puts(t->f, "      also in a shadow copy: ");
    s(t, exh_finding_also(f, i));
    out_putc(t->f, '\n');
  }
}

static void print_finding(tctx *t, const exh_finding *f) {
  exh_level lv = exh_finding_level(f);
  int brief = lv < EXH_LEVEL_MEDIUM; /* probes: one line of context, no record */
  const char *ip = exh_finding_source_ip(f), *url = exh_finding_url(f), *method = exh_finding_http_method(f);
  const char *hop = exh_finding_hop_ip(f), *note = exh_finding_address_note(f);
  const char *ua = exh_finding_user_agent(f);
  size_t evn;
  int evcut;
  const char *ev = exh_finding_evidence(f, &evn, &evcut);
  char ts[32];
  exh__format_iso8601(exh_finding_time(f), ts);
  exh__out_printf(t->f, "  %s[%s]%s %s  ", col(t, level_color(lv)), exh_level_name(lv), col(t, "\033[0m"), ts);
  s(t, exh_finding_message(f));
  out_putc(t->f, '\n');
  if (ip || url || hop) {
    out_puts(t->f, "      ");
    if (ip) {
      out_puts(t->f, "from ");
      s(t, ip);
      if (note && !hop) { /* what the client is: another scanned server, ... */
        out_puts(t->f, " (");
        s(t, note);
        out_putc(t->f, ')');
      }
      out_puts(t->f, "  ");
    }
    if (hop) { /* the server's own address, a front end, a proxy: a hop, not the client */
      out_puts(t->f, "via ");
      s(t, hop);
      out_puts(t->f, " (");
      s(t, note ? note : "the server itself");
      out_puts(t->f, ")  ");
    }
    if (method) {
      s(t, method);
      out_putc(t->f, ' ');
    }
    if (url) s(t, url);
    if (exh_finding_http_status(f)) exh__out_printf(t->f, " -> %d", exh_finding_http_status(f));
    if (ua) {
      out_puts(t->f, "  UA ");
      s(t, ua);
    }
    out_putc(t->f, '\n');
  }
  out_puts(t->f, "      at ");
  s(t, exh_finding_path(f));
  if (exh_finding_is_file(f)) {
    char mt[32];
    exh__format_iso8601(exh_finding_file_mtime(f), mt);
    exh__out_printf(t->f, " (%llu bytes, modified %s)\n", (unsigned long long)exh_finding_file_size(f), mt);
    if (exh_finding_sha256(f)) {
      out_puts(t->f, "      sha256 ");
      s(t, exh_finding_sha256(f));
      out_putc(t->f, '\n');
    }
    also(t, f);
    if (exh_finding_story(f)) {
      out_puts(t->f, "      story: ");
      s(t, exh_finding_story(f));
      out_putc(t->f, '\n');
    }
    if (ev && !brief) evidence_line(t, ev, evn, 0);
  } else {
    if (exh_finding_record_id(f))
      exh__out_printf(t->f, " record %llu (offset %llu)\n", (unsigned long long)exh_finding_record_id(f),
                      (unsigned long long)exh_finding_offset(f));
    else
      exh__out_printf(t->f, ":%llu (offset %llu)\n", (unsigned long long)exh_finding_line(f),
                      (unsigned long long)exh_finding_offset(f));
    also(t, f);
    if (exh_finding_story(f)) { /* a process the web server started: the request that ran it */
      out_puts(t->f, "      story: ");
      s(t, exh_finding_story(f));
      out_putc(t->f, '\n');
    }
    if (brief) return;
    evidence_line(t, ev ? ev : "", evn, evcut);
  }
}

static const char *group_of(const exh_finding *f) { return exh_finding_ncves(f) ? exh_finding_cve(f, 0) : NULL; }

/* Whether finding f belongs to group g (a CVE, or NULL: findings without one). */
static int in_group(const exh_finding *f, const char *g) {
  const char *h = group_of(f);
  return g ? h && !strcmp(h, g) : !h;
}

/* The per-attacker timeline: client addresses, most severe first. */
static void attackers(tctx *t, const exh_result *r, size_t sv, int verbose) {
  size_t n = 0, shown = 0;
  for (size_t k = 0; k < exh_result_nactors(r); k++) n += exh_actor_server(exh_result_actor(r, k)) == sv;
  if (!n) return;
  exh__out_printf(t->f, "\nAttackers (%zu client address%s with findings):\n", n, n == 1 ? "" : "es");
  for (size_t k = 0; k < exh_result_nactors(r); k++) {
    const exh_actor *a = exh_result_actor(r, k);
    if (exh_actor_server(a) != sv) continue;
    if (!verbose && shown == 10) {
      exh__out_printf(t->f, "  ... %zu more (--verbose lists them; so do jsonl and html)\n", n - shown);
      break;
    }
    shown++;
    char f1[32], f2[32];
    size_t nf = exh_actor_nfindings(a);
    exh__format_iso8601(exh_actor_first(a), f1);
    exh__format_iso8601(exh_actor_last(a), f2);
    out_puts(t->f, "  ");
    s(t, exh_actor_ip(a));
    exh__out_printf(t->f, "  %s .. %s  %zu finding%s (%zu critical, %zu high)", f1, f2, nf, nf == 1 ? "" : "s",
                    exh_actor_nlevel(a, EXH_LEVEL_CRITICAL), exh_actor_nlevel(a, EXH_LEVEL_HIGH));
    for (size_t c = 0; c < exh_actor_ncves(a); c++) { /* tags of third-party rules: escaped too */
      out_puts(t->f, c ? " " : "  ");
      s(t, exh_actor_cve(a, c));
    }
    out_putc(t->f, '\n');
  }
}

static void patch_level(tctx *t, const exh_server *S) {
  exh_out *f = t->f;
  const char *build = exh_server_build(S), *product = exh_server_product(S);
  out_puts(f, "\nPatch level: ");
  if (!build) {
    out_puts(f, "unknown (no Bin/ExSetup.exe, OWA build folder or Exchange log with #Version)\n");
    return;
  }
  s(t, build);
  exh__out_printf(f, " (%s; from %s)\n", product ? product : "unknown product", exh_server_build_source(S));
  for (size_t i = 0; i < exh_server_ncves(S); i++) {
    const exh_cve_status *c = exh_server_cve(S, i);
    exh_patch st = exh_cve_status_patch(c);
    const char *cc = st == EXH_PATCH_VULNERABLE ? "\033[1;31m" : st == EXH_PATCH_FIXED ? "\033[32m" : "";
    exh__out_printf(f, "  %-15s %-13s %s%-10s%s %s\n", exh_cve_status_id(c), exh_cve_status_campaign(c), col(t, cc),
                    exh_patch_name(st), col(t, "\033[0m"), exh_cve_status_why(c));
  }
  size_t nb = exh_server_nbuilds_seen(S);
  if (nb > 1 || (nb == 1 && strcmp(exh_build_seen_build(exh_server_build_seen(S, 0)), build))) {
    out_puts(f, "  builds named by the Exchange logs (#Version):\n");
    for (size_t i = 0; i < nb; i++) {
      const exh_build_seen *b = exh_server_build_seen(S, i);
      char a[32], z[32];
      exh__format_iso8601(exh_build_seen_first(b), a);
      exh__format_iso8601(exh_build_seen_last(b), z);
      out_puts(f, "    ");
      s(t, exh_build_seen_build(b));
      exh__out_printf(f, "  %s .. %s (%u files)\n", a, z, exh_build_seen_files(b));
    }
  }
}

/* Each campaign's state, under the verdict. */
static void campaigns(tctx *t, const exh_server *S) {
  for (size_t k = 0; k < exh_server_ncampaigns(S); k++) {
    const exh_campaign *c = exh_server_campaign(S, k);
    exh_campaign_state st = exh_campaign_state_of(c);
    const char *cc = st == EXH_CAMPAIGN_COMPROMISED ? "\033[1;31m"
                     : st == EXH_CAMPAIGN_ATTEMPTED ? "\033[33m"
                     : st == EXH_CAMPAIGN_CANNOT_TELL ? "\033[1;35m"
                                                      : "\033[32m";
    exh__out_printf(t->f, "  %s %-13s %s%-17s%s ", k ? "          " : "campaigns:", exh_campaign_name(c), col(t, cc),
                    exh_campaign_state_name(st), col(t, "\033[0m"));
    s(t, exh_campaign_why(c));
    out_putc(t->f, '\n');
  }
}

/* What the verdict rests on: every class of evidence, read or absent. */
static void coverage(tctx *t, const exh_result *r, size_t sv) {
  out_puts(t->f, "\nCoverage (what this verdict rests on; - : not found):\n");
  for (size_t i = 0; i < exh_result_ncoverage(r); i++) {
    const exh_coverage *c = exh_result_coverage(r, i);
    if (exh_coverage_server(c) != sv) continue;
    out_puts(t->f, "  ");
    if (!exh_coverage_present(c)) {
      out_puts(t->f, "-  ");
      s(t, exh_coverage_label(c));
      out_putc(t->f, '\n');
      continue;
    }
    uint32_t files = exh_coverage_files(c), errors = exh_coverage_errors(c);
    if (!strcmp(exh_coverage_class(c), "unchecked_files")) { /* found, not read */
      out_puts(t->f, "!  ");
      s(t, exh_coverage_label(c));
      exh__out_printf(t->f, "  %u file%s\n", files, files == 1 ? "" : "s");
      continue;
    }
    out_puts(t->f, "+  ");
    s(t, exh_coverage_label(c));
    if (exh_coverage_first(c) != EXH_TIME_UNKNOWN) {
      char a[32], b[32];
      exh__format_iso8601(exh_coverage_first(c), a);
      exh__format_iso8601(exh_coverage_last(c), b);
      exh__out_printf(t->f, "  %s .. %s", a, b);
    }
    exh__out_printf(t->f, "  %u file%s", files, files == 1 ? "" : "s");
    if (exh_coverage_records(c)) exh__out_printf(t->f, ", %llu records", (unsigned long long)exh_coverage_records(c));
    if (errors) exh__out_printf(t->f, ", %u not read in whole or in part", errors);
    if (!exh_coverage_rules(c) && files && strcmp(exh_coverage_class(c), "exsetup"))
      out_puts(t->f, " (no loaded rule reads it)");
    out_putc(t->f, '\n');
  }
}

/* One server's findings: each CVE in order of first appearance, then the
 * findings without one; most severe first within a group, then by time. */
static void findings(tctx *t, const exh_result *r, size_t sv, int verbose) {
  exh_out *f = t->f;
  const char *groups[64];
  size_t ng = 0, nf = exh_result_nfindings(r);
  int have_none = 0;
  for (size_t i = 0; i < nf; i++) {
    const exh_finding *x = exh_result_finding(r, i);
    if (exh_finding_server(x) != sv) continue;
    const char *g = group_of(x);
    if (!g) {
      have_none = 1;
      continue;
    }
    size_t k = 0;
    while (k < ng && strcmp(groups[k], g)) k++;
    if (k == ng && ng < 64) groups[ng++] = g;
  }
  for (size_t gi = 0; gi <= ng; gi++) {
    const char *g = gi < ng ? groups[gi] : NULL;
    if (!g && !have_none) break;
    size_t cnt = 0;
    for (size_t i = 0; i < nf; i++) {
      const exh_finding *x = exh_result_finding(r, i);
      if (exh_finding_server(x) == sv && in_group(x, g)) cnt++;
    }
    out_putc(f, '\n');
    s(t, g ? g : "Other findings");
    exh__out_printf(f, " (%zu)\n", cnt);
    for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_INFO; l--) {
      size_t cap = l >= EXH_LEVEL_HIGH ? EXH_TEXT_CAP_HIGH : EXH_TEXT_CAP_LOW, seen = 0;
      for (size_t i = 0; i < nf; i++) {
        const exh_finding *x = exh_result_finding(r, i);
        if (exh_finding_server(x) != sv || (int)exh_finding_level(x) != l || !in_group(x, g)) continue;
        if (verbose || seen < cap) print_finding(t, x);
        seen++;
      }
      if (!verbose && seen > cap)
        exh__out_printf(f, "  ... %zu more %s finding%s (--verbose lists them; so does --format jsonl)\n", seen - cap,
                        exh_level_name((exh_level)l), seen - cap == 1 ? "" : "s");
    }
  }
}

/* "Sigma rule sets: built-in 65 (exhunt 0.1.0); SigmaHQ 2,310 of 3,112
 * (commit ...) from PATH": which rules looked, so that no finding is read
 * in their context; without SigmaHQ, where it would have been found. */
static void rule_sets(tctx *t, const exh_result *r) {
  exh_out *f = t->f;
  int sigmahq = 0;
  out_puts(f, "Sigma rule sets:");
  for (size_t i = 0; i < exh_result_nrule_sets(r); i++) {
    const exh_rule_set *st = exh_result_rule_set(r, i);
    size_t loaded = exh_rule_set_loaded(st), rejected = exh_rule_set_rejected(st);
    out_puts(f, i ? "; " : " ");
    s(t, exh_rule_set_name(st));
    if (rejected) exh__out_printf(f, " %zu of %zu", loaded, loaded + rejected);
    else exh__out_printf(f, " %zu", loaded);
    const char *v = exh_rule_set_version(st), *o = exh_rule_set_origin(st);
    if (v) {
      out_puts(f, " (");
      s(t, v);
      out_putc(f, ')');
    }
    if (o && o[0] && strcmp(exh_rule_set_name(st), "built-in")) { /* a path */
      out_puts(f, " from ");
      s(t, o);
    }
    if (!strcmp(exh_rule_set_name(st), "SigmaHQ")) sigmahq = 1;
  }
  if (!exh_result_nrule_sets(r)) out_puts(f, " none");
  if (!sigmahq) out_puts(f, "; SigmaHQ not loaded (README: rule sets)");
  out_putc(f, '\n');
}

static void day(int64_t ms, char out[11]) {
  char iso[32];
  if (ms == EXH_TIME_UNKNOWN) {
    out[0] = '-', out[1] = 0;
    return;
  }
  exh__format_iso8601(ms, iso);
  memcpy(out, iso, 10);
  out[10] = 0;
}

/* A cell: at most w bytes of third-party text (cut on a character
 * boundary), escaped, padded to w. */
static void cell(tctx *t, const char *str, size_t w) {
  size_t n = strlen(str);
  if (n > w) {
    n = w;
    while (n > 0 && ((unsigned char)str[n] & 0xC0) == 0x80) n--;
  }
  out_term(t->f, str, n);
  for (size_t k = n; k < w + 1; k++) out_putc(t->f, ' ');
}

/* A cell printed whole even past its width (then one space). */
static void cell_whole(tctx *t, const char *str, size_t w) {
  size_t n = strlen(str);
  out_term(t->f, str, n);
  for (size_t k = n; k < w + 1 || k == n; k++) out_putc(t->f, ' ');
}

/* The fleet table (more than one server): one screen for fifty servers,
 * most severe first, then the details of each server. */
static void fleet(tctx *t, const exh_result *r) {
  exh_out *f = t->f;
  size_t n = exh_result_nservers(r), c[5];
  exh__fleet_counts(r, c);
  exh__out_printf(f, "\nFleet: %zu servers: %zu compromised, %zu exploitation attempted, %zu cannot tell, %zu no evidence examined, "
                     "%zu no evidence of compromise (details per server below)\n",
                  n, c[EXH_VERDICT_COMPROMISED], c[EXH_VERDICT_SUSPICIOUS], c[EXH_VERDICT_CANNOT_TELL],
                  c[EXH_VERDICT_NOTHING_EXAMINED], c[EXH_VERDICT_CLEAN]);
  out_puts(f, "  server                   verdict                    campaigns                  attacker activity      "
              "patch       logs                   read\n");
  size_t *idx = exh__fleet_order(r);
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    exh_fleet_row row;
    exh__fleet_row(r, i, &row);
    char a[11], b[11], la[11], lb[11], span[32], logs[32];
    day(row.first, a), day(row.last, b), day(row.log_first, la), day(row.log_last, lb);
    snprintf(span, sizeof span, "%s..%s", a, b);
    snprintf(logs, sizeof logs, "%s..%s", la, lb);
    out_puts(f, "  ");
    cell(t, exh_server_name(row.server), 24);
    cell(t, exh_verdict_name(row.verdict), 26);
    cell_whole(t, row.campaigns[0] ? row.campaigns : "-", 26); /* never cut: a campaign left out is a claim */
    cell(t, row.first == EXH_TIME_UNKNOWN ? "-" : span, 22);
    cell(t, exh_patch_name(row.patch), 11);
    cell(t, row.log_first == EXH_TIME_UNKNOWN ? "-" : logs, 22);
    out_puts(f, row.coverage);
    out_putc(f, '\n');
  }
  free(idx);
}

static void report_text(exh_out *f, const exh_result *r, const exh_report_opts *o) {
  tctx t = {f, o && o->color};
  int verbose = o && o->verbose;
  exh__out_printf(f, "exhunt %s: Exchange compromise assessment\n", EXH_VERSION);
  if (exh_result_nservers(r) > 1) fleet(&t, r);
  /* the servers in the fleet table's order: most severe first */
  size_t *order = exh__fleet_order(r);
  for (size_t k = 0; k < exh_result_nservers(r); k++) {
    size_t sv = order[k];
    const exh_server *S = exh_result_server(r, sv);
    exh_verdict v = exh_server_verdict(S);
    const char *vc = v == EXH_VERDICT_COMPROMISED   ? "\033[1;31m"
                     : v == EXH_VERDICT_SUSPICIOUS ? "\033[1;33m"
                     : v == EXH_VERDICT_CLEAN      ? "\033[1;32m"
                                                   : "\033[1;35m";
    out_puts(f, "\n== ");
    s(&t, exh_server_name(S));
    out_puts(f, " (");
    s(&t, exh_server_root(S));
    exh__out_printf(f, ")\nVERDICT: %s%s%s\n  ", col(&t, vc), exh_verdict_name(v), col(&t, "\033[0m"));
    s(&t, exh_server_reason(S));
    out_putc(f, '\n');
    if (exh_server_limits(S)) {
      out_puts(f, "  ");
      s(&t, exh_server_limits(S));
      out_putc(f, '\n');
    }
    campaigns(&t, S);
    exh__out_printf(f, "  findings: %zu critical, %zu high, %zu medium, %zu low, %zu informational\n",
                    exh_server_nlevel(S, EXH_LEVEL_CRITICAL), exh_server_nlevel(S, EXH_LEVEL_HIGH),
                    exh_server_nlevel(S, EXH_LEVEL_MEDIUM), exh_server_nlevel(S, EXH_LEVEL_LOW),
                    exh_server_nlevel(S, EXH_LEVEL_INFO));
    findings(&t, r, sv, verbose);
    patch_level(&t, S);
    attackers(&t, r, sv, verbose);
    out_puts(f, "\nLog window (how far back this verdict reaches):\n");
    int any = 0;
    for (size_t i = 0; i < exh_result_nwindows(r); i++) {
      const exh_logwindow *w = exh_result_window(r, i);
      if (exh_logwindow_server(w) != sv) continue;
      uint32_t files = exh_logwindow_files(w);
      char a[32], b[32];
      exh__format_iso8601(exh_logwindow_first(w), a);
      exh__format_iso8601(exh_logwindow_last(w), b);
      exh__out_printf(f, "  %s .. %s  %5u file%s  ", a, b, files, files == 1 ? " " : "s");
      s(&t, exh_logwindow_folder(w));
      out_putc(f, '\n');
      any = 1;
    }
    if (!any) out_puts(f, "  no Exchange or IIS log was read\n");
    coverage(&t, r, sv);
  }
  free(order);
  size_t nerr = 0, nskip = 0;
  for (size_t i = 0; i < exh_result_nerrors(r); i++) exh_file_error_skipped(exh_result_error(r, i)) ? nskip++ : nerr++;
  if (nerr || (verbose && nskip)) {
    exh__out_printf(f, "\nFiles not read (%zu error%s, %zu skipped):\n", nerr, nerr == 1 ? "" : "s", nskip);
    for (size_t i = 0; i < exh_result_nerrors(r); i++) {
      const exh_file_error *e = exh_result_error(r, i);
      if (exh_file_error_skipped(e) && !verbose) continue;
      out_puts(f, exh_file_error_skipped(e) ? "  skipped " : "  error   ");
      s(&t, exh_file_error_path(e));
      out_puts(f, ": ");
      s(&t, exh_file_error_reason(e));
      out_putc(f, '\n');
    }
  }
  exh__out_printf(f, "\nrules: %zu Sigma, %zu YARA, %zu indicators, %zu baseline rows\n", exh_result_rules_sigma(r),
                  exh_result_rules_yara(r), exh_result_indicators(r), exh_result_baseline_rows(r));
  rule_sets(&t, r);
  exh__out_printf(f, "scanned %llu of %llu files (%.1f MB) in %.2f s", (unsigned long long)exh_result_files_scanned(r),
                  (unsigned long long)exh_result_files_seen(r), (double)exh_result_bytes_scanned(r) / 1e6,
                  exh_result_seconds(r));
  if (nskip && !verbose) exh__out_printf(f, "; %zu skipped (links, special files; --verbose lists them)", nskip);
  out_putc(f, '\n');
}

EXH_REPORT_GUARDED(exh__report_text, report_text)
