"""File-level pieces of the project store: opening the SQLite file, checking it is a project,
creating tables, and turning values into what SQLite stores."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from assetmap.core.errors import NotAProjectError
from assetmap.core.project import gpkg
from assetmap.core.project.schema import Table

_SQLITE_MAGIC = b"SQLite format 3\x00"
NEIGHBOURHOOD_FIELDS = ("code", "name", "population", "imd_decile")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    gpkg.register_sql_functions(conn)
    return conn


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


def plain_value(value: Any) -> Any:
    """A value as SQLite and JSON want it: None for NaN/NA, Python scalars for numpy ones."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def insert_neighbourhoods(conn: sqlite3.Connection, gdf: gpd.GeoDataFrame, srs_id: int) -> None:
    rows = []
    for rec, geom in zip(gdf[list(NEIGHBOURHOOD_FIELDS)].itertuples(index=False), gdf.geometry):
        rows.append((*[plain_value(v) for v in rec], gpkg.encode(as_multipolygon(geom), srs_id)))
    conn.executemany('INSERT INTO neighbourhoods ("code", "name", "population", "imd_decile", geom) '
                     "VALUES (?, ?, ?, ?, ?)", rows)


def check_project_file(path: Path) -> None:
    """Fail with a clear message unless ``path`` is an SQLite file (the project check follows on open)."""
    if not path.exists():
        raise NotAProjectError(f"{path} does not exist.")
    if path.is_dir():
        raise NotAProjectError(f"{path} is a folder, not a project file.")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head != _SQLITE_MAGIC:
        raise NotAProjectError(f"{path.name} is not an assetmap project: it is not a GeoPackage (SQLite) file.")


def read_schema_version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        row = conn.execute("SELECT value FROM settings WHERE key='schema_version'").fetchone()
        conn.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='assets'").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        conn.close()
        raise NotAProjectError(
            f"{path.name} is a GeoPackage but not an assetmap project (it has no assetmap settings or assets layer). "
            "Start one with `assetmap new` and import this file into it."
        ) from None
    if row is None:
        conn.close()
        raise NotAProjectError(f"{path.name} has no schema version: it is not an assetmap project.")
    return int(json.loads(row[0]))
