"""The margin around a project's area: assets just beyond the boundary still serve the people near it.

A neighbourhood on the borough boundary is not at the edge of the world: the library 300 m over the
boundary is as near to its residents as one inside. So imports keep rows within a margin of the area
(by default the longest distance any gap rule measures, so nothing a rule could reach is left out), and
they count towards coverage and "within distance" measures, never towards a neighbourhood's own counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from assetmap.core.analysis.rules import project_rules
from assetmap.core.errors import AssetmapError

DEFAULT_MARGIN_M = 2000.0  # the longest default rule distance (the 20 ha green space within 2 km)


def rule_margin(project: Any) -> float:
    """The longest distance the project's gap rules measure, in metres (the default margin)."""
    try:
        rules = project_rules(project)
    except AssetmapError:  # rules damaged outside assetmap: the analysis says so; imports keep the default
        return DEFAULT_MARGIN_M
    distances = [float(r.distance_m) for r in rules.rules if r.distance_m]
    return max(distances) if distances else DEFAULT_MARGIN_M


@dataclass(frozen=True)
class Placement:
    """Where each point lies: 0 inside the area, 1 outside it within the margin, 2 further out (-1 no point)."""

    where: np.ndarray
    margin_m: float

    INSIDE, NEARBY, FAR, NOWHERE = 0, 1, 2, -1

    def count(self, value: int) -> int:
        return int((self.where == value).sum())


def place_points(area_parts: np.ndarray, points: list[Any], margin_m: float) -> Placement:
    """Inside the area (any of ``area_parts``, e.g. the neighbourhoods), nearby (within ``margin_m``) or far.

    With no neighbourhoods there is no area yet: every located point counts as inside."""
    where = np.full(len(points), Placement.NOWHERE, dtype=np.int8)
    located = np.array([p is not None for p in points], dtype=bool)
    if not located.any():
        return Placement(where, margin_m)
    if len(area_parts) == 0:
        where[located] = Placement.INSIDE
        return Placement(where, margin_m)
    geoms = np.array([p for p in points if p is not None], dtype=object)
    tree = shapely.STRtree(area_parts)
    inside = np.zeros(len(geoms), dtype=bool)
    inside[tree.query(geoms, predicate="intersects")[0]] = True
    near = np.zeros(len(geoms), dtype=bool)
    if margin_m > 0 and (~inside).any():
        rest = np.flatnonzero(~inside)
        near[rest[tree.query(geoms[rest], predicate="dwithin", distance=margin_m)[0]]] = True
    sub = np.where(inside, Placement.INSIDE, np.where(near, Placement.NEARBY, Placement.FAR)).astype(np.int8)
    where[located] = sub
    return Placement(where, margin_m)
