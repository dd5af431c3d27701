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

int exh__path_ieq(exh_str s, const char *lit) { return exh__strieq(s, lit); }

int exh__path_ends(exh_str s, const char *suf) {
  size_t n = strlen(suf);
  return s.n >= n && exh__strnieq(s.p + s.n - n, suf, n);
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
    if (exh__path_ieq(s, top[i])) return 1;
  return 0;
}

/* Index of the first component of the system drive: a well-known top
 * folder, or the component after a drive among the first four; else 0
 * (the root is the drive). */
size_t exh__path_drive_start(const exh_path *cs) {
  for (size_t i = 0; i < cs->n && i < 4; i++) {
    if (is_top_folder(cs->c[i])) return i;
    if (is_drive(cs->c[i]) && i + 1 < cs->n) return i + 1;
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


