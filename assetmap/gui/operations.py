"""What each menu command does: a dialog if needed, then one core call (on the job runner when long).

Like Anki's ``aqt/operations``: the window passes itself in (a ``shell.Shell``), nothing reaches for globals, and every
failure is shown in plain words instead of escaping into Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QFileDialog, QMenu, QMessageBox

from assetmap import __version__
from assetmap.core.errors import AssetmapError
from assetmap.core.progress import Progress
from assetmap.gui import plain_text
from assetmap.gui.jobs import JobHandle
from assetmap.gui.settings import sample_path
from assetmap.gui.shell import Shell

if TYPE_CHECKING:
    from assetmap.core.project.store import Project
    from assetmap.gui.new_project_dialog import NewProjectDialog

PROJECT_FILTER = "assetmap projects (*.gpkg);;All files (*)"


def guard(w: Shell, fn: Callable[[], Any], title: str = "Could not save") -> Any:
    """Run an edit, showing a core error instead of raising it into Qt."""
    try:
        return fn()
    except AssetmapError as exc:
        QMessageBox.warning(w.widget(), title, str(exc))
        return None


def on_failure(w: Shell, handle: JobHandle, title: str) -> None:
    handle.failed.connect(lambda message: QMessageBox.warning(w.widget(), title, message))
    handle.cancelled.connect(
        lambda: w.status_bar().showMessage(f"{handle.title}: cancelled; nothing was changed.", 8000))


def open_dialog(w: Shell) -> None:
    path, _ = QFileDialog.getOpenFileName(w.widget(), "Open a project", str(Path.home()), PROJECT_FILTER)
    if path:
        w.open_project(Path(path))


def open_sample(w: Shell) -> JobHandle | None:
    """Open the sample project, building it into the user's data folder the first time."""
    dest = sample_path()
    if dest.exists():
        w.open_project(dest)
        return None
    from assetmap.core.sample import build_sample

    handle = w.jobs.run("Building the sample project", lambda _p, progress: build_sample(dest, progress),
                        parent=w.widget())
    handle.succeeded.connect(lambda _r: w.open_project(dest))
    on_failure(w, handle, "Could not build the sample project")
    return handle


def new_project(w: Shell) -> "NewProjectDialog":
    """Start from a local authority (bundled LSOAs) or a boundary file; the dialog creates it on the job runner."""
    from assetmap.gui.new_project_dialog import NewProjectDialog

    dialog = NewProjectDialog(w.jobs, w.widget())
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.projectCreated.connect(w.open_project)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def save_as(w: Shell) -> None:
    """Copy the project (it is always saved) and carry on working in the copy."""
    doc = w.doc
    if doc is None:
        return
    dest, _ = QFileDialog.getSaveFileName(w.widget(), "Save a copy as",
                                          str(doc.path.with_name(doc.path.stem + "-copy.gpkg")), PROJECT_FILTER)
    if not dest:
        return
    copied = guard(w, lambda: doc.project.save_as(Path(dest)), "Could not save a copy")
    if copied is not None:
        w.open_project(Path(copied))


def run_gaps(w: Shell) -> JobHandle | None:
    """Analysis ▸ Find gaps: runs and stores the analysis off the GUI thread, then refreshes the views."""
    if w.doc is None or w.doc.readonly:
        return None
    from assetmap.core.analysis.run import run_gaps as core_run_gaps

    handle = w.jobs.run("Finding gaps", lambda project, progress: core_run_gaps(project, progress=progress),
                        project=w.doc.project, parent=w.widget())

    def done(_result: Any) -> None:
        if w.doc is None:
            return
        w.doc.gaps_changed()
        w.tabs.setCurrentWidget(w.gaps)
        results = w.gaps.model.rows
        flagged = sum(1 for r in results if r.get("flags"))
        meta = getattr(_result, "meta", None) or {}
        basis = {"homes": "of homes (the postcode centres of the project's postcode lookup)",
                 "population": "of residents"}.get(str(meta.get("coverage_basis")), "of the area")
        w.status_bar().showMessage(
            f"Gap analysis done: gaps flagged in {flagged} of {len(results)} neighbourhoods. The Gaps tab lists "
            f"them, most urgent first; the Charts tab compares them. Coverage is {basis}.", 20000)

    handle.succeeded.connect(done)
    on_failure(w, handle, "The gap analysis stopped")
    return handle


def edit_rules(w: Shell) -> None:
    from assetmap.gui.rules_dialog import RulesDialog

    if w.doc is not None and RulesDialog(w.doc.project, w.widget()).exec():
        w.doc.gaps_changed()


def edit_criteria(w: Shell) -> None:
    from assetmap.gui.criteria_dialog import CriteriaDialog

    if w.doc is not None and CriteriaDialog(w.doc.project, w.widget()).exec():
        w.status_bar().showMessage("Assessment criteria saved; new assessments are scored against them.", 8000)
        if QMessageBox.question(w.widget(), "Rules saved", "Run the gap analysis again with the new rules now?") == \
                QMessageBox.StandardButton.Yes:
            run_gaps(w)


def import_assets(w: Shell) -> None:
    from assetmap.gui.import_wizard import ImportWizard

    if w.doc is not None:
        wizard = ImportWizard(w.doc, w.jobs, w.widget())
        wizard.exec()
        if wizard.committed and wizard.prepared is not None:
            r = wizard.prepared.report
            w.status_bar().showMessage(
                f"Imported {r.imported + r.unlocated} assets from {Path(str(r.file)).name}"
                + (f" ({r.unlocated} not on the map yet: tick “Only assets not on the map yet” in the Assets tab)"
                   if r.unlocated else "") + (f", updated {r.updated} from an earlier import" if r.updated else "")
                + ". Edit ▸ Undo takes the import back.", 20000)


def import_people(w: Shell, path: Path | None = None) -> JobHandle | None:
    """File ▸ Import people's skills: a skills audit or sign-up sheet; rows without consent are refused."""
    if w.doc is None or w.doc.readonly:
        return None
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(w.widget(), "Import people's skills", str(w.doc.path.parent),
                                                "Spreadsheets (*.csv *.xlsx);;All files (*)")
        if not chosen:
            return None
        path = Path(chosen)
    from assetmap.core.imports.people import import_people as core_import_people
    from assetmap.core.project.lookups import postcode_lookup

    def run(project: Project | None, progress: Progress) -> Any:  # the project's remembered postcode lookup, if any
        assert project is not None, "the runner attaches the project passed to it"
        lookup, notes = postcode_lookup(project, progress=progress)
        report = core_import_people(project, path, postcodes=lookup, progress=progress)
        report.notes[:0] = notes
        return report

    handle = w.jobs.run("Importing people", run, project=w.doc.project, parent=w.widget())

    def done(report: Any) -> None:
        if w.doc is not None:
            w.doc.reload()
        lines = [f"Added {report.imported} people; {report.duplicates} were already there; "
                 f"{report.rejected} rows were not added."]
        lines += [f"Row {r['row']}: {r['reason']}" for r in report.rejects[:10]]
        QMessageBox.information(w.widget(), "People imported", "\n".join(lines))

    handle.succeeded.connect(done)
    on_failure(w, handle, "The people could not be imported")
    return handle


def export(w: Shell) -> None:
    from assetmap.gui.export_dialog import ExportDialog

    if w.doc is not None:
        dialog = ExportDialog(w.doc.project, w.jobs, w.widget())
        dialog.exec()
        if dialog.written is not None:
            w.status_bar().showMessage(f"Exported {dialog.written.name} to {dialog.written.parent}.", 20000)


def delete_person(w: Shell, person_id: str) -> None:
    doc = w.doc
    if doc is None or not person_id:
        return
    if QMessageBox.question(w.widget(), "Delete person", "Delete this person's record? Edit ▸ Undo brings it back.",
                            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                            QMessageBox.StandardButton.Cancel) == QMessageBox.StandardButton.Yes:
        guard(w, lambda: doc.delete_person(person_id))


def fill_recent_menu(w: Shell, menu: QMenu) -> None:
    """File ▸ Open recent, as it opens: the projects lately opened."""
    menu.clear()
    for path in w.settings.recent():
        action = menu.addAction(path.name)
        assert action is not None, "QMenu.addAction returns the action it made"
        action.setToolTip(plain_text.tooltip(str(path)))
        action.triggered.connect(lambda _c=False, p=path: w.open_project(p))
    menu.setEnabled(bool(w.settings.recent()))


def about(w: Shell) -> None:
    QMessageBox.about(w.widget(), "About assetmap",
                      f"assetmap {__version__}\n\nMap a neighbourhood's community assets, "
                      "find where social infrastructure is thin, and share it as a web map.\n\n"
                      "Map data © OpenStreetMap contributors. Contains OS data © Crown copyright and database right.")
