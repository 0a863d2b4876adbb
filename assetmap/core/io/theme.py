"""What a file is a list of, decided once before its rows are classified.

A list is usually a list of one kind of thing: "dental_practices.csv", a sheet called "AED
locations". When the file's (or sheet's, or layer's) name says so, every row gets that kind, and a
venue's name ("St Mary's Primary School" for a defibrillator kept there, "Boots" for a chemist)
cannot overrule it; only a row whose own type column names another kind keeps its own. The type
column ("Local authority run library", "Community managed library") and the names back the
decision up, and choose between two kinds a name gives ("schools_and_colleges"). A file whose
name says nothing ("data.csv", "export (3).xlsx") or whose type column names many other kinds
(a community directory) is classified row by row, as before.

Pure functions over plain values: no project, no file access.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetmap.core.model import is_blank
from assetmap.core.taxonomy import Taxonomy, singular

# Words that say how a list was made or kept, not what is in it ("AED locations", "libraries list v2").
NOISE_WORDS = frozenset({
    "list", "lists", "location", "locations", "point", "points", "site", "sites", "place", "places", "data",
    "dataset", "datasets", "export", "exports", "extract", "download", "register", "registers", "database",
    "directory", "table", "sheet", "layer", "file", "files", "map", "maps", "info", "information", "details",
    "detail", "final", "draft", "copy", "updated", "update", "latest", "current", "new", "old", "all", "full",
    "complete", "master", "clean", "cleaned", "asset", "assets", "record", "records", "feature", "features",
    "address", "addresses", "contact", "contacts", "uk", "gb", "england", "wales", "scotland", "council", "borough",
    "city", "county", "district", "ward", "wards", "area", "areas", "region", "winter", "spring", "summer", "autumn",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "week", "month",
    "year"
})
# Words after which a name goes on to say where or when ("Pharmacies in Trafford", "Libraries by ward").
_CUT_WORDS = frozenset({"in", "at", "across", "near", "within", "around", "for", "from", "by", "as", "per"})
_JOIN_WORDS = frozenset({"and", "or", "plus"})
_EXTENSIONS = re.compile(r"\.(csv|tsv|txt|xlsx|xlsm|xls|ods|geojson|json|gpkg|shp|zip|gz|osm|pbf|kml|fgb|gml)$",
                         re.IGNORECASE)

MIXED_SHARE = 0.5  # a file named after one kind is still mixed when more rows than this name others


@dataclass
class Theme:
    """The decision for one file: ``kind`` for every row without a type of its own, or None (row by row)."""

    kind: str | None
    source: str  # "file" (its name, sheet, layer or type column), "--kind", "--no-theme" or "rows"
    reason: str  # why, in a sentence ("the file is called dental_practices.csv and 41 names agree")
    evidence: dict[str, Any] = field(default_factory=dict)

    def note(self, label: str, applied: int, kept: int) -> str:
        """The line for the import report, once the rows are counted."""
        if self.kind is None:
            return f"each row's kind comes from its own type and name: {self.reason}"
        if not applied and not kept:  # every row was already in the project (or refused): no count to give
            return f"every row as {label}: {self.reason}"
        rows = f"{'all ' if not kept and applied > 1 else ''}{applied} row{'s' if applied != 1 else ''}"
        text = f"{rows} as {label}: {self.reason}"
        if kept:
            text += (f"; {kept} row{'s keep' if kept != 1 else ' keeps'} the kind "
                     f"{'their' if kept != 1 else 'its'} own type column names")
        return text

    def to_json(self, label: str = "", applied: int = 0, kept: int = 0) -> dict[str, Any]:
        return {"kind": self.kind, "label": label or None, "source": self.source, "reason": self.reason,
                "rows": applied, "kept_own_kind": kept, "evidence": self.evidence}


def words_of(name: str) -> list[str]:
    """A file, sheet or layer name as singular lower-case words: "DentalPractices_2024.csv" → dental, practice, 2024."""
    stem = name.strip()
    while _EXTENSIONS.search(stem):
        stem = _EXTENSIONS.sub("", stem)
    stem = re.sub(r"([a-z])([A-Z])|([A-Za-z])(\d)|(\d)([A-Za-z])", r"\1\3\5 \2\4\6", stem)  # camelCase, "v2024"
    stem = stem.lower().replace("’", "'").replace("'", "").replace("&", " and ")
    return [singular(w) for w in re.findall(r"[a-z0-9]+", stem)]


def kinds_named(name: str | None, taxonomy: Taxonomy, place_words: Iterable[str] = ()) -> list[str]:
    """The kinds a file's (or sheet's) name says it lists, in the order named; [] when it says nothing.

    The kind is the name's last words (English puts the head noun last: "public toilets", "dental
    practices"), after dropping words about the list itself ("locations", "v2", "final") or the
    place ("Trafford", a ward's name); "schools and colleges" names two.
    """
    if not name:
        return []
    words = words_of(name)
    for i, w in enumerate(words):
        if w in _CUT_WORDS and i > 0:
            words = words[:i]
            break
    index = taxonomy.phrase_index()
    places = {singular(w) for w in place_words}
    whole = _head_kind(words, index, places)
    if whole and any(w in _JOIN_WORDS for w in whole[1]):  # "fish and chips": one phrase across the "and"
        return [whole[0]]
    parts: list[list[str]] = [[]]
    for w in words:
        if w in _JOIN_WORDS:
            parts.append([])
        else:
            parts[-1].append(w)
    found: list[str] = []
    for part in parts:
        head = _head_kind(part, index, places)
        if head and head[0] not in found:
            found.append(head[0])
    return found


def _head_kind(words: list[str], index: Mapping[tuple[str, ...], str],
               places: set[str]) -> tuple[str, tuple[str, ...]] | None:
    """The longest taxonomy phrase that ends the words, dropping trailing noise until one does."""
    words = list(words)
    while words:
        for start in range(len(words)):
            phrase = tuple(words[start:])
            if phrase in index:
                return index[phrase], phrase
        last = words[-1]
        if last in NOISE_WORDS or last in places or any(c.isdigit() for c in last) or len(last) == 1:
            words.pop()
            continue
        return None
    return None


def _hint_kinds(hints: Sequence[Any], taxonomy: Taxonomy, kind_values: Mapping[str, str],
                category: str | None) -> list[str | None | bool]:
    """Per row: the kind its own type text names, None when the text names none, False when it has none."""
    cache: dict[str, str | None] = {}
    out: list[str | None | bool] = []
    for hint in hints:
        if is_blank(hint):
            out.append(False)
            continue
        text = str(hint).strip()
        if text not in cache:
            cache[text] = kind_values.get(text) or taxonomy.kind_for_text(text, category=category)
        out.append(cache[text])
    return out


def decide_theme(taxonomy: Taxonomy, *, file_name: str, layer: str | None = None, hints: Sequence[Any] = (),
                 names: Sequence[Any] = (), type_column: str | None = None,
                 kind_values: Mapping[str, str] | None = None,
                 category: str | None = None, place_words: Iterable[str] = ()) -> Theme:
    """Decide whether every row of a file is one kind, from the file's name, its sheet or layer's name,
    its type column (``hints``: each row's type text) and how many ``names`` agree.

    ``category`` (the user's --category) rules out kinds of other categories.
    """
    places = list(place_words)
    rows = max(len(hints), len(names))

    def fits(kind: str) -> bool:
        return category is None or taxonomy.kinds[kind].category == category

    by_file = [k for k in kinds_named(file_name, taxonomy, places) if fits(k)]
    layer_kinds = [] if not layer or words_of(layer) == words_of(file_name) else \
        [k for k in kinds_named(layer, taxonomy, places) if fits(k)]
    own = _hint_kinds(hints, taxonomy, kind_values or {}, category)
    typed = sum(1 for k in own if k is not False)
    counts = Counter(k for k in own if isinstance(k, str))
    top, top_n = counts.most_common(1)[0] if counts else (None, 0)
    evidence: dict[str, Any] = {"file": {"name": file_name, "kinds": by_file}}
    if layer:
        evidence["layer"] = {"name": layer, "kinds": layer_kinds}
    if typed:
        evidence["type_column"] = {"column": type_column, "rows": typed, "kinds": dict(counts.most_common()),
                                   "unmatched": sum(1 for k in own if k is None)}

    def agreeing(kind: str) -> int:
        return sum(1 for n in names if taxonomy.mentions(kind, n))

    named = list(dict.fromkeys(by_file + layer_kinds))
    kind: str | None = None
    if len(named) == 1:
        kind = named[0]
    elif len(named) > 1:
        if top in named and typed and top_n >= MIXED_SHARE * typed:
            kind = top
        else:
            best = max(named, key=agreeing)
            if agreeing(best) * 2 > rows:
                kind = best
            else:
                labels = " and ".join(taxonomy.label(k) for k in named)
                return Theme(None, "rows", f"the file's name names {labels}, and neither its type column "
                             "nor its names say which", evidence)
    if kind is None:
        why = ("its type column names several kinds" if typed and len(counts) > 1
               else "the file's name does not say what its rows are")
        return Theme(None, "rows", why, evidence)
    others = sum(n for k, n in counts.items() if k != kind)
    if others > MIXED_SHARE * rows:
        return Theme(None, "rows", f"the file's name says {taxonomy.label(kind)}, but its type column names "
                     f"other kinds for {others} of {rows} rows (a mixed list); use --kind to give every row "
                     "one kind", evidence)
    agree = agreeing(kind)
    evidence["names"] = {"kind": kind, "agree": agree, "rows": len(names)}
    reasons = []
    if kind in by_file:
        reasons.append(f"the file is called {file_name}")
    if kind in layer_kinds:
        reasons.append(f"its {'sheet' if file_name.lower().endswith(('.xlsx', '.xlsm', '.ods')) else 'layer'} "
                       f"is called '{layer}'")
    if counts.get(kind, 0) * 2 > typed:
        reasons.append(f"its {type_column or 'type'} column says {taxonomy.label(kind)} for {counts[kind]} of "
                       f"{typed} rows")
    if agree:
        reasons.append(f"{agree} name{'s agree' if agree != 1 else ' agrees'}")
    reason = ", ".join(reasons[:-1]) + (" and " if len(reasons) > 1 else "") + reasons[-1]
    return Theme(kind, "file", reason, evidence)
