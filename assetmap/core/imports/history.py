"""Import history: each committed import is one step that can be taken back, and a re-import updates.

``commit_import`` (core/imports/pipeline.py) calls ``record_import`` in the same transaction as the rows, so
the ``imports`` table always matches the assets table. A record keeps what is needed to put the assets
table back exactly: the ids the import added, the raw rows (every column, footprint included) of what it
updated as they were before, and a digest of each row as the import left it, so an undo can tell whether
someone edited those assets since. It also keeps what the file said about each asset (``seen``): a later
import of the same file updates a field only where the project still holds what the file said last time,
so a value edited by hand in assetmap is kept, not silently overwritten.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from assetmap.core.errors import AssetmapError, DataError
from assetmap.core.io.dedupe import PlannedUpdate, Reimport, same_place, same_value, seen_of
from assetmap.core.io.postcodes import PostcodeLookup
from assetmap.core.model import now_iso, plain_value
from assetmap.core.project import gpkg
from assetmap.core.project.store import Project

if TYPE_CHECKING:
    from assetmap.core.imports.pipeline import ImportOptions, PreparedImport

TABLE = "imports"
_SHOWN = 10  # assets named in a refusal before "and N more"


# --- raw rows: every column of an asset and its footprint, for an exact restore -----------------------

def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$b64" in value:
        return base64.b64decode(value["$b64"])
    return value


def _raw(conn: sqlite3.Connection, table: str, key: str, asset_id: str) -> dict[str, Any] | None:
    cur = conn.execute(f'SELECT * FROM "{table}" WHERE "{key}"=? ORDER BY fid LIMIT 1', (asset_id,))
    row = cur.fetchone()
    return None if row is None else {d[0]: _encode(v) for d, v in zip(cur.description, row)}


def _snapshot(conn: sqlite3.Connection, asset_id: str) -> dict[str, Any] | None:
    """The asset's row and its footprint's row as stored (None if there is no such asset)."""
    asset = _raw(conn, "assets", "id", asset_id)
    return None if asset is None else {"asset": asset, "area": _raw(conn, "asset_areas", "asset_id", asset_id)}


def _snapshots(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``_snapshot`` of many assets at once (an import of 200,000 rows would otherwise make 400,000 queries)."""
    out: dict[str, dict[str, Any]] = {}
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        areas: dict[str, dict[str, Any]] = {}
        cur = conn.execute(f'SELECT * FROM asset_areas WHERE "asset_id" IN ({marks}) ORDER BY fid DESC', chunk)
        names = [d[0] for d in cur.description]
        for row in cur:
            rec = {n: _encode(v) for n, v in zip(names, row)}
            areas[rec["asset_id"]] = rec  # the first by fid wins, as in _raw
        cur = conn.execute(f'SELECT * FROM assets WHERE "id" IN ({marks}) ORDER BY fid DESC', chunk)
        names = [d[0] for d in cur.description]
        for row in cur:
            rec = {n: _encode(v) for n, v in zip(names, row)}
            out[rec["id"]] = {"asset": rec, "area": areas.get(rec["id"])}
    return out


def _digest(snapshot: Mapping[str, Any] | None) -> str | None:
    """What an asset is, ignoring its row number and when it was last saved: an edit undone in the app
    (which stamps the time again) leaves the same digest."""
    if snapshot is None:
        return None
    asset = {k: v for k, v in snapshot["asset"].items() if k.lower() not in ("fid", "updated_at")}
    area = {k: v for k, v in (snapshot["area"] or {}).items() if k.lower() != "fid"}
    text = json.dumps([asset, area], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _insert_raw(conn: sqlite3.Connection, table: str, row: Mapping[str, Any], have: set[str] | None = None) -> None:
    """Put a stored row back with its own fid when that is free (fids are never reused, so it is after an undo)."""
    have = have if have is not None else {c.lower() for c in _columns(conn, table)}
    values = {k: _decode(v) for k, v in row.items() if k.lower() in have}
    fid = next((k for k in values if k.lower() == "fid"), None)
    if fid is not None and conn.execute(f'SELECT 1 FROM "{table}" WHERE fid=?', (values[fid],)).fetchone():
        del values[fid]
    cols = ", ".join(f'"{c}"' for c in values)
    conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" for _ in values)})', list(values.values()))


def _put_back(conn: sqlite3.Connection, asset_id: str, snapshot: Mapping[str, Any]) -> None:
    """Make an existing asset (and its footprint) exactly ``snapshot`` again, keeping its row in place."""
    have = {c.lower() for c in _columns(conn, "assets")}
    values = {k: _decode(v) for k, v in snapshot["asset"].items() if k.lower() in have and k.lower() != "fid"}
    sets = ", ".join(f'"{c}"=?' for c in values)
    conn.execute(f'UPDATE assets SET {sets} WHERE "id"=?', (*values.values(), asset_id))
    current = _raw(conn, "asset_areas", "asset_id", asset_id)
    if current != snapshot["area"]:
        conn.execute('DELETE FROM asset_areas WHERE "asset_id"=?', (asset_id,))
        if snapshot["area"] is not None:
            _insert_raw(conn, "asset_areas", snapshot["area"])


def _remove(conn: sqlite3.Connection, asset_id: str) -> None:
    conn.execute('DELETE FROM asset_areas WHERE "asset_id"=?', (asset_id,))
    conn.execute('DELETE FROM assets WHERE "id"=?', (asset_id,))


def reimport_for(project: Project, assets: gpd.GeoDataFrame, source: str, mapped: Sequence[str]) -> Reimport:
    """The re-import check for ``source`` against this project's assets, its history and its footprints."""
    return Reimport(assets, source, mapped, seen=lambda: seen_by_source(project, source), areas=project.asset_areas)


def _unchanged(snap: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    """Whether an asset still holds the values it had when its file was checked (any edit in between shows)."""
    row = snap["asset"]
    if any(not same_value(row.get(f), v) for f, v in expected.items() if f != "geom"):
        return False
    return same_place(gpkg.read_blob(_decode(row.get("geom")))[1], expected.get("geom"))


def apply_updates(project: Project, conn: sqlite3.Connection, updates: Sequence[PlannedUpdate],
                  stamp: str) -> dict[str, dict[str, Any]]:
    """Write the planned changes; returns each updated asset's snapshot from before (for the history)."""
    before: dict[str, dict[str, Any]] = {}
    for plan in updates:
        if not plan.changed:
            continue
        snap = _snapshot(conn, plan.asset_id)
        if snap is None or not _unchanged(snap, plan.expected):
            raise DataError(f"'{plan.name}' was changed or deleted after the file was checked; nothing was imported. "
                            "Check the file again and import it then", row=plan.row)
        before[plan.asset_id] = snap
        sets = {f: plain_value(v) for f, v in plan.changes.items()}
        sets["updated_at"] = stamp
        cols = ", ".join(f'"{c}"=?' for c in sets)
        params: list[Any] = list(sets.values())
        if plan.moved:
            cols += ", geom=?"
            params.append(gpkg.encode(plan.geometry, project.srs_id))
        conn.execute(f'UPDATE assets SET {cols} WHERE "id"=?', (*params, plan.asset_id))
        if plan.reshaped and plan.area is not None:
            conn.execute('DELETE FROM asset_areas WHERE "asset_id"=?', (plan.asset_id,))
            project._insert_area(conn, plan.asset_id, plan.area)
    return before


# --- the history ---------------------------------------------------------------------------------------

def _options_json(options: ImportOptions | None) -> dict[str, Any]:
    if options is None:
        return {}
    out: dict[str, Any] = {}
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        out[f.name] = value.paths if isinstance(value, PostcodeLookup) else value
    return out


def record_import(project: Project, prepared: PreparedImport, added: Sequence[str]) -> int:
    """Apply the re-import's updates and write the history record; call inside the import's transaction."""
    report = prepared.report
    stamp = now_iso()
    updates = list(getattr(prepared, "updates", []) or [])
    with project.transaction() as conn:
        before = apply_updates(project, conn, updates, stamp)
        after = {aid: _digest(snap) for aid, snap in _snapshots(conn, [*added, *before]).items()}
        seen = {aid: seen_of(rec, point) for aid, rec, point in zip(added, prepared.records, prepared.points)}
        known = seen_by_source(project, _source(prepared)) if updates else {}
        for plan in updates:
            if plan.changed or known.get(plan.asset_id) != plan.seen:
                seen[plan.asset_id] = plan.seen
        if before:
            gpkg.update_extent(conn, "assets")
            gpkg.update_extent(conn, "asset_areas")
        number = int(conn.execute(f'SELECT COALESCE(MAX("id"), 0) + 1 FROM "{TABLE}"').fetchone()[0])
        report.import_id = number
        conn.execute(
            f'INSERT INTO "{TABLE}" ("id", "file", "source", "imported_at", "options", "report", "added_ids", '
            '"updated_ids", "previous", "after", "seen") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (number, report.file, _source(prepared), stamp,
             json.dumps(_options_json(getattr(prepared, "options", None)), default=str),
             json.dumps(report.to_json(), default=str), json.dumps(list(added)), json.dumps(list(before)),
             json.dumps(before), json.dumps(after), json.dumps(seen, default=str)))
    return number


def _source(prepared: PreparedImport) -> str:
    options = getattr(prepared, "options", None)
    return (options.source if options is not None and options.source else None) or Path(prepared.report.file).name


def seen_by_source(project: Project, source: str) -> dict[str, dict[str, Any]]:
    """What the imports of ``source`` that stand (not undone) last said about each asset, oldest first."""
    out: dict[str, dict[str, Any]] = {}
    rows = project.connection.execute(
        f'SELECT "seen" FROM "{TABLE}" WHERE "source"=? AND "undone_at" IS NULL ORDER BY "id"', (source,))
    for (text,) in rows:
        out.update(json.loads(text or "{}"))
    return out


def list_imports(project: Project) -> list[dict[str, Any]]:
    """The import history, oldest first: what each import did and whether it was undone."""
    rows = project.connection.execute(
        f'SELECT "id", "file", "source", "imported_at", "report", json_array_length("added_ids"), '
        f'json_array_length("updated_ids"), "undone_at" FROM "{TABLE}" ORDER BY "id"').fetchall()
    out = []
    for number, file, source, at, report, added, updated, undone in rows:
        counts = json.loads(report or "{}")
        out.append({"id": number, "file": file, "source": source, "imported_at": at, "added": added or 0,
                    "updated": updated or 0, "rows": counts.get("rows"),
                    "counts": {k: counts.get(k, 0) for k in ("imported", "unlocated", "duplicates", "updated",
                                                            "rejected")},
                    "undone_at": undone})
    return out


class ImportEditedError(DataError):
    """An undo was refused: assets the import added or updated were changed since (``changed`` lists them)."""

    def __init__(self, message: str, changed: list[dict[str, Any]]) -> None:
        self.changed = changed
        super().__init__(message)


@dataclass
class UndoneImport:
    """What an undo took away, kept so that a redo can put exactly those rows back (same ids)."""

    import_id: int
    file: str
    removed: list[dict[str, Any]]  # snapshots of the assets it had added
    replaced: dict[str, dict[str, Any]]  # asset id → its snapshot as the import had left it
    restored: list[str]  # ids put back to their values before the import
    skipped: list[str]  # ids already gone (deleted since), left alone

    def to_json(self) -> dict[str, Any]:
        return {"undone": self.import_id, "file": self.file, "removed": len(self.removed),
                "removed_ids": [s["asset"]["id"] for s in self.removed], "restored": len(self.restored),
                "restored_ids": self.restored, "skipped_ids": self.skipped}


def _record(conn: sqlite3.Connection, import_id: int | None) -> dict[str, Any]:
    cols = ("id", "file", "source", "imported_at", "added_ids", "updated_ids", "previous", "after", "seen",
            "undone_at")
    select = ", ".join(f'"{c}"' for c in cols)
    if import_id is None:
        row = conn.execute(f'SELECT {select} FROM "{TABLE}" WHERE "undone_at" IS NULL ORDER BY "id" DESC LIMIT 1'
                           ).fetchone()
        if row is None:
            raise AssetmapError("No import to undo: every import was undone already, or none was recorded "
                                "(see assetmap imports PROJECT).")
    else:
        row = conn.execute(f'SELECT {select} FROM "{TABLE}" WHERE "id"=?', (import_id,)).fetchone()
        if row is None:
            raise AssetmapError(f"No import {import_id} in this project's history (see assetmap imports PROJECT).")
    rec = dict(zip(cols, row))
    for key in ("added_ids", "updated_ids", "previous", "after", "seen"):
        rec[key] = json.loads(rec[key] or ("[]" if key.endswith("_ids") else "{}"))
    return rec


def _name(rec: Mapping[str, Any], asset_id: str, snap: Mapping[str, Any] | None) -> str:
    if snap is not None and snap["asset"].get("name"):
        return str(snap["asset"]["name"])
    return str(rec["seen"].get(asset_id, {}).get("values", {}).get("name") or asset_id)


def undo_import(project: Project, import_id: int | None = None, *, force: bool = False) -> UndoneImport:
    """Take back the last import that stands (or import ``import_id``) in one transaction.

    Refused when a later import that stands changed the same assets (undo that first), and, unless
    ``force``, when assets it added or updated were edited, deleted or assessed since; with ``force``
    their edits are lost (a deleted one stays deleted).
    """
    with project.transaction() as conn:
        rec = _record(conn, import_id)
        if rec["undone_at"]:
            raise AssetmapError(f"Import {rec['id']} ({Path(rec['file']).name}) was undone already, on "
                                f"{rec['undone_at'][:16].replace('T', ' ')}.")
        mine = set(rec["added_ids"]) | set(rec["updated_ids"])
        for number, file, updated in conn.execute(
                f'SELECT "id", "file", "updated_ids" FROM "{TABLE}" WHERE "id">? AND "undone_at" IS NULL '
                'ORDER BY "id" DESC', (rec["id"],)):
            overlap = mine & set(json.loads(updated or "[]"))
            if overlap:
                raise AssetmapError(f"Import {number} ({Path(file).name}) changed {len(overlap)} of the assets "
                                    f"import {rec['id']} brought in; undo import {number} first.")
        changed: list[dict[str, Any]] = []
        found = _snapshots(conn, [*rec["added_ids"], *rec["updated_ids"]])
        snaps = {aid: found.get(aid) for aid in [*rec["added_ids"], *rec["updated_ids"]]}
        assessed = _assessed(conn, rec["added_ids"])
        for aid, snap in snaps.items():
            why = "deleted" if snap is None else ("edited" if _digest(snap) != rec["after"].get(aid) else None)
            if why is None and aid in assessed:
                why = "assessed"
            if why:
                changed.append({"id": aid, "name": _name(rec, aid, snap), "change": why})
        if changed and not force:
            listed = ", ".join(f"{c['name']} ({c['change']})" for c in changed[:_SHOWN])
            more = f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else ""
            raise ImportEditedError(
                f"{len(changed)} asset{'s' if len(changed) != 1 else ''} that import {rec['id']} "
                f"({Path(rec['file']).name}) brought in {'were' if len(changed) != 1 else 'was'} changed since: "
                f"{listed}{more}; nothing was undone. Undoing anyway (assetmap import --undo --force) loses "
                "those changes", changed)
        removed: list[dict[str, Any]] = []
        replaced: dict[str, dict[str, Any]] = {}
        restored: list[str] = []
        skipped: list[str] = []
        for aid in rec["added_ids"]:
            snap = snaps[aid]
            if snap is None:
                skipped.append(aid)
                continue
            removed.append(snap)
            _remove(conn, aid)
        for aid in rec["updated_ids"]:
            snap = snaps[aid]
            if snap is None:
                skipped.append(aid)
                continue
            replaced[aid] = snap
            _put_back(conn, aid, rec["previous"][aid])
            restored.append(aid)
        conn.execute(f'UPDATE "{TABLE}" SET "undone_at"=? WHERE "id"=?', (now_iso(), rec["id"]))
        gpkg.update_extent(conn, "assets")
        gpkg.update_extent(conn, "asset_areas")
    return UndoneImport(rec["id"], rec["file"], removed, replaced, restored, skipped)


def _assessed(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found |= {r[0] for r in conn.execute(
            f'SELECT DISTINCT "asset_id" FROM assessments WHERE "asset_id" IN ({", ".join("?" for _ in chunk)})',
            chunk)}
    return found


def redo_import(project: Project, undone: UndoneImport) -> None:
    """Put an undone import back: the same rows, same ids; refused if the project changed them since the undo."""
    with project.transaction() as conn:
        rec = _record(conn, undone.import_id)
        if not rec["undone_at"]:
            raise AssetmapError(f"Import {rec['id']} ({Path(rec['file']).name}) is in the project already.")
        back = list(_snapshots(conn, [s["asset"]["id"] for s in undone.removed]))
        now = _snapshots(conn, list(undone.replaced))
        moved_on = [aid for aid in undone.replaced if _digest(now.get(aid)) != _digest(rec["previous"].get(aid))]
        if back or moved_on:
            raise AssetmapError(f"Cannot import {Path(rec['file']).name} again as it was: {len(back) + len(moved_on)} "
                                "of its assets were changed after the undo. Import the file again instead.")
        columns = {t: {c.lower() for c in _columns(conn, t)} for t in ("assets", "asset_areas")}
        for snap in undone.removed:
            _insert_raw(conn, "assets", snap["asset"], columns["assets"])
            if snap["area"] is not None:
                _insert_raw(conn, "asset_areas", snap["area"], columns["asset_areas"])
        for aid, snap in undone.replaced.items():
            _put_back(conn, aid, snap)
        conn.execute(f'UPDATE "{TABLE}" SET "undone_at"=NULL WHERE "id"=?', (rec["id"],))
        gpkg.update_extent(conn, "assets")
        gpkg.update_extent(conn, "asset_areas")


@dataclass
class ImportStep:
    """A committed import as a command for an undo stack: revert takes it back, apply puts the same rows back.

    It is made after ``commit_import`` has run, so the first ``apply`` (when it was never reverted) does nothing.
    """

    import_id: int
    file: str
    _undone: UndoneImport | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Import {Path(self.file).name}"

    def apply(self, project: Project) -> None:
        if self._undone is not None:
            redo_import(project, self._undone)
            self._undone = None

    def revert(self, project: Project) -> None:
        self._undone = undo_import(project, self.import_id)
