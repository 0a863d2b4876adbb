"""One form field built from a ``FieldSpec``: the input that suits its type and a problem line under it.

Shared by the asset form and the people form so both speak the same plain words.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtGui import QResizeEvent
from PyQt6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from assetmap.core.model import FieldSpec, is_blank
from assetmap.core.taxonomy import Taxonomy
from assetmap.gui.flow_layout import flow_widget
from assetmap.gui.problem_label import problem_label

LONG_TEXT = ("description", "notes")
PLACEHOLDERS = {"date": "e.g. 2024-03-31 or 31/03/2024", "url": "https://…", "email": "name@example.org",
                "int": "a whole number"}


def pretty(value: str) -> str:
    """'step_free' → 'Step free': choices as people say them."""
    return value.replace("_", " ").capitalize()


class FieldEditor(QWidget):
    """One field's input plus the line under it that says what is wrong, in plain words."""

    edited = pyqtSignal()

    def __init__(self, spec: FieldSpec, taxonomy: Taxonomy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.taxonomy = taxonomy
        self.checks: dict[str, QCheckBox] = {}
        self.input: QWidget
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        if spec.type == "choice" or spec.name == "kind":
            combo = QComboBox()
            # long kind names must not widen the dock: the list still shows them whole
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
            combo.addItem("", None)
            for choice in spec.choices:
                if choice != "people":
                    combo.addItem(taxonomy.category_label(choice) if spec.name == "category" else pretty(choice),
                                  choice)
            combo.currentIndexChanged.connect(self.edited)
            self.input = combo
        elif spec.type == "list" and spec.choices:
            for choice in spec.choices:
                check = QCheckBox(pretty(choice))
                check.toggled.connect(self.edited)
                self.checks[choice] = check
            self.input = flow_widget(list(self.checks.values()))  # wraps in a narrow dock
        elif spec.name in LONG_TEXT:
            text = QPlainTextEdit()
            text.setFixedHeight(60)
            text.setTabChangesFocus(True)
            text.textChanged.connect(self.edited)
            self.input = text
        else:
            line = QLineEdit()
            line.setPlaceholderText(PLACEHOLDERS.get(spec.type, ""))
            line.textChanged.connect(self.edited)
            self.input = line
        tip = spec.help or spec.label
        if spec.private:
            tip += " Private: never shown on a public map or export."
        self.input.setToolTip(tip)
        self.input.setAccessibleName(spec.label)
        self.problem = problem_label()
        self.problem.setVisible(False)
        box.addWidget(self.input)
        box.addWidget(self.problem)

    def set_kinds(self, category: str | None) -> None:
        """The kind list follows the category, so only kinds that belong to it are offered."""
        combo = self.input
        assert isinstance(combo, QComboBox)
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("", None)
        for kind in sorted(self.taxonomy.kinds.values(), key=lambda k: k.label):
            if category is None or kind.category == category:
                combo.addItem(kind.label, kind.id)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def value(self) -> Any:
        w = self.input
        if isinstance(w, QComboBox):
            return w.currentData()
        if self.checks:
            return ", ".join(k for k, c in self.checks.items() if c.isChecked()) or None
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip() or None
        assert isinstance(w, QLineEdit)
        return w.text().strip() or None

    def set_value(self, value: Any) -> None:
        w = self.input
        text = "" if is_blank(value) else str(value)
        if isinstance(w, QComboBox):
            index = w.findData(text or None)
            if index < 0 and text:  # a value the list lacks (e.g. a kind from an extended taxonomy)
                w.addItem(self.taxonomy.label(text) if self.spec.name == "kind" else text, text)
                index = w.count() - 1
            w.setCurrentIndex(max(index, 0))
        elif self.checks:
            chosen = {t.strip() for t in text.split(",")}
            for key, check in self.checks.items():
                check.setChecked(key in chosen)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(text)
        else:
            assert isinstance(w, QLineEdit)
            w.setText(text)

    def show_problem(self, message: str | None) -> None:
        self.problem.setText(message.capitalize() + "." if message else "")
        self.problem.setVisible(bool(message))
        self._fit_problem()

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_problem()

    def _fit_problem(self) -> None:
        """Give a wrapped problem line the height it needs at the field's real width.

        QFormLayout works out a field's height for a slightly wider column than it then gives it, so a
        problem of three lines or more lost its last line (seen cut off at 1366x768); a minimum height
        taken from the actual width keeps every line readable.
        """
        needed = self.problem.heightForWidth(self.width()) if self.problem.text() and self.width() > 0 else 0
        if self.problem.minimumHeight() != max(needed, 0):
            self.problem.setMinimumHeight(max(needed, 0))
