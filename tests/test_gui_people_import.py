"""File ▸ Import people's skills: consenting residents arrive in the people table, the others are explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtWidgets import QMessageBox
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project


def test_import_people_from_the_menu(qtbot: Any, window: Any, empty_project: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "skills.csv"
    source.write_text("Name,Skills,Consent,Consent date,Area\nAnn,baking,yes,2026-09-01,West\n"
                      "Bob,gardening,no,,East\n", encoding="utf-8")
    open_and_wait(qtbot, window, empty_project)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: shown.append(a[2])))
    monkeypatch.setattr("assetmap.gui.operations.QFileDialog.getOpenFileName",
                        staticmethod(lambda *a, **k: (str(source), "")))
    assert window.menu_actions.import_people.isEnabled()
    window.menu_actions.import_people.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "Added 1 people" in shown[0] and "Row 3: no consent" in shown[0]
    with Project.open(empty_project, readonly=True) as project:
        assert list(project.people()["display_name"]) == ["Ann"]
    assert window.people.table.rowCount() == 1  # the People and skills tab shows her
