"""The import wizard: choose a file, check the guessed columns on a preview, read the report, then import.

Reading and checking is the core's ``prepare_import`` (nothing is written), importing is
``commit_import`` (one transaction); both run on the job runner. A page whose job is still running
refuses to move on and moves on by itself when the job succeeds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from assetmap.core.analysis.flags import format_distance
from assetmap.core.area.margin import rule_margin
from assetmap.core.imports.history import ImportStep
from assetmap.core.imports.pipeline import (
    ImportOptions,
    ImportReport,
    PreparedImport,
    commit_import,
    prepare_import,
    write_rejects,
)
from assetmap.core.io.sniff import EXTENSIONS
from assetmap.core.model import ASSET_FIELD_MAP
from assetmap.core.progress import Progress
from assetmap.core.project.lookups import postcode_lookup, remembered_lookups
from assetmap.core.project.store import Project
from assetmap.core.taxonomy import CATEGORY_IDS
from assetmap.gui.document import Document
from assetmap.gui.jobs import JobRunner
from assetmap.gui.kind_dialog import FileKindChoice
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen
from assetmap.gui.undo import push_done

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
        self._lookup: tuple[tuple[str, ...], Any] | None = None  # (paths, (lookup, notes)) once read
        self.setWindowTitle("Import assets")
        self.file_page, self.columns_page, self.report_page = FilePage(self), ColumnsPage(self), ReportPage(self)
        for page in (self.file_page, self.columns_page, self.report_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        fit_to_screen(self, 820, 560)

    def import_options(self) -> ImportOptions:
        """The choices made on the pages, as the core's import options (not ``QWizard.options``, its flags)."""
        kind, theme = self.report_page.kind_choice.choice()
        return ImportOptions(category=self.file_page.category.currentData(), mapping=self.columns_page.overrides(),
                             public_columns=self.columns_page.public_columns(), kind=kind, theme=theme,
                             clip=self.file_page.clip.isChecked())

    def key(self) -> tuple[Any, ...]:
        opts = self.import_options()
        return (self.file_page.path.text(), opts.category, tuple(sorted(opts.mapping.items())),
                tuple(self.file_page.postcode_paths()), opts.kind, opts.theme, opts.clip)

    def check(self, then_next: bool = True) -> bool:
        """True when the current choices have been checked; otherwise start the check and wait for it."""
        if self.prepared is not None and self.prepared_for == self.key():
            return True
        path, options, key = Path(self.file_page.path.text()), self.import_options(), self.key()
        paths = tuple(self.file_page.postcode_paths())
        cached = self._lookup[1] if self._lookup is not None and self._lookup[0] == paths else None
        remembered = remembered_lookups(self.doc.project)

        def read(project: Any, progress: Any) -> tuple[PreparedImport, Any]:
            """Off the GUI thread: the postcode lookup (a national one takes a while), then the check."""
            chosen = cached
            if chosen is None:  # the remembered lookup says so in the notes; an emptied row uses none
                same = [str(Path(p).expanduser().resolve()) for p in paths] == remembered
                chosen = postcode_lookup(project, None if same or not paths else paths, progress=progress,
                                         skip=not paths and any(Path(p).exists() for p in remembered))
            prepared = prepare_import(project, path, dataclasses.replace(options, postcodes=chosen[0]), progress)
            prepared.report.notes[:0] = chosen[1]
            return prepared, chosen

        handle = self.jobs.run(f"Reading {path.name}", read, project=self.doc.project, parent=self)

        def done(result: tuple[PreparedImport, Any]) -> None:
            self.prepared, self.prepared_for = result[0], key
            self._lookup = (paths, result[1])
            if then_next:
                self.next()
            elif self.currentPage() is self.report_page:  # the kind of every row was changed there
                self.report_page.initializePage()

        handle.succeeded.connect(done)
        handle.failed.connect(self.file_page.show_error)
        return False

    def accept(self) -> None:
        if self.committed or self.prepared is None:
            super().accept()
            return
        prepared = self.prepared
        remember = prepared.options is not None and prepared.options.postcodes is not None

        def write(project: Project | None, progress: Progress) -> ImportReport:
            assert project is not None, "the runner attaches the project passed to it"
            return commit_import(project, prepared, remember_postcodes=remember, progress=progress)

        handle = self.jobs.run("Importing", write, project=self.doc.project, parent=self)
        handle.cancelled.connect(lambda: self.report_page.show_error(
            "Import cancelled: nothing was imported, the project is as it was. Press Import to try again."))

        def done(report: Any) -> None:
            self.committed = True
            if report.import_id is not None:  # one step on the undo stack (Edit ▸ Undo takes it back); reloads
                push_done(self.doc, ImportStep(report.import_id, report.file))
            else:
                self.doc.reload()
            super(ImportWizard, self).accept()

        handle.succeeded.connect(done)
        handle.failed.connect(self.report_page.show_error)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Choose a file")
        self.setSubTitle("A spreadsheet (CSV, Excel) or a map file "
                         "(GeoJSON, GeoPackage, zipped Shapefile, OpenStreetMap).")
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
        self._postcode_row(wizard)
        margin = format_distance(rule_margin(wizard.doc.project))
        self.clip = QCheckBox(f"&Leave out rows more than {margin} outside the neighbourhoods")
        self.clip.setToolTip(f"For a regional list or an OpenStreetMap extract bigger than your area. Places within "
                             f"{margin} of it are kept: they serve the people near the boundary (the longest "
                             "distance a gap rule measures), and never count in a neighbourhood's own numbers.")
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
        postcode_label = QLabel("&Postcode lookup:")
        postcode_label.setBuddy(self.postcodes)
        form.addRow(postcode_label, self.postcode_buttons)
        form.addRow("", self.postcode_note)
        form.addRow("", self.clip)
        form.addRow(self.error)

    def _postcode_row(self, wizard: ImportWizard) -> None:
        """A lookup file or folder to place rows that have only a postcode, pre-filled with the project's own."""
        self.postcodes = QLineEdit()
        self.postcodes.setAccessibleName("Postcode lookup")
        self.postcodes.setClearButtonEnabled(True)
        self.postcodes.setPlaceholderText("Optional: places rows that have a postcode but no coordinates")
        self.postcodes.setToolTip("OS Code-Point Open or the ONS Postcode Directory: a CSV, a zip, or a folder of "
                                  "CSVs (such as Code-Point Open's unzipped download). Several can be given, "
                                  "separated by ;. The lookup is remembered for this project.")
        remembered = remembered_lookups(wizard.doc.project)
        present = [p for p in remembered if Path(p).exists()]
        gone = [p for p in remembered if not Path(p).exists()]
        self.postcodes.setText("; ".join(present))
        self.postcode_note = QLabel("")
        self.postcode_note.setWordWrap(True)
        if present:
            self.postcode_note.setText("This project's postcode lookup, remembered from an earlier import. "
                                       "Empty the box to import without it.")
        if gone:
            self.postcode_note.setText(f"The postcode lookup this project used is no longer at {'; '.join(gone)}: "
                                       "choose it again where it is now, or import without one.")
        self.postcodes.textChanged.connect(self.completeChanged)
        self.postcodes.textChanged.connect(self._check_postcodes)
        file_button = QPushButton("F&ile…")
        file_button.setToolTip("Choose one or more lookup files (CSV or zip)")
        file_button.clicked.connect(self.browse_postcode_files)
        folder_button = QPushButton("Fol&der…")
        folder_button.setToolTip("Choose a folder of lookup CSVs, such as Code-Point Open's, one CSV per area")
        folder_button.clicked.connect(self.browse_postcode_folder)
        self.postcode_buttons = QWidget()
        row = QHBoxLayout(self.postcode_buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.postcodes, 1)
        row.addWidget(file_button)
        row.addWidget(folder_button)

    def postcode_paths(self) -> list[str]:
        return [p.strip() for p in self.postcodes.text().split(";") if p.strip()]

    def _check_postcodes(self, _text: str) -> None:
        self._check_path(self.path.text())

    def browse_postcode_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose postcode lookup files", str(Path.home()),
                                                "Postcode lookups (*.csv *.zip);;All files (*)")
        if paths:
            self.postcodes.setText("; ".join(paths))

    def browse_postcode_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a folder of postcode lookup CSVs", str(Path.home()))
        if path:
            self.postcodes.setText(path)

    def _check_path(self, text: str) -> None:
        """Say why Next stays greyed out when a path is typed but there is no file there."""
        missing = [p for p in self.postcode_paths() if not Path(p).exists()]
        self.error.setText("There is no file at this path." if text.strip() and not Path(text.strip()).is_file()
                           else f"There is no postcode lookup at {missing[0]}." if missing else "")

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", str(Path.home()), FILE_FILTER)
        if path:
            self.path.setText(path)

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def isComplete(self) -> bool:  # noqa: N802 (Qt API)
        return Path(self.path.text().strip()).is_file() and all(Path(p).exists() for p in self.postcode_paths())

    def validatePage(self) -> bool:  # noqa: N802
        self.error.setText("")
        self.w.columns_page.reset_mapping()
        self.w.report_page.file_chosen(self.path.text().strip(), self.category.currentData())
        return self.w.check()


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Check the columns")
        self.setSubTitle("The first rows of the file, and which column holds what. "
                         "Change a column if the guess is wrong.")
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
        self._public: set[str] = set()  # extra columns the user ticked as public
        public_label = QLabel("Other columns are kept with each asset as private details. Tick those that may "
                              "be shown on public maps and exports:")
        public_label.setWordWrap(True)
        self.public_list = QListWidget()
        self.public_list.setAccessibleName("Other columns to show publicly")
        self.public_list.setToolTip("Ticked: shown on public maps and in public exports. Not ticked: kept in the "
                                    "project only. Each asset's form can change this later.")
        self.public_list.itemChanged.connect(self._public_changed)
        public_label.setBuddy(self.public_list)
        self.form.addRow(public_label)
        self.form.addRow(self.public_list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        layout = QHBoxLayout(self)
        layout.addWidget(self.preview, 3)
        layout.addWidget(scroll, 2)

    def reset_mapping(self) -> None:
        self._guessed = {}
        self._public = set()

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
        self._fill_public(prepared.report.extra_columns)

    def _fill_public(self, columns: list[str]) -> None:
        """One tick box per column kept as details, ticked where the user (or the last check) made it public."""
        self.public_list.blockSignals(True)
        self.public_list.clear()
        for column in columns:
            item = QListWidgetItem(column)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if column in self._public else Qt.CheckState.Unchecked)
            self.public_list.addItem(item)
        self.public_list.blockSignals(False)

    def _public_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.CheckState.Checked:
            self._public.add(item.text())
        else:
            self._public.discard(item.text())
        self.w.prepared_for = None  # the check must run again with this choice before the report

    def public_columns(self) -> list[str]:
        return sorted(self._public)

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
        self.kind_choice = FileKindChoice(wizard.doc.project)
        self.kind_choice.changed.connect(self._kind_changed)
        self._kind_for: str | None = None  # the file the kind choice was made for
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind_choice)
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
        self.kind_choice.show_theme(r.theme)
        lines = [f"{r.rows} row{'s' if r.rows != 1 else ''} in the file:"]
        for count, what in ((r.imported, "will be placed on the map"),
                            (r.unlocated, ("will come in without a place on the map (place them later from the "
                                           "Assets table: tick “Only assets not on the map yet”)")),
                            (r.uncategorised, ("of them will come in as private drafts to sort: nothing told their "
                                               "category (Assets table: To sort)")),
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

    def file_chosen(self, path: str, category: str | None) -> None:
        """A new file starts again from what it says; a category for every row narrows the kinds offered."""
        if path != self._kind_for:
            self.kind_choice.reset()
            self._kind_for = path
        self.kind_choice.set_category(category)

    def _kind_changed(self) -> None:
        """Another kind for the whole file (or row by row): check again, then show the new report."""
        self.completeChanged.emit()
        self.w.check(then_next=False)

    def isComplete(self) -> bool:  # Qt's name
        return self.w.prepared is not None and self.w.prepared_for == self.w.key()

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
