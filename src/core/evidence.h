/* The evidence model, below every stage: one file to look at (as the walk
 * found it, and what reading it gave), the findings sink that formats and
 * checks write into, the limits in force and the per-thread worker state
 * they are handed. Findings flow down into the evidence; the driver merges
 * them into the result (scan/), nothing calls back up. */
#ifndef EXH_CORE_EVIDENCE_H
#define EXH_CORE_EVIDENCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"
#include "kinds.h"
#include "result.h"

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
                         file opened later must be the same (exh__source_file) */
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
  char server_ip[48];    /* IIS logs: the s-ip of the first data record (the server's own address), or "" */
  char host[96];         /* the host the evidence names (EVTX Computer, HttpProxy ServerHostName), or "" */
  uint32_t log_members;  /* archives: log files read inside */
  int64_t version_ms;    /* archives: last record time of the log that named `version` */
  void *part_state;      /* a part of a split file: what its format keeps for merge_parts
                            (format.h; one heap block, freed by exh__evidence_release) */
  /* EVTX and JSON events: the channels whose records were read, with the
   * count and time span of each (the coverage section lists them). */
  struct exh_ev_channel {
    char name[96];
    size_t server;         /* archives: the server of the members that held it */
    uint64_t records;
    int64_t first_ms, last_ms;
  } channels[EXH_EV_CHANNELS];
  size_t nchannels;
  uint64_t channels_more; /* records of channels past the EXH_EV_CHANNELS listed */
  /* archives: what their members were, one note per (kind, sub, folder)
   * inside (log windows and coverage per class, as for a folder) */
  struct exh_member_note *members;
  size_t nmembers, capmembers;
  /* archives holding several servers' collections (a hunt download zipped
   * whole): each member goes to the server of the longest prefix of its
   * name (walk/walk.c); none: the archive's server */
  struct exh_split {
    char *prefix; /* "EXCH01-C.0123456789abcdef/" */
    size_t server;
  } *splits;
  size_t nsplits;
  /* archives: the build in the version resource of a Bin/ExSetup.exe
   * inside, per server (the patch level, as from a folder's) */
  struct exh_exsetup {
    size_t server;
    char build[32];
    char *path; /* "archive!.../Bin/ExSetup.exe" */
  } exsetups[4];
  size_t nexsetups;
} exh_evidence;

/* A summary of the archive members of one kind in one folder of the
 * archive. */
typedef struct exh_member_note {
  exh_kind kind;
  size_t server;      /* the members' server (exh_evidence.splits) */
  char sub[64];
  char *dir;          /* "archive!folder/inside" */
  uint32_t files, failed;
  uint64_t bytes, records;
  int64_t first_ms, last_ms;
} exh_member_note;

/* Opens the evidence as the walk saw it (no link followed, the access time
 * kept where permitted, refused if its device and inode changed since);
 * NULL after recording why as the evidence's error. Close with
 * exh__source_close. */
struct exh_source *exh__evidence_open(exh_evidence *ev);

/* Frees what an evidence owns from its reading (findings, error, member
 * notes), not its path or rel: for callers that scan an evidence of their
 * own (tests, fuzz targets). */
void exh__evidence_release(exh_evidence *ev);

/* Notes one scanned member `m` (named `name` inside) on its archive `ev`. */
void exh__evidence_member_note(exh_evidence *ev, const exh_evidence *m, const char *name);

/* A large file read in parts by several workers (format.h scan_part):
 * whether part `p` read cleanly (no error, fault, damage, cap or channel
 * overflow: what only a whole reading reports the same way), and the
 * merge of clean parts into the file's evidence, in file order, giving
 * what one reading of the whole file gives (findings appended; counts
 * summed; spans widened; channels in order of first appearance; the
 * first host, version and server address). */
int exh__evidence_part_clean(const exh_evidence *p);
void exh__evidence_merge_part(exh_evidence *ev, exh_evidence *p);

/* Counts one event of `channel` (its time may be EXH_TIME_UNKNOWN) in the
 * evidence's channel list. */
void exh__evidence_channel(exh_evidence *ev, const char *channel, size_t n, int64_t t);
/* Appends a reason to the evidence's error ("; "-separated, bounded): what
 * could not be read, with the rest still read. */
void exh__evidence_error(exh_evidence *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How a container reads what it holds: set by the driver to the formats
 * registry (formats/registry.c), so a container (an archive) never knows
 * another format, and nothing below the registry includes it. */
struct exh_worker;
struct exh_source;
typedef struct exh_dispatch {
  /* the kind of a member by its path inside, with sub filled; EXH_KIND_NONE if no format reads it by path */
  exh_kind (*by_path)(const char *rel, char *sub, size_t subn);
  /* the kind of a member by its first bytes (a log's directives), or EXH_KIND_NONE */
  exh_kind (*by_head)(const unsigned char *head, size_t n);
  /* reads a member of any kind from a source */
  void (*scan)(struct exh_worker *wk, exh_evidence *ev, struct exh_source *src);
} exh_dispatch;

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
  const exh_dispatch *dispatch;     /* members of containers (formats/registry.c) */
} exh_worker;

/* Limits in force for a scan, shared by its workers. */
typedef struct exh_scan_limits {
  uint64_t max_file_bytes;
  double max_file_seconds;
  size_t max_findings_per_file;
  size_t max_findings;
  uint64_t max_content_bytes;
  uint64_t max_archive_bytes;   /* EXH_ARCHIVE_TOTAL_MAX (tests and fuzz targets lower it) */
  uint64_t max_archive_members; /* EXH_ARCHIVE_MAX_MEMBERS */
  int all_files;                /* --all-files: every archive member gets the file checks too */
  _Atomic size_t findings; /* kept so far, whole scan */
} exh_scan_limits;

/* A default-limits instance for callers outside exh_scan (fuzz targets). */
void exh__scan_limits_default(exh_scan_limits *l);

/* Frees the strings a finding owns. */
void exh__finding_release(exh_finding *f);

/* Appends a zeroed finding to the evidence's list, or returns NULL (and
 * counts it in ev->suppressed) when a findings cap is reached. */
exh_finding *exh__evidence_new_finding(exh_worker *wk, exh_evidence *ev);

/* What the walk learnt about one server (patch level, coverage). */
typedef struct exh_walk_server {
  char *root;       /* the folder or file the server's evidence lies under */
  char *name;       /* for the report: the collection's host name, or the folder's */
  int named;        /* 1: the name came from the collection (Velociraptor's client_info.json) */
  size_t given;     /* the command-line root it was found under */
  int discovered;   /* 1: found below a root, 0: the root itself */
  char *root_error; /* the root itself could not be read (missing, unreadable), or NULL */
  uint32_t web_dirs, staging_dirs; /* web and staging folders met (present even when empty) */
  uint32_t web_roots;   /* bit i: a folder of web root exh__web_roots[i] met (core/paths.h) */
  uint64_t other_files; /* files outside the checked folders, not content-checked (no --all-files) */
  char *exsetup;   /* path of Bin/ExSetup.exe, or NULL */
  char **builds;   /* names of build-numbered folders under owa/ ("15.1.2176.2") */
  size_t nbuilds, capbuilds;
} exh_walk_server;

#endif
