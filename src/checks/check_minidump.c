/* Minidumps by their header, wherever they lie: a dump whose first module
 * is lsass.exe is a credential dump (procdump -ma lsass, comsvcs.dll
 * MiniDump) whatever its name; another process's dump in a web or staging
 * folder is context. A file too large to read whole gives the few bytes
 * the module-list reader needs by positioned reads. */
#include <string.h>

#include "../util/util.h"
#include "check.h"
#include "pe.h"

static const char *const t1003[] = {"T1003.001"};

static const exh_rule_info lsass_minidump = {
    .id = "exhunt-file-lsass-minidump",
    .title = "Minidump of lsass.exe (credential dump)",
    .description = "A Windows minidump whose first module is lsass.exe, whatever its name and place: procdump -ma lsass "
                   "or comsvcs.dll MiniDump output.",
    .source = "builtin:detect/content.c",
    .dataset = "exhunt.file",
    .level = EXH_LEVEL_HIGH,
    .techniques = t1003,
    .ntechniques = 1};
static const exh_rule_info minidump = {
    .id = "exhunt-file-minidump",
    .title = "Process memory dump in a web or staging folder",
    .description = "A Windows minidump of a process other than lsass.exe: context for a responder.",
    .source = "builtin:detect/content.c",
    .dataset = "exhunt.file",
    .level = EXH_LEVEL_INFO,
    .techniques = t1003,
    .ntechniques = 1};

static void on_bytes(exh_check_ctx *c) {
  char name[128];
  if (!exh__minidump_process(c->p, c->n, name, sizeof name)) return;
  int lsass = !strcmp(name, "lsass.exe");
  if (!lsass && c->ev->kind == EXH_KIND_CONTENT && !strcmp(c->ev->sub, "all")) return;
  const exh_rule_info *ri = lsass ? &lsass_minidump : &minidump;
  exh__check_finding(c, ri, ri->level,
                    exh__xasprintf("%s: %s (process image %s, %llu bytes)", ri->title, exh__check_shown_path(c->ev),
                                  name[0] ? name : "not named in the dump", (unsigned long long)c->ev->size));
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static int pread_all(exh_source *s, void *buf, size_t n, uint64_t off) {
  return s->pread(s, buf, n, off) == (long)n ? 0 : -1;
}

/* A file too large to read whole: the header, the stream directory, the
 * first module and its name, read by position wherever they lie, laid out
 * as a small minidump for exh__minidump_process, so both paths answer
 * alike. A sequential source (an archive member) gives its first bytes. */
static void on_large(exh_check_ctx *c) {
  exh_source *src = c->src;
  if (!src || !src->pread) {
    if (c->p) on_bytes(c);
    return;
  }
  uint8_t hdr[32];
  if (pread_all(src, hdr, sizeof hdr, 0) || memcmp(hdr, "MDMP", 4)) return;
  /* header (32) | directory entry (12) | module count + first module (28) | name (4 + len) */
  uint8_t mini[32 + 12 + 28 + 4 + 2048];
  memset(mini, 0, sizeof mini);
  memcpy(mini, "MDMP", 4);
  put32(mini + 12, 32); /* the directory right after the header */
  size_t used = 32;
  uint32_t nstreams = le32(hdr + 8), dir = le32(hdr + 12);
  if (nstreams > 1024) nstreams = 1024;
  for (uint32_t i = 0; i < nstreams; i++) {
    uint8_t e[12], mod[28], len4[4];
    if (pread_all(src, e, sizeof e, (uint64_t)dir + (uint64_t)i * 12)) break;
    if (le32(e) != 4) continue; /* ModuleListStream */
    put32(mini + 8, 1);
    memcpy(mini + 32, e, 12);
    put32(mini + 32 + 8, 44);
    used = 44;
    uint32_t rva = le32(e + 8);
    if (pread_all(src, mod, sizeof mod, rva)) break;
    memcpy(mini + 44, mod, sizeof mod);
    put32(mini + 44 + 24, 72);
    used = 72;
    uint32_t name_rva = le32(mod + 24);
    if (pread_all(src, len4, 4, name_rva)) break;
    uint32_t len = le32(len4);
    memcpy(mini + 72, len4, 4);
    used = 76;
    if (len <= 2048 && pread_all(src, mini + 76, len, (uint64_t)name_rva + 4) == 0) used = 76 + len;
    break;
  }
  const uint8_t *p = c->p;
  size_t n = c->n;
  c->p = mini;
  c->n = used;
  on_bytes(c);
  c->p = p;
  c->n = n;
}

const exh_check exh__check_minidump = {"minidump", NULL, on_bytes, on_large};
