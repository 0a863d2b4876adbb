"""Adapters that put the core's edit commands on a ``QUndoStack``, plus small commands for people.

The core command is applied *before* it reaches the stack, so a validation error surfaces to the
caller as an ordinary exception (an exception escaping ``QUndoCommand.redo`` would abort PyQt).
Undo and redo afterwards call ``revert``/``apply``, each one transaction in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from PyQt6.QtGui import QUndoCommand

from assetmap.core.errors import AssetmapError
from assetmap.core.project.store import Project


class CoreCommand(Protocol):
    """What ``assetmap.core.project.commands`` commands offer (and the people commands below)."""

    text: str

    def apply(self, project: Project) -> None: ...

    def revert(self, project: Project) -> None: ...


class UndoAdapter(QUndoCommand):
    """One core command on the Qt undo stack; ``after`` tells the document what to refresh."""

    def __init__(self, project: Project, command: CoreCommand, after: Callable[[CoreCommand], None],
                 on_error: Callable[[Exception], None]) -> None:
        super().__init__(command.text)
        self.project = project
        self.command = command
        self._after = after
        self._on_error = on_error
        self._first = True  # already applied by ``Document.push``

    def redo(self) -> None:
        if self._first:
            self._first = False
            self._after(self.command)
            return
        self._run(self.command.apply)

    def undo(self) -> None:
        self._run(self.command.revert)

    def _run(self, step: Callable[[Project], None]) -> None:
        try:
            step(self.project)
        except AssetmapError as exc:  # e.g. the asset was changed by an import in between
            self.setObsolete(True)
            self._on_error(exc)
        self._after(self.command)


# --- people: the core has no commands for them yet, so these small ones live here -------------


def _person(project: Project, person_id: str) -> dict[str, Any]:
    people = project.people()
    match = people[people["id"] == person_id]
    if match.empty:
        raise AssetmapError(f"No person with id {person_id}.")
    return {k: (None if v != v else v) for k, v in match.iloc[0].to_dict().items()}


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
        self._record = _person(project, self.person_id)
        project.delete_person(self.person_id)

    def revert(self, project: Project) -> None:
        assert self._record is not None
        project.add_person(self._record)
