/* Path-based classification of evidence files.
 *
 * Paths are matched component by component, case-insensitively, with '/'
 * and '\' both taken as separators, so a live drive, a triage collection
 * (C/Program Files/...), a Velociraptor upload (C%3A/...) and a zip entry
 * written on Windows all classify the same way. */
#include "classify.h"

#include <stdio.h>
#include <string.h>

#include "../core/paths.h"
#include "../util/util.h"

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
  exh_path cs;
  exh_path_split(rel, &cs);
  if (subn) sub[0] = 0;
  if (cs.n == 0) return EXH_KIND_NONE;
  exh_str name = cs.c[cs.n - 1];
  if (exh_path_ends(name, ".evtx")) return EXH_KIND_EVTX;
  /* IIS: .../W3SVC<n>/NAME.log and .../HTTPERR/NAME.log */
  if (cs.n >= 2 && exh_path_ends(name, ".log")) {
    exh_str dir = cs.c[cs.n - 2];
    if (is_w3svc(dir)) {
      if (subn) snprintf(sub, subn, "%.*s", (int)dir.n, dir.p);
      return EXH_KIND_IIS;
    }
    if (exh_path_ieq(dir, "httperr")) return EXH_KIND_HTTPERR;
  }
  /* Exchange logs: a "Logging" component anywhere. */
  for (size_t i = 0; i + 1 < cs.n; i++) {
    if (!exh_path_ieq(cs.c[i], "logging")) continue;
    exh_str a = cs.c[i + 1];
    size_t left = cs.n - (i + 1); /* components after "Logging" */
    if (exh_path_ieq(a, "oabgeneratorlog") && left >= 2) return EXH_KIND_OABGEN;
    if (!exh_path_ends(name, ".log")) continue;
    if (exh_path_ieq(a, "httpproxy") && left >= 2) {
      /* Test-ProxyLogon reads every .log below HttpProxy, folder or not */
      exh_str proto = left >= 3 ? cs.c[i + 2] : (exh_str){"", 0};
      if (subn) snprintf(sub, subn, "%.*s", (int)proto.n, proto.p);
      return EXH_KIND_HTTPPROXY;
    }
    if (exh_path_ieq(a, "ecp") && left >= 3) {
      if (exh_path_ieq(cs.c[i + 2], "server")) return EXH_KIND_ECP_SERVER;
      if (exh_path_ieq(cs.c[i + 2], "activity")) return EXH_KIND_ECP_ACTIVITY;
    }
    return EXH_KIND_EXLOG_OTHER;
  }
  /* Supporting files (Test-ProxyLogon's "other suspicious files"). */
  size_t d = exh_path_drive_start(&cs);
  if (cs.n - d >= 2) {
    exh_str c0 = cs.c[d];
    if (exh_path_ieq(c0, "programdata") &&
        (exh_path_ends(name, ".7z") || exh_path_ends(name, ".zip") || exh_path_ends(name, ".rar")))
      return EXH_KIND_STAGING_ARCHIVE;
    if (exh_path_lsass_dump_name(name)) {
      if (exh_path_ieq(c0, "root")) return EXH_KIND_LSASS_DUMP;
      if (cs.n - d >= 3 && exh_path_ieq(c0, "windows") && exh_path_ieq(cs.c[d + 1], "temp")) return EXH_KIND_LSASS_DUMP;
    }
  }
  return EXH_KIND_NONE;
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
