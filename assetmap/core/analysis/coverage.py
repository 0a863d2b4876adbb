"""The assets that qualify for a rule, and the coverage and density measures built on them.

Distances are straight-line. An asset with a footprint (``asset_areas``) is reached at the edge
of its footprint, otherwise at its point. For a rule with ``min_area_m2`` (the green-space rules)
only assets whose footprint is at least that big qualify: an asset without a footprint has no
known size and is left out (``Targets.unsized`` counts them so the output can say so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from assetmap.core.analysis.frame import PreparedNeighbourhoods
from assetmap.core.analysis.measures import assign_points
from assetmap.core.analysis.rules import Rule
from assetmap.core.analysis.scanline import area_coverage


@dataclass(frozen=True)
class Targets:
    """What a rule measures distance to: points (x, y) and footprint polygons."""

    points_xy: np.ndarray
    polygons: np.ndarray
    unsized: int = 0

    @property
    def geometries(self) -> np.ndarray:
        """Points and footprints together, for distance queries."""
        return np.concatenate([shapely.points(self.points_xy), self.polygons]) if len(self.points_xy) else self.polygons

    def __len__(self) -> int:
        return len(self.points_xy) + len(self.polygons)


def qualifying_targets(rule: Rule, assets: gpd.GeoDataFrame, footprints: dict[str, shapely.Geometry],
                       footprint_area: dict[str, float]) -> Targets:
    """The located assets of the rule's kinds (sized where the rule asks), as points or footprints."""
    if len(assets) == 0:
        return Targets(np.empty((0, 2)), np.empty(0, dtype=object))
    geoms = assets.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    chosen = assets[assets["kind"].isin(rule.kinds).to_numpy() & located]
    ids = chosen["id"].to_numpy()
    has_area = np.array([i in footprints for i in ids], dtype=bool)
    unsized = 0
    if rule.min_area_m2 is not None:
        big = np.array([footprint_area.get(i, 0.0) >= rule.min_area_m2 for i in ids], dtype=bool)
        unsized = int((~has_area).sum())
        keep_poly, keep_pt = has_area & big, np.zeros(len(ids), bool)
    else:
        keep_poly, keep_pt = has_area, ~has_area
    polygons = np.array([footprints[i] for i in ids[keep_poly]], dtype=object)
    points_xy = shapely.get_coordinates(chosen.geometry.to_numpy()[keep_pt]).reshape(-1, 2)
    return Targets(points_xy, polygons, unsized)


def area_share(prep: PreparedNeighbourhoods, targets: Targets, distance: float,
               tick: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Share of each neighbourhood's area within ``distance`` of a target (see ``scanline``)."""
    return area_coverage(prep, targets.points_xy, targets.polygons, distance, tick=tick)


def population_share(neighbourhoods: np.ndarray, pop_points: np.ndarray, pop_values: np.ndarray,
                     targets: Targets, distance: float) -> np.ndarray:
    """Share of each neighbourhood's residents (population points inside it) within ``distance``.

    NaN where a neighbourhood holds no population point or their population sums to zero.
    """
    n = len(neighbourhoods)
    owner = assign_points(neighbourhoods, pop_points)
    inside = owner >= 0
    covered = np.zeros(len(pop_points), bool)
    if len(targets) and len(pop_points):
        tree = shapely.STRtree(targets.geometries)
        hit, _ = tree.query(pop_points, predicate="dwithin", distance=distance)
        covered[hit] = True
    total = np.bincount(owner[inside], weights=pop_values[inside], minlength=n)
    near = np.bincount(owner[inside], weights=pop_values[inside] * covered[inside], minlength=n)
    share: np.ndarray = np.divide(near, total, out=np.full(n, np.nan), where=total > 0)
    return share


def count_within(neighbourhoods: np.ndarray, targets: Targets, distance: float) -> np.ndarray:
    """How many targets are inside or within ``distance`` of each neighbourhood (each counted once)."""
    n = len(neighbourhoods)
    if not len(targets):
        return np.zeros(n, dtype=np.int64)
    tree = shapely.STRtree(targets.geometries)
    nb_i, _ = tree.query(neighbourhoods, predicate="dwithin", distance=distance)
    return np.bincount(nb_i, minlength=n)
