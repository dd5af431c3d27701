/* Path-based classification of evidence files.
 *
 * Paths are matched component by component, case-insensitively, with '/'
 * and '\' both taken as separators, so a live drive, a triage collection
 * (C/Program Files/...), a Velociraptor upload (C%3A/...) and a zip entry
 * written on Windows all classify the same way. */
#include "classify.h"

#include <stdio.h>
#include <string.h>

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
    {EXH_KIND_EXLOG_OTHER, "exchange_log", "exchange.log"},
    {EXH_KIND_IIS, "iis", "iis.access"},
    {EXH_KIND_HTTPERR, "httperr", "iis.httperr"},
    {EXH_KIND_EVTX, NULL, "windows.evtx"},
    {EXH_KIND_JSONEV, NULL, "windows.events_json"},
    {EXH_KIND_ARCHIVE, NULL, "exhunt.archive"},
    {EXH_KIND_LSASS_DUMP, NULL, "exhunt.file"},
    {EXH_KIND_STAGING_ARCHIVE, NULL, "exhunt.file"},
    {EXH_KIND_CONTENT, NULL, "exhunt.file"},
};

const char *exh_kind_service(exh_kind k) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].kind == k) return kinds[i].service;
  return NULL;
}

const char *exh_kind_dataset(exh_kind k) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].kind == k) return kinds[i].dataset;
  return "exhunt";
}

exh_kind exh_kind_from_service(const char *service) {
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].service && exh_strieq((exh_str){service, strlen(service)}, kinds[i].service))
      return kinds[i].kind;
  return EXH_KIND_NONE;
}

#define MAXC 64

typedef struct comps {
  exh_str c[MAXC];
  size_t n;
} comps;

static void split(const char *rel, comps *cs) {
  cs->n = 0;
  const char *p = rel;
  while (*p) {
    while (*p == '/' || *p == '\\') p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != '/' && *p != '\\') p++;
    if (cs->n == MAXC) { /* keep the last MAXC components */
      memmove(cs->c, cs->c + 1, (MAXC - 1) * sizeof cs->c[0]);
      cs->n--;
    }
    cs->c[cs->n++] = (exh_str){s, (size_t)(p - s)};
  }
}

static int ieq(exh_str s, const char *lit) { return exh_strieq(s, lit); }

static int ends_with_i(exh_str s, const char *suf) {
  size_t n = strlen(suf);
  return s.n >= n && exh_strnieq(s.p + s.n - n, suf, n);
}

/* A drive component: "C", "C:", "C$", "C%3A" (Velociraptor). */
static int is_drive(exh_str s) {
  if (s.n < 1 || !((s.p[0] | 32) >= 'a' && (s.p[0] | 32) <= 'z')) return 0;
  if (s.n == 1) return 1;
  if (s.n == 2) return s.p[1] == ':' || s.p[1] == '$';
  return s.n == 4 && s.p[1] == '%' && s.p[2] == '3' && (s.p[3] | 32) == 'a';
}

static int is_top_folder(exh_str s) {
  static const char *const top[] = {"windows", "programdata", "root", "program files",
                                    "program files (x86)", "inetpub", "users"};
  for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
    if (ieq(s, top[i])) return 1;
  return 0;
}

/* Index of the first component of the system drive: a well-known top
 * folder, or the component after a drive among the first four; else 0
 * (the root is the drive). */
static size_t drive_start(const comps *cs) {
  for (size_t i = 0; i < cs->n && i < 4; i++) {
    if (is_top_folder(cs->c[i])) return i;
    if (is_drive(cs->c[i]) && i + 1 < cs->n) return i + 1;
  }
  return 0;
}

/* Test-ProxyLogon's `lsass.*dmp` (a regex, unanchored, case-insensitive). */
static int lsass_dump_name(exh_str s) {
  const char *l = exh_memimem(s.p, s.n, "lsass", 5);
  if (!l) return 0;
  size_t rest = s.n - (size_t)(l - s.p) - 5;
  return exh_memimem(l + 5, rest, "dmp", 3) != NULL;
}

int exh_kind_is_w3c(exh_kind k) { return k == EXH_KIND_IIS || k == EXH_KIND_HTTPERR; }

static int is_w3svc(exh_str s) {
  if (s.n < 6 || !exh_strnieq(s.p, "w3svc", 5)) return 0;
  for (size_t i = 5; i < s.n; i++)
    if (s.p[i] < '0' || s.p[i] > '9') return 0;
  return 1;
}

/* A bare CSV header line as Exchange writes it on line 1 of its logs
 * ("DateTime,RequestId,..."): names of letters, digits and - _ . ( )
 * separated by commas. Not a JSON event, not a sentence. */
static int bare_csv_header(exh_str l) {
  if (l.n < 3 || !((l.p[0] | 32) >= 'a' && (l.p[0] | 32) <= 'z')) return 0;
  size_t commas = 0;
  for (size_t i = 0; i < l.n; i++) {
    unsigned char c = (unsigned char)l.p[i];
    if (c == ',') commas++;
    else if (!((c | 32) >= 'a' && (c | 32) <= 'z') && !(c >= '0' && c <= '9') && !strchr("-_.() ", c)) return 0;
  }
  return commas > 0;
}

/* W3C logs (IIS, HTTPERR) start with their directives; Exchange logs with
 * their directives too, after an optional bare CSV header line. The
 * "#Software:" line counts only inside that leading block of "#" lines, so
 * a file that merely quotes one (a JSON event, a note) is not a log. */
exh_kind exh_classify_content(const char *buf, size_t n) {
  if (n >= 8 && !memcmp(buf, "ElfFile", 8)) return EXH_KIND_EVTX;
  size_t pos = 0;
  if (n >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF)
    pos = 3;
  exh_str sw = {NULL, 0}, lt = {NULL, 0};
  int bare = 0;
  for (size_t lineno = 1; pos < n; lineno++) {
    const char *e = memchr(buf + pos, '\n', n - pos);
    exh_str l = {buf + pos, (e ? (size_t)(e - buf) : n) - pos};
    if (l.n && l.p[l.n - 1] == '\r') l.n--;
    if (l.n && l.p[0] == '#') {
      if (!sw.p && exh_str_istarts(l, "#Software:")) sw = l;
      else if (!lt.p && exh_str_istarts(l, "#Log-type:")) lt = l;
    } else if (lineno == 1 && bare_csv_header(l)) {
      bare = 1;
    } else {
      break; /* the first record, or not a log at all */
    }
    if (!e) break;
    pos = (size_t)(e - buf) + 1;
  }
  if (!sw.p) return EXH_KIND_NONE;
  /* IIS and HTTP.sys write no bare header line */
  if (!bare && exh_memimem(sw.p, sw.n, "Internet Information Services", 29)) return EXH_KIND_IIS;
  if (!bare && exh_memimem(sw.p, sw.n, "Microsoft HTTP API", 18)) return EXH_KIND_HTTPERR;
  if (!exh_memimem(sw.p, sw.n, "Microsoft Exchange", 18)) return EXH_KIND_NONE;
  if (lt.p) {
    if (exh_memimem(lt.p, lt.n, "HttpProxy", 9)) return EXH_KIND_HTTPPROXY;
    if (exh_memimem(lt.p, lt.n, "ECP Server", 10)) return EXH_KIND_ECP_SERVER;
    if (exh_memimem(lt.p, lt.n, "ECP Activity", 12)) return EXH_KIND_ECP_ACTIVITY;
    if (exh_memimem(lt.p, lt.n, "OAB", 3)) return EXH_KIND_OABGEN;
  }
  return EXH_KIND_EXLOG_OTHER;
}

exh_kind exh_classify_path(const char *rel, char *sub, size_t subn) {
  comps cs;
  split(rel, &cs);
  if (subn) sub[0] = 0;
  if (cs.n == 0) return EXH_KIND_NONE;
  exh_str name = cs.c[cs.n - 1];
  if (ends_with_i(name, ".evtx")) return EXH_KIND_EVTX;
  /* IIS: .../W3SVC<n>/NAME.log and .../HTTPERR/NAME.log */
  if (cs.n >= 2 && ends_with_i(name, ".log")) {
    exh_str dir = cs.c[cs.n - 2];
    if (is_w3svc(dir)) {
      if (subn) snprintf(sub, subn, "%.*s", (int)dir.n, dir.p);
      return EXH_KIND_IIS;
    }
    if (ieq(dir, "httperr")) return EXH_KIND_HTTPERR;
  }
  /* Exchange logs: a "Logging" component anywhere. */
  for (size_t i = 0; i + 1 < cs.n; i++) {
    if (!ieq(cs.c[i], "logging")) continue;
    exh_str a = cs.c[i + 1];
    size_t left = cs.n - (i + 1); /* components after "Logging" */
    if (ieq(a, "oabgeneratorlog") && left >= 2) return EXH_KIND_OABGEN;
    if (!ends_with_i(name, ".log")) continue;
    if (ieq(a, "httpproxy") && left >= 2) {
      /* Test-ProxyLogon reads every .log below HttpProxy, folder or not */
      exh_str proto = left >= 3 ? cs.c[i + 2] : (exh_str){"", 0};
      if (subn) snprintf(sub, subn, "%.*s", (int)proto.n, proto.p);
      return EXH_KIND_HTTPPROXY;
    }
    if (ieq(a, "ecp") && left >= 3) {
      if (ieq(cs.c[i + 2], "server")) return EXH_KIND_ECP_SERVER;
      if (ieq(cs.c[i + 2], "activity")) return EXH_KIND_ECP_ACTIVITY;
    }
    return EXH_KIND_EXLOG_OTHER;
  }
  /* Supporting files (Test-ProxyLogon's "other suspicious files"). */
  size_t d = drive_start(&cs);
  if (cs.n - d >= 2) {
    exh_str c0 = cs.c[d];
    if (ieq(c0, "programdata") &&
        (ends_with_i(name, ".7z") || ends_with_i(name, ".zip") || ends_with_i(name, ".rar")))
      return EXH_KIND_STAGING_ARCHIVE;
    if (lsass_dump_name(name)) {
      if (ieq(c0, "root")) return EXH_KIND_LSASS_DUMP;
      if (cs.n - d >= 3 && ieq(c0, "windows") && ieq(cs.c[d + 1], "temp")) return EXH_KIND_LSASS_DUMP;
    }
  }
  return EXH_KIND_NONE;
}

/* Where files worth a content check live (docs/files.md has the list and
 * the reasons). Web folders: what IIS or Exchange serves, where every
 * documented Exchange web shell was dropped. Staging folders: where the
 * campaigns left dumps, archives, tools and ransomware. */
exh_area exh_classify_area(const char *rel) {
  comps cs;
  split(rel, &cs);
  if (cs.n == 0) return EXH_AREA_NONE;
  for (size_t i = 0; i + 1 < cs.n; i++) {
    exh_str c = cs.c[i];
    if (ieq(c, "inetpub") && ieq(cs.c[i + 1], "wwwroot")) return EXH_AREA_WEB;
    if (ieq(c, "frontend") && ieq(cs.c[i + 1], "httpproxy")) return EXH_AREA_WEB;
    if (ieq(c, "clientaccess") && i > 0) return EXH_AREA_WEB;
    if (ieq(c, "temporary asp.net files")) return EXH_AREA_WEB;
  }
  size_t d = drive_start(&cs);
  if (cs.n - d < 2) return EXH_AREA_NONE;
  exh_str c0 = cs.c[d];
  size_t below = cs.n - d - 1; /* components below the top folder, the file included */
  if (ieq(c0, "windows") && ieq(cs.c[d + 1], "temp") && below >= 2) return EXH_AREA_STAGING;
  if (ieq(c0, "root") || ieq(c0, "perflogs")) return EXH_AREA_STAGING;
  if (ieq(c0, "programdata") && below <= 2) return EXH_AREA_STAGING;
  if (ieq(c0, "users") && below >= 2) {
    if (ieq(cs.c[d + 1], "public")) return EXH_AREA_STAGING;
    for (size_t i = d + 2; i + 2 < cs.n; i++)
      if (ieq(cs.c[i], "appdata") && ieq(cs.c[i + 1], "local") && ieq(cs.c[i + 2], "temp")) return EXH_AREA_STAGING;
  }
  return EXH_AREA_NONE;
}

const char *exh_area_name(exh_area a) {
  static const char *const n[] = {"", "web", "staging", "given", "all"};
  return (unsigned)a <= EXH_AREA_ALL ? n[a] : "";
}

int exh_is_exsetup(const char *rel) {
  comps cs;
  split(rel, &cs);
  return cs.n >= 2 && ieq(cs.c[cs.n - 1], "exsetup.exe") && ieq(cs.c[cs.n - 2], "bin");
}

size_t exh_install_rel(const char *rel) {
  comps cs;
  split(rel, &cs);
  for (size_t i = 0; i + 1 < cs.n; i++)
    if (ieq(cs.c[i], "v15") || ieq(cs.c[i], "v14")) return (size_t)(cs.c[i + 1].p - rel);
  for (size_t i = 0; i + 1 < cs.n; i++)
    if ((ieq(cs.c[i], "frontend") && ieq(cs.c[i + 1], "httpproxy")) || ieq(cs.c[i], "clientaccess"))
      return (size_t)(cs.c[i].p - rel);
  return (size_t)-1;
}


static int name_ends(const char *name, const char *suf) {
  size_t n = strlen(name), k = strlen(suf);
  return n >= k && exh_strnieq(name + n - k, suf, k);
}

static int at(const unsigned char *h, size_t n, size_t off, const char *sig, size_t len) {
  return n >= off + len && !memcmp(h + off, sig, len);
}

/* A DOS partition table that describes partitions (boot flag 0 or 0x80,
 * a type, a start and a length), not just the 55 AA of any boot sector. */
static int mbr_table(const unsigned char *h, size_t n) {
  if (n < 512 || h[510] != 0x55 || h[511] != 0xAA) return 0;
  int used = 0;
  for (int i = 0; i < 4; i++) {
    const unsigned char *e = h + 446 + 16 * i;
    if (e[0] != 0 && e[0] != 0x80) return 0;
    if (e[4] == 0) continue;
    uint32_t start = (uint32_t)e[8] | (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 | (uint32_t)e[11] << 24;
    uint32_t len = (uint32_t)e[12] | (uint32_t)e[13] << 8 | (uint32_t)e[14] << 16 | (uint32_t)e[15] << 24;
    if (start == 0 || len == 0) return 0;
    used++;
  }
  return used > 0;
}

const char *exh_classify_container(const char *name, const unsigned char *h, size_t n, uint64_t size) {
  /* forensic and virtual disk formats, by their signatures */
  if (at(h, n, 0, "vhdxfile", 8)) return "VHDX disk image";
  if (at(h, n, 0, "conectix", 8)) return "VHD disk image";
  if (at(h, n, 0, "KDMV", 4) || at(h, n, 0, "COWD", 4) || at(h, n, 0, "# Disk DescriptorFile", 21))
    return "VMDK disk image";
  if (at(h, n, 0, "EVF\x09\x0d\x0a\xff\x00", 8)) return "EnCase image (E01)";
  if (at(h, n, 0, "EVF2\x0d\x0a\x81\x00", 8)) return "EnCase image (Ex01)";
  if (at(h, n, 0, "LVF\x09\x0d\x0a\xff\x00", 8)) return "EnCase logical evidence file (L01)";
  if (at(h, n, 0, "LEF2\x0d\x0a\x81\x00", 8)) return "EnCase logical evidence file (Lx01)";
  if (at(h, n, 0, "AFF10\x0d\x0a\x00", 8)) return "AFF image";
  if (at(h, n, 0, "QFI\xfb", 4)) return "QCOW disk image";
  if (at(h, n, 0x40, "\x7f\x10\xda\xbe", 4)) return "VirtualBox disk image (VDI)";
  /* raw images of a whole disk or of one volume */
  if (at(h, n, 512, "EFI PART", 8)) return "raw disk image (GPT)";
  if (at(h, n, 3, "NTFS    ", 8)) return "raw NTFS volume image";
  if (at(h, n, 3, "EXFAT   ", 8)) return "raw exFAT volume image";
  if (at(h, n, 82, "FAT32   ", 8) && n >= 512 && h[510] == 0x55 && h[511] == 0xAA) return "raw FAT volume image";
  if (size >= (1u << 20) && mbr_table(h, n)) return "raw disk image (MBR)";
  /* by name: formats without a signature at the top (a fixed VHD has its
   * footer at the end; AFF4 is a zip) or bytes not at hand */
  static const struct {
    const char *ext, *label;
  } names[] = {{".vhdx", "VHDX disk image"}, {".vhd", "VHD disk image"},     {".vmdk", "VMDK disk image"},
               {".e01", "EnCase image (E01)"}, {".ex01", "EnCase image (Ex01)"}, {".aff4", "AFF4 image"},
               {".aff", "AFF image"},          {".qcow2", "QCOW disk image"},   {".vdi", "VirtualBox disk image (VDI)"}};
  for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
    if (name_ends(name, names[i].ext)) return names[i].label;
  return NULL;
}

exh_archive_fmt exh_classify_archive(const char *name, const unsigned char *h, size_t n) {
  if (at(h, n, 0, "PK\003\004", 4) || at(h, n, 0, "PK\005\006", 4)) return EXH_ARC_ZIP;
  if (at(h, n, 0, "7z\xbc\xaf\x27\x1c", 6)) return EXH_ARC_7Z;
  if (at(h, n, 0, "Rar!\x1a\x07", 6)) return EXH_ARC_RAR;
  if (at(h, n, 257, "ustar", 5)) return EXH_ARC_TAR;
  if (at(h, n, 0x8001, "CD001", 5)) return EXH_ARC_ISO;
  int compressed = at(h, n, 0, "\x1f\x8b", 2) || at(h, n, 0, "BZh", 3) || at(h, n, 0, "\xfd" "7zXZ\0", 6) ||
                   at(h, n, 0, "\x28\xb5\x2f\xfd", 4);
  if (!compressed) return EXH_ARC_NONE;
  static const char *const tars[] = {".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst"};
  for (size_t i = 0; name && i < sizeof tars / sizeof tars[0]; i++)
    if (name_ends(name, tars[i])) return EXH_ARC_TAR;
  return EXH_ARC_COMPRESSED;
}
