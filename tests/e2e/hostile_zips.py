#!/usr/bin/env python3
"""Hostile zips (issue 11 defect 11): members that inflate to gigabytes, an
overlapping-member zip, a central directory that lies about sizes. Each also
holds a small log whose finding must still be reported, so a test can tell
"the rest was read" from "gave up".

usage: hostile_zips.py OUTDIR MIB     (MIB: inflated size of each bomb member)
collections.py uses it with a small size; docs/benchmarks.md's RSS figures
come from running exhunt on the same zips built with MIB in the gigabytes.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ziplib  # noqa: E402

HP = "C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/"
HEAD = (b"DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n#Software: Microsoft Exchange Server\r\n"
        b"#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
        b"#Fields: DateTime,ClientIpAddress,AnchorMailbox,UrlStem\r\n")
QUIET = b"2021-03-01T07:00:00.000Z,10.0.0.1,user@contoso.com,/owa/\r\n"
PROBE = b"2021-03-01T07:45:05.891Z,142.4.110.34,ServerInfo~localhost/ecp/default.flt?,/owa/auth/x.js\r\n"
SENTINEL = HP + "Owa/HttpProxy_2021030107-1.LOG"
JSON_LINE = (b'{"EventID":4624,"Channel":"Security","TimeCreated":"2021-03-01T07:00:00.000Z",'
             b'"TargetUserName":"user","LogonType":3}\n')


def sentinel():
    return ziplib.Entry(SENTINEL, HEAD + QUIET + PROBE)


def bomb(name, chunk, mib, prefix=b""):
    """A member of `name` inflating to about mib MiB of `chunk` repeated."""
    reps = max(3, (mib << 20) // len(chunk))
    raw, crc, size = ziplib.stream_bomb(chunk, reps, prefix)
    return ziplib.Entry(name, raw=raw, crc32=crc, usize=size & 0xFFFFFFFF)


def lines(line, size=1 << 20):
    return line * (size // len(line))


def make(out, mib):
    os.makedirs(out, exist_ok=True)
    zips = {}
    # a log that inflates to gigabytes of records
    zips["bomb_log.zip"] = [bomb(HP + "Ecp/HttpProxy_2021030108-1.LOG", lines(QUIET), mib, HEAD), sentinel()]
    # one line of gigabytes (no line end at all)
    zips["bomb_line.zip"] = [bomb(HP + "Ews/HttpProxy_2021030109-1.LOG", b"A" * (1 << 20), mib, HEAD), sentinel()]
    # a web file that inflates to gigabytes (content checks)
    zips["bomb_content.zip"] = [bomb("C/inetpub/wwwroot/aspnet_client/big.aspx", bytes(1 << 20), mib), sentinel()]
    # JSON events and an EVTX that inflate to gigabytes
    zips["bomb_json.zip"] = [bomb("events.json", lines(JSON_LINE), mib), sentinel()]
    zips["bomb_evtx.zip"] = [bomb("C/Windows/System32/winevt/Logs/Security.evtx", bytes(1 << 20), mib), sentinel()]
    # a memory dump by size outside the checked folders (sniffed, then header checks)
    zips["bomb_dump.zip"] = [bomb("data/big.bin", bytes(1 << 20), mib, b"MDMP\x93\xa7\x00\x00"), sentinel()]
    written = {}
    for name, entries in zips.items():
        written[name] = ziplib.build(entries)
    # overlapping members: one inflating member, its bytes named by many
    # central directory entries (logs, web files, events)
    names = []
    for i in range(8):
        names += [HP + "Mapi/HttpProxy_20210301%02d-1.LOG" % i, "C/inetpub/wwwroot/aspnet_client/o%d.aspx" % i,
                  "o%d.json" % i]
    written["overlap.zip"] = ziplib.build([sentinel()], overlap=(bomb("x", lines(QUIET), mib, HEAD), names))
    # headers that lie: the central directory only (sizes far smaller than
    # the data), both headers (an inflated size of 100 bytes for a member of
    # gigabytes; a compressed size larger than the file)
    cd_only = bomb(HP + "Rpc/HttpProxy_2021030110-1.LOG", lines(QUIET), mib, HEAD)
    cd_only.cd_usize, cd_only.cd_csize = 100, 100
    both = bomb("C/inetpub/wwwroot/aspnet_client/both.aspx", bytes(1 << 20), mib)
    both.lie_usize = 100
    log_both = bomb(HP + "Rpc/HttpProxy_2021030111-1.LOG", lines(QUIET), mib, HEAD)
    log_both.lie_usize = 100
    json_lie = bomb("lie.json", lines(JSON_LINE), mib)
    json_lie.lie_usize = 10
    huge = ziplib.Entry("C/inetpub/wwwroot/aspnet_client/huge.aspx", b"<% x %>")
    huge.lie_usize, huge.lie_csize = 0xFFFFFFFE, 0xFFFFFFF0
    written["liar.zip"] = ziplib.build([cd_only, both, log_both, json_lie, sentinel(), huge])
    for name, data in written.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    return sorted(written)


if __name__ == "__main__":
    for n in make(sys.argv[1], int(sys.argv[2])):
        print(os.path.join(sys.argv[1], n))
