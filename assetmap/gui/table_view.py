"""The one way assetmap shows a table of records: a model that sorts itself, a proxy that only filters,
and a sortable view with one row selected at a time and compact rows."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def record_table(proxy: QSortFilterProxyModel, *, sort_column: int, order: Qt.SortOrder, name: str,
                 widths: tuple[int, ...] = ()) -> QTableView:
    """A table view over ``proxy`` set up as every assetmap table is (so they all behave alike)."""
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(sort_column, order)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    rows, columns = headers(view)
    rows.setVisible(False)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    columns.setStretchLastSection(True)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    view.setAccessibleName(name)
    return view


def headers(view: QTableView) -> tuple[QHeaderView, QHeaderView]:
    """(row header, column header): PyQt6 types each as maybe None, but a table view makes both itself."""
    rows, columns = view.verticalHeader(), view.horizontalHeader()
    assert rows is not None and columns is not None, "a QTableView makes both headers"
    return rows, columns


def selection(view: QAbstractItemView) -> QItemSelectionModel:
    """The view's selection model, which exists once the view has a model (PyQt6 types it as maybe None)."""
    chosen = view.selectionModel()
    assert chosen is not None, "give the view its model first"
    return chosen


_ROOT = QModelIndex()


def _ordered(value: Any) -> tuple[int, Any]:
    """A sort key that never compares a number with a text (numbers first, text without case)."""
    if isinstance(value, (int, float)):
        return (0, float(value))
    return (1, str(value).casefold())


class RecordTableModel(QAbstractTableModel):
    """A flat table of records (``rows``) under column titles (``headers``); subclasses say how a cell looks.

    The model sorts itself, in one pass over a key per row: a QSortFilterProxyModel sorting on its own
    asks Python for both cells of every comparison (about 1.6 million calls for 50,000 assets).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.headers: list[str] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    # --- rows and their order ----------------------------------------------------------------------

    def sort_key(self, row: Any, column: int) -> Any:
        """The value a column sorts by (None or NaN: always last); subclasses override."""
        return None

    def rows_changed(self) -> None:
        """Called after the rows were replaced or reordered, for subclasses' lookups (row of an id)."""

    def set_rows(self, rows: list[Any]) -> None:
        """Replace every row (a model reset), kept in the order the user last chose."""
        self.beginResetModel()
        self.rows = list(rows)
        if self._sort is not None and 0 <= self._sort[0] < len(self.headers):
            self.rows = [self.rows[i] for i in self._permutation(*self._sort)]
        self.rows_changed()
        self.endResetModel()

    def _permutation(self, column: int, order: Qt.SortOrder) -> list[int]:
        keys = [self.sort_key(row, column) for row in self.rows]
        present = [i for i, k in enumerate(keys) if k is not None and k == k]
        missing = [i for i, k in enumerate(keys) if k is None or k != k]
        present.sort(key=lambda i: _ordered(keys[i]), reverse=order == Qt.SortOrder.DescendingOrder)
        return present + missing

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if not self.rows or not 0 <= column < len(self.headers):
            return
        self.layoutAboutToBeChanged.emit()
        perm = self._permutation(column, order)
        new_row = {old: new for new, old in enumerate(perm)}
        self.rows = [self.rows[i] for i in perm]
        before = self.persistentIndexList()  # the selection and current cell follow their rows
        self.changePersistentIndexList(before, [self.index(new_row[i.row()], i.column()) for i in before])
        self.rows_changed()
        self.layoutChanged.emit()


class RecordProxy(QSortFilterProxyModel):
    """Filters rows (subclasses override ``filterAcceptsRow``); sorting is the source model's own."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, RecordTableModel):
            source.sort(column, order)
