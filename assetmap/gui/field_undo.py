"""Ctrl+Z in a text field undoes the typing there; with nothing typed to undo, it undoes the last saved edit.

A focused QLineEdit or QPlainTextEdit claims Ctrl+Z (Qt's ShortcutOverride) whenever it is editable, even
with an empty history of its own. After Ctrl+S in the asset form the focus stays in the field, the status
bar says "Edit ▸ Undo (Ctrl+Z) takes them back", and Ctrl+Z did nothing: the field had swallowed it. This
filter lets the field keep the key while it has typing of its own to undo (or redo), and otherwise hands
it to the window's Undo (or Redo) action, so the key does what the message says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtGui import QAction, QKeyEvent, QKeySequence
from PyQt6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget


def text_history(widget: QWidget) -> tuple[bool, bool] | None:
    """(can undo, can redo) of an editable text input's own typing; None for anything else."""
    if isinstance(widget, (QAbstractSpinBox, QComboBox)):
        inner = widget.findChild(QLineEdit)
        if inner is None or (isinstance(widget, QComboBox) and not widget.isEditable()):
            return None
        widget = inner
    if isinstance(widget, QLineEdit):
        return None if widget.isReadOnly() else (widget.isUndoAvailable(), widget.isRedoAvailable())
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        doc = widget.document()
        if doc is None or widget.isReadOnly():
            return None
        return doc.isUndoAvailable(), doc.isRedoAvailable()
    return None


class FieldUndo(QObject):
    """On the application, for one window: its Undo/Redo actions win a text field's claim on their keys
    when the field has nothing of its own to undo/redo and ``ready()`` says the window's undo is safe
    (for example no unsaved typing elsewhere in the form that an undo would reload over)."""

    def __init__(self, window: QWidget, undo: QAction, redo: QAction, ready: Callable[[], bool]) -> None:
        super().__init__(window)
        self.owner, self.ready = window, ready
        self.actions: Sequence[tuple[QAction, int]] = ((undo, 0), (redo, 1))  # index into text_history()
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is None or event.type() != QEvent.Type.ShortcutOverride:
            return False
        if obj is None or obj is not QApplication.focusWidget():
            return False
        assert isinstance(event, QKeyEvent) and isinstance(obj, QWidget)
        if obj.window() is not self.owner:
            return False
        history = text_history(obj)
        if history is None:
            return False
        keys = QKeySequence(event.keyCombination())
        for action, which in self.actions:
            if keys in action.shortcuts():
                if history[which] or not action.isEnabled() or not self.ready():
                    return False  # the field's own undo, or nothing the window could do instead
                event.ignore()  # not claimed: the window's shortcut fires
                return True
        return False
