"""A panel the user closed stays closed the next time assetmap starts (same QSettings file, in tmp_path, never the
user's own), the View menu brings it back, and the welcome page putting panels away is not taken for a choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtWidgets import QAbstractButton
from test_gui_helpers import dispose, make_window, open_and_wait


def restart(qtbot: Any, w: Any, tmp_path: Path, project: Path) -> Any:
    """Quit as a user does (the window's close), then start again on the same settings file and project."""
    w.settings.qs.sync()  # what leaving the process does
    dispose(w)
    again = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, again, project)
    return again


def shown(w: Any) -> dict[str, bool]:
    return {dock.objectName(): dock.toggleViewAction().isChecked() for dock in w.docks}


def close_button(dock: Any) -> QAbstractButton:
    button = dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    assert button is not None and button.isVisible()
    return button


def test_a_closed_panel_stays_closed_until_view_reopens_it(qtbot: Any, tmp_path: Path, empty_project: Path) -> None:
    w = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, w, empty_project)
    assert all(shown(w).values())
    layers = next(d for d in w.docks if d.objectName() == "dock_layers")
    close_button(layers).click()  # the × on the panel's title bar
    assert not layers.isVisible()

    w = restart(qtbot, w, tmp_path, empty_project)
    assert shown(w) == {"dock_layers": False, "dock_form": True, "dock_tables": True, "dock_assessments": True}
    view = next(a.menu() for a in w.menuBar().actions() if a.text() == "&View")
    toggle = next(a for a in view.actions() if a.text() == "Layers")
    assert not toggle.isChecked()
    toggle.trigger()  # View ▸ Layers
    assert next(d for d in w.docks if d.objectName() == "dock_layers").isVisible()

    w = restart(qtbot, w, tmp_path, empty_project)
    assert all(shown(w).values())
    dispose(w)


def test_the_welcome_page_hiding_panels_is_not_a_choice(qtbot: Any, tmp_path: Path, empty_project: Path) -> None:
    w = make_window(qtbot, tmp_path)
    open_and_wait(qtbot, w, empty_project)
    tables = next(d for d in w.docks if d.objectName() == "dock_tables")
    tables.toggleViewAction().trigger()  # View ▸ Tables and charts, unticked
    assert w.close_project()  # back to the welcome page: every panel put away
    assert not any(d.isVisible() for d in w.docks)
    open_and_wait(qtbot, w, empty_project)
    assert shown(w) == {"dock_layers": True, "dock_form": True, "dock_tables": False, "dock_assessments": True}
    w = restart(qtbot, w, tmp_path, empty_project)  # quitting also passes through the welcome page
    assert shown(w)["dock_tables"] is False and shown(w)["dock_layers"] is True
    dispose(w)
