"""Imports keep what lies just beyond the area: it serves the people near the edge (issue 12, point 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer

from assetmap.core.imports.pipeline import ImportOptions, import_file
from assetmap.core.project import Project

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)
SQUARE = shapely.box(400_000, 300_000, 401_000, 301_000)  # one 1 km neighbourhood on the British grid
OUT_BY = {"Inside Hall": -500, "Over the Road Library": 300, "Next Town Library": 1500, "Far City Library": 5000}


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "square.gpkg"
    hoods = gpd.GeoDataFrame({"code": ["E01000001"], "name": ["Square"], "population": [1500]},
                             geometry=[SQUARE], crs=27700)
    Project.create(path, hoods.crs, neighbourhoods=hoods)
    return path


def _csv(tmp_path: Path) -> Path:
    lines = ["name,lat,lon"]
    for name, metres in OUT_BY.items():  # east of the square's east edge, at its middle height
        lon, lat = TO_WGS84.transform(401_000 + metres, 300_500)
        lines.append(f"{name},{lat:.7f},{lon:.7f}")
    path = tmp_path / "libraries.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_beyond_the_area_are_counted_as_nearby_or_far(tmp_path: Path) -> None:
    project_path, csv = _project(tmp_path), _csv(tmp_path)
    with Project.open(project_path) as project:
        report = import_file(project, csv, ImportOptions(kind="institutions/library"))
    assert report.imported == 4 and report.rejected == 0
    assert (report.nearby, report.far, report.margin_m) == (2, 1, 2000)  # the longest default rule distance
    assert "2 are nearby, outside the area (within 2 km of it)" in " ".join(report.notes)
    assert "1 is more than 2 km outside the area: kept" in " ".join(report.notes)


@pytest.mark.parametrize(("margin", "kept"), [(None, {"Inside Hall", "Over the Road Library", "Next Town Library"}),
                                              (1000.0, {"Inside Hall", "Over the Road Library"}),
                                              (0.0, {"Inside Hall"})])
def test_clip_keeps_the_margin(tmp_path: Path, margin: float | None, kept: set[str]) -> None:
    project_path, csv = _project(tmp_path), _csv(tmp_path)
    with Project.open(project_path) as project:
        report = import_file(project, csv, ImportOptions(kind="institutions/library", clip=True, margin_m=margin))
        names = set(project.assets()["name"])
    assert names == kept
    assert report.rejected == 4 - len(kept) and report.far == 0 and report.nearby == len(kept) - 1
    shown = "2 km" if margin is None else f"{margin:g} m" if margin < 1000 else "1 km"
    assert {r["reason"] for r in report.rejects} == {f"more than {shown} outside the project's neighbourhoods (--clip)"}


def test_the_margin_follows_the_projects_own_rules(tmp_path: Path) -> None:
    from assetmap.core.analysis.rules import default_rules_dict, set_project_rules

    project_path, csv = _project(tmp_path), _csv(tmp_path)
    rules = default_rules_dict()
    for rule in rules["rules"]:
        if rule.get("distance_m"):
            rule["distance_m"] = min(rule["distance_m"], 400)
    with Project.open(project_path) as project:
        set_project_rules(project, rules)
        report = import_file(project, csv, ImportOptions(kind="institutions/library", clip=True))
    assert report.margin_m == 400 and report.rejected == 2 and report.nearby == 1


def test_cli_margin_and_clip(tmp_path: Path) -> None:
    project_path, csv = _project(tmp_path), _csv(tmp_path)
    run = [sys.executable, "-m", "assetmap", "import", str(project_path), str(csv), "--kind", "institutions/library"]
    bad = subprocess.run(run + ["--margin", "-5"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--margin -5: give a distance in metres" in bad.stderr and not bad.stdout
    done = subprocess.run(run + ["--clip", "--margin", "1000", "--json"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    got = (report["imported"], report["rejected"], report["nearby_outside_area"], report["margin_m"])
    assert got == (2, 2, 1, 1000)
