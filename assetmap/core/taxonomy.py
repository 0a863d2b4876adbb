"""The ABCD categories and the kinds of asset under them, loaded from ``resources/taxonomy.json``.

The taxonomy is data so that a project can extend it; this module only answers questions about
it: which kind a spreadsheet's "type" text or an OpenStreetMap tag set means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from assetmap.core.resources import load_json

CATEGORY_IDS: tuple[str, ...] = ("people", "associations", "institutions", "physical", "economy", "culture")

_CATEGORY_SYNONYMS = {
    "people": ["people", "person", "individual", "individuals", "skills", "residents"],
    "associations": ["associations", "association", "club", "clubs", "group", "groups", "voluntary", "community group"],
    "institutions": ["institutions", "institution", "public service", "public services", "service", "services"],
    "physical": ["physical", "physical space", "physical spaces", "building", "buildings", "place", "places", "space", "land"],
    "economy": ["economy", "economic", "local economy", "business", "businesses", "enterprise"],
    "culture": ["culture", "cultural", "heritage", "arts", "culture and heritage"],
}


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[_/\-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    osm: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def short(self) -> str:
        return self.id.split("/", 1)[1]


@dataclass
class Taxonomy:
    categories: dict[str, dict] = field(default_factory=dict)
    kinds: dict[str, Kind] = field(default_factory=dict)
    # Lookup tables built on first use, per category (None = all); imports consult them for every row.
    _exact: dict[str | None, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    _patterns: dict[str | None, list[tuple[re.Pattern[str], str]]] = field(default_factory=dict, repr=False,
                                                                           compare=False)

    @classmethod
    def from_dict(cls, data: Mapping, extra_kinds: Iterable[Mapping] = ()) -> "Taxonomy":
        tax = cls()
        for cat in data["categories"]:
            tax.categories[cat["id"]] = dict(cat)
        for raw in list(data["kinds"]) + list(extra_kinds):
            kind = Kind(raw["id"], raw["label"], tuple(raw.get("synonyms", ())), tuple(raw.get("osm", ())))
            if kind.category not in tax.categories:
                raise ValueError(f"kind {kind.id!r} is not under one of the six categories")
            tax.kinds[kind.id] = kind
        return tax

    # --- lookups -----------------------------------------------------------------------------

    def label(self, kind_id: str | None) -> str:
        if not kind_id:
            return ""
        kind = self.kinds.get(kind_id)
        return kind.label if kind else kind_id.split("/")[-1].replace("_", " ").capitalize()

    def category_for_text(self, text: object) -> str | None:
        """Read a category from free text ("Physical", "physical spaces", "Culture & heritage")."""
        if not isinstance(text, str) or not text.strip():
            return None
        t = _norm(text)
        for cat_id, words in _CATEGORY_SYNONYMS.items():
            if t == cat_id or t in words:
                return cat_id
        for cat_id, cat in self.categories.items():
            if t == _norm(cat["label"]):
                return cat_id
        return None

    def kind_for_text(self, text: object, *, category: str | None = None, exact: bool = False) -> str | None:
        """Find the kind a type column or an asset's name refers to.

        An exact match on an id, label or synonym wins; otherwise (unless ``exact``) the longest
        synonym found as whole words inside the text, so "St Mary's Church Hall" is a church hall
        rather than a place of worship.
        """
        if not isinstance(text, str) or not text.strip():
            return None
        t = _norm(text)
        found = self._exact_index(category).get(t)
        if found or exact:
            return found
        best: tuple[int, str] | None = None
        for word, kind_id in self._synonym_patterns(category):
            if word.search(t):
                length = len(word.pattern)
                if best is None or length > best[0]:
                    best = (length, kind_id)
        return best[1] if best else None

    def _synonym_patterns(self, category: str | None) -> list[tuple[re.Pattern[str], str]]:
        """Whole-word patterns of the synonyms; very short ones ("rec", "lap") only match exactly."""
        if category not in self._patterns:
            self._patterns[category] = [
                (re.compile(r"\b" + re.escape(_norm(word)) + r"\b"), kind.id)
                for kind in self.kinds.values() if category is None or kind.category == category
                for word in kind.synonyms if len(word) >= 4
            ]
        return self._patterns[category]

    def _exact_index(self, category: str | None) -> dict[str, str]:
        """Normalised id, label and synonyms → kind id, built once per category (imports ask per row)."""
        if category not in self._exact:
            index: dict[str, str] = {}
            for kind in self.kinds.values():
                if category is None or kind.category == category:
                    for word in (kind.id, kind.short, kind.label, *kind.synonyms):
                        index.setdefault(_norm(word), kind.id)
            self._exact[category] = index
        return self._exact[category]

    def kind_for_osm_tags(self, tags: Mapping[str, str]) -> str | None:
        """The kind an OpenStreetMap feature's tags map onto, most specific tag first."""
        specific: str | None = None
        wildcard: str | None = None
        for kind in self.kinds.values():
            for tag in kind.osm:
                key, _, value = tag.partition("=")
                if key not in tags:
                    continue
                if value == "*":
                    wildcard = wildcard or kind.id
                elif tags[key] == value:
                    # A sub-tag such as community_centre=village_hall refines amenity=community_centre.
                    if specific is None or key not in ("amenity", "leisure", "landuse"):
                        specific = kind.id
        return specific or wildcard

    def osm_keys(self) -> set[str]:
        return {tag.partition("=")[0] for k in self.kinds.values() for tag in k.osm}


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy that ships with assetmap."""
    return Taxonomy.from_dict(load_json("taxonomy.json"))
