/* Archives and containers by their first bytes and names (archive.h). */
#include <stdint.h>
#include <string.h>

#include "../../util/util.h"
#include "archive.h"

static int name_ends(const char *name, const char *suf) {
  size_t n = strlen(name), k = strlen(suf);
  return n >= k && exh__strnieq(name + n - k, suf, k);
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

const char *exh__container_label(const char *name, const unsigned char *h, size_t n, uint64_t size) {
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

exh_archive_fmt exh__archive_sniff(const char *name, const unsigned char *h, size_t n) {
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
