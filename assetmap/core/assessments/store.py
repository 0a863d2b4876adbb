"""Assessments in the project GeoPackage: added, listed newest first, never overwritten.

An assessment is a record of what an officer found on a date; a later one is a new row, so the
history of a building's case stays in the project. When the newest assessment of an asset records
Asset of Community Value data, the asset's own ``acv_*`` fields follow it, so the map and the
asset form agree with the case file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assetmap.core.assessments.acv import AcvRecord, AcvTimeline, acv_timeline, next_due
from assetmap.core.assessments.criteria import Criterion, project_criteria
from assetmap.core.assessments.record import clean_assessment
from assetmap.core.errors import AssetmapError
from assetmap.core.model import new_id, now_iso, validate_asset
from assetmap.core.project import Project

TABLE = "assessments"
JSON_COLUMNS = ("scores", "criteria", "building", "condition", "organisation", "risks", "conditions", "acv", "flags")
PLAIN_COLUMNS = ("id", "asset_id", "assessed_on", "assessor", "recommendation", "reasons", "score", "tenure",
                 "lease_years", "market_value", "transfer_value", "undervalue", "organisation_name", "acv_status",
                 "community_benefit", "notes", "created_at")
ORDER = "ORDER BY assessed_on DESC, created_at DESC, fid DESC"


def _has_table(project: Project) -> bool:
    """Projects opened read-only before the table existed have none yet (it is added on edit)."""
    row = project.connection.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)).fetchone()
    return row is not None


def _to_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    tenure = rec.get("tenure") or {}
    row = {
        "id": rec["id"], "asset_id": rec["asset_id"], "assessed_on": rec["date"], "assessor": rec["assessor"],
        "recommendation": rec["recommendation"], "reasons": rec.get("reasons"), "score": rec.get("score"),
        "tenure": tenure.get("type"), "lease_years": tenure.get("lease_years"),
        "market_value": rec.get("market_value"), "transfer_value": rec.get("transfer_value"),
        "undervalue": rec.get("undervalue"), "organisation_name": (rec.get("organisation") or {}).get("name"),
        "acv_status": (rec.get("acv") or {}).get("status"), "community_benefit": rec.get("community_benefit"),
        "notes": rec.get("notes"), "created_at": rec["created_at"],
    }
    row.update({k: json.dumps(rec.get(k), ensure_ascii=False) for k in JSON_COLUMNS})
    return row


def _from_row(row: sqlite3.Row | Sequence[Any]) -> dict[str, Any]:
    values = dict(zip(PLAIN_COLUMNS + JSON_COLUMNS, row))
    rec: dict[str, Any] = {k: values[k] for k in PLAIN_COLUMNS if k not in ("assessed_on", "tenure", "lease_years",
                                                                             "organisation_name", "acv_status")}
    rec["date"] = values["assessed_on"]
    for key in JSON_COLUMNS:
        rec[key] = json.loads(values[key]) if values[key] is not None else None
    rec["tenure"] = {k: v for k, v in (("type", values["tenure"]), ("lease_years", values["lease_years"]))
                     if v is not None}
    return rec


def _select(project: Project, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    if not _has_table(project):
        return []
    cols = ", ".join(f'"{c}"' for c in PLAIN_COLUMNS + JSON_COLUMNS)
    rows = project.connection.execute(f"SELECT {cols} FROM {TABLE} {where} {ORDER}", params).fetchall()
    return [_from_row(r) for r in rows]


def assessments_for(project: Project, asset_id: str) -> list[dict[str, Any]]:
    """Every assessment of an asset, newest first (by assessment date, then when it was entered)."""
    return _select(project, "WHERE asset_id = ?", (asset_id,))


def get_assessment(project: Project, assessment_id: str) -> dict[str, Any]:
    found = _select(project, "WHERE id = ?", (assessment_id,))
    if not found:
        raise AssetmapError(f"No assessment with id {assessment_id} in {project.path.name}.")
    return found[0]


def latest_assessments(project: Project) -> list[dict[str, Any]]:
    """The newest assessment of every assessed asset (in no particular order)."""
    latest: dict[str, dict[str, Any]] = {}
    for rec in _select(project):
        latest.setdefault(rec["asset_id"], rec)
    return list(latest.values())


def _acv_changes(rec: Mapping[str, Any]) -> dict[str, Any]:
    timeline = acv_timeline(AcvRecord.from_json(rec["acv"]))
    return {"acv_status": timeline.status,
            "acv_listed_on": timeline.listed_on.isoformat() if timeline.listed_on else None,
            "acv_expires_on": timeline.listing_ends.isoformat() if timeline.listing_ends else None}


def _insert(project: Project, rec: Mapping[str, Any]) -> None:
    row = _to_row(rec)
    cols = ", ".join(f'"{c}"' for c in row)
    with project.transaction() as conn:
        conn.execute(f"INSERT INTO {TABLE} ({cols}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


def _sync_asset(project: Project, rec: Mapping[str, Any]) -> dict[str, Any]:
    """Bring the asset's acv_* fields in line with ``rec`` if it is the newest; returns the old values."""
    if rec.get("acv") is None or assessments_for(project, rec["asset_id"])[0]["id"] != rec["id"]:
        return {}
    asset = project.asset(rec["asset_id"])
    changes = {k: v for k, v in _acv_changes(rec).items() if asset.get(k) != v}
    return project.update_asset(rec["asset_id"], changes) if changes else {}


def add_assessment(project: Project, asset_id: str, raw: Mapping[str, Any], *,
                   criteria: Sequence[Criterion] | None = None) -> dict[str, Any]:
    """Validate ``raw`` (the documented JSON keys), store it as a new assessment and return the stored record.

    Raises ValidationError (problems keyed by JSON key) or AssetmapError for an unknown asset.
    """
    record, _ = add_assessment_tracked(project, asset_id, raw, criteria=criteria)
    return record


def add_assessment_tracked(project: Project, asset_id: str, raw: Mapping[str, Any], *,
                           criteria: Sequence[Criterion] | None = None,
                           record_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """As ``add_assessment``, also returning the asset fields it changed (old values) so an undo can put them back."""
    asset = project.asset(asset_id)
    clean = clean_assessment(raw, criteria if criteria is not None else project_criteria(project))
    rec = {**clean, "id": record_id or new_id(), "asset_id": asset_id, "created_at": now_iso()}
    if rec["acv"] is not None:  # check the asset will accept the ACV fields before writing anything
        validate_asset({**asset, **_acv_changes(rec)}, project.taxonomy)
    with project.transaction():  # the assessment and the asset's ACV fields change together
        _insert(project, rec)
        return rec, _sync_asset(project, rec)


def delete_assessment(project: Project, assessment_id: str) -> dict[str, Any]:
    """Remove an assessment: only for undoing an add (assessments are otherwise never removed)."""
    rec = get_assessment(project, assessment_id)
    with project.transaction() as conn:
        conn.execute(f"DELETE FROM {TABLE} WHERE id = ?", (assessment_id,))
    return rec


def restore_assessment(project: Project, rec: Mapping[str, Any]) -> None:
    """Put back an assessment removed by ``delete_assessment`` (same id and timestamps)."""
    _insert(project, rec)
    _sync_asset(project, rec)


@dataclass
class AddAssessment:
    """Undoable command for the GUI's undo stack (apply/revert as in ``assetmap.core.project.commands``)."""

    asset_id: str
    values: Mapping[str, Any]
    assessment_id: str | None = None
    _record: dict[str, Any] | None = field(default=None, repr=False)
    _asset_before: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return "Add assessment"

    def apply(self, project: Project) -> None:
        if self._record is not None:  # redo: the same assessment, same id
            restore_assessment(project, self._record)
            return
        self._record, self._asset_before = add_assessment_tracked(project, self.asset_id, self.values,
                                                                  record_id=self.assessment_id)
        self.assessment_id = self._record["id"]

    def revert(self, project: Project) -> None:
        assert self.assessment_id is not None
        delete_assessment(project, self.assessment_id)
        if self._asset_before:
            project.update_asset(self.asset_id, self._asset_before)


def acv_for(record: Mapping[str, Any] | None, asset: Mapping[str, Any]) -> AcvTimeline:
    """The ACV timeline of an assessment, or (when it records none) what the asset's own fields say."""
    if record is not None and record.get("acv") is not None:
        return acv_timeline(AcvRecord.from_json(record["acv"]))
    status = asset.get("acv_status") or "none"
    listed = asset.get("acv_listed_on")
    return acv_timeline(AcvRecord(status=status, listed_on=date.fromisoformat(listed) if listed else None))


def assessment_summaries(project: Project, *, today: date | None = None,
                         include_deleted: bool = False) -> list[dict[str, Any]]:
    """The latest assessment of each assessed asset, best score first, for comparing buildings side by side.

    Each item has the keys of ``assetmap assessments --json`` (asset_id, name, score, recommendation, acv)
    plus ``date``, ``assessment_id``, ``flags`` and ``next_due`` ({key, label, date, days} or None).
    Assessments of assets since deleted from the map are kept in the project but left out here
    unless ``include_deleted`` (their name is then None).
    """
    today = today or date.today()
    out = []
    for rec in latest_assessments(project):
        exists = _asset_exists(project, rec["asset_id"])
        if not exists and not include_deleted:
            continue
        asset = project.asset(rec["asset_id"]) if exists else {}
        timeline = acv_for(rec, asset)
        due = next_due(timeline, today)
        out.append({"asset_id": rec["asset_id"], "name": asset.get("name"), "score": rec["score"],
                    "recommendation": rec["recommendation"], "acv": timeline.to_json(), "date": rec["date"],
                    "assessment_id": rec["id"], "flags": rec["flags"],
                    "next_due": None if due is None else {"key": due.key, "label": due.label,
                                                          "date": due.on.isoformat(), "days": due.days}})
    out.sort(key=lambda s: (-(s["score"] or 0), s["name"] or "", s["asset_id"]))
    return out


def _asset_exists(project: Project, asset_id: str) -> bool:
    return project.connection.execute("SELECT 1 FROM assets WHERE id = ?", (asset_id,)).fetchone() is not None
