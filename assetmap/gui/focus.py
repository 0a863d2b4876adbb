"""Keyboard travel between the window's panels: F6 / Shift+F6 (and Ctrl+F6) move to the next or previous one.

Tab moves within a panel; F6 jumps between panels, as in most desktop apps, so someone without a
mouse can reach the map, the layers, the form and the tables quickly. Hidden panels are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QDockWidget, QScrollArea, QTabWidget, QWidget


class PanelCycler:
    """Moves the keyboard focus round a fixed list of panels (each a widget or a function giving one)."""

    def __init__(self, panels: Sequence[Callable[[], QWidget]]) -> None:
        self.panels = list(panels)

    def _visible(self) -> list[QWidget]:
        return [w for w in (p() for p in self.panels) if w is not None and w.isEnabled() and on_screen(w)]

    def current(self) -> int:
        """Index (in the visible panels) of the panel holding the focus, or -1."""
        focus = QApplication.focusWidget()
        panels = self._visible()
        while focus is not None:
            if focus in panels:
                return panels.index(focus)
            focus = focus.parentWidget()
        return -1

    def step(self, direction: int) -> QWidget | None:
        """Focus the next (+1) or previous (-1) visible panel and return it."""
        panels = self._visible()
        if not panels:
            return None
        index = self.current()
        target = panels[(index + direction) % len(panels)] if index >= 0 else panels[0 if direction > 0 else -1]
        focus_into(target)
        return target


def on_screen(widget: QWidget) -> bool:
    """Visible, and not in a dock hidden behind another dock's tab (which still says isVisible())."""
    if not widget.isVisible():
        return False
    dock: QWidget | None = widget
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    return dock is None or not dock.visibleRegion().isEmpty()


def focus_into(panel: QWidget) -> None:
    """Give the focus to the panel's first focusable widget (a tab widget: its current page)."""
    page = panel.currentWidget() if isinstance(panel, QTabWidget) else None
    if page is not None:
        panel = page
    if panel.focusPolicy() != Qt.FocusPolicy.NoFocus and not panel.focusProxy():
        panel.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return
    widget = panel.nextInFocusChain()
    while widget is not None and widget is not panel:  # Tab order: the panel's first input, not a scroll area
        if (panel.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(widget, QScrollArea)):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        widget = widget.nextInFocusChain()
    panel.setFocus(Qt.FocusReason.ShortcutFocusReason)
