"""The project's edge is not the edge of the world: which results may be better than they look.

Places just beyond the boundary serve the people near it, and imports keep them (see ``area.margin``).
But a kind of place may simply not be mapped beyond the edge (a council's own list stops at its
boundary). Then a neighbourhood within the rule's distance of the edge may be better served than its
numbers say, and its flag for that rule carries a caveat and does not raise its priority: for homes
or residents, only those further than the distance from the edge are judged (whatever is beyond the
edge could serve the rest); by area (nothing better known), the flag weighs nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from assetmap.core.analysis.coverage import PlacedPeople, Targets
from assetmap.core.analysis.coverage import _within as within  # the exact test people_share uses
from assetmap.core.analysis.homes import cache_dir
from assetmap.core.analysis.kept_files import keep
from assetmap.core.analysis.rules import Rule
from assetmap.core.taxonomy import Taxonomy

_PIECE_VERTICES = 64  # the outline is cut into pieces this long, indexed, so "near the edge" is a tree query


class ProjectEdge:
    """The outline of all the neighbourhoods together, and the kinds of asset mapped beyond it.

    The outline (a union of every neighbourhood: seconds at national scale) is drawn only when a rule
    needs it, that is when one of its kinds is mapped in the project but nowhere beyond the edge."""

    def __init__(self, neighbourhoods: np.ndarray, kinds_beyond: frozenset[str]) -> None:
        self.neighbourhoods = neighbourhoods
        self.kinds_beyond = kinds_beyond
        self._pieces: shapely.STRtree | None = None

    @classmethod
    def of(cls, neighbourhoods: np.ndarray, assets: gpd.GeoDataFrame) -> ProjectEdge:
        beyond: frozenset[str] = frozenset()
        if len(assets) and len(neighbourhoods):
            geoms = assets.geometry.to_numpy()
            located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            inside = np.zeros(len(assets), dtype=bool)
            hit = shapely.STRtree(neighbourhoods).query(geoms[located], predicate="intersects")[0]
            inside[np.flatnonzero(located)[hit]] = True
            outside = located & ~inside
            beyond = frozenset(str(k) for k in assets["kind"].to_numpy()[outside] if isinstance(k, str))
        return cls(neighbourhoods, beyond)

    def unmapped_beyond(self, rule: Rule, mapped: Sequence[str]) -> list[str]:
        """The rule's kinds mapped in the project but nowhere beyond its edge (in the rule's order)."""
        return [k for k in mapped if k not in self.kinds_beyond]

    def _tree(self) -> shapely.STRtree:
        """The outline in short pieces, indexed (a query on one long line tests every vertex of it)."""
        if self._pieces is None:
            line = outline(self.neighbourhoods)
            pieces: list[shapely.Geometry] = []
            for part in shapely.get_parts(line):
                coords = shapely.get_coordinates(part)
                for start in range(0, max(len(coords) - 1, 0), _PIECE_VERTICES - 1):
                    pieces.append(shapely.linestrings(coords[start:start + _PIECE_VERTICES]))
            self._pieces = shapely.STRtree(np.array(pieces, dtype=object))
        return self._pieces

    def near(self, geoms: np.ndarray, distance: float) -> np.ndarray:
        """Which geometries (neighbourhoods, homes) lie within ``distance`` of the edge."""
        out = np.zeros(len(geoms), dtype=bool)
        if len(self.neighbourhoods) == 0 or len(geoms) == 0:
            return out
        hit = self._tree().query(np.asarray(geoms, dtype=object), predicate="dwithin", distance=distance)[0]
        out[hit] = True
        return out


_OUTLINES_KEPT = 4  # outlines kept on disk (the newest): one per set of neighbourhoods in use


def outline(neighbourhoods: np.ndarray) -> shapely.Geometry:
    """The boundary of all the neighbourhoods together, kept on disk between runs beside the homes (see
    ``homes.cache_dir``) under a digest of the geometries: the union takes seconds for a whole country and
    the same neighbourhoods always give the same outline."""
    folder = cache_dir()
    file = None
    if folder is not None:
        digest = hashlib.sha256()
        for wkb in shapely.to_wkb(np.asarray(neighbourhoods, dtype=object)):
            digest.update(len(wkb).to_bytes(8, "little") + wkb)
        file = folder / f"outline-{digest.hexdigest()[:32]}.wkb"
        try:
            kept = shapely.from_wkb(file.read_bytes())
            if kept.geom_type in ("LineString", "MultiLineString"):
                os.utime(file)
                return kept
        except (OSError, shapely.errors.GEOSException, ValueError):
            pass
    line = shapely.union_all(neighbourhoods).boundary
    if file is not None:
        keep(file, shapely.to_wkb(line), kind="outline", kept=_OUTLINES_KEPT)
    return line


def caveat_text(kinds: Sequence[str], taxonomy: Taxonomy) -> str:
    """The sentence a flag near the edge carries: what is not mapped beyond the boundary."""
    names = [taxonomy.label(k).lower() for k in kinds]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return (f"It may be better covered than shown: no {listed} beyond the project's boundary is mapped, "
            "and places there may be within reach.")


def interior_share(placed: PlacedPeople, targets: Targets, distance: float, hoods: np.ndarray,
                   edge: ProjectEdge) -> np.ndarray:
    """For the neighbourhoods in ``hoods`` (a mask), the share of their homes or residents further than
    ``distance`` from the edge that are within reach; NaN where none of their points is that far in."""
    n = len(placed.total)
    share = np.full(n, np.nan)
    chosen = np.flatnonzero(hoods[placed.owner]) if len(placed.owner) else np.empty(0, dtype=np.int64)
    if not len(chosen):
        return share
    inner = ~edge.near(placed.points[chosen], distance)
    chosen = chosen[inner]
    if not len(chosen):
        return share
    covered = within(placed.xy[chosen], placed.points[chosen], targets, distance)
    owner, values = placed.owner[chosen], placed.values[chosen]
    total = np.bincount(owner, weights=values, minlength=n)
    near = np.bincount(owner, weights=values * covered, minlength=n)
    np.divide(near, total, out=share, where=total > 0)
    return share
