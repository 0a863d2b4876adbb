"""One local authority's units out of a wider boundary file (a region's wards, a county's parishes).

The file's local-authority column is found by its values, whatever it is called (``LAD23CD``,
``local_authority_area_name``, ``lad_name``...): GSS codes of authorities, or names that match the
authorities the bundled pack knows. Without such a column, the units kept are those lying mostly (by area)
inside the authority's LSOAs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap.core.area import national
from assetmap.core.area.national import Authority, name_keys
from assetmap.core.area.overlap import share_inside
from assetmap.core.errors import DataError

MATCH_SHARE = 0.8  # share of a column's values that must be authorities for it to count as the authority column
SMALL_AREA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]?$")
MOSTLY = 0.5  # share of a unit's area inside the authority for the unit to be kept when selecting by area


@dataclass(frozen=True)
class AuthorityColumns:
    """The columns of a file that say which local authority each unit is in (either may be None)."""

    code: str | None
    name: str | None

    def describe(self) -> str:
        cols = [c for c in (self.code, self.name) if c]
        return " and ".join(f"'{c}'" for c in cols)


@dataclass
class Selection:
    mask: np.ndarray  # True for the units kept
    authority: str  # the authority as the user will read it
    method: str  # "column" or "area"
    description: str  # one sentence: what was kept and how
    column: str | None = None


def _text(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str).str.strip().loc[lambda s: s != ""]


def _code_share(values: pd.Series) -> float:
    text = _text(values).str.upper()
    if text.empty:
        return 0.0
    known = text.map(lambda v: national.by_code(v) is not None)
    shaped = text.str.match(national.LA_CODE)
    return max(float(known.mean()), float(shaped.mean()) * 0.95)  # unknown but well-formed codes count a little less


def _la_part(value: str) -> str:
    """The authority part of a small-area name: 'Bolton 001A' (LSOA) or 'Bolton 001' (MSOA) -> 'Bolton'."""
    return SMALL_AREA_SUFFIX.sub("", value.strip())


def _name_share(values: pd.Series) -> float:
    text = _text(values)
    if text.empty:
        return 0.0
    matched = {v: bool(national.match_name(_la_part(v))) for v in text.unique()}
    return float(text.map(matched).mean())


def authority_columns(df: pd.DataFrame, column: str | None = None) -> AuthorityColumns | None:
    """The code and name columns of the file's local authorities, or None if it has neither."""
    if column is not None:
        if column not in df.columns:
            raise DataError(f"--area-field {column}: no such column (columns: {', '.join(map(str, df.columns))})")
        return (AuthorityColumns(column, None) if _code_share(df[column]) >= MATCH_SHARE
                else AuthorityColumns(None, column))
    best_code, best_name = (None, 0.0), (None, 0.0)
    for col in df.columns:
        if df[col].dtype.kind in "iufb":
            continue
        code_share = _code_share(df[col])
        if code_share > best_code[1]:
            best_code = (col, code_share)
        elif code_share < 0.5:
            name_share = _name_share(df[col])
            if name_share > best_name[1]:
                best_name = (col, name_share)
    code = best_code[0] if best_code[1] >= MATCH_SHARE else None
    name = best_name[0] if best_name[1] >= MATCH_SHARE else None
    return AuthorityColumns(code, name) if code or name else None


def authority_names(df: pd.DataFrame, cols: AuthorityColumns) -> pd.Series:
    """Each unit's local authority in words (the name column; else the pack's name for the code)."""
    if cols.name:
        return df[cols.name].astype("string").map(lambda v: _la_part(v) if isinstance(v, str) else None)
    codes = df[cols.code].astype("string").str.strip()
    return codes.map(_la_name)


def _la_name(code: object) -> str | None:
    """The pack's name for an authority code; the code itself when the pack does not know it."""
    if not isinstance(code, str):
        return None
    authority = national.by_code(code)
    return authority.name if authority else code


def areas_in(df: pd.DataFrame, cols: AuthorityColumns) -> list[dict[str, Any]]:
    """The authorities a file holds: code, name and number of units, by name (for pick lists and messages).
    Units whose authority cells are blank are in none, so they are not listed."""
    codes = df[cols.code].astype("string").str.strip() if cols.code else pd.Series([None] * len(df), index=df.index)
    names = authority_names(df, cols)
    table = pd.DataFrame({"code": codes.to_numpy(), "name": names.to_numpy()})
    grouped = table.groupby(["code", "name"], dropna=False, sort=False).size().reset_index(name="units")
    out: list[dict[str, Any]] = []
    for c, n, u in grouped.itertuples(index=False):
        code = c if isinstance(c, str) and c else None  # a blank cell is NaN or <NA> here
        name = n if isinstance(n, str) and n else code
        if name:
            out.append({"code": code, "name": name, "units": int(u)})
    return sorted(out, key=lambda a: a["name"])


def _matches(value: object, authority: Authority | None, query_keys: set[str]) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    value = _la_part(value)
    if authority is not None:
        if value.upper() == authority.code or value.upper() in authority.parts:
            return True
        wanted = set().union(*(name_keys(n) for n in (authority.name, *authority.aliases)))
        if name_keys(value) & wanted:
            return True
    return bool(name_keys(value) & query_keys)


def select_area(units: gpd.GeoDataFrame, attributes: pd.DataFrame, query: str, *, column: str | None = None,
                file_name: str = "the file") -> Selection:
    """The units of one local authority (``query``: a name or GSS code), by the file's column or by area."""
    try:
        authority: Authority | None = national.find_authority(query)
        unknown: DataError | None = None
    except DataError as exc:
        authority, unknown = None, exc
    label = authority.label if authority else query
    query_keys = name_keys(query)
    cols = authority_columns(attributes, column)
    note = ""
    if cols is not None:
        for col in (cols.code, cols.name):
            if not col:
                continue
            mask = attributes[col].map(lambda v: _matches(v, authority, query_keys)).to_numpy(dtype=bool)
            if mask.any():
                return Selection(mask, label, "column", f"kept the {int(mask.sum())} of {len(mask)} units of "
                                 f"{file_name} whose local authority (column '{col}') is {label}", col)
        held = ", ".join(a["name"] for a in areas_in(attributes, cols)[:12])
        if authority is None:
            raise DataError(f"holds no units of '{query}' (local authority column {cols.describe()}); it holds: "
                            f"{held}. {unknown}", file=file_name)
        note = f"; its local-authority column {cols.describe()} names none of {label} (it holds {held})"
    if authority is None:
        assert unknown is not None  # find_authority raised it
        raise unknown
    lsoas = national.load_lsoas(authority).to_crs(units.crs)
    outline = shapely.union_all(np.asarray(lsoas.geometry.values, dtype=object))
    share = share_inside(units.geometry, outline)
    mask = share >= MOSTLY
    if not mask.any():
        raise DataError(f"none of its {len(units)} units lies mostly inside {label} (the most is "
                        f"{share.max():.0%}){note}; is the file for another area?", file=file_name)
    return Selection(mask, label, "area", f"kept the {int(mask.sum())} of {len(mask)} units of {file_name} that lie "
                     f"mostly (at least {MOSTLY:.0%} of their area) inside the 2011 LSOAs of {label}{note}")
