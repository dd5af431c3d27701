#!/usr/bin/env python3
"""Writes a deterministic tree of mixed files (bench/files.sh): text pages
and scripts, binaries, archives and a few dumps, in the web and staging
folders of a system drive. usage: mkfiles.py TREE SIZE_MB"""
import os
import random
import sys

tree, size_mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(1234)
folders = [
    "C/inetpub/wwwroot/app%d",
    "C/inetpub/wwwroot/aspnet_client/system_web/%d",
    "C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/15.1.2176.2/scripts/s%d",
    "C/Program Files/Microsoft/Exchange Server/V15/ClientAccess/Owa/prem/15.1.2176.2/resources/r%d",
    "C/Windows/Temp/t%d",
    "C/Users/Public/Documents/d%d",
]
words = ("function var return if else document window request response page server script "
         "div span class style width height table select option value name id input form "
         "string int void public private static using namespace").split()
kinds = [  # (weight, extension, min, max, text?)
    (40, "js", 2_000, 400_000, True),
    (15, "aspx", 1_000, 60_000, True),
    (10, "css", 2_000, 120_000, True),
    (10, "config", 500, 20_000, True),
    (15, "dll", 20_000, 4_000_000, False),
    (6, "png", 5_000, 800_000, False),
    (3, "zip", 1_000_000, 30_000_000, False),
    (1, "dmp", 5_000_000, 40_000_000, False),
]
total_w = sum(k[0] for k in kinds)


def text(n):
    out, k = [], 0
    while k < n:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 16))) + ";\n"
        out.append(line)
        k += len(line)
    return "".join(out)[:n].encode()


target, written, i = size_mb * 1_000_000, 0, 0
while written < target:
    r = rng.uniform(0, total_w)
    for w, ext, lo, hi, is_text in kinds:
        r -= w
        if r <= 0:
            break
    n = int(rng.uniform(lo, hi))
    d = os.path.join(tree, rng.choice(folders) % rng.randint(0, 40))
    os.makedirs(d, exist_ok=True)
    data = text(n) if is_text else rng.randbytes(n)
    with open(os.path.join(d, "f%06d.%s" % (i, ext)), "wb") as f:
        f.write(data)
    written += n
    i += 1
print("mkfiles: %d files, %d bytes" % (i, written))
