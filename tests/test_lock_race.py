"""Locks that hold: of many processes released together, exactly one gets the project for editing, every time.

The races are scripts/lock_race.py (also the campaign figures): 24 forked processes wait at a barrier and
then all call ``Project.open``; before the OS lock, a stale lock let two of them in now and then, and an empty
or garbage lock let none in.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assetmap.core.project import Project

_spec = importlib.util.spec_from_file_location("lock_race", Path(__file__).parents[1] / "scripts" / "lock_race.py")
assert _spec is not None and _spec.loader is not None
lock_race = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_race)

ROUNDS = 6


@pytest.mark.parametrize("state", lock_race.STATES)
def test_exactly_one_of_many_synchronised_openers_wins(tmp_path: Path, state: str) -> None:
    project = tmp_path / "race.gpkg"
    Project.create(project, 27700, name="Race")
    results = lock_race.race(project, [state] * ROUNDS)
    assert [r["winners"] for r in results] == [1] * ROUNDS, results
    assert all(r["refused"] == lock_race.WORKERS - 1 and not r["crashed"] for r in results), results
    assert not any(r["lock_left"] for r in results)  # the winner's close removed it; no loser left one


def test_two_imports_of_one_file_started_together_import_it_once(tmp_path: Path) -> None:
    runs = lock_race.import_race(tmp_path, 2, stale=True)
    for run in runs:
        assert run["assets"] == lock_race.IMPORT_ROWS, run
        assert 0 in run["codes"] and set(run["codes"]) <= {0, 1}, run
        refused = [err for code, err in zip(run["codes"], run["stderr"]) if code == 1]
        assert all(("being edited by" in err or "being opened for editing by" in err) and "Traceback" not in err
                   for err in refused), run
        assert not run["lock_left"]
