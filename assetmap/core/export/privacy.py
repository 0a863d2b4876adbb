"""The one public/private filter that every export (web map, GeoJSON, CSV) goes through.

Keeping it in one place means a new export cannot forget a rule: in public mode private assets,
their footprints and the private fields (contact name, phone, e-mail, notes) never leave the
project, and people appear only as counts of skills per neighbourhood, with small counts
suppressed so nobody can be singled out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from assetmap.core.model import ASSET_FIELD_NAMES, PRIVATE_ASSET_FIELDS, is_blank

SKILL_THRESHOLD = 3  # DESIGN section 3: counts below this are suppressed in public exports


def exported_fields(private: bool) -> tuple[str, ...]:
    """The asset fields an export may contain, in the model's order."""
    if private:
        return ASSET_FIELD_NAMES
    return tuple(f for f in ASSET_FIELD_NAMES if f not in PRIVATE_ASSET_FIELDS)


def filter_assets(assets: gpd.GeoDataFrame, *, private: bool) -> gpd.GeoDataFrame:
    """Drop private assets (unless ``private``) and the fields a public export must not carry."""
    if not private:
        assets = assets[assets["visibility"].fillna("public") != "private"]
    keep = [c for c in exported_fields(private) if c in assets.columns]
    return assets[[*keep, assets.geometry.name]].copy()


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

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"counts": self.counts, "suppressed": self.suppressed}
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

    Public mode keeps only counts of at least ``threshold``; private mode keeps every count and
    the people themselves (display name and skills, never their contact details' history).
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
        summary = SkillSummary()
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
