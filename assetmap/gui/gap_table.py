"""The gap results table: one row per neighbourhood from the last stored analysis, priority first.

Selecting a row asks the window to zoom the map to that neighbourhood.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from assetmap.core.analysis.flags import flag_text
from assetmap.gui.table_view import RecordProxy, RecordTableModel, headers, record_table, selection

CODE_ROLE = Qt.ItemDataRole.UserRole
HEADERS = ("Priority", "Neighbourhood", "Population", "Deprivation (1 = most)", "Gaps", "What is missing")
HEADER_TIPS = (
    "1 is the neighbourhood to look at first: the most gaps, weighed against deprivation.",
    ("The neighbourhood's name and code. “Left behind” marks one in the project's worst tenth for gaps that is "
     "also among the 10% most deprived in England."),
    "How many people live there (ONS estimate).",
    ("Index of Multiple Deprivation decile: 1 = among the 10% most deprived neighbourhoods in England, "
     "10 = among the 10% least deprived."),
    "How many of the gap rules the neighbourhood falls short of.",
    "Each gap in words (point at a cell to read it all).",
)


class GapModel(RecordTableModel):
    """Priority, name, population, deprivation, number of gaps, the gaps in words, coverage per rule."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rules: list[tuple[str, str]] = []
        self.tips: list[str] = list(HEADER_TIPS)

    def set_results(self, results: list[dict[str, Any]], rules: list[tuple[str, str]]) -> None:
        self.rules = rules
        self.headers = list(HEADERS)
        self.headers += [f"Within reach of {title}" for _, title in rules]
        self.tips = list(HEADER_TIPS) + [
            f"The share of the neighbourhood's homes (postcode centres; residents when population points were "
            f"given; its area when neither is known) within the rule's distance (straight line) of {title}. "
            "Analysis ▸ Gap rules sets the distance and the target." for _, title in rules]
        self.set_rows(results)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self.tips[section] if 0 <= section < len(self.tips) else None
        return super().headerData(section, orientation, role)

    def sort_key(self, row: dict[str, Any], column: int) -> Any:
        return self._value(row, column)

    def _value(self, res: dict[str, Any], column: int) -> Any:
        flags = res.get("flags") or []
        if column == 0:
            return res.get("priority")
        if column == 1:
            return res.get("name") or res.get("code")
        if column == 2:
            return res.get("population")
        if column == 3:
            return res.get("imd_decile")
        if column == 4:
            return len(flags)
        if column == 5:
            return " ".join(flag_text(f) for f in flags)
        rule_id = self.rules[column - 6][0]
        return (res.get("coverage") or {}).get(rule_id)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        res = self.rows[index.row()]
        value = self._value(res, index.column())
        if role == CODE_ROLE:
            return res.get("code")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if value is None:
                return ""
            if index.column() >= 6:
                return f"{value:.0%}"
            if index.column() == 1 and res.get("left_behind"):
                return f"{value} (left behind)"
            return str(value)
        return None


class GapTablePanel(QWidget):
    """The results table and a line saying when they were computed; emits the chosen code."""

    neighbourhoodSelected = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = GapModel(self)
        self.proxy = RecordProxy(self)
        self.proxy.setSourceModel(self.model)
        self.note = QLabel("The gap analysis has not been run yet: choose Analysis ▸ Find gaps (F5).")
        self.note.setWordWrap(True)
        self.view = record_table(self.proxy, sort_column=0, order=Qt.SortOrder.AscendingOrder, name="Gap results")
        self.view.setToolTip("Neighbourhoods in priority order: most gaps and most deprivation first. "
                             "Choose one to zoom the map to it.")
        selection(self.view).selectionChanged.connect(self._selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.note)
        layout.addWidget(self.view)

    def set_results(self, results: list[dict[str, Any]], rules: list[tuple[str, str]], run_at: str | None,
                    notices: list[str] | None = None) -> None:
        self.model.set_results(results, rules)
        # each column as wide as its heading (numbers are short), so no heading is cut to "…rage: a place t"
        metrics = headers(self.view)[1].fontMetrics()
        for column, title in enumerate(self.model.headers):
            self.view.setColumnWidth(column, min(metrics.horizontalAdvance(title) + 28, 320))
        self.view.setColumnWidth(1, 260)
        self.view.setColumnWidth(5, 420)
        if results:
            said = "".join(f"\nNote: {n}" for n in notices or [])  # data mapped nowhere: said once, not flagged
            self.note.setText(f"Last run {str(run_at or '')[:16].replace('T', ' ')}. Distances are straight-line. "
                              "Choose a neighbourhood to zoom the map to it; point at a heading to see what it means."
                              + said)
        else:
            self.note.setText("The gap analysis has not been run yet: choose Analysis ▸ Find gaps (F5).")

    def _selected(self) -> None:
        rows = selection(self.view).selectedRows()
        if rows:
            self.neighbourhoodSelected.emit(str(rows[0].data(CODE_ROLE)))
