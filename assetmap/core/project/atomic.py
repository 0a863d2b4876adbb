"""Write a whole file beside its destination and rename it into place, so a crash never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from assetmap.core.errors import AssetmapError


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
    """Yield a temporary path in dest's folder; on success it replaces dest, on error it is removed."""
    dest = Path(dest)
    refuse_hot_wal(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (SQLite, GDAL) want to create the file themselves
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        refuse_hot_wal(dest)
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    finally:
        for leftover in (tmp, Path(str(tmp) + "-journal")):
            leftover.unlink(missing_ok=True)


def write_atomic(dest: Path, writer: Callable[[Path], None]) -> None:
    with atomic_path(dest) as tmp:
        writer(tmp)
