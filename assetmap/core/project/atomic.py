"""Write a whole file beside its destination and rename it into place, so a crash never leaves half a file.

The destination must be a new path or a regular file: a device, FIFO, socket, folder or symbolic link is
refused (renaming over it would replace the device or link itself, and writing through it could reach
anything, ``/proc/self/fd/1`` included). A disk that fails the write (full, read-only, a file size limit,
no permission) is one ``AssetmapError`` naming the file, and the temporary file is removed.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assetmap.core.errors import AssetmapError

# a disk condition, whichever file it struck; the others only when they name the output or its folder
_DISK_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)}
_PATH_ERRNOS = {errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOENT, errno.ENAMETOOLONG,
                errno.EEXIST, errno.ELOOP, errno.EXDEV, errno.EBUSY, errno.ETXTBSY}
_SQLITE_DISK = ("disk is full", "disk I/O error", "readonly database", "unable to open database file")


def not_a_file(dest: Path) -> str | None:
    """What ``dest`` is when it exists and is not a regular file (a link counts, even to a file), else None."""
    try:
        mode = os.lstat(dest).st_mode
    except OSError:  # missing, or under something that is not a folder: the write says so
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def refusal(kind: str) -> str:
    """Why a destination of this kind is refused, for the message."""
    if kind == "a symbolic link":
        return "assetmap does not write through a link, even with --force: give the path of the file itself"
    return "assetmap writes only a new file or over a regular file, even with --force"


def check_destination(dest: Path) -> None:
    """Refuse a destination that exists and is not a regular file (see the module's docstring)."""
    kind = not_a_file(dest)
    if kind:
        raise AssetmapError(f"cannot write {dest}: it is {kind}, and {refusal(kind)}; nothing was written.")


def _reason(exc: OSError, dest: Path) -> str:
    code = exc.errno
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == getattr(errno, "EDQUOT", None):
        return "your disk quota is used up"
    if code == errno.EFBIG:
        return "the file would be larger than this system allows (a file size limit)"
    if code == errno.EROFS:
        return "the disk is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied (the folder {dest.parent} cannot be written)"
    if code == errno.ENOTDIR:
        return "part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return "it is a folder"
    if code == errno.ENOENT:
        return "its folder does not exist"
    if code == errno.EIO:
        return "a disk error"
    return exc.strerror or str(exc)


def _likely_cause(folder: Path) -> str:
    """SQLite says only "disk I/O error": name the likely cause when it can be seen."""
    try:
        if os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize < 1 << 20:
            return "the disk is full"
    except (OSError, AttributeError):  # no statvfs on Windows
        pass
    try:
        import resource

        if resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY:
            return "a file size limit (ulimit -f) is set for this program"
    except (ImportError, OSError, ValueError):
        pass
    return "is the disk full, read-only or failing?"


def _write_failure(exc: BaseException, dest: Path, tmp: Path | None) -> AssetmapError | None:
    """The one-line error for a write the disk or the path failed, or None when ``exc`` is something else."""
    existed = " (the existing file is unchanged)" if os.path.isfile(dest) else ""
    if isinstance(exc, OSError):
        named = {str(p) for p in (dest, dest.parent, tmp) if p is not None}
        ours = exc.filename is None or str(exc.filename) in named or (
            isinstance(exc.filename, str) and Path(exc.filename).parent == dest.parent)
        if exc.errno in _DISK_ERRNOS or (exc.errno in _PATH_ERRNOS and ours):
            return AssetmapError(f"cannot write {dest}: {_reason(exc, dest)}; nothing was written{existed}.")
        return None
    if isinstance(exc, sqlite3.OperationalError) and any(m in str(exc) for m in _SQLITE_DISK):
        why = "the disk is full" if "full" in str(exc) else f"{exc} ({_likely_cause(dest.parent)})"
        return AssetmapError(f"cannot write {dest}: {why}; nothing was written{existed}.")
    if isinstance(exc, AssetmapError) and tmp is not None and tmp.name in str(exc):  # about the temporary copy
        text = str(exc).replace(str(tmp), str(dest)).replace(tmp.name, dest.name)
        return AssetmapError(text if text.startswith("cannot write ") else f"cannot write {dest}: {text}")
    return None


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def refuse_hot_wal(dest: Path) -> None:
    """Refuse to replace a database another program still has changes for in its ``-wal`` file.

    SQLite would apply that WAL to whatever file next has the name, so writing a new project over
    one that QGIS has open (or left after a crash) would corrupt the new one and lose the old edits.
    """
    wal = dest.with_name(dest.name + "-wal")
    try:
        hot = wal.stat().st_size > 0
    except OSError:
        return
    if hot:
        raise AssetmapError(
            f"{dest.name} cannot be replaced: another program (QGIS?) has it open, or closed without saving its "
            f"last changes into it ({wal.name} is beside it). Close it there, or open it once in assetmap or QGIS so "
            "those changes are saved into the file, and try again; nothing was written."
        )


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path in dest's folder; on success it replaces dest, on error it is removed.

    A destination that is not a new path or a regular file, and a write the disk fails, raise one
    ``AssetmapError`` (see the module's docstring); dest is then as it was.
    """
    dest = Path(dest)
    check_destination(dest)
    refuse_hot_wal(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        os.close(fd)
    except OSError as exc:
        raise (_write_failure(exc, dest, None) or exc) from None
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # writers (SQLite, GDAL) want to create the file themselves
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        refuse_hot_wal(dest)
        check_destination(dest)  # again: it may have been replaced by a FIFO or a link while we wrote
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    except (OSError, sqlite3.Error, AssetmapError) as exc:
        failure = _write_failure(exc, dest, tmp)
        if failure is None:
            raise
        raise failure from None
    finally:
        for leftover in (tmp, *(Path(str(tmp) + side) for side in ("-journal", "-wal", "-shm"))):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass


def write_atomic(dest: Path, writer: Callable[[Path], None]) -> None:
    with atomic_path(dest) as tmp:
        writer(tmp)
