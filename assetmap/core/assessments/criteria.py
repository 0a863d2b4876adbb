"""Assessment criteria: the defaults shipped in ``resources/`` and each project's own copy.

Criteria are data because every council's asset transfer policy weighs things differently. A
project copies the defaults into its settings the first time it is assessed against, so later
changes to the shipped defaults never silently change a project's scores.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetmap.core.errors import ValidationError
from assetmap.core.resources import load_json

if TYPE_CHECKING:
    from assetmap.core.project import Project

SETTING_KEY = "assessment_criteria"
SCORE_MIN = 0
SCORE_MAX = 5
# The largest weight (the app's weight box offers up to 1000): weights of 1e308 add up to infinity, and every
# criterion's share of the total becomes 0. Tiny weights are fine: a share is a weight over their sum.
WEIGHT_MAX = 1000
MAX_CRITERIA = 50  # each is scored on the one-page report and in the assessment form
MAX_ID_CHARS = 60
MAX_TITLE_CHARS = 200  # a title is a label in the score table, not a paragraph


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    weight: float
    question: str = ""
    evidence: str = ""


def default_criteria_data() -> dict[str, Any]:
    """The shipped criteria document (a fresh copy, safe to edit)."""
    return copy.deepcopy(load_json("assessment_criteria.json"))


def validate_criteria_data(data: Any) -> dict[str, Any]:
    """Check a criteria document (as kept in settings) and return it cleaned; raises ValidationError."""
    problems: dict[str, str] = {}
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        raise ValidationError({"criteria": "expected a list of criteria, each with an id, a title and a weight"})
    if len(data["criteria"]) > MAX_CRITERIA:
        raise ValidationError({"criteria": f"{len(data['criteria']):,} criteria; at most {MAX_CRITERIA} can be scored"})
    seen: set[str] = set()
    cleaned = []
    for i, item in enumerate(data["criteria"]):
        where = f"criteria[{i}]"
        if not isinstance(item, dict):
            problems[where] = "expected an object with id, title and weight"
            continue
        cid = item.get("id")
        if (not isinstance(cid, str) or not cid.strip() or not cid.replace("_", "").isalnum()
                or len(cid) > MAX_ID_CHARS):
            problems[f"{where}.id"] = f"expected an id of letters, digits and underscores (at most {MAX_ID_CHARS})"
            continue
        if cid in seen:
            problems[f"{where}.id"] = f"'{cid}' is used twice"
        seen.add(cid)
        weight = item.get("weight")
        if (isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight)
                or not 0 < weight <= WEIGHT_MAX):
            got = repr(weight)
            problems[f"{where}.weight"] = (f"expected a number greater than 0 and at most {WEIGHT_MAX}, got "
                                           + (got if len(got) <= 40 else got[:37] + "..."))
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            problems[f"{where}.title"] = "expected a title"
        elif len(title) > MAX_TITLE_CHARS:
            problems[f"{where}.title"] = f"a title of {len(title):,} characters; at most {MAX_TITLE_CHARS}"
        cleaned.append({**item, "id": cid.strip()})
    if problems:
        raise ValidationError(problems)
    return {**data, "criteria": cleaned}


def criteria_from_data(data: dict[str, Any]) -> list[Criterion]:
    return [Criterion(id=c["id"], title=str(c["title"]), weight=float(c["weight"]),
                      question=str(c.get("question", "")), evidence=str(c.get("evidence", "")))
            for c in data["criteria"]]


def project_criteria_data(project: "Project") -> dict[str, Any]:
    """The project's criteria document, copied from the defaults on first use (when writable)."""
    data = project.get_setting(SETTING_KEY)
    if data is None:
        data = default_criteria_data()
        if not project.readonly:
            project.set_setting(SETTING_KEY, data)
    return validate_criteria_data(data)


def project_criteria(project: "Project") -> list[Criterion]:
    """The criteria assessments in this project are scored against."""
    return criteria_from_data(project_criteria_data(project))


def set_project_criteria(project: "Project", data: dict[str, Any]) -> None:
    """Replace the project's criteria (after checking them). Earlier assessments keep the criteria they used."""
    project.set_setting(SETTING_KEY, validate_criteria_data(data))
