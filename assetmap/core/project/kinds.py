"""A project's own kinds of asset, added to the taxonomy that ships with assetmap.

A neighbourhood has things the shipped list lacks (a skate park, a community sauna, a lido). A project
keeps the kinds it adds in its setting ``taxonomy_additions`` (a JSON list of {"id", "label",
"synonyms", "osm"}), so the file carries them to whoever opens it; ``Project.taxonomy`` reads them
with ``project_taxonomy``. Every check is here, shared by ``assetmap kinds`` and the app's "New kind…".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetmap.core.errors import AssetmapError
from assetmap.core.resources import load_json
from assetmap.core.taxonomy import CATEGORY_IDS, Kind, Taxonomy, _norm, default_taxonomy, parse_osm_tag

if TYPE_CHECKING:
    from assetmap.core.project.store import Project

SETTING = "taxonomy_additions"
RULES_SETTING = "gap_rules"  # the project's copy of the gap rules, which name kinds (see analysis.rules)
_ID = re.compile(r"^([a-z]+)/([a-z][a-z0-9]*(?:_[a-z0-9]+)*)$")
MAX_LABEL = 60


class KindError(AssetmapError):
    """A kind that cannot be added or removed as asked (bad id, unknown category, a name already taken)."""


def kind_id_for(label: str, category: str) -> str:
    """The id a new kind gets from its label: "Skate park" in physical → physical/skate_park."""
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    if slug and slug[0].isdigit():
        slug = "kind_" + slug
    if not slug:
        raise KindError(f"'{label}' has no letters to make an id from; give one, e.g. {category}/my_kind")
    return f"{category}/{slug[:50].rstrip('_')}"


def _clean_words(words: Iterable[str], what: str) -> list[str]:
    out: list[str] = []
    for word in words:
        text = re.sub(r"\s+", " ", str(word)).strip()
        if not text:
            continue
        if len(text) > MAX_LABEL:
            raise KindError(f"{what} '{text[:30]}…' is longer than {MAX_LABEL} characters")
        if text not in out:
            out.append(text)
    return out


def check_kind(taxonomy: Taxonomy, kind_id: str, label: str, synonyms: Sequence[str] = (),
               osm: Sequence[str] = ()) -> dict[str, Any]:
    """The stored form of a new kind, or KindError saying what is wrong with it.

    A label or synonym that is another kind's id or label is refused (two kinds with one name); one
    that is only another kind's synonym is allowed and means the new kind from then on ("Skate park"
    was a word for playgrounds; a project with its own skate parks means those).
    """
    found = _ID.match(kind_id or "")
    if not found:
        raise KindError(f"'{kind_id}' is not a kind id: expected category/name in lower case with underscores, "
                        "e.g. physical/skate_park")
    category = found.group(1)
    if category not in CATEGORY_IDS:
        raise KindError(f"'{category}' is not a category; a kind belongs to one of: {', '.join(CATEGORY_IDS)}")
    if kind_id in taxonomy.kinds:
        raise KindError(f"{kind_id} is already a kind ({taxonomy.label(kind_id)})")
    label = re.sub(r"\s+", " ", label or "").strip()
    if len(label) < 2 or not re.search(r"\w", label):
        raise KindError("a kind needs a label of at least two characters, e.g. \"Skate park\"")
    if len(label) > MAX_LABEL:
        raise KindError(f"the label is longer than {MAX_LABEL} characters")
    words = _clean_words(synonyms, "synonym")
    names = {_norm(k.id): k for k in taxonomy.kinds.values()}
    names.update({_norm(k.short): k for k in taxonomy.kinds.values()})
    names.update({_norm(k.label): k for k in taxonomy.kinds.values()})
    for word in [label, *words]:
        other = names.get(_norm(word))
        if other is not None:
            raise KindError(f"'{word}' is already the name of {other.label} ({other.id}); choose another name, "
                            f"or use {other.id}")
    tags = _clean_words(osm, "OpenStreetMap tag")
    for tag in tags:
        try:
            parse_osm_tag(tag)
        except ValueError as exc:
            raise KindError(str(exc)) from None
    return {"id": kind_id, "label": label, "synonyms": words, "osm": tags}


def taken_synonyms(taxonomy: Taxonomy, entry: dict[str, Any]) -> list[str]:
    """Words of a new kind that were synonyms of another kind (they mean the new one from now on)."""
    out = []
    for word in [entry["label"], *entry["synonyms"]]:
        other = taxonomy.kind_for_text(word, exact=True)
        if other:
            out.append(f"'{word}' ({taxonomy.label(other)})")
    return out


def project_taxonomy(additions: Any, path: Path | None = None) -> Taxonomy:
    """The shipped taxonomy plus a project's stored additions, checked: a setting edited outside assetmap
    that makes no sense is one clear error rather than a traceback later."""
    if not additions:
        return default_taxonomy()
    from assetmap.core.project import outside

    def bad(why: str) -> outside.OutsideEditError:
        return outside.OutsideEditError(path or Path("project"), [outside.Problem(
            "settings", None, "value", f"key '{SETTING}': {why}")], outside.ROW_ADVICE)

    if not isinstance(additions, list):
        raise bad('expected a JSON list of kinds such as [{"id": "physical/skate_park", "label": "Skate park"}]')
    base = default_taxonomy()
    checked: list[dict[str, Any]] = []
    for raw in additions:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("label"), str):
            raise bad(f"{str(raw)[:60]} is not a kind (expected an object with an id and a label)")
        so_far = Taxonomy.from_dict(load_json("taxonomy.json"), checked) if checked else base
        try:
            checked.append(check_kind(so_far, raw["id"], raw["label"], _strings(raw.get("synonyms")),
                                      _strings(raw.get("osm"))))
        except KindError as exc:
            raise bad(str(exc)) from None
    return Taxonomy.from_dict(load_json("taxonomy.json"), checked)


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _additions(project: Project) -> list[dict[str, Any]]:
    return [dict(k) for k in project.get_setting(SETTING, []) or []]


def add_kind(project: Project, label: str, *, category: str | None = None, kind_id: str | None = None,
             synonyms: Sequence[str] = (), osm: Sequence[str] = ()) -> Kind:
    """Add a kind to the project (one transaction) and return it; its id comes from the label unless given."""
    if kind_id is None:
        if category not in CATEGORY_IDS:
            raise KindError(f"choose the category the kind belongs to (one of: {', '.join(CATEGORY_IDS[1:])})")
        kind_id = kind_id_for(label, category)
    elif category and not kind_id.startswith(category + "/"):
        raise KindError(f"{kind_id} is not in the category {category}")
    entry = check_kind(project.taxonomy, kind_id, label, synonyms, osm)
    with project.transaction():
        project.set_setting(SETTING, _additions(project) + [entry])
    return project.taxonomy.kinds[entry["id"]]


def kind_users(project: Project, kind_id: str) -> tuple[int, list[str]]:
    """How many assets are this kind, and which of the project's gap rules count it."""
    row = project.connection.execute('SELECT COUNT(*) FROM assets WHERE "kind" = ?', (kind_id,)).fetchone()
    stored = project.get_setting(RULES_SETTING) or {}
    rules = stored.get("rules", []) if isinstance(stored, dict) else []
    named = [str(r.get("title") or r.get("id")) for r in rules
             if isinstance(r, dict) and kind_id in (r.get("kinds") or [])]
    return int(row[0] if row else 0), named


def remove_kind(project: Project, kind_id: str) -> dict[str, Any]:
    """Take a kind the project added out again; refused while assets are that kind or a gap rule counts it."""
    tax = project.taxonomy
    if kind_id not in tax.kinds:
        raise KindError(f"{kind_id} is not a kind in this project")
    if not tax.kinds[kind_id].custom:
        raise KindError(f"{kind_id} ({tax.label(kind_id)}) comes with assetmap; only kinds this project added can "
                        "be removed")
    assets, rules = kind_users(project, kind_id)
    if assets:
        raise AssetmapError(f"{assets} asset{'s are' if assets != 1 else ' is'} {tax.label(kind_id)}; give "
                            f"{'them' if assets != 1 else 'it'} another kind first, then remove {kind_id}")
    if rules:
        raise AssetmapError(f"the gap rule{'s' if len(rules) > 1 else ''} {', '.join(repr(r) for r in rules)} "
                            f"count{'' if len(rules) > 1 else 's'} {tax.label(kind_id)}; take it out of "
                            f"{'them' if len(rules) > 1 else 'it'} first (Analysis ▸ Gap rules)")
    kept = [k for k in _additions(project) if k.get("id") != kind_id]
    removed = next(k for k in _additions(project) if k.get("id") == kind_id)
    with project.transaction():
        project.set_setting(SETTING, kept)
    return removed


def list_kinds(project: Project) -> list[dict[str, Any]]:
    """Every kind the project knows, shipped and its own, with how many assets are each."""
    tax = project.taxonomy
    counts = dict(project.connection.execute(
        'SELECT "kind", COUNT(*) FROM assets WHERE "kind" IS NOT NULL GROUP BY "kind"').fetchall())
    return [{"id": k.id, "label": k.label, "category": k.category, "category_label": tax.category_label(k.category),
             "synonyms": list(k.synonyms), "osm": list(k.osm), "custom": k.custom, "assets": int(counts.get(k.id, 0))}
            for k in tax.kinds.values()]
