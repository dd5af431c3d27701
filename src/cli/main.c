/* exhunt: the command line, a thin layer over libexhunt. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exhunt/exhunt.h"

static void usage(FILE *f) {
  fputs("usage: exhunt scan [options] PATH...\n"
        "       exhunt rules check [--no-builtin] [--yara PATH] [PATH...]\n"
        "       exhunt rules list [-v]           (-v: each rule's prefilter literals)\n"
        "       exhunt dump [--format jsonl|xml] [-j N] FILE.evtx...\n"
        "       exhunt version\n"
        "\n"
        "scan walks each PATH (a server's drive, a triage collection or single files;\n"
        "each PATH is one server) and reports traces of Exchange exploitation.\n"
        "\n"
        "options:\n"
        "  -f, --format FMT   text (default), jsonl (Elastic Common Schema names), csv,\n"
        "                     timesketch (Timesketch's JSONL import format), html (one\n"
        "                     self-contained file: verdict, patch level, attackers, timeline)\n"
        "  -o, --output FILE  write the report to FILE (never inside a scanned PATH)\n"
        "  -j, --threads N    worker threads (default: one per core)\n"
        "  -r, --rules PATH   add Sigma rules from a file or folder (repeatable;\n"
        "      --sigma PATH   same)\n"
        "      --no-builtin   do not load the rules compiled into exhunt\n"
        "      --sigmahq PATH  SigmaHQ's rule tree (default: $EXHUNT_SIGMA_PATH, else the\n"
        "                     first of $XDG_DATA_HOME/exhunt/sigma, ~/.local/share/exhunt/sigma,\n"
        "                     /usr/local/share/exhunt/sigma, /usr/share/exhunt/sigma)\n"
        "      --no-sigmahq   do not load SigmaHQ's rules from the default folders\n"
        "  -v, --verbose      text: list every finding and skipped file\n"
        "      --color WHEN   auto (default), always, never\n"
        "      --progress     progress on stderr (default: when stderr is a terminal)\n"
        "      --no-progress\n"
        "      --strict       exit 2 when any file could not be read\n"
        "      --max-file-size N  logs larger than N bytes (K, M, G) are not read (default 64G)\n"
        "      --file-timeout S   stop reading one file after S seconds (default 600)\n"
        "\n"
        "files on disk (web and staging folders, files named as PATH; docs/files.md):\n"
        "      --yara PATH    add YARA rules (a .yar file or a folder of them; repeatable)\n"
        "      --ioc FILE     add indicators: MSTIC CSV, STIX 2.1 JSON or a plain list\n"
        "                     (SHA-256/SHA-1/MD5, Windows paths, file names, IPs; repeatable)\n"
        "      --baseline FILE  CSS-Exchange known-good hashes (SHA256,build,\\path; repeatable)\n"
        "      --all-files    check every file, not only web and staging folders\n"
        "      --max-content-size N  hash and YARA-scan files up to N bytes (default 64M)\n"
        "\n"
        "exit status: 0 no findings, 1 findings, 2 error (with --strict: also an unreadable file)\n",
        f);
}

/* The library writes through callbacks (exh_write_fn); the program's
 * streams are stdio's. */
static int to_file(void *f, const char *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }

/* Rule files and paths are third-party text: control bytes and characters
 * that reorder or hide text never reach the terminal raw. */
static void put_safe(FILE *f, const char *s) {
  if (s) (void)exh_term_write(to_file, f, s, strlen(s));
}

typedef struct rejects {
  int quiet;
  size_t n;
} rejects;

static void on_reject(void *ctx, const char *source, const char *title, const char *why) {
  rejects *r = ctx;
  if (title && !strcmp(title, EXH_REJECT_NOTE)) {
    fputs("exhunt: note: ", stderr);
    put_safe(stderr, source);
    fputs(": ", stderr);
    put_safe(stderr, why);
    fputc('\n', stderr);
    return;
  }
  r->n++;
  if (r->quiet) return;
  fputs("rule not loaded: ", stderr);
  put_safe(stderr, source);
  if (title && title[0]) {
    fputs(" (", stderr);
    put_safe(stderr, title);
    fputc(')', stderr);
  }
  fputs(": ", stderr);
  put_safe(stderr, why);
  fputc('\n', stderr);
}

/* SigmaHQ's default folder (README "Rule sets"): $EXHUNT_SIGMA_PATH when
 * set (empty: none; *asked = 1, so a wrong path is an error, not a silent
 * scan without it), else the first folder that exists of the user's and
 * the system's data folders. */
static const char *default_sigmahq(char *buf, size_t n, int *asked) {
  struct stat st;
  const char *env = getenv("EXHUNT_SIGMA_PATH");
  if (env) {
    *asked = env[0] != 0;
    return env[0] && stat(env, &st) == 0 && S_ISDIR(st.st_mode) ? env : NULL;
  }
  const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
  char cand[3][PATH_MAX];
  int nc = 0;
  if (xdg && xdg[0] == '/') snprintf(cand[nc++], PATH_MAX, "%s/exhunt/sigma", xdg);
  else if (home && home[0] == '/') snprintf(cand[nc++], PATH_MAX, "%s/.local/share/exhunt/sigma", home);
  snprintf(cand[nc++], PATH_MAX, "/usr/local/share/exhunt/sigma");
  snprintf(cand[nc++], PATH_MAX, "/usr/share/exhunt/sigma");
  for (int i = 0; i < nc; i++)
    if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      snprintf(buf, n, "%s", cand[i]);
      return buf;
    }
  return NULL;
}

/* One line of `rules list`: level, id, title (third-party text, escaped). */
static void print_rule(const exh_rule_info *ri) {
  printf("%-8s ", exh_level_name(exh_rule_info_level(ri)));
  put_safe(stdout, exh_rule_info_id(ri));
  fputc(' ', stdout);
  put_safe(stdout, exh_rule_info_title(ri));
  fputc('\n', stdout);
}

static int cmd_rules(int argc, char **argv) {
  int builtin = 1;
  int list = argc >= 1 && !strcmp(argv[0], "list");
  if (!list && (argc < 1 || strcmp(argv[0], "check"))) {
    usage(stderr);
    return 2;
  }
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  rejects rj = {0, 0};
  exh_ruleset_on_reject(rs, on_reject, &rj);
  int npaths = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--no-builtin")) builtin = 0;
  }
  if (builtin) exh_ruleset_add_builtin(rs);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--yara") && i + 1 < argc) { /* YARA rule files or folders */
      exh_ruleset_add_yara_path(rs, argv[++i]);
      continue;
    }
    if (argv[i][0] == '-') continue;
    exh_ruleset_add_path(rs, argv[i]);
    npaths++;
  }
  if (list) {
    int verbose = 0;
    for (int i = 1; i < argc; i++)
      if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) verbose = 1;
    for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
      print_rule(exh_ruleset_rule(rs, i));
      if (verbose) (void)exh_ruleset_describe_prefilter(rs, i, to_file, stdout);
    }
  }
  exh_err rc = exh_ruleset_compile(rs);
  size_t nyara = 0;
  exh_ruleset_content_counts(rs, &nyara, NULL, NULL);
  if (list)
    for (size_t i = 0; i < nyara; i++) print_rule(exh_ruleset_yara_rule(rs, i));
  size_t loaded = exh_ruleset_count(rs);
  printf("loaded %zu of %zu rules", loaded, loaded + rj.n);
  if (exh_ruleset_unfiltered(rs))
    printf(" (%zu log rules without a literal prefilter: they run on every line)", exh_ruleset_unfiltered(rs));
  printf("\n");
  if (nyara) printf("YARA: %zu rules compiled (rule files that do not compile are named above and counted in the total)\n", nyara);
  exh_ruleset_free(rs);
  (void)npaths;
  return rc != EXH_OK ? 2 : (rj.n ? 1 : 0);
}

static int cmd_dump(int argc, char **argv) {
  exh_dump_format fmt = EXH_DUMP_JSONL;
  int threads = 1, c;
  static const struct option lo[] = {{"format", required_argument, 0, 'f'}, {"threads", required_argument, 0, 'j'}, {0, 0, 0, 0}};
  optind = 1;
  while ((c = getopt_long(argc, argv, "f:j:", lo, NULL)) != -1) {
    if (c == 'f' && !strcmp(optarg, "jsonl")) fmt = EXH_DUMP_JSONL;
    else if (c == 'f' && !strcmp(optarg, "xml")) fmt = EXH_DUMP_XML;
    else if (c == 'f' && !strcmp(optarg, "none")) fmt = EXH_DUMP_NONE;
    else if (c == 'j' && atoi(optarg) >= 1 && atoi(optarg) <= 64) threads = atoi(optarg);
    else {
      fprintf(stderr, "usage: exhunt dump [--format jsonl|xml|none] [-j N] FILE...\n");
      return 2;
    }
  }
  if (optind >= argc) {
    fprintf(stderr, "usage: exhunt dump [--format jsonl|xml] [-j N] FILE...\n");
    return 2;
  }
  uint64_t nrec = 0, niss = 0;
  exh_err rc = exh_dump_evtx((const char *const *)argv + optind, (size_t)(argc - optind), fmt, threads, to_file, stdout,
                             to_file, stderr, &nrec, &niss);
  /* what the library could not see: a failure only when stdout is closed (NFS) */
  if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
    if (rc == EXH_OK) fprintf(stderr, "exhunt dump: writing the output failed: %s\n", strerror(errno));
    rc = EXH_EIO;
  }
  fprintf(stderr, "exhunt dump: %llu records, %llu issues\n", (unsigned long long)nrec, (unsigned long long)niss);
  return rc == EXH_OK ? 0 : 2;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
    printf("exhunt %s\n", EXH_VERSION);
    return 0;
  }
  if (!strcmp(argv[1], "rules")) return cmd_rules(argc - 2, argv + 2);
  if (!strcmp(argv[1], "dump")) return cmd_dump(argc - 1, argv + 1);
  if (strcmp(argv[1], "scan")) {
    fprintf(stderr, "exhunt: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
  }
  enum {
    O_NOBUILTIN = 256, O_COLOR, O_PROGRESS, O_NOPROGRESS, O_SIGMA, O_STRICT, O_MAXSIZE, O_TIMEOUT,
    O_YARA, O_IOC, O_BASELINE, O_ALLFILES, O_MAXCONTENT, O_SIGMAHQ, O_NOSIGMAHQ
  };
  static const struct option longopts[] = {
      {"format", required_argument, 0, 'f'},  {"output", required_argument, 0, 'o'},
      {"threads", required_argument, 0, 'j'}, {"rules", required_argument, 0, 'r'},
      {"sigma", required_argument, 0, O_SIGMA}, {"no-builtin", no_argument, 0, O_NOBUILTIN},
      {"verbose", no_argument, 0, 'v'},       {"color", required_argument, 0, O_COLOR},
      {"progress", no_argument, 0, O_PROGRESS}, {"no-progress", no_argument, 0, O_NOPROGRESS},
      {"strict", no_argument, 0, O_STRICT},   {"max-file-size", required_argument, 0, O_MAXSIZE},
      {"file-timeout", required_argument, 0, O_TIMEOUT},
      {"yara", required_argument, 0, O_YARA},  {"ioc", required_argument, 0, O_IOC},
      {"baseline", required_argument, 0, O_BASELINE}, {"all-files", no_argument, 0, O_ALLFILES},
      {"max-content-size", required_argument, 0, O_MAXCONTENT},
      {"sigmahq", required_argument, 0, O_SIGMAHQ}, {"no-sigmahq", no_argument, 0, O_NOSIGMAHQ},
      {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
  const char *format = "text", *output = NULL, *color = "auto";
  int threads = 0, builtin = 1, verbose = 0, progress = -1, strict = 0, all_files = 0, no_sigmahq = 0;
  const char *sigmahq = NULL;
  unsigned long long max_bytes = 0, max_content = 0;
  double max_seconds = 0;
  /* rule, YARA, IOC and baseline paths in command-line order */
  char **rulepaths = calloc((size_t)argc, sizeof *rulepaths);
  int *rulekinds = calloc((size_t)argc, sizeof *rulekinds);
  int nrulepaths = 0;
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "f:o:j:r:vh", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': format = optarg; break;
    case 'o': output = optarg; break;
    case 'j': {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (*end || v < 1 || v > 256) {
        fprintf(stderr, "exhunt: --threads takes 1..256\n");
        free(rulepaths);
        free(rulekinds);
        return 2;
      }
      threads = (int)v;
      break;
    }
    case 'r':
    case O_SIGMA:
    case O_YARA:
    case O_IOC:
    case O_BASELINE:
      rulekinds[nrulepaths] = c == 'r' ? O_SIGMA : c;
      rulepaths[nrulepaths++] = optarg;
      break;
    case O_ALLFILES: all_files = 1; break;
    case O_NOBUILTIN: builtin = 0; break;
    case O_SIGMAHQ: sigmahq = optarg; break;
    case O_NOSIGMAHQ: no_sigmahq = 1; break;
    case 'v': verbose = 1; break;
    case O_COLOR: color = optarg; break;
    case O_PROGRESS: progress = 1; break;
    case O_NOPROGRESS: progress = 0; break;
    case O_STRICT: strict = 1; break;
    case O_MAXSIZE:
    case O_MAXCONTENT: {
      char *end;
      unsigned long long v = strtoull(optarg, &end, 10);
      if (*end == 'k' || *end == 'K') v <<= 10, end++;
      else if (*end == 'm' || *end == 'M') v <<= 20, end++;
      else if (*end == 'g' || *end == 'G') v <<= 30, end++;
      if (*end || v == 0) {
        fprintf(stderr, "exhunt: --%s takes a size such as 500M or 4G\n",
                c == O_MAXSIZE ? "max-file-size" : "max-content-size");
        free(rulepaths);
        free(rulekinds);
        return 2;
      }
      if (c == O_MAXSIZE) max_bytes = v;
      else max_content = v;
      break;
    }
    case O_TIMEOUT: {
      char *end;
      max_seconds = strtod(optarg, &end);
      if (*end || max_seconds <= 0) {
        fprintf(stderr, "exhunt: --file-timeout takes seconds > 0\n");
        free(rulepaths);
        free(rulekinds);
        return 2;
      }
      break;
    }
    case 'h': usage(stdout); free(rulepaths); free(rulekinds); return 0;
    default: usage(stderr); free(rulepaths); free(rulekinds); return 2;
    }
  }
  const exh_writer *writer = exh_writer_find(format);
  if (!writer) {
    fputs("exhunt: unknown format '", stderr);
    put_safe(stderr, format);
    fputs("' (", stderr);
    for (const exh_writer *const *w = exh_writers(); *w; w++)
      fprintf(stderr, "%s%s", w == exh_writers() ? "" : ", ", exh_writer_name(*w));
    fputs(")\n", stderr);
    free(rulepaths);
    free(rulekinds);
    return 2;
  }
  int nroots = argc - optind;
  if (nroots <= 0) {
    fprintf(stderr, "exhunt: scan needs at least one PATH\n");
    usage(stderr);
    free(rulepaths);
    free(rulekinds);
    return 2;
  }
  char **roots = argv + optind;
  /* checked before any work: a refused -o must not cost a scan */
  exh_output *outfile = NULL;
  char owhy[512];
  if (output && exh_output_open(output, (const char *const *)roots, (size_t)nroots, &outfile, owhy, sizeof owhy) != EXH_OK) {
    fputs("exhunt: ", stderr);
    put_safe(stderr, owhy);
    fputc('\n', stderr);
    free(rulepaths);
    free(rulekinds);
    return 2;
  }
  /* a rule, YARA, indicator or baseline path the user named must be there:
   * without it the scan would not answer the question it was run for */
  for (int i = 0; i < nrulepaths; i++) {
    struct stat st;
    const char *why = NULL;
    if (stat(rulepaths[i], &st) != 0) why = strerror(errno);
    else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) why = "not a regular file or folder (a FIFO, device or socket)";
    if (why) {
      fputs("exhunt: cannot use ", stderr);
      put_safe(stderr, rulepaths[i]);
      fprintf(stderr, ": %s\n", why);
      free(rulepaths);
      free(rulekinds);
      exh_output_close(outfile, 0, NULL, 0);
      return 2;
    }
  }
  /* SigmaHQ: named, or found in the default folders */
  char sigbuf[PATH_MAX];
  if (!sigmahq && !no_sigmahq) {
    int asked = 0;
    sigmahq = default_sigmahq(sigbuf, sizeof sigbuf, &asked);
    if (asked && !sigmahq) {
      fputs("exhunt: EXHUNT_SIGMA_PATH names no folder: ", stderr);
      put_safe(stderr, getenv("EXHUNT_SIGMA_PATH"));
      fputs(" (set it empty to load no SigmaHQ rules)\n", stderr);
      free(rulepaths);
      free(rulekinds);
      exh_output_close(outfile, 0, NULL, 0);
      return 2;
    }
  }
  if (sigmahq) {
    struct stat st;
    if (stat(sigmahq, &st) != 0 || !S_ISDIR(st.st_mode)) {
      fputs("exhunt: --sigmahq: not a folder: ", stderr);
      put_safe(stderr, sigmahq);
      fputc('\n', stderr);
      free(rulepaths);
      free(rulekinds);
      exh_output_close(outfile, 0, NULL, 0);
      return 2;
    }
  }
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  rejects rj = {0, 0};
  exh_ruleset_on_reject(rs, on_reject, &rj);
  if (builtin) exh_ruleset_add_builtin(rs);
  if (sigmahq) { /* hundreds of its rules are for other products: counted, not listed */
    rj.quiet = 1;
    exh_ruleset_add_sigmahq(rs, sigmahq);
    rj.quiet = 0;
  }
  int fatal = 0;
  for (int i = 0; i < nrulepaths; i++) {
    exh_err e = EXH_OK;
    switch (rulekinds[i]) {
    case O_SIGMA: exh_ruleset_add_path(rs, rulepaths[i]); break;
    case O_YARA:
      if (exh_ruleset_add_yara_path(rs, rulepaths[i]) == EXH_EUNSUPPORTED) fatal = 1;
      break;
    /* indicator and baseline files were asked for by name: without them the
     * scan would not answer the question it was run for */
    case O_IOC: e = exh_ruleset_add_ioc_file(rs, rulepaths[i]); break;
    case O_BASELINE: e = exh_ruleset_add_baseline_file(rs, rulepaths[i]); break;
    }
    if (e != EXH_OK) fatal = 1;
  }
  free(rulepaths);
  free(rulekinds);
  if (fatal) {
    fprintf(stderr, "exhunt: an indicator, baseline or YARA file could not be used (above)\n");
    exh_ruleset_free(rs);
    exh_output_close(outfile, 0, NULL, 0);
    return 2;
  }
  if (exh_ruleset_compile(rs) != EXH_OK) {
    exh_ruleset_free(rs);
    exh_output_close(outfile, 0, NULL, 0);
    return 2;
  }
  for (size_t i = 0; i < exh_ruleset_nsets(rs); i++) { /* one line: what SigmaHQ gave */
    const exh_rule_set *st = exh_ruleset_set(rs, i);
    if (strcmp(exh_rule_set_name(st), "SigmaHQ")) continue;
    fputs("exhunt: SigmaHQ rules from ", stderr);
    put_safe(stderr, exh_rule_set_origin(st));
    if (exh_rule_set_version(st)) {
      fputs(" (", stderr);
      put_safe(stderr, exh_rule_set_version(st));
      fputc(')', stderr);
    }
    fprintf(stderr, ": %zu of %zu loaded; the others read log sources exhunt does not have or use what it lacks "
                    "(`exhunt rules check DIR` lists why)\n",
            exh_rule_set_loaded(st), exh_rule_set_loaded(st) + exh_rule_set_rejected(st));
  }
  size_t nyara = 0, nioc = 0, nbase = 0;
  exh_ruleset_content_counts(rs, &nyara, &nioc, &nbase);
  if (exh_ruleset_count(rs) == 0 && nyara == 0 && nioc == 0 && nbase == 0) {
    fprintf(stderr, "exhunt: no rule loaded\n");
    exh_ruleset_free(rs);
    exh_output_close(outfile, 0, NULL, 0);
    return 2;
  }
  exh_scan_opts so;
  memset(&so, 0, sizeof so);
  so.roots = (const char *const *)roots;
  so.nroots = (size_t)nroots;
  so.threads = threads;
  so.progress = progress >= 0 ? progress : isatty(2);
  so.max_file_bytes = max_bytes;
  so.max_file_seconds = max_seconds;
  so.all_files = all_files;
  so.max_content_bytes = max_content;
  exh_result *res = NULL;
  exh_err rc = exh_scan(rs, &so, &res);
  if (rc != EXH_OK) {
    fprintf(stderr, "exhunt: scan failed: %s\n", exh_strerror(rc));
    exh_ruleset_free(rs);
    exh_output_close(outfile, 0, NULL, 0);
    return 2;
  }
  exh_report_opts ro = {0, verbose};
  ro.color = !strcmp(color, "always") || (!strcmp(color, "auto") && !output && isatty(1) && !getenv("NO_COLOR"));
  rc = outfile ? exh_writer_write(writer, exh_output_write, outfile, res, &ro)
               : exh_writer_write(writer, to_file, stdout, res, &ro);
  int code = exh_result_exit_code_strict(res, strict);
  char cwhy[512] = "";
  if (outfile) {
    /* the report replaces the -o path only when it was written whole */
    exh_err wrc = exh_output_close(outfile, rc == EXH_OK, cwhy, sizeof cwhy);
    if (rc == EXH_OK) rc = wrc;
  } else if (fflush(stdout) != 0 || ferror(stdout)) {
    snprintf(cwhy, sizeof cwhy, "standard output: %s", strerror(errno));
    rc = EXH_EIO;
  }
  if (rc != EXH_OK) {
    fputs("exhunt: cannot write the report", stderr);
    if (cwhy[0]) {
      fputs(": ", stderr);
      put_safe(stderr, cwhy);
    }
    fputc('\n', stderr);
    code = 2;
  }
  exh_result_free(res);
  exh_ruleset_free(rs);
  return code;
}
