/* Archives (a triage collection zipped, tarred or 7-zipped, an OTRF data
 * set): each member is classified by its path inside the archive and
 * scanned as the stream it is, never extracted to disk and never held
 * whole: a member is an exh_source over archive_read_data, so logs go
 * through the log scanner block by block, EVTX a chunk at a time, JSON
 * events a block of lines at a time, content checks read up to the content
 * size limit (then the header checks only, as for files), and memory stays
 * bounded whatever a member inflates to (zip bombs, overlapping members, a
 * central directory that lies about sizes).
 * Findings name a member "archive!member".
 *
 * The archive file itself is read through exh__source_file (no symbolic
 * link followed, O_NOATIME where permitted, the walk's device and inode
 * checked) and fed to libarchive by callbacks, with positioned reads so
 * the zip reader can use the central directory.
 *
 * Archives inside the archive (a zip of several servers' collection zips,
 * a tar.gz holding a zip), told by their first bytes or their name, are
 * opened from the member as it inflates (libarchive reading through a
 * member source: nothing is extracted or written; a 7-Zip archive, whose
 * index is at its end, from memory up to EXH_ARCHIVE_NESTED_MEM), down to
 * EXH_ARCHIVE_MAX_DEPTH levels; their members are named by the chain
 * ("archive!EXCH01.zip!C/inetpub/...") and go to the server of the
 * chain's prefix as the file's members do. The caps hold for the whole
 * chain (uncompressed bytes at every level, members), each archive inside
 * has the time limit per file, and nothing inside is skipped unread
 * where libarchive would inflate to skip (counted instead), so a nested
 * zip bomb ends at a cap and is reported.
 *
 * Nothing is skipped in silence: members whose names cannot be read,
 * password-protected members, an encrypted Velociraptor collection, an
 * AFF4 image, disk images inside the archive (not opened), archives inside
 * that cannot be opened or lie too deep, members that cannot be read, and
 * the archive-wide caps are all reported on the archive. Member names: libarchive converts
 * them to the current locale and gives none in the C locale, so the
 * header reads run in a thread-local C.UTF-8 locale (uselocale: the
 * process locale is never changed); zip names without the UTF-8 flag are
 * CP437 by the zip specification and are converted to UTF-8. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../core/limits.h"
#include "../../core/source.h"
#include "../../platform/platform.h"
#include "../../core/paths.h"
#include "../../util/util.h"
#include "../../checks/pe.h"
#include "archive.h"

#ifdef EXH_HAVE_ARCHIVE
#include "../../platform/lazy_archive.h"


/* libarchive's message for the last error, without its trailing line end. */
static const char *arc_error(struct archive *a, char *buf, size_t n, const char *dflt) {
  const char *e = archive_error_string(a);
  snprintf(buf, n, "%s", e && e[0] ? e : dflt);
  size_t k = strlen(buf);
  while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r' || buf[k - 1] == ' ')) buf[--k] = 0;
  return buf;
}

/* --- the archive file, fed to libarchive --- */

typedef struct arc_in {
  exh_source *src;
  char *buf;
  uint64_t off;    /* next offset, for sources with positioned reads */
  double deadline; /* an archive inside an archive: when its time is up (0: none) */
  double seconds;
  int timed_out;
} arc_in;

static la_ssize_t arc_read(struct archive *a, void *ud, const void **out) {
  arc_in *in = ud;
  /* everything an archive inside another reads (its headers, its members,
   * what libarchive inflates to skip) comes through here */
  if (in->deadline > 0 && exh__monotonic_s() > in->deadline) {
    in->timed_out = 1;
    char why[96]; /* libarchive's own formatter has no %f */
    snprintf(why, sizeof why, "stopped after %.0f s (time limit per file)", in->seconds);
    archive_set_error(a, ETIMEDOUT, "%s", why);
    return -1;
  }
  long r = in->src->pread ? in->src->pread(in->src, in->buf, EXH_ARCHIVE_READ_BLOCK, in->off)
                          : in->src->read(in->src, in->buf, EXH_ARCHIVE_READ_BLOCK);
  if (r < 0) {
    archive_set_error(a, EIO, "%s", in->src->why[0] ? in->src->why : "read error");
    return -1;
  }
  in->off += (uint64_t)r;
  *out = in->buf;
  return r;
}

static la_int64_t arc_seek(struct archive *a, void *ud, la_int64_t off, int whence) {
  arc_in *in = ud;
  uint64_t size = in->src->size;
  int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)in->off : (int64_t)size;
  if (whence == SEEK_END && size == EXH_SIZE_UNKNOWN) return ARCHIVE_FATAL;
  if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
    archive_set_error(a, EINVAL, "seek outside the archive");
    return ARCHIVE_FATAL;
  }
  in->off = (uint64_t)(base + off);
  return (la_int64_t)in->off;
}

static la_int64_t arc_skip(struct archive *a, void *ud, la_int64_t request) {
  (void)a;
  arc_in *in = ud;
  uint64_t size = in->src->size;
  if (request <= 0) return 0;
  if (size != EXH_SIZE_UNKNOWN && in->off >= size) return 0;
  uint64_t k = (uint64_t)request;
  if (size != EXH_SIZE_UNKNOWN && k > size - in->off) k = size - in->off;
  in->off += k;
  return (la_int64_t)k;
}

/* The number of members a zip's central directory declares (its end
 * record, or the zip64 end record), or 0 when it cannot be told. */
static uint64_t zip_index_entries(exh_source *src) {
  uint64_t size = src->size;
  if (!src->pread || size == EXH_SIZE_UNKNOWN || size < 22) return 0;
  size_t want = size < 65557 + 20 ? (size_t)size : 65557 + 20; /* end record, its comment, the zip64 locator */
  unsigned char *t = exh__xmalloc(want);
  uint64_t entries = 0;
  if (src->pread(src, t, want, size - want) == (long)want) {
    for (size_t i = want - 22 + 1; i-- > 0;) {
      if (memcmp(t + i, "PK\005\006", 4)) continue;
      entries = (uint64_t)t[i + 10] | (uint64_t)t[i + 11] << 8;
      if (entries == 0xFFFF && i >= 20 && !memcmp(t + i - 20, "PK\006\007", 4)) {
        uint64_t at = 0;
        for (int k = 7; k >= 0; k--) at = at << 8 | t[i - 20 + 8 + k];
        unsigned char z[40];
        if (at < size && src->pread(src, z, sizeof z, at) == (long)sizeof z && !memcmp(z, "PK\006\006", 4)) {
          entries = 0;
          for (int k = 7; k >= 0; k--) entries = entries << 8 | z[32 + k];
        }
      }
      break;
    }
  }
  free(t);
  return entries;
}

/* --- an archive and the archives inside it --- */

/* What an archive file and the archives opened inside it share: the limits
 * hold for the whole chain (EXH_ARCHIVE_MAX_DEPTH). */
typedef struct arc_chain {
  uint64_t total, max_total;     /* uncompressed bytes read at every level */
  uint64_t members, max_members; /* headers read at every level */
  int over, over_members;        /* a cap was reached: every level stops */
  unsigned nested;               /* archives inside opened */
  unsigned deep;                 /* archives nested deeper than the limit */
  char first_deep[256];
  locale_t loc;                  /* UTF-8 names (utf8_locale), or (locale_t)0 */
} arc_chain;

/* --- a member, as a source --- */

typedef struct member_source {
  exh_source s;
  struct archive *a;
  uint64_t *total;  /* uncompressed bytes read from this archive's members */
  arc_chain *chain;
  const char *pre;  /* bytes read ahead to tell what the member is */
  size_t npre;
} member_source;

static long member_read(exh_source *s, void *buf, size_t n) {
  member_source *m = (member_source *)s;
  if (s->pos < m->npre) {
    size_t k = m->npre - (size_t)s->pos;
    if (k > n) k = n;
    memcpy(buf, m->pre + s->pos, k);
    s->pos += k;
    return (long)k;
  }
  arc_chain *c = m->chain;
  if (c->total >= c->max_total) {
    c->over = 1;
    snprintf(s->why, sizeof s->why, "stopped: over %llu uncompressed bytes read from this archive",
             (unsigned long long)c->max_total);
    return -1;
  }
  if (n > c->max_total - c->total) n = (size_t)(c->max_total - c->total);
  la_ssize_t r = archive_read_data(m->a, buf, n);
  if (r < 0) {
    arc_error(m->a, s->why, sizeof s->why, "cannot read the member");
    return -1;
  }
  s->pos += (uint64_t)r;
  *m->total += (uint64_t)r;
  c->total += (uint64_t)r;
  return (long)r;
}

static void member_close(exh_source *s) { (void)s; }

static void member_init(member_source *m, struct archive *a, uint64_t *total, arc_chain *chain) {
  memset(m, 0, sizeof *m);
  m->s.read = member_read;
  m->s.close = member_close;
  m->s.size = EXH_SIZE_UNKNOWN; /* a header may lie: only the bytes tell */
  m->a = a;
  m->total = total;
  m->chain = chain;
}

/* --- member names --- */

/* IBM code page 437, 0x80..0xFF: zip names written without the UTF-8 flag
 * (APPNOTE 4.4.4, appendix D). */
static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

static void put_utf8(exh_buf *b, uint32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
  if (c < 0x80) {
    exh_buf_addc(b, (char)c);
  } else if (c < 0x800) {
    exh_buf_addc(b, (char)(0xC0 | c >> 6));
    exh_buf_addc(b, (char)(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    exh_buf_addc(b, (char)(0xE0 | c >> 12));
    exh_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
    exh_buf_addc(b, (char)(0x80 | (c & 0x3F)));
  } else {
    exh_buf_addc(b, (char)(0xF0 | c >> 18));
    exh_buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
    exh_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
    exh_buf_addc(b, (char)(0x80 | (c & 0x3F)));
  }
}

static int valid_utf8(const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n;) {
    size_t k = exh__utf8_len((const unsigned char *)s + i, n - i);
    if (!k) return 0;
    i += k;
  }
  return 1;
}

/* The member's name as UTF-8 (raw bytes when no conversion is known), or
 * NULL when libarchive gives none in any form. */
static char *entry_name(struct archive *a, struct archive_entry *e) {
  const char *p = archive_entry_pathname(e);
  if (!p) p = archive_entry_pathname_utf8(e);
  if (p) {
    if (!valid_utf8(p) && (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP) {
      exh_buf b = {0};
      for (const unsigned char *q = (const unsigned char *)p; *q; q++)
        put_utf8(&b, *q < 0x80 ? *q : cp437_high[*q - 0x80]);
      return b.p ? b.p : exh__xstrdup("");
    }
    return exh__xstrdup(p);
  }
  const wchar_t *w = archive_entry_pathname_w(e);
  if (w) {
    exh_buf b = {0};
    for (; *w; w++) put_utf8(&b, (uint32_t)*w);
    return b.p ? b.p : exh__xstrdup("");
  }
  return NULL;
}

/* --- what a member is --- */

static int ends_i(const char *s, const char *suf) {
  size_t n = strlen(s), k = strlen(suf);
  return n >= k && exh__strnieq(s + n - k, suf, k);
}

/* The name without leading "./" or separators, for top-level tests. */
static const char *top_name(const char *name) {
  while (name[0] == '/' || name[0] == '\\' || (name[0] == '.' && (name[1] == '/' || name[1] == '\\'))) name++;
  return name;
}

static int is_archive_name(const char *name) {
  static const char *const ext[] = {".zip", ".7z", ".rar", ".tar", ".tgz", ".tar.gz", ".tbz2", ".tar.bz2",
                                    ".txz", ".tar.xz", ".tar.zst", ".cab", ".iso"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (ends_i(name, ext[i])) return 1;
  return 0;
}

/* Artefacts triage collectors bring by the thousand that are never
 * archives: a small one of these is not opened to look at its first bytes
 * (each look inflates the member's first block: 10 us a member). */
static int bulk_artefact(const char *name) {
  static const char *const ext[] = {".pf", ".lnk", ".automaticdestinations-ms", ".customdestinations-ms", ".evtx",
                                    ".etl", ".mui", ".manifest", ".mum", ".cat", ".dll", ".exe", ".sys"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
    if (ends_i(name, ext[i])) return 1;
  return 0;
}

/* Velociraptor's secured collections: an outer zip holding metadata.json
 * (the encrypted password and its scheme: X509, PGP or Password) and
 * data.zip, the password-protected collection itself. */
static void velociraptor_meta(const char *buf, size_t n, char *scheme, size_t schemen) {
  const char *k = exh__memimem(buf, n, "\"Scheme\"", 8);
  if (!k) return;
  const char *end = buf + n;
  const char *q = memchr(k + 8, '"', (size_t)(end - (k + 8)));
  if (!q) return;
  const char *qe = memchr(q + 1, '"', (size_t)(end - (q + 1)));
  if (!qe || qe - q - 1 > 24) return;
  snprintf(scheme, schemen, "%.*s", (int)(qe - q - 1), q + 1);
  for (char *c = scheme; *c; c++)
    if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7F) *c = '?';
}

/* A UTF-8 character type for libarchive's name conversions, made per
 * archive and used by this thread only (uselocale), so the process locale
 * and the other workers are never touched. (locale_t)0 when the system has
 * no UTF-8 locale: names are then whatever libarchive gives, and members it
 * cannot name are counted and reported. */
static locale_t utf8_locale(void) {
  locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  if (!loc) loc = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
  if (!loc) loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
  return loc;
}

/* A reader over src (in: its read buffer, to free after archive_read_free),
 * opened under loc (the UTF-8 names locale, or (locale_t)0); *rc is
 * archive_read_open1's. */
static struct archive *open_reader(exh_source *src, arc_in *in, locale_t loc, int *rc) {
  locale_t prev = (locale_t)0;
  if (loc) prev = uselocale(loc);
  struct archive *a = archive_read_new();
  archive_read_support_format_all(a);
  archive_read_support_filter_all(a);
  in->src = src;
  in->buf = exh__xmalloc(EXH_ARCHIVE_READ_BLOCK);
  archive_read_set_callback_data(a, in);
  archive_read_set_read_callback(a, arc_read);
  /* positioned reads let the zip reader use the central directory, which
   * it holds whole in memory (about 170 bytes a member): a directory of
   * more members than EXH_ARCHIVE_MAX_INDEX is read in order instead, by
   * the local headers, in bounded memory */
  uint64_t index = zip_index_entries(src);
  if (src->pread && index <= EXH_ARCHIVE_MAX_INDEX) {
    archive_read_set_seek_callback(a, arc_seek);
    archive_read_set_skip_callback(a, arc_skip);
  }
  *rc = archive_read_open1(a);
  if (loc) uselocale(prev);
  return a;
}

/* One archive being read: the file's (depth 0) or one inside it. */
typedef struct arc_state {
  exh_worker *wk;
  exh_evidence *ev;     /* the archive file's: every level's findings, notes and errors go there */
  exh_evidence *head;   /* where this archive's own reasons go (first, for the file's) */
  arc_chain *chain;
  struct archive *a;
  int depth;            /* 0: the archive file; 1: an archive inside it; ... */
  const char *prefix;   /* "" for the file, "EXCH01.zip!" inside it: joined to member names */
  const char *where;    /* "" for the file, "EXCH01.zip: " inside it: before its own reasons */
  char *scratch;        /* inside: what is drained from members (EXH_ARCHIVE_READ_BLOCK) */
  uint64_t total;       /* uncompressed bytes read from this archive's members */
  unsigned encrypted, unnamed;
  char first_encrypted[128];
  int velo_data_encrypted, velo_meta, aff4;
  char velo_scheme[32];
  int failed;           /* damaged or stopped before its end */
} arc_state;

static void merge_member(arc_state *st, exh_evidence *m, const char *name) {
  exh_evidence *ev = st->ev;
  exh_kind k = m->kind;
  exh__evidence_member_note(ev, m, name);
  for (size_t i = 0; i < m->nfindings; i++) {
    EXH_VEC_RESERVE(ev->findings, ev->capfindings, ev->nfindings + 1);
    ev->findings[ev->nfindings++] = m->findings[i];
  }
  ev->records += m->records;
  /* the archive's log window and the build its logs name (the latest) */
  if (k >= EXH_KIND_HTTPPROXY && k <= EXH_KIND_LOG_LAST && !m->skipped) {
    if (m->first_ms != EXH_TIME_UNKNOWN && (ev->first_ms == EXH_TIME_UNKNOWN || m->first_ms < ev->first_ms))
      ev->first_ms = m->first_ms;
    if (m->last_ms != EXH_TIME_UNKNOWN && (ev->last_ms == EXH_TIME_UNKNOWN || m->last_ms > ev->last_ms))
      ev->last_ms = m->last_ms;
    if (m->version[0] && m->last_ms != EXH_TIME_UNKNOWN && (!ev->version[0] || m->last_ms > ev->version_ms)) {
      memcpy(ev->version, m->version, sizeof ev->version);
      ev->version_ms = m->last_ms;
    }
    ev->log_members++;
  }
  /* the channels of the events read (coverage) */
  for (size_t i = 0; i < m->nchannels; i++) {
    const struct exh_ev_channel *mc = &m->channels[i];
    struct exh_ev_channel *c = NULL;
    for (size_t j = 0; j < ev->nchannels && !c; j++)
      if (!strcmp(ev->channels[j].name, mc->name) && ev->channels[j].server == m->server) c = &ev->channels[j];
    if (!c && ev->nchannels < EXH_EV_CHANNELS) {
      c = &ev->channels[ev->nchannels++];
      memcpy(c->name, mc->name, sizeof c->name);
      c->server = m->server;
      c->records = 0;
      c->first_ms = c->last_ms = EXH_TIME_UNKNOWN;
    }
    if (!c) {
      ev->channels_more += mc->records;
      continue;
    }
    c->records += mc->records;
    if (mc->first_ms != EXH_TIME_UNKNOWN && (c->first_ms == EXH_TIME_UNKNOWN || mc->first_ms < c->first_ms))
      c->first_ms = mc->first_ms;
    if (mc->last_ms != EXH_TIME_UNKNOWN && (c->last_ms == EXH_TIME_UNKNOWN || mc->last_ms > c->last_ms))
      c->last_ms = mc->last_ms;
  }
  ev->channels_more += m->channels_more;
  ev->suppressed += m->suppressed;
  if (m->error) exh__evidence_error(ev, "%s: %s", name, m->error);
}

/* A member's server: the archive's, or with several collections inside,
 * the one of the longest prefix of its name (walk/walk.c). */
static size_t member_server(const exh_evidence *ev, const char *name) {
  size_t server = ev->server, best = 0;
  for (size_t i = 0; i < ev->nsplits; i++) {
    size_t pn = strlen(ev->splits[i].prefix);
    if (pn > best && !strncmp(name, ev->splits[i].prefix, pn)) best = pn, server = ev->splits[i].server;
  }
  return server;
}

static void scan_nested(arc_state *st, const char *name, member_source *ms, exh_archive_fmt f, la_int64_t declared);

/* Scans one regular member: `in` is its name in its archive, `name` the
 * chain from the archive file ("EXCH01.zip!C/inetpub/..." inside an archive
 * inside it; the same as `in` at the top). */
static void scan_member(arc_state *st, struct archive_entry *e, const char *in, const char *name) {
  exh_worker *wk = st->wk;
  exh_evidence *ev = st->ev;
  const char *top = top_name(in);
  if (archive_entry_is_data_encrypted(e) == 1) {
    if (!st->encrypted++) snprintf(st->first_encrypted, sizeof st->first_encrypted, "%s", name);
    if (exh__strieq((exh_str){top, strlen(top)}, "data.zip")) st->velo_data_encrypted = 1;
    return;
  }
  if (exh__strieq((exh_str){top, strlen(top)}, "information.turtle") ||
      exh__strieq((exh_str){top, strlen(top)}, "container.description")) {
    st->aff4 = 1;
    return;
  }
  member_source ms;
  member_init(&ms, st->a, &st->total, st->chain);
  la_int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
  char sub[64];
  char head[EXH_SNIFF_BYTES];
  size_t nhead = 0;
  if (exh__strieq((exh_str){top, strlen(top)}, "metadata.json")) {
    /* a secured Velociraptor collection names its scheme here; any other
     * metadata.json is read on as what its path makes it */
    long got = exh__source_read_full(&ms.s, head, sizeof head);
    if (got < 0) {
      exh__evidence_error(ev, "%s: %s", name, ms.s.why);
      return;
    }
    if (exh__memimem(head, (size_t)got, "EncryptedPass", 13)) {
      st->velo_meta = 1;
      velociraptor_meta(head, (size_t)got, st->velo_scheme, sizeof st->velo_scheme);
      return;
    }
    member_init(&ms, st->a, &st->total, st->chain);
    ms.pre = head;
    ms.npre = (size_t)got;
  }
  exh_kind k = wk->dispatch->by_path(in, sub, sizeof sub);
  if (k == EXH_KIND_NONE && exh__path_is_exsetup(in) && ev->nexsetups < sizeof ev->exsetups / sizeof ev->exsetups[0]) {
    /* the installed build, as Bin/ExSetup.exe in a folder gives it (checks/build.c) */
    size_t server = member_server(ev, name);
    int have = 0;
    for (size_t i = 0; i < ev->nexsetups; i++) have |= ev->exsetups[i].server == server;
    char *buf = NULL;
    size_t n = 0;
    if (!have && exh__source_slurp(&ms.s, EXH_EXSETUP_MAX, &buf, &n) >= 0) {
      uint16_t v[4];
      const char *why;
      if (exh__pe_file_version((const uint8_t *)buf, n, v, &why) == 0 && v[0] >= 14 && v[0] <= 15) {
        struct exh_exsetup *x = &ev->exsetups[ev->nexsetups++];
        x->server = server;
        snprintf(x->build, sizeof x->build, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
        x->path = exh__xasprintf("%s!%s", ev->path, name);
      }
    }
    free(buf);
    return;
  }
  if (k == EXH_KIND_NONE) {
    /* a file in a web or staging folder is content first (a miner's
     * config.json there is not an event export) */
    exh_area ar = exh__path_area(in);
    const char *label = exh__container_label(in, NULL, 0, 0);
    if (label) {
      exh__evidence_error(ev, "%s: %s inside the archive: not opened", name, label);
      if (ar == EXH_AREA_NONE) return; /* in a checked folder it still gets the content checks */
    }
    if (ar != EXH_AREA_NONE) {
      k = EXH_KIND_CONTENT;
      snprintf(sub, sizeof sub, "%s", exh__area_name(ar));
    } else if (ends_i(in, ".json") || ends_i(in, ".jsonl") || ends_i(in, ".ndjson")) {
      k = EXH_KIND_JSONEV;
    } else {
      /* anything else: its first bytes tell an archive (opened, whatever
       * its name says), and for a large member a memory dump (looked at by
       * its header) or a disk image (named as not opened) */
      int large = declared < 0 || declared >= (1 << 20);
      int named = is_archive_name(in);
      int deep = st->depth >= EXH_ARCHIVE_MAX_DEPTH; /* an archive here is not opened */
      int log = ends_i(in, ".log"); /* a log where no known path leads: its directives tell (as in the walk) */
      if (named && deep) {
        scan_nested(st, name, &ms, EXH_ARC_NONE, declared); /* named as too deep, not read */
        return;
      }
      int all = wk->lim->all_files; /* --all-files: every member is content too */
      if (!large && !named && !log && !all && (deep || bulk_artefact(in))) return;
      long got = exh__source_read_full(&ms.s, head, large || log ? sizeof head : EXH_ARCHIVE_SNIFF_SMALL);
      if (got < 0) {
        if (large || named || log) exh__evidence_error(ev, "%s: %s", name, ms.s.why); /* else it would not have been read */
        return;
      }
      nhead = (size_t)got;
      exh_archive_fmt f = exh__archive_sniff(in, (const unsigned char *)head, nhead);
      if (!deep && (named || (f != EXH_ARC_NONE && f != EXH_ARC_COMPRESSED))) {
        member_init(&ms, st->a, &st->total, st->chain); /* the bytes read go first */
        ms.pre = head;
        ms.npre = nhead;
        scan_nested(st, name, &ms, f, declared);
        return;
      }
      if (log && (k = wk->dispatch->by_head((const unsigned char *)head, nhead)) != EXH_KIND_NONE) {
        sub[0] = 0;
        member_init(&ms, st->a, &st->total, st->chain);
        ms.pre = head;
        ms.npre = nhead;
      } else if ((!large || got == 0) && !all) {
        return;
      } else if (large && got > 0 && f != EXH_ARC_NONE && f != EXH_ARC_COMPRESSED) {
        scan_nested(st, name, &ms, f, declared); /* large, at the depth limit: named as too deep */
        return;
      } else {
        label = large && got > 0 ? exh__container_label(in, (const unsigned char *)head, nhead,
                                                        declared < 0 ? nhead : (uint64_t)declared)
                                 : NULL;
        if (label) {
          exh__evidence_error(ev, "%s: %s inside the archive: not opened", name, label);
          return;
        }
        if (!all && (nhead < 4 || memcmp(head, "MDMP", 4))) return;
        k = EXH_KIND_CONTENT;
        snprintf(sub, sizeof sub, "%s", exh__area_name(EXH_AREA_ALL));
        /* the bytes read go first */
        member_init(&ms, st->a, &st->total, st->chain);
        ms.pre = head;
        ms.npre = nhead;
      }
    }
  }
  if (k == EXH_KIND_ARCHIVE) return; /* not a path kind */
  exh_evidence m;
  memset(&m, 0, sizeof m);
  m.path = exh__xasprintf("%s!%s", ev->path, name);
  m.rel = exh__xstrdup(in);
  m.server = member_server(ev, name);
  m.kind = k;
  memcpy(m.sub, sub, sizeof sub);
  m.size = declared >= 0 ? (uint64_t)declared : 0;
  m.mtime_ms = (int64_t)archive_entry_mtime(e) * 1000;
  m.first_ms = m.last_ms = EXH_TIME_UNKNOWN;
  wk->dispatch->scan(wk, &m, &ms.s); /* the member's own format */
  if (!ev->host[0] && m.host[0]) memcpy(ev->host, m.host, sizeof ev->host); /* the collection's host */
  merge_member(st, &m, name);
  free(m.findings);
  free(m.error);
  free(m.path);
  free(m.rel);
}

/* The reasons that concern one archive as a whole (the file's, or one
 * inside it: then prefixed with its chain), into st->head. */
static void archive_reasons(arc_state *st) {
  if (st->velo_meta || st->velo_data_encrypted) {
    exh__evidence_error(st->head, "%sencrypted Velociraptor collection (%s%s%s): not opened; decrypt data.zip (velociraptor "
                           "unzip, or the collection password) and scan it",
                       st->where, st->velo_scheme[0] ? "scheme " : "", st->velo_scheme[0] ? st->velo_scheme : "password-protected",
                       st->velo_data_encrypted ? ", data.zip password-protected" : "");
    if (st->velo_data_encrypted) st->encrypted--;
  }
  if (st->aff4) exh__evidence_error(st->head, "%sAFF4 image: not opened (exhunt reads no file systems inside images)", st->where);
  if (st->encrypted)
    exh__evidence_error(st->head, "%s%u password-protected member%s not read (the first: %s)", st->where, st->encrypted,
                       st->encrypted == 1 ? "" : "s", st->first_encrypted);
  if (st->unnamed)
    exh__evidence_error(st->head, "%s%u member%s whose name cannot be read: not read", st->where, st->unnamed,
                       st->unnamed == 1 ? "" : "s");
}

/* Opens the archive in src and reads its members (st: its level, its
 * chain). -1 with the reason in why when it cannot be opened. `seconds`:
 * its time limit (0: none, the archive file's). */
static int read_archive(arc_state *st, exh_source *src, double seconds, char *why, size_t whyn) {
  arc_chain *ch = st->chain;
  arc_in in;
  memset(&in, 0, sizeof in);
  if (seconds > 0) {
    in.seconds = seconds;
    in.deadline = exh__monotonic_s() + seconds;
  }
  int rc;
  struct archive *a = open_reader(src, &in, ch->loc, &rc);
  if (rc != ARCHIVE_OK) {
    arc_error(a, why, whyn, in.timed_out ? "stopped (time limit per file)" : "unknown format");
    archive_read_free(a);
    free(in.buf);
    return -1;
  }
  st->a = a;
  locale_t prev = (locale_t)0;
  while (!ch->over && !ch->over_members) {
    struct archive_entry *e;
    if (ch->loc) prev = uselocale(ch->loc);
    rc = archive_read_next_header(a, &e);
    char *name = rc == ARCHIVE_OK || rc == ARCHIVE_WARN ? entry_name(a, e) : NULL;
    if (ch->loc) uselocale(prev);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      free(name);
      if (ch->over || ch->over_members) break; /* a cap, reported by the archive file */
      st->failed = 1;
      char err[256];
      if (in.timed_out)
        exh__evidence_error(st->head, "%sstopped after %.0f s (time limit per file); members after it not read",
                           st->where, in.seconds);
      else
        exh__evidence_error(st->head, "%sarchive damaged or unreadable after %llu uncompressed bytes: %s; members after "
                               "it not read",
                           st->where, (unsigned long long)st->total, arc_error(a, err, sizeof err, st->depth ? "not a readable archive" : "?"));
      break;
    }
    if (++ch->members > ch->max_members) {
      ch->over_members = 1;
      free(name);
      break;
    }
    if (archive_entry_filetype(e) != AE_IFREG) {
      free(name);
      continue;
    }
    if (!name) {
      st->unnamed++;
      continue;
    }
    char *chain = st->depth ? exh__xasprintf("%s%s", st->prefix, name) : NULL;
    int sized = archive_entry_size_is_set(e);
    scan_member(st, e, name, chain ? chain : name);
    free(chain);
    free(name);
    /* inside an archive nothing is skipped unread: what libarchive inflates
     * to find a member's end (a zip member whose sizes follow its data, a
     * compressed tar or 7-Zip block) would escape the byte count, so the
     * rest of a member is read here, counted, except a zip member whose
     * compressed size is known (skipped over its compressed bytes, counted
     * as the outer member inflates) */
    if (st->depth && !ch->over &&
        !(sized && (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP) &&
        archive_entry_is_data_encrypted(e) != 1) {
      member_source ms;
      member_init(&ms, a, &st->total, ch);
      while (member_read(&ms.s, st->scratch, EXH_ARCHIVE_READ_BLOCK) > 0) {
      }
    }
  }
  if (st->depth == 0 && ch->over)
    exh__evidence_error(st->head, "stopped: over %llu uncompressed bytes read from this archive%s; members after it not "
                                  "read",
                        (unsigned long long)ch->max_total, ch->nested ? " and the archives inside it" : "");
  if (st->depth == 0 && ch->over_members)
    exh__evidence_error(st->head, "stopped: over %llu members read from this archive%s; members after it not read",
                        (unsigned long long)ch->max_members, ch->nested ? " and the archives inside it" : "");
  archive_reasons(st);
  archive_read_free(a);
  free(in.buf);
  return 0;
}

/* An archive inside the archive: read from the member as it inflates (a
 * 7-Zip archive from memory), its members named by the chain and sent to
 * their servers as the file's are; deeper than EXH_ARCHIVE_MAX_DEPTH,
 * named as not opened. Each is noted as an archive of its server
 * (coverage: opened, or not). */
static void scan_nested(arc_state *st, const char *name, member_source *ms, exh_archive_fmt f, la_int64_t declared) {
  arc_chain *ch = st->chain;
  exh_evidence *ev = st->ev;
  exh_evidence note;
  memset(&note, 0, sizeof note);
  note.kind = EXH_KIND_ARCHIVE;
  char *prefix = exh__xasprintf("%s!", name);
  note.server = member_server(ev, prefix); /* its members' server (a server's collection zipped inside) */
  note.size = declared >= 0 ? (uint64_t)declared : 0;
  note.first_ms = note.last_ms = EXH_TIME_UNKNOWN;
  char failed[] = "not opened";
  if (st->depth >= EXH_ARCHIVE_MAX_DEPTH) {
    if (!ch->deep++) snprintf(ch->first_deep, sizeof ch->first_deep, "%s", name);
    note.error = failed;
    exh__evidence_member_note(ev, &note, name);
    free(prefix);
    return;
  }
  exh_source *src = &ms->s;
  char *mem = NULL;
  if (f == EXH_ARC_7Z) {
    size_t n = 0;
    int r = exh__source_slurp(&ms->s, EXH_ARCHIVE_NESTED_MEM, &mem, &n);
    if (r != 0) {
      if (r < 0) exh__evidence_error(ev, "%s: %s", name, ms->s.why);
      else
        exh__evidence_error(ev, "%s: 7-Zip archive of over %u MiB inside the archive: not opened (its index is at its "
                                "end: extract it and scan it)",
                            name, (unsigned)(EXH_ARCHIVE_NESTED_MEM >> 20));
      free(mem);
      note.error = failed;
      exh__evidence_member_note(ev, &note, name);
      free(prefix);
      return;
    }
    src = exh__source_mem(mem, n);
  }
  arc_state in;
  memset(&in, 0, sizeof in);
  in.wk = st->wk;
  in.ev = ev;
  in.head = ev;
  in.chain = ch;
  in.depth = st->depth + 1;
  char *where = exh__xasprintf("%s: ", name);
  in.prefix = prefix;
  in.where = where;
  in.scratch = exh__xmalloc(EXH_ARCHIVE_READ_BLOCK);
  ch->nested++;
  char why[256];
  if (read_archive(&in, src, st->wk->lim->max_file_seconds, why, sizeof why) != 0) {
    if (!ch->over) exh__evidence_error(ev, "%s: cannot open the archive inside the archive: %s", name, why);
    in.failed = 1;
  }
  if (in.failed || in.encrypted || in.velo_meta || in.aff4) note.error = failed;
  exh__evidence_member_note(ev, &note, name);
  if (mem) exh__source_close(src);
  free(mem);
  free(in.scratch);
  free(prefix);
  free(where);
}

static void scan_archive(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  ev->first_ms = ev->last_ms = EXH_TIME_UNKNOWN;
  arc_chain ch;
  memset(&ch, 0, sizeof ch);
  ch.max_total = wk->lim->max_archive_bytes ? wk->lim->max_archive_bytes : EXH_ARCHIVE_TOTAL_MAX;
  ch.max_members = wk->lim->max_archive_members ? wk->lim->max_archive_members : EXH_ARCHIVE_MAX_MEMBERS;
  ch.loc = utf8_locale();
  /* what stopped the reading or was not opened comes first in the
   * archive's error, before the members' own (the text is bounded) */
  exh_evidence head;
  memset(&head, 0, sizeof head);
  arc_state st;
  memset(&st, 0, sizeof st);
  st.wk = wk;
  st.ev = ev;
  st.head = &head;
  st.chain = &ch;
  st.prefix = st.where = "";
  char why[256];
  if (read_archive(&st, src, 0, why, sizeof why) != 0) {
    exh__evidence_error(ev, "cannot open the archive: %s", why);
  } else {
    if (ch.deep)
      exh__evidence_error(&head, "%u archive%s nested deeper than %d levels: not opened (the first: %s)", ch.deep,
                          ch.deep == 1 ? "" : "s", EXH_ARCHIVE_MAX_DEPTH, ch.first_deep);
    if (head.error) {
      char *all = ev->error ? exh__xasprintf("%s; %s", head.error, ev->error) : exh__xstrdup(head.error);
      if (strlen(all) > EXH_ARCHIVE_ERROR_MAX) strcpy(all + EXH_ARCHIVE_ERROR_MAX - 3, "...");
      free(ev->error);
      free(head.error);
      ev->error = all;
    }
  }
  if (ch.loc) freelocale(ch.loc);
}
#endif

#ifdef EXH_HAVE_ARCHIVE
/* The names of an archive's regular members, headers only (the walk looks
 * for several servers' collections in one zip); at most `max`. */
static void list_names(exh_source *src, void (*fn)(void *ctx, const char *name), void *ctx, size_t max) {
  locale_t loc = utf8_locale(), prev = (locale_t)0;
  arc_in in;
  memset(&in, 0, sizeof in);
  int rc;
  struct archive *a = open_reader(src, &in, loc, &rc);
  for (size_t k = 0; rc == ARCHIVE_OK && k < max; k++) {
    struct archive_entry *e;
    if (loc) prev = uselocale(loc);
    int r = archive_read_next_header(a, &e);
    char *name = r == ARCHIVE_OK || r == ARCHIVE_WARN ? entry_name(a, e) : NULL;
    if (loc) uselocale(prev);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      free(name);
      break;
    }
    if (name && archive_entry_filetype(e) == AE_IFREG) fn(ctx, name);
    free(name);
  }
  archive_read_free(a);
  free(in.buf);
  if (loc) freelocale(loc);
}
#endif

void exh__archive_names(const char *path, const exh_stat *st, void (*fn)(void *ctx, const char *name), void *ctx,
                        size_t max) {
#ifndef EXH_HAVE_ARCHIVE
  (void)path, (void)st, (void)fn, (void)ctx, (void)max;
#else
  char why[256];
  if (exh__lib_load(EXH_LIB_ARCHIVE, NULL, 0)) return; /* as without libarchive: no names */
  exh_source *src = exh__source_file(path, st, why, sizeof why);
  if (!src) return;
  list_names(src, fn, ctx, max);
  exh__source_close(src);
#endif
}

void exh__scan_archive_source(exh_worker *wk, exh_evidence *ev, exh_source *src) {
#ifndef EXH_HAVE_ARCHIVE
  (void)wk, (void)src;
  exh__evidence_error(ev, "archives need libarchive, which this build does not have: not opened");
#else
  char why[320];
  if (exh__lib_load(EXH_LIB_ARCHIVE, why, sizeof why)) {
    exh__evidence_error(ev, "%s: not opened", why); /* as a build without it */
    return;
  }
  scan_archive(wk, ev, src);
#endif
}

void exh__scan_archive(exh_worker *wk, exh_evidence *ev) {
  exh_source *src = exh__evidence_open(ev);
  if (!src) return;
  exh__scan_archive_source(wk, ev, src);
  exh__source_close(src);
}

const exh_format exh__format_archive = {
    "archive", {EXH_KIND_ARCHIVE, EXH_KIND_NONE}, NULL, NULL, exh__scan_archive_source, exh__scan_archive, NULL,
    NULL, 0, 0, NULL,
};
