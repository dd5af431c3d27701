/* The IIS configuration format (formats/iisconfig): the tokenizer on
 * hostile XML (truncated, unclosed, huge attributes, comments, CDATA,
 * entity-encoded quotes), the module findings (a SessionManager-like global
 * module outside inetsrv, an unknown DLL inside it, an Owowa-like managed
 * module with a foreign token or none), silence on a stock Server 2019 +
 * Exchange applicationHost.config, and recognition by path (a folder's and
 * an archive member's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/iisconfig/iisconfig.h"
#include "formats/registry.h"
#include "scan/scan.h"
#include "util/util.h"

static exh_ruleset *rs;
static exh_scan_limits lim;
static exh_worker wk;

static int setup(void **st) {
  (void)st;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK || exh_ruleset_compile(rs) != EXH_OK)
    return -1;
  exh__scan_limits_default(&lim);
  exh__worker_init(&wk, rs);
  wk.lim = &lim;
  return 0;
}

static int teardown(void **st) {
  (void)st;
  exh__worker_fini(&wk);
  exh_ruleset_free(rs);
  return 0;
}

static char *slurp(const char *name, size_t *n) {
  char *path = exh__xasprintf("%s/tests/data/iisconfig/%s", EXH_SOURCE_DIR, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)sz + 1);
  assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
  b[sz] = 0;
  fclose(f);
  free(path);
  *n = (size_t)sz;
  return b;
}

static void scan_text(exh_evidence *ev, const char *rel, const char *p, size_t n) {
  memset(ev, 0, sizeof *ev);
  ev->path = (char *)rel;
  ev->rel = (char *)rel;
  ev->kind = EXH_KIND_IISCONFIG;
  exh__iisconfig_scan_buf(&wk, ev, p, n);
}

static void release(exh_evidence *ev) {
  for (size_t i = 0; i < ev->nfindings; i++) exh__finding_release(&ev->findings[i]);
  free(ev->findings);
  free(ev->error);
}

/* The finding of rule `id` whose message names `module`, or NULL. */
static const exh_finding *find(const exh_evidence *ev, const char *id, const char *module) {
  char q[256];
  snprintf(q, sizeof q, "module '%s'", module);
  for (size_t i = 0; i < ev->nfindings; i++)
    if (!strcmp(ev->findings[i].rule->id, id) && strstr(ev->findings[i].message, q)) return &ev->findings[i];
  return NULL;
}

/* ---- the tokenizer ------------------------------------------------------- */

typedef struct toks {
  char names[32][64];
  int types[32];
  uint64_t lines[32];
  size_t n;
} toks;

static void tokenize(const char *s, size_t n, toks *t, exh_xml *x) {
  exh__xml_init(x, s, n);
  t->n = 0;
  while (exh__xml_next(x)) {
    assert_true(x->tok_off + x->tok_len <= n);
    if (t->n < 32) {
      snprintf(t->names[t->n], sizeof t->names[0], "%.*s", (int)x->name.n, x->name.p);
      t->types[t->n] = x->type;
      t->lines[t->n] = x->tok_line;
      t->n++;
    }
  }
}

static void test_tokens(void **st) {
  (void)st;
  const char *s = "<?xml version=\"1.0\"?>\n<!DOCTYPE x>\n<!-- <add name=\"hidden\" image=\"c:\\x.dll\"/> -->\n"
                  "<a k='v' b = \"w\">text<![CDATA[<add name=\"cdata\"/>]]>\n<b/><c x=unq y>t</c></a>";
  toks t;
  exh_xml x;
  tokenize(s, strlen(s), &t, &x);
  assert_int_equal(t.n, 5);
  assert_string_equal(t.names[0], "a");
  assert_int_equal(t.lines[0], 4);
  assert_string_equal(t.names[1], "b");
  assert_int_equal(t.lines[1], 5);
  assert_string_equal(t.names[2], "c");
  assert_int_equal(t.types[3], EXH_XML_CLOSE);
  assert_string_equal(t.names[4], "a");
  assert_false(x.truncated);
  /* attributes: quotes of both kinds, spaces around '=', unquoted, bare */
  exh__xml_init(&x, s, strlen(s));
  assert_true(exh__xml_next(&x));
  assert_int_equal(x.nattrs, 2);
  const exh_str *v = exh__xml_attr(&x, "B");
  assert_non_null(v);
  assert_int_equal(v->n, 1);
  assert_memory_equal(v->p, "w", 1);
  assert_true(exh__xml_next(&x));
  assert_true(x.self_closing);
  assert_true(exh__xml_next(&x));
  v = exh__xml_attr(&x, "x");
  assert_non_null(v);
  assert_int_equal(v->n, 3);
  assert_non_null(exh__xml_attr(&x, "y"));
}

static void test_entities(void **st) {
  (void)st;
  char out[64];
  exh__xml_decode(EXH_STR("a&quot;b&apos;c&amp;&lt;&gt;&#65;&#x42;&bogus;&#;&"), out, sizeof out);
  assert_string_equal(out, "a\"b'c&<>AB&bogus;&#;&");
  exh__xml_decode(EXH_STR("&#x20AC;&#0;"), out, sizeof out);
  assert_string_equal(out, "\xE2\x82\xAC\xEF\xBF\xBD");
  /* cut, never past the buffer */
  assert_int_equal(exh__xml_decode(EXH_STR("0123456789"), out, 5), 4);
  assert_string_equal(out, "0123");
  /* an entity-encoded quote inside a value does not end it */
  const char *s = "<add name=\"x&quot; image=&quot;y\" image=\"z\"/>";
  exh_xml x;
  exh__xml_init(&x, s, strlen(s));
  assert_true(exh__xml_next(&x));
  assert_int_equal(x.nattrs, 2);
  exh__xml_decode(*exh__xml_attr(&x, "image"), out, sizeof out);
  assert_string_equal(out, "z");
}

static void test_hostile(void **st) {
  (void)st;
  /* every prefix of a document: never past the end, always ends */
  size_t n;
  char *doc = slurp("applicationHost.backdoor.config", &n);
  for (size_t k = 0; k <= n; k += (k < 4096 ? 1 : 97)) {
    char *cut = malloc(k ? k : 1);
    memcpy(cut, doc, k);
    exh_evidence ev;
    scan_text(&ev, "C/Windows/System32/inetsrv/config/applicationHost.config", cut, k);
    for (size_t i = 0; i < ev.nfindings; i++) assert_true(ev.findings[i].offset < k);
    release(&ev);
    free(cut);
  }
  free(doc);
  /* unclosed constructs: a comment, CDATA, a quote, a tag */
  const char *cases[] = {"<a><!-- never closed <add name=\"x\" image=\"c:\\x.dll\"/>",
                         "<globalModules><![CDATA[ <add ",
                         "<globalModules><add name=\"x\" image=\"c:\\evil.dll",
                         "<globalModules><add name=\"x\" image=\"c:\\evil.dll\"",
                         "<<<<>>>></></><//>< a><=\"'>",
                         "</globalModules></globalModules><add name=a image=b>"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    exh_evidence ev;
    scan_text(&ev, "applicationHost.config", cases[i], strlen(cases[i]));
    release(&ev);
  }
  /* a truncated registration is still read: its image is outside inetsrv */
  exh_evidence ev;
  scan_text(&ev, "applicationHost.config", cases[3], strlen(cases[3]));
  assert_non_null(find(&ev, "exhunt-iis-native-module-outside", "x"));
  assert_non_null(ev.error);
  release(&ev);
  /* a huge attribute and thousands of attributes and nested elements */
  size_t big = 8u << 20;
  char *h = malloc(big + 256);
  size_t o = (size_t)sprintf(h, "<configuration><globalModules><add name=\"big\" image=\"c:\\");
  memset(h + o, 'a', big);
  o += big;
  o += (size_t)sprintf(h + o, ".dll\" />");
  scan_text(&ev, "applicationHost.config", h, o);
  const exh_finding *f = find(&ev, "exhunt-iis-native-module-outside", "big");
  assert_non_null(f);
  assert_true(f->evidence_truncated);
  assert_true(strlen(f->message) < 4096);
  release(&ev);
  o = 0;
  for (int i = 0; i < 100000; i++) o += (size_t)sprintf(h + o, "<e a=1 ");
  scan_text(&ev, "applicationHost.config", h, o);
  assert_int_equal(ev.nfindings, 0);
  release(&ev);
  o = 0;
  for (int i = 0; i < 100000; i++) o += (size_t)sprintf(h + o, "<globalModules>");
  o += (size_t)sprintf(h + o, "<add name=\"deep\" image=\"d:\\x.dll\"/>");
  scan_text(&ev, "applicationHost.config", h, o);
  assert_int_equal(ev.nfindings, 0); /* past the depth kept, its parent is not known */
  release(&ev);
  free(h);
}

/* ---- the findings ---------------------------------------------------------- */

static void test_stock_silent(void **st) {
  (void)st;
  size_t n;
  char *doc = slurp("applicationHost.stock.config", &n);
  exh_evidence ev;
  scan_text(&ev, "C/Windows/System32/inetsrv/config/applicationHost.config", doc, n);
  for (size_t i = 0; i < ev.nfindings; i++) print_message("unexpected: %s\n", ev.findings[i].message);
  assert_int_equal(ev.nfindings, 0);
  assert_true(ev.records >= 40); /* the registrations were read */
  assert_null(ev.error);
  release(&ev);
  free(doc);
}

static void test_backdoors(void **st) {
  (void)st;
  size_t n;
  char *doc = slurp("applicationHost.backdoor.config", &n);
  exh_evidence ev;
  scan_text(&ev, "C/Windows/System32/inetsrv/config/applicationHost.config", doc, n);
  assert_int_equal(ev.nfindings, 3);
  const exh_finding *f = find(&ev, "exhunt-iis-native-module-outside", "SessionManagerModule");
  assert_non_null(f);
  assert_int_equal(f->level, EXH_LEVEL_HIGH);
  assert_int_equal(f->line, 74);
  assert_non_null(strstr(f->message, "C:\\Windows\\Temp\\ExchangeHelper\\owin.dll"));
  assert_non_null(strstr(f->evidence, "<add name=\"SessionManagerModule\""));
  f = find(&ev, "exhunt-iis-native-module-unknown", "CacheOptimizerModule");
  assert_non_null(f);
  assert_int_equal(f->level, EXH_LEVEL_MEDIUM);
  assert_int_equal(f->line, 75);
  f = find(&ev, "exhunt-iis-managed-module-foreign", "ExtenderControlDesigner");
  assert_non_null(f);
  assert_int_equal(f->level, EXH_LEVEL_HIGH);
  assert_non_null(strstr(f->message, "PublicKeyToken=0123456789abcdef"));
  release(&ev);
  free(doc);
  doc = slurp("owa.web.config", &n);
  scan_text(&ev, "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/web.config", doc, n);
  assert_int_equal(ev.nfindings, 1);
  f = find(&ev, "exhunt-iis-managed-module-foreign", "\"Owa\"Helper"); /* the name's entities decoded */
  assert_non_null(f);
  assert_non_null(strstr(f->message, "without a strong name"));
  release(&ev);
  free(doc);
}

static void test_rules(void **st) {
  (void)st;
  static const struct {
    const char *xml, *rule; /* NULL: silent */
  } c[] = {
      /* Exchange installed elsewhere: its own modules still known */
      {"<globalModules><add name=\"kerbauth\" image=\"E:\\MSExchange2019\\Bin\\kerbauth.dll\"/>", NULL},
      /* a known name with another DLL, or from another place */
      {"<globalModules><add name=\"kerbauth\" image=\"E:\\Temp\\Bin\\kerbauth.dll\"/>", "exhunt-iis-native-module-outside"},
      {"<globalModules><add name=\"StaticFileModule\" image=\"%windir%\\System32\\inetsrv\\static2.dll\"/>",
       "exhunt-iis-native-module-unknown"},
      {"<globalModules><add name=\"StaticFileModule\" image=\"%windir%/system32/INETSRV//static.dll\"/>", NULL},
      {"<globalModules><add name=\"StaticFileModule\" image=\"%windir%\\System32\\inetsrv\\..\\..\\Temp\\static.dll\"/>",
       "exhunt-iis-native-module-outside"},
      {"<globalModules><add name=\"Helper\" image=\"%windir%\\SysWOW64\\inetsrv\\helper.dll\"/>",
       "exhunt-iis-native-module-unknown"},
      {"<globalModules><add name=\"Helper\" image=\"C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\h.dll\"/>",
       "exhunt-iis-native-module-unknown"},
      {"<globalModules><add name=\"Helper\" image=\"%windir%\\System32\\inetsrv\\sub\\h.dll\"/>",
       "exhunt-iis-native-module-outside"},
      {"<globalModules><add name=\"Helper\" image=\"helper.dll\"/>", "exhunt-iis-native-module-outside"},
      {"<globalModules><add name=\"WSMan\" image=\"%windir%\\system32\\wsmsvc.dll\"/>", NULL},
      /* managed: Microsoft's tokens, none, foreign, no assembly */
      {"<modules><add name=\"m\" type=\"A.B,A,Version=1.0.0.0,Culture=neutral,PublicKeyToken=31BF3856AD364E35\"/>", NULL},
      {"<modules><add name=\"m\" type=\"A.B, A, Version=1.0.0.0\"/>", "exhunt-iis-managed-module-foreign"},
      {"<modules><add name=\"m\" type=\"A.B\"/>", "exhunt-iis-managed-module-foreign"},
      {"<modules><add name=\"m\" type=\"System.Web.Security.FormsAuthenticationModule\"/>", NULL},
      {"<system.web><httpModules><add name=\"m\" type=\"A.B, A, PublicKeyToken=abcdef0123456789\"/>",
       "exhunt-iis-managed-module-foreign"},
      /* not registrations: a native module enabled by name, an <add> elsewhere */
      {"<modules><add name=\"Anything\"/>", NULL},
      {"<appSettings><add key=\"x\" type=\"A.B\" image=\"c:\\x.dll\"/>", NULL},
      {"<globalModules><remove name=\"x\"/><clear/>", NULL},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    exh_evidence ev;
    scan_text(&ev, "applicationHost.config", c[i].xml, strlen(c[i].xml));
    if (c[i].rule) {
      if (ev.nfindings != 1 || strcmp(ev.findings[0].rule->id, c[i].rule)) fail_msg("case %zu: %s", i, c[i].xml);
    } else if (ev.nfindings) {
      fail_msg("case %zu: unexpected %s", i, ev.findings[0].message);
    }
    release(&ev);
  }
}

/* The location path a registration lies in is named. */
static void test_location(void **st) {
  (void)st;
  const char *s = "<configuration><location path=\"Exchange Back End/owa\"><system.webServer><modules>"
                  "<add name=\"m\" type=\"A.B, A, PublicKeyToken=null\"/></modules></system.webServer></location>"
                  "<system.webServer><modules><add name=\"n\" type=\"C.D\"/></modules></system.webServer></configuration>";
  exh_evidence ev;
  scan_text(&ev, "applicationHost.config", s, strlen(s));
  assert_int_equal(ev.nfindings, 2);
  assert_non_null(strstr(find(&ev, "exhunt-iis-managed-module-foreign", "m")->message,
                         "in <location path=\"Exchange Back End/owa\">"));
  assert_null(strstr(find(&ev, "exhunt-iis-managed-module-foreign", "n")->message, "location"));
  release(&ev);
}

/* ---- recognition ----------------------------------------------------------- */

static void test_by_path(void **st) {
  (void)st;
  static const struct {
    const char *rel;
    exh_kind kind;
    const char *sub;
  } c[] = {
      {"C/Windows/System32/inetsrv/config/applicationHost.config", EXH_KIND_IISCONFIG, ""},
      {"uploads/auto/C%3A/Windows/System32/inetsrv/config/ApplicationHost.config", EXH_KIND_IISCONFIG, ""},
      {"C/inetpub/history/CFGHISTORY_0000000012/applicationHost.config", EXH_KIND_IISCONFIG, ""},
      {"C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/web.config", EXH_KIND_IISCONFIG, "web"},
      {"C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/web.config", EXH_KIND_IISCONFIG, "web"},
      {"C/inetpub/wwwroot/web.config", EXH_KIND_IISCONFIG, "web"},
      {"C/inetpub/wwwroot/aspnet_client/Web.Config", EXH_KIND_IISCONFIG, "web"},
      {"C/Users/x/source/web.config", EXH_KIND_NONE, ""},
      {"C/Windows/System32/inetsrv/config/administration.config", EXH_KIND_NONE, ""},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char sub[64];
    exh_kind k = exh__formats_by_path(c[i].rel, sub, sizeof sub);
    if (k != c[i].kind) fail_msg("%s: kind %d", c[i].rel, (int)k);
    if (k != EXH_KIND_NONE) assert_string_equal(sub, c[i].sub);
  }
  /* an archive member is recognised through the same registry (the
   * worker's dispatch, formats/archive) */
  char sub[64];
  assert_int_equal(exh__formats_dispatch.by_path("collection/C/Windows/System32/inetsrv/config/applicationHost.config",
                                                 sub, sizeof sub),
                   EXH_KIND_IISCONFIG);
}

int main(void) {
  const struct CMUnitTest t[] = {
      cmocka_unit_test(test_tokens),      cmocka_unit_test(test_entities), cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_stock_silent), cmocka_unit_test(test_backdoors), cmocka_unit_test(test_rules),
      cmocka_unit_test(test_location),    cmocka_unit_test(test_by_path),
  };
  return cmocka_run_group_tests(t, setup, teardown);
}
