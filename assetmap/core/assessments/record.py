"""What an assessment holds, and how raw input (the JSON of ``assetmap assess --from``, or a GUI form)
becomes a clean record or a list of problems, each naming the key and what was expected.

The keys are documented in ``docs/assessment_json.md``; keep the two in step.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from assetmap.core.assessments.acv import clean_acv
from assetmap.core.assessments.criteria import SCORE_MAX, SCORE_MIN, Criterion
from assetmap.core.assessments.scoring import assessment_flags, score_total, undervalue
from assetmap.core.errors import ValidationError
from assetmap.core.model import is_blank, parse_date

RECOMMENDATIONS = ("transfer", "transfer_with_conditions", "do_not_transfer")
CONDITION_ELEMENTS = ("structure", "roof", "mechanical_electrical", "accessibility", "fire_safety")
CONDITION_GRADES = ("good", "fair", "poor")
TENURE_TYPES = ("freehold", "lease", "licence")
LISTED_BUILDING = ("no", "grade_I", "grade_II*", "grade_II", "locally_listed", "yes")
ENERGY_RATINGS = tuple("ABCDEFG")

TOP_KEYS = ("date", "assessor", "building", "condition", "tenure", "market_value", "transfer_value",
            "organisation", "community_benefit", "risks", "scores", "recommendation", "reasons",
            "conditions", "acv", "notes")
BUILDING_KEYS = ("floor_area_m2", "year_built", "listed_building", "current_use", "hours_per_week",
                 "groups_using", "annual_running_costs", "repair_backlog", "energy_rating")
ORGANISATION_KEYS = ("name", "legal_form", "years_running", "governance", "finances", "building_experience")


def _show(value: Any) -> str:
    """A value as an officer reading the message would put it ("nothing" rather than None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _unknown(keys: Any, allowed: Sequence[str], prefix: str, problems: dict[str, str]) -> None:
    unknown = [key for key in keys if key not in allowed]
    if len(unknown) > 3:  # not typos but the wrong file: one problem, not a line of thousands
        shown = ", ".join(repr(str(k)[:30]) for k in unknown[:3])
        problems[prefix.rstrip(".") or "(top level)"] = (f"{len(unknown):,} unknown keys ({shown}, ...); expected "
                                                          f"keys such as: {', '.join(allowed)}")
        return
    for key in unknown:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
            problems[f"{prefix}{key}"] = f"unknown key ({hint})"


def _text(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError(f"expected text, got {_show(value)}")
    return str(value).strip()


# No amount, area or count in an assessment comes near this; 1e308 (which JSON allows) would print as 309 digits.
NUMBER_MAX = 1e12
LEASE_YEARS_MAX = 10_000  # 999-year leases are common; a few run to 3,000 or 9,999


def _number(value: Any, *, low: float = 0, high: float = NUMBER_MAX, what: str = "a number") -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected {what}, got {_show(value)}")
    if isinstance(value, str):
        try:
            value = float(re.sub(r"[£,\s]", "", value))
        except ValueError:
            raise ValueError(f"expected {what}, got {_show(value)}") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"expected {what}, got {_show(value)}")
    return float(value)


def _money(value: Any) -> float:
    return _number(value, what="an amount in pounds of 0 or more (at most £1,000,000,000,000)")


def _choice(choices: Sequence[str]) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        key = re.sub(r"[\s-]+", "_", str(value).strip().lower()) if isinstance(value, str) else None
        for choice in choices:
            if key == choice.lower():
                return choice
        raise ValueError(f"expected one of {', '.join(choices)}, got {_show(value)}")
    return clean


def _listed(value: Any) -> str:
    if value is False:
        return "no"
    if value is True:
        return "yes"
    text = re.sub(r"[\s_-]+", " ", str(value).strip().lower()) if isinstance(value, str) else ""
    text = text.replace("grade ii star", "grade ii*").replace("grade 2*", "grade ii*").replace("grade 2", "grade ii")
    aliases = {"no": "no", "not listed": "no", "grade i": "grade_I", "grade ii*": "grade_II*", "grade ii": "grade_II",
               "locally listed": "locally_listed", "local list": "locally_listed", "yes": "yes", "listed": "yes"}
    if text in aliases:
        return aliases[text]
    raise ValueError(f"expected one of {', '.join(LISTED_BUILDING)} (or true/false), got {_show(value)}")


def _year(value: Any) -> int:
    year = _number(value, low=1000, high=date.today().year + 1, what="a year such as 1965")
    if not year.is_integer():
        raise ValueError(f"expected a year such as 1965, got {_show(value)}")
    return int(year)


def _groups(value: Any) -> int | list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if not is_blank(v)]
    number = _number(value, what="a number of groups or a list of their names")
    if not number.is_integer():
        raise ValueError(f"expected a number of groups or a list of their names, got {_show(value)}")
    return int(number)


def _text_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if not is_blank(v)]
    return [_text(value)]


BUILDING_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "floor_area_m2": lambda v: _number(v, what="a floor area in square metres"),
    "year_built": _year,
    "listed_building": _listed,
    "current_use": _text,
    "hours_per_week": lambda v: _number(v, high=168, what="hours between 0 and 168"),
    "groups_using": _groups,
    "annual_running_costs": _money,
    "repair_backlog": _money,
    "energy_rating": _choice(ENERGY_RATINGS),
}
ORGANISATION_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "years_running": lambda v: _number(v, what="a number of years"),
    **{k: _text for k in ("name", "legal_form", "governance", "finances", "building_experience")},
}


def _section(raw: Any, name: str, cleaners: Mapping[str, Callable[[Any], Any]],
             problems: dict[str, str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems[name] = f"expected an object with keys {', '.join(cleaners)}"
        return {}
    _unknown(raw, list(cleaners), f"{name}.", problems)
    out: dict[str, Any] = {}
    for key, clean in cleaners.items():
        if key in raw and not is_blank(raw[key]):
            try:
                out[key] = clean(raw[key])
            except ValueError as exc:
                problems[f"{name}.{key}"] = str(exc)
    return out


def _tenure(raw: Any, problems: dict[str, str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping):
        problems["tenure"] = "expected an object such as {\"type\": \"lease\", \"lease_years\": 30}"
        return {}
    _unknown(raw, ["type", "lease_years"], "tenure.", problems)
    out: dict[str, Any] = {}
    try:
        out["type"] = _choice(TENURE_TYPES)(raw.get("type"))
    except ValueError as exc:
        problems["tenure.type"] = str(exc)
        return out
    years = raw.get("lease_years")
    if out["type"] == "lease":
        try:
            out["lease_years"] = _number(years, low=0, high=LEASE_YEARS_MAX,
                                         what=f"the lease length in years (more than 0, at most {LEASE_YEARS_MAX:,})")
            if out["lease_years"] == 0:
                raise ValueError("expected the lease length in years (more than 0), got 0")
        except ValueError as exc:
            problems["tenure.lease_years"] = "required for a lease: " + str(exc) if years is None else str(exc)
    elif not is_blank(years):
        problems["tenure.lease_years"] = f"only applies when tenure.type is 'lease' (it is '{out['type']}')"
    return out


def _scores(raw: Any, criteria: Sequence[Criterion], problems: dict[str, str]) -> dict[str, float]:
    ids = [c.id for c in criteria]
    if not isinstance(raw, Mapping):
        problems["scores"] = (f"required: an object giving a score of {SCORE_MIN}-{SCORE_MAX} "
                              f"for each of: {', '.join(ids)}")
        return {}
    _unknown(raw, ids, "scores.", problems)
    out: dict[str, float] = {}
    for cid in ids:
        if cid not in raw or raw[cid] is None:
            problems[f"scores.{cid}"] = f"missing: expected a score of {SCORE_MIN}-{SCORE_MAX}"
            continue
        try:
            out[cid] = _number(raw[cid], low=SCORE_MIN, high=SCORE_MAX,
                               what=f"a score from {SCORE_MIN} to {SCORE_MAX}")
        except ValueError as exc:
            problems[f"scores.{cid}"] = str(exc)
    return out


def clean_assessment(raw: Any, criteria: Sequence[Criterion]) -> dict[str, Any]:
    """Turn raw input into a clean assessment (score, flags and ACV included) or raise ValidationError.

    The result has no id, asset_id or created_at yet: the store adds them.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError({"(top level)": "expected a JSON object with keys such as date, assessor, scores"})
    problems: dict[str, str] = {}
    _unknown(raw, TOP_KEYS, "", problems)
    rec: dict[str, Any] = {}
    try:
        rec["date"] = parse_date(raw["date"]) if not is_blank(raw.get("date")) else None
    except ValueError as exc:
        problems["date"] = str(exc)
    if rec.get("date") is None and "date" not in problems:
        problems["date"] = "required: the date of the assessment, such as 2024-03-31"
    try:
        rec["assessor"] = _text(raw.get("assessor")) if not is_blank(raw.get("assessor")) else ""
    except ValueError as exc:
        problems["assessor"] = str(exc)
    if not rec.get("assessor") and "assessor" not in problems:
        problems["assessor"] = "required: who made the assessment"
    rec["building"] = _section(raw.get("building"), "building", BUILDING_CLEANERS, problems)
    condition_cleaners = {k: _choice(CONDITION_GRADES) for k in CONDITION_ELEMENTS}
    rec["condition"] = _section(raw.get("condition"), "condition", condition_cleaners, problems)
    rec["tenure"] = _tenure(raw.get("tenure"), problems)
    for key in ("market_value", "transfer_value"):
        rec[key] = None
        if not is_blank(raw.get(key)):
            try:
                rec[key] = _money(raw[key])
            except ValueError as exc:
                problems[key] = str(exc)
    rec["undervalue"] = undervalue(rec["market_value"], rec["transfer_value"])
    rec["organisation"] = _section(raw.get("organisation"), "organisation", ORGANISATION_CLEANERS, problems)
    for key in ("community_benefit", "reasons", "notes"):
        try:
            rec[key] = _text(raw[key]) if not is_blank(raw.get(key)) else None
        except ValueError as exc:
            problems[key] = str(exc)
    for key in ("risks", "conditions"):
        try:
            rec[key] = _text_list(raw[key]) if not is_blank(raw.get(key)) else []
        except ValueError as exc:
            problems[key] = str(exc)
    try:
        rec["recommendation"] = _choice(RECOMMENDATIONS)(raw.get("recommendation"))
    except ValueError as exc:
        problems["recommendation"] = ("required: " if raw.get("recommendation") is None else "") + str(exc)
    if rec.get("recommendation") == "do_not_transfer" and not rec.get("reasons") and "reasons" not in problems:
        problems["reasons"] = "required when the recommendation is do_not_transfer"
    rec["scores"] = _scores(raw.get("scores"), criteria, problems)
    acv, acv_problems = clean_acv(raw.get("acv"))
    problems.update(acv_problems)
    rec["acv"] = acv.to_json() if acv is not None else None
    if problems:
        raise ValidationError(problems)
    result = score_total(rec["scores"], criteria)
    rec["score"] = result.total
    rec["criteria"] = [{"id": c.id, "title": c.title, "weight": c.weight} for c in criteria]
    rec["flags"] = assessment_flags(rec)
    return rec
