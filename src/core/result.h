/* The result model behind the public handles of include/exhunt/exhunt.h
 * (issue 12: the public header shows opaque handles and accessors only).
 * The stages that build a result include this: the formats and checks fill
 * findings through the sink (core/evidence.h), scan/ merges them, checks/
 * completes the patch level, correlate/ adds verdicts, campaigns, stories
 * and actors, report/ reads it. Users read it through the accessors
 * (core/result.c); only white-box tests build one by hand.
 *
 * Ownership: a result owns every char * below (freed by exh_result_free,
 * a finding's by exh__finding_release); const char * fields point at static
 * text or at the rule set's rule descriptions, which outlive the result. */
#ifndef EXH_CORE_RESULT_H
#define EXH_CORE_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"
#include "limits.h"

/* What a rule says about itself (from the Sigma YAML, the YARA meta, or a
 * built-in check's table). */
struct exh_rule_info {
  const char *id;    /* Sigma id (UUID) */
  const char *title;
  const char *description;
  const char *source;  /* file the rule came from ("builtin:..." if shipped) */
  const char *dataset; /* ECS event.dataset of the log source, e.g. exchange.httpproxy */
  exh_level level;
  const char *const *cves; /* "CVE-2021-26855", ... from tags cve.* */
  size_t ncves;
  const char *const *techniques; /* "T1190", ... from tags attack.tNNNN */
  size_t ntechniques;
  unsigned flags; /* EXH_RULE_* */
};

/* One finding: a rule (or a built-in check) fired on one piece of evidence. */
struct exh_finding {
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
  /* the server side of the record and the client a proxy forwarded, as the
   * log writes them (IIS s-ip / HttpProxy ServerHostName, s-port,
   * X-Forwarded-For), else NULL / 0 */
  char *server_ip, *forwarded_for;
  int server_port;
  /* correlate/labels.c: the server's own address the log named as the
   * client (a back-end hop, loopback), moved out of source_ip, or NULL */
  char *hop_ip;
  /* correlate/labels.c: what the hop (hop_ip set) or else the client
   * (source_ip) is when the scan knows ("EXCH02, another scanned server",
   * "an internal proxy"), or NULL (a hop: the server itself) */
  char *addr_note;
  /* correlate/labels.c: the CVEs the evidence supports when they differ
   * from the rule's (a relabelled finding), else NULL; static strings */
  const char *const *cves;
  size_t ncves;
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
  /* the same finding in shadow copies of the volume (correlate/snapshots.c) */
  char **also;
  size_t nalso;
  char *original_path; /* the path on the server ("C:\\..."), when the collection's layout says it */
};

/* How far back the logs of one folder reach. */
struct exh_logwindow {
  size_t server;
  char *folder;      /* folder path as scanned */
  const char *kind;  /* "httpproxy", "ecp_server", ... */
  int64_t first_ms, last_ms; /* EXH_TIME_UNKNOWN if no dated record */
  uint32_t files;
  uint64_t bytes;
  uint64_t records;  /* data lines seen (0 when only the window was read) */
};

/* One class of evidence on one server: found and read, or expected and
 * absent (correlate/coverage.c has the list and the reasons). */
struct exh_coverage {
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
};

/* A file that could not be scanned, or was skipped for a stated reason. */
struct exh_file_error {
  size_t server;
  char *path;
  char *reason;
  int skipped; /* 1: skipped by policy (symlink, special file); 0: an error */
};

struct exh_cve_status {
  const char *cve;      /* "CVE-2021-26855" */
  const char *campaign; /* "ProxyLogon" */
  exh_patch status;
  const char *why;      /* "fixed in 15.1.2176.9 (KB5000871, March 2021)", ... */
};

/* A build seen in the #Version: line of the server's Exchange logs, with
 * the time span of the logs that carry it (dates an update). */
struct exh_build_seen {
  char *build;
  int64_t first_ms, last_ms;
  uint32_t files;
};

struct exh_campaign {
  const char *campaign;            /* "ProxyLogon" */
  exh_campaign_state state;
  int64_t exposure_first_ms;       /* from the campaign's first known exploitation ... */
  int64_t exposure_last_ms;        /* ... to when this server was no longer exposed, or the scan (EXH_TIME_UNKNOWN: unknown) */
  int64_t covered_first_ms, covered_last_ms; /* the part of the exposure the web logs cover, or EXH_TIME_UNKNOWN */
  size_t nrules;                   /* loaded rules naming its CVEs */
  char *why;                       /* one sentence */
};

struct exh_server {
  char *name; /* basename of the root */
  char *root; /* root as given */
  char *root_error; /* the root could not be read at all (missing, unreadable), or NULL */
  exh_verdict verdict;
  char *reason; /* one sentence: why this verdict */
  char *limits; /* what the verdict rests on and what was not examined (one paragraph) */
  exh_campaign *campaigns;
  size_t ncampaigns;
  size_t nfindings[EXH_NLEVELS]; /* per level */
  /* patch level */
  char *build;              /* "15.1.2176.2", or NULL if no source told it */
  const char *build_source; /* "Bin/ExSetup.exe version resource", "owa build folder", "Exchange log #Version" */
  const char *product;      /* "Exchange 2016 CU19", or NULL if unknown */
  exh_cve_status *cves;
  size_t ncves;
  exh_build_seen *builds_seen; /* sorted by first_ms */
  size_t nbuilds_seen;
};

/* One client address and what the findings say it did on one server
 * (correlate/story.c): the per-attacker timeline. Only findings of level
 * low or above that name a client address count. */
struct exh_actor {
  size_t server;
  char *ip;
  int64_t first_ms, last_ms;
  size_t nfindings, nlevel[EXH_NLEVELS];
  const char *cves[EXH_ACTOR_MAX_CVES]; /* first seen first */
  size_t ncves;
  const char *rules[EXH_ACTOR_MAX_RULES]; /* rule titles, first seen first */
  size_t nrules;
};

struct exh_result {
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
  /* the servers' own addresses the logs name (IIS s-ip of each log's first
   * record), once per server, at most EXH_MAX_OWN_ADDRESSES, and the
   * server (index into servers) whose log named each: correlate/labels.c */
  char **own_addrs;
  size_t *own_addr_servers;
  size_t nown_addrs;
  /* the rules in force (the verdict is read in their context) */
  size_t rules_sigma, rules_yara, indicators, baseline_rows;
  const exh_rule_set **rule_sets; /* the Sigma rule sets (each borrowed from the rule set) */
  size_t nrule_sets;
  double seconds;
  int64_t scan_start_ms;
};

#endif
