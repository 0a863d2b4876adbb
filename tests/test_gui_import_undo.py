"""The import wizard's postcode lookup, and an import as one step of Edit ▸ Undo / Redo, in the real window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_gui_helpers import open_and_wait, window  # noqa: F401
from test_import_history import digest, write_csv
from test_import_postcodes import CODEPOINT, WEST, codepoint_lines

from assetmap.core.project import Project
from assetmap.gui.import_wizard import ImportWizard

TIMEOUT = 20000


def clubs(tmp_path: Path) -> Path:
    """Clubs with postcodes only, one of them unknown to any lookup."""
    return write_csv(tmp_path / "clubs.csv", ["Club", "Postcode", "Meets"],
                     [["Sale Harriers", WEST[0], "Tuesdays"], ["Brooklands Bowls", WEST[1].lower(), "Saturdays"],
                      ["Ashton Scouts", WEST[2], "Fridays"], ["Moor Nook Knitters", "ZZ99 9ZZ", "Mondays"]])


def run_wizard(qtbot: Any, window: Any, path: Path, postcodes: str | None = None) -> ImportWizard:  # noqa: F811
    """File page (with the postcode row as given, or as pre-filled), columns, report, Import."""
    wizard = ImportWizard(window.doc, window.jobs, window)
    wizard.show()
    wizard.file_page.path.setText(str(path))
    wizard.file_page.category.setCurrentIndex(wizard.file_page.category.findData("associations"))
    if postcodes is not None:
        wizard.file_page.postcodes.setText(postcodes)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.columns_page, timeout=TIMEOUT)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=TIMEOUT)
    with qtbot.waitSignal(wizard.finished, timeout=TIMEOUT):
        wizard.accept()
    return wizard


def located(project_path: Path) -> dict[str, tuple[float, float] | None]:
    with Project.open(project_path, readonly=True) as project:
        assets = project.assets()
    return {n: None if g is None else (g.x, g.y) for n, g in zip(assets["name"], assets.geometry)}


def test_the_wizards_postcode_lookup_places_rows_and_is_remembered(qtbot: Any, window: Any,  # noqa: F811
                                                                   empty_project: Path, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    first = ImportWizard(window.doc, window.jobs, window)
    assert first.file_page.postcodes.text() == ""  # nothing remembered yet
    first.deleteLater()
    wizard = run_wizard(qtbot, window, clubs(tmp_path), postcodes=str(CODEPOINT))
    report = wizard.prepared.report
    assert (report.imported, report.unlocated) == (3, 1)
    assert "3 will be placed on the map" in wizard.report_page.summary.text()
    assert "postcode lookup: 6,482 postcodes from codepoint_open_trafford.csv" in wizard.report_page.summary.text()
    rows = codepoint_lines(WEST)
    places = located(empty_project)
    assert places["Sale Harriers"] == pytest.approx(rows[WEST[0]][1:])
    assert places["Brooklands Bowls"] == pytest.approx(rows[WEST[1]][1:])
    assert places["Moor Nook Knitters"] is None
    assert window.table.model.rowCount() == 4

    later = ImportWizard(window.doc, window.jobs, window)  # the next import starts with the project's lookup
    assert later.file_page.postcodes.text() == str(CODEPOINT.resolve())
    assert "remembered" in later.file_page.postcode_note.text()
    later.file_page.postcodes.setText(str(tmp_path / "gone.csv"))
    later.file_page.path.setText(str(clubs(tmp_path)))
    assert not later.file_page.isComplete() and "no postcode lookup at" in later.file_page.error.text()
    later.deleteLater()


def test_edit_undo_takes_a_wizard_import_back_and_redo_puts_it_back(qtbot: Any, window: Any,  # noqa: F811
                                                                    empty_project: Path, tmp_path: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    before = digest(empty_project)
    run_wizard(qtbot, window, clubs(tmp_path), postcodes=str(CODEPOINT))
    imported = digest(empty_project)
    ids = {a["name"]: a["id"] for a in window.doc.assets().to_dict("records")}
    assert len(ids) == 4 and window.table.model.rowCount() == 4
    assert window.menu_actions.undo.isEnabled() and window.menu_actions.undo.text() == "&Undo Import clubs.csv"

    window.menu_actions.undo.trigger()
    assert digest(empty_project) == before and window.table.model.rowCount() == 0
    assert window.menu_actions.redo.isEnabled()
    window.menu_actions.redo.trigger()
    assert digest(empty_project) == imported  # the same rows, same ids, same places
    assert {a["name"]: a["id"] for a in window.doc.assets().to_dict("records")} == ids
    assert window.table.model.rowCount() == 4


def test_a_reimport_in_the_wizard_updates_and_its_undo_restores(qtbot: Any, window: Any,  # noqa: F811
                                                                empty_project: Path, tmp_path: Path) -> None:
    """Imported without a lookup (unlocated), again with one (placed): undo puts them back unplaced."""
    open_and_wait(qtbot, window, empty_project)
    path = clubs(tmp_path)
    run_wizard(qtbot, window, path)
    unplaced = digest(empty_project)
    assert all(xy is None for xy in located(empty_project).values())
    wizard = run_wizard(qtbot, window, path, postcodes=str(CODEPOINT))
    report = wizard.prepared.report
    assert (report.imported, report.unlocated, report.updated, report.duplicates) == (0, 0, 3, 1)
    assert sum(xy is not None for xy in located(empty_project).values()) == 3
    assert window.doc.undo_stack.count() == 2
    window.menu_actions.undo.trigger()
    assert digest(empty_project) == unplaced
    window.menu_actions.undo.trigger()
    assert digest(empty_project)["assets"][0] == 0
