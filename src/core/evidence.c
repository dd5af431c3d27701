/* The evidence model and the findings sink (core/evidence.h). */
#include "evidence.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "source.h"
#include "limits.h"

void exh__scan_limits_default(exh_scan_limits *l) {
  l->max_file_bytes = EXH_DEFAULT_MAX_FILE_BYTES;
  l->max_file_seconds = EXH_DEFAULT_MAX_FILE_SECONDS;
  l->max_findings_per_file = EXH_DEFAULT_MAX_FINDINGS_PER_FILE;
  l->max_findings = EXH_DEFAULT_MAX_FINDINGS;
  l->max_content_bytes = EXH_DEFAULT_MAX_CONTENT_BYTES;
  l->max_archive_bytes = EXH_ARCHIVE_TOTAL_MAX;
  l->max_archive_members = EXH_ARCHIVE_MAX_MEMBERS;
  l->all_files = 0;
  atomic_init(&l->findings, 0);
}

exh_finding *exh__evidence_new_finding(exh_worker *wk, exh_evidence *ev) {
  exh_scan_limits *lim = (exh_scan_limits *)wk->lim;
  if (ev->nfindings >= lim->max_findings_per_file || atomic_fetch_add(&lim->findings, 1) >= lim->max_findings) {
    ev->suppressed++;
    return NULL;
  }
  EXH_VEC_RESERVE(ev->findings, ev->capfindings, ev->nfindings + 1);
  exh_finding *f = &ev->findings[ev->nfindings++];
  memset(f, 0, sizeof *f);
  f->time_ms = EXH_TIME_UNKNOWN;
  return f;
}

void exh__evidence_channel(exh_evidence *ev, const char *channel, size_t n, int64_t t) {
  struct exh_ev_channel *c = NULL;
  if (n >= sizeof c->name) n = sizeof c->name - 1;
  for (size_t i = 0; i < ev->nchannels && !c; i++)
    if (strlen(ev->channels[i].name) == n && !memcmp(ev->channels[i].name, channel, n)) c = &ev->channels[i];
  if (!c) {
    if (ev->nchannels == EXH_EV_CHANNELS) {
      ev->channels_more++;
      return;
    }
    c = &ev->channels[ev->nchannels++];
    c->server = ev->server;
    memcpy(c->name, channel, n);
    c->name[n] = 0;
    c->records = 0;
    c->first_ms = c->last_ms = EXH_TIME_UNKNOWN;
  }
  c->records++;
  if (t != EXH_TIME_UNKNOWN) {
    if (c->first_ms == EXH_TIME_UNKNOWN || t < c->first_ms) c->first_ms = t;
    if (c->last_ms == EXH_TIME_UNKNOWN || t > c->last_ms) c->last_ms = t;
  }
}

int exh__evidence_part_clean(const exh_evidence *p) {
  return p->done && !p->fault && !p->error && !p->skipped && !p->suppressed && !p->evtx_issues && !p->channels_more &&
         !p->nmembers && !p->log_members && !p->nexsetups;
}

void exh__evidence_merge_part(exh_evidence *ev, exh_evidence *p) {
  if (p->nfindings) {
    EXH_VEC_RESERVE(ev->findings, ev->capfindings, ev->nfindings + p->nfindings);
    memcpy(ev->findings + ev->nfindings, p->findings, p->nfindings * sizeof *p->findings);
    ev->nfindings += p->nfindings;
  }
  free(p->findings);
  p->findings = NULL;
  p->nfindings = p->capfindings = 0;
  int had_records = ev->records != 0, all_skipped = ev->skipped_channel || !had_records;
  ev->records += p->records;
  if (p->first_ms != EXH_TIME_UNKNOWN && (ev->first_ms == EXH_TIME_UNKNOWN || p->first_ms < ev->first_ms))
    ev->first_ms = p->first_ms;
  if (p->last_ms != EXH_TIME_UNKNOWN && (ev->last_ms == EXH_TIME_UNKNOWN || p->last_ms > ev->last_ms))
    ev->last_ms = p->last_ms;
  /* a file whose read records no loaded rule reads: every part's were so */
  ev->skipped_channel = ev->records && all_skipped && (p->skipped_channel || !p->records);
  for (size_t i = 0; i < p->nchannels; i++) {
    const struct exh_ev_channel *pc = &p->channels[i];
    struct exh_ev_channel *c = NULL;
    for (size_t k = 0; k < ev->nchannels && !c; k++)
      if (!strcmp(ev->channels[k].name, pc->name)) c = &ev->channels[k];
    if (!c) {
      if (ev->nchannels == EXH_EV_CHANNELS) {
        ev->channels_more += pc->records;
        continue;
      }
      c = &ev->channels[ev->nchannels++];
      *c = *pc;
      c->server = ev->server;
      continue;
    }
    c->records += pc->records;
    if (pc->first_ms != EXH_TIME_UNKNOWN && (c->first_ms == EXH_TIME_UNKNOWN || pc->first_ms < c->first_ms))
      c->first_ms = pc->first_ms;
    if (pc->last_ms != EXH_TIME_UNKNOWN && (c->last_ms == EXH_TIME_UNKNOWN || pc->last_ms > c->last_ms))
      c->last_ms = pc->last_ms;
  }
  if (!ev->host[0]) memcpy(ev->host, p->host, sizeof ev->host);
  if (!ev->version[0]) memcpy(ev->version, p->version, sizeof ev->version);
  if (!ev->server_ip[0]) memcpy(ev->server_ip, p->server_ip, sizeof ev->server_ip);
}

void exh__evidence_member_note(exh_evidence *ev, const exh_evidence *m, const char *name) {
  if (m->skipped && !m->error) return;
  const char *slash = strrchr(name, '/');
  const char *bs = strrchr(name, '\\');
  if (bs && (!slash || bs > slash)) slash = bs;
  char *dir = slash ? exh__xasprintf("%s!%.*s", ev->path, (int)(slash - name), name) : exh__xasprintf("%s!", ev->path);
  exh_member_note *n = NULL;
  for (size_t i = 0; i < ev->nmembers && !n; i++) {
    exh_member_note *x = &ev->members[i];
    if (x->kind == m->kind && x->server == m->server && !strcmp(x->sub, m->sub) && (!x->dir || !strcmp(x->dir, dir)))
      n = x;
  }
  if (!n && ev->nmembers >= EXH_ARCHIVE_MAX_NOTES) { /* past the cap: one note per kind and sub, no folder */
    for (size_t i = 0; i < ev->nmembers && !n; i++)
      if (ev->members[i].kind == m->kind && ev->members[i].server == m->server && !strcmp(ev->members[i].sub, m->sub))
        n = &ev->members[i];
    if (n && n->dir) {
      free(n->dir);
      n->dir = NULL;
    }
  }
  if (!n) {
    EXH_VEC_RESERVE(ev->members, ev->capmembers, ev->nmembers + 1);
    n = &ev->members[ev->nmembers++];
    memset(n, 0, sizeof *n);
    n->kind = m->kind;
    n->server = m->server;
    memcpy(n->sub, m->sub, sizeof n->sub);
    n->dir = dir;
    dir = NULL;
    n->first_ms = n->last_ms = EXH_TIME_UNKNOWN;
  }
  free(dir);
  n->files++;
  n->failed += m->error != NULL;
  n->bytes += m->size;
  n->records += m->records;
  if (m->first_ms != EXH_TIME_UNKNOWN && (n->first_ms == EXH_TIME_UNKNOWN || m->first_ms < n->first_ms))
    n->first_ms = m->first_ms;
  if (m->last_ms != EXH_TIME_UNKNOWN && (n->last_ms == EXH_TIME_UNKNOWN || m->last_ms > n->last_ms))
    n->last_ms = m->last_ms;
}

void exh__evidence_release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  ev->findings = NULL;
  ev->nfindings = ev->capfindings = 0;
  free(ev->error);
  ev->error = NULL;
  for (size_t i = 0; i < ev->nmembers; i++) free(ev->members[i].dir);
  free(ev->members);
  ev->members = NULL;
  ev->nmembers = ev->capmembers = 0;
  for (size_t i = 0; i < ev->nexsetups; i++) free(ev->exsetups[i].path);
  ev->nexsetups = 0;
  free(ev->part_state);
  ev->part_state = NULL;
}

void exh__evidence_error(exh_evidence *ev, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[512];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (!ev->error) {
    ev->error = exh__xstrdup(buf);
    return;
  }
  size_t have = strlen(ev->error);
  if (have >= EXH_EVIDENCE_ERROR_MAX) return;
  char *e = exh__xasprintf("%s; %s", ev->error, buf);
  if (strlen(e) > EXH_EVIDENCE_ERROR_MAX) strcpy(e + EXH_EVIDENCE_ERROR_MAX - 4, "...");
  free(ev->error);
  ev->error = e;
}

void exh__finding_release(exh_finding *f) {
  free(f->message);
  free(f->path);
  free(f->evidence);
  free(f->source_ip);
  free(f->url);
  free(f->user_agent);
  free(f->user_name);
  free(f->http_method);
  free(f->server_ip);
  free(f->forwarded_for);
  free(f->hop_ip);
  free(f->addr_note);
  free(f->file_sha256);
  free(f->file_sha1);
  free(f->file_md5);
  free(f->ioc_value);
  free(f->ioc_source);
  free(f->story);
  for (size_t i = 0; i < f->nalso; i++) free(f->also[i]);
  free(f->also);
  free(f->original_path);
}

exh_source *exh__evidence_open(exh_evidence *ev) {
  char why[256];
  exh_stat st;
  memset(&st, 0, sizeof st);
  st.type = EXH_FT_FILE;
  st.size = ev->size;
  st.mtime_ms = ev->mtime_ms;
  st.dev = ev->dev;
  st.ino = ev->ino;
  exh_source *src = exh__source_file(ev->path, ev->dev || ev->ino ? &st : NULL, why, sizeof why);
  if (!src) exh__evidence_error(ev, "%s", why);
  return src;
}
