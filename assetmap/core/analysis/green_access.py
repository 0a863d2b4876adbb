"""Green space open to people: which of a rule's assets count, and which kinds of green space the data lacks.

A rule with ``restricted_kinds`` (the green-space rules: playing fields and sports grounds) counts its
other kinds as they are (public parks and gardens, commons, nature reserves, country parks, woodland,
village greens) and a restricted kind only when nothing says it is a school's or a club's grounds:

- an asset tagged open to the public (``OPEN_TAGS``: "open to the public", "public access", ...) always
  counts, and one tagged as closed (``CLOSED_TAGS``: "private", "school grounds", "club grounds",
  "no public access", ...) never does, whatever its kind;
- otherwise a restricted kind's footprint (or its point, when it has none) that holds or lies within
  ``GROUNDS_DISTANCE_M`` (25 m) of a school, college or sports club (``GROUNDS_KINDS``: their footprints
  where they have one, otherwise their points), or whose name has one of ``GROUNDS_WORDS`` as a whole word
  (school, college, academy, club, cricket, rugby, golf, tennis...), is taken as that school's or
  club's grounds and left out.

Nothing here knows any particular data set: it reads kinds, names, tags and places.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from assetmap.core.analysis.rules import Rule
from assetmap.core.taxonomy import Taxonomy, default_taxonomy

OPEN_TAGS = frozenset({"open to the public", "open to public", "public access", "open access", "publicly accessible"})
CLOSED_TAGS = frozenset({"private", "private access", "private grounds", "school grounds", "school grounds only",
                         "club grounds", "members only", "no public access", "not open to the public", "no access"})
GROUNDS_KINDS = ("institutions/school", "institutions/college", "associations/sports_club")
GROUNDS_DISTANCE_M = 25.0
GROUNDS_WORDS = re.compile(r"\b(?:schools?|colleges?|academy|academies|universit(?:y|ies)|clubs?|cricket|rugby|golf"
                            r"|tennis)\b", re.IGNORECASE)

# What each green kind stands for in a sentence about the data (other kinds: their taxonomy label).
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "physical/park": ("parks or public gardens",),
    "physical/green_space": ("commons", "woodland", "country parks", "village greens"),
    "physical/nature_reserve": ("nature reserves",),
    "physical/playing_field": ("playing fields",),
    "physical/sports_ground": ("sports grounds",),
}


def _tag_words(value: object) -> set[str]:
    """An asset's tags (the list field, stored as "a, b" text, or a real list) as normalised words."""
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[;,|]", value)
    elif isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = value
    else:
        return set()
    return {" ".join(re.sub(r"[-_]+", " ", str(t)).lower().split()) for t in items} - {""}


def tag_access(tags: Iterable[object]) -> np.ndarray:
    """Per asset: 1 when tagged open to the public, -1 when tagged closed (open wins over closed), 0 otherwise."""
    values = list(tags)
    out = np.zeros(len(values), dtype=np.int8)
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and value != value):  # most assets have no tags
            continue
        words = _tag_words(value)
        out[i] = 1 if words & OPEN_TAGS else -1 if words & CLOSED_TAGS else 0
    return out


def grounds_name(names: Iterable[object]) -> np.ndarray:
    """Whether each name says it is a school's or a club's ground ("Sale Rugby Club", "St Ann's School field")."""
    return np.array([isinstance(n, str) and GROUNDS_WORDS.search(n) is not None for n in names], dtype=bool)


def _located(frame: gpd.GeoDataFrame) -> np.ndarray:
    geoms = frame.geometry.to_numpy()
    mask: np.ndarray = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return mask


def _own_places(ids: np.ndarray, geoms: np.ndarray, footprints: Mapping[str, shapely.Geometry]) -> np.ndarray:
    """Each asset's footprint where it has one, otherwise its point."""
    out = np.asarray(geoms, dtype=object).copy()
    for k in np.flatnonzero(pd.Index(ids).isin(list(footprints.keys())) if len(ids) else np.zeros(0, bool)):
        out[k] = footprints[ids[k]]
    return out


def grounds_places(assets: gpd.GeoDataFrame, footprints: Mapping[str, shapely.Geometry]) -> np.ndarray:
    """The schools, colleges and sports clubs, as their footprints where they have one, otherwise their points."""
    if not len(assets):
        return np.empty(0, dtype=object)
    chosen = assets[assets["kind"].isin(GROUNDS_KINDS).to_numpy() & _located(assets)]
    return _own_places(chosen["id"].to_numpy(), chosen.geometry.to_numpy(), footprints)


@dataclass(frozen=True)
class Access:
    """Which of a rule's chosen assets count, and how many were left out as not open to the public."""

    counts: np.ndarray
    left_out: np.ndarray  # left out for access (tagged closed, or school or club grounds)


def open_to_people(rule: Rule, chosen: gpd.GeoDataFrame, places: np.ndarray,
                   footprints: Mapping[str, shapely.Geometry]) -> Access:
    """Which of ``chosen`` (the rule's located assets) count under the rule's access test (see the module text).

    ``places`` are the schools, colleges and sports clubs (``grounds_places``). A rule without
    ``restricted_kinds`` counts every asset (as rules stored before the field existed do).
    """
    n = len(chosen)
    if not rule.restricted_kinds or not n:
        return Access(np.ones(n, bool), np.zeros(n, bool))
    access = tag_access(chosen["tags"] if "tags" in chosen.columns else [None] * n)
    restricted = chosen["kind"].isin(rule.restricted_kinds).to_numpy() & (access == 0)
    grounds = np.zeros(n, bool)
    if restricted.any():
        rows = np.flatnonzero(restricted)
        names = chosen["name"].to_numpy()[rows] if "name" in chosen.columns else [None] * len(rows)
        grounds[rows] = grounds_name(names)
        if len(places):
            own = _own_places(chosen["id"].to_numpy()[rows], chosen.geometry.to_numpy()[rows], footprints)
            hit, _ = shapely.STRtree(places).query(own, predicate="dwithin", distance=GROUNDS_DISTANCE_M)
            grounds[rows[hit]] = True
    left_out = (access < 0) | grounds
    return Access(~left_out, left_out)


def _kind_words(kind: str, taxonomy: Taxonomy) -> tuple[str, ...]:
    return KIND_WORDS.get(kind, (taxonomy.label(kind).lower(),))


def missing_kinds_sentence(rule: Rule, present_kinds: Iterable[str], taxonomy: Taxonomy | None = None) -> str | None:
    """The sentence for a green-space rule's note on the kinds of green space the data lacks, such as
    "The green space data has no commons, woodland, country parks or village greens: sites such as these are
    not counted." None when every kind is mapped, or none is (``notices.rule_notice`` says that already)."""
    taxonomy = taxonomy or default_taxonomy()
    present = set(present_kinds)
    missing = [k for k in rule.kinds if k not in present]
    if not missing or len(missing) == len(rule.kinds):
        return None
    words = [w for k in missing for w in _kind_words(k, taxonomy)]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"The green space data has no {listed}: sites such as these are not counted."


def green_space_notes(rules: Iterable[Rule], present_kinds: Iterable[str],
                      taxonomy: Taxonomy | None = None) -> dict[str, str]:
    """``missing_kinds_sentence`` for each rule that tests size or access (the green-space rules) and lacks a kind."""
    present = frozenset(present_kinds)
    out: dict[str, str] = {}
    for rule in rules:
        if rule.type == "coverage" and (rule.min_area_m2 is not None or rule.restricted_kinds):
            if text := missing_kinds_sentence(rule, present, taxonomy):
                out[rule.id] = text
    return out
