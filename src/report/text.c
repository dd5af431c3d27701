/* Text report for a terminal: the verdict first, then findings grouped by
 * CVE with the evidence line, the log window, and what could not be read.
 * Every attacker-controlled byte goes through exh_term_str. */
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../util/util.h"
#include "guarded.h"
#include "exhunt/exhunt.h"


typedef struct tctx {
  FILE *f;
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

static void s(tctx *t, const char *str) { exh_term_str(t->f, str, strlen(str)); }

static void print_finding(tctx *t, const exh_finding *f) {
  int brief = f->level < EXH_LEVEL_MEDIUM; /* probes: one line of context, no record */
  char ts[32];
  exh_format_iso8601(f->time_ms, ts);
  fprintf(t->f, "  %s[%s]%s %s  ", col(t, level_color(f->level)), exh_level_name(f->level),
          col(t, "\033[0m"), ts);
  s(t, f->message);
  fputc('\n', t->f);
  if (f->source_ip || f->url) {
    fputs("      ", t->f);
    if (f->source_ip) {
      fputs("from ", t->f);
      s(t, f->source_ip);
      fputs("  ", t->f);
    }
    if (f->http_method) {
      s(t, f->http_method);
      fputc(' ', t->f);
    }
    if (f->url) s(t, f->url);
    if (f->http_status) fprintf(t->f, " -> %d", f->http_status);
    if (f->user_agent) {
      fputs("  UA ", t->f);
      s(t, f->user_agent);
    }
    fputc('\n', t->f);
  }
  fputs("      at ", t->f);
  s(t, f->path);
  if (f->is_file) {
    char mt[32];
    exh_format_iso8601(f->file_mtime_ms, mt);
    fprintf(t->f, " (%llu bytes, modified %s)\n", (unsigned long long)f->file_size, mt);
    if (f->file_sha256) {
      fputs("      sha256 ", t->f);
      s(t, f->file_sha256);
      fputc('\n', t->f);
    }
    if (f->story) {
      fputs("      story: ", t->f);
      s(t, f->story);
      fputc('\n', t->f);
    }
    if (f->evidence && !brief) {
      size_t n = f->evidence_len < EXH_TEXT_EVIDENCE ? f->evidence_len : EXH_TEXT_EVIDENCE;
      fprintf(t->f, "      %s| ", col(t, "\033[2m"));
      exh_term_str(t->f, f->evidence, n);
      if (n < f->evidence_len) fputs(" ...", t->f);
      fprintf(t->f, "%s\n", col(t, "\033[0m"));
    }
  } else {
    if (f->record_id)
      fprintf(t->f, " record %llu (offset %llu)\n", (unsigned long long)f->record_id, (unsigned long long)f->offset);
    else
      fprintf(t->f, ":%llu (offset %llu)\n", (unsigned long long)f->line, (unsigned long long)f->offset);
    if (brief) return;
    size_t n = f->evidence_len < EXH_TEXT_EVIDENCE ? f->evidence_len : EXH_TEXT_EVIDENCE;
    fprintf(t->f, "      %s| ", col(t, "\033[2m"));
    exh_term_str(t->f, f->evidence, n);
    if (n < f->evidence_len || f->evidence_truncated) fputs(" ...", t->f);
    fprintf(t->f, "%s\n", col(t, "\033[0m"));
  }
}

static const char *group_of(const exh_finding *f) { return f->rule->ncves ? f->rule->cves[0] : NULL; }

/* The per-attacker timeline: client addresses, most severe first. */
static void attackers(tctx *t, const exh_result *r, size_t sv, int verbose) {
  size_t n = 0, shown = 0;
  for (size_t k = 0; k < r->nactors; k++) n += r->actors[k].server == sv;
  if (!n) return;
  fprintf(t->f, "\nAttackers (%zu client address%s with findings):\n", n, n == 1 ? "" : "es");
  for (size_t k = 0; k < r->nactors; k++) {
    const exh_actor *a = &r->actors[k];
    if (a->server != sv) continue;
    if (!verbose && shown == 10) {
      fprintf(t->f, "  ... %zu more (--verbose lists them; so do jsonl and html)\n", n - shown);
      break;
    }
    shown++;
    char f1[32], f2[32];
    exh_format_iso8601(a->first_ms, f1);
    exh_format_iso8601(a->last_ms, f2);
    fputs("  ", t->f);
    s(t, a->ip);
    fprintf(t->f, "  %s .. %s  %zu finding%s (%zu critical, %zu high)", f1, f2, a->nfindings,
            a->nfindings == 1 ? "" : "s", a->nlevel[EXH_LEVEL_CRITICAL], a->nlevel[EXH_LEVEL_HIGH]);
    for (size_t c = 0; c < a->ncves; c++) { /* tags of third-party rules: escaped too */
      fputs(c ? " " : "  ", t->f);
      s(t, a->cves[c]);
    }
    fputc('\n', t->f);
  }
}

static void patch_level(tctx *t, const exh_server *S) {
  FILE *f = t->f;
  fputs("\nPatch level: ", f);
  if (!S->build) {
    fputs("unknown (no Bin/ExSetup.exe, OWA build folder or Exchange log with #Version)\n", f);
    return;
  }
  s(t, S->build);
  fprintf(f, " (%s; from %s)\n", S->product ? S->product : "unknown product", S->build_source);
  for (size_t i = 0; i < S->ncves; i++) {
    const exh_cve_status *c = &S->cves[i];
    const char *cc = c->status == EXH_PATCH_VULNERABLE ? "\033[1;31m" : c->status == EXH_PATCH_FIXED ? "\033[32m" : "";
    fprintf(f, "  %-15s %-13s %s%-10s%s %s\n", c->cve, c->campaign, col(t, cc), exh_patch_name(c->status),
            col(t, "\033[0m"), c->why);
  }
  if (S->nbuilds_seen > 1 || (S->nbuilds_seen == 1 && strcmp(S->builds_seen[0].build, S->build))) {
    fputs("  builds named by the Exchange logs (#Version):\n", f);
    for (size_t i = 0; i < S->nbuilds_seen; i++) {
      char a[32], b[32];
      exh_format_iso8601(S->builds_seen[i].first_ms, a);
      exh_format_iso8601(S->builds_seen[i].last_ms, b);
      fputs("    ", f);
      s(t, S->builds_seen[i].build);
      fprintf(f, "  %s .. %s (%u files)\n", a, b, S->builds_seen[i].files);
    }
  }
}

/* Each campaign's state, under the verdict. */
static void campaigns(tctx *t, const exh_server *S) {
  for (size_t k = 0; k < S->ncampaigns; k++) {
    const exh_campaign_view *c = &S->campaigns[k];
    const char *cc = c->state == EXH_CAMPAIGN_COMPROMISED ? "\033[1;31m"
                     : c->state == EXH_CAMPAIGN_ATTEMPTED ? "\033[33m"
                     : c->state == EXH_CAMPAIGN_CANNOT_TELL ? "\033[1;35m"
                                                            : "\033[32m";
    fprintf(t->f, "  %s %-13s %s%-17s%s ", k ? "          " : "campaigns:", c->campaign, col(t, cc),
            exh_campaign_state_name(c->state), col(t, "\033[0m"));
    s(t, c->why);
    fputc('\n', t->f);
  }
}

/* What the verdict rests on: every class of evidence, read or absent. */
static void coverage(tctx *t, const exh_result *r, size_t sv) {
  fputs("\nCoverage (what this verdict rests on; - : not found):\n", t->f);
  for (size_t i = 0; i < r->ncoverage; i++) {
    const exh_coverage *c = &r->coverage[i];
    if (c->server != sv) continue;
    fputs("  ", t->f);
    if (!c->present) {
      fputs("-  ", t->f);
      s(t, c->label);
      fputc('\n', t->f);
      continue;
    }
    fputs("+  ", t->f);
    s(t, c->label);
    if (c->first_ms != EXH_TIME_UNKNOWN) {
      char a[32], b[32];
      exh_format_iso8601(c->first_ms, a);
      exh_format_iso8601(c->last_ms, b);
      fprintf(t->f, "  %s .. %s", a, b);
    }
    fprintf(t->f, "  %u file%s", c->files, c->files == 1 ? "" : "s");
    if (c->records) fprintf(t->f, ", %llu records", (unsigned long long)c->records);
    if (c->errors) fprintf(t->f, ", %u not read in whole or in part", c->errors);
    if (!c->rules && c->files && strcmp(c->cls, "exsetup")) fputs(" (no loaded rule reads it)", t->f);
    fputc('\n', t->f);
  }
}

static exh_err report_text(FILE *f, const exh_result *r, const exh_report_opts *o) {
  tctx t = {f, o && o->color};
  int verbose = o && o->verbose;
  fprintf(f, "exhunt %s: Exchange compromise assessment\n", EXH_VERSION);
  for (size_t sv = 0; sv < r->nservers; sv++) {
    const exh_server *S = &r->servers[sv];
    const char *vc = S->verdict == EXH_VERDICT_COMPROMISED   ? "\033[1;31m"
                     : S->verdict == EXH_VERDICT_SUSPICIOUS ? "\033[1;33m"
                     : S->verdict == EXH_VERDICT_CLEAN      ? "\033[1;32m"
                                                            : "\033[1;35m";
    fputs("\n== ", f);
    s(&t, S->name);
    fputs(" (", f);
    s(&t, S->root);
    fprintf(f, ")\nVERDICT: %s%s%s\n  ", col(&t, vc), exh_verdict_name(S->verdict), col(&t, "\033[0m"));
    s(&t, S->reason);
    fputc('\n', f);
    if (S->limits) {
      fputs("  ", f);
      s(&t, S->limits);
      fputc('\n', f);
    }
    campaigns(&t, S);
    fprintf(f, "  findings: %zu critical, %zu high, %zu medium, %zu low, %zu informational\n",
            S->nfindings[4], S->nfindings[3], S->nfindings[2], S->nfindings[1], S->nfindings[0]);
    /* groups: each CVE in order of first appearance, then findings without CVE */
    const char *groups[64];
    size_t ng = 0;
    int have_none = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
      const exh_finding *x = &r->findings[i];
      if (x->server != sv) continue;
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
      for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].server == sv && (g ? group_of(&r->findings[i]) && !strcmp(group_of(&r->findings[i]), g)
                                              : !group_of(&r->findings[i])))
          cnt++;
      fputc('\n', f);
      s(&t, g ? g : "Other findings");
      fprintf(f, " (%zu)\n", cnt);
      /* most severe first within a group, then time */
      for (int l = EXH_LEVEL_CRITICAL; l >= EXH_LEVEL_INFO; l--) {
        size_t cap = l >= EXH_LEVEL_HIGH ? EXH_TEXT_CAP_HIGH : EXH_TEXT_CAP_LOW, seen = 0;
        for (size_t i = 0; i < r->nfindings; i++) {
          const exh_finding *x = &r->findings[i];
          if (x->server != sv || (int)x->level != l) continue;
          if (g ? !(group_of(x) && !strcmp(group_of(x), g)) : group_of(x) != NULL) continue;
          if (verbose || seen < cap) print_finding(&t, x);
          seen++;
        }
        if (!verbose && seen > cap)
          fprintf(f, "  ... %zu more %s finding%s (--verbose lists them; so does --format jsonl)\n", seen - cap,
                  exh_level_name((exh_level)l), seen - cap == 1 ? "" : "s");
      }
    }
    patch_level(&t, S);
    attackers(&t, r, sv, verbose);
    fputs("\nLog window (how far back this verdict reaches):\n", f);
    int any = 0;
    for (size_t i = 0; i < r->nwindows; i++) {
      const exh_logwindow *w = &r->windows[i];
      if (w->server != sv) continue;
      char a[32], b[32];
      exh_format_iso8601(w->first_ms, a);
      exh_format_iso8601(w->last_ms, b);
      fprintf(f, "  %s .. %s  %5u file%s  ", a, b, w->files, w->files == 1 ? " " : "s");
      s(&t, w->folder);
      fputc('\n', f);
      any = 1;
    }
    if (!any) fputs("  no Exchange or IIS log was read\n", f);
    coverage(&t, r, sv);
  }
  size_t nerr = 0, nskip = 0;
  for (size_t i = 0; i < r->nerrors; i++) r->errors[i].skipped ? nskip++ : nerr++;
  if (nerr || (verbose && nskip)) {
    fprintf(f, "\nFiles not read (%zu error%s, %zu skipped):\n", nerr, nerr == 1 ? "" : "s", nskip);
    for (size_t i = 0; i < r->nerrors; i++) {
      if (r->errors[i].skipped && !verbose) continue;
      fputs(r->errors[i].skipped ? "  skipped " : "  error   ", f);
      s(&t, r->errors[i].path);
      fputs(": ", f);
      s(&t, r->errors[i].reason);
      fputc('\n', f);
    }
  }
  fprintf(f, "\nrules: %zu Sigma, %zu YARA, %zu indicators, %zu baseline rows\n", r->rules_sigma, r->rules_yara,
          r->indicators, r->baseline_rows);
  fprintf(f, "scanned %llu of %llu files (%.1f MB) in %.2f s",
          (unsigned long long)r->files_scanned, (unsigned long long)r->files_seen,
          (double)r->bytes_scanned / 1e6, r->seconds);
  if (nskip && !verbose) fprintf(f, "; %zu skipped (links, special files; --verbose lists them)", nskip);
  fputc('\n', f);
  return ferror(f) ? EXH_EIO : EXH_OK;
}

EXH_REPORT_GUARDED(exh_report_text, report_text)
