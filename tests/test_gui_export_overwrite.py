"""The export dialog writes what the name says and never replaces a file unasked: the extension follows the format
(also for a typed name), and an existing file is replaced only after Replace; Cancel leaves it byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox
from test_gui_helpers import open_and_wait, window  # noqa: F401

from assetmap.core.project import Project
from assetmap.gui.export_dialog import ExportDialog, with_format_suffix

OLD = b"<html>last month's map, shared with the residents' forum</html>\n"


@pytest.fixture
def dialog(qtbot: Any, window: Any, empty_project: Path) -> Iterator[ExportDialog]:  # noqa: F811
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Moss Lane Hall", "category": "physical"}, shapely.Point(380500, 390500))
    open_and_wait(qtbot, window, empty_project)
    dlg = ExportDialog(window.doc.project, window.jobs, window)
    dlg.show()
    qtbot.waitExposed(dlg)
    yield dlg
    dlg.close()


def type_path(qtbot: Any, dlg: ExportDialog, path: Path) -> None:
    dlg.path.clear()
    qtbot.keyClicks(dlg.path, str(path))


def choose(dlg: ExportDialog, kind: str) -> None:
    dlg.format.setCurrentIndex(dlg.format.findData(kind))


class DeclineOffer:
    """Answers "No" to the "Exported … open it?" question once it comes up (a modal box, clicked as a user would)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self._look)
        self.timer.start(20)

    def _look(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.windowTitle() == "Exported":
            self.asked.append(box.text())
            self.timer.stop()
            box.button(QMessageBox.StandardButton.No).click()


def replace_button(box: QMessageBox) -> Any:
    return next(b for b in box.buttons() if b.text().replace("&", "") == "Replace")


def test_extension_follows_the_format_also_for_a_typed_name(qtbot: Any, dialog: ExportDialog, tmp_path: Path) -> None:
    type_path(qtbot, dialog, tmp_path / "out-public.html")
    choose(dialog, "geojson")
    assert dialog.path.text() == str(tmp_path / "out-public.geojson")
    choose(dialog, "csv")
    assert dialog.path.text() == str(tmp_path / "out-public.csv")
    choose(dialog, "html")
    assert dialog.path.text() == str(tmp_path / "out-public.html")
    type_path(qtbot, dialog, tmp_path / "Halls v2.2024")  # a dot that is part of the name stays
    choose(dialog, "csv")
    assert dialog.path.text() == str(tmp_path / "Halls v2.2024.csv")


def test_names_that_already_say_the_format_are_kept() -> None:
    assert with_format_suffix(Path("map.HTM"), "html") == Path("map.HTM")
    assert with_format_suffix(Path("assets.json"), "geojson") == Path("assets.json")
    assert with_format_suffix(Path("assets.json"), "csv") == Path("assets.csv")
    assert with_format_suffix(Path("share"), "html") == Path("share.html")


def test_a_typed_name_with_the_wrong_extension_gets_the_format_it_holds(qtbot: Any, dialog: ExportDialog,
                                                                       tmp_path: Path) -> None:
    choose(dialog, "geojson")
    type_path(qtbot, dialog, tmp_path / "out-public.html")  # typed after choosing GeoJSON
    offer = DeclineOffer()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: bool(offer.asked), timeout=30000)
    assert not (tmp_path / "out-public.html").exists()
    data = json.loads((tmp_path / "out-public.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and data["features"][0]["properties"]["name"] == "Moss Lane Hall"
    assert dialog.path.text() == str(tmp_path / "out-public.geojson")  # the field showed what was written


def test_cancel_leaves_the_existing_file_as_it_was(qtbot: Any, dialog: ExportDialog, tmp_path: Path) -> None:
    old = tmp_path / "map.html"
    old.write_bytes(OLD)
    type_path(qtbot, dialog, old)
    dialog.export_button.click()
    box = dialog.confirm
    assert box is not None and box.isVisible() and "map.html" in box.text()
    assert box.defaultButton() is box.escapeButton() and box.defaultButton() is not replace_button(box)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible() and dialog.handle is None
    assert old.read_bytes() == OLD and dialog.isVisible()  # nothing written; the name can be changed


def test_replace_writes_the_new_export(qtbot: Any, dialog: ExportDialog, tmp_path: Path) -> None:
    old = tmp_path / "assets.csv"
    old.write_bytes(OLD)
    choose(dialog, "csv")
    type_path(qtbot, dialog, old)
    dialog.export_button.click()
    assert dialog.handle is None and old.read_bytes() == OLD  # nothing yet: asking first
    offer = DeclineOffer()
    replace_button(dialog.confirm).click()
    qtbot.waitUntil(lambda: bool(offer.asked), timeout=30000)
    text = old.read_text(encoding="utf-8-sig")
    assert "Moss Lane Hall" in text and "last month" not in text
    assert "Wrote assets.csv" in offer.asked[0]


def test_a_folder_is_not_a_file_name_and_a_bare_name_goes_beside_the_project(qtbot: Any, dialog: ExportDialog,
                                                                             tmp_path: Path) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    type_path(qtbot, dialog, folder)
    assert dialog.run() is None and dialog.confirm is None
    assert "is a folder" in dialog.error.text() and list(folder.iterdir()) == []
    dialog.path.setText("Lozells assets")
    choose(dialog, "csv")
    offer = DeclineOffer()
    assert dialog.run() is not None
    qtbot.waitUntil(lambda: bool(offer.asked), timeout=30000)
    beside = dialog.project.path.parent / "Lozells assets.csv"
    assert dialog.path.text() == str(beside) and "Moss Lane Hall" in beside.read_text(encoding="utf-8-sig")
