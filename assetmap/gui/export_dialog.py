"""The export dialog: web map (HTML), GeoJSON or CSV, public or private, then offer to open the result.

The writing is the export core (``write_webmap``, ``write_geojson``, ``write_csv``) on the job runner;
public is the default, and choosing private says plainly what that means.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import QUrl
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


class ExportDialog(QDialog):
    """Choose what and where, run the export off the GUI thread, then offer to open it."""

    def __init__(self, project: Project, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.jobs = project, jobs
        self.handle: JobHandle | None = None
        self.written: Path | None = None
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
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
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
        ext = next(e for k, _l, e in FORMATS if k == self.kind())
        self.path.setText(str(Path(self.path.text()).with_suffix(ext)))
        for w in (self.title, self.indicator, self.basemap):
            w.setEnabled(self.kind() == "html")

    def browse(self) -> None:
        dest, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if dest:
            self.path.setText(dest)

    def run(self) -> JobHandle:
        """Start the export; on success offer to open it in the browser."""
        out, kind, private = Path(self.path.text()), self.kind(), self.private.isChecked()
        title, indicator, basemap = self.title.text().strip() or None, self.indicator.currentData(), self.basemap.isChecked()

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
