/* The report writers, listed by writers.c (the public API reaches them
 * through exh_writer_find). Each reads the result through the public
 * accessors only (include/exhunt/exhunt.h), as a writer outside the library
 * would, and writes through out.h. */
#ifndef EXH_REPORT_H
#define EXH_REPORT_H

#include "exhunt/exhunt.h"

typedef exh_err (*exh__report_fn)(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);

exh_err exh__report_text(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);
exh_err exh__report_jsonl(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);
/* One row per finding; cells quoted, formula-looking cells defused. */
exh_err exh__report_csv(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);
/* Timesketch's JSONL import format (message, datetime, timestamp, timestamp_desc). */
exh_err exh__report_timesketch(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);
/* One self-contained HTML file (inline CSS, no script, a CSP forbidding
 * scripts): verdict, patch level, attackers by client address, files left
 * behind, timeline, log window. */
exh_err exh__report_html(exh_write_fn write, void *ctx, const exh_result *r, const exh_report_opts *o);

#endif
