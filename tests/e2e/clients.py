#!/usr/bin/env python3
"""Who the client was (docs/rules.md, "Clients, proxies and hops"), end to end through the CLI.

Small server trees scanned with `-f jsonl`:

  * behind a load balancer or reverse proxy (c-ip an internal address that is not the server's
    own, the line carrying X-Forwarded-For) the client is the one X-Forwarded-For names and the
    proxy is the hop; a public c-ip with X-Forwarded-For stays the client (the header is its own
    claim, kept in the finding's address note); an internal c-ip without the header stays the client;
  * which X-Forwarded-For entry: the rightmost that is not a trusted proxy (the scan's servers,
    their front ends, internal addresses), as a proxy's "real IP" does; a spoofed leftmost address
    is not the client; an internal client (every entry internal) is the leftmost;
  * in a fleet, a request from another scanned server to a front-end site (not port 444) is
    lateral movement: its address stays the client and an attacker, labelled with that server's
    name; the front end calling the back end (port 444) stays a hop; the same server scanned alone
    names the same client; a front end learned from back-end lines does not hide its own requests
    to the front-end site.

usage: clients.py EXHUNT WORKDIR
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
RESET_Q = "msExchEcpCanary=Wk3aDn5vE0qZf8&schema=ResetOABVirtualDirectory"
UA = "python-requests/2.25.1"


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def iis(t, stem, cip, sip, port=443, xff=None, query=None, user=None):
    line = " ".join(["2022-10-10", t, sip, "POST", stem, query or "-", str(port), user or "-", cip, UA, "-",
                     "200", "0", "0", "100"])
    return line + (" " + xff if xff is not None else "")


def server(root, sites):
    """sites: {"W3SVC1": (fields, [lines])}"""
    for site, (fields, lines) in sites.items():
        d = os.path.join(root, "C/inetpub/logs/LogFiles", site)
        os.makedirs(d)
        with open(os.path.join(d, "u_ex221010.log"), "w", newline="") as f:
            f.write(IIS_HEAD + fields + "\r\n" + "".join(l + "\r\n" for l in lines))
    return root


def fresh(name):
    root = os.path.join(WORK, name)
    shutil.rmtree(root, ignore_errors=True)
    return root


def scan(root):
    p = subprocess.run([EXHUNT, "scan", "--no-progress", "-j", "1", "-f", "jsonl", root],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    out = {"findings": [], "actors": []}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        o = json.loads(line)
        ev = o.get("event", {})
        if ev.get("kind") == "alert":
            out["findings"].append(o)
        elif ev.get("dataset") == "exhunt.attacker":
            out["actors"].append(o)
    return out


def at(res, needle):
    """The findings of the request lines whose evidence contains needle."""
    return [f for f in res["findings"] if needle in f.get("exhunt", {}).get("evidence", "")]


def who(f):
    return (f.get("source", {}).get("ip"), f.get("exhunt", {}).get("hop_ip"), f.get("exhunt", {}).get("address_note"))


def actors(res, host=None):
    return {a.get("source", {}).get("ip") for a in res["actors"] if host is None or a.get("host", {}).get("name") == host}


# ---- item 7: a load balancer in front of the server ------------------------------------------
SIP, LB = "10.1.1.19", "10.1.1.250"
r = scan(server(fresh("balancer"), {"W3SVC1": (FIELDS_XFF, [
    iis("08:00:00", "/aspnet_client/lb1.aspx", LB, SIP, xff="137.184.67.33"),
    iis("08:01:00", "/aspnet_client/lb2.aspx", "198.51.100.20", SIP, xff="203.0.113.50"),
    iis("08:02:00", "/aspnet_client/lb3.aspx", "10.1.20.40", SIP, xff="-"),
    iis("08:03:00", "/aspnet_client/lb4.aspx", "10.1.20.41", SIP, xff="unknown,+" + SIP),
])}))
for needle, want in (("lb1.aspx", ("137.184.67.33", LB)), ("lb2.aspx", ("198.51.100.20", None)),
                     ("lb3.aspx", ("10.1.20.40", None)),
                     # a header naming no client: the internal address is the client, not a hop to nobody
                     ("lb4.aspx", ("10.1.20.41", None))):
    hits = at(r, needle)
    if not hits or any(who(f)[:2] != want for f in hits):
        fail("%s: want client/hop %s, got %s" % (needle, want, [who(f) for f in hits]))
if [who(f)[2] for f in at(r, "lb1.aspx")][:1] != ["an internal proxy"]:
    fail("the balancer hop is not labelled an internal proxy: %s" % [who(f) for f in at(r, "lb1.aspx")])
if not all("203.0.113.50" in (who(f)[2] or "") for f in at(r, "lb2.aspx")):
    fail("a public client's X-Forwarded-For is not kept visible: %s" % [who(f) for f in at(r, "lb2.aspx")])
if LB in actors(r) or "137.184.67.33" not in actors(r) or "10.1.20.40" not in actors(r):
    fail("balancer: attackers %s" % sorted(actors(r), key=str))

# ---- item 12: which X-Forwarded-For entry ----------------------------------------------------
XFFS = [("x1.aspx", LB, "8.8.8.8,+203.0.113.13", "203.0.113.13"),        # spoofed leftmost, proxy-appended right
        ("x2.aspx", LB, "10.9.9.9,+198.51.100.4", "198.51.100.4"),       # spoofed internal leftmost
        ("x3.aspx", SIP, "203.0.113.9,+10.1.1.240", "203.0.113.9"),      # two proxies
        ("x4.aspx", LB, "10.1.20.33", "10.1.20.33"),                     # an internal client
        ("x5.aspx", LB, "10.1.20.34,+10.1.1.240", "10.1.20.34"),         # internal client, internal proxies
        ("x6.aspx", LB, "203.0.113.14,+unknown", "203.0.113.14"),
        ("x7.aspx", LB, "[2001:db8::10]:443", "2001:db8::10"),
        ("x8.aspx", LB, "203.0.113.15:51234,+" + SIP, "203.0.113.15"),
        ("x9.aspx", SIP, "8.8.8.8,+203.0.113.16", "203.0.113.16"),               # ARR on the server itself
        ("xa.aspx", SIP, "x," * 70 + "203.0.113.17", "203.0.113.17"),            # many entries, not addresses
        ("xb.aspx", SIP, "1.1.1.1,+" * 30 + "203.0.113.18", None),               # cut at 256 characters:
        ("xc.aspx", LB, "1.1.1.1,+" * 30 + "203.0.113.19", LB)]                  # the proxy's entry is lost
r = scan(server(fresh("xff"), {"W3SVC1": (FIELDS_XFF, [
    iis("09:0%d:00" % i, "/aspnet_client/" + x[0], x[1], SIP, xff=x[2]) for i, x in enumerate(XFFS)])}))
for page, cip, xff, want in XFFS:
    got = [who(f)[0] for f in at(r, page)]
    if not got or any(g != want for g in got):
        fail("X-Forwarded-For %s (c-ip %s): want client %s, got %s" % (xff, cip, want, got))
if "8.8.8.8" in actors(r) or "10.9.9.9" in actors(r) or "1.1.1.1" in actors(r):
    fail("a spoofed leftmost X-Forwarded-For address is an attacker: %s" % sorted(actors(r), key=str))

# ---- item 9: another scanned server -----------------------------------------------------------
A, B = "10.1.1.5", "10.1.1.8"


def fleet(name, with_a=True):
    root = fresh(name)
    if with_a:
        server(os.path.join(root, "EXCH02"), {"W3SVC1": (FIELDS, [
            iis("07:00:00", "/owa/", "10.1.20.33", A)])})
    server(os.path.join(root, "EXCH08"), {
        "W3SVC1": (FIELDS, [iis("07:30:00", "/aspnet_client/system_web/log.aspx", A, B)]),
        "W3SVC2": (FIELDS, [iis("07:31:00", "/ecp/DDI/DDIService.svc/SetObject", A, B, port=444,
                                query=RESET_Q, user="EXCH02$")]),
    })
    return root if with_a else os.path.join(root, "EXCH08")


r = scan(fleet("fleet"))
lateral = at(r, "log.aspx")
if not lateral or any(who(f)[0] != A or who(f)[1] or "EXCH02, another scanned server" not in (who(f)[2] or "")
                      for f in lateral):
    fail("fleet: a shell used from another scanned server: want client %s labelled EXCH02, got %s"
         % (A, [who(f) for f in lateral]))
if A not in actors(r, "EXCH08"):
    fail("fleet: another scanned server using a shell is not an attacker of EXCH08: %s" % sorted(actors(r), key=str))
backend = at(r, "SetObject")
if not backend or any(who(f)[0] or who(f)[1] != A or "EXCH02" not in (who(f)[2] or "") for f in backend):
    fail("fleet: the front end calling the back end (port 444) is not a hop: %s" % [who(f) for f in backend])
alone = scan(fleet("alone", with_a=False))
if [who(f)[0] for f in at(alone, "log.aspx")] != [who(f)[0] for f in lateral] or A not in actors(alone):
    fail("EXCH08 alone names another client than in the fleet: %s vs %s"
         % ([who(f) for f in at(alone, "log.aspx")], [who(f) for f in lateral]))
if any(who(f)[0] for f in at(alone, "SetObject")):
    fail("EXCH08 alone: the back-end line names a client: %s" % [who(f) for f in at(alone, "SetObject")])

# a front end learned only from back-end lines (its server not scanned) requesting a page on the
# front-end site is not hidden as a hop
r = scan(server(fresh("frontend"), {
    "W3SVC1": (FIELDS, [iis("06:00:00", "/aspnet_client/fe.aspx", "10.1.1.7", B)]),
    "W3SVC2": (FIELDS, [iis("06:01:00", "/ecp/DDI/DDIService.svc/SetObject", "10.1.1.7", B, port=444,
                            query=RESET_Q, user="EXCH07$")]),
}))
if "10.1.1.7" not in actors(r) or any(who(f)[0] != "10.1.1.7" for f in at(r, "fe.aspx")):
    fail("a front end's own request to the front-end site is hidden: %s, attackers %s"
         % ([who(f) for f in at(r, "fe.aspx")], sorted(actors(r), key=str)))
if any(who(f)[1] != "10.1.1.7" for f in at(r, "SetObject")):
    fail("the front end's back-end call is not a hop: %s" % [who(f) for f in at(r, "SetObject")])

print("clients: %d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
