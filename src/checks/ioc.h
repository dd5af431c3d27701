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
 * Storage is compact and loading linear (a million-line list loads in
 * about a second): indicators are small records in per-type arrays, digests
 * and addresses binary, strings in one arena, sources and descriptions
 * interned; hash indexes are built once by exh__iocset_finish(). Line forms
 * can be fed in blocks (exh_iocset_lines_*), so a list is never held whole.
 * A load that fails (binary data, a limit of core/limits.h) takes back
 * everything it added: a file is used whole or not at all.
 *
 * Lookups are read-only after exh__iocset_finish() and safe from many
 * threads. */
#ifndef EXH_IOC_H
#define EXH_IOC_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

typedef enum exh_ioc_type {
  EXH_IOC_SHA256 = 0,
  EXH_IOC_SHA1,
  EXH_IOC_MD5,
  EXH_IOC_PATH, /* Windows path, matched case-insensitively as a path suffix */
  EXH_IOC_NAME, /* a file name */
  EXH_IOC_IP,
  EXH_IOC_NTYPES
} exh_ioc_type;

const char *exh__ioc_type_name(exh_ioc_type t);

/* An indicator as a lookup returns it. The strings live in the calling
 * thread's storage (or the set's) until that thread's next lookup. */
typedef struct exh_ioc {
  exh_ioc_type type;
  char *value;  /* normalised: lowercase hex, lowercase '/'-path, address text */
  char *source; /* "file:line" or the STIX indicator id */
  char *label;  /* a description, or NULL */
} exh_ioc;

typedef struct exh_iocset exh_iocset;

exh_iocset *exh__iocset_new(void);
void exh__iocset_free(exh_iocset *s);

/* Loads indicators from text. Returns the number added (0 is allowed), or
 * -1 with a reason when the text is none of the forms or a limit was
 * reached (nothing of it is kept then). Lines or objects that cannot be
 * read are counted in *skipped (may be NULL). */
long exh__iocset_load(exh_iocset *s, const char *source, const char *text, size_t n, size_t *skipped, char *why,
                     size_t whyn);

/* The line forms (plain list, MSTIC CSV) fed in blocks of any size, the
 * form told by the first non-blank line. */
typedef struct exh_ioc_lines exh_ioc_lines;
exh_ioc_lines *exh__iocset_lines_begin(exh_iocset *s, const char *source);
/* 0, or -1 when the load cannot go on (the reason comes from _end). */
int exh__iocset_lines_feed(exh_ioc_lines *l, const char *p, size_t n);
/* Ends the load and frees l: the number added, or -1 with a reason (then
 * everything this load added is taken back). */
long exh__iocset_lines_end(exh_ioc_lines *l, size_t *skipped, char *why, size_t whyn);

/* Builds the indexes; no load afterwards. */
void exh__iocset_finish(exh_iocset *s);
/* Indicators of a type loaded (duplicates included). */
size_t exh__iocset_count(const exh_iocset *s, exh_ioc_type t);
int exh__iocset_has_hashes(const exh_iocset *s, exh_ioc_type t);

/* Lookups. Digests are binary (32/20/16 bytes). rel is a '/' path relative
 * to the scanned root. The IP text may carry a port or brackets. */
const exh_ioc *exh__iocset_hash(const exh_iocset *s, exh_ioc_type t, const uint8_t *digest);
const exh_ioc *exh__iocset_path(const exh_iocset *s, const char *rel);
const exh_ioc *exh__iocset_ip(const exh_iocset *s, const char *p, size_t n);
/* The same for an address without building the answer (the rule engine's
 * native IP matcher): 1 if the text is an address of the set. Addresses
 * compare as addresses: an IPv4-mapped IPv6 address is its IPv4 address. */
int exh__iocset_ip_has(const exh_iocset *s, const char *p, size_t n);
/* After finish: literals for the prefilter such that a text holding any
 * address of the set, in any spelling exh__iocset_ip_has() accepts, holds
 * one of them (case-insensitively). At most about 2 x EXH_IOC_IP_LITERALS:
 * past that, prefixes of the addresses stand for them. */
const exh_str *exh__iocset_ip_literals(const exh_iocset *s, size_t *n);

/* Normalises a path for matching: lowercase ASCII, '\' to '/', drive and
 * leading separators dropped, components that look like a build number
 * ("15.1.2176.9") replaced by "version" when `builds` is set. Writes at
 * most outn-1 bytes and a NUL. */
void exh__path_normalise(const char *in, char *out, size_t outn, int builds);

/* ---- baselines ---------------------------------------------------------- */

typedef struct exh_baseline exh_baseline;

exh_baseline *exh__baseline_new(void);
void exh__baseline_free(exh_baseline *b);
/* Adds one CSS-Exchange baseline file. Returns the rows added, or -1 (and
 * nothing of it is kept). */
long exh__baseline_load(exh_baseline *b, const char *source, const char *text, size_t n, char *why, size_t whyn);
/* The same fed in blocks (the _end and feed contracts of the IOC lines). */
exh_ioc_lines *exh__baseline_lines_begin(exh_baseline *b, const char *source);
void exh__baseline_finish(exh_baseline *b);
size_t exh__baseline_count(const exh_baseline *b);
/* 1 if the baseline has rows for this build ("15.1.2176.9"). */
int exh__baseline_has_build(const exh_baseline *b, const char *build);
/* Is the extension (lowercase, no dot) one the baselines list files of? */
int exh__baseline_covers_ext(const exh_baseline *b, const char *ext);
/* Checks a file by its path relative to the Exchange install root
 * (normalised with builds=1) and SHA-256. build may be NULL (any build).
 * Returns 0 known good, 1 path known but hash differs, 2 path unknown. */
int exh__baseline_check(const exh_baseline *b, const char *build, const char *inst_rel, const uint8_t sha256[32]);

#endif
