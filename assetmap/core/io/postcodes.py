"""Postcode lookups, to place rows that have a postcode but no coordinates.

Reads the two layouts that are freely available in Britain: OS Code-Point Open (no header row:
postcode, quality, eastings, northings, ...) and the ONS Postcode Directory (a header with pcds /
oseast1m / osnrth1m or lat / long); any CSV with a postcode column and coordinate columns also works.
A folder (Code-Point Open ships one CSV per postcode area) or a zip of such CSVs is read whole.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import CRS

from assetmap.core.errors import DataError
from assetmap.core.io.columns import COORD_PAIRS, normalise
from assetmap.core.io.coords import BNG, WGS84, transformer

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
class PostcodeLookup:
    """Postcode → (x, y) in ``crs``; a postcode without coordinates in the source is absent."""

    points: dict[str, tuple[float, float]]
    crs: CRS
    source: str

    def locate(self, postcode: object, to_crs: CRS) -> tuple[float, float] | None:
        found = self.points.get(normalise_postcode(postcode))
        if found is None:
            return None
        if self.crs == to_crs:
            return found
        return transformer(self.crs, to_crs).transform(*found)

    def __len__(self) -> int:
        return len(self.points)


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    if path.is_dir():
        for child in sorted(path.glob("*.csv")):
            yield child.name, child.read_text(encoding="utf-8-sig", errors="replace")
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if name.lower().endswith(".csv"):
                    yield name, zf.read(name).decode("utf-8-sig", errors="replace")
    else:
        yield path.name, path.read_text(encoding="utf-8-sig", errors="replace")


def _read_one(name: str, text: str, points: dict[str, tuple[float, float]]) -> CRS | None:
    rows = csv.reader(io.StringIO(text))
    first = next(rows, None)
    if first is None:
        return None
    if first and is_postcode(first[0]):  # Code-Point Open: no header
        for row in [first, *rows]:
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


def load_postcodes(path: str | Path) -> PostcodeLookup:
    """Read a postcode lookup file, folder or zip; DataError if it has no usable rows."""
    path = Path(path)
    if not path.exists():
        raise DataError("the postcode lookup does not exist", file=path)
    points: dict[str, tuple[float, float]] = {}
    crs: CRS | None = None
    for name, text in _texts(path):
        found = _read_one(name, text, points)
        if found is not None:
            if crs is not None and found != crs:
                raise DataError("mixes lookups in different coordinate systems", file=path)
            crs = found
    if crs is None or not points:
        raise DataError("is not a postcode lookup: expected Code-Point Open rows (postcode, quality, "
                        "eastings, northings) or a header with a postcode column and coordinates", file=path)
    return PostcodeLookup(points, crs, str(path))
