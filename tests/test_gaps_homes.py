"""Coverage of homes: the postcode centres of the project's postcode lookup, each counted once.

Checked against an independent shapely computation over the same points (which neighbourhood holds each
centre, its distance to every qualifying asset), with the fallbacks to area, the flags' wording and the
basis that ``gaps --json`` and the CSV give for each rule.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from assetmap.cli import main
from assetmap.core.analysis import GapOptions, default_rules, run_gaps
from assetmap.core.analysis import coverage as coverage_module
from assetmap.core.analysis.coverage import Targets, _within
from assetmap.core.analysis.flags import coverage_flag
from assetmap.core.analysis.population import PopulationPoints
from assetmap.core.analysis.public import public_results
from assetmap.core.analysis.run import stored_by_code
from assetmap.core.io.postcodes import load_lookups
from assetmap.core.project import Project
from assetmap.core.project.lookups import remember_lookups

X0, Y0 = 380000, 390000
WEST, EAST = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)
HALL = (X0 + 100, Y0 + 500)  # a community centre near West's west edge
PLAYGROUND = (X0 + 1700, Y0 + 300)  # in East
PARK = shapely.box(X0 + 1300, Y0 + 600, X0 + 1500, Y0 + 800).union(
    shapely.box(X0 + 1500, Y0 + 600, X0 + 1600, Y0 + 1300))  # 6 ha, an L in East reaching over its north edge
COVERAGE_RULES = [r for r in default_rules().rules if r.type == "coverage"]


def _postcode(i: int) -> str:
    return f"M{i // 100 % 10}{i // 10 % 10} {i % 10}AB"


def _centres(rng: np.random.Generator, n: int = 240) -> np.ndarray:
    """Postcode centres: most in the two squares (denser in the west), a few outside, two on purpose
    on the shared edge and one on West's west edge, exactly 800 m from nothing in particular."""
    west = np.column_stack([rng.uniform(X0, X0 + 1000, n // 2), rng.uniform(Y0, Y0 + 1000, n // 2)])
    east = np.column_stack([rng.uniform(X0 + 1000, X0 + 2000, n // 3), rng.uniform(Y0, Y0 + 1000, n // 3)])
    outside = np.column_stack([rng.uniform(X0 - 800, X0 + 2800, 12), rng.uniform(Y0 + 1050, Y0 + 1900, 12)])
    edges = np.array([[X0 + 1000, Y0 + 400], [X0 + 1000, Y0 + 999], [X0, Y0 + 500], [HALL[0] + 800, HALL[1]]])
    return np.round(np.concatenate([west, east, outside, edges]), 1)  # Code-Point Open gives whole metres; tenths here


def _write_codepoint(path: Path, xy: np.ndarray) -> Path:
    """A Code-Point Open file: no header; postcode, quality, eastings, northings, then codes."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        for i, (x, y) in enumerate(xy):
            writer.writerow([_postcode(i), "10", f"{x:g}", f"{y:g}", "E92000001", "E19000001", "E18000002", "",
                             "E08000009", "E05000001"])
        writer.writerow([_postcode(len(xy)), "90", "0", "0", "E92000001", "", "", "", "", ""])  # no position
    return path


def _project(tmp_path: Path, *, population: tuple[int, int] = (1500, 900)) -> Path:
    frame = gpd.GeoDataFrame({"code": ["E01000001", "E01000002"], "name": ["West", "East"],
                              "population": list(population), "imd_decile": [2, 9]},
                             geometry=[WEST, EAST], crs=27700)
    path = tmp_path / "homes.gpkg"
    Project.create(path, 27700, name="Homes", neighbourhoods=frame)
    with Project.open(path) as p:
        p.add_asset({"name": "Hall", "category": "physical", "kind": "physical/community_centre"},
                    shapely.Point(*HALL))
        p.add_asset({"name": "Swings", "category": "physical", "kind": "physical/playground"},
                    shapely.Point(*PLAYGROUND))
        p.add_asset({"name": "Park", "category": "physical", "kind": "physical/park"}, PARK.centroid, PARK)
    return path


def _remember(project: Path, *lookups: Path) -> None:
    with Project.open(project) as p, p.transaction():
        remember_lookups(p, load_lookups(list(lookups)))


def _expected(xy: np.ndarray, neighbourhoods: list[shapely.Geometry]) -> dict[str, list[float]]:
    """Independently: each centre belongs to the first neighbourhood that covers it, and counts as within
    reach when its distance to a qualifying asset (the park by its footprint) is at most the rule's distance."""
    points = [shapely.Point(x, y) for x, y in xy]
    owner = [next((j for j, nb in enumerate(neighbourhoods) if nb.covers(pt)), -1) for pt in points]
    out = {}
    for rule in COVERAGE_RULES:
        targets = []
        if "physical/community_centre" in rule.kinds:
            targets.append(shapely.Point(*HALL))
        if "physical/playground" in rule.kinds:
            targets.append(shapely.Point(*PLAYGROUND))
        if "physical/park" in rule.kinds and (rule.min_area_m2 or 0) <= PARK.area:
            targets.append(PARK)
        shares = []
        for j in range(len(neighbourhoods)):
            mine = [pt for pt, o in zip(points, owner) if o == j]
            near = [pt for pt in mine if any(pt.distance(t) <= rule.distance_m for t in targets)]
            shares.append(len(near) / len(mine) if mine else float("nan"))
        out[rule.id] = shares
    return out


@pytest.fixture
def homes_project(tmp_path: Path) -> tuple[Path, np.ndarray]:
    xy = _centres(np.random.default_rng(12))
    project = _project(tmp_path)
    _remember(project, _write_codepoint(tmp_path / "codepoint_test.csv", xy))
    return project, xy


def test_coverage_of_homes_matches_an_independent_shapely_count(homes_project: tuple[Path, np.ndarray]) -> None:
    project, xy = homes_project
    with Project.open(project) as p:
        result = run_gaps(p)
    expected = _expected(xy, [WEST, EAST])
    for j, rec in enumerate(result.neighbourhoods):
        for rule in COVERAGE_RULES:
            assert rec["coverage_basis"][rule.id] == "homes"
            assert rec["coverage"][rule.id] == pytest.approx(round(expected[rule.id][j], 4), abs=1e-9), rule.id
            assert 0 <= rec["area_coverage"][rule.id] <= 1  # the area share is still there, beside it
    west = result.neighbourhoods[0]
    assert "population_coverage" not in west  # that is for residents' points only
    assert result.meta["coverage_basis"] == "homes"
    held = sum(1 for x, y in xy if WEST.covers(shapely.Point(x, y)) or EAST.covers(shapely.Point(x, y)))
    note = result.meta["coverage_notes"][0]
    assert note.startswith(f"coverage is of homes: {len(xy):,} postcode centres from codepoint_test.csv, "
                           "each counted once")
    assert f"{held:,} lie in the neighbourhoods, {len(xy) - held:,} outside them are left out" in note
    # the flags that follow from the shares are worded for homes
    for rec in result.neighbourhoods:
        for flag in rec["flags"]:
            if flag["rule"] in expected:
                assert f" homes in {rec['name']} are within " in flag["message"], flag


def test_a_lookup_in_another_crs_is_converted(tmp_path: Path) -> None:
    """An ONS-style lookup in latitude and longitude gives the same shares as the same centres in metres."""
    xy = _centres(np.random.default_rng(5), 90)
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    ons = tmp_path / "onspd.csv"
    with open(ons, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pcds", "lat", "long"])
        writer.writerows([_postcode(i), f"{la:.8f}", f"{lo:.8f}"] for i, (lo, la) in enumerate(zip(lon, lat)))
    project = _project(tmp_path)
    _remember(project, ons)
    with Project.open(project) as p:
        result = run_gaps(p)
    back = np.column_stack(Transformer.from_crs(4326, 27700, always_xy=True).transform(
        [float(f"{v:.8f}") for v in lon], [float(f"{v:.8f}") for v in lat]))
    expected = _expected(back, [WEST, EAST])  # the centres where the file puts them, to the millimetre
    for j, rec in enumerate(result.neighbourhoods):
        for rule in COVERAGE_RULES:
            assert rec["coverage"][rule.id] == pytest.approx(round(expected[rule.id][j], 4), abs=1e-9), rule.id


def test_no_lookup_is_coverage_of_the_area(tmp_path: Path) -> None:
    project = _project(tmp_path)
    with Project.open(project) as p:
        result = run_gaps(p)
    west = result.neighbourhoods[0]
    assert set(west["coverage_basis"].values()) == {"area"} and "area_coverage" not in west
    assert result.meta["coverage_basis"] == "area"
    assert "no postcode lookup" in result.meta["coverage_notes"][0]
    meet = next(f for f in west["flags"] if f["rule"] == "place_to_meet")
    pct = int(west["coverage"]["place_to_meet"] * 100)
    assert meet["message"] == f"Only {pct}% of the area of West is within 800 m of a place to meet (target 90%)."


def test_a_lookup_that_has_gone_or_does_not_read_is_a_note(homes_project: tuple[Path, np.ndarray],
                                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, _ = homes_project
    lookup = tmp_path / "codepoint_test.csv"
    lookup.write_text("this is,not,a postcode lookup\n1,2,3\n", encoding="utf-8")
    assert main(["gaps", str(project), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["run"]["coverage_basis"] == "area"
    assert "could not be read" in out["run"]["coverage_notes"][0]
    assert "coverage is of the area" in out["run"]["coverage_notes"][0]
    lookup.unlink()
    assert main(["gaps", str(project)]) == 0
    printed = capsys.readouterr().out
    assert "The postcode lookup remembered for this project is no longer there" in printed
    assert "% of the area of West is within 800 m of a place to meet" in printed
    with Project.open(project, readonly=True) as p:
        west = stored_by_code(p)["E01000001"]
    assert west["coverage_basis"]["place_to_meet"] == "area"


def test_a_neighbourhood_without_postcode_centres_falls_back_to_area(tmp_path: Path) -> None:
    xy = _centres(np.random.default_rng(3))
    only_west = xy[(xy[:, 0] < X0 + 1000) & (xy[:, 0] >= X0) & (xy[:, 1] >= Y0) & (xy[:, 1] <= Y0 + 1000)]
    project = _project(tmp_path)
    _remember(project, _write_codepoint(tmp_path / "west_only.csv", only_west))
    with Project.open(project) as p:
        result = run_gaps(p)
    west, east = result.neighbourhoods
    assert set(west["coverage_basis"].values()) == {"homes"}
    assert set(east["coverage_basis"].values()) == {"area"}
    assert east["coverage"] == east["area_coverage"]  # by area, said so
    for flag in east["flags"]:
        if flag["rule"] in east["coverage"]:
            assert " of the area of East " in flag["message"]
    assert "1 neighbourhood (E01000002) holds no postcode centre: its coverage is of the area, not of homes" in \
        result.meta["coverage_notes"]


def test_population_points_win_and_by_area_is_a_choice(homes_project: tuple[Path, np.ndarray]) -> None:
    project, _ = homes_project
    residents = PopulationPoints(np.array([shapely.Point(X0 + 150, Y0 + 500), shapely.Point(X0 + 950, Y0 + 950)]),
                                 np.array([300.0, 100.0]), "oa.geojson")
    with Project.open(project) as p:
        by_people = run_gaps(p, GapOptions(population=residents), store=False)
        by_area = run_gaps(p, GapOptions(homes=False), store=False)
    west = by_people.neighbourhoods[0]
    assert west["coverage_basis"]["place_to_meet"] == "population"
    assert west["coverage"]["place_to_meet"] == west["population_coverage"]["place_to_meet"] == 0.75
    assert any(f["message"].startswith("Only 75% of residents of West live within 800 m of a place to meet (target "
                                       "90%): about ") for f in west["flags"])
    assert by_people.meta["options"]["population_points"] == "oa.geojson" and by_people.meta["options"]["homes"] is None
    assert by_area.meta["coverage_basis"] == "area"
    assert by_area.meta["coverage_notes"] == ["coverage is of the area of each neighbourhood, as asked (not of homes)"]


def test_json_and_csv_give_each_rules_basis(homes_project: tuple[Path, np.ndarray], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    project, _ = homes_project
    out_csv = tmp_path / "gaps.csv"
    assert main(["gaps", str(project), "--json", "--out", str(out_csv)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["coverage_basis"] == "homes"
    assert doc["run"]["options"]["homes"].endswith("codepoint_test.csv")
    assert "postcode centres from codepoint_test.csv, each counted once" in doc["run"]["coverage_notes"][0]
    for rec in doc["neighbourhoods"]:
        assert rec["coverage_basis"] == {r.id: "homes" for r in COVERAGE_RULES}
    with open(out_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {row["coverage_basis_place_to_meet"] for row in rows} == {"homes"}
    by_code = {r["code"]: r for r in doc["neighbourhoods"]}
    for row in rows:
        rec = by_code[row["code"]]
        assert float(row["coverage_place_to_meet"]) == rec["coverage"]["place_to_meet"]
        assert float(row["area_coverage_place_to_meet"]) == rec["area_coverage"]["place_to_meet"]
    assert main(["gaps", str(project), "--by-area", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {v for rec in doc["neighbourhoods"] for v in rec["coverage_basis"].values()} == {"area"}


def test_an_import_with_postcodes_makes_gaps_count_homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The way a user gets there: `import --postcodes` remembers the lookup, and the next `gaps` uses it."""
    xy = _centres(np.random.default_rng(8), 60)
    lookup = _write_codepoint(tmp_path / "codepoint_test.csv", xy)
    project = _project(tmp_path)
    clubs = tmp_path / "clubs.csv"
    clubs.write_text(f"name,postcode\nChess club,{_postcode(3)}\n", encoding="utf-8")
    assert main(["import", str(project), str(clubs), "--kind", "associations/sports_club",
                 "--postcodes", str(lookup)]) == 0
    capsys.readouterr()
    assert main(["gaps", str(project), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"]["coverage_basis"] == "homes"


def test_a_public_rerun_keeps_coverage_of_homes(homes_project: tuple[Path, np.ndarray]) -> None:
    project, _ = homes_project
    with Project.open(project) as p:
        p.add_asset({"name": "Quiet room", "category": "physical", "kind": "physical/community_centre",
                     "visibility": "private"}, shapely.Point(X0 + 1500, Y0 + 500))
        run_gaps(p)
        stored = stored_by_code(p)
        public = public_results(p, stored)
    assert public is not stored and public["E01000001"]["coverage_basis"]["place_to_meet"] == "homes"
    assert public["E01000002"]["coverage"]["place_to_meet"] <= stored["E01000002"]["coverage"]["place_to_meet"]


def test_flag_sentences_say_what_the_share_is_of() -> None:
    rule = next(r for r in COVERAGE_RULES if r.id == "place_to_meet")
    name = "Trafford 018D (Sale Moor)"
    assert coverage_flag(rule, name, 0.5718, basis="homes").message == (  # type: ignore[union-attr]
        f"Only 57% of homes in {name} are within 800 m of a place to meet (target 90%).")
    assert coverage_flag(rule, name, 0.0, basis="homes").message == (  # type: ignore[union-attr]
        f"No homes in {name} are within 800 m of a place to meet (target 90%).")
    assert coverage_flag(rule, name, 0.5718, basis="area").message == (  # type: ignore[union-attr]
        f"Only 57% of the area of {name} is within 800 m of a place to meet (target 90%).")
    assert coverage_flag(rule, name, 0.0, basis="area").message == (  # type: ignore[union-attr]
        f"None of the area of {name} is within 800 m of a place to meet (target 90%).")
    assert coverage_flag(rule, name, 0.5718, basis="population").message == (  # type: ignore[union-attr]
        f"Only 57% of residents of {name} live within 800 m of a place to meet (target 90%).")
    assert coverage_flag(rule, name, 0.9821, basis="homes") is None


@pytest.mark.parametrize("distance", [0.5, 55.0, 300.0, 800.0, 2000.0])
def test_the_grid_shortcut_gives_shapelys_answer(distance: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid only spares exact tests: the answer is shapely's dwithin, boundary distances included."""
    rng = np.random.default_rng(int(distance * 10))
    xy = rng.uniform(0, 6000, (4000, 2))
    pts_xy = rng.uniform(-500, 6500, (25, 2))
    centres = rng.uniform(0, 6000, (6, 2))
    polygons = shapely.buffer(shapely.points(centres), rng.uniform(5, 400, 6), quad_segs=4)
    xy = np.concatenate([xy, pts_xy + [distance, 0.0], pts_xy + [0.0, -distance]])  # exactly at the distance
    points = shapely.points(xy)
    targets = Targets(pts_xy, polygons)
    hit, _ = shapely.STRtree(targets.geometries).query(points, predicate="dwithin", distance=distance)
    expected = np.zeros(len(xy), bool)
    expected[hit] = True
    assert (_within(xy, points, targets, distance) == expected).all()
    monkeypatch.setattr(coverage_module, "_MAX_GRID_CELLS", 0)  # no grid: every point tested
    assert (_within(xy, points, targets, distance) == expected).all()
    assert not _within(xy, points, Targets(np.empty((0, 2)), np.empty(0, dtype=object)), distance).any()


def test_the_sample_counts_homes_from_its_postcode_lookup(tmp_path: Path) -> None:
    from assetmap.core.sample import build_sample

    path, _ = build_sample(tmp_path / "trafford.gpkg")
    with Project.open(path) as p:
        result = run_gaps(p, store=False)
        by_area = run_gaps(p, GapOptions(homes=False), store=False)
    assert result.meta["coverage_basis"] == "homes"
    assert "postcode centres from codepoint_open_trafford.csv" in result.meta["coverage_notes"][0]
    assert {v for rec in result.neighbourhoods for v in rec["coverage_basis"].values()} == {"homes"}
    sale_moor = next(r for r in result.neighbourhoods if r["name"] == "Trafford 018D (Sale Moor)")
    assert sale_moor["coverage"]["place_to_meet"] > sale_moor["area_coverage"]["place_to_meet"]
    flagged = [sum(1 for rec in run.neighbourhoods for f in rec["flags"] if f["rule"] == "place_to_meet")
               for run in (by_area, result)]
    assert flagged[1] < flagged[0]
