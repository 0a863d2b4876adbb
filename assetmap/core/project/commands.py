"""Edits as small command objects that can be applied and reverted: the GUI's undo stack holds
them and the CLI uses the same ones. Each ``apply``/``revert`` is one transaction in the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import shapely

from assetmap.core.project.store import Project


class Command(Protocol):
    text: str

    def apply(self, project: Project) -> None: ...

    def revert(self, project: Project) -> None: ...


@dataclass
class AddAsset:
    values: Mapping[str, Any]
    geometry: shapely.Geometry | None = None
    area: shapely.Geometry | None = None
    asset_id: str | None = None
    _record: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Add {self.values.get('name', 'asset')}"

    def apply(self, project: Project) -> None:
        if self._record is not None:  # redo: bring back the same asset, same id
            project.restore_asset(self._record)
            return
        self.asset_id = project.add_asset({**self.values, "id": self.asset_id}, self.geometry, self.area)

    def revert(self, project: Project) -> None:
        assert self.asset_id is not None
        self._record = project.delete_asset(self.asset_id)


@dataclass
class UpdateAsset:
    asset_id: str
    changes: Mapping[str, Any]
    _before: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "Move asset" if set(self.changes) == {"geometry"} else "Edit asset"

    def apply(self, project: Project) -> None:
        self._before = project.update_asset(self.asset_id, self.changes)

    def revert(self, project: Project) -> None:
        assert self._before is not None
        project.update_asset(self.asset_id, self._before)


@dataclass
class DeleteAsset:
    asset_id: str
    _record: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        name = self._record.get("name") if self._record else "asset"
        return f"Delete {name}"

    def apply(self, project: Project) -> None:
        self._record = project.delete_asset(self.asset_id)

    def revert(self, project: Project) -> None:
        assert self._record is not None
        project.restore_asset(self._record)


@dataclass
class AddPerson:
    values: Mapping[str, Any]
    person_id: str | None = None

    @property
    def text(self) -> str:
        return f"Add {self.values.get('display_name') or 'person'}"

    def apply(self, project: Project) -> None:
        self.person_id = project.add_person({**self.values, "id": self.person_id})

    def revert(self, project: Project) -> None:
        assert self.person_id is not None
        project.delete_person(self.person_id)


@dataclass
class UpdatePerson:
    person_id: str
    changes: Mapping[str, Any]
    _before: dict[str, Any] | None = field(default=None, repr=False)
    text: str = "Edit person"

    def apply(self, project: Project) -> None:
        self._before = project.update_person(self.person_id, self.changes)

    def revert(self, project: Project) -> None:
        assert self._before is not None
        project.update_person(self.person_id, self._before)


@dataclass
class DeletePerson:
    person_id: str
    _record: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Delete {self._record.get('display_name') if self._record else 'person'}"

    def apply(self, project: Project) -> None:
        self._record = project.delete_person(self.person_id)

    def revert(self, project: Project) -> None:
        assert self._record is not None
        project.add_person(self._record)


class UndoStack:
    """A plain undo/redo history over commands; the GUI mirrors it in its Edit menu."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._done: list[Command] = []
        self._undone: list[Command] = []

    def push(self, command: Command) -> None:
        command.apply(self.project)
        self._done.append(command)
        self._undone.clear()

    def undo(self) -> Command | None:
        if not self._done:
            return None
        command = self._done.pop()
        command.revert(self.project)
        self._undone.append(command)
        return command

    def redo(self) -> Command | None:
        if not self._undone:
            return None
        command = self._undone.pop()
        command.apply(self.project)
        self._done.append(command)
        return command

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)
