"""The tables of a project GeoPackage and its schema version.

Adding a table: append a ``Table`` here. Projects written before it get the table when they are
next opened for editing (new tables are the only migration so far). Changing a column of an
existing table needs ``SCHEMA_VERSION`` bumped and a step in ``MIGRATIONS``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from assetmap.core.model import ASSET_FIELDS, PERSON_FIELDS, FieldSpec

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Table:
    name: str
    columns: str  # column definitions after the fid (and geom) columns
    geometry: str | None = None  # GeoPackage geometry type name, or None for an attribute table
    description: str = ""


def _sql_type(spec: FieldSpec) -> str:
    return {"int": "INTEGER", "date": "DATE", "datetime": "DATETIME"}.get(spec.type, "TEXT")


def _columns(fields: tuple[FieldSpec, ...], required: tuple[str, ...]) -> str:
    cols = []
    for spec in fields:
        extra = " NOT NULL" if spec.name in required else ""
        if spec.name == "id":
            extra = " NOT NULL UNIQUE"
        cols.append(f'"{spec.name}" {_sql_type(spec)}{extra}')
    return ", ".join(cols)


TABLES: list[Table] = [
    Table("settings", '"key" TEXT NOT NULL UNIQUE, "value" TEXT',
          description="assetmap project settings (JSON values), including the schema version"),
    Table("neighbourhoods",
          '"code" TEXT NOT NULL UNIQUE, "name" TEXT NOT NULL, "population" INTEGER, "imd_decile" INTEGER, '
          '"imd_rank" REAL, "local_authority" TEXT',
          geometry="MULTIPOLYGON", description="Neighbourhood boundaries"),
    Table("assets", _columns(ASSET_FIELDS, ("name", "category", "visibility")),
          geometry="POINT", description="Community assets (null geometry = not yet placed)"),
    Table("asset_areas", '"asset_id" TEXT NOT NULL UNIQUE, "area_m2" REAL',
          geometry="MULTIPOLYGON", description="Footprints of assets that cover an area, such as parks"),
    Table("people", _columns(PERSON_FIELDS, ("display_name", "consent")),
          description="Residents' skills and gifts, with consent; never located"),
    Table("gap_results", '"code" TEXT NOT NULL UNIQUE, "result" TEXT NOT NULL',
          description="The last gap analysis: one JSON object per neighbourhood, as `assetmap gaps --json` prints it"),
    Table("assessments",
          '"id" TEXT NOT NULL UNIQUE, "asset_id" TEXT NOT NULL, "assessed_on" DATE NOT NULL, "assessor" TEXT NOT NULL, '
          '"recommendation" TEXT NOT NULL, "reasons" TEXT, "score" REAL, "scores" TEXT, "criteria" TEXT, '
          '"tenure" TEXT, "lease_years" REAL, "market_value" REAL, "transfer_value" REAL, "undervalue" REAL, '
          '"organisation_name" TEXT, "acv_status" TEXT, "building" TEXT, "condition" TEXT, "organisation" TEXT, '
          '"community_benefit" TEXT, "risks" TEXT, "conditions" TEXT, "acv" TEXT, "flags" TEXT, "notes" TEXT, '
          '"created_at" DATETIME NOT NULL',
          description="Asset transfer assessments of buildings: several per asset, never overwritten "
          "(nested parts as JSON text)"),
    Table("imports",
          '"id" INTEGER NOT NULL UNIQUE, "file" TEXT NOT NULL, "source" TEXT, "imported_at" DATETIME NOT NULL, '
          '"options" TEXT, "report" TEXT, "added_ids" TEXT, "updated_ids" TEXT, "previous" TEXT, "after" TEXT, '
          '"seen" TEXT, "undone_at" DATETIME',
          description="Import history: one row per committed import, with what is needed to undo it "
          "(JSON text; see assetmap/core/imports/history.py)"),
]

# Columns that a schema version added to an existing table: a file saved at an older version gets them
# (empty) when it is next opened for editing, and a read-only view sees them as empty.
COLUMNS_SINCE: dict[int, dict[str, tuple[str, ...]]] = {
    2: {"neighbourhoods": ("imd_rank", "local_authority"),
        "assets": ("details", "public_details")},
}


def columns_added_after(version: int) -> dict[str, set[str]]:
    """Table → the columns added by schema versions newer than ``version``."""
    out: dict[str, set[str]] = {}
    for step, tables in COLUMNS_SINCE.items():
        if step > version:
            for table, columns in tables.items():
                out.setdefault(table, set()).update(columns)
    return out


def column_sql(table: str, column: str) -> str:
    """The definition of one column as ``Project.create`` writes it (for ALTER TABLE ... ADD COLUMN)."""
    spec = next(t for t in TABLES if t.name == table).columns
    match = re.search(r'"' + re.escape(column) + r'" ([A-Z]+)', spec)
    if match is None:
        raise KeyError(f"{table}.{column} is not declared in TABLES")
    return f'"{column}" {match.group(1)}'


def _add_columns(step: int) -> Callable[[sqlite3.Connection], None]:
    def migrate(conn: sqlite3.Connection) -> None:
        for table, columns in COLUMNS_SINCE[step].items():
            have = {r[1].lower() for r in conn.execute(f'PRAGMA table_info("{table}")')}
            for column in columns:
                if column.lower() not in have:
                    conn.execute(f'ALTER TABLE "{table}" ADD COLUMN {column_sql(table, column)}')
    return migrate


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _add_columns(2)}
