#!/usr/bin/env python3
"""SigmaHQ's own regression suite (regression_data/.../info.yml + EVTX):
for every test whose rule exhunt loads, scan the EVTX with that rule alone
and compare the number of hits with match_count (or require at least one hit
where the info.yml gives no count). Prints per-failure lines and a summary;
exits 1 if fewer than MIN_PASS of the loaded rules pass.
usage: regression.py EXHUNT SIGMA_DIR [MIN_PASS]
"""
import json, os, re, subprocess, sys

def main():
    exhunt, sigma = sys.argv[1], sys.argv[2]
    min_pass = float(sys.argv[3]) if len(sys.argv) > 3 else 0.90
    rules = {}
    for top in ("rules", "rules-emerging-threats", "rules-threat-hunting", "rules-dfir"):
        for d, _, fs in os.walk(os.path.join(sigma, top)):
            for f in fs:
                if f.endswith(".yml"):
                    p = os.path.join(d, f)
                    m = re.search(r"^id:\s*(\S+)", open(p, encoding="utf-8", errors="replace").read(), re.M)
                    if m:
                        rules[m.group(1)] = p
    tests = []
    for d, _, fs in os.walk(os.path.join(sigma, "regression_data")):
        if "info.yml" not in fs:
            continue
        text = open(os.path.join(d, "info.yml"), encoding="utf-8").read()
        rid = re.search(r"rule_metadata:\s*\n\s*-\s*id:\s*(\S+)", text)
        if not rid:
            continue
        for block in re.split(r"\n\s*-\s*name:", text)[1:]:
            if not re.search(r"type:\s*evtx", block):
                continue
            path = re.search(r"path:\s*(\S+)", block)
            count = re.search(r"^\s*match_count:\s*(\d+)", block, re.M)
            if path:
                evtx = os.path.join(sigma, path.group(1))
                tests.append((rid.group(1), evtx, int(count.group(1)) if count else None))
    loaded = passed = missing_rule = 0
    fails = []
    for rid, evtx, want in tests:
        rule = rules.get(rid)
        if not rule or not os.path.exists(evtx):
            missing_rule += 1
            continue
        chk = subprocess.run([exhunt, "rules", "check", "--no-builtin", rule], capture_output=True)
        if chk.returncode != 0:
            continue
        loaded += 1
        out = subprocess.run([exhunt, "scan", "--no-builtin", "--no-progress", "--sigma", rule, "-f", "jsonl", evtx],
                             capture_output=True, timeout=120)
        hits = 0
        for line in out.stdout.decode("utf-8").splitlines():
            o = json.loads(line)
            if o["event"]["kind"] == "alert" and o["rule"]["id"] == rid:
                hits += 1
        ok = hits == want if want is not None else hits >= 1
        if ok:
            passed += 1
        else:
            fails.append(f"{os.path.relpath(rule, sigma)}: {hits} hits, want {want if want is not None else '>= 1'}")
    for f in fails:
        print("FAIL", f)
    rate = passed / loaded if loaded else 0.0
    print(f"sigma regression: {len(tests)} tests; {loaded} with a rule exhunt loads; {passed} pass ({rate:.1%}); "
          f"{missing_rule} without rule file or EVTX")
    sys.exit(0 if rate >= min_pass else 1)

if __name__ == "__main__":
    main()
