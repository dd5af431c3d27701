/* Windows rules for the event fuzz targets (fuzz_evtx_scan, fuzz_jsonev),
 * added to the shipped ones so rule evaluation on decoded events is
 * exercised in every way a rule reads an event: EventData fields by name,
 * System fields, Provider_Name, keywords over the whole record, a regular
 * expression, |all, |startswith / |endswith, 1 of, not (a log source
 * is always named, or product windows alone: every event). */
#ifndef EXH_FUZZ_WINDOWS_RULES_H
#define EXH_FUZZ_WINDOWS_RULES_H

#include <stdlib.h>
#include <string.h>

#include "exhunt/exhunt.h"

static const char fuzz_windows_rules[] =
    "title: fuzz logon\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000001\n"
    "level: high\n"
    "logsource: {product: windows, service: security}\n"
    "detection:\n"
    "  sel:\n"
    "    EventID: 4624\n"
    "    LogonType: 3\n"
    "    TargetUserName|contains: 'adm'\n"
    "  condition: sel\n"
    "---\n"
    "title: fuzz keywords\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000002\n"
    "level: medium\n"
    "logsource: {product: windows, service: security}\n"
    "detection:\n"
    "  kw:\n"
    "    - 'mimikatz'\n"
    "    - 'sekurlsa'\n"
    "    - '\\ADMIN$'\n"
    "  condition: kw\n"
    "---\n"
    "title: fuzz process\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000003\n"
    "level: high\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "  sel:\n"
    "    CommandLine|contains|all: ['-enc', 'powershell']\n"
    "    Image|endswith: '.exe'\n"
    "  enc:\n"
    "    CommandLine|re: '[A-Za-z0-9+/]{16,}={0,2}'\n"
    "  filter:\n"
    "    ParentImage|startswith: 'C:\\Windows\\explorer'\n"
    "  condition: sel and enc and not filter\n"
    "---\n"
    "title: fuzz service\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000004\n"
    "level: low\n"
    "logsource: {product: windows, service: system}\n"
    "detection:\n"
    "  sel:\n"
    "    Provider_Name: 'Service Control Manager'\n"
    "    EventID: 7045\n"
    "    ImagePath|contains: '\\Temp\\'\n"
    "  condition: sel\n"
    "---\n"
    "title: fuzz application\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000005\n"
    "level: low\n"
    "logsource: {product: windows, service: application}\n"
    "detection:\n"
    "  sel1:\n"
    "    Data|contains: 'crash'\n"
    "  sel2:\n"
    "    UserID|startswith: 'S-1-5-21'\n"
    "    Computer|endswith: '.local'\n"
    "  condition: 1 of sel*\n"
    /* issue 13: every event (product windows alone), text folded across
     * scripts, '?' and '.' as one character of UTF-8 (events hold broken
     * UTF-8), spaced field names, Defender's antivirus mapping */
    "---\n"
    "title: fuzz text\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000006\n"
    "level: low\n"
    "logsource: {product: windows}\n"
    "detection:\n"
    "  kw:\n"
    "    - 'Администратор'\n"
    "    - 'Järjestelm?nvalvoja'\n"
    "  sel:\n"
    "    Threat Name|contains: 'Ω'\n"
    "  re:\n"
    "    Data|re|i: '^..ж.*ä$'\n"
    "  condition: 1 of them\n"
    "---\n"
    "title: fuzz antivirus\n"
    "id: 0b7a3c1e-0000-4000-8000-000000000007\n"
    "level: low\n"
    "logsource: {category: antivirus}\n"
    "detection:\n"
    "  sel:\n"
    "    Signature|startswith: 'HackTool'\n"
    "    Filename|contains: 'É'\n"
    "  condition: sel\n";

/* The shipped rules and these, compiled; aborts if one does not load (the
 * target would fuzz less than it says). */
static exh_ruleset *fuzz_windows_ruleset(void) {
  exh_ruleset *rs = NULL;
  if (exh_ruleset_new(&rs) != EXH_OK || exh_ruleset_add_builtin(rs) != EXH_OK ||
      exh_ruleset_add_yaml(rs, "fuzz_windows_rules", fuzz_windows_rules, strlen(fuzz_windows_rules)) != EXH_OK ||
      exh_ruleset_compile(rs) != EXH_OK)
    abort();
  return rs;
}

#endif
