"""Importing a file again updates what it made before; every import is recorded and can be undone exactly.

Real GeoPackages in tmp_path, real Code-Point Open rows and real Trafford footprints from sample_data.
"Exactly" is checked with a digest of every column of every row of ``assets`` and ``asset_areas``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_import_postcodes import CODEPOINT, WEST, codepoint_lines, run

from assetmap.core.errors import DataError
from assetmap.core.imports.history import ImportEditedError, list_imports, undo_import
from assetmap.core.imports.pipeline import ImportOptions, commit_import, import_file, prepare_import
from assetmap.core.io.postcodes import load_lookups
from assetmap.core.project import Project

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
ALLOTMENTS = SAMPLE / "assets" / "trafford_allotments.geojson"


def digest(project_path: Path) -> dict[str, Any]:
    """Row counts and sha256 of all rows (every column, blobs included) of the tables an import writes."""
    conn = sqlite3.connect(project_path)
    try:
        out: dict[str, Any] = {}
        for table, key in (("assets", "id"), ("asset_areas", "asset_id")):
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"').fetchall()
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def assets_by_name(project_path: Path) -> dict[str, dict[str, Any]]:
    with Project.open(project_path, readonly=True) as project:
        frame = project.assets()
    return {rec["name"]: {**rec, "xy": None if g is None else (g.x, g.y)}
            for rec, g in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry)}


def counts_add_up(report: dict[str, Any]) -> bool:
    return sum(report[k] for k in ("imported", "unlocated", "duplicates", "updated", "rejected")) == report["rows"]


# --- re-importing --------------------------------------------------------------------------------------

def test_reimport_with_a_lookup_places_what_was_unlocated_and_adds_nothing(
        empty_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = codepoint_lines(WEST)
    clubs = write_csv(tmp_path / "clubs.csv", ["Organisation", "Postcode", "Activity"],
                      [["Sale Harriers", "M33 2LJ", "running"], ["Brooklands Bowls", "m332qw", "bowls"],
                       ["Ashton Scouts", "M33 2RJ", "scouting"], ["Moor Nook Knitters", "ZZ99 9ZZ", "knitting"]])
    code, first, err = run(capsys, "import", empty_project, clubs, "--category", "associations", "--json")
    assert code == 0, err
    assert (first["imported"], first["unlocated"]) == (0, 4)
    before = assets_by_name(empty_project)
    assert all(a["xy"] is None for a in before.values())

    code, again, err = run(capsys, "import", empty_project, clubs, "--category", "associations",
                           "--postcodes", CODEPOINT, "--json")
    assert code == 0, err
    assert (again["imported"], again["unlocated"], again["updated"], again["duplicates"]) == (0, 0, 3, 1)
    assert counts_add_up(again)
    assert {r["row"] for r in again["updated_rows"]} == {2, 3, 4}
    assert all(r["fields"] == ["location"] and r["placed"] for r in again["updated_rows"])
    after = assets_by_name(empty_project)
    assert {n: a["id"] for n, a in after.items()} == {n: a["id"] for n, a in before.items()}  # same assets
    assert after["Sale Harriers"]["xy"] == pytest.approx(rows["M33 2LJ"][1:])
    assert after["Brooklands Bowls"]["xy"] == pytest.approx(rows["M33 2QW"][1:])
    assert after["Moor Nook Knitters"]["xy"] is None  # its postcode is in no lookup
    assert after["Sale Harriers"]["created_at"] == before["Sale Harriers"]["created_at"]

    code, third, err = run(capsys, "import", empty_project, clubs, "--category", "associations", "--no-postcodes",
                           "--json")
    assert code == 0, err  # without the lookup the rows have no place: that never takes assets off the map
    assert (third["imported"], third["unlocated"], third["updated"], third["duplicates"]) == (0, 0, 0, 4)
    assert assets_by_name(empty_project)["Sale Harriers"]["xy"] == pytest.approx(rows["M33 2LJ"][1:])


def test_a_changed_row_updates_its_asset(empty_project: Path, tmp_path: Path) -> None:
    header = ["Ref", "Venue", "Phone", "Opening hours", "Easting", "Northing"]
    rows = [["H1", "Moss Lane Hall", "0161 000 0001", "Mon-Fri", 380200, 390200],
            ["H2", "Oak Road Hall", "0161 000 0002", "Sat", 380400, 390400],
            ["H3", "Elm Street Rooms", "", "Sun", 381500, 390600]]
    path = write_csv(tmp_path / "halls.csv", header, rows)
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="physical"))
        ids = {a["source_ref"]: a["id"] for a in project.assets().to_dict("records")}
        rows[0][2] = "0161 999 9999"  # the register changed a number,
        rows[1][1] = "Oak Road Community Hall"  # renamed a hall (its ref is the same),
        rows[2][4] = 381700  # and moved a point 200 m
        path = write_csv(tmp_path / "halls.csv", header, rows)
        report = import_file(project, path, ImportOptions(category="physical"))
        assets = {a["source_ref"]: (a, g) for a, g in zip(project.assets().to_dict("records"),
                                                        project.assets().geometry)}
    assert (report.imported, report.updated, report.duplicates) == (0, 3, 0)
    changed = {r["row"]: r["fields"] for r in report.updated_rows}
    assert changed == {2: ["phone"], 3: ["name"], 4: ["location"]}
    assert {ref: a["id"] for ref, (a, _g) in assets.items()} == ids
    assert assets["H1"][0]["phone"] == "0161 999 9999"
    assert assets["H2"][0]["name"] == "Oak Road Community Hall"
    assert (assets["H3"][1].x, assets["H3"][1].y) == (381700, 390600)


def test_a_value_edited_in_assetmap_is_kept_and_said(empty_project: Path, tmp_path: Path) -> None:
    header = ["Name", "Phone", "Opening times", "lon", "lat"]
    rows = [["Sale West Hub", "0161 973 3778", "Mon-Thu 9-5", -2.3570, 53.4186]]
    path = write_csv(tmp_path / "hubs.csv", header, rows)
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="physical"))
        asset_id = project.assets().iloc[0]["id"]
        project.update_asset(asset_id, {"phone": "07700 900123"})  # a worker rang them and fixed the number
        rows[0][1], rows[0][2] = "0161 973 0000", "Mon-Fri 9-5"  # the council's list changed both
        path = write_csv(tmp_path / "hubs.csv", header, rows)
        report = import_file(project, path, ImportOptions(category="physical"))
        hub = project.asset(asset_id)
        again = import_file(project, path, ImportOptions(category="physical"))  # and the edit stays kept
    assert report.updated_rows[0]["fields"] == ["opening_times"] and report.updated_rows[0]["kept"] == ["phone"]
    assert hub["phone"] == "07700 900123" and hub["opening_times"] == "Mon-Fri 9-5"
    assert any("edited in assetmap since it was last imported" in n and "phone" in n for n in report.notes)
    assert (again.updated, again.duplicates) == (0, 1)


def test_assets_imported_before_history_was_kept_are_matched_too(empty_project: Path, tmp_path: Path) -> None:
    """A project from an older assetmap: no history, so an asset edited since it was made keeps its values."""
    path = write_csv(tmp_path / "groups.csv", ["Name", "Postcode", "Email"],
                     [["Knit and Natter", "M33 2XL", "knit@example.org"], ["Tea Dance", "M33 2XN", ""]])
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="associations"))
        project.connection.execute("DELETE FROM imports")  # as if imported before the history existed
        project.connection.commit()
        knit = project.assets().set_index("name").loc["Knit and Natter", "id"]
        project.update_asset(knit, {"email": "natter@example.org"})
        project.connection.execute("UPDATE assets SET updated_at='2030-01-01T00:00:00.000Z' WHERE id=?", (knit,))
        project.connection.commit()
        path = write_csv(tmp_path / "groups.csv", ["Name", "Postcode", "Email"],
                         [["Knit and Natter", "M33 2XL", "knit2@example.org"], ["Tea Dance", "M33 2XN", "t@x.org"]])
        report = import_file(project, path, ImportOptions(category="associations",
                                                          postcodes=load_lookups([CODEPOINT])))
        assets = project.assets().set_index("name")
    assert (report.imported, report.updated) == (0, 2)
    assert assets.loc["Knit and Natter", "email"] == "natter@example.org"  # edited since: kept
    assert assets.loc["Tea Dance", "email"] == "t@x.org"  # never edited: the file's new value
    assert assets.geometry.notna().all()  # both placed by postcode now


def test_the_check_and_the_write_are_one_step(empty_project: Path, tmp_path: Path) -> None:
    """An asset changed between the check and Import makes the whole import fail, with nothing written."""
    header = ["Name", "Phone", "x", "y"]
    path = write_csv(tmp_path / "a.csv", header, [["Hall A", "1", 380100, 390100]])
    with Project.open(empty_project) as project:
        import_file(project, path, ImportOptions(category="physical"))
        path = write_csv(tmp_path / "a.csv", header, [["Hall A", "2", 380100, 390100], ["Hall B", "", 380500, 390500]])
        prepared = prepare_import(project, path, ImportOptions(category="physical"))
        assert (prepared.report.updated, prepared.report.imported) == (1, 1)
        project.update_asset(project.assets().iloc[0]["id"], {"phone": "3"})
        state = digest(project.path)
        with pytest.raises(DataError, match="changed or deleted after the file was checked"):
            commit_import(project, prepared)
        assert digest(project.path) == state and len(list_imports(project)) == 1


# --- history and undo ------------------------------------------------------------------------------------

def test_undo_of_an_import_restores_the_project_exactly(empty_project: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    halls = write_csv(tmp_path / "halls.csv", ["Name", "x", "y"], [["Moss Lane Hall", 380200, 390200]])
    assert run(capsys, "import", empty_project, halls, "--category", "physical")[0] == 0
    before = digest(empty_project)
    code, report, err = run(capsys, "import", empty_project, ALLOTMENTS, "--kind", "physical/allotment", "--json")
    assert code == 0 and report["imported"] == 35 and report["import_id"] == 2, err
    assert digest(empty_project)["asset_areas"][0] == 35
    code, undone, err = run(capsys, "import", "--undo", empty_project, "--json")
    assert code == 0, err
    assert (undone["undone"], undone["removed"], undone["restored"]) == (2, 35, 0)
    assert digest(empty_project) == before
    code, history, err = run(capsys, "imports", empty_project, "--json")
    assert code == 0, err
    assert [(h["id"], h["added"], h["undone_at"] is None) for h in history] == [(1, 1, True), (2, 35, False)]


def test_undo_after_a_reimport_puts_back_the_values_from_before(empty_project: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Footprints reshaped, points placed, fields changed: the undo restores every column of every row."""
    features = json.loads(ALLOTMENTS.read_text(encoding="utf-8"))
    features["features"] = features["features"][:6]
    first = tmp_path / "allotments.geojson"
    first.write_text(json.dumps(features), encoding="utf-8")
    assert run(capsys, "import", empty_project, first, "--kind", "physical/allotment")[0] == 0
    clubs = write_csv(tmp_path / "clubs.csv", ["Name", "Postcode"], [["Sale Harriers", "M33 2LJ"]])
    assert run(capsys, "import", empty_project, clubs, "--category", "associations")[0] == 0
    original = digest(empty_project)

    ring = features["features"][0]["geometry"]["coordinates"][0]
    features["features"][0]["geometry"]["coordinates"][0] = [[x + 0.0005, y] for x, y in ring]  # about 33 m east
    features["features"][1]["properties"]["name"] = features["features"][1]["properties"]["name"] + " Allotments"
    first.write_text(json.dumps(features), encoding="utf-8")
    code, report, err = run(capsys, "import", empty_project, first, "--kind", "physical/allotment", "--json")
    assert code == 0, err
    assert (report["imported"], report["updated"], report["duplicates"]) == (0, 2, 4)  # matched by their osm_id
    assert {r["row"]: r["fields"] for r in report["updated_rows"]} == {1: ["location"], 2: ["name"]}
    code, placed, err = run(capsys, "import", empty_project, clubs, "--category", "associations", "--postcodes",
                            CODEPOINT, "--json")
    assert code == 0 and placed["updated"] == 1, err
    assert digest(empty_project) != original

    assert run(capsys, "import", "--undo", empty_project)[0] == 0  # the placing by postcode
    code, text, err = run(capsys, "import", "--undo", empty_project)  # the reshaping and renaming
    assert code == 0 and "Undid import 3" in text, err
    assert digest(empty_project) == original


def test_undo_refuses_when_its_assets_were_edited_unless_forced(empty_project: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    halls = write_csv(tmp_path / "halls.csv", ["Name", "x", "y"],
                      [["Moss Lane Hall", 380200, 390200], ["Oak Club", 380300, 390300]])
    assert run(capsys, "import", empty_project, halls, "--category", "physical")[0] == 0
    with Project.open(empty_project) as project:
        oak = project.assets().set_index("name").loc["Oak Club", "id"]
        project.update_asset(oak, {"description": "Youth club on Tuesdays"})
        with pytest.raises(ImportEditedError) as refused:
            undo_import(project)
        assert [c["name"] for c in refused.value.changed] == ["Oak Club"]
    code, _out, err = run(capsys, "import", "--undo", empty_project)
    assert code == 1 and err.count("\n") == 1
    assert "Oak Club (edited)" in err and "--force" in err and "nothing was undone" in err
    assert digest(empty_project)["assets"][0] == 2
    code, text, err = run(capsys, "import", "--undo", empty_project, "--force")
    assert code == 0 and "removed 2 assets" in text, err
    assert digest(empty_project)["assets"][0] == 0


def test_an_edit_undone_in_the_app_does_not_block_the_import_undo(empty_project: Path, tmp_path: Path) -> None:
    from assetmap.core.project.commands import UndoStack, UpdateAsset

    path = write_csv(tmp_path / "h.csv", ["Name", "Capacity", "x", "y"], [["Moss Lane Hall", 120, 380200, 390200]])
    with Project.open(empty_project) as project:
        before = digest(project.path)
        import_file(project, path, ImportOptions(category="physical"))
        stack = UndoStack(project)
        stack.push(UpdateAsset(project.assets().iloc[0]["id"], {"capacity": 90}))
        stack.undo()  # the value is back; only its updated_at moved
        undo_import(project)
        assert digest(project.path) == before


def test_undo_chooses_by_id_and_says_what_cannot_be_undone(empty_project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "import", "--undo", empty_project)
    assert code == 1 and "No import to undo" in err
    a = write_csv(tmp_path / "a.csv", ["Name", "Postcode"], [["Sale Harriers", "M33 2LJ"]])
    b = write_csv(tmp_path / "b.csv", ["Name", "x", "y"], [["Moss Lane Hall", 380200, 390200]])
    run(capsys, "import", empty_project, a, "--category", "associations")
    run(capsys, "import", empty_project, b, "--category", "physical")
    run(capsys, "import", empty_project, a, "--category", "associations", "--postcodes", CODEPOINT)  # places it
    code, _out, err = run(capsys, "import", "--undo", empty_project, "--id", "1")
    assert code == 1 and "Import 3 (a.csv) changed 1 of the assets import 1 brought in; undo import 3 first" in err
    code, undone, err = run(capsys, "import", "--undo", empty_project, "--id", "2", "--json")
    assert code == 0 and undone["removed"] == 1, err
    assert set(assets_by_name(empty_project)) == {"Sale Harriers"}
    code, _out, err = run(capsys, "import", "--undo", empty_project, "--id", "2")
    assert code == 1 and "undone already" in err
    code, _out, err = run(capsys, "import", "--undo", empty_project, "--id", "9")
    assert code == 1 and "No import 9" in err
    code, text, err = run(capsys, "imports", empty_project)
    assert code == 0 and "undone" in text.splitlines()[2] and "in the project" in text.splitlines()[3], err
    assert run(capsys, "import", "--undo", empty_project, a)[0] == 2  # --undo takes no FILE
    assert run(capsys, "import", empty_project, a, "--force")[0] == 2  # --force goes with --undo
    assert run(capsys, "import", empty_project)[0] == 2  # no FILE and no --undo


def test_an_older_project_gets_the_history_table(empty_project: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(empty_project)
    conn.execute("DROP TABLE imports")
    conn.execute("DELETE FROM gpkg_contents WHERE table_name='imports'")
    conn.commit()
    conn.close()
    code, history, err = run(capsys, "imports", empty_project, "--json")  # read-only: an empty history
    assert code == 0 and history == [], err
    path = write_csv(tmp_path / "a.csv", ["Name", "x", "y"], [["Moss Lane Hall", 380200, 390200]])
    code, report, err = run(capsys, "import", empty_project, path, "--category", "physical", "--json")
    assert code == 0 and report["import_id"] == 1, err
    assert run(capsys, "import", "--undo", empty_project)[0] == 0
