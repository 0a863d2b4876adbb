"""Neighbourhoods must not overlap by more than a sliver, or an asset in the overlap counts twice or by chance.

Boundaries digitised at different scales meet in slivers (a few square metres along a shared edge); those
are fine. A real overlap (two versions of a ward in one file, wards mixed with the parishes inside them)
makes an asset there belong to whichever unit comes first, so ``new`` refuses such a file, naming the codes
and the overlap, unless the user says ``--allow-overlap``: then an asset counts in every neighbourhood whose
interior holds it, and the project says so (setting ``allow_overlap``).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from assetmap.core.errors import DataError

SLIVER_SHARE = 0.01  # of the smaller unit's area
SLIVER_M2 = 100.0  # and never less than this: a sliver of a tiny unit is still a sliver
ALLOW_SETTING = "allow_overlap"
_SHOWN = 5


@dataclass(frozen=True)
class Overlap:
    first: str
    second: str
    area_m2: float
    share: float  # of the smaller unit

    def describe(self) -> str:
        return f"{self.first} and {self.second} ({self.area_m2:,.0f} m², {self.share:.0%} of the smaller)"


def find_overlaps(frame: gpd.GeoDataFrame) -> list[Overlap]:
    """Pairs of units overlapping by more than a sliver, largest first; ``frame`` is in a projected CRS."""
    geoms = frame.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    index = np.flatnonzero(valid)
    if len(index) < 2:
        return []
    shapes = shapely.make_valid(geoms[index])
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    shared = shapely.area(shapely.intersection(shapes[left], shapes[right]))
    smaller = np.minimum(shapely.area(shapes[left]), shapely.area(shapes[right]))
    big = (shared > SLIVER_M2) & (shared > SLIVER_SHARE * smaller)
    codes = frame["code"].astype(str).to_numpy()[index]
    found = [Overlap(str(codes[a]), str(codes[b]), float(s), float(s / m) if m > 0 else 1.0)
             for a, b, s, m in zip(left[big], right[big], shared[big], smaller[big])]
    return sorted(found, key=lambda o: -o.area_m2)


def refuse_overlaps(frame: gpd.GeoDataFrame, source: str) -> None:
    """A ``DataError`` naming the overlapping units, unless there are none beyond slivers."""
    found = find_overlaps(frame)
    if not found:
        return
    shown = "; ".join(o.describe() for o in found[:_SHOWN])
    more = f" and {len(found) - _SHOWN} more pairs" if len(found) > _SHOWN else ""
    raise DataError(f"{len(found)} pair{'s' if len(found) != 1 else ''} of neighbourhoods overlap: {shown}{more}. "
                    "An asset in an overlap would count in one of them by chance. Use a file whose units do not "
                    "overlap (for example one set of wards), or --allow-overlap to count such assets in every "
                    "neighbourhood that holds them.", file=source)
