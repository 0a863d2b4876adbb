"""Adapters that put the core's edit commands on a ``QUndoStack``, plus small commands for people.

The core command is applied *before* it reaches the stack, so a validation error surfaces to the
caller as an ordinary exception (an exception escaping ``QUndoCommand.redo`` would abort PyQt).
Undo and redo afterwards call ``revert``/``apply``, each one transaction in the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PyQt6.QtGui import QUndoCommand

from assetmap.core.errors import AssetmapError
from assetmap.core.project.store import Project

if TYPE_CHECKING:
    from assetmap.gui.document import Document


class CoreCommand(Protocol):
    """What the core's edit commands offer (``core.project.commands``, ``AddAssessment``, an import's ``ImportStep``).

    ``text`` is only read (the undo stack's label), so a command may have it as a property.
    """

    @property
    def text(self) -> str: ...

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


def push_done(doc: Document, command: CoreCommand) -> None:
    """Put a command that already ran on a job (an import ``commit_import`` wrote) on the document's undo stack.

    Undo and redo then run it like any edit; afterwards the whole document reloads, since an import
    can add, place and change any number of assets.
    """
    doc.undo_stack.push(UndoAdapter(doc.project, command, lambda _command: doc.reload(),
                                    lambda exc: doc.errorRaised.emit(str(exc))))
