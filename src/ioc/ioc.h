/* Indicator sets and known-good baselines.
 *
 * IOCs come from three text forms, told apart by content:
 *  - the MSTIC CSV feed (header naming Indicator/IoC and IndicatorType/Type);
 *  - STIX 2.1 JSON (bundle or single object; indicator patterns on file
 *    hashes, file names and paths, ipv4/ipv6 addresses);
 *  - plain lists, one indicator per line, '#' comments, the type inferred
 *    (32/40/64 hex digits: MD5/SHA-1/SHA-256; an address; a path with a
 *    separator; else a file name), optionally "value,description".
 * Baselines are CSS-Exchange's per-build lists: SHA256,build,\relative\path.
 *
 * Lookups are read-only after exh_iocset_finish() and safe from many
 * threads. */
#ifndef EXH_IOC_H
#define EXH_IOC_H

#include <stddef.h>
#include <stdint.h>

typedef enum exh_ioc_type {
  EXH_IOC_SHA256 = 0,
  EXH_IOC_SHA1,
  EXH_IOC_MD5,
  EXH_IOC_PATH, /* Windows path, matched case-insensitively as a path suffix */
  EXH_IOC_NAME, /* a file name */
  EXH_IOC_IP,
  EXH_IOC_NTYPES
} exh_ioc_type;

const char *exh_ioc_type_name(exh_ioc_type t);

typedef struct exh_ioc {
  exh_ioc_type type;
  char *value;  /* normalised: lowercase hex, lowercase '/'-path, address text */
  char *source; /* "file:line" or the STIX indicator id */
  char *label;  /* a description, or NULL */
} exh_ioc;

typedef struct exh_iocset exh_iocset;

exh_iocset *exh_iocset_new(void);
void exh_iocset_free(exh_iocset *s);

/* Loads indicators from text. Returns the number added (0 is allowed), or
 * -1 with a reason when the text is none of the forms. Lines or objects
 * that cannot be read are counted in *skipped (may be NULL). */
long exh_iocset_load(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped, char *why,
                     size_t whyn);
/* Sorts the tables; no load afterwards. */
void exh_iocset_finish(exh_iocset *s);
size_t exh_iocset_count(const exh_iocset *s, exh_ioc_type t);
/* The i-th indicator of a type in load order, or NULL (linear: for set-up). */
const exh_ioc *exh_iocset_nth(const exh_iocset *s, exh_ioc_type t, size_t i);
int exh_iocset_has_hashes(const exh_iocset *s, exh_ioc_type t);

/* Lookups. Digests are binary (32/20/16 bytes). rel is a '/' path relative
 * to the scanned root. The IP text may carry a port or brackets. */
const exh_ioc *exh_iocset_hash(const exh_iocset *s, exh_ioc_type t, const uint8_t *digest);
const exh_ioc *exh_iocset_path(const exh_iocset *s, const char *rel);
const exh_ioc *exh_iocset_ip(const exh_iocset *s, const char *p, size_t n);

/* Normalises a path for matching: lowercase ASCII, '\' to '/', drive and
 * leading separators dropped, components that look like a build number
 * ("15.1.2176.9") replaced by "version" when `builds` is set. Writes at
 * most outn-1 bytes and a NUL. */
void exh_path_normalise(const char *in, char *out, size_t outn, int builds);

/* ---- baselines ---------------------------------------------------------- */

typedef struct exh_baseline exh_baseline;

exh_baseline *exh_baseline_new(void);
void exh_baseline_free(exh_baseline *b);
/* Adds one CSS-Exchange baseline file. Returns the rows added, or -1. */
long exh_baseline_load(exh_baseline *b, const char *source, const char *text, size_t n, char *why, size_t whyn);
void exh_baseline_finish(exh_baseline *b);
size_t exh_baseline_count(const exh_baseline *b);
/* 1 if the baseline has rows for this build ("15.1.2176.9"). */
int exh_baseline_has_build(const exh_baseline *b, const char *build);
/* Is the extension (lowercase, no dot) one the baselines list files of? */
int exh_baseline_covers_ext(const exh_baseline *b, const char *ext);
/* Checks a file by its path relative to the Exchange install root
 * (normalised with builds=1) and SHA-256. build may be NULL (any build).
 * Returns 0 known good, 1 path known but hash differs, 2 path unknown. */
int exh_baseline_check(const exh_baseline *b, const char *build, const char *inst_rel, const uint8_t sha256[32]);

#endif
