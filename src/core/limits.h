/* Resource limits, each with the reason for its default. A build may
 * override any of them with -D. */
#ifndef EXH_LIMITS_H
#define EXH_LIMITS_H

/* Largest log read: far above any real Exchange or IIS log (hourly and
 * daily files of at most a few GB), small enough that a sparse or
 * runaway file cannot hold a scan for hours. */
#ifndef EXH_DEFAULT_MAX_FILE_BYTES
#define EXH_DEFAULT_MAX_FILE_BYTES (64ull << 30)
#endif

/* Longest time spent in one file: at 1 GB/s that is 600 GB; only a
 * pathological input (a regex on a huge line) gets near it. */
#ifndef EXH_DEFAULT_MAX_FILE_SECONDS
#define EXH_DEFAULT_MAX_FILE_SECONDS 600.0
#endif

/* Findings kept per file and per scan: each holds up to 2 KiB of
 * evidence, so these bound memory to about 25 MB per file and 500 MB per
 * scan whatever the input. Beyond them findings are counted, not kept. */
#ifndef EXH_DEFAULT_MAX_FINDINGS_PER_FILE
#define EXH_DEFAULT_MAX_FINDINGS_PER_FILE 10000
#endif
#ifndef EXH_DEFAULT_MAX_FINDINGS
#define EXH_DEFAULT_MAX_FINDINGS 200000
#endif

/* Largest file whose content is hashed and YARA-scanned: web shells are
 * bytes to kilobytes, droppers and ransomware a few MB; memory dumps and
 * archives above this get the header checks only (docs/files.md). */
#ifndef EXH_DEFAULT_MAX_CONTENT_BYTES
#define EXH_DEFAULT_MAX_CONTENT_BYTES (64ull << 20)
#endif

#endif
