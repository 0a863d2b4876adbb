"""Keep an asset's footprint small enough to draw, store and analyse.

A park surveyed point by point, or a building traced from a LiDAR survey, can have hundreds of thousands
of points; a layer of allotment plots dissolved into one shape, thousands of parts. Either makes the map
and the gap analysis crawl (a 200,000-polygon footprint kept ``gaps`` busy for minutes). A footprint of
more than ``MAX_FOOTPRINT_VERTICES`` points is simplified until it fits, keeping its topology; one of more
than ``MAX_FOOTPRINT_PARTS`` parts is refused, since no tolerance merges separate plots honestly.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from assetmap.core.io.limits import MAX_FOOTPRINT_PARTS, MAX_FOOTPRINT_VERTICES


@dataclass(frozen=True)
class Simplified:
    before: int  # points before
    after: int  # points after
    tolerance: float  # how far the outline may move, in the geometry's own units


def within_limits(geom: shapely.Geometry) -> tuple[shapely.Geometry, Simplified | None]:
    """``geom`` itself, or simplified to at most ``MAX_FOOTPRINT_VERTICES`` points (and how); raises
    ValueError, saying why, for a footprint of too many parts."""
    parts = int(shapely.get_num_geometries(geom))
    if parts > MAX_FOOTPRINT_PARTS:
        raise ValueError(f"the area has {parts:,} separate parts; assetmap keeps footprints of at most "
                         f"{MAX_FOOTPRINT_PARTS:,} parts (dissolve or split it in a GIS first)")
    count = int(shapely.get_num_coordinates(geom))
    if count <= MAX_FOOTPRINT_VERTICES:
        return geom, None
    minx, miny, maxx, maxy = geom.bounds
    tolerance = max(maxx - minx, maxy - miny) / 20_000 or 1e-9
    for _ in range(40):  # doubling: from 1/20,000 of its size to far beyond it
        simple = shapely.simplify(geom, tolerance, preserve_topology=True)
        after = int(shapely.get_num_coordinates(simple))
        if after <= MAX_FOOTPRINT_VERTICES:
            return simple, Simplified(count, after, tolerance)
        tolerance *= 2
    raise ValueError(f"the area has {count:,} points and could not be simplified to {MAX_FOOTPRINT_VERTICES:,}")
