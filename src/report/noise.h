/* Internet scanner noise (issue 14 item 5): the client addresses of one
 * server that only probed (every finding of theirs low or medium, no file
 * finding tied to them by its address or its story) are folded, and their
 * findings summed up per probe kind (rule) rather than listed one row per
 * address. Every address with a high or critical finding, or a file tied to
 * it, stays an attacker of its own. Computed from the public accessors
 * only, for the writers. */
#ifndef EXH_REPORT_NOISE_H
#define EXH_REPORT_NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

#define EXH_NOISE_TOP 3

typedef struct exh_noise_src {
  const char *ip;
  size_t n;
} exh_noise_src;

typedef struct exh_noise_row {
  const exh_rule_info *rule; /* the probe kind */
  exh_level level;           /* the highest of its findings */
  const exh_finding *example; /* its first finding (CVEs as labelled) */
  size_t count;              /* findings */
  int64_t first, last;       /* EXH_TIME_UNKNOWN when none was dated */
  size_t sources;            /* distinct client addresses */
  exh_noise_src top[EXH_NOISE_TOP]; /* most findings first (ties: address order) */
  size_t ntop;
} exh_noise_row;

typedef struct exh_noise {
  size_t server;
  /* the server's actors, by address; folded[i] for actor[i] */
  const exh_actor **actor;
  unsigned char *folded;
  size_t nactor;
  size_t nfolded;   /* addresses folded */
  size_t nfindings; /* their findings (low, medium) */
  exh_noise_row *row; /* by rule title */
  size_t nrow;
} exh_noise;

/* Fills n for server sv (allocates; unwinds to the guard on failure, with
 * what was allocated reachable from n for exh__noise_free). */
void exh__noise_build(const exh_result *r, size_t sv, exh_noise *n);
void exh__noise_free(exh_noise *n);
/* The server's actor with address ip (its index in n->actor), or -1. */
long exh__noise_actor(const exh_noise *n, const char *ip);
/* 1 when the finding is folded noise: level low or medium, from a folded
 * address. */
int exh__noise_folds(const exh_noise *n, const exh_finding *x);
/* 1 when text names address ip as a whole token (not 1.2.3.4 in 11.2.3.45). */
int exh__noise_mentions(const char *text, const char *ip);

#endif
