"""File ▸ New project: a local authority found by typing part of its name, or one borough out of a region's
ward file; the project is made off the GUI thread and opens in the window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import QSize, Qt
from test_gui_helpers import dispose, make_window

from assetmap.core.project import Project
from assetmap.gui import operations
from assetmap.gui.screen import fit_to_screen

WARDS = Path(__file__).resolve().parent / "data" / "area" / "gm_ward_generalised.geojson"
ARTIFACTS = Path(os.environ.get("ASSETMAP_ARTIFACTS", Path(__file__).resolve().parents[1] / "build" / "test-artifacts"))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dialog suggests files in the home folder: keep that inside the test's folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def main_window(qtbot: Any, tmp_path: Path, home: Path) -> Iterator[Any]:
    """The app's main window with its own settings (as test_gui_helpers' ``window``), closed at the end."""
    w = make_window(qtbot, tmp_path)
    yield w
    dispose(w)


def wait_opened(qtbot: Any, window: Any, dest: Path) -> None:
    qtbot.waitUntil(lambda: window.doc is not None and window.doc.path == dest, timeout=60000)


def test_new_project_for_a_council_typed_in_part(qtbot: Any, main_window: Any, tmp_path: Path) -> None:
    dialog = operations.new_project(main_window)
    qtbot.waitExposed(dialog)
    assert dialog.by_area.isChecked()
    qtbot.keyClicks(dialog.search, "bol")
    assert dialog.chosen_authority().name == "Bolton"
    assert dialog.areas.count() == 2 and "177 LSOAs" in dialog.areas.currentItem().text()
    assert "Index of Multiple Deprivation" in dialog.area_info.text()
    assert Path(dialog.dest.text()) == tmp_path / "Bolton.gpkg"
    dest = tmp_path / "my bolton.gpkg"
    dialog.dest.clear()
    qtbot.keyClicks(dialog.dest, str(dest))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    wait_opened(qtbot, main_window, dest)
    with Project.open(dest, readonly=True) as project:
        assert project.count("neighbourhoods") == 177 and project.name == "Bolton"
        assert project.get_setting("figures")["imd"]["method"] == "as published"
    label = main_window.layers.tree.topLevelItem(0).text(0)
    assert label == "Neighbourhoods (177)"


def test_new_project_from_one_borough_of_a_region_file(qtbot: Any, main_window: Any, tmp_path: Path) -> None:
    dialog = operations.new_project(main_window)
    qtbot.waitExposed(dialog)
    dialog.by_file.setChecked(True)
    assert dialog.pages.currentIndex() == 1
    dialog.file.setText(str(WARDS))
    handle = dialog.read_file_areas(str(WARDS))
    qtbot.waitUntil(lambda: handle.finished and dialog.keep.count() == 11, timeout=30000)  # All, the ten boroughs
    assert dialog.keep.itemText(0) == "All of the file (215 units)"
    index = dialog.keep.findText("Bolton (20 units)")
    assert index > 0
    dialog.keep.setCurrentIndex(index)
    dest = tmp_path / "Bolton wards.gpkg"
    dialog.dest.setText(str(dest))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    wait_opened(qtbot, main_window, dest)
    with Project.open(dest, readonly=True) as project:
        hoods = project.neighbourhoods()
        figures = project.get_setting("figures")
    assert len(hoods) == 20 and (hoods["local_authority"] == "Bolton").all() and hoods["population"].notna().all()
    assert figures["population"]["method"] == "area-weighted from LSOAs"


def test_problems_are_said_before_anything_is_written(qtbot: Any, main_window: Any, tmp_path: Path) -> None:
    dialog = operations.new_project(main_window)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.search, "zzzz")
    assert dialog.areas.count() == 0 and "No local authority matches 'zzzz'" in dialog.area_info.text()
    dialog.dest.setText(str(tmp_path / "x.gpkg"))
    assert dialog.start_creating() is None and dialog.error.text() == "Choose a local authority from the list."
    existing = tmp_path / "taken.gpkg"
    existing.write_bytes(b"")
    dialog.search.clear()
    dialog.dest.setText(str(existing))
    assert dialog.start_creating() is None and "already exists" in dialog.error.text()
    dialog.by_file.setChecked(True)
    dialog.dest.setText(str(tmp_path / "y.gpkg"))
    assert dialog.start_creating() is None and dialog.error.text() == "Choose a boundary file."
    assert not (tmp_path / "x.gpkg").exists() and not (tmp_path / "y.gpkg").exists()
    dialog.reject()


def test_dialog_fits_a_1366x768_laptop(qtbot: Any, main_window: Any) -> None:
    dialog = operations.new_project(main_window)
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.search, "bol")
    need = dialog.minimumSizeHint()
    assert need.width() <= 1366 - 16 and need.height() <= 768 - 48
    fit_to_screen(dialog, 1366, 768)
    assert dialog.width() <= 1366 and dialog.height() <= 768
    dialog.resize(QSize(min(dialog.width(), 720), min(dialog.height(), 600)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(ARTIFACTS / "new_project_dialog.png"))
    dialog.reject()
