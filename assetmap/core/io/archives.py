"""Unpack zip and gzip files safely: damaged, encrypted or exotic archives and bombs are refused with one
clear message, and nothing is ever unpacked beyond the limit (``limits.unpack_limit``).

The sizes an archive's headers give are checked first (a quick refusal), but never trusted alone: every
byte is counted as it comes out, so a header that lies cannot make a member bigger than the limit.
"""

from __future__ import annotations

import errno
import gzip
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from assetmap.core.errors import DataError
from assetmap.core.io.limits import MAX_MEMBERS, copy_bounded, too_big, unpack_limit

# Methods Python's zipfile unpacks; others get a message naming the method.
_SUPPORTED = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_METHODS = {1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE Implode", 18: "IBM TERSE", 19: "IBM LZ77",
            93: "Zstandard", 94: "MP3", 95: "XZ", 96: "JPEG", 97: "WavPack", 98: "PPMd"}
_AES = 99  # WinZip's AES encryption is stored as a compression method
# What a damaged archive raises while it is read (zlib's and bz2's errors included).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, KeyError)


def open_zip(path: Path) -> zipfile.ZipFile:
    """The zip at ``path``, refused when it is damaged or holds more than ``MAX_MEMBERS`` files."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise DataError(f"is a damaged zip file ({exc})", file=path) from None
    count = len(archive.infolist())
    if count > MAX_MEMBERS:
        archive.close()
        raise DataError(f"the zip holds {count:,} files; assetmap opens zips of at most {MAX_MEMBERS:,}", file=path)
    return archive


def check_members(archive: zipfile.ZipFile, members: Iterable[zipfile.ZipInfo], path: Path, budget: int) -> None:
    """Refuse members that are encrypted or use a compression method that cannot be unpacked, and members
    whose headers already say they unpack to more than ``budget`` bytes."""
    total = 0
    for info in members:
        name = Path(info.filename).name
        if info.flag_bits & 0x1 or info.compress_type == _AES:
            how = " (AES encryption)" if info.compress_type == _AES else ""
            raise DataError(f"'{name}' in the zip is protected with a password{how}; unzip it with its password "
                            "and import the file it holds", file=path)
        if info.compress_type not in _SUPPORTED:
            method = _METHODS.get(info.compress_type, "an unknown method")
            raise DataError(f"'{name}' in the zip is compressed with {method} (method {info.compress_type}), which "
                            "assetmap cannot unpack; unzip it with the program that made it, or zip it again with "
                            "ordinary (Deflate) compression", file=path)
        total += info.file_size
        if total > budget:
            raise too_big(path, "the zip", budget)


def check_zip(path: Path) -> None:
    """The checks of ``extract`` for a zip that is read in place (a workbook): members, methods and sizes
    (Python's zipfile never gives more of a member than its header says, so the header sizes bound it)."""
    with open_zip(path) as archive:
        check_members(archive, archive.infolist(), path, unpack_limit())


def extract(path: Path, archive: zipfile.ZipFile, members: Iterable[str], folder: Path) -> dict[str, Path]:
    """Unpack ``members`` of ``archive`` (the zip at ``path``) into ``folder``, each under its own base name;
    returns member name → unpacked file."""
    infos = [archive.getinfo(name) for name in members]
    budget = unpack_limit()
    check_members(archive, infos, path, budget)
    out: dict[str, Path] = {}
    for info in infos:
        target = folder / Path(info.filename).name
        try:
            with archive.open(info) as src, open(target, "wb") as dst:
                budget -= copy_bounded(src, dst, budget, path, "the zip")
        except OSError as exc:
            raise _disk_or_damage(path, Path(info.filename).name, exc) from None
        except _DAMAGED as exc:
            raise DataError(f"is a damaged zip file: '{Path(info.filename).name}' could not be unpacked ({exc})",
                            file=path) from None
        out[info.filename] = target
    return out


def gunzip(path: Path, target: Path) -> None:
    """Unpack the gzip file at ``path`` into ``target``, counting every byte."""
    budget = unpack_limit()
    try:
        with open(path, "rb") as fh:  # the size the trailer gives (modulo 4 GB): a quick refusal, not a bound
            fh.seek(-4, 2)
            said = int.from_bytes(fh.read(4), "little")
    except OSError:
        said = 0
    if said > budget and _unpacks_beyond(path, budget):  # a bomb: refused before a byte is written
        raise too_big(path, "the gzip file", budget)
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            copy_bounded(src, dst, budget, path, "the gzip file")
    except gzip.BadGzipFile as exc:
        raise DataError(f"is a damaged gzip file ({exc})", file=path) from None
    except OSError as exc:
        raise _disk_or_damage(path, None, exc) from None
    except (EOFError, zlib.error) as exc:
        raise DataError(f"is a damaged gzip file ({exc or 'it ends too early'})", file=path) from None


def _unpacks_beyond(path: Path, budget: int) -> bool:
    """Does the gzip file really unpack to more than ``budget`` bytes? (Counted, not written; a damaged
    or truncated file says no here, and its real problem is found when it is unpacked.)"""
    try:
        with gzip.open(path, "rb") as src:
            seen = 0
            while chunk := src.read(1 << 20):
                seen += len(chunk)
                if seen > budget:
                    return True
    except (OSError, EOFError, zlib.error):
        return False
    return False


def _disk_or_damage(path: Path, member: str | None, exc: OSError) -> DataError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DataError(f"could not be unpacked: the temporary folder ({tempfile.gettempdir()}) is full", file=path)
    what = f"'{member}' could not be unpacked" if member else "could not be unpacked"
    return DataError(f"{what} ({exc.strerror or exc})", file=path)
