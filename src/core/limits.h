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

/* Largest IIS configuration file whose modules are read (formats/iisconfig):
 * a server's applicationHost.config is tens to a few hundred KB, Exchange's
 * web.config files less; a larger one is read on its first bytes and
 * reported, so memory stays bounded whatever the file. */
#ifndef EXH_IISCONFIG_MAX
#define EXH_IISCONFIG_MAX ((size_t)16 << 20)
#endif

/* Largest Bin/ExSetup.exe read for its version resource: the real file is
 * tens of KB (the resource is near its end). */
#ifndef EXH_EXSETUP_MAX
#define EXH_EXSETUP_MAX ((size_t)64 << 20)
#endif

/* --- The walk, the merge, correlation and reports --- */

/* Folder nesting entered below a root: real trees are a few dozen deep;
 * deeper is a loop through bind mounts or a hostile tree (reported). */
/* Server collections are looked for this many folders below a root (a
 * Velociraptor hunt export holds them at hunt/clients/C.x/collections/F.y,
 * four down) and at most this many servers per scan. */
#ifndef EXH_DISCOVER_MAX_DEPTH
#define EXH_DISCOVER_MAX_DEPTH 8
#endif
#ifndef EXH_MAX_SERVERS
#define EXH_MAX_SERVERS 10000
#endif

#ifndef EXH_WALK_MAX_DEPTH
#define EXH_WALK_MAX_DEPTH 128
#endif

/* Longest error text kept per file: the first reasons are the useful ones. */
#ifndef EXH_EVIDENCE_ERROR_MAX
#define EXH_EVIDENCE_ERROR_MAX 2000
#endif

/* Files given a story (correlate/story.c reads every finding of the server
 * per file): bounds a quadratic pass on trees with very many file findings;
 * the first ones in report order get one. */
#ifndef EXH_MAX_STORIES
#define EXH_MAX_STORIES 2000
#endif

/* The servers' own addresses learned per scan (correlate/labels.c: s-ip of
 * IIS lines, clients of back-end lines): an Exchange organisation has a
 * handful; the cap keeps the linear look-up of each finding's client cheap
 * when a hostile log names thousands (later ones are not learned). */
#ifndef EXH_MAX_OWN_ADDRESSES
#define EXH_MAX_OWN_ADDRESSES 256
#endif

/* Client addresses given an attacker timeline per scan. */
#ifndef EXH_MAX_ACTORS
#define EXH_MAX_ACTORS 10000
#endif

/* Per attacker, the CVEs and rule titles listed (first seen first): an
 * attacker's line names what it did, not every rule that fired on it. */
#ifndef EXH_ACTOR_MAX_CVES
#define EXH_ACTOR_MAX_CVES 16
#endif
#ifndef EXH_ACTOR_MAX_RULES
#define EXH_ACTOR_MAX_RULES 8
#endif

/* Raw record kept as a finding's evidence (the JSONL contract: at most 2
 * KiB, exhunt.evidence_truncated when cut): enough for any Exchange or IIS
 * line an analyst reads, small enough that 200,000 findings stay in memory. */
#ifndef EXH_EVIDENCE_MAX
#define EXH_EVIDENCE_MAX 2048
#endif

/* Text report without --verbose: findings shown per group and level (every
 * successful trace matters, probes repeat), evidence bytes per finding. */
#ifndef EXH_TEXT_CAP_HIGH
#define EXH_TEXT_CAP_HIGH 50
#endif
#ifndef EXH_TEXT_CAP_LOW
#define EXH_TEXT_CAP_LOW 5
#endif
#ifndef EXH_TEXT_EVIDENCE
#define EXH_TEXT_EVIDENCE 400
#endif

/* Notes kept per archive on what its members were (one per kind and
 * folder inside: log windows and coverage): a collection has a few dozen
 * folders; past this, one note per kind without the folder. */
#ifndef EXH_ARCHIVE_MAX_NOTES
#define EXH_ARCHIVE_MAX_NOTES 4096
#endif

/* --- Formats: nesting and counts per record --- */

/* Fields kept per Windows event (EVTX or JSON) once flattened: real events
 * have at most a few dozen (4688: 21, Sysmon 1: 24); more are counted and
 * the file says how many events lost fields. */
#ifndef EXH_EVENT_MAX_FIELDS
#define EXH_EVENT_MAX_FIELDS 512
#endif

/* Binary XML nesting and substitution values per template instance in an
 * EVTX record: real records nest under ten levels and carry under a
 * hundred values; past these the record is damage (reported). */
#ifndef EXH_EVTX_MAX_DEPTH
#define EXH_EVTX_MAX_DEPTH 64
#endif
#ifndef EXH_EVTX_MAX_VALUES
#define EXH_EVTX_MAX_VALUES 4096
#endif

/* Nesting of one JSON event (objects and arrays): exporters nest three or
 * four levels; a deeper line is reported as not an event. */
#ifndef EXH_JSON_MAX_DEPTH
#define EXH_JSON_MAX_DEPTH 32
#endif

/* Columns of a log's #Fields: line: Exchange logs have about 70, IIS 20
 * at most; past it the file says so and the rest are not read. */
#ifndef EXH_MAX_COLS
#define EXH_MAX_COLS 512
#endif

/* Indicator files: the longest line of a line form (a path indicator is at
 * most 1,000 bytes, a description a few hundred; longer lines are counted
 * as unusable and never buffered whole), and the stored description and
 * source (cut). */
#ifndef EXH_IOC_MAX_LINE
#define EXH_IOC_MAX_LINE 65536
#endif
#ifndef EXH_IOC_MAX_LABEL
#define EXH_IOC_MAX_LABEL 512
#endif
#ifndef EXH_IOC_MAX_SOURCE
#define EXH_IOC_MAX_SOURCE 1000
#endif

/* Longest literal given to the prefilter (SigmaHQ's longest is far
 * below): a longer value is searched on its first bytes, then verified. */
#ifndef EXH_PREFILTER_MAX_LITERAL
#define EXH_PREFILTER_MAX_LITERAL 256
#endif

/* Longest error text kept for one archive (the reasons that concern the
 * whole archive first, then its members'). */
#ifndef EXH_ARCHIVE_ERROR_MAX
#define EXH_ARCHIVE_ERROR_MAX 2000
#endif

/* exhunt dump -j N: a unit's output held in memory before the unit writes
 * itself once its turn comes (records at the byte bound would otherwise
 * hold 133 MB a unit); small files packed in one unit; the largest output
 * buffer kept in the pool for reuse. */
#ifndef EXH_DUMP_UNIT_OUT_MAX
#define EXH_DUMP_UNIT_OUT_MAX (8u << 20)
#endif
#ifndef EXH_DUMP_MAX_PACK
#define EXH_DUMP_MAX_PACK 64
#endif
#ifndef EXH_DUMP_POOL_KEEP_MAX
#define EXH_DUMP_POOL_KEEP_MAX (64u << 20)
#endif

/* --- Memory --- */

/* Largest growable buffer (exh_buf): above the largest thing one buffer
 * holds by design (a file's content for hashing and YARA, max content
 * bytes; a JSON line of a record; a log line), far below what would
 * starve the machine. A buffer that would pass it unwinds to the
 * caller's guard as a limit error: the file is reported, the scan goes on. */
#ifndef EXH_BUF_MAX
#define EXH_BUF_MAX ((size_t)256 << 20)
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
/* Passes of URL decoding for the decoded virtual fields (util.h): each pass
 * undoes one layer of encoding; 4 covers the double and triple encodings
 * seen against web filters, and bounds the cost at 4 passes of a line
 * (a pathological %25252525... value is decoded 4 layers deep, no more). */
#ifndef EXH_URL_DECODE_PASSES
#define EXH_URL_DECODE_PASSES 4
#endif

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

/* Members of a zip whose central directory is used (libarchive holds it
 * whole: about 170 bytes a member, so 85 MB here); a zip declaring more is
 * read in order through its local headers. A triage collection holds tens
 * of thousands of files; a directory of millions is hostile. */
#ifndef EXH_ARCHIVE_MAX_INDEX
#define EXH_ARCHIVE_MAX_INDEX 500000u
#endif

/* Uncompressed bytes read from one archive before it is given up: a
 * collection of an Exchange server's logs is a few GB; a zip bomb is
 * stopped here, and each member is streamed, so this bounds time, not
 * memory. */
#ifndef EXH_ARCHIVE_TOTAL_MAX
#define EXH_ARCHIVE_TOTAL_MAX (16ull << 30)
#endif

/* Archives inside archives (a zip of several servers' collection zips, a
 * tar.gz holding a zip): opened down to this many levels below the
 * archive file (evidence.zip!EXCH01.zip!logs.zip!...); a deeper one is
 * named as not opened. Real layouts nest two levels; a nested zip bomb
 * (42.zip: five levels of 16) is cut here before its members multiply.
 * The whole chain shares one count of EXH_ARCHIVE_TOTAL_MAX (the bytes
 * inflated at every level count, so a bomb nested is bounded as a flat
 * one is) and of EXH_ARCHIVE_MAX_MEMBERS, and each archive inside gets the
 * time limit per file. */
#ifndef EXH_ARCHIVE_MAX_DEPTH
#define EXH_ARCHIVE_MAX_DEPTH 3
#endif

/* Members (headers) read from one archive and the archives inside it: a
 * triage collection holds tens of thousands, a full copy of a drive a few
 * million; past this the archive is given up (reported). */
#ifndef EXH_ARCHIVE_MAX_MEMBERS
#define EXH_ARCHIVE_MAX_MEMBERS 4000000u
#endif

/* A 7-Zip archive inside an archive: 7-Zip keeps its index at its end,
 * which a member read in order reaches last, so one up to this size is
 * read into memory and opened from there (one buffer per level: at most
 * EXH_ARCHIVE_MAX_DEPTH of them per worker); a larger one is named as not
 * opened. Other formats are read in order from the member as it inflates. */
#ifndef EXH_ARCHIVE_NESTED_MEM
#define EXH_ARCHIVE_NESTED_MEM (32u << 20)
#endif

/* First bytes read from a small member the path does not classify, to tell
 * an archive by its signature (zip, 7-Zip, RAR, tar at 257, compressed
 * tars): members of 1 MiB or more have EXH_SNIFF_BYTES read (memory dumps,
 * disk images). */
#ifndef EXH_ARCHIVE_SNIFF_SMALL
#define EXH_ARCHIVE_SNIFF_SMALL 512u
#endif

/* ---- EVTX and JSON events ---------------------------------------------- */

/* Expansion of one EVTX record. parse/evtx.c charges a node for every
 * element, attribute, text piece, value and template instance, and bytes
 * for what it renders or parses (names and text at what they may escape
 * to, an upper bound of each value's escaped rendering, a definition's
 * size each time it is instantiated), so the bounds hold its memory, its
 * work and its output alike;
 * templates and values counted as often as they are referenced. A
 * template bomb (values nesting instances referenced many times: a
 * record of a few KB that expands to 10^11 elements) is reported as damage
 * and skipped; the charges also bound the work. Measured on the 37,021
 * records of ../shared/data/evtx: at most 693 nodes (a CAPI2 record) and
 * 157,370 bytes (a 5136 directory-service record); a record that reads
 * each byte of its 64 KiB chunk once stays under 33,000 nodes and a few
 * MB. The bounds are about 95 and 107 times the largest real record, and
 * bound a worker's record memory and a record's rendering near 20 MiB. */
#ifndef EXH_EVTX_MAX_RECORD_NODES
#define EXH_EVTX_MAX_RECORD_NODES (64u << 10)
#endif
#ifndef EXH_EVTX_MAX_RECORD_BYTES
#define EXH_EVTX_MAX_RECORD_BYTES (16u << 20)
#endif
/* The same summed over a chunk's records: many records each under the
 * bounds (a 64 KiB chunk holds up to about 1,600) would otherwise cost a
 * minute a chunk. Real chunks: at most 19,082 nodes and 1,436,539 bytes;
 * the bounds are about 55 and 47 times those, and keep a chunk's decoding
 * to a few tens of milliseconds. */
#ifndef EXH_EVTX_MAX_CHUNK_NODES
#define EXH_EVTX_MAX_CHUNK_NODES (1u << 20)
#endif
#ifndef EXH_EVTX_MAX_CHUNK_BYTES
#define EXH_EVTX_MAX_CHUNK_BYTES (64u << 20)
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

/* ---- Rules, indicators and YARA ---------------------------------------- */

/* Largest Sigma rule file: SigmaHQ's largest is 295 KB (the vulnerable
 * driver list); anything far bigger is not a rule. */
#ifndef EXH_RULE_FILE_MAX
#define EXH_RULE_FILE_MAX (1u << 20)
#endif

/* Nesting of maps and lists in a rule or CHIRP file: SigmaHQ's deepest
 * rule has 5 levels. libyaml's scanner is quadratic in the nesting of flow
 * collections ('[[[[...' of 200,000 levels: 135 s), so the loader stops
 * at this depth before going further. */
#ifndef EXH_YAML_MAX_DEPTH
#define EXH_YAML_MAX_DEPTH 64
#endif

/* YAML nodes in one rule or CHIRP file, an alias counted as the nodes it
 * stands for (a billion-laughs file expands exponentially through its
 * aliases). SigmaHQ's biggest rule has 4,475 nodes; 1 MiB of plain values
 * has at most about 350,000 without aliases. */
#ifndef EXH_YAML_MAX_NODES
#define EXH_YAML_MAX_NODES (1u << 18)
#endif

/* Scalar bytes in one CHIRP file, aliases counted as the bytes they stand
 * for (a 500 KB scalar aliased 200,000 times is 100 GB to copy); a Sigma
 * rule file may stand for 16 times its size limit. Without aliases a file
 * holds at most its own size. */
#ifndef EXH_YAML_MAX_BYTES
#define EXH_YAML_MAX_BYTES (40u << 20)
#endif
#ifndef EXH_RULE_YAML_MAX_BYTES
#define EXH_RULE_YAML_MAX_BYTES (16u << 20)
#endif

/* Nesting of parentheses and 'not' in a condition: the condition tree and
 * every walk over it (evaluation, literals, shown fields) recurse at most
 * 2 x this + 2 levels, 'and'/'or' chains being one n-ary node. */
#ifndef EXH_SIGMA_MAX_NESTING
#define EXH_SIGMA_MAX_NESTING 64
#endif

/* Values a rule's condition may test on one record, a selection counted
 * once for every mention (a quantifier mentions every selection it names):
 * bounds the time of one evaluation and of the literal derivation.
 * SigmaHQ's largest rule tests 4,432 values. */
#ifndef EXH_SIGMA_MAX_TESTS
#define EXH_SIGMA_MAX_TESTS (1u << 18)
#endif

/* Distinct field names in a rule set: SigmaHQ's whole tree names 368. Each
 * costs a slot in every field map, rebuilt per log header and per event. */
#ifndef EXH_RULESET_MAX_FIELDS
#define EXH_RULESET_MAX_FIELDS 16384
#endif

/* Rules and compiled values in a rule set (a value costs about 150 bytes
 * compiled): 300 rule files of 20,000 values each stop at the bound with
 * the set near 110 MB. SigmaHQ's whole tree is 3,754 rule files with
 * 46,000 values (2,853 of the rules load). */
#ifndef EXH_RULESET_MAX_RULES
#define EXH_RULESET_MAX_RULES 16384
#endif
#ifndef EXH_RULESET_MAX_VALUES
#define EXH_RULESET_MAX_VALUES (1u << 19)
#endif

/* Bytes of a rule's values after their modifiers (UTF-16, base64,
 * windash multiply them: eight stacked on a long value would ask for
 * gigabytes) and of the whole set's: SigmaHQ's largest rule holds about
 * 150 KB of values, its whole tree a few MB. */
#ifndef EXH_SIGMA_MAX_VALUE_BYTES
#define EXH_SIGMA_MAX_VALUE_BYTES (4u << 20)
#endif
#ifndef EXH_RULESET_MAX_BYTES
#define EXH_RULESET_MAX_BYTES (64u << 20)
#endif

/* Literals a group after a rule's anchor may have: they are searched on
 * each line the anchor hits; a bigger group is dropped (the filter only
 * gets looser). */
#ifndef EXH_SIGMA_MAX_VERIFY_LITERALS
#define EXH_SIGMA_MAX_VERIFY_LITERALS 256
#endif

/* Anchor literals in the prefilter databases, every log kind together
 * (ruleset.c: bound_prefilter has Hyperscan's measured costs): about
 * twice SigmaHQ's whole tree (21,500), about 2.5 s and 110 MB to build. */
#ifndef EXH_PREFILTER_MAX_LITERALS
#define EXH_PREFILTER_MAX_LITERALS 40000
#endif

/* Regular expressions ('re' values) in a rule set: each is compiled with
 * PCRE2's JIT, about 3 KB apiece; SigmaHQ's tree has 217. */
#ifndef EXH_RULESET_MAX_REGEX
#define EXH_RULESET_MAX_REGEX 8192
#endif

/* Rejected documents of one rule file before the rest of the file is given
 * up (one reason each on stderr: a file of a million empty documents would
 * print a million lines). */
#ifndef EXH_RULE_FILE_MAX_REJECTS
#define EXH_RULE_FILE_MAX_REJECTS 100
#endif

/* YARA rule text, per file and every file of a set together: libyara
 * needs about 15 times the text to compile dense rules (a synthetic
 * 15.5 MB file of 100,000 rules with three strings each: 238 MB inside
 * libyara, 53 s), so 12 MiB keeps a set under 256 MiB; real rule sets are
 * far less dense (signature-base's rules: a few strings per kilobyte). */
#ifndef EXH_YARA_FILE_MAX
#define EXH_YARA_FILE_MAX (12u << 20)
#endif
#ifndef EXH_YARA_TOTAL_MAX
#define EXH_YARA_TOTAL_MAX (12u << 20)
#endif

/* Indicator files read whole (STIX JSON, CHIRP YAML): the real feeds are
 * kilobytes. Line lists (plain, MSTIC CSV, baselines) are streamed and
 * have no size limit of their own. */
#ifndef EXH_IOC_DOC_MAX
#define EXH_IOC_DOC_MAX (32u << 20)
#endif

/* Indicators in a set, every file together (about 50 bytes each stored):
 * 2 million stay near 100 MB. Beyond it the file is refused with the
 * reason, never loaded in part. */
#ifndef EXH_IOC_MAX_INDICATORS
#define EXH_IOC_MAX_INDICATORS 2000000u
#endif

/* Text stored for indicators (paths, names, addresses, descriptions),
 * every file together: with the records this keeps a set under about
 * 200 MB whatever the lines hold. */
#ifndef EXH_IOC_MAX_TEXT
#define EXH_IOC_MAX_TEXT (64u << 20)
#endif

/* Baseline rows, every file together: CSS-Exchange lists about 17,000
 * files per build, so this holds over 100 builds. */
#ifndef EXH_BASELINE_MAX_ROWS
#define EXH_BASELINE_MAX_ROWS 2000000u
#endif

/* Literals the IP indicators give the prefilter, per address family (the
 * same set goes into the database of every log kind): Hyperscan
 * takes 0.9 s and 50 MB to compile 20,000 literals and 10 s and 500 MB for
 * 200,000, so past this the addresses are represented by their prefixes
 * (a line with a prefix is then checked against the address set). */
#ifndef EXH_IOC_IP_LITERALS
#define EXH_IOC_IP_LITERALS 512
#endif

#endif
