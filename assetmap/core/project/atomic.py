"""Write a whole file beside its destination and rename it into place, so a crash never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


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


@contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path in dest's folder; on success it replaces dest, on error it is removed."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (SQLite, GDAL) want to create the file themselves
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        fsync_dir(dest.parent)
    finally:
        for leftover in (tmp, Path(str(tmp) + "-journal")):
            leftover.unlink(missing_ok=True)


def write_atomic(dest: Path, writer: Callable[[Path], None]) -> None:
    with atomic_path(dest) as tmp:
        writer(tmp)
