"""The export dialog: web map (HTML), GeoJSON or CSV, public or private, then offer to open the result.

The writing is the export core (``write_webmap``, ``write_geojson``, ``write_csv``) on the job runner;
public is the default, and choosing private says plainly what that means. The file name's extension
follows the chosen format (GeoJSON was once written into ``out-public.html``), and a file that is already
there is replaced only after the user says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QWidget,
)

from assetmap.core.analysis.rules import project_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.export.webdata import read_gap_results
from assetmap.core.project.store import Project
from assetmap.gui.jobs import JobHandle, JobRunner
from assetmap.gui.problem_label import problem_label

FORMATS = (("html", "Web map to share (HTML)", ".html"), ("geojson", "GeoJSON for other map tools", ".geojson"),
           ("csv", "Spreadsheet (CSV)", ".csv"))
EXTENSIONS = {".html": "html", ".htm": "html", ".geojson": "geojson", ".json": "geojson", ".csv": "csv"}  # as the CLI


def with_format_suffix(path: Path, kind: str) -> Path:
    """The file name with the extension of format ``kind``: one that already names it is kept (``.htm``,
    ``.json``), another format's is replaced, and any other dot stays part of the name (``hall.v2.csv``)."""
    if not path.name or EXTENSIONS.get(path.suffix.lower()) == kind:
        return path
    ext = next(e for k, _label, e in FORMATS if k == kind)
    return path.with_suffix(ext) if path.suffix.lower() in EXTENSIONS else path.with_name(path.name + ext)


def ask_replace(parent: QWidget, path: Path, replace: Callable[[], object]) -> QMessageBox:
    """Ask, window-modal and without a nested event loop, before a file is replaced: Replace calls ``replace``;
    Cancel (the default button, and Esc) leaves the file as it is."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Replace the file?",
                      f"“{path.name}” is already there, in {path.parent}. Replace it?",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("What is in it now will be lost. Cancel keeps it: then choose another name.")
    yes = box.addButton("&Replace", QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.finished.connect(lambda _result: replace() if box.clickedButton() is yes else None)
    box.open()
    return box


class ExportDialog(QDialog):
    """Choose what and where, run the export off the GUI thread, then offer to open it."""

    def __init__(self, project: Project, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.jobs = project, jobs
        self.handle: JobHandle | None = None
        self.written: Path | None = None
        self.confirm: QMessageBox | None = None  # the "Replace the file?" question while it is asked
        self.setWindowTitle("Export a map or data")
        self.format = QComboBox()
        for key, label, _ext in FORMATS:
            self.format.addItem(label, key)
        self.public = QRadioButton("Public: leaves out private assets, contact details and notes")
        self.private = QRadioButton("Private: everything, for your team only (never publish it)")
        self.public.setChecked(True)
        self.title = QLineEdit(project.name)
        self.title.setToolTip("Shown at the top of the web map.")
        self.indicator = QComboBox()
        self.indicator.addItem("No shading", None)
        has_results = bool(read_gap_results(project))
        try:
            for rule in project_rules(project).by_type("coverage") if has_results else ():
                self.indicator.addItem(rule.title, rule.id)
        except AssetmapError:
            pass
        self.indicator.setCurrentIndex(1 if self.indicator.count() > 1 else 0)
        self.indicator.setToolTip("Shade neighbourhoods by how well they meet a gap rule (run Find gaps first).")
        self.basemap = QCheckBox("Background street &map (needs the internet when viewed)")
        self.basemap.setChecked(True)
        self.path = QLineEdit(str(project.path.with_name(project.path.stem + "-map.html")))
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self.browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.error = problem_label()
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        assert export_button is not None, "AcceptRole is a valid role"
        self.export_button = export_button
        buttons.accepted.connect(self.run)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Wh&at:", self.format)
        form.addRow("&Who may see it:", self.public)
        form.addRow("", self.private)
        form.addRow("&Title:", self.title)
        form.addRow("&Shade neighbourhoods by:", self.indicator)
        form.addRow("", self.basemap)
        form.addRow("Save t&o:", where)
        form.addRow(self.error)
        form.addRow(buttons)
        self.format.currentIndexChanged.connect(self.format_changed)
        save_to = form.labelForField(where)
        if isinstance(save_to, QLabel):
            save_to.setBuddy(self.path)  # Alt+O goes to the file name

    def kind(self) -> str:
        return str(self.format.currentData())

    def format_changed(self) -> None:
        text = self.path.text().strip()
        if text:  # typed or browsed, the name follows the format
            self.path.setText(str(with_format_suffix(Path(text), self.kind())))
        for w in (self.title, self.indicator, self.basemap):
            w.setEnabled(self.kind() == "html")

    def browse(self) -> None:
        ext = next(e for k, _l, e in FORMATS if k == self.kind())
        dest, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(),
                                              f"{self.format.currentText()} (*{ext})",
                                              options=QFileDialog.Option.DontConfirmOverwrite)  # Export asks, once
        if dest:
            self.path.setText(str(with_format_suffix(Path(dest), self.kind())))

    def target(self) -> Path | None:
        """The file to write: the name typed, with the format's extension, in the project's folder unless a
        folder is given; None (and the reason shown) when there is none."""
        text = self.path.text().strip()
        if not text:
            self.error.setText("Type a file name to save to, or use Browse.")
            return None
        typed = Path(text).expanduser()
        if not typed.is_absolute():
            typed = self.project.path.parent / typed
        out = with_format_suffix(typed, self.kind())
        folder = next((p for p in (typed, out) if p.is_dir()), None)
        if folder is not None:
            ext = next(e for k, _l, e in FORMATS if k == self.kind())
            self.error.setText(f"{folder} is a folder: add a file name to it, such as {folder / ('map' + ext)}.")
            return None
        self.path.setText(str(out))  # what is written is what the field shows
        return out

    def run(self) -> JobHandle | None:
        """Export, asking first when the file is already there (None while asking, or when nothing is written)."""
        self.error.setText("")
        out = self.target()
        if out is None:
            return None
        if out.exists():
            self.confirm = ask_replace(self, out, lambda: self._start(out))
            return None
        return self._start(out)

    def _start(self, out: Path) -> JobHandle:
        """Run the export job; on success offer to open the result."""
        kind, private, basemap = self.kind(), self.private.isChecked(), self.basemap.isChecked()
        title, indicator = self.title.text().strip() or None, self.indicator.currentData()

        def job(project: Any, progress: Any) -> dict[str, Any]:
            if kind == "html":
                from assetmap.core.export.webmap import write_webmap

                return write_webmap(project, out, private=private, title=title, indicator=indicator,
                                    basemap=basemap, progress=progress)
            from assetmap.core.export.tables import write_csv, write_geojson

            writer = write_geojson if kind == "geojson" else write_csv
            return writer(project, out, private=private, progress=progress)

        self.export_button.setEnabled(False)
        self.handle = self.jobs.run("Exporting", job, project=self.project, parent=self)
        self.handle.succeeded.connect(self.done_ok)
        self.handle.failed.connect(self.error.setText)
        self.handle.ended.connect(self._job_ended)
        return self.handle

    def _job_ended(self) -> None:
        self.export_button.setEnabled(True)

    def done_ok(self, summary: dict[str, Any]) -> None:
        self.written = Path(summary["out"])
        self.accept()
        verb = "Open the map in your web browser now?" if self.kind() == "html" else "Open the folder it is in?"
        answer = QMessageBox.question(self.parentWidget() or self, "Exported",
                                      f"Wrote {self.written.name} ({summary.get('assets', 0)} assets). {verb}")
        if answer == QMessageBox.StandardButton.Yes:
            target = self.written if self.kind() == "html" else self.written.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
