"""Map data kept current edit by edit: a few assets' rows put into data ``build_map_data`` made.

At 50,000 assets the map data is about 15 MB and takes the page seconds to draw, so the desktop
map sends an edit as a small change instead. ``patch_map_data`` reads only the assets an edit
touched, turns them into rows with the export's own code (so a patched map matches a rebuilt
one), puts them into the data in place and returns the change for the page:

    {"upsert": [row, ...], "remove": [id, ...], "areas": {id: [geometry, ...]},
     "fields": [...], "labels": {...}, "kinds": [...]}   # the last three only when they grew

Every container it changes is replaced, never changed inside, so a ``snapshot`` taken before
stays as it was while another thread serialises it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from assetmap.core.errors import AssetmapError
from assetmap.core.export.webdata import _assets_block, _web_geometries, category_entries
from assetmap.core.model import ASSET_FIELD_NAMES
from assetmap.core.project import gpkg, outside


def read_assets(project: Any, ids: Iterable[str]) -> gpd.GeoDataFrame:
    """The given assets that still exist (in the order asked), with the columns of ``Project.assets``."""
    records, geoms = [], []
    for asset_id in dict.fromkeys(str(i) for i in ids):
        try:
            rec = project.asset(asset_id)
        except AssetmapError:  # deleted (or never there): the caller removes it
            continue
        geoms.append(rec.pop("geometry", None))
        records.append(rec)
    frame = pd.DataFrame(records, columns=list(ASSET_FIELD_NAMES))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=project.crs))


def _footprints(project: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Web geometries of these assets' footprints, repaired as ``Project.asset_areas`` repairs them."""
    out: dict[str, list[dict[str, Any]]] = {}
    if not ids:
        return out
    rows: list[tuple[str, bytes]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows += project.connection.execute(
            f'SELECT "asset_id", geom FROM asset_areas WHERE geom IS NOT NULL AND "asset_id" IN ({marks}) ORDER BY fid',
            chunk).fetchall()
    if not rows:
        return out
    geoms = [outside.polygonal(g) for g in gpkg.decode_many([blob for _id, blob in rows])]
    areas = gpd.GeoDataFrame({"asset_id": [a for a, _blob in rows]}, geometry=gpd.GeoSeries(geoms, crs=project.crs))
    areas = areas[areas.geometry.notna()]
    for asset_id, geom in zip(areas["asset_id"], _web_geometries(areas)):
        if geom:
            out.setdefault(str(asset_id), []).append(geom)
    return out


def layer_summary(project: Any) -> dict[str, Any]:
    """The layers the map data will have, with their counts, in a few milliseconds (two SQL counts).

    The desktop's layer panel shows these while the whole data is still being built (seconds, at
    national scale); the shape is that of ``build_map_data`` (private mode) for the keys it uses."""
    counts = {str(c): int(n) for c, n in project.summary()["by_category"].items() if c is not None}
    categories = [c for c in project.taxonomy.categories if c != "people"]
    categories += sorted(c for c in counts if c not in categories)
    codes = [str(r[0]) for r in project.connection.execute('SELECT "code" FROM neighbourhoods ORDER BY fid')]
    return {"categories": category_entries(project.taxonomy, categories, counts),
            "neighbourhoods": [{"code": code} for code in codes]}


def snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of the containers ``patch_map_data`` replaces: safe to read on another thread meanwhile."""
    out = dict(data)
    out["assets"] = dict(data["assets"])
    out["categories"] = list(data["categories"])
    out["meta"] = dict(data["meta"])
    return out


def patch_map_data(project: Any, data: dict[str, Any], ids: Iterable[str], *, private: bool = True,
                   assets: gpd.GeoDataFrame | None = None) -> dict[str, Any] | None:
    """Bring assets ``ids`` in ``data`` up to date with the project; returns the change for the page.

    ``assets`` is ``read_assets(project, ids)`` when the caller has it already. An id no longer in the
    project (or not shown in this mode) is removed. Returns None when the data cannot take the change
    (an asset in a category the data has no entry for): build it again then.
    """
    wanted = list(dict.fromkeys(str(i) for i in ids))
    frame = read_assets(project, wanted) if assets is None else assets
    cat_ids = [c["id"] for c in data["categories"]]
    categories = list(cat_ids)
    block, shown = _assets_block(frame, private, project.taxonomy, categories)
    if categories != cat_ids:
        return None
    current = data["assets"]
    fields, labels, kinds = list(current["fields"]), dict(current["labels"]), list(current["kinds"])
    grew = False
    column = {name: i for i, name in enumerate(fields)}
    for name in block["fields"]:
        if name not in column:  # a detail no asset had before
            column[name] = len(fields)
            fields.append(name)
            labels[name] = block["labels"].get(name, name)
            grew = True
    kind_at = {k["id"]: i for i, k in enumerate(kinds)}
    kind_grew = False
    upsert: list[list[Any]] = []
    for src in block["rows"]:
        row: list[Any] = [None] * len(fields)
        for j, value in enumerate(src):
            name = block["fields"][j]
            if name == "kind" and value is not None:
                kind = block["kinds"][value]
                if kind["id"] not in kind_at:
                    kind_at[kind["id"]] = len(kinds)
                    kinds.append(kind)
                    kind_grew = True
                value = kind_at[kind["id"]]
            row[column[name]] = value
        while row and row[-1] is None:  # as the builder does: trailing empties carry nothing
            row.pop()
        upsert.append(row)
    shown_set = set(shown)
    removed = [i for i in wanted if i not in shown_set]
    footprints = _footprints(project, list(shown))

    old_rows: list[list[Any]] = current["rows"]
    touched = set(wanted)
    row_at = {r[0]: i for i, r in enumerate(old_rows) if r[0] in touched}  # a scan: cheaper than indexing all
    counts = [c.get("count", 0) for c in data["categories"]]
    located = int(data["meta"].get("located", 0))

    def forget(old: list[Any]) -> None:
        nonlocal located
        counts[old[2]] -= 1
        located -= int(len(old) > 5 and old[4] is not None and old[5] is not None)

    rows = list(old_rows)
    gone = {row_at[i] for i in removed if i in row_at}
    for i in gone:
        forget(rows[i])
    for row in upsert:
        at = row_at.get(row[0])
        if at is not None:
            forget(rows[at])
            rows[at] = row
        else:
            row_at[row[0]] = len(rows)
            rows.append(row)
        counts[row[2]] += 1
        located += int(len(row) > 5 and row[4] is not None and row[5] is not None)
    if gone:
        rows = [r for i, r in enumerate(rows) if i not in gone]
    areas = data.get("areas", [])
    if areas or footprints:
        id_of = [r[0] for r in old_rows]
        if gone or footprints or any(id_of[a["a"]] in touched for a in areas):
            kept = [(id_of[a["a"]], a["g"]) for a in areas if id_of[a["a"]] not in touched]
            kept += [(asset_id, g) for asset_id in shown if asset_id in footprints for g in footprints[asset_id]]
            new_at = {r[0]: i for i, r in enumerate(rows)}
            data["areas"] = [{"a": new_at[asset_id], "g": g} for asset_id, g in kept if asset_id in new_at]

    data["assets"] = {**current, "rows": rows, "fields": fields, "labels": labels, "kinds": kinds}
    data["categories"] = [{**c, "count": n} for c, n in zip(data["categories"], counts)]
    data["meta"] = {**data["meta"], "located": located}
    data["bounds"] = _grown_bounds(data.get("bounds"), upsert)
    change: dict[str, Any] = {"upsert": upsert, "remove": removed,
                              "areas": {i: footprints.get(i, []) for i in shown}}
    if grew:
        change["fields"], change["labels"] = fields, labels
    if kind_grew:
        change["kinds"] = kinds
    return change


def _grown_bounds(bounds: list[list[float]] | None, rows: list[list[Any]]) -> list[list[float]] | None:
    """The bounds taking in newly placed points too (deleted ones are left in until the next rebuild)."""
    pts = np.array([[r[5], r[4]] for r in rows if len(r) > 5 and r[4] is not None and r[5] is not None], dtype=float)
    if not len(pts):
        return bounds
    lo, hi = pts.min(axis=0).tolist(), pts.max(axis=0).tolist()
    if bounds is None:
        return [lo, hi]
    return [[min(bounds[0][0], lo[0]), min(bounds[0][1], lo[1])], [max(bounds[1][0], hi[0]), max(bounds[1][1], hi[1])]]
