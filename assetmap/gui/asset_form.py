"""The asset form on the right, built from ``ASSET_FIELDS``, with each problem shown under its field.

Validation is the core's ``clean_asset``: the form only collects raw values, shows the problems it
returns and asks the document to save the fields that changed. What is typed and not saved yet is
never dropped without asking (``has_unsaved``; the question is ``unsaved.ask``): a refresh after an
edit elsewhere keeps it (``refresh_asset``). "Place from postcode or coordinates…" turns typed text
into a point with the core's ``place_text`` and saves it like any other change.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.errors import AssetmapError
from assetmap.core.model import ASSET_FIELDS, clean_asset, is_blank
from assetmap.core.project.placing import place_text, placing_changes
from assetmap.core.taxonomy import UNCATEGORISED, Taxonomy, default_taxonomy
from assetmap.gui.details_editor import DetailsEditor
from assetmap.gui.field_editor import FieldEditor
from assetmap.gui.problem_label import PROBLEM_STYLE

SKIP = ("id", "created_at", "updated_at", "source_ref", "details", "public_details")  # details: their own part
DETAIL_FIELDS = ("details", "public_details")
BUILDING_CATEGORIES = ("physical", "institutions")


class AssetForm(QWidget):
    """Shows one asset (or a new one being placed); Save sends only the fields that changed."""

    saveRequested = pyqtSignal(str, dict)  # asset id, changes
    addRequested = pyqtSignal(dict)  # values of a new asset (the window holds its point)
    deleteRequested = pyqtSignal(str)
    cancelRequested = pyqtSignal()
    assessRequested = pyqtSignal(str)  # asset id: open the assessment dialog

    def __init__(self, taxonomy: Taxonomy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taxonomy = taxonomy
        self.project: Any = None  # the open project (set_project): its own kinds, and where "New kind…" adds one
        self.asset_id = ""
        self.record: dict[str, Any] = {}
        self.is_new = False
        self.readonly = False
        self.heading = QLabel("Choose an asset on the map or in the table.")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.where = QLabel("")
        self.where.setWordWrap(True)
        self._build_place()
        # made before the fields so Tab reaches it where it is shown: above them
        self.assess = QPushButton("Assess building…")
        self.assess.setToolTip("Record a community asset transfer assessment of this building: condition, tenure, "
                               "scores, Asset of Community Value dates. Earlier assessments are kept.")
        self.assess.clicked.connect(lambda: self.assessRequested.emit(self.asset_id))
        self.assess.setVisible(False)
        self.editors: dict[str, FieldEditor] = {}
        self.touched: set[str] = set()  # fields typed in since the form was filled
        self.attempted = False  # the user tried to save with problems left: show them all
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above fields when narrow
        for spec in ASSET_FIELDS:
            if spec.name in SKIP:
                continue
            editor = FieldEditor(spec, taxonomy)
            editor.edited.connect(lambda name=spec.name: self._edited(name))
            self.editors[spec.name] = editor
            label = QLabel(spec.label + (" (private)" if spec.private else "")
                           + ("*" if spec.name in ("name", "category") else ""))
            label.setBuddy(editor.input)
            label.setToolTip(editor.input.toolTip())
            form.addRow(label, self._with_new_kind(editor) if spec.name == "kind" else editor)
        self.editors["kind"].set_kinds(None)
        self.details = DetailsEditor()
        self.details.edited.connect(lambda: self._edited("details"))
        self.stamps = QLabel("")
        self.stamps.setStyleSheet("color: #555;")
        self.stamps.setWordWrap(True)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.heading)
        inner_layout.addWidget(self.where)
        inner_layout.addWidget(self.place_button, 0, Qt.AlignmentFlag.AlignLeft)
        inner_layout.addWidget(self.place_row)
        inner_layout.addWidget(self.place_message)
        inner_layout.addWidget(self.assess)
        inner_layout.addLayout(form)
        inner_layout.addWidget(self.details)
        inner_layout.addWidget(self.stamps)
        inner_layout.addStretch(1)
        scroll = self.scroll_area = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the form fits the dock
        scroll.setWidget(inner)
        self.save = QPushButton("Save changes")
        self.save.setToolTip("Write the changes to the project now (Ctrl+S). Ctrl+Z undoes them.")
        self.save.setDefault(True)
        self.revert = QPushButton("Discard changes")
        self.revert.setToolTip("Put back what is saved in the project.")
        self.delete = QPushButton("Delete…")
        self.delete.setToolTip("Remove this asset from the project (you will be asked first; Ctrl+Z undoes it).")
        self.save.clicked.connect(self._save)
        self.revert.clicked.connect(self._revert)
        self.delete.clicked.connect(lambda: self.deleteRequested.emit(self.asset_id))
        buttons = QHBoxLayout()
        for b in (self.save, self.revert, self.delete):
            buttons.addWidget(b)
        # Beside the buttons, always in view however far the form is scrolled: why Save is greyed out,
        # or that there is something typed but not saved yet.
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("What the form still needs")
        self.hint.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self._loading = False
        self.clear()

    # --- what is shown -------------------------------------------------------------------------

    def clear(self) -> None:
        self.asset_id, self.record, self.is_new = "", {}, False
        self.touched, self.attempted = set(), False
        self.assess.setVisible(False)
        self._reset_place("")
        self.heading.setText("Choose an asset on the map or in the table, or use Edit ▸ Add asset.")
        self.where.setText("")
        self.stamps.setText("")
        self._load({})
        self._set_enabled(False)

    def show_asset(self, record: dict[str, Any]) -> None:
        self.asset_id, self.record, self.is_new = str(record["id"]), dict(record), False
        self.touched, self.attempted = set(), False
        self.heading.setText(str(record.get("name") or "Asset"))
        geom = record.get("geometry")
        self.where.setText(("On the map." if geom is not None and not geom.is_empty
                            else "Not on the map yet: place it from its postcode or coordinates (below), or "
                                 "with Place on the map in the table.")
                           + (" To sort: an import could not tell what it is. Choose its category and kind; it "
                              "stays private until you make it public." if record.get("category") == UNCATEGORISED
                              else ""))
        self.stamps.setText(f"Created {str(record.get('created_at') or '')[:10]}, "
                            f"last changed {str(record.get('updated_at') or '')[:10]}. "
                            f"Source: {record.get('source') or 'typed in'}.")
        self._reset_place(str(record.get("postcode") or ""))
        self._load(record)
        self._set_enabled(True)
        self.save.setText("Save changes")
        self.revert.setText("Discard changes")
        # any asset can be assessed (Buildings menu); the button is offered where it is usual
        self.assess.setVisible(record.get("category") in BUILDING_CATEGORIES)

    def show_new(self, defaults: dict[str, Any], where: str) -> None:
        self.asset_id, self.record, self.is_new = "", {}, True
        self.touched, self.attempted = set(), False
        self.heading.setText("New asset")
        self.assess.setVisible(False)
        self._reset_place("")
        self.where.setText(where)
        self.stamps.setText("")
        self._load(defaults)
        self._set_enabled(True)
        self.save.setText("Add asset")
        self.revert.setText("Cancel")
        self.delete.setEnabled(False)
        self.editors["name"].input.setFocus()
        self._validate()

    def set_readonly(self, readonly: bool) -> None:
        self.readonly = readonly
        self._set_enabled(bool(self.asset_id or self.is_new))

    def _set_enabled(self, on: bool) -> None:
        on = on and not self.readonly
        for editor in self.editors.values():
            editor.input.setEnabled(on)
        self.new_kind.setEnabled(on and self.project is not None)
        self.place_button.setEnabled(on and self.project is not None and bool(self.asset_id) and not self.is_new)
        self.place_row.setEnabled(self.place_button.isEnabled())
        self.details.set_enabled(on)
        self.delete.setEnabled(on and not self.is_new)
        self.assess.setEnabled(on and not self.is_new)
        self._validate()

    # --- the project's kinds ----------------------------------------------------------------------

    def _with_new_kind(self, editor: FieldEditor) -> QWidget:
        """The kind chooser with "New kind…" beside it, for a kind the list lacks."""
        self.new_kind = QPushButton("New kind…")
        self.new_kind.setToolTip("Add a kind of asset this project has and the list lacks, such as a skate park.")
        self.new_kind.clicked.connect(self._add_kind)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor, 1)
        layout.addWidget(self.new_kind, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def set_project(self, project: Any) -> None:
        """The open project (None when closed): its taxonomy, with the kinds it added, fills the kind list."""
        self.project = project
        self._use_taxonomy(project.taxonomy if project is not None else default_taxonomy())
        self._set_enabled(bool(self.asset_id or self.is_new))

    def _use_taxonomy(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        for editor in self.editors.values():
            editor.taxonomy = taxonomy
        kind = self.editors["kind"]
        kind.blockSignals(True)
        kind.set_kinds(self.editors["category"].value())
        kind.blockSignals(False)

    def _add_kind(self) -> None:
        from assetmap.gui.kind_dialog import NewKindDialog

        category = self.editors["category"].value()
        dialog = NewKindDialog(self.project, category=category if category != UNCATEGORISED else None, parent=self)
        if not dialog.exec() or dialog.kind is None:
            return
        self._use_taxonomy(self.project.taxonomy)
        self.editors["category"].set_value(dialog.kind.category)
        self.editors["kind"].set_kinds(dialog.kind.category)
        self.editors["kind"].set_value(dialog.kind.id)
        self.touched.update(("category", "kind"))
        self._validate()

    def _load(self, values: dict[str, Any]) -> None:
        if self.project is not None and self.project.taxonomy is not self.taxonomy:  # kinds added elsewhere
            self._use_taxonomy(self.project.taxonomy)
        self._loading = True
        try:
            self.editors["kind"].set_kinds(values.get("category"))
            for name, editor in self.editors.items():
                editor.set_value(values.get(name))
                editor.show_problem(None)
            self.details.set_values(values.get("details"), values.get("public_details"))
        finally:
            self._loading = False
        self._validate()

    # --- editing ---------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {**{name: editor.value() for name, editor in self.editors.items()}, **self.details.values()}

    def _edited(self, name: str) -> None:
        if self._loading:
            return
        self.touched.add(name)
        if name == "category":
            self.editors["kind"].set_kinds(self.editors["category"].value())
        self._validate()

    def problems(self) -> dict[str, str]:
        return clean_asset({**self.record, **self.values()}, self.taxonomy)[1]

    def changes(self) -> dict[str, Any]:
        """Fields whose cleaned value differs from the stored one."""
        clean, _ = clean_asset({**self.record, **self.values()}, self.taxonomy)
        return {k: clean.get(k) for k in (*self.editors, *DETAIL_FIELDS) if not _same(clean.get(k), self.record.get(k))}

    def _validate(self) -> None:
        active = bool(self.asset_id or self.is_new) and not self.readonly
        problems = self.problems() if active else {}
        for name, editor in self.editors.items():
            editor.show_problem(problems.get(name) if self._shown(name) else None)
        dirty = self.is_new or (active and bool(self.changes()))
        self.save.setEnabled(active and not problems and dirty)
        self.revert.setEnabled(active and (dirty or self.is_new))
        self._show_hint(problems, dirty and active)

    def _shown(self, name: str) -> bool:
        """A new asset's empty form is not a list of errors: a field's problem shows once it was typed in
        (or Save was tried); a stored asset's problems show at once, as they came from the file."""
        return not self.is_new or self.attempted or name in self.touched

    def _show_hint(self, problems: dict[str, str], dirty: bool) -> None:
        if problems:
            names = ", ".join(self.editors[n].spec.label for n in self.editors if n in problems)
            verb = "add it" if self.is_new else "save"
            marked = any(self._shown(n) for n in problems)
            self.hint.setText(f"Before you can {verb}: {names}" + (" (see the notes in red)." if marked else "."))
            self.hint.setStyleSheet(PROBLEM_STYLE)
        elif dirty:
            self.hint.setText("Not saved yet: press Add asset." if self.is_new
                              else "Not saved yet: press Save changes (Ctrl+S).")
            self.hint.setStyleSheet("color: #5c4400;")
        else:
            self.hint.setText("")
        self.hint.setVisible(bool(self.hint.text()))

    def save_or_explain(self) -> bool:
        """Ctrl+S: save what is typed; when it cannot be saved, show every problem and go to the first."""
        if self.save.isEnabled():
            self.save.click()
            return True
        problems = self.problems() if (self.asset_id or self.is_new) and not self.readonly else {}
        if problems:
            self.attempted = True
            self._validate()
            first = self.editors[next(n for n in self.editors if n in problems)]
            self.scroll_area.ensureWidgetVisible(first)
            first.input.setFocus()
        return False

    def _save(self) -> None:
        if self.problems():
            return
        if self.is_new:
            self.addRequested.emit({k: v for k, v in self.values().items() if v is not None})
        else:
            changes = self.changes()
            if changes:
                self.saveRequested.emit(self.asset_id, changes)

    def _revert(self) -> None:
        if self.is_new:
            self.cancelRequested.emit()
        else:
            self._load(self.record)

    # --- what is typed and not saved ---------------------------------------------------------------

    def has_unsaved(self) -> bool:
        """Something typed that leaving the asset would lose: a stored asset's changed fields, or a new
        asset's form once anything was typed in it (an untouched new form holds nothing to lose)."""
        if self.readonly:
            return False
        if self.is_new:
            return bool(self.touched)
        return bool(self.asset_id) and bool(self.changes())

    def discard(self) -> None:
        """Drop what is typed (a new asset's form closes, as its Cancel does)."""
        self._revert()

    def refresh_asset(self, record: dict[str, Any]) -> None:
        """Show the stored asset again after an edit, undo or redo, keeping the fields typed and not saved."""
        if str(record.get("id")) != self.asset_id or self.is_new or not self.has_unsaved():
            self.show_asset(record)
            return
        typed = {name: self.editors[name].value() for name in self.touched if name in self.editors}
        details = self.details.values() if "details" in self.touched else None
        touched, attempted = set(self.touched), self.attempted
        self.show_asset(record)
        self._loading = True
        try:
            if "category" in typed:  # first: the kinds offered follow it
                self.editors["category"].set_value(typed["category"])
                self.editors["kind"].set_kinds(typed["category"])
            for name, value in typed.items():
                self.editors[name].set_value(value)
            if details is not None:
                self.details.set_values(details["details"], details["public_details"])
        finally:
            self._loading = False
        self.touched, self.attempted = touched, attempted
        self._validate()

    # --- placing from a postcode or coordinates -------------------------------------------------------

    def _build_place(self) -> None:
        self.place_button = QPushButton("Place from postcode or coordinates…")
        self.place_button.setToolTip("Put this asset on the map (or move it) by typing its postcode, its latitude "
                                     "and longitude, or its easting and northing. Ctrl+Z undoes it.")
        self.place_button.clicked.connect(self._open_place)
        self.place_input = QLineEdit()
        self.place_input.setAccessibleName("Postcode or coordinates to place the asset at")
        self.place_input.setPlaceholderText("M33 7XX, or 53.4246, -2.3232, or 379500, 391200")
        self.place_input.setToolTip("A postcode (found in the project's postcode lookup), latitude and longitude "
                                    "in degrees, a British National Grid easting and northing, or a grid "
                                    "reference such as SJ 795 912.")
        self.place_input.returnPressed.connect(self.place_from_text)
        self.place_go = QPushButton("Place")
        self.place_go.setToolTip("Put the asset at this postcode or these coordinates and save it.")
        self.place_go.clicked.connect(self.place_from_text)
        self.place_row = QWidget()
        row = QHBoxLayout(self.place_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.place_input, 1)
        row.addWidget(self.place_go)
        self.place_row.setVisible(False)
        self.place_message = QLabel("")
        self.place_message.setWordWrap(True)
        self.place_message.setVisible(False)

    def _reset_place(self, postcode: str) -> None:
        """A newly shown asset: the row folded, with its postcode ready to place by."""
        self.place_row.setVisible(False)
        self.place_input.setText(postcode)
        self._say_place("")

    def _open_place(self) -> None:
        self.place_row.setVisible(True)
        self.place_input.setFocus()
        self.place_input.selectAll()

    def _say_place(self, text: str, problem: bool = False) -> None:
        self.place_message.setText(text)
        self.place_message.setStyleSheet(PROBLEM_STYLE if problem else "color: #555;")
        self.place_message.setVisible(bool(text))

    def place_from_text(self) -> bool:
        """Place the shown asset from the typed postcode or coordinates; a point far outside the project's
        neighbourhoods is asked about first. True when the move was asked of the document."""
        if self.project is None or not self.asset_id or self.is_new or self.readonly:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a national postcode lookup is read once
        try:
            placement = place_text(self.project, self.place_input.text())
        except (ValueError, AssetmapError) as exc:
            self._say_place(str(exc), problem=True)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        if placement.far and QMessageBox.question(
                self, "Far from the project's area", f"{placement.warning()}. Place it there anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Yes:
            self._say_place("Not placed: check the postcode or coordinates.", problem=True)
            return False
        asset_id = self.asset_id
        self.saveRequested.emit(asset_id, placing_changes(self.project, asset_id, placement))
        if self.asset_id == asset_id:
            self._say_place(" ".join([f"Placed at {placement.lat:.5f}, {placement.lon:.5f} ({placement.how}).",
                                      *placement.notes]))
        return True


def _same(a: Any, b: Any) -> bool:
    return (is_blank(a) and is_blank(b)) or str(a) == str(b)
