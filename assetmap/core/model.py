"""The asset and person records (DESIGN section 3): their fields and how values are checked.

Records travel as plain dicts (and as rows of DataFrames in bulk); this module says which
fields exist, which are private, and turns raw values into clean ones or a plain-language
problem for each bad field.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd

from assetmap.core.errors import ValidationError
from assetmap.core.taxonomy import CATEGORY_IDS, UNCATEGORISED, Taxonomy, default_taxonomy
from assetmap.core.web_address import web_address_problem


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str = "text"  # text | int | date | datetime | email | url | choice | list
    choices: tuple[str, ...] = ()
    private: bool = False
    help: str = ""


OWNERSHIP = ("council", "community", "faith", "charity", "private", "unknown")
ACV_STATUS = ("none", "nominated", "listed", "expired", "unsuccessful")
VISIBILITY = ("public", "private")
CONDITION = ("good", "fair", "poor", "unknown")
ACCESSIBILITY = ("step_free", "accessible_toilet", "hearing_loop", "parking")

ASSET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "Identifier"),
    FieldSpec("name", "Name", help="What local people call it."),
    FieldSpec("category", "Category", "choice", (*CATEGORY_IDS, UNCATEGORISED),
              help="One of the six kinds of community asset; “To sort” is an imported draft still to be sorted."),
    FieldSpec("kind", "Kind", help="The kind of asset, such as a library or a park."),
    FieldSpec("description", "Description"),
    FieldSpec("address", "Address"),
    FieldSpec("postcode", "Postcode"),
    FieldSpec("uprn", "UPRN", help="Unique Property Reference Number, if the building has one."),
    FieldSpec("website", "Website", "url"),
    FieldSpec("phone", "Phone", private=True),
    FieldSpec("email", "E-mail", "email", private=True),
    FieldSpec("contact_name", "Contact name", private=True),
    FieldSpec("opening_times", "Opening times"),
    FieldSpec("capacity", "Capacity (people)", "int"),
    FieldSpec("accessibility", "Accessibility", "list", ACCESSIBILITY),
    FieldSpec("ownership", "Ownership", "choice", OWNERSHIP),
    FieldSpec("tenure", "Tenure"),
    FieldSpec("acv_status", "Asset of Community Value", "choice", ACV_STATUS),
    FieldSpec("acv_listed_on", "ACV listed on", "date"),
    FieldSpec("acv_expires_on", "ACV listing ends", "date"),
    FieldSpec("condition", "Condition", "choice", CONDITION),
    FieldSpec("visibility", "Visibility", "choice", VISIBILITY, help="Private assets never leave the project."),
    FieldSpec("source", "Source"),
    FieldSpec("source_ref", "Source reference", help="The asset's id in the file it came from."),
    FieldSpec("verified_on", "Last checked on", "date"),
    FieldSpec("created_at", "Created", "datetime"),
    FieldSpec("updated_at", "Updated", "datetime"),
    FieldSpec("notes", "Notes", private=True),
    FieldSpec("tags", "Tags", "list"),
    # Columns of an imported file that match no field above, kept as they were (JSON object text:
    # {"column": "value"}); private unless their column is listed in public_details (JSON list text).
    FieldSpec("details", "Other details", "json", private=True),
    FieldSpec("public_details", "Details shown publicly", "json"),
)
ASSET_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in ASSET_FIELDS)
ASSET_FIELD_MAP: dict[str, FieldSpec] = {f.name: f for f in ASSET_FIELDS}
PRIVATE_ASSET_FIELDS: frozenset[str] = frozenset(f.name for f in ASSET_FIELDS if f.private)
# Numeric fields are stored as such; everything else is text (dates as ISO 8601 text).
INTEGER_FIELDS: frozenset[str] = frozenset(f.name for f in ASSET_FIELDS if f.type == "int")

PERSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "Identifier"),
    FieldSpec("display_name", "Name shown", help="First name or a nickname is enough."),
    FieldSpec("skills", "Skills and gifts", "list", help="Head, hands and heart: what they can share."),
    FieldSpec("interests", "Interests", "list"),
    FieldSpec("consent", "Consent given", "choice", ("yes", "no")),
    FieldSpec("consent_on", "Consent date", "date"),
    FieldSpec("neighbourhood_code", "Neighbourhood"),
    FieldSpec("contact", "How to reach them", private=True),
    FieldSpec("notes", "Notes", private=True),
    FieldSpec("created_at", "Created", "datetime"),
    FieldSpec("updated_at", "Updated", "datetime"),
)
PERSON_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in PERSON_FIELDS)

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")
_CHOICE_SYNONYMS = {
    "ownership": {"local authority": "council", "council owned": "council", "la": "council",
                  "church": "faith", "religious": "faith", "voluntary": "charity", "privately owned": "private",
                  "community owned": "community", "": "unknown", "not known": "unknown"},
    "acv_status": {"no": "none", "not listed": "none", "yes": "listed", "refused": "unsuccessful"},
    "visibility": {"yes": "public", "no": "private", "hidden": "private"},
    "consent": {"y": "yes", "n": "no", "true": "yes", "false": "no", "1": "yes", "0": "no"},
}
_ACCESS_SYNONYMS = {
    "step free": "step_free", "step-free": "step_free", "wheelchair": "step_free", "level access": "step_free",
    "accessible toilet": "accessible_toilet", "disabled toilet": "accessible_toilet",
    "hearing loop": "hearing_loop", "induction loop": "hearing_loop", "loop": "hearing_loop",
    "parking": "parking", "disabled parking": "parking", "blue badge parking": "parking",
}


def plain_value(value: Any) -> Any:
    """A value as SQLite and JSON want it: None for NaN/NA, Python scalars for numpy ones."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def names_accessibility(text: Any) -> bool:
    """Whether a cell names at least one accessibility feature assetmap knows ("Step free; hearing loop")."""
    if is_blank(text):
        return False
    items = [i.strip().lower() for i in re.split(r"[;,|]", str(text)) if i.strip()]
    return any(_ACCESS_SYNONYMS.get(i, i.replace(" ", "_")) in ACCESSIBILITY for i in items)


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def new_id() -> str:
    return str(uuid.uuid4())


def is_blank(value: Any) -> bool:
    """True for None, NaN, empty strings and the placeholders people type for 'nothing'."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and value.strip().lower() in (
        "", "n/a", "na", "none", "null", "-", "--", "unknown", "nan")


def parse_date(value: Any) -> str:
    """Return ISO ``YYYY-MM-DD`` for the date formats found in UK spreadsheets, or raise ValueError."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "to_pydatetime"):  # pandas/numpy date-likes from a spreadsheet reader
        as_dt = value.to_pydatetime()
        if isinstance(as_dt, datetime):
            return as_dt.date().isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d %B %Y", "%d %b %Y",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (expected a date such as 2024-03-31 or 31/03/2024)")


def _clean_value(spec: FieldSpec, value: Any) -> Any:
    """Clean one value or raise ValueError with a message a user understands."""
    if spec.type == "int":
        if isinstance(value, bool):
            raise ValueError(f"'{value}' is not a whole number")
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a whole number") from None
        if not number.is_integer() or number < 0:
            raise ValueError(f"'{value}' is not a whole number of 0 or more")
        return int(number)
    if spec.type == "date":
        return parse_date(value)
    if spec.type == "datetime":
        return str(value)
    if spec.type == "json":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValueError(f"'{value[:40]}' is not JSON text") from None
        if not isinstance(value, (dict, list)):
            raise ValueError(f"'{str(value)[:40]}' is not a JSON object or list")
        return json.dumps(value, ensure_ascii=False, sort_keys=isinstance(value, dict)) if value else None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if spec.type == "email":
        if not _EMAIL.match(text):
            raise ValueError(f"'{text}' does not look like an e-mail address (name@example.org)")
        return text
    if spec.type == "url":  # http(s) only, or a bare host read as https: see web_address
        problem = web_address_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    if spec.type == "choice":
        key = text.lower().replace("-", " ").strip()
        key = _CHOICE_SYNONYMS.get(spec.name, {}).get(key, key).replace(" ", "_")
        if key not in spec.choices:
            raise ValueError(f"'{text}' is not one of: {', '.join(spec.choices)}")
        return key
    if spec.type == "list":
        items = [i.strip() for i in re.split(r"[;,|]", text) if i.strip()]
        if spec.name == "accessibility":
            items = [_ACCESS_SYNONYMS.get(i.lower(), i.lower().replace(" ", "_")) for i in items]
        return ", ".join(dict.fromkeys(items))
    return text


def _clean_fields(fields: tuple[FieldSpec, ...], values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean each field on its own: (values, problems by field). Identifiers and stamps pass through."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for spec in fields:
        raw = values.get(spec.name)
        if is_blank(raw):
            clean[spec.name] = None
        elif spec.name in ("id", "created_at", "updated_at"):
            clean[spec.name] = str(raw)
        else:
            try:
                clean[spec.name] = _clean_value(spec, raw)
            except ValueError as exc:
                problems[spec.name] = str(exc)
                clean[spec.name] = None
    return clean, problems


def clean_asset(values: Mapping[str, Any], taxonomy: Taxonomy | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean an asset's values: returns (clean record, problems by field). Geometry is not touched."""
    tax = taxonomy or default_taxonomy()
    clean, problems = _clean_fields(ASSET_FIELDS, values)
    if not clean.get("name"):
        problems["name"] = "a name is required"
    kind = clean.get("kind")
    if kind and kind not in tax.kinds:
        within = clean.get("category") if clean.get("category") != UNCATEGORISED else None
        guessed = tax.kind_for_text(kind, category=within, exact=True)
        if guessed:
            clean["kind"] = kind = guessed
        else:
            problems["kind"] = f"'{kind}' is not a kind in the taxonomy"
    category = clean.get("category")
    if (not category or category == UNCATEGORISED) and kind and kind in tax.kinds:
        clean["category"] = category = tax.kinds[kind].category  # choosing a kind sorts a draft
    if not category and "category" not in problems:
        problems["category"] = f"a category is required (one of: {', '.join(CATEGORY_IDS)})"
    elif category and kind and kind in tax.kinds and tax.kinds[kind].category != category:
        problems["kind"] = f"kind '{kind}' does not belong to category '{category}'"
    if category == "people":
        problems["category"] = "people's skills are kept in the people table, never as points on the map"
    clean["visibility"] = clean.get("visibility") or "public"
    if category == UNCATEGORISED:  # a draft to sort: never on a public map until someone has sorted it
        clean["visibility"] = "private"
    return clean, problems


def validate_asset(values: Mapping[str, Any], taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Clean an asset or raise ValidationError listing every bad field."""
    clean, problems = clean_asset(values, taxonomy)
    if problems:
        raise ValidationError(problems)
    return clean


def validate_person(values: Mapping[str, Any]) -> dict[str, Any]:
    """Clean a person's record; consent (yes, with its date) is required to keep one at all."""
    clean, problems = _clean_fields(PERSON_FIELDS, values)
    if not clean.get("display_name"):
        problems["display_name"] = "a name is required"
    if clean.get("consent") != "yes" and "consent" not in problems:
        problems["consent"] = "a person's details can only be kept with their consent"
    if not clean.get("consent_on") and "consent_on" not in problems:
        problems["consent_on"] = "the date consent was given is required"
    if not clean.get("neighbourhood_code"):
        problems["neighbourhood_code"] = "a neighbourhood is required"
    if problems:
        raise ValidationError(problems)
    return clean
