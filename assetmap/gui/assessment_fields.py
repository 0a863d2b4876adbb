"""Inputs of the assessment dialog, each tied to one key of the assessment JSON (``condition.roof``).

The dialog collects raw values from these inputs into the documented JSON shape and hands them to
the core, which validates them; problems come back keyed the same way and each input shows its own.
Inputs never interpret values beyond "blank means not given": the core parses money, dates, years.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.model import is_blank
from assetmap.gui.problem_label import problem_label

NOT_SCORED = -1.0
KINDS = ("text", "long", "number", "date", "choice", "check", "lines", "score")


class KeyedField(QWidget):
    """One input for one JSON key, with the problem line under it (red text, also read out by screen readers)."""

    edited = pyqtSignal()

    def __init__(self, key: str, label: str, kind: str = "text", *, choices: Sequence[tuple[str, str]] = (),
                 tip: str = "", placeholder: str = "", count_alone: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert kind in KINDS, kind
        self.key, self.label, self.kind = key, label, kind
        self.count_alone = count_alone  # a "lines" field where a lone number means "how many"
        self.input: QWidget
        if kind == "choice":
            combo = QComboBox()
            combo.addItem("", None)
            for value, text in choices:
                combo.addItem(text, value)
            combo.currentIndexChanged.connect(self.edited)
            self.input = combo
        elif kind == "check":
            check = QCheckBox(label)
            check.toggled.connect(self.edited)
            self.input = check
        elif kind in ("long", "lines"):
            plain = QPlainTextEdit()
            plain.setFixedHeight(54 if kind == "long" else 46)
            plain.setTabChangesFocus(True)
            plain.setPlaceholderText(placeholder or ("One per line" if kind == "lines" else ""))
            plain.textChanged.connect(self.edited)
            self.input = plain
        elif kind == "score":
            spin = QDoubleSpinBox()
            spin.setRange(NOT_SCORED, 5)
            spin.setDecimals(1)
            spin.setSingleStep(1)
            spin.setSpecialValueText("not scored")  # shown at the minimum: no silent zero
            spin.setValue(NOT_SCORED)
            spin.valueChanged.connect(self.edited)
            self.input = spin
        else:
            line = QLineEdit()
            line.setPlaceholderText(placeholder)
            line.textChanged.connect(self.edited)
            self.input = line
        self.input.setToolTip(tip or label)
        self.input.setAccessibleName(label)
        self.problem = problem_label()
        self.problem.setVisible(False)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        box.addWidget(self.input)
        box.addWidget(self.problem)

    def value(self) -> Any:
        """The raw value, or None when left blank (a checkbox is always True or False)."""
        w = self.input
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QDoubleSpinBox):
            return None if w.value() <= NOT_SCORED else w.value()
        if isinstance(w, QPlainTextEdit):
            text = w.toPlainText().strip()
            if self.kind == "lines":
                lines = [t.strip() for t in text.splitlines() if t.strip()]
                if self.count_alone and len(lines) == 1 and lines[0].isdigit():
                    return lines[0]
                return lines or None
            return text or None
        assert isinstance(w, QLineEdit)
        return w.text().strip() or None

    def set_value(self, value: Any) -> None:
        w = self.input
        if isinstance(w, QComboBox):
            index = w.findData(value) if not is_blank(value) else 0
            if index < 0:  # a stored value this list lacks: keep it rather than lose it
                w.addItem(str(value), value)
                index = w.count() - 1
            w.setCurrentIndex(index)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(NOT_SCORED if is_blank(value) else float(value))
        elif isinstance(w, QPlainTextEdit):
            items = value if isinstance(value, list) else ([] if is_blank(value) else [value])
            w.setPlainText("\n".join(str(v) for v in items))
        else:
            assert isinstance(w, QLineEdit)
            w.setText("" if is_blank(value) else _plain_number(value))

    def show_problem(self, message: str | None) -> None:
        text = (message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")) if message else ""
        self.problem.setText(text)
        self.problem.setVisible(bool(message))
        self.problem.setAccessibleName(f"Problem with {self.label}: {text}" if message else "")


def _plain_number(value: Any) -> str:
    """1965.0 → '1965' so a stored number reads as it was typed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def nest(fields: Sequence[KeyedField]) -> dict[str, Any]:
    """The fields' values as the assessment JSON: ``a.b`` keys become objects; blanks are left out."""
    raw: dict[str, Any] = {}
    for f in fields:
        value = f.value()
        if value is None or (f.kind == "check" and value is False):
            continue
        head, _, tail = f.key.partition(".")
        if tail:
            raw.setdefault(head, {})[tail] = value
        else:
            raw[head] = value
    return raw


def unnest(record: dict[str, Any], key: str) -> Any:
    """The value at ``a.b`` in a stored assessment (None when absent)."""
    head, _, tail = key.partition(".")
    value = record.get(head)
    if tail:
        return value.get(tail) if isinstance(value, dict) else None
    return value
