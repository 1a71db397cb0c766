"""Bounds on what a file being loaded can make kerasette read, inflate or parse.

A hostile file is refused from what it *declares* (zip directory sizes, JSON
structure, HDF5 dataset shapes and storage), before the bytes behind the
declaration are inflated, parsed or read. The numbers are module constants so a
user with a genuinely bigger file can raise them.

- zip: at most ``MAX_ZIP_ENTRIES`` entries and ``MAX_ZIP_DIRECTORY_BYTES`` of central
  directory (checked from the end record, before zipfile builds one object per
  entry); a compressed member may declare at most
  ``max(ZIP_MEMBER_FLOOR_BYTES, ZIP_MEMBER_MAX_EXPANSION * archive size)``: kerasette
  and Keras store members uncompressed, so a real member is never bigger than its
  archive, while a recompressed one (``zip -r``) gets generous room. Keras's own
  guard (saving_lib._reject_zip_bomb) only refuses members above 4 GiB that expand
  more than 100x, which lets a 2 MB file inflate to 4 GiB.
- config JSON: at most ``MAX_CONFIG_BYTES``, ``MAX_CONFIG_DEPTH`` levels of nesting and
  ``MAX_CONFIG_ITEMS`` values, counted by a vectorised scan of the raw bytes before
  ``json.loads`` (whose objects cost 20x the text for ``[[],[],...]``). A 20,000-layer
  Dense model's config is 15 MB, 0.78 M values, 8 levels deep.
- HDF5: links, external and virtual datasets are refused (they make the reader
  open other files); datasets are matched to the model's shapes before any data is
  read (weights_h5.py, legacy_h5.py).
"""

import io
import json
import os
import struct
import zlib

import numpy as np

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 4 << 20
ZIP_MEMBER_FLOOR_BYTES = 64 << 20
ZIP_MEMBER_MAX_EXPANSION = 8
MAX_CONFIG_BYTES = 32 << 20
MAX_CONFIG_DEPTH = 100
MAX_CONFIG_ITEMS = 1_500_000
# A stored weights member up to this size is read into memory (fast small reads);
# a bigger one is read in place from the archive file.
IN_MEMORY_BYTES = 64 << 20

_CHUNK = 1 << 20
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_LOCAL_HEADER = b"PK\x03\x04"


def _mb(n):
    return f"{n / (1 << 20):.1f} MiB"


def stream_size(f):
    """The size of a seekable binary file object (its position is kept)."""
    pos = f.tell()
    try:
        return f.seek(0, os.SEEK_END)
    finally:
        f.seek(pos)


def check_zip_directory(f, where):
    """Refuse an archive whose end record declares more entries or a bigger
    central directory than a Keras file has, before zipfile parses it (one Python
    object per entry: 200,000 entries fit in 10 MB). A missing end record is left
    to zipfile, which reports the file as not a zip."""
    size = stream_size(f)
    tail_len = min(size, 22 + 0xFFFF)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    f.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return
    entries, cd_size = struct.unpack("<HL", tail[at + 10 : at + 16])
    if (
        (entries == 0xFFFF or cd_size == 0xFFFFFFFF)
        and at >= 20
        and tail[at - 20 : at - 16] == _EOCD64_LOCATOR
    ):
        (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        if offset + 56 <= size:
            f.seek(offset)
            rec = f.read(56)
            f.seek(0)
            if rec[:4] == _EOCD64:
                entries, cd_size = struct.unpack("<QQ", rec[32:48])
    if entries > MAX_ZIP_ENTRIES or cd_size > MAX_ZIP_DIRECTORY_BYTES:
        raise ValueError(
            f"{where}: the zip directory declares {entries} entries in {_mb(cd_size)}; "
            f"a Keras archive has a handful (limit {MAX_ZIP_ENTRIES} entries, "
            f"{_mb(MAX_ZIP_DIRECTORY_BYTES)}): refusing a hostile or corrupt archive"
        )


def member_limit(archive_size):
    """The most bytes a compressed member of an ``archive_size`` archive may declare."""
    return max(ZIP_MEMBER_FLOOR_BYTES, ZIP_MEMBER_MAX_EXPANSION * archive_size)


def check_member(info, archive_size, where, limit=None):
    """Refuse a member from its directory entry alone: encrypted, a stored member
    bigger than the archive, or a declared size past ``limit``."""
    name = f"{where}/{info.filename}"
    if info.flag_bits & 0x1:
        raise ValueError(f"{name} is encrypted; Keras archives never are")
    if info.compress_type == 0 and (
        info.compress_size != info.file_size or info.file_size > archive_size
    ):
        raise ValueError(
            f"{name} is truncated or corrupt: a stored member declares "
            f"{info.file_size} bytes in an archive of {archive_size}"
        )
    cap = member_limit(archive_size) if limit is None else limit
    if info.file_size > cap:
        raise ValueError(
            f"{name} declares {_mb(info.file_size)} uncompressed but stores "
            f"{_mb(info.compress_size)} in a {_mb(archive_size)} archive; the limit is "
            f"{_mb(cap)}: refusing a potential zip bomb"
        )


def read_member(zf, info, limit, where):
    """A member's bytes, read in chunks and stopped past ``limit`` (zipfile itself
    stops at the declared size and checks the CRC at the end)."""
    out = io.BytesIO()
    with zf.open(info, "r") as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            out.write(chunk)
            if out.tell() > limit:
                raise ValueError(
                    f"{where}/{info.filename} inflates past {_mb(limit)}: "
                    f"refusing a potential zip bomb"
                )
    return out.getvalue()


class MemberWindow(io.RawIOBase):
    """A read-only, seekable view of a stored member's bytes inside the archive
    file: h5py reads the weights in place, with no copy in memory or on disk."""

    def __init__(self, f, start, length):
        super().__init__()
        self._f, self._start, self._len, self._pos = f, start, length, 0
        try:  # a real file: one pread per read, no seek through Python
            self._fd = f.fileno() if hasattr(os, "preadv") else None
        except (OSError, ValueError, AttributeError):
            self._fd = None

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=os.SEEK_SET):
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._len}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buf):
        view = memoryview(buf).cast("B")
        n = max(0, min(len(view), self._len - self._pos))
        if n == 0:
            return 0
        if self._fd is not None:
            got = os.preadv(self._fd, [view[:n]], self._start + self._pos)
        else:
            self._f.seek(self._start + self._pos)
            got = self._f.readinto(view[:n]) or 0
        self._pos += got
        return got


def stored_member_window(f, info, archive_size, where):
    """A MemberWindow over a stored (uncompressed) member, after checking its local
    header and its CRC in one streamed pass. Members up to IN_MEMORY_BYTES come back
    as a BytesIO instead: h5py makes thousands of small reads, which cost far less
    from memory than through a Python file object."""
    f.seek(info.header_offset)
    header = f.read(30)
    if len(header) < 30 or header[:4] != _LOCAL_HEADER:
        raise ValueError(f"{where}/{info.filename} is truncated or corrupt: bad local header")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    if start + info.file_size > archive_size:
        raise ValueError(
            f"{where}/{info.filename} is truncated or corrupt: it runs past the end of the archive"
        )
    f.seek(start)
    small = info.file_size <= IN_MEMORY_BYTES
    copy = io.BytesIO() if small else None
    crc, left = 0, info.file_size
    while left:
        chunk = f.read(min(_CHUNK, left))
        if not chunk:
            raise ValueError(f"{where}/{info.filename} is truncated or corrupt")
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
        if small:
            copy.write(chunk)
    if crc != info.CRC:
        raise ValueError(f"{where} is truncated or corrupt: bad CRC-32 for {info.filename}")
    if small:
        copy.seek(0)
        return copy
    return MemberWindow(f, start, info.file_size)


# ---- JSON ------------------------------------------------------------------------------


def _json_shape(raw, where):
    """(values, max depth) of JSON text, outside strings, with numpy over 1 MiB
    chunks; stops at the first level past MAX_CONFIG_DEPTH."""
    if b"\\" in raw:
        # Drop escapes left to right as JSON reads them: then every '"' left opens or
        # closes a string.
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    a = np.frombuffer(raw, dtype=np.uint8)
    depth, deepest, items, inside = 0, 0, 0, 0
    for lo in range(0, len(a), _CHUNK):
        c = a[lo : lo + _CHUNK]
        parity = np.bitwise_xor.accumulate((c == 34).view(np.uint8)) ^ inside
        inside = int(parity[-1])
        outside = parity == 0
        opens = ((c == 91) | (c == 123)) & outside
        closes = ((c == 93) | (c == 125)) & outside
        items += int(np.count_nonzero(opens)) + int(np.count_nonzero((c == 44) & outside))
        levels = np.cumsum(opens.view(np.int8) - closes.view(np.int8), dtype=np.int32) + depth
        if len(levels):
            deepest = max(deepest, int(levels.max()))
            depth = int(levels[-1])
        if deepest > MAX_CONFIG_DEPTH:
            raise ValueError(
                f"{where}: JSON nested more than {MAX_CONFIG_DEPTH} levels "
                f"deep; a Keras config is about 10: refusing it"
            )
        if items > MAX_CONFIG_ITEMS:
            break
    return items, deepest


def loads_config(raw, where):
    """Parse a config's JSON text (bytes or str) within the size, nesting and item
    limits; a ValueError that names ``where`` otherwise."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_CONFIG_BYTES:
        raise ValueError(
            f"{where}: the JSON config is {_mb(len(raw))}; the limit is "
            f"{_mb(MAX_CONFIG_BYTES)} (kerasette.saving.file_guard."
            f"MAX_CONFIG_BYTES)"
        )
    items, _ = _json_shape(raw, where)
    if items > MAX_CONFIG_ITEMS:
        raise ValueError(
            f"{where}: the JSON config holds over {MAX_CONFIG_ITEMS} values "
            f"(a 20,000-layer model has 0.8 M; kerasette.saving.file_guard."
            f"MAX_CONFIG_ITEMS): refusing it"
        )
    try:
        text = raw.decode("utf-8")
        del raw
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{where} is not valid JSON ({e})") from None
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply") from None


# ---- HDF5 ------------------------------------------------------------------------------


def h5_child(group, name, where):
    """``group[name]`` (or None if absent), refusing soft, external and user-defined
    links, which would make the reader follow paths the file chooses, possibly into
    other files. (The low-level link query costs a few microseconds.)"""
    from kerasette.saving.h5 import require_h5py

    h5py = require_h5py()

    try:
        kind = group.id.links.get_info(name.encode("utf-8")).type
    except (KeyError, RuntimeError, ValueError):
        return None
    if kind != h5py.h5l.TYPE_HARD:
        what = {h5py.h5l.TYPE_SOFT: "SoftLink", h5py.h5l.TYPE_EXTERNAL: "ExternalLink"}.get(
            kind, "user-defined link"
        )
        raise ValueError(
            f"Not allowed: {where + '/' if where else ''}{name} is an HDF5 "
            f"{what}; Keras weights files hold none"
        )
    return group[name]


def check_h5_dataset(ds, where):
    """Refuse datasets whose bytes live outside the file (external or virtual)."""
    if getattr(ds, "external", None):
        raise ValueError(
            f"Not allowed: {where} is an external HDF5 dataset (its data lives in another file)"
        )
    if getattr(ds, "is_virtual", False):
        raise ValueError(f"Not allowed: {where} is a virtual HDF5 dataset")
    return ds
