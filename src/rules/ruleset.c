/* The rule set: loading YAML files, interning field names, and building the
 * per-log-kind execution plans (prefilter + rules that need every record). */
#include <dirent.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../detect/yara.h"
#include "../ioc/chirp.h"
#include "../ioc/ioc.h"
#include "../platform/platform.h"
#include "sigma_int.h"

/* Rule files larger than this are refused: no Sigma rule comes close, and a
 * YAML bomb should not be parsed at all. */
#define EXH_RULE_FILE_MAX (1u << 20)

struct exh_ruleset {
  exh_rule **rules;
  size_t n, cap;
  char **fields; /* interned, original spelling of the first use */
  size_t nfields, capf;
  exh_reject_fn rej;
  void *rejctx;
  size_t nrejected;
  int compiled;
  size_t unfiltered;
  exh_kind_plan plans[EXH_KIND_COUNT];
  int *fhash; /* open addressing: lowercased field name -> field id */
  size_t fhash_cap;
  /* content rules and indicators (detect/content.c reads them) */
  exh_yara *yara;
  exh_iocset *iocs;
  exh_baseline *base;
};

static uint32_t fnv_lower(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ exh_lower((unsigned char)s[i])) * 16777619u;
  return h;
}

int exh_ruleset_field_lookup(const exh_ruleset *rs, const char *name, size_t n) {
  if (!rs->fhash) return -1;
  size_t mask = rs->fhash_cap - 1;
  for (size_t i = fnv_lower(name, n) & mask;; i = (i + 1) & mask) {
    int f = rs->fhash[i];
    if (f < 0) return -1;
    if (strlen(rs->fields[f]) == n && exh_strnieq(rs->fields[f], name, n)) return f;
  }
}

static const char *const virtual_names[EXH_VF_COUNT] = {"LogFolder", "RawRecord", "exhunt-full-uri"};

/* Field aliases for W3C logs: SigmaHQ's webserver names -> IIS columns. */
static const struct {
  const char *sigma, *column;
} w3c_alias[] = {
    {"cs-user-agent", "cs(User-Agent)"}, {"cs-referer", "cs(Referer)"}, {"cs-referrer", "cs(Referer)"},
    {"cs-cookie", "cs(Cookie)"},         {"cs-host", "cs(Host)"},        {"cs-uri-stem", "cs-uri"},
    {"c-useragent", "cs(User-Agent)"},   {"c-uri", "exhunt-full-uri"},
};

exh_err exh_ruleset_new(exh_ruleset **out) {
  exh_ruleset *rs = exh_xcalloc(1, sizeof *rs);
  for (int i = 0; i < EXH_VF_COUNT; i++) exh_ruleset_intern(rs, virtual_names[i], strlen(virtual_names[i]));
  /* Columns the scanner reads for a finding's ECS entities (scan_exlog.c). */
  static const char *const entity_fields[] = {
      "ClientIpAddress", "UserAgent",   "AuthenticatedUser", "Method",      "HttpStatus",      "UrlStem",
      "UrlQuery",        "c-ip",        "cs(User-Agent)",    "cs-username", "cs-method",       "sc-status",
      "SubjectUserName", "User",        "IpAddress",         "SourceIp",    "TargetUserName",  "Image",
      "CommandLine",     "ParentImage"};
  for (size_t i = 0; i < sizeof entity_fields / sizeof entity_fields[0]; i++)
    exh_ruleset_intern(rs, entity_fields[i], strlen(entity_fields[i]));
  *out = rs;
  return EXH_OK;
}

void exh_ruleset_free(exh_ruleset *rs) {
  if (!rs) return;
  for (size_t i = 0; i < rs->n; i++) exh_sigma_rule_free(rs->rules[i]);
  free(rs->rules);
  for (size_t i = 0; i < rs->nfields; i++) free(rs->fields[i]);
  free(rs->fields);
  free(rs->fhash);
  for (int k = 0; k < EXH_KIND_COUNT; k++) {
    exh_pf_free(rs->plans[k].pf);
    free(rs->plans[k].always);
  }
  exh_yara_free(rs->yara);
  exh_iocset_free(rs->iocs);
  exh_baseline_free(rs->base);
  free(rs);
}

void exh_ruleset_on_reject(exh_ruleset *rs, exh_reject_fn fn, void *ctx) {
  rs->rej = fn;
  rs->rejctx = ctx;
}

int exh_ruleset_field_id(const exh_ruleset *rs, const char *name) {
  exh_str s = {name, strlen(name)};
  for (size_t i = 0; i < rs->nfields; i++)
    if (exh_strieq(s, rs->fields[i])) return (int)i;
  return -1;
}

int exh_ruleset_intern(exh_ruleset *rs, const char *name, size_t n) {
  exh_str s = {name, n};
  for (size_t i = 0; i < rs->nfields; i++)
    if (exh_strieq(s, rs->fields[i])) return (int)i;
  EXH_VEC_RESERVE(rs->fields, rs->capf, rs->nfields + 1);
  rs->fields[rs->nfields] = exh_xstrndup(name, n);
  return (int)rs->nfields++;
}

size_t exh_ruleset_nfields(const exh_ruleset *rs) { return rs->nfields; }
const char *exh_ruleset_field_name(const exh_ruleset *rs, int fid) {
  return fid >= 0 && (size_t)fid < rs->nfields ? rs->fields[fid] : "";
}

static int find_col(const exh_str *names, int nnames, const char *name) {
  for (int c = 0; c < nnames; c++)
    if (exh_strieq(exh_trim(names[c]), name)) return c;
  return -1;
}

void exh_ruleset_map_header(const exh_ruleset *rs, exh_kind kind, const exh_str *names, int nnames,
                            int *fmap) {
  int w3c = exh_kind_is_w3c(kind);
  for (size_t f = 0; f < rs->nfields; f++) {
    fmap[f] = -1;
    if (f < EXH_VF_COUNT) continue;
    const char *name = rs->fields[f];
    /* SigmaHQ's web rules put path pieces in cs-uri-query: it means the
     * whole URI on W3C logs (docs/sigma.md) */
    if (w3c && (!strcasecmp(name, "cs-uri-query") || !strcasecmp(name, "cs-uri"))) {
      fmap[f] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
      continue;
    }
    fmap[f] = find_col(names, nnames, name);
    if (fmap[f] >= 0 || !w3c) continue;
    for (size_t a = 0; a < sizeof w3c_alias / sizeof w3c_alias[0]; a++) {
      if (strcasecmp(name, w3c_alias[a].sigma)) continue;
      if (!strcmp(w3c_alias[a].column, "exhunt-full-uri")) fmap[f] = EXH_FMAP_VIRT(EXH_VF_FULLURI);
      else fmap[f] = find_col(names, nnames, w3c_alias[a].column);
      if (fmap[f] != -1) break;
    }
  }
}

int exh_record_get(const exh_record *r, int fid, exh_str *out) {
  if (fid < EXH_VF_COUNT) {
    if (fid < 0 || !r->virt[fid].p) return 0;
    *out = r->virt[fid];
    return 1;
  }
  if (fid >= r->nfmap) return 0;
  int c = r->fmap[fid];
  if (c <= -2) { /* served from a virtual field */
    int vf = -2 - c;
    if (vf >= EXH_VF_COUNT || !r->virt[vf].p) return 0;
    *out = r->virt[vf];
    return 1;
  }
  if (c < 0 || c >= r->ncols) return 0;
  exh_str v = r->cols[c];
  if (r->qflags && r->qflags[c] && r->scratch) {
    /* undo CSV quote doubling */
    r->scratch->n = 0;
    for (size_t i = 0; i < v.n; i++) {
      exh_buf_addc(r->scratch, v.p[i]);
      if (v.p[i] == '"' && i + 1 < v.n && v.p[i + 1] == '"') i++;
    }
    v = (exh_str){r->scratch->p ? r->scratch->p : "", r->scratch->n};
  }
  *out = v;
  return 1;
}

static void reject(exh_ruleset *rs, const char *source, const char *title, const char *why) {
  rs->nrejected++;
  if (rs->rej) rs->rej(rs->rejctx, source, title, why);
}

/* Best-effort title for a rejection message. */
static char *doc_title(yaml_document_t *d) {
  yaml_node_t *root = yaml_document_get_root_node(d);
  if (!root || root->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(d, p->key), *v = yaml_document_get_node(d, p->value);
    if (k && k->type == YAML_SCALAR_NODE && v && v->type == YAML_SCALAR_NODE &&
        !strcmp((char *)k->data.scalar.value, "title"))
      return exh_xstrdup((char *)v->data.scalar.value);
  }
  return NULL;
}

exh_err exh_ruleset_add_yaml(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  if (rs->compiled) return EXH_EARG;
  if (len > EXH_RULE_FILE_MAX) {
    reject(rs, source, NULL, "rule file larger than 1 MiB");
    return EXH_ERULE;
  }
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return EXH_ENOMEM;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  exh_err rc = EXH_OK;
  int ndocs = 0;
  for (;;) {
    yaml_document_t doc;
    if (!yaml_parser_load(&parser, &doc)) {
      char why[256];
      snprintf(why, sizeof why, "YAML error at line %zu: %s", (size_t)parser.problem_mark.line + 1,
               parser.problem ? parser.problem : "unknown");
      reject(rs, source, NULL, why);
      rc = EXH_ERULE;
      break;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
      yaml_document_delete(&doc);
      break;
    }
    ndocs++;
    char why[256] = "";
    exh_rule *r = exh_sigma_compile_doc(rs, &doc, source, why, sizeof why);
    if (r) {
      EXH_VEC_RESERVE(rs->rules, rs->cap, rs->n + 1);
      rs->rules[rs->n++] = r;
    } else {
      char *t = doc_title(&doc);
      reject(rs, source, t, why);
      free(t);
      rc = EXH_ERULE;
    }
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  if (ndocs == 0 && rc == EXH_OK) {
    reject(rs, source, NULL, "no YAML document");
    rc = EXH_ERULE;
  }
  return rc;
}

static exh_err add_file(exh_ruleset *rs, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    reject(rs, path, NULL, "cannot open");
    return EXH_EIO;
  }
  exh_buf b = {0};
  char tmp[65536];
  size_t got;
  while ((got = fread(tmp, 1, sizeof tmp, f)) > 0) {
    exh_buf_add(&b, tmp, got);
    if (b.n > EXH_RULE_FILE_MAX) break;
  }
  fclose(f);
  exh_err rc = exh_ruleset_add_yaml(rs, path, b.p ? b.p : "", b.n);
  exh_buf_free(&b);
  return rc;
}

/* Adds every file with one of `exts` below a path (or the path itself if
 * it is a file), in name order, at most 32 folders deep. Links are
 * followed here: rule folders are the user's own, not evidence. */
typedef exh_err (*rule_file_fn)(exh_ruleset *rs, const char *path);

static int has_ext(const char *name, const char *const *exts) {
  size_t n = strlen(name);
  for (; *exts; exts++) {
    size_t e = strlen(*exts);
    if (n > e && !strcasecmp(name + n - e, *exts)) return 1;
  }
  return 0;
}

static exh_err add_rule_tree(exh_ruleset *rs, const char *path, int depth, const char *const *exts, rule_file_fn fn) {
  struct stat st;
  if (stat(path, &st) != 0) {
    reject(rs, path, NULL, "cannot stat");
    return EXH_EIO;
  }
  if (!S_ISDIR(st.st_mode)) return fn(rs, path);
  if (depth > 32) return EXH_ELIMIT;
  char why[256];
  size_t n;
  char **names = exh_list_dir_sorted(path, &n, why, sizeof why);
  if (!names) {
    reject(rs, path, NULL, why);
    return EXH_EIO;
  }
  exh_err rc = EXH_OK;
  for (size_t i = 0; i < n; i++) {
    char *cp = exh_xasprintf("%s/%s", path, names[i]);
    struct stat s2;
    exh_err r = EXH_OK;
    if (names[i][0] != '.' && stat(cp, &s2) == 0) {
      if (S_ISDIR(s2.st_mode)) r = add_rule_tree(rs, cp, depth + 1, exts, fn);
      else if (has_ext(names[i], exts)) r = fn(rs, cp);
    }
    if (r != EXH_OK && rc == EXH_OK) rc = r;
    free(cp);
    free(names[i]);
  }
  free(names);
  return rc;
}

static const char *const yaml_exts[] = {".yml", ".yaml", NULL};

exh_err exh_ruleset_add_path(exh_ruleset *rs, const char *path) {
  if (rs->compiled) return EXH_EARG;
  return add_rule_tree(rs, path, 0, yaml_exts, add_file);
}

/* Generated at build time from rules/ (tools/embed). */
extern const char *const exh_builtin_rule_names[];
extern const char *const exh_builtin_rule_texts[];
extern const size_t exh_builtin_rule_sizes[];
extern const size_t exh_builtin_rule_count;

exh_err exh_ruleset_add_builtin(exh_ruleset *rs) {
  exh_err rc = EXH_OK;
  for (size_t i = 0; i < exh_builtin_rule_count; i++) {
    char src[256];
    snprintf(src, sizeof src, "builtin:%s", exh_builtin_rule_names[i]);
    size_t nl = strlen(src);
    exh_err r;
    if (nl > 4 && !strcmp(src + nl - 4, ".yar"))
      r = exh_ruleset_add_yara_text(rs, src, exh_builtin_rule_texts[i], exh_builtin_rule_sizes[i]);
    else
      r = exh_ruleset_add_yaml(rs, src, exh_builtin_rule_texts[i], exh_builtin_rule_sizes[i]);
    if (r != EXH_OK) rc = r;
  }
  return rc;
}

/* ---- content rules, indicators, baselines -------------------------------- */

static void yara_reject(void *ctx, const char *source, const char *why) {
  exh_ruleset *rs = ctx;
  rs->nrejected++;
  if (rs->rej) rs->rej(rs->rejctx, source, "", why);
}

exh_err exh_ruleset_add_yara_text(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  if (rs->compiled) return EXH_EARG;
  if (!rs->yara) rs->yara = exh_yara_new(yara_reject, rs);
  if (!rs->yara) return EXH_ENOMEM;
  return exh_yara_add(rs->yara, source, text, len) ? EXH_ERULE : EXH_OK;
}

/* Reads a whole (small) file: rule and indicator files only. */
static char *slurp(exh_ruleset *rs, const char *path, size_t max, size_t *n) {
  exh_map m;
  char why[256];
  if (exh_map_open(&m, path, why, sizeof why)) {
    yara_reject(rs, path, why);
    return NULL;
  }
  if (m.size > max) {
    snprintf(why, sizeof why, "larger than %zu MiB: refused", max >> 20);
    exh_map_close(&m);
    yara_reject(rs, path, why);
    return NULL;
  }
  char *t = exh_xstrndup(m.data, m.size);
  *n = m.size;
  exh_map_close(&m);
  return t;
}

static exh_err add_yara_file(exh_ruleset *rs, const char *path) {
  size_t n;
  char *t = slurp(rs, path, 16u << 20, &n);
  if (!t) return EXH_EIO;
  exh_err r = exh_ruleset_add_yara_text(rs, path, t, n);
  free(t);
  return r;
}

static const char *const yara_exts[] = {".yar", ".yara", NULL};

exh_err exh_ruleset_add_yara_path(exh_ruleset *rs, const char *path) {
  if (rs->compiled) return EXH_EARG;
  if (!exh_yara_available()) {
    yara_reject(rs, path, "YARA support not built in (EXH_WITH_YARA=OFF)");
    return EXH_EUNSUPPORTED;
  }
  return add_rule_tree(rs, path, 0, yara_exts, add_yara_file);
}

/* CISA CHIRP files: network addresses become IP indicators, YARA rules for
 * files join the YARA set; rules meant for log lines and event queries are
 * named as not used (exhunt's own Sigma rules read those logs and events). */
typedef struct chirp_ctx {
  exh_ruleset *rs;
  const char *source;
  size_t ips, rules, unused;
  exh_buf names;
} chirp_ctx;

static void on_chirp(void *vctx, const exh_chirp_doc *d, int index) {
  chirp_ctx *c = vctx;
  char src[600], why[256];
  snprintf(src, sizeof src, "%s#%d %s", c->source, index + 1, d->name ? d->name : "");
  int used = 0;
  if (!strcmp(d->ioc_type, "network") && d->ips) {
    size_t skipped = 0;
    long n = exh_iocset_load(c->rs->iocs, src, d->ips, strlen(d->ips), &skipped, why, sizeof why);
    if (n > 0) c->ips += (size_t)n, used = 1;
  } else if (!strcmp(d->ioc_type, "yara") && d->rule && d->files && exh_yara_available()) {
    size_t fl = strlen(d->files);
    int for_logs = exh_memimem(d->files, fl, "LogFiles", 8) || exh_memimem(d->files, fl, "\\Logging\\", 9) ||
                   exh_memimem(d->files, fl, ".log", 4);
    if (!for_logs && exh_ruleset_add_yara_text(c->rs, src, d->rule, strlen(d->rule)) == EXH_OK) c->rules++, used = 1;
  }
  if (!used) {
    c->unused++;
    if (c->names.n < 400) exh_buf_printf(&c->names, "%s%s (%s)", c->names.n ? "; " : "", d->name ? d->name : "?",
                                         d->ioc_type);
  }
}

exh_err exh_ruleset_add_ioc_text(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  if (rs->compiled) return EXH_EARG;
  if (!rs->iocs) rs->iocs = exh_iocset_new();
  char why[256];
  size_t lead = 0;
  while (lead < len && (text[lead] == ' ' || text[lead] == '\n' || text[lead] == '\r' || text[lead] == '\t')) lead++;
  if ((lead >= len || text[lead] != '{') && exh_chirp_sniff(text, len)) {
    chirp_ctx c = {rs, source, 0, 0, 0, {0}};
    if (exh_chirp_parse(text, len, on_chirp, &c, why, sizeof why) < 0) {
      exh_buf_free(&c.names);
      yara_reject(rs, source, why);
      return EXH_EPARSE;
    }
    if (c.unused && rs->rej) {
      char msg[600];
      snprintf(msg, sizeof msg,
               "CHIRP: %zu addresses and %zu YARA rules used; %zu indicators not used (log-line rules and event "
               "queries: exhunt's own rules read those logs and events): %s",
               c.ips, c.rules, c.unused, c.names.p ? c.names.p : "");
      rs->rej(rs->rejctx, source, EXH_REJECT_NOTE, msg);
    }
    exh_buf_free(&c.names);
    return EXH_OK;
  }
  size_t skipped = 0;
  long n = exh_iocset_load(rs->iocs, source, text, len, &skipped, why, sizeof why);
  if (n < 0) {
    yara_reject(rs, source, why);
    return EXH_EPARSE;
  }
  if (skipped && rs->rej) {
    snprintf(why, sizeof why, "%zu entries not usable as indicators (type unknown or malformed); %ld loaded",
             skipped, n);
    rs->rej(rs->rejctx, source, EXH_REJECT_NOTE, why);
  }
  return EXH_OK;
}

exh_err exh_ruleset_add_ioc_file(exh_ruleset *rs, const char *path) {
  size_t n;
  char *t = slurp(rs, path, 256u << 20, &n);
  if (!t) return EXH_EIO;
  exh_err r = exh_ruleset_add_ioc_text(rs, path, t, n);
  free(t);
  return r;
}

exh_err exh_ruleset_add_baseline_file(exh_ruleset *rs, const char *path) {
  if (rs->compiled) return EXH_EARG;
  size_t n;
  char *t = slurp(rs, path, 256u << 20, &n);
  if (!t) return EXH_EIO;
  if (!rs->base) rs->base = exh_baseline_new();
  char why[512];
  long r = exh_baseline_load(rs->base, path, t, n, why, sizeof why);
  free(t);
  if (r < 0) {
    yara_reject(rs, path, why);
    return EXH_EPARSE;
  }
  return EXH_OK;
}

const exh_yara *exh_ruleset_yara(const exh_ruleset *rs) { return rs->yara; }
const exh_rule_info *exh_ruleset_yara_rule(const exh_ruleset *rs, size_t i) {
  return rs->yara && i < exh_yara_count(rs->yara) ? exh_yara_rule(rs->yara, i) : NULL;
}
const exh_iocset *exh_ruleset_iocs(const exh_ruleset *rs) { return rs->iocs; }
const exh_baseline *exh_ruleset_baseline(const exh_ruleset *rs) { return rs->base; }

void exh_ruleset_content_counts(const exh_ruleset *rs, size_t *yara_rules, size_t *iocs, size_t *baseline_rows) {
  size_t n = 0;
  for (int t = 0; t < EXH_IOC_NTYPES; t++) n += exh_iocset_count(rs->iocs, (exh_ioc_type)t);
  if (yara_rules) *yara_rules = exh_yara_count(rs->yara);
  if (iocs) *iocs = n;
  if (baseline_rows) *baseline_rows = exh_baseline_count(rs->base);
}

/* IP indicators become Sigma rules on the client address of every log, so
 * they ride the same literal prefilter as the other rules. */
static void add_ip_rules(exh_ruleset *rs) {
  if (!exh_iocset_count(rs->iocs, EXH_IOC_IP)) return;
  exh_buf list = {0};
  for (size_t i = 0;; i++) {
    const exh_ioc *io = exh_iocset_nth(rs->iocs, EXH_IOC_IP, i);
    if (!io) break;
    int ok = 1;
    for (const char *c = io->value; *c; c++)
      if (!((*c >= '0' && *c <= '9') || ((*c | 32) >= 'a' && (*c | 32) <= 'f') || *c == '.' || *c == ':')) ok = 0;
    if (ok) exh_buf_printf(&list, "      - '%s'\n", io->value);
  }
  if (!list.n) return;
  static const struct {
    const char *id, *logsource, *field, *dataset;
  } src[] = {
      {"exhunt-ioc-ip-exchange", "product: exchange", "ClientIpAddress", "Exchange logs"},
      {"exhunt-ioc-ip-web", "category: webserver", "c-ip", "IIS logs"},
      {"exhunt-ioc-ip-security", "product: windows\n  service: security", "IpAddress", "Security events"},
  };
  for (size_t k = 0; k < sizeof src / sizeof src[0]; k++) {
    char *y = exh_xasprintf("title: 'IOC: client address on an indicator list (%s)'\n"
                            "id: %s\n"
                            "description: A request or logon came from an address listed in a loaded IOC set.\n"
                            "logsource:\n  %s\n"
                            "detection:\n  sel:\n    %s:\n%s  condition: sel\n"
                            "level: medium\n"
                            "tags:\n  - attack.initial_access\n  - attack.t1190\n",
                            src[k].dataset, src[k].id, src[k].logsource, src[k].field, list.p);
    exh_ruleset_add_yaml(rs, "builtin:ioc-addresses", y, strlen(y));
    free(y);
  }
  exh_buf_free(&list);
}

exh_err exh_ruleset_compile(exh_ruleset *rs) {
  if (rs->compiled) return EXH_OK;
  if (rs->iocs) {
    exh_iocset_finish(rs->iocs);
    add_ip_rules(rs);
  }
  if (rs->base) exh_baseline_finish(rs->base);
  if (rs->yara) {
    char why[600];
    if (exh_yara_compile(rs->yara, why, sizeof why)) {
      fprintf(stderr, "exhunt: cannot build the YARA rules: %s\n", why);
      return EXH_ERULE;
    }
  }
  rs->unfiltered = 0;
  for (size_t i = 0; i < rs->n; i++) {
    size_t ng;
    if (!exh_rule_literal_groups(rs->rules[i], &ng) && !exh_rule_applies(rs->rules[i], EXH_KIND_EVTX))
      rs->unfiltered++;
  }
  for (int k = 1; k <= EXH_KIND_EVTX; k++) {
    exh_kind_plan *pl = &rs->plans[k];
    exh_pf_lit *lits = NULL;
    size_t nl = 0, cap = 0;
    EXH_VEC_RESERVE(lits, cap, 1);
    /* logs: the header marker too; events have no header lines */
    if (k != EXH_KIND_EVTX) lits[nl++] = (exh_pf_lit){"#Fields:", 8, EXH_PF_ID_FIELDS};
    for (size_t i = 0; i < rs->n; i++) {
      const exh_rule *r = rs->rules[i];
      if (!exh_rule_applies(r, (exh_kind)k)) continue;
      pl->nrules++;
      size_t ng;
      const exh_rule_lits *rl = exh_rule_literal_groups(r, &ng);
      if (!rl) {
        pl->always = exh_xrealloc(pl->always, (pl->nalways + 1) * sizeof(uint32_t));
        pl->always[pl->nalways++] = (uint32_t)i;
        continue;
      }
      /* only the anchor group goes into the database */
      for (size_t j = 0; j < rl[0].n; j++) {
        EXH_VEC_RESERVE(lits, cap, nl + 1);
        lits[nl++] = (exh_pf_lit){rl[0].lits[j].p, rl[0].lits[j].n, EXH_PF_ID(i, 0)};
      }
    }
    char why[256];
    if (nl == 0) { /* events, no rule with literals: the always list is everything */
      free(lits);
      continue;
    }
    pl->pf = exh_pf_build(lits, nl, why, sizeof why);
    free(lits);
    if (!pl->pf) {
      fprintf(stderr, "exhunt: cannot build the prefilter: %s\n", why);
      return EXH_ERULE;
    }
  }
  rs->fhash_cap = 64;
  while (rs->fhash_cap < rs->nfields * 2) rs->fhash_cap *= 2;
  rs->fhash = exh_xmalloc(rs->fhash_cap * sizeof(int));
  for (size_t i = 0; i < rs->fhash_cap; i++) rs->fhash[i] = -1;
  for (size_t f = 0; f < rs->nfields; f++) {
    size_t mask = rs->fhash_cap - 1, i = fnv_lower(rs->fields[f], strlen(rs->fields[f])) & mask;
    while (rs->fhash[i] >= 0) i = (i + 1) & mask;
    rs->fhash[i] = (int)f;
  }
  rs->compiled = 1;
  return EXH_OK;
}

const exh_kind_plan *exh_ruleset_plan(const exh_ruleset *rs, exh_kind k) { return &rs->plans[k]; }
size_t exh_ruleset_count(const exh_ruleset *rs) { return rs->n; }
size_t exh_ruleset_rejected(const exh_ruleset *rs) { return rs->nrejected; }
size_t exh_ruleset_unfiltered(const exh_ruleset *rs) { return rs->unfiltered; }
const exh_rule_info *exh_ruleset_rule(const exh_ruleset *rs, size_t i) {
  return i < rs->n ? exh_rule_info_of(rs->rules[i]) : NULL;
}
const exh_rule *exh_ruleset_get(const exh_ruleset *rs, size_t i) { return i < rs->n ? rs->rules[i] : NULL; }

/* ---- small public helpers --------------------------------------------- */

const char *exh_strerror(exh_err e) {
  static const char *const msgs[EXH_ERR_LAST] = {
      [EXH_OK] = "no error",
      [EXH_ENOMEM] = "out of memory",
      [EXH_EIO] = "cannot open, read or map a file",
      [EXH_EPARSE] = "malformed input",
      [EXH_ERULE] = "a rule cannot be honoured",
      [EXH_EUNSUPPORTED] = "feature not built in",
      [EXH_EARG] = "bad argument",
      [EXH_ELIMIT] = "a resource limit was hit",
  };
  return (unsigned)e < EXH_ERR_LAST ? msgs[e] : "unknown error";
}

static const char *const level_names[] = {"informational", "low", "medium", "high", "critical"};

const char *exh_level_name(exh_level l) { return (unsigned)l <= EXH_LEVEL_CRITICAL ? level_names[l] : "?"; }

int exh_level_severity(exh_level l) {
  static const int sev[] = {21, 21, 47, 73, 99};
  return (unsigned)l <= EXH_LEVEL_CRITICAL ? sev[l] : 0;
}

int exh_level_parse(const char *s, exh_level *out) {
  for (int i = 0; i <= EXH_LEVEL_CRITICAL; i++)
    if (!strcasecmp(s, level_names[i])) {
      *out = (exh_level)i;
      return 0;
    }
  if (!strcasecmp(s, "info")) {
    *out = EXH_LEVEL_INFO;
    return 0;
  }
  return -1;
}

void exh_ruleset_describe_prefilter(const exh_ruleset *rs, size_t i, FILE *f) {
  if (i >= rs->n) return;
  size_t ng;
  const exh_rule_lits *g = exh_rule_literal_groups(rs->rules[i], &ng);
  if (!g) fputs("         prefilter: none (runs on every record)\n", f);
  for (size_t k = 0; k < ng; k++) {
    fputs(k ? "     and any of: " : "    prefilter any of: ", f);
    for (size_t j = 0; j < g[k].n; j++) {
      if (j) fputs(" | ", f);
      exh_term_str(f, g[k].lits[j].p, g[k].lits[j].n);
    }
    fputc('\n', f);
  }
}
