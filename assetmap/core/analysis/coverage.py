"""The assets that qualify for a rule, and the coverage and density measures built on them.

Distances are straight-line. An asset with a footprint (``asset_areas``) is reached at the edge
of its footprint, otherwise at its point. For a rule with ``min_area_m2`` (the green-space rules)
only sites whose footprint is at least that big qualify: footprints that are one site (touching
with the same name, or the same site mapped twice: see ``footprints``) are sized together, and an
asset without a footprint has no known size and is left out (``Targets.unsized`` counts them so the
output can say so). A rule with ``restricted_kinds`` counts those kinds only when they are open to
the public, not a school's or a club's grounds (see ``green_access``).
Coverage of people (``people_share``) is the share of a neighbourhood's homes or residents, as points
placed once per run (``PlacedPeople``), within the distance of a target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from assetmap.core.analysis.footprints import site_groups, site_names, site_unions
from assetmap.core.analysis.frame import PreparedNeighbourhoods
from assetmap.core.analysis.green_access import grounds_places, open_to_people
from assetmap.core.analysis.measures import assign_points
from assetmap.core.analysis.rules import Rule
from assetmap.core.analysis.scanline import area_coverage
from assetmap.core.taxonomy import Taxonomy


@dataclass(frozen=True)
class Targets:
    """What a rule measures distance to: points (x, y) and footprint polygons (one per site)."""

    points_xy: np.ndarray
    polygons: np.ndarray
    unsized: int = 0
    grounds_left_out: int = 0  # of the rule's kinds, left out as not open to the public (see green_access)
    merged: int = 0  # footprints joined to another of the same site (see footprints)

    @property
    def geometries(self) -> np.ndarray:
        """Points and footprints together, for distance queries."""
        return np.concatenate([shapely.points(self.points_xy), self.polygons]) if len(self.points_xy) else self.polygons

    def __len__(self) -> int:
        return len(self.points_xy) + len(self.polygons)


def qualifying_targets(rule: Rule, assets: gpd.GeoDataFrame, footprints: dict[str, shapely.Geometry],
                       footprint_area: dict[str, float], *, taxonomy: Taxonomy | None = None) -> Targets:
    """The located assets of the rule's kinds that are open to people (sized where the rule asks), as points
    or footprints.

    Assets that a rule with ``restricted_kinds`` leaves out (tagged closed, or a school's or club's grounds:
    see ``green_access``) are counted in ``grounds_left_out`` when they would otherwise have been big enough.
    For the size test and for density rules, footprints that are one site (``footprints.site_groups``) are
    one target: their union, sized by its own area. Coverage rules without a size test keep every footprint
    (the union reaches exactly as far).
    """
    if len(assets) == 0:
        return Targets(np.empty((0, 2)), np.empty(0, dtype=object))
    geoms = assets.geometry.to_numpy()
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    chosen = assets[assets["kind"].isin(rule.kinds).to_numpy() & located]
    access = open_to_people(rule, chosen, grounds_places(assets, footprints) if rule.restricted_kinds else
                            np.empty(0, dtype=object), footprints)
    ids = chosen["id"].to_numpy()
    has_area = np.array([i in footprints for i in ids], dtype=bool)
    size = np.array([footprint_area.get(i, 0.0) for i in ids], dtype=float)
    big = size >= rule.min_area_m2 if rule.min_area_m2 is not None else np.ones(len(ids), bool)
    left_out = int((access.left_out & (has_area | (rule.min_area_m2 is None)) & big).sum())
    keep = access.counts
    chosen, ids, has_area, size = chosen[keep], ids[keep], has_area[keep], size[keep]
    unsized = int((~has_area).sum()) if rule.min_area_m2 is not None else 0
    polygons = np.array([footprints[i] for i in ids[has_area]], dtype=object)
    merged = 0
    if len(polygons) > 1 and (rule.min_area_m2 is not None or rule.type == "density"):
        names = chosen["name"].to_numpy()[has_area] if "name" in chosen.columns else [None] * len(polygons)
        labels = site_groups(polygons, site_names(names, taxonomy))
        firsts, whole = site_unions(polygons, labels)
        merged = len(polygons) - len(firsts)
        sizes = size[has_area][firsts]
        joined = np.unique(labels, return_counts=True)[1] > 1
        sizes[joined] = shapely.area(whole[joined])
        polygons, size_kept = whole, sizes
    else:
        size_kept = size[has_area]
    if rule.min_area_m2 is not None:
        polygons = polygons[size_kept >= rule.min_area_m2]
        keep_pt = np.zeros(len(ids), bool)
    else:
        keep_pt = ~has_area
    points_xy = shapely.get_coordinates(chosen.geometry.to_numpy()[keep_pt]).reshape(-1, 2)
    return Targets(points_xy, np.asarray(polygons, dtype=object), unsized, left_out, merged)


def area_share(prep: PreparedNeighbourhoods, targets: Targets, distance: float,
               tick: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Share of each neighbourhood's area within ``distance`` of a target (see ``scanline``)."""
    return area_coverage(prep, targets.points_xy, targets.polygons, distance, tick=tick)


@dataclass(frozen=True)
class PlacedPeople:
    """Population points (or homes) placed in their neighbourhoods once per run, for every rule's share."""

    points: np.ndarray  # only the points inside a neighbourhood
    xy: np.ndarray  # their coordinates
    values: np.ndarray
    owner: np.ndarray  # index of each point's neighbourhood
    total: np.ndarray  # per neighbourhood: the sum of its points' values
    held: np.ndarray  # per neighbourhood: how many points it holds
    outside: int  # points in no neighbourhood (left out)

    @classmethod
    def of(cls, neighbourhoods: np.ndarray, points: np.ndarray, values: np.ndarray) -> PlacedPeople:
        """Each point goes to the neighbourhood holding it (the first, on a shared boundary)."""
        n = len(neighbourhoods)
        owner = assign_points(neighbourhoods, points)
        inside = owner >= 0
        owner, values = owner[inside], np.asarray(values, dtype=float)[inside]
        kept = np.asarray(points, dtype=object)[inside]
        total = np.bincount(owner, weights=values, minlength=n)
        held = np.bincount(owner, minlength=n)
        return cls(kept, shapely.get_coordinates(kept).reshape(-1, 2), values, owner, total, held,
                   int((~inside).sum()))


# The grid that spares most exact distance tests: cells of side distance / sqrt(2) (a hair less), so two
# points in one cell are always within the distance, and a point more than 2 cells (in x or y) from every
# cell a target's bounding box touches never is. The grid is a raster over the points' extent, up to this
# many cells; beyond that (a short distance over a large area) every point is tested exactly.
_MAX_GRID_CELLS = 40_000_000


def _settled_by_grid(xy: np.ndarray, targets: Targets, side: float) -> tuple[np.ndarray, np.ndarray] | None:
    """(surely within, maybe within) for each point, from the grid; None when the grid would be too big."""
    origin = xy.min(axis=0)
    cell = np.floor((xy - origin) / side).astype(np.int64)
    shape = cell.max(axis=0) + 1
    if int(shape[0]) * int(shape[1]) > _MAX_GRID_CELLS:
        return None
    vertices = targets.points_xy
    if len(targets.polygons):
        vertices = np.concatenate([vertices, shapely.get_coordinates(targets.polygons)])
    v = np.floor((vertices - origin) / side).astype(np.int64)
    inside = (v >= 0).all(axis=1) & (v < shape).all(axis=1)
    sure = np.zeros((int(shape[0]), int(shape[1])), bool)
    sure[v[inside, 0], v[inside, 1]] = True
    boxes = np.concatenate([np.column_stack([targets.points_xy, targets.points_xy]),
                            shapely.bounds(targets.polygons).reshape(-1, 4)])
    lo = np.floor((boxes[:, :2] - origin) / side).astype(np.int64) - 2
    hi = np.floor((boxes[:, 2:] - origin) / side).astype(np.int64) + 2
    keep = (hi >= 0).all(axis=1) & (lo < shape).all(axis=1)
    lo, hi = np.maximum(lo[keep], 0), np.minimum(hi[keep], shape - 1) + 1
    marks = np.zeros((int(shape[0]) + 1, int(shape[1]) + 1), np.int32)  # boxes as corner marks, summed up below
    np.add.at(marks, (lo[:, 0], lo[:, 1]), 1)
    np.add.at(marks, (hi[:, 0], lo[:, 1]), -1)
    np.add.at(marks, (lo[:, 0], hi[:, 1]), -1)
    np.add.at(marks, (hi[:, 0], hi[:, 1]), 1)
    near = marks.cumsum(axis=0).cumsum(axis=1)[:-1, :-1] > 0
    return sure[cell[:, 0], cell[:, 1]], near[cell[:, 0], cell[:, 1]]


def _within(xy: np.ndarray, points: np.ndarray, targets: Targets, distance: float) -> np.ndarray:
    """Which points are within ``distance`` of a target (shapely's ``dwithin``, inclusive), exactly.

    The grid settles the points sharing a cell with a target point or footprint vertex (within) and
    those far from every target (not); only the rest are tested, against an STRtree of the targets.
    """
    covered = np.zeros(len(xy), bool)
    if not len(targets) or not len(xy):
        return covered
    side = distance / np.sqrt(2.0) * (1 - 1e-9)
    settled = _settled_by_grid(xy, targets, side) if side > 0 and np.isfinite(side) else None
    if settled is None:
        maybe = np.arange(len(xy))
    else:
        covered, near = settled
        maybe = np.flatnonzero(near & ~covered)
    if len(maybe):
        hit, _ = shapely.STRtree(targets.geometries).query(points[maybe], predicate="dwithin", distance=distance)
        covered[maybe[hit]] = True
    return covered


def people_share(placed: PlacedPeople, targets: Targets, distance: float) -> np.ndarray:
    """Share of each neighbourhood's people (its points, by value) within ``distance`` of a target.

    NaN where a neighbourhood holds no point or their values sum to zero.
    """
    n = len(placed.total)
    covered = _within(placed.xy, placed.points, targets, distance)
    near = np.bincount(placed.owner, weights=placed.values * covered, minlength=n)
    share: np.ndarray = np.divide(near, placed.total, out=np.full(n, np.nan), where=placed.total > 0)
    return share


def count_within(neighbourhoods: np.ndarray, targets: Targets, distance: float) -> np.ndarray:
    """How many targets are inside or within ``distance`` of each neighbourhood (each counted once)."""
    n = len(neighbourhoods)
    if not len(targets):
        return np.zeros(n, dtype=np.int64)
    tree = shapely.STRtree(targets.geometries)
    nb_i, _ = tree.query(neighbourhoods, predicate="dwithin", distance=distance)
    return np.bincount(nb_i, minlength=n)
