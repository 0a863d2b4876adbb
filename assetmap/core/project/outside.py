"""Edits made to a project outside assetmap (in QGIS, with GDAL or plain SQL), checked on open.

A project is an ordinary GeoPackage, so people edit it with other tools. On open (and again when
another program has changed the file since) assetmap checks that:

- every layer it keeps data in is there, with every column it expects (a renamed layer or
  column is named, with the command that puts it back);
- every feature is one it can use. What another tool leaves out but assetmap can supply safely
  is completed: an ``id`` (missing, blank or copied from another feature), ``created_at`` and
  ``updated_at``, a category that follows from the kind, a kind or visibility written in other
  words ("Library", "Private"), a point stored as a one-point MULTIPOINT, with Z, or empty.
  When the project is open for editing these completions are saved in the file (one
  transaction); read-only, they live in a temporary copy of the assets table and the file is
  left as it is. Anything else (an unknown category or kind, a feature without a name, a line
  in the assets layer, a website that is not an http(s) address, a neighbourhood without a
  boundary) is one ``OutsideEditError`` naming the file, the layer, each feature's fid and
  column, and what was expected.

Invalid (self-intersecting) boundaries and footprints are repaired when read, as the boundary
import does; the file keeps what the other tool wrote.
"""

from __future__ import annotations

import json
import math
import sqlite3
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from assetmap.core.errors import DataError, NotAProjectError
from assetmap.core.model import VISIBILITY, clean_asset, is_blank, new_id, now_iso
from assetmap.core.project import gpkg, trust
from assetmap.core.project.schema import SCHEMA_VERSION, TABLES, column_sql, columns_added_after
from assetmap.core.taxonomy import CATEGORY_IDS, UNCATEGORISED, Taxonomy
from assetmap.core.web_address import web_address_problem

# Layers holding data that cannot be worked out again: missing, they are an error. The others
# (gap_results, worked out again by `assetmap gaps`, and assessments, which came after the first
# projects) are created empty when the project is opened for editing.
REQUIRED_TABLES = ("settings", "neighbourhoods", "assets", "asset_areas", "people")
_GDAL_TABLES = ("gpkg_", "rtree_", "sqlite_")
_SHOWN = 5  # problems spelled out in one message before "and N more"
_POLYGONAL = ("Polygon", "MultiPolygon")
COORDINATE_LIMIT = 1e8  # metres: 100,000 km, far beyond any projected coordinate system's false origin


@dataclass(frozen=True)
class Problem:
    layer: str
    fid: int | None
    column: str | None
    message: str

    def where(self) -> str:
        out = f"layer '{self.layer}'"
        if self.fid is not None:
            out += f", fid {self.fid}"
        if self.column:
            out += f", column '{self.column}'"
        return out


class LayerError(DataError):
    """Bad data in a layer of the project: names the file, layer, feature (fid) and column, and what is expected."""

    def __init__(self, path: Path, problems: list[Problem], advice: str = "") -> None:
        self.problems = problems
        self.layer = problems[0].layer
        self.advice = advice
        super().__init__(problems[0].message, file=path, row=problems[0].fid, column=problems[0].column)

    def _format(self) -> str:
        name = Path(self.file or "").name
        if len(self.problems) == 1:
            text = f"{name}, {self.problems[0].where()}: {self.problems[0].message}"
        else:
            shown = "; ".join(f"{p.where()}: {p.message}" for p in self.problems[:_SHOWN])
            more = len(self.problems) - _SHOWN
            text = f"{name}: {len(self.problems)} problems. {shown}" + (f"; and {more} more" if more > 0 else "")
        return f"{text}. {self.advice}" if self.advice else text


class OutsideEditError(LayerError):
    """The project was changed outside assetmap (QGIS, GDAL) in a way assetmap cannot use."""


ROW_ADVICE = ("It was changed outside assetmap (in QGIS or GDAL?): correct it there, or restore a backup copy, "
               "and open the project again.")


@dataclass
class Adoption:
    """What the assets check found: completions to write (by fid) and notes for the user."""

    fixes: dict[int, dict[str, Any]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


# --- layers and columns ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def expected_columns() -> dict[str, dict[str, str]]:
    """Each table's columns (name → SQL type) exactly as ``Project.create`` makes them."""
    conn = trust.open_sqlite(":memory:")
    out: dict[str, dict[str, str]] = {}
    try:
        for table in TABLES:
            geom = ', "geom" ' + table.geometry if table.geometry else ""
            conn.execute(f'CREATE TABLE "{table.name}" ("fid" INTEGER PRIMARY KEY AUTOINCREMENT{geom}, '
                         f"{table.columns})")
            out[table.name] = {r[1]: r[2] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
    finally:
        conn.close()
    return out


def table_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Tables in the file (not temporary ones): lower-case name → name (SQLite ignores case)."""
    rows = conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'").fetchall()
    return {r[0].lower(): r[0] for r in rows}


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {r[1].lower(): r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lookalike(conn: sqlite3.Connection, tables: dict[str, str], name: str) -> str | None:
    """Another layer holding every column of ``name``: most likely ``name`` renamed in QGIS."""
    known = {t.name for t in TABLES}
    want = {c.lower() for c in expected_columns()[name] if c != "fid"}
    for lower, actual in sorted(tables.items()):
        if lower in known or lower.startswith(_GDAL_TABLES):
            continue
        if want <= set(_columns(conn, actual)):
            return actual
    return None


def _missing_layer(path: Path, name: str, renamed: str | None) -> str:
    if renamed:
        return (f"is missing, and layer '{renamed}' has all of its columns: it looks renamed outside assetmap. "
                f"Rename it back to '{name}' (in QGIS: Browser panel, right-click the layer, Rename Layer...; "
                f"with GDAL: ogrinfo {path.name} -sql \"ALTER TABLE {quote(renamed)} RENAME TO {name}\") "
                "and open the project again")
    purpose = next(t.description for t in TABLES if t.name == name)
    return (f"is missing: it was deleted or renamed outside assetmap (QGIS or GDAL). assetmap keeps "
            f"{purpose[0].lower() + purpose[1:]} in it; rename it back, or restore it from a backup copy of the "
            "project, and open the project again")


def _missing_column(path: Path, table: str, column: str, sql_type: str, extra: list[str]) -> str:
    text = f"is missing (deleted or renamed outside assetmap); assetmap expects a {sql_type} column '{column}' here. "
    if column in ("fid", "geom"):
        return text + "Restore the layer from a backup copy of the project and open it again"
    text += (f"Add it back (in QGIS: Layer Properties, Fields, New Field '{column}'; with GDAL: ogrinfo {path.name} "
             f"-sql \"ALTER TABLE {table} ADD COLUMN {column} {sql_type}\") and open the project again")
    if extra:
        shown = ", ".join(f"'{c}'" for c in extra[:5])
        text += (f"; if it was renamed (this layer also has {shown}, which assetmap does not use), rename it back "
                 "instead")
    return text


def check_is_project(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a GeoPackage that is no assetmap project at all (as opposed to one with a layer missing)."""
    tables = table_names(conn)
    if "settings" in tables or "assets" in tables:
        return
    if _lookalike(conn, tables, "assets") or _lookalike(conn, tables, "settings"):
        return
    raise NotAProjectError(
        f"{path.name} is a GeoPackage but not an assetmap project (it has no assetmap settings or assets layer). "
        "Start one with `assetmap new` and import this file into it."
    )


def check_layers(conn: sqlite3.Connection, path: Path, version: int = SCHEMA_VERSION) -> list[str]:
    """Raise ``OutsideEditError`` for a missing layer or column; return the missing layers assetmap may recreate.

    Columns that a newer schema version added are not missing from a file saved at ``version``: the
    upgrade adds them (or, read-only, ``stand_in_new_columns`` shows them empty)."""
    pending = columns_added_after(version)
    tables = table_names(conn)
    registered = {(r[0].lower(), r[1].lower()) for r in conn.execute(
        "SELECT table_name, column_name FROM gpkg_geometry_columns")}
    problems: list[Problem] = []
    recreate: list[str] = []
    for table in TABLES:
        if table.name not in tables:
            renamed = _lookalike(conn, tables, table.name)
            if table.name in REQUIRED_TABLES or renamed:
                problems.append(Problem(table.name, None, None, _missing_layer(path, table.name, renamed)))
            else:
                recreate.append(table.name)
            continue
        have = _columns(conn, table.name)
        want = expected_columns()[table.name]
        wanted = {c.lower() for c in want}
        extra = [c for lower, c in have.items() if lower not in wanted]
        for column, sql_type in want.items():
            if column.lower() not in have and column not in pending.get(table.name, ()):
                message = _missing_column(path, table.name, column, sql_type, extra)
                problems.append(Problem(table.name, None, column, message))
        if table.geometry and "geom" in have and (table.name, "geom") not in registered:
            problems.append(Problem(table.name, None, "geom", "is not registered as the layer's geometry column "
                                    "(gpkg_geometry_columns); restore the layer from a backup copy of the project"))
    if problems:
        raise OutsideEditError(path, problems)
    return recreate


def stand_in_new_columns(conn: sqlite3.Connection, version: int) -> None:
    """In a read-only view of a file saved at an older ``version``: temporary copies of the tables that
    lack columns added since, with those columns empty, so readers need not ask whether they exist."""
    for table, columns in columns_added_after(version).items():
        in_temp = conn.execute("SELECT 1 FROM sqlite_temp_master WHERE type='table' AND name=?", (table,)).fetchone()
        have = _columns(conn, table)
        missing = [c for c in sorted(columns) if c.lower() not in have]
        if not missing:
            continue
        if not in_temp:
            conn.execute(f'CREATE TEMP TABLE {quote(table)} AS SELECT * FROM main.{quote(table)}')
        for column in missing:
            conn.execute(f"ALTER TABLE temp.{quote(table)} ADD COLUMN {column_sql(table, column)}")


# --- features ----------------------------------------------------------------------------------


def _geometry(blob: Any, srs_id: int) -> tuple[shapely.Geometry | None, str | None]:
    """(geometry, problem) of one stored value; a geometry in another SRS is a problem."""
    try:
        srs, geom = gpkg.read_blob(blob)
    except ValueError as exc:
        return None, str(exc)
    if geom is not None and srs not in (srs_id, 0, -1, None):
        return None, (f"is stored with SRS id {srs}, but the layer is in SRS id {srs_id}: the coordinates may be "
                      "in another coordinate system. Reproject the feature to the layer's CRS")
    return geom, _coordinate_problem(geom)


def _coordinate_problem(geom: shapely.Geometry | None) -> str | None:
    """Why a geometry's coordinates cannot be on a map: infinite, beyond ``COORDINATE_LIMIT``, or NaN in a
    shape (a point of NaNs is an empty point, as GDAL writes one)."""
    if geom is None or geom.is_empty:
        return None
    coords = shapely.get_coordinates(geom)
    if np.isnan(coords).any():
        if geom.geom_type == "Point":
            return None
        return "has coordinates that are not numbers (NaN); redraw the shape in QGIS"
    worst = float(np.abs(coords).max())
    if not math.isfinite(worst) or worst > COORDINATE_LIMIT:
        shown = "infinity" if not math.isfinite(worst) else f"{worst:.3g}"
        return (f"has a coordinate of {shown}, outside any map (at most {COORDINATE_LIMIT:.0e} m from the "
                "coordinate system's origin); move the feature in QGIS or clear its geometry")
    return None


def point_geometry(geom: shapely.Geometry | None) -> tuple[shapely.Geometry | None, str | None]:
    """An asset's location as assetmap keeps it (one 2D point), or why it cannot be one."""
    if geom is None or geom.is_empty:
        return None, None
    if geom.geom_type == "MultiPoint":
        if len(geom.geoms) != 1:
            return None, (f"is a MULTIPOINT of {len(geom.geoms)} points; an asset is one point: split it into "
                          "separate assets (or keep one point) in QGIS")
        geom = geom.geoms[0]
    if geom.geom_type != "Point":
        return None, (f"is a {geom.geom_type.upper()}; the assets layer holds points (draw an area as the asset's "
                      "footprint instead)")
    if geom.has_z:
        geom = shapely.force_2d(geom)
    x, y = geom.coords[0]
    if x != x or y != y:  # NaN coordinates: an empty point by another name
        return None, None
    return geom, None


def polygonal(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """A valid (Multi)Polygon for an area read from the file: invalid rings repaired as the boundary import does."""
    if geom is None or geom.is_empty:
        return None
    if geom.has_z:
        geom = shapely.force_2d(geom)
    if not shapely.is_valid(geom):
        fixed = shapely.make_valid(geom)
        parts = [p for p in shapely.get_parts(fixed) if p.geom_type in _POLYGONAL]
        geom = shapely.union_all(parts) if parts else None
        if geom is None or geom.is_empty:
            return None
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom if geom.geom_type == "MultiPolygon" else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def scan_assets(conn: sqlite3.Connection, srs_id: int, taxonomy: Taxonomy) -> tuple[Adoption, list[Problem]]:
    """Check every feature of ``main.assets``: completions assetmap can make, and problems it cannot solve."""
    adoption = Adoption()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    stamp = now_iso()
    kinds = taxonomy.kinds
    rows = conn.execute('SELECT fid, "id", "name", "category", "kind", "visibility", "created_at", "updated_at", geom, '
                        '"website" FROM main.assets ORDER BY fid')
    for fid, asset_id, name, category, kind, visibility, created, updated, blob, website in rows:
        fix: dict[str, Any] = {}
        notes: list[str] = []
        key = None if _text(asset_id) is None else str(asset_id)
        if key is None or key in seen:
            fix["id"] = new_id()
            notes.append("a new id" + (f" (its id was also that of fid {seen[key]})" if key else ""))
        else:
            seen[key] = fid
        if _text(name) is None:
            problems.append(Problem("assets", fid, "name", "is empty; every asset needs a name"))
        if website is not None and not is_blank(website):  # it is published: http(s) only, as the form allows
            refused = web_address_problem(str(website))
            if refused:
                problems.append(Problem("assets", fid, "website", refused + "; correct it or clear it"))
        fine = (category in CATEGORY_IDS and category != "people" and visibility in VISIBILITY
                and (kind is None or (kind in kinds and kinds[kind].category == category))) or (
                category == UNCATEGORISED and kind is None and visibility == "private")  # a draft to sort
        if not fine:
            values = {"name": name or "-", "category": category, "kind": kind, "visibility": visibility}
            if isinstance(category, str) and category not in (*CATEGORY_IDS, UNCATEGORISED):
                values["category"] = taxonomy.category_for_text(category) or category
            clean, found = clean_asset(values, taxonomy)
            for col, raw in (("category", category), ("kind", kind), ("visibility", visibility)):
                if col in found:
                    problems.append(Problem("assets", fid, col, _value_problem(col, raw, found[col])))
                elif clean[col] != raw:
                    fix[col] = clean[col]
                    notes.append(f"{col} '{clean[col]}'" + (f" (was '{raw}')" if _text(raw) else ""))
        if created is None:
            fix["created_at"] = stamp
        if updated is None:
            fix["updated_at"] = created or stamp
        if created is None or updated is None:
            notes.append("created_at/updated_at")
        if blob is not None and not plain_point(blob, srs_id):
            geom, problem = _geometry(blob, srs_id)
            if problem is None:
                geom, problem = point_geometry(geom)
            if problem:
                problems.append(Problem("assets", fid, "geom", problem))
            else:
                fix["geom"] = gpkg.encode(geom, srs_id)
                notes.append("no location (its geometry was empty)" if geom is None else "its point as a 2D POINT")
        if fix:
            adoption.fixes[fid] = fix
            adoption.notices.append(f"fid {fid}: " + ", ".join(notes))
    return adoption, problems


def _value_problem(column: str, raw: Any, message: str) -> str:
    """The model's complaint about a value, with what assetmap expects in that column of the layer."""
    categories = ", ".join(c for c in CATEGORY_IDS if c != "people")
    if column == "category" and _text(raw) is None:
        return f"is empty, and the kind does not say which category; expected one of: {categories}"
    if column == "category" and raw == "people":
        return "is 'people': people's skills are kept in the people table, never as points on the map"
    if column == "category" and "not one of" in message:
        return f"'{raw}' is not a category; expected one of: {categories}"
    if column == "kind" and "not a kind" in message:
        return f"{message}; expected a kind id such as physical/park or institutions/library, or empty"
    return message


def plain_point(blob: Any, srs_id: int) -> bool:
    """True for a standard GeoPackage blob of one 2D point in the layer's SRS, whichever byte order and
    envelope the writer chose (GDAL writes none for points, assetmap an XY one): read without decoding."""
    if not isinstance(blob, bytes) or len(blob) < 29 or blob[:2] != b"GP":
        return False
    flags = blob[3]
    if flags & 0b00110000:  # empty, or an extended geometry type
        return False
    envelope = gpkg._ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None or struct.unpack(("<" if flags & 1 else ">") + "i", blob[4:8])[0] not in (srs_id, 0, -1):
        return False
    wkb = blob[8 + envelope:]
    if len(wkb) != 21 or wkb[0] not in (0, 1):
        return False
    kind, x, y = struct.unpack(("<" if wkb[0] == 1 else ">") + "Idd", wkb[1:])
    return bool(kind == 1 and abs(x) <= COORDINATE_LIMIT and abs(y) <= COORDINATE_LIMIT)  # not NaN, infinite or far


def apply_fixes(conn: sqlite3.Connection, schema: str, fixes: dict[int, dict[str, Any]]) -> None:
    for fid, fix in fixes.items():
        sets = ", ".join(f"{quote(c)} = ?" for c in fix)
        conn.execute(f"UPDATE {schema}.assets SET {sets} WHERE fid = ?", (*fix.values(), fid))


def _number_problem(kind: str, value: Any) -> str | None:
    if kind in ("null", "integer"):
        return None
    if kind == "real":
        return None if float(value).is_integer() else f"{value} is not a whole number"
    return f"'{value}' is {kind}, not a number"


def scan_neighbourhoods(conn: sqlite3.Connection, srs_id: int) -> tuple[list[Problem], list[str]]:
    """Problems with boundaries (none, not a polygon, broken beyond repair) and codes; notes of repaired ones."""
    problems: list[Problem] = []
    notices: list[str] = []
    seen: dict[str, int] = {}
    rows = conn.execute('SELECT fid, "code", typeof("population"), "population", typeof("imd_decile"), "imd_decile", '
                        "geom FROM main.neighbourhoods ORDER BY fid")
    for fid, code, pop_type, population, imd_type, imd, blob in rows:
        code_text = _text(code)
        label = f"neighbourhood {code_text}" if code_text else "this neighbourhood"
        if code_text is None:
            problems.append(Problem("neighbourhoods", fid, "code", "is empty; every neighbourhood needs a code "
                                    "(such as its ONS code, E01000001)"))
        elif code_text in seen:
            problems.append(Problem("neighbourhoods", fid, "code", f"'{code_text}' is also the code of fid "
                                    f"{seen[code_text]}; codes must be unique"))
        else:
            seen[code_text] = fid
        for col, kind, value in (("population", pop_type, population), ("imd_decile", imd_type, imd)):
            problem = _number_problem(kind, value)
            if problem:
                problems.append(Problem("neighbourhoods", fid, col, problem + (
                    " (expected the number of residents, or empty)" if col == "population"
                    else " (expected a deprivation decile from 1 to 10, or empty)")))
        geom, problem = _geometry(blob, srs_id)
        if problem:
            problems.append(Problem("neighbourhoods", fid, "geom", problem))
            continue
        if geom is None:
            problems.append(Problem("neighbourhoods", fid, "geom", f"{label} has no boundary (it is NULL or empty); "
                                    "expected a polygon: draw it in QGIS, or delete the neighbourhood"))
            continue
        if geom.geom_type not in _POLYGONAL:
            problems.append(Problem("neighbourhoods", fid, "geom", f"{label} is a {geom.geom_type.upper()}; "
                                    "expected a polygon"))
            continue
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            if polygonal(geom) is None:
                problems.append(Problem("neighbourhoods", fid, "geom", f"the boundary of {label} is broken beyond "
                                        f"repair ({reason}); expected a polygon with an area"))
            else:
                notices.append(f"neighbourhoods fid {fid} ({code_text}): the boundary is not a valid polygon "
                               f"({reason}); assetmap uses a repaired copy and leaves the file as it is")
    return problems, notices


def scan_asset_areas(conn: sqlite3.Connection, srs_id: int) -> tuple[list[Problem], list[str]]:
    """Footprints that are not areas are problems; ones without geometry or without their asset are noted."""
    problems: list[Problem] = []
    orphans: list[int] = []
    rows = conn.execute('SELECT a.fid, a.geom, b.fid IS NULL FROM main.asset_areas a '
                        'LEFT JOIN main.assets b ON b."id" = a."asset_id" ORDER BY a.fid')
    for fid, blob, orphan in rows:
        geom, problem = _geometry(blob, srs_id)
        if problem is None and geom is not None and geom.geom_type not in _POLYGONAL:
            problem = f"is a {geom.geom_type.upper()}; a footprint must be a polygon"
        if problem is None and geom is not None and polygonal(geom) is None:
            problem = "is broken beyond repair; expected a polygon with an area"
        if problem:
            problems.append(Problem("asset_areas", fid, "geom", problem))
        elif orphan:
            orphans.append(fid)
    notices = []
    if orphans:
        listed = ", ".join(map(str, orphans[:10])) + (" ..." if len(orphans) > 10 else "")
        notices.append(f"asset_areas fid {listed}: footprint(s) of assets that are no longer in the assets layer "
                       "(deleted outside assetmap); they are ignored and left in the file")
    return problems, notices


def raise_problems(path: Path, problems: Iterable[Problem], advice: str = ROW_ADVICE) -> None:
    found = list(problems)
    if found:
        raise OutsideEditError(path, found, advice)


# --- coordinate systems, settings and stored results --------------------------------------------

GAP_ADVICE = ("Stored gap results are worked out again by `assetmap gaps PROJECT` (opened for editing, assetmap "
              "drops unreadable ones first).")
MAX_STORED_CHARS = 2_000_000  # one stored JSON value: far above any real result, well below a memory problem
MAX_STORED_DEPTH = 32


def layer_srs_id(conn: sqlite3.Connection, path: Path) -> int:
    """The SRS id of the assets layer, as registered in gpkg_geometry_columns (a whole number)."""
    row = conn.execute("SELECT srs_id, typeof(srs_id) FROM gpkg_geometry_columns "
                       "WHERE lower(table_name) = 'assets' AND lower(column_name) = 'geom'").fetchone()
    if row is None:
        raise OutsideEditError(path, [Problem("assets", None, "geom", "is not registered as the layer's geometry "
                                              "column (gpkg_geometry_columns); restore the layer from a backup copy "
                                              "of the project")])
    if row[1] != "integer":
        raise OutsideEditError(path, [Problem("gpkg_geometry_columns", None, "srs_id", (
            f"'{str(row[0])[:40]}' (the assets layer's) is not an SRS id; expected the whole number of a row in "
            "gpkg_spatial_ref_sys, such as 27700"))], ROW_ADVICE)
    return int(row[0])


# Settings whose readers take a JSON type for granted, with that type (JSON null is always "not set").
# The others (taxonomy_additions, gap_rules, assessment_criteria, postcode_lookups) are checked in full
# by the modules that read them.
_SETTING_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "name": ((str, int, float), "text"),
    "description": ((str,), "text"),
    "attribution": ((str,), "text"),
    "created_at": ((str,), "a date and time as text"),
    "figures": ((dict,), 'a JSON object such as {"population": "..."}'),
    "gap_run": ((dict,), "a JSON object describing the last gap analysis"),
}


def parse_stored_json(text: Any, *, fast: bool = False) -> tuple[Any, str | None]:
    """(value, problem) of JSON text read from the file: bounded in size and depth, finite numbers only.

    ``fast`` lets orjson (when installed) parse what it can, to the same value and verdict except that an
    integer of 19 digits or more comes back as a float: only for callers to whom that makes no difference."""
    if not isinstance(text, str):
        return None, f"is {type(text).__name__} data, not JSON text"
    if len(text) > MAX_STORED_CHARS:
        return None, f"is {len(text):,} characters long, more than assetmap stores ({MAX_STORED_CHARS:,})"

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not a number JSON allows")

    value = _strict_loads(text) if fast else _UNREAD
    if value is _UNREAD:
        try:
            value = json.loads(text, parse_constant=refuse)
        except RecursionError:
            return None, f"is nested deeper than {MAX_STORED_DEPTH} levels"
        except ValueError as exc:
            return None, f"'{text[:40]}' is not JSON ({exc})"
    # Nesting is at most the number of brackets that open an object or a list, plus one for the values inside:
    # counting them (in C) spares walking every value of the tens of thousands of stored results.
    if text.count("{") + text.count("[") >= MAX_STORED_DEPTH and _depth(value) > MAX_STORED_DEPTH:
        return None, f"is nested deeper than {MAX_STORED_DEPTH} levels"
    return value, None


_UNREAD = object()


def _strict_loads(text: str) -> Any:
    """``text`` parsed by orjson when it is installed and takes it, else ``_UNREAD`` (the json module decides).

    orjson accepts only RFC 8259 JSON, which the json module reads to the same value, but for integers of 19
    digits or more (a float from orjson); what it refuses (NaN, unpaired surrogates, very deep nesting) is left
    to the json module and its messages. A text starting with a byte-order mark, which the json module
    refuses, never reaches orjson."""
    if text.startswith("\ufeff"):
        return _UNREAD
    try:
        import orjson
    except ImportError:
        return _UNREAD
    try:
        return orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError, RecursionError):
        return _UNREAD


def _depth(value: Any) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_STORED_DEPTH:
            break
        if isinstance(item, dict):
            todo.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, level + 1) for v in item)
    return deepest


def check_setting(path: Path, key: str, value: Any) -> Any:
    """``value`` if it is the JSON type the setting ``key`` holds; else one ``OutsideEditError`` naming the key."""
    expected = _SETTING_TYPES.get(key)
    if value is None or expected is None or (isinstance(value, expected[0]) and not isinstance(value, bool)):
        return value
    shown = json.dumps(value)[:60]
    raise OutsideEditError(path, [Problem("settings", None, "value", (
        f"key '{key}': {shown} is not {expected[1]}"))], ROW_ADVICE)


def _number_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _numbers(value: Any) -> bool:
    return isinstance(value, dict) and all(_number_or_none(v) for v in value.values())


# What readers of a stored result use, and what each must be; other keys only need to be bounded JSON.
_GAP_FIELDS: dict[str, tuple[Any, str]] = {
    "name": (lambda v: v is None or isinstance(v, str), "text"),
    "population": (_number_or_none, "a number"),
    "imd_decile": (_number_or_none, "a number"),
    "counts": (_numbers, "an object of numbers"),
    "kinds": (_numbers, "an object of numbers"),
    "per_1000": (_numbers, "an object of numbers"),
    "coverage": (_numbers, "an object of numbers"),
    "density": (_numbers, "an object of numbers"),
    "gap_score": (_number_or_none, "a number"),
    "priority": (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)), "a whole number"),
    "left_behind": (lambda v: v is None or isinstance(v, bool), "true or false"),
    "flags": (lambda v: isinstance(v, list) and all(
        isinstance(f, dict) and all(isinstance(f.get(k, ""), str) for k in ("rule", "severity", "message"))
        for f in v), "a list of flags (objects with a rule, severity and message)"),
}


def gap_result_problem(code: Any, text: Any) -> str | None:
    """Why one stored gap result (a row of gap_results) cannot be used, or None."""
    value, problem = parse_stored_json(text, fast=True)
    if isinstance(value, dict) and (isinstance(value.get("priority"), float) or isinstance(value.get("code"), float)):
        value, problem = parse_stored_json(text)  # the fields where a float read from a long integer would matter
    if problem:
        return problem
    if not isinstance(value, dict):
        return f"is a JSON {type(value).__name__}, not the object `assetmap gaps` stores"
    if value.get("code", code) != code:
        return f"is the result of neighbourhood {str(value.get('code'))[:20]!r}, stored under {str(code)[:20]!r}"
    for key, (fine, expected) in _GAP_FIELDS.items():
        if key in value and not fine(value[key]):
            return f"has {key} {json.dumps(value[key])[:40]}, which is not {expected}"
    return None


def scan_gap_results(conn: sqlite3.Connection) -> list[Problem]:
    """Stored gap results that cannot be used (junk JSON, the wrong shape, too big or too deep)."""
    if not conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'gap_results'").fetchone():
        return []
    problems = []
    for fid, code, text in conn.execute('SELECT fid, "code", "result" FROM main.gap_results ORDER BY fid'):
        problem = gap_result_problem(code, text)
        if problem:
            problems.append(Problem("gap_results", fid, "result", problem))
    return problems
