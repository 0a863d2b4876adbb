"""Is a point in or near the project's neighbourhoods? Asked before an asset is placed by a click.

A click 80 km from the project area is nearly always a slip (the map was zoomed out, or panned
away), so the app asks before saving it. The borough boundary is not the edge of the world: assets
a little outside count for coverage (DESIGN section 8), so only a point beyond a margin is queried.
Distances are straight lines in the project's projected CRS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

DEFAULT_MARGIN_M = 1000.0  # beyond this from every neighbourhood, a point is "outside the area"


@dataclass(frozen=True)
class AreaCheck:
    """Where a point is against the neighbourhoods: ``distance_m`` is 0 inside one, None with none to compare."""

    distance_m: float | None
    nearest: str | None  # the nearest neighbourhood's name
    margin_m: float = DEFAULT_MARGIN_M

    @property
    def inside(self) -> bool:
        return self.distance_m is not None and self.distance_m <= 0.0

    @property
    def near(self) -> bool:
        """In the area or within the margin; a project without neighbourhoods has no outside."""
        return self.distance_m is None or self.distance_m <= self.margin_m

    def describe(self) -> str:
        """The distance in plain words, for the question the app asks."""
        if self.distance_m is None:
            return "The project has no neighbourhoods to compare with."
        where = f" ({self.nearest})" if self.nearest else ""
        if self.inside:
            return f"The point is inside a neighbourhood{where}."
        far = f"{self.distance_m / 1000:.1f} km" if self.distance_m >= 1000 else f"{self.distance_m:.0f} m"
        return f"The point is {far} from the nearest neighbourhood{where}."


class AreaIndex:
    """The neighbourhood boundaries in a spatial index, built once and asked many times.

    Reading every LSOA of England and Wales takes seconds, a question then takes microseconds; the
    GUI builds this off its thread when a project opens.
    """

    def __init__(self, neighbourhoods: gpd.GeoDataFrame) -> None:
        shapes = neighbourhoods[neighbourhoods.geometry.notna() & ~neighbourhoods.geometry.is_empty]
        self._geoms = np.asarray(shapes.geometry.values, dtype=object)
        names = shapes["name"] if "name" in shapes.columns else shapes.get("code")
        self._names = [None if pd.isna(n) else str(n) for n in (names.tolist() if names is not None else [])]
        self._tree = shapely.STRtree(self._geoms) if len(self._geoms) else None
        crs = neighbourhoods.crs
        axis = crs.axis_info[0] if crs is not None and crs.axis_info else None
        self._metres = float(axis.unit_conversion_factor) if axis is not None and crs.is_projected else 1.0

    def check(self, point: shapely.Geometry, margin_m: float = DEFAULT_MARGIN_M) -> AreaCheck:
        """How far ``point`` (in the boundaries' CRS) is from the nearest neighbourhood."""
        if self._tree is None or point is None or point.is_empty:
            return AreaCheck(None, None, margin_m)
        found, dist = self._tree.query_nearest(point, return_distance=True, all_matches=False)
        if not len(found):
            return AreaCheck(None, None, margin_m)
        i = int(found[0])
        name = self._names[i] if i < len(self._names) else None
        return AreaCheck(float(dist[0]) * self._metres, name, margin_m)


def area_index(project: Any) -> AreaIndex:
    """The project's neighbourhoods, indexed for ``AreaIndex.check``."""
    return AreaIndex(project.neighbourhoods())


def check_point(project: Any, point: shapely.Geometry, margin_m: float = DEFAULT_MARGIN_M) -> AreaCheck:
    """Is ``point`` (project CRS) in or within ``margin_m`` of the project's neighbourhoods?"""
    return area_index(project).check(point, margin_m)
