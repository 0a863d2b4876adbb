"""A project file from a stranger: its own code never runs, and bad stored values are one clear error.

Every project here is a real GeoPackage: made by assetmap, copied or indexed by GDAL's own command
line (ogr2ogr, ogrinfo), then tampered with through plain SQLite as another tool could. Commands
run as real ``python3 -m assetmap`` processes. The crafted-project catalogue lives in
``scripts/crafted_projects.py`` (also run on its own for the campaign figures).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely

from assetmap.core.analysis import run_gaps
from assetmap.core.project import Project, trust
from assetmap.core.project.repair import drop_foreign_objects, find_foreign_objects
from assetmap.core.project.trust import ForeignObjectsError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import crafted_projects as crafted  # noqa: E402
from test_store_outside_edits import sql  # noqa: E402 (plain SQL as QGIS's DB Manager runs it)

ISSUE_TRIGGERS = ("trigger_contacts_into_title", "trigger_private_made_public", "trigger_recursive_cte")


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The catalogue's base project (public and private assets, a resident's contact, an assessment, gap
    results), built once; tests work on copies. Yields its path and the assessed hall's id."""
    folder = tmp_path_factory.mktemp("crafted_base")
    path = folder / "base.gpkg"
    yield path, crafted.build_base(path)


@pytest.fixture
def project(base: tuple[Path, str], tmp_path: Path) -> Path:
    dest = tmp_path / "project.gpkg"
    shutil.copy(base[0], dest)
    return dest


def variant(base: tuple[Path, str], tmp_path: Path, name: str) -> Path:
    return crafted.make_variant(base[0], tmp_path / f"{name}.gpkg", name)


def assetmap(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assetmap", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def one_line(done: subprocess.CompletedProcess[str], command: str) -> str:
    """The command failed cleanly: exit 1, one line on stderr naming the command, no traceback."""
    err = done.stderr.strip()
    assert done.returncode == 1, (done.returncode, err)
    assert len(err.splitlines()) == 1 and err.startswith(f"assetmap {command}: ") and "Traceback" not in err, err
    return err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gdal(*args: str | Path) -> None:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr


def gdal_copy(project: Path, tmp_path: Path) -> Path:
    """The project saved again by GDAL (ogr2ogr -f GPKG): spatial indexes, feature-count and tile-matrix triggers."""
    dest = tmp_path / "through_gdal.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", dest, project)
    kinds = {name.split("_")[0] for (name,) in sql(dest, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert kinds == {"rtree", "trigger", "gpkg"}, kinds  # what this test means to cover is really there
    return dest


# --- triggers, views and tables assetmap did not make --------------------------------------------


@pytest.mark.parametrize("name", ISSUE_TRIGGERS)
def test_trigger_carrying_project_is_refused_and_nothing_is_exported(base: tuple[Path, str], tmp_path: Path,
                                                                     name: str) -> None:
    path = variant(base, tmp_path, name)
    before = digest(path)
    out = tmp_path / "map.html"
    line = one_line(assetmap("export", path, "--out", out), "export")
    assert "trigger '" in line and f"assetmap repair {path} --drop-foreign-objects" in line
    assert not out.exists() and not list(tmp_path.glob("map*"))  # nothing written, not even a temporary file
    # gaps writes results, which would fire the trigger: refused before anything is written (or hangs)
    line = one_line(assetmap("gaps", path, "--json"), "gaps")
    assert "trigger '" in line
    report = tmp_path / "report.html"
    one_line(assetmap("report", path, base[1], "--out", report), "report")
    assert not report.exists()
    assert digest(path) == before


def test_gdal_spatial_index_and_feature_count_triggers_are_accepted(project: Path, tmp_path: Path) -> None:
    gdal("ogrinfo", "-q", project, "-sql", "SELECT CreateSpatialIndex('assets', 'geom')")  # QGIS: Create index
    copy = gdal_copy(project, tmp_path)
    for path in (project, copy):
        assert find_foreign_objects(path) == []
        with Project.open(path) as p:
            hall = str(p.assets().set_index("name").loc["Moss Lane Hall", "id"])
            new = p.add_asset({"name": "New Library", "kind": "institutions/library"}, shapely.Point(381800, 390900))
            p.update_asset(hall, {"geometry": shapely.Point(380250, 390750)})
            p.delete_asset(new)
        fid = sql(path, "SELECT fid FROM assets WHERE name = 'Moss Lane Hall'")[0][0]
        assert sql(path, "SELECT minx, maxy FROM rtree_assets_geom WHERE id = ?", (fid,)) == [(380250, 390750)]
        assert len(sql(path, "SELECT id FROM rtree_assets_geom")) == 3  # the added-then-deleted one is gone
    assert sql(copy, "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'assets'") == [(3,)]
    done = assetmap("gaps", copy, "--json")
    assert done.returncode == 0, done.stderr
    gdal("ogrinfo", "-ro", "-so", copy, "assets")


@pytest.mark.parametrize("trigger, body", [
    ("rtree_assets_geom_insert", "UPDATE assets SET visibility = 'public'"),
    ("rtree_assets_geom_insert",  # GDAL's body, but writing another layer's index
     'INSERT OR REPLACE INTO "rtree_neighbourhoods_geom" VALUES (NEW."fid",ST_MinX(NEW."geom"), '
     'ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"))'),
    ("trigger_insert_feature_count_assets",
     "UPDATE settings SET value = json_quote((SELECT group_concat(contact) FROM people)) WHERE key = 'name'"),
])
def test_trigger_named_like_gdals_but_doing_something_else_is_foreign(project: Path, tmp_path: Path, trigger: str,
                                                                      body: str) -> None:
    copy = gdal_copy(project, tmp_path)
    sql(copy, f'DROP TRIGGER "{trigger}"')
    sql(copy, f'CREATE TRIGGER "{trigger}" AFTER INSERT ON "assets" WHEN (new."geom" NOT NULL) BEGIN {body}; END')
    with pytest.raises(ForeignObjectsError) as err:
        Project.open(copy)
    assert err.value.names == [f"trigger '{trigger}' on assets"]
    with pytest.raises(ForeignObjectsError):
        Project.open(copy, readonly=True)


def test_gdal_triggers_with_other_spacing_quoting_and_case_are_still_gdals(project: Path) -> None:
    gdal("ogrinfo", "-q", project, "-sql", "SELECT CreateSpatialIndex('assets', 'geom')")
    sql(project, "DROP TRIGGER rtree_assets_geom_delete")
    sql(project, "create trigger rtree_assets_geom_delete after delete on assets\n  when OLD.geom not null\n"
                 "begin\n  delete from rtree_assets_geom where id = old.fid;\nend;")  # the spec's own wording
    assert find_foreign_objects(project) == []


def test_views_tables_and_expression_indexes_are_foreign_but_plain_indexes_are_not(project: Path) -> None:
    sql(project, 'CREATE UNIQUE INDEX assets_uprn ON assets ("uprn")')  # a rule added in QGIS: fine
    sql(project, "CREATE INDEX people_names ON people (display_name COLLATE NOCASE DESC)")
    sql(project, "CREATE VIEW everyone AS SELECT display_name, contact FROM people")
    sql(project, "CREATE TABLE notes (x TEXT)")
    sql(project, "CREATE INDEX slow ON assets (length(zeroblob(1000)))")
    sql(project, "CREATE INDEX partial ON assets (name) WHERE visibility = 'private'")
    sql(project, "CREATE VIRTUAL TABLE gpkg_search USING fts5(x)")  # a GeoPackage-like name does not make it so
    with pytest.raises(ForeignObjectsError) as err:
        Project.open(project, readonly=True)
    assert sorted(err.value.names) == ["index 'partial' on assets", "index 'slow' on assets", "table 'gpkg_search'",
                                       "table 'notes'", "view 'everyone'"]


def test_repair_lists_then_drops_exactly_the_foreign_objects(base: tuple[Path, str], tmp_path: Path) -> None:
    path = variant(base, tmp_path, "trigger_private_made_public")
    gdal("ogrinfo", "-q", path, "-sql", "SELECT CreateSpatialIndex('assets', 'geom')")
    sql(path, "CREATE VIEW everyone AS SELECT display_name, contact FROM people")
    layer = tmp_path / "extra.geojson"  # a layer of someone's own saved into the project in QGIS
    layer.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"note": "x"}, '
                     '"geometry": {"type": "Point", "coordinates": [-2.3, 53.4]}}]}', encoding="utf-8")
    gdal("ogr2ogr", "-update", "-nln", "extra_layer", path, layer)
    before = digest(path)
    listed = assetmap("repair", path)
    assert listed.returncode == 1 and "--drop-foreign-objects" in listed.stderr
    for name in ("trigger 'publish' on gap_results", "view 'everyone'", "table 'extra_layer'",
                 "table 'rtree_extra_layer_geom'"):
        assert name in listed.stdout
    assert digest(path) == before  # listing changes nothing
    done = assetmap("repair", path, "--drop-foreign-objects")
    assert done.returncode == 0, done.stderr
    assert "trigger 'publish' on gap_results" in done.stdout and "view 'everyone'" in done.stdout
    assert find_foreign_objects(path) == []
    left = {n for (n,) in sql(path, "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table')")}
    assert "rtree_assets_geom_insert" in left and "rtree_assets_geom" in left  # GDAL's own index stays
    assert not any(n.startswith(("extra_layer", "rtree_extra_layer")) for n in left)
    assert sql(path, "SELECT COUNT(*) FROM gpkg_contents WHERE table_name = 'extra_layer'") == [(0,)]
    assert sql(path, "PRAGMA integrity_check") == [("ok",)]
    gdal("ogrinfo", "-ro", "-so", path, "assets")
    with Project.open(path) as p:  # it opens, and the refuge is still private after an analysis
        run_gaps(p)
        assert p.assets().set_index("name").loc[crafted.SECRET_NAME, "visibility"] == "private"
    assert drop_foreign_objects(path) == []


def test_a_trigger_added_while_the_project_is_open_is_refused_before_the_next_write(project: Path) -> None:
    with Project.open(project) as p:
        sql(project, "CREATE TRIGGER publish AFTER INSERT ON assets BEGIN UPDATE assets SET visibility = 'public'; END")
        with pytest.raises(ForeignObjectsError):
            p.add_asset({"name": "New Library", "kind": "institutions/library"}, shapely.Point(381800, 390900))
    assert sql(project, "SELECT COUNT(*) FROM assets WHERE visibility = 'private'") == [(1,)]
    assert sql(project, "SELECT COUNT(*) FROM assets WHERE name = 'New Library'") == [(0,)]


# --- hardened connections -----------------------------------------------------------------------


def test_every_project_connection_runs_with_an_untrusted_schema(project: Path) -> None:
    for readonly in (False, True):
        with Project.open(project, readonly=readonly) as p:
            assert p.connection.execute("PRAGMA trusted_schema").fetchone() == (0,)
            worker = Project.attach(project, readonly=readonly)
            try:
                assert worker.connection.execute("PRAGMA trusted_schema").fetchone() == (0,)
            finally:
                worker.close()
    conn = trust.open_sqlite(":memory:")
    conn.create_function("leak", 0, lambda: "contacts")
    conn.execute("CREATE VIEW v AS SELECT leak()")
    with pytest.raises(sqlite3.OperationalError, match="unsafe use of leak"):
        conn.execute("SELECT * FROM v").fetchall()
    if hasattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE"):  # Python 3.12+: no writing SQLite's schema by SQL either
        assert conn.getconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE)  # type: ignore[attr-defined]


def test_no_connection_in_core_bypasses_the_hardening() -> None:
    raw = [f"{path.relative_to(REPO)}:{n}" for path in sorted((REPO / "assetmap" / "core").rglob("*.py"))
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if "sqlite3.connect(" in line and path.name != "trust.py"]
    assert raw == [], "open SQLite through assetmap.core.project.trust.open_sqlite: " + ", ".join(raw)


# --- settings and stored results ----------------------------------------------------------------


@pytest.mark.parametrize("name, where", [
    ("taxonomy_additions_list_of_numbers", "key 'taxonomy_additions'"),
    ("schema_version_huge", "key 'schema_version'"),
    ("schema_version_negative", "key 'schema_version'"),
    ("srs_id_text_in_geometry_columns", "layer 'gpkg_geometry_columns', column 'srs_id'"),
    ("srs_id_text_in_spatial_ref_sys", "layer 'gpkg_geometry_columns', column 'srs_id'"),
    ("gap_result_junk_json", "layer 'gap_results', fid 1, column 'result'"),
    ("gap_result_deep_json", "layer 'gap_results', fid 1, column 'result'"),
    ("gap_result_wrong_fields", "layer 'gap_results', fid 1, column 'result'"),
    ("gap_run_a_list", "key 'gap_run'"),
    ("asset_at_infinity", "layer 'assets', fid 1, column 'geom'"),
    ("asset_far_away", "layer 'assets', fid 1, column 'geom'"),
])
def test_bad_stored_value_is_one_error_naming_it(base: tuple[Path, str], tmp_path: Path, name: str,
                                                 where: str) -> None:
    path = variant(base, tmp_path, name)
    line = one_line(assetmap("export", path, "--out", tmp_path / "map.html"), "export")
    assert where in line, line
    assert not (tmp_path / "map.html").exists()


def test_unreadable_gap_results_are_dropped_when_opened_for_editing(base: tuple[Path, str], tmp_path: Path) -> None:
    path = variant(base, tmp_path, "gap_result_junk_json")
    with Project.open(path) as p:
        assert any("gap results were dropped" in n for n in p.notices), p.notices
        assert p.count("gap_results") == 0
        run_gaps(p)
        assert p.count("gap_results") == 2
    done = assetmap("export", path, "--out", tmp_path / "map.html")
    assert done.returncode == 0, done.stderr


def test_crafted_project_campaign_has_no_traceback_hang_or_leak(tmp_path: Path) -> None:
    """The whole catalogue: every variant, every command a user runs next, in real processes."""
    assert len(crafted.VARIANTS) >= 20 and set(ISSUE_TRIGGERS) <= set(crafted.VARIANTS)
    outcomes = crafted.run_campaign(tmp_path)
    assert len(outcomes) == len(crafted.VARIANTS) * len(crafted.COMMANDS)
    failed = [o.line() for o in outcomes if o.failed]
    assert failed == [], "\n".join(failed)
    for o in outcomes:  # a refusal is one line naming the command
        if o.returncode:
            lines = [line for line in o.stderr.strip().splitlines() if not line.startswith("Exporting [")]
            assert len(lines) == 1 and lines[0].startswith(f"assetmap {o.command.split('#')[0]}: "), o.line()
