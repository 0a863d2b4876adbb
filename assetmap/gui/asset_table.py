"""The asset table at the bottom: a model over the project's assets, sortable and filterable.

The model reads the document's cached GeoDataFrame once per change; the proxy filters by
category, by text and by "not yet on the map", so a user can find the assets an import could
not place and place them by clicking the map.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd
from PyQt6.QtCore import QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.taxonomy import UNCATEGORISED, UNCATEGORISED_LABEL, Taxonomy
from assetmap.gui import plain_text
from assetmap.gui.table_view import RecordProxy, RecordTableModel, record_table, selection

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"), ("category", "Category"), ("kind", "Kind"), ("address", "Address"),
    ("postcode", "Postcode"), ("located", "On the map"), ("visibility", "Visibility"),
)
ID_ROLE = Qt.ItemDataRole.UserRole
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 1
LOCATED_ROLE = Qt.ItemDataRole.UserRole + 2
# The widest value each column usually holds, so that at 1366x768 "Physical spaces" or "Place of worship"
# is read whole instead of as "Physical spac…" while "Visibility" takes what is left.
COLUMN_SAMPLES = ("Partington Library and Wellbeing", "Culture and heritage", "Allotment or community garden",
                  "25 Cecil Road, Hale, Altrincham", "WA15 9NT", "On the map", "Visibility")


class AssetRow(NamedTuple):
    """One asset as the table shows it, worked out once per change of the assets."""

    id: str
    category: str | None
    located: bool
    cells: tuple[str, ...]  # the text of each column, in COLUMNS order
    haystack: str  # name, kind, address and postcode in lower case, for the text filter


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    values = frame[column]
    return values.where(values.notna(), "").astype(str)


def asset_rows(assets: gpd.GeoDataFrame, taxonomy: Taxonomy) -> list[AssetRow]:
    """The table's rows, column by column with pandas (a row-by-row loop took seconds at 50,000 assets)."""
    if not len(assets):
        return []
    frame = assets.drop(columns=assets.geometry.name)
    geoms = assets.geometry
    located = (geoms.notna() & ~geoms.is_empty).to_numpy()
    categories = frame["category"].where(frame["category"].notna(), None)
    category_label = {c: str(info.get("label", c)) for c, info in taxonomy.categories.items()}
    category_label[UNCATEGORISED] = UNCATEGORISED_LABEL
    kinds = _text(frame, "kind")
    kind_label = {k: (taxonomy.label(k) if k else "") for k in kinds.unique()}
    text = {key: _text(frame, key) for key, _label in COLUMNS if key not in ("category", "kind", "located")}
    text["category"] = _text(frame, "category").map(lambda c: category_label.get(c, c))
    text["kind"] = kinds.map(kind_label)
    text["located"] = pd.Series(["Yes" if here else "Not yet" for here in located], index=frame.index)
    text["visibility"] = text["visibility"].str.capitalize()  # "Public", "Private": words, not stored codes
    haystack = (text["name"] + "\n" + text["kind"] + "\n" + text["address"] + "\n" + text["postcode"]).str.lower()
    cells = zip(*(text[key].tolist() for key, _label in COLUMNS))
    return [AssetRow(*row) for row in zip(frame["id"].astype(str).tolist(), categories.tolist(), located.tolist(),
                                          cells, haystack.tolist())]


class AssetTableModel(RecordTableModel):
    """Rows are assets; ``ID_ROLE`` gives each row's asset id."""

    def __init__(self, taxonomy: Taxonomy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.headers = [label for _key, label in COLUMNS]
        self.rows: list[AssetRow] = []
        self._row_of: dict[str, int] = {}

    def set_assets(self, assets: gpd.GeoDataFrame) -> None:
        self.set_rows(asset_rows(assets, self.taxonomy))

    def update_assets(self, changed: gpd.GeoDataFrame, removed: set[str]) -> None:
        """After an edit: replace, add or drop these rows in place (refilling 50,000 rows took half a second).

        The other rows keep their places; an added one goes last until the next sort."""
        for row in sorted((self._row_of[i] for i in removed if i in self._row_of), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
        if removed:
            self.rows_changed()
        for new in asset_rows(changed, self.taxonomy):
            at = self._row_of.get(new.id, -1)
            if at >= 0:
                self.rows[at] = new
                self.dataChanged.emit(self.index(at, 0), self.index(at, len(self.headers) - 1))
            else:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
                self._row_of[new.id] = len(self.rows)
                self.rows.append(new)
                self.endInsertRows()

    def rows_changed(self) -> None:
        self._row_of = {r.id: i for i, r in enumerate(self.rows)}

    def sort_key(self, row: AssetRow, column: int) -> Any:
        return row.cells[column]

    def row_of(self, asset_id: str) -> int:
        return self._row_of.get(asset_id, -1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # a name that looks like HTML is shown as typed
            return plain_text.tooltip(str(row.cells[index.column()]))
        if role == ID_ROLE:
            return row.id
        if role == CATEGORY_ROLE:
            return row.category
        if role == LOCATED_ROLE:
            return row.located
        return None


class AssetFilter(RecordProxy):
    """Category, free text (name, kind, address, postcode) and "not on the map yet"."""

    def __init__(self, source: AssetTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.category: str | None = None
        self.text = ""
        self.unlocated_only = False
        self.source = source  # its rows, typed (``sourceModel()`` is any model, or None)
        self.setSourceModel(source)

    def set_filter(self, category: str | None, text: str, unlocated_only: bool) -> None:
        self.beginFilterChange()
        self.category, self.text, self.unlocated_only = category, text.strip().lower(), unlocated_only
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, parent: QModelIndex) -> bool:
        row = self.source.rows[source_row]
        if self.category and row.category != self.category:
            return False
        if self.unlocated_only and row.located:
            return False
        return not self.text or self.text in row.haystack


class AssetTablePanel(QWidget):
    """Filter bar, table and the "Place on the map" button; reports the selected asset."""

    assetSelected = pyqtSignal(str)
    placeRequested = pyqtSignal(str)

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AssetTableModel(taxonomy, self)
        self.proxy = AssetFilter(self.model, self)
        self.category = QComboBox()
        self.category.addItem("All categories", None)
        for cat_id, info in taxonomy.categories.items():
            if cat_id != "people":
                self.category.addItem(info.get("label", cat_id), cat_id)
        self.category.addItem(UNCATEGORISED_LABEL, UNCATEGORISED)  # imported drafts still to be sorted
        self.category.setToolTip("Show only one category of asset.")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find by name, kind, address or postcode (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.unlocated = QCheckBox("Only assets not on the map yet")
        self.unlocated.setToolTip("Assets an import could not place; choose one and press Place on the map.")
        self.place = QPushButton("Place on the map…")
        self.place.setToolTip("Then click the map where this asset is.")
        self.place.setEnabled(False)
        bar = QHBoxLayout()
        for w in (self.category, self.search, self.unlocated, self.place):
            bar.addWidget(w)
        bar.setStretch(1, 1)
        self.count = QLabel("")
        self.count.setAccessibleName("How many assets are shown")
        bar.insertWidget(2, self.count)
        metrics = self.fontMetrics()
        self.view = record_table(self.proxy, sort_column=0, order=Qt.SortOrder.AscendingOrder, name="Assets",
                                 widths=tuple(metrics.horizontalAdvance(t) + 24 for t in COLUMN_SAMPLES[:-1]))
        selection(self.view).selectionChanged.connect(self._selection_changed)
        self.empty = QLabel("")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #5c4400; background: #fff3cd; padding: 6px;")
        self.empty.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.empty)
        layout.addWidget(self.view)
        self.category.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        self.unlocated.toggled.connect(self._refilter)
        self.place.clicked.connect(lambda: self.placeRequested.emit(self.current_id()))
        self._quiet = False
        self.selected_id = ""  # the shared selection, kept while a filter hides its row
        self._show_count()

    def set_assets(self, assets: gpd.GeoDataFrame, keep: str = "") -> None:
        self._quiet = True
        try:
            self.model.set_assets(assets)
        finally:
            self._quiet = False
        if keep:
            self.select(keep, reveal=False)
        self._show_count()

    def update_assets(self, changed: gpd.GeoDataFrame, removed: set[str], keep: str = "") -> None:
        """Show an edit's assets (``removed``: ids no longer in the project) without refilling the table."""
        self._quiet = True
        try:
            self.model.update_assets(changed, removed)
        finally:
            self._quiet = False
        if keep:
            self.select(keep, reveal=False)
        self._show_count()

    def _refilter(self) -> None:
        """Filter without moving the selection: the selected asset stays selected while it matches (and is
        selected again when it matches again); filtered out, it is simply not shown, and the form keeps it."""
        quiet, self._quiet = self._quiet, True
        try:
            self.proxy.set_filter(self.category.currentData(), self.search.text(), self.unlocated.isChecked())
            index = self._index_of(self.selected_id)
            if index.isValid() and self.current_id() != self.selected_id:
                self.view.selectRow(index.row())
            elif not index.isValid():
                self.view.clearSelection()
        finally:
            self._quiet = quiet
        if self.current_id():
            self.view.scrollTo(self._index_of(self.selected_id))
        self._update_place()
        self._show_count()

    def _index_of(self, asset_id: str) -> QModelIndex:
        """The row showing ``asset_id`` (invalid when it is filtered out or not there)."""
        row = self.model.row_of(asset_id) if asset_id else -1
        return self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()

    def _update_place(self) -> None:
        rows = selection(self.view).selectedRows()
        self.place.setEnabled(bool(rows) and not rows[0].data(LOCATED_ROLE))

    def _show_count(self) -> None:
        """How many assets the filters leave, and what to do when that is none."""
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.count.setText(f"{total} asset{'s' if total != 1 else ''}" if shown == total
                           else f"{shown} of {total} shown")
        if not total:
            self.empty.setText("No assets yet. Press Add asset (Ctrl+Shift+A) and click the map, "
                               "or bring a list in with File ▸ Import assets (Ctrl+I).")
        elif not shown:
            self.empty.setText("No asset matches. Clear the search box, choose All categories or untick "
                               "“Only assets not on the map yet” to see them again.")
        else:
            self.empty.setText("")
        self.empty.setVisible(bool(self.empty.text()))

    def current_id(self) -> str:
        rows = selection(self.view).selectedRows()
        return str(rows[0].data(ID_ROLE)) if rows else ""

    def _selection_changed(self) -> None:
        asset_id = self.current_id()
        rows = selection(self.view).selectedRows()
        self.place.setEnabled(bool(rows) and not rows[0].data(LOCATED_ROLE))
        if not self._quiet:
            self.assetSelected.emit(asset_id)

    def select(self, asset_id: str, reveal: bool = True) -> None:
        """Select and show a row without echoing the selection back; ``reveal`` clears filters hiding it."""
        self.selected_id = asset_id
        self._quiet = True
        try:
            row = self.model.row_of(asset_id)
            if row < 0:
                self.view.clearSelection()
                return
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid() and not reveal:
                self.view.clearSelection()
                return
            if not index.isValid():  # filtered out: clear the filters so the row can be shown
                self.category.setCurrentIndex(0)
                self.search.clear()
                self.unlocated.setChecked(False)
                index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.view.selectRow(index.row())
            self.view.scrollTo(index)
        finally:
            self._quiet = False
        rows = selection(self.view).selectedRows()
        self.place.setEnabled(bool(rows) and not rows[0].data(LOCATED_ROLE))
