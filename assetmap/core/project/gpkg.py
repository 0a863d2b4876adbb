"""Just enough of the OGC GeoPackage encoding to keep a project as a standard GeoPackage.

assetmap writes through SQLite itself (one transaction per edit), so it needs the geometry blob
format (a small header followed by WKB) and the metadata tables that QGIS and GDAL read.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from pyproj import CRS

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10200  # GeoPackage 1.2: read by every GDAL and QGIS still in use
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_BASE_DDL = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined',
  'undefined cartesian coordinate reference system');
INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
  'undefined geographic coordinate reference system');
"""


def init_geopackage(conn: sqlite3.Connection) -> None:
    """Turn an empty SQLite database into an empty GeoPackage."""
    conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
    for statement in _BASE_DDL.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    add_srs(conn, CRS.from_epsg(4326))


def srs_id_for(crs: CRS) -> int:
    epsg = crs.to_epsg()
    return int(epsg) if epsg else 990001


def add_srs(conn: sqlite3.Connection, crs: CRS) -> int:
    srs_id = srs_id_for(crs)
    auth = crs.to_authority() or ("NONE", str(srs_id))
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        (crs.name, srs_id, auth[0], int(auth[1]) if str(auth[1]).isdigit() else srs_id,
         crs.to_wkt("WKT1_GDAL"), crs.name),
    )
    return srs_id


def register_features(conn: sqlite3.Connection, table: str, geom_type: str, srs_id: int, description: str) -> None:
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, 'features', ?, ?, ?)",
        (table, table, description, srs_id),
    )
    conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)", (table, geom_type, srs_id))


def register_attributes(conn: sqlite3.Connection, table: str, description: str) -> None:
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)",
        (table, table, description),
    )


def update_extent(conn: sqlite3.Connection, table: str) -> None:
    """Keep gpkg_contents' bounding box current so that GIS tools zoom to the data."""
    bounds = None
    for (blob,) in conn.execute(f'SELECT geom FROM "{table}" WHERE geom IS NOT NULL'):
        env = blob_envelope(blob)
        if env is None:
            continue
        if bounds is None:
            bounds = list(env)
        else:
            bounds = [min(bounds[0], env[0]), min(bounds[1], env[1]), max(bounds[2], env[2]), max(bounds[3], env[3])]
    values: Sequence[float | None] = bounds or (None, None, None, None)  # NULL extent for an empty table
    conn.execute(
        "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
        "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
        (*values, table),
    )


def grow_extent(conn: sqlite3.Connection, table: str, geom: shapely.Geometry | None) -> None:
    """Widen gpkg_contents' bounding box to take in ``geom``: one edit costs one row, not a scan of the layer.

    The box stays a true bound of the data (GeoPackage calls it informative: a box left a little wide after a
    delete is allowed); ``update_extent`` makes it tight again after bulk work such as an import.
    """
    if geom is None or geom.is_empty:
        return
    row = conn.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name=?", (table,)).fetchone()
    box = list(geom.bounds)
    if row is not None and None not in row:
        box = [min(row[0], box[0]), min(row[1], box[1]), max(row[2], box[2]), max(row[3], box[3])]
    conn.execute(
        "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
        "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
        (*box, table),
    )


def encode(geom: shapely.Geometry | None, srs_id: int) -> bytes | None:
    """A shapely geometry as a GeoPackage blob (little-endian, with an XY envelope)."""
    if geom is None or geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy)
    wkb: bytes = shapely.to_wkb(geom, byte_order=1)  # shapely has no type hints
    return header + wkb


def encode_many(geoms: Sequence[shapely.Geometry | None], srs_id: int) -> list[bytes | None]:
    return [encode(g, srs_id) for g in geoms]


def _wkb_offset(blob: bytes) -> int:
    flags = blob[3]
    return 8 + _ENVELOPE_BYTES[(flags >> 1) & 0b111]


def decode_many(blobs: Iterable[bytes | None]) -> np.ndarray:
    """GeoPackage blobs (as written by us, GDAL or QGIS) to an array of shapely geometries."""
    wkbs = [None if b is None else bytes(b[_wkb_offset(b):]) for b in blobs]
    geoms: np.ndarray = shapely.from_wkb(np.array(wkbs, dtype=object))  # shapely has no type hints
    return geoms


def read_blob(blob: bytes | None) -> tuple[int | None, shapely.Geometry | None]:
    """(srs_id, geometry) of one blob, as any GeoPackage writer stores it; an empty geometry comes back as None.

    Raises ValueError saying what is wrong when the value is not a standard GeoPackage geometry
    (a blob written by another tool straight into the table, or an extended geometry type).
    """
    if blob is None:
        return None, None
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise ValueError(f"holds {type(blob).__name__} data, not a GeoPackage geometry")
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("is not a GeoPackage geometry (its blob does not start with the 'GP' header)")
    flags = blob[3]
    if (flags >> 5) & 1:
        raise ValueError("uses an extended (non-standard) GeoPackage geometry type")
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise ValueError(f"has an invalid GeoPackage header (envelope code {envelope})")
    srs_id = struct.unpack(("<" if flags & 1 else ">") + "i", blob[4:8])[0]
    if (flags >> 4) & 1:
        return srs_id, None
    try:
        geom = shapely.from_wkb(blob[8 + _ENVELOPE_BYTES[envelope]:])
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        raise ValueError(f"cannot be read as a geometry ({exc})") from None
    return srs_id, (None if geom is None or geom.is_empty else geom)


def blob_envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """(minx, miny, maxx, maxy) of a blob, read from its header when it has one."""
    if blob is None:
        return None
    if not isinstance(blob, (bytes, bytearray, memoryview)) or len(blob) < 8 or bytes(blob[:2]) != b"GP":
        return None  # not a geometry (the open-time check names the feature)
    flags = blob[3]
    if (flags >> 4) & 1:  # empty geometry
        return None
    if (flags >> 1) & 0b111 in (1, 2, 3, 4) and len(blob) >= 40:
        order = "<" if flags & 1 else ">"
        minx, maxx, miny, maxy = struct.unpack(order + "4d", blob[8:40])
        return minx, miny, maxx, maxy
    try:
        geom = read_blob(blob)[1]
    except ValueError:
        return None
    return None if geom is None else tuple(geom.bounds)


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """The functions GDAL's R-tree triggers call, so edits work on files GDAL or QGIS indexed."""

    def _env(blob: bytes | None, i: int) -> float | None:
        env = blob_envelope(blob)
        return None if env is None else env[i]

    conn.create_function("ST_IsEmpty", 1, lambda b: 1 if blob_envelope(b) is None else 0, deterministic=True)
    conn.create_function("ST_MinX", 1, lambda b: _env(b, 0), deterministic=True)
    conn.create_function("ST_MinY", 1, lambda b: _env(b, 1), deterministic=True)
    conn.create_function("ST_MaxX", 1, lambda b: _env(b, 2), deterministic=True)
    conn.create_function("ST_MaxY", 1, lambda b: _env(b, 3), deterministic=True)
