"""Green space open to people: school and club grounds do not count for the green-space rules unless tagged
open to the public (assetmap issue 12, point 5). Real GeoPackage projects; coverage here is of the area
(the projects have no postcode lookup), so a qualifying green space next to West gives West a share > 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely

from assetmap.core.analysis import GapOptions, default_rules, run_gaps, validate_rules
from assetmap.core.analysis.green_access import grounds_name, missing_kinds_sentence, tag_access
from assetmap.core.analysis.rules import default_rules_dict, set_project_rules
from assetmap.core.errors import AssetmapError
from assetmap.core.project import Project

X0, Y0 = 380000, 390000  # the fixture's West square is X0..X0+1000, Y0..Y0+1000
RULE = "green_space_2ha_300m"
FIELD = shapely.box(X0 + 100, Y0 + 100, X0 + 300, Y0 + 250)  # 200 m x 150 m: 3 ha


def _add(path: Path, kind: str, point: tuple[float, float] | None, area: shapely.Geometry | None = None,
         **values: Any) -> str:
    with Project.open(path) as project:
        geom = shapely.Point(*point) if point else (area.representative_point() if area is not None else None)
        return project.add_asset({"name": values.pop("name", kind), "category": kind.split("/")[0], "kind": kind,
                                  "visibility": "public", **values}, geom, area)


def _west(path: Path) -> tuple[float, dict[str, Any]]:
    with Project.open(path) as project:
        result = run_gaps(project, GapOptions(homes=False))
    west = next(r for r in result.neighbourhoods if r["name"] == "West")
    return west["coverage"][RULE], result.meta


def test_a_school_playing_field_does_not_count_a_public_one_does(empty_project: Path, tmp_path: Path) -> None:
    public = tmp_path / "public.gpkg"
    public.write_bytes(empty_project.read_bytes())
    _add(public, "physical/playing_field", None, FIELD, name="Moor Lane Playing Field")
    share, meta = _west(public)
    assert share > 0.2  # the 3 ha field and 300 m around it lie in West
    assert meta["grounds_left_out"][RULE] == 0

    # the same field holding a school's point is the school's field: it does not count
    _add(empty_project, "physical/playing_field", None, FIELD, name="Moor Lane Playing Field")
    _add(empty_project, "institutions/school", (X0 + 200, Y0 + 175), name="Moor Lane Primary School")
    share, meta = _west(empty_project)
    assert share == 0.0
    assert meta["grounds_left_out"] == {RULE: 1, "green_space_20ha_2km": 0}  # 3 ha: too small for 20 ha anyway


def test_open_to_the_public_makes_the_school_field_count(empty_project: Path) -> None:
    _add(empty_project, "physical/playing_field", None, FIELD, name="Moor Lane Playing Field",
         tags="Open to the public")
    _add(empty_project, "institutions/school", (X0 + 200, Y0 + 175), name="Moor Lane Primary School")
    share, meta = _west(empty_project)
    assert share > 0.2
    assert meta["grounds_left_out"][RULE] == 0


@pytest.mark.parametrize(("place", "counts"), [((X0 + 320, Y0 + 175), False),  # a club 20 m east of the field
                                               ((X0 + 340, Y0 + 175), True)])  # 40 m: not its ground
def test_a_sports_club_within_25_m_makes_it_club_grounds(empty_project: Path, place: tuple[float, float],
                                                         counts: bool) -> None:
    _add(empty_project, "physical/playing_field", None, FIELD, name="Moor Lane Playing Fields")
    _add(empty_project, "associations/sports_club", place, name="Moor Lane Athletic")
    share, _ = _west(empty_project)
    assert (share > 0.2) is counts


@pytest.mark.parametrize("name", ["Sale Rugby Club Training Ground", "St Ann's School field",
                                  "Brooklands CRICKET ground", "Tennis courts", "Altrincham Academy pitches"])
def test_a_name_that_says_school_or_club_is_their_ground(empty_project: Path, name: str) -> None:
    _add(empty_project, "physical/playing_field", None, FIELD, name=name)
    share, meta = _west(empty_project)
    assert share == 0.0 and meta["grounds_left_out"][RULE] == 1


def test_parks_count_near_a_school_and_a_private_tag_leaves_anything_out(empty_project: Path, tmp_path: Path) -> None:
    _add(empty_project, "physical/park", None, FIELD, name="Golf Road Park")  # a park is a park, whatever its name
    _add(empty_project, "institutions/school", (X0 + 200, Y0 + 175), name="Golf Road School")
    assert _west(empty_project)[0] > 0.2
    private = tmp_path / "private.gpkg"
    Project.create(private, 27700, neighbourhoods=_squares(empty_project))
    _add(private, "physical/park", None, FIELD, name="Hall Gardens", tags="private; no dogs")
    share, meta = _west(private)
    assert share == 0.0 and meta["grounds_left_out"][RULE] == 1


def _squares(path: Path) -> Any:
    with Project.open(path, readonly=True) as project:
        return project.neighbourhoods()


def test_rules_stored_before_restricted_kinds_still_work(empty_project: Path) -> None:
    """A project whose stored rules have no 'restricted_kinds' (made before it existed) keeps counting as it did."""
    old = default_rules_dict()
    for rule in old["rules"]:
        rule.pop("restricted_kinds", None)
    with Project.open(empty_project) as project:
        set_project_rules(project, old)
    _add(empty_project, "physical/playing_field", None, FIELD, name="Moor Lane Playing Field")
    _add(empty_project, "institutions/school", (X0 + 200, Y0 + 175), name="Moor Lane Primary School")
    share, meta = _west(empty_project)
    assert share > 0.2 and meta["grounds_left_out"] == {}


def test_the_rule_data_says_which_kinds_are_restricted() -> None:
    rules = {r.id: r for r in default_rules().rules}
    for rule_id in (RULE, "green_space_20ha_2km"):
        rule = rules[rule_id]
        assert set(rule.restricted_kinds) == {"physical/playing_field"}
        assert "physical/sports_ground" not in rule.kinds  # pitches are not green space open to everyone
        assert {"physical/park", "physical/green_space", "physical/nature_reserve"} <= set(rule.kinds)
        assert set(rule.restricted_kinds) <= set(rule.kinds)
        assert rule.public()["restricted_kinds"] == list(rule.restricted_kinds)
    assert "open to the public" in rules[RULE].notes and "25 m" in rules[RULE].notes
    again = validate_rules(default_rules().to_dict())  # stored and read back
    assert again.rules == default_rules().rules
    bad = default_rules_dict()
    bad["rules"][2]["restricted_kinds"] = ["physical/no_such_kind"]
    with pytest.raises(AssetmapError, match="restricted_kinds"):
        validate_rules(bad)
    edited = default_rules_dict()  # the app's rule editor took playing fields out of the rule's kinds
    edited["rules"][2]["kinds"].remove("physical/playing_field")
    assert validate_rules(edited).rules[2].restricted_kinds == ()


def test_tags_and_names() -> None:
    assert tag_access(["Open to the public", "public-access, dogs", "open_access", "private", "School grounds",
                       "club grounds|x", "No public access", None, "", "publicity", ["open to public"]]).tolist() == \
        [1, 1, 1, -1, -1, -1, -1, 0, 0, 0, 1]
    assert grounds_name(["Sale Rugby Club", "Clubhouse Lane Park", "Golf Road Park", "Hale schools field", None,
                         "Playing field"]).tolist() == [True, False, True, True, False, False]


def test_the_note_names_the_kinds_of_green_space_the_data_lacks(empty_project: Path) -> None:
    rule = next(r for r in default_rules().rules if r.id == RULE)
    present = {"physical/park", "physical/playing_field", "physical/sports_ground"}
    assert missing_kinds_sentence(rule, present) == ("The green space data has no commons, woodland, country parks, "
                                                     "village greens or nature reserves: sites such as these are not "
                                                     "counted.")
    assert missing_kinds_sentence(rule, set(rule.kinds)) is None
    assert missing_kinds_sentence(rule, set()) is None  # nothing mapped: the run's notice says so already
    _add(empty_project, "physical/park", None, FIELD, name="Moor Lane Park")
    _add(empty_project, "physical/nature_reserve", None, shapely.box(X0 + 500, Y0 + 500, X0 + 700, Y0 + 700),
         name="Moor Lane Meadows")
    notes = _west(empty_project)[1]["green_space_notes"]
    assert notes[RULE] == notes["green_space_20ha_2km"]
    assert notes[RULE] == ("The green space data has no commons, woodland, country parks, village greens or playing "
                           "fields: sites such as these are not counted.")
