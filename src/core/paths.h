/* Paths of a server: components, the system drive's top, the areas whose
 * files get content checks, the Exchange install root. Shared by the walk,
 * the formats' recognisers, the checks and correlation. */
#ifndef EXH_CORE_PATHS_H
#define EXH_CORE_PATHS_H

#include <stddef.h>

#include "../util/util.h"
#include "kinds.h"

/* The last EXH_PATH_MAXC components of a path ('/' or '\\'). */
#define EXH_PATH_MAXC 64
typedef struct exh_path {
  exh_str c[EXH_PATH_MAXC];
  size_t n;
} exh_path;

void exh__path_split(const char *rel, exh_path *p);
/* ASCII case-insensitive, %XX escapes in s read as the byte (Velociraptor's
 * "C%3A", "Program%20Files") */
int exh__path_ieq(exh_str s, const char *lit);
int exh__path_ends(exh_str s, const char *suf);  /* the same, at the end */
/* A drive or volume: "C", "C:", "C$", "C%3A", "%5C%5C.%5CC%3A",
 * "\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN" (escaped or as the
 * last component); a shadow copy's device. */
int exh__path_is_drive(exh_str s);
int exh__path_is_snapshot(exh_str s);
/* Index of the first component of the system drive: the first well-known
 * top folder, or the component after the first drive, anywhere in the
 * path; else 0 (the root is the drive). */
size_t exh__path_drive_start(const exh_path *p);
/* The path on the server as Windows wrote it ("C:\\Program Files\\..."), when
 * the collection's layout says it (Velociraptor's uploads/<accessor>/<drive>,
 * a drive folder before the system's folders); NULL otherwise. Allocated. */
char *exh__path_windows(const char *path);
/* Test-ProxyLogon's `lsass.*dmp` on a file name. */
int exh__path_lsass_dump_name(exh_str name);
/* The area of a path: web folders, staging folders, or none (docs/files.md). */
exh_area exh__path_area(const char *rel);

/* The web root a path lies in (exh__path_area's web folders): an index in
 * exh__web_roots, whose names the coverage shows ("inetpub/wwwroot",
 * "FrontEnd/HttpProxy", "ClientAccess", "Temporary ASP.NET Files"), or -1. */
#define EXH_WEB_ROOTS 4
extern const char *const exh__web_roots[EXH_WEB_ROOTS];
int exh__path_web_root(const char *rel);
/* 1 for .../Bin/ExSetup.exe (the installed build's version resource). */
int exh__path_is_exsetup(const char *rel);
/* Offset in rel of the path below the Exchange install root (after V15/,
 * or from FrontEnd/HttpProxy or ClientAccess on), or (size_t)-1. */
size_t exh__path_install_rel(const char *rel);

#endif
