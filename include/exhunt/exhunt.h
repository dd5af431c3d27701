/* exhunt — compromise assessment for Microsoft Exchange servers.
 *
 * Public library API. The program `exhunt` is a thin CLI over these calls and
 * the tests drive them directly. Nothing else of the library is public: every
 * other header lives under src/ and may change at any time.
 *
 * Ownership, for the whole API:
 *   - An object returned through an out-parameter (exh_ruleset, exh_result,
 *     exh_output) is owned by the caller and freed with its *_free (or
 *     *_close). Strings and arrays passed in are copied when kept.
 *   - Every other pointer the library returns (handles such as exh_server,
 *     exh_finding, exh_rule_info, and every const char *) is borrowed: it
 *     stays valid until its owner is freed (a result's handles and strings
 *     until exh_result_free, a rule's until exh_ruleset_free) and must not
 *     be freed or written through. A result points at its rule set's rule
 *     descriptions, so the rule set must outlive the result. Names that
 *     never change (exh_level_name, exh_writer_name...) are static.
 *   - The model is read only through accessors: handles are opaque, so the
 *     layout behind them can change without breaking a caller. An index
 *     past the end gives NULL; a handle argument must not be NULL.
 *
 * Errors are values: every call that can fail returns an exh_err (or says
 * how it reports failure); the library never exits and never prints unless
 * asked to (progress). Output goes through a callback (exh_write_fn), never
 * a FILE *, so the library and its caller need not share a C runtime.
 *
 * Times are UTC milliseconds since the epoch, EXH_TIME_UNKNOWN when not
 * known. */
#ifndef EXHUNT_EXHUNT_H
#define EXHUNT_EXHUNT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXH_VERSION "0.1.0"

/* Error codes. exh_strerror() has a sentence for each; a test pins them. */
typedef enum exh_err {
  EXH_OK = 0,
  EXH_ENOMEM,       /* out of memory */
  EXH_EIO,          /* cannot open, read or write a file (or the output callback failed) */
  EXH_EPARSE,       /* malformed input */
  EXH_ERULE,        /* a rule cannot be honoured */
  EXH_EUNSUPPORTED, /* feature not built in */
  EXH_EARG,         /* bad argument */
  EXH_ELIMIT,       /* a resource limit was hit */
  EXH_ERR_LAST
} exh_err;

const char *exh_strerror(exh_err e);

#define EXH_TIME_UNKNOWN INT64_MIN

/* ---- output -------------------------------------------------------------- */

/* Where the library writes text (reports, EVTX dumps, escaped strings): it
 * calls write(ctx, p, n) with n > 0 bytes and expects 0 when all of them
 * were taken, -1 otherwise (errno, when the callback sets it, is named in
 * the messages that report the failure). After a -1 the library makes no
 * further call to that callback in the same operation and returns EXH_EIO.
 * A callback over a FILE * is three lines in the caller:
 *   static int to_file(void *f, const char *p, size_t n) {
 *     return fwrite(p, 1, n, f) == n ? 0 : -1;
 *   } */
typedef int (*exh_write_fn)(void *ctx, const char *p, size_t n);

/* Writes third-party text (a rule's title, a path) for a terminal: control
 * bytes, invalid UTF-8, and characters that reorder or hide text (bidi
 * overrides and isolates, zero-width and other invisible format characters)
 * are escaped, as in the text report. EXH_EIO if the callback failed. */
exh_err exh_term_write(exh_write_fn write, void *ctx, const char *s, size_t n);

/* ---- levels and rules ---------------------------------------------------- */

/* Sigma levels; exh_level_severity() gives the ECS number. */
typedef enum exh_level {
  EXH_LEVEL_INFO = 0, /* Sigma "informational" */
  EXH_LEVEL_LOW,
  EXH_LEVEL_MEDIUM,
  EXH_LEVEL_HIGH,
  EXH_LEVEL_CRITICAL
} exh_level;
#define EXH_NLEVELS 5

/* ECS event.severity for a level: 21 low, 47 medium, 73 high, 99 critical;
 * informational findings also carry 21 (ECS has no lower band that tools
 * agree on) and are told apart by exhunt.level = "informational". */
int exh_level_severity(exh_level l);
const char *exh_level_name(exh_level l);
/* Parses a Sigma level name; returns 0 on success, -1 if unknown. */
int exh_level_parse(const char *s, exh_level *out);

/* What a rule (Sigma, YARA, or a built-in check) says about itself. Owned
 * by its rule set. */
typedef struct exh_rule_info exh_rule_info;

const char *exh_rule_info_id(const exh_rule_info *ri);          /* Sigma id (UUID), YARA rule name */
const char *exh_rule_info_title(const exh_rule_info *ri);
const char *exh_rule_info_description(const exh_rule_info *ri); /* may be "" */
const char *exh_rule_info_source(const exh_rule_info *ri);      /* its file ("builtin:..." if shipped) */
const char *exh_rule_info_dataset(const exh_rule_info *ri);     /* ECS event.dataset of its log source, or NULL */
exh_level exh_rule_info_level(const exh_rule_info *ri);
/* CVE ids from tags cve.* ("CVE-2021-26855") and ATT&CK ids from tags
 * attack.tNNNN ("T1190"), in the rule's order. */
size_t exh_rule_info_ncves(const exh_rule_info *ri);
const char *exh_rule_info_cve(const exh_rule_info *ri, size_t i);
size_t exh_rule_info_ntechniques(const exh_rule_info *ri);
const char *exh_rule_info_technique(const exh_rule_info *ri, size_t i);
unsigned exh_rule_info_flags(const exh_rule_info *ri); /* EXH_RULE_* */

/* A supporting file (Test-ProxyLogon's "other suspicious files": names and
 * places alone): informational, raised to high next to a CVE finding. */
#define EXH_RULE_SUPPORTING 1u

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

/* The compiled rule cache (docs/rules.md): rule folders added with
 * exh_ruleset_add_path / exh_ruleset_add_sigmahq, and the prefilter
 * databases, are kept compiled in `dir` (an absolute path, created 0700)
 * and reused while every rule file's path and content, and this build, are
 * the same; a cache file that is corrupt or another's is ignored and
 * written again. Not used (silently, or a note through the reject callback
 * with EXH_CACHE_VERBOSE) when dir lies inside one of `avoid` (the
 * evidence, the rule folders), cannot be made, or others can write to it.
 * dir NULL: no cache (the default). Call before adding rules. */
#define EXH_CACHE_VERBOSE 1u
exh_err exh_ruleset_use_cache(exh_ruleset *rs, const char *dir, const char *const *avoid, size_t navoid,
                              unsigned flags);

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
/* SigmaHQ's rule tree (a clone of github.com/SigmaHQ/sigma or a release
 * archive of it) as the rule set "SigmaHQ": with a rules/ folder, the
 * alerting rules (rules/, rules-emerging-threats/, rules-dfir/) and not the
 * hunting, placeholder, deprecated or unsupported ones; otherwise every
 * rule below path. Its version is the checkout's HEAD commit or the first
 * line of a COMMIT, VERSION or version.txt file. Rules exhunt cannot use
 * (other products' log sources) go to the reject callback and are counted
 * in the set. */
exh_err exh_ruleset_add_sigmahq(exh_ruleset *rs, const char *path);

/* Rule sets: the Sigma rules added together, by name, so that a report
 * says what ran. exh_ruleset_add_builtin adds "built-in", add_sigmahq
 * "SigmaHQ", add_path and add_yaml "user" (origin: the path or source).
 * Counts are final after exh_ruleset_compile. Owned by the rule set. */
typedef struct exh_rule_set exh_rule_set;
size_t exh_ruleset_nsets(const exh_ruleset *rs);
const exh_rule_set *exh_ruleset_set(const exh_ruleset *rs, size_t i);
const char *exh_rule_set_name(const exh_rule_set *s);    /* "built-in", "SigmaHQ", "user" */
const char *exh_rule_set_origin(const exh_rule_set *s);  /* a path, or "compiled into exhunt" */
const char *exh_rule_set_version(const exh_rule_set *s); /* "commit 0123456789ab", "exhunt 0.1.0", or NULL */
size_t exh_rule_set_loaded(const exh_rule_set *s);
size_t exh_rule_set_rejected(const exh_rule_set *s);    /* rules of the set exhunt could not use */

/* Builds the prefilters; no rule can be added afterwards. */
exh_err exh_ruleset_compile(exh_ruleset *rs);
/* Threads exh_ruleset_compile may use (0: one per core; the default is
 * one): the log kinds' prefilter databases not in the compiled rule cache
 * are compiled at once. The result does not depend on it. */
void exh_ruleset_set_threads(exh_ruleset *rs, int threads);
size_t exh_ruleset_count(const exh_ruleset *rs);
size_t exh_ruleset_rejected(const exh_ruleset *rs);
/* Sigma rule i, or NULL. */
const exh_rule_info *exh_ruleset_rule(const exh_ruleset *rs, size_t i);
/* Writes Sigma rule i's prefilter literal groups, one line per group, for
 * a terminal (literals escaped as by exh_term_write). */
exh_err exh_ruleset_describe_prefilter(const exh_ruleset *rs, size_t i, exh_write_fn write, void *ctx);
/* Rules that have no literal prefilter and so run on every record. */
size_t exh_ruleset_unfiltered(const exh_ruleset *rs);

/* ---- scanning ------------------------------------------------------------ */

/* The scan's input: a plain struct, read during exh_scan only (nothing in
 * it is kept). Zero-initialise it, then set what you need: every zero
 * field means its default, so fields added later keep old callers right. */
typedef struct exh_scan_opts {
  const char *const *roots; /* directories or files; each root is one server */
  size_t nroots;
  int threads;              /* 0: one per core */
  int progress;             /* 1: progress lines on stderr */
  /* Resource limits (0: the default in src/core/limits.h). A file over a
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

/* The result of a scan: owned by the caller, freed with exh_result_free;
 * every handle and string below borrows from it. */
typedef struct exh_result exh_result;

exh_err exh_scan(const exh_ruleset *rs, const exh_scan_opts *opts,
                 exh_result **out);
void exh_result_free(exh_result *r);

/* Exit status (README "Verdicts and exit status"): 2 when the scan could
 * not be done as asked (a root missing or unreadable; with strict, any file
 * that could not be read); else 1 when a server has a finding of level low
 * or above; else 3 when a server's verdict is "cannot tell" or "no evidence
 * examined"; else 0: every server's "no evidence of compromise" was earned
 * on examined evidence. */
int exh_result_exit_code(const exh_result *r);
int exh_result_exit_code_strict(const exh_result *r, int strict);

/* The handles of a result. Lists are by index, 0 .. n-1; the lists of
 * findings, log windows, coverage rows, file errors and actors hold every
 * server's entries, each naming its server by index (exh_result_server). */
typedef struct exh_server exh_server;         /* one root */
typedef struct exh_finding exh_finding;       /* one rule that fired on one piece of evidence */
typedef struct exh_campaign exh_campaign;     /* one campaign's state on one server */
typedef struct exh_cve_status exh_cve_status; /* one CVE: patched or not on one server */
typedef struct exh_build_seen exh_build_seen; /* a build named by the server's logs */
typedef struct exh_logwindow exh_logwindow;   /* how far back one log folder reaches */
typedef struct exh_coverage exh_coverage;     /* one class of evidence: read or absent */
typedef struct exh_file_error exh_file_error; /* a file not read, or skipped */
typedef struct exh_actor exh_actor;           /* one client address and what it did */

size_t exh_result_nservers(const exh_result *r);
const exh_server *exh_result_server(const exh_result *r, size_t i);
/* Sorted by server, time, path, line, rule. */
size_t exh_result_nfindings(const exh_result *r);
const exh_finding *exh_result_finding(const exh_result *r, size_t i);
/* Sorted by server, then folder. */
size_t exh_result_nwindows(const exh_result *r);
const exh_logwindow *exh_result_window(const exh_result *r, size_t i);
/* By server, then class order. */
size_t exh_result_ncoverage(const exh_result *r);
const exh_coverage *exh_result_coverage(const exh_result *r, size_t i);
/* In the order met. */
size_t exh_result_nerrors(const exh_result *r);
const exh_file_error *exh_result_error(const exh_result *r, size_t i);
/* By server, then most severe first. */
size_t exh_result_nactors(const exh_result *r);
const exh_actor *exh_result_actor(const exh_result *r, size_t i);
/* The walk and the reading. */
uint64_t exh_result_files_seen(const exh_result *r);
uint64_t exh_result_files_scanned(const exh_result *r);
uint64_t exh_result_bytes_scanned(const exh_result *r);
int64_t exh_result_start(const exh_result *r); /* when the scan started */
double exh_result_seconds(const exh_result *r); /* how long it took */
/* The rules in force (the verdict is read in their context). */
size_t exh_result_rules_sigma(const exh_result *r);
size_t exh_result_rules_yara(const exh_result *r);
size_t exh_result_indicators(const exh_result *r);
size_t exh_result_baseline_rows(const exh_result *r);
/* The Sigma rule sets that ran (borrowed from the scan's rule set). */
size_t exh_result_nrule_sets(const exh_result *r);
const exh_rule_set *exh_result_rule_set(const exh_result *r, size_t i);

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

/* Patch level (checks/build.c, docs/files.md): per CVE of the campaigns,
 * whether the installed build carries the fix. */
typedef enum exh_patch { EXH_PATCH_UNKNOWN = 0, EXH_PATCH_FIXED, EXH_PATCH_VULNERABLE } exh_patch;
const char *exh_patch_name(exh_patch p);

/* What one campaign's evidence says on one server (correlate/coverage.c). */
typedef enum exh_campaign_state {
  EXH_CAMPAIGN_COMPROMISED = 0, /* high/critical findings naming its CVEs */
  EXH_CAMPAIGN_ATTEMPTED,       /* low/medium findings naming its CVEs */
  EXH_CAMPAIGN_NO_TRACE,        /* web logs cover part of its exposure: nothing there */
  EXH_CAMPAIGN_NO_TRACE_ON_DISK,/* the logs do not cover its exposure; the web folders hold no shell */
  EXH_CAMPAIGN_CANNOT_TELL      /* neither: its evidence is absent (or no rule for it was loaded) */
} exh_campaign_state;
const char *exh_campaign_state_name(exh_campaign_state s);

/* -- a server (one root) -- */
const char *exh_server_name(const exh_server *s);       /* basename of the root */
const char *exh_server_root(const exh_server *s);       /* the root as given */
const char *exh_server_root_error(const exh_server *s); /* the root could not be read at all, or NULL */
exh_verdict exh_server_verdict(const exh_server *s);
const char *exh_server_reason(const exh_server *s);     /* one sentence: why this verdict */
const char *exh_server_limits(const exh_server *s);     /* what it rests on, what was not examined, or NULL */
size_t exh_server_nlevel(const exh_server *s, exh_level l); /* its findings of that level */
size_t exh_server_ncampaigns(const exh_server *s);
const exh_campaign *exh_server_campaign(const exh_server *s, size_t i);
/* The patch level: the build ("15.1.2176.2", or NULL if no source told
 * it), where it was read ("Bin/ExSetup.exe version resource", "owa build
 * folder", "Exchange log #Version"), the product ("Exchange 2016 CU19", or
 * NULL), each CVE's status and the builds the logs name (by first time). */
const char *exh_server_build(const exh_server *s);
const char *exh_server_build_source(const exh_server *s);
const char *exh_server_product(const exh_server *s);
size_t exh_server_ncves(const exh_server *s);
const exh_cve_status *exh_server_cve(const exh_server *s, size_t i);
size_t exh_server_nbuilds_seen(const exh_server *s);
const exh_build_seen *exh_server_build_seen(const exh_server *s, size_t i);

/* -- a campaign on a server: its state, the exposure (from its first known
 * exploitation to when the server was no longer exposed, or the newest
 * evidence), the part of it the web logs cover, the loaded rules naming
 * its CVEs, and why, in one sentence -- */
const char *exh_campaign_name(const exh_campaign *c); /* "ProxyLogon" */
exh_campaign_state exh_campaign_state_of(const exh_campaign *c);
const char *exh_campaign_why(const exh_campaign *c);
int64_t exh_campaign_exposure_first(const exh_campaign *c);
int64_t exh_campaign_exposure_last(const exh_campaign *c);
int64_t exh_campaign_covered_first(const exh_campaign *c);
int64_t exh_campaign_covered_last(const exh_campaign *c);
size_t exh_campaign_nrules(const exh_campaign *c);

/* -- a CVE's status on a server -- */
const char *exh_cve_status_id(const exh_cve_status *c);       /* "CVE-2021-26855" */
const char *exh_cve_status_campaign(const exh_cve_status *c); /* "ProxyLogon" */
exh_patch exh_cve_status_patch(const exh_cve_status *c);
const char *exh_cve_status_why(const exh_cve_status *c);      /* "fixed in 15.1.2176.9 (KB5000871, March 2021)" */

/* -- a build named by the #Version: lines of the server's Exchange logs,
 * with the span of the logs carrying it (dates an update) -- */
const char *exh_build_seen_build(const exh_build_seen *b);
int64_t exh_build_seen_first(const exh_build_seen *b);
int64_t exh_build_seen_last(const exh_build_seen *b);
uint32_t exh_build_seen_files(const exh_build_seen *b);

/* -- a finding -- */
size_t exh_finding_server(const exh_finding *f); /* index of its server */
const exh_rule_info *exh_finding_rule(const exh_finding *f);
exh_level exh_finding_level(const exh_finding *f); /* may differ from the rule's (escalation, correlate/) */
int64_t exh_finding_time(const exh_finding *f);    /* the record's time, or EXH_TIME_UNKNOWN */
const char *exh_finding_message(const exh_finding *f); /* one line for people */
const char *exh_finding_dataset(const exh_finding *f); /* ECS event.dataset */
/* Where: the path as scanned; log evidence has its record's byte offset, a
 * line (1-based; 0 for event records) or an EVTX EventRecordID (0 for
 * lines); file evidence (exh_finding_is_file) has the offset of a YARA
 * match. */
const char *exh_finding_path(const exh_finding *f);
int exh_finding_is_file(const exh_finding *f);
uint64_t exh_finding_offset(const exh_finding *f);
uint64_t exh_finding_line(const exh_finding *f);
uint64_t exh_finding_record_id(const exh_finding *f);
/* The raw record (logs, events; at most 2 KiB, *truncated set when it was
 * cut) or the bytes around a match (files): NULL when there is none; not
 * NUL-safe (binary content), so its length goes to *len. truncated may be
 * NULL. */
const char *exh_finding_evidence(const exh_finding *f, size_t *len, int *truncated);
/* The CVEs the evidence supports: the rule's, or others when correlation
 * relabelled the finding (a ProxyShell-shaped request on a build patched
 * for ProxyShell, docs/rules.md); prefer these to the rule's in reports. */
size_t exh_finding_ncves(const exh_finding *f);
const char *exh_finding_cve(const exh_finding *f, size_t i);
/* Entities, NULL when the record had none (status: 0). The source is the
 * client as attributed (docs/rules.md, "The server's own addresses"): never
 * the server's own address; that is exh_finding_hop_ip, the address the
 * log named as the client when it was the server itself, a back-end hop or
 * loopback (NULL otherwise). */
const char *exh_finding_source_ip(const exh_finding *f);
const char *exh_finding_hop_ip(const exh_finding *f);
/* What the hop (when exh_finding_hop_ip is set) or else the client is, when
 * the scan knows it: "EXCH02, another scanned server", "an internal proxy",
 * ... NULL otherwise (a hop then is the server itself). */
const char *exh_finding_address_note(const exh_finding *f);
const char *exh_finding_url(const exh_finding *f);
const char *exh_finding_user_agent(const exh_finding *f);
const char *exh_finding_user_name(const exh_finding *f);
const char *exh_finding_http_method(const exh_finding *f);
int exh_finding_http_status(const exh_finding *f);
/* File evidence: size, modification time, hashes (lowercase hex, NULL if
 * not computed). */
uint64_t exh_finding_file_size(const exh_finding *f);
int64_t exh_finding_file_mtime(const exh_finding *f);
const char *exh_finding_sha256(const exh_finding *f);
const char *exh_finding_sha1(const exh_finding *f);
const char *exh_finding_md5(const exh_finding *f);
/* The indicator that fired (IOC findings), else NULL: its value, where it
 * came from (file and line, or STIX id), its type ("sha256", "path", "ip"...). */
const char *exh_finding_indicator(const exh_finding *f);
const char *exh_finding_indicator_source(const exh_finding *f);
const char *exh_finding_indicator_type(const exh_finding *f);
/* Files: which request wrote it and who used it (correlate/story.c), or NULL. */
const char *exh_finding_story(const exh_finding *f);
/* The path the evidence had on the server ("C:\\Program Files\\..."), when
 * the collection's layout says it (Velociraptor's uploads/<accessor>/<drive>,
 * a drive folder such as C%3A), else NULL. */
const char *exh_finding_original_path(const exh_finding *f);
/* The same finding in shadow copies of the volume, merged into this one
 * (the live volume's): their paths. */
size_t exh_finding_nalso(const exh_finding *f);
const char *exh_finding_also(const exh_finding *f, size_t i);

/* -- a log folder's window -- */
size_t exh_logwindow_server(const exh_logwindow *w);
const char *exh_logwindow_folder(const exh_logwindow *w); /* as scanned */
const char *exh_logwindow_kind(const exh_logwindow *w);   /* "httpproxy", "ecp_server", ... */
int64_t exh_logwindow_first(const exh_logwindow *w);     /* EXH_TIME_UNKNOWN if no dated record */
int64_t exh_logwindow_last(const exh_logwindow *w);
uint32_t exh_logwindow_files(const exh_logwindow *w);
uint64_t exh_logwindow_bytes(const exh_logwindow *w);
uint64_t exh_logwindow_records(const exh_logwindow *w);  /* data lines seen (0 when only the window was read) */

/* -- a class of evidence on a server (correlate/coverage.c has the list) -- */
size_t exh_coverage_server(const exh_coverage *c);
const char *exh_coverage_class(const exh_coverage *c); /* "httpproxy", "iis", "windows_events", "web_files", "exsetup", ... */
const char *exh_coverage_item(const exh_coverage *c);  /* HttpProxy protocol folder, IIS site, EVTX channel, or "" */
const char *exh_coverage_label(const exh_coverage *c); /* for people: "HttpProxy logs Owa", "events Security" */
int exh_coverage_present(const exh_coverage *c);       /* 0: expected but not found */
int64_t exh_coverage_first(const exh_coverage *c);     /* records' span (logs, events), else EXH_TIME_UNKNOWN */
int64_t exh_coverage_last(const exh_coverage *c);
uint32_t exh_coverage_files(const exh_coverage *c);
uint64_t exh_coverage_bytes(const exh_coverage *c);
uint64_t exh_coverage_records(const exh_coverage *c);
uint32_t exh_coverage_errors(const exh_coverage *c);   /* files of this class not read, in whole or in part */
size_t exh_coverage_rules(const exh_coverage *c);      /* loaded rules or checks that read this class */

/* -- a file that could not be read, or was skipped for a stated reason -- */
size_t exh_file_error_server(const exh_file_error *e);
const char *exh_file_error_path(const exh_file_error *e);
const char *exh_file_error_reason(const exh_file_error *e);
int exh_file_error_skipped(const exh_file_error *e); /* 1: by policy (link, special file); 0: an error */

/* -- a client address and what the findings say it did on one server
 * (correlate/story.c): only findings of level low or above that name a
 * client address count; CVEs and rule titles first seen first (capped) -- */
size_t exh_actor_server(const exh_actor *a);
const char *exh_actor_ip(const exh_actor *a);
int64_t exh_actor_first(const exh_actor *a);
int64_t exh_actor_last(const exh_actor *a);
size_t exh_actor_nfindings(const exh_actor *a);             /* its findings */
size_t exh_actor_nlevel(const exh_actor *a, exh_level l);    /* its findings of that level */
size_t exh_actor_ncves(const exh_actor *a);
const char *exh_actor_cve(const exh_actor *a, size_t i);
size_t exh_actor_nrules(const exh_actor *a);
const char *exh_actor_rule(const exh_actor *a, size_t i);

/* ---- reports ------------------------------------------------------------- */

typedef struct exh_report_opts {
  int color;          /* text: ANSI colours */
  int verbose;        /* text: every finding rather than a capped list */
} exh_report_opts;

/* The report writers by name (src/report/writers.c): text, jsonl, csv,
 * timesketch, html. exh_writers() lists them, ending with NULL;
 * exh_writer_find gives NULL for an unknown name. */
typedef struct exh_writer exh_writer;
const exh_writer *const *exh_writers(void);
const exh_writer *exh_writer_find(const char *name);
const char *exh_writer_name(const exh_writer *w);
const char *exh_writer_summary(const exh_writer *w);
/* Writes the report of r (o may be NULL: no colour, capped lists).
 * EXH_EIO when the callback failed, EXH_ENOMEM or EXH_ELIMIT when memory
 * ran out (the output is then incomplete). */
exh_err exh_writer_write(const exh_writer *w, exh_write_fn write, void *ctx, const exh_result *r,
                         const exh_report_opts *o);

/* A report file, written beside the evidence and never into it. Refused
 * (EXH_EARG, reason in why) when the path, links resolved, is inside a
 * folder root or is a file root. The report goes to a temporary file in
 * the same folder and replaces the path only when closed with commit = 1,
 * so an existing file there (even a link to evidence) is replaced as a
 * name, never written into. exh_output_write is an exh_write_fn whose
 * context is the exh_output. Closing reports write errors (a full disk) as
 * EXH_EIO. */
typedef struct exh_output exh_output;
exh_err exh_output_open(const char *path, const char *const *roots, size_t nroots, exh_output **out, char *why,
                        size_t whyn);
int exh_output_write(void *output, const char *p, size_t n);
exh_err exh_output_close(exh_output *o, int commit, char *why, size_t whyn);

/* ---- EVTX dump ----------------------------------------------------------- */

typedef enum exh_dump_format { EXH_DUMP_JSONL = 0, EXH_DUMP_XML, EXH_DUMP_NONE } exh_dump_format;

/* Writes every record of the EVTX files to out, in file and record order.
 * With threads > 1 the chunks of a file are decoded in parallel and written
 * in order. Damage is reported to err as "path: offset N: what" lines and
 * decoding goes on. Counts go to *records and *issues (either may be
 * NULL). Returns EXH_EIO if a file could not be opened or is not EVTX (the
 * others are still dumped), or if out failed (said on err; the dump
 * stops). */
exh_err exh_dump_evtx(const char *const *paths, size_t npaths, exh_dump_format fmt, int threads, exh_write_fn out,
                      void *out_ctx, exh_write_fn err, void *err_ctx, uint64_t *records, uint64_t *issues);

#ifdef __cplusplus
}
#endif
#endif
