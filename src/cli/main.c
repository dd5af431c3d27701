/* exhunt: the command line, a thin layer over libexhunt. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exhunt/exhunt.h"

/* The scan options: src/cli/options.def, also the source of the man page
 * and the completions (scripts/gen-cli-docs.sh). */
enum {
  O_FIRST = 256,
#define EXH_OPT(id, name, shortc, arg, compl, help) id,
#define EXH_GROUP(heading)
#include "options.def"
#undef EXH_OPT
#undef EXH_GROUP
  O_END
};

typedef struct cli_opt {
  int id;
  const char *name;
  int shortc;
  const char *arg, *help, *group; /* group: a heading before this option, or NULL */
} cli_opt;

static const cli_opt cli_opts[] = {
#define EXH_OPT(id, name, shortc, arg, compl, help) {id, name, shortc, arg, help, NULL},
#define EXH_GROUP(heading) {0, NULL, 0, NULL, NULL, heading},
#include "options.def"
#undef EXH_OPT
#undef EXH_GROUP
};
#define N_CLI_OPTS (sizeof cli_opts / sizeof cli_opts[0])

static const char synopsis[] =
    "usage: exhunt scan [options] PATH...\n"
    "       exhunt rules check [--no-builtin] [--yara PATH] [PATH...]\n"
    "       exhunt rules list [-v]           (-v: each rule's prefilter literals)\n"
    "       exhunt dump [--format jsonl|xml|none] [-j N] FILE.evtx...\n"
    "       exhunt version\n";

/* On a bad option or command: the synopsis, and where the rest is. */
static void short_usage(void) {
  fputs("usage: exhunt scan [options] PATH...\n"
        "       exhunt rules check|list [...], exhunt dump FILE.evtx..., exhunt version\n"
        "`exhunt scan --help` for all options\n",
        stderr);
}

/* Words of `s` on lines of at most `width` columns, the first word at
 * column `col`, the next lines indented by `indent`. */
static void wrap(FILE *f, const char *s, int col, int indent, int width) {
  int first = 1;
  while (*s) {
    while (*s == ' ') s++;
    size_t n = strcspn(s, " ");
    if (!n) break;
    if (!first && col + 1 + (int)n > width) {
      fprintf(f, "\n%*s", indent, "");
      col = indent;
    } else if (!first) {
      fputc(' ', f);
      col++;
    }
    first = 0;
    fwrite(s, 1, n, f);
    col += (int)n;
    s += n;
  }
  fputc('\n', f);
}

static void usage(FILE *f) {
  fputs(synopsis, f);
  fputs("\n"
        "scan walks each PATH (a server's drive, a triage collection or single files;\n"
        "each PATH is one server, or each server collection found below it) and\n"
        "reports traces of Exchange exploitation.\n"
        "\n"
        "options:\n",
        f);
  for (size_t i = 0; i < N_CLI_OPTS; i++) {
    const cli_opt *o = &cli_opts[i];
    if (o->group) {
      fprintf(f, "\n%s\n", o->group);
      continue;
    }
    char left[64];
    int n = snprintf(left, sizeof left, "  %c%c%s--%s%s%s", o->shortc ? '-' : ' ', o->shortc ? o->shortc : ' ',
                     o->shortc ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fputs(left, f);
    n = n < 0 ? 0 : n;
    fprintf(f, "%*s", n <= 19 ? 21 - n : 2, "");
    wrap(f, o->help, n <= 19 ? 21 : n + 2, 21, 79);
  }
  fputs("\n"
        "exit status: 0 no findings, 1 findings, 2 error (with --strict: also an unreadable\n"
        "file), 3 a server where nothing, or not enough, could be examined\n"
        "(man exhunt, README.md)\n",
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

/* A default SigmaHQ folder holding nothing but the package's README note
 * (share/exhunt/sigma/README) has no rules yet: it is not a rule tree. */
static int only_note(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int other = 0;
  for (struct dirent *e; !other && (e = readdir(d));)
    other = strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "README");
  closedir(d);
  return !other;
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
    if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode) && !only_note(cand[i])) {
      snprintf(buf, n, "%s", cand[i]);
      return buf;
    }
  return NULL;
}

/* The compiled rule cache (docs/rules.md): $XDG_CACHE_HOME/exhunt, else
 * ~/.cache/exhunt; none when neither is an absolute path. Never inside the
 * evidence or a rule folder (the library checks, with links resolved). */
static void use_cache(exh_ruleset *rs, char **roots, int nroots, char **rulepaths, int nrulepaths,
                      const char *sigmahq, int verbose) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char dir[PATH_MAX];
  if (xdg && xdg[0] == '/') snprintf(dir, sizeof dir, "%s/exhunt", xdg);
  else if (home && home[0] == '/') snprintf(dir, sizeof dir, "%s/.cache/exhunt", home);
  else return;
  const char **avoid = calloc((size_t)(nroots + nrulepaths + 1), sizeof *avoid);
  if (!avoid) return;
  size_t n = 0;
  for (int i = 0; i < nroots; i++) avoid[n++] = roots[i];
  for (int i = 0; i < nrulepaths; i++) avoid[n++] = rulepaths[i];
  if (sigmahq) avoid[n++] = sigmahq;
  (void)exh_ruleset_use_cache(rs, dir, avoid, n, verbose ? EXH_CACHE_VERBOSE : 0);
  free(avoid);
}

/* With -o, the one line on stderr: the servers' verdicts, counted, and
 * where the report went. */
static void summary_line(const exh_result *res, const char *output) {
  static const exh_verdict order[] = {EXH_VERDICT_COMPROMISED, EXH_VERDICT_SUSPICIOUS, EXH_VERDICT_CANNOT_TELL,
                                      EXH_VERDICT_NOTHING_EXAMINED, EXH_VERDICT_CLEAN};
  size_t n = exh_result_nservers(res), count[5] = {0};
  for (size_t i = 0; i < n; i++) {
    exh_verdict v = exh_server_verdict(exh_result_server(res, i));
    for (size_t k = 0; k < 5; k++)
      if (order[k] == v) count[k]++;
  }
  fprintf(stderr, "exhunt: %zu server%s: ", n, n == 1 ? "" : "s");
  int any = 0;
  for (size_t k = 0; k < 5; k++)
    if (count[k]) {
      fprintf(stderr, "%s%zu %s", any ? ", " : "", count[k], exh_verdict_name(order[k]));
      any = 1;
    }
  fputs("; report written to ", stderr);
  put_safe(stderr, output);
  fputc('\n', stderr);
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
    short_usage();
    return 2;
  }
  for (int i = 1; i < argc; i++) { /* its options: --no-builtin, --yara PATH, -v */
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--yara") && i + 1 < argc) i++;
    else if (a[0] == '-' && strcmp(a, "--no-builtin") && strcmp(a, "-v") && strcmp(a, "--verbose")) {
      fputs(!strcmp(a, "--yara") ? "exhunt: option needs a value: " : "exhunt: unknown option: ", stderr);
      put_safe(stderr, a);
      fputc('\n', stderr);
      short_usage();
      return 2;
    }
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
  static const struct option lo[] = {{"format", required_argument, 0, 'f'},
                                     {"threads", required_argument, 0, 'j'},
                                     {"help", no_argument, 0, 'h'},
                                     {0, 0, 0, 0}};
  static const char dump_usage[] = "usage: exhunt dump [--format jsonl|xml|none] [-j N] FILE.evtx...\n";
  optind = 1;
  opterr = 0; /* the messages are ours: the option text is escaped */
  while ((c = getopt_long(argc, argv, ":f:j:h", lo, NULL)) != -1) {
    const char *bad = NULL;
    if (c == 'h') {
      usage(stdout);
      return 0;
    } else if (c == 'f' && !strcmp(optarg, "jsonl")) fmt = EXH_DUMP_JSONL;
    else if (c == 'f' && !strcmp(optarg, "xml")) fmt = EXH_DUMP_XML;
    else if (c == 'f' && !strcmp(optarg, "none")) fmt = EXH_DUMP_NONE;
    else if (c == 'f') bad = "--format takes jsonl, xml or none";
    else if (c == 'j') {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v < 1 || v > 64) bad = "--threads takes a number of threads, 1 to 64";
      else threads = (int)v;
    }
    if (bad) {
      fprintf(stderr, "exhunt: %s\n", bad);
    } else if (c == ':' || c == '?') {
      fputs(c == ':' ? "exhunt: option needs a value: " : "exhunt: unknown option: ", stderr);
      char name[128];
      if (optopt > 0 && optopt < 256) snprintf(name, sizeof name, "-%c", optopt);
      else snprintf(name, sizeof name, "%.*s", (int)strcspn(argv[optind - 1], "="), argv[optind - 1]);
      put_safe(stderr, name);
      fputc('\n', stderr);
    } else {
      continue;
    }
    fputs(dump_usage, stderr);
    return 2;
  }
  if (optind >= argc) {
    fputs(dump_usage, stderr);
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
  if (argc < 2) {
    short_usage();
    return 2;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
    printf("exhunt %s\n", EXH_VERSION);
    return 0;
  }
  if (!strcmp(argv[1], "rules")) return cmd_rules(argc - 2, argv + 2);
  if (!strcmp(argv[1], "dump")) return cmd_dump(argc - 1, argv + 1);
  if (strcmp(argv[1], "scan")) {
    fputs("exhunt: unknown command '", stderr);
    put_safe(stderr, argv[1]);
    fputs("'\n", stderr);
    short_usage();
    return 2;
  }
  /* getopt's table and short options from options.def */
  struct option longopts[N_CLI_OPTS + 1];
  char shortopts[2 * N_CLI_OPTS + 2] = ":"; /* ':' first: a missing value is told apart */
  size_t nl = 0, ns = 1;
  for (size_t i = 0; i < N_CLI_OPTS; i++) {
    const cli_opt *o = &cli_opts[i];
    if (o->group) continue;
    longopts[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument, 0, o->id};
    if (o->shortc) {
      shortopts[ns++] = (char)o->shortc;
      if (o->arg) shortopts[ns++] = ':';
    }
  }
  longopts[nl] = (struct option){0, 0, 0, 0};
  shortopts[ns] = 0;
  const char *format = "text", *output = NULL;
  int color = -1; /* -1 auto, 0 never, 1 always */
  int threads = 0, builtin = 1, verbose = 0, progress = -1, strict = 0, all_files = 0, no_sigmahq = 0, no_cache = 0;
  const char *sigmahq = NULL;
  unsigned long long max_bytes = 0, max_content = 0;
  double max_seconds = 0;
  /* rule, YARA, IOC and baseline paths in command-line order */
  char **rulepaths = calloc((size_t)argc, sizeof *rulepaths);
  int *rulekinds = calloc((size_t)argc, sizeof *rulekinds);
  int nrulepaths = 0;
  int c;
  const char *bad = NULL; /* why an option value is refused */
  optind = 2;
  opterr = 0; /* the messages are ours: the option text is escaped */
  while (!bad && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
    if (c > 0 && c < 256) /* a short option: its entry's id */
      for (size_t i = 0; i < N_CLI_OPTS; i++)
        if (cli_opts[i].shortc == c && !cli_opts[i].group) c = cli_opts[i].id;
    switch (c) {
    case O_FORMAT:
      format = optarg;
      if (!exh_writer_find(format)) bad = "format";
      break;
    case O_OUTPUT: output = optarg; break;
    case O_THREADS: {
      char *end;
      errno = 0;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || errno || v < 1 || v > 256) bad = "--threads takes a number of threads, 1 to 256";
      else threads = (int)v;
      break;
    }
    case O_RULES:
    case O_SIGMA:
    case O_YARA:
    case O_IOC:
    case O_BASELINE:
      rulekinds[nrulepaths] = c == O_RULES ? O_SIGMA : c;
      rulepaths[nrulepaths++] = optarg;
      break;
    case O_ALLFILES: all_files = 1; break;
    case O_NOBUILTIN: builtin = 0; break;
    case O_SIGMAHQ: sigmahq = optarg; break;
    case O_NOSIGMAHQ: no_sigmahq = 1; break;
    case O_NOCACHE: no_cache = 1; break;
    case O_VERBOSE: verbose = 1; break;
    case O_COLOR:
      if (!strcmp(optarg, "auto")) color = -1;
      else if (!strcmp(optarg, "always")) color = 1;
      else if (!strcmp(optarg, "never")) color = 0;
      else bad = "--color takes auto, always or never";
      break;
    case O_PROGRESS: progress = 1; break;
    case O_NOPROGRESS: progress = 0; break;
    case O_STRICT: strict = 1; break;
    case O_MAXSIZE:
    case O_MAXCONTENT: {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      int shift = 0;
      if (*end == 'k' || *end == 'K') shift = 10, end++;
      else if (*end == 'm' || *end == 'M') shift = 20, end++;
      else if (*end == 'g' || *end == 'G') shift = 30, end++;
      if (optarg[0] < '0' || optarg[0] > '9' || *end || errno || v == 0 || v > (ULLONG_MAX >> shift)) {
        bad = c == O_MAXSIZE ? "--max-file-size takes a size such as 500M or 4G"
                             : "--max-content-size takes a size such as 500M or 4G";
        break;
      }
      v <<= shift;
      if (c == O_MAXSIZE) max_bytes = v;
      else max_content = v;
      break;
    }
    case O_TIMEOUT: {
      char *end;
      max_seconds = strtod(optarg, &end);
      if (end == optarg || *end || !(max_seconds > 0) || max_seconds > 1e9) bad = "--file-timeout takes seconds > 0";
      break;
    }
    case O_HELP: usage(stdout); free(rulepaths); free(rulekinds); return 0;
    case ':': /* a value is missing */
    case '?': { /* an option exhunt does not have */
      fputs(c == ':' ? "exhunt: option needs a value: " : "exhunt: unknown option: ", stderr);
      if (optopt > 0 && optopt < 256) { /* a short option */
        char o[3] = {'-', (char)optopt, 0};
        put_safe(stderr, o);
      } else if (optind > 0 && optind <= argc) { /* a long one: its name, not its value */
        const char *a = argv[optind - 1];
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
        put_safe(stderr, name);
      }
      fputc('\n', stderr);
      bad = "";
      break;
    }
    default: bad = ""; break;
    }
  }
  if (bad) {
    if (!strcmp(bad, "format")) {
      fputs("exhunt: unknown format '", stderr);
      put_safe(stderr, format);
      fputs("' (", stderr);
      for (const exh_writer *const *w = exh_writers(); *w; w++)
        fprintf(stderr, "%s%s", w == exh_writers() ? "" : ", ", exh_writer_name(*w));
      fputs(")\n", stderr);
    } else if (bad[0]) {
      fprintf(stderr, "exhunt: %s\n", bad);
    }
    short_usage();
    free(rulepaths);
    free(rulekinds);
    return 2;
  }
  const exh_writer *writer = exh_writer_find(format);
  int nroots = argc - optind;
  if (nroots <= 0) {
    fprintf(stderr, "exhunt: scan needs at least one PATH\n");
    short_usage();
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
  exh_ruleset_set_threads(rs, threads); /* the first compile's threads: -j */
  if (!no_cache) use_cache(rs, roots, nroots, rulepaths, nrulepaths, sigmahq, verbose);
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
  ro.color = color == 1 || (color < 0 && !output && isatty(1) && !getenv("NO_COLOR"));
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
  if (outfile && rc == EXH_OK) summary_line(res, output);
  exh_result_free(res);
  exh_ruleset_free(rs);
  return code;
}
