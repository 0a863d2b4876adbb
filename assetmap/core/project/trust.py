"""Project files from other people: SQLite runs none of the file's own code unless assetmap knows it.

A GeoPackage is an SQLite database, and a database can carry code: triggers run on every insert,
update or delete, views run when read. A project received from someone else could use them to copy
residents' contact details into the public map's title, or make private assets public as soon as
assetmap saves. So every connection assetmap opens runs with ``trusted_schema=OFF`` (and SQLite's
defensive flag where Python offers it), and on open the schema is compared with what assetmap
creates plus what GDAL and QGIS legitimately add:

- the GeoPackage tables (``gpkg_*``, ``gpkgext_*``), SQLite's own (``sqlite_sequence``,
  ``sqlite_stat*``), QGIS's ``layer_styles`` and ``qgis_projects``;
- a spatial index (``rtree_<table>_<column>``, its shadow tables and its triggers) on a registered
  geometry column, GDAL's feature-count triggers on ``gpkg_ogr_contents``, and the GeoPackage
  tile-matrix triggers, each matched token by token against the SQL GDAL writes (a trigger named
  like GDAL's that does anything else is foreign);
- plain indexes (columns only) on those tables, such as a unique rule added in QGIS.

Anything else (a view, another trigger or table, an index on an expression) makes the open fail
with ``ForeignObjectsError`` naming each object; ``assetmap repair PROJECT --drop-foreign-objects``
removes exactly those (see ``repair``).

GDAL's spatial-index triggers call the ``ST_*`` functions assetmap registers, which SQLite only runs
from a trusted schema. A write therefore turns ``trusted_schema`` on for its own transaction, and
only after checking, inside that transaction (so no other program can change it meanwhile), that
the schema is still the one verified: see ``WriteGuard``.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assetmap.core.errors import NotAProjectError
from assetmap.core.project.schema import TABLES

_OWN_TABLES = frozenset(t.name for t in TABLES)
_QGIS_TABLES = frozenset({"layer_styles", "qgis_projects"})
_SHADOW_SUFFIXES = ("_node", "_parent", "_rowid")
_SHOWN = 8  # objects named in one message before "and N more"


# --- connections --------------------------------------------------------------------------------


def harden(conn: sqlite3.Connection) -> sqlite3.Connection:
    """No function or virtual table runs from the file's schema unless SQLite marks it harmless, and (where
    Python 3.12+ exposes it) defensive mode: no writing to the schema or SQLite's internals by SQL."""
    conn.execute("PRAGMA trusted_schema = OFF")
    flag = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    setconfig = getattr(conn, "setconfig", None)
    if flag is not None and setconfig is not None:
        setconfig(flag, True)
    return conn


def open_sqlite(target: str | Path, *, uri: bool = False, timeout: float = 5.0) -> sqlite3.Connection:
    """Every SQLite connection assetmap opens goes through here, hardened (see ``harden``); in autocommit
    mode, as assetmap begins and commits its transactions itself."""
    conn = sqlite3.connect(target, uri=uri, timeout=timeout, isolation_level=None)
    try:
        return harden(conn)
    except BaseException:
        conn.close()
        raise


# --- SQL as tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>--|/\*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?)
  | (?P<op>!=|<>|<=|>=|==|\|\||[-+*/%=<>(),.;])
""", re.VERBOSE)

# Words that are SQL in the statements below: written bare they are keywords, quoted they would be names.
_KEYWORDS = frozenset("""
    ABORT AFTER AND AS ASC BEFORE BEGIN COLLATE CREATE DELETE DESC EACH END EXISTS FOR FROM IF IN INDEX INSERT
    INTO IS ISNULL NOT NOTNULL NULL OF ON OR RAISE REPLACE ROW SELECT SET TABLE TEMP TEMPORARY TRIGGER UNIQUE
    UPDATE USING VALUES VIRTUAL WHEN WHERE
""".split())
_SPELLED_OUT = {"NOTNULL": (("k", "NOT"), ("k", "NULL")), "ISNULL": (("k", "IS"), ("k", "NULL"))}

Token = tuple[str, str]


def tokens(sql: str | None) -> tuple[Token, ...] | None:
    """``sql`` as (kind, text) tokens, spacing and letter case aside; None for SQL this reader does not follow
    (comments, characters outside the statements GDAL writes), which is then never taken for GDAL's."""
    if sql is None:
        return None
    out: list[Token] = []
    pos = 0
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None or match.lastgroup == "comment":
            return None
        pos = match.end()
        kind, text = match.lastgroup or "", match.group()
        if kind == "space":
            continue
        if kind == "word" and text.upper() in _KEYWORDS:
            out.extend(_SPELLED_OUT.get(text.upper(), (("k", text.upper()),)))
        elif kind == "word":
            out.append(("n", text.lower()))
        elif kind == "quoted":
            quote, inner = text[0], text[1:-1]
            out.append(("n", (inner if quote == "[" else inner.replace(quote * 2, quote)).lower()))
        elif kind == "string":
            out.append(("s", text[1:-1].replace("''", "'").lower()))
        else:
            out.append((kind[0], text))
    while out and out[-1] == ("o", ";"):
        out.pop()
    return tuple(out)


def _fill(template: str, **names: str) -> str:
    """A template with names put in: ``"{t}"`` as a quoted name, ``'{t}'`` as a string."""
    for key, value in names.items():
        template = template.replace('"{' + key + '}"', '"' + value.replace('"', '""') + '"')
        template = template.replace("'{" + key + "}'", "'" + value.replace("'", "''") + "'")
    return template


# --- what GDAL writes ---------------------------------------------------------------------------

_BOX = 'NEW."{i}", ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"), ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")'
_ON = ' ON "{t}" WHEN '
_SAME = 'OLD."{i}" = NEW."{i}" AND '
_MOVED = 'OLD."{i}" != NEW."{i}" AND '
_HAS_NEW = '(NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}"))'
_NO_NEW = '(NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}"))'
_INDEX_NEW = ' BEGIN INSERT OR REPLACE INTO "{r}" VALUES (' + _BOX + '); END'
_REINDEX = ' BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; INSERT OR REPLACE INTO "{r}" VALUES (' + _BOX + "); END"
_UNINDEX = ' BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; END'
_AFTER_GEOM = 'CREATE TRIGGER "{n}" AFTER UPDATE OF "{c}"'
_AFTER_ANY = 'CREATE TRIGGER "{n}" AFTER UPDATE'

# The R-tree triggers of the GeoPackage spec (1.0-1.3, as GDAL up to 3.7 writes them, and 1.4's
# update5-7, as later GDAL writes them), by the suffix of the trigger's name.
_RTREE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "insert": ('CREATE TRIGGER "{n}" AFTER INSERT' + _ON + '(new."{c}" NOT NULL AND NOT ST_IsEmpty(NEW."{c}"))'
               + _INDEX_NEW,),
    "update1": (_AFTER_GEOM + _ON + _SAME + _HAS_NEW + _INDEX_NEW,),
    "update2": (_AFTER_GEOM + _ON + _SAME + _NO_NEW + _UNINDEX,),
    "update3": (_AFTER_ANY + _ON + _MOVED + _HAS_NEW + _REINDEX, _AFTER_GEOM + _ON + _MOVED + _HAS_NEW + _REINDEX),
    "update4": (_AFTER_ANY + _ON + _MOVED + _NO_NEW
                + ' BEGIN DELETE FROM "{r}" WHERE id IN (OLD."{i}", NEW."{i}"); END',),
    "update5": (_AFTER_ANY + _ON + _MOVED + _HAS_NEW + _REINDEX,),
    "update6": (_AFTER_GEOM + _ON + _SAME + _HAS_NEW + ' AND (OLD."{c}" NOTNULL AND NOT ST_IsEmpty(OLD."{c}"))'
                ' BEGIN UPDATE "{r}" SET minx = ST_MinX(NEW."{c}"), maxx = ST_MaxX(NEW."{c}"),'
                ' miny = ST_MinY(NEW."{c}"), maxy = ST_MaxY(NEW."{c}") WHERE id = NEW."{i}"; END',),
    "update7": (_AFTER_GEOM + _ON + _SAME + _HAS_NEW + ' AND (OLD."{c}" ISNULL OR ST_IsEmpty(OLD."{c}"))'
                ' BEGIN INSERT INTO "{r}" VALUES (' + _BOX + "); END",),
    "delete": ('CREATE TRIGGER "{n}" AFTER DELETE' + _ON + 'old."{c}" NOT NULL' + _UNINDEX,),
}
_RTREE_TABLE = 'CREATE VIRTUAL TABLE "{r}" USING rtree(id, minx, maxx, miny, maxy)'
_FEATURE_COUNT = ('CREATE TRIGGER "{n}" AFTER {event} ON "{t}" BEGIN UPDATE gpkg_ogr_contents SET feature_count = '
                  "feature_count {sign} 1 WHERE lower(table_name) = lower('{t}'); END")
_TILE_RULES = (("zoom_level", "cannot be less than 0", "(NEW.zoom_level < 0)"),
               ("matrix_width", "cannot be less than 1", "(NEW.matrix_width < 1)"),
               ("matrix_height", "cannot be less than 1", "(NEW.matrix_height < 1)"),
               ("pixel_x_size", "must be greater than 0", "NOT (NEW.pixel_x_size > 0)"),
               ("pixel_y_size", "must be greater than 0", "NOT (NEW.pixel_y_size > 0)"))


def _tile_matrix_triggers() -> dict[str, tuple[str, ...]]:
    """The checks GDAL adds to gpkg_tile_matrix (GeoPackage spec, tiles), by trigger name."""
    out: dict[str, tuple[str, ...]] = {}
    for column, rule, condition in _TILE_RULES:
        for event, when in (("insert", "INSERT"), ("update", f"UPDATE OF {column}")):
            name = f"gpkg_tile_matrix_{column}_{event}"
            out[name] = (f"CREATE TRIGGER '{name}' BEFORE {when} ON 'gpkg_tile_matrix' FOR EACH ROW BEGIN "
                         f"SELECT RAISE(ABORT, '{event} on table ''gpkg_tile_matrix'' violates constraint: "
                         f"{column} {rule}') WHERE {condition}; END",)
    return out


# --- the check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaObject:
    type: str  # table, view, index or trigger
    name: str
    table: str  # the table it belongs to (a table's own name)
    sql: str | None

    def describe(self) -> str:
        if self.type in ("trigger", "index") and self.table:
            return f"{self.type} '{self.name}' on {self.table}"
        return f"{self.type} '{self.name}'"


class ForeignObjectsError(NotAProjectError):
    """The project holds triggers, views or tables that assetmap, GDAL and QGIS do not make.

    ``objects`` lists them (as ``SchemaObject``); ``names`` describes each, as the message does.
    """

    def __init__(self, path: Path, objects: list[SchemaObject]) -> None:
        self.path = path
        self.objects = objects
        self.names = [o.describe() for o in objects]
        shown = ", ".join(self.names[:_SHOWN]) + (f" and {len(self.names) - _SHOWN} more"
                                                  if len(self.names) > _SHOWN else "")
        super().__init__(
            f"{path.name} holds {len(objects)} object{'s' if len(objects) != 1 else ''} that neither assetmap nor "
            f"GDAL or QGIS makes: {shown}. They could change or copy the project's data (residents' details "
            f"too) whenever it is read or saved, so assetmap does not open it. If you do not know why they are "
            f"there, remove them with `assetmap repair {shlex.quote(str(path))} --drop-foreign-objects` and open "
            "the project again.")


@dataclass(frozen=True)
class Verified:
    """What the schema check found: the schema version it checked, and whether writes need the ST_ functions."""

    schema_version: int
    calls_functions: bool


def _schema(conn: sqlite3.Connection) -> list[SchemaObject]:
    return [SchemaObject(*row) for row in conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master")]


def _geometry_columns(conn: sqlite3.Connection, tables: Iterable[str]) -> set[tuple[str, str]]:
    if "gpkg_geometry_columns" not in tables:
        return set()
    rows = conn.execute("SELECT table_name, column_name FROM main.gpkg_geometry_columns").fetchall()
    return {(str(t).lower(), str(c).lower()) for t, c in rows if isinstance(t, str) and isinstance(c, str)}


def _primary_key(conn: sqlite3.Connection, table: str) -> str:
    keys = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table.replace(chr(34), chr(34) * 2)}")') if r[5]]
    return str(keys[0]) if len(keys) == 1 else "fid"


def _is_virtual(sql: str | None) -> bool:
    found = tokens(sql)
    return found is None or found[:3] == (("k", "CREATE"), ("k", "VIRTUAL"), ("k", "TABLE"))


def _plain_index(sql: str, tables: set[str]) -> bool:
    """``CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [COLLATE c] [ASC|DESC], ...)``: no
    expression (which could call functions or build huge values on every write) and no WHERE."""
    found = tokens(sql)
    if not found:
        return False
    rest = list(found)
    for expected in (("k", "CREATE"), ("k", "UNIQUE"), ("k", "INDEX"), ("k", "IF"), ("k", "NOT"), ("k", "EXISTS")):
        if rest and rest[0] == expected:
            rest.pop(0)
        elif expected in (("k", "CREATE"), ("k", "INDEX")):
            return False
    if len(rest) < 5 or rest[0][0] != "n" or rest[1] != ("k", "ON") or rest[2] not in [("n", t) for t in tables]:
        return False
    if rest[3] != ("o", "(") or rest[-1] != ("o", ")"):
        return False
    for column in _split_commas(rest[4:-1]):
        if not column or column[0][0] != "n":
            return False
        tail = column[1:]
        if tail[:1] == [("k", "COLLATE")] and len(tail) >= 2 and tail[1][0] == "n":
            tail = tail[2:]
        if tail not in ([], [("k", "ASC")], [("k", "DESC")]):
            return False
    return True


def _split_commas(items: list[Token]) -> Iterator[list[Token]]:
    part: list[Token] = []
    for token in items:
        if token == ("o", ","):
            yield part
            part = []
        elif token[0] == "o":
            yield [("o", token[1])]  # any other punctuation: not a plain column list
            return
        else:
            part.append(token)
    yield part


def _known_triggers(conn: sqlite3.Connection, accepted: set[str], geometry: set[tuple[str, str]],
                    rtrees: set[str]) -> dict[str, list[tuple[Token, ...]]]:
    """Trigger name (lower case) → the token forms GDAL would have written for it in this file."""
    known: dict[str, list[tuple[Token, ...]]] = {}

    def add(name: str, sql: str) -> None:
        form = tokens(sql)
        if form:
            known.setdefault(name.lower(), []).append(form)

    for table in sorted(accepted):  # names in lower case: tokens() compares them so
        for t, c in sorted(geometry):
            rtree = f"rtree_{t}_{c}"
            if t != table or rtree not in rtrees:
                continue
            names = {"t": t, "c": c, "i": _primary_key(conn, t).lower(), "r": rtree}
            for suffix, forms in _RTREE_TRIGGERS.items():
                for form in forms:
                    add(f"{rtree}_{suffix}", _fill(form, n=f"{rtree}_{suffix}", **names))
        if "gpkg_ogr_contents" in accepted:
            for event, sign in (("insert", "+"), ("delete", "-")):
                name = f"trigger_{event}_feature_count_{table}"
                add(name, _fill(_FEATURE_COUNT.replace("{event}", event.upper()).replace("{sign}", sign),
                                n=name, t=table))
    if "gpkg_tile_matrix" in accepted:
        for name, forms in _tile_matrix_triggers().items():
            for form in forms:
                add(name, form)
    return known


def foreign_objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    """Every object in the file's schema that assetmap, GDAL or QGIS would not have made (see the module notes)."""
    schema = _schema(conn)
    tables = {o.name.lower(): o for o in schema if o.type == "table"}
    geometry = _geometry_columns(conn, tables)
    accepted: set[str] = set()
    for lower, obj in tables.items():
        known = (lower in _OWN_TABLES or lower in _QGIS_TABLES or lower.startswith(("gpkg_", "gpkgext_", "sqlite_")))
        if known and (lower.startswith("sqlite_") or not _is_virtual(obj.sql)):
            accepted.add(lower)
    rtrees: set[str] = set()
    for t, c in geometry:
        name = f"rtree_{t}_{c}"
        found = tables.get(name)
        if t in accepted and found is not None and tokens(found.sql) == tokens(_fill(_RTREE_TABLE, r=found.name)):
            rtrees.add(name)
    accepted |= rtrees
    accepted |= {lower for lower in tables if lower.endswith(_SHADOW_SUFFIXES)
                 and any(lower == r + s for r in rtrees for s in _SHADOW_SUFFIXES)}
    triggers = _known_triggers(conn, accepted, geometry, rtrees)
    foreign = []
    for obj in schema:
        table = obj.table.lower()
        if obj.type == "table":
            fine = obj.name.lower() in accepted
        elif obj.type == "index":
            fine = table in accepted and (obj.sql is None or _plain_index(obj.sql, accepted))
        elif obj.type == "trigger":
            fine = table in accepted and tokens(obj.sql) in triggers.get(obj.name.lower(), [])
        else:  # a view, or whatever a later SQLite adds
            fine = False
        if not fine:
            foreign.append(obj)
    return foreign


def check_schema(conn: sqlite3.Connection, path: Path) -> Verified:
    """Raise ``ForeignObjectsError`` unless every object in the schema is one assetmap, GDAL or QGIS makes."""
    version = int(conn.execute("PRAGMA main.schema_version").fetchone()[0])
    foreign = foreign_objects(conn)
    if foreign:
        raise ForeignObjectsError(path, foreign)
    calls = bool(conn.execute("SELECT 1 FROM main.sqlite_master WHERE type = 'trigger' AND sql LIKE '%ST\\_%' "
                              "ESCAPE '\\' LIMIT 1").fetchone())
    return Verified(version, calls)


class WriteGuard:
    """Checks the schema again when another program changed it, and lets GDAL's verified triggers run in writes."""

    def __init__(self, path: Path, verified: Verified) -> None:
        self.path = path
        self.verified = verified

    def recheck(self, conn: sqlite3.Connection) -> None:
        """Check the schema again if its version moved since the last check (another program changed it)."""
        if int(conn.execute("PRAGMA main.schema_version").fetchone()[0]) != self.verified.schema_version:
            self.verified = check_schema(conn, self.path)

    @contextmanager
    def writing(self, conn: sqlite3.Connection) -> Iterator[None]:
        """Around one write transaction, already begun (so the schema cannot change under it): re-verified, and
        trusted for the ST_ functions GDAL's spatial-index triggers call, only when the file has such triggers."""
        self.recheck(conn)
        if not self.verified.calls_functions:
            yield
            return
        conn.execute("PRAGMA trusted_schema = ON")
        try:
            yield
        finally:
            conn.execute("PRAGMA trusted_schema = OFF")
