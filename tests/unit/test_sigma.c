/* The Sigma loader and evaluator: what loads, what is rejected and why, and
 * what matches. Records are built from a CSV header and line as the scanner
 * builds them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/logs/exlog.h"
#include "rules/sigma_int.h"

static char last_why[512];
static void on_reject(void *ctx, const char *src, const char *title, const char *why) {
  (void)ctx, (void)src, (void)title;
  snprintf(last_why, sizeof last_why, "%s", why);
}

static exh_ruleset *load(const char *yaml) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_on_reject(rs, on_reject, NULL);
  last_why[0] = 0;
  exh_ruleset_add_yaml(rs, "test", yaml, strlen(yaml));
  return rs;
}

/* Evaluates `rule` on `line` under the CSV header `hdr`, as the scanner does. */
static int eval_rule(exh_ruleset *rs, const exh_rule *rule, const char *hdr, const char *line, const char *folder) {
  exh_exlog_header h;
  exh__exlog_header_parse(&h, hdr, strlen(hdr), 0, EXH_FMT_CSV);
  int *fmap = calloc(exh__ruleset_nfields(rs), sizeof(int));
  exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, h.names, h.n, fmap);
  exh_str cols[EXH_MAX_COLS];
  uint8_t q[EXH_MAX_COLS];
  exh_buf scratch = {0};
  exh_record rec;
  memset(&rec, 0, sizeof rec);
  rec.raw = (exh_str){line, strlen(line)};
  rec.cols = cols;
  rec.qflags = q;
  rec.ncols = exh__csv_split(line, strlen(line), cols, q, EXH_MAX_COLS);
  rec.fmap = fmap;
  rec.nfmap = (int)exh__ruleset_nfields(rs);
  rec.scratch = &scratch;
  rec.virt[EXH_VF_RAWRECORD] = rec.raw;
  if (folder) rec.virt[EXH_VF_LOGFOLDER] = (exh_str){folder, strlen(folder)};
  int r = exh__rule_eval(rule, &rec);
  exh__buf_free(&scratch);
  free(fmap);
  return r;
}

/* Evaluates rule 0 of the set. */
static int ev(exh_ruleset *rs, const char *hdr, const char *line, const char *folder) {
  return eval_rule(rs, exh__ruleset_get(rs, 0), hdr, line, folder);
}

#define HEAD "title: t\nid: 1\nlogsource:\n  product: exchange\n  service: httpproxy\nlevel: high\n"

static void test_proxylogon_semantics(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD
                         "tags: [attack.t1190, cve.2021-26855, attack.initial_access, cve.2021.27065]\n"
                         "detection:\n"
                         "  selection:\n    AnchorMailbox: 'ServerInfo~*/*'\n"
                         "  filter_a:\n    AnchorMailbox: 'ServerInfo~*/autodiscover*'\n"
                         "  filter_b:\n    AnchorMailbox: 'ServerInfo~localhost*/*'\n"
                         "  condition: selection and not 1 of filter_*\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  const exh_rule_info *ri = exh_ruleset_rule(rs, 0);
  assert_int_equal(ri->ncves, 2);
  assert_string_equal(ri->cves[0], "CVE-2021-26855");
  assert_string_equal(ri->cves[1], "CVE-2021-27065");
  assert_int_equal(ri->ntechniques, 1);
  assert_string_equal(ri->techniques[0], "T1190");
  assert_int_equal(ri->level, EXH_LEVEL_HIGH);
  size_t ng;
  const exh_rule_lits *l = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_non_null(l);
  assert_int_equal(ng, 1);
  assert_int_equal(l[0].n, 1);
  const char *H = "DateTime,anchormailbox,HttpStatus"; /* names match case-insensitively */
  assert_true(ev(rs, H, "2021,ServerInfo~a]@x:444/mapi/emsmdb/?#,200", NULL));
  assert_false(ev(rs, H, "2021,ServerInfo~a]@x:444/autodiscover/autodiscover.xml?#,200", NULL));
  assert_false(ev(rs, H, "2021,ServerInfo~localhost/ecp/default.flt?,500", NULL));
  assert_false(ev(rs, H, "2021,Sid~S-1-5-21-1,200", NULL));
  /* the literal elsewhere in the line is not enough */
  assert_false(ev(rs, H, "2021,Smtp~a@b.c,ServerInfo~a/b", NULL));
  /* a log without the column: no match */
  assert_false(ev(rs, "DateTime,Other", "2021,ServerInfo~a]@x/y", NULL));
  exh_ruleset_free(rs);
}

/* A header's columns by name, as exh__ruleset_map_header finds them (now
 * through a table built once per header): trimmed, spaces inside a column's
 * name dropped, ASCII case ignored, the first of two equal names wins, a
 * tab is not a space, a name no column has is -1. */
static void test_map_header_columns(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD "detection:\n  s:\n    ClientIpAddress: a\n    UrlStem: b\n    Method: c\n"
                              "    Missing: d\n    UserAgent: f\n  condition: s\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  static const char *const names[] = {" client ip address ", "UrlStem", "urlstem", "METHOD\r", "User\tAgent",
                                      "   "};
  exh_str cols[6];
  for (int i = 0; i < 6; i++) cols[i] = (exh_str){names[i], strlen(names[i])};
  size_t nf = exh__ruleset_nfields(rs);
  int *fmap = calloc(nf, sizeof(int));
  exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, cols, 6, fmap);
  static const struct {
    const char *field;
    int col;
  } want[] = {{"ClientIpAddress", 0}, {"UrlStem", 1}, {"Method", 3}, {"Missing", -1}, {"UserAgent", -1}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    int f = exh__ruleset_field_id(rs, want[i].field);
    assert_true(f >= 0);
    assert_int_equal(fmap[f], want[i].col);
  }
  /* a header with no columns maps nothing */
  exh__ruleset_map_header(rs, EXH_KIND_HTTPPROXY, cols, 0, fmap);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    int f = exh__ruleset_field_id(rs, want[i].field);
    assert_int_equal(fmap[f], -1);
  }
  free(fmap);
  exh_ruleset_free(rs);
}

static void test_modifiers(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD "detection:\n"
                              "  sel:\n    UrlStem|startswith: '/ecp/'\n    UrlStem|endswith: ['.js', '.flt']\n"
                              "    UserAgent|contains|all: ['python', 'requests']\n"
                              "  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  const char *H = "UrlStem,UserAgent";
  assert_true(ev(rs, H, "/ECP/y.js,python-requests/2.25.1", NULL));
  assert_false(ev(rs, H, "/ecp/y.css,python-requests/2.25.1", NULL));
  assert_false(ev(rs, H, "/ecp/y.js,python-urllib", NULL));
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  sel:\n    UserAgent|re: '^python-requests/2\\.(19|25)\\.'\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  size_t ng;
  assert_null(exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng)); /* no literal: runs on every record */
  assert_int_equal(ng, 0);
  assert_true(ev(rs, "UserAgent", "python-requests/2.25.1", NULL));
  assert_false(ev(rs, "UserAgent", "Python-requests/2.25.1", NULL)); /* re is case-sensitive */
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  sel:\n    UserAgent|re|i: '^python-requests'\n  condition: sel\n");
  assert_true(ev(rs, "UserAgent", "PYTHON-requests/2.25.1", NULL));
  exh_ruleset_free(rs);
  /* quoted CSV values are unquoted before matching */
  rs = load(HEAD "detection:\n  sel:\n    GenericInfo|contains: 'Name=\"Outlook'\n  condition: sel\n");
  assert_true(ev(rs, "A,GenericInfo", "x,\"a,ClientName=\"\"Outlook 1\"\"\"", NULL));
  exh_ruleset_free(rs);
}

static void test_null_exists_keywords_virtual(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD "detection:\n  sel:\n    AuthenticatedUser: null\n    UrlStem: '/ecp/*'\n  condition: sel\n");
  assert_true(ev(rs, "AuthenticatedUser,UrlStem", ",/ecp/y.js", NULL));
  assert_true(ev(rs, "UrlStem", "/ecp/y.js", NULL)); /* absent counts as null */
  assert_false(ev(rs, "AuthenticatedUser,UrlStem", "bob,/ecp/y.js", NULL));
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  sel:\n    AnchorMailbox|exists: true\n  condition: not sel\n");
  assert_true(ev(rs, "A", "x", NULL));
  assert_false(ev(rs, "AnchorMailbox", "x", NULL));
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  keywords:\n    - 'Download failed'\n    - 'needs*removed'\n  condition: keywords\n");
  assert_true(ev(rs, "A", "x download FAILED y", NULL));
  assert_true(ev(rs, "A", "file needs to be removed.", NULL));
  assert_false(ev(rs, "A", "nothing", NULL));
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  sel:\n    LogFolder: Ecp\n    HttpStatus: 200\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "HttpStatus", "200", "Ecp"));
  assert_false(ev(rs, "HttpStatus", "200", "Owa"));
  assert_false(ev(rs, "HttpStatus", "2000", "Ecp"));
  exh_ruleset_free(rs);
}

static void test_more_modifiers(void **st) {
  (void)st;
  /* windash: the five spellings of an option dash */
  exh_ruleset *rs = load(HEAD "detection:\n  sel:\n    CommandLine|windash|contains: ' -ma '\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "CommandLine", "procdump.exe -ma lsass.exe", NULL));
  assert_true(ev(rs, "CommandLine", "procdump.exe /ma lsass.exe", NULL));
  assert_true(ev(rs, "CommandLine", "procdump.exe \xe2\x80\x93ma lsass.exe", NULL));
  assert_false(ev(rs, "CommandLine", "procdump.exe ma lsass.exe", NULL));
  exh_ruleset_free(rs);
  /* cidr, IPv4 and IPv6, mapped addresses */
  rs = load(HEAD "detection:\n  sel:\n    c-ip|cidr: ['10.0.0.0/8', 'fe80::/10', '192.168.1.7']\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "c-ip", "10.200.3.4", NULL));
  assert_true(ev(rs, "c-ip", "::ffff:10.1.2.3", NULL));
  assert_true(ev(rs, "c-ip", "fe80::1", NULL));
  assert_true(ev(rs, "c-ip", "192.168.1.7", NULL));
  assert_false(ev(rs, "c-ip", "192.168.1.8", NULL));
  assert_false(ev(rs, "c-ip", "11.0.0.1", NULL));
  assert_false(ev(rs, "c-ip", "not-an-ip", NULL));
  exh_ruleset_free(rs);
  /* base64offset: the value at each of the three alignments */
  rs = load(HEAD "detection:\n  sel:\n    D|base64offset|contains: 'whoami /all'\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "D", "cmd d2hvYW1pIC9hbGw= x", NULL));
  assert_true(ev(rs, "D", "eHdob2FtaSAvYWxs", NULL));
  assert_true(ev(rs, "D", "eHl3aG9hbWkgL2FsbA==", NULL));
  assert_false(ev(rs, "D", "d2hvYW1p", NULL));
  exh_ruleset_free(rs);
  /* an expanding transform with 'all': every value, each in any of its
   * spellings (pySigma's expansions), not every spelling of every value */
  rs = load(HEAD "detection:\n  sel:\n    CommandLine|windash|contains|all:\n      - ' -RemoveDefinitions'\n"
                 "      - ' -All'\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "CommandLine", "MpCmdRun.exe -RemoveDefinitions -All", NULL));
  assert_true(ev(rs, "CommandLine", "MpCmdRun.exe /RemoveDefinitions \xe2\x80\x93" "All", NULL));
  assert_false(ev(rs, "CommandLine", "MpCmdRun.exe -RemoveDefinitions -DynamicSignatures", NULL));
  assert_false(ev(rs, "CommandLine", "MpCmdRun.exe -All", NULL));
  exh_ruleset_free(rs);
  /* one value: any of its spellings (every spelling at once can never hold) */
  rs = load(HEAD "detection:\n  sel:\n    CommandLine|windash|contains|all: ' -RemoveDefinitions'\n  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "CommandLine", "MpCmdRun.exe /RemoveDefinitions", NULL));
  assert_false(ev(rs, "CommandLine", "MpCmdRun.exe RemoveDefinitions", NULL));
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  sel:\n    D|base64offset|contains|all:\n      - 'whoami'\n      - 'hostname'\n"
                 "  condition: sel\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "D", "d2hvYW1p aG9zdG5hbWU=", NULL)); /* both at offset 0 */
  assert_true(ev(rs, "D", "d2hvYW1p eGhvc3RuYW1l", NULL)); /* the second at offset 1 */
  assert_false(ev(rs, "D", "d2hvYW1p", NULL));
  exh_ruleset_free(rs);
  /* wide then base64 */
  rs = load(HEAD "detection:\n  sel:\n    D|wide|base64: 'whoami'\n  condition: sel\n");
  assert_true(ev(rs, "D", "dwBoAG8AYQBtAGkA", NULL));
  exh_ruleset_free(rs);
  /* fieldref */
  rs = load(HEAD "detection:\n  sel:\n    A|fieldref: B\n  condition: sel\n");
  assert_true(ev(rs, "A,B", "same,SAME", NULL));
  assert_false(ev(rs, "A,B", "same,other", NULL));
  exh_ruleset_free(rs);
  /* a keyword map with |all */
  rs = load(HEAD "detection:\n  kw:\n    '|all': ['POST', 'SetObject', 'schema=Reset']\n  condition: kw\n");
  assert_int_equal(exh_ruleset_count(rs), 1);
  assert_true(ev(rs, "A", "x POST /ecp/DDI/DDIService.svc/SetObject schema=ResetOAB", NULL));
  assert_false(ev(rs, "A", "x GET /ecp/DDI/DDIService.svc/SetObject schema=ResetOAB", NULL));
  exh_ruleset_free(rs);
}

/* Literal groups: AND keeps several, OR merges, NOT gives none. */
static void test_literal_groups(void **st) {
  (void)st;
  exh_ruleset *rs = load(HEAD "detection:\n  a:\n    X|contains: 'autodiscover'\n  b:\n    Y|contains: 'powershell'\n"
                              "  c:\n    Z: 'POST'\n  condition: a and b and not c\n");
  size_t ng;
  const exh_rule_lits *g = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_int_equal(ng, 2);
  assert_int_equal(g[0].n, 1);
  assert_int_equal(g[1].n, 1);
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  a:\n    X|contains|all: ['autodiscover', 'powershell', 'x']\n  b:\n    Y: ['alpha', 'beta']\n"
                 "  condition: a or b\n");
  g = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_int_equal(ng, 1);
  assert_int_equal(g[0].n, 3); /* one of a's groups, plus alpha and beta */
  exh_ruleset_free(rs);
  rs = load(HEAD "detection:\n  a:\n    X|contains: 'a'\n  b:\n    Y|contains: 'powershell'\n  c:\n    Y|contains: 'zxcvbnmq'\n"
                 "  condition: a and b and c\n");
  g = exh__rule_literal_groups(exh__ruleset_get(rs, 0), &ng);
  assert_int_equal(ng, 2); /* 'a' is too short to be worth a group */
  /* the anchor is the rarer literal: 'powershell' is common in these logs */
  assert_int_equal(g[0].lits[0].n, 8);
  assert_true(exh__rule_verify_groups(exh__ruleset_get(rs, 0), "x zxcvbnmq POWERSHELL", 21));
  assert_false(exh__rule_verify_groups(exh__ruleset_get(rs, 0), "x zxcvbnmq", 10));
  exh_ruleset_free(rs);
}

static void test_conditions(void **st) {
  (void)st;
  const char *base = HEAD "detection:\n"
                          "  a:\n    X: '1'\n  b:\n    Y: '1'\n  c:\n    Z: '1'\n  _hidden:\n    W: '1'\n"
                          "  condition: ";
  char buf[1024];
  const char *H = "X,Y,Z,W";
  struct {
    const char *cond, *line;
    int want;
  } cases[] = {
      {"a or b and c", "1,0,0,0", 1},       /* and binds tighter */
      {"(a or b) and c", "1,0,0,0", 0},
      {"not a and b", "0,1,0,0", 1},
      {"not (a or b)", "0,0,1,0", 1},
      {"1 of them", "0,0,0,1", 0},          /* '_' selections are not in them */
      {"all of them", "1,1,1,0", 1},
      {"all of them", "1,1,0,0", 0},
      {"1 of _h*", "0,0,0,1", 1},
      {"any of a", "1,0,0,0", 1},
      {"a AND NOT b", "1,0,0,0", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(buf, sizeof buf, "%s%s\n", base, cases[i].cond);
    exh_ruleset *rs = load(buf);
    assert_int_equal(exh_ruleset_count(rs), 1);
    if (ev(rs, H, cases[i].line, NULL) != cases[i].want) fail_msg("condition '%s' on %s", cases[i].cond, cases[i].line);
    exh_ruleset_free(rs);
  }
}

static void test_rejections(void **st) {
  (void)st;
  struct {
    const char *yaml, *why;
  } cases[] = {
      {HEAD "detection:\n  sel:\n    X|gt: 5\n  condition: sel\n", "unsupported modifier 'gt'"},
      {HEAD "detection:\n  sel:\n    X|expand: '%x%'\n  condition: sel\n", "placeholder"},
      {HEAD "detection:\n  sel:\n    X|cidr: '10.0.0.0/33'\n  condition: sel\n", "bad network"},
      {HEAD "detection:\n  sel:\n    X|re|contains: a\n  condition: sel\n", "cannot be combined"},
      {HEAD "detection:\n  sel:\n    X: a\n  condition: sel | count() > 5\n", "aggregation"},
      {HEAD "detection:\n  sel:\n    X: a\n  condition: sel and other\n", "unknown selection 'other'"},
      {HEAD "detection:\n  sel:\n    X: a\n  condition: 1 of nothing*\n", "names no selection"},
      {HEAD "detection:\n  sel:\n    X: a\n  condition: (sel\n", "missing ')'"},
      {HEAD "detection:\n  sel:\n    X|re: '(unclosed'\n  condition: sel\n", "bad regular expression"},
      {HEAD "detection:\n  sel:\n    X: []\n  condition: sel\n", "empty value list"},
      {HEAD "detection:\n  sel:\n    X:\n      - [a, b]\n  condition: sel\n", "nested lists"},
      {HEAD "detection:\n  sel:\n    X: a\n", "no condition"},
      {"title: t\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n  s:\n    X: a\n  condition: s\n", "unsupported log source"},
      {"title: t\nlogsource:\n  product: windows\n  category: no_such_category\ndetection:\n  s:\n    X: a\n  condition: s\n", "unsupported log source"},
      {"title: t\nlogsource:\n  product: exchange\ndetection:\n  s:\n    X: a\n  condition: s\nlevel: severe\n", "unknown level"},
      {"- a\n- b\n", "not a map"},
      {"title: [unclosed\n", "YAML error"},
      {HEAD "detection:\n  sel:\n    X|contains|startswith: a\n  condition: sel\n", "more than one of"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    exh_ruleset *rs = load(cases[i].yaml);
    assert_int_equal(exh_ruleset_count(rs), 0);
    assert_int_equal(exh_ruleset_rejected(rs), 1);
    if (!strstr(last_why, cases[i].why)) fail_msg("case %zu: got '%s', want '%s'", i, last_why, cases[i].why);
    exh_ruleset_free(rs);
  }
  /* deep nesting in a condition is refused, not recursed into */
  char deep[2048] = HEAD "detection:\n  s:\n    X: a\n  condition: ";
  for (int i = 0; i < 200; i++) strcat(deep, "(");
  strcat(deep, "s\n");
  exh_ruleset *rs = load(deep);
  assert_int_equal(exh_ruleset_count(rs), 0);
  exh_ruleset_free(rs);
}

/* Issue 13 item 2: the Windows log sources SigmaHQ names (each service's
 * channels, docs/windows-mapping.md), product windows alone (every Windows
 * event: keyword rules), category antivirus (Defender's detections), and
 * field names without their spaces. Rejected before: unsupported log source. */
static void test_windows_logsources(void **st) {
  (void)st;
  static const struct {
    const char *logsource, *channel;
    unsigned eid;
    int want;
  } cases[] = {
      {"  product: windows\n  service: ntlm\n", "Microsoft-Windows-NTLM/Operational", 8001, 1},
      {"  product: windows\n  service: ntlm\n", "Security", 8001, 0},
      {"  product: windows\n  service: firewall-as\n",
       "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", 2003, 1},
      {"  product: windows\n  service: ldap\n", "Microsoft-Windows-LDAP-Client/Debug", 30, 1},
      {"  product: windows\n  service: lsa-server\n", "Microsoft-Windows-LSA/Operational", 300, 1},
      {"  product: windows\n  service: openssh\n", "OpenSSH/Operational", 4, 1},
      {"  product: windows\n  service: security-mitigations\n", "Microsoft-Windows-Security-Mitigations/User Mode", 10, 1},
      {"  product: windows\n  service: security-mitigations\n", "Microsoft-Windows-Security-Mitigations/Kernel Mode", 3, 1},
      {"  product: windows\n  service: smbclient-security\n", "Microsoft-Windows-SmbClient/Security", 31017, 1},
      {"  product: windows\n  service: shell-core\n", "Microsoft-Windows-Shell-Core/Operational", 9707, 1},
      {"  product: windows\n  service: terminalservices-localsessionmanager\n",
       "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational", 21, 1},
      {"  product: windows\n  service: bits-client\n", "Microsoft-Windows-Bits-Client/Operational", 3, 1},
      {"  product: windows\n  service: dns-server\n", "DNS Server", 150, 1},
      {"  product: windows\n  service: dns-server-analytic\n", "Microsoft-Windows-DNSServer/Analytical", 256, 1},
      {"  product: windows\n  service: capi2\n", "Microsoft-Windows-CAPI2/Operational", 70, 1},
      {"  product: windows\n  service: applocker\n", "Microsoft-Windows-AppLocker/Packaged app-Execution", 8020, 1},
      {"  product: windows\n  service: codeintegrity-operational\n", "Microsoft-Windows-CodeIntegrity/Operational", 3033, 1},
      {"  product: windows\n  service: powershell\n", "PowerShellCore/Operational", 4104, 1},
      {"  product: windows\n  category: ps_script\n", "PowerShellCore/Operational", 4104, 1},
      {"  product: windows\n  category: ps_script\n", "PowerShellCore/Operational", 4103, 0},
      {"  product: windows\n", "Microsoft-Windows-GroupPolicy/Operational", 4016, 1},
      {"  product: windows\n", "Security", 4688, 1},
      {"  category: antivirus\n", "Microsoft-Windows-Windows Defender/Operational", 1116, 1},
      {"  category: antivirus\n", "Microsoft-Windows-Windows Defender/Operational", 5007, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char y[1024];
    snprintf(y, sizeof y, "title: t\nlogsource:\n%sdetection:\n  s:\n    Threat Name: x\n  condition: s\n",
             cases[i].logsource);
    exh_ruleset *rs = load(y);
    if (exh_ruleset_count(rs) != 1) fail_msg("case %zu not loaded: %s", i, last_why);
    const exh_rule *r = exh__ruleset_get(rs, 0);
    assert_true(exh__rule_applies(r, EXH_KIND_EVTX));
    int map;
    exh_str ch = {cases[i].channel, strlen(cases[i].channel)};
    if (exh__rule_windows_accepts(r, ch, cases[i].eid, &map) != cases[i].want)
      fail_msg("case %zu: %s %u", i, cases[i].channel, cases[i].eid);
    if (!strncmp(cases[i].logsource, "  category: antivirus", 21) && cases[i].want)
      assert_int_equal(map, WMAP_ANTIVIRUS);
    /* "Threat Name" is the field ThreatName (the spec's field-name rule) */
    assert_true(exh__ruleset_field_id(rs, "ThreatName") >= 0);
    assert_true(exh__ruleset_field_id(rs, "Threat Name") < 0);
    exh_ruleset_free(rs);
  }
  /* still rejected: categories without an event log (EDR telemetry) */
  exh_ruleset *rs = load("title: t\nlogsource:\n  product: windows\n  category: file_access\ndetection:\n"
                         "  s:\n    X: a\n  condition: s\n");
  assert_int_equal(exh_ruleset_count(rs), 0);
  assert_non_null(strstr(last_why, "unsupported log source"));
  exh_ruleset_free(rs);
}

static void test_builtin_rules_load(void **st) {
  (void)st;
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_on_reject(rs, on_reject, NULL);
  last_why[0] = 0;
  assert_int_equal(exh_ruleset_add_builtin(rs), EXH_OK);
  assert_string_equal(last_why, "");
  assert_true(exh_ruleset_count(rs) >= 6);
  assert_int_equal(exh_ruleset_compile(rs), EXH_OK);
  /* every shipped rule names an ATT&CK technique; the Exchange log rules a CVE */
  for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
    const exh_rule_info *ri = exh_ruleset_rule(rs, i);
    assert_true(ri->ntechniques >= 1);
    if (strstr(ri->source, "builtin:exchange/")) assert_true(ri->ncves >= 1);
  }
  exh_ruleset_free(rs);
}

/* The shipped rules on lines that stress their edges. */
static int builtin_fires(const char *rule_id, exh_kind kind, const char *hdr, const char *line, const char *folder) {
  exh_ruleset *rs;
  exh_ruleset_new(&rs);
  exh_ruleset_add_builtin(rs);
  int fired = -1;
  for (size_t i = 0; i < exh_ruleset_count(rs); i++) {
    const exh_rule *r = exh__ruleset_get(rs, i);
    if (strcmp(exh__rule_info_of(r)->id, rule_id)) continue;
    assert_true(exh__rule_applies(r, kind));
    fired = eval_rule(rs, r, hdr, line, folder);
    /* the prefilter must not hide a line the rule fires on: every literal
     * group has a member in the line */
    size_t ng;
    const exh_rule_lits *groups = exh__rule_literal_groups(r, &ng);
    for (size_t g = 0; fired && g < ng; g++) {
      int any = 0;
      for (size_t k = 0; k < groups[g].n; k++)
        if (exh__memimem(line, strlen(line), groups[g].lits[k].p, groups[g].lits[k].n)) any = 1;
      assert_true(any);
    }
  }
  exh_ruleset_free(rs);
  assert_int_not_equal(fired, -1);
  return fired;
}

#define ECP_RULE "66dc7ff3-a2b4-43f4-9bc8-fdaf93b50851"
#define OAB_RULE "23e847a9-aeaa-4402-b1d3-88a1dad11673"
#define ECPH "TimeStamp,ServerName,EventId,EventData"

static void test_builtin_edges(void **st) {
  (void)st;
  /* CVE-2021-27065 in the ECP Server log */
  assert_true(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){eval(Request[\"\"p\"\"],\"\"unsafe\"\");}</script>'.Identity='x'\"", NULL));
  assert_true(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://g/%3Cscript%20runat=server%3E'.Identity='x'", NULL));
  assert_true(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=Set-EcpVirtualDirectory.InternalUrl='http://h/;x;<% eval %>'", NULL));
  assert_true(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=New-OabVirtualDirectory -ExternalUrl 'http://f/&lt;script&gt;'", NULL));
  /* legitimate changes, and an exception text with '<' in a later pair */
  assert_false(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=Set-OabVirtualDirectory.ExternalUrl='https://mail.contoso.com/OAB'.Identity='x';S:URL=/ecp/x", NULL));
  assert_false(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=Set-OwaVirtualDirectory.ExternalUrl='https://m.contoso.com/owa';S:EX=System.Collections.Generic.List<System.String> failed", NULL));
  assert_false(builtin_fires(ECP_RULE, EXH_KIND_ECP_SERVER, ECPH,
      "t,S,ECP.Request,S:CMD=Get-OabVirtualDirectory.ADPropertiesOnly=$true", NULL));
  /* CVE-2021-26858 in the OAB generator log */
  assert_true(builtin_fires(OAB_RULE, EXH_KIND_OABGEN, "A",
      "x Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\s.aspx' needs to be removed.", NULL));
  assert_true(builtin_fires(OAB_RULE, EXH_KIND_OABGEN, "A",
      "x Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\..\\..\\FrontEnd\\HttpProxy\\owa\\auth\\e.aspx' needs to be removed.", NULL));
  assert_true(builtin_fires(OAB_RULE, EXH_KIND_OABGEN, "A",
      "x Download failed and temporary file '\\\\127.0.0.1\\c$\\ClientAccess\\OAB\\x.aspx' needs to be removed.", NULL));
  assert_false(builtin_fires(OAB_RULE, EXH_KIND_OABGEN, "A",
      "x Download failed and temporary file 'D:\\Exchange\\V15\\ClientAccess\\OAB\\Temp\\abc\\oab.lzx' needs to be removed.", NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_proxylogon_semantics), cmocka_unit_test(test_modifiers),
      cmocka_unit_test(test_map_header_columns),
      cmocka_unit_test(test_null_exists_keywords_virtual), cmocka_unit_test(test_more_modifiers),
      cmocka_unit_test(test_literal_groups), cmocka_unit_test(test_conditions),
      cmocka_unit_test(test_rejections), cmocka_unit_test(test_builtin_rules_load),
      cmocka_unit_test(test_builtin_edges), cmocka_unit_test(test_windows_logsources)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
