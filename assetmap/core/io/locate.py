"""Work out where each row is: its own geometry, coordinate columns, a WKT column or its postcode.

Returns, per row, a point in the project CRS (or None: unlocated), an optional footprint, or the
reason the row's location is unusable. File-level problems (swapped columns, coordinates in an
unknown system) raise DataError before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS

from assetmap.core.errors import DataError
from assetmap.core.io.columns import coordinate_hint
from assetmap.core.io.coords import (
    WGS84,
    detect_crs,
    in_range,
    looks_swapped,
    parse_crs,
    parse_number,
    range_text,
    transformer,
)
from assetmap.core.io.postcodes import PostcodeLookup
from assetmap.core.io.table import RawTable
from assetmap.core.model import is_blank


@dataclass
class Located:
    points: list[shapely.Geometry | None]
    areas: list[shapely.Geometry | None]
    problems: dict[int, str] = field(default_factory=dict)  # row index → reason
    notes: list[str] = field(default_factory=list)
    by_postcode: int = 0


def _to_project(geoms: np.ndarray, src: CRS, dst: CRS) -> np.ndarray:
    if src == dst:
        return geoms
    tr = transformer(src, dst)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _column_numbers(table: RawTable, column: str, problems: dict[int, str]) -> np.ndarray:
    out = np.full(len(table), np.nan)
    for i, value in enumerate(table.rows[column].tolist()):
        if is_blank(value):
            continue
        try:
            out[i] = parse_number(value)
        except ValueError as exc:
            problems.setdefault(i, f"column '{column}': {exc} (expected a coordinate)")
    return out


def locate_rows(
    table: RawTable,
    mapping: Mapping[str, str],
    project_crs: CRS,
    *,
    crs_option: str | None = None,
    postcodes: PostcodeLookup | None = None,
    extent_wgs84: tuple[float, float, float, float] | None = None,
) -> Located:
    n = len(table)
    points: list[shapely.Geometry | None] = [None] * n
    areas: list[shapely.Geometry | None] = [None] * n
    problems: dict[int, str] = {}
    notes: list[str] = []
    forced = parse_crs(crs_option) if crs_option else None

    if table.geometry is not None:
        _locate_geometry(table, project_crs, forced, points, areas, problems)

    if "x" in mapping and "y" in mapping:
        xs = _column_numbers(table, mapping["x"], problems)
        ys = _column_numbers(table, mapping["y"], problems)
        row_crs = _row_crs(table, mapping, forced, xs, ys, problems, notes, extent_wgs84)
        for crs in {c for c in row_crs if c is not None}:
            idx = [i for i in range(n) if row_crs[i] == crs and points[i] is None and i not in problems
                   and not np.isnan(xs[i]) and not np.isnan(ys[i])]
            good = []
            for i in idx:
                if in_range(crs, xs[i], ys[i]):
                    good.append(i)
                else:
                    problems[i] = (f"coordinates ({xs[i]:g}, {ys[i]:g}) in columns '{mapping['x']}'/'{mapping['y']}' "
                                   f"are outside {range_text(crs)}")
            if good:
                geoms = _to_project(shapely.points(xs[good], ys[good]), crs, project_crs)
                for i, g in zip(good, geoms):
                    points[i] = g
    elif "wkt" in mapping:
        crs = forced or WGS84
        for i, value in enumerate(table.rows[mapping["wkt"]].tolist()):
            if points[i] is not None or is_blank(value):
                continue
            try:
                geom = shapely.from_wkt(str(value))
            except shapely.errors.GEOSException:
                problems[i] = f"column '{mapping['wkt']}': '{str(value)[:40]}' is not WKT geometry"
                continue
            _place(i, geom, crs, project_crs, points, areas, problems)

    if postcodes is not None and "postcode" in mapping:
        located = 0
        for i, value in enumerate(table.rows[mapping["postcode"]].tolist()):
            if points[i] is None and i not in problems and not is_blank(value):
                xy = postcodes.locate(value, project_crs)
                if xy is not None:
                    points[i] = shapely.Point(xy)
                    located += 1
        if located:
            notes.append(f"{located} rows placed at their postcode's centre")
        return Located(points, areas, problems, notes, located)
    return Located(points, areas, problems, notes)


def _row_crs(table: RawTable, mapping: Mapping[str, str], forced: CRS | None, xs: np.ndarray, ys: np.ndarray,
             problems: dict[int, str], notes: list[str],
             extent: tuple[float, float, float, float] | None) -> list[CRS | None]:
    n = len(table)
    if forced is not None:
        notes.append(f"coordinates read as {forced.name} (--crs)")
        return [forced] * n
    if "crs" in mapping:
        out: list[CRS | None] = []
        cache: dict[str, CRS] = {}
        for i, value in enumerate(table.rows[mapping["crs"]].tolist()):
            if is_blank(value):
                out.append(None)
                continue
            key = str(value)
            try:
                out.append(cache.setdefault(key, parse_crs(value)))
            except ValueError as exc:
                problems.setdefault(i, f"column '{mapping['crs']}': {exc}")
                out.append(None)
        if all(c is not None for c in out):
            notes.append(f"coordinate system per row from column '{mapping['crs']}'")
            return out
        missing = [i for i, c in enumerate(out) if c is None and i not in problems]
        fallback = detect_crs(xs[missing], ys[missing], coordinate_hint(mapping)) if missing else None
        return [c if c is not None else (fallback.crs if fallback else None) for c in out]
    detected = detect_crs(xs, ys, coordinate_hint(mapping))
    if detected is None:
        if np.isnan(xs).all() and np.isnan(ys).all():
            return [None] * n
        raise DataError(f"cannot tell the coordinate system of columns '{mapping['x']}'/'{mapping['y']}' "
                        f"(values like {np.nanmin(xs):g}, {np.nanmin(ys):g} are neither degrees nor British "
                        "National Grid metres); give it with --crs, e.g. --crs EPSG:32630", file=table.path)
    if detected.crs.is_geographic and looks_swapped(xs, ys, extent):
        raise DataError(f"latitude and longitude look swapped: column '{mapping['x']}' holds values like "
                        f"{np.nanmedian(xs):.4f}, which are latitudes here, and '{mapping['y']}' holds "
                        f"{np.nanmedian(ys):.4f}. Swap the column names, or import with "
                        f"--map lon={mapping['y']} --map lat={mapping['x']}", file=table.path)
    notes.append(f"coordinates read as {detected.crs.name}: {detected.reason}")
    return [detected.crs] * n


def _locate_geometry(table: RawTable, project_crs: CRS, forced: CRS | None, points: list, areas: list,
                     problems: dict[int, str]) -> None:
    geoms = np.asarray(table.geometry.values, dtype=object)
    src = forced or table.crs
    if src is None:
        present = [g for g in geoms if g is not None and not g.is_empty]
        if not present:
            return
        c = shapely.centroid(np.array(present, dtype=object))
        detected = detect_crs(shapely.get_x(c), shapely.get_y(c), None)
        if detected is None:
            raise DataError("has no coordinate system (.prj missing?) and its coordinates are neither degrees "
                            "nor British National Grid metres; give it with --crs", file=table.path)
        src = detected.crs
    for i, geom in enumerate(geoms):
        if geom is not None and not geom.is_empty:
            _place(i, geom, src, project_crs, points, areas, problems)


def _place(i: int, geom: shapely.Geometry, src: CRS, dst: CRS, points: list, areas: list,
           problems: dict[int, str]) -> None:
    kind = geom.geom_type
    if kind in ("Point", "MultiPoint"):
        pt = geom if kind == "Point" else geom.centroid
        if not in_range(src, pt.x, pt.y):
            problems[i] = f"the point ({pt.x:g}, {pt.y:g}) is outside {range_text(src)}"
            return
        points[i] = _to_project(np.array([pt], dtype=object), src, dst)[0]
    elif kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        projected = _to_project(np.array([geom], dtype=object), src, dst)[0]
        if not projected.is_valid:
            projected = shapely.make_valid(projected)
        polys = shapely.get_parts(projected)
        polys = [p for p in polys if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
        if not polys:
            problems[i] = f"the geometry is a {kind} with no area"
            return
        area = shapely.union_all(polys)
        areas[i] = area
        points[i] = area.point_on_surface()
    else:
        problems[i] = f"the geometry is a {kind}; assetmap places assets as points or areas"
