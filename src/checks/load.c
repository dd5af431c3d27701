/* Loading the content rules: YARA rules, indicator lists (MSTIC CSV, STIX
 * 2.1, CISA CHIRP, plain lists), CSS-Exchange baselines, and the rules
 * compiled into the binary (rules/). They are the checks' (the rule set
 * holds Sigma rules only); they ride on the public exh_ruleset handle as
 * an attachment the rule set never looks inside (rules.h), compiled first
 * when the set compiles: the indicators' IP addresses become three rules
 * whose one value is the set, tested by lookup. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/limits.h"
#include "../platform/platform.h"
#include "../rules/rules.h"
#include "../util/util.h"
#include "checks.h"
#include "chirp.h"
#include "ioc.h"
#include "yara.h"

typedef struct content {
  exh_yara *yara;
  exh_iocset *iocs;
  exh_baseline *base;
  size_t yara_bytes; /* YARA rule text added (EXH_YARA_TOTAL_MAX) */
  exh_valueset ips;  /* the IP indicators, as the IP rules test them */
} content;

static void content_free(void *p) {
  content *c = p;
  if (!c) return;
  exh__yara_free(c->yara);
  exh__iocset_free(c->iocs);
  exh__baseline_free(c->base);
  free(c);
}

static exh_err content_compile(exh_ruleset *rs, void *p);

/* The content rules of a set, attached on first use. */
static content *content_of(exh_ruleset *rs) {
  content *c = exh__ruleset_content(rs);
  if (!c) {
    c = exh__xcalloc(1, sizeof *c);
    exh__ruleset_attach_content(rs, c, content_free, content_compile);
  }
  return c;
}

static int ip_has(const void *set, const char *p, size_t n) { return exh__iocset_ip_has(set, p, n); }
static const exh_str *ip_literals(const void *set, size_t *n) { return exh__iocset_ip_literals(set, n); }

/* Generated at build time from rules/ (tools/embed). */
extern const char *const exh__builtin_rule_names[];
extern const char *const exh__builtin_rule_texts[];
extern const size_t exh__builtin_rule_sizes[];
extern const size_t exh__builtin_rule_count;

static int is_yara_name(const char *name) {
  size_t nl = strlen(name);
  return nl > 4 && !strcmp(name + nl - 4, ".yar");
}

static exh_err rs_add_builtin_(exh_ruleset *rs) {
  exh_err rc = EXH_OK;
  size_t prev = exh__ruleset_set_open(rs, "built-in", "compiled into exhunt", "exhunt " EXH_VERSION);
  /* the Sigma rules come first (rules/ sorted: yara/ last): they go in
   * together, through the compiled rule cache when there is one */
  size_t first = 0, ny = 0;
  while (ny < exh__builtin_rule_count && !is_yara_name(exh__builtin_rule_names[ny])) ny++;
  size_t k = ny;
  while (k < exh__builtin_rule_count && is_yara_name(exh__builtin_rule_names[k])) k++;
  if (k == exh__builtin_rule_count && ny > 0) {
    char **src = exh__xcalloc(ny, sizeof *src);
    for (size_t i = 0; i < ny; i++) src[i] = exh__xasprintf("builtin:%s", exh__builtin_rule_names[i]);
    rc = exh__ruleset_add_yaml_texts(rs, "built-in", (const char *const *)src, exh__builtin_rule_texts,
                                     exh__builtin_rule_sizes, ny);
    for (size_t i = 0; i < ny; i++) free(src[i]);
    free(src);
    first = ny;
  }
  for (size_t i = first; i < exh__builtin_rule_count; i++) {
    char src[256];
    snprintf(src, sizeof src, "builtin:%s", exh__builtin_rule_names[i]);
    size_t nl = strlen(src);
    exh_err r;
    if (nl > 4 && !strcmp(src + nl - 4, ".yar"))
      r = exh_ruleset_add_yara_text(rs, src, exh__builtin_rule_texts[i], exh__builtin_rule_sizes[i]);
    else
      r = exh_ruleset_add_yaml(rs, src, exh__builtin_rule_texts[i], exh__builtin_rule_sizes[i]);
    if (r != EXH_OK) rc = r;
  }
  exh__ruleset_set_restore(rs, prev);
  return rc;
}

exh_err exh_ruleset_add_builtin(exh_ruleset *rs) {
  EXH_RULESET_GUARDED(rs, 0, rs_add_builtin_(rs));
}


/* ---- content rules, indicators, baselines -------------------------------- */

static void yara_reject(void *ctx, const char *source, const char *why) {
  exh__ruleset_reject(ctx, source, "", why);
}

static exh_err rs_add_yara_text_(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  if (exh__ruleset_compiled(rs)) return EXH_EARG;
  if (len > EXH_YARA_TOTAL_MAX - content_of(rs)->yara_bytes) {
    char why[160];
    snprintf(why, sizeof why, "more than %u MiB of YARA rules in the set: not loaded",
             (unsigned)(EXH_YARA_TOTAL_MAX >> 20));
    yara_reject(rs, source, why);
    return EXH_ELIMIT;
  }
  if (!content_of(rs)->yara) {
    content_of(rs)->yara = exh__yara_new(yara_reject, rs);
    if (content_of(rs)->yara) exh__yara_use_cache(content_of(rs)->yara, rs);
  }
  if (!content_of(rs)->yara) return EXH_ENOMEM;
  if (exh__yara_add(content_of(rs)->yara, source, text, len)) return EXH_ERULE;
  content_of(rs)->yara_bytes += len;
  return EXH_OK;
}

exh_err exh_ruleset_add_yara_text(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  EXH_RULESET_GUARDED(rs, 0, rs_add_yara_text_(rs, source, text, len));
}


static exh_err add_yara_file(exh_ruleset *rs, const char *path) {
  char why[256];
  size_t n;
  char *t = exh__rules_read_user_file(path, EXH_YARA_FILE_MAX, &n, why, sizeof why);
  if (!t) {
    yara_reject(rs, path, why);
    return EXH_EIO;
  }
  exh_err r = exh_ruleset_add_yara_text(rs, path, t, n);
  free(t);
  return r;
}

static const char *const yara_exts[] = {".yar", ".yara", NULL};

static exh_err rs_add_yara_path_(exh_ruleset *rs, const char *path) {
  if (exh__ruleset_compiled(rs)) return EXH_EARG;
  char why[320];
  if (!exh__yara_available(why, sizeof why)) {
    yara_reject(rs, path, why);
    return EXH_EUNSUPPORTED;
  }
  return exh__ruleset_walk_files(rs, path, yara_exts, add_yara_file);
}

exh_err exh_ruleset_add_yara_path(exh_ruleset *rs, const char *path) {
  EXH_RULESET_GUARDED(rs, 0, rs_add_yara_path_(rs, path));
}


/* CISA CHIRP files: network addresses become IP indicators, YARA rules for
 * files join the YARA set; rules meant for log lines and event queries are
 * named as not used (exhunt's own Sigma rules read those logs and events). */
typedef struct chirp_ctx {
  exh_ruleset *rs;
  const char *source;
  size_t ips, rules, unused;
  exh_buf names;
  char failed[256]; /* an indicator limit was reached: the file is refused */
} chirp_ctx;

static void on_chirp(void *vctx, const exh_chirp_doc *d, int index) {
  chirp_ctx *c = vctx;
  char src[600], why[256];
  snprintf(src, sizeof src, "%s#%d %s", c->source, index + 1, d->name ? d->name : "");
  int used = 0;
  if (!strcmp(d->ioc_type, "network") && d->ips) {
    size_t skipped = 0;
    long n = c->failed[0] ? 0 : exh__iocset_load(content_of(c->rs)->iocs, src, d->ips, strlen(d->ips), &skipped, why, sizeof why);
    if (n > 0) c->ips += (size_t)n, used = 1;
    if (n < 0) snprintf(c->failed, sizeof c->failed, "%s", why);
  } else if (!strcmp(d->ioc_type, "yara") && d->rule && d->files && exh__yara_available(why, sizeof why)) {
    size_t fl = strlen(d->files);
    int for_logs = exh__memimem(d->files, fl, "LogFiles", 8) || exh__memimem(d->files, fl, "\\Logging\\", 9) ||
                   exh__memimem(d->files, fl, ".log", 4);
    if (!for_logs && exh_ruleset_add_yara_text(c->rs, src, d->rule, strlen(d->rule)) == EXH_OK) c->rules++, used = 1;
  }
  if (!used) {
    c->unused++;
    if (c->names.n < 400) exh__buf_printf(&c->names, "%s%s (%s)", c->names.n ? "; " : "", d->name ? d->name : "?",
                                         d->ioc_type);
  }
}

static exh_err rs_add_ioc_text_(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  if (exh__ruleset_compiled(rs)) return EXH_EARG;
  if (!content_of(rs)->iocs) content_of(rs)->iocs = exh__iocset_new();
  char why[256];
  size_t lead = 0;
  while (lead < len && (text[lead] == ' ' || text[lead] == '\n' || text[lead] == '\r' || text[lead] == '\t')) lead++;
  if ((lead >= len || text[lead] != '{') && exh__chirp_sniff(text, len)) {
    chirp_ctx c = {rs, source, 0, 0, 0, {0}, ""};
    if (exh__chirp_parse(text, len, on_chirp, &c, why, sizeof why) < 0 || c.failed[0]) {
      exh__buf_free(&c.names);
      yara_reject(rs, source, c.failed[0] ? c.failed : why);
      return EXH_EPARSE;
    }
    if (c.unused) {
      char msg[600];
      snprintf(msg, sizeof msg,
               "CHIRP: %zu addresses and %zu YARA rules used; %zu indicators not used (log-line rules and event "
               "queries: exhunt's own rules read those logs and events): %s",
               c.ips, c.rules, c.unused, c.names.p ? c.names.p : "");
      exh__ruleset_note(rs, source, msg);
    }
    exh__buf_free(&c.names);
    return EXH_OK;
  }
  size_t skipped = 0;
  long n = exh__iocset_load(content_of(rs)->iocs, source, text, len, &skipped, why, sizeof why);
  if (n < 0) {
    yara_reject(rs, source, why);
    return EXH_EPARSE;
  }
  if (skipped) {
    snprintf(why, sizeof why, "%zu entries not usable as indicators (type unknown or malformed); %ld loaded",
             skipped, n);
    exh__ruleset_note(rs, source, why);
  }
  return EXH_OK;
}

exh_err exh_ruleset_add_ioc_text(exh_ruleset *rs, const char *source, const char *text, size_t len) {
  EXH_RULESET_GUARDED(rs, 1, rs_add_ioc_text_(rs, source, text, len));
}


/* Line lists are read in blocks of this size and never held whole. */
#define IOC_BLOCK (1u << 20)

/* Reads until buf is full or the file ends: the count, or -1. */
static long read_block(exh_file *f, char *buf, size_t n, char *why, size_t whyn) {
  size_t got = 0;
  while (got < n) {
    long r = exh__file_read(f, buf + got, n - got, why, whyn);
    if (r < 0) return -1;
    if (r == 0) break;
    got += (size_t)r;
  }
  return (long)got;
}

/* Feeds the rest of f to a line load after its first block. */
static int feed_rest(exh_file *f, exh_ioc_lines *l, char *blk, long got, char *why, size_t whyn) {
  while (got > 0) {
    if (exh__iocset_lines_feed(l, blk, (size_t)got) < 0) return 0; /* the reason comes from _end */
    got = read_block(f, blk, IOC_BLOCK, why, whyn);
  }
  return got < 0 ? -1 : 0;
}

static exh_err rs_add_ioc_file_(exh_ruleset *rs, const char *path) {
  if (exh__ruleset_compiled(rs)) return EXH_EARG;
  char why[600];
  exh_file *f = exh__rules_open_user_file(path, why, sizeof why);
  if (!f) {
    yara_reject(rs, path, why);
    return EXH_EIO;
  }
  char *blk = exh__xmalloc(IOC_BLOCK);
  long got = read_block(f, blk, IOC_BLOCK, why, sizeof why);
  exh_err rc = EXH_OK;
  size_t lead = got >= 3 && !memcmp(blk, "\xEF\xBB\xBF", 3) ? 3 : 0;
  while (got > 0 && lead < (size_t)got && (blk[lead] == ' ' || blk[lead] == '\t' || blk[lead] == '\r' || blk[lead] == '\n'))
    lead++;
  if (got < 0) {
    yara_reject(rs, path, why);
    rc = EXH_EIO;
  } else if ((lead < (size_t)got && blk[lead] == '{') || exh__chirp_sniff(blk, (size_t)got)) {
    /* a JSON or YAML document: read whole (STIX, CHIRP) */
    exh_buf b = {0};
    exh_buf_add(&b, blk, (size_t)got);
    while (got > 0 && b.n <= EXH_IOC_DOC_MAX) {
      got = read_block(f, blk, IOC_BLOCK, why, sizeof why);
      if (got > 0) exh_buf_add(&b, blk, (size_t)got);
    }
    if (got < 0) {
      yara_reject(rs, path, why);
      rc = EXH_EIO;
    } else if (b.n > EXH_IOC_DOC_MAX) {
      snprintf(why, sizeof why, "a STIX or CHIRP file larger than %u MiB: refused", (unsigned)(EXH_IOC_DOC_MAX >> 20));
      yara_reject(rs, path, why);
      rc = EXH_ELIMIT;
    } else {
      rc = exh_ruleset_add_ioc_text(rs, path, b.p, b.n);
    }
    exh__buf_free(&b);
  } else {
    /* a line list: streamed */
    if (!content_of(rs)->iocs) content_of(rs)->iocs = exh__iocset_new();
    exh_ioc_lines *l = exh__iocset_lines_begin(content_of(rs)->iocs, path);
    int ioerr = feed_rest(f, l, blk, got, why, sizeof why);
    char why2[600];
    size_t skipped = 0;
    long n = exh__iocset_lines_end(l, &skipped, why2, sizeof why2);
    if (ioerr) {
      yara_reject(rs, path, why);
      rc = EXH_EIO;
    } else if (n < 0) {
      yara_reject(rs, path, why2);
      rc = EXH_EPARSE;
    } else if (skipped) {
      snprintf(why, sizeof why, "%zu entries not usable as indicators (type unknown or malformed); %ld loaded",
               skipped, n);
      exh__ruleset_note(rs, path, why);
    }
  }
  free(blk);
  exh__file_close(f);
  return rc;
}

exh_err exh_ruleset_add_ioc_file(exh_ruleset *rs, const char *path) {
  EXH_RULESET_GUARDED(rs, 1, rs_add_ioc_file_(rs, path));
}


static exh_err rs_add_baseline_file_(exh_ruleset *rs, const char *path) {
  if (exh__ruleset_compiled(rs)) return EXH_EARG;
  char why[600];
  exh_file *f = exh__rules_open_user_file(path, why, sizeof why);
  if (!f) {
    yara_reject(rs, path, why);
    return EXH_EIO;
  }
  if (!content_of(rs)->base) content_of(rs)->base = exh__baseline_new();
  char *blk = exh__xmalloc(IOC_BLOCK);
  long got = read_block(f, blk, IOC_BLOCK, why, sizeof why);
  exh_ioc_lines *l = exh__baseline_lines_begin(content_of(rs)->base, path);
  int ioerr = got < 0 ? -1 : feed_rest(f, l, blk, got, why, sizeof why);
  char why2[600];
  long n = exh__iocset_lines_end(l, NULL, why2, sizeof why2);
  free(blk);
  exh__file_close(f);
  if (ioerr || n < 0) {
    yara_reject(rs, path, ioerr ? why : why2);
    return ioerr ? EXH_EIO : EXH_EPARSE;
  }
  return EXH_OK;
}

exh_err exh_ruleset_add_baseline_file(exh_ruleset *rs, const char *path) {
  EXH_RULESET_GUARDED(rs, 1, rs_add_baseline_file_(rs, path));
}


const exh_yara *exh__ruleset_yara(const exh_ruleset *rs) {
  const content *c = exh__ruleset_content(rs);
  return c ? c->yara : NULL;
}
const exh_rule_info *exh_ruleset_yara_rule(const exh_ruleset *rs, size_t i) {
  const exh_yara *y = exh__ruleset_yara(rs);
  return y && i < exh__yara_count(y) ? exh__yara_rule(y, i) : NULL;
}
const exh_iocset *exh__ruleset_iocs(const exh_ruleset *rs) {
  const content *c = exh__ruleset_content(rs);
  return c ? c->iocs : NULL;
}
const exh_baseline *exh__ruleset_baseline(const exh_ruleset *rs) {
  const content *c = exh__ruleset_content(rs);
  return c ? c->base : NULL;
}

void exh_ruleset_content_counts(const exh_ruleset *rs, size_t *yara_rules, size_t *iocs, size_t *baseline_rows) {
  size_t n = 0;
  const exh_iocset *s = exh__ruleset_iocs(rs);
  for (int t = 0; t < EXH_IOC_NTYPES; t++) n += exh__iocset_count(s, (exh_ioc_type)t);
  if (yara_rules) *yara_rules = exh__yara_count(exh__ruleset_yara(rs));
  if (iocs) *iocs = n;
  if (baseline_rows) *baseline_rows = exh__baseline_count(exh__ruleset_baseline(rs));
}

/* IP indicators: three rules on the client address of every log exhunt
 * reads (Exchange ClientIpAddress, IIS c-ip, Security events' IpAddress),
 * whose one value is the indicator set itself: a hash lookup of the
 * field's address (the internal modifier 'exhunt-ipset'), whatever the
 * number of addresses. The set's literals (ioc.c) give the rules their
 * prefilter group, so they ride the same prefilter as every other rule and
 * cost nothing on lines without a candidate address. */
static void add_ip_rules(exh_ruleset *rs) {
  if (!exh__iocset_count(content_of(rs)->iocs, EXH_IOC_IP)) return;
  static const struct {
    const char *id, *logsource, *field, *dataset;
  } src[] = {
      {"exhunt-ioc-ip-exchange", "product: exchange", "ClientIpAddress", "Exchange logs"},
      {"exhunt-ioc-ip-web", "category: webserver", "c-ip", "IIS logs"},
      {"exhunt-ioc-ip-security", "product: windows\n  service: security", "IpAddress", "Security events"},
  };
  content *ct = content_of(rs);
  ct->ips = (exh_valueset){ip_has, ip_literals, ct->iocs};
  exh__ruleset_set_valueset(rs, &ct->ips);
  for (size_t k = 0; k < sizeof src / sizeof src[0]; k++) {
    char *y = exh__xasprintf("title: 'IOC: client address on an indicator list (%s)'\n"
                            "id: %s\n"
                            "description: A request or logon came from an address listed in a loaded IOC set.\n"
                            "logsource:\n  %s\n"
                            "detection:\n  sel:\n    %s|exhunt-ipset: loaded\n  condition: sel\n"
                            "level: medium\n"
                            "tags:\n  - attack.initial_access\n  - attack.t1190\n",
                            src[k].dataset, src[k].id, src[k].logsource, src[k].field);
    exh_ruleset_add_yaml(rs, "builtin:ioc-addresses", y, strlen(y));
    free(y);
  }
  exh__ruleset_set_valueset(rs, NULL);
}


/* Runs first when the set compiles (exh_ruleset_compile). */
static exh_err content_compile(exh_ruleset *rs, void *p) {
  content *c = p;
  if (c->iocs) {
    exh__iocset_finish(c->iocs);
    add_ip_rules(rs);
  }
  if (c->base) exh__baseline_finish(c->base);
  if (c->yara) {
    char why[600];
    if (exh__yara_compile(c->yara, why, sizeof why)) {
      fprintf(stderr, "exhunt: cannot build the YARA rules: %s\n", why);
      return EXH_ERULE;
    }
  }
  return EXH_OK;
}
