/* What a file is, decided from its path (case-insensitive, '/' or '\') and
 * confirmed later from its first bytes by the parser. */
#ifndef EXH_CLASSIFY_H
#define EXH_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

typedef enum exh_kind {
  EXH_KIND_NONE = 0,
  /* Exchange CSV logs (product: exchange) */
  EXH_KIND_HTTPPROXY,    /* Logging/HttpProxy/<Protocol>/NAME.log */
  EXH_KIND_ECP_SERVER,   /* Logging/ECP/Server/NAME.log */
  EXH_KIND_ECP_ACTIVITY, /* Logging/ECP/Activity/NAME.log */
  EXH_KIND_OABGEN,       /* Logging/OABGeneratorLog/ (any file) */
  EXH_KIND_EXLOG_OTHER,  /* any other Logging/ .log with an Exchange header */
  /* W3C extended logs (Sigma category: webserver) */
  EXH_KIND_IIS,          /* inetpub/logs/LogFiles/W3SVC<n>/u_exYYMMDD.log */
  EXH_KIND_HTTPERR,      /* Windows/System32/LogFiles/HTTPERR/httperr<n>.log */
  EXH_KIND_LOG_LAST = EXH_KIND_HTTPERR,
  EXH_KIND_EVTX,         /* Windows event logs (*.evtx) */
  EXH_KIND_JSONEV,       /* JSON lines of events (given on the command line, or in an archive) */
  EXH_KIND_ARCHIVE,      /* an archive given on the command line: its members are scanned */
  /* files checked by code in detect/ */
  EXH_KIND_LSASS_DUMP,      /* lsass*dmp under Windows/Temp or C:\root */
  EXH_KIND_STAGING_ARCHIVE, /* .7z/.zip/.rar under ProgramData */
  EXH_KIND_CONTENT,         /* any other file in a web or staging folder (or given, or --all-files) */
  EXH_KIND_COUNT
} exh_kind;

/* Sigma service name ("httpproxy", ...) of a log kind, NULL otherwise. */
const char *exh_kind_service(exh_kind k);
/* ECS event.dataset ("exchange.httpproxy", ...). */
const char *exh_kind_dataset(exh_kind k);
/* Looks a Sigma service name up; EXH_KIND_NONE if unknown. */
exh_kind exh_kind_from_service(const char *service);

/* Classifies by path relative to the scanned root. `sub` receives the
 * HttpProxy protocol folder name (e.g. "Ecp") or the IIS site folder
 * (e.g. "W3SVC1"), or "" (subn bytes). */
exh_kind exh_classify_path(const char *rel, char *sub, size_t subn);

/* Classifies a log by its first bytes, for files whose path says nothing
 * (a log handed over on its own): the "#Software:" and "#Log-type:" lines
 * of the directive block at the top of the file (after an optional bare
 * CSV header line for Exchange logs), never one further down. */
exh_kind exh_classify_content(const char *buf, size_t n);

/* Areas whose files get content checks (hashes, IOCs, YARA, artefacts). */
typedef enum exh_area {
  EXH_AREA_NONE = 0,
  EXH_AREA_WEB,     /* served by IIS or Exchange: inetpub/wwwroot, FrontEnd/HttpProxy, ClientAccess,
                       Temporary ASP.NET Files */
  EXH_AREA_STAGING, /* Windows/Temp, C:/root, PerfLogs, ProgramData (two levels), Users/Public,
                       Users/x/AppData/Local/Temp */
  EXH_AREA_GIVEN,   /* named on the command line */
  EXH_AREA_ALL      /* --all-files */
} exh_area;
exh_area exh_classify_area(const char *rel);
const char *exh_area_name(exh_area a);
/* 1 for .../Bin/ExSetup.exe (the installed build's version resource). */
int exh_is_exsetup(const char *rel);
/* Offset in rel of the path below the Exchange install root (after V15/,
 * or from FrontEnd/HttpProxy or ClientAccess on), or (size_t)-1. */
size_t exh_install_rel(const char *rel);

/* Containers exhunt does not open (virtual and forensic disk images, raw
 * disk and volume images), told by the signature in the first bytes h[0..n)
 * (EXH_SNIFF_BYTES of them), else by the name's extension: a label for the
 * report ("VHDX disk image"), or NULL. `size` is the file's size. */
const char *exh_classify_container(const char *name, const unsigned char *h, size_t n, uint64_t size);

/* Archive formats libarchive opens, by signature (a compressed stream
 * counts as a tar only when the name says so: .tar.gz, .tgz, ...). */
typedef enum exh_archive_fmt {
  EXH_ARC_NONE = 0,
  EXH_ARC_ZIP,
  EXH_ARC_7Z,
  EXH_ARC_RAR,
  EXH_ARC_TAR,        /* plain or compressed */
  EXH_ARC_ISO,
  EXH_ARC_COMPRESSED  /* gzip, bzip2, xz or zstd of something unnamed */
} exh_archive_fmt;
exh_archive_fmt exh_classify_archive(const char *name, const unsigned char *h, size_t n);

/* 1 for W3C (IIS, HTTPERR) kinds, 0 for Exchange CSV kinds. */
int exh_kind_is_w3c(exh_kind k);

#endif
