"""The project store: one GeoPackage file holding a community's assets, boundaries, people and settings.

Every edit is one SQLite transaction, so a crash loses at most the edit in flight. Writing a whole
file (new project, sample, save as) goes through ``atomic_path``. Editing needs the lock file;
``readonly=True`` opens without it (for viewing a project someone else is editing).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from assetmap.core.errors import AssetmapError, SchemaVersionError
from assetmap.core.model import (
    ASSET_FIELD_NAMES,
    new_id,
    now_iso,
    validate_asset,
)
from assetmap.core.project import gpkg
from assetmap.core.project.atomic import atomic_path
from assetmap.core.project.files import (
    NEIGHBOURHOOD_FIELDS,
    as_multipolygon,
    check_project_file,
    connect,
    create_table,
    insert_neighbourhoods,
    plain_value,
    read_schema_version,
)
from assetmap.core.project.lock import ProjectLock
from assetmap.core.project.people import PeopleMixin
from assetmap.core.project.schema import MIGRATIONS, SCHEMA_VERSION, TABLES
from assetmap.core.taxonomy import Taxonomy, default_taxonomy


class Project(PeopleMixin):
    """An open project. Use ``Project.create`` to write a new file and ``Project.open`` to edit one."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool, lock: ProjectLock | None) -> None:
        self.path = path
        self._conn = conn
        self.readonly = readonly
        self._lock = lock
        row = conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='assets'").fetchone()
        self.srs_id = int(row[0])
        self.crs = CRS.from_user_input(self.get_setting("crs"))
        self._taxonomy: Taxonomy | None = None
        self._depth = 0  # nesting of transaction() calls

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
            conn = sqlite3.connect(tmp, isolation_level=None)
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
        """Open a project for editing (taking the lock) or read-only, checking that it is one."""
        path = Path(path)
        check_project_file(path)
        lock = None
        if not readonly:
            lock = ProjectLock(path)
            lock.acquire()
        try:
            conn = connect(path, readonly)
            version = read_schema_version(conn, path)
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"{path.name} was saved by a newer assetmap (project version {version}; this assetmap reads "
                    f"up to {SCHEMA_VERSION}). Update assetmap to open it."
                )
            project = cls(path, conn, readonly, lock)
            if not readonly:
                project._upgrade(version)
        except BaseException:
            if lock:
                lock.release()
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
        conn = connect(path, readonly)
        read_schema_version(conn, path)
        return cls(path, conn, readonly, None)

    def _upgrade(self, version: int) -> None:
        with self.transaction() as conn:
            existing = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
            for table in TABLES:
                if table.name not in existing:
                    create_table(conn, table, self.srs_id)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[step](conn)
            if version < SCHEMA_VERSION:
                self.set_setting("schema_version", SCHEMA_VERSION)

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
            raise AssetmapError(f"{self.path.name} is open read-only; nothing can be changed.")
        conn = self._conn
        if conn.in_transaction:
            self._depth += 1
            name = f"edit_{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
                raise
            finally:
                self._depth -= 1
            conn.execute(f"RELEASE {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @property
    def connection(self) -> sqlite3.Connection:
        """For read queries by other core modules (analysis, export); writes go through ``transaction``."""
        return self._conn

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute('SELECT "value" FROM settings WHERE "key"=?', (key,)).fetchone()
        return default if row is None or row[0] is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON value; inside another edit's ``transaction()`` it commits with that edit."""
        with self.transaction() as conn:
            conn.execute('INSERT INTO settings ("key", "value") VALUES (?, ?) '
                         'ON CONFLICT("key") DO UPDATE SET "value"=excluded."value"', (key, json.dumps(value)))

    @property
    def name(self) -> str:
        return str(self.get_setting("name", self.path.stem))

    @property
    def taxonomy(self) -> Taxonomy:
        """The default taxonomy plus the kinds this project added (setting ``taxonomy_additions``)."""
        if self._taxonomy is None:
            extra = self.get_setting("taxonomy_additions", [])
            if extra:
                from assetmap.core.resources import load_json

                self._taxonomy = Taxonomy.from_dict(load_json("taxonomy.json"), extra)
            else:
                self._taxonomy = default_taxonomy()
        return self._taxonomy

    # --- reading ----------------------------------------------------------------------------

    def _read_layer(self, table: str, columns: Sequence[str], where: str = "", params: Sequence = ()) -> gpd.GeoDataFrame:
        cols = ", ".join(f'"{c}"' for c in columns)
        df = pd.read_sql_query(f'SELECT {cols}, geom FROM "{table}" {where} ORDER BY fid', self._conn, params=params)
        geoms = gpkg.decode_many(df.pop("geom").tolist()) if len(df) else []
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
        return self._read_layer("asset_areas", ("asset_id", "area_m2"))

    def neighbourhoods(self) -> gpd.GeoDataFrame:
        return self._read_layer("neighbourhoods", NEIGHBOURHOOD_FIELDS)

    def count(self, table: str) -> int:
        return int(self._conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])

    def summary(self) -> dict[str, Any]:
        """Counts a user wants to see after building or importing."""
        rows = self._conn.execute(
            "SELECT category, COUNT(*), SUM(geom IS NULL) FROM assets GROUP BY category ORDER BY category").fetchall()
        return {
            "project": str(self.path), "name": self.name, "crs": self.crs.to_string(),
            "neighbourhoods": self.count("neighbourhoods"), "assets": sum(r[1] for r in rows),
            "unlocated": sum(int(r[2] or 0) for r in rows), "by_category": {r[0]: r[1] for r in rows},
            "asset_areas": self.count("asset_areas"), "people": self.count("people"),
        }

    # --- editing assets ---------------------------------------------------------------------

    def add_assets(
        self,
        records: Sequence[Mapping[str, Any]],
        geometries: Sequence[shapely.Geometry | None],
        areas: Sequence[shapely.Geometry | None] | None = None,
    ) -> list[str]:
        """Add validated assets (and their footprints) in one transaction; returns their ids."""
        clean = [validate_asset(r, self.taxonomy) for r in records]
        stamp = now_iso()
        ids: list[str] = []
        with self.transaction() as conn:
            for i, rec in enumerate(clean):
                rec["id"] = rec.get("id") or new_id()
                rec["created_at"] = rec.get("created_at") or stamp
                rec["updated_at"] = rec.get("updated_at") or stamp
                self._insert_asset(conn, rec, geometries[i])
                area = areas[i] if areas is not None else None
                if area is not None and not area.is_empty:
                    self._insert_area(conn, rec["id"], area)
                ids.append(rec["id"])
            gpkg.update_extent(conn, "assets")
            if areas is not None:
                gpkg.update_extent(conn, "asset_areas")
        return ids

    def add_asset(self, values: Mapping[str, Any], geometry: shapely.Geometry | None = None,
                  area: shapely.Geometry | None = None) -> str:
        return self.add_assets([values], [geometry], [area])[0]

    def _insert_asset(self, conn: sqlite3.Connection, rec: Mapping[str, Any], geom: shapely.Geometry | None) -> None:
        cols = ", ".join(f'"{c}"' for c in ASSET_FIELD_NAMES)
        marks = ", ".join("?" for _ in ASSET_FIELD_NAMES)
        values = [plain_value(rec.get(c)) for c in ASSET_FIELD_NAMES]
        conn.execute(f"INSERT INTO assets ({cols}, geom) VALUES ({marks}, ?)", (*values, gpkg.encode(geom, self.srs_id)))

    def _insert_area(self, conn: sqlite3.Connection, asset_id: str, area: shapely.Geometry) -> None:
        poly = as_multipolygon(area)
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
            gpkg.update_extent(conn, "assets")
        return {k: before.get(k) for k in changes}

    def delete_asset(self, asset_id: str) -> dict[str, Any]:
        """Remove an asset and its footprint; returns everything needed to restore it."""
        record = self.asset(asset_id)
        areas = self.asset_areas()
        match = areas[areas["asset_id"] == asset_id]
        record["_area"] = match.geometry.iloc[0] if len(match) else None
        with self.transaction() as conn:
            conn.execute("DELETE FROM asset_areas WHERE asset_id=?", (asset_id,))
            conn.execute("DELETE FROM assets WHERE id=?", (asset_id,))
            gpkg.update_extent(conn, "assets")
        return record

    def restore_asset(self, record: Mapping[str, Any]) -> None:
        """Put back an asset removed by ``delete_asset`` (same id and timestamps)."""
        values = {k: v for k, v in record.items() if k not in ("geometry", "_area")}
        self.add_assets([values], [record.get("geometry")], [record.get("_area")])

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
            target = sqlite3.connect(tmp)
            try:
                self._conn.backup(target)
            finally:
                target.close()
        return dest
