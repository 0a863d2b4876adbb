"""The postcode lookup a project remembers (setting ``postcode_lookups``), so later imports and placing use it.

A remembered file that has gone or no longer reads is a note, never a failure: the project was fine without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assetmap.core.errors import DataError
from assetmap.core.io.postcodes import PostcodeLookup, load_lookups
from assetmap.core.progress import Progress

if TYPE_CHECKING:
    from assetmap.core.project.store import Project

LOOKUPS_SETTING = "postcode_lookups"



def remembered_lookups(project: Project) -> list[str]:
    """The postcode lookup files or folders this project uses unless told otherwise."""
    value = project.get_setting(LOOKUPS_SETTING, [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def remember_lookups(project: Project, lookup: PostcodeLookup) -> None:
    """Keep ``lookup``'s paths for later imports (commits with the import when called inside its transaction)."""
    project.set_setting(LOOKUPS_SETTING, lookup.paths)


def postcode_lookup(project: Project, given: Sequence[str | Path] | None = None, *, skip: bool = False,
                    progress: Progress | None = None) -> tuple[PostcodeLookup | None, list[str]]:
    """The lookup an import uses, and notes saying which: ``given`` paths, else the remembered one.

    ``skip`` uses none. A remembered file that has gone, or no longer reads as a lookup, is a note (the
    rows with only a postcode stay unlocated), never a failure: the project was fine without it.
    """
    remembered = remembered_lookups(project)
    if skip:
        note = f"the postcode lookup remembered for this project ({', '.join(remembered)}) was not used this time"
        return None, [note] if remembered else []
    if given:
        lookup = load_lookups(list(given), progress)
        return lookup, [f"postcode lookup: {lookup.describe()}"]
    if not remembered:
        return None, []
    present = [p for p in remembered if Path(p).exists()]
    gone = [p for p in remembered if not Path(p).exists()]
    notes = []
    if gone:
        notes.append(f"the postcode lookup remembered for this project is no longer there ({', '.join(gone)}): "
                     "rows with only a postcode were kept without a location; choose the lookup again to place them")
    if present:
        try:
            lookup = load_lookups(present, progress)
        except DataError as exc:
            notes.append(f"the postcode lookup remembered for this project could not be read ({exc}): rows with "
                         "only a postcode were kept without a location")
            return None, notes
        return lookup, [f"used the postcode lookup remembered for this project: {lookup.describe()}", *notes]
    return None, notes
