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
from assetmap.gui import plain_text
from assetmap.gui.field_editor import FieldEditor, pretty
from assetmap.gui.problem_label import problem_label
from assetmap.gui.table_view import headers

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
        rows, columns = headers(self.table)
        rows.setVisible(False)
        self.table.setSortingEnabled(True)
        self.table.setAccessibleName("People")
        columns.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.empty = QLabel("No one's skills are recorded yet. Fill in the form on the right and press Add person, "
                            "or bring in a skills audit or sign-up sheet with File ▸ Import people's skills.")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #5c4400; background: #fff3cd; padding: 6px;")
        self.hood_names: dict[str, str] = {}
        self.editors: dict[str, FieldEditor] = {}
        self.touched: set[str] = set()  # fields typed in since the form was filled
        self._loading = False
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for spec in FORM_FIELDS:
            if spec.name == "neighbourhood_code":
                spec = FieldSpec(spec.name, spec.label, "choice", (), spec.private, "The neighbourhood they live in.")
            editor = FieldEditor(spec, taxonomy)
            editor.edited.connect(lambda name=spec.name: self._edited(name))
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
        self.new.setToolTip("Clear the form to add someone else.")
        self.save.setToolTip("Add this person, or save the changes to them (Edit ▸ Undo takes it back).")
        self.delete.setToolTip("Remove this person's record (you will be asked first).")
        buttons = QHBoxLayout()
        for b in (self.new, self.save, self.delete):
            buttons.addWidget(b)
        holder = QWidget()
        fields = QVBoxLayout(holder)
        note = QLabel("People are never shown on the map. A public map only shows how many people "
                      "offer each skill in a neighbourhood, and hides small numbers.")
        note.setWordWrap(True)
        fields.addWidget(note)
        fields.addLayout(form)
        fields.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        # the buttons and what is still missing stay in view below the scrolling form (in the short
        # bottom panel they used to be below its last field, out of sight)
        self.hint = problem_label()
        self.hint.setAccessibleName("What the person's record still needs")
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addWidget(self.hint)
        right.addLayout(buttons)
        left = QVBoxLayout()
        left.addWidget(self.empty)
        left.addWidget(self.table, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.readonly = False
        self._people: dict[str, dict[str, Any]] = {}
        self.start_new()

    def set_neighbourhoods(self, hoods: list[tuple[str, str]]) -> None:
        combo = self.editors["neighbourhood_code"].input
        combo.clear()  # type: ignore[attr-defined]
        combo.addItem("", None)  # type: ignore[attr-defined]
        self.hood_names = {}
        for code, name in hoods:
            combo.addItem(f"{name} ({code})", code)  # type: ignore[attr-defined]
            self.hood_names[code] = name

    def _cell(self, name: str, value: Any) -> str:
        """A stored value as the table shows it: a neighbourhood by its name, a yes/no as a word."""
        if value is None or value != value:
            return ""
        if name == "neighbourhood_code":
            return self.hood_names.get(str(value), str(value))
        if name == "consent":
            return pretty(str(value))
        return str(value)

    def set_people(self, people: pd.DataFrame) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(people))
        for row, rec in enumerate(people.to_dict("records")):
            for col, name in enumerate(SHOWN):
                item = QTableWidgetItem(self._cell(name, rec.get(name)))
                item.setData(Qt.ItemDataRole.UserRole, rec["id"])
                if name == "neighbourhood_code" and rec.get(name):
                    item.setToolTip(plain_text.tooltip(str(rec[name])))
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.empty.setVisible(not len(people))
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
        self._fill(record)
        self.save.setText("Save changes")
        self._validate()

    def start_new(self) -> None:
        self.person_id, self.record = "", {}
        self._fill({})
        self.save.setText("Add person")
        self._validate()

    def _fill(self, record: dict[str, Any]) -> None:
        self._loading = True
        try:
            for name, editor in self.editors.items():
                editor.set_value(record.get(name))
        finally:
            self._loading = False
        self.touched = set()

    def _edited(self, name: str) -> None:
        if not self._loading:
            self.touched.add(name)
            self._validate()

    def values(self) -> dict[str, Any]:
        return {name: editor.value() for name, editor in self.editors.items()}

    def _validate(self) -> dict[str, str]:
        try:
            validate_person({**self.record, **self.values()})
            problems: dict[str, str] = {}
        except ValidationError as exc:
            problems = exc.problems
        # a blank form for someone new is not a list of errors: problems show once something was typed
        # (then all of them: the consent rule is worth reading before filling in the rest), and what is
        # still missing is said once more beside the buttons, which never scroll away
        started = bool(self.person_id or self.touched)
        for name, editor in self.editors.items():
            editor.show_problem(problems.get(name) if started else None)
            editor.input.setEnabled(not self.readonly)
        self.save.setEnabled(not problems and not self.readonly)
        self.delete.setEnabled(bool(self.person_id) and not self.readonly)
        self.new.setEnabled(not self.readonly)
        labels = {f.name: f.label for f in FORM_FIELDS}
        missing = ", ".join(labels.get(n, n) for n in self.editors if n in problems)
        self.hint.setText(f"Before you can {'save' if self.person_id else 'add this person'}: {missing}."
                          if problems and started and not self.readonly else "")
        self.hint.setVisible(bool(self.hint.text()))
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
