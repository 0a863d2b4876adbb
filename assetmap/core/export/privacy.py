"""The one public/private filter that every export (web map, GeoJSON, CSV) goes through.

Keeping it in one place means a new export cannot forget a rule: in public mode private assets,
their footprints and the private fields (contact name, phone, e-mail, notes) never leave the
project, an asset's other details (the extra columns of the file it came from) leave only when
their column was made public, and people appear only as counts of skills per neighbourhood, with
small counts suppressed so nobody can be singled out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from assetmap.core.analysis.small_numbers import SMALL_COUNT_THRESHOLD
from assetmap.core.model import ASSET_FIELD_NAMES, PRIVATE_ASSET_FIELDS, is_blank
from assetmap.core.taxonomy import UNCATEGORISED

SKILL_THRESHOLD = SMALL_COUNT_THRESHOLD  # DESIGN section 3: counts below this are suppressed in public exports
# Names a detail may not take as its own in an export: the coordinates, and a key JavaScript treats specially.
_RESERVED_KEYS = {"lon", "lat", "__proto__"}


def exported_fields(private: bool) -> tuple[str, ...]:
    """The asset fields an export may contain, in the model's order.

    Public mode also leaves out ``public_details``: every detail left in a public export is public."""
    if private:
        return ASSET_FIELD_NAMES
    return tuple(f for f in ASSET_FIELD_NAMES if f not in PRIVATE_ASSET_FIELDS and f != "public_details")


def details_of(value: Any) -> dict[str, str]:
    """An asset's details ({"Column": "value"}) from the stored JSON text; {} when there are none or the
    text was damaged outside assetmap (a bad value must not stop an export or a listing)."""
    if isinstance(value, Mapping):
        data: Any = value
    elif isinstance(value, str) and value.strip():
        try:
            data = json.loads(value)
        except ValueError:
            return {}
    else:
        return {}
    if not isinstance(data, Mapping):
        return {}
    return {str(k): str(v) for k, v in data.items() if not is_blank(v)}


def public_of(value: Any) -> list[str]:
    """The headers of an asset's details that may be published, from the stored JSON list text."""
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def shown_details(details: Any, public: Any, *, private: bool) -> dict[str, str]:
    """The details an export may carry: all of them in private mode, only the public ones otherwise."""
    found = details_of(details)
    if private or not found:
        return found
    allowed = set(public_of(public))
    return {k: v for k, v in found.items() if k in allowed}


def filter_assets(assets: gpd.GeoDataFrame, *, private: bool) -> gpd.GeoDataFrame:
    """Drop private assets (unless ``private``) and the fields a public export must not carry.

    ``details`` is kept as JSON text holding only what may be shown: in public mode, the public details."""
    if not private:  # drafts to sort are private already; never shown publicly, whatever their visibility says
        listed = assets["visibility"].fillna("public") != "private"
        if "category" in assets.columns:
            listed &= assets["category"] != UNCATEGORISED
        assets = assets[listed]
    keep = [c for c in exported_fields(private) if c in assets.columns]
    if "details" in assets.columns and "details" not in keep:
        keep.append("details")
    out = assets[[*keep, assets.geometry.name]].copy()
    if "details" in out.columns and not private:
        public = assets["public_details"].tolist() if "public_details" in assets.columns else [None] * len(out)
        shown = [shown_details(d, p, private=False) if isinstance(d, str) else {}
                 for d, p in zip(out["details"].tolist(), public)]
        out["details"] = [json.dumps(d, ensure_ascii=False, sort_keys=True) if d else None for d in shown]
    return out


def detail_fields(kept: pd.DataFrame, taken: Iterable[str]) -> tuple[list[str], list[list[str | None]]]:
    """The details of filtered assets as extra fields: their names (each header once, in alphabetical order;
    "Name (detail)" where a header would clash with a field, the coordinates or another header) and, per
    asset, the values in that order (None where an asset has no such detail)."""
    if "details" not in kept.columns:
        return [], [[] for _ in range(len(kept))]
    per_asset = [details_of(v) if isinstance(v, str) else {} for v in kept["details"]]
    headers = sorted({h for d in per_asset for h in d}, key=lambda h: (h.casefold(), h))
    used = {t.casefold() for t in taken} | _RESERVED_KEYS
    names = []
    for header in headers:
        name = header
        while name.casefold() in used:
            name = f"{name} (detail)"
        used.add(name.casefold())
        names.append(name)
    return names, [[d.get(h) for h in headers] for d in per_asset]


def filter_areas(areas: gpd.GeoDataFrame, asset_ids: pd.Series | set[str]) -> gpd.GeoDataFrame:
    """Footprints of exported assets only: a private park's outline is as private as its point."""
    ids = set(asset_ids)
    return areas[areas["asset_id"].isin(ids)].copy()


@dataclass
class SkillSummary:
    """Skills offered by residents of one neighbourhood, safe to publish in the chosen mode."""

    counts: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0  # how many skills were left out because fewer than the threshold offer them
    people: list[dict[str, Any]] = field(default_factory=list)  # private mode only
    private: bool = False

    @property
    def published(self) -> bool:
        """Whether a map may list this neighbourhood's skills: in public mode only when some count is shown,
        since a neighbourhood listed with nothing to show would tell that someone is registered there."""
        return self.private or bool(self.counts)

    def as_dict(self) -> dict[str, Any]:
        """The summary as the map data carries it. In public mode ``suppressed`` is always true (the page
        says that small counts are never shown): how many were left out would tell how many people there are."""
        out: dict[str, Any] = {"counts": self.counts, "suppressed": self.suppressed if self.private else True}
        if self.people:
            out["people"] = self.people
        return out


def _split(text: Any) -> list[str]:
    if is_blank(text):
        return []
    return [s.strip() for s in str(text).split(",") if s.strip()]


def skill_summaries(people: pd.DataFrame, *, private: bool,
                    threshold: int = SKILL_THRESHOLD) -> dict[str, SkillSummary]:
    """Per neighbourhood code: how many consenting residents offer each skill.

    Public mode keeps only counts of at least ``threshold`` (``published`` says whether the map may list
    the neighbourhood at all); private mode keeps every count and the people themselves (display name
    and skills, never their contact details' history).
    """
    out: dict[str, SkillSummary] = {}
    if people is None or people.empty:
        return out
    consenting = people[people["consent"].fillna("") == "yes"]
    for code, group in consenting.groupby("neighbourhood_code", sort=True):
        counter: Counter[str] = Counter()
        for text in group["skills"]:
            # One person offering "cooking, Cooking" counts once.
            counter.update({s.lower(): 1 for s in _split(text)})
        summary = SkillSummary(private=private)
        for skill, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            if private or n >= threshold:
                summary.counts[skill] = n
            else:
                summary.suppressed += 1
        if private:
            summary.people = [
                {"name": str(r.display_name), "skills": ", ".join(_split(r.skills)),
                 "contact": None if is_blank(r.contact) else str(r.contact)}
                for r in group.itertuples(index=False)
            ]
        out[str(code)] = summary
    return out
