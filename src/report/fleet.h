/* One row per server for the fleet table that opens the text, HTML and
 * JSONL reports when a scan has more than one server (issue 14 item 2):
 * computed once from the public accessors, shared by the writers. */
#ifndef EXH_REPORT_FLEET_H
#define EXH_REPORT_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "exhunt/exhunt.h"

typedef struct exh_fleet_row {
  const exh_server *server;
  size_t index;
  exh_verdict verdict;
  char campaigns[160];   /* compromised ones, then "X attempted"; "" if none */
  int64_t first, last;   /* attacker activity: the actors' span, else the findings' (low and above) */
  exh_patch patch;       /* worst over the campaigns' CVEs: vulnerable, patched, unknown */
  int64_t log_first, log_last; /* the server's log window */
  char coverage[96];     /* "HttpProxy IIS events 3/7 web staging ExSetup" (what was read) */
} exh_fleet_row;

/* Fills row for server i. */
void exh__fleet_row(const exh_result *r, size_t i, exh_fleet_row *row);
/* The servers' indices for the fleet table, most severe verdict first
 * (compromised, suspicious, cannot tell, nothing examined, clean), in scan
 * order within one verdict: n = exh_result_nservers entries, allocated. */
size_t *exh__fleet_order(const exh_result *r);
/* Servers per verdict. */
void exh__fleet_counts(const exh_result *r, size_t counts[5]);

#endif
