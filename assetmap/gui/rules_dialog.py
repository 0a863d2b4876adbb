"""The gap rules dialog: distance, kinds of asset and target for each rule, stored in the project.

The rules are the analysis core's data (``project_rules``/``set_project_rules``); the dialog edits a
copy and the core validates it, so a bad entry is explained and nothing half-valid is stored.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.analysis.rules import SEVERITIES, project_rules, set_project_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.project.store import Project

HEADERS = ("Rule", "Distance (m)", "Target (%)", "Severity", "Kinds of asset that count (comma-separated)")


class RulesDialog(QDialog):
    """One row per rule; Save validates with the core and writes the project's setting."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Gap rules")
        self.rules = project_rules(project).to_dict()
        self.table = QTableWidget(len(self.rules["rules"]), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        for row, rule in enumerate(self.rules["rules"]):
            title = QTableWidgetItem(rule.get("title") or rule["id"])
            title.setFlags(title.flags() & ~Qt.ItemFlag.ItemIsEditable)
            title.setToolTip(rule.get("source") or "")
            self.table.setItem(row, 0, title)
            distance = QSpinBox()
            distance.setRange(0, 20000)
            distance.setSingleStep(50)
            distance.setSuffix(" m")
            distance.setValue(int(rule.get("distance_m") or 0))
            distance.setEnabled(rule.get("distance_m") is not None)
            distance.setToolTip("Straight-line distance. 800 m is about a 10-minute walk.")
            self.table.setCellWidget(row, 1, distance)
            target = QDoubleSpinBox()
            target.setRange(0, 100)
            target.setDecimals(0)
            target.setSuffix(" %")
            is_share = rule.get("type", "coverage") != "missing_category"
            target.setValue(float(rule.get("target") or 0) * (100 if is_share else 1))
            target.setEnabled(is_share)
            target.setToolTip("The share of the neighbourhood that should be within the distance.")
            self.table.setCellWidget(row, 2, target)
            severity = QComboBox()
            for key in SEVERITIES:
                severity.addItem(key.capitalize(), key)
            severity.setCurrentIndex(max(severity.findData(rule.get("severity", "medium")), 0))
            self.table.setCellWidget(row, 3, severity)
            kinds = QLineEdit(", ".join(rule.get("kinds") or []))
            kinds.setEnabled(bool(rule.get("kinds")))
            kinds.setToolTip("Kind ids such as physical/community_centre; see the Kind list in the asset form.")
            self.table.setCellWidget(row, 4, kinds)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(4, 420)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        note = QLabel("Distances are measured in a straight line, so real walks are longer. "
                      "Changes apply the next time you run Find gaps.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(980, 420)

    def edited_rules(self) -> dict[str, Any]:
        data = {**self.rules, "rules": [dict(r) for r in self.rules["rules"]]}
        for row, rule in enumerate(data["rules"]):
            distance, target = self.table.cellWidget(row, 1), self.table.cellWidget(row, 2)
            severity, kinds = self.table.cellWidget(row, 3), self.table.cellWidget(row, 4)
            if distance.isEnabled():  # type: ignore[union-attr]
                rule["distance_m"] = distance.value()  # type: ignore[union-attr]
            if target.isEnabled():  # type: ignore[union-attr]
                rule["target"] = target.value() / 100  # type: ignore[union-attr]
            rule["severity"] = severity.currentData()  # type: ignore[union-attr]
            if kinds.isEnabled():  # type: ignore[union-attr]
                rule["kinds"] = [k.strip() for k in kinds.text().split(",") if k.strip()]  # type: ignore[union-attr]
        return data

    def save(self) -> None:
        try:
            set_project_rules(self.project, self.edited_rules())
        except AssetmapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
