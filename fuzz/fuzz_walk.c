/* libFuzzer target: the walk and the whole scan of a tree (issue 11: every
 * per-file entry point fed by untrusted input). The input is a program
 * that builds a folder tree in a fresh temporary folder: folders, files
 * with content, symbolic links (also loops and links out of the tree),
 * FIFOs, names from a dictionary of the paths exhunt recognises (so the
 * classifier's branches are reached) or raw bytes; then the tree is
 * scanned with the shipped rules on two threads and every report is
 * written. Checks: the scan returns a result, every server has a verdict,
 * nothing in the tree was changed (sizes and modification times), and no
 * FIFO was opened (a FIFO open would block the scan: the test would hang). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exhunt/exhunt.h"

static exh_ruleset *rs;
static char base[64];

static const char *const dict[] = {
    "C", "C%3A", "Program Files", "Microsoft", "Exchange Server", "V15", "Logging", "HttpProxy", "Owa", "Ecp",
    "ECP", "Server", "OABGeneratorLog", "inetpub", "wwwroot", "aspnet_client", "logs", "LogFiles", "W3SVC1",
    "HTTPERR", "Windows", "Temp", "ProgramData", "Users", "Public", "FrontEnd", "owa", "auth", "Bin",
    "ExSetup.exe", "x.log", "u_ex210303.log", "HttpProxy_2021030301-1.LOG", "Security.evtx", "shell.aspx",
    "lsass.dmp", "c.zip", "events.json", "root", "System32", "winevt", "..", ".", "15.1.2176.2"};

static const char *const contents[] = {
    ("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
     "#Fields: DateTime,UrlStem,AnchorMailbox,ClientIpAddress,HttpStatus,BackEndStatus\r\n"
     "2021-03-03T01:02:03.000Z,/ecp/y.js,ServerInfo~a]@x:444/mapi/emsmdb/?#,1.2.3.4,200,200\r\n"),
    ("#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-method cs-uri-stem c-ip "
     "sc-status\r\n2021-03-03 01:02:03 POST /aspnet_client/x.aspx 1.2.3.4 200\r\n"),
    "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>",
    "MDMP\x93\xa7",
    "PK\x03\x04",
    "ElfFile\0",
    "{\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessName\":\"C:\\\\w\\\\cmd.exe\"}\n",
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  exh_ruleset_new(&rs);
  exh_ruleset_add_builtin(rs);
  exh_ruleset_compile(rs);
  snprintf(base, sizeof base, "/tmp/exh-fuzz-walk-%d", (int)getpid());
  return 0;
}

typedef struct prog {
  const uint8_t *p;
  size_t n, i;
} prog;

static int take(prog *g) { return g->i < g->n ? g->p[g->i++] : -1; }

static void name(prog *g, char *out, size_t cap) {
  int b = take(g);
  if (b < 0) {
    snprintf(out, cap, "x");
    return;
  }
  if (b & 0x80) {
    snprintf(out, cap, "%s", dict[(size_t)(b & 0x7f) % (sizeof dict / sizeof dict[0])]);
    return;
  }
  size_t len = (size_t)(b % 24) + 1, k = 0;
  for (size_t j = 0; j < len && k + 1 < cap; j++) {
    int c = take(g);
    if (c < 0) break;
    out[k++] = c == '/' || c == 0 ? '_' : (char)c;
  }
  if (!k) out[k++] = 'y';
  out[k] = 0;
}

static int rm(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

typedef struct snap {
  char path[4096];
  off_t size;
  struct timespec mtime;
} snap;
static snap snaps[512];
static size_t nsnaps;

static int take_snap(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)ftw;
  if (flag == FTW_F && nsnaps < 512) {
    snprintf(snaps[nsnaps].path, sizeof snaps[nsnaps].path, "%s", p);
    snaps[nsnaps].size = st->st_size;
    snaps[nsnaps].mtime = st->st_mtim;
    nsnaps++;
  }
  return 0;
}

static int discard(void *ctx, const char *p, size_t n) {
  (void)ctx, (void)p, (void)n;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nftw(base, rm, 32, FTW_DEPTH | FTW_PHYS);
  if (mkdir(base, 0700) != 0) return 0;
  prog g = {data, size, 0};
  char cur[4096];
  snprintf(cur, sizeof cur, "%s", base);
  int ops = 0, op;
  while ((op = take(&g)) >= 0 && ops++ < 64) {
    char nm[64], path[4200];
    name(&g, nm, sizeof nm);
    snprintf(path, sizeof path, "%s/%s", cur, nm);
    switch (op % 7) {
    case 0:
      mkdir(path, 0700);
      break;
    case 1: {
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0600);
      if (fd < 0) break;
      int c = take(&g);
      const char *txt = contents[(size_t)(c < 0 ? 0 : c) % (sizeof contents / sizeof contents[0])];
      ssize_t w = write(fd, txt, strlen(txt));
      size_t raw = (size_t)(take(&g) & 0x3f);
      if (g.i + raw > g.n) raw = g.n - g.i;
      if (raw) w = write(fd, g.p + g.i, raw);
      (void)w;
      g.i += raw;
      close(fd);
      break;
    }
    case 2: { /* a link to another name here, to a parent, or out of the tree */
      int c = take(&g);
      const char *target = c < 0 ? "/etc" : c % 3 == 0 ? ".." : c % 3 == 1 ? "/etc/passwd" : nm;
      if (symlink(target, path) != 0) break;
      break;
    }
    case 3:
      mkfifo(path, 0600);
      break;
    case 4: { /* go into a folder made here */
      struct stat st;
      if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && strlen(path) < 3000) snprintf(cur, sizeof cur, "%s", path);
      break;
    }
    case 5: { /* back up one level, not above the base */
      char *s = strrchr(cur, '/');
      if (s && strlen(cur) > strlen(base)) *s = 0;
      break;
    }
    default: /* deep nesting */
      for (int d = 0; d < 12 && strlen(cur) < 3000; d++) {
        snprintf(path, sizeof path, "%s/d", cur);
        if (mkdir(path, 0700) != 0) break;
        snprintf(cur, sizeof cur, "%s", path);
      }
    }
  }
  nsnaps = 0;
  nftw(base, take_snap, 32, FTW_PHYS);
  const char *roots[] = {base};
  exh_scan_opts o;
  memset(&o, 0, sizeof o);
  o.roots = roots;
  o.nroots = 1;
  o.threads = 2;
  exh_result *res = NULL;
  if (exh_scan(rs, &o, &res) != EXH_OK || !res || exh_result_nservers(res) != 1) abort();
  exh_report_opts ro = {0, 1};
  if (exh_writer_write(exh_writer_find("text"), discard, NULL, res, &ro) != EXH_OK ||
      exh_writer_write(exh_writer_find("jsonl"), discard, NULL, res, &ro) != EXH_OK ||
      exh_writer_write(exh_writer_find("html"), discard, NULL, res, &ro) != EXH_OK)
    abort();
  exh_result_free(res);
  for (size_t i = 0; i < nsnaps; i++) { /* evidence unchanged */
    struct stat st;
    if (lstat(snaps[i].path, &st) != 0 || st.st_size != snaps[i].size ||
        st.st_mtim.tv_sec != snaps[i].mtime.tv_sec || st.st_mtim.tv_nsec != snaps[i].mtime.tv_nsec)
      abort();
  }
  nftw(base, rm, 32, FTW_DEPTH | FTW_PHYS);
  return 0;
}
