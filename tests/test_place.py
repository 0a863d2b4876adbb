"""Placing an asset by a postcode (real OS Code-Point Open rows for Trafford) or by coordinates in degrees or
British National Grid metres: the core, the ``assetmap place`` command and the form's control."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.errors import DataError
from assetmap.core.project import Project
from assetmap.core.project.lookups import LOOKUPS_SETTING
from assetmap.core.project.placing import place_coordinates, place_postcode, place_text

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
CODEPOINT = SAMPLE / "postcodes" / "codepoint_open_trafford.csv"
TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


def codepoint(postcode: str) -> tuple[float, float]:
    """The easting and northing the Code-Point Open file itself gives for a postcode."""
    with open(CODEPOINT, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if row[0] == postcode:
                return float(row[2]), float(row[3])
    raise AssertionError(f"{postcode} is not in the file")


@pytest.fixture
def trafford(tmp_path: Path) -> Path:
    """Trafford's LSOAs (British National Grid), its Code-Point lookup remembered, and a hall not on the map."""
    hoods = gpd.read_file(SAMPLE / "boundaries" / "trafford_lsoa_2021.geojson")
    path = tmp_path / "trafford.gpkg"
    Project.create(path, 27700, name="Trafford",
                   neighbourhoods=hoods.rename(columns={"area_code": "code", "area_name": "name"}))
    with Project.open(path) as project:
        project.set_setting(LOOKUPS_SETTING, [str(CODEPOINT)])
        project.add_asset({"name": "Moss Hall", "category": "physical"}, None)
    return path


def hall(path: Path) -> dict[str, Any]:
    with Project.open(path, readonly=True) as project:
        return project.assets().iloc[0].to_dict()


# --- the core -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["M33 7XX", "m33 7xx", "M337XX", " M33  7XX. "])
def test_a_postcode_is_placed_where_code_point_says(trafford: Path, typed: str) -> None:
    with Project.open(trafford, readonly=True) as project:
        placed = place_text(project, typed)
    assert (placed.point.x, placed.point.y) == codepoint("M33 7XX")
    assert placed.source == "postcode" and placed.postcode == "M33 7XX" and not placed.far


def test_unknown_postcode_and_no_lookup_are_clear_errors(trafford: Path, tmp_path: Path) -> None:
    with Project.open(trafford) as project:
        with pytest.raises(DataError, match=r"postcode SW1A 1AA is not in the lookup \(6,482 postcodes from "
                                            r"codepoint_open_trafford\.csv\)"):
            place_postcode(project, "sw1a1aa")
        with pytest.raises(ValueError, match="'M33' is not a full UK postcode"):
            place_text(project, "M33")
        project.set_setting(LOOKUPS_SETTING, [str(tmp_path / "gone.csv")])
        with pytest.raises(DataError, match="gone.csv"):
            place_postcode(project, "M33 7XX")
        project.set_setting(LOOKUPS_SETTING, [])
        with pytest.raises(DataError, match="no postcode lookup chosen for this project: choose one in File ▸ "
                                            "Import assets .* or with assetmap import --postcodes"):
            place_postcode(project, "M33 7XX")


@pytest.mark.parametrize("typed", ["53.4246, -2.3232", "53.4246,-2.3232", "(53.4246; -2.3232)", "53,4246, -2,3232",
                                   "53.4246N 2.3232W", "N 53.4246, W 2.3232", "2.3232W 53.4246N",
                                   "53°25'28.56\"N 2°19'23.52\"W", "53 25 28.56, -2 19 23.52"])
def test_latitude_and_longitude_as_people_type_them(trafford: Path, typed: str) -> None:
    x, y = TO_BNG.transform(-2.3232, 53.4246)
    with Project.open(trafford, readonly=True) as project:
        placed = place_coordinates(project, typed)
    assert placed.point.distance(shapely.Point(x, y)) < 0.01
    assert placed.source == "coordinates" and "latitude 53.42460, longitude -2.32320" == placed.how


@pytest.mark.parametrize("typed", ["379500, 391200", "379500 391200", "379,500, 391,200", "379 500; 391 200"])
def test_british_national_grid_eastings_and_northings(trafford: Path, typed: str) -> None:
    with Project.open(trafford, readonly=True) as project:
        placed = place_text(project, typed)
    assert (placed.point.x, placed.point.y) == (379500, 391200)
    assert placed.how == "British National Grid 379500 E, 391200 N" and not placed.notes


def test_a_grid_reference_is_the_centre_of_its_square(trafford: Path) -> None:
    with Project.open(trafford, readonly=True) as project:
        assert (place_text(project, "SJ 795 912").point.coords[0]) == (379550, 391250)  # 100 m square
        assert (place_text(project, "sj7952791284").point.coords[0]) == (379527.5, 391284.5)  # 1 m square


def test_a_pair_the_wrong_way_round_is_read_the_way_that_lands_in_the_area(trafford: Path) -> None:
    x, y = TO_BNG.transform(-2.3232, 53.4246)
    with Project.open(trafford, readonly=True) as project:
        swapped = place_text(project, "-2.3232, 53.4246")  # longitude first, as GIS tools write it
        northing_first = place_text(project, "391200, 379500")
    assert swapped.point.distance(shapely.Point(x, y)) < 0.01 and "longitude, latitude" in swapped.notes[0]
    assert northing_first.point.coords[0] == (379500, 391200) and "northing, easting" in northing_first.notes[0]


def test_a_point_far_from_the_neighbourhoods_is_flagged(trafford: Path) -> None:
    with Project.open(trafford, readonly=True) as project:
        far = place_text(project, "51.5014, -0.1419")  # Westminster
        near = place_text(project, "379500, 391200")
    assert far.far and far.outside_m is not None and far.outside_m > 200000 and "km outside" in far.warning()
    assert not near.far and near.outside_m == 0 and near.warning() == ""


@pytest.mark.parametrize("typed", ["hello", "53.4", "1, 2, 3", "999999, 9999999", "95.1N, 2.3W"])
def test_text_that_is_not_coordinates_says_what_would_be(trafford: Path, typed: str) -> None:
    with Project.open(trafford, readonly=True) as project, pytest.raises(ValueError) as error:
        place_text(project, typed)
    assert typed in str(error.value) and ("Type, for example" in str(error.value) or "out of range" in str(error.value))


# --- the command ----------------------------------------------------------------------------------------------

def place(*args: Any) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assetmap", "place", *map(str, args)], capture_output=True,
                          text=True)


def test_assetmap_place_by_postcode_and_by_coordinates(trafford: Path) -> None:
    asset_id = hall(trafford)["id"]
    done = place(trafford, asset_id, "--postcode", "M33 7XX", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["postcode"] == "M33 7XX" and report["changed"] == ["geometry", "postcode"]
    placed = hall(trafford)
    assert placed["geometry"].coords[0] == codepoint("M33 7XX") and placed["postcode"] == "M33 7XX"

    done = place(trafford, asset_id, "--at", "379500, 391200")
    assert done.returncode == 0, done.stderr and "British National Grid" in done.stdout
    assert hall(trafford)["geometry"].coords[0] == (379500, 391200)
    done = place(trafford, asset_id, "--at", "53.4246,-2.3232", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["lat"] == 53.4246
    assert hall(trafford)["postcode"] == "M33 7XX"  # a postcode it already had stays


def test_assetmap_place_refuses_far_points_without_force_and_bad_input(trafford: Path) -> None:
    asset_id = hall(trafford)["id"]
    far = place(trafford, asset_id, "--at", "51.5014, -0.1419")
    assert far.returncode == 2 and "--force" in far.stderr and far.stderr.count("\n") == 1
    assert hall(trafford)["geometry"] is None  # nothing written
    forced = place(trafford, asset_id, "--at", "51.5014, -0.1419", "--force")
    assert forced.returncode == 0 and hall(trafford)["geometry"] is not None
    unknown = place(trafford, asset_id, "--postcode", "SW1A 1AA")
    assert unknown.returncode == 1 and "not in the lookup" in unknown.stderr and "Traceback" not in unknown.stderr
    assert place(trafford, asset_id, "--at", "hello").returncode == 2
    assert place(trafford, "no-such-id", "--at", "379500, 391200").returncode == 1
    assert place(trafford, asset_id).returncode == 2  # --postcode or --at is needed
    assert place(trafford, asset_id, "--postcode", "M33 7XX", "--at", "1, 2").returncode == 2


def test_assetmap_place_with_no_lookup_says_how_to_choose_one(trafford: Path) -> None:
    with Project.open(trafford) as project:
        project.set_setting(LOOKUPS_SETTING, [])
    asset_id = hall(trafford)["id"]
    done = place(trafford, asset_id, "--postcode", "M33 7XX")
    assert done.returncode == 1 and "no postcode lookup chosen" in done.stderr
    given = place(trafford, asset_id, "--postcode", "M33 7XX", "--postcodes", CODEPOINT)
    assert given.returncode == 0, given.stderr
    assert hall(trafford)["geometry"].coords[0] == codepoint("M33 7XX")


# --- the form -------------------------------------------------------------------------------------------------

def answer_next_question(button: QMessageBox.StandardButton, asked: list[str]) -> None:
    """Press ``button`` in the next message box the app shows (the real one, offscreen)."""
    def look(tries: int = 0) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            asked.append(box.text())
            box.button(button).click()
        elif tries < 500:
            QTimer.singleShot(10, lambda: look(tries + 1))
    QTimer.singleShot(0, look)


def test_the_form_places_by_postcode_and_asks_before_a_far_point(qtbot: Any, window: Any, trafford: Path) -> None:
    open_and_wait(qtbot, window, trafford)
    asset_id = hall(trafford)["id"]
    window.controller.select(asset_id)
    form = window.form
    assert "Not on the map yet" in form.where.text() and form.place_button.isEnabled()
    form.place_button.click()
    assert form.place_row.isVisibleTo(form)
    form.place_input.setText("M33 9ZZ")
    form.place_go.click()
    assert "not in the lookup" in form.place_message.text() and hall(trafford)["geometry"] is None
    form.place_input.setText("M33 7XX")
    form.place_go.click()
    assert hall(trafford)["geometry"].coords[0] == codepoint("M33 7XX")
    assert "postcode M33 7XX" in form.place_message.text() and form.where.text() == "On the map."
    window.menu_actions.undo.trigger()  # one step on the undo stack, like any edit
    assert hall(trafford)["geometry"] is None

    asked: list[str] = []
    form.place_input.setText("51.5014, -0.1419")
    answer_next_question(QMessageBox.StandardButton.Cancel, asked)
    assert not form.place_from_text()
    assert asked and "km outside" in asked[0] and hall(trafford)["geometry"] is None
    answer_next_question(QMessageBox.StandardButton.Yes, asked)
    assert form.place_from_text()
    assert abs(hall(trafford)["geometry"].x - TO_BNG.transform(-0.1419, 51.5014)[0]) < 0.01
