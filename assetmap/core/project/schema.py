"""The tables of a project GeoPackage and its schema version.

Adding a table: append a ``Table`` here. Projects written before it get the table when they are
next opened for editing (new tables are the only migration so far). Changing a column of an
existing table needs ``SCHEMA_VERSION`` bumped and a step in ``MIGRATIONS``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from assetmap.core.model import ASSET_FIELDS, PERSON_FIELDS, FieldSpec

SCHEMA_VERSION = 1


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
          '"code" TEXT NOT NULL UNIQUE, "name" TEXT NOT NULL, "population" INTEGER, "imd_decile" INTEGER',
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
]

MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}
