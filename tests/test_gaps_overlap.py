"""Neighbourhoods that overlap by more than a sliver are refused by ``new`` (naming the codes and the overlap);
with ``--allow-overlap`` an asset in the overlap counts in each neighbourhood that holds it (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import shapely

from assetmap.core.analysis import run_gaps
from assetmap.core.area.no_overlap import find_overlaps
from assetmap.core.project import Project

X0, Y0 = 380000.0, 390000.0


def boundaries(tmp_path: Path, second: shapely.Geometry) -> Path:
    frame = gpd.GeoDataFrame({"code": ["E01000001", "E01000002"], "name": ["West", "East"],
                              "population": [1500, 1200], "imd_decile": [3, 7]},
                             geometry=[shapely.box(X0, Y0, X0 + 1000, Y0 + 1000), second], crs=27700)
    path = tmp_path / "units.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def new(project: Path, units: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assetmap", "new", str(project), "--boundaries", str(units),
                           *extra], capture_output=True, text=True, timeout=300)


def test_overlapping_units_are_refused_by_name_and_nothing_is_left(tmp_path: Path) -> None:
    units = boundaries(tmp_path, shapely.box(X0 + 600, Y0, X0 + 1600, Y0 + 1000))  # 400 m x 1 km shared
    run = new(tmp_path / "p.gpkg", units)
    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "E01000001 and E01000002" in lines[0] and "400,000 m²" in lines[0] and "--allow-overlap" in lines[0]
    assert not (tmp_path / "p.gpkg").exists() and not (tmp_path / "p.gpkg.lock").exists()


def test_slivers_along_a_shared_edge_are_fine(tmp_path: Path) -> None:
    units = boundaries(tmp_path, shapely.box(X0 + 999.5, Y0, X0 + 2000, Y0 + 1000))  # a 0.5 m strip: 500 m²
    frame = gpd.read_file(units)
    assert find_overlaps(frame) == []  # 0.05% of either unit
    run = new(tmp_path / "p.gpkg", units)
    assert run.returncode == 0, run.stderr


def test_allow_overlap_counts_an_asset_in_each_unit_that_holds_it(tmp_path: Path) -> None:
    units = boundaries(tmp_path, shapely.box(X0 + 600, Y0, X0 + 1600, Y0 + 1000))
    project = tmp_path / "p.gpkg"
    run = new(project, units, "--allow-overlap")
    assert run.returncode == 0, run.stderr
    with Project.open(project) as p:
        p.add_asset({"name": "Shared hall", "kind": "physical/village_hall"}, shapely.Point(X0 + 800, Y0 + 500))
        p.add_asset({"name": "West hall", "kind": "physical/village_hall"}, shapely.Point(X0 + 100, Y0 + 500))
        result = run_gaps(p)
    counts = {r["code"]: r["counts"]["physical"] for r in result.neighbourhoods}
    assert counts == {"E01000001": 2, "E01000002": 1}
    said = json.dumps(result.to_json()["run"])
    assert "--allow-overlap" in said and "counts in each neighbourhood" in said


def test_without_overlap_an_asset_on_a_shared_edge_counts_once(tmp_path: Path) -> None:
    units = boundaries(tmp_path, shapely.box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000))
    project = tmp_path / "p.gpkg"
    assert new(project, units).returncode == 0
    with Project.open(project) as p:
        p.add_asset({"name": "Edge hall", "kind": "physical/village_hall"}, shapely.Point(X0 + 1000, Y0 + 500))
        result = run_gaps(p)
    assert sum(r["counts"]["physical"] for r in result.neighbourhoods) == 1
