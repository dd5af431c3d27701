#!/usr/bin/env python3
"""IIS module backdoors through the command line (formats/iisconfig).

A small generated server (exgen, benign) gets IIS's configuration: a
backdoored applicationHost.config (a SessionManager-like global module
outside inetsrv, an unknown DLL inside it, an Owowa-like managed module), a
stock copy in inetpub/history (silent), and an OWA web.config with an
unsigned managed module. Scanned as a folder and as a zip of the same tree,
the report must hold exactly those four module findings (file, line, module)
and the coverage row "IIS configuration" (present); the same tree without
the files must say the class was not found. The web.config keeps its web
folder's content checks (it is still counted in the web folders' row).

usage: iisconfig.py EXHUNT EXGEN SOURCEDIR WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile

EXHUNT, EXGEN, SRC, WORK = sys.argv[1:5]
DATA = os.path.join(SRC, "tests", "data", "iisconfig")
failures = []

APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
HISTORY = "C/inetpub/history/CFGHISTORY_0000000003/applicationHost.config"
OWA = "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/web.config"
WANT = {
    ("exhunt-iis-native-module-outside", APPHOST, 74, "SessionManagerModule"),
    ("exhunt-iis-native-module-unknown", APPHOST, 75, "CacheOptimizerModule"),
    ("exhunt-iis-managed-module-foreign", APPHOST, 115, "ExtenderControlDesigner"),
    ("exhunt-iis-managed-module-foreign", OWA, 14, '"Owa"Helper'),
}


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def scan(root):
    env = dict(os.environ, EXHUNT_SIGMA_PATH="")
    p = subprocess.run([EXHUNT, "scan", "--no-progress", "-j", "2", "-f", "jsonl", root], capture_output=True,
                       env=env)
    check(p.returncode in (0, 1, 2, 3, 4), "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def iis_findings(lines):
    got = set()
    for o in lines:
        rid = o.get("rule", {}).get("id", "")
        if not rid.startswith("exhunt-iis-"):
            continue
        path = o.get("log", {}).get("file", {}).get("path", "")
        line = o.get("exhunt", {}).get("line") or o.get("log", {}).get("line")
        msg = o.get("message", "")
        mod = msg.split("module '", 1)[1].split("'", 1)[0] if "module '" in msg else ""
        rel = next((r for r in (APPHOST, HISTORY, OWA) if path.endswith(r)), path)
        got.add((rid, rel, line, mod))
    return got


def coverage(lines, cls):
    for o in lines:
        for c in o.get("exhunt", {}).get("coverage", []) or []:
            if c.get("class") == cls:
                return c
    return None


def web_files(lines):
    """The web folders' files: one coverage row per web root (inetpub/wwwroot, FrontEnd/HttpProxy,
    ClientAccess, ...), summed."""
    rows = [c for o in lines for c in o.get("exhunt", {}).get("coverage", []) or [] if c.get("class") == "web_files"]
    return {"files": sum(c.get("files", 0) for c in rows), "rows": rows} if rows else None


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
tree = os.path.join(WORK, "exch02")
subprocess.run([EXGEN, "--seed", "7", "--scenario", "benign", "--lines", "200", "--days", "1", "--host", "EXCH02",
                "--out", tree], check=True, capture_output=True)

# without IIS's configuration collected: absent, and the web.config files exgen writes are read
before = scan(tree)
c = coverage(before, "iis_config")
check(c is not None, "coverage row iis_config listed without the files")
web_before = web_files(before)

os.remove(os.path.join(tree, "C/inetpub/wwwroot/web.config"))
os.remove(os.path.join(tree, "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/web.config"))
os.remove(os.path.join(tree, "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/web.config"))
os.remove(os.path.join(tree, "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/ecp/web.config"))
absent = scan(tree)
c = coverage(absent, "iis_config")
check(c is not None and c.get("present") is False, "IIS configuration absent when not collected: %r" % c)
check(not iis_findings(absent), "no module finding without the files")

for rel, name in ((APPHOST, "applicationHost.backdoor.config"), (HISTORY, "applicationHost.stock.config"),
                  (OWA, "owa.web.config")):
    os.makedirs(os.path.dirname(os.path.join(tree, rel)), exist_ok=True)
    shutil.copy(os.path.join(DATA, name), os.path.join(tree, rel))

folder = scan(tree)
got = iis_findings(folder)
check(got == WANT, "folder: module findings %r, want %r" % (sorted(got), sorted(WANT)))
c = coverage(folder, "iis_config")
check(c is not None and c.get("present") is True and c.get("files") == 3,
      "folder: IIS configuration present, 3 files: %r" % c)
w = web_files(folder)
check(w is not None and web_before is not None and w.get("files") == web_before.get("files") - 3,
      "folder: the OWA web.config counted in the web folders too: %r (before %r)" % (w, web_before))

# the same tree zipped: members are classified the same way
zpath = os.path.join(WORK, "exch02.zip")
with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
    for dp, _, fs in os.walk(tree):
        for f in sorted(fs):
            full = os.path.join(dp, f)
            z.write(full, os.path.relpath(full, WORK))
zipped = scan(zpath)
got = iis_findings(zipped)
check(got == WANT, "zip: module findings %r, want %r" % (sorted(got), sorted(WANT)))
c = coverage(zipped, "iis_config")
check(c is not None and c.get("present") is True and c.get("files") == 3,
      "zip: IIS configuration present, 3 files: %r" % c)

print("iisconfig: %d failed" % len(failures))
sys.exit(1 if failures else 0)
