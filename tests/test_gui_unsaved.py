"""Nothing typed is lost without asking: choosing another asset (a row, a marker on the map, the buildings
table), an undo that takes the asset out, or closing the project asks to Save, Discard or stay (Cancel);
the search box filters without moving the selection.

The question is the app's real message box, answered by pressing its button; the map's click is the slot the
page calls; everything said to be saved is read back from the GeoPackage with a second handle.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import QCoreApplication, QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox
from test_gui_helpers import js, open_and_wait, window  # noqa: F401

from assetmap.core.project import Project

Button = QMessageBox.StandardButton


@pytest.fixture
def two_halls(empty_project: Path) -> tuple[Path, str, str]:
    with Project.open(empty_project) as project:
        elm = project.add_asset({"name": "Elm Road Hall", "category": "physical", "email": "elm@example.org"},
                                shapely.Point(380300, 390500))
        oak = project.add_asset({"name": "Oak Street Club", "category": "associations"},
                                shapely.Point(381700, 390500))
    return empty_project, elm, oak


def name_on_disk(path: Path, asset_id: str) -> str | None:
    with Project.open(path, readonly=True) as project:
        found = project.assets()
        match = found[found["id"] == asset_id]
        return None if match.empty else str(match["name"].iloc[0])


class Answer:
    """Presses ``button`` in each question the app asks while it is set; remembers what was asked."""

    def __init__(self) -> None:
        self.button: Button | None = None
        self.asked: list[str] = []
        self.stopped = False
        self._look()

    def _look(self) -> None:
        if self.stopped:
            return
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible() and self.button is not None:
            self.asked.append(box.text())
            box.button(self.button).click()
        QTimer.singleShot(10, self._look)

    def set(self, button: Button) -> Answer:
        self.button = button
        return self


def typed(w: Any, asset_id: str, name: str) -> None:
    """Select an asset and type a new name into the form without saving."""
    w.controller.select(asset_id)
    assert w.form.asset_id == asset_id
    w.form.editors["name"].input.setText(name)
    assert w.form.has_unsaved()


def choose_row(w: Any, asset_id: str) -> None:
    """Click the asset's row in the assets table (selecting the row, as the click does)."""
    row = w.table.model.row_of(asset_id)
    w.table.view.selectRow(w.table.proxy.mapFromSource(w.table.model.index(row, 0)).row())


@pytest.fixture
def answer() -> Iterator[Answer]:
    helper = Answer()
    yield helper
    helper.stopped = True


# --- the assets table ---------------------------------------------------------------------------------------

def test_a_row_with_unsaved_edits_asks_and_save_saves(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Save)
    choose_row(window, oak)
    qtbot.waitUntil(lambda: window.doc.selected_id == oak, timeout=10000)
    assert answer.asked and "Elm Road Hall" in answer.asked[0] and "not saved" in answer.asked[0]
    assert name_on_disk(path, elm) == "Elm Road Community Hall"
    assert window.form.asset_id == oak and window.table.current_id() == oak


def test_discard_drops_the_edits_and_moves_on(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Typo Hall")
    answer.set(Button.Discard)
    choose_row(window, oak)
    qtbot.waitUntil(lambda: window.doc.selected_id == oak, timeout=10000)
    assert answer.asked and name_on_disk(path, elm) == "Elm Road Hall"
    assert window.form.asset_id == oak and window.form.editors["name"].value() == "Oak Street Club"


def test_cancel_stays_with_the_text_and_the_selection(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Cancel)
    choose_row(window, oak)
    qtbot.waitUntil(lambda: bool(answer.asked) and window.table.current_id() == elm, timeout=10000)
    assert window.doc.selected_id == elm and window.form.asset_id == elm
    assert window.form.editors["name"].value() == "Elm Road Community Hall" and window.form.has_unsaved()
    assert name_on_disk(path, elm) == "Elm Road Hall"


def test_save_with_problems_stays_and_shows_them(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    window.form.editors["email"].input.setText("not an e-mail")
    answer.set(Button.Save)
    choose_row(window, oak)
    qtbot.waitUntil(lambda: bool(answer.asked) and window.table.current_id() == elm, timeout=10000)
    assert window.doc.selected_id == elm and window.form.editors["email"].problem.isVisibleTo(window.form)
    assert window.form.editors["name"].value() == "Elm Road Community Hall"
    assert name_on_disk(path, elm) == "Elm Road Hall"


def test_without_edits_nothing_is_asked(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    window.controller.select(elm)
    answer.set(Button.Cancel)
    choose_row(window, oak)
    assert window.doc.selected_id == oak and not answer.asked  # at once: there was nothing to lose


# --- the search box -----------------------------------------------------------------------------------------

def test_search_filters_without_moving_the_selection(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Cancel)  # a question would be a failure: it is counted, and answered so nothing hangs
    search = window.table.search
    for text in ("E", "El", "Elm"):  # keystroke by keystroke: it still matches and stays selected
        search.setText(text)
        assert window.table.current_id() == elm
    for text in ("Oak", "Oak S", "Oak St"):  # filtered out: the table shows Oak only, the form keeps Elm
        search.setText(text)
        assert window.table.current_id() == "" and window.table.proxy.rowCount() == 1
    QCoreApplication.processEvents()
    assert window.doc.selected_id == elm and window.form.asset_id == elm
    assert window.form.editors["name"].value() == "Elm Road Community Hall"
    search.clear()  # back in view: selected again
    assert window.table.current_id() == elm
    QCoreApplication.processEvents()
    assert not answer.asked and name_on_disk(path, elm) == "Elm Road Hall"


# --- the map ------------------------------------------------------------------------------------------------

def view_of(qtbot: Any, w: Any) -> list[float]:
    return js(qtbot, w, "[assetmap.map.getCenter().lat, assetmap.map.getCenter().lng, assetmap.map.getZoom()]")


def test_a_marker_click_asks_and_stay_keeps_the_map_where_it_is(qtbot: Any, window: Any, two_halls: Any,
                                                                answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.selectedId") == elm, timeout=20000)
    before = view_of(qtbot, window)
    answer.set(Button.Cancel)
    window.map.bridge.onAssetClick(oak, "map")  # the slot the page calls when Oak's marker is clicked
    qtbot.waitUntil(lambda: bool(answer.asked), timeout=10000)
    qtbot.waitUntil(lambda: js(qtbot, window, "assetmapDesktop.selectedId") == elm, timeout=20000)
    assert view_of(qtbot, window) == before
    assert window.doc.selected_id == elm and window.form.editors["name"].value() == "Elm Road Community Hall"

    answer.set(Button.Save)
    window.map.bridge.onAssetClick(oak, "map")
    qtbot.waitUntil(lambda: window.doc.selected_id == oak, timeout=10000)
    assert name_on_disk(path, elm) == "Elm Road Community Hall" and window.form.asset_id == oak


def test_the_buildings_table_asks_too(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Cancel)
    window.buildings.assetSelected.emit(oak)  # what a row of the Buildings tab says
    qtbot.waitUntil(lambda: bool(answer.asked), timeout=10000)
    assert window.doc.selected_id == elm and window.form.editors["name"].value() == "Elm Road Community Hall"


# --- undo, and closing the project --------------------------------------------------------------------------

@pytest.mark.parametrize("button", [Button.Cancel, Button.Save, Button.Discard])
def test_an_undo_that_takes_the_asset_out_asks(qtbot: Any, window: Any, empty_project: Path, answer: Answer,
                                               button: Button) -> None:
    open_and_wait(qtbot, window, empty_project)
    new_id = window.doc.add_asset({"name": "Moss Hall", "category": "physical"}, shapely.Point(380500, 390500))
    typed(window, new_id, "Moss Lane Hall")
    answer.set(button)
    window.menu_actions.undo.trigger()  # undoing the add takes the asset out
    qtbot.waitUntil(lambda: bool(answer.asked), timeout=10000)
    assert "Undo takes it out" in answer.asked[0]
    if button == Button.Discard:
        qtbot.waitUntil(lambda: window.doc.selected_id == "", timeout=10000)
        assert name_on_disk(empty_project, new_id) is None and window.form.asset_id == ""
        return
    qtbot.waitUntil(lambda: name_on_disk(empty_project, new_id) is not None, timeout=10000)
    assert window.doc.selected_id == new_id and window.form.asset_id == new_id
    if button == Button.Save:
        assert name_on_disk(empty_project, new_id) == "Moss Lane Hall" and not window.form.has_unsaved()
    else:
        assert name_on_disk(empty_project, new_id) == "Moss Hall"
        assert window.form.editors["name"].value() == "Moss Lane Hall" and window.form.has_unsaved()


def test_an_edit_elsewhere_keeps_what_is_typed(qtbot: Any, window: Any, two_halls: Any) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    window.doc.update_asset(elm, {"geometry": shapely.Point(380350, 390550)})  # e.g. its marker dragged
    assert window.form.editors["name"].value() == "Elm Road Community Hall" and window.form.has_unsaved()


def test_a_confirmed_delete_does_not_ask_again(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Yes)  # "Delete “Elm Road Hall” from the project?"
    window.menu_actions.delete.trigger()
    assert len(answer.asked) == 1 and "Delete" in answer.asked[0]
    QCoreApplication.processEvents()
    assert window.doc.selected_id == "" and name_on_disk(path, elm) is None and len(answer.asked) == 1


def test_closing_the_project_asks_the_same_question(qtbot: Any, window: Any, two_halls: Any, answer: Answer) -> None:
    path, elm, _oak = two_halls
    open_and_wait(qtbot, window, path)
    typed(window, elm, "Elm Road Community Hall")
    answer.set(Button.Cancel)
    assert not window.close_project()
    assert answer.asked and "not saved" in answer.asked[0] and window.doc is not None
    assert window.form.editors["name"].value() == "Elm Road Community Hall"
    answer.set(Button.Save)
    assert window.close_project()
    assert name_on_disk(path, elm) == "Elm Road Community Hall"
