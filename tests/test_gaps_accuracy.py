"""Area coverage against the exact vector answer (shapely, fine buffers) on random cases."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetmap.core.analysis.frame import PreparedNeighbourhoods
from assetmap.core.analysis.scanline import area_coverage

coord = st.floats(-1500, 2500, allow_nan=False)


@st.composite
def neighbourhood(draw: st.DrawFn) -> shapely.Geometry:
    """A square, a rotated rectangle, a random star-shaped polygon, one with a hole, or two parts."""
    shape = draw(st.sampled_from(["square", "rotated", "star", "holed", "multi"]))
    if shape == "square":
        return shapely.box(0, 0, 1000, 1000)
    if shape == "rotated":
        w, h, angle = draw(st.floats(100, 1500)), draw(st.floats(100, 1500)), draw(st.floats(0, 180))
        from shapely import affinity
        return affinity.rotate(shapely.box(0, 0, w, h), angle)
    if shape == "star":
        radii = draw(st.lists(st.floats(200, 800), min_size=5, max_size=12))
        angles = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
        return shapely.Polygon(np.column_stack([500 + np.array(radii) * np.cos(angles),
                                                500 + np.array(radii) * np.sin(angles)]))
    if shape == "holed":
        return shapely.box(0, 0, 1000, 1000).difference(shapely.box(300, 200, 700, 600))
    return shapely.MultiPolygon([shapely.box(0, 0, 600, 400), shapely.box(900, 700, 1300, 1200)])


@st.composite
def footprint(draw: st.DrawFn) -> shapely.Geometry:
    x, y = draw(coord), draw(coord)
    w, h, angle = draw(st.floats(20, 500)), draw(st.floats(20, 500)), draw(st.floats(0, 90))
    from shapely import affinity
    return affinity.rotate(shapely.box(x, y, x + w, y + h), angle)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nb=neighbourhood(),
       points=st.lists(st.tuples(coord, coord), max_size=8),
       polys=st.lists(footprint(), max_size=3),
       distance=st.floats(50, 2000))
def test_area_coverage_within_half_a_point_of_exact(nb: shapely.Geometry, points: list[tuple[float, float]],
                                                     polys: list[shapely.Geometry], distance: float) -> None:
    xy = np.array(points, dtype=float).reshape(-1, 2)
    ours = area_coverage(PreparedNeighbourhoods.of(np.array([nb], dtype=object)), xy,
                         np.array(polys, dtype=object), distance)[0]
    catchment = shapely.union_all(list(shapely.buffer(shapely.points(xy), distance, quad_segs=256))
                                  + [p.buffer(distance, quad_segs=256) for p in polys])
    exact = shapely.intersection(catchment, nb).area / nb.area if not catchment.is_empty else 0.0
    assert abs(ours - exact) <= 0.005, (ours, exact)
