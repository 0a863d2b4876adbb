"""Wires the assessment pieces to the document: the dialog, the history panel, the Buildings tab,
the score rings on the map and the report export.

Every handler reads or writes through the core (``assessments_for``, ``assessment_summaries``,
``AddAssessment`` via the document, ``write_report`` on the job runner); nothing is computed here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QObject, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QDockWidget, QFileDialog, QMessageBox

from assetmap.core.assessments import (
    assessment_summaries,
    assessments_for,
    project_criteria,
)
from assetmap.core.assessments.pdf import pdf_available
from assetmap.core.assessments.report import write_report
from assetmap.core.errors import AssetmapError
from assetmap.gui.assessment_dialog import AssessmentDialog
from assetmap.gui.export_dialog import ask_replace
from assetmap.gui.jobs import JobHandle
from assetmap.gui.operations import on_failure
from assetmap.gui.shell import Shell

HTML_FILTER = "Web page, prints on one A4 page (*.html)"
PDF_FILTER = "PDF (*.pdf)"


class AssessmentController(QObject):
    """Keeps the Assessments panel, the Buildings tab and the map's score rings in step with the project."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window.widget())
        self.w = window
        self.dialog: AssessmentDialog | None = None
        window.form.assessRequested.connect(self.assess)
        window.assessments.assessRequested.connect(self.assess)
        window.assessments.reportRequested.connect(self.export_report)
        window.buildings.assetSelected.connect(self.w.choose_asset)  # asks first

    def attach(self) -> None:
        """Called when a project opens: follow its edits and selection."""
        doc = self.w.doc
        assert doc is not None
        doc.assessmentsChanged.connect(lambda _id: self.refresh())
        doc.assetsChanged.connect(self.refresh)  # names, deletions and ACV fields show here too
        doc.selectionChanged.connect(self.on_selection)
        self.w.assessments.set_readonly(doc.readonly)
        self.refresh()

    def refresh(self) -> None:
        doc = self.w.doc
        if doc is None:
            return
        summaries = assessment_summaries(doc.project)
        self.w.buildings.set_summaries(summaries, keep=doc.selected_id)
        self.w.map.set_scores({s["asset_id"]: s["score"] for s in summaries if s.get("name") is not None})
        self.on_selection(doc.selected_id)

    def on_selection(self, asset_id: str) -> None:
        doc = self.w.doc
        if doc is None:
            return
        self.w.buildings.select(asset_id)
        try:
            asset = doc.asset(asset_id) if asset_id else None
        except AssetmapError:  # deleted a moment ago; the selection is being cleared
            asset = None
        self.w.assessments.show_asset(asset, assessments_for(doc.project, asset_id) if asset_id else [])
        self.w.update_actions()

    def show_assessments(self) -> None:
        """Bring the Assessments panel to the front of the right dock."""
        dock = self.w.assessments.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.setVisible(True)
            dock.raise_()

    def show_buildings(self) -> None:
        self.w.tabs.setCurrentWidget(self.w.buildings)

    def has_history(self) -> bool:
        return bool(self.w.assessments.history)

    # --- the dialog ---------------------------------------------------------------------------------

    def assess(self, asset_id: str = "") -> AssessmentDialog | None:
        """Open the assessment dialog for an asset (the selected one by default), prefilled from its newest."""
        doc = self.w.doc
        asset_id = asset_id or (doc.selected_id if doc else "")
        if doc is None or doc.readonly or not asset_id:
            return None
        try:
            criteria = project_criteria(doc.project)
        except AssetmapError as exc:
            QMessageBox.warning(self.w.widget(), "The project's assessment criteria are not usable", str(exc))
            return None
        history = assessments_for(doc.project, asset_id)
        dialog = AssessmentDialog(doc.asset(asset_id), criteria, history[0] if history else None,
                                  lambda raw: doc.add_assessment(asset_id, raw), self.w.widget())
        dialog.accepted.connect(lambda: self._saved(asset_id))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()  # window-modal without a nested event loop
        return dialog

    def _saved(self, asset_id: str) -> None:
        self.dialog = None
        if self.w.doc is not None:
            self.w.doc.select(asset_id)
        self.show_assessments()
        self.w.status_bar().showMessage("Assessment saved. Edit ▸ Undo takes it out again.", 8000)

    # --- the report ---------------------------------------------------------------------------------

    def export_report(self, asset_id: str = "") -> JobHandle | None:
        """Ask where, then write the report of the asset's newest assessment off the GUI thread."""
        doc = self.w.doc
        asset_id = asset_id or (doc.selected_id if doc else "")
        if doc is None or not asset_id:
            return None
        if not assessments_for(doc.project, asset_id):
            QMessageBox.information(self.w.widget(), "No assessment yet",
                                    "Assess the building first: the report shows its newest assessment.")
            return None
        name = re.sub(r"[^\w-]+", "-", str(doc.asset(asset_id).get("name") or "building")).strip("-").lower()
        filters = HTML_FILTER + (";;" + PDF_FILTER if pdf_available() else "")
        dest, chosen = QFileDialog.getSaveFileName(self.w.widget(), "Export the assessment report",
                                                   str(doc.path.with_name(f"{name}-assessment.html")), filters)
        if not dest:
            return None
        out = Path(dest)
        if out.suffix.lower() not in (".html", ".htm", ".pdf"):
            out = out.with_name(out.name + (".pdf" if chosen == PDF_FILTER else ".html"))
            if out.exists():  # the file dialog asked about the name typed, not this one
                ask_replace(self.w.widget(), out, lambda: self.run_report(asset_id, out))
                return None
        return self.run_report(asset_id, out)

    def run_report(self, asset_id: str, out: Path, offer: bool = True) -> JobHandle:
        """The job itself (also used by tests): ``write_report`` on the worker, then offer to open the file."""
        assert self.w.doc is not None

        def job(project: Any, progress: Any) -> Path:
            return write_report(project, asset_id, out, progress=progress)  # Cancel: no file is left

        handle = self.w.jobs.run("Writing the report", job, project=self.w.doc.project, parent=self.w.widget())
        if offer:
            handle.succeeded.connect(self._offer_open)
        on_failure(self.w, handle, "Could not write the report")
        return handle

    def _offer_open(self, path: Path) -> None:
        answer = QMessageBox.question(self.w.widget(), "Report written", f"Wrote {Path(path).name}. Open it now?")
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
