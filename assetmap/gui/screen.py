"""Window sizes that fit the screen they open on, so nothing starts off the bottom of a 1366x768 laptop.

A window's preferred size is a wish: on a small screen it is cut down to the space the desktop leaves
(less room for the title bar and frame the window manager adds), and scroll areas inside take the rest.
"""

from __future__ import annotations

from PyQt6.QtCore import QSize
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QWidget

FRAME = QSize(16, 48)  # what a title bar and borders usually take around the client area


def available_size(widget: QWidget) -> QSize:
    """The room a top-level window has on the widget's screen (taskbars and panels left out), less its frame."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # pragma: no cover - there is always a screen, even offscreen
        return QSize(1024, 700)
    room = screen.availableGeometry().size()
    return QSize(max(room.width() - FRAME.width(), 320), max(room.height() - FRAME.height(), 240))


def fit_to_screen(widget: QWidget, width: int, height: int) -> QSize:
    """Resize to ``width`` x ``height``, or smaller where the screen is smaller; returns the size given."""
    room = available_size(widget)
    size = QSize(min(width, room.width()), min(height, room.height()))
    widget.resize(size)
    return size
