"""Coordinates in spreadsheets: read numbers, tell WGS84 degrees from British National Grid metres,
and catch latitude and longitude swapped before anything is written."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

WGS84 = CRS.from_epsg(4326)
BNG = CRS.from_epsg(27700)


def plain_crs_name(crs: CRS) -> str:
    """A coordinate system as an import report says it to someone who is not a GIS specialist."""
    if crs == WGS84:
        return "latitude and longitude in degrees (as GPS and web maps give them; WGS 84)"
    if crs == BNG:
        return "British National Grid eastings and northings in metres"
    return crs.name
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
    shown = text if len(text) <= 60 else text[:57] + "..."
    try:
        crs = CRS.from_user_input(int(text) if text.isdigit() and len(text) < 10 else text)
    except (CRSError, ValueError, TypeError):
        raise ValueError(f"'{shown}' is not a coordinate reference system (try EPSG:4326 or EPSG:27700)") from None
    problem = unusable_crs(crs)
    if problem:
        raise ValueError(f"'{shown}': {problem} (try EPSG:4326 or EPSG:27700)")
    return crs


def unusable_crs(crs: CRS) -> str | None:
    """Why coordinates in ``crs`` cannot be placed on a map (None when they can): assetmap needs a
    horizontal position, in degrees or in metres on a projection."""
    if crs.is_geocentric:
        return (f"coordinate system {crs.name} is geocentric (x, y, z from the centre of the Earth), not a position "
                "on a map")
    if crs.is_geographic or crs.is_projected:
        return None
    if crs.is_vertical:
        return f"coordinate system {crs.name} gives heights, not a position on a map"
    return f"coordinate system {crs.name} is not tied to a place on Earth (a local or engineering system)"


_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2032": "'", "\u2019": "'", "\u2018": "'",
                         "\u00b4": "'", "`": "'", "\u2033": '"', "\u201d": '"', "\u201c": '"', "\u00ba": "°",
                         "\u02da": "°", "\u00a0": " ", "\u202f": " ", "\u2009": " "})
_SPACED_THOUSANDS = re.compile(r"-?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_COMMA_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DOT_THOUSANDS_COMMA_DECIMAL = re.compile(r"-?\d{1,3}(?:\.\d{3})+,\d+")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_HEMISPHERE = re.compile(r"^([NSEW])\s*(\d.*)$|^(.*[\d°'\"])\s*([NSEW])$", re.IGNORECASE)
# 53°25'12.3", 53 25 12.3, 53:25:12.3, 53°25.205', 53d 25m 12sec: degrees, then minutes, then seconds
# (no bare "s" for seconds: it is the southern hemisphere).
_DMS = re.compile(r"""^(?P<deg>\d{1,3}(?:[.,]\d+)?)\s*(?:°|deg(?:rees)?|d|:|\s)\s*
                      (?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*(?:'|min(?:utes)?|m|:|\s)?\s*
                         (?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*(?:"|''|sec(?:onds)?)?)?)?$""", re.VERBOSE | re.IGNORECASE)


def _plain_number(text: str, thousands: bool) -> float:
    """A number with the separators people use: '380 500', '380,500' (thousands) or '53,42' (decimal comma)."""
    if _SPACED_THOUSANDS.fullmatch(text):
        text = text.replace(" ", "")
    if _DOT_THOUSANDS_COMMA_DECIMAL.fullmatch(text):  # 1.234,56 (continental Europe)
        text = text.replace(".", "").replace(",", ".")
    elif _COMMA_THOUSANDS.fullmatch(text) and (thousands or text.count(",") > 1 or "." in text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    return float(text)


def comma_means_thousands(texts: list[str], hint: str | None) -> bool:
    """Does '380,500' in this column mean 380500 (thousands) rather than 380.5 (decimal comma)?

    Decided for the whole column: yes when the column is eastings/northings, or when any value read with
    a decimal comma would be too big to be degrees.
    """
    if hint == "EPSG:27700":
        return True
    for text in texts:
        text = str(text).strip()
        if _COMMA_THOUSANDS.fullmatch(text) and abs(float(text.replace(",", "."))) > 180:
            return True
    return False


def parse_coordinate(value: object, axis: str | None = None, *, thousands: bool = False) -> float:
    """A coordinate from a cell, as people type them. Raises ValueError saying what is wrong.

    Numbers, '53.48', '-2,35' (decimal comma), '380,500' or '380 500' (thousands, see
    ``comma_means_thousands``), '53.48°', a hemisphere letter ('53.48N', 'W 2.35') and degrees, minutes
    and seconds ('53°25'12.3"N', '2 18 00 W', '53°25.2\''). ``axis`` ('x' for longitude/easting, 'y' for
    latitude/northing) catches a latitude typed into the longitude column.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if np.isnan(value):
            raise ValueError("is empty")
        return _finite(float(value), value)
    original = str(value).strip()
    text = re.sub(r"\s+", " ", original.translate(_DASHES)).strip()
    if not text:
        raise ValueError("is empty")
    sign = 1.0
    if text.startswith(("-", "+")):
        sign, text = (-1.0 if text[0] == "-" else 1.0), text[1:].strip()
    try:
        return _finite(sign * _plain_number(text.rstrip("°").strip(), thousands), original)
    except OverflowError:
        raise ValueError(f"'{original[:40]}' is not a finite number") from None
    except ValueError as exc:
        if "finite" in str(exc):
            raise
    letter = None
    hemisphere = _HEMISPHERE.match(text)
    if hemisphere:
        letter = (hemisphere.group(1) or hemisphere.group(4)).upper()
        text = (hemisphere.group(2) or hemisphere.group(3)).strip()
        if text.startswith("-"):
            text = text[1:].strip()
        sign = -1.0 if letter in "SW" else 1.0
    try:
        number = _plain_number(text.rstrip("°").strip(), thousands)
    except ValueError:
        number = _dms(text, original)
    if axis == "x" and letter and letter in "NS":
        raise ValueError(f"'{original}' is a latitude ({letter}) in the longitude column")
    if axis == "y" and letter and letter in "EW":
        raise ValueError(f"'{original}' is a longitude ({letter}) in the latitude column")
    return _finite(sign * number, original)


def _finite(number: float, original: object) -> float:
    """``number``, when it is finite; NaN is passed on (it means "no value": the cell said "nan"), an
    infinity (from "inf", or "1e400", too big for a float) is refused."""
    if math.isinf(number):
        raise ValueError(f"'{str(original)[:40]}' is not a finite number")
    return number


def _dms(text: str, original: str) -> float:
    dms = _DMS.match(text)
    if dms is None:
        raise ValueError(f"'{original}' is not a number")

    def part(name: str) -> float:
        return float((dms.group(name) or "0").replace(",", "."))

    degrees, minutes, seconds = part("deg"), part("min"), part("sec")
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"'{original}' has {'minutes' if minutes >= 60 else 'seconds'} of 60 or more")
    return degrees + minutes / 60 + seconds / 3600


def parse_number(value: object) -> float:
    """A coordinate from a cell: numbers, '53.48', '-2,35' (decimal comma), '53.48°'. Raises ValueError."""
    return parse_coordinate(value)


def in_range(crs: CRS, x: float, y: float) -> bool:
    """Is (x, y) inside the area where ``crs`` is defined? (WGS84: ±180/±90; projected: its area of use)."""
    return range_check(crs)(x, y)


def range_check(crs: CRS) -> Callable[[float, float], bool]:
    """``in_range`` for one CRS, worked out once: for checking many points (hashing a CRS costs more
    than the check itself)."""
    kind, bounds = _range_of(crs)
    if kind == "box":
        return lambda x, y: bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3]
    if kind == "any":
        return lambda x, y: True
    to_lonlat = transformer(crs, WGS84)

    def check(x: float, y: float) -> bool:
        lon, lat = to_lonlat.transform(x, y)
        return bool(bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3])

    return check


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
        return Detected(WGS84, "the values are in degrees")
    if metres.mean() >= 0.5:
        return Detected(BNG, "the values are metres within Great Britain")
    if degrees.mean() >= 0.5:
        return Detected(WGS84, "the values are in degrees")
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
