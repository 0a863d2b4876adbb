"""The layers panel on the left: neighbourhoods (shaded by a gap indicator) and one layer per category.

The panel holds view state only (what is shown), and ``LayerState.apply`` trims the map data the
export builds, so hiding a layer never touches the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QIcon, QPixmap
from PyQt6.QtWidgets import QComboBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

NEIGHBOURHOODS = "__neighbourhoods__"
AUTO = "__auto__"


@dataclass
class LayerState:
    """Which layers are visible and which gap rule shades the neighbourhoods."""

    hidden: set[str] = field(default_factory=set)
    indicator: str | None = AUTO  # AUTO: the export's choice (the first rule with results)

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of the map data without the hidden layers (the legend keeps every category)."""
        out = dict(data)
        if NEIGHBOURHOODS in self.hidden:
            out["neighbourhoods"] = []
        hidden_idx = {i for i, c in enumerate(data["categories"]) if c["id"] in self.hidden}
        if hidden_idx:
            assets = dict(data["assets"])
            keep = [r for r in assets["rows"] if r[2] not in hidden_idx]
            kept_ids = {i for i, r in enumerate(assets["rows"]) if r[2] not in hidden_idx}
            remap = {old: new for new, old in enumerate(sorted(kept_ids))}
            assets["rows"] = keep
            out["assets"] = assets
            out["areas"] = [{**a, "a": remap[a["a"]]} for a in data.get("areas", []) if a["a"] in remap]
        return out


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(colour))
    return QIcon(pix)


class LayersPanel(QWidget):
    """Check boxes for each layer, with counts, and the choice of gap indicator."""

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = LayerState()
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setAccessibleName("Layers")
        self.tree.setToolTip("Tick a layer to show it on the map, untick it to hide it.")
        self.tree.itemChanged.connect(self._item_changed)
        self.indicator = QComboBox()
        self.indicator.setToolTip("Shade the neighbourhoods by how well they meet one gap rule.")
        self.indicator.currentIndexChanged.connect(self._indicator_changed)
        self.gap_note = QLabel("")
        self.gap_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("Show on the map:"))
        layout.addWidget(self.tree)
        shade = QLabel("Shade neighbourhoods by:")
        shade.setBuddy(self.indicator)
        layout.addSpacing(6)
        layout.addWidget(shade)
        layout.addWidget(self.indicator)
        layout.addWidget(self.gap_note)
        layout.addStretch(1)  # the shading sits just under the layers, not at the foot of a tall empty list
        self._filling = False
        # ``changed`` goes out from the event loop, never from inside the tree's or combo box's own
        # signal: its receivers rebuild these widgets. Quick clicks are coalesced into one redraw.
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(self.changed.emit)

    def fill(self, data: dict[str, Any], rules: list[tuple[str, str]], flagged: tuple[int, int] | None) -> None:
        """Show the full map data's counts, neighbourhoods, the rules to shade by and (any, serious) gaps.

        Items are updated in place when the layers are the same ones: ``fill`` can run while Qt is
        still inside an item's check-state change, and deleting that item there would crash.
        """
        self._filling = True
        try:
            layers = [(NEIGHBOURHOODS, f"Neighbourhoods ({len(data.get('neighbourhoods', []))})", None,
                       "Neighbourhood boundaries; a thick dashed outline marks those needing attention most.")]
            layers += [(cat["id"], f"{cat['label']} ({cat['count']})", cat["color"],
                        cat.get("description") or cat["label"])
                       for cat in data["categories"]]
            if self._keys() != [key for key, *_ in layers]:
                self.tree.clear()
                for key, *_ in layers:
                    row = QTreeWidgetItem()
                    row.setData(0, Qt.ItemDataRole.UserRole, key)
                    row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    self.tree.addTopLevelItem(row)
            for i, (key, text, colour, tip) in enumerate(layers):
                item = self.tree.topLevelItem(i)
                assert item is not None
                item.setText(0, text)
                item.setToolTip(0, tip)
                if colour:
                    item.setIcon(0, _swatch(colour))
                item.setCheckState(0, Qt.CheckState.Unchecked if key in self.state.hidden else Qt.CheckState.Checked)
            # as tall as its rows (a row with a colour swatch is taller than one without)
            content = sum(max(self.tree.sizeHintForRow(i), self.tree.iconSize().height(), 16) + 2
                          for i in range(self.tree.topLevelItemCount()))
            self.tree.setMaximumHeight(content + 2 * self.tree.frameWidth() + 4)
            self.indicator.clear()
            self.indicator.addItem("Nothing (outlines only)", None)
            for rule_id, title in rules:
                self.indicator.addItem(title, rule_id)
            index = self.indicator.findData(self.state.indicator) if self.state.indicator else 0
            self.indicator.setCurrentIndex(max(index, 0))
            self.indicator.setEnabled(bool(rules))
            if flagged is None:
                self.gap_note.setText("Gap analysis not run yet (Analysis ▸ Find gaps).")
            else:
                total = len(data.get("neighbourhoods", []))
                any_gap, outlined = flagged
                self.gap_note.setText(f"Gaps flagged in {any_gap} of {total} neighbourhoods; the {outlined} that "
                                      "need attention most are outlined on the map.")
        finally:
            self._filling = False

    def _keys(self) -> list[str]:
        return [self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)  # type: ignore[union-attr]
                for i in range(self.tree.topLevelItemCount())]

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling:
            return
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if item.checkState(0) == Qt.CheckState.Checked:
            self.state.hidden.discard(key)
        else:
            self.state.hidden.add(key)
        self._announce.start()

    def _indicator_changed(self, index: int) -> None:
        if self._filling:
            return
        self.state.indicator = self.indicator.itemData(index)
        self._announce.start()
