"""In add and place mode a click on the map always places: real mouse clicks on the sample project,
inside a neighbourhood (its layer ticked) and inside a park's footprint, checked in the project file;
a point far outside the area asks first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox
from test_gui_helpers import JS_TIMEOUT, js, open_and_wait, sample_copy, sample_master, window  # noqa: F401
from test_gui_map_helpers import (
    click,
    element_at,
    fill_form,
    inner_point,
    laid_out,
    latlon,
    on_disk,
    pixel,
    show_area,
)

from assetmap.core.project import Project
from assetmap.gui.layers_panel import NEIGHBOURHOODS


def neighbourhoods_ticked(window: Any) -> bool:
    tree = window.layers.tree
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    hood = next(i for i in items if i.data(0, Qt.ItemDataRole.UserRole) == NEIGHBOURHOODS)
    return hood.checkState(0) == Qt.CheckState.Checked


def test_add_by_clicking_inside_a_neighbourhood(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        hoods = project.neighbourhoods()
    hood = hoods.iloc[len(hoods) // 2]
    target = inner_point(hood.geometry)
    assert neighbourhoods_ticked(window)
    show_area(qtbot, window, hoods.iloc[[len(hoods) // 2]].to_crs(4326).geometry.iloc[0])
    at = pixel(qtbot, window, *latlon(target))
    under = element_at(qtbot, window, at)
    assert under["layer"]  # a layer that used to take the click (and open its popup)

    window.menu_actions.add.trigger()
    assert "the click places it" in window.mode_text.text() and window.mode_bar.isVisible()
    laid_out(qtbot, window)  # the banner took some of the map's height: the point is drawn a little lower
    at = pixel(qtbot, window, *latlon(target))
    assert element_at(qtbot, window, at)["cursor"] == "crosshair"
    with qtbot.waitSignal(window.map.bridge.mapClicked, timeout=JS_TIMEOUT):
        click(window, at)
    assert js(qtbot, window, "document.querySelectorAll('.leaflet-popup').length") == 0
    assert window.form.is_new and window.controller.outside_question is None
    fill_form(window, name="Hall in the middle", category="physical", kind="physical/village_hall")
    window.form.save.click()
    saved = on_disk(sample_copy).set_index("name").loc["Hall in the middle"]
    assert hood.geometry.contains(saved.geometry)
    assert saved.geometry.distance(target) < 25  # a pixel or two at this zoom
    # and the page shows it where it was clicked
    new_id = saved["id"]
    qtbot.waitUntil(lambda: js(qtbot, window, f"assetmapDesktop.row('{new_id}') !== null") is True, timeout=JS_TIMEOUT)


def test_place_by_clicking_inside_a_footprint(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        areas = project.asset_areas().sort_values("area_m2", ascending=False)
        unlocated = project.assets()
    footprint = areas.iloc[0].geometry
    unlocated = unlocated[unlocated.geometry.isna()]
    assert len(unlocated)
    window.table.unlocated.setChecked(True)
    window.table.view.selectRow(0)
    asset_id = window.table.current_id()
    assert asset_id in set(unlocated["id"])
    assert neighbourhoods_ticked(window)
    show_area(qtbot, window, areas.iloc[[0]].to_crs(4326).geometry.iloc[0])
    target = inner_point(footprint)
    at = pixel(qtbot, window, *latlon(target))
    assert element_at(qtbot, window, at)["layer"]  # the footprint (or its marker) would take the click

    window.table.place.click()
    assert window.controller.mode == "place"
    laid_out(qtbot, window)
    at = pixel(qtbot, window, *latlon(target))
    with qtbot.waitSignal(window.map.bridge.mapClicked, timeout=JS_TIMEOUT):
        click(window, at)
    assert js(qtbot, window, "document.querySelectorAll('.leaflet-popup').length") == 0
    assert window.controller.mode == ""
    placed = on_disk(sample_copy).set_index("id").loc[asset_id].geometry
    assert placed is not None and footprint.contains(placed) and placed.distance(target) < 25
    assert window.table.proxy.rowCount() == len(unlocated) - 1  # no longer in the unlocated list


def outside_question(qtbot: Any, window: Any) -> QMessageBox:
    qtbot.waitUntil(lambda: window.controller.outside_question is not None, timeout=JS_TIMEOUT)
    box = window.controller.outside_question
    assert box.isVisible() and "km from the nearest neighbourhood" in box.text()
    return box


def answer(qtbot: Any, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("mode", ["add", "place"])
def test_a_point_far_outside_the_area_asks_first(qtbot: Any, window: Any, sample_copy: Path, mode: str) -> None:  # noqa: F811
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        east = project.neighbourhoods().total_bounds[2]
        before = project.assets()
    far = shapely.Point(east + 80_000, 390_000)
    if mode == "add":
        window.menu_actions.add.trigger()
    else:
        window.table.unlocated.setChecked(True)
        window.table.view.selectRow(0)
        asset_id = window.table.current_id()
        window.table.place.click()
    window.map.bridge.onMapClick(*latlon(far))  # the slot the page calls on a click there
    box = outside_question(qtbot, window)
    assert "80." in box.text()
    answer(qtbot, box, "Cancel")
    assert window.controller.outside_question is None
    assert window.controller.mode == mode and not window.form.is_new  # still waiting for a better click
    after = on_disk(sample_copy)
    assert len(after) == len(before) and after.geometry.isna().sum() == before.geometry.isna().sum()

    window.map.bridge.onMapClick(*latlon(far))
    answer(qtbot, outside_question(qtbot, window), "Place anyway")
    if mode == "add":
        assert window.form.is_new
        fill_form(window, name="Far away hall", category="physical", kind="physical/village_hall")
        window.form.save.click()
        saved = on_disk(sample_copy).set_index("name").loc["Far away hall"].geometry
    else:
        saved = on_disk(sample_copy).set_index("id").loc[asset_id].geometry
    assert saved is not None and saved.distance(far) < 1


def test_a_click_near_the_edge_does_not_ask(qtbot: Any, window: Any, sample_copy: Path) -> None:  # noqa: F811
    """500 m outside the boundary is within the margin: assets just over the border are normal."""
    open_and_wait(qtbot, window, sample_copy)
    with Project.open(sample_copy, readonly=True) as project:
        hoods = project.neighbourhoods()
    coords = shapely.get_coordinates(hoods.geometry.values)
    x, y = coords[coords[:, 0].argmax()]  # the easternmost corner of the area
    edge = shapely.Point(x + 500, y)
    assert 0 < hoods.distance(edge).min() <= 500
    window.menu_actions.add.trigger()
    window.map.bridge.onMapClick(*latlon(edge))
    assert window.controller.outside_question is None and window.form.is_new
