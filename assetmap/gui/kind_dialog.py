""""New kind…": a small dialog for a kind of asset the list lacks (a label and a category; the id follows),
and the import wizard's choice of one kind for a whole file.

The checks and the write are the core's ``add_kind`` (the same as ``assetmap kinds --add``); the
dialog shows the id it will get and any problem as it is typed, and adds the kind on OK.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assetmap.core.errors import AssetmapError
from assetmap.core.project.kinds import KindError, add_kind, check_kind, kind_id_for
from assetmap.core.project.store import Project
from assetmap.core.taxonomy import CATEGORY_IDS, Kind
from assetmap.gui.problem_label import problem_label


class NewKindDialog(QDialog):
    """Adds one kind to the project; ``kind`` holds it once the dialog was accepted."""

    def __init__(self, project: Project, *, category: str | None = None, label: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.kind: Kind | None = None
        self.setWindowTitle("New kind of asset")
        self.label = QLineEdit(label)
        self.label.setAccessibleName("Name of the new kind")
        self.label.setPlaceholderText("What people call it, e.g. Skate park")
        self.category = QComboBox()
        self.category.setAccessibleName("Category of the new kind")
        for cat in CATEGORY_IDS[1:]:  # people's skills are never points, so never a kind of asset here
            self.category.addItem(project.taxonomy.category_label(cat), cat)
        self.category.setCurrentIndex(max(self.category.findData(category), 0))
        self.id_note = QLabel("")
        self.id_note.setStyleSheet("color: #555;")
        self.id_note.setWordWrap(True)
        self.problem = problem_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None, "the box was made with an Ok button"
        self.ok = ok
        self.ok.setText("Add kind")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.label)
        form.addRow(name_label, self.label)
        category_label = QLabel("&Category:")
        category_label.setBuddy(self.category)
        form.addRow(category_label, self.category)
        form.addRow(self.id_note)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.label.textChanged.connect(self._check)
        self.category.currentIndexChanged.connect(self._check)
        self._check()

    def kind_id(self) -> str:
        return kind_id_for(self.label.text(), str(self.category.currentData()))

    def _check(self) -> None:
        """Say now what OK would say: the id it gets, or why it cannot be added."""
        text = self.label.text().strip()
        problem = ""
        kind_id = ""
        if text:
            try:
                kind_id = self.kind_id()
                check_kind(self.project.taxonomy, kind_id, text)
            except KindError as exc:
                problem = str(exc)
        self.id_note.setText(f"It will be saved in this project as {kind_id}." if kind_id and not problem else "")
        self.problem.setText(problem[:1].upper() + problem[1:] + "." if problem else "")
        self.ok.setEnabled(bool(text) and not problem and not self.project.readonly)

    def accept(self) -> None:
        try:
            self.kind = add_kind(self.project, self.label.text(), category=str(self.category.currentData()))
        except AssetmapError as exc:
            self.problem.setText(str(exc))
            return
        super().accept()


AUTO, ROWS = "auto", "rows"


class FileKindChoice(QWidget):
    """The import wizard's choice of kind for a whole file: as the file says, row by row, or one kind for
    every row (with "New kind…" for one the list lacks). ``choice()`` gives ImportOptions' kind and theme."""

    changed = pyqtSignal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.category: str | None = None
        self._auto: dict[str, Any] = {}  # what the file itself says, from the last check made "as the file says"
        self.combo = QComboBox()
        self.combo.setAccessibleName("Kind of every row")
        self.combo.setToolTip("assetmap reads what the whole file lists from its name, sheet or layer and type "
                              "column. Choose another kind for every row, or let each row's type and name decide.")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.new_kind = QPushButton("New kind…")
        self.new_kind.setToolTip("Add a kind this project has and the list lacks, and give it to every row.")
        self.new_kind.setEnabled(not project.readonly)
        self.new_kind.clicked.connect(self._add_kind)
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why the file's rows get this kind")
        label = QLabel("&Kind of every row:")
        label.setBuddy(self.combo)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.combo, 1)
        row.addWidget(self.new_kind)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.why)
        self._fill(None)
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def _fill(self, keep: str | None) -> None:
        tax = self.project.taxonomy
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("As the file says", AUTO)
        self.combo.addItem("Row by row: each from its own type and name", ROWS)
        order = {c: i for i, c in enumerate(CATEGORY_IDS)}
        kinds = sorted((k for k in tax.kinds.values() if k.category != "people"
                        and (self.category is None or k.category == self.category)),
                       key=lambda k: (order[k.category], k.label.lower()))
        for kind in kinds:
            self.combo.addItem(f"{kind.label} ({tax.category_label(kind.category)})", kind.id)
        self.combo.setCurrentIndex(max(self.combo.findData(keep), 0))
        self.combo.blockSignals(False)

    def set_category(self, category: str | None) -> None:
        """Only kinds of the category chosen for every row are offered."""
        if category != self.category:
            self.category = category
            current = self.combo.currentData()
            self._fill(current if current in (AUTO, ROWS) or category is None
                       or str(current).startswith(f"{category}/") else AUTO)

    def reset(self) -> None:
        """Another file: back to what that file says."""
        self._auto = {}
        self._fill(None)

    def choice(self) -> tuple[str | None, bool]:
        """(kind for every row or None, decide from the file's theme)."""
        data = self.combo.currentData()
        if data == ROWS:
            return None, False
        return (None if data == AUTO else str(data)), True

    def show_theme(self, theme: dict[str, Any] | None) -> None:
        """What the last check decided: on the first item (as the file says) and in words under the list."""
        theme = theme or {}
        data = self.combo.currentData()
        if data == AUTO:
            self._auto = theme
        auto_kind = self._auto.get("kind") if self._auto else None
        tax = self.project.taxonomy
        self.combo.setItemText(0, f"As the file says: {tax.label(auto_kind)}" if auto_kind
                               else "As the file says: row by row" if self._auto else "As the file says")
        kind, reason = theme.get("kind"), theme.get("reason") or ""
        if data == AUTO and kind:
            self.why.setText(f"Every row without a type of its own becomes {tax.label(kind)}, because {reason}. "
                             "A venue's name (a school, a surgery) does not change that.")
        elif data == AUTO:
            self.why.setText(f"Each row's kind comes from its own type and name: {reason}.")
        elif data == ROWS:
            self.why.setText("Each row's kind comes from its own type and name.")
        else:
            self.why.setText(f"Every row becomes {tax.label(kind)}.")

    def _add_kind(self) -> None:
        dialog = NewKindDialog(self.project, category=self.category, parent=self)
        if dialog.exec() and dialog.kind is not None:
            self._fill(dialog.kind.id)
            self.changed.emit()
