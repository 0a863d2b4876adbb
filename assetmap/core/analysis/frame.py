"""Neighbourhood geometry in the scanline frame: rotated, oriented, and broken into edges.

Prepared once per analysis and shared by every coverage rule (see ``scanline``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

# Scanlines run at this angle (radians) to the map's x axis. Edges parallel to the lines are the
# midpoint rule's worst case (the covered length jumps inside one strip); boundaries, footprints
# and test squares are very often aligned with the grid, so the lines are not.
SCAN_ANGLE = 0.3
_COS, _SIN = float(np.cos(SCAN_ANGLE)), float(np.sin(SCAN_ANGLE))


def rotate(coords: np.ndarray) -> np.ndarray:
    """Turn (x, y) rows into the scan frame, where scanlines are horizontal."""
    x, y = coords[:, 0], coords[:, 1]
    return np.column_stack([x * _COS + y * _SIN, -x * _SIN + y * _COS])


def to_scan_frame(geoms: np.ndarray) -> np.ndarray:
    """Geometries rotated so that scanlines are horizontal (areas and distances are unchanged)."""
    rotated: np.ndarray = shapely.transform(np.asarray(geoms, dtype=object), rotate)  # shapely has no type hints
    return rotated


@dataclass(frozen=True)
class Edges:
    """Directed edges of polygons, grouped by owner: ``start[i]:start[i+1]`` are owner i's edges."""

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    start: np.ndarray

    @classmethod
    def of(cls, geoms: np.ndarray) -> Edges:
        """Edges of (multi)polygons, exteriors anticlockwise and holes clockwise, for winding counts."""
        geoms = shapely.orient_polygons(np.asarray(geoms, dtype=object), exterior_cw=False)
        parts, part_owner = shapely.get_parts(geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
        owner = part_owner[ring_part][ring_idx]
        same_ring = ring_idx[:-1] == ring_idx[1:]
        first = np.flatnonzero(same_ring)
        edge_owner = owner[first]
        order = np.argsort(edge_owner, kind="stable")
        first = first[order]
        counts = np.bincount(edge_owner, minlength=len(geoms))
        start = np.concatenate([[0], np.cumsum(counts)])
        return cls(coords[first, 0], coords[first, 1], coords[first + 1, 0], coords[first + 1, 1], start)


@dataclass(frozen=True)
class PreparedNeighbourhoods:
    """Neighbourhood geometry prepared once per run and reused by every rule."""

    geoms: np.ndarray
    bounds: np.ndarray
    edges: Edges
    max_spacing: np.ndarray  # a sixteenth of area / perimeter: thin shapes get closer lines

    @classmethod
    def of(cls, geoms: np.ndarray) -> PreparedNeighbourhoods:
        """Prepare boundaries (any valid polygons or multipolygons) for ``area_coverage``."""
        geoms = to_scan_frame(np.asarray(geoms, dtype=object))
        length = shapely.length(geoms)
        spacing = np.divide(shapely.area(geoms), 16 * length, out=np.zeros(len(geoms)), where=length > 0)
        return cls(geoms, shapely.bounds(geoms), Edges.of(geoms), spacing)
