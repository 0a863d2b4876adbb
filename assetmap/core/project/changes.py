"""What an edit changed, said by the edit itself, so each view refreshes only that.

Anki's ``OpChanges`` works this way: an operation reports which kinds of object it touched, and every
screen looks at the report to decide whether (and how much) to redraw. Here the unit is a project:
the ids of the assets added, edited, moved or removed, and flags for the rest. A 50,000-asset map
then redraws one marker after an edit instead of every one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assetmap.core.assessments.store import AddAssessment
from assetmap.core.project.commands import AddAsset, AddPerson, DeleteAsset, DeletePerson, UpdateAsset, UpdatePerson


@dataclass(frozen=True)
class Changes:
    """The parts of a project one edit (or undo, redo, import, analysis) changed."""

    assets: frozenset[str] = field(default_factory=frozenset)  # ids added, edited, moved or removed
    all_assets: bool = False  # too many to name (an import, a job that wrote): read them all again
    neighbourhoods: bool = False
    gaps: bool = False  # gap results or rules
    people: bool = False
    assessments: frozenset[str] = field(default_factory=frozenset)  # asset ids whose assessments changed
    all_assessments: bool = False

    @classmethod
    def of_assets(cls, ids: Iterable[str]) -> Changes:
        return cls(assets=frozenset(str(i) for i in ids if i))

    @classmethod
    def everything(cls) -> Changes:
        """After a job wrote to the project in ways no one listed (an import, a reload)."""
        return cls(all_assets=True, neighbourhoods=True, gaps=True, people=True, all_assessments=True)

    @property
    def touches_assets(self) -> bool:
        return self.all_assets or bool(self.assets)

    @property
    def touches_assessments(self) -> bool:
        return self.all_assessments or bool(self.assessments)

    def __or__(self, other: Changes) -> Changes:
        return Changes(assets=self.assets | other.assets, all_assets=self.all_assets or other.all_assets,
                       neighbourhoods=self.neighbourhoods or other.neighbourhoods, gaps=self.gaps or other.gaps,
                       people=self.people or other.people, assessments=self.assessments | other.assessments,
                       all_assessments=self.all_assessments or other.all_assessments)


def changes_of(command: Any) -> Changes:
    """What a command changed when applied or reverted (the same parts either way).

    A command may say so itself with a ``changes`` attribute; the project's own commands are known
    here; anything else (an import step, a command added later) is taken to change everything, which
    is slow but never shows stale data.
    """
    own = getattr(command, "changes", None)
    if isinstance(own, Changes):
        return own
    if isinstance(command, (AddPerson, UpdatePerson, DeletePerson)):
        return Changes(people=True)
    if isinstance(command, UpdateAsset):
        return Changes.of_assets([command.asset_id])
    if isinstance(command, (AddAsset, DeleteAsset, AddAssessment)):  # the Buildings list follows the asset
        ids = frozenset([command.asset_id] if command.asset_id else [])
        return Changes(assets=ids, assessments=ids)
    return Changes.everything()
