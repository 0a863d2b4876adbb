"""Ctrl+Z as the status bar promises it: in a field with typing of its own it undoes that typing; otherwise (a
field with nothing to undo, or anywhere else) it undoes the last saved edit, on disk. Real keys, real window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def hall_project(empty_project: Path) -> tuple[Path, str]:
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Elm Road Hall", "category": "physical", "kind": "physical/village_hall",
                                  "address": "12 Elm Road"}, shapely.Point(380500, 390500))
    return empty_project, hall


def stored(path: Path, asset_id: str, field: str) -> Any:
    with Project.open(path, readonly=True) as project:
        return project.asset(asset_id).get(field)


def ready(qtbot: Any, w: Any, path: Path, asset_id: str) -> None:
    """The project open, the hall in the form, the window active (window shortcuts only fire there)."""
    open_and_wait(qtbot, w, path)
    w.doc.select(asset_id)
    qtbot.waitUntil(lambda: w.form.asset_id == asset_id, timeout=5000)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=5000)


def focus(qtbot: Any, widget: Any) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=5000)


def retype(qtbot: Any, line: Any, text: str) -> None:
    """Select all and type over it, key by key."""
    qtbot.keyClick(line, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(line, text)


def test_ctrl_z_in_the_field_just_saved_undoes_the_save(qtbot: Any, window: Any,  # noqa: F811
                                                        hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    ready(qtbot, window, path, hall)
    name = window.form.editors["name"].input
    focus(qtbot, name)
    retype(qtbot, name, "Elm Road Community Hall")
    qtbot.keyClick(name, Qt.Key.Key_S, CTRL)
    assert stored(path, hall, "name") == "Elm Road Community Hall"
    message = window.statusBar().currentMessage()
    assert "Ctrl+Z" in message and "takes them back" in message
    assert name.hasFocus()  # still typing there, as after any Ctrl+S

    qtbot.keyClick(name, Qt.Key.Key_Z, CTRL)  # what the status bar just said
    assert stored(path, hall, "name") == "Elm Road Hall"
    assert name.text() == "Elm Road Hall" and not window.form_dirty()

    qtbot.keyClick(name, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # and redo, the same way
    assert stored(path, hall, "name") == "Elm Road Community Hall"


def test_ctrl_z_with_typing_in_the_field_undoes_the_typing_only(qtbot: Any, window: Any,  # noqa: F811
                                                                hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    ready(qtbot, window, path, hall)
    address = window.form.editors["address"].input
    focus(qtbot, address)
    qtbot.keyClick(address, Qt.Key.Key_End)
    qtbot.keyClicks(address, ", Lozells")
    assert window.form_dirty()
    before = window.doc.undo_stack.index()
    qtbot.keyClick(address, Qt.Key.Key_Z, CTRL)
    assert address.text() == "12 Elm Road" and not window.form_dirty()  # the typing, undone in the field
    assert window.doc.undo_stack.index() == before and stored(path, hall, "address") == "12 Elm Road"


def test_ctrl_z_never_reloads_the_form_over_unsaved_typing(qtbot: Any, window: Any,  # noqa: F811
                                                            hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    ready(qtbot, window, path, hall)
    window.doc.update_asset(hall, {"phone": "0121 496 0000"})  # a saved edit an undo could take back
    qtbot.waitUntil(lambda: window.form.editors["phone"].input.text() == "0121 496 0000", timeout=5000)
    name = window.form.editors["name"].input
    focus(qtbot, name)
    retype(qtbot, name, "Elm Road Community Hall")
    address = window.form.editors["address"].input
    focus(qtbot, address)  # nothing typed here, but the name is not saved yet
    qtbot.keyClick(address, Qt.Key.Key_Z, CTRL)
    assert name.text() == "Elm Road Community Hall" and window.form_dirty()
    assert stored(path, hall, "phone") == "0121 496 0000"


def test_ctrl_z_outside_a_field_undoes_the_saved_edit(qtbot: Any, window: Any,  # noqa: F811
                                                      hall_project: tuple[Path, str]) -> None:
    path, hall = hall_project
    ready(qtbot, window, path, hall)
    window.doc.update_asset(hall, {"capacity": 120})
    table = window.table.view
    focus(qtbot, table)
    qtbot.keyClick(table, Qt.Key.Key_Z, CTRL)
    assert stored(path, hall, "capacity") in (None, "")
