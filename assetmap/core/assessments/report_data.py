"""Everything the one-page report shows, gathered from the project in one place.

Kept apart from the HTML so the GUI can show the same facts in its own panels, and so that the
slow part (geometry) reads only the neighbourhoods near the building, never all 35,000 LSOAs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from assetmap.core.analysis.public import public_gap_results
from assetmap.core.assessments.acv import AcvTimeline, DueItem, next_due
from assetmap.core.assessments.store import acv_for, assessments_for, get_assessment
from assetmap.core.errors import AssetmapError
from assetmap.core.project import Project, gpkg
from assetmap.core.resources import load_json
from assetmap.core.taxonomy import UNCATEGORISED


@dataclass
class ReportData:
    asset: dict[str, Any]
    assessment: dict[str, Any] | None  # the one reported on (the newest unless chosen)
    earlier: list[dict[str, Any]]  # the asset's other assessments, newest first
    acv: AcvTimeline
    due: DueItem | None
    today: date
    neighbourhood: dict[str, Any] | None  # code, name, population, imd_decile of the asset's neighbourhood
    gap: dict[str, Any] | None  # that neighbourhood's gap_results row (None: not run yet)
    rule_titles: dict[str, str] = field(default_factory=dict)
    neighbourhood_shapes: list[tuple[BaseGeometry, bool]] = field(default_factory=list)  # (geometry, is home)
    footprint: BaseGeometry | None = None
    project_name: str = ""
    kind_label: str = ""
    public: bool = False  # counted as the public map counts (no private assets, no small numbers of residents)


def _near(project: Project, bounds: tuple[float, float, float, float]) -> list[tuple[dict[str, Any], BaseGeometry]]:
    """Neighbourhoods whose bounding box meets ``bounds`` (read by envelope, then decoded)."""
    minx, miny, maxx, maxy = bounds
    rows = project.connection.execute(
        'SELECT "code", "name", "population", "imd_decile", geom FROM neighbourhoods '
        "WHERE geom IS NOT NULL AND ST_MaxX(geom) >= ? AND ST_MinX(geom) <= ? AND ST_MaxY(geom) >= ? "
        "AND ST_MinY(geom) <= ?", (minx, maxx, miny, maxy)).fetchall()
    geoms: list[BaseGeometry] = list(gpkg.decode_many([r[4] for r in rows])) if rows else []
    return [({"code": r[0], "name": r[1], "population": r[2], "imd_decile": r[3]}, g) for r, g in zip(rows, geoms)]


def _footprint(project: Project, asset_id: str) -> BaseGeometry | None:
    row = project.connection.execute("SELECT geom FROM asset_areas WHERE asset_id = ?", (asset_id,)).fetchone()
    return gpkg.decode_many([row[0]])[0] if row and row[0] is not None else None


def _gap_row(project: Project, code: str) -> dict[str, Any] | None:
    try:
        row = project.connection.execute("SELECT result FROM gap_results WHERE code = ?", (code,)).fetchone()
    except Exception:  # an older project without the table: treat as not run
        return None
    if row is None or row[0] is None:
        return None
    try:
        result = json.loads(row[0])
    except ValueError:
        return None
    return result if isinstance(result, dict) else None


def _rule_titles(project: Project) -> dict[str, str]:
    rules = project.get_setting("gap_rules")
    if rules is None:
        try:
            rules = load_json("gap_rules.json")
        except (OSError, ValueError):
            return {}
    items = rules.get("rules", []) if isinstance(rules, dict) else rules if isinstance(rules, list) else []
    return {str(r["id"]): str(r.get("title") or r["id"]) for r in items if isinstance(r, dict) and "id" in r}


def gather_report(project: Project, asset_id: str, *, assessment_id: str | None = None,
                  today: date | None = None, public: bool = False) -> ReportData:
    """Collect the report's facts for an asset (its newest assessment unless ``assessment_id`` is given).

    The gap results are the team's stored ones unless ``public``: then they are what the public map shows
    (worked out again without private assets and small numbers of residents when the stored run has them),
    and a private asset is refused, since the report would publish it.
    """
    today = today or date.today()
    asset = project.asset(asset_id)
    if public and (asset.get("visibility") != "public" or asset.get("category") == UNCATEGORISED):
        raise AssetmapError(f"{_short(asset.get('name'))} ({asset_id}) is private: a public report would publish "
                            "it. Leave out --public for the team's internal report, or make the asset public first.")
    history = assessments_for(project, asset_id)
    chosen: dict[str, Any] | None
    if assessment_id is not None:
        chosen = get_assessment(project, assessment_id)
        if chosen["asset_id"] != asset_id:
            raise AssetmapError(f"Assessment {assessment_id} is of another asset, not {asset_id}.")
    else:
        chosen = history[0] if history else None
    earlier = [a for a in history if chosen is None or a["id"] != chosen["id"]]
    acv = acv_for(chosen, asset)
    point = asset.get("geometry")
    point = None if point is None or point.is_empty else point
    data = ReportData(asset=asset, assessment=chosen, earlier=earlier, acv=acv, due=next_due(acv, today),
                      today=today, neighbourhood=None, gap=None, rule_titles=_rule_titles(project),
                      footprint=_footprint(project, asset_id), project_name=project.name,
                      kind_label=project.taxonomy.label(asset.get("kind")) if asset.get("kind") else "",
                      public=public)
    if point is None:
        return data
    home_geom = None
    for props, geom in _near(project, (point.x, point.y, point.x, point.y)):
        if geom is not None and shapely.covers(geom, point):
            data.neighbourhood, home_geom = props, geom
            break
    view = home_geom.bounds if home_geom is not None else point.buffer(500).bounds
    pad = max(view[2] - view[0], view[3] - view[1]) * 0.2
    for props, geom in _near(project, (view[0] - pad, view[1] - pad, view[2] + pad, view[3] + pad)):
        if geom is not None:
            home = data.neighbourhood is not None and props["code"] == data.neighbourhood["code"]
            data.neighbourhood_shapes.append((geom, home))
    if data.neighbourhood is not None:
        code = data.neighbourhood["code"]
        data.gap = public_gap_results(project).get(str(code)) if public else _gap_row(project, code)
    return data


def _short(value: object, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"
