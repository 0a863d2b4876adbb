"""Coordinates in spreadsheets: read numbers, tell WGS84 degrees from British National Grid metres,
and catch latitude and longitude swapped before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

WGS84 = CRS.from_epsg(4326)
BNG = CRS.from_epsg(27700)
# British National Grid covers Great Britain: eastings 0–700 km, northings 0–1300 km.
BNG_RANGE = (0.0, 0.0, 700000.0, 1300000.0)
_CRS_WORDS = {
    "wgs84": 4326, "wgs 84": 4326, "wgs_84": 4326, "lat/lon": 4326, "latlon": 4326, "gps": 4326, "4326": 4326,
    "osgb36": 27700, "osgb": 27700, "bng": 27700, "british national grid": 27700, "national grid": 27700,
    "osgb 1936 / british national grid": 27700, "27700": 27700, "itm": 2157, "irish transverse mercator": 2157,
    "irish grid": 29903,
}


@lru_cache(maxsize=32)
def transformer(src: CRS, dst: CRS) -> Transformer:
    """A cached transformer: building one costs tens of milliseconds, using one microseconds."""
    return Transformer.from_crs(src, dst, always_xy=True)


def parse_crs(value: object) -> CRS:
    """A CRS from what people write in a CRS column or --crs: 'EPSG:27700', '27700', 'WGS84', 'BNG'."""
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    code = _CRS_WORDS.get(text.lower())
    if code:
        return CRS.from_epsg(code)
    try:
        return CRS.from_user_input(int(text) if text.isdigit() else text)
    except CRSError:
        raise ValueError(f"'{text}' is not a coordinate reference system (try EPSG:4326 or EPSG:27700)") from None


def parse_number(value: object) -> float:
    """A coordinate from a cell: numbers, '53.48', '-2,35' (decimal comma), '53.48°'. Raises ValueError."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if np.isnan(value):
            raise ValueError("is empty")
        return float(value)
    text = str(value).strip().replace("°", "").replace("\u2212", "-")
    if not text:
        raise ValueError("is empty")
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"'{value}' is not a number") from None


def in_range(crs: CRS, x: float, y: float) -> bool:
    """Is (x, y) inside the area where ``crs`` is defined? (WGS84: ±180/±90; projected: its area of use)."""
    kind, bounds = _range_of(crs)
    if kind == "box":
        return bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3]
    if kind == "any":
        return True
    lon, lat = transformer(crs, WGS84).transform(x, y)
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


@lru_cache(maxsize=32)
def _range_of(crs: CRS) -> tuple[str, tuple[float, float, float, float]]:
    """How to check a CRS's range, worked out once per CRS (asking pyproj costs more than the check)."""
    if crs.is_geographic:
        return "box", (-180.0, -90.0, 180.0, 90.0)
    if crs.to_epsg() == 27700:
        return "box", BNG_RANGE
    area = crs.area_of_use
    if area is None:
        return "any", (0.0, 0.0, 0.0, 0.0)
    return "lonlat", (area.west - 1, area.south - 1, area.east + 1, area.north + 1)


def range_text(crs: CRS) -> str:
    if crs.is_geographic:
        return "longitude -180 to 180 and latitude -90 to 90"
    if crs.to_epsg() == 27700:
        return "eastings 0 to 700000 and northings 0 to 1300000 (British National Grid)"
    return f"the area of use of {crs.name}"


@dataclass
class Detected:
    crs: CRS
    reason: str


def detect_crs(xs: np.ndarray, ys: np.ndarray, hint: str | None) -> Detected | None:
    """Decide between WGS84 and British National Grid from the values themselves.

    Column names give a hint (longitude/latitude, easting/northing), but the values decide:
    a council's "X/Y" columns can hold either.
    """
    ok = ~(np.isnan(xs) | np.isnan(ys))
    if not ok.any():
        return None
    x, y = xs[ok], ys[ok]
    degrees = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    metres = (x >= BNG_RANGE[0]) & (x <= BNG_RANGE[2]) & (y >= BNG_RANGE[1]) & (y <= BNG_RANGE[3]) & ~degrees
    if hint == "EPSG:27700" and metres.mean() >= 0.5:
        return Detected(BNG, "easting/northing columns with values in metres")
    if degrees.mean() >= 0.5 and hint != "EPSG:27700":
        return Detected(WGS84, "values in degrees (WGS84 longitude/latitude)")
    if metres.mean() >= 0.5:
        return Detected(BNG, "values in metres within British National Grid")
    if degrees.mean() >= 0.5:
        return Detected(WGS84, "values in degrees (WGS84 longitude/latitude)")
    return None


def looks_swapped(xs: np.ndarray, ys: np.ndarray, extent: tuple[float, float, float, float] | None) -> bool:
    """True when the 'longitude' column holds latitudes and vice versa.

    Certain when latitudes go beyond ±90 while every longitude would be a valid latitude; otherwise
    decided against the project's area (WGS84 extent): most points fall inside it only when swapped.
    """
    ok = ~(np.isnan(xs) | np.isnan(ys))
    x, y = xs[ok], ys[ok]
    if len(x) == 0:
        return False
    if (np.abs(y) > 90).mean() > 0.5 and (np.abs(x) <= 90).all():
        return True
    if extent is None:
        return False
    minx, miny, maxx, maxy = extent
    pad = 0.5  # degrees, about 35-55 km in Britain
    inside = ((x >= minx - pad) & (x <= maxx + pad) & (y >= miny - pad) & (y <= maxy + pad)).mean()
    inside_swapped = ((y >= minx - pad) & (y <= maxx + pad) & (x >= miny - pad) & (x <= maxy + pad)).mean()
    return bool(inside < 0.1 and inside_swapped > 0.5)
