/* The EVTX and JSON-events scan path (scan/scan_evtx.c) on hand-built
 * logs, with the shipped rules (a Security 4688 record of w3wp.exe starting
 * cmd.exe is a web shell finding): issue 11's defects 1 (a record without
 * System), 2 (template bombs), 4 (a file's channel decided from its first
 * record), "the rest is read" after a damaged record or chunk, the channel
 * coverage, streaming from files (a chunk at a time; truncated, swapped,
 * linked files), and JSON lines read in blocks with an over-long line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/limits.h"
#include "core/source.h"
#include "platform/platform.h"
#include "scan/scan.h"
#include "../../tools/evtx/evtx_build.h"
#include "formats/events/events.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static char tmp[256];

/* ---- a Windows event, as Windows writes it: a template instance whose
 * EventData is a nested instance in a binary XML value ---- */

static const char *g_channel = "Security";
static const char *g_image = "C:\\Windows\\System32\\cmd.exe";
static unsigned g_eid = 4688;
static int g_system = 1; /* 0: the record has no System element */

static uint8_t sbuf[6][256];
static uint16_t utf16(int slot, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) sbuf[slot][2 * i] = (uint8_t)s[i], sbuf[slot][2 * i + 1] = 0;
  return (uint16_t)(2 * n);
}

static void eventdata_body(w *x) {
  size_t as;
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  static const char *const names[] = {"NewProcessName", "ParentProcessName", "CommandLine"};
  for (unsigned i = 0; i < 3; i++) {
    open_el(x, "Data", 1, &as);
    attr(x, "Name", 0);
    text(x, names[i]);
    close_start(x);
    sub(x, i, 0x01);
    end_el(x);
  }
  end_el(x);
}

static void eventdata_value(w *x) {
  frag_header(x);
  val v[3] = {{0x01, sbuf[3], utf16(3, g_image), NULL},
              {0x01, sbuf[4], utf16(4, "C:\\Windows\\System32\\inetsrv\\w3wp.exe"), NULL},
              {0x01, sbuf[5], utf16(5, "cmd /c whoami"), NULL}};
  instance(x, eventdata_body, v, 3);
  u8(x, 0x00);
}

static void event_body(w *x) {
  size_t as;
  open_el(x, "Event", 1, &as);
  attr(x, "xmlns", 0);
  text(x, "http://schemas.microsoft.com/win/2004/08/events/event");
  close_start(x);
  if (g_system) {
    open_el(x, "System", 0, NULL);
    close_start(x);
    open_el(x, "Provider", 1, &as);
    attr(x, "Name", 0);
    sub(x, 0, 0x01);
    empty_el(x);
    open_el(x, "EventID", 0, NULL);
    close_start(x);
    sub(x, 1, 0x06);
    end_el(x);
    open_el(x, "TimeCreated", 1, &as);
    attr(x, "SystemTime", 0);
    sub(x, 2, 0x11);
    empty_el(x);
    open_el(x, "EventRecordID", 0, NULL);
    close_start(x);
    sub(x, 3, 0x0a);
    end_el(x);
    if (g_channel) {
      open_el(x, "Channel", 0, NULL);
      close_start(x);
      sub(x, 4, 0x01);
      end_el(x);
    }
    open_el(x, "Computer", 0, NULL);
    close_start(x);
    text(x, "EXCH01");
    end_el(x);
    end_el(x);
  }
  sub(x, 5, 0x21);
  end_el(x);
}

static uint64_t g_rid = 1;
static uint8_t g_eidb[2], g_ridb[8];
static const uint8_t g_ft[] = {0x00, 0xC0, 0x91, 0x6E, 0xDC, 0x16, 0xD7, 0x01}; /* 2021-03-12 */

static void rec_event(w *x) {
  g_eidb[0] = (uint8_t)g_eid, g_eidb[1] = (uint8_t)(g_eid >> 8);
  for (int i = 0; i < 8; i++) g_ridb[i] = (uint8_t)(g_rid >> (8 * i));
  val v[6] = {{0x01, sbuf[0], utf16(0, "Microsoft-Windows-Security-Auditing"), NULL},
              {0x06, g_eidb, 2, NULL},
              {0x11, g_ft, 8, NULL},
              {0x0a, g_ridb, 8, NULL},
              {0x01, sbuf[1], g_channel ? utf16(1, g_channel) : 0, NULL},
              {0x21, NULL, 0, eventdata_value}};
  instance(x, event_body, v, 6);
}

/* A record of the current g_* shape, id rid. */
static void add_event(w *x, uint64_t rid) {
  g_rid = rid;
  evb_record(x, rid, rec_event);
}
static void reset_shape(void) {
  g_channel = "Security", g_image = "C:\\Windows\\System32\\cmd.exe", g_eid = 4688, g_system = 1;
}

/* The value bomb of test_evtx.c: <E> with its one value eight times, the
 * value an instance of the same definition, 12 levels (8^12 elements). */
static size_t vbomb_def;
static int vbomb_k;
static void vbomb_body(w *x) {
  open_el(x, "E", 0, NULL);
  close_start(x);
  for (int i = 0; i < 8; i++) sub(x, 0, 0x21);
  end_el(x);
}
static void vbomb_value(w *x) {
  frag_header(x);
  if (++vbomb_k < 12) {
    val v = {0x21, NULL, 0, vbomb_value};
    instance_of(x, vbomb_def, &v, 1);
  }
  u8(x, 0x00);
}
static void rec_value_bomb(w *x) {
  vbomb_k = 0;
  val v = {0x21, NULL, 0, vbomb_value};
  instance_of(x, vbomb_def, &v, 1);
}
/* Definitions nesting instances: 40 levels of two (2^40 elements). */
static size_t dbomb_def[42];
static int dbomb_k;
static void dbomb_leaf(w *x) {
  open_el(x, "a", 0, NULL);
  empty_el(x);
}
static void dbomb_twice(w *x) {
  instance_of(x, dbomb_def[dbomb_k + 1], NULL, 0);
  instance_of(x, dbomb_def[dbomb_k + 1], NULL, 0);
}
static void rec_def_bomb(w *x) { instance_of(x, dbomb_def[1], NULL, 0); }
/* Both bombs' shared definitions, written at `at` in the chunk (past its
 * records); returns where they end. */
static size_t bomb_defs(w *x, size_t at) {
  size_t keep = x->n;
  x->n = at;
  vbomb_def = definition(x, vbomb_body);
  dbomb_def[40] = definition(x, dbomb_leaf);
  for (dbomb_k = 39; dbomb_k >= 1; dbomb_k--) dbomb_def[dbomb_k] = definition(x, dbomb_twice);
  size_t end = x->n;
  x->n = keep;
  return end;
}

/* A record whose binary XML starts with a token no writer uses. */
static void rec_garbage(w *x) {
  u8(x, 0xFF);
  u8(x, 0xFF);
}

/* ---- scanning ---------------------------------------------------------------- */

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  snprintf(tmp, sizeof tmp, "/tmp/exh_evtx_scan_%ld", (long)getpid());
  return mkdir(tmp, 0700);
}

static int teardown(void **st) {
  (void)st;
  exh_ruleset_free(rs);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  return system(cmd) == 0 ? 0 : -1;
}

static void ev_init(exh_evidence *ev, exh_kind kind) {
  memset(ev, 0, sizeof *ev);
  ev->kind = kind;
  ev->path = kind == EXH_KIND_EVTX ? "test.evtx" : "test.json";
  ev->rel = "";
}

static void ev_free(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
}

static void scan_buf(exh_evidence *ev, const uint8_t *f, size_t n) {
  exh_worker wk;
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  ev_init(ev, EXH_KIND_EVTX);
  exh__scan_evtx_buf(&wk, ev, (const char *)f, n);
  exh__worker_fini(&wk);
}

/* How many findings are web shell findings, and of which record ids. */
static size_t shells(const exh_evidence *ev, uint64_t *ids, size_t max) {
  size_t k = 0;
  for (size_t i = 0; i < ev->nfindings; i++) {
    if (!strstr(ev->findings[i].rule->title, "w3wp.exe starting a shell")) continue;
    if (k < max) ids[k] = ev->findings[i].record_id;
    k++;
  }
  return k;
}

static const struct exh_ev_channel *channel(const exh_evidence *ev, const char *name) {
  for (size_t i = 0; i < ev->nchannels; i++)
    if (!strcmp(ev->channels[i].name, name)) return &ev->channels[i];
  return NULL;
}

static uint8_t *new_file(size_t chunks) {
  uint8_t *f = calloc(1, 4096 + chunks * EVB_CHUNK);
  evb_file_header(f);
  return f;
}

/* Defect 1: a record without System after a valid one was a null
 * dereference; it is read (no channel, no event id) and the records after
 * it still give findings. */
static void test_record_without_system(void **st) {
  (void)st;
  uint8_t *f = new_file(1);
  w x = evb_chunk_begin(f + 4096);
  reset_shape();
  add_event(&x, 1);
  g_system = 0;
  add_event(&x, 2);
  reset_shape();
  add_event(&x, 3);
  evb_chunk_end(&x, x.n);
  exh_evidence ev;
  scan_buf(&ev, f, 4096 + EVB_CHUNK);
  uint64_t ids[4];
  assert_int_equal(shells(&ev, ids, 4), 2);
  assert_int_equal(ids[0], 1);
  assert_int_equal(ids[1], 3);
  assert_int_equal(ev.records, 3);
  assert_null(ev.error);
  ev_free(&ev);
  free(f);
}

/* Defect 4: the first record's channel (one no rule reads, or none at
 * all) decided for the whole file, which was skipped in silence. */
static void test_channel_decided_per_record(void **st) {
  (void)st;
  uint8_t *f = new_file(1);
  w x = evb_chunk_begin(f + 4096);
  reset_shape();
  g_channel = "Microsoft-Windows-CAPI2/Operational";
  add_event(&x, 1);
  g_channel = NULL; /* no Channel element */
  add_event(&x, 2);
  reset_shape();
  add_event(&x, 3);
  add_event(&x, 4);
  evb_chunk_end(&x, x.n);
  exh_evidence ev;
  scan_buf(&ev, f, 4096 + EVB_CHUNK);
  uint64_t ids[4];
  assert_int_equal(shells(&ev, ids, 4), 2);
  assert_int_equal(ids[0], 3);
  assert_false(ev.skipped);
  assert_false(ev.skipped_channel);
  /* coverage: every channel read, with its count and window */
  assert_int_equal(ev.nchannels, 3);
  assert_int_equal(channel(&ev, "Microsoft-Windows-CAPI2/Operational")->records, 1);
  assert_int_equal(channel(&ev, "")->records, 1);
  const struct exh_ev_channel *sec = channel(&ev, "Security");
  assert_non_null(sec);
  assert_int_equal(sec->records, 2);
  char iso[32];
  exh__format_iso8601(sec->first_ms, iso);
  assert_memory_equal(iso, "2021-03-12", 10);
  assert_true(ev.first_ms != EXH_TIME_UNKNOWN && ev.first_ms == ev.last_ms);
  ev_free(&ev);

  /* a file none of whose records a rule reads: read, counted, said */
  x = evb_chunk_begin(f + 4096);
  g_channel = "Microsoft-Windows-CAPI2/Operational";
  add_event(&x, 1);
  add_event(&x, 2);
  evb_chunk_end(&x, x.n);
  scan_buf(&ev, f, 4096 + EVB_CHUNK);
  assert_int_equal(ev.nfindings, 0);
  assert_int_equal(ev.records, 2);
  assert_true(ev.skipped_channel);
  assert_int_equal(channel(&ev, "Microsoft-Windows-CAPI2/Operational")->records, 2);
  ev_free(&ev);
  reset_shape();
  free(f);
}

/* Defect 2: both template bombs between two matching records: each bomb
 * is one damage report, and the record after it is still read. */
static void test_template_bombs(void **st) {
  (void)st;
  uint8_t *f = new_file(1);
  w x = evb_chunk_begin(f + 4096);
  bomb_defs(&x, 40000);
  reset_shape();
  add_event(&x, 1);
  evb_record(&x, 2, rec_value_bomb);
  evb_record(&x, 3, rec_def_bomb);
  add_event(&x, 4);
  evb_chunk_end(&x, x.n);
  exh_evidence ev;
  scan_buf(&ev, f, 4096 + EVB_CHUNK);
  uint64_t ids[4];
  assert_int_equal(shells(&ev, ids, 4), 2);
  assert_int_equal(ids[1], 4);
  assert_int_equal(ev.evtx_issues, 3); /* bomb 2; bomb 3: the nesting, then the record */
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "record 2 expands past"));
  assert_non_null(strstr(ev.error, "3 damage reports in all"));
  ev_free(&ev);
  free(f);
}

/* "The rest is read": a record the parser cannot decode, a record whose
 * size is damaged (the rest of its chunk is lost), a chunk with a bad
 * signature, a chunk whose checksums do not match: every record that can
 * be read after them gives its finding. */
static void test_rest_is_read(void **st) {
  (void)st;
  uint8_t *f = new_file(4);
  reset_shape();
  /* chunk 0: a record that is not binary XML, then a good one */
  w x = evb_chunk_begin(f + 4096);
  evb_record(&x, 1, rec_garbage);
  add_event(&x, 2);
  evb_chunk_end(&x, x.n);
  /* chunk 1: a record whose size is not a multiple of 8, then a good one
   * (lost with the rest of the chunk) */
  x = evb_chunk_begin(f + 4096 + EVB_CHUNK);
  size_t r0 = x.n;
  add_event(&x, 3);
  put32(&x, r0 + 4, 37);
  add_event(&x, 4);
  evb_chunk_end(&x, x.n);
  /* chunk 2: garbage where the chunk header should be */
  memset(f + 4096 + 2 * EVB_CHUNK, 'Z', EVB_CHUNK);
  /* chunk 3: good records under checksums that do not match */
  x = evb_chunk_begin(f + 4096 + 3 * EVB_CHUNK);
  add_event(&x, 5);
  add_event(&x, 6);
  evb_chunk_end(&x, x.n);
  f[4096 + 3 * EVB_CHUNK + 52] ^= 1;
  exh_evidence ev;
  scan_buf(&ev, f, 4096 + 4 * EVB_CHUNK);
  uint64_t ids[8];
  assert_int_equal(shells(&ev, ids, 8), 3);
  assert_int_equal(ids[0], 2);
  assert_int_equal(ids[1], 5);
  assert_int_equal(ids[2], 6);
  /* the token and the record; the size and the checksum it broke; the
   * chunk signature; the checksum */
  assert_int_equal(ev.evtx_issues, 6);
  assert_non_null(strstr(ev.error, "unexpected binary XML token 0xff"));
  assert_non_null(strstr(ev.error, "6 damage reports in all"));
  ev_free(&ev);
  free(f);
}

/* ---- streaming from files ------------------------------------------------------ */

static void write_file(const char *path, const void *data, size_t n) {
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, n, fp), n);
  fclose(fp);
}

static void scan_file(exh_evidence *ev, const char *path, const exh_stat *st) {
  exh_worker wk;
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  ev_init(ev, EXH_KIND_EVTX);
  ev->path = (char *)path;
  if (st) ev->dev = st->dev, ev->ino = st->ino, ev->size = st->size;
  exh__scan_evtx(&wk, ev);
  exh__worker_fini(&wk);
}

/* A file of 40 chunks, read a chunk at a time: the same findings as the
 * same bytes in memory; truncated in the middle of a chunk, the records
 * before the cut; replaced after the walk, or a link: not read. */
static void test_file_streaming(void **st) {
  (void)st;
  size_t nchunks = 40;
  uint8_t *f = new_file(nchunks);
  reset_shape();
  uint64_t rid = 1;
  for (size_t c = 0; c < nchunks; c++) {
    w x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    for (int i = 0; i < 3; i++) add_event(&x, rid++);
    evb_chunk_end(&x, x.n);
  }
  size_t n = 4096 + nchunks * EVB_CHUNK;
  char path[300], other[300], link[300];
  snprintf(path, sizeof path, "%s/a.evtx", tmp);
  write_file(path, f, n);
  exh_stat sb;
  char why[256];
  assert_int_equal(exh__lstat(path, &sb, why, sizeof why), 0);
  exh_evidence mem, file;
  scan_buf(&mem, f, n);
  scan_file(&file, path, &sb);
  uint64_t a[128], b[128];
  assert_int_equal(shells(&mem, a, 128), 120);
  assert_int_equal(shells(&file, b, 128), 120);
  assert_memory_equal(a, b, sizeof a[0] * 120);
  assert_int_equal(file.records, 120);
  assert_null(file.error);
  ev_free(&mem);
  ev_free(&file);

  /* cut in the middle of chunk 10's second record */
  const uint8_t *c10 = f + 4096 + 10 * EVB_CHUNK;
  size_t r1 = 512 + 8;
  while (memcmp(c10 + r1, "**\0\0", 4)) r1 += 8;
  assert_int_equal(truncate(path, (off_t)(4096 + 10 * EVB_CHUNK + r1 + 16)), 0);
  scan_file(&file, path, NULL);
  assert_int_equal(shells(&file, b, 128), 31);
  ev_free(&file);

  /* another file at the walk's path: refused, said */
  snprintf(other, sizeof other, "%s/b.evtx", tmp);
  write_file(other, f, n);
  assert_int_equal(rename(other, path), 0);
  scan_file(&file, path, &sb);
  assert_int_equal(file.nfindings, 0);
  assert_non_null(file.error);
  assert_non_null(strstr(file.error, "replaced"));
  ev_free(&file);

  /* a symbolic link: not followed */
  snprintf(link, sizeof link, "%s/link.evtx", tmp);
  assert_int_equal(symlink(path, link), 0);
  scan_file(&file, link, NULL);
  assert_int_equal(file.nfindings, 0);
  assert_non_null(strstr(file.error, "symbolic link"));
  ev_free(&file);
  free(f);
}

/* ---- JSON lines ------------------------------------------------------------------ */

#define JSON_SHELL                                                                                                 \
  "{\"Channel\":\"Security\",\"EventID\":4688,\"TimeCreated\":\"2021-03-12T01:10:03.438Z\",\"NewProcessName\":"   \
  "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"ParentProcessName\":"                                                \
  "\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\"}"

/* A line over EXH_JSONEV_MAX_LINE is reported and skipped whole: the
 * event its tail would be if read on its own is not one; the lines
 * around it are read, with their line numbers. */
static void test_json_long_line(void **st) {
  (void)st;
  size_t pad = EXH_JSONEV_MAX_LINE + 100;
  exh_buf b = {0};
  exh__buf_adds(&b, JSON_SHELL "\n");
  exh_buf_addc(&b, '"');
  for (size_t i = 0; i < pad; i++) exh_buf_addc(&b, 'P');
  exh__buf_adds(&b, JSON_SHELL "\n");
  exh__buf_adds(&b, "\n" JSON_SHELL "\n{not json}\n");
  exh_worker wk;
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  exh_evidence ev;
  ev_init(&ev, EXH_KIND_JSONEV);
  exh__scan_jsonev_buf(&wk, &ev, b.p, b.n);
  exh__worker_fini(&wk);
  uint64_t ids[4];
  assert_int_equal(shells(&ev, ids, 4), 2);
  assert_int_equal(ev.findings[0].line, 1);
  assert_int_equal(ev.findings[1].line, 4);
  assert_int_equal(ev.findings[1].offset, b.n - strlen(JSON_SHELL "\n{not json}\n"));
  assert_int_equal(ev.records, 2);
  assert_non_null(ev.error);
  assert_non_null(strstr(ev.error, "1 lines longer than"));
  assert_non_null(strstr(ev.error, "(first: line 2)"));
  assert_non_null(strstr(ev.error, "1 lines are not JSON objects (first: line 5)"));
  assert_int_equal(channel(&ev, "Security")->records, 2);
  ev_free(&ev);

  /* the same from a file, the long line last and without its line end */
  b.n -= strlen("\n" JSON_SHELL "\n{not json}\n") + 1;
  char path[300];
  snprintf(path, sizeof path, "%s/e.json", tmp);
  write_file(path, b.p, b.n);
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  ev_init(&ev, EXH_KIND_JSONEV);
  ev.path = path;
  exh__scan_jsonev(&wk, &ev);
  exh__worker_fini(&wk);
  assert_int_equal(shells(&ev, ids, 4), 1);
  assert_non_null(strstr(ev.error, "1 lines longer than"));
  ev_free(&ev);
  exh__buf_free(&b);
}

/* The record's channel, event id, time and host are the System's: a data
 * field of the same name (event 104's UserData/LogFileCleared/Channel, an
 * EventData <Data Name="EventID">) is data, whichever comes first in the
 * object (JSON does not order keys; exporters differ). Before, the first
 * field named Channel won, and the shell's 4688 was read as a record of
 * channel "Application" no Security rule reads. */
static void test_json_system_fields_win(void **st) {
  (void)st;
  static const char *const lines[] = {
      /* evtx_dump's shape, the data first */
      "{\"Event\":{\"EventData\":{\"Channel\":\"Application\",\"EventID\":\"7\",\"NewProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"ParentProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\"},\"System\":{\"Channel\":\"Security\","
      "\"EventID\":4688,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2021-03-12T01:10:03.438Z\"}}}}}",
      /* Velociraptor's shape, UserData first */
      "{\"UserData\":{\"LogFileCleared\":{\"Channel\":\"Application\"}},\"EventData\":{\"NewProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"ParentProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\"},\"System\":{\"Channel\":\"Security\","
      "\"EventID\":4688}}",
      /* winlogbeat's shape */
      "{\"winlog\":{\"event_data\":{\"Channel\":\"Application\",\"NewProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"ParentProcessName\":"
      "\"C:\\\\Windows\\\\System32\\\\inetsrv\\\\w3wp.exe\"},\"channel\":\"Security\",\"event_id\":4688}}",
  };
  for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
    exh_worker wk;
    exh__worker_init(&wk, rs);
    wk.lim = &lim;
    exh_evidence ev;
    ev_init(&ev, EXH_KIND_JSONEV);
    exh__scan_jsonev_buf(&wk, &ev, lines[k], strlen(lines[k]));
    exh__worker_fini(&wk);
    uint64_t ids[2];
    if (shells(&ev, ids, 2) != 1 || !channel(&ev, "Security") || channel(&ev, "Application"))
      fail_msg("line %zu: the System's channel not taken", k);
    ev_free(&ev);
  }
}

/* ---- fixtures for the command-line tests and the fuzz seeds ------------------------
 *
 * `test_evtx_scan --write DIR` writes hostile and plain EVTX files there
 * (tests/e2e/dump.sh dumps them; fuzz/corpus/evtx_scan holds their chunks):
 *   bomb.evtx     a good record, both template bombs, a good record, the
 *                 file cut right after the bombs' definitions (8 KB)
 *   damaged.evtx  400 records the parser cannot decode (800 reports), then
 *                 a chunk with a good record
 *   events.evtx   40 chunks of 3 web shell records (2.6 MB) */

static void write_or_die(const char *dir, const char *name, const uint8_t *p, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *fp = fopen(path, "wb");
  if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
    perror(path);
    exit(2);
  }
}

static int write_fixtures(const char *dir) {
  uint8_t *f = new_file(40);
  reset_shape();
  /* bomb.evtx: written twice, the second time with the definitions right
   * after the records (the first pass measures where the records end) */
  size_t defs_at = 40000, end = 0;
  for (int pass = 0; pass < 2; pass++) {
    w x = evb_chunk_begin(f + 4096);
    end = bomb_defs(&x, defs_at);
    add_event(&x, 1);
    evb_record(&x, 2, rec_value_bomb);
    evb_record(&x, 3, rec_def_bomb);
    add_event(&x, 4);
    evb_chunk_end(&x, x.n);
    defs_at = x.n;
  }
  write_or_die(dir, "bomb.evtx", f, 4096 + end);
  /* damaged.evtx */
  memset(f + 4096, 0, 2 * EVB_CHUNK);
  w x = evb_chunk_begin(f + 4096);
  for (uint64_t i = 1; i <= 400; i++) evb_record(&x, i, rec_garbage);
  evb_chunk_end(&x, x.n);
  x = evb_chunk_begin(f + 4096 + EVB_CHUNK);
  add_event(&x, 401);
  evb_chunk_end(&x, x.n);
  write_or_die(dir, "damaged.evtx", f, 4096 + 2 * EVB_CHUNK);
  /* events.evtx */
  uint64_t rid = 1;
  for (size_t c = 0; c < 40; c++) {
    x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    for (int i = 0; i < 3; i++) add_event(&x, rid++);
    evb_chunk_end(&x, x.n);
  }
  write_or_die(dir, "events.evtx", f, 4096 + 40 * EVB_CHUNK);
  free(f);
  return 0;
}

/* `test_evtx_scan --write-big DIR`: larger hostile files for measuring
 * peak memory and time (docs: the figures of issue 11), not for ctest:
 *   bombs.evtx     64 chunks, each full of value-bomb records
 *   big_values.evtx 64 chunks, each one record with a 60,000-byte binary
 *                  value referenced 44 times: just under the byte limit,
 *                  so every record is decoded (the largest accepted shape)
 *   big_records.evtx 256 chunks, each one record of about 64 KB (a string
 *                  value of 30,000 characters)
 *   chunk_sum.evtx 64 chunks of 55 records, each a 900-byte value referenced
 *                  300 times by a definition shared in the chunk (1.6 MB
 *                  of charges each: under the record bounds, over the
 *                  chunk's after about 40)
 * Each record's definition is inline, so each chunk stands alone. */
static int big_refs;
static uint16_t big_n;
static uint8_t big_value[60000];
static void big_body(w *x) {
  open_el(x, "Event", 0, NULL);
  close_start(x);
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  for (int i = 0; i < big_refs; i++) {
    open_el(x, "Data", 0, NULL);
    close_start(x);
    sub(x, 0, big_value[0] == 'B' ? 0x0e : 0x01);
    end_el(x);
  }
  end_el(x);
  end_el(x);
}
static void rec_big(w *x) {
  val v = {big_value[0] == 'B' ? 0x0e : 0x01, big_value, big_n, NULL};
  instance(x, big_body, &v, 1);
}

static size_t sum_def;
static void sum_body(w *x) {
  open_el(x, "Event", 0, NULL);
  close_start(x);
  for (int i = 0; i < 300; i++) {
    open_el(x, "Data", 0, NULL);
    close_start(x);
    sub(x, 0, 0x0e);
    end_el(x);
  }
  end_el(x);
}
static void rec_sum(w *x) {
  val v = {0x0e, big_value, 900, NULL};
  instance_of(x, sum_def, &v, 1);
}

static int write_big(const char *dir) {
  size_t nchunks = 256;
  uint8_t *f = new_file(nchunks);
  uint64_t rid = 1;
  /* bombs.evtx: value bombs with their definition inline in each chunk */
  for (size_t c = 0; c < 64; c++) {
    w x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    bomb_defs(&x, 60000);
    while (x.n < 55000) evb_record(&x, rid++, rec_value_bomb);
    evb_chunk_end(&x, x.n);
  }
  write_or_die(dir, "bombs.evtx", f, 4096 + 64 * EVB_CHUNK);
  /* big_values.evtx */
  memset(big_value, 'B', sizeof big_value);
  big_n = sizeof big_value, big_refs = 44;
  for (size_t c = 0; c < 64; c++) {
    w x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    evb_record(&x, rid++, rec_big);
    evb_chunk_end(&x, x.n);
  }
  write_or_die(dir, "big_values.evtx", f, 4096 + 64 * EVB_CHUNK);
  /* big_records.evtx */
  for (size_t i = 0; i < sizeof big_value; i += 2) big_value[i] = 'a' + (uint8_t)(i % 26), big_value[i + 1] = 0;
  big_refs = 1;
  for (size_t c = 0; c < nchunks; c++) {
    w x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    evb_record(&x, rid++, rec_big);
    evb_chunk_end(&x, x.n);
  }
  write_or_die(dir, "big_records.evtx", f, 4096 + nchunks * EVB_CHUNK);
  /* chunk_sum.evtx */
  for (size_t c = 0; c < 64; c++) {
    w x = evb_chunk_begin(f + 4096 + c * EVB_CHUNK);
    x.n = 54500; /* records end near 53,000, the definition near 65,000 */
    sum_def = definition(&x, sum_body);
    x.n = 512;
    for (int i = 0; i < 55; i++) evb_record(&x, rid++, rec_sum);
    evb_chunk_end(&x, x.n);
  }
  write_or_die(dir, "chunk_sum.evtx", f, 4096 + 64 * EVB_CHUNK);
  free(f);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_fixtures(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "--write-big")) return write_big(argv[2]);
  if (argc == 2) cmocka_set_test_filter(argv[1]); /* one test by name */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_record_without_system), cmocka_unit_test(test_channel_decided_per_record),
      cmocka_unit_test(test_template_bombs),        cmocka_unit_test(test_rest_is_read),
      cmocka_unit_test(test_file_streaming),        cmocka_unit_test(test_json_long_line),
      cmocka_unit_test(test_json_system_fields_win)};
  return cmocka_run_group_tests(tests, setup, teardown);
}
