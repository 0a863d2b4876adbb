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
from assetmap.core.io import footprints
from assetmap.core.io.columns import coordinate_hint
from assetmap.core.io.coords import (
    WGS84,
    comma_means_thousands,
    detect_crs,
    in_range,
    looks_swapped,
    parse_coordinate,
    parse_crs,
    plain_crs_name,
    range_check,
    range_text,
    transformer,
)
from assetmap.core.io.limits import MAX_FOOTPRINT_VERTICES
from assetmap.core.io.postcodes import PostcodeLookup, is_postcode
from assetmap.core.io.table import CellProblem, RawTable
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
    projected: np.ndarray = shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    return projected


# What people type in a coordinate cell for "not known", besides the blanks ``is_blank`` knows.
PLACEHOLDERS = frozenset({"tbc", "tbd", "tba", "?", "??", "???", "n/k", "nk", "not known", "n.a.", "n.a", "nil",
                          "none given", "not applicable", "no location", "unknown location"})


def is_placeholder(value: object) -> bool:
    return is_blank(value) or (isinstance(value, str) and value.strip().lower() in PLACEHOLDERS)


def _column_numbers(table: RawTable, column: str, axis: str, hint: str | None,
                    problems: dict[int, str]) -> np.ndarray:
    values = table.rows[column].tolist()
    out = np.full(len(values), np.nan)
    thousands = comma_means_thousands([v for v in values if isinstance(v, str) and "," in v], hint)
    for i, value in enumerate(values):
        if isinstance(value, CellProblem):
            problems.setdefault(i, f"column '{column}': {value.reason}")
            continue
        if is_placeholder(value):
            continue
        try:
            out[i] = parse_coordinate(value, axis, thousands=thousands)
        except ValueError as exc:
            problems.setdefault(i, f"column '{column}': {exc} (expected a coordinate)")
    return out


def simplified_note(table: RawTable, simplified: list[tuple[int, int, int, float]]) -> str:
    rows = [i for i, *_ in simplified]
    most = max(simplified, key=lambda s: s[1])
    return (f"{_rows_text(table, rows)}: {'a footprint' if len(rows) == 1 else 'footprints'} of more than "
            f"{MAX_FOOTPRINT_VERTICES:,} points simplified (the largest, {most[1]:,} points, to "
            f"{most[2]:,}, within about {most[3]:.2g} m of its outline)")


def _rows_text(table: RawTable, indexes: list[int], limit: int = 8) -> str:
    numbers = [str(table.row_numbers[i]) for i in indexes[:limit]]
    more = f" and {len(indexes) - limit} more" if len(indexes) > limit else ""
    return f"row{'s' if len(indexes) > 1 else ''} {', '.join(numbers)}{more}"


def _zero_placeholders(table: RawTable, xs: np.ndarray, ys: np.ndarray, notes: list[str]) -> None:
    """0, 0 is what many systems write for "no location" (a point off West Africa, or off the Scilly
    Isles in British National Grid): such rows are kept without a location."""
    zero = np.flatnonzero((xs == 0) & (ys == 0))
    if len(zero):
        xs[zero] = ys[zero] = np.nan
        notes.append(f"{_rows_text(table, zero.tolist())}: coordinates 0, 0 stand for no location; "
                     "kept without a location")


def _far_zero(crs: CRS, x: float, y: float, mapping: Mapping[str, str],
              extent: tuple[float, float, float, float] | None) -> str | None:
    """A single 0 (the other coordinate real) that puts the point far from the project: a missing value."""
    if extent is None or (x != 0 and y != 0):
        return None
    lon, lat = (x, y) if crs.is_geographic else transformer(crs, WGS84).transform(x, y)
    pad = 1.0  # degree, 70-110 km in Britain
    if extent[0] - pad <= lon <= extent[2] + pad and extent[1] - pad <= lat <= extent[3] + pad:
        return None
    column = mapping["x"] if x == 0 else mapping["y"]
    return (f"column '{column}' is 0, which puts the point at longitude {lon:.3f}, latitude {lat:.3f}, far from "
            "the project's area; 0 usually stands for a missing value: leave both coordinates empty if the place "
            "is not known")


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
    try:
        forced = parse_crs(crs_option) if crs_option else None
    except ValueError as exc:
        raise DataError(f"--crs {str(crs_option)[:60]}: {exc}") from None

    zeros: list[int] = []
    if table.geometry is not None:
        simplified: list[tuple[int, int, int, float]] = []
        zeros += _locate_geometry(table, project_crs, forced, points, areas, problems, simplified)
        if simplified:
            notes.append(simplified_note(table, simplified))

    if "x" in mapping and "y" in mapping:
        hint = None if forced is not None else coordinate_hint(mapping)
        if forced is not None and forced.to_epsg() == 27700:
            hint = "EPSG:27700"
        xs = _column_numbers(table, mapping["x"], "x", hint, problems)
        ys = _column_numbers(table, mapping["y"], "y", hint, problems)
        for i in range(n):  # the file's own geometry placed the row: its coordinate columns are only details
            if points[i] is not None:
                problems.pop(i, None)
        _zero_placeholders(table, xs, ys, notes)
        row_crs = _row_crs(table, mapping, forced, xs, ys, problems, notes, extent_wgs84)
        systems = list({id(c): c for c in row_crs if c is not None}.values())  # by identity: hashing a CRS is slow
        for crs in systems:
            idx = [i for i in range(n) if row_crs[i] is crs and points[i] is None and i not in problems
                   and not np.isnan(xs[i]) and not np.isnan(ys[i])]
            good = []
            inside = range_check(crs)
            for i in idx:
                if inside(xs[i], ys[i]):
                    far = _far_zero(crs, xs[i], ys[i], mapping, extent_wgs84)
                    if far:
                        problems[i] = far
                    else:
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
            if isinstance(value, CellProblem):
                problems.setdefault(i, f"column '{mapping['wkt']}': {value.reason}")
                continue
            if points[i] is not None or is_placeholder(value):
                continue
            try:
                geom = shapely.from_wkt(str(value))
            except shapely.errors.GEOSException:
                problems[i] = f"column '{mapping['wkt']}': '{str(value)[:40]}' is not WKT geometry"
                continue
            if _place(i, geom, crs, project_crs, points, areas, problems):
                zeros.append(i)
    if zeros:
        notes.append(f"{_rows_text(table, zeros)}: the point 0, 0 stands for no location; kept without a location")

    if postcodes is not None and "postcode" in mapping:
        located = 0
        unknown: list[int] = []
        malformed: list[int] = []
        for i, value in enumerate(table.rows[mapping["postcode"]].tolist()):
            if points[i] is None and i not in problems and not is_placeholder(value) \
                    and not isinstance(value, CellProblem):
                xy = postcodes.locate(value, project_crs)
                if xy is not None:
                    points[i] = shapely.Point(xy)
                    located += 1
                else:
                    (unknown if is_postcode(value) else malformed).append(i)
        if located:
            notes.append(f"{located} rows placed at their postcode's centre")
        if unknown:
            notes.append(f"{_rows_text(table, unknown)}: postcode not in the lookup (new, or outside the area it "
                         "covers); kept without a location")
        if malformed:
            notes.append(f"{_rows_text(table, malformed)}: column '{mapping['postcode']}' does not hold a UK "
                         "postcode; kept without a location")
        return Located(points, areas, problems, notes, located)
    return Located(points, areas, problems, notes)


def _row_crs(table: RawTable, mapping: Mapping[str, str], forced: CRS | None, xs: np.ndarray, ys: np.ndarray,
             problems: dict[int, str], notes: list[str],
             extent: tuple[float, float, float, float] | None) -> list[CRS | None]:
    n = len(table)
    if forced is not None:
        notes.append(f"coordinates read as {plain_crs_name(forced)} (--crs)")
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
    notes.append(f"coordinates read as {plain_crs_name(detected.crs)}: {detected.reason}")
    return [detected.crs] * n


def _locate_geometry(table: RawTable, project_crs: CRS, forced: CRS | None, points: list[shapely.Geometry | None],
                     areas: list[shapely.Geometry | None], problems: dict[int, str],
                     simplified: list[tuple[int, int, int, float]] | None = None) -> list[int]:
    """Place rows by the file's own geometry; returns the rows whose point is 0, 0 (left unlocated)."""
    if table.geometry is None:  # a spreadsheet or CSV: nothing to place here
        return []
    geoms = np.asarray(table.geometry.values, dtype=object)
    src = forced or table.crs
    if src is None:
        present = [g for g in geoms if g is not None and not g.is_empty
                   and not (g.geom_type == "Point" and g.x == 0 and g.y == 0)]
        if not present:
            return []
        c = shapely.centroid(np.array(present, dtype=object))
        detected = detect_crs(shapely.get_x(c), shapely.get_y(c), None)
        if detected is None:
            raise DataError("has no coordinate system (.prj missing?) and its coordinates are neither degrees "
                            "nor British National Grid metres; give it with --crs", file=table.path)
        src = detected.crs
    zeros = []
    for i, geom in enumerate(geoms):
        if geom is not None and not geom.is_empty and _place(i, geom, src, project_crs, points, areas, problems,
                                                             simplified):
            zeros.append(i)
    return zeros


def _place(i: int, geom: shapely.Geometry, src: CRS, dst: CRS, points: list[shapely.Geometry | None],
           areas: list[shapely.Geometry | None], problems: dict[int, str],
           simplified: list[tuple[int, int, int, float]] | None = None) -> bool:
    """Place one geometry; True when it is the point 0, 0, which stands for "no location" (left unplaced).
    A footprint is checked against the limits (``footprints``) first; ``simplified`` collects the rows
    whose footprint was simplified, with the number of points before and after and the tolerance."""
    kind = geom.geom_type
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        problems[i] = "the geometry has coordinates that are not finite numbers (NaN or infinity)"
        return False
    if kind in ("Point", "MultiPoint"):
        pt = geom if kind == "Point" else geom.centroid
        if pt.x == 0 and pt.y == 0:
            return True
        if not in_range(src, pt.x, pt.y):
            problems[i] = f"the point ({pt.x:g}, {pt.y:g}) is outside {range_text(src)}"
            return False
        points[i] = _to_project(np.array([pt], dtype=object), src, dst)[0]
        return False
    elif kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        minx, miny, maxx, maxy = geom.bounds
        if not (in_range(src, minx, miny) and in_range(src, maxx, maxy)):
            problems[i] = f"the area ({minx:g}, {miny:g} to {maxx:g}, {maxy:g}) is outside {range_text(src)}"
            return False
        try:
            geom, simple = footprints.within_limits(geom)
        except ValueError as exc:
            problems[i] = str(exc)
            return False
        projected = _to_project(np.array([geom], dtype=object), src, dst)[0]
        if not projected.is_valid:
            projected = shapely.make_valid(projected)
        polys = shapely.get_parts(projected)
        polys = [p for p in polys if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
        if not polys:
            problems[i] = f"the geometry is a {kind} with no area"
            return False
        area = shapely.union_all(polys)
        if simple is not None and simplified is not None:
            unit = 111_320.0 if src.is_geographic else float(src.axis_info[0].unit_conversion_factor)
            simplified.append((i, simple.before, int(shapely.get_num_coordinates(area)), simple.tolerance * unit))
        areas[i] = area
        points[i] = area.point_on_surface()
        return False
    problems[i] = f"the geometry is a {kind}; assetmap places assets as points or areas"
    return False
