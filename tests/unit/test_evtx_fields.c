/* What `scan` reads from EVTX records (formats/evtx/evtx_fields.c): the
 * compiled-template walk against the tree walk, which must agree on every
 * record: the same records delivered, the same issues, the same System
 * values (Channel, EventID, Computer, TimeCreated/@SystemTime), the same
 * fields in the same order, the same evidence JSON. Hand-built chunks cover
 * each shape the compiled walk reads and each it must decline (then the
 * tree is read); with an argument (the shared folder), every EVTX under
 * data/evtx is compared too, and most records must go the compiled way. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/limits.h"
#include "formats/evtx/evtx.h"
#include "formats/evtx/evtx_int.h" /* the chunk's bound (test_chunk_sum) */
#include "../../tools/evtx/evtx_build.h"

/* ---- reading both ways ------------------------------------------------------ */

typedef struct out {
  FILE *f;
  char *p;
  size_t n;
  long fast, records;
  exh_buf tmp;
} out;

static void put_field(void *ctx, const char *name, size_t nl, exh_str v) {
  out *o = ctx;
  fputs("  ", o->f);
  fwrite(name, 1, nl, o->f);
  fputc('=', o->f);
  fwrite(v.p, 1, v.n, o->f);
  fputc('\n', o->f);
}

static void put_str(FILE *f, const char *what, exh_str s) {
  fprintf(f, " %s=", what);
  if (s.p) fwrite(s.p, 1, s.n, f);
  else fputs("(none)", f);
}

static int on_rec(void *ctx, const exh_evtx *p, const exh_evtx_record *r) {
  out *o = ctx;
  o->records++;
  fprintf(o->f, "R %llu at %llu:", (unsigned long long)r->id, (unsigned long long)r->file_offset);
  exh_evtx_head th;
  const exh_evtx_head *h = r->fields;
  if (h) {
    o->fast++;
    assert_int_equal(r->root, -1);
  } else if (exh__evtx_tree_head(p, r, &th, &o->tmp) == 0) {
    h = &th;
  } else {
    fputs(" no element\n", o->f);
    return 0;
  }
  put_str(o->f, "channel", h->channel);
  put_str(o->f, "eid", h->event_id);
  put_str(o->f, "computer", h->computer);
  put_str(o->f, "time", h->system_time);
  fputc('\n', o->f);
  if (r->fields) exh__evtx_fields_each(p, put_field, o);
  else exh__evtx_tree_fields(p, r, &o->tmp, put_field, o);
  exh__evtx_write_json_any(o->f, p, r); /* the evidence a finding shows */
  return 0;
}

static void on_iss(void *ctx, uint64_t off, const char *what) {
  out *o = ctx;
  fprintf(o->f, "ISSUE %llu %s\n", (unsigned long long)off, what);
}

static void read_file(const uint8_t *d, size_t n, int fields, uint64_t chunk_bytes, double deadline, out *o) {
  memset(o, 0, sizeof *o);
  o->f = open_memstream(&o->p, &o->n);
  exh_evtx *p = exh__evtx_new();
  exh__evtx_set_fields(p, fields);
  if (chunk_bytes) p->max_chunk_bytes = chunk_bytes;
  if (deadline > 0) exh__evtx_set_deadline(p, deadline);
  exh__evtx_parse(p, d, n, on_rec, on_iss, o);
  exh__evtx_free(p);
  fclose(o->f);
  exh__buf_free(&o->tmp);
}

/* Both ways, with the chunk's bound and a deadline; they must agree.
 * Returns what was read; *fast: records read the compiled way. */
static char *both_bounded(const uint8_t *d, size_t n, uint64_t chunk_bytes, double deadline, long *fast) {
  out t, c;
  read_file(d, n, 0, chunk_bytes, deadline, &t);
  read_file(d, n, 1, chunk_bytes, deadline, &c);
  assert_int_equal(t.fast, 0);
  assert_int_equal(c.records, t.records);
  assert_string_equal(c.p, t.p);
  *fast = c.fast;
  free(c.p);
  return t.p;
}

static char *both(const uint8_t *d, size_t n, long *fast) { return both_bounded(d, n, 0, 0, fast); }

/* A one-chunk EVTX file with one record made by `rec`. */
static size_t file_with(uint8_t *f, void (*rec)(w *)) {
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  evb_record(&x, 7, rec);
  evb_chunk_end(&x, x.n);
  return 4096 + 65536;
}

/* ---- the shapes ------------------------------------------------------------ */

static uint8_t sbuf[16][256];
static uint16_t u16s(int slot, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n; i++) sbuf[slot][2 * i] = (uint8_t)s[i], sbuf[slot][2 * i + 1] = 0;
  return (uint16_t)(2 * n);
}
static const uint8_t eid4688[] = {0x50, 0x12};
static const uint8_t ft[] = {0x00, 0xC0, 0x91, 0x6E, 0xDC, 0x16, 0xD7, 0x01};
static const uint8_t pid[] = {0x34, 0x12, 0, 0};
static const uint8_t sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}; /* S-1-5-18 */

static int key_from_value;  /* 1: the second Data is named by a value */
static int binxml_in_attr;  /* 1: the Provider Name value is binary XML */
static int direct_value;    /* 1: EventData written without a template in the value */
static int damage;          /* 1: the nested instance's definition offset is outside the chunk */
static int text_value;      /* 1: a Data's value is an instance holding text only */
static int no_system;       /* 1: no System element */
static int deep_userdata;   /* 1: UserData as well, nested past the leaf walk's depth */

/* <EventData><Data Name="NewProcessName">%0</Data><Data Name=%3|"CommandLine">x %1 y</Data>
 *  <Data>%2</Data><Data Name="NewProcessName">again</Data><Data Name="T">%4</Data></EventData> */
static void body_data(w *x) {
  size_t as;
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "NewProcessName");
  close_start(x);
  sub(x, 0, 0x01);
  end_el(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  if (key_from_value) sub(x, 3, 0x01);
  else text(x, "CommandLine");
  close_start(x);
  text(x, "x ");
  sub(x, 1, 0x01);
  text(x, " y");
  end_el(x);
  open_el(x, "Data", 0, NULL);
  close_start(x);
  sub(x, 2, 0x08);
  end_el(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "NewProcessName");
  close_start(x);
  text(x, "again");
  end_el(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "T");
  close_start(x);
  sub(x, 4, 0x21);
  end_el(x);
  end_el(x);
}

static void text_body(w *x) { text(x, "only text "); }
static void text_only(w *x) {
  frag_header(x);
  if (text_value) {
    val v = {0, NULL, 0, NULL};
    instance(x, text_body, &v, 0);
  }
  u8(x, 0x00);
}

static void data_direct(w *x) {
  size_t as;
  frag_header(x);
  direct = 1;
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  open_el(x, "Data", 1, &as);
  attr(x, "Name", 0);
  text(x, "Cmd");
  close_start(x);
  text(x, "Set-Mailbox");
  end_el(x);
  end_el(x);
  direct = 0;
  u8(x, 0x00);
}

static void nested_data(w *x) {
  if (direct_value) {
    data_direct(x);
    return;
  }
  size_t at = x->n;
  frag_header(x);
  val v[5] = {{0x01, sbuf[3], u16s(3, "C:\\Windows\\System32\\cmd.exe"), NULL},
              {0x01, sbuf[4], u16s(4, "cmd /c whoami"), NULL},
              {0x08, pid, 4, NULL},
              {0x01, sbuf[5], u16s(5, "Key Name"), NULL},
              {0x21, NULL, 0, text_only}};
  instance(x, body_data, v, 5);
  u8(x, 0x00);
  if (damage) put32(x, at + 4 + 6, 70000);
}

/* <UserData><Op><In><L>%0</L></In><X Kind="k"/></Op><Z>...18 levels...</Z></UserData> */
static void body_user(w *x) {
  size_t as;
  open_el(x, "UserData", 0, NULL);
  close_start(x);
  open_el(x, "Op", 0, NULL);
  close_start(x);
  open_el(x, "In", 0, NULL);
  close_start(x);
  open_el(x, "L", 0, NULL);
  close_start(x);
  sub(x, 0, 0x01);
  end_el(x);
  end_el(x);
  open_el(x, "X", 1, &as);
  attr(x, "Kind", 0);
  text(x, "k");
  empty_el(x);
  end_el(x);
  for (int i = 0; i < 18; i++) {
    char nm[8];
    snprintf(nm, sizeof nm, "Z%d", i);
    open_el(x, nm, 0, NULL);
    close_start(x);
  }
  text(x, "too deep");
  for (int i = 0; i < 18; i++) end_el(x);
  end_el(x);
}
static void nested_user(w *x) {
  frag_header(x);
  val v = {0x01, sbuf[6], u16s(6, "leaf value"), NULL};
  instance(x, body_user, &v, 1);
  u8(x, 0x00);
}

static void body_event(w *x) {
  size_t as;
  open_el(x, "Event", 1, &as);
  attr(x, "xmlns", 0);
  text(x, "http://schemas.microsoft.com/win/2004/08/events/event");
  close_start(x);
  if (!no_system) {
    open_el(x, "System", 0, NULL);
    close_start(x);
    open_el(x, "Provider", 1, &as);
    attr(x, "Name", 1);
    sub(x, 0, binxml_in_attr ? 0x21 : 0x01);
    attr(x, "Guid", 0);
    text(x, "{54849625-5478-4994-a5ba-3e3b0328c30d}");
    empty_el(x);
    open_el(x, "EventID", 0, NULL);
    close_start(x);
    sub(x, 1, 0x06);
    end_el(x);
    open_el(x, "TimeCreated", 0, NULL); /* without SystemTime first: the first one counts */
    empty_el(x);
    open_el(x, "TimeCreated", 1, &as);
    attr(x, "SystemTime", 0);
    sub(x, 2, 0x11);
    empty_el(x);
    open_el(x, "Correlation", 0, NULL);
    empty_el(x);
    open_el(x, "Execution", 1, &as);
    attr(x, "ProcessID", 1);
    sub(x, 5, 0x08);
    attr(x, "ThreadID", 0);
    text(x, "42");
    empty_el(x);
    open_el(x, "Channel", 0, NULL);
    close_start(x);
    text(x, "Secu");
    sub(x, 6, 0x01);
    end_el(x);
    open_el(x, "Computer", 0, NULL);
    close_start(x);
    text(x, "EXCH01.corp.local");
    end_el(x);
    open_el(x, "Security", 1, &as);
    attr(x, "UserID", 0);
    sub(x, 7, 0x13);
    empty_el(x);
    open_el(x, "Level", 0, NULL); /* a null value */
    close_start(x);
    sub(x, 4, 0x04);
    end_el(x);
    end_el(x);
  }
  sub(x, 3, 0x21);
  if (deep_userdata) sub(x, 8, 0x21);
  end_el(x);
}

static void rec_event(w *x) {
  val v[9] = {{0x01, sbuf[0], u16s(0, "Microsoft-Windows-Security-Auditing"), NULL},
              {0x06, eid4688, 2, NULL},
              {0x11, ft, 8, NULL},
              {0x21, NULL, 0, nested_data},
              {0x00, NULL, 0, NULL},
              {0x08, pid, 4, NULL},
              {0x01, sbuf[1], u16s(1, "rity"), NULL},
              {0x13, sid, sizeof sid, NULL},
              {0x21, NULL, 0, nested_user}};
  if (binxml_in_attr) v[0] = (val){0x21, NULL, 0, text_only};
  instance(x, body_event, v, 9);
}

static void reset_shapes(void) {
  key_from_value = binxml_in_attr = direct_value = damage = text_value = no_system = deep_userdata = 0;
}

static char *one(void (*rec)(w *), long *fast) {
  uint8_t *f = malloc(4096 + 65536);
  size_t n = file_with(f, rec);
  char *j = both(f, n, fast);
  free(f);
  return j;
}

static void test_windows_event(void **st) {
  (void)st;
  reset_shapes();
  long fast;
  char *j = one(rec_event, &fast);
  assert_int_equal(fast, 1);
  assert_non_null(strstr(j, " channel=Security eid=4688 computer=EXCH01.corp.local time=(none)\n"
                            "  Provider_Name=Microsoft-Windows-Security-Auditing\n"
                            "  Provider_Guid={54849625-5478-4994-a5ba-3e3b0328c30d}\n"
                            "  EventID=4688\n"
                            "  SystemTime=2021-03-12 01:10:03.438080\n"
                            "  Correlation=\n"
                            "  ProcessID=4660\n"
                            "  ThreadID=42\n"
                            "  Channel=Security\n"
                            "  Computer=EXCH01.corp.local\n"
                            "  UserID=S-1-5-18\n"
                            "  Level=\n"
                            "  NewProcessName=C:\\Windows\\System32\\cmd.exe\n"
                            "  CommandLine=x cmd /c whoami y\n"
                            "  Data=4660\n"
                            "  NewProcessName=again\n"
                            "  T=\n"
                            "{\"Event\":"));
  free(j);
}

static void test_names_from_values_and_text_instances(void **st) {
  (void)st;
  reset_shapes();
  key_from_value = 1, text_value = 1;
  long fast;
  char *j = one(rec_event, &fast);
  assert_int_equal(fast, 1);
  assert_non_null(strstr(j, "  Key Name=x cmd /c whoami y\n"));
  assert_non_null(strstr(j, "  T=only text \n"));
  free(j);
}

static void test_user_data_leaves(void **st) {
  (void)st;
  reset_shapes();
  deep_userdata = 1;
  long fast;
  char *j = one(rec_event, &fast);
  assert_int_equal(fast, 1);
  assert_non_null(strstr(j, "  L=leaf value\n  X=\n"));
  assert_null(strstr(j, "  Z")); /* past the leaf walk's depth (16): no field, though in the JSON */
  assert_non_null(strstr(j, "too deep"));
  free(j);
}

static void test_without_system(void **st) {
  (void)st;
  reset_shapes();
  no_system = 1;
  long fast;
  char *j = one(rec_event, &fast);
  assert_int_equal(fast, 1);
  assert_non_null(strstr(j, " channel= eid= computer= time=(none)\n  NewProcessName="));
  free(j);
}

static void test_declined_shapes(void **st) {
  (void)st;
  long fast;
  char *j;
  reset_shapes();
  binxml_in_attr = 1;
  j = one(rec_event, &fast);
  assert_int_equal(fast, 0); /* read from the tree, the same either way */
  assert_non_null(strstr(j, "  CommandLine="));
  free(j);
  reset_shapes();
  direct_value = 1;
  j = one(rec_event, &fast);
  assert_int_equal(fast, 0);
  assert_non_null(strstr(j, "  Cmd=Set-Mailbox\n"));
  free(j);
  reset_shapes();
  damage = 1;
  j = one(rec_event, &fast);
  assert_int_equal(fast, 0);
  assert_non_null(strstr(j, "ISSUE"));
  free(j);
  reset_shapes();
}

/* ---- bombs, the deadline, the chunk's bound --------------------------------- */

#define BOMB_LEVELS 40
static size_t bomb_def[BOMB_LEVELS + 2];
static int bomb_k;
static void bomb_leaf(w *x) {
  open_el(x, "a", 0, NULL);
  empty_el(x);
}
static void bomb_twice(w *x) {
  instance_of(x, bomb_def[bomb_k + 1], NULL, 0);
  instance_of(x, bomb_def[bomb_k + 1], NULL, 0);
}
static void rec_def_bomb(w *x) { instance_of(x, bomb_def[1], NULL, 0); }

#define VBOMB_LEVELS 12
static size_t vbomb_def, deep_def;
static int vbomb_k;
static void vbomb_body(w *x) { /* <E>%0 eight times</E> */
  open_el(x, "E", 0, NULL);
  close_start(x);
  for (int i = 0; i < 8; i++) sub(x, 0, 0x21);
  end_el(x);
}
static void vbomb_value(w *x) {
  frag_header(x);
  if (++vbomb_k < VBOMB_LEVELS) {
    val v = {0x21, NULL, 0, vbomb_value};
    instance_of(x, vbomb_def, &v, 1);
  } else {
    val v = {0x01, sbuf[7], u16s(7, "end"), NULL};
    instance_of(x, deep_def, &v, 1);
  }
  u8(x, 0x00);
}
static void rec_value_bomb(w *x) {
  vbomb_k = 0;
  val v = {0x21, NULL, 0, vbomb_value};
  instance_of(x, vbomb_def, &v, 1);
}
/* nesting by values, one per level: deeper than EXH_EVTX_MAX_DEPTH allows */
static void deep_body(w *x) { /* <D>%0</D> */
  open_el(x, "D", 0, NULL);
  close_start(x);
  sub(x, 0, 0x21);
  end_el(x);
}
static int deep_k, deep_levels;
static void deep_value(w *x) {
  frag_header(x);
  if (++deep_k < deep_levels) {
    val v = {0x21, NULL, 0, deep_value};
    instance_of(x, deep_def, &v, 1);
  } else {
    val v = {0x01, sbuf[8], u16s(8, "bottom"), NULL};
    instance_of(x, deep_def, &v, 1);
  }
  u8(x, 0x00);
}
static void body_deep_event(w *x) {
  open_el(x, "Event", 0, NULL);
  close_start(x);
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  sub(x, 0, 0x21);
  end_el(x);
  end_el(x);
}
static void rec_deep(w *x) {
  deep_k = 0;
  val v = {0x21, NULL, 0, deep_value};
  instance(x, body_deep_event, &v, 1);
}

/* One chunk: good records, the two bombs, values nested 5, 20 and 40 deep. */
static size_t file_with_bombs(uint8_t *f) {
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  x.n = 40000; /* the shared definitions, past the records */
  bomb_def[BOMB_LEVELS] = definition(&x, bomb_leaf);
  for (bomb_k = BOMB_LEVELS - 1; bomb_k >= 1; bomb_k--) bomb_def[bomb_k] = definition(&x, bomb_twice);
  vbomb_def = definition(&x, vbomb_body);
  deep_def = definition(&x, deep_body);
  x.n = 512;
  reset_shapes();
  evb_record(&x, 1, rec_event);
  evb_record(&x, 2, rec_def_bomb);
  evb_record(&x, 3, rec_value_bomb);
  evb_record(&x, 4, rec_event);
  deep_levels = 5;
  evb_record(&x, 5, rec_deep);
  deep_levels = 20;
  evb_record(&x, 6, rec_deep);
  deep_levels = 40;
  evb_record(&x, 7, rec_deep);
  evb_chunk_end(&x, x.n);
  return 4096 + 65536;
}

static size_t count(const char *s, const char *what) {
  size_t k = 0;
  for (const char *p = s; (p = strstr(p, what)); p++) k++;
  return k;
}

static void test_bombs_and_depth(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  size_t n = file_with_bombs(f);
  long fast;
  char *j = both(f, n, &fast);
  assert_true(fast >= 3); /* records 1, 4 and the value nested 5 deep */
  assert_non_null(strstr(j, "record 2 could not be fully decoded"));
  assert_non_null(strstr(j, "record 3 expands past"));
  assert_non_null(strstr(j, "  D=bottom\n"));
  assert_non_null(strstr(j, "nested deeper than"));
  free(j);
  /* a deadline long past: the clock is read once the charges reach its
   * period, inside the value bomb (record 3) both ways: record 1 is read,
   * compiled, and nothing after the stop */
  j = both_bounded(f, n, 0, 1e-9, &fast);
  assert_int_equal(fast, 1);
  assert_int_equal(count(j, "time limit"), 1);
  assert_non_null(strstr(j, "record 3: time limit"));
  assert_null(strstr(j, "R 4 "));
  free(j);
  free(f);
}

static void test_chunk_sum(void **st) {
  (void)st;
  uint8_t *f = malloc(4096 + 65536);
  reset_shapes();
  evb_file_header(f);
  w x = evb_chunk_begin(f + 4096);
  for (uint64_t id = 1; id <= 20; id++) evb_record(&x, id, rec_event);
  evb_chunk_end(&x, x.n);
  size_t n = 4096 + 65536;
  /* a record's charges, from the tree */
  exh_evtx *p = exh__evtx_new();
  out o;
  memset(&o, 0, sizeof o);
  o.f = open_memstream(&o.p, &o.n);
  exh__evtx_parse(p, f, n, on_rec, on_iss, &o);
  uint64_t one_rec = p->cbytes;
  exh__evtx_free(p);
  fclose(o.f);
  free(o.p);
  exh__buf_free(&o.tmp);
  assert_true(one_rec > 0);
  long fast;
  char *j = both_bounded(f, n, 5 * one_rec + one_rec / 2, 0, &fast);
  assert_int_equal(fast, 6);
  assert_int_equal(count(j, "R "), 6);
  assert_non_null(strstr(j, "chunk expands past"));
  free(j);
  free(f);
}

/* ---- every shared EVTX ------------------------------------------------------ */

static const char *shared;
static long files, recs, fastrecs;

static void compare_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(path, &sb)) continue;
    if (S_ISDIR(sb.st_mode)) {
      compare_tree(path);
      continue;
    }
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 5, ".evtx")) continue;
    FILE *fp = fopen(path, "rb");
    if (!fp) continue;
    uint8_t *buf = malloc((size_t)sb.st_size + 1);
    size_t n = fread(buf, 1, (size_t)sb.st_size, fp);
    fclose(fp);
    out t, c;
    read_file(buf, n, 0, 0, 0, &t);
    read_file(buf, n, 1, 0, 0, &c);
    if (t.n != c.n || memcmp(t.p, c.p, t.n)) fail_msg("%s: the compiled and tree walks differ", path);
    files++, recs += c.records, fastrecs += c.fast;
    free(t.p), free(c.p), free(buf);
  }
  closedir(d);
}

static void test_shared_evtx(void **st) {
  (void)st;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/data/evtx", shared ? shared : "");
  struct stat sb;
  if (!shared || stat(dir, &sb)) {
    print_message("skip: %s is absent\n", dir);
    skip();
  }
  compare_tree(dir);
  print_message("%ld files, %ld records, %ld (%.1f%%) read through compiled templates\n", files, recs, fastrecs,
                recs ? 100.0 * (double)fastrecs / (double)recs : 0.0);
  assert_true(files > 0);
  assert_true(fastrecs * 10 > recs * 9); /* the compiled walk is the common case */
}

int main(int argc, char **argv) {
  shared = argc > 1 ? argv[1] : NULL;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_windows_event),     cmocka_unit_test(test_names_from_values_and_text_instances),
      cmocka_unit_test(test_user_data_leaves),  cmocka_unit_test(test_without_system),
      cmocka_unit_test(test_declined_shapes),   cmocka_unit_test(test_bombs_and_depth),
      cmocka_unit_test(test_chunk_sum),         cmocka_unit_test(test_shared_evtx)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
