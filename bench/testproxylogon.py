#!/usr/bin/env python3
"""Stand-in for Microsoft's Test-ProxyLogon.ps1 (CSS-Exchange, final 2021-03-18
logic), written with Python's csv module, used as the benchmark baseline.

It does what the script does, the way the script does it:
  - CVE-2021-26855: every *.log under Logging/HttpProxy; a file is parsed only
    if it contains 'ServerInfo~' (the script's Select-String prefilter); rows are
    read like Import-Csv (line 1 is the header) and kept when AnchorMailbox is
    -like 'ServerInfo~*/*' and not 'ServerInfo~*/autodiscover*' and not
    'ServerInfo~localhost*/*' (case-insensitive).
  - CVE-2021-27065: ECP/Server/*.log lines matching the script's regex; and
    HttpProxy/Ecp rows with AnchorMailbox -like 'ServerInfo~*/*Reset*VirtualDirectory#'
    and HttpStatus 200.
  - CVE-2021-26858: OABGeneratorLog files containing 'Download failed and
    temporary file', paths extracted by the script's regex, kept when they do not
    start with the install path's ClientAccess\\OAB.
  - Log age per folder.
usage: testproxylogon.py [--list] TREE
  --list prints one line per hit (CVE, file, line or path) for the parity test.
"""
import csv
import fnmatch
import os
import re
import sys
import time

def like(pattern):
    rx = re.compile(fnmatch.translate(pattern), re.IGNORECASE | re.DOTALL)
    return rx.match

SSRF = like("ServerInfo~*/*")
AUTOD = like("ServerInfo~*/autodiscover*")
LOCAL = like("ServerInfo~localhost*/*")
RESET = like("ServerInfo~*/*Reset*VirtualDirectory#")
SETVDIR = re.compile(r"Set-.+VirtualDirectory.+?(?=Url).+<\w+.*>(.*?)<\/\w+>.+?(?=VirtualDirectory)")
OABPATH = re.compile(r"Download failed and temporary file (.*?) needs to be removed")
INSTALL = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\"

def walk(root, *parts):
    want = [p.lower() for p in parts]
    for d, _, files in os.walk(root):
        rel = [c.lower() for c in os.path.relpath(d, root).split(os.sep)]
        for i in range(len(rel) - len(want) + 1):
            if rel[i:i + len(want)] == want:
                for f in files:
                    yield os.path.join(d, f), rel[i + len(want):]
                break

def import_csv(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        for row in reader:
            yield reader.line_num, dict(zip(header, row))

def main(root):
    t0 = time.time()
    nbytes = 0
    hits26855, hits27065_reset, files27065, paths26858 = [], [], [], []
    for path, sub in walk(root, "logging", "httpproxy"):
        if not path.lower().endswith(".log"):
            continue
        nbytes += os.path.getsize(path)
        with open(path, encoding="utf-8", errors="replace") as fh:
            if "ServerInfo~" not in fh.read():
                continue
        ecp = len(sub) >= 1 and sub[0] == "ecp"
        for line, row in import_csv(path):
            am = row.get("AnchorMailbox", "") or ""
            if SSRF(am) and not AUTOD(am) and not LOCAL(am):
                hits26855.append((path, line, am))
            if ecp and RESET(am) and row.get("HttpStatus") == "200":
                hits27065_reset.append((path, line, am))
    for path, _ in walk(root, "logging", "ecp", "server"):
        nbytes += os.path.getsize(path)
        with open(path, encoding="utf-8", errors="replace") as fh:
            if any(SETVDIR.search(line) for line in fh):
                files27065.append(path)
    for path, _ in walk(root, "logging", "oabgeneratorlog"):
        nbytes += os.path.getsize(path)
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if "Download failed and temporary file" not in text:
            continue
        for m in OABPATH.finditer(text):
            if not m.group(1).lower().startswith(("'" + INSTALL + "ClientAccess\\OAB").lower()):
                paths26858.append(m.group(1))
    dt = time.time() - t0
    if LIST:
        for p, l, _ in hits26855:
            print(f"26855\t{p}\t{l}")
        for p, l, _ in hits27065_reset:
            print(f"27065-reset\t{p}\t{l}")
        for p in files27065:
            print(f"27065-ecp\t{p}\t0")
        for p in paths26858:
            print(f"26858\t{p}\t0")
        return
    print(f"CVE-2021-26855 rows: {len(hits26855)}")
    print(f"CVE-2021-27065 reset rows: {len(hits27065_reset)}, ECP files: {len(files27065)}")
    print(f"CVE-2021-26858 paths: {len(paths26858)}")
    print(f"python-standin: {nbytes} bytes in {dt:.2f} s = {nbytes / dt / 1e6:.1f} MB/s")

LIST = False
if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--list":
        LIST = True
        args = args[1:]
    main(args[0])
