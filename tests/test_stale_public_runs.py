"""A stored gap run is reused for a public map only while it counted exactly what is public now (issue 11).

The hostile-case generator: after a stored run, one change to what is public (in assetmap, through the
CLI or in another program editing the file), then a public export through the real CLI. The oracle is
the same project analysed afresh with ``gaps --public-only``: the exported shading, flags and ranks must
be the ones a fresh public run gives, never the stale run's.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely

from assetmap.cli import main
from assetmap.core.analysis import GapOptions, run_gaps
from assetmap.core.analysis.public import needs_public_run
from assetmap.core.project import Project

HALL = "hall-1"


def _hall_project(path: Path, *, visibility: str = "public") -> Path:
    """West (of the shared fixture) with a community centre on its west edge: 74% of West is covered."""
    with Project.open(path) as p:
        p.add_asset({"id": HALL, "name": "Elm Hall", "kind": "physical/community_centre", "visibility": visibility},
                    shapely.Point(380000, 390500))
        p.add_asset({"id": "shop-1", "name": "Corner Shop", "kind": "economy/shop"}, shapely.Point(380700, 390700))
    return path


def _sql(path: Path, statement: str) -> None:
    """An edit made by another program (QGIS, sqlite3), not through assetmap."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(statement)
    conn.close()


def _cli(*args: str) -> None:
    assert main(list(args)) == 0


def _page_hoods(page: Path) -> list[dict]:
    text = page.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="assetmap-data">(.*?)</script>', text, re.S).group(1))
    return [{k: h.get(k) for k in ("code", "counts", "coverage", "flags", "priority")} for h in data["neighbourhoods"]]


def _public_map(path: Path, out: Path) -> list[dict]:
    _cli("export", str(path), "--out", str(out), "--no-basemap", "--force")
    return _page_hoods(out)


# (name, the run stored first, the change made after it)
CASES: list[tuple[str, tuple[str, ...], Callable[[Path], None]]] = [
    ("made private in assetmap", ("--public-only",),
     lambda p: _with(p, lambda pr: pr.update_asset(HALL, {"visibility": "private"}))),
    ("made private in another program", ("--public-only",),
     lambda p: _sql(p, f"UPDATE assets SET visibility = 'private' WHERE id = '{HALL}'")),
    ("deleted in assetmap", ("--public-only",), lambda p: _with(p, lambda pr: pr.delete_asset(HALL))),
    ("deleted in another program", ("--public-only",), lambda p: _sql(p, f"DELETE FROM assets WHERE id = '{HALL}'")),
    ("team run, then the private asset deleted", (), lambda p: _with(p, lambda pr: pr.delete_asset("private-1"))),
    ("team run, then the private asset deleted elsewhere", (),
     lambda p: _sql(p, "DELETE FROM assets WHERE id = 'private-1'")),
    ("made private, then public again, then private", ("--public-only",),
     lambda p: _with(p, lambda pr: [pr.update_asset(HALL, {"visibility": v}) for v in ("private", "public",
                                                                                      "private")])),
]


def _with(path: Path, edit: Callable[[Project], object]) -> None:
    with Project.open(path) as project:
        edit(project)


def stale_exports(tmp_path: Path, empty_project: Path) -> list[str]:
    """The campaign: the cases whose public map still shows the stale run."""
    stale = []
    for n, (name, run_args, change) in enumerate(CASES):
        folder = tmp_path / f"case{n}"
        folder.mkdir()
        path = folder / "project.gpkg"
        shutil.copy(empty_project, path)
        _hall_project(path)
        with Project.open(path) as p:  # a private meeting place in East, for the team-run cases
            p.add_asset({"id": "private-1", "name": "Refuge", "kind": "physical/community_centre",
                         "visibility": "private"}, shapely.Point(381500, 390500))
        _cli("gaps", str(path), "--json", *run_args)
        change(path)
        shown = _public_map(path, folder / "map.html")
        fresh = folder / "fresh.gpkg"
        shutil.copy(path, fresh)
        _cli("gaps", str(fresh), "--json", "--public-only")
        if shown != _public_map(fresh, folder / "fresh.html"):
            stale.append(name)
    return stale


def test_public_map_is_worked_out_again_after_visibility_changes(tmp_path: Path, empty_project: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    stale = stale_exports(tmp_path, empty_project)
    assert stale == [], f"{len(stale)} of {len(CASES)} public maps used a stale run: {stale}"


def test_the_hall_made_private_is_not_counted(empty_project: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The brief's case in full: gaps public, a public asset made private, export: not counted."""
    path = _hall_project(empty_project)
    _cli("gaps", str(path), "--public-only", "--json")
    with Project.open(path) as p:
        assert not needs_public_run(p)
        p.update_asset(HALL, {"visibility": "private"})
        assert needs_public_run(p)
    west = next(h for h in _public_map(path, tmp_path / "map.html") if h["code"] == "E01000001")
    assert west["coverage"]["place_to_meet"] == 0.0
    # the hall was the only place to meet: publicly none is mapped now, a notice rather than a flag on West
    assert not any(f["rule"] == "place_to_meet" for f in west["flags"])
    assert "Elm Hall" not in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_a_stored_public_run_is_reused_while_nothing_public_changed(empty_project: Path) -> None:
    """No re-run when nothing changed: a marked stored result shows as it is, and a new public asset, a
    private one made public or a change to a private asset's name needs a re-run only where it should."""
    path = _hall_project(empty_project)
    with Project.open(path) as p:
        run_gaps(p, GapOptions(include_private=False))
        p.add_asset({"id": "secret", "name": "Secret", "kind": "physical/community_centre", "visibility": "private"},
                    shapely.Point(381500, 390500))
        p.update_asset("secret", {"name": "Still secret"})
        p.update_asset("shop-1", {"name": "Corner Shop and Post Office"})  # not a change to what is public
        assert not needs_public_run(p)
        p.update_asset("secret", {"visibility": "public"})
        assert needs_public_run(p)  # the run did not count it: a public map must
        run_gaps(p)  # the team's run, with nothing private left
        assert not needs_public_run(p)


def test_a_run_stored_without_its_record_of_what_it_counted(empty_project: Path) -> None:
    """A run stored by an older assetmap (or written by hand) is trusted only while nothing is private."""
    path = _hall_project(empty_project)
    with Project.open(path) as p:
        run_gaps(p, GapOptions(include_private=False))
        run = p.get_setting("gap_run")
        run.pop("counted", None)
        p.set_setting("gap_run", run)
        assert not needs_public_run(p)
        p.update_asset(HALL, {"visibility": "private"})
        assert needs_public_run(p)
