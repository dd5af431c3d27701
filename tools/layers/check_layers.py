#!/usr/bin/env python3
"""The layering check (issue 12): every #include between folders of src/
points down the stack below, and no folder reaches itself through others.

    cli           the program
    scan          the driver: walks, reads each file with its format, merges, correlates
    report        writers of the result model
    correlate     verdicts, coverage, campaigns, stories, attackers
    walk          folders -> evidence, recognised through the formats registry
    formats       the registry (format.h, registry.c)
    formats/*     one folder per format; a format may use a lower one (events -> evtx,
                  rps -> logs: the Exchange CSV reader, iisconfig -> files: a web.config
                  gets the content checks of its web folder)
    checks        file checks (YARA, indicators, baseline, minidump, supporting
                  files), their loading, the patch level
    rules         Sigma: loader, evaluator, findings
    match         literal prefilter
    core          evidence, records, sources, kinds, paths, limits
    platform      the OS
    util          buffers, strings, time, escaping, guards

Exits 1 and names each include that points up or sideways, and each cycle.
usage: check_layers.py SRCDIR
"""
import os, re, sys

ORDER = [  # lowest first
    "util", "platform", "core", "match", "rules", "checks",
    "formats/evtx", "formats/logs", "formats/rps", "formats/events", "formats/files", "formats/iisconfig", "formats/archive",
    "formats", "walk", "correlate", "report", "scan", "cli",
]
RANK = {n: i for i, n in enumerate(ORDER)}
# one header of #defines with no include of its own: every layer reads its
# bounds there (issue 11: one header for every limit)
LEAF = "core/limits.h"
# folders on one level may not use each other (siblings)
SAME_LEVEL = [{"formats/logs", "formats/files", "formats/archive"}, {"walk", "correlate", "report"}]


def node(rel):
    parts = rel.split("/")
    if parts[0] in ("formats", "checks") and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    edges = {}
    for dp, _, fs in os.walk(src):
        for f in fs:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dp, f)
            rel = os.path.relpath(path, src)
            a = node(rel)
            for m in inc.finditer(open(path, encoding="utf-8", errors="replace").read()):
                tgt = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1)))
                if tgt.startswith("..") or not os.path.exists(os.path.join(src, tgt)):
                    continue  # the public header, system headers, generated files
                if tgt == LEAF:
                    continue
                b = node(tgt)
                if a != b:
                    edges.setdefault((a, b), []).append("%s -> %s" % (rel, tgt))
    bad = 0
    for (a, b), where in sorted(edges.items()):
        if a not in RANK or b not in RANK:
            print("unknown folder in the layers: %s or %s (add it to ORDER)" % (a, b))
            bad += 1
            continue
        sibling = any(a in s and b in s for s in SAME_LEVEL)
        if RANK[b] >= RANK[a] or sibling:
            print("upward or sideways include %s -> %s: %s" % (a, b, where[0]))
            bad += 1
    # cycles (even through folders of allowed ranks, there can be none if
    # every edge points down; checked anyway for a clear message)
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    seen, stack = set(), []

    def dfs(n):
        nonlocal bad
        if n in stack:
            print("cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
            bad += 1
            return
        if n in seen:
            return
        seen.add(n)
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            dfs(m)
        stack.pop()

    for n in sorted(graph):
        dfs(n)
    print("layers: %d folders, %d folder-to-folder includes, %d problems" % (len({x for e in edges for x in e}), len(edges), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
