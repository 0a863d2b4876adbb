"""File-level pieces of the project store: opening the SQLite file, checking it is a project,
creating tables, and turning values into what SQLite stores."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import geopandas as gpd
import shapely

from assetmap.core.errors import DataError, NotAProjectError
from assetmap.core.model import plain_value
from assetmap.core.project import gpkg
from assetmap.core.project.schema import SCHEMA_VERSION, Table
from assetmap.core.project.trust import open_sqlite

_SQLITE_MAGIC = b"SQLite format 3\x00"
NEIGHBOURHOOD_FIELDS = ("code", "name", "population", "imd_decile", "imd_rank", "local_authority")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A hardened connection to a project file (see ``trust``), with the functions GDAL's triggers call."""
    try:
        if readonly:  # a URI, so that '#', '?' and '%' in a file name stay part of it
            conn = open_sqlite(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        else:
            conn = open_sqlite(path, timeout=30)
    except sqlite3.Error as exc:
        raise NotAProjectError(f"{Path(path).name} cannot be opened: {exc}.") from None
    gpkg.register_sql_functions(conn)
    return conn


def readonly_reason(path: Path) -> str | None:
    """Why the project cannot be changed in place (its file, a file SQLite keeps beside it, or its folder), or None.

    A file whose permissions say read-only (chmod 444, or "Read-only" in its Properties) counts as
    read-only even for an administrator, who could write it anyway: the mark is the owner's wish.
    """
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & 0o222 or not os.access(path, os.W_OK):
        return "the file is read-only"
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        try:
            side_mode = side.stat().st_mode
        except OSError:
            continue
        if not side_mode & 0o222 or not os.access(side, os.W_OK):
            return f"{side.name}, which another program left beside it, is read-only"
    if not os.access(path.parent, os.W_OK):
        return "its folder is read-only"
    return None


def create_table(conn: sqlite3.Connection, table: Table, srs_id: int) -> None:
    geom = ', "geom" ' + table.geometry if table.geometry else ""
    conn.execute(f'CREATE TABLE "{table.name}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT{geom}, {table.columns})')
    if table.geometry:
        gpkg.register_features(conn, table.name, table.geometry, srs_id, table.description)
    else:
        gpkg.register_attributes(conn, table.name, table.description)


def as_multipolygon(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def insert_neighbourhoods(conn: sqlite3.Connection, gdf: gpd.GeoDataFrame, srs_id: int) -> None:
    """Insert boundaries; the optional figures (population, IMD, local authority) may be missing columns."""
    frame = gdf.copy()
    for column in NEIGHBOURHOOD_FIELDS:
        if column not in frame.columns:
            frame[column] = None
    rows = []
    for rec, geom in zip(frame[list(NEIGHBOURHOOD_FIELDS)].itertuples(index=False), frame.geometry):
        rows.append((*[plain_value(v) for v in rec], gpkg.encode(as_multipolygon(geom), srs_id)))
    cols = ", ".join(f'"{c}"' for c in NEIGHBOURHOOD_FIELDS)
    marks = ", ".join("?" for _ in NEIGHBOURHOOD_FIELDS)
    conn.executemany(f"INSERT INTO neighbourhoods ({cols}, geom) VALUES ({marks}, ?)", rows)


def check_project_file(path: Path) -> None:
    """Fail with a clear message unless ``path`` is an SQLite file (the project check follows on open)."""
    if not path.exists():
        raise NotAProjectError(f"{path} does not exist.")
    if path.is_dir():
        raise NotAProjectError(f"{path} is a folder, not a project file.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise NotAProjectError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None
    if head != _SQLITE_MAGIC:
        raise NotAProjectError(f"{path.name} is not an assetmap project: it is not a GeoPackage (SQLite) file.")


def read_schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The project's schema version (the caller closes ``conn`` when this raises)."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key='schema_version'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such" in str(exc):
            raise NotAProjectError(
                f"{path.name} is a GeoPackage but not an assetmap project (it has no assetmap settings or assets "
                "layer). Start one with `assetmap new` and import this file into it."
            ) from None
        raise NotAProjectError(f"{path.name} cannot be read: {exc}.") from None
    except sqlite3.DatabaseError as exc:
        raise NotAProjectError(f"{path.name} cannot be read: {exc}.") from None
    if row is None:
        raise NotAProjectError(f"{path.name} has no schema version: it is not an assetmap project.")
    try:
        value = json.loads(row[0]) if isinstance(row[0], (str, bytes)) else row[0]
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 2.0: written as a number by another tool
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    # anything else: text, a list, a fraction, 1e999 (infinity), 0 or a negative number
    raise DataError(f"layer 'settings', key 'schema_version': '{str(row[0])[:60]}' is not a schema version (it was "
                    f"changed outside assetmap); expected a whole number such as {SCHEMA_VERSION}", file=path)
