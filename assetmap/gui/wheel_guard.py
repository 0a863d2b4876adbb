"""The mouse wheel scrolls the form, not the value under the pointer, unless that input has the keyboard focus.

Qt lets a wheel turn over any combo box or spin box change it, and give it the focus: a user scrolling
a long form changed two assessment scores and an asset's category (which also cleared its kind) without
noticing. One application-wide event filter fixes every form and dialog at once, including ones written
later: such inputs take the focus by click or Tab only (``StrongFocus``), and a wheel over one that does
not have the focus goes to the scroll area around it instead.
"""

from __future__ import annotations

from typing import TypeGuard

from PyQt6.QtCore import QCoreApplication, QEvent, QObject, QPointF, Qt
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)  # spin boxes include QDateEdit and QDoubleSpinBox


def is_guarded(widget: QObject | None) -> TypeGuard[QWidget]:
    """An input whose value a wheel turn changes (a scroll bar is not one: scrolling is what it is for)."""
    return isinstance(widget, GUARDED) and not isinstance(widget, QScrollBar)


def _calm(widget: QWidget) -> None:
    """Focus by click or Tab, not by wheel; an explicit choice (NoFocus, ClickFocus) is left alone."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def _has_focus(widget: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is widget or widget.isAncestorOf(focus))


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


class WheelGuard(QObject):
    """Installed once on the application (``install``); sees every widget's Polish and Wheel events."""

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.Polish:
            if is_guarded(obj):
                _calm(obj)
        elif isinstance(event, QWheelEvent) and is_guarded(obj) and not _has_focus(obj):
            self._pass_on(obj, event)
            return True
        return False

    @staticmethod
    def _pass_on(widget: QWidget, event: QWheelEvent) -> None:
        """Give the turn to the nearest scroll area (a form with nothing to scroll just ignores it)."""
        event.accept()  # handled here: Qt must not also offer it to the parents
        area = _scroll_area(widget)
        if area is None:
            return
        viewport = area.viewport()
        target = viewport if viewport is not None else area
        pos = QPointF(target.mapFromGlobal(event.globalPosition().toPoint()))
        copy = QWheelEvent(pos, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
                           event.modifiers(), event.phase(), event.inverted())
        QCoreApplication.sendEvent(target, copy)


def install(app: QCoreApplication | None = None) -> WheelGuard:
    """Put the guard on the application once (later calls return it); also calms inputs that already exist."""
    app = app or QApplication.instance()
    assert app is not None, "create the QApplication first"
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
        for widget in QApplication.allWidgets():
            if is_guarded(widget):
                _calm(widget)
    return guard
