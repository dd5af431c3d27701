"""Zip files written by hand for the archive tests: names with or without the
UTF-8 flag, PKWARE-encrypted members, members that inflate to gigabytes,
central directories that lie, members that overlap. Only the standard
library (zlib, struct); formats from APPNOTE.TXT.
"""
import struct
import zlib

LOCAL = 0x04034B50
CENTRAL = 0x02014B50
END = 0x06054B50
FLAG_ENCRYPTED = 0x0001
FLAG_UTF8 = 0x0800


def crc(data, value=0):
    return zlib.crc32(data, value) & 0xFFFFFFFF


def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class ZipCrypto:
    """The traditional PKWARE stream cipher (APPNOTE 6.1)."""

    def __init__(self, password):
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self._update(b)

    @staticmethod
    def _crc_byte(c, b):
        return (~zlib.crc32(bytes([b]), (~c) & 0xFFFFFFFF)) & 0xFFFFFFFF

    def _update(self, b):
        k = self.k
        k[0] = self._crc_byte(k[0], b)
        k[1] = (k[1] + (k[0] & 0xFF)) & 0xFFFFFFFF
        k[1] = (k[1] * 134775813 + 1) & 0xFFFFFFFF
        k[2] = self._crc_byte(k[2], k[1] >> 24)

    def encrypt(self, data):
        out = bytearray()
        for p in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(p)
        return bytes(out)


class Entry:
    def __init__(self, name, data=b"", *, compress=True, utf8=None, password=None, raw=None, crc32=None,
                 usize=None, cd_name=None, cd_usize=None, cd_csize=None, lie_usize=None, lie_csize=None):
        self.name = name if isinstance(name, bytes) else name.encode("utf-8")
        if utf8 is None:
            utf8 = any(b >= 0x80 for b in self.name)
        self.flags = FLAG_UTF8 if utf8 else 0
        if raw is not None:  # compressed bytes given (a bomb built by stream_bomb)
            self.method, self.payload = 8, raw
            self.crc, self.usize = crc32, usize
        else:
            self.method = 8 if compress else 0
            self.payload = deflate(data) if compress else data
            self.crc, self.usize = crc(data), len(data)
        if password is not None:
            z = ZipCrypto(password)
            head = bytes(11) + bytes([self.crc >> 24])
            self.payload = z.encrypt(head) + z.encrypt(self.payload)
            self.flags |= FLAG_ENCRYPTED
        self.cd_name = cd_name.encode("utf-8") if isinstance(cd_name, str) else cd_name
        self.cd_usize, self.cd_csize = cd_usize, cd_csize
        self.lie_usize, self.lie_csize = lie_usize, lie_csize  # in both headers


def local_header(e):
    csize = e.lie_csize if e.lie_csize is not None else len(e.payload)
    usize = e.lie_usize if e.lie_usize is not None else e.usize
    return struct.pack("<IHHHHHIIIHH", LOCAL, 20, e.flags, e.method, 0, 0x5261, e.crc, csize, usize,
                       len(e.name), 0) + e.name


def central_header(e, offset, name=None, csize=None, usize=None):
    name = name if name is not None else e.name
    csize = csize if csize is not None else e.lie_csize
    usize = usize if usize is not None else e.lie_usize
    return struct.pack("<IHHHHHHIIIHHHHHII", CENTRAL, 20, 20, e.flags, e.method, 0, 0x5261, e.crc,
                       csize if csize is not None else len(e.payload), usize if usize is not None else e.usize,
                       len(name), 0, 0, 0, 0, 0, offset) + name


def end_record(n, cd_size, cd_offset):
    return struct.pack("<IHHHHIIH", END, 0, 0, n, n, cd_size, cd_offset, 0)


def build(entries, overlap=None):
    """entries: Entry list. overlap=(entry, names): one local member, one
    central directory entry per name, all at its offset."""
    out = bytearray()
    cd = bytearray()
    count = 0
    for e in entries:
        off = len(out)
        out += local_header(e) + e.payload
        cd += central_header(e, off, e.cd_name, e.cd_csize, e.cd_usize)
        count += 1
    if overlap:
        e, names = overlap
        e.name = names[0].encode("utf-8")
        off = len(out)
        out += local_header(e) + e.payload
        for n in names:
            cd += central_header(e, off, n.encode("utf-8"))
            count += 1
    cd_off = len(out)
    out += cd + end_record(count, len(cd), cd_off)
    return bytes(out)


def stream_bomb(chunk, repeat, prefix=b""):
    """Raw deflate of prefix + `chunk` repeated `repeat` times, built from
    one compressed period (the window holds the same bytes before each
    chunk after the first), with its CRC and size."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(prefix + chunk) + c.flush(zlib.Z_SYNC_FLUSH)
    second = c.compress(chunk) + c.flush(zlib.Z_SYNC_FLUSH)
    third = c.compress(chunk) + c.flush(zlib.Z_SYNC_FLUSH)
    assert second == third, "the chunk does not repeat in its compressed form"
    raw = first + second * (repeat - 1) + c.flush(zlib.Z_FINISH)
    value = zlib.crc32(prefix)
    for _ in range(repeat):
        value = zlib.crc32(chunk, value)
    return raw, value & 0xFFFFFFFF, len(prefix) + len(chunk) * repeat
