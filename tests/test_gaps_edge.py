"""The borough boundary is not the edge of the world (issue 12, points 1 and 4).

Two neighbourhoods side by side form the project; homes are given as population points. A library just
beyond the east edge serves East's homes but never counts as East's own; with nothing mapped beyond the
edge, East's flag says it may be better covered than shown and only its homes out of reach of the edge
weigh in its priority. Expected figures are worked out here with plain shapely, independently of assetmap.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.analysis.flags import coverage_flag, flag_text
from assetmap.core.analysis.population import PopulationPoints
from assetmap.core.analysis.rules import default_rules_dict, set_project_rules
from assetmap.core.export.webdata import build_map_data
from assetmap.core.project import Project

X0, Y0 = 380000, 390000
WEST = shapely.box(X0, Y0, X0 + 1500, Y0 + 4000)
EAST = shapely.box(X0 + 1500, Y0, X0 + 3000, Y0 + 4000)
OUTLINE = shapely.union_all([WEST, EAST]).boundary
INSIDE_LIBRARY = (X0 + 1000, Y0 + 2000)  # in West
BEYOND_LIBRARY = (X0 + 3300, Y0 + 2000)  # 300 m east of the project's east edge
DISTANCE, TARGET = 800.0, 0.9


def _homes() -> np.ndarray:
    xs, ys = np.meshgrid(np.arange(X0 + 25, X0 + 3000, 50.0), np.arange(Y0 + 25, Y0 + 4000, 50.0))
    return np.column_stack([xs.ravel(), ys.ravel()])


def _project(tmp_path: Path, *, beyond: bool) -> Path:
    path = tmp_path / f"edge-{beyond}.gpkg"
    hoods = gpd.GeoDataFrame({"code": ["E01000001", "E01000002"], "name": ["West", "East"],
                              "population": [1600, 1600], "imd_decile": [5, 5]}, geometry=[WEST, EAST], crs=27700)
    Project.create(path, hoods.crs, neighbourhoods=hoods)
    rules = default_rules_dict()
    rules["rules"] = [dict(r, kinds=["institutions/library"]) for r in rules["rules"] if r["id"] == "place_to_meet"]
    with Project.open(path) as project:
        set_project_rules(project, rules)
        project.add_asset({"name": "West Library", "kind": "institutions/library"}, shapely.Point(*INSIDE_LIBRARY))
        if beyond:
            project.add_asset({"name": "Next Town Library", "kind": "institutions/library"},
                              shapely.Point(*BEYOND_LIBRARY))
    return path


def _options() -> GapOptions:
    xy = _homes()
    return GapOptions(population=PopulationPoints(shapely.points(xy), np.ones(len(xy)), "grid", "homes"))


def _expected_share(libraries: list[tuple[float, float]], in_east: np.ndarray) -> float:
    homes = shapely.points(_homes()[in_east])
    near = np.zeros(len(homes), bool)
    for lib in libraries:
        near |= shapely.distance(homes, shapely.Point(*lib)) <= DISTANCE
    return float(near.mean())


def _east(result: object) -> dict:
    return next(r for r in result.neighbourhoods if r["code"] == "E01000002")  # type: ignore[attr-defined]


def test_a_library_just_beyond_the_boundary_serves_the_homes_near_it(tmp_path: Path) -> None:
    xy = _homes()
    in_east = shapely.contains_xy(EAST, xy[:, 0], xy[:, 1])
    results = {}
    for beyond in (False, True):
        with Project.open(_project(tmp_path, beyond=beyond)) as project:
            results[beyond] = _east(run_gaps(project, _options()))
    with_it, without = results[True], results[False]
    assert with_it["coverage"]["place_to_meet"] == pytest.approx(
        _expected_share([INSIDE_LIBRARY, BEYOND_LIBRARY], in_east), abs=1e-4)
    assert without["coverage"]["place_to_meet"] == pytest.approx(_expected_share([INSIDE_LIBRARY], in_east), abs=1e-4)
    assert with_it["coverage"]["place_to_meet"] > 2 * without["coverage"]["place_to_meet"] > 0
    assert with_it["counts"]["institutions"] == 0 == without["counts"]["institutions"]  # never East's own
    # places of the rule's kind are mapped beyond the edge: East's flag, if any, carries no caveat
    assert all("caveat" not in f for f in with_it["flags"])


def test_with_nothing_mapped_beyond_the_edge_the_flag_says_so_and_weighs_only_what_is_known(tmp_path: Path) -> None:
    with Project.open(_project(tmp_path, beyond=False)) as project:
        result = run_gaps(project, _options())
    east = _east(result)
    (flag,) = [f for f in east["flags"] if f["rule"] == "place_to_meet"]
    assert flag["caveat"].startswith("It may be better covered than shown: no library beyond the project's boundary")
    assert result.meta["edge_caveats"] == {"place_to_meet": 2}  # West is within 800 m of the edge too
    # only homes further than 800 m from the outline are judged: those nearer may be served from beyond it
    xy = _homes()
    homes = shapely.points(xy)
    interior = shapely.contains_xy(EAST, xy[:, 0], xy[:, 1]) & (shapely.distance(homes, OUTLINE) > DISTANCE)
    near = shapely.distance(homes[interior], shapely.Point(*INSIDE_LIBRARY)) <= DISTANCE
    judged = max(0.0, (TARGET - near.mean()) / TARGET)
    assert 0 < judged < (TARGET - east["coverage"]["place_to_meet"]) / TARGET  # less than the whole shortfall
    assert east["gap_score"] == pytest.approx(3 * judged, abs=1e-3)  # high severity 3, both the same size
    # the team sees the caveat in the CSV; the public map carries only the resident's words
    assert flag["caveat"] in flag_text(flag)
    with Project.open(tmp_path / "edge-False.gpkg", readonly=True) as shared:
        public = json.dumps(build_map_data(shared, private=False)["neighbourhoods"])
        team = json.dumps(build_map_data(shared, private=True)["neighbourhoods"])
    for worker_text in ("may be better covered", "(target", "residents live further away", "caveat"):
        assert worker_text not in public
    assert "may be better covered" in team and "(target 90%)" in team
    assert "No home here is within 800 m of a place to meet" in public or "homes here are further" in public


def test_severity_grows_with_the_shortfall_and_the_people_it_leaves_out() -> None:
    from assetmap.core.analysis import default_rules

    rule = next(r for r in default_rules().rules if r.id == "place_to_meet")  # high
    far = coverage_flag(rule, "A", 0.2, basis="homes", population=1500)
    near = coverage_flag(rule, "A", 0.8, basis="homes", population=1500)
    slight = coverage_flag(rule, "A", 0.88, basis="homes", population=1500)
    assert far and near and slight
    assert (far.severity, near.severity, slight.severity) == ("high", "low", "low")
    big = coverage_flag(rule, "A", 0.6, basis="homes", population=3000, size=2.0)
    small = coverage_flag(rule, "A", 0.6, basis="homes", population=750, size=0.5)
    assert big and small and big.severity == "high" and small.severity == "low" and big.weight == 4 * small.weight
    assert far.message.endswith("(target 90%): about 1,200 of its 1,500 residents live further away.")
    none = coverage_flag(rule, "A", 0.0, basis="homes", population=1500)
    assert none and none.message == "No homes in A are within 800 m of a place to meet (target 90%)."
    by_area = coverage_flag(rule, "A", 0.5, basis="area", population=1500)
    assert by_area and "residents" not in by_area.message


def test_the_outline_is_kept_between_runs_and_a_damaged_copy_is_worked_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetmap.core.analysis.edge import outline

    monkeypatch.setenv("ASSETMAP_CACHE_DIR", str(tmp_path / "cache"))
    hoods = np.array([WEST, EAST], dtype=object)
    first = outline(hoods)
    (kept,) = (tmp_path / "cache").glob("outline-*.wkb")
    assert first.equals(OUTLINE) and shapely.from_wkb(kept.read_bytes()).equals(OUTLINE)
    kept.write_bytes(b"not a geometry")
    assert outline(hoods).equals(OUTLINE)  # worked out again, and kept again
    assert shapely.from_wkb(kept.read_bytes()).equals(OUTLINE)
    other = outline(np.array([WEST], dtype=object))  # other neighbourhoods: another file
    assert other.equals(WEST.boundary) and len(list((tmp_path / "cache").glob("outline-*.wkb"))) == 2
    monkeypatch.setenv("ASSETMAP_CACHE_DIR", "")  # kept nowhere
    assert outline(hoods).equals(OUTLINE)
