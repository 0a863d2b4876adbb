"""The first-time user's path of issue 5, end to end in the real window: from the welcome page open
the sample project, add a hall by clicking the map, find the neighbourhoods with the biggest gaps,
and export a map to share. Screenshots of each step are kept as CI artefacts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox
from test_gui_edit import add_hall, on_disk
from test_gui_helpers import JS_TIMEOUT, js, sample_master, window  # noqa: F401

from assetmap.gui.export_dialog import ExportDialog

ARTIFACTS = Path(os.environ.get("ASSETMAP_ARTIFACTS", Path(__file__).resolve().parents[1] / "build" / "test-artifacts"))


def test_new_user_opens_sample_adds_hall_finds_gaps_and_shares_a_map(
        qtbot: Any, window: Any, sample_master: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sample = tmp_path / "trafford-sample.gpkg"
    shutil.copy(sample_master, sample)  # as if built on an earlier first run
    monkeypatch.setattr("assetmap.gui.operations.sample_path", lambda: sample)
    window.resize(1280, 800)

    assert window.stack.currentIndex() == 0  # the welcome page
    window.grab().save(str(ARTIFACTS / "walkthrough-1-welcome.png"))
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):
        qtbot.mouseClick(window.welcome.sample, Qt.MouseButton.LeftButton)
    assert window.table.model.rowCount() == len(on_disk(sample))

    hall = add_hall(qtbot, window, 376900, 387700, name="Moss Lane Hall")
    assert "Moss Lane Hall" in set(on_disk(sample)["name"]) and window.doc.selected_id == hall

    window.menu_actions.gaps.trigger()
    qtbot.waitUntil(lambda: window.gaps.model.rowCount() == 139, timeout=60000)
    window.tabs.setCurrentWidget(window.gaps)
    shaded = "Array.from(document.querySelectorAll('.leaflet-am-hoods-pane path'))" \
             ".filter(p => +p.getAttribute('fill-opacity') > 0).length"
    qtbot.waitUntil(lambda: js(qtbot, window, shaded) == 139, timeout=JS_TIMEOUT)  # the map shows the results
    window.map.fit_all()
    qtbot.wait(800)  # let the zoom animation finish: this picture is for people to look at
    window.grab().save(str(ARTIFACTS / "walkthrough-2-gaps.png"))
    first = window.gaps.proxy.index(0, 1).data()
    assert first and "Trafford" in first  # the top priority neighbourhood, by name

    offered: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: offered.append(a[2]) or QMessageBox.StandardButton.No))
    dialog = ExportDialog(window.doc.project, window.jobs, window)
    dialog.path.setText(str(tmp_path / "share.html"))
    dialog.grab().save(str(ARTIFACTS / "walkthrough-3-export.png"))
    handle = dialog.run()
    qtbot.waitUntil(lambda: handle.finished and bool(offered), timeout=60000)
    html = (tmp_path / "share.html").read_text(encoding="utf-8")
    assert "Moss Lane Hall" in html and "Open the map in your web browser now?" in offered[0]
