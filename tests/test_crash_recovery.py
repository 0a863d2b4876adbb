"""After a kill -9 during an import's commit, read-only commands open the project and see the data from before.

The kills are scripts/kill_during_commit.py (also the campaign figures): a real ``assetmap import`` of a large
CSV is killed while SQLite's journal is beside the project, leaving a hot journal. Before the roll-back on
read-only open, ``assetmap assets`` then failed with "attempt to write a readonly database" in some runs.
"""

from __future__ import annotations

import importlib.util
import json
import random
import shutil
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("kill_during_commit",
                                               Path(__file__).parents[1] / "scripts" / "kill_during_commit.py")
assert _spec is not None and _spec.loader is not None
kdc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kdc)

RUNS = 3


@pytest.fixture(scope="module")
def crash_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("crash")
    return kdc.base_project(folder), kdc.big_csv(folder)


def _hot(tmp_path: Path, crash_inputs: tuple[Path, Path], seed: int) -> Path:
    """A copy of the base project with a hot journal left by a killed import (one a read-only open fails on)."""
    base, csv = crash_inputs
    rng = random.Random(seed)
    for attempt in range(12):
        project = tmp_path / f"p{attempt}.gpkg"
        shutil.copy(base, project)
        if kdc.kill_during_commit(project, csv, rng) and kdc.is_hot(project):
            return project
    pytest.fail("twelve imports were killed without leaving a hot journal")


@pytest.mark.parametrize("seed", range(RUNS))
def test_read_only_commands_work_after_a_kill_during_commit(tmp_path: Path, crash_inputs: tuple[Path, Path],
                                                            seed: int) -> None:
    project = _hot(tmp_path, crash_inputs, seed)
    assert kdc.check_read_only(project, tmp_path) == []
    assert not project.with_name(project.name + "-journal").exists()  # rolled back, not left for the next one
    done = kdc.cli("gaps", str(project), "--json")  # and a command that writes goes on from the old data
    assert done.returncode == 0, done.stderr
    listed = kdc.cli("assets", str(project), "--json")
    assert sorted(a["name"] for a in json.loads(listed.stdout)) == sorted(kdc.BEFORE)


def test_a_project_that_cannot_be_written_says_exactly_what_to_run(tmp_path: Path,
                                                                  crash_inputs: tuple[Path, Path]) -> None:
    project = _hot(tmp_path, crash_inputs, 99)
    project.chmod(0o444)  # read-only by its mark (which assetmap honours even for root)
    try:
        done = kdc.cli("assets", str(project), "--json")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        line = done.stderr.strip()
        assert len(line.splitlines()) == 1
        assert "part-way" in line and f"{project.name}-journal" in line and f"assetmap assets {project}" in line
        assert project.with_name(project.name + "-journal").exists()  # nothing deleted: the rollback needs it
    finally:
        project.chmod(0o644)
    assert kdc.check_read_only(project, tmp_path) == []  # as the message said: writable again, and it opens
