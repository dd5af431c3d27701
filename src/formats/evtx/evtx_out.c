/* Rendering of decoded EVTX records: JSON in the shape of the evtx crate's
 * `evtx_dump -o jsonl` ({"Event":{"System":{...},"EventData":{...}}},
 * attributes under "#attributes", text under "#text", EventData's
 * <Data Name="X"> as "X"), and XML. Values are strings. */
#include <stdlib.h>
#include <string.h>

#include "evtx.h"

/* JSON is rendered into one buffer per record, written with one fwrite. */

static int has_element_children(const exh_evtx *p, int node) {
  for (int c = exh__evtx_node_at(p, node)->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next)
    if (!exh__evtx_node_at(p, c)->is_text) return 1;
  return 0;
}

static void json_text(exh_buf *o, const exh_evtx *p, int node, exh_buf *tmp) {
  int any = 0;
  for (int c = exh__evtx_node_at(p, node)->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next)
    if (exh__evtx_node_at(p, c)->is_text) any = 1;
  if (!any) {
    exh_buf_add(o, "null", 4);
    return;
  }
  exh_str t = exh__evtx_text(p, node, tmp);
  exh__json_buf(o, t.p, t.n);
}

static exh_str key_of(const exh_evtx *p, int child) {
  const exh_evtx_node *n = exh__evtx_node_at(p, child);
  exh_str nm = exh__evtx_str(p, n->name, n->name_len);
  if (nm.n == 4 && !memcmp(nm.p, "Data", 4)) {
    exh_str dn = exh__evtx_attr_value(p, child, "Name");
    if (dn.p) return dn;
  }
  return nm;
}

/* The key a child is written under: <Data Name="X"> is "X"; repeated names
 * get "_1", "_2"... (dup: how many siblings before it had the key). */
static void json_key(exh_buf *o, exh_str key, unsigned dup) {
  if (!dup) {
    exh__json_buf(o, key.p, key.n);
    return;
  }
  char tmp[512];
  int k = snprintf(tmp, sizeof tmp, "%.*s_%u", (int)(key.n < 480 ? key.n : 480), key.p, dup);
  exh__json_buf(o, tmp, (size_t)k);
}

static void json_node(exh_buf *o, const exh_evtx *p, int node, int in_eventdata, exh_buf *tmp) {
  const exh_evtx_node *n = exh__evtx_node_at(p, node);
  int attrs = 0;
  for (int a = n->first_attr; a >= 0; a = exh__evtx_attr_at(p, a)->next) {
    /* a Data element's Name became its key */
    const exh_evtx_attr *at = exh__evtx_attr_at(p, a);
    exh_str an = exh__evtx_str(p, at->name, at->name_len);
    if (in_eventdata && an.n == 4 && !memcmp(an.p, "Name", 4)) continue;
    attrs++;
  }
  if (!attrs && !has_element_children(p, node)) {
    json_text(o, p, node, tmp);
    return;
  }
  exh_buf_addc(o, '{');
  int first = 1;
  if (attrs) {
    exh__buf_adds(o, "\"#attributes\":{");
    int fa = 1;
    for (int a = n->first_attr; a >= 0; a = exh__evtx_attr_at(p, a)->next) {
      const exh_evtx_attr *at = exh__evtx_attr_at(p, a);
      exh_str an = exh__evtx_str(p, at->name, at->name_len), av = exh__evtx_str(p, at->val, at->val_len);
      if (in_eventdata && an.n == 4 && !memcmp(an.p, "Name", 4)) continue;
      if (!fa) exh_buf_addc(o, ',');
      exh__json_buf(o, an.p, an.n);
      exh_buf_addc(o, ':');
      exh__json_buf(o, av.p, av.n);
      fa = 0;
    }
    exh_buf_addc(o, '}');
    first = 0;
  }
  int text = 0;
  exh_str nm = exh__evtx_str(p, n->name, n->name_len);
  int ed = (nm.n == 9 && !memcmp(nm.p, "EventData", 9)) || (nm.n == 8 && !memcmp(nm.p, "UserData", 8));
  /* the children's keys and their repeat counts first */
  exh_str keys_small[64], *keys = keys_small;
  unsigned dups_small[64], *dups = dups_small;
  size_t nkeys = 0;
  for (int c = n->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next) nkeys += !exh__evtx_node_at(p, c)->is_text;
  if (nkeys > 64) { /* an element with more than 64 children: rare */
    keys = exh__xmalloc(nkeys * sizeof *keys);
    dups = exh__xmalloc(nkeys * sizeof *dups);
  }
  nkeys = 0;
  for (int c = n->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next)
    if (!exh__evtx_node_at(p, c)->is_text) keys[nkeys++] = key_of(p, c);
  exh__dup_counts(keys, nkeys, dups);
  size_t ki = 0;
  for (int c = n->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next) {
    if (exh__evtx_node_at(p, c)->is_text) {
      text = 1;
      continue;
    }
    if (!first) exh_buf_addc(o, ',');
    json_key(o, keys[ki], dups[ki]);
    ki++;
    exh_buf_addc(o, ':');
    json_node(o, p, c, ed || in_eventdata, tmp);
    first = 0;
  }
  if (keys != keys_small) free(keys), free(dups);
  if (text) {
    if (!first) exh_buf_addc(o, ',');
    exh__buf_adds(o, "\"#text\":");
    json_text(o, p, node, tmp);
  }
  exh_buf_addc(o, '}');
}

/* Per-thread buffers, reused across records; a thread that rendered frees
 * them with exh__evtx_out_thread_cleanup before it ends. */
static _Thread_local exh_buf out, tmp;

void exh__evtx_out_thread_cleanup(void) {
  exh__buf_free(&out);
  exh__buf_free(&tmp);
}

void exh__evtx_json_subtree(exh_buf *o, const exh_evtx *p, int node, int in_eventdata) {
  json_node(o, p, node, in_eventdata, &tmp);
}

void exh__evtx_json_append(exh_buf *o, const exh_evtx *p, const exh_evtx_record *r) {
  if (r->json) {
    exh_buf_add(o, r->json, r->json_len);
    return;
  }
  if (r->root < 0) return;
  exh_buf_addc(o, '{');
  const exh_evtx_node *root = exh__evtx_node_at(p, r->root);
  exh_str nm = exh__evtx_str(p, root->name, root->name_len);
  exh__json_buf(o, nm.p, nm.n);
  exh_buf_addc(o, ':');
  json_node(o, p, r->root, 0, &tmp);
  exh_buf_add(o, "}\n", 2);
}

void exh__evtx_write_json(FILE *f, const exh_evtx *p, const exh_evtx_record *r) {
  if (r->json) {
    fwrite(r->json, 1, r->json_len, f);
    return;
  }
  out.n = 0;
  exh__evtx_json_append(&out, p, r);
  fwrite(out.p, 1, out.n, f);
  if (out.cap > (1u << 22)) { /* do not keep a huge record's buffer */
    exh__buf_free(&out);
    exh__buf_free(&tmp);
  }
}

static void xml_esc(FILE *f, exh_str s) {
  /* XML escaping, then the terminal-safe pass for control bytes */
  size_t i = 0;
  while (i < s.n) {
    size_t j = i;
    while (j < s.n && s.p[j] != '<' && s.p[j] != '>' && s.p[j] != '&' && s.p[j] != '"') j++;
    exh__term_str(f, s.p + i, j - i);
    if (j < s.n) fputs(s.p[j] == '<' ? "&lt;" : s.p[j] == '>' ? "&gt;" : s.p[j] == '&' ? "&amp;" : "&quot;", f);
    i = j + 1;
  }
}

static void xml_node(FILE *f, const exh_evtx *p, int node, int depth) {
  const exh_evtx_node *n = exh__evtx_node_at(p, node);
  for (int i = 0; i < depth; i++) fputs("  ", f);
  exh_str nm = exh__evtx_str(p, n->name, n->name_len);
  fputc('<', f);
  xml_esc(f, nm);
  for (int a = n->first_attr; a >= 0; a = exh__evtx_attr_at(p, a)->next) {
    const exh_evtx_attr *at = exh__evtx_attr_at(p, a);
    fputc(' ', f);
    xml_esc(f, exh__evtx_str(p, at->name, at->name_len));
    fputs("=\"", f);
    xml_esc(f, exh__evtx_str(p, at->val, at->val_len));
    fputc('"', f);
  }
  if (n->first_child < 0) {
    fputs("/>\n", f);
    return;
  }
  fputc('>', f);
  if (!has_element_children(p, node)) {
    exh_buf b = {0};
    xml_esc(f, exh__evtx_text(p, node, &b));
    exh__buf_free(&b);
  } else {
    fputc('\n', f);
    for (int c = n->first_child; c >= 0; c = exh__evtx_node_at(p, c)->next) {
      const exh_evtx_node *ch = exh__evtx_node_at(p, c);
      if (ch->is_text) {
        for (int i = 0; i <= depth; i++) fputs("  ", f);
        xml_esc(f, exh__evtx_str(p, ch->text, ch->text_len));
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

void exh__evtx_write_xml(FILE *f, const exh_evtx *p, const exh_evtx_record *r) {
  fprintf(f, "<!-- Record %llu -->\n", (unsigned long long)r->id);
  if (r->root >= 0) xml_node(f, p, r->root, 0);
}
