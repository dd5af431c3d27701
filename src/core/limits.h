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

/* --- Logs, archives and files --- */

/* Bytes of whole lines read from a log at a time: the prefilter runs over
 * each block, so a block of a few MB keeps Hyperscan's per-call cost
 * negligible while a worker holds only this much of any log. */
#ifndef EXH_LOG_BLOCK
#define EXH_LOG_BLOCK (4u << 20)
#endif

/* Longest log line read whole: Exchange and IIS lines are at most a few
 * KB (IIS cuts fields, Exchange truncates values); a longer line is read
 * on its first EXH_LOG_MAX_LINE bytes and the file says so. */
#ifndef EXH_LOG_MAX_LINE
#define EXH_LOG_MAX_LINE (16u << 20)
#endif

/* How far down a log the header block is looked for (#Software:,
 * #Version:, #Fields:, a bare CSV header): real headers are a few lines. */
#ifndef EXH_LOG_HEAD
#define EXH_LOG_HEAD (256u << 10)
#endif

/* Bytes read from the end of a log to find its last record when nothing
 * else reads the log through (no rule for its kind, time limit hit). */
#ifndef EXH_LOG_TAIL
#define EXH_LOG_TAIL (1u << 20)
#endif

/* Bytes read from the top of a file to tell what it is by content (an
 * Exchange log's bare CSV header line alone is about 1.5 KB; the ISO 9660
 * volume descriptor sits at 32 KiB). */
#ifndef EXH_SNIFF_BYTES
#define EXH_SNIFF_BYTES (36u << 10)
#endif

/* Archive bytes read per call from the archive file (libarchive's read
 * callback): one buffer per open archive. */
#ifndef EXH_ARCHIVE_READ_BLOCK
#define EXH_ARCHIVE_READ_BLOCK (64u << 10)
#endif

/* Uncompressed bytes read from one archive before it is given up: a
 * collection of an Exchange server's logs is a few GB; a zip bomb is
 * stopped here, and each member is streamed, so this bounds time, not
 * memory. */
#ifndef EXH_ARCHIVE_TOTAL_MAX
#define EXH_ARCHIVE_TOTAL_MAX (16ull << 30)
#endif

/* Largest archive member read whole into memory, for readers that take a
 * buffer (EVTX and JSON events until they read streams): a real EVTX is
 * 20 MB to a few hundred MB; this keeps two workers under 256 MiB each. */
#ifndef EXH_MEMBER_BUF_MAX
#define EXH_MEMBER_BUF_MAX (128u << 20)
#endif

/* ---- EVTX and JSON events ---------------------------------------------- */

/* Expansion of one EVTX record. parse/evtx.c charges a node for every
 * element, attribute, text piece, value and template instance, and bytes
 * for what it renders or parses (names, text, an upper bound of each
 * value's rendering, a definition's size each time it is instantiated),
 * templates and values counted as often as they are referenced. A
 * template bomb (values nesting instances referenced many times: a
 * record of a few KB that expands to 10^11 elements) is reported as damage
 * and skipped; the charges also bound the work. Measured on the 37,021
 * records of ../shared/data/evtx: at most 693 nodes (a CAPI2 record) and
 * 154,335 bytes (a 5136 directory-service record); a record that reads
 * each byte of its 64 KiB chunk once stays under 33,000 nodes and about
 * 1 MB. The bounds are about 95 and 100 times the largest real record,
 * and keep a worker's record memory near 20 MiB. */
#ifndef EXH_EVTX_MAX_RECORD_NODES
#define EXH_EVTX_MAX_RECORD_NODES (64u << 10)
#endif
#ifndef EXH_EVTX_MAX_RECORD_BYTES
#define EXH_EVTX_MAX_RECORD_BYTES (16u << 20)
#endif

/* `exhunt dump`'s damage reports per file: a damaged or crafted file can
 * have one per record (a template bomb of 2.3 KB gave 1.3 GB of them);
 * past these, one line counts the rest. */
#ifndef EXH_EVTX_MAX_ISSUE_LINES
#define EXH_EVTX_MAX_ISSUE_LINES 100
#endif

/* JSON lines of events are read in blocks of whole lines; a line longer
 * than the maximum is reported and skipped, never read in pieces. The
 * longest real line (OTRF's data sets) is 45 KB; an EVTX record renders to
 * at most a few hundred KB. */
#ifndef EXH_JSONEV_BLOCK
#define EXH_JSONEV_BLOCK (1u << 20)
#endif
#ifndef EXH_JSONEV_MAX_LINE
#define EXH_JSONEV_MAX_LINE (1u << 20)
#endif

#endif
