/* The scan driver: walk the roots, hand files to worker threads, run the
 * format each file needs, merge, then correlate. */
#ifndef EXH_SCAN_H
#define EXH_SCAN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../formats/registry.h"
#include "../core/evidence.h"
#include "../correlate/correlate.h"
#include "../checks/checks.h"
#include "../walk/walk.h"
#include "exhunt/exhunt.h"

void exh__worker_init(exh_worker *wk, const exh_ruleset *rs);
void exh__worker_fini(exh_worker *wk);
/* After a file's reading unwound (guard): the prefilter scratch and the
 * YARA scanner may have been mid-call, so they are replaced (the old YARA
 * scanner is dropped, not destroyed: its state is unknown). */
void exh__worker_recover(exh_worker *wk);

#endif
