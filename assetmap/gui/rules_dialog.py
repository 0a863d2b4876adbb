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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.analysis.rules import SEVERITIES, project_rules, set_project_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.project.store import Project
from assetmap.core.taxonomy import Taxonomy
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen
from assetmap.gui.table_view import headers

HEADERS = ("Rule", "Distance (m)", "Target", "Severity", "Kinds of asset that count (comma-separated)", "")
TARGET_TIPS = {
    "coverage": "The share of the neighbourhood that should be within the distance; less than this is a gap.",
    "density": "The share of the project's neighbourhoods to flag: those with the fewest places per 1,000 residents.",
    "missing_category": "How many assets of each category a neighbourhood should have (fixed).",
}
KINDS_TIP = "Press Choose… beside it to pick the kinds from a list by name."


class RulesDialog(QDialog):
    """One row per rule; Save validates with the core and writes the project's setting."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Gap rules")
        self.rules = project_rules(project).to_dict()
        self.table = QTableWidget(len(self.rules["rules"]), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        headers(self.table)[0].setVisible(False)
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
            rule_type = rule.get("type", "coverage")
            is_share = rule_type != "missing_category"
            target.setSuffix(" %" if is_share else "")  # the category rule's target is a count, not a share
            target.setValue(float(rule.get("target") or 0) * (100 if is_share else 1))
            target.setEnabled(is_share)
            target.setToolTip(TARGET_TIPS.get(rule_type, TARGET_TIPS["coverage"]))
            self.table.setCellWidget(row, 2, target)
            severity = QComboBox()
            for key in SEVERITIES:
                severity.addItem(key.capitalize(), key)
            severity.setCurrentIndex(max(severity.findData(rule.get("severity", "medium")), 0))
            self.table.setCellWidget(row, 3, severity)
            kinds = QLineEdit(", ".join(rule.get("kinds") or []))
            kinds.setEnabled(bool(rule.get("kinds")))
            kinds.setToolTip(self.kinds_tip(rule.get("kinds") or []))
            kinds.textChanged.connect(lambda text, box=kinds: box.setToolTip(self.kinds_tip(text.split(","))))
            self.table.setCellWidget(row, 4, kinds)
            choose = QPushButton("Choose…")
            choose.setToolTip("Pick the kinds of asset this rule counts from a list, by name.")
            choose.setEnabled(kinds.isEnabled())
            choose.clicked.connect(lambda _c=False, r=row: self.choose_kinds(r))
            self.table.setCellWidget(row, 5, choose)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(4, 320)  # the box scrolls; Choose… beside it stays in view
        self.error = problem_label()
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
        fit_to_screen(self, 980, 420)

    def kinds_tip(self, kinds: list[str]) -> str:
        """The kinds a rule counts, in the words the asset form uses (the box holds their ids)."""
        taxonomy = self.project.taxonomy
        names = [taxonomy.label(k.strip()) if k.strip() in taxonomy.kinds else f"{k.strip()} (not a known kind)"
                 for k in kinds if k.strip()]
        return ("Counts: " + "; ".join(names) + ".\n\n" if names else "") + KINDS_TIP

    def kinds_picker(self, row: int) -> KindPicker:
        box = self.table.cellWidget(row, 4)
        assert isinstance(box, QLineEdit)
        return KindPicker(self.project.taxonomy, box.text().split(","), self)

    def choose_kinds(self, row: int) -> None:
        """Pick a rule's kinds by name; the ids go into its box (Save still has the core check them)."""
        picker = self.kinds_picker(row)
        if picker.exec() == QDialog.DialogCode.Accepted:
            self.apply_kinds(row, picker)

    def apply_kinds(self, row: int, picker: KindPicker) -> None:
        box = self.table.cellWidget(row, 4)
        assert isinstance(box, QLineEdit)
        box.setText(", ".join(picker.chosen()))

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


class KindPicker(QDialog):
    """A list of every kind of asset by name, under its category, to tick the ones a rule counts."""

    def __init__(self, taxonomy: Taxonomy, chosen: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kinds of asset that count")
        wanted = {k.strip() for k in chosen if k.strip()}
        self.list = QListWidget()
        self.list.setAccessibleName("Kinds of asset")
        categories = taxonomy.categories
        for kind in sorted(taxonomy.kinds.values(), key=lambda k: (list(categories).index(k.category)
                                                                   if k.category in categories else 99, k.label)):
            if kind.category == "people":  # people are never on the map, so no distance rule counts them
                continue
            item = QListWidgetItem(f"{kind.label}  ({categories.get(kind.category, {}).get('label', kind.category)})")
            item.setData(Qt.ItemDataRole.UserRole, kind.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if kind.id in wanted else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tick each kind of asset that meets this need:"))
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 420, 560)

    def set_checked(self, kind_id: str, on: bool) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == kind_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen(self) -> list[str]:
        items = [self.list.item(i) for i in range(self.list.count())]
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in items
                if i is not None and i.checkState() == Qt.CheckState.Checked]
