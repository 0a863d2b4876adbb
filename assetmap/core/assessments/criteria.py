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
    seen: set[str] = set()
    cleaned = []
    for i, item in enumerate(data["criteria"]):
        where = f"criteria[{i}]"
        if not isinstance(item, dict):
            problems[where] = "expected an object with id, title and weight"
            continue
        cid = item.get("id")
        if not isinstance(cid, str) or not cid.strip() or not cid.replace("_", "").isalnum():
            problems[f"{where}.id"] = "expected an id of letters, digits and underscores"
            continue
        if cid in seen:
            problems[f"{where}.id"] = f"'{cid}' is used twice"
        seen.add(cid)
        weight = item.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight <= 0:
            problems[f"{where}.weight"] = "expected a number greater than 0"
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            problems[f"{where}.title"] = "expected a title"
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
