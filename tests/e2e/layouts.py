#!/usr/bin/env python3
"""Server collections as responders really have them (issue 14 item 1).

Three servers are generated with exgen (different seeds, each renamed to its
own host name in every file that names the host), and each is laid out the
way the collection tools write it (docs/fleet.md has the sources):

  plain-c          <host>/C/...                     a copy of C:\\ under a drive folder
  plain-c.zip      <host>.zip: C/...
  plain-root       <host>/Program Files/...         a copy of C:\\'s contents
  velo-auto        Velociraptor offline collector, uploads/auto/C%3A/...
  velo-ntfs        ... uploads/ntfs/%5C%5C.%5CC%3A/...
  velo-lazy_ntfs   ... uploads/lazy_ntfs/%5C%5C.%5CC%3A/...
  velo-vss         ... uploads/ntfs_vss/%5C%5C.%5CC%3A/ (the live drive) AND
                   %5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy1/
                   (a shadow copy beside the live copy: as ntfs_vss shows
                   it, only files that differ, here the logs as they were)
  velo-hunt        a hunt download: <host>-<client_id>/ per server (one
                   export holds all three)
  velo-filestore   the server's file store: clients/<C.id>/collections/<F.id>/
                   uploads/auto/C%3A/... (what Server.Exchange.Exhunt scans)
  velo-flow        a GUI download of one collection, <host>-<client_id>-<flow_id>.zip
  kape             <host>/tout/C/... with KAPE's ConsoleLog, CopyLog, SkipLog
  kape-vss         ... and tout/VSS1/... (--vss; --tdd keeps what differs)
  cylr             <HOST>.zip with C\\Windows\\... names (backslashes)
  mixed            one case folder: a collector zip, a KAPE folder, a CyLR zip
  nested-velo.zip  evidence.zip holding the three collector zips (at depth 0,
                   1 and 2 inside it): archives inside an archive
  nested-mixed.zip evidence.zip holding a collector zip, a KAPE --zip zip and
                   a CyLR zip

unpacked and zipped where the tool writes either (CyLR and flow downloads
only zipped, the file store and KAPE --vss only unpacked), the three servers
of a layout at depth 0, 1 and 2 below the layout's folder (a hunt download
holds all three, two folders down).
`exhunt scan -f jsonl LAYOUT_FOLDER` must then give, per layout:

  * servers: exactly three, each named after its host (host.name holds the
    host name, from the evidence or the folder);
  * findings: per server, the same findings (rule id + path below the drive
    + line/offset/record) as scanning that server's plain tree alone, each
    exactly as often (a shadow copy must not double them);
  * verdicts: one exhunt.verdict per server, the same verdict as alone;
  * fleet: an exhunt.fleet state object naming the three servers.

Two checks wait for the lead's discovery to say how it exposes them; they
are printed as PENDING (not failed) until enabled below or with
EXH_LAYOUTS_STRICT=1:

  * PENDING_VSS_LOCATIONS: a finding merged from the live copy and the shadow
    copy lists both locations;
  * PENDING_ORIGINAL_PATHS: Velociraptor findings carry the original C:\\...
    path read from uploads.json.

Last, the exact command lines contrib/velociraptor/Server.Exchange.Exhunt.yaml
runs (its ScanArgs) are run on the file-store fixture, one flow folder at a
time, and their JSONL is read line by line as parse_jsonl() would.

This test fails until servers are discovered below a PATH (issue 14 item 1):
today each PATH is one server.

usage: layouts.py EXGEN EXHUNT WORKDIR SRCDIR [--only LAYOUT[,LAYOUT]] [--keep]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ziplib  # noqa: E402

STRICT = os.environ.get("EXH_LAYOUTS_STRICT") == "1"
# Enable once the lead's discovery lands and says where it puts them.
PENDING_VSS_LOCATIONS = True  # correlate/snapshots.c
PENDING_ORIGINAL_PATHS = True  # exhunt.original_path (core/paths.c)

SERVERS = [  # (host, seed, client id, flow id); same length as exgen's EXCH01
    ("EXMB01", 101, "C.1f2e3d4c5b6a7981", "F.CRJ1D6A5Q3J2E"),
    ("EXMB02", 202, "C.2a3b4c5d6e7f8091", "F.CRJ1D6B8K1M4G"),
    ("EXFE03", 303, "C.3b4c5d6e7f809102", "F.CRJ1D6C2P7R9H"),
]
DOMAIN = ".contoso.local"
DEPTHS = ["", "dc-east", os.path.join("dc-west", "2021-03-05")]  # where server i sits
HUNT_ID = "H.CRJ1D5V0T6N3A"
TOP = {"windows", "program files", "program files (x86)", "programdata", "inetpub", "users", "root",
       "perflogs", "exchange"}

results = {}  # layout -> list of (check, state, detail)
failures = []


def record(layout, what, ok, detail="", pending=False):
    state = "ok" if ok else ("PENDING" if pending else "FAIL")
    results.setdefault(layout, []).append((what, state, detail))
    print("%-7s %-16s %s%s" % (state, layout, what, "" if ok else ": " + detail[:400]))
    if state == "FAIL":
        failures.append(layout + ": " + what)


# --- Velociraptor's escaping (utils/sanitize.go) ----------------------------

def zip_component(c):
    """SanitizeStringForZip: how a path component is named inside a
    Velociraptor zip (offline collector, hunt or flow download)."""
    out = []
    for i, ch in enumerate(c):
        if (i == 0 and ch in ". ") or ch in '?"*:|<>%/\\':
            out.append("%%%02X" % ord(ch))
        else:
            out.append(ch)
    if out and out[-1] in (".", " "):
        out[-1] = "%%%02X" % ord(out[-1])
    return "".join(out)


def store_component(c):
    """SanitizeString: how a path component is named in the server's file
    store on disk (clients/<id>/collections/<flow>/uploads/...)."""
    if not c:
        return ""
    if c[0] == ".":
        return "%2E" + store_component(c[1:])
    if c[0] == "#":
        return "%23" + store_component(c[1:])
    if c[-1] == ".":
        return store_component(c[:-1]) + "%2E"
    if c.endswith(".db") or c.endswith("_"):
        c += "_"
    out = []
    for b in c.encode("utf-8"):
        ch = chr(b)
        if ch.isascii() and (ch.isalnum() or ch in "-_.~ $"):
            out.append(ch)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


# --- where a collection's files go -------------------------------------------

class DirSink:
    def __init__(self, root):
        self.root = root

    def add(self, comps, data, sep=None):
        p = os.path.join(self.root, *comps)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)

    def close(self):
        pass


class ZipSink:
    """A zip written with the project's ziplib; sep is how member names join
    their components ("/" for Velociraptor and KAPE, "\\\\" for CyLR)."""

    def __init__(self, path):
        self.path = path
        self.entries = []

    def add(self, comps, data, sep="/"):
        self.entries.append(ziplib.Entry(sep.join(comps), data))

    def close(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "wb") as f:
            f.write(ziplib.build(self.entries))


# --- the servers -------------------------------------------------------------

def generate(exgen, work):
    trees = {}
    for host, seed, _, _ in SERVERS:
        tree = os.path.join(work, "gen", host)
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run([exgen, "--scenario", "attack", "--seed", str(seed), "--out", tree,
                        "--truth", tree + ".truth"], check=True, capture_output=True)
        # exgen names every host EXCH01: give each its own name, same length
        for d, _, names in os.walk(tree):
            for n in names:
                p = os.path.join(d, n)
                with open(p, "rb") as f:
                    b = f.read()
                if b"EXCH01" in b or b"exch01" in b:
                    with open(p, "wb") as f:
                        f.write(b.replace(b"EXCH01", host.encode()).replace(b"exch01", host.lower().encode()))
        files = []
        drive = os.path.join(tree, "C")
        for d, _, names in os.walk(drive):
            for n in sorted(names):
                p = os.path.join(d, n)
                with open(p, "rb") as f:
                    files.append((os.path.relpath(p, drive).split(os.sep), f.read()))
        trees[host] = (tree, sorted(files))
    return trees


def win(comps):
    return "C:\\" + "\\".join(comps)


def velo_uploads_row(accessor, device, comps, size, store_comps=None, client=False):
    """A row of uploads.json: offline collector (reporting/container.go) or,
    with client=True, the server's upload metadata (flows/client_flow_runner.go)."""
    vfs = (device + "\\" + "\\".join(comps)) if device.startswith("\\\\") else win(comps)
    row = {"Timestamp": 1614938400, "started": "2021-03-05 10:00:00.000000000 +0000 UTC", "vfs_path": vfs}
    if client:
        row.update({"Type": "", "_Components": store_comps, "file_size": size, "_accessor": accessor,
                    "_client_components": [device] + comps, "uploaded_size": size})
    else:
        row.update({"_Components": ["uploads", accessor, device] + comps, "file_size": size,
                    "uploaded_size": size, "Type": ""})
    return json.dumps(row)


def velo_client_info_offline(host):
    """client_info.json of an offline collector: the info() plugin's row."""
    return json.dumps({
        "Hostname": host, "Uptime": 86400, "BootTime": 1614852000, "OS": "windows",
        "Platform": "Microsoft Windows Server 2016 Standard", "PlatformFamily": "Standard",
        "PlatformVersion": "10.0.14393 Build 14393", "KernelVersion": "10.0.14393 Build 14393",
        "VirtualizationSystem": "", "VirtualizationRole": "", "CompilerVersion": "go1.23.4",
        "HostID": "4c4c4544-0042-3510-8052-b4c04f%06d" % sum(host.encode()),
        "Exe": "C:\\Users\\admin\\Desktop\\Collector_velociraptor-v0.7.2-windows-amd64.exe",
        "CWD": "C:\\Users\\admin\\Desktop", "IsAdmin": True, "ClientStart": "2021-03-05T10:00:00Z",
        "LocalTZ": "UTC", "LocalTZOffset": 0, "Fqdn": host + DOMAIN, "Architecture": "amd64",
        "Name": "velociraptor", "BuildTime": "2024-01-10T00:00:00Z", "build_url": ""}, indent=1).encode()


def velo_client_info_server(host, client_id):
    """client_info.json of a hunt or flow download: the ClientInfo proto."""
    return json.dumps({"client_id": client_id, "hostname": host, "fqdn": host + DOMAIN, "system": "windows",
                       "release": "Microsoft Windows Server 2016 Standard10.0.14393 Build 14393",
                       "architecture": "amd64", "client_version": "0.7.2", "client_name": "velociraptor",
                       "first_seen_at": 1614852000, "labels": ["exchange"]}, indent=1).encode()


def shadow_files(files):
    """What Velociraptor's ntfs_vss accessor adds from a shadow copy: only
    files that differ from the live drive (identical ones are shown once,
    from \\\\.\\C:). Here: the logs as they were when the snapshot was
    taken, the first half of their lines, so every finding in them is the
    same finding as in the live log and must be merged with it."""
    out = []
    for comps, data in files:
        low = [c.lower() for c in comps]
        if "logging" in low or ("inetpub" in low and "logs" in low):
            lines = data.split(b"\n")
            if len(lines) > 4:
                out.append((comps, b"\n".join(lines[:len(lines) // 2]) + b"\n"))
    return out


def velo_collection(sink, host, files, accessor, client_id=None, flow_id=None, shadow=False, prefix=()):
    """A Velociraptor collection (offline collector zip, or one client's
    folder of a hunt download when client_id is given) into sink."""
    device = "C:" if accessor == "auto" else "\\\\.\\C:"
    devices = [device] + (["\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1"] if shadow else [])
    pre = list(prefix)
    uploads = []
    for dev in devices:
        for comps, data in (shadow_files(files) if "GLOBALROOT" in dev else files):
            sink.add(pre + ["uploads", accessor] + [zip_component(c) for c in [dev] + comps], data)
            uploads.append(velo_uploads_row(accessor, dev, comps, len(data)))
    sink.add(pre + ["uploads.json"], ("\n".join(uploads) + "\n").encode())
    if client_id:
        sink.add(pre + ["client_info.json"], velo_client_info_server(host, client_id))
    else:
        sink.add(pre + ["client_info.json"], velo_client_info_offline(host))
    ctx = {"client_id": client_id or "", "session_id": flow_id or "F.CRJ1D6000000",
           "create_time": 1614938400000000000, "artifacts_with_results": ["Windows.Triage.Exchange/Uploads"],
           "total_uploaded_files": len(uploads), "total_collected_rows": len(uploads), "state": 2}
    sink.add(pre + ["collection_context.json"], json.dumps(ctx, indent=1).encode())
    sink.add(pre + ["requests.json"], json.dumps({"items": [{"session_id": ctx["session_id"]}]}).encode())
    sink.add(pre + ["log.json"], (json.dumps({"_ts": 1614938400, "client_time": 1614938400, "level": "DEFAULT",
                                              "message": "Starting collection of Windows.Triage.Exchange"}) + "\n").encode())
    sink.add(pre + ["results", zip_component("Windows.Triage.Exchange/Uploads") + ".json"],
             ("\n".join(json.dumps({"SourceFile": win(c), "Size": len(d)}) for c, d in files) + "\n").encode())


def velo_filestore(root, host, files, client_id, flow_id):
    """One client's flow in the server's file store, as Velociraptor keeps it
    on disk (paths/flow_metadata.go, datastore/filebased_utils.go)."""
    flow = os.path.join(root, "clients", client_id, "collections", flow_id)
    rows = []
    for comps, data in files:
        client_comps = ["C:"] + comps
        p = os.path.join(flow, "uploads", "auto", *[store_component(c) for c in client_comps])
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        store = ["clients", client_id, "collections", flow_id, "uploads", "auto"] + client_comps
        rows.append(velo_uploads_row("auto", "C:", comps, len(data), store_comps=store, client=True))
    with open(os.path.join(flow, "uploads.json"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(flow, "logs.json"), "w") as f:
        f.write(json.dumps({"_ts": 1614938400, "client_time": 1614938400, "level": "DEFAULT",
                            "message": "Starting collection of Windows.Triage.Exchange"}) + "\n")
    with open(os.path.join(root, "clients", client_id, "collections", flow_id + ".json.db"), "w") as f:
        f.write(json.dumps({"client_id": client_id, "session_id": flow_id, "state": "FINISHED"}))
    return flow


KAPE_STAMP = "2021-03-05T10_00_00_1234567"


def kape_collection(sink, host, files, prefix=(), vss=False):
    """KAPE --tdest: <drive letter>/... (and with --vss, VSS1/... holding what
    --tdd did not drop: the files that differ) and the three logs (KapeDocs
    Pages/4.-Log-files.md, Pages/2.2-Modules.md %sourceDirectoryBase%)."""
    pre = list(prefix)
    copy = ["CopiedTimestamp,SourceFile,DestinationFile,FileSize,SourceFileSha1,DeferredCopy,CreatedOnUtc,"
            "ModifiedOnUtc,LastAccessedOnUtc,CopyDuration"]
    for base, source in [("C", "C:")] + ([("VSS1", "VSS1")] if vss else []):
        for comps, data in (shadow_files(files) if base == "VSS1" else files):
            sink.add(pre + [base] + comps, data)
            copy.append('2021-03-05 10:00:01.0000000,"%s\\%s","E:\\kape\\%s\\tout\\%s\\%s",%d,,False,,,,'
                        '00:00:00.0010000' % (source, "\\".join(comps), host, base, "\\".join(comps), len(data)))
    console = [
        "KAPE version 1.3.0.2, Author: Eric Zimmerman, Contact: https://www.kroll.com/kape (kape@kroll.com)",
        "KAPE directory: E:\\kape",
        "Command line:   --tsource C: --tdest E:\\kape\\%m\\tout --target ExchangeExhunt" + (" --vss" if vss else ""),
        "System info: Machine name: %s, 64-bit: True, User: admin OS: WindowsServer2016 (10.0.14393)" % host,
        "Using Target operations",
        "Found 1 targets. Expanding targets to file list...",
        "Copied %d out of %d files in 4.2 seconds. See E:\\kape\\%s\\tout\\%s_CopyLog.csv for copy details"
        % (len(files), len(files), host, KAPE_STAMP),
    ]
    sink.add(pre + [KAPE_STAMP + "_ConsoleLog.txt"], ("\r\n".join(console) + "\r\n").encode())
    sink.add(pre + [KAPE_STAMP + "_CopyLog.csv"], ("\r\n".join(copy) + "\r\n").encode())
    sink.add(pre + [KAPE_STAMP + "_SkipLog.csv.csv"], b"SourceFile,SourceFileSha1,Reason\r\n")


def build_layout(name, root, trees, work):
    """Write layout `name` below root; return {host: expected collection
    location} for the report."""
    zipped = name.endswith(".zip")
    base = name[:-4] if zipped else name
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    where = {}
    if base == "velo-hunt":  # one export of three clients
        at = os.path.join(root, DEPTHS[2])
        sink = ZipSink(os.path.join(at, HUNT_ID + ".zip")) if zipped else DirSink(os.path.join(at, HUNT_ID))
        sink.add(["hunt_info.json"], json.dumps({"hunt_id": HUNT_ID, "hunt_description": "exhunt triage",
                                                 "artifacts": ["Windows.Triage.Exchange"]}, indent=1).encode())
        for host, _, client_id, flow_id in SERVERS:
            velo_collection(sink, host, trees[host][1], "auto", client_id, flow_id,
                            prefix=[zip_component(host + "-" + client_id)])
            where[host] = host + "-" + client_id
        sink.add(["results", "All " + zip_component("Windows.Triage.Exchange/Uploads") + ".json"], b"")
        sink.close()
        return where
    if base == "velo-filestore":
        store = os.path.join(root, DEPTHS[1], "velociraptor", "filestore")
        for host, _, client_id, flow_id in SERVERS:
            velo_filestore(store, host, trees[host][1], client_id, flow_id)
            where[host] = client_id
        return where
    if base.startswith("nested-"):  # the collections zipped again, as a responder sends them on
        inner = ["velo-auto.zip"] * 3 if base == "nested-velo" else ["velo-auto.zip", "kape.zip", "cylr.zip"]
        stage = os.path.join(work, "nested-stage")
        shutil.rmtree(stage, ignore_errors=True)
        for i, (host, _, client_id, flow_id) in enumerate(SERVERS):
            where[host] = build_one(inner[i], os.path.join(stage, DEPTHS[i]), host, client_id, flow_id,
                                    trees[host][1])
        sink = ZipSink(os.path.join(root, "evidence.zip"))
        for d, _, names in os.walk(stage):
            for n in sorted(names):
                p = os.path.join(d, n)
                with open(p, "rb") as f:
                    sink.add(os.path.relpath(p, stage).split(os.sep), f.read())
        sink.close()
        shutil.rmtree(stage)
        return where
    mixed = ["velo-auto.zip", "kape", "cylr.zip"]  # a case folder as it arrives: one tool per server
    for i, (host, _, client_id, flow_id) in enumerate(SERVERS):
        at = os.path.join(root, DEPTHS[i])
        kind = mixed[i] if base == "mixed" else name
        where[host] = build_one(kind, at, host, client_id, flow_id, trees[host][1])
    return where


def build_one(name, at, host, client_id, flow_id, files):
    """One server's collection in layout `name` below folder `at`; returns
    the collection's name."""
    zipped = name.endswith(".zip")
    base = name[:-4] if zipped else name
    if base == "velo-flow":  # GUI download of one collection
        stem = "%s-%s-%s" % (host, client_id, flow_id)
        sink = ZipSink(os.path.join(at, stem + ".zip"))
        velo_collection(sink, host, files, "auto", client_id, flow_id)
    elif base.startswith("velo-"):
        # opt_filename_template's default, Collection-%Hostname%-%TIMESTAMP%
        stem = "Collection-%s-2021-03-05_10_00_00_+0000_UTC" % host
        sink = ZipSink(os.path.join(at, stem + ".zip")) if zipped else DirSink(os.path.join(at, stem))
        accessor = {"velo-auto": "auto", "velo-ntfs": "ntfs", "velo-lazy_ntfs": "lazy_ntfs",
                    "velo-vss": "ntfs_vss"}[base]
        velo_collection(sink, host, files, accessor, shadow=(base == "velo-vss"))
    elif base in ("kape", "kape-vss"):
        stem = host
        if zipped:  # --zip: <timestamp>_<base name>.zip of --tdest's contents
            sink = ZipSink(os.path.join(at, host, "2021-03-05T100000_%s.zip" % host))
        else:
            sink = DirSink(os.path.join(at, host, "tout"))
        kape_collection(sink, host, files, vss=(base == "kape-vss"))
    elif base == "cylr":
        stem = host + ".zip"
        sink = ZipSink(os.path.join(at, stem))
        for comps, data in files:
            sink.add(["C"] + comps, data, sep="\\")
    elif base in ("plain-c", "plain-root"):
        stem = host
        sink = ZipSink(os.path.join(at, host + ".zip")) if zipped else DirSink(os.path.join(at, host))
        for comps, data in files:
            sink.add((["C"] if base == "plain-c" else []) + comps, data)
    else:
        raise ValueError(name)
    sink.close()
    return stem


LAYOUTS = ["plain-c", "plain-c.zip", "plain-root", "plain-root.zip",
           "velo-auto", "velo-auto.zip", "velo-ntfs", "velo-ntfs.zip", "velo-lazy_ntfs", "velo-lazy_ntfs.zip",
           "velo-vss", "velo-vss.zip", "velo-hunt", "velo-hunt.zip", "velo-filestore",
           "velo-flow.zip", "kape", "kape.zip", "kape-vss", "cylr.zip", "mixed", "nested-velo.zip", "nested-mixed.zip"]



# --- reading the report ------------------------------------------------------

def scan(exhunt, *args):
    p = subprocess.run([exhunt, "scan", "--no-progress", "-f", "jsonl"] + list(args), capture_output=True)
    objs = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            objs.append(json.loads(line))
    return p.returncode, objs, p.stderr.decode("utf-8", "replace")


def is_drive(c):
    return (re.fullmatch(r"[A-Za-z][:$]?", c) is not None or re.fullmatch(r"\\\\[.?]\\[A-Za-z]:", c) is not None
            or re.fullmatch(r"(?i)\\\\[.?]\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy\d+", c) is not None
            or re.fullmatch(r"(?i)vss\d+", c) is not None)


def below_drive(path):
    """The path below the system drive, whatever the layout wrote around it:
    components split on / \\ and ! (zip members), URL-decoded
    (Velociraptor), after the drive (C, C:, C%3A, \\\\.\\C:, a shadow copy
    device, KAPE's VSSn) or from the first well-known top folder."""
    raw = [c for c in re.split(r"[/\\!]", path) if c]
    comps = [urllib.parse.unquote(c) for c in raw]
    for i in range(len(comps) - 1):
        if is_drive(comps[i]) and comps[i + 1].lower() in TOP:
            return "/".join(comps[i + 1:])
    for i, c in enumerate(comps):
        if c.lower() in TOP:
            return "/".join(comps[i:])
    return "/".join(comps)


def alert_path(a):
    return a.get("log", {}).get("file", {}).get("path") or a.get("file", {}).get("path") or ""


def finding_key(a):
    """rule, path below the drive, where in the file; the time too, except
    for file findings (their time is the file's mtime, which a layout
    keeps or not)."""
    ex = a.get("exhunt", {})
    on_file = a.get("event", {}).get("dataset") == "exhunt.file"
    return (a.get("rule", {}).get("id"), below_drive(alert_path(a)), ex.get("line"),
            a.get("log", {}).get("offset"), a.get("event", {}).get("sequence") or ex.get("record"),
            None if on_file else a.get("@timestamp"))


def kind(o):
    return o.get("event", {}).get("kind"), o.get("event", {}).get("dataset")


def host_of(o):
    return (o.get("host") or {}).get("name") or ""


def by_server(objs):
    alerts, verdicts, fleet = {}, {}, []
    for o in objs:
        k, ds = kind(o)
        if k == "alert":
            alerts.setdefault(host_of(o), []).append(o)
        elif ds == "exhunt.verdict":
            verdicts.setdefault(host_of(o), []).append(o)
        elif ds == "exhunt.fleet":
            fleet.append(o)
    return alerts, verdicts, fleet


def match_host(name, host):
    return host.upper() in name.upper()


def reference(exhunt, trees):
    ref = {}
    for host, (tree, _) in trees.items():
        plain = os.path.join(os.path.dirname(tree), "plain", host)
        shutil.rmtree(plain, ignore_errors=True)
        shutil.copytree(tree, plain)
        rc, objs, err = scan(exhunt, plain)
        alerts, verdicts, _ = by_server(objs)
        if len(alerts) != 1:
            raise SystemExit("reference scan of %s: %d servers (%s)" % (host, len(alerts), list(alerts)))
        keys = Counter(finding_key(a) for a in next(iter(alerts.values())))
        verdict = next(iter(verdicts.values()))[0]["exhunt"]["verdict"] if verdicts else None
        # what a shadow copy of this server holds (shadow_files), scanned alone
        snap = os.path.join(os.path.dirname(tree), "shadow", host)
        shutil.rmtree(snap, ignore_errors=True)
        sink = DirSink(os.path.join(snap, "C"))
        for comps, data in shadow_files(trees[host][1]):
            sink.add(comps, data)
        _, sobjs, _ = scan(exhunt, snap)
        shadow = Counter(finding_key(a) for a in sobjs if kind(a)[0] == "alert")
        ref[host] = (keys, verdict, shadow)
        print("reference %s: %d findings, verdict %s; its shadow copy alone: %d findings" %
              (host, sum(keys.values()), verdict, sum(shadow.values())))
    return ref


def check_layout(name, root, where, exhunt, ref):
    rc, objs, err = scan(exhunt, root)
    alerts, verdicts, fleet = by_server(objs)
    names = sorted(set(alerts) | set(verdicts))
    record(name, "exhunt ran", rc in (0, 1), "rc %d: %s" % (rc, err[-300:]))
    record(name, "3 servers found", len(names) == 3, "%d: %s" % (len(names), names))
    # whatever the servers: every finding of the three read, each once
    got = Counter(finding_key(a) for al in alerts.values() for a in al)
    want = sum((r[0] for r in ref.values()), Counter())
    missing, extra = want - got, got - want
    record(name, "all findings of the 3 servers read, each once (servers aside)", not missing and not extra,
           "%d missing, %d extra (%d of them a second report of an expected finding); first missing %s; "
           "first extra %s" % (sum(missing.values()), sum(extra.values()),
                               sum(n for k, n in extra.items() if k in want), list(missing)[:1], list(extra)[:1]))
    for host, _, _, _ in SERVERS:
        mine = [n for n in names if match_host(n, host)]
        record(name, "%s is one server named after it" % host, len(mine) == 1,
               "servers named like %s: %s (collection %s)" % (host, mine, where.get(host)))
        if len(mine) != 1:
            continue
        got = Counter(finding_key(a) for a in alerts.get(mine[0], []))
        want = ref[host][0]
        missing, extra = want - got, got - want
        record(name, "%s findings as its plain tree (%d)" % (host, sum(want.values())), not missing and not extra,
               "%d missing, %d extra (doubled: %d); first missing %s; first extra %s" %
               (sum(missing.values()), sum(extra.values()), sum(1 for k in extra if k in want),
                list(missing)[:1], list(extra)[:1]))
        v = [o["exhunt"].get("verdict") for o in verdicts.get(mine[0], [])]
        record(name, "%s verdict %s" % (host, ref[host][1]), v == [ref[host][1]], "got %s" % v)
        if "vss" in name:
            # the findings the shadow copy holds too must name both copies
            shadow = ref[host][2]
            mark = "HarddiskVolumeShadowCopy1" if name.startswith("velo-") else "VSS1"
            live = r"%5C%5C\.%5CC%3A|\\\\\\\\\.\\\\C:" if name.startswith("velo-") else r"tout[/\\]+C[/\\]"
            held = [a for a in alerts.get(mine[0], []) if finding_key(a) in shadow]
            both = [a for a in held if mark in json.dumps(a) and re.search(live, json.dumps(a))]
            record(name, "%s merged findings list the live and the shadow copy location" % host,
                   held and len(both) == len(held) == sum(shadow.values()),
                   "%d of the %d findings the shadow copy holds too name both (%d found)" %
                   (len(both), sum(shadow.values()), len(held)), pending=not PENDING_VSS_LOCATIONS)
        if name.startswith("velo-") and name != "velo-filestore":
            orig = [a for a in alerts.get(mine[0], []) if "C:\\\\" in json.dumps(a) and
                    below_drive(alert_path(a)).replace("/", "\\\\") in json.dumps(a)]
            record(name, "%s findings carry the original C:\\ path (uploads.json)" % host,
                   orig and len(orig) == len(alerts.get(mine[0], [])),
                   "%d of %d" % (len(orig), len(alerts.get(mine[0], []))), pending=not PENDING_ORIGINAL_PATHS)
    text = json.dumps(fleet)
    record(name, "fleet summary (exhunt.fleet) names the 3 servers",
           len(fleet) >= 1 and all(h.upper() in text.upper() for h, _, _, _ in SERVERS),
           "%d exhunt.fleet objects" % len(fleet))


def server_artifact_argv(srcdir):
    """The fixed arguments Server.Exchange.Exhunt.yaml gives exhunt (its
    `LET ScanArgs <= [...]` line), so the test runs what the artifact runs."""
    y = os.path.join(srcdir, "contrib", "velociraptor", "Server.Exchange.Exhunt.yaml")
    text = open(y, encoding="utf-8").read()
    m = re.search(r"LET ScanArgs <= \[([^\]]*)\]", text)
    if not m:
        raise SystemExit("no `LET ScanArgs <= [...]` in " + y)
    return re.findall(r'"([^"]*)"', m.group(1))


def check_server_artifact(root, exhunt, srcdir, ref):
    """Run exactly what the server artifact runs: per flow folder of the
    hunt, ExhuntPath + ScanArgs + ["-o", <tempfile>.jsonl] + ExtraArgs +
    [<flow folder>], then parse_jsonl() on the output file."""
    name = "server-artifact"
    args = server_artifact_argv(srcdir)
    record(name, "ScanArgs read from the artifact: %s" % " ".join(args), bool(args))
    store = os.path.join(root, DEPTHS[1], "velociraptor", "filestore")
    for host, _, client_id, flow_id in SERVERS:
        flow = os.path.join(store, "clients", client_id, "collections", flow_id)
        out = os.path.join(os.path.dirname(root), "artifact-%s.jsonl" % host)
        open(out, "w").close()  # tempfile() creates the file exhunt then writes
        argv = [exhunt] + args + ["-o", out, flow]
        p = subprocess.run(argv, capture_output=True)
        record(name, "%s: exit status 0 or 1" % host, p.returncode in (0, 1),
               "rc %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
        rows, bad = [], 0
        if os.path.exists(out):
            for line in open(out, encoding="utf-8"):
                if not line.strip():
                    continue
                try:
                    o = json.loads(line)
                    rows.append(o) if isinstance(o, dict) else None
                except ValueError:
                    bad += 1
        record(name, "%s: every line of the output is a JSON object (parse_jsonl)" % host, rows and not bad,
               "%d rows, %d bad lines" % (len(rows), bad))
        got = Counter(finding_key(o) for o in rows if kind(o)[0] == "alert")
        record(name, "%s: findings as its plain tree" % host, got == ref[host][0],
               "%d missing, %d extra" % (sum((ref[host][0] - got).values()), sum((got - ref[host][0]).values())))
        ds = {kind(o)[1] for o in rows}
        record(name, "%s: verdict and coverage rows for the notebook" % host,
               {"exhunt.verdict", "exhunt.coverage"} <= ds, "datasets %s" % sorted(d for d in ds if d))
        names = {host_of(o) for o in rows} - {""}  # exhunt.log_window names hosts inside
        record(name, "%s: named after its host from the evidence" % host,
               len(names) == 1 and match_host(next(iter(names)), host),
               "host.name %s (the artifact adds Hostname from client_info() either way)" % sorted(names))


def main():
    args, only, keep = [], None, False
    it = iter(sys.argv[1:])
    for a in it:
        if a == "--only":
            only = next(it).split(",")
        elif a == "--keep":
            keep = True
        else:
            args.append(a)
    exgen, exhunt, work, srcdir = args[:4]
    os.makedirs(work, exist_ok=True)
    trees = generate(exgen, work)
    ref = reference(exhunt, trees)
    for name in LAYOUTS:
        if only and name not in only and not (name == "velo-filestore" and "server-artifact" in only):
            continue
        root = os.path.join(work, "layouts", name)
        where = build_layout(name, root, trees, work)
        if not only or name in only:
            check_layout(name, root, where, exhunt, ref)
        if name == "velo-filestore" and (not only or "server-artifact" in only):
            check_server_artifact(root, exhunt, srcdir, ref)
    print()
    print("per layout:")
    for name, rows in results.items():
        states = Counter(s for _, s, _ in rows)
        print("  %-16s %s" % (name, ", ".join("%d %s" % (n, s) for s, n in sorted(states.items()))))
    if not keep:
        shutil.rmtree(os.path.join(work, "layouts"), ignore_errors=True)
    if failures:
        print("%d checks failed (server discovery below a PATH is issue 14 item 1)" % len(failures))
        sys.exit(1)
    print("all passed")


main()
