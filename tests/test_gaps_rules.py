"""Rules as data: the defaults, validation, and each project's editable copy."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from assetmap.core.analysis import (
    default_rules,
    project_rules,
    run_gaps,
    set_project_rules,
)
from assetmap.core.analysis.rules import default_rules_dict, validate_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.project import Project


def test_default_rules_carry_distance_walk_target_severity_and_source() -> None:
    rules = {r.id: r for r in default_rules().rules}
    assert set(rules) >= {"place_to_meet", "places_to_meet_density", "green_space_2ha_300m",
                          "green_space_20ha_2km", "play_area_400m", "missing_category"}
    meet = rules["place_to_meet"]
    assert meet.distance_m == 800 and meet.walk_minutes == 10 and meet.target == 0.9
    assert {"physical/community_centre", "physical/village_hall", "physical/church_hall", "physical/place_of_worship",
            "associations/youth_club", "physical/community_hub", "institutions/library"} == set(meet.kinds)
    assert rules["green_space_2ha_300m"].min_area_m2 == 20000 and rules["green_space_20ha_2km"].min_area_m2 == 200000
    assert all(r.source for r in rules.values())
    assert "Natural England" in rules["green_space_2ha_300m"].source
    assert "Fields in Trust" in rules["play_area_400m"].source
    assert "Local Trust" in rules["places_to_meet_density"].source


@pytest.mark.parametrize(("change", "words"), [
    ({"kinds": ["physical/moon_base"]}, "unknown kind"),
    ({"target": 1.5}, "between 0 and 1"),
    ({"distance_m": -5}, "more than 0"),
    ({"severity": "dire"}, "severity"),
    ({"type": "vibes"}, "type"),
])
def test_bad_rules_are_refused_with_a_reason(change: dict, words: str) -> None:
    data = default_rules_dict()
    data["rules"][0].update(change)
    with pytest.raises(AssetmapError, match=words):
        validate_rules(data)


def test_duplicate_ids_are_refused() -> None:
    data = default_rules_dict()
    data["rules"].append(dict(data["rules"][0]))
    with pytest.raises(AssetmapError, match="used twice"):
        validate_rules(data)


def test_rules_are_copied_into_the_project_on_first_run_and_edits_are_used(empty_project: Path) -> None:
    with Project.open(empty_project) as project:
        assert project.get_setting("gap_rules") is None
        project.add_asset({"name": "Hall", "category": "physical", "kind": "physical/community_centre"},
                          shapely.Point(380500, 390500))
        first = run_gaps(project)
        assert project.get_setting("gap_rules")["rules"][0]["id"] == "place_to_meet"
        assert first.neighbourhoods[0]["coverage"]["place_to_meet"] == 1.0  # corners are 707 m away
        data = project_rules(project).to_dict()
        data["rules"][0]["distance_m"] = 400
        set_project_rules(project, data)
        second = run_gaps(project)
    assert second.neighbourhoods[0]["coverage"]["place_to_meet"] == pytest.approx(0.5027, abs=0.002)  # pi*400^2 / 1 km2
    assert project_rules(Project.open(empty_project, readonly=True)).rules[0].walk_minutes == 5
    with Project.open(empty_project) as project, pytest.raises(AssetmapError):
        set_project_rules(project, {"rules": [{"id": "x", "type": "coverage", "kinds": []}]})
