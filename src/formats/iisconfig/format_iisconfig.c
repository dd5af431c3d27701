/* The IIS configuration format (iisconfig.h): recognition by path, the
 * bounded reading, the module registrations and their findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/limits.h"
#include "../../core/paths.h"
#include "../../core/source.h"
#include "../files/files.h"
#include "iisconfig.h"

/* data/iis-modules.txt, compiled in (tools/embed) */
extern const char *const exh__iis_modules_texts[];
extern const size_t exh__iis_modules_sizes[];

static const char *const t1505_004[] = {"T1505.004"};

const exh_rule_info exh__rule_iis_native_outside = {
    .id = "exhunt-iis-native-module-outside",
    .title = "Native IIS module loaded from outside IIS's, .NET's and Exchange's folders",
    .description = "A global module (applicationHost.config <globalModules>) whose DLL lies outside "
                   "%windir%\\System32\\inetsrv, SysWOW64\\inetsrv, the .NET Framework folders and the "
                   "Exchange install, and is not one of Windows' own: how native IIS backdoors "
                   "(RGDoor, IIS-Raid, IISpy, SessionManager) are registered.",
    .source = "builtin:formats/iisconfig",
    .dataset = "iis.config",
    .level = EXH_LEVEL_HIGH,
    .techniques = t1505_004,
    .ntechniques = 1,
};

const exh_rule_info exh__rule_iis_native_unknown = {
    .id = "exhunt-iis-native-module-unknown",
    .title = "Native IIS module that is not one of IIS's, ASP.NET's or Exchange's",
    .description = "A global module registered from IIS's, .NET's or Exchange's folders whose name and "
                   "DLL are not one of theirs (data/iis-modules.txt): attackers drop their modules into "
                   "inetsrv; a third-party module is reported too, for review.",
    .source = "builtin:formats/iisconfig",
    .dataset = "iis.config",
    .level = EXH_LEVEL_MEDIUM,
    .techniques = t1505_004,
    .ntechniques = 1,
};

const exh_rule_info exh__rule_iis_managed_foreign = {
    .id = "exhunt-iis-managed-module-foreign",
    .title = "Managed IIS module from an assembly Microsoft did not sign",
    .description = "A managed module (<modules> or <httpModules> <add type=.../>) whose assembly has no "
                   "strong name or a public key token that is not Microsoft's: how Owowa was loaded into "
                   "OWA to steal credentials.",
    .source = "builtin:formats/iisconfig",
    .dataset = "iis.config",
    .level = EXH_LEVEL_HIGH,
    .techniques = t1505_004,
    .ntechniques = 1,
};

/* ---- recognition ----------------------------------------------------------- */

/* applicationHost.config wherever it lies (inetsrv/config, the copies IIS
 * keeps in inetpub/history/CFGHISTORY_n, a collector's flat folder); a
 * web.config in the folders IIS and Exchange serve. */
static exh_kind by_path(const exh_path *cs, char *sub, size_t subn) {
  if (cs->n == 0) return EXH_KIND_NONE;
  exh_str name = cs->c[cs->n - 1];
  if (exh__path_ieq(name, "applicationhost.config")) return EXH_KIND_IISCONFIG;
  if (!exh__path_ieq(name, "web.config")) return EXH_KIND_NONE;
  for (size_t i = 0; i + 1 < cs->n; i++) {
    exh_str c = cs->c[i];
    if ((exh__path_ieq(c, "inetpub") && exh__path_ieq(cs->c[i + 1], "wwwroot")) ||
        (exh__path_ieq(c, "frontend") && exh__path_ieq(cs->c[i + 1], "httpproxy")) ||
        (exh__path_ieq(c, "clientaccess") && i > 0)) {
      /* a file of its web folder too: the content checks run on it */
      if (subn) snprintf(sub, subn, "%s", exh__area_name(EXH_AREA_WEB));
      return EXH_KIND_IISCONFIG;
    }
  }
  return EXH_KIND_NONE;
}

/* ---- the known modules ----------------------------------------------------- */

/* An image path as compared: entities decoded already; quotes and spaces
 * around it dropped, lowercase, '\\' for '/', %windir%, %SystemRoot%,
 * %ProgramFiles% and %SystemDrive% expanded, the drive (or \\?\X:) dropped,
 * repeated separators collapsed. */
static void norm_image(const char *in, char *out, size_t outn) {
  char tmp[1024];
  size_t o = 0;
  while (*in == ' ' || *in == '"' || *in == '\t') in++;
  static const struct {
    const char *var, *to;
  } env[] = {{"%windir%", "\\windows"},
             {"%systemroot%", "\\windows"},
             {"%programfiles%", "\\program files"},
             {"%programfiles(x86)%", "\\program files (x86)"},
             {"%systemdrive%", ""}};
  for (size_t k = 0; k < sizeof env / sizeof env[0]; k++) {
    size_t l = strlen(env[k].var);
    if (exh__strnieq(in, env[k].var, l)) {
      o = (size_t)snprintf(tmp, sizeof tmp, "%s", env[k].to);
      in += l;
      break;
    }
  }
  for (; *in && o + 1 < sizeof tmp; in++) {
    char c = *in == '/' ? '\\' : (char)exh_lower((unsigned char)*in);
    if (c == '\\' && o && tmp[o - 1] == '\\') continue;
    tmp[o++] = c;
  }
  while (o && (tmp[o - 1] == ' ' || tmp[o - 1] == '"' || tmp[o - 1] == '\t')) o--;
  tmp[o] = 0;
  const char *s = tmp;
  if (!strncmp(s, "\\?\\", 3)) s += 3; /* "\\?\C:\..." collapsed */
  if (s[0] && s[1] == ':') s += 2;
  snprintf(out, outn, "%s", s);
}

enum { PLACE_OTHER, PLACE_INETSRV, PLACE_DOTNET, PLACE_EXCHANGE };

static int place_of(const char *img) {
  if (strstr(img, "\\..\\") || strstr(img, "\\.\\")) return PLACE_OTHER;
  const char *slash = strrchr(img, '\\');
  if (!slash) return PLACE_OTHER; /* a bare name: found on the DLL search path */
  size_t dn = (size_t)(slash - img);
  if ((dn == 25 && !strncmp(img, "\\windows\\system32\\inetsrv", 25)) ||
      (dn == 25 && !strncmp(img, "\\windows\\syswow64\\inetsrv", 25)))
    return PLACE_INETSRV;
  if (!strncmp(img, "\\windows\\microsoft.net\\framework\\", 33) ||
      !strncmp(img, "\\windows\\microsoft.net\\framework64\\", 35))
    return PLACE_DOTNET;
  if (strstr(img, "\\exchange server\\v1")) return PLACE_EXCHANGE;
  return PLACE_OTHER;
}

/* Each entry of data/iis-modules.txt of a kind ("native", "managed",
 * "token"): 1 when fn accepts one. */
typedef int (*entry_fn)(exh_str a, exh_str rest, const void *arg);

static int known(const char *kind, entry_fn fn, const void *arg) {
  const char *t = exh__iis_modules_texts[0];
  size_t n = exh__iis_modules_sizes[0], kl = strlen(kind);
  for (size_t i = 0; i < n;) {
    const char *e = memchr(t + i, '\n', n - i);
    size_t le = e ? (size_t)(e - t) : n;
    exh_str l = exh__trim((exh_str){t + i, le - i});
    i = le + 1;
    if (l.n <= kl + 1 || memcmp(l.p, kind, kl) || l.p[kl] != ' ') continue;
    exh_str r = exh__trim((exh_str){l.p + kl + 1, l.n - kl - 1});
    const char *sp = memchr(r.p, ' ', r.n);
    exh_str a = sp ? (exh_str){r.p, (size_t)(sp - r.p)} : r;
    exh_str rest = sp ? exh__trim((exh_str){sp + 1, r.n - (size_t)(sp - r.p) - 1}) : (exh_str){r.p + r.n, 0};
    if (fn(a, rest, arg)) return 1;
  }
  return 0;
}

typedef struct native_q {
  const char *name, *img; /* img normalised */
} native_q;

static int native_match(exh_str a, exh_str rest, const void *arg) {
  const native_q *q = arg;
  if (a.n != strlen(q->name) || !exh__strnieq(a.p, q->name, a.n)) return 0;
  char want[512], raw[512];
  snprintf(raw, sizeof raw, "%.*s", (int)rest.n, rest.p);
  if (!strncmp(raw, "<exchange>", 10)) { /* wherever Exchange is installed */
    norm_image(raw + 10, want, sizeof want);
    size_t wl = strlen(want), il = strlen(q->img);
    if (il <= wl || strcmp(q->img + il - wl, want)) return 0;
    char *before = exh__xstrndup(q->img, il - wl);
    int ok = strstr(before, "exchange") != NULL;
    free(before);
    return ok;
  }
  norm_image(raw, want, sizeof want);
  return !strcmp(want, q->img);
}

static int managed_match(exh_str a, exh_str rest, const void *arg) {
  (void)rest;
  const char *type = arg;
  return a.n == strlen(type) && exh__strnieq(a.p, type, a.n);
}

static int token_match(exh_str a, exh_str rest, const void *arg) {
  (void)rest;
  const char *tok = arg;
  return a.n == strlen(tok) && exh__strnieq(a.p, tok, a.n);
}

/* ---- registrations and findings -------------------------------------------- */

#define DEPTH 64

typedef struct reader {
  exh_worker *wk;
  exh_evidence *ev;
  exh_xml x;
  exh_str stack[DEPTH];   /* element names from the top */
  exh_str location[DEPTH]; /* <location path> at that depth, or {NULL, 0} */
  size_t depth;            /* may pass DEPTH: deeper names are not kept */
} reader;

static exh_str at(const reader *r, size_t d) { return d < DEPTH ? r->stack[d] : (exh_str){"", 0}; }

/* The innermost <location path> around the current element, decoded. */
static void location_of(const reader *r, char *out, size_t outn) {
  out[0] = 0;
  for (size_t d = r->depth < DEPTH ? r->depth : DEPTH; d-- > 0;)
    if (r->location[d].p) {
      exh__xml_decode(r->location[d], out, outn);
      return;
    }
}

static void finding(reader *r, const exh_rule_info *ri, const char *section, const char *name, const char *what,
                    const char *value, const char *why) {
  exh_finding *f = exh__evidence_new_finding(r->wk, r->ev);
  if (!f) return;
  char loc[256];
  location_of(r, loc, sizeof loc);
  f->rule = ri;
  f->level = ri->level;
  f->server = r->ev->server;
  f->dataset = ri->dataset;
  f->time_ms = r->ev->mtime_ms;
  f->path = exh__xstrdup(r->ev->path);
  f->line = r->x.tok_line;
  f->offset = r->x.tok_off;
  size_t en = r->x.tok_len > EXH_EVIDENCE_MAX ? EXH_EVIDENCE_MAX : r->x.tok_len;
  f->evidence = exh__xstrndup(r->x.p + r->x.tok_off, en);
  f->evidence_len = en;
  f->evidence_truncated = en < r->x.tok_len;
  f->message = exh__xasprintf("%s: %s line %llu: <%s> module '%s' %s=\"%s\"%s%s%s (%s)", ri->title,
                              r->ev->rel[0] ? r->ev->rel : r->ev->path, (unsigned long long)r->x.tok_line, section,
                              name, what, value, loc[0] ? " in <location path=\"" : "", loc, loc[0] ? "\">" : "", why);
}

static void native_module(reader *r, const char *name, const char *image) {
  char img[1024];
  norm_image(image, img, sizeof img);
  native_q q = {name, img};
  if (known("native", native_match, &q)) return;
  int place = place_of(img);
  if (place == PLACE_OTHER)
    finding(r, &exh__rule_iis_native_outside, "globalModules", name, "image", image,
            "outside IIS's, .NET's and Exchange's folders");
  else
    finding(r, &exh__rule_iis_native_unknown, "globalModules", name, "image", image,
            place == PLACE_INETSRV    ? "in inetsrv, not one of IIS's modules"
            : place == PLACE_DOTNET   ? "in a .NET Framework folder, not one of ASP.NET's modules"
                                      : "in the Exchange install, not one of Exchange's modules");
}

static void managed_module(reader *r, const char *section, const char *name, const char *type) {
  const char *comma = strchr(type, ',');
  if (!comma) {
    exh_str cls = exh__trim((exh_str){type, strlen(type)});
    char c[512];
    snprintf(c, sizeof c, "%.*s", (int)cls.n, cls.p);
    if (known("managed", managed_match, c)) return;
    finding(r, &exh__rule_iis_managed_foreign, section, name, "type", type,
            "no assembly named: loaded from the application's bin or App_Code folder, not signed");
    return;
  }
  const char *pk = exh__memimem(comma, strlen(comma), "publickeytoken", 14);
  char tok[64] = "";
  if (pk) {
    pk += 14;
    while (*pk == ' ' || *pk == '\t') pk++;
    if (*pk == '=') {
      pk++;
      while (*pk == ' ' || *pk == '\t') pk++;
      size_t k = 0;
      while (pk[k] && pk[k] != ',' && pk[k] != ' ' && pk[k] != '\t' && k + 1 < sizeof tok) tok[k] = pk[k], k++;
      tok[k] = 0;
    }
  }
  if (tok[0] && exh__strieq((exh_str){tok, strlen(tok)}, "null") == 0 && known("token", token_match, tok)) return;
  finding(r, &exh__rule_iis_managed_foreign, section, name, "type", type,
          !tok[0] || exh__strieq((exh_str){tok, strlen(tok)}, "null") ? "assembly without a strong name"
                                                                       : "public key token not Microsoft's");
}

/* An <add> element: a registration when its parent says so. */
static void on_add(reader *r) {
  exh_str parent = r->depth ? at(r, r->depth - 1) : (exh_str){"", 0};
  int global = exh__strieq(parent, "globalModules"), modules = exh__strieq(parent, "modules"),
      http = exh__strieq(parent, "httpModules");
  if (!global && !modules && !http) return;
  const exh_str *nv = exh__xml_attr(&r->x, "name"), *iv = exh__xml_attr(&r->x, "image"),
                *tv = exh__xml_attr(&r->x, "type");
  char name[512] = "", val[1024];
  if (nv) exh__xml_decode(*nv, name, sizeof name);
  if (global) {
    r->ev->records++;
    exh__xml_decode(iv ? *iv : (exh_str){"", 0}, val, sizeof val);
    native_module(r, name, val);
  } else if (tv) { /* a module of <modules> without a type enables a global one by name */
    r->ev->records++;
    exh__xml_decode(*tv, val, sizeof val);
    managed_module(r, modules ? "modules" : "httpModules", name, val);
  }
}

void exh__iisconfig_scan_buf(exh_worker *wk, exh_evidence *ev, const char *p, size_t n) {
  reader *r = exh__xcalloc(1, sizeof *r);
  r->wk = wk;
  r->ev = ev;
  exh__xml_init(&r->x, p, n);
  while (exh__xml_next(&r->x)) {
    exh_xml *x = &r->x;
    if (x->type == EXH_XML_CLOSE) {
      /* to the matching open element; an unmatched end is ignored */
      if (r->depth > DEPTH) { /* inside levels not kept: each end closes one */
        r->depth--;
        continue;
      }
      for (size_t d = r->depth; d-- > 0;)
        if (r->stack[d].n == x->name.n && exh__strnieq(r->stack[d].p, x->name.p, x->name.n)) {
          r->depth = d;
          break;
        }
      continue;
    }
    if (exh__strieq(x->name, "add")) on_add(r);
    if (x->self_closing || x->truncated) continue;
    if (r->depth < DEPTH) {
      r->stack[r->depth] = x->name;
      const exh_str *lp = exh__strieq(x->name, "location") ? exh__xml_attr(x, "path") : NULL;
      r->location[r->depth] = lp ? *lp : (exh_str){NULL, 0};
    }
    r->depth++;
  }
  if (r->x.truncated) exh__evidence_error(ev, "the configuration ends inside an element, comment or value: read as far as it goes");
  free(r);
}

/* ---- reading ------------------------------------------------------------- */

static void scan(exh_worker *wk, exh_evidence *ev, exh_source *src) {
  int web = ev->sub[0] != 0; /* a web.config: a file of its web folder too */
  uint64_t ccap = wk->lim->max_content_bytes;
  if (web && src->pread && src->size != EXH_SIZE_UNKNOWN && src->size > ccap) {
    exh__detect_content_source(wk, ev, src); /* the header checks by positioned reads */
    web = 0;
  }
  size_t cap = EXH_IISCONFIG_MAX;
  if (web && ccap > cap) cap = (size_t)ccap;
  char *buf;
  size_t n;
  int r = exh__source_slurp(src, cap, &buf, &n);
  if (r < 0) {
    exh__evidence_error(ev, "%s", src->why[0] ? src->why : "read error");
    return;
  }
  if (web) exh__detect_content_read(wk, ev, src, buf, n, r == 1);
  size_t m = n > EXH_IISCONFIG_MAX ? EXH_IISCONFIG_MAX : n;
  exh__iisconfig_scan_buf(wk, ev, buf, m);
  if (r == 1 || m < n)
    exh__evidence_error(ev, "IIS configuration larger than %zu bytes: its modules read in the first %zu",
                        (size_t)EXH_IISCONFIG_MAX, (size_t)EXH_IISCONFIG_MAX);
  free(buf);
}

const exh_format exh__format_iisconfig = {
    "iisconfig", {EXH_KIND_IISCONFIG, EXH_KIND_NONE}, by_path, NULL, scan, NULL, NULL, NULL, 0, 0, NULL,
};
