#!/usr/bin/env python3
"""The collection and scanning recipes in contrib/ (issue 14 item 3) parse and
use only what their tools document:

  * contrib/velociraptor/*.yaml: valid YAML, an artifact's keys (name, type,
    parameters, sources with a query), parameter types Velociraptor knows,
    and every VQL plugin or function called is one of those checked against
    Velociraptor's reference (the list and its links are in docs/fleet.md);
  * contrib/kape/Targets/*.tkape and Modules/*.mkape: valid YAML, KAPE's
    required fields (KapeDocs Pages/2.1-Targets.md, 2.2-Modules.md), no
    field KAPE does not know, a GUID Id, module variables KAPE defines;
  * the Velociraptor client artifact and the KAPE target collect the same
    sets (every item docs/fleet.md lists as what exhunt needs).

usage: contrib.py SRCDIR      (needs python3-yaml; skips without it)
"""
import os
import re
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3 yaml module not installed")
    sys.exit(0)

SRC = sys.argv[1]
failures = []

# Checked against docs.velociraptor.app/vql_reference (docs/fleet.md links each).
VQL_DOCUMENTED = {
    "execve", "parse_jsonl", "hunt_flows", "client_info", "file_store", "dirname", "tempfile", "foreach",
    "chain", "if", "log", "glob", "upload", "read_reg_key", "info", "source", "scope",
}
PARAM_TYPES = {None, "string", "int", "int64", "bool", "csv", "json", "json_array", "choices", "multichoice",
               "hidden", "regex", "timestamp", "upload", "float", "artifactset", "server_metadata", "yara",
               "redacted", "xattr"}
ARTIFACT_KEYS = {"name", "description", "author", "reference", "type", "precondition", "parameters", "sources",
                 "required_permissions", "implied_permissions", "export", "imports", "tools", "resources",
                 "column_types", "reports", "aliases"}
TARGET_KEYS = {"Description", "Author", "Version", "Id", "RecreateDirectories", "Targets"}
TARGET_ENTRY = {"Name", "Category", "Path", "Recursive", "FileMask", "AlwaysAddToQueue", "SaveAsFileName",
                "MinSize", "MaxSize", "Comment"}
MODULE_REQUIRED = {"Description", "Category", "Author", "Version", "Id", "ExportFormat", "Processors"}
MODULE_KEYS = MODULE_REQUIRED | {"BinaryUrl", "WaitTimeout", "FileMask"}
PROCESSOR_KEYS = {"Executable", "CommandLine", "ExportFormat", "ExportFile", "Append"}
KAPE_VARS = {"sourceDirectory", "destinationDirectory", "sourceFile", "sourceDirectoryBase", "sourceDriveLetter",
             "kapeDirectory", "fileName", "d", "guid"}
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# What exhunt needs from a server (docs/fleet.md "What to collect"): a
# fragment each collection recipe must name (case-insensitive, / or \).
NEEDED = ["Logging/HttpProxy", "Logging/ECP", "OABGeneratorLog", "Logging/CmdletInfra", "ExSetup.exe",
          "FrontEnd/HttpProxy", "ClientAccess", "inetpub/wwwroot", "inetpub/logs/LogFiles", "W3SVC", "HTTPERR",
          "Security", "System", "Application", "PowerShell%4Operational", "Sysmon%4Operational",
          "MSExchange Management", "Windows Defender%4Operational", "Windows/Temp", "ProgramData", "root",
          "Users/Public", "Temporary ASP.NET Files"]


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failures.append(what)


def norm(s):
    return s.replace("\\", "/").lower()


def velociraptor(path):
    d = yaml.safe_load(open(path, encoding="utf-8"))
    name = os.path.basename(path)
    check(name + ": an artifact (name, type, sources)",
          isinstance(d, dict) and d.get("name") == name[:-5] and d.get("type") in ("CLIENT", "SERVER") and
          d.get("sources"), str(d.keys() if isinstance(d, dict) else d))
    check(name + ": only artifact keys", set(d) <= ARTIFACT_KEYS, str(set(d) - ARTIFACT_KEYS))
    for p in d.get("parameters", []):
        check("%s: parameter %s has a known type" % (name, p.get("name")),
              p.get("name") and p.get("type") in PARAM_TYPES, str(p.get("type")))
        if p.get("type") == "choices":
            check("%s: %s default is a choice" % (name, p["name"]), p.get("default") in p.get("choices", []))
    text = ""
    for s in d.get("sources", []):
        check(name + ": source has a query", bool(s.get("query")))
        text += s.get("query", "") + "\n"
    text += d.get("precondition", "") + "\n"
    text = re.sub(r"--[^\n]*", "", text)  # comments
    text = re.sub(r'"[^"\n]*"', '""', text)  # strings
    called = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*\(", text))
    called -= {"and", "or", "not", "in"}
    check(name + ": every VQL plugin/function is documented (%s)" % ", ".join(sorted(called)),
          called <= VQL_DOCUMENTED, "not checked: %s" % sorted(called - VQL_DOCUMENTED))
    return d


def kape_target(path):
    d = yaml.safe_load(open(path, encoding="utf-8"))
    name = os.path.basename(path)
    check(name + ": target fields (Description, Author, Version, Id, RecreateDirectories, Targets)",
          isinstance(d, dict) and set(d) == TARGET_KEYS, str(set(d) ^ TARGET_KEYS))
    check(name + ": Id is a GUID", bool(GUID.match(str(d.get("Id")))), str(d.get("Id")))
    for t in d.get("Targets", []):
        check("%s: %s has Name, Category, Path and only KAPE's fields" % (name, t.get("Name")),
              {"Name", "Category", "Path"} <= set(t) <= TARGET_ENTRY, str(set(t) - TARGET_ENTRY))
        fm = str(t.get("FileMask", ""))
        if fm.lower().startswith("regex:"):
            try:
                re.compile(fm[6:])
                ok = True
            except re.error:
                ok = False
            check("%s: %s FileMask regex compiles" % (name, t.get("Name")), ok, fm)
    return d


def kape_module(path):
    d = yaml.safe_load(open(path, encoding="utf-8"))
    name = os.path.basename(path)
    check(name + ": module fields", isinstance(d, dict) and MODULE_REQUIRED <= set(d) <= MODULE_KEYS,
          str(set(d) ^ MODULE_REQUIRED))
    check(name + ": Id is a GUID", bool(GUID.match(str(d.get("Id")))), str(d.get("Id")))
    procs = d.get("Processors") or []
    check(name + ": default ExportFormat has a processor",
          d.get("ExportFormat") in [p.get("ExportFormat") for p in procs])
    for p in procs:
        check("%s: processor %s has Executable, CommandLine, ExportFormat" % (name, p.get("ExportFormat")),
              {"Executable", "CommandLine", "ExportFormat"} <= set(p) <= PROCESSOR_KEYS, str(set(p)))
        used = set(re.findall(r"%([A-Za-z]+)%", p.get("CommandLine", "")))
        check("%s: %s uses KAPE's variables" % (name, p.get("ExportFormat")), used <= KAPE_VARS,
              str(used - KAPE_VARS))
        check("%s: %s writes outside the scanned folder" % (name, p.get("ExportFormat")),
              re.search(r"-o %destinationDirectory%", p.get("CommandLine", "")) is not None)


def main():
    vdir = os.path.join(SRC, "contrib", "velociraptor")
    arts = {f: velociraptor(os.path.join(vdir, f)) for f in sorted(os.listdir(vdir)) if f.endswith(".yaml")}
    tdir = os.path.join(SRC, "contrib", "kape", "Targets")
    targets = [kape_target(os.path.join(tdir, f)) for f in sorted(os.listdir(tdir)) if f.endswith(".tkape")]
    mdir = os.path.join(SRC, "contrib", "kape", "Modules")
    for f in sorted(os.listdir(mdir)):
        if f.endswith(".mkape"):
            kape_module(os.path.join(mdir, f))
    client = arts.get("Windows.Triage.Exchange.yaml")
    if client:
        flat = [" ".join(str(v) for v in p.values()) for p in client.get("parameters", [])]
        vtext = norm(" ".join(flat))
        ktext = norm(" ".join("%s %s" % (t.get("Path"), t.get("FileMask", "")) for d in targets
                              for t in d.get("Targets", [])))
        for n in NEEDED:
            check("collected by both recipes: " + n, norm(n) in vtext and norm(n) in ktext,
                  "velociraptor %s, kape %s" % (norm(n) in vtext, norm(n) in ktext))
    if failures:
        print("%d failed" % len(failures))
        sys.exit(1)
    print("all passed")


main()
