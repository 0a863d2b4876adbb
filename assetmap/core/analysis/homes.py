"""Where people live, for coverage: homes from the project's postcode lookup, else nothing (coverage by area).

Coverage "of homes" is the share of a neighbourhood's postcode centres within reach, each postcode counted
once: Code-Point Open has no household count, and the lookup reader (``core.io.postcodes``) keeps only each
postcode's point, so no file's count column is read. Population points given for a run (``population``)
take precedence; area is the fallback when there is neither. A lookup that has gone or no longer reads is
a note, never a failure, and so is a neighbourhood that holds no postcode centre (it is measured by area).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pyproj import CRS

from assetmap.core.analysis.coverage import PlacedPeople
from assetmap.core.analysis.population import PopulationPoints
from assetmap.core.errors import AssetmapError, DataError
from assetmap.core.io.coords import transformer
from assetmap.core.io.postcodes import PostcodeLookup, load_lookups
from assetmap.core.project.lookups import remembered_lookups

if TYPE_CHECKING:
    from assetmap.core.progress import Progress

HOMES = "homes"
_AREA = "coverage is of the area of each neighbourhood"
_cache: dict[tuple[Any, ...], PopulationPoints] = {}  # the last lookup read, by its files' paths, sizes and times


def homes_from_lookup(lookup: PostcodeLookup, crs: CRS) -> PopulationPoints:
    """Every postcode centre of ``lookup`` as a point in ``crs``, each standing for one (equal) share of homes."""
    xy = np.fromiter(itertools.chain.from_iterable(lookup.points.values()), dtype=float,
                     count=2 * len(lookup.points)).reshape(-1, 2)
    if len(xy) and lookup.crs != crs:
        xs, ys = transformer(lookup.crs, crs).transform(xy[:, 0], xy[:, 1])
        xy = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    xy = xy[np.isfinite(xy).all(axis=1)]
    files = ", ".join(Path(p).name or p for p in lookup.paths)
    note = f"{len(xy):,} postcode centres from {files}, each counted once"
    return PopulationPoints(shapely.points(xy).reshape(-1), np.ones(len(xy)), files, HOMES, note)


def _stamp(paths: list[str]) -> tuple[Any, ...] | None:
    """What identifies the files as they are now (a changed or replaced file reads again); None if one is gone."""
    stamp: list[Any] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp += [path, st.st_size, st.st_mtime_ns]
    return tuple(stamp)


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
        try:
            lookup = load_lookups(present, progress)
        except (DataError, OSError) as exc:
            notes.append(f"the postcode lookup remembered for this project could not be read ({exc}): {_AREA}")
            return None, notes
        homes = homes_from_lookup(lookup, project.crs)
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
