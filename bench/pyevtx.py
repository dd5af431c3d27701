#!/usr/bin/python3
"""python-evtx's rendering of every record of the EVTX files listed one a
line in LIST, to stdout (bench/evtx.sh, bench/all.sh: Debian's
python3-evtx, hence /usr/bin/python3). usage: pyevtx.py LIST"""
import sys

import Evtx.Evtx as evtx

for path in open(sys.argv[1]).read().splitlines():
    try:
        with evtx.Evtx(path) as log:
            for rec in log.records():
                sys.stdout.write(rec.xml())
    except Exception:
        pass
