"""The "Buildings" tab: assessed buildings side by side, from the core's ``assessment_summaries``.

One row per assessed asset (its newest assessment), best score first. Selecting a row selects the
asset everywhere (map, asset table, form), as the other tables do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PyQt6.QtCore import QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from assetmap.core.assessments.report import RECOMMENDATION_TEXT
from assetmap.gui.table_view import RecordProxy, RecordTableModel, record_table, selection

HEADERS = ("Building", "Score (of 100)", "Recommendation", "ACV status", "Due next", "Notes", "Assessed on")
ID_ROLE = Qt.ItemDataRole.UserRole


def _due(summary: dict[str, Any]) -> str:
    due = summary.get("next_due")
    if not due:
        return ""
    days = due["days"]
    when = "today" if days == 0 else (f"in {days} days" if days > 0 else f"{-days} days overdue")
    return f"{due['date']} ({when}): {due['label']}"


class BuildingsModel(RecordTableModel):
    """Rows are ``assessment_summaries`` items; ``ID_ROLE`` is the asset id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = list(HEADERS)

    def set_summaries(self, summaries: Sequence[dict[str, Any]]) -> None:
        self.set_rows([s for s in summaries if s.get("name") is not None])  # assets deleted since are not shown

    def sort_key(self, row: dict[str, Any], column: int) -> Any:
        if column == 4:  # by the date that is due next, not by the sentence
            return (row.get("next_due") or {}).get("date")
        return self._value(row, column)

    def row_of(self, asset_id: str) -> int:
        return next((i for i, s in enumerate(self.rows) if s["asset_id"] == asset_id), -1)

    def _value(self, s: dict[str, Any], column: int) -> Any:
        acv = s.get("acv") or {}
        return (s.get("name"), s.get("score"),
                RECOMMENDATION_TEXT.get(s.get("recommendation") or "", s.get("recommendation")),
                str(acv.get("status") or "none").replace("_", " "), _due(s),
                " ".join(f.get("message", "") for f in s.get("flags") or []), s.get("date"))[column]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        if role == ID_ROLE:
            return s["asset_id"]
        value = self._value(s, index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == 1 and value is not None:
                return f"{value:g}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class BuildingsPanel(QWidget):
    """The comparison table and a line that says what it shows; emits the chosen asset id."""

    assetSelected = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = BuildingsModel(self)
        self.proxy = RecordProxy(self)
        self.proxy.setSourceModel(self.model)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.view = record_table(self.proxy, sort_column=1, order=Qt.SortOrder.DescendingOrder,
                                 name="Assessed buildings", widths=(220, 120, 170, 90, 330, 300))
        self.view.setToolTip("Assessed buildings, best score first (newest assessment of each). "
                             "Choose one to select it on the map and in the form.")
        selection(self.view).selectionChanged.connect(self._selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.note)
        layout.addWidget(self.view)
        self._quiet = False
        self.set_summaries([])

    def set_summaries(self, summaries: Sequence[dict[str, Any]], keep: str = "") -> None:
        self._quiet = True
        try:
            self.model.set_summaries(summaries)
        finally:
            self._quiet = False
        n = self.model.rowCount()
        self.note.setText("No building has been assessed yet: choose a building and press Assess building…"
                          if not n else f"{n} assessed building{'s' if n != 1 else ''}, newest assessment of each. "
                          "On the map each has a ring shaded by its score, with the score beside it.")
        if keep:
            self.select(keep)

    def _selected(self) -> None:
        rows = selection(self.view).selectedRows()
        if rows and not self._quiet:
            self.assetSelected.emit(str(rows[0].data(ID_ROLE)))

    def select(self, asset_id: str) -> None:
        """Follow the shared selection without echoing it back (no row when the asset is not assessed)."""
        self._quiet = True
        try:
            row = self.model.row_of(asset_id)
            if row < 0:
                self.view.clearSelection()
                return
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.view.selectRow(index.row())
            self.view.scrollTo(index)
        finally:
            self._quiet = False
