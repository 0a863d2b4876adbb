"""The ABCD categories and the kinds of asset under them, loaded from ``resources/taxonomy.json``.

The taxonomy is data so that a project can extend it; this module only answers questions about
it: which kind a spreadsheet's "type" text, a file's name or an OpenStreetMap tag set means.

Besides the six categories there is one reserved category, ``uncategorised`` ("To sort"): an
imported row whose category nothing in the file could tell. Such drafts are private, have no kind,
and are left out of counts and gap analysis until someone sorts them. It is not in ``CATEGORY_IDS``,
so nothing that goes through the six meets it by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assetmap.core.resources import load_json

CATEGORY_IDS: tuple[str, ...] = ("people", "associations", "institutions", "physical", "economy", "culture")
UNCATEGORISED = "uncategorised"
UNCATEGORISED_LABEL = "To sort"
UNCATEGORISED_DESCRIPTION = "Imported rows whose category the file did not tell: choose one for each to sort them."

_CATEGORY_SYNONYMS = {
    "people": ["people", "person", "individual", "individuals", "skills", "residents"],
    "associations": ["associations", "association", "club", "clubs", "group", "groups", "voluntary", "community group"],
    "institutions": ["institutions", "institution", "public service", "public services", "service", "services"],
    "physical": ["physical", "physical space", "physical spaces", "building", "buildings", "place", "places", "space",
                 "land"],
    "economy": ["economy", "economic", "local economy", "business", "businesses", "enterprise"],
    "culture": ["culture", "cultural", "heritage", "arts", "culture and heritage"],
}


def _norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[_/\-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def singular(word: str) -> str:
    """A plural English noun as its singular ("libraries" → "library", "churches" → "church"), for
    matching words against the taxonomy whether a file says "Dental practices" or "dental practice"."""
    if len(word) <= 3 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zzes")):
        return word[:-2]
    return word.removesuffix("s")


def _word_pattern(word: str) -> re.Pattern[str]:
    """Whole words, with the last one in the singular or plural ("sports club" also finds "sports clubs")."""
    head, _, last = word.rpartition(" ")
    if len(last) > 3 and last.endswith("y") and last[-2] not in "aeiou":
        tail = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        tail = re.escape(last) + "(?:e?s)?"
    return re.compile(r"\b" + (re.escape(head) + " " if head else "") + tail + r"\b")


# How much an OpenStreetMap tag says about what a feature is for. A sub-tag refines a main tag
# (community_centre=village_hall on amenity=community_centre); historic and listed_status describe a
# building's past or protection, so a listed pub stays a pub. Unknown keys count as main tags.
_OSM_WEIGHT = {"community_centre": 2.0, "social_facility": 2.0, "memorial": 2.0, "garden:type": 2.0,
               "healthcare": 2.0, "club": 2.0, "historic": 0.5, "designation": 0.5, "listed_status": 0.3}
_WILDCARD_WEIGHT = 0.1


def parse_osm_tag(tag: str) -> list[tuple[str, str]]:
    """``"historic=memorial+memorial=plaque"`` → [("historic", "memorial"), ("memorial", "plaque")]; raises
    ValueError for anything that is not key=value (or key=*) parts joined by +."""
    parts = []
    for part in tag.split("+"):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value or " " in key:
            raise ValueError(f"'{tag}' is not an OpenStreetMap tag (expected key=value, key=* or "
                             "key=value+key2=value2, e.g. leisure=skatepark)")
        parts.append((key, value))
    return parts


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    osm: tuple[str, ...] = ()
    custom: bool = False  # added by the project (setting taxonomy_additions), not shipped with assetmap

    @property
    def category(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def short(self) -> str:
        return self.id.split("/", 1)[1]


@dataclass
class Taxonomy:
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)  # as in the JSON: id, label, description
    kinds: dict[str, Kind] = field(default_factory=dict)
    # Lookup tables built on first use, per category (None = all); imports consult them for every row.
    _exact: dict[str | None, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
    _patterns: dict[str | None, list[tuple[re.Pattern[str], str, int]]] = field(default_factory=dict, repr=False,
                                                                                compare=False)
    _last_words: dict[str | None, dict[str, list[int]]] = field(default_factory=dict, repr=False, compare=False)
    _mentions: dict[str, list[re.Pattern[str]]] = field(default_factory=dict, repr=False, compare=False)
    _phrases: dict[tuple[str, ...], str] | None = field(default=None, repr=False, compare=False)
    _osm: list[tuple[str, list[tuple[str, str]], float]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], extra_kinds: Iterable[Mapping[str, Any]] = ()) -> Taxonomy:
        tax = cls()
        for cat in data["categories"]:
            tax.categories[cat["id"]] = dict(cat)
        shipped = len(data["kinds"])
        for n, raw in enumerate(list(data["kinds"]) + list(extra_kinds)):
            kind = Kind(raw["id"], raw["label"], tuple(raw.get("synonyms", ())), tuple(raw.get("osm", ())),
                        custom=n >= shipped)
            if kind.category not in tax.categories:
                raise ValueError(f"kind {kind.id!r} is not under one of the six categories")
            if kind.id in tax.kinds:
                raise ValueError(f"kind {kind.id!r} is listed twice")
            tax.kinds[kind.id] = kind
        return tax

    # --- lookups -----------------------------------------------------------------------------

    def label(self, kind_id: str | None) -> str:
        if not kind_id:
            return ""
        kind = self.kinds.get(kind_id)
        return kind.label if kind else kind_id.split("/")[-1].replace("_", " ").capitalize()

    def category_label(self, category: str | None) -> str:
        """"Physical spaces" for physical, "To sort" for an uncategorised draft."""
        if not category:
            return ""
        if category == UNCATEGORISED:
            return UNCATEGORISED_LABEL
        return str(self.categories.get(category, {}).get("label", category))

    def category_for_text(self, text: object) -> str | None:
        """Read a category from free text ("Physical", "physical spaces", "Culture & heritage")."""
        if not isinstance(text, str) or not text.strip():
            return None
        t = _norm(text)
        if t in ("uncategorised", "uncategorized", "to sort", "unsorted"):
            return UNCATEGORISED
        for cat_id, words in _CATEGORY_SYNONYMS.items():
            if t == cat_id or t in words:
                return cat_id
        for cat_id, cat in self.categories.items():
            if t == _norm(cat["label"]):
                return cat_id
        return None

    def kind_for_text(self, text: object, *, category: str | None = None, exact: bool = False) -> str | None:
        """Find the kind a type column or an asset's name refers to.

        An exact match on an id, label or synonym wins; otherwise (unless ``exact``) the synonym found
        as whole words nearest the end of the text, the longest of those: English puts the head last,
        so "St Mary's Church Hall" is a church hall rather than a place of worship, and "Lostock High
        School run library" is a library.
        """
        if not isinstance(text, str) or not text.strip():
            return None
        t = _norm(text)
        found = self._exact_index(category).get(t)
        if found or exact:
            return found
        by_last = self._synonym_patterns(category)
        found_at: set[int] = set()
        for token in re.findall(r"\w+", t):
            found_at.update(by_last.get(token, ()))
            found_at.update(by_last.get(singular(token), ()))
        patterns = self._patterns[category]
        best: tuple[int, int, str] | None = None
        for i in sorted(found_at):  # in the taxonomy's order, so a tie goes to the kind listed first
            word, kind_id, length = patterns[i]
            match = word.search(t)
            while match is not None:
                if best is None or (match.end(), length) > best[:2]:
                    best = (match.end(), length, kind_id)
                match = word.search(t, match.start() + 1)
        return best[2] if best else None

    def _synonym_patterns(self, category: str | None) -> dict[str, list[int]]:
        """Whole-word patterns of the synonyms with their length (very short ones, "rec" or "lap", only
        match exactly), and an index of them by their last word: a text is only searched for the
        synonyms whose last word it has, which makes classifying 200,000 rows quick."""
        if category not in self._patterns:
            words = [(_norm(word), kind.id) for kind in self._project_first()
                     if category is None or kind.category == category
                     for word in (*kind.synonyms, *((kind.label,) if kind.custom else ())) if len(word) >= 4]
            self._patterns[category] = [(_word_pattern(word), kind_id, len(word)) for word, kind_id in words]
            index: dict[str, list[int]] = {}
            for i, (word, _kind) in enumerate(words):
                last = re.findall(r"\w+", word)
                for key in ({last[-1], singular(last[-1])} if last else ()):
                    index.setdefault(key, []).append(i)
            self._last_words[category] = index
        return self._last_words[category]

    def mentions(self, kind_id: str, text: object) -> bool:
        """Does ``text`` (an asset's name) name this kind: its label or a synonym, as whole words?"""
        if not isinstance(text, str) or kind_id not in self.kinds:
            return False
        if kind_id not in self._mentions:
            kind = self.kinds[kind_id]
            words = {_norm(w) for w in (kind.label, *kind.synonyms) if len(w) >= 4}
            self._mentions[kind_id] = [_word_pattern(w) for w in sorted(words)]
        t = _norm(text)
        return any(p.search(t) for p in self._mentions[kind_id])

    def phrase_index(self) -> dict[tuple[str, ...], str]:
        """Each label and synonym as a tuple of singular words → kind id (people's kinds left out: they are
        never points). For reading a file's or layer's name ("dental_practices" → Dental practice)."""
        if self._phrases is None:
            index: dict[tuple[str, ...], str] = {}
            for kind in self._project_first():
                if kind.category == "people":
                    continue
                for word in (kind.label, kind.short, *kind.synonyms):
                    words = tuple(singular(w) for w in re.findall(r"[a-z0-9]+", _norm(word).replace("'", "")))
                    if words:
                        index.setdefault(words, kind.id)
            self._phrases = index
        return self._phrases

    def _exact_index(self, category: str | None) -> dict[str, str]:
        """Normalised id, label and synonyms → kind id, built once per category (imports ask per row)."""
        if category not in self._exact:
            index: dict[str, str] = {}
            for kind in self._project_first():
                if category is None or kind.category == category:
                    for word in (kind.id, kind.short, kind.label, *kind.synonyms):
                        index.setdefault(_norm(word), kind.id)
            self._exact[category] = index
        return self._exact[category]

    def _project_first(self) -> list[Kind]:
        """The project's own kinds before the shipped ones: a word a project gave its own kind ("skate park")
        means that kind there, even where the shipped list had it as a synonym of another."""
        return sorted(self.kinds.values(), key=lambda k: not k.custom)

    def kind_for_osm_tags(self, tags: Mapping[str, str]) -> str | None:
        """The kind an OpenStreetMap feature's tags map onto: the most telling tag (or set of tags joined by
        +) that it carries; a tie goes to the kind listed first."""
        best: tuple[float, str] | None = None
        for kind_id, parts, weight in self._osm_patterns():
            if (best is None or weight > best[0]) and all(
                    key in tags and (value == "*" or tags[key] == value) for key, value in parts):
                best = (weight, kind_id)
        return best[1] if best else None

    def _osm_patterns(self) -> list[tuple[str, list[tuple[str, str]], float]]:
        if self._osm is None:
            self._osm = []
            for kind in self._project_first():
                for tag in kind.osm:
                    parts = parse_osm_tag(tag)
                    weight = sum(_WILDCARD_WEIGHT if v == "*" else _OSM_WEIGHT.get(k, 1.0) for k, v in parts)
                    self._osm.append((kind.id, parts, weight))
        return self._osm

    def osm_keys(self) -> set[str]:
        return {key for k in self.kinds.values() for tag in k.osm for key, _value in parse_osm_tag(tag)}


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The taxonomy that ships with assetmap."""
    return Taxonomy.from_dict(load_json("taxonomy.json"))
