"""The bundled national pack (``resources/national/``, built by ``scripts/build_national_pack.py``):
list and find local authorities, and load the 2011 LSOAs of one of them.

One gzipped GeoJSON per authority keeps a project for one borough to one small read; ``areas.csv`` is the
index (code, name, country, LSOAs, population, other names, extent).
"""

from __future__ import annotations

import bisect
import csv
import difflib
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import pandas as pd

from assetmap.core.errors import DataError
from assetmap.core.resources import national_dir

LA_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")  # unitary, district, metropolitan and London borough GSS codes
_PREFIXES = ("the ", "city and county of ", "county borough of ", "london borough of ", "royal borough of ",
             "metropolitan borough of ", "borough of ", "city of ", "county of ", "district of ")
_SUFFIXES = (" metropolitan borough council", " county borough council", " borough council", " city council",
             " district council", " county council", " council", " metropolitan district", " metropolitan borough",
             " unitary authority", " city of", " county of", " borough", " district", " city", " ua")


@dataclass(frozen=True)
class Authority:
    """A local authority the pack knows: a 2019 district or unitary (England), a principal area (Wales), or
    a unitary formed since 2019 from whole districts (``parts``)."""

    code: str
    name: str
    country: str
    lsoas: int
    population: int | None
    aliases: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    formed: str = ""
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    @property
    def files(self) -> tuple[str, ...]:
        """The pack files that hold its LSOAs (its predecessors' for a newer unitary)."""
        return self.parts or (self.code,)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "country": self.country, "lsoas": self.lsoas,
                "population": self.population, "aliases": list(self.aliases), "parts": list(self.parts),
                "formed": self.formed or None}


def name_key(text: str) -> str:
    """A name as compared: no accents, case or punctuation, '&' read as 'and', 'Saint' as 'St'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text.replace("&", " and ")).strip()
    return re.sub(r"\bsaint\b", "st", text)


def name_keys(text: str) -> set[str]:
    """The forms a name is matched by: as written, and without 'City of', 'Borough Council' and the like."""
    full = name_key(text)
    keys = {full}
    bare = full
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if bare.startswith(p) and len(bare) > len(p):
                bare, changed = bare[len(p):], True
        for s in _SUFFIXES:
            if bare.endswith(s) and len(bare) > len(s):
                bare, changed = bare[: -len(s)], True
    keys.add(bare)
    return keys


@lru_cache(maxsize=1)
def pack_info() -> dict[str, Any]:
    """The pack's metadata: counts, sources and the national IMD decile thresholds."""
    path = national_dir() / "pack.json"
    if not path.exists():
        raise DataError("the bundled national pack is missing (resources/national); reinstall assetmap or run "
                        "scripts/build_national_pack.py", file=path)
    info = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(info, dict):
        raise DataError("the bundled national pack is damaged (pack.json is not an object); reinstall assetmap",
                        file=path)
    return info


@lru_cache(maxsize=1)
def authorities() -> tuple[Authority, ...]:
    """Every authority in the pack, by code."""
    out = []
    index = national_dir() / "areas.csv"
    if not index.exists():
        raise DataError("the bundled national pack is missing (resources/national); reinstall assetmap or run "
                        "scripts/build_national_pack.py", file=index)
    with open(index, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            west, south, east, north = (float(v) for v in row["bbox"].split())
            out.append(Authority(
                code=row["code"], name=row["name"], country=row["country"], lsoas=int(row["lsoas"]),
                population=int(row["population"]) if row["population"] else None,
                aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
                parts=tuple(row["parts"].split()), formed=row["formed"], bbox=(west, south, east, north)))
    return tuple(out)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Authority]:
    return {a.code: a for a in authorities()}


@lru_cache(maxsize=1)
def _keys() -> tuple[dict[str, list[Authority]], dict[str, list[Authority]]]:
    """Name keys → authorities, for official names and for other names separately (official wins)."""
    official: dict[str, list[Authority]] = {}
    other: dict[str, list[Authority]] = {}
    for a in authorities():
        for key in name_keys(a.name):
            official.setdefault(key, []).append(a)
        for alias in a.aliases:
            for key in name_keys(alias):
                other.setdefault(key, []).append(a)
    return official, other


def by_code(code: str) -> Authority | None:
    return _by_code().get(str(code).strip().upper())


def match_name(text: str) -> list[Authority]:
    """Authorities whose name (or, failing that, another name) matches ``text``; [] if none."""
    official, other = _keys()
    for table in (official, other):
        found: dict[str, Authority] = {}
        for key in name_keys(text):
            for a in table.get(key, []):
                found[a.code] = a
        if found:
            return list(found.values())
    return []


def closest(text: str, n: int = 5) -> list[Authority]:
    """Authorities whose names look like ``text`` (for 'did you mean' messages)."""
    official, other = _keys()
    every = {**other, **official}
    query = max(name_keys(text), key=len)
    picked: dict[str, Authority] = {}
    for key in difflib.get_close_matches(query, list(every), n=n, cutoff=0.6):
        for a in every[key]:
            picked.setdefault(a.code, a)
    for a in search(text):  # names that contain what was typed ("manch")
        picked.setdefault(a.code, a)
    return list(picked.values())[:n]


def find_authority(text: str) -> Authority:
    """The authority a user means by a name ('Bolton', 'City of Bristol', 'caerdydd') or a GSS code."""
    query = str(text).strip()
    if not query:
        raise DataError("no area given: name a local authority (e.g. Bolton) or give its code (e.g. E08000001)")
    if LA_CODE.match(query.upper()):
        found = by_code(query)
        if found is None:
            raise DataError(f"{query.upper()} is not a local authority code in the bundled data (2019 districts and "
                            "unitary authorities of England, and those formed since from whole districts; the 22 "
                            "principal areas of Wales); `assetmap areas` lists them")
        return found
    matches = match_name(query)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise DataError(f"'{query}' could be {', '.join(a.label for a in matches)}; give the code")
    near = closest(query)
    hint = f"; closest: {', '.join(a.label for a in near)}" if near else ""
    raise DataError(f"no local authority called '{query}' in the bundled data (England and Wales){hint}. "
                    "`assetmap areas TEXT` lists the names it knows")


def search(text: str = "") -> list[Authority]:
    """Authorities whose code, name or other names contain ``text`` (all of them for '', by name)."""
    query = name_key(text)
    code = str(text).strip().upper()
    out = []
    for a in authorities():
        names = [name_key(a.name), *(name_key(x) for x in a.aliases)]
        if not query or a.code.startswith(code) or any(query in n for n in names):
            out.append(a)
    if not query:
        return sorted(out, key=lambda a: a.name)
    # names that start with the text first, the larger (more LSOAs) first, so "bol" puts Bolton before Bolsover
    return sorted(out, key=lambda a: (not name_key(a.name).startswith(query),
                                      -a.lsoas if name_key(a.name).startswith(query) else 0, a.name))


def near(bounds: tuple[float, float, float, float]) -> list[Authority]:
    """The pack's own files (not newer unitaries) whose extent meets ``bounds`` (degrees, WGS84)."""
    minx, miny, maxx, maxy = bounds
    return [a for a in authorities() if not a.parts
            and a.bbox[0] <= maxx and minx <= a.bbox[2] and a.bbox[1] <= maxy and miny <= a.bbox[3]]


@lru_cache(maxsize=64)
def _read_file(code: str) -> gpd.GeoDataFrame:
    path = national_dir() / "lsoa" / f"{code}.geojson.gz"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise DataError(f"the bundled national pack cannot be read ({exc}); reinstall assetmap", file=path) from None
    gdf = gpd.GeoDataFrame.from_features(data["features"], crs=4326)
    for col in ("population", "imd_rank", "imd_decile"):
        gdf[col] = pd.to_numeric(gdf[col]).astype("Int64")
    return gdf[["code", "name", "population", "imd_rank", "imd_decile", "geometry"]]


def load_lsoas(authority: Authority, *, name_as: str | None = None) -> gpd.GeoDataFrame:
    """The 2011 LSOAs of an authority (WGS84): code, name, population, imd_rank, imd_decile (England; empty in
    Wales), local_authority (``name_as`` or the authority's name) and la_code (the pack file's authority)."""
    frames = []
    for code in authority.files:
        part = _read_file(code).copy()
        part["la_code"] = code
        part["local_authority"] = name_as or authority.name
        frames.append(part)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


def load_near(bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Every LSOA of the authorities whose extent meets ``bounds`` (WGS84), each with its authority's name."""
    frames = [load_lsoas(a) for a in near(bounds)]
    if not frames:
        return gpd.GeoDataFrame({"code": [], "name": [], "population": [], "imd_rank": [], "imd_decile": [],
                                 "la_code": [], "local_authority": []}, geometry=[], crs=4326)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326)


def decile_for_rank(rank: float) -> int:
    """The IMD decile (1 = most deprived tenth) a rank falls in, by the national LSOA rank thresholds."""
    uppers = pack_info()["imd_decile_upper_ranks"]
    return min(bisect.bisect_left(uppers, rank) + 1, 10)
