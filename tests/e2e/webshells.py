#!/usr/bin/env python3
"""End-to-end test of the web shell content rules (issue 13 item 5).

Lays the samples of tests/data/webshells/ (written for this test from the
families' published descriptions) and the benign pages of
tests/data/benign_aspx/ out in Exchange server trees, each where its
manifest says (inetpub/wwwroot, aspnet_client, FrontEnd/HttpProxy/owa/auth,
ecp/auth, ClientAccess, ...), scans each tree with `exhunt scan -f jsonl`
and checks, file by file:

  * every web shell sample draws exactly one YARA finding, from the rule
    and at the level its manifest names (or none, where it says "-");
  * the benign corpus draws nothing at medium or above, and a low finding
    only from exhunt_suspicious_page, only where its manifest allows it
    (a page in an Exchange folder that is not an Exchange page);
  * both trees get their verdicts (compromised / not).

With ../shared present, its data folder is scanned with --all-files and any
YARA finding there is reported (the IOC lists, baselines, Sigma rules and
logs there are not web pages: a web shell rule firing on one is a false
positive and fails the test).

usage: webshells.py EXHUNT SOURCEDIR WORKDIR
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

EXHUNT, SRC, WORK = sys.argv[1:4]
SHELLS = os.path.join(SRC, "tests", "data", "webshells")
BENIGN = os.path.join(SRC, "tests", "data", "benign_aspx")
SHARED = os.path.normpath(os.path.join(SRC, "..", "shared", "data"))

EX = "C/Program Files/Microsoft/Exchange Server/V15"
FOLDERS = {
    "ROOT": "C/inetpub/wwwroot",
    "ASPNET": "C/inetpub/wwwroot/aspnet_client",
    "SYSWEB": "C/inetpub/wwwroot/aspnet_client/system_web",
    "INTRANET": "C/inetpub/wwwroot/intranet",
    "INTRANET_ADMIN": "C/inetpub/wwwroot/intranet/admin",
    "INTRANET_API": "C/inetpub/wwwroot/intranet/api",
    "LEGACY": "C/inetpub/wwwroot/legacy",
    "OWA": EX + "/FrontEnd/HttpProxy/owa/auth",
    "OWAROOT": EX + "/FrontEnd/HttpProxy/owa",
    "ECP": EX + "/FrontEnd/HttpProxy/ecp/auth",
    "THEME": EX + "/FrontEnd/HttpProxy/owa/auth/Current/themes/resources",
    "OAB": EX + "/FrontEnd/HttpProxy/OAB",
    "CAECP": EX + "/ClientAccess/ecp",
    "CAECPRULES": EX + "/ClientAccess/ecp/RulesEditor",
    "CAOWA": EX + "/ClientAccess/Owa",
    "CAEWS": EX + "/ClientAccess/exchweb/ews",
}
LEVELS = {"informational": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def read_manifest(base):
    """Rows (sample, folder key, rule, level, target name); the target name
    keeps the sample's own name when the manifest gives a fifth column."""
    rows = []
    for ln, line in enumerate(open(os.path.join(base, "manifest.tsv"), encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) not in (4, 5) or f[1] not in FOLDERS:
            fail("%s/manifest.tsv:%d: bad row %r" % (os.path.basename(base), ln, line))
            continue
        rows.append(f if len(f) == 5 else f + [""])
    return rows


def lay_out(base, rows, root):
    """Copies each sample to its folder; returns {relative path: row}."""
    shutil.rmtree(root, ignore_errors=True)
    where = {}
    for sample, key, rule, level, name in rows:
        src = os.path.join(base, sample)
        if not os.path.isfile(src):
            fail("%s: sample missing" % src)
            continue
        if not name:
            fam, fn = os.path.split(sample)
            name = (fam.replace("/", "_") + "_" + fn) if fam else fn
        rel = FOLDERS[key] + "/" + name
        if rel in where:
            fail("%s: two samples laid out at %s" % (sample, rel))
        dst = os.path.join(root, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        where[rel] = (sample, key, rule, level)
    # an Exchange server has a version resource the build check reads; not
    # needed here: the file checks run on the web folders whatever the build
    return where


def scan(paths, extra=()):
    cmd = [EXHUNT, "scan", "--no-progress", "-f", "jsonl"] + list(extra) + list(paths)
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.time() - t0
    objs = [json.loads(l) for l in p.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
    return p.returncode, objs, p.stderr.decode("utf-8", "replace"), dt


def yara_findings(objs, root):
    """{path relative to root: [(rule, level, message)]} for YARA findings."""
    out = collections.defaultdict(list)
    for o in objs:
        if o.get("event", {}).get("kind") != "alert":
            continue
        rid = o.get("rule", {}).get("id", "")
        if not rid.startswith("yara:"):
            continue
        path = o.get("file", {}).get("path", "")
        rel = os.path.relpath(path, root) if os.path.isabs(path) or path.startswith(root) else path
        out[rel].append((rid[len("yara:"):], o.get("exhunt", {}).get("level", ""), o.get("message", "")))
    return out


def check_tree(label, base, rows, root, benign):
    where = lay_out(base, rows, root)
    rc, objs, err, dt = scan([root])
    found = yara_findings(objs, root)
    print("%s: %d files laid out, %d with a YARA finding, scan %.2f s, exit %d" % (label, len(where), len(found), dt, rc))
    per_rule = collections.Counter()
    for rel, (sample, key, rule, level) in sorted(where.items()):
        got = found.get(rel, [])
        for g in got:
            per_rule[(g[0], g[1])] += 1
        if benign:
            for r, lv, msg in got:
                if LEVELS.get(lv, 9) >= LEVELS["medium"]:
                    fail("benign %s (%s): %s at %s: %s" % (sample, key, r, lv, msg))
                elif not (r == "exhunt_suspicious_page" and rule == "exhunt_suspicious_page"):
                    fail("benign %s (%s): unexpected %s at %s: %s" % (sample, key, r, lv, msg))
        if rule == "-":
            if got:
                fail("%s %s (%s): expected no finding, got %s" % (label, sample, key, [(g[0], g[1]) for g in got]))
            continue
        want = (rule, level)
        have = [(g[0], g[1]) for g in got]
        if have != [want]:
            fail("%s %s (%s): expected %s, got %s" % (label, sample, key, want, have or "nothing"))
    for rel in sorted(set(found) - set(where)):
        fail("%s: finding on a file not laid out: %s %s" % (label, rel, found[rel]))
    for (r, lv), n in sorted(per_rule.items()):
        print("  %-36s %-8s %3d" % (r, lv, n))
    return rc, objs


def main():
    os.makedirs(WORK, exist_ok=True)
    shells = read_manifest(SHELLS)
    benign = read_manifest(BENIGN)
    if len(shells) < 60 or len(benign) < 30:
        fail("manifests too short: %d samples, %d benign pages" % (len(shells), len(benign)))

    rc, _ = check_tree("webshells", SHELLS, shells, os.path.join(WORK, "exch-shells"), False)
    if rc != 1:
        fail("web shell tree: exit %d, expected 1 (findings)" % rc)

    rc, objs = check_tree("benign", BENIGN, benign, os.path.join(WORK, "exch-benign"), True)
    levels = collections.Counter(o.get("exhunt", {}).get("level") for o in objs
                                 if o.get("event", {}).get("kind") == "alert"
                                 and o.get("rule", {}).get("id", "").startswith("yara:"))
    if any(LEVELS.get(lv, 9) >= LEVELS["medium"] for lv in levels):
        fail("benign corpus: findings at medium or above: %s" % dict(levels))
    print("benign: YARA findings by level: %s" % (dict(levels) or "none"))

    # the same tree zipped, as a collection arrives: members are classified
    # by their path inside the archive and scanned from memory, the path
    # rules see "...zip!C/..."; the findings must be the same
    zroot = os.path.join(WORK, "exch-shells")
    zpath = os.path.join(WORK, "exch-shells-collection.zip")
    if os.path.exists(zpath):
        os.remove(zpath)
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for d, _, files in os.walk(zroot):
            for f in sorted(files):
                full = os.path.join(d, f)
                z.write(full, os.path.relpath(full, zroot))
    rc, objs, err, dt = scan([zpath])
    inzip = set()
    for rel, v in yara_findings(objs, zpath).items():
        member = rel.split("!", 1)[1] if "!" in rel else rel
        inzip.update((member, r, lv) for r, lv, _ in v)
    want = set()
    for sample, key, rule, level, name in shells:
        if rule != "-":
            fam, fn = os.path.split(sample)
            want.add((FOLDERS[key] + "/" + (name or fam.replace("/", "_") + "_" + fn), rule, level))
    if inzip != want:
        fail("zipped tree: missing %s, extra %s" % (sorted(want - inzip)[:5], sorted(inzip - want)[:5]))
    print("zipped tree: %d YARA findings on members (%.2f s)" % (len(inzip), dt))

    if os.path.isdir(SHARED):
        rc, objs, err, dt = scan([SHARED], ["--all-files"])
        found = yara_findings(objs, SHARED)
        ws = {rel: v for rel, v in found.items()
              if any(r.startswith(("exhunt_aspx_", "exhunt_asp_", "exhunt_chopper", "exhunt_page_",
                                   "exhunt_webshell_", "exhunt_suspicious_")) for r, _, _ in v)}
        print("../shared/data (--all-files): %d files with a YARA finding, %d from the web shell rules, scan %.1f s"
              % (len(found), len(ws), dt))
        for rel, v in sorted(found.items()):
            print("  %s: %s" % (rel, [(r, lv) for r, lv, _ in v]))
        for rel, v in sorted(ws.items()):
            fail("../shared/data: web shell rule on %s: %s" % (rel, [(r, lv) for r, lv, _ in v]))
    else:
        print("skip: ../shared/data is absent")

    print("webshells: %d failed" % len(failures))
    return 1 if failures else 0


sys.exit(main())
