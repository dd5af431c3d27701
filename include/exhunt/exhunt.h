/* exhunt — compromise assessment for Microsoft Exchange servers.
 *
 * Public library API. The program `exhunt` is a thin CLI over these calls and
 * the tests drive them directly. Ownership rule for the whole API: every
 * object returned through an out-parameter is owned by the caller and freed
 * with the matching *_free; strings passed in are copied when kept.
 */
#ifndef EXHUNT_EXHUNT_H
#define EXHUNT_EXHUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXH_VERSION "0.1.0"

/* Error codes. exh_strerror() has a sentence for each; a test pins them. */
typedef enum exh_err {
  EXH_OK = 0,
  EXH_ENOMEM,       /* out of memory */
  EXH_EIO,          /* cannot open, read or map a file */
  EXH_EPARSE,       /* malformed input */
  EXH_ERULE,        /* a rule cannot be honoured */
  EXH_EUNSUPPORTED, /* feature not built in */
  EXH_EARG,         /* bad argument */
  EXH_ELIMIT,       /* a resource limit was hit */
  EXH_ERR_LAST
} exh_err;

const char *exh_strerror(exh_err e);

/* Writes third-party text (a rule's title, a path) for a terminal: control
 * bytes, invalid UTF-8, and characters that reorder or hide text (bidi
 * overrides and isolates, zero-width and other invisible format characters)
 * are escaped, as in the text report. */
void exh_term_write(FILE *f, const char *s, size_t n);

/* Sigma levels; exh_level_severity() gives the ECS number. */
typedef enum exh_level {
  EXH_LEVEL_INFO = 0, /* Sigma "informational" */
  EXH_LEVEL_LOW,
  EXH_LEVEL_MEDIUM,
  EXH_LEVEL_HIGH,
  EXH_LEVEL_CRITICAL
} exh_level;

/* ECS event.severity for a level: 21 low, 47 medium, 73 high, 99 critical;
 * informational findings also carry 21 (ECS has no lower band that tools
 * agree on) and are told apart by exhunt.level = "informational". */
int exh_level_severity(exh_level l);
const char *exh_level_name(exh_level l);
/* Parses a Sigma level name; returns 0 on success, -1 if unknown. */
int exh_level_parse(const char *s, exh_level *out);

/* What a rule says about itself (from the Sigma YAML). */
typedef struct exh_rule_info {
  const char *id;    /* Sigma id (UUID) */
  const char *title;
  const char *description;
  const char *source; /* file the rule came from ("builtin:..." if shipped) */
  const char *dataset; /* ECS event.dataset of the log source, e.g. exchange.httpproxy */
  exh_level level;
  const char *const *cves; /* "CVE-2021-26855", ... from tags cve.* */
  size_t ncves;
  const char *const *techniques; /* "T1190", ... from tags attack.tNNNN */
  size_t ntechniques;
  unsigned flags; /* EXH_RULE_* */
} exh_rule_info;

/* A supporting file (Test-ProxyLogon's "other suspicious files": names and
 * places alone): informational, raised to high next to a CVE finding. */
#define EXH_RULE_SUPPORTING 1u

#define EXH_TIME_UNKNOWN INT64_MIN

/* One finding: a rule (or a built-in check) fired on one piece of evidence. */
typedef struct exh_finding {
  const exh_rule_info *rule;
  exh_level level;       /* may differ from rule->level (escalation, see correlate/) */
  int64_t time_ms;       /* UTC, ms since the epoch, or EXH_TIME_UNKNOWN */
  size_t server;         /* index into exh_result.servers */
  char *message;         /* one line for humans */
  const char *dataset;   /* ECS event.dataset */
  /* log evidence (is_file == 0) */
  char *path;            /* the path as scanned */
  uint64_t offset;       /* byte offset of the record */
  uint64_t line;         /* 1-based line number (0 for event records) */
  uint64_t record_id;    /* EVTX EventRecordID (0 for lines) */
  char *evidence;        /* raw record, at most EXH_EVIDENCE_MAX bytes */
  size_t evidence_len;
  int evidence_truncated;
  char *source_ip, *url, *user_agent, *user_name, *http_method;
  int http_status;       /* 0 if unknown */
  /* file evidence (is_file == 1) */
  int is_file;
  uint64_t file_size;
  int64_t file_mtime_ms;
  char *file_sha256, *file_sha1, *file_md5; /* lowercase hex, NULL if not computed */
  /* the indicator that fired (IOC findings), else NULL */
  char *ioc_value, *ioc_source;
  const char *ioc_type; /* "sha256", "path", "ip", ... */
  /* files: which request wrote it and who used it (correlate/story.c), or NULL */
  char *story;
} exh_finding;

#define EXH_EVIDENCE_MAX 2048

/* How far back the logs of one folder reach. */
typedef struct exh_logwindow {
  size_t server;
  char *folder;      /* folder path as scanned */
  const char *kind;  /* "httpproxy", "ecp_server", ... */
  int64_t first_ms, last_ms; /* EXH_TIME_UNKNOWN if no dated record */
  uint32_t files;
  uint64_t bytes;
  uint64_t records;  /* data lines seen (0 when only the window was read) */
} exh_logwindow;

/* One class of evidence on one server: found and read, or expected and
 * absent (correlate/coverage.c has the list and the reasons). */
typedef struct exh_coverage {
  size_t server;
  const char *cls;   /* "httpproxy", "ecp_server", "oabgenerator", "iis", "httperr", "evtx",
                        "web_files", "staging_files", "exsetup", ... */
  char *item;        /* HttpProxy protocol folder, IIS site, EVTX channel, or "" */
  char *label;       /* for people: "HttpProxy/Owa", "IIS W3SVC1", "EVTX Security" */
  int present;       /* 0: expected but not found */
  int64_t first_ms, last_ms; /* records' time span (logs, events), else EXH_TIME_UNKNOWN */
  uint32_t files;
  uint64_t bytes, records;
  uint32_t errors;   /* files of this class not read, in whole or in part */
  size_t rules;      /* loaded rules or checks that read this class */
} exh_coverage;

/* A file that could not be scanned, or was skipped for a stated reason. */
typedef struct exh_file_error {
  size_t server;
  char *path;
  char *reason;
  int skipped; /* 1: skipped by policy (symlink, special file); 0: an error */
} exh_file_error;

/* A server's verdict (correlate/, README "Verdicts and exit status"). A
 * verdict of no evidence is only given when it was earned: evidence that
 * can show an Exchange compromise was read (web logs covering each
 * campaign's exposure, or the web folders where every campaign left its
 * shells); otherwise the server is "cannot tell" or "no evidence
 * examined", never clean. */
typedef enum exh_verdict {
  EXH_VERDICT_CLEAN = 0,       /* no evidence of compromise, on the evidence the coverage lists */
  EXH_VERDICT_SUSPICIOUS,      /* low/medium findings only: probes, failed attempts */
  EXH_VERDICT_COMPROMISED,     /* high/critical findings: exploitation succeeded */
  EXH_VERDICT_CANNOT_TELL,     /* evidence was read, but not what a campaign needs (coverage says what) */
  EXH_VERDICT_NOTHING_EXAMINED /* no evidence exhunt can read was found (or none could be read) */
} exh_verdict;

const char *exh_verdict_name(exh_verdict v);

/* Patch level (detect/build.c, docs/files.md): per CVE of the campaigns,
 * whether the installed build carries the fix. */
typedef enum exh_patch { EXH_PATCH_UNKNOWN = 0, EXH_PATCH_FIXED, EXH_PATCH_VULNERABLE } exh_patch;
const char *exh_patch_name(exh_patch p);

typedef struct exh_cve_status {
  const char *cve;      /* "CVE-2021-26855" */
  const char *campaign; /* "ProxyLogon" */
  exh_patch status;
  const char *why;      /* "fixed in 15.1.2176.9 (KB5000871, March 2021)", ... */
} exh_cve_status;

/* A build seen in the #Version: line of the server's Exchange logs, with
 * the time span of the logs that carry it (dates an update). */
typedef struct exh_build_seen {
  char *build;
  int64_t first_ms, last_ms;
  uint32_t files;
} exh_build_seen;

/* What one campaign's evidence says on one server (correlate/coverage.c). */
typedef enum exh_campaign_state {
  EXH_CAMPAIGN_COMPROMISED = 0, /* high/critical findings naming its CVEs */
  EXH_CAMPAIGN_ATTEMPTED,       /* low/medium findings naming its CVEs */
  EXH_CAMPAIGN_NO_TRACE,        /* web logs cover part of its exposure: nothing there */
  EXH_CAMPAIGN_NO_TRACE_ON_DISK,/* the logs do not cover its exposure; the web folders hold no shell */
  EXH_CAMPAIGN_CANNOT_TELL      /* neither: its evidence is absent (or no rule for it was loaded) */
} exh_campaign_state;
const char *exh_campaign_state_name(exh_campaign_state s);

typedef struct exh_campaign_view {
  const char *campaign;            /* "ProxyLogon" */
  exh_campaign_state state;
  int64_t exposure_first_ms;       /* from the campaign's first known exploitation ... */
  int64_t exposure_last_ms;        /* ... to when this server was no longer exposed, or the scan (EXH_TIME_UNKNOWN: unknown) */
  int64_t covered_first_ms, covered_last_ms; /* the part of the exposure the web logs cover, or EXH_TIME_UNKNOWN */
  size_t nrules;                   /* loaded rules naming its CVEs */
  char *why;                       /* one sentence */
} exh_campaign_view;

typedef struct exh_server {
  char *name; /* basename of the root */
  char *root; /* root as given */
  char *root_error; /* the root could not be read at all (missing, unreadable), or NULL */
  exh_verdict verdict;
  char *reason; /* one sentence: why this verdict */
  char *limits; /* what the verdict rests on and what was not examined (one paragraph) */
  exh_campaign_view *campaigns;
  size_t ncampaigns;
  size_t nfindings[5]; /* per level */
  /* patch level */
  char *build;              /* "15.1.2176.2", or NULL if no source told it */
  const char *build_source; /* "Bin/ExSetup.exe version resource", "owa build folder", "Exchange log #Version" */
  const char *product;      /* "Exchange 2016 CU19", or NULL if unknown */
  exh_cve_status *cves;
  size_t ncves;
  exh_build_seen *builds_seen; /* sorted by first_ms */
  size_t nbuilds_seen;
} exh_server;

/* One client address and what the findings say it did on one server
 * (correlate/story.c): the per-attacker timeline. Only findings of level
 * low or above that name a client address count. */
#define EXH_ACTOR_MAX_CVES 16
#define EXH_ACTOR_MAX_RULES 8
typedef struct exh_actor {
  size_t server;
  char *ip;
  int64_t first_ms, last_ms;
  size_t nfindings, nlevel[5];
  const char *cves[EXH_ACTOR_MAX_CVES]; /* first seen first */
  size_t ncves;
  const char *rules[EXH_ACTOR_MAX_RULES]; /* rule titles, first seen first */
  size_t nrules;
} exh_actor;

typedef struct exh_result {
  exh_server *servers;
  size_t nservers;
  exh_finding *findings; /* sorted by server, time, path, line */
  size_t nfindings;
  exh_logwindow *windows;
  size_t nwindows;
  exh_file_error *errors;
  size_t nerrors;
  uint64_t files_seen, files_scanned, bytes_scanned;
  exh_actor *actors; /* by server, then most severe first */
  size_t nactors;
  exh_coverage *coverage; /* by server, then class order */
  size_t ncoverage;
  /* the rules in force (the verdict is read in their context) */
  size_t rules_sigma, rules_yara, indicators, baseline_rows;
  double seconds;
  int64_t scan_start_ms;
} exh_result;

void exh_result_free(exh_result *r);

/* ---- rules ------------------------------------------------------------- */

typedef struct exh_ruleset exh_ruleset;

exh_err exh_ruleset_new(exh_ruleset **out);
void exh_ruleset_free(exh_ruleset *rs);

/* Called once per rule the loader cannot honour: its source and why. A
 * title equal to EXH_REJECT_NOTE marks a note, not a rejection (entries of
 * an indicator file that could not be used while the file itself loaded). */
#define EXH_REJECT_NOTE "(note)"
typedef void (*exh_reject_fn)(void *ctx, const char *source, const char *title,
                              const char *why);
void exh_ruleset_on_reject(exh_ruleset *rs, exh_reject_fn fn, void *ctx);

/* Adds the rules compiled into the binary. */
exh_err exh_ruleset_add_builtin(exh_ruleset *rs);
/* Adds one YAML document set (one or more '---' separated rules).
 * Returns EXH_OK if every rule loaded; EXH_ERULE if any was rejected (the
 * others are kept; each rejection went to the reject callback). */
exh_err exh_ruleset_add_yaml(exh_ruleset *rs, const char *source,
                             const char *text, size_t len);
/* Adds every *.yml / *.yaml below a file or folder. */
exh_err exh_ruleset_add_path(exh_ruleset *rs, const char *path);
/* File content rules, indicators and baselines (issue 4; docs/files.md).
 * YARA rule text, or every *.yar / *.yara below a path (EXH_EUNSUPPORTED
 * when built without libyara); an IOC list (MSTIC CSV, STIX 2.1 JSON or a
 * plain list, told apart by content); a CSS-Exchange baseline CSV
 * (SHA256,build,\relative\path). Files that cannot be used go to the
 * reject callback with the reason; the rest stays loaded. */
exh_err exh_ruleset_add_yara_text(exh_ruleset *rs, const char *source, const char *text, size_t len);
exh_err exh_ruleset_add_yara_path(exh_ruleset *rs, const char *path);
exh_err exh_ruleset_add_ioc_text(exh_ruleset *rs, const char *source, const char *text, size_t len);
exh_err exh_ruleset_add_ioc_file(exh_ruleset *rs, const char *path);
exh_err exh_ruleset_add_baseline_file(exh_ruleset *rs, const char *path);
void exh_ruleset_content_counts(const exh_ruleset *rs, size_t *yara_rules, size_t *iocs, size_t *baseline_rows);
/* YARA rule i (after exh_ruleset_compile), or NULL. */
const exh_rule_info *exh_ruleset_yara_rule(const exh_ruleset *rs, size_t i);
/* Builds the prefilters; no rule can be added afterwards. */
exh_err exh_ruleset_compile(exh_ruleset *rs);
size_t exh_ruleset_count(const exh_ruleset *rs);
size_t exh_ruleset_rejected(const exh_ruleset *rs);
const exh_rule_info *exh_ruleset_rule(const exh_ruleset *rs, size_t i);
/* Prints rule i's prefilter literal groups (one line per group). */
void exh_ruleset_describe_prefilter(const exh_ruleset *rs, size_t i, FILE *f);
/* Rules that have no literal prefilter and so run on every record. */
size_t exh_ruleset_unfiltered(const exh_ruleset *rs);

/* ---- scanning ---------------------------------------------------------- */

typedef struct exh_scan_opts {
  const char *const *roots; /* directories or files; each root is one server */
  size_t nroots;
  int threads;              /* 0: one per core */
  int progress;             /* 1: progress lines on stderr */
  /* Resource limits (0: the default in src/scan/limits.h). A file over a
   * limit is reported with the reason; what was found before it stays. */
  uint64_t max_file_bytes;  /* logs larger than this are not read */
  double max_file_seconds;  /* reading one file stops after this */
  size_t max_findings_per_file;
  size_t max_findings;      /* for the whole scan */
  /* File content checks (hashes, IOCs, YARA, artefacts): files in web and
   * staging folders, files named as roots, or every file with all_files.
   * Files larger than max_content_bytes (0: 64 MiB) get only the checks
   * that read their first bytes (minidump header). */
  int all_files;
  uint64_t max_content_bytes;
} exh_scan_opts;

exh_err exh_scan(const exh_ruleset *rs, const exh_scan_opts *opts,
                 exh_result **out);

/* ---- reports ----------------------------------------------------------- */

typedef struct exh_report_opts {
  int color;          /* text: ANSI colours */
  int verbose;        /* text: every finding rather than a capped list */
} exh_report_opts;

exh_err exh_report_text(FILE *f, const exh_result *r, const exh_report_opts *o);
exh_err exh_report_jsonl(FILE *f, const exh_result *r, const exh_report_opts *o);
/* One row per finding; cells quoted, formula-looking cells defused. */
exh_err exh_report_csv(FILE *f, const exh_result *r, const exh_report_opts *o);
/* One self-contained HTML file (inline CSS, no script, a CSP forbidding
 * scripts): verdict, patch level, attackers by client address, files left
 * behind, timeline, log window. */
exh_err exh_report_html(FILE *f, const exh_result *r, const exh_report_opts *o);
/* Timesketch's JSONL import format (message, datetime, timestamp, timestamp_desc). */
exh_err exh_report_timesketch(FILE *f, const exh_result *r, const exh_report_opts *o);

/* The report writers by name (src/report/writers.c): the list ends with a
 * NULL name; exh_writer_find gives NULL for an unknown name. */
typedef struct exh_writer {
  const char *name;
  const char *summary;
  exh_err (*write)(FILE *f, const exh_result *r, const exh_report_opts *o);
} exh_writer;
const exh_writer *exh_writers(void);
const exh_writer *exh_writer_find(const char *name);

/* A report file, written beside the evidence and never into it. Refused
 * (EXH_EARG, reason in why) when the path, links resolved, is inside a
 * folder root or is a file root. The report goes to a temporary file in
 * the same folder and replaces the path only when closed with commit = 1,
 * so an existing file there (even a link to evidence) is replaced as a
 * name, never written into. Closing reports write errors (a full disk) as
 * EXH_EIO. */
typedef struct exh_output exh_output;
exh_err exh_output_open(const char *path, const char *const *roots, size_t nroots, exh_output **out, char *why,
                        size_t whyn);
FILE *exh_output_stream(exh_output *o);
exh_err exh_output_close(exh_output *o, int commit, char *why, size_t whyn);

/* ---- EVTX dump ----------------------------------------------------------- */

typedef enum exh_dump_format { EXH_DUMP_JSONL = 0, EXH_DUMP_XML, EXH_DUMP_NONE } exh_dump_format;

/* Prints every record of the EVTX files, in file and record order. With
 * threads > 1 the chunks of a file are decoded in parallel and printed in
 * order. Damage is reported on err as "path: offset N: what" and decoding
 * goes on. Counts go to *records and *issues (either may be NULL). Returns
 * EXH_EIO if a file could not be opened or is not EVTX (the others are
 * still dumped). */
exh_err exh_dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, FILE *out,
                      FILE *err, uint64_t *records, uint64_t *issues);

/* Exit status (README "Verdicts and exit status"): 2 when the scan could
 * not be done as asked (a root missing or unreadable; with strict, any file
 * that could not be read); else 1 when a server has a finding of level low
 * or above; else 3 when a server's verdict is "cannot tell" or "no evidence
 * examined"; else 0: every server's "no evidence of compromise" was earned
 * on examined evidence. */
int exh_result_exit_code(const exh_result *r);
int exh_result_exit_code_strict(const exh_result *r, int strict);

#ifdef __cplusplus
}
#endif
#endif
