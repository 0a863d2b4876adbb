"""Guess which column of a user's file holds which asset field, by its name and, for the name, by its values.

Councils, OpenStreetMap exports and community spreadsheets name the same thing a dozen ways
("PropertyName", "Site name", "DISTNAME", "Type of site"); the guess covers the common ones and
``--map`` overrides it. Coordinate columns are guessed here too, as pairs. Some files name nothing
as the name ("Location" beside an address column): then the column whose values look like names is
chosen. The headers of address parts ("Address line 2", "Town") and per-day opening hours ("Mon AM")
are recognised here; ``derived`` joins their values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import TYPE_CHECKING, Any

from assetmap.core.model import ASSET_FIELD_NAMES, is_blank

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
             "classifica", "subtype", "sub_type", "use", "current_use", "osm_tags", "primary_use",
             "type_of_site", "type_of_asset", "type_of_facility", "type_of_service", "type_of_provision",
             "type_of_venue", "type_of_premises", "type_of_organisation", "type_of_establishment", "type_of_building",
             "service_type", "venue_type", "provision_type", "establishment_type", "organisation_type",
             "building_type", "premises_type", "group_type", "category_of_service", "service_category",
             "facility_category", "site_category", "venue_category", "asset_kind", "asset_class", "sub_category",
             "subcategory", "provision"),
    "description": ("description", "desc", "about", "summary", "details", "facilities"),
    "address": ("address", "full_address", "site_address", "street_address", "property_address", "addr",
                "address_1", "address1", "address_line_1", "address_line1", "address_line_one", "addr1", "addr_1",
                "add1", "first_line_of_address", "address_first_line", "line_1", "building_street", "street",
                "street_name", "venue_address", "premises_address", "postal_address", "location"),
    "postcode": ("postcode", "post_code", "postal_code", "pcode", "zip", "zip_code", "addr_postcode", "pcds"),
    "uprn": ("uprn", "property_uprn", "site_uprn"),
    "website": ("website", "url", "web", "web_address", "webpage", "homepage", "link", "site_url"),
    "phone": ("phone", "telephone", "tel", "phone_number", "telephone_number", "contact_number", "mobile",
              "contact_telephone", "contact_tel", "contact_phone", "tel_no", "telephone_no", "phone_no",
              "tel_number", "contact_telephone_number", "main_telephone", "main_phone", "landline", "contact_no"),
    "email": ("email", "e_mail", "email_address", "contact_email", "e_mail_address", "contact_e_mail",
              "contact_email_address", "main_email", "email_contact"),
    "contact_name": ("contact_name", "contact", "contact_person", "key_contact", "manager", "main_contact",
                     "primary_contact", "named_contact", "lead_contact", "contact_person_name", "name_of_contact"),
    "opening_times": ("opening_times", "opening_hours", "hours", "opening", "times", "open", "open_times",
                      "hours_of_opening", "times_open", "opening_time", "open_hours", "hours_open",
                      "times_of_opening", "when_open", "opening_days_and_times", "session_times"),
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


def _words(header: str) -> set[str]:
    return set(normalise(header).split("_"))


_UNIT_WORDS = {"wgs84", "wgs", "84", "4326", "27700", "bng", "osgb", "osgb36", "m", "metres", "meters", "deg",
               "degrees", "dd", "decimal", "coordinate", "coord", "value", "gps", "of", "in", "the", "dms", "os"}


def _axis_words(axis: int) -> set[str]:
    """Every word of every alias for one axis (0: x/longitude/easting, 1: y/latitude/northing)."""
    return {w for pair in COORD_PAIRS for alias in (pair[1] if axis else pair[0]) for w in alias.split("_")}


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
                found = by_norm.get(key)
                if found is not None and found not in taken:
                    return found
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
    if "kind" not in mapping and "kind" not in excluded:
        col = _find_kind_phrase(columns, taken)
        if col:
            mapping["kind"], taken = col, taken | {col}
    if "name" not in mapping and "name" not in excluded:
        col = _find_name_phrase(columns, taken)
        if col:
            mapping["name"] = col
    return mapping


# Words that make "<thing> name" the name of an asset for sure; other things ("pharmacy name", "school name")
# still count, after these.
_NAME_OF = {"asset", "site", "venue", "place", "group", "organisation", "organization", "facility", "building",
            "property", "premises", "club", "hub", "centre", "center", "business", "service", "space", "community",
            "location", "establishment", "setting", "resource", "project"}
# "<thing> name" where the thing is a person, an area, a contact, a file or an earlier name: not the asset's name.
_NOT_NAME_OF = {
    # people and roles
    "contact", "person", "people", "first", "last", "given", "middle", "family", "full", "fore", "sur", "maiden",
    "preferred", "user", "users", "officer", "owner", "manager", "head", "headteacher", "teacher", "principal",
    "leader", "lead", "chair", "chairperson", "secretary", "treasurer", "trustee", "director", "coordinator",
    "organiser", "organizer", "councillor", "mp", "doctor", "gp", "clerk", "keyholder", "holder", "landlord",
    "tenant", "applicant", "nominator", "submitter", "agent", "architect", "proprietor", "licensee", "member",
    "volunteer", "resident", "staff", "employee", "parent", "carer", "child", "patient", "client", "customer",
    "author", "photographer", "subject", "referrer", "emergency", "kin", "your", "my",
    # areas and places the asset is in
    "ward", "lsoa", "msoa", "oa", "street", "road", "parish", "town", "city", "village", "locality", "district",
    "borough", "council", "county", "region", "country", "area", "neighbourhood", "constituency", "authority", "la",
    "lad", "ccg", "icb", "pcn", "trust",
    # other kinds of name
    "file", "image", "photo", "picture", "document", "layer", "field", "column", "sheet", "table", "domain", "host",
    "former", "previous", "old", "alternative", "alternate", "alt", "other", "secondary", "key", "species",
}


def _find_name_phrase(columns: Sequence[str], taken: set[str]) -> str | None:
    """A name column said in words: "Name of asset", "pharmacy_name", "School Name", "Venue/Location name".

    Any "<thing> name" counts unless the thing is a person, an area, a contact or a file; a thing that is
    surely an asset ("site", "venue", "location") wins over one that may not be ("provider name")."""
    best: tuple[int, int, str] | None = None
    for i, col in enumerate(columns):
        words = _words(col)
        if col in taken or not words & {"name", "names"} or words & _NOT_NAME_OF:
            continue
        rank = (0 if words & _NAME_OF else 1, i, col)
        best = rank if best is None or rank < best else best
    return best[2] if best else None


_KIND_WORDS = {"type", "types", "kind", "category", "categories", "classification", "class", "sort"}
_KIND_OF = {"site", "asset", "service", "services", "provision", "facility", "venue", "premises", "building",
            "organisation", "organization", "group", "establishment", "place", "space", "property", "business",
            "activity", "club", "amenity", "setting", "land", "resource", "provider", "centre", "hub", "support"}
_NOT_KIND_OF = {"contact", "owner", "ownership", "tenure", "lease", "payment", "funding", "membership", "access",
                "record", "data", "file", "road", "ward", "area", "legal", "licence", "license", "user", "fee",
                "charge", "booking", "parking", "toilet", "heating", "roof", "wall", "floor", "listing", "grade"}


def _find_kind_phrase(columns: Sequence[str], taken: set[str]) -> str | None:
    """A type column said in words: "Type of site", "Facility category", "Category of service", "Kind of group"."""
    for col in columns:
        words = _words(col)
        if col not in taken and words & _KIND_WORDS and words & _KIND_OF and not words & _NOT_KIND_OF:
            return col
    return None


# --- address parts and per-day opening hours, by header ----------------------------------------------------

# Where a part goes in a joined address (lower first). Locality, town and county (SUFFIX and above) are
# added to any address; the others only join when the address column is itself one of them.
_ADDRESS_ROLES: dict[str, float] = {
    "flat": 10, "sub_building": 10, "sub_building_name": 10, "saon": 10,
    "building": 20, "building_name": 20, "house_name": 20,
    "house_number": 30, "house_no": 30, "street_number": 30, "building_number": 30, "property_number": 30,
    "door_number": 30, "paon": 30,
    "street": 40, "street_name": 40, "road": 40, "road_name": 40, "thoroughfare": 40, "building_street": 40,
    "address_street": 40,
    "locality": 50, "dependent_locality": 50, "village": 50, "suburb": 50, "address_locality": 50,
    "town": 60, "post_town": 60, "posttown": 60, "city": 60, "town_city": 60, "town_or_city": 60, "city_town": 60,
    "address_town": 60, "address_city": 60,
    "county": 70, "address_county": 70,
}
SUFFIX_ROLE = 50
_LINE = re.compile(r"^(?:address|addr|add)_?(?:line_?)?([1-9])$|^(?:address_)?line_?([1-9])$")
_LINE_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def address_role(header: str) -> float | None:
    """Where a column goes in a joined address: "Address line 2" → 40.2, "Street" → 40, "Town" → 60; None if it
    is not an address part. Numbered lines sit where the street would."""
    n = normalise(header)
    match = _LINE.match(n)
    if match:
        return 40 + int(match.group(1) or match.group(2)) / 10
    word = re.fullmatch(r"address_line_(one|two|three|four|five|six)", n)
    if word:
        return 40 + _LINE_WORDS[word.group(1)] / 10
    return _ADDRESS_ROLES.get(n)


DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {"monday": 0, "mon": 0, "mondays": 0, "tuesday": 1, "tue": 1, "tues": 1, "tuesdays": 1,
              "wednesday": 2, "wed": 2, "weds": 2, "wednesdays": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
              "thursdays": 3, "friday": 4, "fri": 4, "fridays": 4, "saturday": 5, "sat": 5, "saturdays": 5,
              "sunday": 6, "sun": 6, "sundays": 6}
_DAY_GROUPS = {"weekdays": (0, 1, 2, 3, 4), "weekday": (0, 1, 2, 3, 4), "weekend": (5, 6), "weekends": (5, 6)}
_PART_WORDS = {"open": "open", "opens": "open", "opening": "open", "from": "open", "start": "open",
               "starts": "open", "close": "close", "closes": "close", "closing": "close", "to": "close",
               "until": "close", "till": "close", "end": "close", "ends": "close", "finish": "close",
               "am": "am", "morning": "am", "pm": "pm", "afternoon": "pm", "evening": "eve", "eve": "eve"}
_DAY_NEUTRAL = {"hours", "hour", "hrs", "times", "time", "of", "and", "on", "day", "session", "sessions"}


def day_role(header: str) -> tuple[tuple[int, ...], str] | None:
    """Which days a column's opening hours are for, and which part of the day: "Monday" → ((0,), ""),
    "Mon AM" → ((0,), "am"), "Monday close" → ((0,), "close"), "Mon-Fri" → ((0, 1, 2, 3, 4), "");
    None for anything else ("Sunday school", "Monday club")."""
    words = [w for w in normalise(header).split("_") if w]
    days = [_DAY_WORDS[w] for w in words if w in _DAY_WORDS]
    groups = [_DAY_GROUPS[w] for w in words if w in _DAY_GROUPS]
    if len(days) + len(groups) == 0 or len(days) > 2 or len(groups) > 1 or (groups and days):
        return None
    if len(days) == 2:
        if days[0] >= days[1]:
            return None
        covered: tuple[int, ...] = tuple(range(days[0], days[1] + 1))
        words = [w for w in words if w != "to"]  # "Monday to Friday"
    else:
        covered = groups[0] if groups else (days[0],)
    rest = [w for w in words if w not in _DAY_WORDS and w not in _DAY_GROUPS]
    if any(w not in _PART_WORDS and w not in _DAY_NEUTRAL for w in rest):
        return None
    parts = {_PART_WORDS[w] for w in rest if w in _PART_WORDS}
    if len(parts) > 1 or (parts == {"open"} and set(rest) & {"hours", "hrs", "times"}):
        parts = set()  # "Monday opening hours", "Monday open to close": the whole day
    return covered, next(iter(parts), "")


# --- the name column, by its values -------------------------------------------------------------------------

_POSTCODE_VALUE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$", re.IGNORECASE)
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL_VALUE = re.compile(r"^(?:https?://|www\.)\S+$|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:uk|com|org|net|gov|info|co)"
                        r"(?:/\S*)?$", re.IGNORECASE)
_DATE_WORDS = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
                         r",?\s+\d{2,4}$", re.IGNORECASE)
_STREET_WORDS = frozenset({
    "road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "drive", "dr", "close", "way", "place", "pl",
    "terrace", "tce", "crescent", "cres", "grove", "gardens", "gdns", "square", "sq", "court", "ct", "parade",
    "walk", "row", "hill", "mews", "rise", "boulevard", "broadway", "chase", "croft", "fold", "brow", "precinct",
    "approach", "wharf", "quay", "circus", "vale", "highway", "bypass"})
_HOUSE_NUMBER = re.compile(r"(?:^|[\s,])(?:unit\s+|flat\s+)?\d+[a-z]?(?:\s*[-/]\s*\d+[a-z]?)?,?\s+[^\W\d_]",
                           re.IGNORECASE)
_FLAG_VALUES = {"yes", "no", "y", "n", "true", "false", "tbc", "tbd", "tba", "?"}
# Headers that say what a column holds, when it is not a name (checked on top of _NOT_NAME_OF).
_NOT_NAME_HEADER = {"code", "id", "ref", "reference", "number", "no", "uprn", "urn", "date", "year", "time",
                    "count", "total", "notes", "note", "comment", "comments", "description", "postcode", "email",
                    "phone", "telephone", "website", "url", "type", "category", "kind", "status", "grade", "size",
                    "capacity", "hours", "times", "opening", "access", "parking", "price", "cost", "fee", "ofsted",
                    "rating", "religion", "denomination", "sector", "phase", "gender", "age", "ages", "funding"}
_WEAK_ADDRESS = {"location", "site_location", "venue_location", "where"}
SAMPLE_ROWS = 1000


def looks_like_postcode(text: str) -> bool:
    return bool(_POSTCODE_VALUE.match(text.strip()))


def value_kind(value: Any) -> str:
    """What one cell looks like: "text" (could be a name), or blank, flag, number, date, email, url, postcode,
    code, long (a sentence or more), address or other."""
    if is_blank(value):
        return "blank"
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        return "number"
    if isinstance(value, (date, time)):
        return "date"
    if not isinstance(value, str):
        return "other"  # a spreadsheet error, a geometry ...
    text = " ".join(value.split())
    if not re.search(r"[^\W\d_]", text):
        return "number"  # no letter at all: numbers, dates, phone numbers, coordinate pairs
    low = text.lower()
    if low in _FLAG_VALUES:
        return "flag"
    if "@" in text and _EMAIL_VALUE.match(text):
        return "email"
    if _URL_VALUE.match(text):
        return "url"
    if _POSTCODE_VALUE.match(text):
        return "postcode"
    if _DATE_WORDS.match(text):
        return "date"
    if " " not in text and re.search(r"\d", text):
        return "code"  # E08000009, LIB-01, 12B
    if len(text) > 80 or len(text.split()) > 12:
        return "long"
    words = set(re.findall(r"[a-z]+", low))
    if words & _STREET_WORDS and ("," in text or _HOUSE_NUMBER.search(text)):
        return "address"
    return "text"


def _title_like(text: str) -> bool:
    """Names are written with capitals ("Coppice Library", "SALE LIONS"); sentences mostly are not."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return not words or sum(w[0].isupper() for w in words) >= len(words) / 2


def _profile(values: list[Any]) -> dict[str, float]:
    """Fill, the share of text values, their distinctness, capitals and the share of addresses, for one column."""
    kinds = [value_kind(v) for v in values]
    filled = [k for k in kinds if k != "blank"]
    texts = [" ".join(str(v).split()).lower() for v, k in zip(values, kinds) if k == "text"]
    titled = [v for v, k in zip(values, kinds) if k == "text" and _title_like(str(v))]
    n = len(filled)
    return {"fill": n / len(values) if values else 0.0,
            "text": len(texts) / n if n else 0.0,
            "distinct": len(set(texts)) / len(texts) if texts else 0.0,
            "titled": len(titled) / len(texts) if texts else 0.0,
            "address": kinds.count("address") / n if n else 0.0,
            "count": float(len(texts))}


def _name_score(profile: dict[str, float]) -> float:
    """How much a column looks like the assets' names (0 when it does not at all)."""
    if profile["fill"] < 0.5 or profile["text"] < 0.6 or (profile["count"] >= 4 and profile["distinct"] < 0.5):
        return 0.0
    return profile["fill"] * profile["text"] * profile["distinct"] * (0.5 + 0.5 * profile["titled"])


def find_name_by_values(rows: pd.DataFrame, mapping: dict[str, str],
                        overrides: Mapping[str, str] | None = None) -> str | None:
    """When no header names the asset, choose the column whose values look like names, map it, and return a
    note saying which ("names from column 'Location': 13 distinct text values"); None when there is none.

    Names are mostly distinct text: not addresses (house numbers and street words), postcodes, numbers, dates,
    web or e-mail addresses, phone numbers or codes. A column whose header says it is something else (a ward,
    a contact, a date) is not a candidate. "Location" taken as the address is taken back as the name when its
    values are names, and a column whose values are addresses becomes the address instead.
    """
    overrides = overrides or {}
    if "name" in mapping or "name" in overrides:
        return None
    sample = rows.head(SAMPLE_ROWS)
    used = {c for f, c in mapping.items() if f != "address"}
    weak = mapping.get("address")
    if weak is not None and (normalise(weak) not in _WEAK_ADDRESS or "address" in overrides):
        used.add(weak)
        weak = None
    best: tuple[float, int, str] | None = None
    profiles: dict[str, dict[str, float]] = {}
    for i, column in enumerate(str(c) for c in sample.columns):
        words = _words(column)
        role = address_role(column)  # a "Building" column may hold the names; a "Street" never does
        if column in used or (role is not None and role >= 30) or day_role(column) is not None \
                or words & (_NOT_NAME_OF | _NOT_NAME_HEADER):
            continue
        profiles[column] = profile = _profile(sample[column].tolist())
        if column == weak and profile["address"] >= 0.3:
            continue  # "Location" that does hold addresses stays the address
        score = _name_score(profile)
        if score > 0 and (best is None or (-score, i) < (-best[0], best[1])):
            best = (score, i, column)
    if best is None:
        return None
    chosen = best[2]
    mapping["name"] = chosen
    texts = rows[chosen][rows[chosen].map(lambda v: isinstance(v, str))].astype(str)
    distinct = texts.str.split().str.join(" ").str.lower()
    note = f"names from column '{chosen}': {distinct[distinct != ''].nunique()} distinct text values"
    if chosen == weak:
        del mapping["address"]
        addresses = [(p["address"], -j, c) for j, (c, p) in enumerate(profiles.items())
                     if c != chosen and p["address"] >= 0.5]
        if addresses:
            mapping["address"] = max(addresses)[2]
            note += f" (not addresses: the addresses are in column '{mapping['address']}')"
    return note


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


def split_coordinate_pairs(rows: pd.DataFrame, mapping: dict[str, str]) -> str | None:
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
        if target in ("details", "public_details"):
            raise ValueError(f"--map {target}={column}: '{target}' is filled from the columns no field uses; "
                             "to publish one of them, use --public-column COLUMN")
        if target not in ASSET_FIELD_NAMES and target not in SPECIAL_TARGETS:
            raise ValueError(f"--map {target}={column}: '{target}' is not an asset field "
                             f"(fields: {', '.join(ASSET_FIELD_NAMES)}, or x, y, lon, lat, crs, wkt)")
        if column and column not in columns:
            raise ValueError(f"--map {target}={column}: the file has no column '{column}' "
                             f"(columns: {', '.join(columns)})")


def resolve_public_columns(names: Sequence[str], columns: Sequence[str]) -> list[str]:
    """--public-column names matched to the file's columns as --map matches them (exactly, or else ignoring
    case, spaces and punctuation when that picks out one column); ValueError for a name no column has."""
    out: list[str] = []
    for name in names:
        if name in columns:
            found = [name]
        else:
            key = normalise(name).replace("_", "")
            found = [c for c in columns if normalise(c).replace("_", "") == key]
        if len(found) != 1:
            why = "no" if not found else "more than one"
            raise ValueError(f"--public-column {name}: the file has {why} column '{name}' "
                             f"(columns: {', '.join(columns)})")
        if found[0] not in out:
            out.append(found[0])
    return out
