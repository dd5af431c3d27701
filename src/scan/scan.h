/* The scan driver: walk the roots, hand files to worker threads, run the
 * parser and rules each file needs, then correlate. Internal pieces shared
 * between scan.c, walk/, detect/ and correlate/. */
#ifndef EXH_SCAN_H
#define EXH_SCAN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../classify/classify.h"
#include "exhunt/exhunt.h"

#define EXH_EV_CHANNELS 8

/* One file to look at, as found by the walk. */
typedef struct exh_evidence {
  char *path;      /* as scanned (root joined with the relative path) */
  char *rel;       /* relative to the root ("" when the root is the file) */
  size_t server;
  exh_kind kind;
  char sub[64];    /* HttpProxy protocol folder */
  uint64_t size;
  int64_t mtime_ms;
  uint64_t dev, ino;  /* what the walk's lstat saw (0, 0: not from the walk): the
                         file opened later must be the same (exh_source_file) */
  /* results, filled by one worker */
  exh_finding *findings;
  size_t nfindings, capfindings;
  int64_t first_ms, last_ms;
  uint64_t records;
  char *error;
  int skipped;
  uint64_t suppressed;   /* findings over the caps: counted, not kept */
  uint64_t evtx_issues;  /* damage reports while decoding an EVTX */
  int skipped_channel;   /* EVTX of a channel no loaded rule reads */
  int done;              /* a worker took it (else no worker could start: out of memory) */
  int fault;             /* reading it unwound: EXH_GUARD_NOMEM or EXH_GUARD_LIMIT (util.h) */
  char version[24];      /* Exchange logs: the #Version: build, normalised */
  uint32_t log_members;  /* archives: log files read inside */
  int64_t version_ms;    /* archives: last record time of the log that named `version` */
  /* EVTX and JSON events: the channels whose records were read, with the
   * count and time span of each (the coverage section lists them). */
  struct exh_ev_channel {
    char name[96];
    uint64_t records;
    int64_t first_ms, last_ms;
  } channels[EXH_EV_CHANNELS];
  size_t nchannels;
  uint64_t channels_more; /* records of channels past the EXH_EV_CHANNELS listed */
  /* archives: what their members were, one note per (kind, sub, folder)
   * inside (log windows and coverage per class, as for a folder) */
  struct exh_member_note *members;
  size_t nmembers, capmembers;
} exh_evidence;

/* A summary of the archive members of one kind in one folder of the
 * archive. */
typedef struct exh_member_note {
  exh_kind kind;
  char sub[64];
  char *dir;          /* "archive!folder/inside" */
  uint32_t files, failed;
  uint64_t bytes, records;
  int64_t first_ms, last_ms;
} exh_member_note;

/* Frees what an evidence owns from its reading (findings, error, member
 * notes), not its path or rel: for callers that scan an evidence of their
 * own (tests, fuzz targets). */
void exh_evidence_release(exh_evidence *ev);

/* Notes one scanned member `m` (named `name` inside) on its archive `ev`. */
void exh_evidence_member_note(exh_evidence *ev, const exh_evidence *m, const char *name);

/* Counts one event of `channel` (its time may be EXH_TIME_UNKNOWN) in the
 * evidence's channel list. */
void exh_evidence_channel(exh_evidence *ev, const char *channel, size_t n, int64_t t);
/* Appends a reason to the evidence's error ("; "-separated, bounded): what
 * could not be read, with the rest still read. */
void exh_evidence_error(exh_evidence *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the walk learnt about one server's install (patch level). */
typedef struct exh_walk_server {
  char *root_error; /* the root itself could not be read (missing, unreadable), or NULL */
  uint32_t web_dirs, staging_dirs; /* web and staging folders met (present even when empty) */
  char *exsetup;   /* path of Bin/ExSetup.exe, or NULL */
  char **builds;   /* names of build-numbered folders under owa/ ("15.1.2176.2") */
  size_t nbuilds, capbuilds;
} exh_walk_server;

typedef struct exh_walk {
  exh_evidence *ev;
  size_t n, cap;
  exh_file_error *errors;
  size_t nerrors, caperrors;
  uint64_t files_seen;
  int all_files;           /* --all-files: every file gets the content checks */
  const struct exh_iocset *iocs; /* path indicators: a file they name is checked wherever it is */
  exh_walk_server *srv;    /* per server, nsrv entries */
  size_t nsrv;
} exh_walk;

/* Walks one root (a folder or a file) and appends what it finds. */
void exh_walk_root(exh_walk *w, const char *root, size_t server);
void exh_walk_add_error(exh_walk *w, size_t server, const char *path, const char *reason,
                        int skipped);

/* Per-thread state: scratch memory reused across files. */
struct exh_prefilter;
struct exh_pf_scratch;
typedef struct exh_worker {
  const exh_ruleset *rs;
  const struct exh_scan_limits *lim;
  struct exh_pf_scratch *pfs[EXH_KIND_COUNT];
  int *fmap;            /* field id -> column */
  void *cols;           /* exh_str[EXH_MAX_COLS] */
  uint8_t *qflags;
  void *scratch;        /* exh_buf for unquoting */
  void *msg;            /* exh_buf for messages */
  void *uri;            /* exh_buf for the W3C full URI */
  struct exh_yara_scanner *yscan; /* created on the first content file */
  const char *const *server_builds; /* per server: installed build or NULL (baselines) */
} exh_worker;

/* Limits in force for a scan, shared by its workers. */
typedef struct exh_scan_limits {
  uint64_t max_file_bytes;
  double max_file_seconds;
  size_t max_findings_per_file;
  size_t max_findings;
  uint64_t max_content_bytes;
  _Atomic size_t findings; /* kept so far, whole scan */
} exh_scan_limits;

/* A default-limits instance for callers outside exh_scan (fuzz targets). */
void exh_scan_limits_default(exh_scan_limits *l);

void exh_worker_init(exh_worker *wk, const exh_ruleset *rs);
void exh_worker_fini(exh_worker *wk);
/* After a file's reading unwound (guard): the prefilter scratch and the
 * YARA scanner may have been mid-call, so they are replaced (the old YARA
 * scanner is dropped, not destroyed: its state is unknown). */
void exh_worker_recover(exh_worker *wk);

/* Scans one Exchange log (walk kinds EXH_KIND_HTTPPROXY..LOG_LAST). */
void exh_scan_exlog(exh_worker *wk, exh_evidence *ev);
/* The same on bytes already in memory (the fuzz targets use this). */
struct exh_map;
void exh_scan_exlog_map(exh_worker *wk, exh_evidence *ev, struct exh_map *map);
/* The same on any byte source (a file, an archive member, memory), read in
 * blocks of whole lines; the caller opens and closes it. The _sized form
 * takes the block and longest-line sizes (tests and fuzz targets use a few
 * bytes so every block boundary is crossed). */
struct exh_source;
void exh_scan_exlog_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_exlog_source_sized(exh_worker *wk, exh_evidence *ev, struct exh_source *src, size_t block,
                                 size_t max_line);

/* Scans one EVTX file (scan_evtx.c); the same on bytes in memory; and a
 * file of JSON lines of events (Winlogbeat, Velociraptor, OTRF). */
void exh_scan_evtx(exh_worker *wk, exh_evidence *ev);
void exh_scan_evtx_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
void exh_scan_jsonev_buf(exh_worker *wk, exh_evidence *ev, const char *data, size_t n);
/* The same read from a source (core/source.h): an EVTX a chunk at a time,
 * JSON lines a block at a time, so memory stays bounded whatever the size
 * (files, archive members); the _buf forms are these over memory. And a
 * JSON-lines file opened as exh_scan_evtx opens an EVTX (the walk's
 * device and inode checked, no link followed). */
struct exh_source;
void exh_scan_evtx_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_jsonev_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);
void exh_scan_jsonev(exh_worker *wk, exh_evidence *ev);
/* JSON lines with the block and longest-line sizes given (the fuzz target
 * uses a few bytes so block boundaries and over-long lines are crossed). */
void exh_scan_jsonev_source_sized(exh_worker *wk, exh_evidence *ev, struct exh_source *src, size_t block,
                                  size_t max_line);
/* Scans the members of an archive given on the command line (scan_archive.c). */
void exh_scan_archive(exh_worker *wk, exh_evidence *ev);
/* The same on an archive's bytes from any source (fuzz targets use memory). */
void exh_scan_archive_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);

/* File checks (detect/files.c): Test-ProxyLogon's supporting files; and
 * the content checks of every candidate file (detect/content.c). */
extern const exh_rule_info exh_rule_lsass_dump, exh_rule_staging_archive;
void exh_detect_file(exh_worker *wk, exh_evidence *ev);
void exh_detect_content(exh_worker *wk, exh_evidence *ev);
/* Same on bytes in memory (fuzz targets, archive members). */
void exh_detect_content_buf(exh_worker *wk, exh_evidence *ev, const uint8_t *p, size_t n);
/* Same on a source (a file, an archive member): read whole up to the
 * content size limit, else the path and header checks only. */
void exh_detect_content_source(exh_worker *wk, exh_evidence *ev, struct exh_source *src);

/* Patch level (detect/build.c): reads Bin/ExSetup.exe or the build
 * folders before the scan (for the baselines), then completes each
 * server's build, CVE status and log build history after it. */
char *exh_build_from_walk(const exh_walk_server *ws, const char **source);
void exh_build_finish(exh_result *r, char **early, const char **early_src);
/* "15.01.2375.007" -> "15.1.2375.7"; 0 on success. */
int exh_build_normalise(const char *in, char *out, size_t n);
/* The fix for a CVE on a build's CU line as text, or NULL. */
const char *exh_build_fixed_in(const char *cve, const char *build, char *out, size_t n);

/* The patch state of one CVE on one build ("15.1.2176.2"). */
exh_patch exh_build_cve_status(const char *cve, const char *build);

/* Correlation (correlate/verdict.c): escalations and the verdicts that
 * findings give (compromised, exploitation attempted). */
void exh_correlate(exh_result *r);
/* Coverage (correlate/coverage.c): one row per class of evidence read,
 * noted per evidence file during the merge; then the expected classes
 * that are absent; then each campaign's state and the verdicts of servers
 * without findings (earned clean, cannot tell, no evidence examined). */
/* kind_rules[k]: the rules or checks that read evidence of kind k. */
void exh_coverage_note(exh_result *r, size_t *cap, const exh_evidence *ev, const size_t *kind_rules);
void exh_coverage_finish(exh_result *r, size_t *cap, const exh_walk *w);
void exh_correlate_verdicts(exh_result *r, const exh_ruleset *rs);
/* The story of each file finding: the request that wrote it, who used it. */
void exh_correlate_story(exh_result *r);
/* Findings grouped by client address per server (exh_result.actors). */
void exh_correlate_actors(exh_result *r);

/* A finding of `rule` on this evidence with its common fields set, or
 * NULL over a cap; and the message: the title, then the values of the
 * fields the rule tested (shared by the log and EVTX scanners). */
struct exh_rule;
struct exh_record;
exh_finding *exh_rule_finding(exh_worker *wk, exh_evidence *ev, const struct exh_rule *rule, const char *dataset);
char *exh_rule_message(exh_worker *wk, const struct exh_rule *rule, const struct exh_record *rec);

/* Frees the strings a finding owns. */
void exh_finding_release(exh_finding *f);

/* Appends a zeroed finding to the evidence's list, or returns NULL (and
 * counts it in ev->suppressed) when a findings cap is reached. */
exh_finding *exh_evidence_new_finding(exh_worker *wk, exh_evidence *ev);

#endif
