/* The report writers (issue 12), as the formats and checks are listed: one
 * line per writer. The command line picks one by name; every writer is fed
 * the public result model only (exhunt.h). Adding a report adds its file,
 * its declaration in report.h and one line below. */
#include <string.h>

#include "report.h"

struct exh_writer {
  const char *name;
  const char *summary;
  exh__report_fn write;
};

static const exh_writer writers[] = {
    {"text", "for people (the default): verdict, campaigns, findings by CVE, coverage", exh__report_text},
    {"jsonl", "JSON Lines with Elastic Common Schema names (findings, then state objects)", exh__report_jsonl},
    {"csv", "one row per finding, then state rows; formula-looking cells defused", exh__report_csv},
    {"timesketch", "Timesketch's JSONL import format, one event per finding", exh__report_timesketch},
    {"html", "one self-contained page: verdict, attackers, files, timeline, coverage; no script", exh__report_html},
};
#define NWRITERS (sizeof writers / sizeof writers[0])

/* The handles, in order, ending with NULL. */
static const exh_writer *const list[] = {&writers[0], &writers[1], &writers[2], &writers[3], &writers[4], NULL};
_Static_assert(sizeof list / sizeof list[0] == NWRITERS + 1, "every writer is listed");

const exh_writer *const *exh_writers(void) { return list; }

const exh_writer *exh_writer_find(const char *name) {
  for (size_t i = 0; name && i < NWRITERS; i++)
    if (!strcmp(writers[i].name, name)) return &writers[i];
  return NULL;
}

const char *exh_writer_name(const exh_writer *w) { return w->name; }
const char *exh_writer_summary(const exh_writer *w) { return w->summary; }

exh_err exh_writer_write(const exh_writer *w, exh_write_fn write, void *ctx, const exh_result *r,
                         const exh_report_opts *o) {
  if (!w || !write || !r) return EXH_EARG;
  return w->write(write, ctx, r, o);
}
