"""The open project as the widgets see it: the store, its undo stack and change signals.

Widgets never talk to each other about data: they call the document, and the document says what
changed (napari keeps its model apart from its ``_qt`` layer the same way): ``changed`` carries a
``Changes`` naming what an edit, undo or redo touched, so a view redraws one asset rather than all of
them (as Anki's ``OpChanges`` does). Each edit is written
to the GeoPackage when it is made, one transaction per edit, so "saved" means "on disk": the
clean/dirty marker only tells whether the undo history moved since the last Save As.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
from PyQt6.QtCore import QObject, pyqtSignal
from PyQt6.QtGui import QUndoStack

from assetmap.core.assessments import AddAssessment
from assetmap.core.errors import ProjectLockedError
from assetmap.core.project.changes import Changes, changes_of
from assetmap.core.project.commands import AddAsset, AddPerson, DeleteAsset, DeletePerson, UpdateAsset, UpdatePerson
from assetmap.core.project.store import Project
from assetmap.gui.undo import CoreCommand, UndoAdapter


class Document(QObject):
    """An open project with undo/redo; emits what changed after every edit, undo and redo."""

    changed = pyqtSignal(object)  # a Changes: what the last edit, undo, redo or job touched
    assetsChanged = pyqtSignal()  # the set or the values of assets changed
    assetEdited = pyqtSignal(str)  # one asset (id) changed, was added or came back
    peopleChanged = pyqtSignal()
    gapsChanged = pyqtSignal()  # gap results or rules
    assessmentsChanged = pyqtSignal(str)  # an asset's assessments (id; "" for any)
    selectionChanged = pyqtSignal(str)  # "" for none
    errorRaised = pyqtSignal(str)

    def __init__(self, project: Project, readonly_reason: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.readonly_reason = readonly_reason
        self.undo_stack = QUndoStack(self)
        self.selected_id = ""
        self._assets: gpd.GeoDataFrame | None = None

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, parent: QObject | None = None) -> Document:
        """Open for editing, or read-only with the reason: the lock holder, or a file that cannot be written."""
        try:
            project = Project.open(path)
            return cls(project, project.readonly_reason, parent)
        except ProjectLockedError as exc:
            return cls(Project.open(path, readonly=True), str(exc), parent)

    @property
    def path(self) -> Path:
        return self.project.path

    @property
    def readonly(self) -> bool:
        return self.project.readonly

    def close(self) -> None:
        self.undo_stack.clear()
        self.project.close()

    # --- reading (cached between edits) -------------------------------------------------------

    def assets(self) -> gpd.GeoDataFrame:
        if self._assets is None:
            self._assets = self.project.assets()
        return self._assets

    def asset(self, asset_id: str) -> dict[str, Any]:
        return self.project.asset(asset_id)

    # --- selection ----------------------------------------------------------------------------

    def select(self, asset_id: str) -> None:
        """Share one selection between the map, the table and the form."""
        if asset_id != self.selected_id:
            self.selected_id = asset_id
            self.selectionChanged.emit(asset_id)

    # --- editing --------------------------------------------------------------------------------

    def push(self, command: CoreCommand) -> None:
        """Apply a core command now (raising on bad data) and put it on the undo stack."""
        command.apply(self.project)
        self.undo_stack.push(UndoAdapter(self.project, command, self._changed, self._undo_failed))

    def add_asset(self, values: dict[str, Any], geometry: Any = None) -> str:
        command = AddAsset(values, geometry)
        self.push(command)
        assert command.asset_id is not None
        return command.asset_id

    def update_asset(self, asset_id: str, changes: dict[str, Any]) -> None:
        self.push(UpdateAsset(asset_id, changes))

    def delete_asset(self, asset_id: str) -> None:
        self.push(DeleteAsset(asset_id))

    def add_person(self, values: dict[str, Any]) -> str:
        command = AddPerson(values)
        self.push(command)
        assert command.person_id is not None
        return command.person_id

    def update_person(self, person_id: str, changes: dict[str, Any]) -> None:
        self.push(UpdatePerson(person_id, changes))

    def delete_person(self, person_id: str) -> None:
        self.push(DeletePerson(person_id))

    def add_assessment(self, asset_id: str, values: dict[str, Any]) -> str:
        """A new assessment (raw JSON keys); raises ValidationError before anything is written."""
        command = AddAssessment(asset_id, values)
        self.push(command)
        assert command.assessment_id is not None
        return command.assessment_id

    def reload(self) -> None:
        """After a job wrote to the project (import, analysis): forget caches and tell everyone."""
        self._assets = None
        self.changed.emit(Changes.everything())
        self.assetsChanged.emit()
        self.peopleChanged.emit()
        self.gapsChanged.emit()
        self.assessmentsChanged.emit("")

    def gaps_changed(self) -> None:
        self.changed.emit(Changes(gaps=True))
        self.gapsChanged.emit()

    def _changed(self, command: CoreCommand) -> None:
        """After a command was applied, undone or redone: say what it changed."""
        changes = changes_of(command)
        if changes.touches_assets:
            self._assets = None  # read again only if someone asks for every asset
        self.changed.emit(changes)
        if changes.people:
            self.peopleChanged.emit()
        if changes.touches_assets:
            self.assetsChanged.emit()
            for asset_id in sorted(changes.assets):
                self.assetEdited.emit(asset_id)
        if changes.touches_assessments:  # a deleted asset leaves the Buildings list
            self.assessmentsChanged.emit("" if changes.all_assessments else next(iter(changes.assessments)))

    def _undo_failed(self, exc: Exception) -> None:
        self.errorRaised.emit(str(exc))
