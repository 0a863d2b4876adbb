"""A footprint is credited to the neighbourhood holding most of it (assetmap issue 12, point 6), not to the one
holding its point. Real GeoPackage projects (and, for overlapping units, real GeoDataFrames)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.analysis.measures import count_assets
from assetmap.core.project import Project

X0, Y0 = 380000, 390000  # the fixture: West is X0..X0+1000, East X0+1000..X0+2000 (both Y0..Y0+1000)


def _add(path: Path, kind: str, point: tuple[float, float], area: shapely.Geometry | None = None,
         name: str = "Longford Park") -> None:
    with Project.open(path) as project:
        project.add_asset({"name": name, "category": kind.split("/")[0], "kind": kind, "visibility": "public"},
                          shapely.Point(*point), area)


def _counts(path: Path) -> tuple[dict[str, dict[str, int]], dict]:
    with Project.open(path) as project:
        result = run_gaps(project, GapOptions(homes=False))
    return {r["name"]: r["kinds"] for r in result.neighbourhoods}, result.meta


def test_a_park_two_thirds_in_east_with_its_point_in_west_is_credited_to_east(empty_project: Path) -> None:
    park = shapely.box(X0 + 800, Y0 + 200, X0 + 1400, Y0 + 500)  # 200 m of its 600 m width in West: 33%, 67% East
    _add(empty_project, "physical/park", (X0 + 900, Y0 + 350), park)
    kinds, meta = _counts(empty_project)
    assert kinds == {"West": {}, "East": {"physical/park": 1}}
    assert meta["footprint_sites"]["credited_by_footprint"] == 1


def test_points_without_footprints_stay_where_they_are(empty_project: Path) -> None:
    _add(empty_project, "institutions/library", (X0 + 900, Y0 + 350), name="Library")
    _add(empty_project, "physical/park", (X0 + 500, Y0 + 500), shapely.box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600))
    kinds, meta = _counts(empty_project)
    assert kinds == {"West": {"institutions/library": 1, "physical/park": 1}, "East": {}}
    assert meta["footprint_sites"]["credited_by_footprint"] == 0


def test_a_tie_goes_to_the_first_neighbourhood(empty_project: Path) -> None:
    _add(empty_project, "physical/park", (X0 + 1100, Y0 + 350), shapely.box(X0 + 900, Y0 + 200, X0 + 1100, Y0 + 500))
    kinds, _ = _counts(empty_project)
    assert kinds == {"West": {"physical/park": 1}, "East": {}}


def test_a_site_mostly_beyond_the_edge_is_not_counted_by_its_sliver_inside(empty_project: Path) -> None:
    # 30% in West, 70% west of the project; its point is outside: it is not one of West's assets
    _add(empty_project, "physical/park", (X0 - 200, Y0 + 350), shapely.box(X0 - 700, Y0 + 200, X0 + 300, Y0 + 500))
    kinds, _ = _counts(empty_project)
    assert kinds == {"West": {}, "East": {}}


def _frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A and B overlap in X0+600..X0+1000 (as a project made with --allow-overlap may)."""
    units = gpd.GeoDataFrame({"code": ["A", "B"], "name": ["A", "B"]},
                             geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000),
                                       shapely.box(X0 + 600, Y0, X0 + 1600, Y0 + 1000)], crs=27700)
    in_both = shapely.box(X0 + 700, Y0 + 100, X0 + 900, Y0 + 300)  # all of it in the overlap
    mostly_b = shapely.box(X0 + 800, Y0 + 500, X0 + 1400, Y0 + 700)  # 200 m in A (and B), 600 m in B
    assets = gpd.GeoDataFrame({"id": ["p1", "p2", "p3"], "name": ["Overlap Park", "Mostly B Park", "Hall"],
                               "category": ["physical"] * 3,
                               "kind": ["physical/park", "physical/park", "physical/community_centre"]},
                              geometry=[in_both.centroid, shapely.Point(X0 + 850, Y0 + 600),
                                        shapely.Point(X0 + 800, Y0 + 800)], crs=27700)
    areas = gpd.GeoDataFrame({"asset_id": ["p1", "p2"], "area_m2": [in_both.area, mostly_b.area]},
                             geometry=[in_both, mostly_b], crs=27700)
    return units, assets, areas


def test_overlapping_units_count_a_footprint_in_each_holding_most_of_it() -> None:
    units, assets, areas = _frames()
    people = pd.DataFrame({"neighbourhood_code": pd.Series([], dtype=object)})
    counts = count_assets(units, assets, people, include_unlocated=False, allow_overlap=True, asset_areas=areas)
    assert counts.by_kind.loc["A"].to_dict() == {"physical/community_centre": 1, "physical/park": 1}
    assert counts.by_kind.loc["B"].to_dict() == {"physical/community_centre": 1, "physical/park": 2}
    single = count_assets(units, assets, people, include_unlocated=False, asset_areas=areas)
    assert single.by_kind["physical/park"].to_dict() == {"A": 1, "B": 1}  # each park once: p1 to A (tie), p2 to B
    assert single.credited_elsewhere == 1  # p2's point is in A (the first holding it)
