"""A project edited outside assetmap (QGIS, GDAL, plain SQL) and opened again in assetmap.

Every edit here is made to a real project file by GDAL's own command line (ogr2ogr, ogrinfo),
by pyogrio, or by SQLite the way QGIS writes at SQL level. assetmap must then either work (list,
summarise, update, delete, gap analysis, export) or stop with one clear message naming the file,
layer, feature (fid) and column and what it expected: never a traceback, never losing data
silently, never damaging the file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from assetmap.cli import main
from assetmap.core.analysis import run_gaps
from assetmap.core.errors import AssetmapError
from assetmap.core.project import Project, gpkg
from assetmap.core.project.commands import DeleteAsset, UndoStack, UpdateAsset
from assetmap.core.project.outside import LayerError, OutsideEditError

HALL = shapely.Point(380500, 390500)
PARK = shapely.Point(381500, 390500)
PARK_AREA = shapely.box(381400, 390400, 381600, 390600)  # 4 ha
REFUGE = shapely.Point(381200, 390200)


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def project(empty_project: Path) -> Path:
    """The shared two-neighbourhood project with a hall, a park with its footprint and a private refuge."""
    with Project.open(empty_project) as p:
        p.add_asset({"name": "Moss Lane Hall", "kind": "physical/village_hall"}, HALL)
        p.add_asset({"name": "Victoria Park", "kind": "physical/park"}, PARK, PARK_AREA)
        p.add_asset({"name": "Safe House Refuge", "kind": "physical/village_hall", "visibility": "private",
                     "phone": "0161 496 0000"}, REFUGE)
    return empty_project


def ogr2ogr(*args: str | Path) -> None:
    done = subprocess.run(["ogr2ogr", *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def ogrinfo_sql(path: Path, sql: str) -> None:
    done = subprocess.run(["ogrinfo", "-q", str(path), "-sql", sql], capture_output=True, text=True)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr


def sql(path: Path, statement: str, params: tuple = ()) -> list[tuple]:
    """What QGIS's DB Manager does: plain SQL on the GeoPackage (QGIS, like GDAL, provides the ST_
    functions that the R-tree triggers of a GDAL-written layer call)."""
    con = sqlite3.connect(path)
    gpkg.register_sql_functions(con)
    try:
        rows = con.execute(statement, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def feature_file(tmp_path: Path, properties: dict, geometry: dict | None, name: str = "new") -> Path:
    """A GeoJSON file with one feature in British National Grid, for ``ogr2ogr -append``."""
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": properties, "geometry": geometry}],
    }), encoding="utf-8")
    return path


def append_feature(project: Path, tmp_path: Path, properties: dict, geometry: dict | None, name: str = "new") -> None:
    ogr2ogr("-append", "-nln", "assets", project, feature_file(tmp_path, properties, geometry, name))


def drop_constraints(project: Path, tmp_path: Path) -> None:
    """The assets layer saved over itself through QGIS/GDAL (Save Features As, ogr2ogr -overwrite):
    same columns, but the NOT NULL and UNIQUE rules are gone, so features may have no id."""
    copy = tmp_path / "copy_of_project.gpkg"
    shutil.copy(project, copy)
    ogr2ogr("-update", "-overwrite", "-forceNullable", "-nln", "assets", project, copy, "-sql", "SELECT * FROM assets")
    ddl = sql(project, "SELECT sql FROM sqlite_master WHERE name = 'assets'")[0][0]
    assert "NOT NULL UNIQUE" not in ddl


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_sound(path: Path) -> None:
    """The file is an intact GeoPackage that GDAL still reads."""
    assert sql(path, "PRAGMA integrity_check") == [("ok",)]
    assert pyogrio.read_info(path, layer="assets")["features"] >= 0
    done = subprocess.run(["ogrinfo", "-ro", "-so", str(path), "assets"], capture_output=True, text=True)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr


def cli_fails_cleanly(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The command exits 1 with one line on stderr (no traceback); returns that line."""
    capsys.readouterr()
    assert main(list(args)) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def exercise(path: Path, tmp_path: Path, name: str) -> dict:
    """Everything a user does next with an asset added outside assetmap: list, summary, edit, gaps,
    export (web map, GeoJSON, CSV), delete. Returns the summary taken before the delete."""
    with Project.open(path) as p:
        assets = p.assets()
        row = assets[assets["name"] == name]
        assert len(row) == 1, list(assets["name"])
        asset_id = row["id"].iloc[0]
        assert isinstance(asset_id, str) and asset_id
        summary = p.summary()
        p.update_asset(asset_id, {"description": "Checked in assetmap"})
        assert p.asset(asset_id)["description"] == "Checked in assetmap"
        result = run_gaps(p)
        assert result.meta["neighbourhoods"] == 2
    for ext in ("html", "geojson", "csv"):
        out = tmp_path / f"export_{name.replace(' ', '_')}.{ext}"
        assert main(["export", str(path), "--out", str(out)]) == 0
        assert name in out.read_text(encoding="utf-8-sig")
    with Project.open(path) as p:
        p.delete_asset(asset_id)
        assert name not in set(p.assets()["name"])
    assert_sound(path)
    return summary


# --- features added or edited outside -----------------------------------------------------------


def test_feature_appended_without_id_or_timestamps_is_completed(project: Path, tmp_path: Path) -> None:
    drop_constraints(project, tmp_path)
    append_feature(project, tmp_path, {"name": "Added in QGIS", "category": "physical", "visibility": "public"},
                   {"type": "Point", "coordinates": [380700, 390700]})
    raw = sql(project, 'SELECT fid, "id", created_at, updated_at FROM assets WHERE name = ?', ("Added in QGIS",))
    fid = raw[0][0]
    assert raw == [(fid, None, None, None)]
    before = digest(project)

    with Project.open(project, readonly=True) as p:  # read-only: completed in view, the file untouched
        added = p.assets().set_index("name").loc["Added in QGIS"]
        assert added["id"] and added["created_at"]
        assert any(f"fid {fid}: a new id" in n for n in p.notices)
    assert digest(project) == before
    assert main(["assets", str(project)]) == 0  # printed the id's first characters: used to be None[:8]

    with Project.open(project) as p:  # for editing: completed and saved
        assert any("completed and saved" in n for n in p.notices)
    (asset_id, created, updated), = sql(project, 'SELECT "id", created_at, updated_at FROM assets WHERE fid = ?',
                                        (fid,))
    assert len(asset_id) == 36 and created and updated
    summary = exercise(project, tmp_path, "Added in QGIS")
    assert summary["assets"] == 4 and summary["by_category"] == {"physical": 4}


def test_feature_added_in_qgis_while_assetmap_has_the_project_open(project: Path, tmp_path: Path) -> None:
    drop_constraints(project, tmp_path)
    with Project.open(project) as p, Project.open(project, readonly=True) as viewer:
        assert len(p.assets()) == len(viewer.assets()) == 3
        append_feature(project, tmp_path, {"name": "Added meanwhile", "kind": "Library", "visibility": "Public"},
                       {"type": "Point", "coordinates": [380400, 390400]})
        added = p.assets().set_index("name").loc["Added meanwhile"]  # noticed on the next read, and completed
        assert added["id"] and added["category"] == "institutions" and added["visibility"] == "public"
        assert viewer.assets().set_index("name").loc["Added meanwhile", "id"] == added["id"]
        p.update_asset(added["id"], {"capacity": "25"})
        assert p.summary()["by_category"] == {"institutions": 1, "physical": 3}


def test_blank_and_copied_ids_get_their_own(project: Path, tmp_path: Path) -> None:
    append_feature(project, tmp_path, {"id": "", "name": "Blank id", "category": "physical", "visibility": "public"},
                   {"type": "Point", "coordinates": [380800, 390800]})
    drop_constraints(project, tmp_path)
    # Copy and paste of the hall in QGIS: the copy carries the same id.
    hall_id = sql(project, "SELECT id FROM assets WHERE name = 'Moss Lane Hall'")[0][0]
    copy = tmp_path / "hall.gpkg"
    ogr2ogr(copy, project, "assets", "-where", "name = 'Moss Lane Hall'")
    sql(copy, "UPDATE assets SET name = 'Moss Lane Hall (copy)'")
    ogr2ogr("-append", "-nln", "assets", project, copy, "assets")
    assert sql(project, "SELECT COUNT(*) FROM assets WHERE id = ?", (hall_id,)) == [(2,)]

    with Project.open(project) as p:
        assets = p.assets().set_index("name")
        assert assets["id"].is_unique and assets["id"].str.len().min() == 36
        assert assets.loc["Moss Lane Hall", "id"] == hall_id  # the first one keeps its id
        stack = UndoStack(p)
        stack.push(UpdateAsset(hall_id, {"capacity": "80"}))  # touches the original only
        assert p.assets().set_index("name").loc["Moss Lane Hall (copy)", "capacity"] != 80
    exercise(project, tmp_path, "Blank id")
    exercise(project, tmp_path, "Moss Lane Hall (copy)")


def test_category_kind_and_visibility_in_other_words_are_read_as_meant(project: Path, tmp_path: Path) -> None:
    append_feature(project, tmp_path, {"id": "qgis-1", "name": "Reading Room", "category": "",
                                       "kind": "Library", "visibility": "Public"},
                   {"type": "Point", "coordinates": [380300, 390300]})
    sql(project, "UPDATE assets SET visibility = 'Private', category = 'Physical' WHERE name = 'Safe House Refuge'")
    sql(project, "UPDATE assets SET category = '' WHERE name = 'Victoria Park'")  # the kind says physical
    before = digest(project)

    # A public export opens read-only: the refuge typed 'Private' in QGIS must stay private.
    for ext in ("geojson", "csv", "html"):
        out = tmp_path / f"public.{ext}"
        assert main(["export", str(project), "--out", str(out)]) == 0
        text = out.read_text(encoding="utf-8-sig")
        assert "Safe House Refuge" not in text and "0161 496 0000" not in text
        assert "Reading Room" in text and "Victoria Park" in text
    assert digest(project) == before

    with Project.open(project) as p:
        assets = p.assets().set_index("name")
        assert assets.loc["Reading Room", ["category", "kind", "visibility"]].tolist() == \
            ["institutions", "institutions/library", "public"]
        assert assets.loc["Victoria Park", "category"] == "physical"
        assert assets.loc["Safe House Refuge", "visibility"] == "private"
        assert len(p.assets(include_private=False)) == 3
    assert sql(project, "SELECT visibility FROM assets WHERE name = 'Safe House Refuge'") == [("private",)]
    exercise(project, tmp_path, "Reading Room")


def test_unknown_category_or_kind_is_one_clear_error(project: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    append_feature(project, tmp_path, {"id": "qgis-2", "name": "Skate Park", "category": "Sports",
                                       "visibility": "public"}, {"type": "Point", "coordinates": [380600, 390600]})
    fid = sql(project, "SELECT fid FROM assets WHERE name = 'Skate Park'")[0][0]
    before = digest(project)
    with pytest.raises(OutsideEditError) as err:
        Project.open(project, readonly=True)
    message = str(err.value)
    assert message.startswith(f"project.gpkg, layer 'assets', fid {fid}, column 'category': 'Sports' is not a category")
    assert "expected one of: associations, institutions, physical, economy, culture" in message
    assert (err.value.row, err.value.column, err.value.layer) == (fid, "category", "assets")
    line = cli_fails_cleanly(capsys, "gaps", str(project))
    assert f"fid {fid}, column 'category'" in line
    cli_fails_cleanly(capsys, "export", str(project), "--out", str(tmp_path / "map.html"))
    assert not (tmp_path / "map.html").exists()
    assert digest(project) == before and not Path(str(project) + ".lock").exists()

    sql(project, "UPDATE assets SET category = 'physical', kind = 'skatepark' WHERE fid = ?", (fid,))
    with pytest.raises(OutsideEditError, match=rf"fid {fid}, column 'kind': 'skatepark' is not a kind in the taxonomy"):
        Project.open(project)

    sql(project, "UPDATE assets SET kind = 'physical/park' WHERE fid = ?", (fid,))  # corrected in QGIS
    exercise(project, tmp_path, "Skate Park")


def test_features_without_name_are_listed_in_one_message(project: Path, tmp_path: Path) -> None:
    drop_constraints(project, tmp_path)
    for i in range(7):
        append_feature(project, tmp_path, {"id": f"n{i}", "category": "physical", "visibility": "public"},
                       {"type": "Point", "coordinates": [380100 + i, 390100]}, name=f"n{i}")
    with pytest.raises(OutsideEditError) as err:
        Project.open(project)
    message = str(err.value)
    assert message.startswith("project.gpkg: 7 problems. layer 'assets', fid 4, column 'name': is empty")
    assert "and 2 more" in message and "\n" not in message


# --- geometry encodings -------------------------------------------------------------------------


def _big_endian_blob(point: shapely.Point, srs_id: int) -> bytes:
    """A point as a big-endian GeoPackage blob with an XY envelope (allowed by the standard; GDAL and
    assetmap write little-endian)."""
    x, y = point.x, point.y
    header = b"GP" + bytes([0, 0b00000010]) + struct.pack(">i4d", srs_id, x, x, y, y)
    return header + shapely.to_wkb(point, byte_order=0)


def test_points_in_other_encodings_are_read_and_stored_as_points(project: Path, tmp_path: Path) -> None:
    append_feature(project, tmp_path, {"id": "mp", "name": "One-point multipoint", "category": "physical",
                                       "visibility": "public"},
                   {"type": "MultiPoint", "coordinates": [[380700, 390300]]})
    append_feature(project, tmp_path, {"id": "z", "name": "Point with height", "category": "physical",
                                       "visibility": "public"},
                   {"type": "Point", "coordinates": [380750, 390350, 31.5]})
    empty = gpd.GeoDataFrame({"id": ["e"], "name": ["Empty point"], "category": ["culture"], "visibility": ["public"]},
                             geometry=[shapely.Point()], crs=27700)
    pyogrio.write_dataframe(empty, project, layer="assets", append=True)
    sql(project, "UPDATE assets SET geom = ? WHERE name = 'Moss Lane Hall'", (_big_endian_blob(HALL, 27700),))
    kinds = dict(sql(project, "SELECT name, hex(substr(geom, 1, 4)) FROM assets"))
    assert kinds["Empty point"] == "47500011"  # GDAL's empty-geometry flag
    assert kinds["Moss Lane Hall"] == "47500002"  # big-endian, with envelope

    with Project.open(project, readonly=True) as p:
        assets = p.assets().set_index("name")
        assert assets.loc["One-point multipoint"].geometry.equals(shapely.Point(380700, 390300))
        assert not assets.loc["Point with height"].geometry.has_z
        assert assets.loc["Empty point"].geometry is None  # not placed yet, like any unlocated asset
        assert assets.loc["Moss Lane Hall"].geometry.equals(HALL)
        assert p.summary()["unlocated"] == 1
    assert main(["assets", str(project)]) == 0  # used to fail on MultiPoint.x

    with Project.open(project):
        pass
    gdf = pyogrio.read_dataframe(project, layer="assets")
    assert set(gdf.geometry.dropna().geom_type) == {"Point"} and not gdf.geometry.has_z.any()
    assert gdf.set_index("name").loc["Empty point"].geometry is None
    exercise(project, tmp_path, "One-point multipoint")
    exercise(project, tmp_path, "Point with height")
    exercise(project, tmp_path, "Empty point")


def test_multipoint_of_several_points_or_a_polygon_is_refused(project: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    append_feature(project, tmp_path, {"id": "mp2", "name": "Two places", "category": "physical",
                                       "visibility": "public"},
                   {"type": "MultiPoint", "coordinates": [[380700, 390300], [381700, 390300]]})
    fid = sql(project, "SELECT fid FROM assets WHERE id = 'mp2'")[0][0]
    with pytest.raises(OutsideEditError, match=rf"layer 'assets', fid {fid}, column 'geom': is a MULTIPOINT of 2 "
                                               "points; an asset is one point"):
        Project.open(project)
    sql(project, "DELETE FROM assets WHERE fid = ?", (fid,))
    append_feature(project, tmp_path, {"id": "poly", "name": "Drawn as area", "category": "physical",
                                       "visibility": "public"},
                   {"type": "Polygon", "coordinates": [[[380700, 390700], [380800, 390700], [380800, 390800],
                                                        [380700, 390700]]]})
    before = digest(project)
    line = cli_fails_cleanly(capsys, "assets", str(project))
    assert "column 'geom': is a POLYGON; the assets layer holds points" in line
    cli_fails_cleanly(capsys, "gaps", str(project))
    assert digest(project) == before
    assert_sound(project)


# --- columns --------------------------------------------------------------------------------------


def test_column_added_in_qgis_is_kept_and_never_exported(project: Path, tmp_path: Path) -> None:
    ogrinfo_sql(project, "ALTER TABLE assets ADD COLUMN volunteer_phone TEXT")
    sql(project, "UPDATE assets SET volunteer_phone = '07700 900123' WHERE name = 'Moss Lane Hall'")
    with Project.open(project) as p:
        assets = p.assets()
        assert "volunteer_phone" not in assets.columns
        hall = assets.set_index("name").loc["Moss Lane Hall", "id"]
        stack = UndoStack(p)
        stack.push(UpdateAsset(hall, {"capacity": "90"}))
        assert sql(project, "SELECT volunteer_phone FROM assets WHERE id = ?", (hall,)) == [("07700 900123",)]
        stack.push(DeleteAsset(hall))
        stack.undo()  # the delete is undone with the QGIS column's value
        assert sql(project, "SELECT volunteer_phone, capacity FROM assets WHERE id = ?", (hall,)) == \
            [("07700 900123", 90)]
        run_gaps(p)
    for ext, private in (("geojson", False), ("csv", True), ("html", True)):
        out = tmp_path / f"extra.{ext}"
        assert main(["export", str(project), "--out", str(out), *(["--private"] if private else [])]) == 0
        text = out.read_text(encoding="utf-8-sig")
        assert "Moss Lane Hall" in text and "07700 900123" not in text and "volunteer_phone" not in text
    assert_sound(project)


def test_deleted_column_is_named_with_how_to_put_it_back(project: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    ogrinfo_sql(project, "ALTER TABLE assets DROP COLUMN tenure")
    before = digest(project)
    with pytest.raises(OutsideEditError) as err:
        Project.open(project, readonly=True)  # used to read the word 'tenure' as every asset's tenure
    message = str(err.value)
    assert message.startswith("project.gpkg, layer 'assets', column 'tenure': is missing")
    assert "expects a TEXT column 'tenure'" in message
    assert 'ogrinfo project.gpkg -sql "ALTER TABLE assets ADD COLUMN tenure TEXT"' in message
    cli_fails_cleanly(capsys, "export", str(project), "--out", str(tmp_path / "a.csv"))
    cli_fails_cleanly(capsys, "gaps", str(project))
    assert digest(project) == before

    ogrinfo_sql(project, "ALTER TABLE assets ADD COLUMN tenure TEXT")  # what the message says
    exercise(project, tmp_path, "Victoria Park")


def test_renamed_column_is_pointed_at(project: Path) -> None:
    ogrinfo_sql(project, "ALTER TABLE neighbourhoods RENAME COLUMN population TO residents")
    with pytest.raises(OutsideEditError) as err:
        Project.open(project)
    message = str(err.value)
    assert "layer 'neighbourhoods', column 'population': is missing" in message
    assert "this layer also has 'residents'" in message and "rename it back" in message


# --- deletions and geometry edits ---------------------------------------------------------------


def test_asset_deleted_outside_leaves_its_footprint_ignored(project: Path, tmp_path: Path) -> None:
    ogrinfo_sql(project, "DELETE FROM assets WHERE name = 'Victoria Park'")
    assert sql(project, "SELECT COUNT(*) FROM asset_areas") == [(1,)]
    with Project.open(project) as p:
        assert p.asset_areas().empty
        summary = p.summary()
        assert summary["assets"] == 2 and summary["asset_areas"] == 0
        assert any("no longer in the assets layer" in n for n in p.notices)
        result = run_gaps(p)
        assert result.meta["assets_counted"] == 2
    assert sql(project, "SELECT COUNT(*) FROM asset_areas") == [(1,)]  # left in the file, not silently deleted
    exercise(project, tmp_path, "Moss Lane Hall")


def test_footprint_reshaped_in_qgis_gets_its_new_area(project: Path) -> None:
    bigger = shapely.MultiPolygon([shapely.box(381300, 390300, 381700, 390700)])  # 16 ha
    con = sqlite3.connect(project)
    con.execute("UPDATE asset_areas SET geom = ? WHERE 1", (_gpkg_blob(bigger),))
    con.commit()
    con.close()
    with Project.open(project) as p:
        areas = p.asset_areas()
        assert areas["area_m2"].tolist() == [pytest.approx(160000.0)]  # the stored 40000 is out of date
        park = p.assets().set_index("name").loc["Victoria Park", "id"]
        stack = UndoStack(p)
        stack.push(DeleteAsset(park))
        assert p.asset_areas().empty
        stack.undo()  # the footprint comes back as it was reshaped
        assert p.asset_areas()["area_m2"].tolist() == [pytest.approx(160000.0)]


def _gpkg_blob(geom: shapely.Geometry) -> bytes:
    """A GeoPackage blob as GDAL writes it: little-endian, XY envelope."""
    minx, miny, maxx, maxy = geom.bounds
    return b"GP" + bytes([0, 0b00000011]) + struct.pack("<i4d", 27700, minx, maxx, miny, maxy) + shapely.to_wkb(geom)


def test_self_intersecting_neighbourhood_is_repaired_on_read(project: Path, tmp_path: Path) -> None:
    bow_tie = shapely.Polygon([(381000, 390000), (382000, 391000), (382000, 390000), (381000, 391000)])
    assert not bow_tie.is_valid
    gdf = gpd.GeoDataFrame({"code": ["E01000002"]}, geometry=[shapely.MultiPolygon([bow_tie])], crs=27700)
    sql(project, "UPDATE neighbourhoods SET geom = ? WHERE code = 'E01000002'", (_gpkg_blob(gdf.geometry[0]),))
    stored = sql(project, "SELECT geom FROM neighbourhoods WHERE code = 'E01000002'")[0][0]
    with Project.open(project) as p:
        hoods = p.neighbourhoods().set_index("code")
        east = hoods.loc["E01000002"].geometry
        assert east.is_valid and east.area == pytest.approx(500000.0)  # both triangles of the bow tie
        assert any("E01000002" in n and "Self-intersection" in n for n in p.notices)
    assert sql(project, "SELECT geom FROM neighbourhoods WHERE code = 'E01000002'")[0][0] == stored
    summary = exercise(project, tmp_path, "Victoria Park")
    assert summary["neighbourhoods"] == 2


def test_neighbourhood_without_boundary_is_one_clear_error(project: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    ogrinfo_sql(project, "UPDATE neighbourhoods SET geom = NULL WHERE code = 'E01000002'")
    fid = sql(project, "SELECT fid FROM neighbourhoods WHERE code = 'E01000002'")[0][0]
    with pytest.raises(OutsideEditError) as err:
        Project.open(project)
    assert str(err.value).startswith(f"project.gpkg, layer 'neighbourhoods', fid {fid}, column 'geom': "
                                     "neighbourhood E01000002 has no boundary")
    line = cli_fails_cleanly(capsys, "gaps", str(project))  # used to report East as empty of assets
    assert "has no boundary" in line
    cli_fails_cleanly(capsys, "export", str(project), "--out", str(tmp_path / "m.html"))


def test_population_typed_as_text_is_named(project: Path) -> None:
    sql(project, "UPDATE neighbourhoods SET population = '1,500' WHERE code = 'E01000001'")
    with pytest.raises(OutsideEditError, match=r"layer 'neighbourhoods', fid 1, column 'population': '1,500' is "
                                               "text, not a number"):
        Project.open(project, readonly=True)


# --- WAL files, read-only files -----------------------------------------------------------------


def _hold_open(project: Path, statements: list[str], then: str) -> subprocess.Popen:
    """Another program (standing in for QGIS) with the project open in WAL mode, its edits committed."""
    script = textwrap.dedent(f"""
        import sqlite3, sys, time
        con = sqlite3.connect({str(project)!r}, isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA wal_autocheckpoint = 0")
        for statement in {statements!r}:
            con.execute(statement)
        print("edited", flush=True)
        sys.stdin.readline()
        print(con.execute({then!r}).fetchall(), flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "edited"
    return child


def test_wal_pair_left_by_a_crashed_program(project: Path, tmp_path: Path) -> None:
    child = _hold_open(project, ["UPDATE assets SET name = 'Victoria Park (renamed in QGIS)' "
                                 "WHERE name = 'Victoria Park'"], "SELECT 1")
    child.send_signal(signal.SIGKILL)
    child.wait()
    wal = Path(str(project) + "-wal")
    assert wal.stat().st_size > 0 and Path(str(project) + "-shm").exists()

    with Project.open(project, readonly=True) as p:  # the committed edit is in the WAL, not yet in the file
        assert "Victoria Park (renamed in QGIS)" in set(p.assets()["name"])
    with Project.open(project) as p:
        assert "Victoria Park (renamed in QGIS)" in set(p.assets()["name"])
        p.add_asset({"name": "After the crash", "kind": "physical/park"}, shapely.Point(380900, 390900))
    assert not wal.exists()  # saved into the file: one file again
    assert sql(project, "PRAGMA journal_mode") == [("delete",)]
    names = set(pyogrio.read_dataframe(project, layer="assets")["name"])
    assert {"Victoria Park (renamed in QGIS)", "After the crash"} <= names
    exercise(project, tmp_path, "After the crash")


def test_project_still_open_in_another_program(project: Path) -> None:
    child = _hold_open(project, ["UPDATE assets SET capacity = 60 WHERE name = 'Moss Lane Hall'"],
                       "SELECT name FROM assets ORDER BY fid")
    try:
        with Project.open(project) as p:
            assert p.assets().set_index("name").loc["Moss Lane Hall", "capacity"] == 60
            p.add_asset({"name": "Added while QGIS is open", "kind": "physical/park"}, shapely.Point(380900, 390900))
        assert sql(project, "PRAGMA journal_mode") == [("wal",)]  # the other program still needs it
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("\n")
        child.stdin.flush()
        assert "Added while QGIS is open" in child.stdout.readline()  # it sees assetmap's edit
    finally:
        child.kill()
        child.wait()
    assert_sound(project)
    with Project.open(project, readonly=True) as p:
        assert p.count("assets") == 4


def test_read_only_file_opens_for_viewing_with_the_reason(project: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    child = _hold_open(project, ["UPDATE assets SET capacity = 45 WHERE name = 'Moss Lane Hall'"], "SELECT 1")
    child.send_signal(signal.SIGKILL)  # and a WAL pair left behind, as QGIS does when it crashes
    child.wait()
    for f in (project, Path(str(project) + "-wal"), Path(str(project) + "-shm")):
        f.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # chmod 444
    before = digest(project), digest(Path(str(project) + "-wal"))
    try:
        with Project.open(project) as p:  # asked for editing: gets a read-only view and says why
            assert p.readonly
            assert p.readonly_reason.startswith("project.gpkg is read-only (the file is read-only), so assetmap "
                                                "opened it for viewing only")
            assert p.assets().set_index("name").loc["Moss Lane Hall", "capacity"] == 45  # the WAL's edit
            assert p.summary()["assets"] == 3
            with pytest.raises(AssetmapError) as err:
                p.add_asset({"name": "Nope", "kind": "physical/park"})
            assert str(err.value) == p.readonly_reason
        assert not Path(str(project) + ".lock").exists()
        line = cli_fails_cleanly(capsys, "gaps", str(project))
        assert "project.gpkg is read-only" in line
        out = tmp_path / "ro.geojson"
        assert main(["export", str(project), "--out", str(out)]) == 0
        assert "Moss Lane Hall" in out.read_text(encoding="utf-8")
        assert (digest(project), digest(Path(str(project) + "-wal"))) == before
    finally:
        for f in (project, Path(str(project) + "-wal"), Path(str(project) + "-shm")):
            f.chmod(0o644)
    with Project.open(project) as p:  # writable again: editable again
        assert not p.readonly and p.readonly_reason == ""


def test_read_only_open_of_a_name_with_hash_and_spaces(project: Path, tmp_path: Path) -> None:
    named = tmp_path / "Ward 3 #2 (QGIS copy).gpkg"
    shutil.copy(project, named)
    with Project.open(named, readonly=True) as p:
        assert p.count("assets") == 3 and p.path == named


def test_new_project_over_a_file_with_unsaved_wal_is_refused(project: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    child = _hold_open(project, ["UPDATE assets SET name = 'Only in the WAL' WHERE name = 'Moss Lane Hall'"],
                       "SELECT 1")
    child.send_signal(signal.SIGKILL)
    child.wait()
    boundaries = tmp_path / "b.geojson"
    with Project.open(project, readonly=True) as p:
        p.neighbourhoods().to_file(boundaries, driver="GeoJSON")
    before = digest(project), digest(Path(str(project) + "-wal"))
    line = cli_fails_cleanly(capsys, "new", str(project), "--boundaries", str(boundaries), "--force")
    assert "project.gpkg cannot be replaced" in line and "project.gpkg-wal" in line
    assert (digest(project), digest(Path(str(project) + "-wal"))) == before
    with Project.open(project) as p:  # the old project and its last edit are all still there
        assert "Only in the WAL" in set(p.assets()["name"])


# --- layers renamed, dropped or added -----------------------------------------------------------


def test_renamed_layer_is_named_with_the_command_to_rename_it_back(project: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ogrinfo_sql(project, "ALTER TABLE assets RENAME TO assets_edited")
    before = digest(project)
    with pytest.raises(OutsideEditError) as err:
        Project.open(project)
    message = str(err.value)
    assert message.startswith("project.gpkg, layer 'assets': is missing, and layer 'assets_edited' has all of its "
                              "columns")
    assert "ALTER TABLE \"assets_edited\" RENAME TO assets" in message
    cli_fails_cleanly(capsys, "assets", str(project))
    assert digest(project) == before
    ogrinfo_sql(project, 'ALTER TABLE "assets_edited" RENAME TO assets')
    exercise(project, tmp_path, "Moss Lane Hall")


@pytest.mark.parametrize("layer", ["neighbourhoods", "asset_areas", "people", "settings"])
def test_deleted_layer_is_named_and_not_recreated_empty(project: Path, layer: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ogrinfo_sql(project, f"DROP TABLE {layer}")
    before = digest(project)
    with pytest.raises(OutsideEditError) as err:
        Project.open(project)  # for editing: must not quietly make a new, empty layer
    assert str(err.value).startswith(f"project.gpkg, layer '{layer}': is missing: it was deleted or renamed outside "
                                     "assetmap")
    line = cli_fails_cleanly(capsys, "gaps", str(project))
    assert f"layer '{layer}': is missing" in line
    assert digest(project) == before
    assert sql(project, "SELECT COUNT(*) FROM sqlite_master WHERE name = ?", (layer,)) == [(0,)]


def test_deleted_gap_results_are_worked_out_again(project: Path, tmp_path: Path) -> None:
    with Project.open(project) as p:
        run_gaps(p)
    ogrinfo_sql(project, "DROP TABLE gap_results")
    out = tmp_path / "map.html"
    assert main(["export", str(project), "--out", str(out)]) == 0  # read-only: no results, still a map
    assert sql(project, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'gap_results'") == [(0,)]
    exercise(project, tmp_path, "Victoria Park")  # gaps recreate the layer and store results in it
    assert sql(project, "SELECT COUNT(*) FROM gap_results") == [(2,)]
    assert "gap_results" in {name for name, _ in pyogrio.list_layers(project)}


def test_qgis_styles_and_spatial_index_do_not_get_in_the_way(project: Path, tmp_path: Path) -> None:
    # QGIS "Save style to datasource database" adds layer_styles; "Create spatial index" adds an R-tree.
    styles = tmp_path / "layer_styles.csv"
    styles.write_text("f_table_name,styleName,styleQML,useAsDefault\nassets,default,<qgis/>,1\n", encoding="utf-8")
    ogr2ogr("-update", "-nln", "layer_styles", project, styles)
    ogrinfo_sql(project, "SELECT CreateSpatialIndex('assets', 'geom')")
    with Project.open(project) as p:
        hall = p.assets().set_index("name").loc["Moss Lane Hall", "id"]
        p.update_asset(hall, {"geometry": shapely.Point(380250, 390750)})
        p.add_asset({"name": "New Library", "kind": "institutions/library"}, shapely.Point(381800, 390900))
    rtree = {fid: (minx, maxy) for fid, minx, maxy in sql(project, "SELECT id, minx, maxy FROM rtree_assets_geom")}
    fids = dict(sql(project, "SELECT name, fid FROM assets"))
    assert rtree[fids["Moss Lane Hall"]] == (380250, 390750) and fids["New Library"] in rtree
    assert sql(project, "SELECT COUNT(*) FROM layer_styles") == [(1,)]
    exercise(project, tmp_path, "New Library")
    assert len(sql(project, "SELECT id FROM rtree_assets_geom")) == 3


def test_unique_rule_added_in_qgis_gives_a_clear_message(project: Path) -> None:
    # DB Manager in QGIS: a unique index on UPRN (one record per property).
    sql(project, 'CREATE UNIQUE INDEX assets_uprn ON assets ("uprn")')
    with Project.open(project) as p:
        p.add_asset({"name": "Old Library", "kind": "institutions/library", "uprn": "100012345678"})
        with pytest.raises(LayerError) as err:
            p.add_asset({"name": "Library annexe", "kind": "institutions/library", "uprn": "100012345678"})
        assert str(err.value).startswith("project.gpkg, layer 'assets', column 'uprn': the change breaks a rule of "
                                         "this column (UNIQUE constraint failed: assets.uprn); nothing was changed")
        assert p.count("assets") == 4
