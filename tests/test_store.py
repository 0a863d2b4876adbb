"""The project store: a real GeoPackage that GDAL opens, atomic whole-file writes, locking, undo."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pyogrio
import pytest
import shapely

from assetmap.core.errors import NotAProjectError, ProjectLockedError, SchemaVersionError, ValidationError
from assetmap.core.project import Project
from assetmap.core.project.commands import AddAsset, DeleteAsset, UndoStack, UpdateAsset


def test_add_update_delete_list(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        hall = project.add_asset({"name": "Moss Lane Hall", "kind": "physical/village_hall"},
                                 shapely.Point(380500, 390500))
        project.add_asset({"name": "Unplaced choir", "category": "culture"})
        project.update_asset(hall, {"capacity": "120", "geometry": shapely.Point(380600, 390400)})
    with Project.open(empty_project, readonly=True) as project:
        assets = project.assets().set_index("name")
        assert assets.loc["Moss Lane Hall", "category"] == "physical"
        assert assets.loc["Moss Lane Hall", "capacity"] == 120
        assert assets.loc["Moss Lane Hall"].geometry.equals(shapely.Point(380600, 390400))
        assert assets.loc["Unplaced choir"].geometry is None
    with Project.open(empty_project) as project:
        project.delete_asset(hall)
        assert list(project.assets()["name"]) == ["Unplaced choir"]


def test_validation_rejects_bad_values(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        with pytest.raises(ValidationError) as err:
            project.add_asset({"name": "", "category": "shops", "email": "not-an-email", "verified_on": "soon"})
        assert set(err.value.problems) == {"name", "category", "email", "verified_on"}
        assert project.count("assets") == 0


def test_people_need_consent_and_have_no_geometry(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        with pytest.raises(ValidationError) as err:
            project.add_person({"display_name": "Ann", "skills": "baking", "consent": "no",
                                "neighbourhood_code": "E01000001"})
        assert "consent" in err.value.problems
        project.add_person({"display_name": "Ann", "skills": "baking; fixing bikes", "consent": "yes",
                            "consent_on": "01/09/2026", "neighbourhood_code": "E01000001"})
        people = project.people()
    assert people.loc[0, "skills"] == "baking, fixing bikes"
    assert people.loc[0, "consent_on"] == "2026-09-01"
    cols = {r[1] for r in sqlite3.connect(empty_project).execute("PRAGMA table_info(people)")}
    assert "geom" not in cols


def test_undo_redo_commands(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        stack = UndoStack(project)
        add = AddAsset({"name": "Library", "kind": "institutions/library"}, shapely.Point(380100, 390100))
        stack.push(add)
        stack.push(UpdateAsset(add.asset_id, {"name": "Central Library"}))
        stack.push(DeleteAsset(add.asset_id))
        assert project.count("assets") == 0
        stack.undo()
        assert project.asset(add.asset_id)["name"] == "Central Library"
        stack.undo()
        assert project.asset(add.asset_id)["name"] == "Library"
        stack.undo()
        assert project.count("assets") == 0
        stack.redo()
        assert project.asset(add.asset_id)["name"] == "Library"  # same id comes back


def test_gdal_opens_project_as_geopackage(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
    layers = {name for name, _ in pyogrio.list_layers(empty_project)}
    assert {"assets", "neighbourhoods", "asset_areas", "people", "settings"} <= layers
    gdf = pyogrio.read_dataframe(empty_project, layer="assets")
    assert gdf.crs.to_epsg() == 27700 and gdf.geometry.iloc[0].equals(shapely.Point(380500, 390500))


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is installed by .ci/run")
def test_ogrinfo_lists_layers(empty_project: Path) -> None:
    out = subprocess.run(["ogrinfo", "-ro", "-so", str(empty_project)], capture_output=True, text=True, check=True)
    for layer in ("assets (Point)", "neighbourhoods (Multi Polygon)", "asset_areas (Multi Polygon)", "people",
                  "settings"):
        assert layer in out.stdout


def test_not_a_project_and_newer_schema(tmp_path: Path, empty_project: Path) -> None:
    text = tmp_path / "notes.gpkg"
    text.write_text("hello")
    with pytest.raises(NotAProjectError, match="not a GeoPackage"):
        Project.open(text)
    plain = tmp_path / "plain.gpkg"
    frame = __import__("geopandas").GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326)
    pyogrio.write_dataframe(frame, plain)
    with pytest.raises(NotAProjectError, match="not an assetmap project"):
        Project.open(plain)
    con = sqlite3.connect(empty_project)
    con.execute("UPDATE settings SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(SchemaVersionError, match="newer assetmap"):
        Project.open(empty_project)


def _hold_lock_script(project: Path) -> str:
    return textwrap.dedent(f"""
        import sys, time
        from assetmap.core.project import Project
        p = Project.open({str(project)!r})
        print("locked", flush=True)
        time.sleep(60)
    """)


def test_lock_blocks_second_process_with_who_holds_it(empty_project: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", _hold_lock_script(empty_project)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(ProjectLockedError, match=rf"being edited by .* \(assetmap process {child.pid}"):
            Project.open(empty_project)
        with Project.open(empty_project, readonly=True) as viewer:  # viewing is still allowed
            assert viewer.count("neighbourhoods") == 2
    finally:
        child.kill()
        child.wait()
    # The holder died without releasing: its lock is stale and no longer blocks.
    with Project.open(empty_project) as project:
        assert project.count("assets") == 0


def test_killed_during_whole_file_write_leaves_previous_project(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Old Hall", "kind": "physical/village_hall"}, shapely.Point(380500, 390500))
    before = empty_project.read_bytes()
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from assetmap.core.project.atomic import atomic_path
        with atomic_path(Path({str(empty_project)!r})) as tmp:
            with open(tmp, "wb") as fh:
                fh.write(b"SQLite format 3\\x00" + b"half a project" * 1000)
                fh.flush()
                print("writing", flush=True)
                time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert empty_project.read_bytes() == before
    with Project.open(empty_project) as project:
        assert list(project.assets()["name"]) == ["Old Hall"]


def test_killed_during_edit_keeps_confirmed_edits_only(empty_project: Path) -> None:
    script = textwrap.dedent(f"""
        import time, shapely
        from assetmap.core.project import Project
        p = Project.open({str(empty_project)!r})
        p.add_asset({{"name": "Confirmed", "kind": "physical/park"}}, shapely.Point(380200, 390200))
        with p.transaction() as conn:
            conn.execute("INSERT INTO assets (id, name, category, visibility) "
                         "VALUES ('x', 'Half done', 'physical', 'public')")
            print("mid-edit", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "mid-edit"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with Project.open(empty_project) as project:
        assert list(project.assets()["name"]) == ["Confirmed"]


def test_save_as_copies_atomically(empty_project: Path, tmp_path: Path) -> None:
    with Project.open(empty_project) as project:
        project.add_asset({"name": "Park", "kind": "physical/park"}, shapely.Point(380200, 390200))
        copy = project.save_as(tmp_path / "copy.gpkg")
    with Project.open(copy, readonly=True) as project:
        assert list(project.assets()["name"]) == ["Park"]
        assert json.loads(json.dumps(project.summary()))["neighbourhoods"] == 2


def test_nested_edits_commit_or_roll_back_together(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        with pytest.raises(ValidationError):
            with project.transaction():
                project.add_asset({"name": "First", "kind": "physical/park"}, shapely.Point(380100, 390100))
                project.add_asset({"name": ""})  # fails: the whole outer edit goes
        assert project.count("assets") == 0
        with project.transaction():
            project.add_asset({"name": "First", "kind": "physical/park"}, shapely.Point(380100, 390100))
            with pytest.raises(RuntimeError):
                with project.transaction():  # an inner edit that fails after writing
                    project.add_asset({"name": "Second", "kind": "physical/park"}, shapely.Point(380200, 390200))
                    raise RuntimeError("disk full")
        assert list(project.assets()["name"]) == ["First"]  # only the inner edit was undone


def test_worker_handle_and_people_undo(empty_project: Path) -> None:
    from assetmap.core.project.commands import AddPerson, DeletePerson

    with Project.open(empty_project) as project:
        stack = UndoStack(project)
        add = AddPerson({"display_name": "Bea", "skills": "gardening", "consent": "yes", "consent_on": "2026-10-01",
                         "neighbourhood_code": "E01000002"})
        stack.push(add)
        stack.push(DeletePerson(add.person_id))
        assert project.count("people") == 0
        stack.undo()
        worker = Project.attach(empty_project)  # what a background job uses: no second lock needed
        try:
            assert worker.person(add.person_id)["skills"] == "gardening"
        finally:
            worker.close()


def test_website_must_be_a_web_address(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        with pytest.raises(ValidationError) as err:
            project.add_asset({"name": "Trap", "kind": "physical/park", "website": "javascript:alert(document.domain)"})
        assert "website" in err.value.problems
        ok = project.add_asset({"name": "Park", "kind": "physical/park", "website": "www.example.org/park"})
        assert project.asset(ok)["website"] == "www.example.org/park"
