"""Flags a resident can read, and the priority order that weighs gaps against deprivation.

Gap score: each flag adds its rule's severity weight (high 3, medium 2, low 1) times how far short the
neighbourhood falls (for coverage, the shortfall as a share of the target; 1 for the other flags) and,
for coverage, times its size (population against the project's median, 0.5 to 2), so a gap that leaves
more people out weighs more. A flag's shown severity is graded the same way (``graded``). A flag near the project's
edge for places mapped nowhere beyond it weighs only what is known (see ``edge``).
Priority score: the gap score times (1 + deprivation), where deprivation runs from 1 for IMD
decile 1 (most deprived tenth) to 0 for decile 10, and is 0.5 where the decile is unknown. So a
neighbourhood with no gaps is never a priority however deprived, and of two with the same gaps the
more deprived comes first. In the spirit of Local Trust's "left behind" neighbourhoods, those in
the worst tenth of the project on gaps *and* in IMD decile 1 are marked and put first. Nobody lives
in a neighbourhood with a population of 0, so it gets measures but no flags.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from assetmap.core.analysis.rules import SEVERITIES, Rule

LEFT_BEHIND_SHARE = 0.1
ATTENTION_SHARE = 0.1  # the map outlines this share of neighbourhoods (the top by priority), not every flagged one


def needing_attention(ranks: list[int | None], gap_scores: np.ndarray) -> list[bool]:
    """The neighbourhoods the map outlines: the top tenth by priority (at least one) among those with a gap.

    With every neighbourhood flagged for something (the sample's defaults flag all 139), an outline on each
    said nothing; the top tenth by priority (left-behind ones first, as ranked) is where to look first, and
    every other flag stays in the results and popups."""
    n = len(ranks)
    top = max(1, math.floor(ATTENTION_SHARE * n + 1e-9))
    return [bool(r is not None and r <= top and gap_scores[i] > 0) for i, r in enumerate(ranks)]


@dataclass(frozen=True)
class Flag:
    """One rule a neighbourhood falls short of.

    ``message`` is what a resident reads; ``caveat`` (if any) is for the worker: the app, CSV and report
    show it, the public map does not. The weight in the gap score is the rule's severity (``base``, or
    ``severity`` when not given) times ``shortfall`` (0..1, how far below target) times ``size`` (how many
    people that is, against a typical neighbourhood of the project)."""

    rule: str
    severity: str
    message: str
    shortfall: float = 1.0
    caveat: str | None = None
    base: str | None = None
    size: float = 1.0
    category: str | None = None  # a missing-category flag's category


    def public(self) -> dict[str, Any]:
        """The flag as ``gaps --json`` prints it."""
        out = {"rule": self.rule, "severity": self.severity, "message": self.message}
        if self.caveat:
            out["caveat"] = self.caveat
        if self.category:
            out["category"] = self.category
        return out

    @property
    def weight(self) -> float:
        return SEVERITIES[self.base or self.severity] * self.shortfall * self.size


_STEPS = ("low", "medium", "high")
SIZE_RANGE = (0.5, 2.0)  # a neighbourhood twice the typical size weighs at most twice, half at least half


def graded(severity: str, shortfall: float, size: float = 1.0) -> str:
    """The rule's severity for a neighbourhood far short of it (half its target or more, allowing for how
    many people live there), one step lower for a smaller shortfall, two for a slight one (never below low)."""
    felt = shortfall * size
    steps = 0 if felt >= 0.5 else 1 if felt >= 0.2 else 2
    return _STEPS[max(0, _STEPS.index(severity) - steps)] if severity in _STEPS else severity


def size_factors(population: np.ndarray) -> np.ndarray:
    """How many people a neighbourhood holds against the project's median (1 where unknown), within SIZE_RANGE."""
    pop = np.asarray(population, dtype=float)
    known = np.isfinite(pop) & (pop > 0)
    if not known.any():
        return np.ones(len(pop))
    factor = np.where(known, pop / float(np.median(pop[known])), 1.0)
    return np.clip(factor, *SIZE_RANGE)


def _residents(count: float, population: float) -> str:
    """"about 820", "about 1,500", "about 40": estimates said as such, never more than live there."""
    rounded = min(round(count, -1) if count >= 100 else round(count), math.floor(population))
    return f"about {rounded:,.0f}"


def flag_text(flag: Mapping[str, Any]) -> str:
    """A stored flag as the team reads it (app, CSV, report): its sentence, then any caveat."""
    parts = [str(flag.get("message") or flag.get("rule") or ""), str(flag.get("caveat") or "")]
    return " ".join(p for p in parts if p)


def format_distance(metres: float) -> str:
    """"800 m", "2 km", "1.5 km": distances as people say them."""
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km" if round(km, 1) == km else f"{km:.1f} km"
    return f"{metres:g} m"


def _percent(share: float) -> int:
    # Rounded down, so a share just under the target never reads as meeting it.
    return math.floor(share * 100 + 1e-9)


BASES = ("homes", "population", "area")  # what a coverage share is of: postcode centres, residents, land


def coverage_flag(rule: Rule, name: str, share: float | None, *, by_population: bool = False,
                  basis: str | None = None, population: float | None = None, size: float = 1.0) -> Flag | None:
    """A flag when less than the target is within reach: of the neighbourhood's homes (``basis`` "homes",
    postcode centres), of its residents ("population", population points) or of its area ("area"; also
    what ``by_population`` False means when no basis is given). The sentence says which, and with homes or
    residents and a known ``population``, about how many residents live further away."""
    if share is None or (isinstance(share, float) and math.isnan(share)) or share >= rule.target:
        return None
    basis = basis or ("population" if by_population else "area")
    pct, target = _percent(share), _percent(rule.target)
    where = f"within {format_distance(rule.distance_m or 0)} of {rule.title}"
    if basis == "homes":
        text = f"No homes in {name} are {where}" if pct == 0 else f"Only {pct}% of homes in {name} are {where}"
    elif basis == "population":
        text = (f"No residents of {name} live {where}" if pct == 0
                else f"Only {pct}% of residents of {name} live {where}")
    else:
        text = (f"None of the area of {name} is {where}" if pct == 0
                else f"Only {pct}% of the area of {name} is {where}")
    text += f" (target {target}%)"
    if basis in ("homes", "population") and population is not None and population > 0 and pct > 0:
        further = min((1 - share) * population, population)
        text += f": {_residents(further, population)} of its {population:,.0f} residents live further away"
    shortfall = (rule.target - share) / rule.target
    return Flag(rule.id, graded(rule.severity, shortfall, size), text + ".", shortfall, base=rule.severity, size=size)


def density_flags(rule: Rule, names: list[str], density: np.ndarray) -> list[Flag | None]:
    """Flag the lowest tenth (``rule.target``) of neighbourhoods by density.

    A neighbourhood is flagged when at most max(1, floor(target x n)) neighbourhoods (itself
    included) have a density as low as its own, or when it has none at all; never when it is tied
    for the highest density.
    """
    known = ~np.isnan(density)
    values = density[known]
    flags: list[Flag | None] = [None] * len(names)
    if values.size == 0:
        return flags
    best = values.max()
    ordered = np.sort(values)
    places = max(1, math.floor(rule.target * values.size + 1e-9))
    for i in np.flatnonzero(known):
        as_low = int(np.searchsorted(ordered, density[i], side="right"))
        if density[i] < best and (as_low <= places or density[i] == 0):
            message = (f"{names[i]} has {density[i]:.1f} {rule.title} inside or within "
                       f"{format_distance(rule.distance_m or 0)}, among the lowest tenth in this project.")
            flags[i] = Flag(rule.id, rule.severity, message)
    return flags


def missing_category_flags(rule: Rule, name: str, counts: dict[str, int], labels: dict[str, str],
                           unmapped: frozenset[str] = frozenset()) -> list[Flag]:
    """One flag for each of the rule's categories with fewer assets than the target (normally none).

    ``unmapped`` are categories with no asset anywhere in the project: they are missing data, not a gap
    in this neighbourhood, so they get one project-level notice (``notices``) and no flag here.
    """
    flags = []
    for category in rule.categories:
        if category not in unmapped and counts.get(category, 0) < rule.target:
            label = labels.get(category, category)
            text = f"Nothing in {name} is mapped under \u201c{label}\u201d yet"
            flags.append(Flag(rule.id, rule.severity, text + ".", category=category))
    return flags


def deprivation(imd_decile: Any) -> float:
    """1 for the most deprived tenth (IMD decile 1) down to 0 for decile 10; 0.5 when unknown."""
    try:
        decile = float(imd_decile)
    except (TypeError, ValueError):
        return 0.5
    if math.isnan(decile) or not 1 <= decile <= 10:
        return 0.5
    return (10 - decile) / 9


def priorities(gap_scores: np.ndarray, imd_deciles: list[Any], codes: list[str]) -> tuple[list[int], list[bool]]:
    """Rank (1 = first) and "left behind" marks: worst tenth on gaps and IMD decile 1 first.

    The worst tenth is at most max(1, floor(n / 10)) neighbourhoods, ties never pushing it over."""
    n = len(codes)
    depr = np.array([deprivation(d) for d in imd_deciles])
    score = gap_scores * (1 + depr)
    as_bad = n - np.searchsorted(np.sort(gap_scores), gap_scores, side="left")  # itself and ties included
    worst = max(1, math.floor(LEFT_BEHIND_SHARE * n + 1e-9))
    left_behind = [bool(gap_scores[i] > 0 and as_bad[i] <= worst and depr[i] == 1.0) for i in range(n)]
    order = sorted(range(n), key=lambda i: (not left_behind[i], -score[i], -gap_scores[i], -depr[i], codes[i]))
    rank = [0] * n
    for position, i in enumerate(order, start=1):
        rank[i] = position
    return rank, left_behind
