"""Every label in the app shows its text as typed: an asset called ``<h1>Hall</h1>`` is not a heading.

Qt guesses whether a label's text is rich text (``Qt.TextFormat.AutoText``), so user text that looks like
HTML (an asset's name in the form heading, a cell quoted in an import error, a file name in a message
box) was rendered as markup, images and links included. assetmap writes no rich text in its labels, so
one application-wide filter makes every ``QLabel`` plain text when Qt polishes it, including the labels
inside message boxes and dialogs written later. A label that ever needs markup can opt out by setting the
Qt property ``assetmap_rich_text`` to True before it is shown.
"""

from __future__ import annotations

import html

from PyQt6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PyQt6.QtWidgets import QApplication, QLabel

RICH_TEXT_PROPERTY = "assetmap_rich_text"


def tooltip(text: str) -> str:
    """``text`` for a tooltip, shown as typed: Qt renders a tooltip that might be rich text as HTML."""
    if "<" not in text and "&" not in text:  # nothing Qt could take for markup
        return text
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def make_plain(label: QLabel) -> None:
    if not label.property(RICH_TEXT_PROPERTY):
        label.setTextFormat(Qt.TextFormat.PlainText)


class PlainTextGuard(QObject):
    """Installed once on the application (``install``); sees every widget's Polish event."""

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.Polish and isinstance(obj, QLabel):
            make_plain(obj)
        return False


def install(app: QCoreApplication | None = None) -> PlainTextGuard:
    """Put the guard on the application once (later calls return it); labels that already exist turn plain too."""
    app = app or QApplication.instance()
    assert app is not None, "create the QApplication first"
    guard = app.findChild(PlainTextGuard)
    if guard is None:
        guard = PlainTextGuard(app)
        app.installEventFilter(guard)
        for widget in QApplication.allWidgets():
            if isinstance(widget, QLabel):
                make_plain(widget)
    return guard
