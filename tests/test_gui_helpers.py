"""Fixtures for the GUI tests: a sample-like project (built once) and a main window on a copy of it.

Imported by the ``test_gui_*`` modules; it holds no tests itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PyQt6 import QtWebEngineWidgets  # noqa: F401  (must be imported before the QApplication exists)
from PyQt6.QtCore import QCoreApplication, QEvent, QSettings

from assetmap.core.sample import build_sample
from assetmap.gui.settings import AppSettings, identify_app

identify_app()
JS_TIMEOUT = 20000


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sample project, built once per test run."""
    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    build_sample(path)
    return path


@pytest.fixture
def sample_copy(sample_master: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "trafford.gpkg"
    shutil.copy(sample_master, dest)
    return dest


def make_window(qtbot: Any, tmp_path: Path, basemap: bool = False) -> Any:
    """A shown main window with its own settings file; the caller disposes of it."""
    from assetmap.gui.main_window import MainWindow

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_basemap(basemap)
    window = MainWindow(settings)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def dispose(w: Any) -> None:
    """Close and delete now: a web page must not outlive QtWebEngine's profile at exit."""
    w.form.clear()
    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """A main window (no basemap: tests make no network requests); closed, lock released, at the end."""
    w = make_window(qtbot, tmp_path)
    yield w
    dispose(w)


def open_and_wait(qtbot: Any, window: Any, path: Path) -> None:
    """Open a project and wait until the page has drawn its data."""
    with qtbot.waitSignal(window.map.bridge.dataDrawn, timeout=JS_TIMEOUT):
        assert window.open_project(path)


def js(qtbot: Any, window: Any, code: str) -> Any:
    """Evaluate JavaScript in the map page and return its (JSON) result."""
    box: dict[str, Any] = {}
    window.map.page().runJavaScript(f"JSON.stringify({code})", lambda value: box.setdefault("v", value))
    qtbot.waitUntil(lambda: "v" in box, timeout=JS_TIMEOUT)
    return json.loads(box["v"]) if box["v"] is not None else None
