#!/usr/bin/env python3
"""End-to-end test of the file checks (issue 4) on generated trees.

exgen writes an attack tree (one file per documented shell and artefact
shape), a clean and a benign tree (realistic Exchange and IIS web files),
the ground truth and a manifest. This test builds what an incident
responder would bring around the tree -- a STIX 2.1 bundle and a plain list
with hashes of some attacker files, an indicator CSV in the MSTIC form with
the MSTIC paths, an IP indicator, and a CSS-Exchange-style baseline of the
shipped Exchange files -- scans, and compares both ways:

  * every file finding expected (truth + manifest) is reported with the same
    rule and level, and nothing else is reported on files;
  * every file finding carries file.path and SHA-256/SHA-1/MD5, IOC findings
    name their indicator (threat.indicator);
  * the IP indicator fires on exactly the log lines whose client address is
    that IP (computed here from the logs independently);
  * the build state names the build, the product and the CVEs;
  * with ../shared present, the real MSTIC CSV finds the two MSTIC paths.

usage: files.py EXGEN EXHUNT WORKDIR [SHARED]
"""
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

EXGEN, EXHUNT, WORK = sys.argv[1:4]
SHARED = sys.argv[4] if len(sys.argv) > 4 else ""
IOC_IP = "104.140.114.110"
FILE_RULES_PREFIX = ("yara:", "exhunt-file-", "exhunt-ioc-file-", "exhunt-baseline-")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def digest(path, alg):
    h = hashlib.new(alg)
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def generate(scenario, seed):
    root = os.path.join(WORK, scenario)
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([EXGEN, "--seed", seed, "--scenario", scenario, "--out", root,
                    "--truth", root + ".truth", "--manifest", root + ".man"], check=True)
    truth = set()
    for line in open(root + ".truth"):
        rule, level, rel, ln = line.rstrip("\n").split("\t")
        if rule.startswith(FILE_RULES_PREFIX):
            truth.add((rule, level, rel))
    man = [l.rstrip("\n").split("\t") for l in open(root + ".man")]
    for m in man:
        if m[0] == "expect":
            truth.add((m[1], m[2], m[3]))
    return root, truth, man


def write_intel(root, man, baseline_root, baseline_man):
    """IOC files and a baseline, as a responder would assemble them (the
    baseline from a clean reference install: the benign tree)."""
    d = root + ".intel"
    os.makedirs(d, exist_ok=True)
    objs = []
    for m in man:
        if m[0] == "ioc-sha256":
            h = digest(os.path.join(root, m[1]), "sha256")
            objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % h[:8] + "-0000-4000-8000-000000000001",
                         "name": "web shell " + os.path.basename(m[1]), "pattern_type": "stix",
                         "pattern": "[file:hashes.'SHA-256' = '%s']" % h, "valid_from": "2021-03-05T00:00:00Z"})
    objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-0000000000ff",
                 "name": "attacker address", "pattern_type": "stix",
                 "pattern": "[ipv4-addr:value = '%s']" % IOC_IP, "valid_from": "2021-03-02T00:00:00Z"})
    # an address that appears nowhere and a CIDR range (not a single address: skipped)
    objs.append({"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-0000000000fe",
                 "pattern_type": "stix", "pattern": "[ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '10.0.0.0/8']",
                 "valid_from": "2021-03-02T00:00:00Z"})
    with open(os.path.join(d, "bundle.json"), "w") as f:
        json.dump({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objs}, f, indent=1)
    with open(os.path.join(d, "plain.txt"), "w") as f:
        f.write("# hashes from a partner's report\n\n")
        for m in man:
            if m[0] == "ioc-md5":
                f.write("%s;command shell seen at another victim\n" % digest(os.path.join(root, m[1]), "md5"))
    with open(os.path.join(d, "mstic-form.csv"), "w") as f:
        f.write("DateAdded,FirstSeen,Indicator,IndicatorType,TLP\n")
        f.write("2021-03-09,,C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx,filepath,White\n")
        f.write("2021-03-11,,C:\\users\\public\\opera\\opera_browser.exe,filepath,White\n")
        f.write("2021-03-11,,C:\\inetpub\\wwwroot\\aspnet_client\\never_there.aspx,filepath,White\n")
    with open(os.path.join(d, "baseline.csv"), "w") as f:
        for m in baseline_man:
            if m[0] == "baseline":
                rel = m[1].split("/V15/", 1)[1].replace("/", "\\")
                f.write("%s,15.1.2176.2,\\%s\n" % (digest(os.path.join(baseline_root, m[1]), "sha256").upper(), rel))
    return d


def scan(root, args):
    p = subprocess.run([EXHUNT, "scan", "-f", "jsonl", "-j", "2"] + args + [root], capture_output=True, text=True)
    if p.returncode not in (0, 1, 3):  # 3: cannot tell (a tree of logs only, README)
        fail("exhunt exit %d: %s" % (p.returncode, p.stderr[-400:]))
    return [json.loads(l) for l in p.stdout.splitlines()], p.stderr


def rel_of(root, path):
    return os.path.relpath(path, root)


def check_files(name, root, truth, objs):
    got = set()
    for o in objs:
        if o.get("event", {}).get("dataset") != "exhunt.file":
            continue
        rel = rel_of(root, o["file"]["path"])
        key = (o["rule"]["id"], o["exhunt"]["level"], rel)
        got.add(key)
        h = o["file"].get("hash", {})
        if not all(len(h.get(a, "")) == n for a, n in (("sha256", 64), ("sha1", 40), ("md5", 32))):
            fail("%s: finding without its three hashes: %s" % (name, key))
        elif h["sha256"] != digest(os.path.join(root, rel), "sha256"):
            fail("%s: wrong SHA-256 on %s" % (name, rel))
        if o["rule"]["id"].startswith("exhunt-ioc-") and not o.get("threat", {}).get("indicator", {}).get("reference"):
            fail("%s: IOC finding without threat.indicator: %s" % (name, key))
    for k in sorted(truth - got):
        fail("%s: MISSED %s" % (name, k))
    for k in sorted(got - truth):
        fail("%s: UNEXPECTED %s" % (name, k))
    print("%s: %d file findings, %d expected" % (name, len(got), len(truth)))


def ip_lines(root):
    """(rel, line) of every log line whose client address is IOC_IP."""
    want = set()
    for dp, _, fs in os.walk(root):
        for fn in fs:
            if not fn.lower().endswith(".log"):
                continue
            p = os.path.join(dp, fn)
            w3c = "LogFiles" in p
            col = None
            with open(p, newline="") as f:
                for i, line in enumerate(f, 1):
                    line = line.rstrip("\r\n")
                    if line.startswith("#Fields:"):
                        names = line[8:].strip().split(" ") if w3c else next(csv.reader([line[8:].strip()]))
                        key = "c-ip" if w3c else "ClientIpAddress"
                        col = names.index(key) if key in names else None
                        continue
                    if line.startswith("#") or col is None:
                        if i == 1 and not w3c and line.startswith("DateTime,"):
                            names = next(csv.reader([line]))
                            col = names.index("ClientIpAddress") if "ClientIpAddress" in names else None
                        continue
                    vals = line.split(" ") if w3c else next(csv.reader([line]))
                    if col < len(vals) and vals[col] == IOC_IP:
                        want.add((rel_of(root, p), i))
    return want


def main():
    os.makedirs(WORK, exist_ok=True)
    runs = [generate(s, seed) + (s,) for s, seed in (("benign", "9"), ("clean", "8"), ("attack", "7"))]
    ref_root, _, ref_man, _ = runs[0]
    for root, truth, man, scenario in runs:
        intel = write_intel(root, man, ref_root, ref_man)
        if scenario == "attack":
            # a file outside every checked folder that a path indicator names
            # (signature-base's Websiic path): found by its path alone
            rel = "C/Program Files/System/websvc.dll"
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "wb") as f:
                f.write(b"MZ" + bytes(300))
            with open(os.path.join(intel, "plain.txt"), "a") as f:
                f.write("C:\\Program Files\\System\\websvc.dll;Websiic\n")
            truth.add(("exhunt-ioc-file-path", "high", rel))
        args = ["--ioc", os.path.join(intel, "bundle.json"), "--ioc", os.path.join(intel, "plain.txt"),
                "--ioc", os.path.join(intel, "mstic-form.csv"), "--baseline", os.path.join(intel, "baseline.csv")]
        objs, err = scan(root, args)
        check_files(scenario, root, truth, objs)
        # the story: which record wrote a file, who requested it
        if scenario == "attack":
            story = {rel_of(root, o["file"]["path"]): o["exhunt"].get("story", "") for o in objs
                     if o.get("event", {}).get("dataset") == "exhunt.file"}
            s1 = story.get("C/inetpub/wwwroot/aspnet_client/system_web/Xs5wPqL2.aspx", "")
            if "CVE-2021-26858" not in s1 or "requested" not in s1 or IOC_IP not in s1:
                fail("story of the Chopper file: %r" % s1)
            s2 = story.get("C/inetpub/wwwroot/aspnet_client/shell.aspx", "")
            if "probably written" not in s2 or "CVE-2021-27065" not in s2:
                fail("story of the OAB dump: %r" % s2)
            s3 = story.get("C/inetpub/wwwroot/aspnet_client/cert.aspx", "")
            if s3:
                fail("a story for a file no log names: %r" % s3)
            # the process the web server started during the shell's first use: that request
            runs = [o["exhunt"].get("story", "") for o in objs if o.get("event", {}).get("dataset") == "windows.evtx"
                    and "w3wp.exe starting a shell" in o.get("rule", {}).get("name", "")]
            if not runs or not all("probably run by the request POST /aspnet_client/system_web/Xs5wPqL2.aspx from "
                                   + IOC_IP in r for r in runs):
                fail("story of the shell's process: %r" % runs)
        # the per-attacker timeline
        if scenario == "attack":
            at = [o for o in objs if o.get("event", {}).get("dataset") == "exhunt.attacker"]
            me = [o for o in at if o["source"]["ip"] == IOC_IP]
            if not me or "CVE-2021-26855" not in me[0].get("vulnerability", {}).get("id", []) or \
                    not me[0]["event"]["start"] <= me[0]["event"]["end"] or at[0]["source"]["ip"] != IOC_IP:
                fail("attacker timeline: %s" % me[:1])
            n_alerts = sum(1 for o in objs if o.get("source", {}).get("ip") == IOC_IP and o["event"]["kind"] == "alert"
                           and o["exhunt"]["level"] != "informational")
            if me and sum(me[0]["exhunt"]["findings"].values()) != n_alerts:
                fail("attacker timeline counts %d findings, the report has %d" %
                     (sum(me[0]["exhunt"]["findings"].values()), n_alerts))
        # IP indicator on client addresses
        got = {(rel_of(root, o["log"]["file"]["path"]), o["exhunt"]["line"]) for o in objs
               if o.get("rule", {}).get("id", "").startswith("exhunt-ioc-ip")}
        want = ip_lines(root)
        if got != want:
            fail("%s: IP indicator lines: %d reported, %d expected; missed %s, unexpected %s" %
                 (scenario, len(got), len(want), sorted(want - got)[:3], sorted(got - want)[:3]))
        if scenario == "attack" and not want:
            fail("attack tree has no line from the IOC address: the IP check tests nothing")
        print("%s: IP indicator on %d log lines" % (scenario, len(got)))
        # patch level
        b = [o for o in objs if o.get("event", {}).get("dataset") == "exhunt.build"]
        if len(b) != 1 or b[0].get("package", {}).get("version") != "15.1.2176.2" or \
                b[0]["package"].get("name") != "Exchange 2016 CU19":
            fail("%s: build state object wrong: %s" % (scenario, b))
        else:
            st = {c["id"]: c["status"] for c in b[0]["exhunt"]["cves"]}
            if st.get("CVE-2021-26855") != "vulnerable" or st.get("CVE-2022-41040") != "vulnerable":
                fail("%s: CVE status wrong: %s" % (scenario, st))
            if b[0]["exhunt"].get("build_source", "").find("ExSetup") < 0:
                fail("%s: build not read from ExSetup.exe: %s" % (scenario, b[0]["exhunt"]))
        if "entries not usable" not in err:
            fail("%s: the CIDR pattern in the bundle was not reported as unusable" % scenario)
    # --yara: a user rule that needs the path externals compiles and fires;
    # a broken rule file is named and skipped, the rest still runs
    yd = os.path.join(WORK, "user-yara")
    os.makedirs(yd, exist_ok=True)
    with open(os.path.join(yd, "ext.yar"), "w") as f:
        f.write('rule user_owa_auth_page { meta: score = 60 condition: filepath contains "/owa/auth/" and '
                'extension == "aspx" and filename matches /^error/ and filetype == "aspx" and owner == "" }\n')
    with open(os.path.join(yd, "broken.yara"), "w") as f:
        f.write("rule broken { strings: $a = \"x\" condition: $b }\n")
    objs, err = scan(os.path.join(WORK, "attack"), ["--yara", yd])
    hits = {(o["exhunt"]["level"], os.path.basename(o["file"]["path"])) for o in objs
            if o.get("rule", {}).get("id") == "yara:user_owa_auth_page"}
    # errorEE.aspx (a C# shell), errorFE.aspx (Exchange's own page) and the Behinder-like
    # page at owa/auth/Current/themes/resources/error.aspx
    if hits != {("medium", "errorEE.aspx"), ("medium", "errorFE.aspx"), ("medium", "error.aspx")}:
        fail("--yara with externals: %s" % sorted(hits))
    if "broken.yara" not in err or "undefined string" not in err:
        fail("--yara: the broken rule file was not reported: %s" % err[-300:])
    # an update installed between two logs: the build comes from the latest
    # log, both builds are listed with their time spans
    su = os.path.join(WORK, "su-tree")
    shutil.rmtree(su, ignore_errors=True)
    hp = os.path.join(su, "V15/Logging/HttpProxy/Owa")
    os.makedirs(hp)
    for name, ver, day in (("HttpProxy_2021030110-1.LOG", "15.01.2176.002", "01"),
                           ("HttpProxy_2021030510-1.LOG", "15.01.2176.009", "05")):
        with open(os.path.join(hp, name), "w") as f:
            f.write("#Software: Microsoft Exchange Server\n#Version: %s\n#Log-type: HttpProxy Logs\n"
                    "#Date: 2021-03-%sT10:00:00.000Z\n#Fields: DateTime,RequestId,UrlStem,ClientIpAddress,HttpStatus\n"
                    "2021-03-%sT10:00:01.000Z,r1,/owa/,10.0.0.9,200\n2021-03-%sT10:59:01.000Z,r2,/owa/,10.0.0.9,200\n"
                    % (ver, day, day, day))
    objs, err = scan(su, [])
    b = [o for o in objs if o.get("event", {}).get("dataset") == "exhunt.build"]
    seen = b[0]["exhunt"].get("builds_in_logs", []) if b else []
    st = {c["id"]: c["status"] for c in b[0]["exhunt"]["cves"]} if b else {}
    if not b or b[0].get("package", {}).get("version") != "15.1.2176.9" or \
            [x["build"] for x in seen] != ["15.1.2176.2", "15.1.2176.9"] or \
            seen[1]["first"] != "2021-03-05T10:00:01.000Z" or "log" not in b[0]["exhunt"].get("build_source", ""):
        fail("builds from log headers: %s" % b)
    elif st.get("CVE-2021-26855") != "patched" or st.get("CVE-2021-34473") != "vulnerable":
        fail("Mar21SU build judged wrongly: %s" % st)
    # the text report names the build and what it is vulnerable to
    p = subprocess.run([EXHUNT, "scan", os.path.join(WORK, "attack")], capture_output=True, text=True)
    if "Patch level: 15.1.2176.2 (Exchange 2016 CU19" not in p.stdout or "CVE-2021-27065  ProxyLogon    vulnerable" not in p.stdout:
        fail("text report lacks the patch level")
    # the same attack tree zipped inside a folder (a collection met while
    # walking): the same findings, named archive!member, and the log window
    # and build from the logs inside
    import zipfile
    zdir = os.path.join(WORK, "zipped")
    shutil.rmtree(zdir, ignore_errors=True)
    os.makedirs(zdir)
    aroot = os.path.join(WORK, "attack")
    with zipfile.ZipFile(os.path.join(zdir, "collection.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for dp, _, fs in os.walk(aroot):
            for fn in sorted(fs):
                full = os.path.join(dp, fn)
                z.write(full, os.path.relpath(full, aroot))

    def keys(objs, root):
        out = []
        for o in objs:
            if o.get("event", {}).get("kind") != "alert":
                continue
            p = o.get("file", {}).get("path") or o["log"]["file"]["path"]
            p = p.split("!", 1)[1] if "!" in p else os.path.relpath(p, root)
            out.append((o["rule"]["id"], p, o["exhunt"].get("line", 0)))
        return sorted(out)
    plain, _ = scan(aroot, [])
    zipped, _ = scan(zdir, [])
    if keys(plain, aroot) != keys(zipped, zdir):
        a, b = set(keys(plain, aroot)), set(keys(zipped, zdir))
        fail("zipped collection: findings differ: only in folder %s, only in zip %s" % (sorted(a - b)[:4], sorted(b - a)[:4]))
    zb = [o for o in zipped if o.get("event", {}).get("dataset") == "exhunt.build"]
    zw = [o for o in zipped if o.get("event", {}).get("dataset") == "exhunt.log_window"]
    if not zb or zb[0].get("package", {}).get("version") != "15.1.2176.2":
        fail("zipped collection: no build from the logs inside: %s" % zb)
    if not zw or not zw[0]["exhunt"]["log_window"] or not zw[0]["exhunt"]["log_window"][0]["first"]:
        fail("zipped collection: no log window: %s" % zw)
    print("zipped collection: %d findings, as in the folder" % len(keys(zipped, zdir)))
    # CISA CHIRP form: network addresses and file YARA rules used, the rest named
    aroot = os.path.join(WORK, "attack")
    chirp = os.path.join(WORK, "chirp.yaml")
    with open(chirp, "w") as f:
        f.write('# test CHIRP file\n---\nname: "addresses"\nioc_type: "network"\nindicator:\n  ips: |\n'
                '    %s\n    198.51.100.9\n---\nname: "chopper"\nioc_type: "yara"\nindicator:\n'
                '  files: "\\\\**"\n  rule: |\n    rule chirp_chopper { strings: $a = "unsafe" condition: $a and filesize < 200 }\n'
                '---\nname: "log rule"\nioc_type: "yara"\nindicator:\n  files: "C:\\\\inetpub\\\\logs\\\\LogFiles\\\\W3SVC*\\\\*.log"\n'
                '  rule: |\n    rule chirp_log { strings: $a = "POST" condition: $a }\n'
                '---\nname: "event query"\nioc_type: "events"\nindicator:\n  event_type: "Application"\n' % IOC_IP)
    objs, err = scan(aroot, ["--ioc", chirp])
    got = {(rel_of(aroot, o["log"]["file"]["path"]), o["exhunt"]["line"]) for o in objs
           if o.get("rule", {}).get("id", "").startswith("exhunt-ioc-ip")}
    if got != ip_lines(aroot):
        fail("CHIRP addresses: %d lines, expected %d" % (len(got), len(ip_lines(aroot))))
    yhits = {os.path.basename(o["file"]["path"]) for o in objs if o.get("rule", {}).get("id") == "yara:chirp_chopper"}
    if yhits != {"Xs5wPqL2.aspx", "OutlookEN.aspx", "help.aspx"}:  # the three Chopper one-liners
        fail("CHIRP YARA rule: %s" % sorted(yhits))
    if "2 addresses and 1 YARA rules used; 2 indicators not used" not in err or "log rule (yara)" not in err:
        fail("CHIRP note: %s" % err[-300:])
    real = os.path.join(SHARED, "data/ioc/cisa-chirp-AA21062A.yaml") if SHARED else ""
    if real and os.path.exists(real):
        objs, err = scan(aroot, ["--ioc", real])
        if "15 addresses and 4 YARA rules used" not in err:
            fail("real CHIRP file: %s" % err[-300:])
        n = sum(1 for o in objs if o.get("rule", {}).get("id", "").startswith("exhunt-ioc-ip"))
        print("CISA CHIRP file: 15 addresses, 4 YARA rules; %d log lines from its addresses" % n)
    # the real MSTIC feed
    mstic = os.path.join(SHARED, "data/ioc/msticiocs-exchange-march2021.csv") if SHARED else ""
    if mstic and os.path.exists(mstic):
        objs, err = scan(os.path.join(WORK, "attack"), ["--ioc", mstic])
        hits = {rel_of(os.path.join(WORK, "attack"), o["file"]["path"]) for o in objs
                if o.get("rule", {}).get("id") == "exhunt-ioc-file-path"}
        want = {"C/inetpub/wwwroot/aspnet_client/shell.aspx", "C/Users/Public/opera/opera_browser.exe"}
        if hits != want:
            fail("MSTIC feed: path hits %s, expected %s" % (sorted(hits), sorted(want)))
        if "not usable" in err:
            fail("MSTIC feed: rows rejected: %s" % err)
        print("MSTIC feed: %d path hits" % len(hits))
    else:
        print("SKIP: ../shared not present, the real MSTIC feed is not tried")
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("files: all checks passed")


main()
