/* A tiny binary XML and EVTX writer, shared by the tests (test_evtx.c,
 * test_evtx_scan.c) and the test-data generator (tools/exgen: the
 * post-exploitation stage's EVTX files): elements, attributes, text,
 * substitutions, template instances with inline or shared definitions,
 * records, chunks with their checksums, file headers. Self-contained (its
 * own CRC-32, so the generator needs no part of the library and the
 * library's CRC is checked against an independent one); every offset
 * written is a chunk offset. */
#ifndef EXH_EVTX_BUILD_H
#define EXH_EVTX_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* CRC-32 (IEEE 802.3, reflected, as EVTX uses), bit by bit: small inputs. */
static inline uint32_t evb_crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

typedef struct w {
  uint8_t *b; /* the chunk */
  size_t n;
} w;

static inline void u8(w *x, unsigned v) { x->b[x->n++] = (uint8_t)v; }
static inline void u16(w *x, unsigned v) { u8(x, v & 0xFF), u8(x, (v >> 8) & 0xFF); }
static inline void u32(w *x, uint32_t v) { u16(x, v & 0xFFFF), u16(x, v >> 16); }
static inline void u64(w *x, uint64_t v) { u32(x, (uint32_t)v), u32(x, (uint32_t)(v >> 32)); }
static inline void put32(w *x, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++) x->b[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}
/* a name structure written inline (its offset is where it starts) */
static inline void name(w *x, const char *s) {
  u32(x, (uint32_t)(x->n + 4));
  u32(x, 0); /* next */
  u16(x, 0); /* hash */
  u16(x, (unsigned)strlen(s));
  for (const char *c = s; *c; c++) u16(x, (unsigned char)*c);
  u16(x, 0);
}
/* element start; attrs: 1 when an attribute list follows. Elements written
 * directly in a binary XML value have no dependency id (direct = 1). */
static int direct;
static inline void open_el(w *x, const char *nm, int attrs, size_t *attr_size_at) {
  u8(x, attrs ? 0x41 : 0x01);
  if (!direct) u16(x, 0xFFFF); /* dependency id */
  u32(x, 0);                   /* data size */
  name(x, nm);
  if (attrs) {
    *attr_size_at = x->n;
    u32(x, 0);
  }
}
static inline void attr(w *x, const char *nm, int more) {
  u8(x, more ? 0x46 : 0x06);
  name(x, nm);
}
static inline void text(w *x, const char *s) {
  u8(x, 0x05);
  u8(x, 0x01);
  u16(x, (unsigned)strlen(s));
  for (const char *c = s; *c; c++) u16(x, (unsigned char)*c);
}
static inline void sub(w *x, unsigned id, unsigned type) {
  u8(x, 0x0e);
  u16(x, id);
  u8(x, type);
}
static inline void close_start(w *x) { u8(x, 0x02); }
static inline void end_el(w *x) { u8(x, 0x04); }
static inline void empty_el(w *x) { u8(x, 0x03); }
static inline void frag_header(w *x) { u8(x, 0x0f), u8(x, 1), u8(x, 1), u8(x, 0); }

/* A substitution value: bytes, or binary XML written in place by build. */
typedef struct val {
  uint8_t type;
  const uint8_t *d;
  uint16_t n;
  void (*build)(w *);
} val;

/* The values of an instance (count, descriptors, data) at x->n. */
static inline void values(w *x, const val *v, unsigned nv) {
  u32(x, nv);
  size_t desc = x->n;
  for (unsigned i = 0; i < nv; i++) u16(x, v[i].n), u8(x, v[i].type), u8(x, 0);
  for (unsigned i = 0; i < nv; i++) {
    if (!v[i].build) {
      if (v[i].n) memcpy(x->b + x->n, v[i].d, v[i].n), x->n += v[i].n;
      continue;
    }
    size_t s0 = x->n;
    v[i].build(x);
    x->b[desc + 4 * i] = (uint8_t)(x->n - s0), x->b[desc + 4 * i + 1] = (uint8_t)((x->n - s0) >> 8);
  }
}

/* A template definition written at x->n (header, then `body` between a
 * fragment header and the end token): returns its offset. */
static inline size_t definition(w *x, void (*body)(w *)) {
  size_t def = x->n;
  u32(x, 0);                                       /* next definition */
  for (int i = 0; i < 16; i++) u8(x, (unsigned)i); /* GUID */
  size_t size_at = x->n;
  u32(x, 0);
  size_t start = x->n;
  frag_header(x);
  body(x);
  u8(x, 0x00);
  put32(x, size_at, (uint32_t)(x->n - start));
  return def;
}

/* A template instance whose definition is written inline by `body`; the
 * values follow. */
static inline void instance(w *x, void (*body)(w *), const val *v, unsigned nv) {
  u8(x, 0x0c);
  u8(x, 0x01);
  u32(x, 0); /* template id */
  u32(x, (uint32_t)(x->n + 4));
  definition(x, body);
  values(x, v, nv);
}

/* A template instance of the definition at chunk offset def (written
 * elsewhere), with its values. */
static inline void instance_of(w *x, size_t def, const val *v, unsigned nv) {
  u8(x, 0x0c);
  u8(x, 0x01);
  u32(x, 0);
  u32(x, (uint32_t)def);
  values(x, v, nv);
}

/* ---- records, chunks, files ---------------------------------------------- */

#define EVB_CHUNK 65536u

/* Starts a record written at `filetime` (100 ns since 1601) at x->n;
 * returns its start for evb_record_end. */
static inline size_t evb_record_begin_at(w *x, uint64_t id, uint64_t filetime) {
  size_t r0 = x->n;
  u32(x, 0x00002a2a);
  u32(x, 0); /* size */
  u64(x, id);
  u64(x, filetime);
  return r0;
}
static inline size_t evb_record_begin(w *x, uint64_t id) {
  return evb_record_begin_at(x, id, 132539328000000000ull); /* 2021-01-01 */
}

static inline void evb_record_end(w *x, size_t r0) {
  while ((x->n - r0 + 4) % 8) u8(x, 0);
  u32(x, (uint32_t)(x->n - r0 + 4));
  put32(x, r0 + 4, (uint32_t)(x->n - r0));
}

/* A record whose binary XML is written by rec (after its fragment header). */
static inline void evb_record_at(w *x, uint64_t id, uint64_t filetime, void (*rec)(w *)) {
  size_t r0 = evb_record_begin_at(x, id, filetime);
  frag_header(x);
  rec(x);
  u8(x, 0x00);
  evb_record_end(x, r0);
}
static inline void evb_record(w *x, uint64_t id, void (*rec)(w *)) {
  size_t r0 = evb_record_begin(x, id);
  frag_header(x);
  rec(x);
  u8(x, 0x00);
  evb_record_end(x, r0);
}

/* A chunk at b (EVB_CHUNK bytes, zeroed): returns the writer, records go
 * from offset 512 on. */
static inline w evb_chunk_begin(uint8_t *b) {
  memset(b, 0, EVB_CHUNK);
  w x = {b, 0};
  memcpy(x.b, "ElfChnk", 8);
  x.n = 512;
  return x;
}

/* Closes a chunk whose records end at `records_end`: free-space offset
 * and both checksums. */
static inline void evb_chunk_end(w *x, size_t records_end) {
  put32(x, 48, (uint32_t)records_end);
  put32(x, 52, evb_crc32(x->b + 512, records_end - 512));
  uint8_t hdr[504];
  memcpy(hdr, x->b, 120);
  memcpy(hdr + 120, x->b + 128, 384);
  put32(x, 124, evb_crc32(hdr, 504));
}

/* A file header (4096 bytes at f) with its checksum. */
static inline void evb_file_header(uint8_t *f) {
  memset(f, 0, 4096);
  memcpy(f, "ElfFile", 8);
  w fh = {f, 0};
  put32(&fh, 124, evb_crc32(f, 120));
}

/* The chunk header's record numbers and ids (first, last) and the last
 * record's offset, as Windows writes them; before evb_chunk_end. */
static inline void evb_chunk_records(w *x, uint64_t first, uint64_t last, size_t last_off) {
  for (int i = 0; i < 8; i++) {
    x->b[8 + i] = x->b[24 + i] = (uint8_t)(first >> (8 * i));
    x->b[16 + i] = x->b[32 + i] = (uint8_t)(last >> (8 * i));
  }
  put32(x, 40, 128); /* header size */
  put32(x, 44, (uint32_t)last_off);
}

/* A complete file header, as Windows writes one for a closed file: chunk
 * numbers, the next record id, sizes, version 3.1, no flags. */
static inline void evb_file_header_full(uint8_t *f, uint64_t nchunks, uint64_t next_id) {
  memset(f, 0, 4096);
  memcpy(f, "ElfFile", 8);
  w fh = {f, 0};
  for (int i = 0; i < 8; i++) {
    f[8 + i] = 0;
    f[16 + i] = (uint8_t)((nchunks ? nchunks - 1 : 0) >> (8 * i));
    f[24 + i] = (uint8_t)(next_id >> (8 * i));
  }
  put32(&fh, 32, 128);
  f[36] = 1, f[37] = 0; /* minor */
  f[38] = 3, f[39] = 0; /* major */
  f[40] = 0x00, f[41] = 0x10; /* header block size 4096 */
  f[42] = (uint8_t)nchunks, f[43] = (uint8_t)(nchunks >> 8);
  put32(&fh, 124, evb_crc32(f, 120));
}

#endif
