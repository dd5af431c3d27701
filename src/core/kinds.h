/* The vocabulary shared by every stage: the kinds of evidence exhunt reads
 * (each a format's, docs/architecture.md), their Sigma service names and
 * ECS datasets, the areas of a server whose files get content checks, and
 * the rule levels. Adding a format adds its kinds here and its table to
 * formats/registry.c. */
#ifndef EXH_CORE_KINDS_H
#define EXH_CORE_KINDS_H

#include <stddef.h>

#include "exhunt/exhunt.h"

typedef enum exh_kind {
  EXH_KIND_NONE = 0,
  /* Exchange CSV logs (product: exchange) */
  EXH_KIND_HTTPPROXY,    /* Logging/HttpProxy/<Protocol>/NAME.log */
  EXH_KIND_ECP_SERVER,   /* Logging/ECP/Server/NAME.log */
  EXH_KIND_ECP_ACTIVITY, /* Logging/ECP/Activity/NAME.log */
  EXH_KIND_OABGEN,       /* Logging/OABGeneratorLog/ (any file) */
  EXH_KIND_RPS_HTTP,     /* Logging/CmdletInfra/Powershell-Proxy/Http/NAME.log (formats/rps) */
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
  EXH_KIND_IISCONFIG,       /* applicationHost.config; web.config in a web folder (sub "web") (formats/iisconfig) */
  EXH_KIND_COUNT
} exh_kind;

/* Sigma service name ("httpproxy", ...) of a log kind, NULL otherwise. */
const char *exh__kind_service(exh_kind k);
/* ECS event.dataset ("exchange.httpproxy", ...). */
const char *exh__kind_dataset(exh_kind k);
/* Looks a Sigma service name up; EXH_KIND_NONE if unknown. */
exh_kind exh__kind_from_service(const char *service);
/* 1 for W3C (IIS, HTTPERR) kinds, 0 for Exchange CSV kinds. */
int exh__kind_is_w3c(exh_kind k);

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
const char *exh__area_name(exh_area a);

#endif
