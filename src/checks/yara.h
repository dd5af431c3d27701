/* File content rules through libyara. Built without libyara (EXH_WITH_YARA
 * off, e.g. the first Windows build) the calls exist and report that YARA
 * is not built in; the built-in artefact checks in content.c still run.
 * Built with it but libyara cannot be loaded (platform/lazylib.h), each
 * rule file is rejected with that reason, as in a build without it.
 *
 * Each rule file is first compiled alone, so one broken file is reported
 * and skipped instead of failing the whole set. External variables that
 * signature-base and THOR rules use (filename, filepath, extension,
 * filetype, owner) are declared, and set per file at scan time. */
#ifndef EXH_YARA_H
#define EXH_YARA_H

#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_yara exh_yara;
typedef struct exh_yara_scanner exh_yara_scanner;

/* Called for a rule file that cannot be used. */
typedef void (*exh_yara_reject_fn)(void *ctx, const char *source, const char *why);

exh_yara *exh__yara_new(exh_yara_reject_fn fn, void *ctx);
void exh__yara_free(exh_yara *y);
/* Adds rule text (one file's content). Returns 0, or -1 if it was rejected. */
int exh__yara_add(exh_yara *y, const char *source, const char *text, size_t n);
/* Keeps the compiled rules in the rule set's compiled rule cache (when it
 * has one: rules/cache.c, docs/rules.md): called before the first file is
 * added; nothing without libyara or when libyara has no build id. */
void exh__yara_use_cache(exh_yara *y, exh_ruleset *rs);
/* A cached entry's parts, bounds-checked (fuzz/fuzz_cache): 0, else -1. */
typedef struct exh_yara_cached {
  const unsigned char *files; /* nfiles hashes of 16 bytes */
  size_t nfiles;
  const unsigned char *key;   /* 16 bytes */
  const unsigned char *rules; /* yr_rules_save_stream's bytes */
  size_t nrules;
} exh_yara_cached;
int exh__yara_cached_parse(const unsigned char *p, size_t n, exh_yara_cached *out);
/* Compiles what was added. Returns 0, or -1 with a reason. */
int exh__yara_compile(exh_yara *y, char *why, size_t whyn);
size_t exh__yara_count(const exh_yara *y);
const exh_rule_info *exh__yara_rule(const exh_yara *y, size_t i);
/* 1 if YARA rules can run (libyara built in and loaded: platform/lazylib.h),
 * else 0 with the reason. */
int exh__yara_available(char *why, size_t whyn);

typedef struct exh_yara_file {
  const char *name, *path, *ext, *type; /* external variable values */
} exh_yara_file;

/* Per-thread scanner. */
exh_yara_scanner *exh__yara_scanner_new(const exh_yara *y, int timeout_s);
void exh__yara_scanner_free(exh_yara_scanner *s);
typedef void (*exh_yara_hit_fn)(void *ctx, const exh_rule_info *rule, uint64_t offset, const char *string_id);
/* Scans bytes; hits go to fn with the first matching string. Returns 0, or
 * -1 with a reason (timeout, too many matches). */
int exh__yara_scan(exh_yara_scanner *s, const uint8_t *p, size_t n, const exh_yara_file *f, exh_yara_hit_fn fn,
                  void *ctx, char *why, size_t whyn);

#endif
