"""Opening a project that carries triggers assetmap did not make: the app says what they are and offers to remove
them (as ``assetmap repair --drop-foreign-objects``); Cancel leaves the file exactly as it was (issue 11)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMessageBox
from test_gui_helpers import window  # noqa: F401

TRIGGER = "CREATE TRIGGER leak AFTER INSERT ON assets BEGIN UPDATE settings SET value = '\"x\"'; END"


def with_trigger(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute(TRIGGER)
    con.commit()
    con.close()
    return path


def triggers(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'leak'")]
    finally:
        con.close()


class Answer:
    """Clicks a button of the question once it comes up, as a user would, and keeps what it said."""

    def __init__(self, pick: Callable[[QMessageBox], Any]) -> None:
        self.pick = pick
        self.text = ""
        self.timer = QTimer()
        self.timer.timeout.connect(self._look)
        self.timer.start(20)

    def _look(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and "did not put there" in box.windowTitle():
            self.text = box.text() + "\n" + box.informativeText()
            self.timer.stop()
            self.pick(box).click()


def test_cancel_leaves_the_file_as_it_was(qtbot: Any, window: Any, empty_project: Path) -> None:  # noqa: F811
    path = with_trigger(empty_project)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    answer = Answer(lambda box: box.button(QMessageBox.StandardButton.Cancel))
    assert window.open_project(path) is False
    assert "leak" in answer.text and "assetmap repair" in answer.text
    assert window.doc is None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_removing_them_opens_the_project(qtbot: Any, window: Any, empty_project: Path) -> None:  # noqa: F811
    path = with_trigger(empty_project)
    answer = Answer(lambda box: next(b for b in box.buttons() if b.text() == "Remove them and open"))
    assert window.open_project(path) is True
    assert "leak" in answer.text
    assert window.doc is not None and triggers(path) == []
