#!/usr/bin/env python3
"""ctest ecs_template (issue 14 item 4): every line exhunt writes in JSONL
fits the index template shipped in contrib/elastic/, field by field.

The template (contrib/elastic/exhunt-template.json) maps the index with
"dynamic": false, so a field it does not name would be kept in _source but
not searchable, and a value of the wrong type (an address that is not one,
a date that does not parse, an object where a value is mapped) makes
Elasticsearch reject the whole document. This test reads the reports the
way Elasticsearch's mappers would and fails on:
  - a field path that the template does not map (nothing here is under an
    object mapped "enabled": false or "flattened": none is needed);
  - a value whose JSON type does not fit the mapped type:
      date      a string in strict_date_optional_time (the default format of a
                date field) that is a real date and time, or an integer
                (epoch_millis)
      ip        a string Python's ipaddress reads as IPv4 or IPv6, without a
                zone (Elasticsearch's InetAddresses takes none)
      long      an integer in [-2^63, 2^63), never a boolean
      boolean   true or false
      keyword, wildcard, match_only_text, text   a string
      object, nested   a JSON object
    arrays hold values that fit one by one; null stands for no value;
  - a line without ecs.version, or with another version than the template's;
  - a template or pipeline that is not well formed (composable template,
    index pattern exhunt-*, types Elasticsearch knows, processors it knows
    writing only mapped fields).
It first checks itself on lines built to fail (an unmapped field, a bad
address, a bad date, a string count, an object where a value is mapped),
so a checker that accepts everything fails too.

Reports checked: the bundled sample (samples/exch01, with an indicator list
so that threat.indicator.* appear), exgen's attack scenario, and a copy of
the sample whose attacker address is written in the forms logs really hold
and worse ("10.0.0.5:1234", "[v6]:443", "-", a zone, a host name, garbage)
so that source.port and exhunt.source_address appear.
usage: ecs_template.py EXHUNT EXGEN SOURCEDIR WORKDIR
"""
import datetime
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys

LEAF_TYPES = {"keyword", "wildcard", "match_only_text", "text", "date", "ip", "long", "integer", "short",
              "boolean", "geo_point"}
STRING_TYPES = {"keyword", "wildcard", "match_only_text", "text"}
INT_RANGE = {"long": 63, "integer": 31, "short": 15}
# Elasticsearch's strict_date_optional_time: date, optional time with
# optional seconds and fraction, optional zone
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                     r"(Z|[+-]\d{2}(?::?\d{2})?)?$")
KNOWN_PROCESSORS = {"date", "set", "append", "geoip", "rename", "pipeline", "remove", "convert"}


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


# ---- the template ----------------------------------------------------------

def check_mapping_node(path, node, errors):
    if not isinstance(node, dict):
        errors.append(f"{path}: mapping is not an object")
        return
    t = node.get("type", "object" if "properties" in node else None)
    if t in ("object", "nested"):
        props = node.get("properties")
        if not isinstance(props, dict) or not props:
            errors.append(f"{path}: object without properties")
            return
        for k, v in props.items():
            if "." in k:
                errors.append(f"{path}.{k}: dotted name in a mapping")
            check_mapping_node(f"{path}.{k}" if path else k, v, errors)
    elif t in LEAF_TYPES:
        if "properties" in node:
            errors.append(f"{path}: leaf type {t} with properties")
        for sub, m in node.get("fields", {}).items():
            if m.get("type") not in LEAF_TYPES:
                errors.append(f"{path}.{sub}: multi-field of unknown type {m.get('type')}")
        if "ignore_above" in node and t not in ("keyword",):
            errors.append(f"{path}: ignore_above on {t}")
    else:
        errors.append(f"{path}: unknown type {t!r}")


def load_template(src):
    path = os.path.join(src, "contrib", "elastic", "exhunt-template.json")
    with open(path, encoding="utf-8") as fh:
        tpl = json.load(fh)
    # a composable template (PUT _index_template/NAME): index_patterns,
    # template.{settings,mappings}, priority
    if "exhunt-*" not in tpl.get("index_patterns", []):
        fail("template: index_patterns lacks exhunt-*")
    if not isinstance(tpl.get("priority"), int):
        fail("template: no integer priority")
    if set(tpl) - {"index_patterns", "priority", "_meta", "template", "composed_of", "version", "data_stream"}:
        fail(f"template: keys a composable template does not take: {sorted(set(tpl) - {'index_patterns'})}")
    mappings = tpl.get("template", {}).get("mappings")
    if not isinstance(mappings, dict) or not isinstance(mappings.get("properties"), dict):
        fail("template: no template.mappings.properties")
    errors = []
    check_mapping_node("", {"properties": mappings["properties"]}, errors)
    if errors:
        fail("template: " + "; ".join(errors))
    version = tpl.get("_meta", {}).get("ecs_version")
    if not version:
        fail("template: no _meta.ecs_version")
    return tpl, mappings["properties"], version


def resolve(props, dotted):
    node = {"properties": props}
    for part in dotted.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node


def check_pipelines(src, props):
    names = {}
    for fn in ("exhunt-pipeline.json", "exhunt-geoip-pipeline.json"):
        with open(os.path.join(src, "contrib", "elastic", fn), encoding="utf-8") as fh:
            p = json.load(fh)
        procs = p.get("processors")
        if not isinstance(procs, list) or not procs:
            fail(f"{fn}: no processors")
        for pr in procs + p.get("on_failure", []):
            if not isinstance(pr, dict) or len(pr) != 1:
                fail(f"{fn}: a processor is not one {{name: config}}")
            (kind, cfg), = pr.items()
            if kind not in KNOWN_PROCESSORS or not isinstance(cfg, dict):
                fail(f"{fn}: unknown processor {kind}")
            # the field the processor writes is mapped (set and append write
            # "field"; the others "target_field"; geoip's default is "geoip")
            written = cfg.get("field") if kind in ("set", "append") else cfg.get(
                "target_field", "geoip" if kind == "geoip" else None)
            if written and resolve(props, written) is None:
                fail(f"{fn}: {kind} writes {written}, which the template does not map")
            if kind == "pipeline":
                names.setdefault("called", []).append(cfg.get("name"))
        names[fn] = p
    if "exhunt" not in names.get("called", []):
        fail("exhunt-geoip-pipeline.json does not run the exhunt pipeline first")


# ---- values against the mappings -------------------------------------------

def date_ok(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return True
    if not isinstance(v, str):
        return False
    m = DATE_RE.match(v)
    if not m:
        return False
    y, mo, d, hh, mi, ss = (int(x) if x else 0 for x in m.groups()[:6])
    try:
        datetime.datetime(y, mo, d, hh, mi, ss)
    except ValueError:
        return False
    return True


def ip_ok(v):
    if not isinstance(v, str) or "%" in v:
        return False
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return False
    return True


def leaf_ok(t, v):
    if t in STRING_TYPES:
        return isinstance(v, str)
    if t == "date":
        return date_ok(v)
    if t == "ip":
        return ip_ok(v)
    if t in INT_RANGE:
        bits = INT_RANGE[t]
        return isinstance(v, int) and not isinstance(v, bool) and -(1 << bits) <= v < (1 << bits)
    if t == "boolean":
        return isinstance(v, bool)
    return False  # geo_point and others: exhunt writes none of them


def check_value(path, node, v, errors):
    if v is None:
        return
    if isinstance(v, list):
        for item in v:
            if isinstance(item, list):
                errors.append(f"{path}: array of arrays")
            else:
                check_value(path, node, item, errors)
        return
    t = node.get("type", "object" if "properties" in node else None)
    if t in ("object", "nested"):
        if node.get("enabled") is False:
            return
        if not isinstance(v, dict):
            errors.append(f"{path}: {json.dumps(v)[:60]} where an object is mapped")
            return
        for k, sub in v.items():
            p = f"{path}.{k}" if path else k
            child = node.get("properties", {}).get(k)
            if child is None:
                errors.append(f"{p}: not in the template")
                continue
            check_value(p, child, sub, errors)
        return
    if t == "flattened":
        return
    if isinstance(v, dict):
        errors.append(f"{path}: an object where {t} is mapped")
        return
    if not leaf_ok(t, v):
        errors.append(f"{path}: {json.dumps(v)[:80]} does not fit {t}")


def check_line(props, version, line):
    errors = []
    try:
        doc = json.loads(line)
    except ValueError as e:
        return [f"not JSON: {e}"]
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    check_value("", {"properties": props}, doc, errors)
    if (doc.get("ecs") or {}).get("version") != version:
        errors.append(f"ecs.version is {(doc.get('ecs') or {}).get('version')!r}, not {version}")
    if doc.get("@timestamp") is None:
        errors.append("no @timestamp")
    return errors


def self_test(props, version):
    good = {"@timestamp": "2021-03-03T01:02:03.123Z", "message": "m", "ecs": {"version": version},
            "event": {"kind": "alert", "severity": 73}, "source": {"ip": "::ffff:1.2.3.4", "port": 80},
            "related": {"ip": ["10.0.0.5"]}, "exhunt": {"coverage": [{"class": "iis", "present": False,
                                                                        "first": None, "files": 3}]}}
    if check_line(props, version, json.dumps(good)):
        fail(f"self-test: a good line is rejected: {check_line(props, version, json.dumps(good))}")
    bad = [
        ("an unmapped field", {"exhunt": {"no_such_field": "x"}}),
        ("an unmapped top-level object", {"exhuntx": {"a": 1}}),
        ("a port in source.ip", {"source": {"ip": "10.0.0.5:1234"}}),
        ("a dash in source.ip", {"source": {"ip": "-"}}),
        ("a zone in source.ip", {"source": {"ip": "fe80::1%eth0"}}),
        ("garbage in related.ip", {"related": {"ip": ["10.0.0.5", "nope"]}}),
        ("a date that is not one", {"@timestamp": "2021-02-30T00:00:00Z"}),
        ("a date in another format", {"event": {"start": "03/03/2021 01:02"}}),
        ("a string count", {"event": {"severity": "73"}}),
        ("a boolean count", {"exhunt": {"line": True}}),
        ("a fractional count", {"exhunt": {"line": 1.5}}),
        ("a number for a keyword", {"host": {"name": 5}}),
        ("an object where a value is mapped", {"host": {"name": {"x": "y"}}}),
        ("a value where an object is mapped", {"exhunt": {"rules": ["a title"]}}),
        ("a string for a boolean", {"exhunt": {"time_unknown": "true"}}),
        ("another ECS version", {"ecs": {"version": "1.0.0"}}),
    ]
    for what, patch in bad:
        doc = json.loads(json.dumps(good))
        for k, v in patch.items():
            if isinstance(v, dict) and isinstance(doc.get(k), dict):
                doc[k].update(v)
            else:
                doc[k] = v
        if not check_line(props, version, json.dumps(doc)):
            fail(f"self-test: {what} is accepted: {json.dumps(patch)}")
    no_version = dict(good)
    del no_version["ecs"]
    if not check_line(props, version, json.dumps(no_version)):
        fail("self-test: a line without ecs.version is accepted")
    print(f"ok   self-test: a good line passes, {len(bad) + 1} bad ones fail")


def run(exhunt, args, out):
    with open(out, "wb") as fh:
        p = subprocess.run([exhunt, "scan", "--no-progress", "--no-sigmahq", "-j", "2", "-f", "jsonl"] + args,
                           stdout=fh, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        fail(f"exhunt {' '.join(args)}: exit {p.returncode}: {p.stderr.decode(errors='replace')[:300]}")
    with open(out, encoding="utf-8") as fh:
        return fh.read().splitlines()


def main():
    if len(sys.argv) != 5:
        fail(__doc__.strip().splitlines()[-1])
    exhunt, exgen, src, work = sys.argv[1:]
    tpl, props, version = load_template(src)
    check_pipelines(src, props)
    self_test(props, version)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # indicators of every kind exhunt types (a name, a path, a hash, addresses)
    ioc = os.path.join(work, "ioc.txt")
    with open(ioc, "w", encoding="utf-8") as fh:
        fh.write("Xs5wPqL2.aspx\nC:\\inetpub\\wwwroot\\aspnet_client\\system_web\\Xs5wPqL2.aspx\n"
                 "104.140.114.110\n2001:db8::7\n" + "0" * 64 + "\n")
    subprocess.run([exgen, "--scenario", "attack", "--out", os.path.join(work, "attack")], check=True,
                   stdout=subprocess.DEVNULL)
    # the sample with its attacker's address rewritten, one form after another
    hostile = os.path.join(work, "hostile-ip")
    shutil.copytree(os.path.join(src, "samples", "exch01"), hostile)
    forms = ["104.140.114.110:4431", "[2001:db8::66]:443", "-", "::ffff:104.140.114.110", "fe80::1%eth0",
             "not_an_address", "2001:DB8::66", "104.140.114.110:99999", "[::1", "evil.example:80"]
    rewritten = 0
    for root, _, files in os.walk(hostile):
        for fn in files:
            if not fn.lower().endswith(".log"):
                continue
            fp = os.path.join(root, fn)
            with open(fp, "rb") as fh:
                data = fh.read()
            parts = data.split(b"104.140.114.110")
            if len(parts) == 1:
                continue
            out = parts[0]
            for k, part in enumerate(parts[1:]):
                out += forms[(rewritten + k) % len(forms)].encode() + part
            rewritten += len(parts) - 1
            with open(fp, "wb") as fh:
                fh.write(out)
    if rewritten < len(forms):
        fail(f"the sample's attacker address was found {rewritten} times; the hostile copy tests too little")
    reports = {
        "sample": run(exhunt, ["--ioc", ioc, os.path.join(src, "samples", "exch01")], os.path.join(work, "sample.jsonl")),
        "attack": run(exhunt, ["--ioc", ioc, os.path.join(work, "attack")], os.path.join(work, "attack.jsonl")),
        "hostile-ip": run(exhunt, [hostile], os.path.join(work, "hostile-ip.jsonl")),
    }
    fails = 0
    for name, lines in reports.items():
        seen = set()
        bad = 0
        for i, line in enumerate(lines, 1):
            errs = check_line(props, version, line)
            doc = json.loads(line) if not errs or not errs[0].startswith("not JSON") else {}
            seen.add((doc.get("event") or {}).get("dataset", "?") if isinstance(doc, dict) else "?")
            for e in errs:
                bad += 1
                if bad <= 20:
                    print(f"FAIL {name}.jsonl:{i}: {e}")
        # the report had something in it to check: findings and every kind of state line
        for want in ("exhunt.verdict", "exhunt.build", "exhunt.coverage", "exhunt.log_window", "exhunt.attacker"):
            if want not in seen:
                print(f"FAIL {name}.jsonl: no {want} line")
                bad += 1
        if name == "hostile-ip":
            text = "\n".join(lines)
            for want in ('"source_address":"not_an_address"', '"port":4431', '"source_address":"evil.example:80"',
                         '"ip":"fe80::1"', '"ip":"2001:db8::66"'):
                if want not in text:
                    print(f"FAIL {name}.jsonl: no {want}: the hostile addresses did not reach the report")
                    bad += 1
        print(f"{'ok  ' if not bad else 'FAIL'} {name}: {len(lines)} lines, {bad} errors")
        fails += bad
    if fails:
        sys.exit(1)
    print(f"ecs_template: every line fits contrib/elastic/exhunt-template.json (ECS {version})")


if __name__ == "__main__":
    main()
