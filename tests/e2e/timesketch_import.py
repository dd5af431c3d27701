#!/usr/bin/env python3
"""ctest timesketch_import (issue 14 item 4): every line of exhunt's
Timesketch report (-f timesketch) goes through Timesketch's import as
Timesketch itself runs it, and carries what makes it a useful event.

Reimplemented from google/timesketch (commit 45b339bb87c7, 2026-07-23):
  - the server, for a .jsonl upload (web upload, and timesketch_importer,
    whose chunks the server stores as .jsonl): timesketch/lib/tasks.py
    run_csv_jsonl -> timesketch/lib/utils.py read_and_validate_jsonl:
    json.loads per line; with "datetime" absent and "timestamp" present,
    datetime from the first 10 digits of timestamp; with "timestamp"
    absent, timestamp = int(dateutil.parser.parse(datetime).timestamp() *
    1e6) and an unparsable datetime skips the line; a line lacking any of
    message, datetime, timestamp_desc is a RuntimeError (the import
    fails); "tag" through _parse_tag_field; _scrub_special_tags drops
    _id, _type, _index, _source, __ts_timeline_id; a ValueError (bad JSON)
    is a DataIngestionError;
  - run_csv_jsonl's mapping limit: unique keys * 2 * 1.1 above
    OPENSEARCH_MAPPING_UPPER_LIMIT (default 1000) fails the timeline;
  - the importer client (importer_client/python/timesketch_import_client/
    importer.py add_file -> add_json -> add_dict -> _fix_dict): a line must
    be a JSON object; keys starting with "_" are dropped; datetime is
    rewritten by utils.get_datestring_from_value (dateutil);
  - the index (data/generic.mappings, date_detection false): "datetime" is
    a date; any other string a text field. OpenSearch maps a field on its
    first value, so a field must keep one JSON type over the file or the
    later events are rejected; a dotted name would be an object path.
On top of what Timesketch enforces, exhunt's events must not lean on its
repairs: message, datetime, timestamp and timestamp_desc are all given,
non-empty, timestamp is an integer of microseconds equal to datetime,
datetime is UTC ISO 8601 that OpenSearch's date type reads, no key is one
Timesketch drops, and the verdict, coverage and log window events are there
for each server.

Checked: the bundled sample (samples/exch01) and exgen's attack scenario;
first the checker itself on lines built to fail.
usage: timesketch_import.py EXHUNT EXGEN SOURCEDIR WORKDIR
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys

try:
    from dateutil import parser as dateutil_parser  # what Timesketch uses
except ImportError:  # pragma: no cover - Debian's python3-dateutil is usual
    dateutil_parser = None

MANDATORY = ["message", "datetime", "timestamp_desc"]  # read_and_validate_jsonl
FIELDS_TO_REMOVE = ["_id", "_type", "_index", "_source", "__ts_timeline_id"]  # utils.FIELDS_TO_REMOVE
UPPER_MAPPING_LIMIT = 1000  # OPENSEARCH_MAPPING_UPPER_LIMIT's default
MAPPING_BUFFER = 0.1  # OPENSEARCH_MAPPING_BUFFER's default
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


class Skip(Exception):
    pass


def parse_datetime(s):
    if dateutil_parser is not None:
        return dateutil_parser.parse(s)
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def parse_tag_field(row):
    """timesketch/lib/utils.py _parse_tag_field"""
    if isinstance(row, (list, tuple)):
        return row
    if not isinstance(row, str):
        row = str(row)
    if row.startswith("[") and row.endswith("]"):
        return json.loads(row)
    if row == "-":
        return []
    if "," in row:
        return row.split(",")
    return [row]


def read_and_validate_jsonl(lines):
    """timesketch/lib/utils.py read_and_validate_jsonl (no headers_mapping):
    yields (lineno, event); raises RuntimeError / ValueError as it does;
    a skipped line yields (lineno, None)."""
    lineno = 0
    for line in lines:
        lineno += 1
        linedict = json.loads(line)  # ValueError -> DataIngestionError there
        ld_keys = linedict.keys()
        if "datetime" not in ld_keys and "timestamp" in ld_keys:
            epoch = int(str(linedict["timestamp"])[:10])
            linedict["datetime"] = datetime.datetime.fromtimestamp(epoch).isoformat()
        if "timestamp" not in ld_keys and "datetime" in ld_keys:
            try:
                linedict["timestamp"] = int(parse_datetime(linedict["datetime"]).timestamp() * 1000000)
            except (TypeError, ValueError, OverflowError):
                yield lineno, None  # "Unable to parse timestamp, skipping line"
                continue
        missing = [x for x in MANDATORY if x not in linedict]
        if missing:
            raise RuntimeError(f"Missing field(s) at line {lineno}: {','.join(missing)}")
        if "tag" in linedict:
            linedict["tag"] = [x for x in parse_tag_field(linedict["tag"]) if x]
        for field in FIELDS_TO_REMOVE:
            linedict.pop(field, None)
        yield lineno, linedict


def client_fix(line):
    """importer.py add_json + _fix_dict, for a line of a .jsonl file."""
    obj = json.loads(line)
    if not isinstance(obj, dict):
        raise TypeError("The JSON object needs to be either a dict or a list with defined column names.")
    if "datetime" in obj:
        if dateutil_parser is not None and isinstance(obj["datetime"], str):
            obj["datetime"] = dateutil_parser.parse(obj["datetime"]).isoformat()
    return [k for k in obj if k.startswith("_")]


def json_kind(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "text"
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        kinds = {json_kind(x) for x in v}
        if len(kinds) > 1:
            return "mixed array " + "/".join(sorted(kinds))
        return (kinds.pop() if kinds else "empty") + "[]"
    return "null"


def check_file(lines):
    """All errors of one Timesketch JSONL file."""
    errors = []
    # 1. the client
    for i, line in enumerate(lines, 1):
        try:
            dropped = client_fix(line)
        except (TypeError, ValueError) as e:
            errors.append(f"line {i}: the importer client refuses it: {e}")
            continue
        if dropped:
            errors.append(f"line {i}: the importer client drops {dropped}")
    # 2. the server
    raw = {}
    for i, line in enumerate(lines, 1):
        try:
            raw[i] = json.loads(line)
        except ValueError:
            pass
    events = []
    try:
        for lineno, ev in read_and_validate_jsonl(lines):
            if ev is None:
                errors.append(f"line {lineno}: Timesketch skips it: datetime does not parse")
            else:
                events.append((lineno, ev))
    except (RuntimeError, ValueError) as e:
        errors.append(f"the import fails: {e}")
        return errors
    # 3. run_csv_jsonl's mapping limit
    keys = set()
    for _, ev in events:
        keys.update(ev.keys())
    if int(len(keys) * 2 * (1 + MAPPING_BUFFER)) > UPPER_MAPPING_LIMIT:
        errors.append(f"{len(keys)} fields exceed the upper mapping limit")
    # 4. the index: one JSON type per field; no object paths
    kinds = {}
    for lineno, ev in events:
        for k, v in ev.items():
            if "." in k:
                errors.append(f"line {lineno}: dotted field name {k!r}")
            if k == "datetime":
                continue
            kind = json_kind(v)
            if kind.startswith("mixed") or kind == "object" or kind.startswith("object"):
                errors.append(f"line {lineno}: {k} is {kind}")
            first = kinds.setdefault(k, (kind, lineno))
            if kind != first[0] and not (kind == "empty[]" or first[0] == "empty[]"):
                errors.append(f"line {lineno}: {k} is {kind}, but {first[0]} at line {first[1]}")
    # 5. exhunt's own bar: nothing left to Timesketch's repairs
    for lineno, ev in events:
        r = raw.get(lineno, {})
        for f in ("message", "datetime", "timestamp", "timestamp_desc"):
            if f not in r:
                errors.append(f"line {lineno}: no {f} of its own")
        for f in ("message", "timestamp_desc", "data_type"):
            if not isinstance(r.get(f), str) or not r.get(f):
                errors.append(f"line {lineno}: {f} is not a non-empty string")
        dt, ts = r.get("datetime"), r.get("timestamp")
        if not isinstance(dt, str) or not ISO_UTC.match(dt):
            errors.append(f"line {lineno}: datetime {dt!r} is not UTC ISO 8601")
            continue
        if not isinstance(ts, int) or isinstance(ts, bool):
            errors.append(f"line {lineno}: timestamp {ts!r} is not an integer")
            continue
        want = int(round(parse_datetime(dt).timestamp() * 1000000))
        if ts != want:
            errors.append(f"line {lineno}: timestamp {ts} is not datetime {dt} in microseconds ({want})")
        if "tag" in r and not (isinstance(r["tag"], list) and all(isinstance(t, str) and t for t in r["tag"])):
            errors.append(f"line {lineno}: tag is not a list of strings")
    return errors


def self_test():
    good = {"message": "m", "datetime": "2021-03-03T01:02:03.123Z", "timestamp": 1614733323123000,
            "timestamp_desc": "Event time", "data_type": "exhunt:verdict", "tag": ["x"], "files": 3}
    if check_file([json.dumps(good)]):
        fail(f"self-test: a good line is rejected: {check_file([json.dumps(good)])}")
    cases = [
        ("no message", {"message": None}),
        ("no timestamp_desc", {"timestamp_desc": None}),
        ("no datetime and no timestamp", {"datetime": None, "timestamp": None}),
        ("a datetime that does not parse", {"datetime": "yesterday at noon", "timestamp": None}),
        ("a timestamp in milliseconds", {"timestamp": 1614733323123}),
        ("a string timestamp", {"timestamp": "1614733323123000"}),
        ("a local datetime", {"datetime": "2021-03-03T01:02:03.123"}),
        ("a field Timesketch scrubs", {"_id": "x"}),
        ("a key the client drops", {"_private": 1}),
        ("a nested object", {"exhunt": {"a": 1}}),
        ("a dotted name", {"source.ip": "1.2.3.4"}),
        ("a tag that is not a list", {"tag": "x"}),
    ]
    for what, patch in cases:
        doc = dict(good)
        for k, v in patch.items():
            if v is None:
                doc.pop(k, None)
            else:
                doc[k] = v
        if not check_file([json.dumps(doc)]):
            fail(f"self-test: {what} is accepted")
    other = dict(good, files="3")
    if not check_file([json.dumps(good), json.dumps(other)]):
        fail("self-test: a field that changes type between lines is accepted")
    if not check_file(["{not json"]):
        fail("self-test: a line that is not JSON is accepted")
    print(f"ok   self-test: a good line passes, {len(cases) + 2} bad files fail")


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def run(exhunt, args, out):
    with open(out, "wb") as fh:
        p = subprocess.run([exhunt, "scan", "--no-progress", "--no-sigmahq", "-j", "2", "-f", "timesketch"] + args,
                           stdout=fh, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        fail(f"exhunt {' '.join(args)}: exit {p.returncode}: {p.stderr.decode(errors='replace')[:300]}")
    # as run_csv_jsonl opens it: utf-8, errors="replace"
    with open(out, encoding="utf-8", errors="replace") as fh:
        return fh.read().splitlines()


def main():
    if len(sys.argv) != 5:
        fail(__doc__.strip().splitlines()[-1])
    exhunt, exgen, src, work = sys.argv[1:]
    if dateutil_parser is None:
        print("note: python3-dateutil is absent; datetimes are read with datetime.fromisoformat")
    self_test()
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run([exgen, "--scenario", "attack", "--out", os.path.join(work, "attack")], check=True,
                   stdout=subprocess.DEVNULL)
    fails = 0
    for name, args in (("sample", [os.path.join(src, "samples", "exch01")]),
                       ("attack", [os.path.join(work, "attack")])):
        lines = run(exhunt, args, os.path.join(work, name + ".jsonl"))
        errors = check_file(lines)
        types = {}
        for line in lines:
            try:
                d = json.loads(line).get("data_type", "?")
            except (ValueError, AttributeError):
                continue
            types[d] = types.get(d, 0) + 1
        for want in ("exhunt:verdict", "exhunt:coverage", "exhunt:log_window"):
            if not types.get(want):
                errors.append(f"no {want} event")
        if not any(t.endswith(":finding") for t in types):
            errors.append("no finding event")
        for e in errors[:20]:
            print(f"FAIL {name}: {e}")
        print(f"{'ok  ' if not errors else 'FAIL'} {name}: {len(lines)} events "
              f"({', '.join(f'{k} {v}' for k, v in sorted(types.items()))}), {len(errors)} errors")
        fails += len(errors)
    if fails:
        sys.exit(1)
    print("timesketch_import: every event imports as Timesketch imports it")


if __name__ == "__main__":
    main()
