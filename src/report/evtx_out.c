/* Rendering of decoded EVTX records: JSON in the shape of the evtx crate's
 * `evtx_dump -o jsonl` ({"Event":{"System":{...},"EventData":{...}}},
 * attributes under "#attributes", text under "#text", EventData's
 * <Data Name="X"> as "X"), and XML. Values are strings. */
#include <string.h>

#include "../parse/evtx.h"

static void json_name(FILE *f, const exh_evtx *p, const exh_evtx_node *n) {
  exh_str nm = exh_evtx_str(p, n->name, n->name_len);
  exh_json_str(f, nm.p, nm.n);
}

static int has_element_children(const exh_evtx *p, int node) {
  for (int c = exh_evtx_node_at(p, node)->first_child; c >= 0; c = exh_evtx_node_at(p, c)->next)
    if (!exh_evtx_node_at(p, c)->is_text) return 1;
  return 0;
}

static void json_text(FILE *f, const exh_evtx *p, int node) {
  exh_buf b = {0};
  exh_str t = exh_evtx_text(p, node, &b);
  int any = 0;
  for (int c = exh_evtx_node_at(p, node)->first_child; c >= 0; c = exh_evtx_node_at(p, c)->next)
    if (exh_evtx_node_at(p, c)->is_text) any = 1;
  if (any) exh_json_str(f, t.p, t.n);
  else fputs("null", f);
  exh_buf_free(&b);
}

/* The key a child is written under: <Data Name="X"> is "X"; repeated names
 * get "_1", "_2"... */
static void json_key(FILE *f, const exh_evtx *p, int parent, int child) {
  const exh_evtx_node *n = exh_evtx_node_at(p, child);
  exh_str nm = exh_evtx_str(p, n->name, n->name_len);
  exh_str dn = exh_evtx_attr_value(p, child, "Name");
  exh_str key = (nm.n == 4 && !memcmp(nm.p, "Data", 4) && dn.p) ? dn : nm;
  int dup = 0;
  for (int c = exh_evtx_node_at(p, parent)->first_child; c >= 0 && c != child; c = exh_evtx_node_at(p, c)->next) {
    const exh_evtx_node *o = exh_evtx_node_at(p, c);
    if (o->is_text) continue;
    exh_str onm = exh_evtx_str(p, o->name, o->name_len);
    exh_str odn = exh_evtx_attr_value(p, c, "Name");
    exh_str okey = (onm.n == 4 && !memcmp(onm.p, "Data", 4) && odn.p) ? odn : onm;
    if (okey.n == key.n && !memcmp(okey.p, key.p, key.n)) dup++;
  }
  if (!dup) {
    exh_json_str(f, key.p, key.n);
    return;
  }
  exh_buf b = {0};
  exh_buf_add(&b, key.p, key.n);
  exh_buf_printf(&b, "_%d", dup);
  exh_json_str(f, b.p, b.n);
  exh_buf_free(&b);
}

static void json_node(FILE *f, const exh_evtx *p, int node, int in_eventdata) {
  const exh_evtx_node *n = exh_evtx_node_at(p, node);
  int attrs = 0;
  for (int a = n->first_attr; a >= 0; a = exh_evtx_attr_at(p, a)->next) {
    /* a Data element's Name became its key */
    const exh_evtx_attr *at = exh_evtx_attr_at(p, a);
    exh_str an = exh_evtx_str(p, at->name, at->name_len);
    if (in_eventdata && an.n == 4 && !memcmp(an.p, "Name", 4)) continue;
    attrs++;
  }
  if (!attrs && !has_element_children(p, node)) {
    json_text(f, p, node);
    return;
  }
  fputc('{', f);
  int first = 1;
  if (attrs) {
    fputs("\"#attributes\":{", f);
    int fa = 1;
    for (int a = n->first_attr; a >= 0; a = exh_evtx_attr_at(p, a)->next) {
      const exh_evtx_attr *at = exh_evtx_attr_at(p, a);
      exh_str an = exh_evtx_str(p, at->name, at->name_len), av = exh_evtx_str(p, at->val, at->val_len);
      if (in_eventdata && an.n == 4 && !memcmp(an.p, "Name", 4)) continue;
      if (!fa) fputc(',', f);
      exh_json_str(f, an.p, an.n);
      fputc(':', f);
      exh_json_str(f, av.p, av.n);
      fa = 0;
    }
    fputc('}', f);
    first = 0;
  }
  int text = 0;
  for (int c = n->first_child; c >= 0; c = exh_evtx_node_at(p, c)->next) {
    const exh_evtx_node *ch = exh_evtx_node_at(p, c);
    if (ch->is_text) {
      text = 1;
      continue;
    }
    if (!first) fputc(',', f);
    json_key(f, p, node, c);
    fputc(':', f);
    exh_str nm = exh_evtx_str(p, n->name, n->name_len);
    int ed = (nm.n == 9 && !memcmp(nm.p, "EventData", 9)) || (nm.n == 8 && !memcmp(nm.p, "UserData", 8));
    json_node(f, p, c, ed || in_eventdata);
    first = 0;
  }
  if (text) {
    if (!first) fputc(',', f);
    fputs("\"#text\":", f);
    json_text(f, p, node);
  }
  fputc('}', f);
}

void exh_evtx_write_json(FILE *f, const exh_evtx *p, const exh_evtx_record *r) {
  if (r->root < 0) return;
  fputc('{', f);
  json_name(f, p, exh_evtx_node_at(p, r->root));
  fputc(':', f);
  json_node(f, p, r->root, 0);
  fputs("}\n", f);
}

static void xml_esc(FILE *f, exh_str s) {
  /* XML escaping, then the terminal-safe pass for control bytes */
  size_t i = 0;
  while (i < s.n) {
    size_t j = i;
    while (j < s.n && s.p[j] != '<' && s.p[j] != '>' && s.p[j] != '&' && s.p[j] != '"') j++;
    exh_term_str(f, s.p + i, j - i);
    if (j < s.n) fputs(s.p[j] == '<' ? "&lt;" : s.p[j] == '>' ? "&gt;" : s.p[j] == '&' ? "&amp;" : "&quot;", f);
    i = j + 1;
  }
}

static void xml_node(FILE *f, const exh_evtx *p, int node, int depth) {
  const exh_evtx_node *n = exh_evtx_node_at(p, node);
  for (int i = 0; i < depth; i++) fputs("  ", f);
  exh_str nm = exh_evtx_str(p, n->name, n->name_len);
  fputc('<', f);
  xml_esc(f, nm);
  for (int a = n->first_attr; a >= 0; a = exh_evtx_attr_at(p, a)->next) {
    const exh_evtx_attr *at = exh_evtx_attr_at(p, a);
    fputc(' ', f);
    xml_esc(f, exh_evtx_str(p, at->name, at->name_len));
    fputs("=\"", f);
    xml_esc(f, exh_evtx_str(p, at->val, at->val_len));
    fputc('"', f);
  }
  if (n->first_child < 0) {
    fputs("/>\n", f);
    return;
  }
  fputc('>', f);
  if (!has_element_children(p, node)) {
    exh_buf b = {0};
    xml_esc(f, exh_evtx_text(p, node, &b));
    exh_buf_free(&b);
  } else {
    fputc('\n', f);
    for (int c = n->first_child; c >= 0; c = exh_evtx_node_at(p, c)->next) {
      const exh_evtx_node *ch = exh_evtx_node_at(p, c);
      if (ch->is_text) {
        for (int i = 0; i <= depth; i++) fputs("  ", f);
        xml_esc(f, exh_evtx_str(p, ch->text, ch->text_len));
        fputc('\n', f);
      } else {
        xml_node(f, p, c, depth + 1);
      }
    }
    for (int i = 0; i < depth; i++) fputs("  ", f);
  }
  fputs("</", f);
  xml_esc(f, nm);
  fputs(">\n", f);
}

void exh_evtx_write_xml(FILE *f, const exh_evtx *p, const exh_evtx_record *r) {
  fprintf(f, "<!-- Record %llu -->\n", (unsigned long long)r->id);
  if (r->root >= 0) xml_node(f, p, r->root, 0);
}
