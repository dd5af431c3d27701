#!/usr/bin/env python3
"""The HTML report is well formed (issue 14 item 5): every element the
writer opens is closed in order, only the writer's elements appear, SVG
holds only SVG elements, and each server section has its activity chart.
Checked on the golden report of the sample and on a fleet of three
generated servers (exgen, seeds 1 to 3) scanned as one folder.

usage: html_valid.py EXHUNT EXGEN SOURCEDIR WORKDIR"""
import html.parser
import os
import shutil
import subprocess
import sys

VOID = {"meta", "br"}
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "span", "b", "small", "table",
             "thead", "tbody", "tr", "th", "td", "br", "pre", "details", "summary", "div", "section", "a", "svg"}
SVG_TAGS = {"svg", "g", "rect", "line", "text", "path", "title"}


class Check(html.parser.HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name, self.stack, self.errors = name, [], []
        self.sections = self.charts = 0

    def err(self, what):
        self.errors.append("%s:%d: %s" % (self.name, self.getpos()[0], what))

    def in_svg(self):
        return "svg" in self.stack

    def check_tag(self, tag):
        allowed = SVG_TAGS if self.in_svg() else HTML_TAGS
        if tag not in allowed:
            self.err("<%s> where it has no place (in svg: %s)" % (tag, self.in_svg()))

    def handle_starttag(self, tag, attrs):
        self.check_tag(tag)
        if tag == "section":
            self.sections += 1
        if tag == "svg":
            self.charts += 1
            if "section" not in self.stack:
                self.err("a chart outside a server section")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.check_tag(tag)
        if not self.in_svg() and tag not in VOID:
            self.err("<%s/> self-closed outside SVG" % tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.err("</%s>" % tag)
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> closes %s" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def check(path, servers):
    with open(path, encoding="utf-8") as f:
        # the golden report's placeholders for the scan's own time
        text = f.read().replace("<scan time>", "SCAN-TIME").replace("in <t> s", "in T s")
    c = Check(path)
    c.feed(text)
    c.close()
    if c.stack:
        c.err("left open: %s" % c.stack)
    if c.sections != servers:
        c.err("%d server sections, want %d" % (c.sections, servers))
    if c.charts + text.count("nothing to chart") != servers:
        c.err("%d charts for %d servers" % (c.charts, servers))
    if "<script" in text.lower():
        c.err("a script element")
    for e in c.errors[:20]:
        print("FAIL", e)
    if not c.errors:
        print("ok  ", path, "(%d servers, %d charts)" % (c.sections, c.charts))
    return not c.errors


def main():
    exhunt, exgen, src, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    ok = check(os.path.join(src, "tests", "golden", "exch01.html"), 1)
    fleet = os.path.join(work, "fleet")
    for seed in (1, 2, 3):
        subprocess.run([exgen, "--scenario", "attack", "--seed", str(seed), "--out",
                        os.path.join(fleet, "srv%d" % seed)], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(work, "fleet.html")
    rc = subprocess.run([exhunt, "scan", "--no-progress", "-f", "html", "-o", out, fleet]).returncode
    if rc not in (0, 1):
        print("FAIL exhunt exit status", rc)
        ok = False
    ok = check(out, 3) and ok
    with open(out, encoding="utf-8") as f:
        text = f.read()
    if text.count("addresses folded</b>") != 3:
        print("FAIL the fleet's servers do not each say how many scanner addresses were folded")
        ok = False
    print("html_valid:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
