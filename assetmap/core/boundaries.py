"""Neighbourhood boundaries from any polygon file: reproject, repair, and find the code, name,
population and deprivation columns (ONS codes such as E01/E05 are recognised)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from assetmap.core.area.select import authority_columns, authority_names
from assetmap.core.errors import DataError
from assetmap.core.io.columns import normalise
from assetmap.core.io.coords import range_check, range_text
from assetmap.core.io.limits import MAX_POPULATION
from assetmap.core.io.readers import read_table

ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
# Great Britain, roughly, in WGS84: boundaries inside it go to British National Grid.
_GB = (-8.7, 49.8, 1.9, 60.9)


@dataclass
class Boundaries:
    frame: gpd.GeoDataFrame  # code, name, population, imd_decile, imd_rank, local_authority, geometry (project CRS)
    crs: CRS
    fields: dict[str, str | None]
    repaired: int = 0
    notes: list[str] = field(default_factory=list)
    # the file's own columns, row for row with ``frame`` (to pick one authority's units out of a wider file)
    attributes: pd.DataFrame = field(default_factory=pd.DataFrame)
    # columns found for the figures beyond ``fields``: imd_rank, local_authority (code and name columns)
    extra_fields: dict[str, str | None] = field(default_factory=dict)


def choose_project_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """The boundaries' own CRS if projected; British National Grid in Great Britain; else local UTM."""
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_projected:
        return crs
    minx, miny, maxx, maxy = gdf.to_crs(4326).total_bounds
    if _GB[0] <= minx and maxx <= _GB[2] and _GB[1] <= miny and maxy <= _GB[3]:
        return CRS.from_epsg(27700)
    infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(minx, miny, maxx, maxy))
    if not infos:
        raise DataError("the boundaries span too much of the Earth for one local map (no UTM zone covers "
                        f"longitude {minx:g} to {maxx:g}, latitude {miny:g} to {maxy:g})")
    return CRS.from_epsg(int(infos[0].code))


def _guess_code(df: pd.DataFrame) -> str | None:
    best, best_score = None, 0.0
    for col in df.columns:
        values = df[col].dropna().astype(str)
        if values.empty:
            continue
        ons = values.str.match(ONS_CODE).mean()
        named = normalise(col).endswith(("cd", "code", "_id")) or normalise(col) in ("code", "id")
        score = ons * 2 + (1 if named else 0) + (0.5 if values.is_unique else 0)
        if score > best_score:
            best, best_score = col, score
    return best if best_score >= 1.5 else None


def _guess_name(df: pd.DataFrame, code: str | None) -> str | None:
    for col in df.columns:
        n = normalise(col)
        if (col != code and (n.endswith("nm") or "name" in n) and not n.endswith(("nmw", "welsh"))
                and df[col].dtype == object and not df[col].dropna().astype(str).str.match(ONS_CODE).all()):
            return str(col)  # RawTable columns are text already
    return None


def _guess_numeric(df: pd.DataFrame, words: tuple[str, ...], exclude: tuple[str, ...] = ()) -> str | None:
    for col in df.columns:
        n = normalise(col)
        if (any(w in n for w in words) and not any(w in n for w in exclude)
                and pd.to_numeric(df[col], errors="coerce").notna().mean() > 0.5):
            return str(col)
    return None


def _numbers(df: pd.DataFrame, column: str, path: Path, what: str, low: float, high: float,
             whole: bool = False) -> pd.Series:
    """A column of figures as numbers (text that is no number is missing), or a DataError naming the first
    row whose figure cannot be one: infinite, out of ``low``-``high``, or (``whole``) not a whole number."""
    values = pd.to_numeric(df[column], errors="coerce").astype(float)
    fits = np.isfinite(values) & (values >= low) & (values <= high)
    if whole:
        fits &= values == values.round()
    bad = values.notna() & ~fits
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        kind = "a whole number" if whole else "a number"
        raise DataError(f"{df[column].iloc[row]!s:.40} is not {what} ({kind} from {low:,.0f} to {high:,.0f})",
                        file=path, row=row + 1, column=column)
    return values


def _check_extent(geoms: np.ndarray, crs: CRS, path: Path) -> None:
    """Every boundary within the area where its coordinate system is defined (not at 5000°, say)."""
    inside = range_check(crs)
    for i, (minx, miny, maxx, maxy) in enumerate(shapely.bounds(geoms)):
        if not (inside(minx, miny) and inside(maxx, maxy)):
            raise DataError(f"the boundary ({minx:g}, {miny:g} to {maxx:g}, {maxy:g}) is outside "
                            f"{range_text(crs)}", file=path, row=i + 1)


def _fix(geom: shapely.Geometry) -> shapely.Geometry | None:
    fixed = shapely.make_valid(geom)
    polys = [p for p in shapely.get_parts(fixed) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else None


def read_boundaries(
    path: str | Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    imd_field: str | None = None,
    layer: str | None = None,
) -> Boundaries:
    """Read a polygon file into neighbourhoods in the project CRS it implies."""
    path = Path(path)
    table = read_table(path, layer)
    if table.early_rejects:  # a boundary file is all or nothing: one unusable row stops it
        row, reason = table.early_rejects[0]
        raise DataError(reason, file=path, row=row)
    if table.geometry is None:
        raise DataError("has no geometry; boundaries must be a polygon file (GeoJSON, GeoPackage, "
                        "zipped Shapefile)", file=path)
    df = table.rows
    for flag, col in (("--code-field", code_field), ("--name-field", name_field),
                      ("--population-field", population_field), ("--imd-field", imd_field)):
        if col and col not in df.columns:
            raise DataError(f"{flag} {col}: no such column (columns: {', '.join(map(str, df.columns))})", file=path)
    geoms = np.asarray(table.geometry.values, dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise DataError("has no geometry", file=path, row=i + 1)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataError(f"is a {g.geom_type}, not a polygon; boundaries must be areas", file=path, row=i + 1)
    crs = table.crs
    if crs is None:
        raise DataError("has no coordinate system (is the .prj file missing from the zip?)", file=path)
    _check_extent(geoms, crs, path)
    invalid = ~shapely.is_valid(geoms)
    repaired = int(invalid.sum())
    for k in np.flatnonzero(invalid):
        geoms[k] = _fix(geoms[k])
        if geoms[k] is None:
            raise DataError("the polygon is broken beyond repair (it has no area)", file=path, row=int(k) + 1)
    gdf = gpd.GeoDataFrame(df.copy(), geometry=gpd.GeoSeries(geoms), crs=crs)
    project_crs = choose_project_crs(gdf)
    gdf = gdf.to_crs(project_crs)
    code = code_field or _guess_code(df)
    name = name_field or _guess_name(df, code)
    if code is None and name is not None and df[name].is_unique:
        code = name
    if code is None:
        raise DataError("cannot tell which column holds each neighbourhood's code; give it with --code-field "
                        f"(columns: {', '.join(map(str, df.columns))})", file=path)
    blank = df[code].map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip())
    if blank.any():
        raise DataError("has no code; every neighbourhood needs its own code (such as its ONS code, E01000001)",
                        file=path, row=int(np.flatnonzero(blank.to_numpy())[0]) + 1, column=str(code))
    codes = df[code].astype(str).str.strip()
    dupes = codes[codes.duplicated()]
    if len(dupes):
        raise DataError(f"code '{dupes.iloc[0]}' appears more than once in column '{code}'; each neighbourhood "
                        "needs its own code", file=path)
    pop = population_field or _guess_numeric(df, ("pop", "residents", "all_ages", "usual_res"), ("density",))
    imd = imd_field or _guess_numeric(df, ("imd_decile", "imddecile", "imd_dec"))
    rank = _guess_numeric(df, ("imd_rank", "imdrank", "imd19_rank", "imd2019_rank"))
    la_cols = authority_columns(df)
    authority = authority_names(df, la_cols) if la_cols else None
    population = _numbers(df, pop, path, "a number of residents", 0, MAX_POPULATION) if pop else None
    deciles = _numbers(df, imd, path, "an IMD decile", 1, 10, whole=True) if imd else None
    ranks = _numbers(df, rank, path, "an IMD rank", 1, MAX_POPULATION) if rank else None
    out = gpd.GeoDataFrame({
        "code": codes.values,
        "name": (df[name].astype(str).str.strip() if name else codes).values,
        "population": population.round().astype("Int64").values if population is not None else pd.NA,
        "imd_decile": deciles.astype("Int64").values if deciles is not None else pd.NA,
        "imd_rank": ranks.values if ranks is not None else np.nan,
        "local_authority": authority.values if authority is not None else None,
    }, geometry=gdf.geometry.values, crs=project_crs)
    fields = {"code": code, "name": name, "population": pop, "imd_decile": imd}
    extra = {"imd_rank": rank, "local_authority": la_cols.describe() if la_cols else None}
    notes = [f"{len(out)} neighbourhoods; project coordinate system {project_crs.name}"]
    if repaired:
        notes.append(f"repaired {repaired} invalid polygon{'s' if repaired != 1 else ''}")
    return Boundaries(out, project_crs, fields, repaired, notes, df.reset_index(drop=True), extra)
