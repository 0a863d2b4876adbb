"""The "Other details" part of the asset form: the extra columns an asset's file had, each editable and
each with a Public tick box.

Details are private unless ticked; the form saves them as the asset's ``details`` and ``public_details``
fields, so what is published is decided here and in the import, never guessed by an export.
"""

from __future__ import annotations

import json
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from assetmap.core.export.privacy import details_of, public_of


class DetailsEditor(QWidget):
    """An asset's other details: header, value (editable; emptied means removed) and whether it is public."""

    edited = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, tuple[QLineEdit, QCheckBox]] = {}
        self._enabled = True
        heading = QLabel("Other details")
        heading.setStyleSheet("font-weight: bold;")
        about = QLabel("Columns of the imported file that no field above uses. They stay private unless "
                       "Public is ticked: then they are shown on public maps and exports.")
        about.setWordWrap(True)
        about.setStyleSheet("color: #555;")
        self.none = QLabel("None for this asset.")
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 6, 0, 0)
        box.addWidget(heading)
        box.addWidget(about)
        box.addWidget(self.none)
        box.addLayout(self.grid)

    def set_values(self, details: Any, public: Any) -> None:
        """Show the stored details (JSON text or a dict) and tick the public ones; emits nothing."""
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.blockSignals(True)
                widget.hide()
                widget.deleteLater()
        self.rows = {}
        shown = details_of(details)
        allowed = set(public_of(public))
        for row, header in enumerate(sorted(shown)):
            label = QLabel(header)
            label.setTextFormat(Qt.TextFormat.PlainText)  # a header is the user's text, never markup
            label.setWordWrap(True)
            line = QLineEdit(shown[header])
            line.setAccessibleName(f"{header} (other detail)")
            line.setToolTip("Empty it to remove this detail from the asset.")
            label.setBuddy(line)
            check = QCheckBox("Public")
            check.setAccessibleName(f"Show {header} publicly")
            check.setToolTip("Ticked: shown on public maps and in public exports. Not ticked: stays in the project.")
            check.setChecked(header in allowed)
            line.textChanged.connect(self.edited)
            check.toggled.connect(self.edited)
            line.setEnabled(self._enabled)
            check.setEnabled(self._enabled)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(line, row, 1)
            self.grid.addWidget(check, row, 2)
            self.rows[header] = (line, check)
        self.none.setVisible(not self.rows)

    def set_enabled(self, on: bool) -> None:
        self._enabled = on
        for line, check in self.rows.values():
            line.setEnabled(on)
            check.setEnabled(on)

    def set_public(self, header: str, public: bool) -> None:
        """Tick or untick one detail's Public box (as a click does)."""
        self.rows[header][1].setChecked(public)

    def values(self) -> dict[str, str | None]:
        """The ``details`` and ``public_details`` fields as the form saves them (JSON text, None when empty)."""
        details = {h: line.text().strip() for h, (line, _) in self.rows.items() if line.text().strip()}
        public = sorted(h for h in details if self.rows[h][1].isChecked())
        return {"details": json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
                "public_details": json.dumps(public, ensure_ascii=False) if public else None}
