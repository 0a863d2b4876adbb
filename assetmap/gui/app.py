"""Start the desktop app: the QApplication, then the last project, a given project or the welcome page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# QtWebEngine must be imported before the QApplication exists.
from PyQt6 import QtWebEngineWidgets  # noqa: F401
from PyQt6.QtWidgets import QApplication

from assetmap.gui import plain_text, wheel_guard
from assetmap.gui.settings import identify_app


def has_display() -> bool:
    """Whether a window can be shown: a display server, or an explicit Qt platform (e.g. offscreen)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
                or sys.platform in ("win32", "darwin"))


def make_app(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named so QSettings and QStandardPaths use 'assetmap' folders."""
    identify_app()
    existing = QApplication.instance()
    if existing is None:
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS",
                              "--no-sandbox" if getattr(os, "geteuid", lambda: 1)() == 0 else "")
        app = QApplication(argv or sys.argv[:1])
    elif isinstance(existing, QApplication):
        app = existing
    else:  # a QCoreApplication made by other code (a script) cannot show windows: say so plainly
        raise RuntimeError("assetmap needs a QApplication, but a non-GUI QCoreApplication already exists")
    app.setApplicationDisplayName("assetmap")
    wheel_guard.install(app)  # a wheel turn scrolls forms; it changes a combo or spin box only once focused
    plain_text.install(app)  # user text in labels is shown as typed, never as markup
    return app


def run(project: Path | None = None, sample: bool = False) -> int:
    """Open a window and run the event loop until it closes."""
    app = make_app()
    from assetmap.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if sample:
        window.open_sample()
    elif project is not None:
        window.open_project(project)
    else:
        last = window.settings.last_project()
        if last is not None:
            window.open_project(last)
    return app.exec()
