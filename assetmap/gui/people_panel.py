"""People and their skills: a table and a form, never on the map (DESIGN section 3).

A person's record needs their consent and a neighbourhood; the core's ``validate_person`` says what
is missing, shown under each field. Edits go through the document, so they undo like asset edits.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.errors import ValidationError
from assetmap.core.model import PERSON_FIELDS, FieldSpec, validate_person
from assetmap.core.taxonomy import Taxonomy
from assetmap.gui.field_editor import FieldEditor

SHOWN = ("display_name", "skills", "interests", "neighbourhood_code", "consent")
FORM_FIELDS = tuple(f for f in PERSON_FIELDS if f.name not in ("id", "created_at", "updated_at"))


class PeoplePanel(QWidget):
    """Table of people on the left of the tab, their form on the right."""

    addRequested = pyqtSignal(dict)
    saveRequested = pyqtSignal(str, dict)
    deleteRequested = pyqtSignal(str)

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person_id = ""
        self.record: dict[str, Any] = {}
        self.table = QTableWidget(0, len(SHOWN))
        labels = {f.name: f.label for f in PERSON_FIELDS}
        self.table.setHorizontalHeaderLabels([labels[n] for n in SHOWN])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("People")
        self.table.itemSelectionChanged.connect(self._selected)
        self.editors: dict[str, FieldEditor] = {}
        form = QFormLayout()
        for spec in FORM_FIELDS:
            if spec.name == "neighbourhood_code":
                spec = FieldSpec(spec.name, spec.label, "choice", (), spec.private, "The neighbourhood they live in.")
            editor = FieldEditor(spec, taxonomy)
            editor.edited.connect(self._validate)
            label = QLabel(spec.label + (" (private)" if spec.private else ""))
            label.setBuddy(editor.input)
            form.addRow(label, editor)
            self.editors[spec.name] = editor
        self.new = QPushButton("New person")
        self.save = QPushButton("Save")
        self.delete = QPushButton("Delete…")
        self.new.clicked.connect(self.start_new)
        self.save.clicked.connect(self._save)
        self.delete.clicked.connect(lambda: self.deleteRequested.emit(self.person_id))
        buttons = QHBoxLayout()
        for b in (self.new, self.save, self.delete):
            buttons.addWidget(b)
        holder = QWidget()
        right = QVBoxLayout(holder)
        note = QLabel("People are never shown on the map. A public map only shows how many people "
                      "offer each skill in a neighbourhood, and hides small numbers.")
        note.setWordWrap(True)
        right.addWidget(note)
        right.addLayout(form)
        right.addLayout(buttons)
        right.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addWidget(scroll, 2)
        self.readonly = False
        self.start_new()

    def set_neighbourhoods(self, hoods: list[tuple[str, str]]) -> None:
        combo = self.editors["neighbourhood_code"].input
        combo.clear()  # type: ignore[attr-defined]
        combo.addItem("", None)  # type: ignore[attr-defined]
        for code, name in hoods:
            combo.addItem(f"{name} ({code})", code)  # type: ignore[attr-defined]

    def set_people(self, people: pd.DataFrame) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(people))
        for row, rec in enumerate(people.to_dict("records")):
            for col, name in enumerate(SHOWN):
                value = rec.get(name)
                item = QTableWidgetItem("" if value is None or value != value else str(value))
                item.setData(Qt.ItemDataRole.UserRole, rec["id"])
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self._people = {r["id"]: r for r in people.to_dict("records")}
        if self.person_id and self.person_id in self._people:
            self.show_person(self._people[self.person_id])
        else:
            self.start_new()

    def _selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.show_person(self._people[items[0].data(Qt.ItemDataRole.UserRole)])

    def show_person(self, record: dict[str, Any]) -> None:
        self.person_id, self.record = str(record["id"]), dict(record)
        for name, editor in self.editors.items():
            editor.set_value(record.get(name))
        self.save.setText("Save changes")
        self._validate()

    def start_new(self) -> None:
        self.person_id, self.record = "", {}
        for editor in self.editors.values():
            editor.set_value(None)
        self.save.setText("Add person")
        self._validate()

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def _validate(self) -> dict[str, str]:
        try:
            validate_person({**self.record, **self.values()})
            problems: dict[str, str] = {}
        except ValidationError as exc:
            problems = exc.problems
        for name, editor in self.editors.items():
            editor.show_problem(problems.get(name))
            editor.input.setEnabled(not self.readonly)
        self.save.setEnabled(not problems and not self.readonly)
        self.delete.setEnabled(bool(self.person_id) and not self.readonly)
        self.new.setEnabled(not self.readonly)
        return problems

    def _save(self) -> None:
        if self._validate():
            return
        values = {k: v for k, v in self.values().items()}
        if self.person_id:
            changes = {k: v for k, v in values.items() if str(v) != str(self.record.get(k))}
            if changes:
                self.saveRequested.emit(self.person_id, changes)
        else:
            self.addRequested.emit(values)
