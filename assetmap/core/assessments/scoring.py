"""Scores out of 100 and the notes a transfer officer must not miss (undervalue, short lease).

The total is the weighted mean of the 0-5 scores scaled to 100, so it stays out of 100 whatever
the weights add up to, and a project can reweight its criteria without rescaling them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetmap.core.assessments.criteria import SCORE_MAX, Criterion

# General Disposal Consent (England) 2003: councils may dispose at an undervalue of up to
# £2,000,000 without asking the Secretary of State; above that, consent is needed.
GDC_UNDERVALUE_LIMIT = 2_000_000
# Funders and most asset transfer policies expect a lease of at least 25 years for a group to
# invest in a building (and to raise capital against it).
LEASE_THRESHOLD_YEARS = 25


@dataclass(frozen=True)
class CriterionScore:
    id: str
    title: str
    weight: float
    score: float
    points: float  # this criterion's share of the total
    max_points: float  # what it would add at the top score


@dataclass(frozen=True)
class ScoreResult:
    total: float  # 0-100, rounded to one decimal place
    parts: tuple[CriterionScore, ...]


def score_total(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> ScoreResult:
    """Total out of 100 = sum(weight * score / 5) / sum(weights) * 100. Every criterion must be scored."""
    weight_sum = sum(c.weight for c in criteria)
    if weight_sum <= 0:
        raise ValueError("criteria weights must add up to more than 0")
    parts = []
    for c in criteria:
        share = c.weight / weight_sum * 100
        score = float(scores[c.id])
        parts.append(CriterionScore(c.id, c.title, c.weight, score, share * score / SCORE_MAX, share))
    total = sum(p.points for p in parts)
    return ScoreResult(round(total + 1e-9, 1), tuple(parts))


def undervalue(market_value: float | None, transfer_value: float | None) -> float | None:
    """How far below market value the transfer is (0 when at or above it; None when unknown)."""
    if market_value is None or transfer_value is None:
        return None
    return max(0.0, float(market_value) - float(transfer_value))


def _money(value: float) -> str:
    return f"£{value:,.0f}"


def assessment_flags(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """The notes for a cleaned assessment: [{"id", "severity", "message"}], most serious first."""
    flags: list[dict[str, str]] = []
    under = undervalue(record.get("market_value"), record.get("transfer_value"))
    if under is not None and under > GDC_UNDERVALUE_LIMIT:
        flags.append({
            "id": "gdc_undervalue", "severity": "warning",
            "message": f"The undervalue of {_money(under)} exceeds the {_money(GDC_UNDERVALUE_LIMIT)} allowed by the "
                       "General Disposal Consent (England) 2003: needs Secretary of State consent.",
        })
    tenure = record.get("tenure") or {}
    years = tenure.get("lease_years")
    if tenure.get("type") == "lease" and years is not None and years < LEASE_THRESHOLD_YEARS:
        flags.append({
            "id": "short_lease", "severity": "note",
            "message": f"A lease of {years:g} years is below the usual {LEASE_THRESHOLD_YEARS}-year threshold for "
                       "asset transfer; funders may not invest in the building.",
        })
    if tenure.get("type") == "licence":
        flags.append({
            "id": "licence", "severity": "note",
            "message": "A licence gives the group no security of tenure; most asset transfers are freehold or a "
                       f"lease of at least {LEASE_THRESHOLD_YEARS} years.",
        })
    return flags
