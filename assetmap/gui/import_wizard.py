"""The import wizard: choose a file, check the guessed columns on a preview, read the report, then import.

Reading and checking is the core's ``prepare_import`` (nothing is written), importing is
``commit_import`` (one transaction); both run on the job runner. A page whose job is still running
refuses to move on and moves on by itself when the job succeeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from assetmap.core.io.importer import ImportOptions, PreparedImport, commit_import, prepare_import, write_rejects
from assetmap.core.io.sniff import EXTENSIONS
from assetmap.core.model import ASSET_FIELD_MAP
from assetmap.core.taxonomy import CATEGORY_IDS
from assetmap.gui.document import Document
from assetmap.gui.jobs import JobRunner
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen

# every kind of file the importer reads (an OpenStreetMap extract is .osm.pbf: "*.osm" alone hid it)
FILE_FILTER = "Spreadsheets and map files (" + " ".join(f"*{ext}" for ext in EXTENSIONS) + ");;All files (*)"
MAPPED = ("name", "category", "kind", "description", "address", "postcode", "website", "phone", "email",
          "opening_times", "ownership", "x", "y", "source_ref")
LABELS = {"x": "Longitude or easting", "y": "Latitude or northing"}
TIPS = {"x": "The column with each row's longitude (degrees, such as -2.33) or easting (metres, such as 376900). "
             "Leave both this and the next as (not in this file) when there is an address or postcode only: "
             "those rows come in without a place, to put on the map later.",
        "y": "The column with each row's latitude (degrees, such as 53.43) or northing (metres, such as 387700).",
        "source_ref": "A column with each row's own id in the file (a reference number), so importing the "
                      "same file again recognises rows already in the project."}
NO_COLUMN = "(not in this file)"
PREVIEW_ROWS = 20


class ImportWizard(QWizard):
    """Three pages: file, columns, report. ``prepared`` holds the last check's result."""

    def __init__(self, doc: Document, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.jobs = doc, jobs
        self.prepared: PreparedImport | None = None
        self.prepared_for: tuple[Any, ...] | None = None
        self.committed = False
        self.setWindowTitle("Import assets")
        self.file_page, self.columns_page, self.report_page = FilePage(self), ColumnsPage(self), ReportPage(self)
        for page in (self.file_page, self.columns_page, self.report_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        fit_to_screen(self, 820, 560)

    def options(self) -> ImportOptions:
        return ImportOptions(category=self.file_page.category.currentData(), mapping=self.columns_page.overrides())

    def key(self) -> tuple[Any, ...]:
        opts = self.options()
        return (self.file_page.path.text(), opts.category, tuple(sorted(opts.mapping.items())))

    def check(self, then_next: bool = True) -> bool:
        """True when the current choices have been checked; otherwise start the check and wait for it."""
        if self.prepared is not None and self.prepared_for == self.key():
            return True
        path, options, key = Path(self.file_page.path.text()), self.options(), self.key()
        handle = self.jobs.run(f"Reading {path.name}", lambda project, progress: prepare_import(project, path, options, progress),
                               project=self.doc.project, parent=self)

        def done(result: PreparedImport) -> None:
            self.prepared, self.prepared_for = result, key
            if then_next:
                self.next()

        handle.succeeded.connect(done)
        handle.failed.connect(self.file_page.show_error)
        return False

    def accept(self) -> None:
        if self.committed or self.prepared is None:
            super().accept()
            return
        prepared = self.prepared
        handle = self.jobs.run("Importing", lambda project, progress: commit_import(project, prepared),
                               project=self.doc.project, parent=self)

        def done(_report: Any) -> None:
            self.committed = True
            self.doc.reload()
            super(ImportWizard, self).accept()

        handle.succeeded.connect(done)
        handle.failed.connect(self.report_page.show_error)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Choose a file")
        self.setSubTitle("A spreadsheet (CSV, Excel) or a map file (GeoJSON, GeoPackage, zipped Shapefile, OpenStreetMap).")
        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("Press Browse… to choose the file, or paste its full path here")
        self.path.textChanged.connect(self.completeChanged)
        self.path.textChanged.connect(self._check_path)
        self.browse_button = QPushButton("Br&owse…")
        self.browse_button.clicked.connect(self.browse)
        self.category = QComboBox()
        self.category.addItem("Read it from the file", None)
        categories = wizard.doc.project.taxonomy.categories
        for cat in CATEGORY_IDS[1:]:  # named as everywhere else in the app ("Physical spaces", not "Physical")
            self.category.addItem(str(categories.get(cat, {}).get("label", cat.capitalize())), cat)
        self.category.setToolTip("Use this when every row is the same kind of asset, e.g. a list of clubs.")
        self.error = problem_label()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout(self)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        category_label = QLabel("&Category of every row:")
        category_label.setBuddy(self.category)
        form.addRow(category_label, self.category)
        form.addRow(self.error)

    def _check_path(self, text: str) -> None:
        """Say why Next stays greyed out when a path is typed but there is no file there."""
        self.error.setText("There is no file at this path." if text.strip() and not Path(text.strip()).is_file() else "")

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", str(Path.home()), FILE_FILTER)
        if path:
            self.path.setText(path)

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return Path(self.path.text().strip()).is_file()

    def validatePage(self) -> bool:  # noqa: N802
        self.error.setText("")
        self.w.columns_page.reset_mapping()
        return self.w.check()


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Check the columns")
        self.setSubTitle("The first rows of the file, and which column holds what. Change a column if the guess is wrong.")
        self.preview = QTableWidget()
        self.preview.setAccessibleName("Preview of the first rows")
        self.combos: dict[str, QComboBox] = {}
        self._guessed: dict[str, str] = {}
        holder = QWidget()
        self.form = QFormLayout(holder)
        for name in MAPPED:
            combo = QComboBox()
            label = LABELS.get(name) or ASSET_FIELD_MAP[name].label
            combo.setAccessibleName(label)
            combo.setToolTip(TIPS.get(name) or f"The column of the file that holds each asset's {label.lower()}. "
                             + (ASSET_FIELD_MAP[name].help or ""))
            self.combos[name] = combo
            self.form.addRow(label, combo)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout = QHBoxLayout(self)
        layout.addWidget(self.preview, 3)
        layout.addWidget(scroll, 2)

    def reset_mapping(self) -> None:
        self._guessed = {}

    def initializePage(self) -> None:  # noqa: N802
        prepared = self.w.prepared
        assert prepared is not None
        table = prepared.table
        rows = table.rows.head(PREVIEW_ROWS)
        self.preview.setColumnCount(len(table.columns))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(table.columns)
        # numbered as in the file (the header is row 1), the same numbers the report gives rejected rows
        self.preview.setVerticalHeaderLabels([str(n) for n in table.row_numbers[:len(rows)]])
        for r, values in enumerate(rows.itertuples(index=False)):
            for c, value in enumerate(values):
                self.preview.setItem(r, c, QTableWidgetItem("" if value is None or value != value else str(value)))
        if not self._guessed:
            self._guessed = dict(prepared.report.mapping)
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NO_COLUMN, None)
            for column in table.columns:
                combo.addItem(column, column)
            combo.setCurrentIndex(max(combo.findData(self._guessed.get(name)), 0))
            combo.blockSignals(False)

    def overrides(self) -> dict[str, str]:
        """The columns the user chose (or accepted); sent back as overrides so the check uses them."""
        if not self._guessed:
            return {}
        # NO_COLUMN is sent as "" (no column for this field), so the automatic guess does not come back.
        return {name: combo.currentData() or "" for name, combo in self.combos.items()}

    def validatePage(self) -> bool:  # noqa: N802
        return self.w.check()


class ReportPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("What will be imported")
        self.setSubTitle("Nothing is added to the project until you press Import.")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejects = QListWidget()
        self.rejects.setAccessibleName("Rejected rows and why")
        self.save_rejects = QPushButton("Save the rejected rows as CSV…")
        self.save_rejects.setToolTip("Fix them in a spreadsheet and import that file again.")
        self.save_rejects.clicked.connect(self.ask_save_rejects)
        self.error = problem_label()
        self.rejects_label = QLabel("Rows that will not be imported, and why:")
        self.rejects_label.setBuddy(self.rejects)
        self.all_good = QLabel("Every row can be imported.")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.all_good)
        layout.addWidget(self.rejects_label)
        layout.addWidget(self.rejects, 1)
        layout.addWidget(self.save_rejects, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.error)

    def initializePage(self) -> None:  # noqa: N802
        prepared = self.w.prepared
        assert prepared is not None
        r = prepared.report
        lines = [f"{r.rows} row{'s' if r.rows != 1 else ''} in the file:"]
        for count, what in ((r.imported, "will be placed on the map"),
                            (r.unlocated, ("will come in without a place on the map (place them later from the "
                                           "Assets table: tick “Only assets not on the map yet”)")),
                            (r.duplicates, "are already in the project and will be left out"),
                            (r.rejected, "cannot be imported (listed below)")):
            if count:
                lines.append(f"  • {count} {what}")
        if r.notes:
            lines += ["", "How the file was read:"] + [f"  • {note}" for note in r.notes]
        self.summary.setText("\n".join(lines))
        self.rejects.clear()
        for reject in r.rejects:
            self.rejects.addItem(f"Row {reject['row']}: {reject['reason']}")
        for dup in r.duplicate_rows:
            self.rejects.addItem(f"Row {dup['row']} (already in the project): {dup['reason']}")
        listed = self.rejects.count() > 0
        for widget in (self.rejects_label, self.rejects):
            widget.setVisible(listed)
        self.all_good.setVisible(not listed)
        self.save_rejects.setVisible(bool(r.rejects))
        self.save_rejects.setEnabled(bool(r.rejects))

    def ask_save_rejects(self) -> None:
        prepared = self.w.prepared
        assert prepared is not None
        default = Path(prepared.report.file).with_name(Path(prepared.report.file).stem + "-rejected.csv")
        dest, _ = QFileDialog.getSaveFileName(self, "Save the rejected rows", str(default), "CSV (*.csv)")
        if dest:
            self.write_rejects(Path(dest))

    def write_rejects(self, dest: Path) -> Path:
        assert self.w.prepared is not None
        return write_rejects(self.w.prepared, dest)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
