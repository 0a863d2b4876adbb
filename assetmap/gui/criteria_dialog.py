"""The assessment criteria dialog: each criterion's title, weight and question, stored in the project.

The criteria are the assessment core's data (``project_criteria_data``/``set_project_criteria``):
the dialog edits a copy, shows what each weight is worth out of 100 as it changes, and lets the
core validate on Save, so a bad entry is explained and nothing half-valid is stored.
"""

from __future__ import annotations

import re
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.assessments.criteria import default_criteria_data, project_criteria_data, set_project_criteria
from assetmap.core.errors import AssetmapError, ValidationError
from assetmap.core.project.store import Project
from assetmap.gui import plain_text
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen
from assetmap.gui.table_view import headers

HEADERS = ("Criterion", "Weight", "Out of 100", "Question for the assessor")
TITLE, WEIGHT, SHARE, QUESTION = range(4)
ROW_KEY = Qt.ItemDataRole.UserRole  # the criterion's own document (id, evidence ...) kept on its title cell


def new_id(title: str, taken: set[str]) -> str:
    """An id for a new criterion from its title (ids are what assessments store their scores under)."""
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "criterion"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


class CriteriaDialog(QDialog):
    """One row per criterion; Save validates with the core and writes the project's setting."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Assessment criteria")
        self.document = project_criteria_data(project)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        rows, columns = headers(self.table)
        rows.setVisible(False)
        columns.setSectionResizeMode(QUESTION, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(TITLE, 220)
        self.table.setAccessibleName("Assessment criteria")
        self.table.itemChanged.connect(lambda _item: self._update_shares())
        add = QPushButton("&Add criterion")
        add.clicked.connect(lambda: self.add_row({"title": "New criterion", "weight": 10}, edit=True))
        self.remove = QPushButton("&Remove")
        self.remove.setToolTip("Remove the selected criterion. Assessments already made keep their scores.")
        self.remove.clicked.connect(self.remove_selected)
        defaults = QPushButton("Restore &defaults")
        defaults.setToolTip("Put back the criteria assetmap ships with (Save to keep them).")
        defaults.clicked.connect(lambda: self.load(default_criteria_data()))
        row_buttons = QHBoxLayout()
        for button in (add, self.remove, defaults):
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        self.error = problem_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        note = QLabel("Each criterion is scored 0–5; its weight sets how much of the total out of 100 it is "
                      "worth. New assessments use these criteria; earlier ones keep the criteria they were "
                      "scored with.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        fit_to_screen(self, 900, 420)
        self.load(self.document)

    # --- rows ----------------------------------------------------------------------------------

    def load(self, document: dict[str, Any]) -> None:
        self.table.setRowCount(0)
        for criterion in document["criteria"]:
            self.add_row(criterion)
        self.error.setText("")

    def add_row(self, criterion: dict[str, Any], *, edit: bool = False) -> None:
        row = self.table.rowCount()
        self.table.blockSignals(True)  # the row is not complete until its weight box is in
        self.table.insertRow(row)
        title = QTableWidgetItem(str(criterion.get("title") or ""))
        title.setData(ROW_KEY, dict(criterion))
        title.setToolTip(plain_text.tooltip(str(criterion.get("evidence") or "")))
        self.table.setItem(row, TITLE, title)
        weight = QDoubleSpinBox()
        weight.setRange(0, 1000)
        weight.setDecimals(1)
        weight.setValue(float(criterion.get("weight") or 0))
        weight.setAccessibleName("Weight")
        weight.valueChanged.connect(lambda _v: self._update_shares())
        self.table.setCellWidget(row, WEIGHT, weight)
        share = QTableWidgetItem("")
        share.setFlags(share.flags() & ~Qt.ItemFlag.ItemIsEditable)
        share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(row, SHARE, share)
        self.table.setItem(row, QUESTION, QTableWidgetItem(str(criterion.get("question") or "")))
        self.table.blockSignals(False)
        self._update_shares()
        if edit:
            self.table.setCurrentCell(row, TITLE)
            self.table.editItem(title)

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._update_shares()

    def _weights(self) -> list[float]:
        return [self.table.cellWidget(r, WEIGHT).value()  # type: ignore[union-attr]
                for r in range(self.table.rowCount())]

    def _update_shares(self) -> None:
        weights = self._weights()
        total = sum(weights)
        self.table.blockSignals(True)  # the shares are the dialog's own output, not an edit
        try:
            for row, weight in enumerate(weights):
                item = self.table.item(row, SHARE)
                if item is not None:
                    item.setText(f"{weight / total * 100:.1f}" if total > 0 else "–")
        finally:
            self.table.blockSignals(False)
        self.remove.setEnabled(self.table.rowCount() > 1)

    # --- saving --------------------------------------------------------------------------------

    def edited_criteria(self) -> dict[str, Any]:
        """The criteria document as edited: extra keys (evidence ...) of existing criteria are kept."""
        rows = []
        weights = self._weights()
        taken = {str(c.get("id")) for r in range(self.table.rowCount())
                 if (c := self.table.item(r, TITLE).data(ROW_KEY)) and c.get("id")}  # type: ignore[union-attr]
        for row in range(self.table.rowCount()):
            title_item, question = self.table.item(row, TITLE), self.table.item(row, QUESTION)
            original = dict(title_item.data(ROW_KEY) or {})  # type: ignore[union-attr]
            title = title_item.text().strip()  # type: ignore[union-attr]
            if not original.get("id"):
                original["id"] = new_id(title, taken)
                taken.add(original["id"])
            rows.append({**original, "title": title, "weight": weights[row],
                         "question": question.text().strip() if question else ""})
        return {**self.document, "criteria": rows}

    def save(self) -> None:
        try:
            set_project_criteria(self.project, self.edited_criteria())
        except ValidationError as exc:
            self.error.setText(self._explain(exc))
            return
        except AssetmapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def _explain(self, exc: ValidationError) -> str:
        """The core names problems as ``criteria[2].weight``; say which row that is instead."""
        lines = []
        for key, problem in exc.problems.items():
            match = re.match(r"criteria\[(\d+)\]\.?(\w*)", key)
            if match:
                row = int(match.group(1))
                title = self.table.item(row, TITLE).text() if self.table.item(row, TITLE) else ""  # type: ignore[union-attr]
                field = {"weight": "weight", "title": "title", "id": "id"}.get(match.group(2), match.group(2))
                lines.append(f"Row {row + 1} ({title or 'no title'}), {field}: {problem}")
            else:
                lines.append(f"{key}: {problem}")
        return "\n".join(lines)
