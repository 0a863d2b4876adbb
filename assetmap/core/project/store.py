"""The project store: one GeoPackage file holding a community's assets, boundaries, people and settings.

Every edit is one SQLite transaction, so a crash loses at most the edit in flight. Writing a whole
file (new project, sample, save as) goes through ``atomic_path``. Editing needs the lock file;
``readonly=True`` opens without it (for viewing a project someone else is editing).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from assetmap.core.errors import AssetmapError, NotAProjectError, ProjectLockedError, SchemaVersionError
from assetmap.core.model import (
    ASSET_FIELD_NAMES,
    new_id,
    now_iso,
    plain_value,
    validate_asset,
)
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project import gpkg, outside, trust
from assetmap.core.project.atomic import atomic_path
from assetmap.core.project.files import (
    NEIGHBOURHOOD_FIELDS,
    as_multipolygon,
    check_project_file,
    connect,
    create_table,
    insert_neighbourhoods,
    read_schema_version,
    readonly_reason,
)
from assetmap.core.project.lock import ProjectLock
from assetmap.core.project.people import PeopleMixin
from assetmap.core.project.recover import roll_back_interrupted_save
from assetmap.core.project.schema import MIGRATIONS, SCHEMA_VERSION, TABLES
from assetmap.core.taxonomy import Taxonomy

ADD_BATCH = 500  # add_assets looks for Cancel every this many assets


def _envelope(geoms: Sequence[shapely.Geometry | None]) -> shapely.Geometry | None:
    """The box around ``geoms`` (None when all are missing or empty), to widen a layer's extent in one step."""
    present = [g for g in geoms if g is not None and not g.is_empty]
    if not present:
        return None
    return shapely.box(*shapely.total_bounds(np.asarray(present, dtype=object)))


class Project(PeopleMixin):
    """An open project. Use ``Project.create`` to write a new file and ``Project.open`` to edit one."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool, lock: ProjectLock | None) -> None:
        self.path = path
        self._conn = conn
        self.readonly = readonly
        self._lock = lock
        self.readonly_reason = ""  # set when a project asked for editing could only be opened read-only
        self.notices: list[str] = []  # what assetmap completed or repaired of edits made outside it
        self.srs_id = outside.layer_srs_id(conn, path)
        self._guard = trust.WriteGuard(path, trust.Verified(-1, False))  # checked again before any write until set
        crs = self.get_setting("crs")
        try:
            self.crs = CRS.from_user_input(crs)
        except Exception:  # pyproj's CRSError, or a value of the wrong type
            raise outside.OutsideEditError(path, [outside.Problem("settings", None, "value", (
                f"{crs!r} (key 'crs') is not a coordinate system; expected one such as \"EPSG:27700\""))],
                outside.ROW_ADVICE) from None
        self._taxonomy: Taxonomy | None = None
        self._depth = 0  # nesting of transaction() calls
        self._data_version: int | None = None  # PRAGMA data_version when outside edits were last checked
        self._recreate: list[str] = []  # optional layers missing from the file
        self._saved_notices: list[str] = []
        self._file_version = SCHEMA_VERSION  # the schema version the file was saved at (older: upgraded on edit)

    # --- opening and creating ---------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        crs: CRS | str | int,
        *,
        name: str = "",
        neighbourhoods: gpd.GeoDataFrame | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> Path:
        """Write a new, empty project (with its boundaries) atomically; returns its path."""
        path = Path(path)
        crs = CRS.from_user_input(crs)
        if not crs.is_projected:
            raise AssetmapError("A project's coordinate system must be projected (in metres), such as EPSG:27700.")
        with atomic_path(path) as tmp:
            conn = trust.open_sqlite(tmp)
            try:
                conn.execute("BEGIN")
                gpkg.init_geopackage(conn)
                srs_id = gpkg.add_srs(conn, crs)
                for table in TABLES:
                    create_table(conn, table, srs_id)
                base = {"schema_version": SCHEMA_VERSION, "crs": crs.to_string() if crs.to_epsg() else crs.to_wkt(),
                        "name": name or path.stem, "created_at": now_iso()}
                base.update(settings or {})
                conn.executemany('INSERT INTO settings ("key", "value") VALUES (?, ?)',
                                 [(k, json.dumps(v)) for k, v in base.items()])
                if neighbourhoods is not None and len(neighbourhoods):
                    insert_neighbourhoods(conn, neighbourhoods.to_crs(crs), srs_id)
                for table in TABLES:
                    if table.geometry:
                        gpkg.update_extent(conn, table.name)
                conn.execute("COMMIT")
            finally:
                conn.close()
        return path

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> "Project":
        """Open a project for editing (taking the lock) or read-only, checking that it is one.

        A project that cannot be written (a read-only file or folder) opens read-only instead, with
        ``readonly_reason`` saying why; every edit then fails with that message. Edits made outside
        assetmap are checked here (see ``outside``): completed, or one ``OutsideEditError``.
        """
        path = Path(path)
        check_project_file(path)
        reason = ""
        if not readonly:
            why = readonly_reason(path)
            if why:
                reason, readonly = cls._readonly_message(path, why), True
        lock = None
        if not readonly:
            lock = ProjectLock(path)
            try:
                lock.acquire()
            except ProjectLockedError:
                raise
            except OSError as exc:
                lock = None
                why = f"assetmap cannot create {path.name}.lock beside it ({exc.strerror or exc})"
                reason, readonly = cls._readonly_message(path, why), True
        try:
            if readonly:  # a crash mid-save left a journal that only a writer can roll back
                roll_back_interrupted_save(path)
            project = cls._connect(path, readonly, lock)
        except BaseException:
            if lock:
                lock.release()
            raise
        project.readonly_reason = reason
        return project

    @staticmethod
    def _unreadable(path: Path, exc: sqlite3.Error) -> str:
        wal = path.with_name(path.name + "-wal")
        if "unable to open" in str(exc) and wal.exists():
            return (f"{path.name} cannot be read: another program (QGIS?) left changes in {wal.name}, and SQLite "
                    f"cannot create {path.name}-shm beside it to read them (is the folder read-only?). Copy the "
                    f"project and {wal.name} to a folder you can write to, or open it once in QGIS there.")
        return f"{path.name} cannot be read: {exc}."

    @staticmethod
    def _readonly_message(path: Path, why: str) -> str:
        return (f"{path.name} is read-only ({why}), so assetmap opened it for viewing only: nothing can be changed. "
                "To edit it, make it writable (in its Properties, or chmod u+w) and open it again.")

    @classmethod
    def _connect(cls, path: Path, readonly: bool, lock: ProjectLock | None, *, upgrade: bool = True) -> "Project":
        conn = connect(path, readonly)
        version = SCHEMA_VERSION
        try:
            try:
                outside.check_is_project(conn, path)
                if "settings" in outside.table_names(conn):
                    version = read_schema_version(conn, path)
                    if version > SCHEMA_VERSION:
                        raise SchemaVersionError(
                            f"{path.name} was saved by a newer assetmap (project version {version}; this assetmap "
                            f"reads up to {SCHEMA_VERSION}). Update assetmap to open it."
                        )
                recreate = outside.check_layers(conn, path, version)
                verified = trust.check_schema(conn, path)  # before anything can fire a trigger (see trust)
                project = cls(path, conn, readonly, lock)
                project._file_version = version
                project._guard = trust.WriteGuard(path, verified)
            except sqlite3.DatabaseError as exc:  # not SQLite after all, damaged, or its WAL cannot be read
                raise NotAProjectError(cls._unreadable(path, exc)) from None
        except BaseException:
            conn.close()
            raise
        try:
            project._recreate = recreate
            if not readonly:
                project._leave_wal()
                if upgrade:
                    project._upgrade(version)
            project._check_outside_edits()
        except BaseException:
            project._lock = None  # the caller releases it
            project.close()
            raise
        return project

    @classmethod
    def attach(cls, path: str | Path, *, readonly: bool = False) -> "Project":
        """Another handle on a project this process already has open, for a worker thread.

        SQLite connections belong to the thread that made them, so a background job needs its own;
        it takes no lock (the first handle holds it) and waits for the other handle's writes.
        """
        path = Path(path)
        check_project_file(path)
        reason = readonly_reason(path) if not readonly else None
        project = cls._connect(path, readonly or bool(reason), None, upgrade=False)
        if reason:
            project.readonly_reason = cls._readonly_message(path, reason)
        return project

    def _leave_wal(self) -> None:
        """Put a file another program left in WAL mode (QGIS does) back to one file, unless it is still open there."""
        if str(self._conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            return
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            self._conn.execute("PRAGMA journal_mode = DELETE")  # checkpoints the WAL into the file first
        except sqlite3.OperationalError:
            pass  # still open elsewhere: SQLite keeps both programs' changes safe in WAL mode
        finally:
            self._conn.execute("PRAGMA busy_timeout = 30000")

    def _check_outside_edits(self) -> None:
        """Check what was edited outside assetmap (again whenever another program changed the file); see ``outside``."""
        conn = self._conn
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version:
            return
        self._guard.recheck(conn)  # another program may have added a trigger or view since
        self._taxonomy = None  # another program (or handle) may have added or removed the project's kinds
        if self._data_version is not None:
            self._recreate = outside.check_layers(conn, self.path, self._file_version)
        if self.readonly:
            for table in TABLES:
                conn.execute(f'DROP TABLE IF EXISTS temp."{table.name}"')
            for table in TABLES:  # empty stand-ins, so readers need not ask whether the layer exists
                if table.name in self._recreate:
                    conn.execute(f'CREATE TEMP TABLE "{table.name}" ("fid" INTEGER PRIMARY KEY, {table.columns}'
                                 + (', "geom" BLOB)' if table.geometry else ")"))
            if self._file_version < SCHEMA_VERSION:
                outside.stand_in_new_columns(conn, self._file_version)
        adoption, problems = outside.scan_assets(conn, self.srs_id, self.taxonomy)
        hood_problems, hood_notes = outside.scan_neighbourhoods(conn, self.srs_id)
        area_problems, area_notes = outside.scan_asset_areas(conn, self.srs_id)
        outside.raise_problems(self.path, [*problems, *hood_problems, *area_problems])
        gap_notes = self._drop_unreadable_gap_results()
        if adoption.fixes:
            if self.readonly:  # the file stays as it is; this handle reads a completed copy of the layer
                if not conn.execute("SELECT 1 FROM sqlite_temp_master WHERE type='table' AND name='assets'").fetchone():
                    conn.execute("CREATE TEMP TABLE assets AS SELECT * FROM main.assets")
                outside.apply_fixes(conn, "temp", adoption.fixes)
            else:
                with self.transaction() as tx:
                    outside.apply_fixes(tx, "main", adoption.fixes)
                    gpkg.update_extent(tx, "assets")
        if adoption.notices:
            verb = "completed in this read-only view" if self.readonly else "completed and saved"
            note = f"assets edited outside assetmap, {verb}: " + "; ".join(adoption.notices)
            self._saved_notices = (self._saved_notices if not self.readonly else []) + [note]
        elif self.readonly:
            self._saved_notices = []
        self.notices = self._saved_notices + hood_notes + area_notes + gap_notes
        self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]

    def _drop_unreadable_gap_results(self) -> list[str]:
        """Stored gap results that cannot be read: one error when read-only; dropped (all of that run, which
        ``assetmap gaps`` works out again) when open for editing, with a note saying so."""
        problems = outside.scan_gap_results(self._conn)
        if not problems:
            return []
        if self.readonly:
            outside.raise_problems(self.path, problems, outside.GAP_ADVICE)
        with self.transaction() as tx:
            tx.execute("DELETE FROM gap_results")
        first = problems[0]
        return [f"gap_results fid {first.fid}: the stored result {first.message}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                + "; the stored gap results were dropped: run the gap analysis again"]

    def _upgrade(self, version: int) -> None:
        with self.transaction() as conn:
            existing = outside.table_names(conn)
            registered = {r[0].lower() for r in conn.execute("SELECT table_name FROM gpkg_contents")}
            for table in TABLES:
                if table.name not in existing:
                    if table.name in registered:  # dropped with plain SQL: its GeoPackage entries stayed behind
                        conn.execute("DELETE FROM gpkg_geometry_columns WHERE lower(table_name)=?", (table.name,))
                        conn.execute("DELETE FROM gpkg_contents WHERE lower(table_name)=?", (table.name,))
                    create_table(conn, table, self.srs_id)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](conn)
            if version < SCHEMA_VERSION:
                self.set_setting("schema_version", SCHEMA_VERSION)
                self._file_version = SCHEMA_VERSION

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions and settings ----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic edit: everything inside is committed together or not at all.

        Nested calls join the outer edit (through a savepoint), so a core function that makes
        several changes can wrap calls to others and still commit once.
        """
        if self.readonly:
            raise AssetmapError(self.readonly_reason or f"{self.path.name} is open read-only; nothing can be changed.")
        conn = self._conn
        if conn.in_transaction:
            self._depth += 1
            name = f"edit_{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                if isinstance(exc, sqlite3.Error):
                    raise self._write_error(exc) from None
                raise
            finally:
                self._depth -= 1
            conn.execute(f"RELEASE {name}")
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        try:
            with self._guard.writing(conn):  # the schema checked again; GDAL's verified triggers may run
                yield conn
                conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._write_error(exc) from None
            raise

    def _write_error(self, exc: sqlite3.Error) -> AssetmapError:
        """An SQLite failure while saving, as one line a user can act on (the edit has been rolled back)."""
        text = str(exc)
        name = self.path.name
        rule = re.search(r"constraint failed: ([^.\s]+)\.([^\s,]+)", text)
        if rule:
            table, column = rule.groups()
            extra = "" if column in ASSET_FIELD_NAMES else " (a column added outside assetmap, which it does not fill)"
            return outside.LayerError(self.path, [outside.Problem(table, None, column, (
                f"the change breaks a rule of this column{extra} ({text}); nothing was changed. Change the value, or "
                "give the column a default value or relax the rule in QGIS"))])
        if "readonly" in text or "read-only" in text:
            return AssetmapError(f"{name} cannot be written ({text}); nothing was changed. It was made read-only or "
                                 "moved while open: make it writable and open it again.")
        if "locked" in text or "busy" in text:
            return AssetmapError(f"{name} is busy: another program (QGIS?) is saving changes to it; nothing was "
                                 "changed. Try again in a moment, or close the project there.")
        return AssetmapError(f"{name}: the change could not be saved ({text}); nothing was changed.")

    @property
    def connection(self) -> sqlite3.Connection:
        """For read queries by other core modules (analysis, export); writes go through ``transaction``."""
        self._check_outside_edits()
        return self._conn

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute('SELECT "value" FROM settings WHERE "key"=?', (key,)).fetchone()
        if row is None or row[0] is None:
            return default
        try:
            return outside.check_setting(self.path, key, json.loads(row[0]))
        except RecursionError:
            raise outside.OutsideEditError(self.path, [outside.Problem("settings", None, "value", (
                f"key '{key}' is JSON nested too deeply to read"))], outside.ROW_ADVICE) from None
        except (TypeError, ValueError):
            raise outside.OutsideEditError(self.path, [outside.Problem("settings", None, "value", (
                f"'{str(row[0])[:60]}' (key '{key}') is not JSON; expected JSON text such as \"text\", 12 or "
                "{...}"))], outside.ROW_ADVICE) from None

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON value; inside another edit's ``transaction()`` it commits with that edit."""
        with self.transaction() as conn:
            conn.execute('INSERT INTO settings ("key", "value") VALUES (?, ?) '
                         'ON CONFLICT("key") DO UPDATE SET "value"=excluded."value"', (key, json.dumps(value)))
        if key == "taxonomy_additions":
            self._taxonomy = None  # read again with the project's new kinds

    @property
    def name(self) -> str:
        return str(self.get_setting("name", self.path.stem))

    @property
    def taxonomy(self) -> Taxonomy:
        """The default taxonomy plus the kinds this project added (setting ``taxonomy_additions``, see ``kinds``)."""
        if self._taxonomy is None:
            from assetmap.core.project.kinds import project_taxonomy

            self._taxonomy = project_taxonomy(self.get_setting("taxonomy_additions", []), self.path)
        return self._taxonomy

    # --- reading ----------------------------------------------------------------------------

    def _read_layer(self, table: str, columns: Sequence[str], where: str = "",
                    params: Sequence[Any] = ()) -> gpd.GeoDataFrame:
        self._check_outside_edits()
        cols = ", ".join(f'"{c}"' for c in columns)
        df = pd.read_sql_query(f'SELECT {cols}, geom FROM "{table}" {where} ORDER BY fid', self._conn, params=params)
        geoms: Any = gpkg.decode_many(df.pop("geom").tolist()) if len(df) else []
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index), crs=self.crs)

    def assets(self, *, include_private: bool = True) -> gpd.GeoDataFrame:
        """All assets as a GeoDataFrame in the project CRS (unlocated ones have no geometry)."""
        where = "" if include_private else "WHERE visibility = 'public'"
        return self._read_layer("assets", ASSET_FIELD_NAMES, where)

    def asset(self, asset_id: str) -> dict[str, Any]:
        found = self._read_layer("assets", ASSET_FIELD_NAMES, "WHERE id = ?", (asset_id,))
        if found.empty:
            raise AssetmapError(f"No asset with id {asset_id} in {self.path.name}.")
        record = found.iloc[0].to_dict()
        return {k: plain_value(v) if k != "geometry" else v for k, v in record.items()}

    def asset_areas(self) -> gpd.GeoDataFrame:
        """Footprints of the project's assets, valid, with their area worked out from the shape itself.

        A footprint whose asset was deleted outside assetmap stays in the file but is not returned,
        and one reshaped in QGIS gets its new area rather than the stored one.
        """
        areas = self._read_layer("asset_areas", ("asset_id", "area_m2"),
                                 'WHERE geom IS NOT NULL AND "asset_id" IN (SELECT "id" FROM assets)')
        areas = self._valid_areas(areas)
        areas["area_m2"] = areas.geometry.area.astype(float)
        return areas

    def neighbourhoods(self) -> gpd.GeoDataFrame:
        """Neighbourhood boundaries, valid: one made invalid in another program is repaired here, not in the file."""
        return self._valid_areas(self._read_layer("neighbourhoods", NEIGHBOURHOOD_FIELDS))

    def _valid_areas(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        if len(geoms):
            fine = shapely.is_valid(geoms) & (shapely.get_type_id(geoms) == 6) & ~shapely.has_z(geoms)
            for i in np.flatnonzero(~fine):
                geoms[i] = outside.polygonal(geoms[i])
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=self.crs))
        return gdf[gdf.geometry.notna()].reset_index(drop=True)

    def count(self, table: str) -> int:
        return int(self._conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])

    def summary(self) -> dict[str, Any]:
        """Counts a user wants to see after building or importing."""
        self._check_outside_edits()
        rows = self._conn.execute(
            "SELECT category, COUNT(*), SUM(geom IS NULL) FROM assets GROUP BY category ORDER BY category").fetchall()
        areas = self._conn.execute('SELECT COUNT(*) FROM asset_areas WHERE geom IS NOT NULL AND "asset_id" IN '
                                   '(SELECT "id" FROM assets)').fetchone()[0]
        return {
            "project": str(self.path), "name": self.name, "crs": self.crs.to_string(),
            "neighbourhoods": self.count("neighbourhoods"), "assets": sum(r[1] for r in rows),
            "unlocated": sum(int(r[2] or 0) for r in rows), "by_category": {r[0]: r[1] for r in rows},
            "asset_areas": int(areas), "people": self.count("people"),
        }

    # --- editing assets ---------------------------------------------------------------------

    def add_assets(
        self,
        records: Sequence[Mapping[str, Any]],
        geometries: Sequence[shapely.Geometry | None],
        areas: Sequence[shapely.Geometry | None] | None = None,
        *,
        progress: Progress | None = None,
    ) -> list[str]:
        """Add validated assets (and their footprints) in one transaction; returns their ids.

        ``progress`` is checked between batches inside the transaction, so a Cancel rolls all of it back.
        """
        progress = ensure_progress(progress)
        total = len(records)
        clean = []
        for i, r in enumerate(records):
            if i % ADD_BATCH == 0:
                progress.update(i, 2 * total, f"Checking asset {i + 1:,} of {total:,}")
            clean.append(validate_asset(r, self.taxonomy))
        stamp = now_iso()
        ids: list[str] = []
        with self.transaction() as conn:
            for i, rec in enumerate(clean):
                if i % ADD_BATCH == 0:
                    progress.update(total + i, 2 * total, f"Saving asset {i + 1:,} of {total:,}")
                rec["id"] = rec.get("id") or new_id()
                rec["created_at"] = rec.get("created_at") or stamp
                rec["updated_at"] = rec.get("updated_at") or stamp
                self._insert_asset(conn, rec, geometries[i])
                area = areas[i] if areas is not None else None
                if area is not None and not area.is_empty:
                    self._insert_area(conn, rec["id"], area)
                ids.append(rec["id"])
            gpkg.grow_extent(conn, "assets", _envelope(geometries))
            if areas is not None:
                gpkg.grow_extent(conn, "asset_areas", _envelope(areas))
        return ids

    def add_asset(self, values: Mapping[str, Any], geometry: shapely.Geometry | None = None,
                  area: shapely.Geometry | None = None) -> str:
        return self.add_assets([values], [geometry], [area])[0]

    def _insert_asset(self, conn: sqlite3.Connection, rec: Mapping[str, Any], geom: shapely.Geometry | None,
                      extra: Mapping[str, Any] | None = None) -> None:
        extra = dict(extra or {})
        names = [*ASSET_FIELD_NAMES, *extra]
        cols = ", ".join(outside.quote(c) for c in names)
        marks = ", ".join("?" for _ in names)
        values = [plain_value(rec.get(c)) for c in ASSET_FIELD_NAMES] + [plain_value(v) for v in extra.values()]
        conn.execute(f"INSERT INTO assets ({cols}, geom) VALUES ({marks}, ?)",
                     (*values, gpkg.encode(geom, self.srs_id)))

    def _insert_area(self, conn: sqlite3.Connection, asset_id: str, area: shapely.Geometry) -> None:
        poly = as_multipolygon(area)
        if poly is None:  # an empty footprint is no footprint: the point stands alone
            return
        conn.execute("INSERT INTO asset_areas (asset_id, area_m2, geom) VALUES (?, ?, ?)",
                     (asset_id, float(poly.area), gpkg.encode(poly, self.srs_id)))

    def update_asset(self, asset_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change some fields (and/or 'geometry'); returns the previous values of what changed."""
        before = self.asset(asset_id)
        merged = {**before, **{k: v for k, v in changes.items() if k != "geometry"}}
        clean = validate_asset(merged, self.taxonomy)
        clean["updated_at"] = now_iso()
        with self.transaction() as conn:
            sets = ", ".join(f'"{c}"=?' for c in ASSET_FIELD_NAMES if c != "id")
            values = [plain_value(clean.get(c)) for c in ASSET_FIELD_NAMES if c != "id"]
            geom = changes["geometry"] if "geometry" in changes else before["geometry"]
            conn.execute(f"UPDATE assets SET {sets}, geom=? WHERE id=?",
                         (*values, gpkg.encode(geom, self.srs_id), asset_id))
            gpkg.grow_extent(conn, "assets", geom)
        return {k: before.get(k) for k in changes}

    def delete_asset(self, asset_id: str) -> dict[str, Any]:
        """Remove an asset and its footprint; returns everything needed to restore it.

        That includes the values of columns added to the layer outside assetmap (``_extra``), so
        undoing the delete brings those back too.
        """
        record = self.asset(asset_id)
        cur = self._conn.execute('SELECT * FROM assets WHERE "id"=? ORDER BY fid LIMIT 1', (asset_id,))
        names = [d[0] for d in cur.description]
        known = {c.lower() for c in (*ASSET_FIELD_NAMES, "fid", "geom")}
        record["_extra"] = {n: v for n, v in zip(names, cur.fetchone() or ()) if n.lower() not in known}
        row = self._conn.execute('SELECT geom FROM asset_areas WHERE "asset_id"=? ORDER BY fid LIMIT 1',
                                 (asset_id,)).fetchone()
        record["_area"] = gpkg.read_blob(row[0])[1] if row else None
        with self.transaction() as conn:
            conn.execute("DELETE FROM asset_areas WHERE asset_id=?", (asset_id,))
            conn.execute("DELETE FROM assets WHERE id=?", (asset_id,))
            # the bounding box still bounds what is left (gpkg_contents' box is informative), so a delete leaves it
        return record

    def restore_asset(self, record: Mapping[str, Any]) -> None:
        """Put back an asset removed by ``delete_asset`` exactly as it was (same id, timestamps and extra columns)."""
        values = {k: v for k, v in record.items() if k != "geometry" and not k.startswith("_")}
        if not values.get("id"):
            raise AssetmapError("Cannot restore an asset without its id.")
        area = record.get("_area")
        with self.transaction() as conn:
            self._insert_asset(conn, values, record.get("geometry"), record.get("_extra"))
            if area is not None and not area.is_empty:
                self._insert_area(conn, values["id"], area)
                gpkg.grow_extent(conn, "asset_areas", area)
            gpkg.grow_extent(conn, "assets", record.get("geometry"))

    # --- neighbourhoods and people ----------------------------------------------------------

    def replace_neighbourhoods(self, neighbourhoods: gpd.GeoDataFrame) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM neighbourhoods")
            insert_neighbourhoods(conn, neighbourhoods.to_crs(self.crs), self.srs_id)
            gpkg.update_extent(conn, "neighbourhoods")

    # --- whole-file operations --------------------------------------------------------------

    def save_as(self, dest: str | Path) -> Path:
        """Copy the project to a new file atomically (SQLite's online backup: consistent even mid-edit)."""
        dest = Path(dest)
        with atomic_path(dest) as tmp:
            target = trust.open_sqlite(tmp)
            try:
                self._conn.backup(target)
            finally:
                target.close()
        return dest
