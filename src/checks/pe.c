/* PE version resource and minidump module list readers. Layouts from the
 * PE/COFF specification (optional header, data directory 2 = resources,
 * IMAGE_RESOURCE_DIRECTORY trees) and minidumpapiset.h (MINIDUMP_HEADER,
 * MINIDUMP_DIRECTORY, ModuleListStream = 4). Every offset is checked
 * against the buffer before use; nothing here loops more than a fixed
 * number of times. */
#include "pe.h"

#include <string.h>

static int rd16(const uint8_t *p, size_t n, size_t off, uint32_t *v) {
  if (off > n || n - off < 2) return -1;
  *v = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8;
  return 0;
}

static int rd32(const uint8_t *p, size_t n, size_t off, uint32_t *v) {
  if (off > n || n - off < 4) return -1;
  *v = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
  return 0;
}

typedef struct sect {
  uint32_t va, vsize, raw, rawsize;
} sect;

/* File offset of an RVA, via the section table; -1 if outside every section. */
static long long rva_to_off(const sect *s, uint32_t ns, uint32_t rva, size_t n) {
  for (uint32_t i = 0; i < ns; i++) {
    uint32_t span = s[i].vsize > s[i].rawsize ? s[i].vsize : s[i].rawsize;
    if (rva >= s[i].va && rva - s[i].va < span) {
      uint64_t off = (uint64_t)s[i].raw + (rva - s[i].va);
      if (off >= n || rva - s[i].va >= s[i].rawsize) return -1;
      return (long long)off;
    }
  }
  return -1;
}

/* In a resource directory at dir (offset from the resource base), finds the
 * entry with numeric id `id` (or the first entry if id < 0). Returns the
 * entry's offset field, or -1. */
static long long res_find(const uint8_t *p, size_t n, size_t base, uint32_t dir, int id) {
  uint32_t named, ids;
  if (rd16(p, n, base + dir + 12, &named) || rd16(p, n, base + dir + 14, &ids)) return -1;
  uint32_t total = named + ids;
  if (total > 4096) total = 4096;
  for (uint32_t i = 0; i < total; i++) {
    uint32_t name, off;
    size_t e = base + dir + 16 + (size_t)i * 8;
    if (rd32(p, n, e, &name) || rd32(p, n, e + 4, &off)) return -1;
    if (id < 0 || (!(name & 0x80000000u) && name == (uint32_t)id)) return off;
  }
  return -1;
}

int exh__pe_file_version(const uint8_t *p, size_t n, uint16_t ver[4], const char **why) {
  uint32_t v, pe, nsec, optsz, magic;
  *why = "not a PE image";
  if (n < 64 || p[0] != 'M' || p[1] != 'Z') return -1;
  if (rd32(p, n, 0x3C, &pe) || rd32(p, n, pe, &v) || v != 0x00004550u) return -1;
  *why = "truncated PE headers";
  if (rd16(p, n, (size_t)pe + 6, &nsec) || rd16(p, n, (size_t)pe + 20, &optsz)) return -1;
  size_t opt = (size_t)pe + 24;
  if (rd16(p, n, opt, &magic)) return -1;
  size_t ddir = opt + (magic == 0x20B ? 112 : 96); /* PE32+ or PE32 */
  uint32_t ndd, res_rva, res_size;
  if (rd32(p, n, ddir - 4, &ndd) || ndd < 3 || rd32(p, n, ddir + 16, &res_rva) || rd32(p, n, ddir + 20, &res_size))
    return -1;
  *why = "no version resource";
  if (!res_rva) return -1;
  if (nsec > 96) nsec = 96;
  sect s[96];
  size_t st = opt + optsz;
  for (uint32_t i = 0; i < nsec; i++) {
    size_t e = st + (size_t)i * 40;
    if (rd32(p, n, e + 8, &s[i].vsize) || rd32(p, n, e + 12, &s[i].va) || rd32(p, n, e + 16, &s[i].rawsize) ||
        rd32(p, n, e + 20, &s[i].raw)) {
      *why = "truncated section table";
      return -1;
    }
  }
  long long base = rva_to_off(s, nsec, res_rva, n);
  if (base < 0) return -1;
  /* type 16 (RT_VERSION) -> first name -> first language -> data entry */
  long long e = res_find(p, n, (size_t)base, 0, 16);
  if (e < 0 || !(e & 0x80000000u)) return -1;
  e = res_find(p, n, (size_t)base, (uint32_t)e & 0x7FFFFFFFu, -1);
  if (e < 0 || !(e & 0x80000000u)) return -1;
  e = res_find(p, n, (size_t)base, (uint32_t)e & 0x7FFFFFFFu, -1);
  if (e < 0 || (e & 0x80000000u)) return -1;
  uint32_t drva, dsize;
  if (rd32(p, n, (size_t)base + (size_t)e, &drva) || rd32(p, n, (size_t)base + (size_t)e + 4, &dsize)) return -1;
  long long d = rva_to_off(s, nsec, drva, n);
  if (d < 0) return -1;
  if ((uint64_t)d + dsize > n) dsize = (uint32_t)(n - (size_t)d);
  /* VS_VERSIONINFO: wLength, wValueLength, wType, L"VS_VERSION_INFO\0",
   * padding to 4, then VS_FIXEDFILEINFO (signature 0xFEEF04BD). Search the
   * first 256 bytes for the signature rather than trusting the padding. */
  const uint8_t *q = p + d;
  size_t lim = dsize < 256 ? dsize : 256;
  for (size_t i = 0; i + 52 <= dsize && i < lim; i += 4) {
    uint32_t sig, ms, ls;
    if (rd32(q, dsize, i, &sig) || sig != 0xFEEF04BDu) continue;
    if (rd32(q, dsize, i + 8, &ms) || rd32(q, dsize, i + 12, &ls)) break;
    ver[0] = (uint16_t)(ms >> 16);
    ver[1] = (uint16_t)ms;
    ver[2] = (uint16_t)(ls >> 16);
    ver[3] = (uint16_t)ls;
    return 0;
  }
  *why = "version resource without VS_FIXEDFILEINFO";
  return -1;
}

int exh__minidump_process(const uint8_t *p, size_t n, char *name, size_t namen) {
  if (namen) name[0] = 0;
  if (n < 32 || memcmp(p, "MDMP", 4)) return 0;
  uint32_t nstreams, dir;
  if (rd32(p, n, 8, &nstreams) || rd32(p, n, 12, &dir)) return 1;
  if (nstreams > 1024) nstreams = 1024;
  for (uint32_t i = 0; i < nstreams; i++) {
    uint32_t type, rva;
    size_t e = (size_t)dir + (size_t)i * 12;
    if (rd32(p, n, e, &type) || rd32(p, n, e + 8, &rva)) return 1;
    if (type != 4) continue; /* ModuleListStream */
    uint32_t nmods, name_rva, len;
    if (rd32(p, n, rva, &nmods) || nmods == 0) return 1;
    /* MINIDUMP_MODULE: BaseOfImage(8) SizeOfImage(4) CheckSum(4)
     * TimeDateStamp(4) ModuleNameRva(4) ... ; the first follows the count */
    if (rd32(p, n, (size_t)rva + 4 + 20, &name_rva)) return 1;
    if (rd32(p, n, name_rva, &len) || len > 2048 || (size_t)name_rva + 4 + len > n) return 1;
    /* UTF-16LE path; keep the part after the last separator, ASCII folded */
    const uint8_t *s = p + name_rva + 4;
    size_t start = 0;
    for (size_t k = 0; k + 1 < len; k += 2)
      if ((s[k] == '\\' || s[k] == '/') && s[k + 1] == 0) start = k + 2;
    size_t o = 0;
    for (size_t k = start; k + 1 < len && o + 1 < namen; k += 2) {
      unsigned c = s[k] | (unsigned)s[k + 1] << 8;
      if (c >= 'A' && c <= 'Z') c += 32;
      name[o++] = c < 0x80 && c >= 0x20 ? (char)c : '?';
    }
    if (namen) name[o] = 0;
    return 1;
  }
  return 1;
}
