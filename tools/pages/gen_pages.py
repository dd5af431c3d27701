#!/usr/bin/env python3
"""The server-side pages Exchange ships, per web folder, as data (issue 13 item 3).

Reads CSS-Exchange known-good baselines (CSV: sha256,build,\\relative\\path, one file of an
Exchange build a line; ../shared/data/baselines holds four builds, CSS-Exchange publishes one a
build) and writes data/exchange-pages.txt: the URL path of every .aspx/.ashx/.asmx/.asp/.cshtml
file Exchange installs in a folder IIS serves, with the builds that ship it. The path on disk is
turned into the URL IIS serves it at:

  \\FrontEnd\\HttpProxy\\<vdir>\\rest   -> /<vdir>/rest   (front end, Default Web Site)
  \\ClientAccess\\exchweb\\ews\\rest     -> /ews/rest      (the EWS virtual directory)
  \\ClientAccess\\<vdir>\\rest          -> /<vdir>/rest   (back end, proxied from the front end)

Each run writes the data file from the baselines it is given (all of them each time). Then it
writes the list into the rules that need it, between the lines
"# BEGIN exchange-pages (tools/pages/gen_pages.py)" and "# END exchange-pages" (an indented
YAML list item a page). Run it again when baselines of more builds are added; --check fails
(exit 1) when the rules, the data file and the given baselines disagree (ctest shipped_pages).

usage: gen_pages.py [--check] SRC_DIR [BASELINE.csv ...]
"""
import os
import re
import sys

EXTS = (".aspx", ".ashx", ".asmx", ".asp", ".cshtml")
DATA = os.path.join("data", "exchange-pages.txt")
RULES = [os.path.join("rules", "web", "iis_webshell_use.yml"),
         os.path.join("rules", "web", "iis_unknown_page.yml"),
         os.path.join("rules", "web", "iis_webshell_probe.yml")]
BEGIN = "# BEGIN exchange-pages (tools/pages/gen_pages.py)"
END = "# END exchange-pages"
HEADER = """\
# Server-side pages Exchange ships in the folders IIS serves, as URL paths, from %d builds: one
# page a line, then how many of those builds ship it, the lowest and the highest of them.
# Written by tools/pages/gen_pages.py from the CSS-Exchange known-good baselines
# (github.com/microsoft/CSS-Exchange, MIT): every baseline_<build>.csv that repository's history
# holds (Security/Baselines, Security/src/Baselines, Security/Scripts/Baselines, removed by
# commit 7086a4338 in 2022-08), Exchange 2013, 2016 and 2019 from RTM to the spring 2021
# updates; the four of ../shared/data/baselines among them (ctest shipped_pages checks it).
# Do not edit by hand: give the tool more baselines and run it again. The rules
# rules/web/iis_webshell_use.yml, iis_unknown_page.yml and iis_webshell_probe.yml carry this
# list as their filter.
"""


def url_of(rel):
    parts = [p for p in rel.replace("/", "\\").split("\\") if p]
    if len(parts) >= 4 and parts[0].lower() == "frontend" and parts[1].lower() == "httpproxy":
        return "/" + "/".join(parts[2:])
    if len(parts) >= 4 and parts[0].lower() == "clientaccess" and parts[1].lower() == "exchweb" \
            and parts[2].lower() == "ews":
        return "/ews/" + "/".join(parts[3:])
    if len(parts) >= 3 and parts[0].lower() == "clientaccess":
        return "/" + "/".join(parts[1:])
    return None


def read_baselines(paths):
    pages = {}
    for path in paths:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            for line in f:
                cols = line.rstrip("\r\n").split(",", 2)
                if len(cols) != 3 or not cols[2].lower().endswith(EXTS):
                    continue
                u = url_of(cols[2])
                if u:
                    # case-insensitive: IIS paths are; keep the first spelling seen
                    key = u.lower()
                    ent = pages.setdefault(key, [u, set()])
                    # one spelling of a build (some baselines write 15.01.0845.039)
                    b = cols[1].strip()
                    if re.fullmatch(r"[0-9]+(\.[0-9]+)*", b):
                        b = ".".join(str(int(x)) for x in b.split("."))
                    ent[1].add(b)
    return pages


def bkey(b):
    return tuple(int(x) if x.isdigit() else 0 for x in b.split("."))


def read_data(src):
    """URL -> [spelling, number of builds, lowest build, highest build]"""
    pages = {}
    path = os.path.join(src, DATA)
    if not os.path.exists(path):
        return pages
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split()
        n, lo, hi = (int(cols[1]), cols[2], cols[3]) if len(cols) >= 4 else (0, "", "")
        pages[cols[0].lower()] = [cols[0], n, lo, hi]
    return pages


def render_data(pages, nbase):
    out = [HEADER % nbase]
    for key in sorted(pages):
        u, n, lo, hi = pages[key]
        out.append("%s %d %s %s\n" % (u, n, lo, hi))
    return "".join(out)


def render_rule(text, pages):
    lines = text.split("\n")
    try:
        b = next(i for i, l in enumerate(lines) if l.strip() == BEGIN)
        e = next(i for i, l in enumerate(lines) if l.strip() == END and i > b)
    except StopIteration:
        raise SystemExit("no %s ... %s block" % (BEGIN, END))
    indent = re.match(r"\s*", lines[b]).group(0)
    body = ["%s- '%s'" % (indent, pages[k][0].replace("'", "''")) for k in sorted(pages)]
    return "\n".join(lines[:b + 1] + body + lines[e:])


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    if not args:
        raise SystemExit(__doc__)
    src, baselines = args[0], args[1:]
    data = read_data(src)
    base = read_baselines(baselines)
    bad = []
    if check:
        # every page of the given baselines is in the data file; the rules carry the data file
        for k, (u, builds) in base.items():
            if k not in data:
                bad.append("data file lacks %s (%s)" % (u, ",".join(sorted(builds))))
        pages = data
        text = open(os.path.join(src, DATA), encoding="utf-8").read()
        m = re.search(r"from (\d+) builds", text)
        if render_data(pages, int(m.group(1)) if m else 0) != text:
            bad.append("%s is not as the tool writes it" % DATA)
    else:
        # the data file is written from the baselines given (all of them, each time)
        pages = {}
        for k, (u, builds) in base.items():
            bs = sorted(builds, key=bkey)
            pages[k] = [u, len(bs), bs[0], bs[-1]]
        os.makedirs(os.path.join(src, "data"), exist_ok=True)
        nb = len({b for _, bs in base.values() for b in bs})
        open(os.path.join(src, DATA), "w", encoding="utf-8").write(render_data(pages, nb))
    for r in RULES:
        p = os.path.join(src, r)
        text = open(p, encoding="utf-8").read()
        new = render_rule(text, pages)
        if check and new != text:
            bad.append("%s: its exchange-pages list differs from %s" % (r, DATA))
        elif not check and new != text:
            open(p, "w", encoding="utf-8").write(new)
    for b in bad:
        print("FAIL:", b)
    print("%d pages; %d baseline file(s) given%s" % (len(pages), len(baselines), "" if not bad else ", %d problem(s)" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
