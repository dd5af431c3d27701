#!/usr/bin/env python3
"""Public and internal apart (issue 12 item 4; docs/architecture.md).

Every global symbol the built library defines with the prefix exh_ (one
underscore) must be declared in include/exhunt/exhunt.h: that prefix is the
public API. Functions shared between folders inside the library are named
exh__ (two underscores); everything else is static. A new internal function
named exh_ fails here, so a user never links against something that may
change without notice.

usage: check_symbols.py LIBRARY PUBLIC_HEADER"""
import re
import subprocess
import sys

lib, header = sys.argv[1:3]
out = subprocess.run(["nm", "-g", "--defined-only", lib], capture_output=True, text=True, check=True).stdout
defined = set()
for line in out.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "TDBRV" and parts[2].startswith("exh_") and not parts[2].startswith("exh__"):
        defined.add(parts[2])
text = open(header, encoding="utf-8").read()
declared = set(re.findall(r"\b(exh_[a-z0-9_]+)\s*\(", text))
bad = sorted(defined - declared)
for s in bad:
    print(f"FAIL: {s} is global and named exh_ but not declared in {header}: name it exh__ or make it static")
if not defined:
    print(f"FAIL: no public symbol found in {lib}")
    sys.exit(1)
print(f"{len(defined)} global exh_ symbols, {len(bad)} of them not in the public header")
sys.exit(1 if bad else 0)
