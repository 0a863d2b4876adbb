"""How much a file may hold before assetmap refuses it, and the checks that say so.

An asset register or a boundary file is small: thousands of rows, dozens of columns. Anything far beyond
that is a damaged export or a hostile file (a zip bomb, a 10 MB header cell), and reading it would fill
the disk or the memory, or run for minutes, before failing anyway. Each limit gives a ``DataError`` that
names the file and the limit, so a real file that is merely large can be split or cleaned.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Protocol

from assetmap.core.errors import DataError

UNPACK_LIMIT_MB = 512  # what one archive may unpack to (ASSETMAP_UNPACK_LIMIT_MB overrides, never above free space)
UNPACK_LIMIT_ENV = "ASSETMAP_UNPACK_LIMIT_MB"
FREE_SPACE_MARGIN = 64 << 20  # left free in the temporary folder for everything else
MAX_MEMBERS = 10_000  # files in one zip
MAX_COLUMNS = 1_000
MAX_CELL_CHARS = 1_000_000  # about 400 pages of text: a cell longer than that is a quote that never closed
MAX_HEADER_CHARS = 1_000  # one column name
MAX_LINE_CHARS = 2_000_000  # one line of a text file
MAX_FOOTPRINT_VERTICES = 10_000  # more are simplified (a park drawn point by point from a survey)
MAX_FOOTPRINT_PARTS = 1_000  # more are refused (a layer of allotment plots dissolved into one shape)
MAX_WHOLE_NUMBER = 10**15  # a count or capacity beyond this is a typing or export error (and SQLite holds < 2**63)
MAX_POPULATION = 10**9

_CHUNK = 1 << 20


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def configured_limit() -> int:
    """Bytes one archive may unpack to, as configured (``ASSETMAP_UNPACK_LIMIT_MB``, else the default)."""
    raw = os.environ.get(UNPACK_LIMIT_ENV, "").strip()
    try:
        return (max(1, int(raw)) if raw else UNPACK_LIMIT_MB) << 20
    except ValueError:
        return UNPACK_LIMIT_MB << 20


def unpack_limit() -> int:
    """Bytes one archive may unpack to: the configured limit, but never more than the temporary folder's
    free space (less a margin), so a bomb cannot fill the disk."""
    limit = configured_limit()
    try:
        free = shutil.disk_usage(tempfile.gettempdir()).free - FREE_SPACE_MARGIN
    except OSError:
        return limit
    return max(0, min(limit, free))


def megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 10 << 20 else f"{size / (1 << 20):,.1f} MB"


def too_big(source: Path, what: str, limit: int) -> DataError:
    """The refusal for an archive that unpacks to more than ``limit`` bytes."""
    why = "" if limit >= configured_limit() else " (the free space left in the temporary folder)"
    return DataError(f"{what} unpacks to more than {megabytes(limit)}{why}, more than assetmap unpacks; "
                     "unpack it yourself and import the file it holds", file=source)


def copy_bounded(src: Readable, dst: IO[bytes], budget: int, source: Path, what: str) -> int:
    """Copy ``src`` to ``dst`` while counting, stopping as soon as more than ``budget`` bytes came out
    (whatever the archive's headers claim); returns the number of bytes copied."""
    copied = 0
    while chunk := src.read(_CHUNK):
        copied += len(chunk)
        if copied > budget:
            raise too_big(source, what, budget)
        dst.write(chunk)
    return copied


def check_columns(count: int, path: Path) -> None:
    if count > MAX_COLUMNS:
        raise DataError(f"has {count:,} columns; assetmap reads at most {MAX_COLUMNS:,} (is it an asset list?)",
                        file=path)


def check_cell(value: object, path: Path, row: int | None, column: str | None) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise DataError(f"the cell holds {len(value):,} characters; assetmap reads at most {MAX_CELL_CHARS:,} "
                        "in one cell (is a closing quote missing?)", file=path, row=row, column=column)


def check_header(value: object, path: Path, position: int) -> None:
    if isinstance(value, str) and len(value) > MAX_HEADER_CHARS:
        raise DataError(f"the name of column {position} is {len(value):,} characters long; a column name may have "
                        f"at most {MAX_HEADER_CHARS:,} (is the first row really the header?)", file=path)


def check_lines(text: str, path: Path) -> None:
    """Refuse text with a line longer than ``MAX_LINE_CHARS`` before any parser spends minutes on it."""
    if len(text) <= MAX_LINE_CHARS:
        return
    start, number = 0, 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE_CHARS:
            raise DataError(f"line {number} is {end - start:,} characters long; assetmap reads lines of at most "
                            f"{MAX_LINE_CHARS:,} characters (is it a table of assets?)", file=path)
        start, number = end + 1, number + 1


def whole_number_problem(value: object) -> str | None:
    """Why a whole number cannot be stored as a count (None when it can)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"'{value}' is not a finite number"
    if abs(value) > MAX_WHOLE_NUMBER:
        return f"{value:.3g} is too large a number (at most {MAX_WHOLE_NUMBER:,})"
    return None


MAX_DETAIL_CHARS = 200


def library_detail(exc: BaseException, *paths: object) -> str:
    """A library's error as a short bracketed detail for one line: its first line, the paths it quotes
    shortened to their names (a temporary folder means nothing to a user), GDAL's driver hint dropped."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    for path in paths:
        if path is not None and str(path):
            text = text.replace(str(path), Path(str(path)).name)
    text = text.split("; It might help to specify the correct driver")[0].rstrip(".")
    return text if len(text) <= MAX_DETAIL_CHARS else text[:MAX_DETAIL_CHARS - 3] + "..."
