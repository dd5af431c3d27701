/* Paths of a server, as a live drive, a triage collection (C/Program
 * Files/...), a Velociraptor upload (C%3A/...) or a zip entry written on
 * Windows give them: matched component by component, case-insensitively,
 * with '/' and '\\' both taken as separators (core/paths.h). */
#include "paths.h"

#include <stdio.h>
#include <string.h>

#include "../util/util.h"


void exh__path_split(const char *rel, exh_path *cs) {
  cs->n = 0;
  const char *p = rel;
  while (*p) {
    while (*p == '/' || *p == '\\') p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != '/' && *p != '\\') p++;
    if (cs->n == EXH_PATH_MAXC) { /* keep the last EXH_PATH_MAXC components */
      memmove(cs->c, cs->c + 1, (EXH_PATH_MAXC - 1) * sizeof cs->c[0]);
      cs->n--;
    }
    cs->c[cs->n++] = (exh_str){s, (size_t)(p - s)};
  }
}

/* A component as collectors write it decoded: Velociraptor escapes what a
 * file name cannot hold ("C%3A", "%5C%5C.%5CC%3A", "Program%20Files" from
 * some versions), so every comparison reads %XX as the byte it stands for.
 * Returns the decoded length (at most cap), or cap + 1 if longer. */
static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if ((c | 32) >= 'a' && (c | 32) <= 'f') return (c | 32) - 'a' + 10;
  return -1;
}

static size_t decode(exh_str s, char *out, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < s.n; i++) {
    char c = s.p[i];
    if (c == '%' && i + 2 < s.n && hexval(s.p[i + 1]) >= 0 && hexval(s.p[i + 2]) >= 0) {
      c = (char)(hexval(s.p[i + 1]) * 16 + hexval(s.p[i + 2]));
      i += 2;
    }
    if (k == cap) return cap + 1;
    out[k++] = c;
  }
  return k;
}

int exh__path_ieq(exh_str s, const char *lit) {
  if (!memchr(s.p, '%', s.n)) return exh__strieq(s, lit);
  char d[256];
  size_t n = decode(s, d, sizeof d);
  return n <= sizeof d && exh__strieq((exh_str){d, n}, lit);
}

int exh__path_ends(exh_str s, const char *suf) {
  size_t n = strlen(suf);
  return s.n >= n && exh__strnieq(s.p + s.n - n, suf, n);
}

/* KAPE's --vss output: "VSS1", "VSS2"... beside the drive's "C" */
static int is_kape_vss(const char *p, size_t n) {
  if (n < 4 || n > 6 || (p[0] | 32) != 'v' || (p[1] | 32) != 's' || (p[2] | 32) != 's') return 0;
  for (size_t i = 3; i < n; i++)
    if (p[i] < '0' || p[i] > '9') return 0;
  return 1;
}

/* A drive or volume component: "C", "C:", "C$", "C%3A" (Velociraptor's
 * auto accessor), "\\.\C:" as Velociraptor's ntfs accessor names it
 * ("%5C%5C.%5CC%3A"), and a shadow copy's device
 * ("\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy3", in one escaped
 * component or as its last one). */
int exh__path_is_drive(exh_str s) {
  char d[256];
  size_t n = decode(s, d, sizeof d);
  if (n > sizeof d) return 0;
  const char *p = d;
  if (n >= 4 && (!memcmp(p, "\\\\.\\", 4) || !memcmp(p, "\\\\?\\", 4))) p += 4, n -= 4;
  if (n >= 24 && exh__memimem(p, n, "HarddiskVolumeShadowCopy", 24)) return 1;
  if (n >= 14 && exh__memimem(p, n, "HarddiskVolume", 14)) return 1;
  if (is_kape_vss(p, n)) return 1;
  if (n < 1 || n > 2 || !((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z')) return 0;
  return n == 1 || p[1] == ':' || p[1] == '$';
}

/* A shadow copy's device component. */
int exh__path_is_snapshot(exh_str s) {
  char d[256];
  size_t n = decode(s, d, sizeof d);
  return n <= sizeof d && (exh__memimem(d, n, "ShadowCopy", 10) != NULL || is_kape_vss(d, n));
}

static int is_top_folder(exh_str s) {
  static const char *const top[] = {"windows", "programdata", "root", "program files",
                                    "program files (x86)", "inetpub", "users"};
  for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
    if (exh__path_ieq(s, top[i])) return 1;
  return 0;
}

/* Index of the first component of the system drive: the first well-known
 * top folder, or the component after the first drive, wherever it is in
 * the path (a collection nested in case folders, a hunt export's
 * clients/C.x/collections/F.y/uploads/ntfs/...); else 0 (the root is the
 * drive). */
size_t exh__path_drive_start(const exh_path *cs) {
  for (size_t i = 0; i < cs->n; i++) {
    if (is_top_folder(cs->c[i])) return i;
    if (exh__path_is_drive(cs->c[i]) && i + 1 < cs->n) return i + 1;
  }
  return 0;
}

/* Test-ProxyLogon's `lsass.*dmp` (a regex, unanchored, case-insensitive). */
int exh__path_lsass_dump_name(exh_str s) {
  const char *l = exh__memimem(s.p, s.n, "lsass", 5);
  if (!l) return 0;
  size_t rest = s.n - (size_t)(l - s.p) - 5;
  return exh__memimem(l + 5, rest, "dmp", 3) != NULL;
}


/* Where files worth a content check live (docs/files.md has the list and
 * the reasons). Web folders: what IIS or Exchange serves, where every
 * documented Exchange web shell was dropped. Staging folders: where the
 * campaigns left dumps, archives, tools and ransomware. */
exh_area exh__path_area(const char *rel) {
  exh_path cs;
  exh__path_split(rel, &cs);
  if (cs.n == 0) return EXH_AREA_NONE;
  for (size_t i = 0; i + 1 < cs.n; i++) {
    exh_str c = cs.c[i];
    if (exh__path_ieq(c, "inetpub") && exh__path_ieq(cs.c[i + 1], "wwwroot")) return EXH_AREA_WEB;
    if (exh__path_ieq(c, "frontend") && exh__path_ieq(cs.c[i + 1], "httpproxy")) return EXH_AREA_WEB;
    if (exh__path_ieq(c, "clientaccess") && i > 0) return EXH_AREA_WEB;
    if (exh__path_ieq(c, "temporary asp.net files")) return EXH_AREA_WEB;
  }
  size_t d = exh__path_drive_start(&cs);
  if (cs.n - d < 2) return EXH_AREA_NONE;
  exh_str c0 = cs.c[d];
  size_t below = cs.n - d - 1; /* components below the top folder, the file included */
  if (exh__path_ieq(c0, "windows") && exh__path_ieq(cs.c[d + 1], "temp") && below >= 2) return EXH_AREA_STAGING;
  if (exh__path_ieq(c0, "root") || exh__path_ieq(c0, "perflogs")) return EXH_AREA_STAGING;
  if (exh__path_ieq(c0, "programdata") && below <= 2) return EXH_AREA_STAGING;
  if (exh__path_ieq(c0, "users") && below >= 2) {
    if (exh__path_ieq(cs.c[d + 1], "public")) return EXH_AREA_STAGING;
    for (size_t i = d + 2; i + 2 < cs.n; i++)
      if (exh__path_ieq(cs.c[i], "appdata") && exh__path_ieq(cs.c[i + 1], "local") && exh__path_ieq(cs.c[i + 2], "temp")) return EXH_AREA_STAGING;
  }
  return EXH_AREA_NONE;
}

/* The same tests as exh__path_area's web folders, first match wins. */
const char *const exh__web_roots[EXH_WEB_ROOTS] = {"inetpub/wwwroot", "FrontEnd/HttpProxy", "ClientAccess",
                                                   "Temporary ASP.NET Files"};
int exh__path_web_root(const char *rel) {
  exh_path cs;
  exh__path_split(rel, &cs);
  for (size_t i = 0; i + 1 < cs.n; i++) {
    exh_str c = cs.c[i];
    if (exh__path_ieq(c, "inetpub") && exh__path_ieq(cs.c[i + 1], "wwwroot")) return 0;
    if (exh__path_ieq(c, "frontend") && exh__path_ieq(cs.c[i + 1], "httpproxy")) return 1;
    if (exh__path_ieq(c, "clientaccess") && i > 0) return 2;
    if (exh__path_ieq(c, "temporary asp.net files")) return 3;
  }
  return -1;
}

int exh__path_is_exsetup(const char *rel) {
  exh_path cs;
  exh__path_split(rel, &cs);
  return cs.n >= 2 && exh__path_ieq(cs.c[cs.n - 1], "exsetup.exe") && exh__path_ieq(cs.c[cs.n - 2], "bin");
}

size_t exh__path_install_rel(const char *rel) {
  exh_path cs;
  exh__path_split(rel, &cs);
  for (size_t i = 0; i + 1 < cs.n; i++)
    if (exh__path_ieq(cs.c[i], "v15") || exh__path_ieq(cs.c[i], "v14")) return (size_t)(cs.c[i + 1].p - rel);
  for (size_t i = 0; i + 1 < cs.n; i++)
    if ((exh__path_ieq(cs.c[i], "frontend") && exh__path_ieq(cs.c[i + 1], "httpproxy")) || exh__path_ieq(cs.c[i], "clientaccess"))
      return (size_t)(cs.c[i].p - rel);
  return (size_t)-1;
}



/* The path a file had on the server, as Windows wrote it, when the
 * collection's layout says it: Velociraptor's uploads/<accessor>/<drive>/...
 * and a drive folder ("C", "C%3A", "\\.\C:", a shadow copy's device)
 * followed by the system's folders. The part after '!' is used for a zip's
 * member. NULL when the layout does not say (a plain copy: which drive?). */
char *exh__path_windows(const char *path) {
  const char *bang = strrchr(path, '!');
  exh_path cs;
  exh__path_split(bang ? bang + 1 : path, &cs);
  size_t d = (size_t)-1;
  for (size_t i = 0; i + 1 < cs.n && d == (size_t)-1; i++) {
    if (!exh__path_is_drive(cs.c[i]) || is_kape_vss(cs.c[i].p, cs.c[i].n)) continue;
    if (cs.c[i].n > 1 && i >= 2 && exh__path_ieq(cs.c[i - 2], "uploads")) d = i; /* uploads/<accessor>/<drive> */
    else if (is_top_folder(cs.c[i + 1])) d = i;
  }
  if (d == (size_t)-1) return NULL;
  char drive[256];
  size_t n = decode(cs.c[d], drive, sizeof drive - 1);
  if (n > sizeof drive - 1) return NULL;
  drive[n] = 0;
  const char *dv = drive;
  if (!strncmp(dv, "\\\\.\\", 4)) dv += 4; /* \\.\C: is C: */
  exh_buf b = {0};
  if ((strlen(dv) == 2 && dv[1] == '$') || strlen(dv) == 1) exh__buf_printf(&b, "%c:", dv[0]); /* C$, C */
  else exh__buf_adds(&b, dv);
  for (size_t i = d + 1; i < cs.n; i++) {
    char comp[256];
    size_t k = decode(cs.c[i], comp, sizeof comp);
    if (k > sizeof comp) {
      exh__buf_free(&b);
      return NULL;
    }
    exh_buf_addc(&b, '\\');
    exh_buf_add(&b, comp, k);
  }
  return exh__buf_take(&b);
}
