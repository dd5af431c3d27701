/* CISA CHIRP indicator files (see chirp.c). */
#ifndef EXH_CHIRP_H
#define EXH_CHIRP_H

#include <stddef.h>

typedef struct exh_chirp_doc {
  const char *name;     /* the indicator's name, or NULL */
  const char *ioc_type; /* "network", "yara", "events", ... */
  const char *files;    /* yara: the glob of files the rule is for */
  const char *rule;     /* yara: the rule text */
  const char *ips;      /* network: addresses, one per line */
} exh_chirp_doc;

typedef void (*exh_chirp_fn)(void *ctx, const exh_chirp_doc *doc, int index);

/* 1 if the text looks like a CHIRP file (ioc_type and indicator keys). */
int exh__chirp_sniff(const char *text, size_t n);
/* Calls fn per indicator document; returns their count, or -1 with a
 * reason (YAML error, or no indicator document at all). */
int exh__chirp_parse(const char *text, size_t n, exh_chirp_fn fn, void *ctx, char *why, size_t whyn);

#endif
