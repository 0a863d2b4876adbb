"""Unicode bidi controls never leave the project: every public artefact is written without them.

A project whose asset name, description, details, neighbourhood name and title carry overrides,
embeddings, isolates and marks is exported as a web map, GeoJSON and CSV (public and private), a
report and a gap CSV; no file holds any of the controls, the text around them is kept whole (they
are removed, not replaced), and the project itself still holds what was typed.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.export.tables import csv_rows, geojson_dict
from assetmap.core.export.text import BIDI_CONTROLS, neutral_tree, strip_bidi
from assetmap.core.export.webdata import build_map_data
from assetmap.core.project import Project

RLO, PDF, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
NAME = f"Moss {RLO}Lane{PDF} Hall"  # shows as "Moss enaL Hall" where the override is honoured
ALL = "".join(BIDI_CONTROLS)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str]:
    hoods = gpd.GeoDataFrame(
        {"code": ["E01000001", "E01000002"], "name": [f"West {RLO}Ward", f"East{RLM} Ward"],
         "population": [1500, 900], "imd_decile": [2, 9]},
        geometry=[shapely.box(380000, 390000, 381000, 391000), shapely.box(381000, 390000, 382000, 391000)],
        crs=27700)
    path = tmp_path / "bidi.gpkg"
    Project.create(path, 27700, name=f"Sale {LRI}West{PDI} map", neighbourhoods=hoods)
    with Project.open(path) as p:
        asset_id = p.add_asset({
            "name": NAME, "kind": "physical/village_hall", "description": f"Every{ALL}thing",
            "address": f"12 Elm {RLO}Road", "opening_times": f"Mon{RLM}-Fri",
            "details": json.dumps({f"Parking{RLO}": f"Yes{RLO}", "Hire rate": f"£20{LRI}/h"}),
            "public_details": json.dumps([f"Parking{RLO}", "Hire rate"]),
        }, shapely.Point(380500, 390500))
        p.add_asset({"name": f"Refuge{RLO}", "kind": "physical/village_hall", "visibility": "private",
                     "notes": f"Ask for {RLO}Zephyrine"}, shapely.Point(380600, 390600))
        p.set_setting("description", f"Assets of {RLO}Sale")
    return path, asset_id


def _artefacts(path: Path, asset_id: str, out: Path) -> list[Path]:
    """Every file the command line publishes from the project."""
    files = []
    assert main(["gaps", str(path), "--out", str(out / "gaps.csv")]) == 0
    files.append(out / "gaps.csv")
    for name, extra in (("map.html", ["--no-basemap"]), ("private.html", ["--private", "--no-basemap"]),
                        ("assets.geojson", []), ("private.geojson", ["--private"]), ("assets.csv", []),
                        ("private.csv", ["--private"])):
        assert main(["export", str(path), "--out", str(out / name), *extra]) == 0
        files.append(out / name)
    assert main(["report", str(path), asset_id, "--out", str(out / "report.html")]) == 0
    files.append(out / "report.html")
    return files


def test_no_public_artefact_carries_a_bidi_control(project: tuple[Path, str], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, asset_id = project
    out = tmp_path / "out"
    out.mkdir()
    for file in _artefacts(path, asset_id, out):
        text = file.read_text(encoding="utf-8-sig")
        found = sorted({f"U+{ord(c):04X}" for c in text if c in BIDI_CONTROLS})
        assert not found, f"{file.name} holds {found}"
        if file.name != "gaps.csv":
            assert "Moss Lane Hall" in text, file.name  # removed, not replaced: the name reads as typed
    for file in (out / "map.html", out / "assets.geojson", out / "assets.csv"):
        text = file.read_text(encoding="utf-8-sig")
        assert "Refuge" not in text and "Zephyrine" not in text  # still public: the private asset stays out
    geojson = json.loads((out / "assets.geojson").read_text(encoding="utf-8"))
    props = geojson["features"][0]["properties"]
    assert props["name"] == "Moss Lane Hall" and props["description"] == "Everything"
    assert props["Parking"] == "Yes" and props["Hire rate"] == "£20/h"
    assert "West Ward" in (out / "gaps.csv").read_text(encoding="utf-8")
    assert "Sale West map" in (out / "map.html").read_text(encoding="utf-8")
    with Project.open(path, readonly=True) as p:
        assert p.asset(asset_id)["name"] == NAME  # the project keeps the text as it was entered
    capsys.readouterr()


def test_the_map_data_and_tables_are_neutral_at_the_source(project: tuple[Path, str]) -> None:
    path, _ = project
    with Project.open(path, readonly=True) as p:
        data = build_map_data(p, private=True)
        collection = geojson_dict(p.assets(), private=True)
        header, rows = csv_rows(p.assets(), private=True)
        cells = [header, *rows]
    for part in (data, collection, cells):
        text = json.dumps(part, ensure_ascii=False)
        assert not any(c in text for c in BIDI_CONTROLS)
    assert data["meta"]["title"] == "Sale West map" and data["meta"]["description"] == "Assets of Sale"
    assert [h["name"] for h in data["neighbourhoods"]] == ["West Ward", "East Ward"]


def test_twin_headers_stay_apart_once_neutral(tmp_path: Path, empty_project: Path) -> None:
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Hall", "kind": "physical/village_hall",
                     "details": json.dumps({"Parking": "Yes", f"Parking{RLO}": "No"})}, shapely.Point(380500, 390500))
        header, rows = csv_rows(p.assets(), private=True)
    row = dict(zip(header, next(iter(rows))))
    assert row["Parking"] == "Yes" and row["Parking (detail)"] == "No"


def test_strip_bidi_removes_exactly_the_controls() -> None:
    assert strip_bidi(f"a{ALL}b") == "ab"
    assert strip_bidi("مكتبة سيل\u200d") == "مكتبة سيل\u200d"  # letters and joiners are text, not controls
    assert neutral_tree({f"k{RLO}": [f"v{RLM}", 3, None, (f"t{LRI}",)]}) == {"k": ["v", 3, None, ["t"]]}
