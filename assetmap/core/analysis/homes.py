"""Where people live, for coverage: homes from the project's postcode lookup, else nothing (coverage by area).

Coverage "of homes" is the share of a neighbourhood's postcode centres within reach, each postcode counted
once: Code-Point Open has no household count, and the lookup reader (``core.io.postcodes``) keeps only each
postcode's point, so no file's count column is read. Population points given for a run (``population``)
take precedence; area is the fallback when there is neither. A lookup that has gone or no longer reads is
a note, never a failure, and so is a neighbourhood that holds no postcode centre (it is measured by area).

A national lookup is about 1.7 million rows, so reading it is most of a run's time: ``read_lookup`` reads
exactly what ``core.io.postcodes.load_lookups`` reads, in batches (the rows of Code-Point Open's layout
checked and converted a batch at a time rather than one by one). The homes are then kept on disk beside
other caches (``cache_dir``), by the files' paths, sizes, times and inodes and the project's coordinate
system, so the next run reads them in milliseconds; a changed, replaced or added file is read again.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import itertools
import os
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS

from assetmap.core.analysis.coverage import PlacedPeople
from assetmap.core.analysis.kept_files import keep
from assetmap.core.analysis.population import PopulationPoints
from assetmap.core.errors import AssetmapError, DataError
from assetmap.core.io import postcodes
from assetmap.core.io.coords import BNG, transformer
from assetmap.core.io.postcodes import LookupPart, PostcodeLookup, is_postcode, normalise_postcode
from assetmap.core.project.lookups import remembered_lookups

if TYPE_CHECKING:
    from assetmap.core.progress import Progress

HOMES = "homes"
_AREA = "coverage is of the area of each neighbourhood"
_cache: dict[tuple[Any, ...], PopulationPoints] = {}  # the last lookup read, by its files' paths, sizes and times


def _lookup_xy(lookup: PostcodeLookup, crs: CRS) -> np.ndarray:
    """Every postcode centre of ``lookup`` in ``crs`` (those that do not convert to finite numbers left out)."""
    xy = np.fromiter(itertools.chain.from_iterable(lookup.points.values()), dtype=float,
                     count=2 * len(lookup.points)).reshape(-1, 2)
    if len(xy) and lookup.crs != crs:
        xs, ys = transformer(lookup.crs, crs).transform(xy[:, 0], xy[:, 1])
        xy = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    finite: np.ndarray = xy[np.isfinite(xy).all(axis=1)]
    return finite


def _homes(xy: np.ndarray, paths: Sequence[str]) -> PopulationPoints:
    files = ", ".join(Path(p).name or p for p in paths)
    note = f"{len(xy):,} postcode centres from {files}, each counted once"
    return PopulationPoints(shapely.points(xy).reshape(-1), np.ones(len(xy)), files, HOMES, note)


def homes_from_lookup(lookup: PostcodeLookup, crs: CRS) -> PopulationPoints:
    """Every postcode centre of ``lookup`` as a point in ``crs``, each standing for one (equal) share of homes."""
    return _homes(_lookup_xy(lookup, crs), lookup.paths)


_BATCH = 20_000  # rows converted at a time
_CACHE_FORMAT = 1  # bump when what a cached file holds changes
_CACHE_KEPT = 4  # cached lookups kept (the newest): one per lookup in use, a few MB per 100,000 postcodes


def _files_read(path: Path) -> list[Path]:
    """The files ``load_postcodes`` reads for ``path``: a folder's CSV files (subfolders too), else the file."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())
    return [path]


def _stamp(paths: list[str]) -> tuple[Any, ...] | None:
    """What identifies the files as they are now: each file read (a folder's CSV files one by one), with its
    size, time and inode, so a changed, replaced, added or removed file reads again; None if one is gone."""
    stamp: list[Any] = []
    for path in paths:
        try:
            resolved = Path(path).expanduser().resolve()
            stamp.append(str(resolved))
            for file in _files_read(resolved):
                st = file.stat()
                stamp += [str(file), st.st_size, st.st_mtime_ns, st.st_ino]
        except OSError:
            return None
    return tuple(stamp)


# --- reading the lookup: what core.io.postcodes reads, a batch at a time --------------------------------------

def _add_codepoint_rows(rows: list[list[str]], points: dict[str, tuple[float, float]]) -> None:
    """``postcodes._read_one``'s Code-Point Open branch for a batch of rows, checked and converted together:
    rows without both coordinates (as numbers) are skipped, 0, 0 (quality 90) is no location, the key is the
    normalised postcode and a later row wins. A batch with anything unusual is done row by row, as there."""
    try:  # map and itemgetter: the loops run in C
        east = np.fromiter(map(float, map(itemgetter(2), rows)), dtype=float, count=len(rows))
        north = np.fromiter(map(float, map(itemgetter(3), rows)), dtype=float, count=len(rows))
    except (IndexError, ValueError):
        for row in rows:
            try:
                e, n = float(row[2]), float(row[3])
            except (IndexError, ValueError):
                continue
            if e > 0 or n > 0:
                points[normalise_postcode(row[0])] = (e, n)
        return
    keys = list(map(str.replace, map(str.upper, map(itemgetter(0), rows)), repeat(" "), repeat("")))
    joined = "".join(keys)
    if not (joined.isascii() and joined.isalnum()):  # anything but letters, digits and spaces: the full rule
        keys = [normalise_postcode(r[0]) for r in rows]
    keep = (east > 0) | (north > 0)  # NaN compares false, as in the row-by-row test
    if keep.all():
        points.update(zip(keys, zip(east.tolist(), north.tolist())))
    else:
        points.update(zip(itertools.compress(keys, keep.tolist()), zip(east[keep].tolist(), north[keep].tolist())))


def _read_text(rows: Iterator[list[str]], points: dict[str, tuple[float, float]]) -> CRS | None:
    """One CSV's postcodes into ``points``: Code-Point Open (no header) here in batches, any other layout by
    ``postcodes._read_one`` itself. The CRS of its coordinates, or None when it is not a lookup."""
    first = next(rows, None)
    if first is None:
        return None
    if not (first and is_postcode(first[0])):
        return postcodes._read_one(itertools.chain([first], rows), points)
    batch = [first]
    while True:
        batch.extend(itertools.islice(rows, _BATCH - len(batch)))
        if not batch:
            return BNG
        _add_codepoint_rows(batch, points)
        batch = []


def _read_postcodes(path: Path, progress: Progress | None) -> PostcodeLookup:
    """``postcodes.load_postcodes(path)``, with the same result and the same errors."""
    if not path.exists():
        raise DataError("the postcode lookup does not exist", file=path)
    points: dict[str, tuple[float, float]] = {}
    crs: CRS | None = None
    files = 0
    for name, opener in postcodes._texts(path):
        if progress is not None:
            progress.update(0, 1, f"Reading postcodes: {Path(name).name}")
        with postcodes._open_text(opener) as text:
            found = _read_text(csv.reader(text), points)
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


def read_lookup(paths: Sequence[str | Path], progress: Progress | None = None) -> PostcodeLookup:
    """``postcodes.load_lookups(paths)``: the same lookup (postcodes, points, order, parts, overlap) and the same
    errors, read several times faster. Several lookups merge as there: a later one wins, and one in another
    coordinate system is converted to the first's."""
    if not paths:
        raise ValueError("read_lookup needs at least one path")
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects that all live on: collecting them only costs time
    try:
        merged: PostcodeLookup | None = None
        for path in paths:
            one = _read_postcodes(Path(path).expanduser().resolve(), progress)
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
    finally:
        if collecting:
            gc.enable()
    assert merged is not None
    merged.source = "; ".join(merged.paths)
    return merged


# --- the homes kept on disk between runs ------------------------------------------------------------------------

def cache_dir() -> Path | None:
    """Where homes read from a lookup are kept between runs: ``$ASSETMAP_CACHE_DIR`` (empty: nowhere), else
    ``$XDG_CACHE_HOME/assetmap`` or ``~/.cache/assetmap``."""
    given = os.environ.get("ASSETMAP_CACHE_DIR")
    if given is not None:
        return Path(given).expanduser() if given.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "assetmap"


def _cache_file(key: tuple[Any, ...]) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(repr((_CACHE_FORMAT, key)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return folder / f"homes-{digest}.npy"


def _load_cached(key: tuple[Any, ...]) -> np.ndarray | None:
    """The homes' coordinates kept for ``key``, or None (none kept, or not readable as kept)."""
    file = _cache_file(key)
    if file is None:
        return None
    try:
        xy: np.ndarray = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(xy, np.ndarray) or xy.dtype != np.float64 or xy.ndim != 2 or xy.shape[1] != 2:
        return None
    try:
        os.utime(file)  # the newest are kept
    except OSError:
        pass
    return xy


def _keep(key: tuple[Any, ...], xy: np.ndarray) -> None:
    """Keep the homes' coordinates for the next run (written whole or not at all; a failure is no matter)."""
    file = _cache_file(key)
    if file is None:
        return
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(xy, dtype=np.float64), allow_pickle=False)
    keep(file, buffer.getvalue(), kind="homes", kept=_CACHE_KEPT)


def project_homes(project: Any, progress: Progress | None = None) -> tuple[PopulationPoints | None, list[str]]:
    """The homes of the project's remembered postcode lookup, and notes on where they came from or why not.

    None (coverage by area) when the project remembers no lookup, or its files have all gone or do not read.
    """
    try:
        remembered = remembered_lookups(project)
    except AssetmapError as exc:  # a setting damaged outside assetmap: the analysis was fine without it
        return None, [f"the postcode lookup remembered for this project could not be read ({exc}): {_AREA}"]
    if not remembered:
        return None, [f"{_AREA}: the project has no postcode lookup to say where homes are (import a file with "
                      "--postcodes and the lookup is remembered)"]
    present = [p for p in remembered if Path(p).exists()]
    gone = [p for p in remembered if p not in present]
    notes = []
    if gone:
        where = ", ".join(gone)
        notes.append(f"the postcode lookup remembered for this project is no longer there ({where})"
                     + ("" if present else f": {_AREA}"))
    if not present:
        return None, notes
    key = (str(project.crs.to_wkt()), _stamp(present))
    homes = _cache.get(key) if key[1] is not None else None
    if homes is None:
        xy = _load_cached(key) if key[1] is not None else None
        if xy is not None:
            homes = _homes(xy, [str(Path(p).expanduser().resolve()) for p in present])
        else:
            try:
                lookup = read_lookup(present, progress)
            except (DataError, OSError) as exc:
                notes.append(f"the postcode lookup remembered for this project could not be read ({exc}): {_AREA}")
                return None, notes
            xy = _lookup_xy(lookup, project.crs)
            homes = _homes(xy, lookup.paths)
            if key[1] is not None and _stamp(present) == key[1]:  # not changed while it was read
                _keep(key, xy)
        _cache.clear()
        if key[1] is not None:
            _cache[key] = homes
    if not len(homes.points):
        notes.append(f"the postcode lookup remembered for this project has no postcode centres: {_AREA}")
        return None, notes
    return homes, notes


def basis_notes(people: PopulationPoints | None, placed: PlacedPeople | None, codes: list[str]) -> list[str]:
    """What a run's coverage is of: where its homes or residents came from, and the neighbourhoods without any."""
    if people is None or placed is None:
        return []
    if people.basis == HOMES:
        what, none = "homes", "no postcode centre"
        text = f"coverage is of homes: {people.note} (the lookup gives no household counts)"
    else:
        what, none = "residents", "no population point (or only points with no residents)"
        text = f"coverage is of residents: {people.note}"
    if placed.outside:
        text += f"; {len(placed.points):,} lie in the neighbourhoods, {placed.outside:,} outside them are left out"
    notes = [text]
    empty = [c for c, total in zip(codes, placed.total.tolist()) if not total > 0]
    if empty:
        shown = ", ".join(empty[:5]) + (f" and {len(empty) - 5:,} more" if len(empty) > 5 else "")
        one = len(empty) == 1
        notes.append(f"{len(empty):,} neighbourhood{'' if one else 's'} ({shown}) hold{'s' if one else ''} {none}: "
                     f"{'its' if one else 'their'} coverage is of the area, not of {what}")
    return notes
