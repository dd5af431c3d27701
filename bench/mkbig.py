#!/usr/bin/env python3
"""One large EVTX (bench/evtx_big.sh, bench/all.sh): the chunks of a real log
repeated up to MiB (real records, valid chunks, a file header that counts
them). usage: mkbig.py SOURCE.evtx OUT.evtx MiB"""
import struct
import sys
import zlib

src = open(sys.argv[1], 'rb').read()
chunks = [src[4096 + i * 65536:4096 + (i + 1) * 65536] for i in range((len(src) - 4096) // 65536)]
chunks = [c for c in chunks if c[:8] == b'ElfChnk\0']
want = int(sys.argv[3]) * 1024 * 1024
n = min(want // 65536, 65535)
hdr = bytearray(src[:4096])
struct.pack_into('<QQ', hdr, 8, 0, n - 1)  # first and last chunk numbers
struct.pack_into('<H', hdr, 42, n)  # number of chunks
struct.pack_into('<I', hdr, 124, zlib.crc32(bytes(hdr[:120])))
with open(sys.argv[2], 'wb') as f:
    f.write(hdr)
    for i in range(n):
        f.write(chunks[i % len(chunks)])
