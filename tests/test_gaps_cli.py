"""`assetmap gaps`: JSON contract, CSV, stored results, population points, progress and cancel."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.analysis import run_gaps, stored_results
from assetmap.core.errors import Cancelled
from assetmap.core.progress import Progress
from assetmap.core.project import Project


@pytest.fixture
def project(empty_project: Path) -> Path:
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Hall", "category": "physical", "kind": "physical/community_centre"},
                    shapely.Point(380000, 390500))  # on West's west edge
        # and one 4 km beyond the project's edge: community centres are mapped beyond it, so no flag here is
        # "may be better covered than shown" (tests/test_gaps_edge.py has those)
        p.add_asset({"name": "Next town's hall", "category": "physical", "kind": "physical/community_centre"},
                    shapely.Point(376000, 390500))
    return empty_project


def test_json_has_the_design_shape_and_results_are_stored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", str(project), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["rules"][0]) >= {"id", "title", "kinds", "distance_m", "target", "severity", "source"}
    assert out["distances"].startswith("straight-line")
    west = out["neighbourhoods"][0]
    assert set(west) >= {"code", "name", "population", "counts", "coverage", "flags", "priority"}
    # Half a disc of radius 800 m clipped to the square's height: 744,314 m2 of 1 km2, worked out by
    # integrating the chord, 2 * (500 * sqrt(800^2 - 500^2) / 2 + 800^2 / 2 * asin(500 / 800)).
    assert west["coverage"]["place_to_meet"] == pytest.approx(0.7443, abs=0.001)
    # a high rule, 18% short of its target: a slight shortfall is graded two steps down
    assert {"rule": "place_to_meet", "severity": "low",
            "message": "Only 74% of the area of West is within 800 m of a place to meet (target 90%)."} in west["flags"]
    assert west["counts"]["physical"] == 1  # the hall beyond the edge is nobody's own
    with Project.open(project, readonly=True) as p:
        assert stored_results(p) == out["neighbourhoods"]
        assert p.get_setting("gap_run")["options"]["include_private"] is True


def test_csv_has_one_row_per_neighbourhood(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gaps.csv"
    assert main(["gaps", str(project), "--out", str(out)]) == 0
    assert "straight-line" in capsys.readouterr().out
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["name"] for r in rows] == ["West", "East"]  # priority order
    assert rows[0]["priority"] == "1" and rows[0]["distance_basis"] == "straight-line"
    assert float(rows[0]["coverage_place_to_meet"]) == pytest.approx(0.7443, abs=0.001)
    assert "Only 74% of the area of West" in rows[0]["flags"]


def test_population_points_in_another_crs(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Three residents' points in West: 300 people 100 m from the hall, 100 people 900 m away.
    pts = gpd.GeoDataFrame({"population": [200, 100, 100]},
                           geometry=[shapely.Point(380100, 390500), shapely.Point(380050, 390550),
                                     shapely.Point(380900, 390500)], crs=27700).to_crs(4326)
    path = tmp_path / "oa_centroids.geojson"
    pts.to_file(path, driver="GeoJSON")
    assert main(["gaps", str(project), "--json", "--population-points", str(path)]) == 0
    west = json.loads(capsys.readouterr().out)["neighbourhoods"][0]
    assert west["population_coverage"]["place_to_meet"] == pytest.approx(0.75)
    assert ("Only 75% of residents of West live within 800 m of a place to meet (target 90%): about 380 of its "
            "1,500 residents live further away.") in [f["message"] for f in west["flags"]]


def test_bad_population_file_is_a_one_line_error(project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(0, 0)], crs=27700).to_file(bad, driver="GeoJSON")
    assert main(["gaps", str(project), "--population-points", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert "population" in err and "\n" not in err


def test_missing_project_argument_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["gaps"])
    assert exc.value.code == 2


def test_progress_reports_and_cancel_stops_without_storing(project: Path) -> None:
    seen: list[tuple[int, int]] = []
    with Project.open(project) as p:
        run_gaps(p, progress=Progress(lambda done, total, msg: seen.append((done, total))))
        assert seen[-1][0] == seen[-1][1] and all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
        with p.transaction() as conn:  # start from no stored results
            conn.execute("DELETE FROM gap_results")
        progress = Progress(lambda done, total, msg: progress.cancel() if done > 0 else None)
        with pytest.raises(Cancelled):
            run_gaps(p, progress=progress)
        assert stored_results(p) == []
