"""Guess which column of a user's file holds which asset field, by its name.

Councils, OpenStreetMap exports and community spreadsheets name the same thing a dozen ways
("PropertyName", "Site name", "DISTNAME"); the guess covers the common ones and ``--map``
overrides it. Coordinate columns are guessed here too, as pairs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assetmap.core.model import ASSET_FIELD_NAMES

if TYPE_CHECKING:
    import pandas as pd

# Normalised header names for each field, best first.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "asset_name", "site_name", "site", "property_name", "propertyname", "asset", "title",
             "venue", "venue_name", "organisation", "organisation_name", "organization", "organization_name",
             "group_name", "club_name", "club", "facility_name", "facility", "building_name", "premises",
             "premises_name", "community_hub", "distname", "label", "place"),
    "category": ("category", "abcd_category", "asset_category", "abcd"),
    "kind": ("kind", "type", "asset_type", "site_type", "facility_type", "property_type", "classification",
             "classifica", "subtype", "sub_type", "use", "current_use", "osm_tags", "primary_use"),
    "description": ("description", "desc", "about", "summary", "details", "facilities"),
    "address": ("address", "full_address", "site_address", "street_address", "property_address", "addr",
                "address_1", "address1", "location"),
    "postcode": ("postcode", "post_code", "postal_code", "pcode", "zip", "zip_code", "addr_postcode", "pcds"),
    "uprn": ("uprn", "property_uprn", "site_uprn"),
    "website": ("website", "url", "web", "web_address", "webpage", "homepage", "link", "site_url"),
    "phone": ("phone", "telephone", "tel", "phone_number", "telephone_number", "contact_number", "mobile"),
    "email": ("email", "e_mail", "email_address", "contact_email"),
    "contact_name": ("contact_name", "contact", "contact_person", "key_contact", "manager"),
    "opening_times": ("opening_times", "opening_hours", "hours", "opening", "times", "open"),
    "capacity": ("capacity", "max_capacity", "seats", "maximum_capacity"),
    "accessibility": ("accessibility", "access", "accessible", "disabled_access", "wheelchair"),
    "ownership": ("ownership", "owner", "owned_by", "owner_type"),
    "tenure": ("tenure", "tenure_type", "lease"),
    "acv_status": ("acv_status", "acv", "asset_of_community_value"),
    "acv_listed_on": ("acv_listed_on", "acv_listed", "acv_date", "date_listed"),
    "acv_expires_on": ("acv_expires_on", "acv_expiry", "acv_expires", "listing_ends"),
    "condition": ("condition", "building_condition", "state"),
    "visibility": ("visibility", "public", "private", "show_publicly"),
    "source_ref": ("source_ref", "id", "ref", "reference", "asset_id", "asset_ref", "asset_reference",
                   "property_reference", "property_ref", "osm_ref", "osm_id", "urn", "unique_reference_number",
                   "objectid", "object_id", "site_id", "fid"),
    "verified_on": ("verified_on", "last_checked", "date_checked", "checked_on", "verified", "last_verified"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
    "tags": ("tags", "keywords", "labels"),
}

# Coordinate pairs, best first: (x column aliases, y column aliases, crs hint or None).
COORD_PAIRS: tuple[tuple[tuple[str, ...], tuple[str, ...], str | None], ...] = (
    (("longitude", "long", "lon", "lng", "wgs84_longitude", "lon_wgs84"),
     ("latitude", "lat", "wgs84_latitude", "lat_wgs84"), "EPSG:4326"),
    (("easting", "eastings", "east", "os_easting", "x_easting", "grid_ref_easting", "bng_e", "oseast1m"),
     ("northing", "northings", "north", "os_northing", "y_northing", "grid_ref_northing", "bng_n", "osnrth1m"),
     "EPSG:27700"),
    (("geox", "geo_x", "x", "xcoord", "x_coord", "x_coordinate", "coord_x", "point_x", "pointx", "map_x", "mapx"),
     ("geoy", "geo_y", "y", "ycoord", "y_coord", "y_coordinate", "coord_y", "point_y", "pointy", "map_y", "mapy"),
     None),
)
CRS_ALIASES = ("crs", "epsg", "srid", "srs", "coordinate_system", "coordinate_reference_system", "projection",
               "spatial_reference", "coord_system")
WKT_ALIASES = ("wkt", "geometry", "the_geom", "geom", "shape", "wkt_geometry")
SPECIAL_TARGETS = ("x", "y", "lon", "lat", "crs", "wkt")


def normalise(header: str) -> str:
    text = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(header).strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


_UNIT_WORDS = {"wgs84", "wgs", "84", "4326", "27700", "bng", "osgb", "osgb36", "m", "metres", "meters", "deg",
               "degrees", "dd", "decimal", "coordinate", "coord", "value", "gps", "of", "in", "the", "dms", "os"}


def _axis_words(axis: int) -> set[str]:
    """Every word of every alias for one axis (0: x/longitude/easting, 1: y/latitude/northing)."""
    return {w for pair in COORD_PAIRS for alias in pair[axis] for w in alias.split("_")}


def _find_coordinate(columns: Sequence[str], aliases: Sequence[str], taken: set[str]) -> str | None:
    """Like ``_find``, also accepting a coordinate name with its units or system, in any order and case:
    "Latitude (WGS84)", " LONGITUDE ", "Easting (m)", "GPS Lat", "X (Easting)". Only for coordinates,
    where the extra words say nothing else; "Latitude, Longitude" (one column of pairs) is not a latitude."""
    found = _find(columns, aliases, taken)
    if found:
        return found
    axis = 0 if aliases in [pair[0] for pair in COORD_PAIRS] else 1
    same_axis = _axis_words(axis)
    for alias in aliases:
        for col in columns:
            words = [w for w in normalise(col).split("_") if w and w not in _UNIT_WORDS]
            if col not in taken and words and set(alias.split("_")) <= set(words) and set(words) <= same_axis:
                return col
    return None


def _find(columns: Sequence[str], aliases: Sequence[str], taken: set[str]) -> str | None:
    """The first alias that names a column: exactly (ignoring case, spaces and punctuation), or else once
    a note in brackets is left out ("Capacity (people)", "Website [URL]")."""
    for strip in (False, True):
        by_norm: dict[str, str] = {}
        for col in columns:
            text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(col)) if strip else str(col)
            by_norm.setdefault(normalise(text), col)
            by_norm.setdefault(normalise(text).replace("_", ""), col)
        for alias in aliases:
            for key in (alias, alias.replace("_", "")):
                col = by_norm.get(key)
                if col is not None and col not in taken:
                    return col
    return None


def guess_mapping(columns: Sequence[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Field (or x/y/crs/wkt) → column name. Overrides win; each column is used once.

    An override with an empty column ("name=") means "no column for this field": it is not guessed.
    """
    excluded = {k for k, v in (overrides or {}).items() if not v}
    excluded |= {"x" if k == "lon" else "y" for k in excluded if k in ("lon", "lat")}
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    mapping: dict[str, str] = {}
    taken = set(overrides.values())
    mapping.update(overrides)
    # Coordinates first so that "x"/"y"/"location" are not taken as ordinary fields.
    if not ({"x", "y"} & (overrides.keys() | excluded) or {"lon", "lat"} & overrides.keys() or "wkt" in overrides):
        for xs, ys, _hint in COORD_PAIRS:
            x, y = _find_coordinate(columns, xs, taken), _find_coordinate(columns, ys, taken)
            if x and y:
                mapping["x"], mapping["y"] = x, y
                taken |= {x, y}
                break
    for key in ("lon", "lat"):
        if key in mapping:
            mapping["x" if key == "lon" else "y"] = mapping.pop(key)
    if "crs" not in mapping and "crs" not in excluded:
        col = _find(columns, CRS_ALIASES, taken)
        if col:
            mapping["crs"], taken = col, taken | {col}
    if "x" not in mapping and not {"wkt", "x"} & excluded:
        col = _find(columns, WKT_ALIASES, taken)
        if col:
            mapping["wkt"], taken = col, taken | {col}
    for field_name, aliases in FIELD_ALIASES.items():
        if field_name in mapping or field_name in excluded:
            continue
        col = _find(columns, aliases, taken)
        if col:
            mapping[field_name] = col
            taken.add(col)
    if "name" not in mapping and "name" not in excluded:
        col = _find_name_phrase(columns, taken)
        if col:
            mapping["name"] = col
    return mapping


_NAME_OF = {"asset", "site", "venue", "place", "group", "organisation", "organization", "facility", "building",
            "property", "premises", "club", "hub", "centre", "center", "business", "service", "space", "community"}
_NOT_NAME_OF = {"contact", "person", "first", "last", "surname", "user", "file", "officer", "owner", "manager",
                "ward", "lsoa", "street", "road", "parish", "town", "district", "borough", "council", "area", "key",
                "lead", "applicant", "nominator", "landlord", "tenant", "trustee", "chair", "secretary", "former",
                "previous", "old"}


def _find_name_phrase(columns: Sequence[str], taken: set[str]) -> str | None:
    """A name column said in words: "Name of asset", "Asset name (as known locally)", "Name of group"."""
    for col in columns:
        words = set(normalise(col).split("_"))
        if col not in taken and "name" in words and words & _NAME_OF and not words & _NOT_NAME_OF:
            return col
    return None


def resolve_overrides(overrides: Mapping[str, str], columns: Sequence[str]) -> dict[str, str]:
    """--map columns as typed, matched to the file's columns: exactly, or else ignoring case, spaces and
    punctuation (--map "name=site name" finds "Site Name "), when that picks out one column."""
    out: dict[str, str] = {}
    for target, column in overrides.items():
        target = target.strip().lower()
        if column and column not in columns:
            key = normalise(column).replace("_", "")
            matches = [c for c in columns if normalise(c).replace("_", "") == key]
            if len(matches) == 1:
                column = matches[0]
        out[target] = column
    return out


_PAIR = re.compile(r"^\s*\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?\s*$")


def split_coordinate_pairs(rows: "pd.DataFrame", mapping: dict[str, str]) -> str | None:
    """Find a column of "53.48, -2.24" pairs (as copied from a web map) and split it into lat and lon.

    Only when no other coordinates were found. Adds the columns ``<name> (latitude)`` and
    ``<name> (longitude)`` to ``rows``, maps them, and returns the column's name (None if there is none).
    Pairs are read latitude first, as web maps give them; a pair that only fits the other way round
    is caught later by the swapped-coordinates check.
    """
    if {"x", "y"} & mapping.keys() or "wkt" in mapping:
        return None
    for column in rows.columns:
        values = [str(v) for v in rows[column].tolist() if v is not None and str(v).strip()]
        if not values:
            continue
        matches = [_PAIR.match(v) for v in values]
        if sum(m is not None for m in matches) < 0.8 * len(values):
            continue
        lat_col, lon_col = f"{column} (latitude)", f"{column} (longitude)"
        pairs = [_PAIR.match(str(v)) if v is not None else None for v in rows[column].tolist()]
        rows[lat_col] = [m.group(1) if m else None for m in pairs]
        rows[lon_col] = [m.group(2) if m else None for m in pairs]
        mapping["x"], mapping["y"] = lon_col, lat_col
        for field_name, col in list(mapping.items()):
            if col == column and field_name not in ("x", "y"):
                del mapping[field_name]  # e.g. a "location" column first taken for the address
        return str(column)
    return None


def coordinate_hint(mapping: Mapping[str, str]) -> str | None:
    """The CRS the coordinate column names imply (longitude → WGS84, easting → BNG), if any."""
    x = mapping.get("x")
    if not x:
        return None
    n = normalise(x)
    words = set(n.split("_"))
    for xs, _ys, hint in COORD_PAIRS:
        if n in xs or n.replace("_", "") in xs or n.split("_")[0] in xs \
                or any(set(alias.split("_")) <= words for alias in xs):
            return hint
    return None


def check_overrides(overrides: Mapping[str, str], columns: Sequence[str]) -> None:
    """Raise ValueError with a readable message for a --map that cannot work."""
    for target, column in overrides.items():
        if target not in ASSET_FIELD_NAMES and target not in SPECIAL_TARGETS:
            raise ValueError(f"--map {target}={column}: '{target}' is not an asset field "
                             f"(fields: {', '.join(ASSET_FIELD_NAMES)}, or x, y, lon, lat, crs, wkt)")
        if column and column not in columns:
            raise ValueError(f"--map {target}={column}: the file has no column '{column}' "
                             f"(columns: {', '.join(columns)})")
