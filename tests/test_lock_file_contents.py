"""A lock file someone else wrote: whatever it holds, opening the project says it is locked, never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetmap.core.errors import ProjectLockedError
from assetmap.core.project import Project
from assetmap.core.project.lock import lock_path, read_lock


@pytest.mark.parametrize("text", ["[]", '"alice"', "42", "null", "{not json"])
def test_a_lock_that_is_not_our_object_still_blocks_with_an_unknown_holder(empty_project: Path, text: str) -> None:
    lock_path(empty_project).write_text(text, encoding="utf-8")
    assert read_lock(empty_project) == {"user": "unknown", "host": "unknown", "pid": None, "since": "unknown"}
    with pytest.raises(ProjectLockedError, match="being edited by unknown on unknown"):
        Project.open(empty_project)
    with Project.open(empty_project, readonly=True) as viewer:  # viewing is still allowed
        assert viewer.count("neighbourhoods") == 2
