"""One question before typed, unsaved form edits could be lost: Save, Discard, or Cancel to stay.

Every way the form's asset can be left asks here: a marker click, a row in the assets or buildings
table, closing the project (``confirm``), and an undo or redo that takes the asset out of the project
(``asset_removed``). Save with problems in the form stays and shows them; staying puts the other
panels' selection back, and the map only re-selects (it never moves for it).

The question waits until the click that caused it is over (a modal box inside a table's mouse press
leaves the view thinking the button is still down), and for an undo, until the undo step has finished,
so that staying can take that step back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject, QTimer
from PyQt6.QtWidgets import QMessageBox, QWidget

from assetmap.core.errors import AssetmapError
from assetmap.gui.shell import Shell

SAVE, DISCARD, STAY = "save", "discard", "stay"


def ask(parent: QWidget, name: str, why: str) -> str:
    """The question itself: SAVE, DISCARD or STAY (Cancel, Esc or closing the box)."""
    answer = QMessageBox.question(
        parent, "Unsaved changes",
        f"“{name}” has changes typed in the form that are not saved yet. {why}\n\n"
        f"Save keeps them; Discard throws them away; Cancel stays on “{name}” with them still typed.",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return STAY


def _name_of(doc: Any, asset_id: str) -> str | None:
    """The asset's name ("" when it has none), or None when it is not in the project (or no id)."""
    if not asset_id:
        return None
    try:
        return str(doc.asset(asset_id).get("name") or "")
    except AssetmapError:
        return None


class UnsavedGuard(QObject):
    """Asks before the selection moves away from typed changes, and acts on the answer."""

    def __init__(self, window: Shell) -> None:
        super().__init__(window.widget())
        self.w = window
        self.asking = False  # a question is open (or about to be): other selection requests wait for it
        self.last_answer = ""

    def _name(self) -> str:
        form = self.w.form
        return str(form.record.get("name") or "") if not form.is_new else "The new asset"

    def confirm(self, why: str) -> bool:
        """Ask if there is typing to lose; True when the caller may go ahead (saved or discarded)."""
        form = self.w.form
        if not form.has_unsaved():
            return True
        self.asking = True
        try:
            self.last_answer = answer = ask(self.w.widget(), self._name() or "This asset", why)
        finally:
            self.asking = False
        if answer == SAVE:
            form.save_or_explain()  # with problems left it shows them all and nothing is saved: stay
            return not form.has_unsaved()
        if answer == DISCARD:
            form.discard()
            return True
        return False

    # --- the selection -----------------------------------------------------------------------------------

    def then(self, asset_id: str, go: Callable[[], None], *, from_map: bool = False) -> None:
        """Select ``asset_id`` by calling ``go``, once any typing in the form is saved or discarded."""
        doc = self.w.doc
        if doc is None:
            return
        if self.asking:  # a second click while the question is on its way: the first one is being answered
            self._put_back(from_map)
            return
        if asset_id == doc.selected_id or not self.w.form.has_unsaved():
            go()
            return
        self.asking = True
        QTimer.singleShot(0, lambda: self._ask_then(asset_id, go, from_map))

    def _ask_then(self, asset_id: str, go: Callable[[], None], from_map: bool) -> None:
        self.asking = False
        doc = self.w.doc
        if doc is None:
            return
        target = _name_of(doc, asset_id)
        why = f"Save them before showing “{target}”?" if target else "Save them before leaving it?"
        if self.confirm(why) and (not asset_id or _name_of(doc, asset_id) is not None):
            go()
        else:
            self._put_back(from_map)

    def _put_back(self, from_map: bool) -> None:
        """Staying: the tables show the form's asset again; the map re-selects it without moving."""
        doc = self.w.doc
        if doc is None:
            return
        self.w.table.select(doc.selected_id, reveal=False)
        self.w.buildings.select(doc.selected_id)
        if from_map:
            self.w.map.select_asset(doc.selected_id, reveal=False)

    # --- an undo or redo that takes the asset out ------------------------------------------------------

    def asset_removed(self, asset_id: str) -> bool:
        """The selected asset has just gone. True when the form has typing for it: then the guard asks, once the
        undo or redo is over, and either takes that step back (Save, Cancel) or lets the selection go (Discard).

        A deletion the user confirmed (a new command on the stack, not an undo or redo) does not ask again.
        """
        doc = self.w.doc
        form = self.w.form
        if doc is None or form.asset_id != asset_id or not form.has_unsaved():
            return False
        stack = doc.undo_stack
        before = stack.index()  # the step is still running: the stack moves once it returns
        redoing = stack.command(before)  # a redo runs this one; a new edit replaces it
        QTimer.singleShot(0, lambda: self._after_removal(asset_id, before, redoing))
        return True

    def _after_removal(self, asset_id: str, before: int, redoing: object) -> None:
        doc = self.w.doc
        if doc is None or doc.selected_id != asset_id:
            return
        if _name_of(doc, asset_id) is not None:  # back already (undone and redone quickly)
            return
        stack = doc.undo_stack
        now = stack.index()
        step = "Undo" if now < before else "Redo" if now > before and stack.command(before) is redoing else ""
        if not step:  # deleted by a new edit the user asked for: the typing went with it
            doc.select("")
            return
        self.asking = True
        try:
            self.last_answer = answer = ask(self.w.widget(), self._name() or "This asset",
                                            f"{step} takes it out of the project. Save them (and keep it)?")
        finally:
            self.asking = False
        if answer == DISCARD:
            doc.select("")
            return
        if step == "Undo":  # the step is taken back: the asset returns, with the typing kept
            stack.redo()
        else:
            stack.undo()
        if answer == SAVE and _name_of(doc, asset_id) is not None:
            self.w.form.save_or_explain()
