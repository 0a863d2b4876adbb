"""GeoJSON (RFC 7946) and CSV exports of a project's assets, through the shared privacy filter.

Both formats are for other tools (QGIS, spreadsheets, websites), so they use WGS84 longitude and
latitude, rounded to 6 decimal places (about 10 cm: more digits only add bytes and false
precision). Files are written atomically so a failed export never leaves half a file.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap.core.export.privacy import detail_fields, exported_fields, filter_assets, public_of
from assetmap.core.export.text import neutral, strip_bidi
from assetmap.core.model import INTEGER_FIELDS
from assetmap.core.progress import Progress, ensure_progress
from assetmap.core.project.atomic import atomic_path

WGS84 = "EPSG:4326"
DECIMALS = 6


def clean_value(value: Any) -> Any:
    """A JSON/CSV-friendly scalar: no NaN, no numpy types."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    if value is pd.NaT:
        return None
    return value


def point_lonlat(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (WGS84, rounded) of each point; NaN where the asset is unlocated."""
    if len(geoms) == 0:
        return np.empty(0), np.empty(0)
    wgs = geoms.to_crs(WGS84) if geoms.crs is not None else geoms
    arr = wgs.values
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    pts = np.asarray(np.where(missing, None, arr), dtype=object)
    not_point = ~missing & (shapely.get_type_id(arr) != 0)
    if not_point.any():  # a stray polygon in the points layer: use a point inside it
        pts[not_point] = shapely.point_on_surface(arr[not_point])
    lon = np.round(shapely.get_x(pts).astype(float), DECIMALS)
    lat = np.round(shapely.get_y(pts).astype(float), DECIMALS)
    return lon, lat


def export_records(assets: gpd.GeoDataFrame, *,
                   private: bool) -> tuple[list[str], list[list[Any]], np.ndarray, np.ndarray]:
    """Filtered assets as (field names, rows of clean values, lon, lat).

    Each detail an export may carry (every one in private mode, public ones otherwise) is a field of its own,
    after the asset fields, named by its column header (see ``detail_fields``)."""
    kept = filter_assets(assets, private=private)
    fields = [c for c in exported_fields(private) if c in kept.columns and c != "details"]
    lon, lat = point_lonlat(kept.geometry)
    frame = kept[fields].astype(object).where(kept[fields].notna(), None)
    rows = frame.values.tolist()
    for i, name in enumerate(fields):
        if name in INTEGER_FIELDS:
            for row in rows:
                if row[i] is not None:
                    row[i] = int(row[i])
    for row in rows:
        for i, v in enumerate(row):
            if v is not None and not isinstance(v, (str, int)):
                row[i] = clean_value(v)
    detail_names, detail_values = detail_fields(kept, fields)
    for row, extra in zip(rows, detail_values):
        row.extend(extra)
    for row in rows:  # every export (CSV, GeoJSON, the web map) takes its text from here: no bidi controls
        row[:] = [neutral(v) for v in row]
    return [*fields, *_neutral_names(detail_names, fields)], rows, lon, lat


def _neutral_names(names: list[str], taken: list[str]) -> list[str]:
    """Detail headers without bidi controls, each still unique ("Name (detail)" when stripping made a twin)."""
    used = {t.casefold() for t in taken}
    out = []
    for name in names:
        name = strip_bidi(str(name))
        while name.casefold() in used:
            name += " (detail)"
        used.add(name.casefold())
        out.append(name)
    return out


def _coord(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def geojson_dict(assets: gpd.GeoDataFrame, *, private: bool, progress: Progress | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: [lon, lat] order, no ``crs`` member, null geometry if unlocated."""
    progress = ensure_progress(progress)
    fields, rows, lon, lat = export_records(assets, private=private)
    id_col = fields.index("id") if "id" in fields else None
    features = []
    total = len(rows)
    for n, row in enumerate(rows):
        if n % 5000 == 0:
            progress.update(n, total, "Writing features")
        x, y = _coord(lon[n]), _coord(lat[n])
        geometry = None if x is None or y is None else {"type": "Point", "coordinates": [x, y]}
        feature: dict[str, Any] = {"type": "Feature"}
        if id_col is not None and row[id_col]:
            feature["id"] = row[id_col]
        feature["geometry"] = geometry
        feature["properties"] = dict(zip(fields, row))
        if "public_details" in feature["properties"]:  # private mode: a list, not JSON text
            feature["properties"]["public_details"] = [strip_bidi(h) for h in
                                                       public_of(feature["properties"]["public_details"])]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def write_geojson(project: Any, out_path: str | Path, *, private: bool = False,
                  progress: Progress | None = None) -> dict[str, Any]:
    """Write the project's assets as GeoJSON; returns a summary for the CLI."""
    progress = ensure_progress(progress)
    progress.update(0, 3, "Reading assets")
    collection = geojson_dict(project.assets(), private=private, progress=progress)
    progress.update(2, 3, "Saving")
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(collection, fh, ensure_ascii=False, separators=(",", ":"))
        progress.check()  # the last chance to cancel: the rename follows (a Cancel removes the temporary file)
    progress.notify(3, 3, "Done")
    located = sum(1 for f in collection["features"] if f["geometry"] is not None)
    return {"out": str(out_path), "format": "geojson", "private": private,
            "assets": len(collection["features"]), "located": located, "bytes": out_path.stat().st_size}


_FORMULA = re.compile(r"^[=@\t\r]|^[+\-](?![\d .()]*$)")


def csv_safe(value: Any) -> Any:
    """Stop a spreadsheet treating a cell as a formula (``=HYPERLINK(...)``), keeping phone numbers."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def csv_rows(assets: gpd.GeoDataFrame, *, private: bool) -> tuple[list[str], Iterable[Sequence[Any]]]:
    fields, rows, lon, lat = export_records(assets, private=private)
    header = [*(csv_safe(f) for f in fields), "lon", "lat"]  # a detail's header is the user's text too

    def gen() -> Iterable[Sequence[Any]]:
        for n, row in enumerate(rows):
            x, y = _coord(lon[n]), _coord(lat[n])
            yield [*(csv_safe(v) for v in row), "" if x is None else f"{x:.6f}".rstrip("0").rstrip("."),
                   "" if y is None else f"{y:.6f}".rstrip("0").rstrip(".")]

    return header, gen()


def write_csv(project: Any, out_path: str | Path, *, private: bool = False,
              progress: Progress | None = None) -> dict[str, Any]:
    """Write the project's assets as CSV with ``lon``/``lat`` columns (UTF-8 with BOM, for Excel)."""
    progress = ensure_progress(progress)
    progress.update(0, 2, "Reading assets")
    assets = project.assets()
    header, rows = csv_rows(assets, private=private)
    out_path = Path(out_path)
    count = located = 0
    total = len(assets)
    with atomic_path(out_path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for row in rows:
                if count % 5000 == 0:
                    progress.update(count, max(total, 1), "Writing rows")
                writer.writerow(row)
                count += 1
                located += row[-1] != ""
        progress.check()  # the last chance to cancel: the rename follows (a Cancel removes the temporary file)
    progress.notify(2, 2, "Done")
    return {"out": str(out_path), "format": "csv", "private": private, "assets": count, "located": located,
            "bytes": out_path.stat().st_size}
