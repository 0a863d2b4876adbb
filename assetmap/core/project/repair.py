"""Removing what a project file should not hold: the foreign triggers, views, tables and indexes ``trust`` finds.

Used by ``assetmap repair PROJECT --drop-foreign-objects`` (and the app's offer on a refused open).
Everything goes in one transaction under the project's lock, so the file ends either as it was or
without exactly those objects; nothing else in it changes (a dropped layer's GeoPackage entries go
with it, so GDAL and QGIS still read the file).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assetmap.core.errors import AssetmapError
from assetmap.core.project import outside, trust
from assetmap.core.project.files import check_project_file, connect
from assetmap.core.project.lock import ProjectLock

_ORDER = {"trigger": 0, "view": 1, "index": 2, "table": 3}  # what uses a table goes before it
_REGISTERS = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents", "gpkg_data_columns",
              "gpkg_metadata_reference")


def _open(path: Path, readonly: bool) -> sqlite3.Connection:
    check_project_file(path)
    conn = connect(path, readonly)
    try:
        outside.check_is_project(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def find_foreign_objects(path: str | Path) -> list[trust.SchemaObject]:
    """The objects ``drop_foreign_objects`` would remove (the file is only read)."""
    path = Path(path)
    conn = _open(path, readonly=True)
    try:
        return trust.foreign_objects(conn)
    except sqlite3.DatabaseError as exc:
        raise AssetmapError(f"{path.name} cannot be read: {exc}.") from None
    finally:
        conn.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop(conn: sqlite3.Connection, obj: trust.SchemaObject) -> None:
    if obj.type == "table":
        conn.execute(f"DROP TABLE IF EXISTS main.{_quote(obj.name)}")  # a virtual table takes its shadow tables
        present = set(outside.table_names(conn))
        for table in _REGISTERS:  # the layer's GeoPackage entries, so that GDAL and QGIS do not look for it
            if table in present:
                conn.execute(f"DELETE FROM main.{table} WHERE lower(table_name) = lower(?)", (obj.name,))
    else:
        conn.execute(f"DROP {obj.type.upper()} IF EXISTS main.{_quote(obj.name)}")


def drop_foreign_objects(path: str | Path) -> list[str]:
    """Remove every foreign object (one transaction, under the lock); returns their descriptions."""
    path = Path(path)
    check_project_file(path)
    lock = ProjectLock(path)
    try:
        lock.acquire()
    except OSError as exc:
        raise AssetmapError(f"{path.name} cannot be repaired: assetmap cannot create {path.name}.lock beside it "
                            f"({exc.strerror or exc}); nothing was changed.") from None
    try:
        conn = _open(path, readonly=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = sorted(trust.foreign_objects(conn), key=lambda o: _ORDER.get(o.type, 9))
                for obj in found:
                    _drop(conn, obj)
                left = trust.foreign_objects(conn)
                if left:
                    raise trust.ForeignObjectsError(path, left)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise AssetmapError(f"{path.name}: the foreign objects could not be removed ({exc}); nothing was "
                                "changed. Remove them with the sqlite3 tool, or restore a backup copy.") from None
        finally:
            conn.close()
    finally:
        lock.release()
    return [o.describe() for o in found]
