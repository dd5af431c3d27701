/* The report writers (issue 12), as the formats and checks are listed: one
 * line per writer. The command line picks one by name; every writer is fed
 * the public result model only (exhunt.h). Adding a report adds its file
 * here and one line below. */
#include <string.h>

#include "exhunt/exhunt.h"

static const exh_writer writers[] = {
    {"text", "for people (the default): verdict, campaigns, findings by CVE, coverage", exh_report_text},
    {"jsonl", "JSON Lines with Elastic Common Schema names (findings, then state objects)", exh_report_jsonl},
    {"csv", "one row per finding, then state rows; formula-looking cells defused", exh_report_csv},
    {"timesketch", "Timesketch's JSONL import format, one event per finding", exh_report_timesketch},
    {"html", "one self-contained page: verdict, attackers, files, timeline, coverage; no script", exh_report_html},
    {NULL, NULL, NULL},
};

const exh_writer *exh_writers(void) { return writers; }

const exh_writer *exh_writer_find(const char *name) {
  for (const exh_writer *w = writers; w->name; w++)
    if (!strcmp(w->name, name)) return w;
  return NULL;
}
