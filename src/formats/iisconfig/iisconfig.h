/* The IIS configuration format: applicationHost.config (IIS's server-level
 * configuration, and the copies IIS keeps in inetpub/history) and the
 * web.config files of the applications Exchange and IIS serve. Each native
 * module registration (<globalModules><add name image/>) and each managed
 * one (<modules> and <httpModules> <add name type/>, also inside <location
 * path=...>) is compared with IIS's, .NET's and Exchange's own
 * (data/iis-modules.txt): the place where native IIS backdoors (RGDoor,
 * IIS-Raid, IISpy, SessionManager) and managed ones (Owowa) are
 * registered, which no web shell check sees. A web.config in a web folder
 * also gets the content checks of any file there (formats/files).
 *
 * The reader is a small tolerant tokenizer (xml.c), not an XML parser:
 * elements and their attributes, comments, CDATA, processing instructions
 * and declarations skipped; every step moves forward, so hostile input
 * (truncated, unclosed, huge attributes) costs one pass over the bytes. */
#ifndef EXH_FORMATS_IISCONFIG_H
#define EXH_FORMATS_IISCONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/format.h"
#include "../../util/util.h"

extern const exh_format exh__format_iisconfig;

/* ---- the tokenizer (xml.c) ----------------------------------------------- */

#define EXH_XML_MAX_ATTRS 16

typedef struct exh_xml_attr {
  exh_str name, value; /* value as written: entities not decoded, quotes removed */
} exh_xml_attr;

enum { EXH_XML_OPEN = 1, EXH_XML_CLOSE = 2 };

typedef struct exh_xml {
  const char *p;
  size_t n, pos;
  uint64_t line; /* 1-based line of pos */
  /* the current token (exh__xml_next) */
  int type;          /* EXH_XML_OPEN or EXH_XML_CLOSE */
  int self_closing;  /* <name ... /> */
  exh_str name;
  exh_xml_attr attrs[EXH_XML_MAX_ATTRS];
  size_t nattrs;
  size_t attrs_dropped; /* attributes past EXH_XML_MAX_ATTRS */
  uint64_t tok_line;    /* line of its '<' */
  size_t tok_off, tok_len; /* its bytes */
  int truncated;        /* the input ended inside a tag, comment, CDATA or value */
} exh_xml;

void exh__xml_init(exh_xml *x, const char *p, size_t n);
/* The next element start or end: 1 with the token in x, 0 at the end. */
int exh__xml_next(exh_xml *x);
/* The attribute's value (NULL if absent), by name (ASCII case-insensitive). */
const exh_str *exh__xml_attr(const exh_xml *x, const char *name);
/* An attribute value with its entities decoded (&quot; &apos; &amp; &lt;
 * &gt; &#N; &#xH;, others kept as written) into out (NUL-terminated, at
 * most outn - 1 bytes: a longer value is cut); its length. */
size_t exh__xml_decode(exh_str v, char *out, size_t outn);

/* ---- the module checks (format_iisconfig.c) ------------------------------ */

/* Reads the module registrations of one configuration file's bytes into
 * the evidence's findings (records: the registrations read). */
void exh__iisconfig_scan_buf(exh_worker *wk, exh_evidence *ev, const char *p, size_t n);

extern const exh_rule_info exh__rule_iis_native_outside, exh__rule_iis_native_unknown, exh__rule_iis_managed_foreign;

#endif
