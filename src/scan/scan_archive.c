/* Archives named on the command line (a triage collection zipped, an OTRF
 * data set): each member is classified by its path inside the archive, read
 * into memory up to a cap, and scanned like the file it is; findings name
 * it as "archive!member". Evidence is never extracted to disk. Guards: a
 * member larger than EXH_MEMBER_MAX is reported and skipped, and reading
 * stops after EXH_ARCHIVE_TOTAL_MAX uncompressed bytes (zip bombs). Zip
 * files met while walking a tree are opened the same way (ProgramData's
 * are Test-ProxyLogon's staging archives instead); archives inside
 * archives are not opened. Members in web or staging folders get the file
 * content checks. */
#include <stdlib.h>
#include <string.h>

#include "../platform/platform.h"
#include "../util/util.h"
#include "scan.h"

#ifdef EXH_HAVE_ARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

#define EXH_MEMBER_MAX (1ull << 30)
#define EXH_ARCHIVE_TOTAL_MAX (16ull << 30)

static int ends_i(const char *s, const char *suf) {
  size_t n = strlen(s), k = strlen(suf);
  return n >= k && exh_strnieq(s + n - k, suf, k);
}

static void add_error(exh_evidence *ev, const char *member, const char *why) {
  char *e = ev->error ? exh_xasprintf("%s; %s: %s", ev->error, member, why) : exh_xasprintf("%s: %s", member, why);
  free(ev->error);
  ev->error = e;
  if (strlen(e) > 4000) e[4000] = 0;
}

void exh_scan_archive(exh_worker *wk, exh_evidence *ev) {
#ifndef EXH_HAVE_ARCHIVE
  (void)wk;
  ev->error = exh_xstrdup("archives need libarchive, which this build does not have");
#else
  struct archive *a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  if (archive_read_open_filename(a, ev->path, 1 << 16) != ARCHIVE_OK) {
    ev->error = exh_xasprintf("cannot open the archive: %s", archive_error_string(a) ? archive_error_string(a) : "?");
    archive_read_free(a);
    return;
  }
  struct archive_entry *e;
  uint64_t total = 0;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    const char *name = archive_entry_pathname(e);
    if (!name) continue;
    char sub[64], prefix[4];
    size_t prefix_len = 0;
    exh_kind k = exh_classify_path(name, sub, sizeof sub);
    if (k == EXH_KIND_NONE) {
      /* a file in a web or staging folder is content first (a miner's
       * config.json there is not an event export) */
      exh_area ar = exh_classify_area(name);
      if (ar != EXH_AREA_NONE) {
        k = EXH_KIND_CONTENT;
        snprintf(sub, sizeof sub, "%s", exh_area_name(ar));
      } else if (ends_i(name, ".json") || ends_i(name, ".jsonl") || ends_i(name, ".ndjson")) {
        k = EXH_KIND_JSONEV;
      } else if (archive_entry_size(e) >= (1 << 20)) {
        /* a large member anywhere: a memory dump is looked at by its header */
        char head[4];
        if (archive_read_data(a, head, 4) != 4 || memcmp(head, "MDMP", 4)) continue;
        k = EXH_KIND_CONTENT;
        snprintf(sub, sizeof sub, "%s", exh_area_name(EXH_AREA_ALL));
        prefix_len = 4;
        memcpy(prefix, head, 4);
      } else {
        continue;
      }
    }
    if (k == EXH_KIND_ARCHIVE) continue; /* no nesting */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int too_big = 0;
    if (prefix_len) { /* bytes already read to sniff the member */
      cap = 1 << 20;
      buf = exh_xmalloc(cap);
      memcpy(buf, prefix, prefix_len);
      len = prefix_len;
      total += prefix_len;
    }
    for (;;) {
      if (len == cap) {
        if (cap >= EXH_MEMBER_MAX) {
          too_big = 1;
          break;
        }
        cap = cap ? cap * 2 : 1 << 20;
        buf = exh_xrealloc(buf, cap);
      }
      la_ssize_t got = archive_read_data(a, buf + len, cap - len);
      if (got < 0) {
        add_error(ev, name, archive_error_string(a) ? archive_error_string(a) : "cannot read the member");
        break;
      }
      if (got == 0) break;
      len += (size_t)got;
      total += (uint64_t)got;
      if (total > EXH_ARCHIVE_TOTAL_MAX) break;
    }
    if (too_big) {
      add_error(ev, name, "member over 1 GiB uncompressed: not read");
    } else {
      exh_evidence m;
      memset(&m, 0, sizeof m);
      m.path = exh_xasprintf("%s!%s", ev->path, name);
      m.rel = exh_xstrdup(name);
      m.server = ev->server;
      m.kind = k;
      memcpy(m.sub, sub, sizeof sub);
      m.size = len;
      m.mtime_ms = (int64_t)archive_entry_mtime(e) * 1000;
      exh_map mp = {buf ? buf : "", len, 0};
      if (k >= EXH_KIND_HTTPPROXY && k <= EXH_KIND_LOG_LAST) exh_scan_exlog_map(wk, &m, &mp);
      else if (k == EXH_KIND_EVTX) exh_scan_evtx_buf(wk, &m, buf ? buf : "", len);
      else if (k == EXH_KIND_JSONEV) exh_scan_jsonev_buf(wk, &m, buf ? buf : "", len);
      else if (k == EXH_KIND_CONTENT || k == EXH_KIND_LSASS_DUMP || k == EXH_KIND_STAGING_ARCHIVE) {
        if (k != EXH_KIND_CONTENT) exh_detect_file(wk, &m);
        if (len <= wk->lim->max_content_bytes) exh_detect_content_buf(wk, &m, (const uint8_t *)(buf ? buf : ""), len);
        else add_error(ev, name, "member over the content size limit: not hashed or YARA-scanned");
      }
      for (size_t i = 0; i < m.nfindings; i++) {
        EXH_VEC_RESERVE(ev->findings, ev->capfindings, ev->nfindings + 1);
        ev->findings[ev->nfindings++] = m.findings[i];
      }
      ev->records += m.records;
      /* the archive's log window and the build its logs name (the latest) */
      if (k >= EXH_KIND_HTTPPROXY && k <= EXH_KIND_LOG_LAST) {
        if (m.first_ms != EXH_TIME_UNKNOWN && (ev->first_ms == EXH_TIME_UNKNOWN || m.first_ms < ev->first_ms))
          ev->first_ms = m.first_ms;
        if (m.last_ms != EXH_TIME_UNKNOWN && (ev->last_ms == EXH_TIME_UNKNOWN || m.last_ms > ev->last_ms))
          ev->last_ms = m.last_ms;
        if (m.version[0] && m.last_ms != EXH_TIME_UNKNOWN && (!ev->version[0] || m.last_ms > ev->version_ms)) {
          memcpy(ev->version, m.version, sizeof ev->version);
          ev->version_ms = m.last_ms;
        }
        ev->log_members++;
      }
      ev->suppressed += m.suppressed;
      if (m.error) add_error(ev, name, m.error);
      free(m.findings);
      free(m.error);
      free(m.path);
      free(m.rel);
    }
    free(buf);
    if (total > EXH_ARCHIVE_TOTAL_MAX) {
      add_error(ev, name, "stopped: over 16 GiB uncompressed in this archive");
      break;
    }
  }
  if (rc == ARCHIVE_FATAL) add_error(ev, "archive", archive_error_string(a) ? archive_error_string(a) : "damaged");
  archive_read_free(a);
#endif
}
