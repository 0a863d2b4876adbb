"""Gap rules as data: the defaults in ``resources/gap_rules.json`` and each project's editable copy.

A rule says what "enough" means for one kind of social infrastructure, in terms a resident can
check: which kinds of asset count, how far away is close enough (straight-line metres and the
walking minutes they stand for), the target, how serious a shortfall is, and the published
source. The GUI edits a project's rules through ``project_rules`` and ``set_project_rules``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from assetmap.core.errors import AssetmapError
from assetmap.core.resources import load_json
from assetmap.core.taxonomy import CATEGORY_IDS, Taxonomy, default_taxonomy

RULES_SETTING = "gap_rules"
RULE_TYPES = ("coverage", "density", "missing_category")
SEVERITIES: dict[str, int] = {"high": 3, "medium": 2, "low": 1}
DEFAULT_WALK_SPEED_KMH = 4.8


@dataclass(frozen=True)
class Rule:
    """One rule of a rule set; ``distance_m`` is straight-line."""

    id: str
    type: str
    title: str
    kinds: tuple[str, ...]
    target: float
    severity: str
    source: str
    distance_m: float | None = None
    min_area_m2: float | None = None
    categories: tuple[str, ...] = ()
    notes: str = ""
    walk_minutes: int | None = None
    restricted_kinds: tuple[str, ...] = ()  # kinds that count only when open to the public (see green_access)

    def public(self) -> dict[str, Any]:
        """The rule as ``gaps --json`` lists it (DESIGN section 6, plus the walking time and size)."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "kinds": list(self.kinds),
                               "distance_m": self.distance_m, "target": self.target,
                               "severity": self.severity, "source": self.source, "type": self.type,
                               "walk_minutes": self.walk_minutes}
        if self.min_area_m2 is not None:
            out["min_area_m2"] = self.min_area_m2
        if self.categories:
            out["categories"] = list(self.categories)
        if self.restricted_kinds:
            out["restricted_kinds"] = list(self.restricted_kinds)
        if self.notes:
            out["notes"] = self.notes
        return out


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set with the walking speed its minutes are stated at."""

    rules: tuple[Rule, ...]
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH
    about: str = ""
    version: int = 1

    def by_type(self, rule_type: str) -> list[Rule]:
        """The rules of one type, in rule-set order, so callers need not filter by hand."""
        return [r for r in self.rules if r.type == rule_type]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the project's settings (walking minutes are derived, not stored)."""
        rules = []
        for rule in self.rules:
            raw = {k: v for k, v in asdict(rule).items() if k != "walk_minutes"}
            raw["kinds"] = list(rule.kinds)
            raw["categories"] = list(rule.categories)
            raw["restricted_kinds"] = list(rule.restricted_kinds)
            rules.append({k: v for k, v in raw.items() if v not in (None, "", [])})
        return {"about": self.about, "version": self.version, "walk_speed_kmh": self.walk_speed_kmh, "rules": rules}


def default_rules_dict() -> dict[str, Any]:
    """A fresh copy of the shipped rule set, safe to edit."""
    return copy.deepcopy(load_json("gap_rules.json"))


def default_rules() -> RuleSet:
    """The rule set that ships with assetmap, validated against the default taxonomy."""
    return validate_rules(default_rules_dict())


def _number(raw: Mapping[str, Any], key: str, where: str, *, positive: bool = True) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AssetmapError(f"{where}: '{key}' must be a number, not {value!r}.")
    if positive and value <= 0:
        raise AssetmapError(f"{where}: '{key}' must be more than 0.")
    return float(value)


def _validate_rule(raw: Mapping[str, Any], taxonomy: Taxonomy, speed_kmh: float) -> Rule:
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise AssetmapError("A gap rule has no id.")
    where = f"Gap rule '{rule_id}'"
    rtype = raw.get("type", "coverage")
    if rtype not in RULE_TYPES:
        raise AssetmapError(f"{where}: type must be one of {', '.join(RULE_TYPES)}, not {rtype!r}.")
    severity = raw.get("severity", "medium")
    if severity not in SEVERITIES:
        raise AssetmapError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}.")
    kinds = tuple(raw.get("kinds") or ())
    unknown = [k for k in kinds if k not in taxonomy.kinds]
    if unknown:
        raise AssetmapError(f"{where}: unknown kind(s) {', '.join(unknown)}.")
    restricted = tuple(raw.get("restricted_kinds") or ())  # absent in rules stored before it existed: none
    unknown = [str(k) for k in restricted if k not in taxonomy.kinds]
    if unknown:
        raise AssetmapError(f"{where}: unknown kind(s) {', '.join(unknown)} in 'restricted_kinds'.")
    restricted = tuple(k for k in restricted if k in kinds)  # a kind taken out of the rule (in the app) goes too
    categories = tuple(raw.get("categories") or ())
    bad = [c for c in categories if c not in CATEGORY_IDS]
    if bad:
        raise AssetmapError(f"{where}: unknown categor(ies) {', '.join(bad)}.")
    distance = _number(raw, "distance_m", where)
    target = _number(raw, "target", where, positive=False)
    if rtype in ("coverage", "density"):
        if not kinds:
            raise AssetmapError(f"{where}: list at least one kind of asset that qualifies.")
        if distance is None:
            raise AssetmapError(f"{where}: a distance in metres ('distance_m') is required.")
        if target is None or not 0 < target <= 1:
            raise AssetmapError(f"{where}: 'target' must be a share between 0 and 1, such as 0.9.")
    elif rtype == "missing_category":
        categories = categories or CATEGORY_IDS
        target = 1.0 if target is None else target
    if target is None:  # every type above sets it; this catches a type added to RULE_TYPES without a branch
        raise AssetmapError(f"{where}: a 'target' is required.")
    minutes = round(distance / (speed_kmh * 1000 / 60)) if distance is not None else None
    return Rule(id=rule_id, type=rtype, title=str(raw.get("title") or rule_id), kinds=kinds,
                target=float(target), severity=severity, source=str(raw.get("source") or ""),
                distance_m=distance, min_area_m2=_number(raw, "min_area_m2", where), categories=categories,
                notes=str(raw.get("notes") or ""), walk_minutes=minutes, restricted_kinds=restricted)


def validate_rules(data: Mapping[str, Any], taxonomy: Taxonomy | None = None) -> RuleSet:
    """Check a rule set (from the resources, the settings or the GUI) and say plainly what is wrong."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), Sequence):
        raise AssetmapError("Gap rules must be an object with a list of 'rules'.")
    taxonomy = taxonomy or default_taxonomy()
    speed = _number(data, "walk_speed_kmh", "Gap rules") or DEFAULT_WALK_SPEED_KMH
    rules = [_validate_rule(raw, taxonomy, speed) for raw in data["rules"]]
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise AssetmapError(f"Gap rule id(s) used twice: {', '.join(dupes)}.")
    return RuleSet(rules=tuple(rules), walk_speed_kmh=speed, about=str(data.get("about") or ""),
                   version=int(data.get("version") or 1))


def project_rules(project: Any) -> RuleSet:
    """The project's own rule set, or the defaults when it has none yet (nothing is written)."""
    stored = project.get_setting(RULES_SETTING)
    return validate_rules(stored if stored is not None else default_rules_dict(), project.taxonomy)


def ensure_project_rules(project: Any) -> RuleSet:
    """Copy the default rules into a project on its first analysis, so later edits stay with it."""
    stored = project.get_setting(RULES_SETTING)
    if stored is None:
        rules = validate_rules(default_rules_dict(), project.taxonomy)
        if not project.readonly:
            project.set_setting(RULES_SETTING, rules.to_dict())
        return rules
    return validate_rules(stored, project.taxonomy)


def set_project_rules(project: Any, data: Mapping[str, Any] | RuleSet) -> RuleSet:
    """Replace a project's rules after validating them (the GUI's rule editor calls this)."""
    rules = data if isinstance(data, RuleSet) else validate_rules(data, project.taxonomy)
    project.set_setting(RULES_SETTING, rules.to_dict())
    return rules
