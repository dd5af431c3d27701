/* exgen: EVTX files, written with tools/evtx/evtx_build.h (see evtx_out.h).
 *
 * Each record carries its template definitions inline (the outer Event
 * template and the EventData one inside its binary XML value), which is
 * valid EVTX and what a chunk's first record of each shape holds. A record
 * is written at the end of the current chunk in a buffer of two chunks: if
 * it ends past the chunk, it is wiped and written again at the start of a
 * new chunk (every offset in a record is a chunk offset, so it must be
 * written where it lies). Chunks get their record numbers, last record
 * offset, free-space offset and both checksums; the file header its chunk
 * count, next record id, version and checksum. */
#include "evtx_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../evtx/evtx_build.h"

#define EXG_VALUE_MAX 4000 /* characters of one value kept (records stay well inside a chunk) */

struct exg_evtx {
  char *path;
  uint8_t *file; /* chunks written so far (after the 4096-byte header) */
  size_t nchunks;
  uint8_t *buf; /* the current chunk, two chunks long */
  w x;
  uint64_t next_id, first_in_chunk;
  size_t last_off;
};

/* ---- one record ------------------------------------------------------------ */

static const exg_event *cur;
static uint64_t cur_id;
static uint8_t *vbuf[EXG_MAX_DATA + 3];
static uint16_t vlen[EXG_MAX_DATA + 3];

static uint16_t to_utf16(int slot, const char *s) {
  size_t n = strlen(s);
  if (n > EXG_VALUE_MAX) n = EXG_VALUE_MAX;
  if (!vbuf[slot]) vbuf[slot] = malloc(2 * EXG_VALUE_MAX + 2);
  for (size_t i = 0; i < n; i++) vbuf[slot][2 * i] = (uint8_t)s[i], vbuf[slot][2 * i + 1] = 0;
  return (uint16_t)(2 * n);
}

static void eventdata_body(w *x) {
  size_t as;
  open_el(x, "EventData", 0, NULL);
  close_start(x);
  for (unsigned i = 0; i < cur->n; i++) {
    if (cur->names[i]) {
      open_el(x, "Data", 1, &as);
      attr(x, "Name", 0);
      text(x, cur->names[i]);
    } else {
      open_el(x, "Data", 0, NULL);
    }
    close_start(x);
    sub(x, i, 0x01);
    end_el(x);
  }
  end_el(x);
}

static void eventdata_value(w *x) {
  val v[EXG_MAX_DATA];
  for (unsigned i = 0; i < cur->n; i++) {
    vlen[i] = to_utf16((int)i, cur->values[i] ? cur->values[i] : "");
    v[i] = (val){0x01, vbuf[i], vlen[i], NULL};
  }
  frag_header(x);
  instance(x, eventdata_body, v, (unsigned)cur->n);
  u8(x, 0x00);
}

static void event_body(w *x) {
  size_t as;
  open_el(x, "Event", 1, &as);
  attr(x, "xmlns", 0);
  text(x, "http://schemas.microsoft.com/win/2004/08/events/event");
  close_start(x);
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
  open_el(x, "Level", 0, NULL);
  close_start(x);
  sub(x, 2, 0x04);
  end_el(x);
  open_el(x, "TimeCreated", 1, &as);
  attr(x, "SystemTime", 0);
  sub(x, 3, 0x11);
  empty_el(x);
  open_el(x, "EventRecordID", 0, NULL);
  close_start(x);
  sub(x, 4, 0x0a);
  end_el(x);
  open_el(x, "Channel", 0, NULL);
  close_start(x);
  sub(x, 5, 0x01);
  end_el(x);
  open_el(x, "Computer", 0, NULL);
  close_start(x);
  sub(x, 6, 0x01);
  end_el(x);
  end_el(x);
  sub(x, 7, 0x21);
  end_el(x);
}

static uint64_t filetime(int64_t ms) { return (uint64_t)ms * 10000u + 116444736000000000ull; }

static void rec_event(w *x) {
  static uint8_t eid[2], lvl[1], ft[8], rid[8];
  eid[0] = (uint8_t)cur->eid, eid[1] = (uint8_t)(cur->eid >> 8);
  lvl[0] = (uint8_t)cur->level;
  uint64_t t = filetime(cur->ms);
  for (int i = 0; i < 8; i++) ft[i] = (uint8_t)(t >> (8 * i)), rid[i] = (uint8_t)(cur_id >> (8 * i));
  int s0 = EXG_MAX_DATA, s1 = EXG_MAX_DATA + 1, s2 = EXG_MAX_DATA + 2;
  uint16_t np = to_utf16(s0, cur->provider), nc = to_utf16(s1, cur->channel), nm = to_utf16(s2, cur->computer);
  val v[8] = {{0x01, vbuf[s0], np, NULL}, {0x06, eid, 2, NULL},         {0x04, lvl, 1, NULL},
              {0x11, ft, 8, NULL},         {0x0a, rid, 8, NULL},         {0x01, vbuf[s1], nc, NULL},
              {0x01, vbuf[s2], nm, NULL},  {0x21, NULL, 0, eventdata_value}};
  instance(x, event_body, v, 8);
}

/* ---- chunks and files ------------------------------------------------------ */

static void chunk_begin(exg_evtx *f) {
  memset(f->buf, 0, 2 * EVB_CHUNK);
  f->x = evb_chunk_begin(f->buf);
  f->first_in_chunk = f->next_id;
}

static void chunk_close(exg_evtx *f) {
  if (f->next_id == f->first_in_chunk) return;
  evb_chunk_records(&f->x, f->first_in_chunk, f->next_id - 1, f->last_off);
  evb_chunk_end(&f->x, f->x.n);
  f->file = realloc(f->file, (f->nchunks + 1) * EVB_CHUNK);
  memcpy(f->file + f->nchunks * EVB_CHUNK, f->buf, EVB_CHUNK);
  f->nchunks++;
}

exg_evtx *exg_evtx_open(const char *path) {
  exg_evtx *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->path = strdup(path);
  f->buf = malloc(2 * EVB_CHUNK);
  f->next_id = 1;
  chunk_begin(f);
  return f;
}

void exg_evtx_add(exg_evtx *f, const exg_event *e) {
  cur = e;
  cur_id = f->next_id;
  for (int attempt = 0; attempt < 2; attempt++) {
    size_t r0 = f->x.n;
    evb_record_at(&f->x, cur_id, filetime(e->ms), rec_event);
    if (f->x.n <= EVB_CHUNK) {
      f->last_off = r0;
      f->next_id++;
      return;
    }
    memset(f->buf + r0, 0, f->x.n - r0); /* past the chunk: again in a new one */
    f->x.n = r0;
    chunk_close(f);
    chunk_begin(f);
  }
  fprintf(stderr, "exgen: an event does not fit an EVTX chunk\n");
  exit(2);
}

int exg_evtx_close(exg_evtx *f) {
  chunk_close(f);
  uint8_t hdr[4096];
  evb_file_header_full(hdr, f->nchunks, f->next_id);
  FILE *o = fopen(f->path, "wb");
  int rc = -1;
  if (o) {
    rc = fwrite(hdr, 1, sizeof hdr, o) == sizeof hdr &&
                 (f->nchunks == 0 || fwrite(f->file, EVB_CHUNK, f->nchunks, o) == f->nchunks)
             ? 0
             : -1;
    if (fclose(o)) rc = -1;
  }
  free(f->file);
  free(f->buf);
  free(f->path);
  free(f);
  return rc;
}
