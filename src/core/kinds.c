/* The kinds of evidence, their names and datasets; the areas; the levels
 * and error strings of the public API (core/kinds.h). */
#include "kinds.h"

#include <string.h>
#include <strings.h>

#include "../util/util.h"

static const struct {
  exh_kind kind;
  const char *service;
  const char *dataset;
} kinds[] = {
    {EXH_KIND_HTTPPROXY, "httpproxy", "exchange.httpproxy"},
    {EXH_KIND_ECP_SERVER, "ecp_server", "exchange.ecp_server"},
    {EXH_KIND_ECP_ACTIVITY, "ecp_activity", "exchange.ecp_activity"},
    {EXH_KIND_OABGEN, "oabgenerator", "exchange.oabgenerator"},
    {EXH_KIND_RPS_HTTP, "rps_http", "exchange.rps_http"},
    {EXH_KIND_EXLOG_OTHER, "exchange_log", "exchange.log"},
    {EXH_KIND_IIS, "iis", "iis.access"},
    {EXH_KIND_HTTPERR, "httperr", "iis.httperr"},
    {EXH_KIND_EVTX, NULL, "windows.evtx"},
    {EXH_KIND_JSONEV, NULL, "windows.events_json"},
    {EXH_KIND_ARCHIVE, NULL, "exhunt.archive"},
    {EXH_KIND_LSASS_DUMP, NULL, "exhunt.file"},
    {EXH_KIND_STAGING_ARCHIVE, NULL, "exhunt.file"},
    {EXH_KIND_CONTENT, NULL, "exhunt.file"},
    {EXH_KIND_IISCONFIG, NULL, "iis.config"},
};

const char *exh__kind_service(exh_kind k) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].kind == k) return kinds[i].service;
  return NULL;
}

const char *exh__kind_dataset(exh_kind k) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].kind == k) return kinds[i].dataset;
  return "exhunt";
}

exh_kind exh__kind_from_service(const char *service) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].service && exh__strieq((exh_str){service, strlen(service)}, kinds[i].service))
      return kinds[i].kind;
  return EXH_KIND_NONE;
}

int exh__kind_is_w3c(exh_kind k) { return k == EXH_KIND_IIS || k == EXH_KIND_HTTPERR; }

const char *exh__area_name(exh_area a) {
  static const char *const n[] = {"", "web", "staging", "given", "all"};
  return (unsigned)a <= EXH_AREA_ALL ? n[a] : "";
}

const char *exh_strerror(exh_err e) {
  static const char *const msgs[EXH_ERR_LAST] = {
      [EXH_OK] = "no error",
      [EXH_ENOMEM] = "out of memory",
      [EXH_EIO] = "cannot open, read or map a file",
      [EXH_EPARSE] = "malformed input",
      [EXH_ERULE] = "a rule cannot be honoured",
      [EXH_EUNSUPPORTED] = "feature not built in",
      [EXH_EARG] = "bad argument",
      [EXH_ELIMIT] = "a resource limit was hit",
  };
  return (unsigned)e < EXH_ERR_LAST ? msgs[e] : "unknown error";
}

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

const char *exh_level_name(exh_level l) { return (unsigned)l <= EXH_LEVEL_CRITICAL ? level_names[l] : "?"; }

int exh_level_severity(exh_level l) {
  static const int sev[] = {21, 21, 47, 73, 99};
  return (unsigned)l <= EXH_LEVEL_CRITICAL ? sev[l] : 0;
}

int exh_level_parse(const char *s, exh_level *out) {
  for (int i = 0; i <= EXH_LEVEL_CRITICAL; i++)
    if (!strcasecmp(s, level_names[i])) {
      *out = (exh_level)i;
      return 0;
    }
  if (!strcasecmp(s, "info")) {
    *out = EXH_LEVEL_INFO;
    return 0;
  }
  return -1;
}

