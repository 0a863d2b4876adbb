"""Editing from the window: add by clicking the map, edit in the form, move, delete; undo and redo on disk.

Every check of "on disk" opens the GeoPackage with a second, read-only handle, as another program would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer
from PyQt6.QtWidgets import QMessageBox
from test_gui_helpers import js, open_and_wait, sample_copy, sample_master, window  # noqa: F401

from assetmap.core.project import Project

TO_WGS84 = Transformer.from_crs(27700, 4326, always_xy=True)


def latlon(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform(x, y)
    return lat, lon


def on_disk(path: Path) -> Any:
    with Project.open(path, readonly=True) as project:
        return project.assets()


def fill_form(w: Any, **values: str) -> None:
    for name, value in values.items():
        editor = w.form.editors[name]
        combo = editor.input
        if hasattr(combo, "findData"):
            combo.setCurrentIndex(combo.findData(value))
        else:
            combo.setText(value)


def add_hall(qtbot: Any, w: Any, x: float = 380500, y: float = 390500, name: str = "Moss Hall") -> str:
    w.menu_actions.add.trigger()
    w.map.bridge.onMapClick(*latlon(x, y))  # the slot the page calls
    assert w.form.is_new
    fill_form(w, name=name, category="physical", kind="physical/village_hall")
    assert w.form.save.isEnabled()
    qtbot.mouseClick(w.form.save, __import__("PyQt6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    return w.doc.selected_id


def test_add_by_map_click_and_form_then_undo_redo(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    new_id = add_hall(qtbot, window)
    assets = on_disk(empty_project)
    assert list(assets["name"]) == ["Moss Hall"] and assets["id"].iloc[0] == new_id
    point = assets.geometry.iloc[0]
    assert abs(point.x - 380500) < 0.5 and abs(point.y - 390500) < 0.5
    assert window.table.model.rowCount() == 1 and window.form.asset_id == new_id
    window.menu_actions.undo.trigger()
    assert on_disk(empty_project).empty
    assert window.table.model.rowCount() == 0
    window.menu_actions.redo.trigger()
    again = on_disk(empty_project)
    assert list(again["id"]) == [new_id]
    name_js = f"assetmapDesktop.row('{new_id}') && assetmapDesktop.row('{new_id}').name"
    qtbot.waitUntil(lambda: js(qtbot, window, name_js) == "Moss Hall", timeout=20000)


def test_form_shows_problems_beside_fields(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    window.menu_actions.add.trigger()
    window.map.bridge.onMapClick(*latlon(380500, 390500))
    fill_form(window, name="Hall", category="physical", email="not an email")
    assert window.form.editors["email"].problem.isVisibleTo(window.form)
    assert "e-mail" in window.form.editors["email"].problem.text()
    assert not window.form.save.isEnabled()
    window.form.revert.click()  # Cancel
    assert not window.form.is_new and on_disk(empty_project).empty


def test_real_page_click_reaches_python_through_the_web_channel(qtbot: Any, window: Any, empty_project: Path) -> None:
    """A Leaflet click event in the real page travels over QWebChannel to the bridge slot."""
    open_and_wait(qtbot, window, empty_project)
    window.menu_actions.add.trigger()
    lat, lon = latlon(381500, 390500)
    with qtbot.waitSignal(window.map.bridge.mapClicked, timeout=20000) as blocker:
        window.map.page().runJavaScript(f"assetmap.map.fire('click', {{latlng: L.latLng({lat}, {lon})}})")
    assert blocker.args == pytest.approx([lat, lon])
    assert window.form.is_new
    fill_form(window, name="East Library", category="institutions", kind="institutions/library")
    window.form.save.click()
    new_id = window.doc.selected_id
    assert list(on_disk(empty_project)["name"]) == ["East Library"]
    # marker click in the page (what Leaflet's marker handler calls) selects the row and fills the form
    window.doc.select("")
    assert window.form.asset_id == ""
    with qtbot.waitSignal(window.map.bridge.assetClicked, timeout=20000):
        window.map.page().runJavaScript(f"assetmap.onAssetClick('{new_id}', 'map')")
    assert window.table.current_id() == new_id
    assert window.form.asset_id == new_id


def test_table_row_selects_on_map_and_edit_shows_everywhere(qtbot: Any, window: Any, sample_copy: Path) -> None:
    open_and_wait(qtbot, window, sample_copy)
    window.table.view.selectRow(0)
    asset_id = window.table.current_id()
    assert window.form.asset_id == asset_id
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.selectedId") == asset_id, timeout=20000)
    old = window.form.record["name"]
    window.form.editors["name"].input.setText("Renamed hall")
    assert window.windowTitle().endswith("assetmap") and window.isWindowModified()
    window.form.save.click()
    assert not window.isWindowModified()
    assets = on_disk(sample_copy)
    assert assets.loc[assets["id"] == asset_id, "name"].iloc[0] == "Renamed hall"
    row = window.table.model.row_of(asset_id)
    assert window.table.model.index(row, 0).data() == "Renamed hall"
    qtbot.waitUntil(lambda: js(qtbot, window, f"assetmapDesktop.row('{asset_id}').name") == "Renamed hall",
                    timeout=20000)
    window.menu_actions.undo.trigger()
    assets = on_disk(sample_copy)
    assert assets.loc[assets["id"] == asset_id, "name"].iloc[0] == old
    assert window.form.editors["name"].value() == old


def test_drag_moves_and_delete_asks_both_undoable(qtbot: Any, window: Any, empty_project: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    open_and_wait(qtbot, window, empty_project)
    new_id = add_hall(qtbot, window)
    window.map.bridge.onMarkerMoved(new_id, *latlon(380700, 390800))  # what a marker's dragend sends
    point = on_disk(empty_project).geometry.iloc[0]
    assert abs(point.x - 380700) < 0.5 and abs(point.y - 390800) < 0.5
    window.menu_actions.undo.trigger()
    point = on_disk(empty_project).geometry.iloc[0]
    assert abs(point.x - 380500) < 0.5
    asked: list[str] = []

    def answer(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Cancel if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    window.doc.select(new_id)
    window.menu_actions.delete.trigger()  # answered Cancel
    assert len(on_disk(empty_project)) == 1
    window.menu_actions.delete.trigger()  # answered Yes
    assert "Moss Hall" in asked[-1]
    assert on_disk(empty_project).empty and window.form.asset_id == ""
    window.menu_actions.undo.trigger()
    assert list(on_disk(empty_project)["id"]) == [new_id]


def test_place_an_unlocated_asset_from_the_table(qtbot: Any, window: Any, empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        asset_id = project.add_asset({"name": "Knitting circle", "category": "associations"})
    open_and_wait(qtbot, window, empty_project)
    window.table.unlocated.setChecked(True)
    window.table.view.selectRow(0)
    assert window.table.place.isEnabled()
    window.table.place.click()
    window.map.bridge.onMapClick(*latlon(381200, 390300))
    point = on_disk(empty_project).geometry.iloc[0]
    assert point is not None and abs(point.x - 381200) < 0.5
    assert window.table.proxy.rowCount() == 0  # no longer unlocated
    window.menu_actions.undo.trigger()
    assert on_disk(empty_project).geometry.iloc[0] is None
    from assetmap.gui.asset_table import ID_ROLE

    assert asset_id == window.table.model.index(0, 0).data(ID_ROLE)


def test_add_mode_closes_the_open_popup(qtbot: Any, window: Any, empty_project: Path) -> None:
    """The popup of the selected asset would hide the spot the user is about to click."""
    open_and_wait(qtbot, window, empty_project)
    hall = add_hall(qtbot, window)
    window.doc.select("")
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.row('%s') !== null" % hall) is True, timeout=20000)
    window.doc.select(hall)
    qtbot.waitUntil(lambda: js(qtbot, window, "document.querySelectorAll('.leaflet-popup').length") == 1,
                    timeout=20000)
    window.menu_actions.add.trigger()
    qtbot.waitUntil(lambda: js(qtbot, window, "document.querySelectorAll('.leaflet-popup').length") == 0,
                    timeout=20000)
    assert js(qtbot, window, "assetmapDesktop.addMode") is True
