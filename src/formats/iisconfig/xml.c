/* A minimal tolerant XML tokenizer (iisconfig.h): element starts and ends
 * with their attributes, in one forward pass over bytes in memory. Text,
 * comments, CDATA sections, processing instructions and declarations are
 * skipped; a construct the input ends inside is taken as far as it goes
 * (truncated). Nothing is allocated and every call moves pos forward by at
 * least one byte, so no input can make it loop or grow. */
#include <string.h>

#include "iisconfig.h"

void exh__xml_init(exh_xml *x, const char *p, size_t n) {
  memset(x, 0, sizeof *x);
  x->p = p;
  x->n = n;
  x->line = 1;
}

/* Moves pos to `to` (<= n), counting the line ends passed. */
static void adv(exh_xml *x, size_t to) {
  if (to > x->n) to = x->n;
  const char *s = x->p + x->pos, *e = x->p + to;
  while (s < e && (s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
    x->line++;
    s++;
  }
  x->pos = to;
}

/* The offset of `pat` at or after `from`, or n. */
static size_t find(const exh_xml *x, size_t from, const char *pat) {
  size_t k = strlen(pat);
  while (from + k <= x->n) {
    const char *c = memchr(x->p + from, pat[0], x->n - from);
    if (!c) break;
    size_t at = (size_t)(c - x->p);
    if (at + k > x->n) break;
    if (!memcmp(c, pat, k)) return at;
    from = at + 1;
  }
  return x->n;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static int starts(const exh_xml *x, size_t at, const char *lit) {
  size_t k = strlen(lit);
  return at + k <= x->n && !memcmp(x->p + at, lit, k);
}

/* Skips a construct from `at` to just after `end`, or to the input's end. */
static void skip_to(exh_xml *x, size_t at, const char *end) {
  size_t e = find(x, at, end);
  if (e >= x->n) {
    x->truncated = 1;
    adv(x, x->n);
  } else {
    adv(x, e + strlen(end));
  }
}

/* The attributes and the end of a start tag, from pos (after its name). */
static void read_attrs(exh_xml *x) {
  const char *p = x->p;
  size_t i = x->pos, n = x->n;
  for (;;) {
    while (i < n && is_space(p[i])) i++;
    if (i >= n) {
      x->truncated = 1;
      break;
    }
    if (p[i] == '>') {
      i++;
      break;
    }
    if (p[i] == '/') {
      if (i + 1 < n && p[i + 1] == '>') {
        x->self_closing = 1;
        i += 2;
        break;
      }
      i++; /* a stray slash */
      continue;
    }
    size_t ns = i;
    while (i < n && !is_space(p[i]) && p[i] != '=' && p[i] != '>' && p[i] != '/' && p[i] != '"' && p[i] != '\'') i++;
    exh_str name = {p + ns, i - ns};
    if (!name.n) { /* '=' or a quote where a name should be: skip the byte */
      i++;
      continue;
    }
    size_t j = i;
    while (j < n && is_space(p[j])) j++;
    exh_str value = {p + j, 0};
    if (j < n && p[j] == '=') {
      j++;
      while (j < n && is_space(p[j])) j++;
      if (j < n && (p[j] == '"' || p[j] == '\'')) {
        const char *q = memchr(p + j + 1, p[j], n - j - 1);
        size_t e = q ? (size_t)(q - p) : n;
        value = (exh_str){p + j + 1, e - j - 1};
        if (!q) x->truncated = 1;
        i = q ? e + 1 : n;
      } else { /* unquoted: to a space or the tag's end */
        size_t vs = j;
        while (j < n && !is_space(p[j]) && p[j] != '>') j++;
        value = (exh_str){p + vs, j - vs};
        i = j;
      }
    } /* else an attribute without a value: its name alone */
    if (x->nattrs < EXH_XML_MAX_ATTRS) x->attrs[x->nattrs++] = (exh_xml_attr){name, value};
    else x->attrs_dropped++;
  }
  adv(x, i);
}

int exh__xml_next(exh_xml *x) {
  while (x->pos < x->n) {
    const char *lt = memchr(x->p + x->pos, '<', x->n - x->pos);
    if (!lt) {
      adv(x, x->n);
      return 0;
    }
    size_t at = (size_t)(lt - x->p);
    adv(x, at);
    if (starts(x, at, "<!--")) {
      skip_to(x, at + 4, "-->");
      continue;
    }
    if (starts(x, at, "<![CDATA[")) {
      skip_to(x, at + 9, "]]>");
      continue;
    }
    if (starts(x, at, "<?")) {
      skip_to(x, at + 2, "?>");
      continue;
    }
    if (starts(x, at, "<!")) { /* a declaration (DOCTYPE): to its '>' */
      skip_to(x, at + 2, ">");
      continue;
    }
    int close = at + 1 < x->n && x->p[at + 1] == '/';
    size_t ns = at + 1 + (size_t)close, i = ns;
    while (i < x->n && !is_space(x->p[i]) && x->p[i] != '>' && x->p[i] != '/' && x->p[i] != '<') i++;
    if (i == ns) { /* "<" not starting a tag: text */
      adv(x, at + 1);
      continue;
    }
    x->type = close ? EXH_XML_CLOSE : EXH_XML_OPEN;
    x->self_closing = 0;
    x->name = (exh_str){x->p + ns, i - ns};
    x->nattrs = x->attrs_dropped = 0;
    x->tok_line = x->line;
    x->tok_off = at;
    adv(x, i);
    if (close) skip_to(x, i, ">");
    else read_attrs(x);
    x->tok_len = x->pos - at;
    return 1;
  }
  return 0;
}

const exh_str *exh__xml_attr(const exh_xml *x, const char *name) {
  for (size_t i = 0; i < x->nattrs; i++)
    if (exh__strieq(x->attrs[i].name, name)) return &x->attrs[i].value;
  return NULL;
}

static size_t put_utf8(char *o, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12)), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18)), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* One entity at s (s[0] == '&'): its bytes in out, the length read, or 0
 * when it is not one (kept as written). */
static size_t entity(const char *s, size_t n, char *out, size_t *olen) {
  static const struct {
    const char *name;
    char c;
  } named[] = {{"quot;", '"'}, {"apos;", '\''}, {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}};
  for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
    size_t l = strlen(named[k].name);
    if (n >= l + 1 && !memcmp(s + 1, named[k].name, l)) {
      out[0] = named[k].c;
      *olen = 1;
      return l + 1;
    }
  }
  if (n < 4 || s[1] != '#') return 0;
  size_t i = 2;
  int hex = s[2] == 'x' || s[2] == 'X';
  if (hex) i++;
  unsigned long cp = 0;
  size_t digits = 0;
  for (; i < n && digits < 8; i++, digits++) {
    char c = s[i];
    int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) break;
    cp = cp * (hex ? 16 : 10) + (unsigned long)d;
  }
  if (!digits || i >= n || s[i] != ';') return 0;
  *olen = put_utf8(out, cp);
  return i + 1;
}

size_t exh__xml_decode(exh_str v, char *out, size_t outn) {
  size_t o = 0;
  if (!outn) return 0;
  for (size_t i = 0; i < v.n;) {
    char tmp[4];
    size_t tl = 1, used = 0;
    if (v.p[i] == '&') used = entity(v.p + i, v.n - i, tmp, &tl);
    if (!used) {
      tmp[0] = v.p[i];
      tl = 1;
      used = 1;
    }
    if (o + tl >= outn) break;
    memcpy(out + o, tmp, tl);
    o += tl;
    i += used;
  }
  out[o] = 0;
  return o;
}
