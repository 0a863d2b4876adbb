"""Gap analysis on hand-made geometry whose answers are worked out on paper (in the comments)."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.project import Project

X0, Y0 = 380000, 390000  # the south-west corner of the fixture's West square (1 km squares, West then East)


def _add(path: Path, kind: str, x: float | None, y: float | None, *, area: shapely.Geometry | None = None,
         visibility: str = "public") -> None:
    with Project.open(path) as project:
        point = shapely.Point(x, y) if x is not None else None
        project.add_asset({"name": kind, "category": kind.split("/")[0], "kind": kind, "visibility": visibility},
                          point, area)


def _run(path: Path, options: GapOptions | None = None) -> dict[str, dict]:
    with Project.open(path) as project:
        result = run_gaps(project, options)
    return {r["name"]: r for r in result.neighbourhoods}


def _project(tmp_path: Path, geoms: list[shapely.Geometry], population: list[int | None] | None = None,
             deciles: list[int | None] | None = None) -> Path:
    n = len(geoms)
    frame = gpd.GeoDataFrame({"code": [f"N{i}" for i in range(n)], "name": [f"Area {i}" for i in range(n)],
                              "population": population or [1000] * n, "imd_decile": deciles or [5] * n},
                             geometry=geoms, crs=27700)
    path = tmp_path / "made.gpkg"
    Project.create(path, 27700, neighbourhoods=frame)
    return path


def test_square_half_inside_a_green_space_buffer(empty_project: Path) -> None:
    # A 30 ha park whose 300 m buffer has its straight east side on x = X0 + 500: half of West.
    park = shapely.box(X0 - 2000, Y0 - 2000, X0 + 200, Y0 + 3000)
    _add(empty_project, "physical/park", X0 - 900, Y0 + 500, area=park)
    west = _run(empty_project)["West"]
    assert west["coverage"]["green_space_2ha_300m"] == pytest.approx(0.5, abs=0.002)
    assert west["coverage"]["green_space_20ha_2km"] == 1.0  # the 2 km buffer holds all of West
    flag = next(f for f in west["flags"] if f["rule"] == "green_space_2ha_300m")
    assert flag["severity"] == "low"  # a medium rule, 44% short: graded one step down
    assert flag["message"] in (f"Only {p}% of the area of West is within 300 m of a green space of at least 2 hectares "
                               "(target 90%)."
                               for p in (49, 50))


def test_asset_just_inside_and_just_outside_the_distance(empty_project: Path) -> None:
    # West's west edge is x = X0. A hall 799 m west of it reaches 1 m in; one 801 m away does not.
    _add(empty_project, "physical/community_centre", X0 - 801, Y0 + 500)
    assert _run(empty_project)["West"]["coverage"]["place_to_meet"] == 0.0
    _add(empty_project, "physical/community_centre", X0 - 799, Y0 + 500)
    # The cap of a disc of radius 800 m cut 1 m deep: about 4/3 * sqrt(2 * 800 * 1) * 1 = 53 m2 of 1 km2.
    assert 0 < _run(empty_project)["West"]["coverage"]["place_to_meet"] <= 0.0001


def test_asset_outside_the_neighbourhood_still_serves_it(empty_project: Path) -> None:
    # A playground 200 m west of West: the part of its 400 m disc east of the edge is a circular
    # segment of area r^2 acos(a/r) - a sqrt(r^2 - a^2) with r = 400, a = 200: 98,269.6 m2.
    _add(empty_project, "physical/playground", X0 - 200, Y0 + 500)
    result = _run(empty_project)
    expected = (400**2 * math.acos(0.5) - 200 * math.sqrt(400**2 - 200**2)) / 1e6
    assert result["West"]["coverage"]["play_area_400m"] == pytest.approx(expected, abs=0.0005)
    assert result["West"]["counts"]["physical"] == 0  # it serves West but is not in it
    assert result["East"]["coverage"]["play_area_400m"] == 0.0


def test_with_no_assets_there_is_no_priority_list_only_notices(empty_project: Path) -> None:
    """Nothing mapped anywhere is missing data, not a gap: one notice each, no flag, no score, no ranking."""
    with Project.open(empty_project) as project:
        result = run_gaps(project)
    west = {r["name"]: r for r in result.neighbourhoods}["West"]
    assert west["counts"] == {c: 0 for c in ("people", "associations", "institutions", "physical", "economy",
                                             "culture")}
    assert set(west["coverage"].values()) == {0.0}  # the measures stay: nothing is within reach
    assert all(r["flags"] == [] and r["gap_score"] == 0 and r["priority"] is None for r in result.neighbourhoods)
    notices = result.notices
    assert sum("place to meet" in n for n in notices) == 1  # its coverage and density rules share one notice
    assert sum("yet: add some" in n for n in notices) == 6  # each category, once for the whole project
    assert len(notices) == len(set(notices))
    assert result.to_json()["run"]["notices"] == notices


def test_a_category_mapped_nowhere_adds_nothing_to_any_gap_score(empty_project: Path) -> None:
    """With no culture mapped anywhere, adding culture to nothing must leave every score and rank unchanged."""
    _add(empty_project, "physical/village_hall", X0 + 500, Y0 + 500)  # in West
    _add(empty_project, "economy/pub", X0 + 1500, Y0 + 500)  # in East
    with Project.open(empty_project) as project:
        result = run_gaps(project)
    by_name = {r["name"]: r for r in result.neighbourhoods}
    assert not any("Culture" in f["message"] for r in result.neighbourhoods for f in r["flags"])
    assert any("Culture and heritage" in n for n in result.notices)
    assert not any("Local economy" in n for n in result.notices)  # East has a pub: a gap in West, not a notice
    assert "Nothing in West is mapped under \u201cLocal economy\u201d yet." in [f["message"]
                                                                                for f in by_name["West"]["flags"]]
    # only gaps in what is mapped somewhere make up a score: West lacks economy (low, 1); the hall covers it
    missing = [f for f in by_name["West"]["flags"] if f["rule"] == "missing_category"]
    assert {f["message"] for f in missing} == {"Nothing in West is mapped under \u201cLocal economy\u201d yet."}


def test_zero_population_gets_measures_but_no_flags_and_comes_last(empty_project: Path) -> None:
    _add(empty_project, "physical/community_hub", X0 + 1500, Y0 + 500)  # in East, population 0
    result = _run(empty_project)
    east = result["East"]
    assert east["population"] == 0
    assert east["per_1000"]["physical"] is None
    assert east["density"]["places_to_meet_density"] is None
    assert east["flags"] == []
    assert east["coverage"]["place_to_meet"] > 0.9  # 800 m disc at the centre of a 1 km square
    assert east["priority"] == 2 and result["West"]["priority"] == 1


def test_multipolygon_neighbourhood(tmp_path: Path) -> None:
    # Two 500 m squares 1.5 km apart. A hall at the centre of the first covers it all (corners are
    # 354 m away) and none of the second: exactly half of the neighbourhood.
    parts = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 500, Y0 + 500),
                                  shapely.box(X0 + 2000, Y0, X0 + 2500, Y0 + 500)])
    path = _project(tmp_path, [parts])
    _add(path, "physical/village_hall", X0 + 250, Y0 + 250)
    area = _run(path)["Area 0"]
    assert area["coverage"]["place_to_meet"] == pytest.approx(0.5, abs=0.0005)
    assert area["counts"]["physical"] == 1


def test_asset_on_a_shared_boundary_is_counted_once(empty_project: Path) -> None:
    _add(empty_project, "physical/church_hall", X0 + 1000, Y0 + 500)  # on the West/East border
    result = _run(empty_project)
    assert result["West"]["counts"]["physical"] + result["East"]["counts"]["physical"] == 1
    assert result["West"]["kinds"] == {"physical/church_hall": 1}  # the first neighbourhood takes it
    # ...but it serves both: its disc covers part of each.
    assert result["West"]["coverage"]["place_to_meet"] > 0.5 and result["East"]["coverage"]["place_to_meet"] > 0.5


def test_green_space_needs_a_big_enough_footprint(empty_project: Path) -> None:
    small = shapely.box(X0 + 400, Y0 + 400, X0 + 590, Y0 + 500)  # 1.9 ha
    _add(empty_project, "physical/park", X0 + 450, Y0 + 450, area=small)
    _add(empty_project, "physical/green_space", X0 + 500, Y0 + 500)  # no footprint: size unknown
    with Project.open(empty_project) as project:
        result = run_gaps(project)
    west = result.neighbourhoods[0]
    assert west["coverage"]["green_space_2ha_300m"] == 0.0
    assert result.meta["green_spaces_without_size"]["green_space_2ha_300m"] == 1


def test_density_counts_places_inside_or_within_1km(tmp_path: Path) -> None:
    squares = [shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(12)]
    path = _project(tmp_path, squares, population=[2000] * 12)
    for i in range(12):  # one hall in the middle of each square but the last
        if i < 11:
            _add(path, "physical/community_centre", X0 + 1000 * i + 500, Y0 + 500)
    result = _run(path)
    # Area 0: its own hall and Area 1's (500 m beyond its east edge), 2 places for 2,000 people;
    # Area 11 reaches only Area 10's hall.
    assert result["Area 0"]["density"]["places_to_meet_density"] == pytest.approx(1.0)
    assert result["Area 5"]["density"]["places_to_meet_density"] == pytest.approx(1.5)
    assert result["Area 11"]["density"]["places_to_meet_density"] == pytest.approx(0.5)
    flagged = [name for name, r in result.items() if any(f["rule"] == "places_to_meet_density" for f in r["flags"])]
    assert flagged == ["Area 11"]  # the lowest tenth of 12 is one neighbourhood


def test_private_and_unlocated_options(tmp_path: Path) -> None:
    path = _project(tmp_path, [shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)])
    _add(path, "economy/pub", X0 + 100, Y0 + 100, visibility="private")
    _add(path, "culture/museum", None, None)
    assert _run(path)["Area 0"]["counts"]["economy"] == 1  # private included by default
    assert _run(path, GapOptions(include_private=False))["Area 0"]["counts"]["economy"] == 0
    assert _run(path)["Area 0"]["counts"]["culture"] == 0  # located only by default
    assert _run(path, GapOptions(include_unlocated=True))["Area 0"]["counts"]["culture"] == 1


def test_unlocated_assets_are_reported_not_guessed_when_there_are_several_neighbourhoods(empty_project: Path) -> None:
    _add(empty_project, "culture/museum", None, None)
    with Project.open(empty_project) as project:
        result = run_gaps(project, GapOptions(include_unlocated=True))
    assert all(r["counts"]["culture"] == 0 for r in result.neighbourhoods)
    assert result.meta["unlocated_assets"] == {"culture": 1}


def test_people_count_by_their_neighbourhood_code(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        for name in ("Ann", "Bo"):
            project.add_person({"display_name": name, "consent": "yes", "consent_on": "2024-01-01",
                                "neighbourhood_code": "E01000001", "skills": ["cooking"]})
        result = run_gaps(project)
    west = result.neighbourhoods[0]
    assert west["counts"]["people"] == 2
    assert not any("People" in f["message"] for f in west["flags"])


def test_missing_category_says_when_nothing_of_it_is_mapped_anywhere(empty_project: Path) -> None:
    _add(empty_project, "economy/pub", X0 + 1500, Y0 + 500)  # a pub in East only
    west = _run(empty_project)["West"]
    missing = {f["message"] for f in west["flags"] if f["rule"] == "missing_category"}
    assert "Nothing in West is mapped under \u201cLocal economy\u201d yet." in missing  # East has one
    assert not any("Culture and heritage" in m for m in missing)  # mapped nowhere: a notice instead


def test_the_map_outlines_only_the_top_tenth_by_priority(tmp_path: Path) -> None:
    """Twenty neighbourhoods all short of something: two (the top tenth by priority) are outlined, not twenty."""
    squares = [shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(20)]
    path = _project(tmp_path, squares, deciles=[1 + i % 10 for i in range(20)])
    _add(path, "physical/village_hall", X0 + 500, Y0 + 500)
    _add(path, "economy/pub", X0 + 1500, Y0 + 500)
    with Project.open(path) as project:
        result = run_gaps(project)
    outlined = [r for r in result.neighbourhoods if r["attention"]]
    assert all(r["gap_score"] > 0 for r in result.neighbourhoods)
    assert sorted(r["priority"] for r in outlined) == [1, 2]
