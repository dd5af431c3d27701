#!/usr/bin/env python3
"""Collections and containers through the command line (issue 11).

  * defect 12: zip members with non-ASCII names (UTF-8 flag, and CP437 names
    without it) are all read; a JSON-lines export quoting "#Software:" is
    read as events, not skipped as an Exchange log;
  * defect 9: containers exhunt cannot open are named as not opened (disk
    images by signature and name, an encrypted Velociraptor collection,
    password-protected members); tar, tar.gz, tgz and rar collections are
    opened like zips, given on the command line or met while walking;
    ProgramData's zips stay Test-ProxyLogon's staging archives;
  * defect 11: hostile zips (members inflating far past the caps, an
    overlapping-member zip, headers that lie about sizes) give a per-file
    error and the rest of the archive is still read.

usage: collections.py EXHUNT WORKDIR
"""
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_zips  # noqa: E402
import ziplib  # noqa: E402

EXHUNT, WORK = sys.argv[1:3]
failures = []

HP = hostile_zips.HP
HEAD = hostile_zips.HEAD
PROBE = hostile_zips.PROBE
LOG = HEAD + hostile_zips.QUIET + PROBE
SHELL = b'<%@ Page Language="Jscript"%><%eval(Request.Item["p"],"unsafe");%>'
PROBE_RULE = "a077c56c-dece-4c18-ba81-25616ac7d2b0"


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failures.append(what)


def scan(*args):
    p = subprocess.run([EXHUNT, "scan", "--no-progress", "-f", "jsonl"] + list(args), capture_output=True)
    objs = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines() if line.strip()]
    alerts = [o for o in objs if o.get("event", {}).get("kind") == "alert"]
    errors = [(o["file"]["path"], o["error"]["message"]) for o in objs
              if o.get("event", {}).get("kind") == "pipeline_error"]
    return p.returncode, alerts, errors


def alert_paths(alerts):
    return sorted({(a.get("log", {}).get("file", {}).get("path") or a.get("file", {}).get("path")) for a in alerts})


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def rar4(files):
    """A RAR 4 archive of stored members (the format of RAR 2.9 to 4.x)."""
    def block(body):
        return struct.pack("<H", zlib.crc32(body) & 0xFFFF) + body
    out = bytearray(b"Rar!\x1a\x07\x00")
    out += block(struct.pack("<BHH", 0x73, 0, 13) + bytes(6))
    for name, data in files:
        body = struct.pack("<BHH", 0x74, 0x8000, 32 + len(name))
        body += struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data) & 0xFFFFFFFF, 0x52610000, 20,
                            0x30, len(name), 0x20) + name
        out += block(body) + data
    out += block(struct.pack("<BHH", 0x7B, 0x4000, 7))
    return bytes(out)


def tar_bytes(members, mode):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1614585600
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_names():
    """Defect 12: five members with non-ASCII names, all read."""
    entries = [
        ziplib.Entry(HP + "Ecp/HttpProxy_é1.LOG", LOG),                           # UTF-8 flag
        ziplib.Entry("C/inetpub/wwwroot/aspnet_client/ß.aspx", SHELL),            # UTF-8 flag
        ziplib.Entry(HP + "Owa/日本.LOG", LOG),                                    # UTF-8 flag
        ziplib.Entry(b"C/inetpub/wwwroot/aspnet_client/\x82x.aspx", SHELL, utf8=False),  # CP437, no flag
        ziplib.Entry(b"V15/Logging/HttpProxy/Owa/\x8e\x99.LOG", LOG, utf8=False),        # CP437, no flag
    ]
    z = os.path.join(WORK, "names.zip")
    write(z, ziplib.build(entries))
    rc, alerts, errors = scan(z)
    paths = alert_paths(alerts)
    want = [z + "!" + HP + "Ecp/HttpProxy_é1.LOG", z + "!" + HP + "Owa/日本.LOG",
            z + "!C/inetpub/wwwroot/aspnet_client/éx.aspx", z + "!C/inetpub/wwwroot/aspnet_client/ß.aspx",
            z + "!V15/Logging/HttpProxy/Owa/ÄÖ.LOG"]
    check("names: all 5 members with non-ASCII names read, CP437 names decoded", paths == sorted(want),
          "got %s" % paths)
    check("names: no member reported unreadable", not errors, str(errors))


def test_json_sniff():
    """Defect 12: an event export quoting "#Software:" is read as events."""
    ev = {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "@timestamp": "2021-03-03T10:00:00.000Z",
          "Image": "C:\\Windows\\Temp\\procdump64.exe",
          "CommandLine": "procdump64.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\l.dmp",
          "Note": "#Software: Microsoft Exchange Server"}
    p = os.path.join(WORK, "events.jsonl")
    write(p, (json.dumps(ev) + "\n").encode())
    rc, alerts, errors = scan(p)
    check("json: an export quoting #Software: is read as events", rc == 1 and len(alerts) == 1 and not errors,
          "rc %d, %d alerts, errors %s" % (rc, len(alerts), errors))


def test_encrypted():
    z = os.path.join(WORK, "enc.zip")
    write(z, ziplib.build([ziplib.Entry("C/inetpub/wwwroot/aspnet_client/x.aspx", SHELL, password=b"infected"),
                           ziplib.Entry(HP + "Ecp/HttpProxy_1.LOG", LOG)]))
    rc, alerts, errors = scan(z)
    check("encrypted member named as not read, the rest read",
          any("1 password-protected member not read (the first: C/inetpub/wwwroot/aspnet_client/x.aspx)" in e
              for _, e in errors) and alert_paths(alerts) == [z + "!" + HP + "Ecp/HttpProxy_1.LOG"],
          "errors %s, alerts %s" % (errors, alert_paths(alerts)))
    # the archive-wide reasons come first, however many members have their own
    noisy = [ziplib.Entry("nested/n%03d.zip" % i, b"PK") for i in range(200)]
    noisy.append(ziplib.Entry("C/inetpub/wwwroot/aspnet_client/y.aspx", SHELL, password=b"infected"))
    n = os.path.join(WORK, "noisy.zip")
    write(n, ziplib.build(noisy))
    rc, alerts, errors = scan(n)
    check("encrypted member named before 200 member errors",
          len(errors) == 1 and errors[0][1].startswith("1 password-protected member not read") and
          "nested/n000.zip: cannot open the archive inside the archive" in errors[0][1], str(errors)[:300])
    # Velociraptor's secured collection: metadata.json + encrypted data.zip
    inner = ziplib.build([ziplib.Entry("uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/x.aspx", SHELL)])
    meta = json.dumps({"Scheme": "X509", "EncryptedPass": "AAAA", "PublicKey": "-----BEGIN PUBLIC KEY-----"})
    v = os.path.join(WORK, "Collection-EXCH01-2021-03-05T10_00_00Z.zip")
    write(v, ziplib.build([ziplib.Entry("metadata.json", meta.encode()),
                           ziplib.Entry("data.zip", inner, password=b"c7889f8d2292f284", compress=False)]))
    rc, alerts, errors = scan(v)
    check("encrypted Velociraptor collection named as not opened",
          any("encrypted Velociraptor collection (scheme X509, data.zip password-protected): not opened" in e
              for _, e in errors) and not any("password-protected member" in e for _, e in errors),
          str(errors))
    # any other metadata.json is read as what it is
    ev = {"EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "@timestamp": "2021-03-03T10:00:00.000Z",
          "CommandLine": "procdump64.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\l.dmp"}
    m = os.path.join(WORK, "meta.zip")
    write(m, ziplib.build([ziplib.Entry("metadata.json", (json.dumps(ev) + "\n").encode())]))
    rc, alerts, errors = scan(m)
    check("a metadata.json that is not Velociraptor's is read as events", len(alerts) == 1 and not errors,
          "%d alerts, errors %s" % (len(alerts), errors))


def image(head, size=1 << 20, at=0):
    b = bytearray(size)
    b[at:at + len(head)] = head
    return bytes(b)


def mbr():
    b = bytearray(1 << 20)
    b[446:462] = bytes([0x80, 0, 0, 0, 0x07, 0, 0, 0]) + struct.pack("<II", 2048, 409600)
    b[510:512] = b"\x55\xaa"
    return bytes(b)


IMAGES = {
    "disk.vhdx": (image(b"vhdxfile"), "VHDX disk image"),
    "disk.vhd": (image(b"conectix"), "VHD disk image"),
    "fixed.vhd": (image(b"", 4096), "VHD disk image"),
    "disk.vmdk": (image(b"KDMV"), "VMDK disk image"),
    "disk-desc.vmdk": (b"# Disk DescriptorFile\nversion=1\n", "VMDK disk image"),
    "EXCH01.E01": (image(b"EVF\x09\x0d\x0a\xff\x00"), "EnCase image (E01)"),
    "EXCH01.E02": (image(b"EVF\x09\x0d\x0a\xff\x00"), "EnCase image (E01)"),
    "EXCH01.Ex01": (image(b"EVF2\x0d\x0a\x81\x00"), "EnCase image (Ex01)"),
    "EXCH01.aff4": (ziplib.build([ziplib.Entry("information.turtle", b"@prefix aff4: <http://aff4.org/Schema#> .")]),
                    "AFF4 image"),
    "old.aff": (image(b"AFF10\x0d\x0a\x00"), "AFF image"),
    "disk.qcow2": (image(b"QFI\xfb"), "QCOW disk image"),
    "disk.vdi": (image(b"\x7f\x10\xda\xbe", at=0x40), "VirtualBox disk image (VDI)"),
    "sda.dd": (mbr(), "raw disk image (MBR)"),
    "nvme.img": (image(b"EFI PART", at=512), "raw disk image (GPT)"),
    "c-volume.raw": (image(b"\xebR\x90NTFS    "), "raw NTFS volume image"),
    "evidence.bin": (image(b"vhdxfile"), "VHDX disk image"),  # by signature, whatever the name
}


def test_images():
    """Defect 9: disk and forensic images are named as not opened."""
    root = os.path.join(WORK, "images")
    shutil.rmtree(root, ignore_errors=True)
    for name, (data, _) in IMAGES.items():
        write(os.path.join(root, "Collection", name), data)
    rc, alerts, errors = scan(root)
    by_path = {p: e for p, e in errors}
    for name, (_, label) in IMAGES.items():
        e = by_path.get(os.path.join(root, "Collection", name), "")
        check("image %s named: %s" % (name, label), e.startswith(label + ": not opened"), e or "no error")
    # a zip named .aff4 is an AFF4 image, opened or not: named either way
    e1 = os.path.join(root, "Collection", "EXCH01.E01")
    rc, alerts, errors = scan(e1)
    check("image given on the command line named", any(p == e1 and "not opened" in e for p, e in errors), str(errors))
    # an AFF4 container under another name is found by its members
    a = os.path.join(WORK, "aff4-as.zip")
    write(a, IMAGES["EXCH01.aff4"][0])
    rc, alerts, errors = scan(a)
    check("AFF4 container found by its members", any("AFF4 image: not opened" in e for _, e in errors), str(errors))
    # an image inside a collection
    z = os.path.join(WORK, "with-image.zip")
    write(z, ziplib.build([ziplib.Entry("images/disk.vhdx", IMAGES["disk.vhdx"][0]),
                           ziplib.Entry("images/sda.bin", mbr()), ziplib.Entry(HP + "Ecp/HttpProxy_1.LOG", LOG)]))
    rc, alerts, errors = scan(z)
    check("images inside an archive named, the rest read",
          any("images/disk.vhdx: VHDX disk image inside the archive: not opened" in e for _, e in errors) and
          any("images/sda.bin: raw disk image (MBR) inside the archive: not opened" in e for _, e in errors) and
          len(alerts) == 1, "errors %s, %d alerts" % (errors, len(alerts)))


def test_formats():
    """Defect 9: tar, tar.gz, tgz and rar collections are opened like zips."""
    members = [("C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_1.LOG", LOG),
               ("C/inetpub/wwwroot/aspnet_client/s.aspx", SHELL)]
    files = {"coll.tar": tar_bytes(members, "w"), "coll.tar.gz": tar_bytes(members, "w:gz"),
             "coll.tgz": tar_bytes(members, "w:gz"), "coll.tar.xz": tar_bytes(members, "w:xz"),
             "coll.tar.bz2": tar_bytes(members, "w:bz2"),
             "coll.rar": rar4([(n.encode(), d) for n, d in members])}
    for name, data in files.items():
        p = os.path.join(WORK, "formats", name)
        write(p, data)
        rc, alerts, errors = scan(p)
        check("%s given: both members read" % name,
              alert_paths(alerts) == sorted(p + "!" + n for n, _ in members) and not errors,
              "alerts %s, errors %s" % (alert_paths(alerts), errors))
    # met while walking (outside ProgramData)
    root = os.path.join(WORK, "walked")
    shutil.rmtree(root, ignore_errors=True)
    for name, data in files.items():
        write(os.path.join(root, "collections", name), data)
    write(os.path.join(root, "C", "ProgramData", "it.zip"), ziplib.build([ziplib.Entry(members[0][0], LOG)]))
    write(os.path.join(root, "C", "ProgramData", "out.rar"), files["coll.rar"])
    rc, alerts, errors = scan(root)
    for name in files:
        p = os.path.join(root, "collections", name)
        check("%s met while walking: both members read" % name,
              sum(1 for a in alert_paths(alerts) if a.startswith(p + "!")) == 2, str(alert_paths(alerts)))
    # an archive in a web folder: opened, and its own hash checked (a YARA
    # rule on the bytes of the archive fires on the file itself)
    web = os.path.join(root, "C", "inetpub", "wwwroot", "aspnet_client", "kit.zip")
    write(web, ziplib.build([ziplib.Entry(members[0][0], LOG), ziplib.Entry("readme.txt", SHELL, compress=False)]))
    rc, alerts, errors = scan(root)
    check("an archive in a web folder is opened and checked as a file",
          any(a.startswith(web + "!") for a in alert_paths(alerts)) and web in alert_paths(alerts),
          str([a for a in alert_paths(alerts) if "kit" in a]))
    staging = sorted(a["file"]["path"] for a in alerts if a["rule"]["id"] == "exhunt-file-staging-archive")
    check("ProgramData's zip and rar stay staging archives, not opened",
          staging == [os.path.join(root, "C", "ProgramData", n) for n in ("it.zip", "out.rar")] and
          not any("ProgramData" in a and "!" in a for a in alert_paths(alerts)), str(staging))


def test_hostile():
    """Defect 11: every hostile zip ends with the rest read and an error on the member."""
    out = os.path.join(WORK, "hostile")
    shutil.rmtree(out, ignore_errors=True)
    names = hostile_zips.make(out, 48)
    expect = {
        "bomb_content.zip": "big.aspx: content not hashed or YARA-scanned",
        "bomb_dump.zip": "data/big.bin: content not hashed or YARA-scanned",
        "bomb_line.zip": "1 line longer than",
        "bomb_evtx.zip": "Security.evtx: ",
        "liar.zip": "ZIP uncompressed data is wrong size",
    }
    for n in names:
        z = os.path.join(out, n)
        rc, alerts, errors = scan("--max-content-size", "1M", z)
        sentinel = z + "!" + hostile_zips.SENTINEL
        check("%s: scan ends, the small log after it is read" % n, rc in (0, 1) and sentinel in alert_paths(alerts),
              "rc %d, alerts %s" % (rc, alert_paths(alerts)))
        if n in expect:
            check("%s: the member is named in an error" % n, any(expect[n] in e for _, e in errors), str(errors))


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    test_names()
    test_json_sniff()
    test_encrypted()
    test_images()
    test_formats()
    test_hostile()
    if failures:
        print("%d failed" % len(failures))
        sys.exit(1)
    print("all passed")


main()
