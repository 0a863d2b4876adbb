"""Postcode lookups, to place rows that have a postcode but no coordinates.

Reads the two layouts that are freely available in Britain: OS Code-Point Open (no header row:
postcode, quality, eastings, northings, ...) and the ONS Postcode Directory (a header with pcds /
oseast1m / osnrth1m or lat / long); any CSV with a postcode column and coordinate columns also works.
A folder (Code-Point Open ships one CSV per postcode area, in Data/CSV/) or a zip of such CSVs is read whole,
subfolders included; several lookups (``load_lookups``) merge into one, each saying how many postcodes it gave.
Files are read as streams, so a national directory (over a gigabyte) never sits in memory as text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from pyproj import CRS

from assetmap.core.errors import DataError
from assetmap.core.io.columns import COORD_PAIRS, normalise
from assetmap.core.io.coords import BNG, WGS84, transformer
from assetmap.core.progress import Progress, ensure_progress

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$")
_POSTCODE_HEADERS = ("postcode", "pcds", "pcd", "pcd7", "pcd8", "pc", "post_code")


def normalise_postcode(value: object) -> str:
    """The lookup key: upper case, nothing but letters and digits ('m33 2lj', 'M332LJ', 'M33-2LJ.' → 'M332LJ')."""
    return re.sub(r"[^0-9A-Z]+", "", str(value).upper()) if value is not None else ""


def is_postcode(value: object) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(value)))


def format_postcode(value: object) -> str | None:
    """A UK postcode written the standard way ('m332lj' → 'M33 2LJ'); None if it is not one."""
    key = normalise_postcode(value)
    return f"{key[:-3]} {key[-3:]}" if _POSTCODE.match(key) else None


@dataclass
class LookupPart:
    """One file or folder of a lookup: where it is, how many postcodes it gave, and from how many CSV files."""

    path: str
    postcodes: int
    files: int = 1

    def describe(self) -> str:
        name = Path(self.path).name or self.path
        where = f"folder {name} ({self.files} CSV files)" if Path(self.path).is_dir() else name
        return f"{self.postcodes:,} from {where}"


@dataclass
class PostcodeLookup:
    """Postcode → (x, y) in ``crs``; a postcode without coordinates in the source is absent."""

    points: dict[str, tuple[float, float]]
    crs: CRS
    source: str
    parts: list[LookupPart] = field(default_factory=list)
    overlap: int = 0  # postcodes given by more than one part (the later part's point is kept)

    def locate(self, postcode: object, to_crs: CRS) -> tuple[float, float] | None:
        found = self.points.get(normalise_postcode(postcode))
        if found is None:
            return None
        if self.crs == to_crs:
            return found
        return transformer(self.crs, to_crs).transform(*found)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def paths(self) -> list[str]:
        """The files and folders it was read from, as given (resolved by ``load_lookups``)."""
        return [p.path for p in self.parts] or [self.source]

    def describe(self) -> str:
        """'6,482 postcodes from codepoint_open_trafford.csv', or the merge of several, one count each."""
        parts = self.parts or [LookupPart(self.source, len(self.points))]
        if len(parts) == 1:
            return f"{parts[0].describe().replace(' from ', ' postcodes from ', 1)}"
        text = f"{len(self.points):,} postcodes merged from {len(parts)} lookups: " + "; ".join(
            p.describe() for p in parts)
        if self.overlap:
            text += f" ({self.overlap:,} in more than one: the one given last is used)"
        return text


@contextmanager
def _open_text(opener: Callable[[], IO[bytes]]) -> Iterator[IO[str]]:
    raw = opener()
    try:
        yield io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    finally:
        raw.close()


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _member_opener(zf: zipfile.ZipFile, name: str) -> Callable[[], IO[bytes]]:
    return lambda: zf.open(name)


def _texts(path: Path) -> Iterator[tuple[str, Callable[[], IO[bytes]]]]:
    """(name, opener) for each CSV of a file, a folder (and its subfolders) or a zip."""
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv" and p.is_file()):
            yield str(child.relative_to(path)), _file_opener(child)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if name.lower().endswith(".csv"):
                    yield name, _member_opener(zf, name)
    else:
        yield path.name, _file_opener(path)


def _read_one(rows: Iterator[list[str]], points: dict[str, tuple[float, float]]) -> CRS | None:
    first = next(rows, None)
    if first is None:
        return None
    if first and is_postcode(first[0]):  # Code-Point Open: no header
        for row in _chain(first, rows):
            try:
                e, n = float(row[2]), float(row[3])
            except (IndexError, ValueError):
                continue
            if e > 0 or n > 0:  # quality 90 rows carry 0, 0
                points[normalise_postcode(row[0])] = (e, n)
        return BNG
    headers = [normalise(h) for h in first]
    pc = next((headers.index(h) for h in _POSTCODE_HEADERS if h in headers), None)
    if pc is None:
        return None
    for xs, ys, hint in COORD_PAIRS[:2]:
        xi = next((headers.index(h) for h in xs if h in headers), None)
        yi = next((headers.index(h) for h in ys if h in headers), None)
        if xi is None or yi is None:
            continue
        crs = WGS84 if hint == "EPSG:4326" else BNG
        for row in rows:
            try:
                x, y = float(row[xi]), float(row[yi])
            except (IndexError, ValueError):
                continue
            if np.isfinite(x) and np.isfinite(y) and (x != 0 or y != 0) and abs(y) != 99.999999:
                points[normalise_postcode(row[pc])] = (x, y)
        return crs
    return None


def _chain(first: list[str], rows: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rows


def load_postcodes(path: str | Path, progress: Progress | None = None) -> PostcodeLookup:
    """Read a postcode lookup file, folder or zip; DataError if it has no usable rows."""
    path = Path(path)
    progress = ensure_progress(progress)
    if not path.exists():
        raise DataError("the postcode lookup does not exist", file=path)
    points: dict[str, tuple[float, float]] = {}
    crs: CRS | None = None
    files = 0
    for name, opener in _texts(path):
        progress.update(0, 1, f"Reading postcodes: {Path(name).name}")
        with _open_text(opener) as text:
            found = _read_one(csv.reader(text), points)
        if found is not None:
            files += 1
            if crs is not None and found != crs:
                raise DataError("mixes lookups in different coordinate systems", file=path)
            crs = found
    if crs is None or not points:
        raise DataError("is not a postcode lookup: expected Code-Point Open rows (postcode, quality, "
                        "eastings, northings) or a header with a postcode column and coordinates"
                        + (" in any of the folder's CSV files" if path.is_dir() else ""), file=path)
    return PostcodeLookup(points, crs, str(path), [LookupPart(str(path), len(points), files)])


def load_lookups(paths: Sequence[str | Path], progress: Progress | None = None) -> PostcodeLookup:
    """Several lookups (files, folders, zips) merged into one; a postcode in more than one takes the later point.

    Each is read whole first, so one that is not a lookup fails with its own name; points of a lookup in
    another coordinate system (ONS latitude/longitude beside Code-Point eastings) are converted to the first's.
    """
    if not paths:
        raise ValueError("load_lookups needs at least one path")
    merged: PostcodeLookup | None = None
    for path in paths:
        resolved = Path(path).expanduser().resolve()
        one = load_postcodes(resolved, progress)
        if merged is None:
            merged = one
            continue
        points = one.points
        if one.crs != merged.crs:
            keys = list(points)
            xy = np.array([points[k] for k in keys], dtype=float)
            xs, ys = transformer(one.crs, merged.crs).transform(xy[:, 0], xy[:, 1])
            points = dict(zip(keys, zip(np.asarray(xs).tolist(), np.asarray(ys).tolist())))
        merged.overlap += sum(1 for k in points if k in merged.points)
        merged.points.update(points)
        merged.parts += one.parts
    assert merged is not None
    merged.source = "; ".join(merged.paths)
    return merged
