"""The asset table at the bottom: a model over the project's assets, sortable and filterable.

The model reads the document's cached GeoDataFrame once per change; the proxy filters by
category, by text and by "not yet on the map", so a user can find the assets an import could
not place and place them by clicking the map.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from PyQt6.QtCore import QModelIndex, QObject, QSortFilterProxyModel, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.taxonomy import Taxonomy
from assetmap.gui.table_view import RecordTableModel, record_table

COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"), ("category", "Category"), ("kind", "Kind"), ("address", "Address"),
    ("postcode", "Postcode"), ("located", "On the map"), ("visibility", "Visibility"),
)
ID_ROLE = Qt.ItemDataRole.UserRole
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 1
LOCATED_ROLE = Qt.ItemDataRole.UserRole + 2


class AssetTableModel(RecordTableModel):
    """Rows are assets, in project order; ``ID_ROLE`` gives each row's asset id."""

    def __init__(self, taxonomy: Taxonomy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.headers = [label for _key, label in COLUMNS]
        self._row_of: dict[str, int] = {}

    def set_assets(self, assets: gpd.GeoDataFrame) -> None:
        self.beginResetModel()
        located = assets.geometry.notna() & ~assets.geometry.is_empty if len(assets) else []
        records = assets.drop(columns=assets.geometry.name).to_dict("records")
        for rec, here in zip(records, located):
            rec["located"] = bool(here)
        self.rows = records
        self._row_of = {r["id"]: i for i, r in enumerate(records)}
        self.endResetModel()

    def row_of(self, asset_id: str) -> int:
        return self._row_of.get(asset_id, -1)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        rec = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == ID_ROLE:
            return rec["id"]
        if role == CATEGORY_ROLE:
            return rec.get("category")
        if role == LOCATED_ROLE:
            return rec["located"]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = rec.get(key)
            if value is not None and value != value:  # NaN: a column with gaps in the frame
                value = None
            if key == "located":
                return "Yes" if value else "Not yet"
            if key == "category":
                return self.taxonomy.categories.get(value, {}).get("label", value or "")
            if key == "kind":
                return self.taxonomy.label(value) if value else ""
            return "" if value is None else str(value)
        return None


class AssetFilter(QSortFilterProxyModel):
    """Category, free text (name, kind, address, postcode) and "not on the map yet"."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.category: str | None = None
        self.text = ""
        self.unlocated_only = False
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortLocaleAware(True)

    def set_filter(self, category: str | None, text: str, unlocated_only: bool) -> None:
        self.beginFilterChange()
        self.category, self.text, self.unlocated_only = category, text.strip().lower(), unlocated_only
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        first = model.index(row, 0, parent)
        if self.category and model.data(first, CATEGORY_ROLE) != self.category:
            return False
        if self.unlocated_only and model.data(first, LOCATED_ROLE):
            return False
        if self.text:
            cells = (str(model.data(model.index(row, c, parent)) or "") for c in (0, 2, 3, 4))
            return any(self.text in cell.lower() for cell in cells)
        return True


class AssetTablePanel(QWidget):
    """Filter bar, table and the "Place on the map" button; reports the selected asset."""

    assetSelected = pyqtSignal(str)
    placeRequested = pyqtSignal(str)

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AssetTableModel(taxonomy, self)
        self.proxy = AssetFilter(self)
        self.proxy.setSourceModel(self.model)
        self.category = QComboBox()
        self.category.addItem("All categories", None)
        for cat_id, info in taxonomy.categories.items():
            if cat_id != "people":
                self.category.addItem(info.get("label", cat_id), cat_id)
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
        self.view = record_table(self.proxy, sort_column=0, order=Qt.SortOrder.AscendingOrder, name="Assets",
                                 widths=(240,))
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.category.currentIndexChanged.connect(self._refilter)
        self.search.textChanged.connect(self._refilter)
        self.unlocated.toggled.connect(self._refilter)
        self.place.clicked.connect(lambda: self.placeRequested.emit(self.current_id()))
        self._quiet = False

    def set_assets(self, assets: gpd.GeoDataFrame, keep: str = "") -> None:
        self._quiet = True
        try:
            self.model.set_assets(assets)
        finally:
            self._quiet = False
        if keep:
            self.select(keep, reveal=False)

    def _refilter(self) -> None:
        self.proxy.set_filter(self.category.currentData(), self.search.text(), self.unlocated.isChecked())

    def current_id(self) -> str:
        rows = self.view.selectionModel().selectedRows()
        return str(rows[0].data(ID_ROLE)) if rows else ""

    def _selection_changed(self) -> None:
        asset_id = self.current_id()
        rows = self.view.selectionModel().selectedRows()
        self.place.setEnabled(bool(rows) and not rows[0].data(LOCATED_ROLE))
        if not self._quiet:
            self.assetSelected.emit(asset_id)

    def select(self, asset_id: str, reveal: bool = True) -> None:
        """Select and show a row without echoing the selection back; ``reveal`` clears filters hiding it."""
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
        rows = self.view.selectionModel().selectedRows()
        self.place.setEnabled(bool(rows) and not rows[0].data(LOCATED_ROLE))
