"""People (never on the map), the rules and criteria dialogs and the export dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtWidgets import QMessageBox
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project
from assetmap.gui.criteria_dialog import CriteriaDialog
from assetmap.gui.export_dialog import ExportDialog
from assetmap.gui.rules_dialog import RulesDialog


def test_people_are_added_and_undone_in_their_own_table(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    panel = window.people
    panel.editors["display_name"].set_value("Asha")
    panel.editors["skills"].set_value("cooking, first aid")
    assert not panel.save.isEnabled()  # consent is required
    assert "consent" in panel.editors["consent"].problem.text()
    panel.editors["consent"].set_value("yes")
    panel.editors["consent_on"].set_value("2024-05-01")
    panel.editors["neighbourhood_code"].set_value("E01000001")
    assert panel.save.isEnabled()
    panel.save.click()
    with Project.open(empty_project, readonly=True) as project:
        assert list(project.people()["display_name"]) == ["Asha"]
    assert panel.table.rowCount() == 1
    assert window.table.model.rowCount() == 0  # never an asset, never on the map
    window.menu_actions.undo.trigger()
    with Project.open(empty_project, readonly=True) as project:
        assert project.people().empty


def test_rules_dialog_stores_the_edited_distance(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    dialog = RulesDialog(window.doc.project, window)
    dialog.table.cellWidget(0, 1).setValue(650)
    dialog.table.cellWidget(0, 2).setValue(80)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = window.doc.project.get_setting("gap_rules")["rules"][0]
    assert stored["distance_m"] == 650 and stored["target"] == pytest.approx(0.8)
    bad = RulesDialog(window.doc.project, window)
    bad.table.cellWidget(0, 4).setText("physical/not_a_kind")
    bad.save()
    assert "unknown kind" in bad.error.text()


def test_criteria_dialog_reweights_adds_and_explains(qtbot: Any, window: Any, empty_project: Path) -> None:
    open_and_wait(qtbot, window, empty_project)
    assert window.menu_actions.criteria.isEnabled()
    dialog = CriteriaDialog(window.doc.project, window)
    table = dialog.table
    assert table.rowCount() == 5 and table.item(0, 2).text() == "30.0"  # defaults: weights 30+25+20+15+10
    table.cellWidget(0, 1).setValue(80)  # community benefit now 80 of 150
    assert table.item(0, 2).text() == f"{80 / 150 * 100:.1f}"
    dialog.add_row({"title": "New criterion", "weight": 10})
    table.item(5, 0).setText("Net zero plan")
    table.item(5, 3).setText("Is there a plan to cut the building's carbon?")
    assert table.item(5, 2).text() == f"{10 / 160 * 100:.1f}"
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = window.doc.project.get_setting("assessment_criteria")["criteria"]
    assert [c["id"] for c in stored][-1] == "net_zero_plan" and stored[0]["weight"] == 80
    assert stored[0]["evidence"]  # keys the dialog does not show are kept

    again = CriteriaDialog(window.doc.project, window)
    assert again.table.rowCount() == 6
    again.table.item(2, 0).setText("  ")
    again.table.cellWidget(3, 1).setValue(0)
    again.save()
    assert again.result() != again.DialogCode.Accepted
    assert "Row 3" in again.error.text() and "title" in again.error.text()
    assert "Row 4" in again.error.text() and "greater than 0" in again.error.text()
    assert len(window.doc.project.get_setting("assessment_criteria")["criteria"]) == 6  # nothing half-saved
    again.table.setCurrentCell(5, 0)
    again.remove_selected()
    again.load(again.document)  # start over from what is stored
    assert again.table.rowCount() == 6
    from PyQt6.QtWidgets import QPushButton
    next(b for b in again.findChildren(QPushButton) if "defaults" in b.text()).click()
    again.save()
    assert [c["id"] for c in window.doc.project.get_setting("assessment_criteria")["criteria"]] == [
        "community_benefit", "organisational_capacity", "financial_sustainability", "condition_liabilities",
        "local_priorities"]


@pytest.mark.parametrize("kind", ["html", "csv"])
def test_export_dialog_writes_and_offers_to_open(qtbot: Any, window: Any, empty_project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Secret shed", "category": "physical", "visibility": "private"})
        project.add_asset({"name": "Open hall", "category": "physical"})
    open_and_wait(qtbot, window, empty_project)
    offered: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: offered.append(a[2]) or QMessageBox.StandardButton.No))
    dialog = ExportDialog(window.doc.project, window.jobs, window)
    dialog.format.setCurrentIndex(dialog.format.findData(kind))
    dialog.path.setText(str(tmp_path / f"out.{kind}"))
    handle = dialog.run()
    qtbot.waitUntil(lambda: handle.finished and bool(offered), timeout=30000)
    text = (tmp_path / f"out.{kind}").read_text(encoding="utf-8-sig")
    assert "Open hall" in text and "Secret shed" not in text  # public by default
    assert offered and "Wrote out." in offered[0]
