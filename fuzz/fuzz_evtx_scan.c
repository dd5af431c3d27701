/* libFuzzer target: the EVTX scan path, record to rule evaluation
 * (scan/scan_evtx.c through exh__scan_evtx_buf, the source a chunk at a
 * time): decoding, flattening into Sigma's field names, the channel
 * decided per record, the event prefilter, the rules (the shipped ones and
 * fuzz/windows_rules.h), each finding's evidence rendered. The input is
 * placed after a valid file header, as in fuzz_evtx, so chunk data is what
 * gets mutated (seeds: fuzz/corpus/evtx_scan, events and template bombs).
 * Differential: the findings with the event prefilter equal those of every
 * rule on every record (EXHUNT_NO_EVENT_PREFILTER), and the scan through
 * compiled templates (formats/evtx/evtx_fields.c) equals the scan of every
 * record's tree (EXHUNT_EVTX_TREE): findings with their evidence, message,
 * user and address, the records, issues, errors, host, time span and
 * channels. Below the scan, what the parser hands it is compared record by
 * record both ways (System values, fields in order, evidence JSON, issues).
 * A difference aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"
#include "formats/evtx/evtx.h"
#include "windows_rules.h"
#include "formats/events/events.h"

static exh_ruleset *rs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  rs = fuzz_windows_ruleset();
  return 0;
}

static void scan(const uint8_t *buf, size_t n, exh_evidence *ev) {
  memset(ev, 0, sizeof *ev);
  ev->kind = EXH_KIND_EVTX;
  ev->path = "fuzz.evtx";
  ev->rel = "";
  exh_worker wk;
  exh__worker_init(&wk, rs);
  exh_scan_limits lim;
  exh__scan_limits_default(&lim);
  wk.lim = &lim;
  exh__scan_evtx_buf(&wk, ev, (const char *)buf, n);
  exh__worker_fini(&wk);
}

static void release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
}

static int streq(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

/* Everything a scan of one file leaves in its evidence, equal both ways. */
static int same_scan(const exh_evidence *a, const exh_evidence *b) {
  if (a->nfindings != b->nfindings || a->records != b->records || a->evtx_issues != b->evtx_issues ||
      a->first_ms != b->first_ms || a->last_ms != b->last_ms || a->skipped != b->skipped ||
      a->skipped_channel != b->skipped_channel || !streq(a->error, b->error) || strcmp(a->host, b->host) ||
      a->nchannels != b->nchannels || a->channels_more != b->channels_more)
    return 0;
  for (size_t i = 0; i < a->nchannels; i++)
    if (strcmp(a->channels[i].name, b->channels[i].name) || a->channels[i].records != b->channels[i].records ||
        a->channels[i].first_ms != b->channels[i].first_ms || a->channels[i].last_ms != b->channels[i].last_ms)
      return 0;
  for (size_t i = 0; i < a->nfindings; i++) {
    const exh_finding *x = &a->findings[i], *y = &b->findings[i];
    if (x->rule != y->rule || x->record_id != y->record_id || x->offset != y->offset || x->time_ms != y->time_ms ||
        x->evidence_len != y->evidence_len || memcmp(x->evidence, y->evidence, x->evidence_len) ||
        x->evidence_truncated != y->evidence_truncated || !streq(x->message, y->message) ||
        !streq(x->user_name, y->user_name) || !streq(x->source_ip, y->source_ip))
      return 0;
  }
  return 1;
}

/* The parser's records as scan reads them, one way or the other. */
typedef struct rd {
  FILE *f;
  char *p;
  size_t n;
  exh_buf tmp;
} rd;

static void rd_field(void *ctx, const char *name, size_t nl, exh_str v) {
  rd *o = ctx;
  fwrite(name, 1, nl, o->f);
  fputc('=', o->f);
  fwrite(v.p, 1, v.n, o->f);
  fputc('\n', o->f);
}

static int rd_record(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  rd *o = ctx;
  fprintf(o->f, "R %llu %llu\n", (unsigned long long)r->id, (unsigned long long)r->file_offset);
  exh_evtx_head th;
  const exh_evtx_head *h = r->fields;
  if (!h && exh__evtx_tree_head(p, r, &th, &o->tmp) == 0) h = &th;
  if (!h) return 0;
  fprintf(o->f, "%.*s|%.*s|%.*s|%d:%.*s\n", (int)h->channel.n, h->channel.p, (int)h->event_id.n, h->event_id.p,
          (int)h->computer.n, h->computer.p, h->system_time.p != NULL, (int)h->system_time.n,
          h->system_time.p ? h->system_time.p : "");
  if (r->fields) exh__evtx_fields_each(p, rd_field, o);
  else exh__evtx_tree_fields(p, r, &o->tmp, rd_field, o);
  exh__evtx_write_json_any(o->f, p, r);
  return 0;
}

static void rd_issue(void *ctx, uint64_t off, const char *what) {
  rd *o = ctx;
  fprintf(o->f, "ISSUE %llu %s\n", (unsigned long long)off, what);
}

static void read_records(const uint8_t *buf, size_t n, int fields, rd *o) {
  memset(o, 0, sizeof *o);
  o->f = open_memstream(&o->p, &o->n);
  exh_evtx *p = exh__evtx_new();
  exh__evtx_set_fields(p, fields);
  exh__evtx_parse(p, buf, n, rd_record, rd_issue, o);
  exh__evtx_free(p);
  fclose(o->f);
  exh__buf_free(&o->tmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t n = 4096 + size;
  uint8_t *buf = malloc(n);
  memset(buf, 0, 4096);
  memcpy(buf, "ElfFile", 8);
  memcpy(buf + 4096, data, size);
  exh_evidence on, off, tree;
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  unsetenv("EXHUNT_EVTX_TREE");
  scan(buf, n, &on);
  setenv("EXHUNT_NO_EVENT_PREFILTER", "1", 1);
  scan(buf, n, &off);
  unsetenv("EXHUNT_NO_EVENT_PREFILTER");
  setenv("EXHUNT_EVTX_TREE", "1", 1);
  scan(buf, n, &tree);
  unsetenv("EXHUNT_EVTX_TREE");
  if (!same_scan(&on, &tree)) {
    fprintf(stderr, "the scan through compiled templates (%zu findings, %llu records) and the tree's (%zu, %llu) differ\n",
            on.nfindings, (unsigned long long)on.records, tree.nfindings, (unsigned long long)tree.records);
    abort();
  }
  rd rc, rt;
  read_records(buf, n, 1, &rc);
  read_records(buf, n, 0, &rt);
  if (rc.n != rt.n || memcmp(rc.p, rt.p, rc.n)) {
    fprintf(stderr, "records read through compiled templates and from the tree differ\n--- tree\n%.*s\n--- compiled\n%.*s\n",
            (int)rt.n, rt.p, (int)rc.n, rc.p);
    abort();
  }
  free(rc.p);
  free(rt.p);
  int same = on.nfindings == off.nfindings && on.records == off.records;
  for (size_t i = 0; same && i < on.nfindings; i++)
    same = on.findings[i].rule == off.findings[i].rule && on.findings[i].record_id == off.findings[i].record_id &&
           on.findings[i].offset == off.findings[i].offset;
  if (!same) {
    fprintf(stderr, "findings differ with the event prefilter (%zu) and without (%zu)\n", on.nfindings, off.nfindings);
    abort();
  }
  release(&on);
  release(&off);
  release(&tree);
  free(buf);
  return 0;
}
