/* Windows XML Event Log (EVTX) parser.
 *
 *   file header (4 KiB, "ElfFile") ─► chunks of 64 KiB ("ElfChnk")
 *     chunk: 512-byte header (CRC32s, string and template tables)
 *            records ("**\0\0", size, id, FILETIME, binary XML, size)
 *   binary XML: tokens; a record is usually one template instance: the
 *   template (stored once per chunk, referenced by offset) holds the element
 *   structure, the instance holds the substitution values.
 *
 * Each record is rendered into a small tree held in the parser's arena,
 * which is reset, not freed, between records: no allocation per record once
 * the arena has grown to the largest record. Damage (bad magic, CRC
 * mismatch, bad sizes, truncation, bad offsets) is reported through the
 * issue callback and parsing goes on with the next record or chunk; nothing
 * loops (every step advances) and every read is bounds-checked. */
#ifndef EXH_EVTX_H
#define EXH_EVTX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../util/util.h"

typedef struct exh_evtx exh_evtx;

/* The format's sizes: the file header, a chunk. */
#define EXH_EVTX_FILE_HEADER 4096u
#define EXH_EVTX_CHUNK 65536u

/* A node of the rendered record: an element, or a text piece (name empty). */
typedef struct exh_evtx_node {
  uint32_t name, name_len; /* arena offsets */
  uint32_t text, text_len; /* text pieces only */
  int is_text;
  int parent, first_child, last_child, next;
  int first_attr, last_attr;
} exh_evtx_node;

typedef struct exh_evtx_attr {
  uint32_t name, name_len, val, val_len;
  int next;
} exh_evtx_attr;

typedef struct exh_evtx_record {
  uint64_t id;
  int64_t written_ms;     /* record header FILETIME, UTC ms */
  uint64_t file_offset;
  int root;               /* node index of the top element, -1 if none */
  /* In JSON mode (exh__evtx_set_json), the record's JSON line when it was
   * rendered straight from the chunk's compiled template (no tree: root is
   * -1); NULL when the record was decoded into a tree as usual. */
  const char *json;
  size_t json_len;
  /* In fields mode (exh__evtx_set_fields), the System values `scan` needs
   * when the record was read straight through the chunk's compiled
   * templates (no tree: root is -1, see evtx_fields.c); NULL otherwise. */
  const struct exh_evtx_head *fields;
} exh_evtx_record;

/* A record read through compiled templates (fields mode): what the tree
 * path reads from System, as exh__evtx_text and exh__evtx_attr_value would
 * give it. Absent elements give empty text; system_time.p is NULL when
 * TimeCreated or its SystemTime attribute is absent. */
typedef struct exh_evtx_head {
  exh_str channel, event_id, computer, system_time;
} exh_evtx_head;

typedef int (*exh_evtx_record_fn)(void *ctx, const exh_evtx *p, const exh_evtx_record *r);
typedef void (*exh_evtx_issue_fn)(void *ctx, uint64_t file_offset, const char *what);

exh_evtx *exh__evtx_new(void);
void exh__evtx_free(exh_evtx *p);

/* Parses a whole file image. Returns the number of records delivered, or
 * -1 if it is not an EVTX file (reported through issue). A nonzero return
 * from the record callback stops the parse. */
long exh__evtx_parse(exh_evtx *p, const uint8_t *data, size_t n, exh_evtx_record_fn on_record,
                    exh_evtx_issue_fn on_issue, void *ctx);

/* The same on a range of chunks only (for parallel parsing): chunk i
 * starts at 4096 + i * 65536. The file header is not checked. */
long exh__evtx_parse_chunks(exh_evtx *p, const uint8_t *data, size_t n, size_t first, size_t count,
                           exh_evtx_record_fn on_record, exh_evtx_issue_fn on_issue, void *ctx);
/* Number of chunks a file image of n bytes holds (the last may be partial). */
size_t exh__evtx_chunk_count(size_t n);
/* Checks a file header (the first n bytes of a file, 4096 when it has
 * them): -1 if it is not EVTX, else 0 (a checksum mismatch is reported). */
int exh__evtx_check_header(const uint8_t *data, size_t n, exh_evtx_issue_fn on_issue, void *ctx);
/* Parses one chunk of n bytes (64 KiB, or less at a file's end) that sits
 * at file_off in its file, for readers that hold one chunk at a time (the
 * bytes may be reused once it returns). Returns the records delivered. */
long exh__evtx_parse_chunk(exh_evtx *p, const uint8_t *chunk, size_t n, uint64_t file_off,
                          exh_evtx_record_fn on_record, exh_evtx_issue_fn on_issue, void *ctx);

/* A record's expansion is bounded (EXH_EVTX_MAX_RECORD_NODES and _BYTES in
 * core/limits.h): a record over either is reported and not delivered.
 * With a deadline (an exh__monotonic_s() time, 0: none) the clock is also
 * read inside a record's expansion; once it has passed, the record is
 * reported, nothing more is delivered and exh__evtx_timed_out says so. */
void exh__evtx_set_deadline(exh_evtx *p, double t);
int exh__evtx_timed_out(const exh_evtx *p);

/* JSON mode: records are rendered as JSON lines through templates compiled
 * once per chunk (see evtx_json.c) and delivered with `json` set, without a
 * tree, whenever their shape allows; only for callers that just write JSON
 * (exhunt dump). The output is byte-identical to the tree's rendering. */
void exh__evtx_set_json(exh_evtx *p, int on);
/* JSON mode with the lines appended straight to `out` (NULL: the parser's
 * own buffer): a record delivered with `json` set has its line at the end
 * of `out` already, so the callback does not copy it; other records (json
 * NULL) are for the callback to render (exh__evtx_json_append). */
void exh__evtx_set_json_buffer(exh_evtx *p, exh_buf *out);
/* Templates this parser has compiled so far (EXHUNT_TIMING). */
uint64_t exh__evtx_compiled(const exh_evtx *p);

/* Fields mode (`scan`): records are read through templates compiled once
 * (evtx_fields.c) and delivered with `fields` set and no tree whenever
 * their shape allows; the others are decoded into a tree as usual. What a
 * record gives is the same either way (the tree path's own walk). */
void exh__evtx_set_fields(exh_evtx *p, int on);
/* The fields of the record being delivered with `fields` set, in the order
 * and with the names `scan`'s tree walk gives them: System's children
 * (Provider_Name, Provider_Guid, EventSourceName, SystemTime, UserID,
 * ProcessID, ThreadID from attributes, the others by their text), then the
 * leaves of EventData and of UserData (a Data element by its Name). The
 * value is valid during the call only. */
typedef void (*exh_evtx_field_fn)(void *ctx, const char *name, size_t name_len, exh_str value);
void exh__evtx_fields_each(const exh_evtx *p, exh_evtx_field_fn fn, void *ctx);
/* The same from the record's tree (a record delivered without `fields`):
 * the head (-1 when the record has no element), its strings in tmp; and
 * the fields (tmp is scratch). The compiled walk gives what these give. */
int exh__evtx_tree_head(const exh_evtx *p, const exh_evtx_record *r, exh_evtx_head *h, exh_buf *tmp);
void exh__evtx_tree_fields(const exh_evtx *p, const exh_evtx_record *r, exh_buf *tmp, exh_evtx_field_fn fn,
                           void *ctx);
/* exh__evtx_write_json for any record being delivered, `fields` set or not
 * (the record is then decoded into a tree of its own first). */
void exh__evtx_write_json_any(FILE *f, const exh_evtx *p, const exh_evtx_record *r);

/* Writes the record being delivered as one JSON line in the shape of the
 * evtx crate's `evtx_dump -o jsonl`, or as XML. */
void exh__evtx_write_json(FILE *f, const exh_evtx *p, const exh_evtx_record *r);
/* The JSON value of one element of the tree (its key is the caller's), as
 * it appears inside a record's line; in_eventdata: below EventData or
 * UserData (a Data element's Name became its key). */
void exh__evtx_json_subtree(exh_buf *o, const exh_evtx *p, int node, int in_eventdata);
/* The same JSON line appended to a buffer. */
void exh__evtx_json_append(exh_buf *o, const exh_evtx *p, const exh_evtx_record *r);
void exh__evtx_write_xml(FILE *f, const exh_evtx *p, const exh_evtx_record *r);
/* Frees the calling thread's rendering buffers (call before a thread ends). */
void exh__evtx_out_thread_cleanup(void);

/* Access to the rendered tree of the record being delivered. */
const exh_evtx_node *exh__evtx_node_at(const exh_evtx *p, int i);
const exh_evtx_attr *exh__evtx_attr_at(const exh_evtx *p, int i);
exh_str exh__evtx_str(const exh_evtx *p, uint32_t off, uint32_t len);
/* First child element named `name` (case-sensitive), or -1. */
int exh__evtx_child(const exh_evtx *p, int node, const char *name);
/* Attribute value of a node, or a NULL slice. */
exh_str exh__evtx_attr_value(const exh_evtx *p, int node, const char *name);
/* The concatenated text of a node's text children, into buf. */
exh_str exh__evtx_text(const exh_evtx *p, int node, exh_buf *buf);

uint32_t exh__crc32(const uint8_t *p, size_t n);
/* The same by table only (tests compare the two). */
uint32_t exh__crc32_table(const uint8_t *p, size_t n);

#endif
