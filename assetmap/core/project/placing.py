"""Place an asset from what a person types: a postcode, latitude and longitude, or an easting and northing.

``place_text`` turns the text into a point in the project's CRS (``Placement``), or raises: ``ValueError``
when the text is not a postcode or coordinates at all (the CLI's bad usage), ``DataError`` when it is but
cannot be placed (no lookup chosen, a postcode the lookup lacks). Numbers are read with the importer's
``parse_coordinate`` (decimal commas, degrees-minutes-seconds, hemisphere letters). A pair that could be
read more than one way (latitude or longitude first; British National Grid or the project's own metres)
is read the usual way unless only the other way lands near the project's neighbourhoods, and says so.
The distance from the neighbourhoods is ``core.project.extent``'s (the check a click on the map gets),
so a point far away is asked about (in the app) or needs ``--force`` (CLI) before it is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS

from assetmap.core.errors import DataError
from assetmap.core.io.coords import BNG, BNG_RANGE, WGS84, comma_means_thousands, parse_coordinate, transformer
from assetmap.core.io.postcodes import PostcodeLookup, format_postcode, is_postcode, load_lookups
from assetmap.core.project.extent import DEFAULT_MARGIN_M, check_point
from assetmap.core.project.store import Project

NO_LOOKUP = ("no postcode lookup chosen for this project: choose one in File ▸ Import assets (Postcode lookup) or "
             "with assetmap import --postcodes LOOKUP (an OS Code-Point Open or ONS Postcode Directory CSV, zip "
             "or folder)")
EXAMPLES = ("Type, for example, M33 7XX; 53.4246, -2.3232 (latitude, longitude); 379500, 391200 (easting, northing); "
            "or SJ 795 912 (a grid reference).")


@dataclass(frozen=True)
class Reading:
    """One way of reading the typed numbers: the point in ``crs`` (x first) and how to say it."""

    x: float
    y: float
    crs: CRS
    how: str
    note: str = ""  # why this reading was chosen over the usual one


@dataclass
class Placement:
    """Where the typed text puts the asset, in the project's CRS, and how far that is from the project's area."""

    point: shapely.Point
    lon: float
    lat: float
    source: str  # "postcode" or "coordinates"
    how: str  # in plain words: "postcode M33 7XX", "latitude 53.42460, longitude -2.32320", ...
    postcode: str | None = None  # the postcode, written the standard way, when placed by one
    outside_m: float | None = None  # metres outside the nearest neighbourhood (0 inside; None: no neighbourhoods)
    nearest: str | None = None  # the nearest neighbourhood's name
    margin_m: float = DEFAULT_MARGIN_M  # beyond this from every neighbourhood it is "far"
    notes: list[str] = field(default_factory=list)

    @property
    def far(self) -> bool:
        """Farther outside the neighbourhoods than the margin a click on the map gets: probably a typing slip."""
        return self.outside_m is not None and self.outside_m > self.margin_m

    def warning(self) -> str:
        """The question to ask before placing a far point ("" when it is not far)."""
        if not self.far or self.outside_m is None:
            return ""
        return (f"{self.how} is {_distance(self.outside_m)} outside the project's neighbourhoods (the nearest is "
                f"{self.nearest}), more than the {_distance(self.margin_m)} an asset just outside would be")

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "how": self.how, "postcode": self.postcode, "lon": round(self.lon, 6),
                "lat": round(self.lat, 6), "x": round(self.point.x, 2), "y": round(self.point.y, 2),
                "outside_m": None if self.outside_m is None else round(self.outside_m, 1),
                "nearest": self.nearest, "far": self.far, "notes": list(self.notes)}


def _distance(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


# --- the project's area (core/project/extent.py: the same check a click on the map gets) ----------------------

def _placement(project: Project, reading: Reading, source: str, postcode: str | None = None) -> Placement:
    x, y = transformer(reading.crs, project.crs).transform(reading.x, reading.y)
    lon, lat = transformer(reading.crs, WGS84).transform(reading.x, reading.y)
    point = shapely.Point(x, y)
    check = check_point(project, point)
    return Placement(point, float(lon), float(lat), source, reading.how, postcode, check.distance_m, check.nearest,
                     check.margin_m, [reading.note] if reading.note else [])


# --- postcodes ------------------------------------------------------------------------------------------------

_CACHE: dict[tuple[Any, ...], PostcodeLookup] = {}


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def project_lookup(project: Project, given: Sequence[str | Path] | None = None) -> PostcodeLookup:
    """The postcode lookup to place with: ``given`` paths, else the project's (setting ``postcode_lookups``).

    The last one read is kept while its files are unchanged, so placing one asset after another reads a
    national directory once.
    """
    from assetmap.core.project.lookups import remembered_lookups

    paths = [Path(p).expanduser().resolve() for p in given] if given else [Path(p) for p in remembered_lookups(project)]
    if not paths:
        raise DataError(NO_LOOKUP)
    gone = [str(p) for p in paths if not p.exists()]
    if gone:
        where = "given" if given else "remembered for this project"
        raise DataError(f"the postcode lookup {where} is not there ({', '.join(gone)}): choose it again in File ▸ "
                        "Import assets (Postcode lookup) or with assetmap import --postcodes LOOKUP")
    key = tuple(_stamp(p) for p in paths)
    if key not in _CACHE:
        lookup = load_lookups(paths)
        _CACHE.clear()  # one lookup at a time: a national one is big
        _CACHE[key] = lookup
    return _CACHE[key]


def place_postcode(project: Project, postcode: str, lookup: PostcodeLookup | None = None) -> Placement:
    """The point of a postcode in the lookup (the project's own unless ``lookup`` is given)."""
    formatted = format_postcode(postcode)
    if formatted is None:
        raise ValueError(f"'{postcode.strip()}' is not a full UK postcode (e.g. M33 7XX)")
    lookup = lookup if lookup is not None else project_lookup(project)
    found = lookup.locate(formatted, lookup.crs)
    if found is None:
        raise DataError(f"postcode {formatted} is not in the lookup ({lookup.describe()}); check it, or place the "
                        "asset by its coordinates or on the map")
    return _placement(project, Reading(found[0], found[1], lookup.crs, f"postcode {formatted}"), "postcode",
                      formatted)


# --- coordinates ----------------------------------------------------------------------------------------------

_LETTER = re.compile(r"^\s*([NSEW])(?![A-Z])|(?<![A-Z])([NSEW])\s*$", re.IGNORECASE)
_AFTER = re.compile(r"^(.+?\d\D*?[NSEW])\s*[,;]?\s*(.+[NSEW])$", re.IGNORECASE)  # 53°25'N 2°18'W
_BEFORE = re.compile(r"^([NSEW]\s*.+?)\s*[,;]?\s*([NSEW]\s*.+)$", re.IGNORECASE)  # N53.42 W2.32
_GRIDREF = re.compile(r"^([A-HJ-Z]{2})(\d{2,10})$", re.IGNORECASE)


def _letter(part: str) -> str:
    m = _LETTER.search(part)
    return (m.group(1) or m.group(2)).upper() if m else ""


def split_pair(text: str) -> tuple[str, str]:
    """The two numbers of a typed pair: split at ';', between hemisphere letters, at the comma, or the space."""
    t = text.strip().strip("()[]{}").strip()
    if ";" in t:
        parts = t.split(";")
    elif (m := _AFTER.match(t) or _BEFORE.match(t)) and _letter(m.group(1)) and _letter(m.group(2)):
        parts = [m.group(1), m.group(2)]
    elif t.count(",") == 1:
        parts = t.split(",")
    elif t.count(", ") == 1:  # 379,500, 391,200 (thousands) or 53,42, -2,32 (decimal commas)
        parts = t.split(", ")
    elif "," not in t and len(t.split()) == 2:
        parts = t.split()
    else:
        raise ValueError(f"'{text.strip()}' is not two coordinates with a comma between them. {EXAMPLES}")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise ValueError(f"'{text.strip()}' is not two coordinates. {EXAMPLES}")
    return parts[0].strip(), parts[1].strip()


def grid_reference(text: str) -> tuple[float, float] | None:
    """An OS grid reference ('SJ 795 912', 'SJ7952791284') as the easting and northing of its square's centre."""
    m = _GRIDREF.match(re.sub(r"\s+", "", text))
    if m is None or len(m.group(2)) % 2:
        return None
    letters, digits = m.group(1).upper(), m.group(2)
    first, second = (ord(c) - ord("A") for c in letters)
    first, second = first - (first > 7), second - (second > 7)  # the grid has no letter I
    east_100k = ((first - 2) % 5) * 5 + second % 5
    north_100k = (19 - (first // 5) * 5) - second // 5
    half = len(digits) // 2
    size = 10 ** (5 - half)  # the square a reference of this precision names
    e = east_100k * 100000 + int(digits[:half]) * size + size / 2
    n = north_100k * 100000 + int(digits[half:]) * size + size / 2
    if not _in_bng(e, n):
        return None
    return e, n


def _in_bng(e: float, n: float) -> bool:
    return BNG_RANGE[0] <= e <= BNG_RANGE[2] and BNG_RANGE[1] <= n <= BNG_RANGE[3]


def readings(text: str, project_crs: CRS, crs: CRS | None = None) -> list[Reading]:
    """Every sensible reading of a typed pair, the usual one first; ValueError when there is none."""
    grid = grid_reference(text)
    if grid is not None and crs is None:
        return [Reading(grid[0], grid[1], BNG, f"grid reference {' '.join(text.split()).upper()}")]
    first, second = split_pair(text)
    letters = _letter(first), _letter(second)
    if letters[0] in ("E", "W") or letters[1] in ("N", "S"):
        first, second, letters = second, first, (letters[1], letters[0])  # "2°18'W 53°25'N": latitude first
    thousands = comma_means_thousands([first, second], None)
    try:
        a = parse_coordinate(first, "y" if letters[0] else None, thousands=thousands)
        b = parse_coordinate(second, "x" if letters[1] else None, thousands=thousands)
    except ValueError as exc:
        raise ValueError(f"'{text.strip()}': {exc}. {EXAMPLES}") from None
    if crs is not None:
        if crs.is_geographic:
            return [Reading(b, a, crs, f"latitude {a:.5f}, longitude {b:.5f}")]
        return [Reading(a, b, crs, f"{a:.1f}, {b:.1f} in {crs.name}")]
    if abs(a) <= 90 and abs(b) <= 180 or any(letters):
        if abs(a) > 90 or abs(b) > 180:
            raise ValueError(f"'{text.strip()}': latitude {a:g} or longitude {b:g} is out of range (latitude -90 to "
                             "90, longitude -180 to 180)")
        usual = Reading(b, a, WGS84, f"latitude {a:.5f}, longitude {b:.5f}")
        if any(letters) or abs(b) > 90:
            return [usual]
        return [usual, Reading(a, b, WGS84, f"latitude {b:.5f}, longitude {a:.5f}",
                               "read as longitude, latitude: that way round it is in the project's area")]
    if abs(a) <= 180 and abs(b) <= 90:  # longitude first: a latitude cannot be over 90
        return [Reading(a, b, WGS84, f"latitude {b:.5f}, longitude {a:.5f}",
                        "read as longitude, latitude (a latitude cannot be over 90)")]
    out = []
    if _in_bng(a, b):
        out.append(Reading(a, b, BNG, f"British National Grid {a:.0f} E, {b:.0f} N"))
    if _in_bng(b, a):
        out.append(Reading(b, a, BNG, f"British National Grid {b:.0f} E, {a:.0f} N",
                           "read as northing, easting: that way round it is in the project's area" if out else ""))
    if project_crs.is_projected and project_crs != BNG:
        out.append(Reading(a, b, project_crs, f"{a:.1f}, {b:.1f} in {project_crs.name}",
                           f"read in the project's own coordinate system ({project_crs.name})" if out else ""))
    if not out:
        raise ValueError(f"'{text.strip()}' is neither latitude, longitude in degrees nor a British National Grid "
                         f"easting, northing in metres (eastings 0 to 700000, northings 0 to 1300000). {EXAMPLES}")
    return out


def place_coordinates(project: Project, text: str, crs: CRS | str | None = None) -> Placement:
    """The point typed as coordinates (``crs`` when given, else degrees or British National Grid by their values)."""
    from assetmap.core.io.coords import parse_crs

    forced = parse_crs(crs) if isinstance(crs, str) else crs
    options = readings(text, project.crs, forced)
    placements = []
    for reading in options:
        point = _placement(project, reading, "coordinates")
        if not point.far:
            return point
        placements.append(point)
    first = placements[0]
    first.notes = []  # the usual reading, far away: the question says so
    return first


def place_text(project: Project, text: str, *, lookup: PostcodeLookup | None = None,
               crs: CRS | str | None = None) -> Placement:
    """A postcode or coordinates, whichever the text is (the form's one box)."""
    if not text.strip():
        raise ValueError(f"Nothing typed. {EXAMPLES}")
    if is_postcode(text):
        return place_postcode(project, text, lookup)
    try:
        return place_coordinates(project, text, crs)
    except ValueError:
        if re.match(r"^\s*[A-Z]{1,2}\d", text, re.IGNORECASE) and grid_reference(text) is None:
            raise ValueError(f"'{text.strip()}' is not a full UK postcode (e.g. M33 7XX) or coordinates") from None
        raise


def placing_changes(project: Project, asset_id: str, placement: Placement) -> dict[str, Any]:
    """The edit that places the asset: its point, and the postcode it was placed by when it had none."""
    changes: dict[str, Any] = {"geometry": placement.point}
    if placement.postcode and not str(project.asset(asset_id).get("postcode") or "").strip():
        changes["postcode"] = placement.postcode
    return changes
