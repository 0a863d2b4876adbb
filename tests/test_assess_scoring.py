"""Scores out of 100, criteria per project, the undervalue and lease notes, and validation messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_assess_helpers import full_assessment, hall, open_hall  # noqa: F401 (fixtures)

from assetmap.core.assessments import (
    GDC_UNDERVALUE_LIMIT,
    add_assessment,
    assessment_flags,
    clean_assessment,
    default_criteria_data,
    project_criteria,
    score_total,
    set_project_criteria,
)
from assetmap.core.assessments.criteria import Criterion
from assetmap.core.errors import ValidationError
from assetmap.core.project import Project

CRITERIA = [Criterion(c["id"], c["title"], c["weight"]) for c in default_criteria_data()["criteria"]]
ALL = [c.id for c in CRITERIA]


def test_default_criteria_cover_the_policy_headings_and_total_100() -> None:
    data = default_criteria_data()
    assert [c["id"] for c in data["criteria"]] == ["community_benefit", "organisational_capacity",
                                                    "financial_sustainability", "condition_liabilities",
                                                    "local_priorities"]
    assert sum(c["weight"] for c in data["criteria"]) == 100
    assert "asset transfer" in data["basis"] and data["scale"] == {**data["scale"], "min": 0, "max": 5}


@pytest.mark.parametrize(("scores", "total"), [
    ({c: 5 for c in ALL}, 100.0),
    ({c: 0 for c in ALL}, 0.0),
    ({"community_benefit": 5, "organisational_capacity": 4, "financial_sustainability": 3,
      "condition_liabilities": 2, "local_priorities": 4}, 76.0),  # 30 + 20 + 12 + 6 + 8
    ({"community_benefit": 2.5, "organisational_capacity": 0, "financial_sustainability": 0,
      "condition_liabilities": 0, "local_priorities": 0}, 15.0),
])
def test_score_total_on_known_inputs(scores: dict, total: float) -> None:
    assert score_total(scores, CRITERIA).total == total


def test_weights_are_normalised_whatever_they_add_up_to() -> None:
    crit = [Criterion("a", "A", 1), Criterion("b", "B", 3)]
    result = score_total({"a": 5, "b": 0}, crit)
    assert result.total == 25.0
    assert [(p.points, p.max_points) for p in result.parts] == [(25.0, 25.0), (0.0, 75.0)]
    assert score_total({"a": 0, "b": 5}, crit).total == 75.0


def _with(**changes: object) -> dict:
    raw = full_assessment()
    raw.update(changes)
    return raw


@pytest.mark.parametrize(("market", "transfer", "flagged"), [
    (GDC_UNDERVALUE_LIMIT, 0, False),  # exactly £2m undervalue is within the consent
    (GDC_UNDERVALUE_LIMIT + 1, 0, True),  # just over
    (2_750_000, 750_000, False),
    (2_750_000, 749_999, True),
    (100_000, 250_000, False),  # above market value: no undervalue
    (3_000_000, None, False),  # unknown transfer value: nothing to say
])
def test_general_disposal_consent_boundary(market: int, transfer: int | None, flagged: bool) -> None:
    rec = clean_assessment(_with(market_value=market, transfer_value=transfer), CRITERIA)
    ids = [f["id"] for f in rec["flags"]]
    assert ("gdc_undervalue" in ids) is flagged
    if flagged:
        message = next(f["message"] for f in rec["flags"] if f["id"] == "gdc_undervalue")
        assert "Secretary of State consent" in message and "General Disposal Consent" in message


@pytest.mark.parametrize(("tenure", "noted"), [
    ({"type": "lease", "lease_years": 24}, True),
    ({"type": "lease", "lease_years": 24.5}, True),
    ({"type": "lease", "lease_years": 25}, False),
    ({"type": "lease", "lease_years": 99}, False),
    ({"type": "freehold"}, False),
    ("freehold", False),
])
def test_short_lease_note_below_25_years(tenure: object, noted: bool) -> None:
    rec = clean_assessment(_with(tenure=tenure), CRITERIA)
    notes = [f for f in rec["flags"] if f["id"] == "short_lease"]
    assert bool(notes) is noted
    if noted:
        assert "25-year" in notes[0]["message"]


def test_licence_is_noted_as_giving_no_security() -> None:
    rec = clean_assessment(_with(tenure={"type": "licence"}), CRITERIA)
    assert [f["id"] for f in rec["flags"]] == ["licence"]
    assert assessment_flags({"tenure": {"type": "freehold"}, "market_value": 1, "transfer_value": 1}) == []


@pytest.mark.parametrize(("changes", "key", "expected"), [
    ({"date": None}, "date", "required"),
    ({"date": "next Tuesday"}, "date", "not a date"),
    ({"assessor": ""}, "assessor", "required"),
    ({"recommendation": "yes please"}, "recommendation", "transfer_with_conditions"),
    ({"recommendation": "do_not_transfer", "reasons": None}, "reasons", "required"),
    ({"condition": {"roof": "excellent"}}, "condition.roof", "good, fair, poor"),
    ({"condition": {"rooof": "good"}}, "condition.rooof", "did you mean 'roof'"),
    ({"tenure": {"type": "lease"}}, "tenure.lease_years", "required for a lease"),
    ({"tenure": {"type": "freehold", "lease_years": 10}}, "tenure.lease_years", "only applies"),
    ({"tenure": {"type": "rental"}}, "tenure.type", "freehold, lease, licence"),
    ({"market_value": -5}, "market_value", "pounds"),
    ({"transfer_value": "a lot"}, "transfer_value", "pounds"),
    ({"building": {"year_built": 1965.5}}, "building.year_built", "year"),
    ({"building": {"hours_per_week": 200}}, "building.hours_per_week", "168"),
    ({"building": {"energy_rating": "Z"}}, "building.energy_rating", "A, B, C"),
    ({"building": {"listed_building": "grade III"}}, "building.listed_building", "grade_II"),
    ({"building": "big"}, "building", "expected an object"),
    ({"organisation": {"years_running": "ages"}}, "organisation.years_running", "years"),
    ({"scores": {"community_benefit": 6}}, "scores.community_benefit", "from 0 to 5"),
    ({"scores": None}, "scores", "required"),
    ({"recomendation": "transfer"}, "recomendation", "did you mean 'recommendation'"),
    ({"acv": {"status": "nominated"}}, "acv.nominated_on", "required"),
    ({"acv": "listed"}, "acv", "expected an object"),
])
def test_validation_names_the_key_and_what_was_expected(changes: dict, key: str, expected: str) -> None:
    raw = _with(**changes)
    with pytest.raises(ValidationError) as info:
        clean_assessment(raw, CRITERIA)
    assert key in info.value.problems, info.value.problems
    assert expected in info.value.problems[key]


def test_every_criterion_must_be_scored_and_unknown_ones_are_refused() -> None:
    raw = _with(scores={"community_benefit": 3, "local_priority": 2})
    with pytest.raises(ValidationError) as info:
        clean_assessment(raw, CRITERIA)
    problems = info.value.problems
    assert "scores.local_priority" in problems and "local_priorities" in problems["scores.local_priority"]
    assert problems["scores.organisational_capacity"].startswith("missing")


def test_spreadsheet_style_values_are_accepted() -> None:
    rec = clean_assessment(_with(market_value="£2,500,000", recommendation="Transfer with conditions",
                                 date="04/03/2024", building={"listed_building": False, "groups_using": 7}),
                           CRITERIA)
    assert rec["market_value"] == 2_500_000 and rec["recommendation"] == "transfer_with_conditions"
    assert rec["date"] == "2024-03-04" and rec["building"] == {"listed_building": "no", "groups_using": 7}


def test_criteria_are_copied_into_the_project_on_first_use(open_hall) -> None:  # noqa: F811
    project, asset_id = open_hall
    assert project.get_setting("assessment_criteria") is None
    add_assessment(project, asset_id, full_assessment())
    assert project.get_setting("assessment_criteria") == default_criteria_data()


def test_project_criteria_can_be_edited_and_old_scores_keep_their_criteria(hall) -> None:  # noqa: F811
    path, asset_id = hall
    with Project.open(path) as project:
        first = add_assessment(project, asset_id, full_assessment())
        data = default_criteria_data()
        data["criteria"] = [{"id": "benefit", "title": "Benefit", "weight": 2},
                            {"id": "money", "title": "Money", "weight": 8}]
        set_project_criteria(project, data)
        second = add_assessment(project, asset_id, _with(scores={"benefit": 5, "money": 1}))
    with Project.open(path, readonly=True) as project:
        assert [c.id for c in project_criteria(project)] == ["benefit", "money"]
    assert second["score"] == 36.0  # (2*5/5 + 8*1/5) / 10 * 100
    assert first["score"] == 76.0 and len(first["criteria"]) == 5
    assert [c["id"] for c in second["criteria"]] == ["benefit", "money"]


@pytest.mark.parametrize("criteria", [
    {"criteria": []},
    {"criteria": [{"id": "a", "title": "A", "weight": 0}]},
    {"criteria": [{"id": "a", "title": "A", "weight": 1}, {"id": "a", "title": "B", "weight": 1}]},
    {"criteria": [{"id": "a b", "title": "A", "weight": 1}]},
    {"criteria": [{"id": "a", "title": "", "weight": 1}]},
])
def test_bad_criteria_are_refused(open_hall, criteria: dict) -> None:  # noqa: F811
    project, _ = open_hall
    with pytest.raises(ValidationError):
        set_project_criteria(project, criteria)
    assert project.get_setting("assessment_criteria") is None


def test_readonly_project_uses_defaults_without_writing(hall) -> None:  # noqa: F811
    path: Path = hall[0]
    with Project.open(path, readonly=True) as project:
        assert [c.id for c in project_criteria(project)] == [c.id for c in CRITERIA]
        assert project.get_setting("assessment_criteria") is None
