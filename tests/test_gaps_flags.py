"""Flag sentences, priority order and the 'left behind' mark."""

from __future__ import annotations

import numpy as np

from assetmap.core.analysis import default_rules
from assetmap.core.analysis.flags import coverage_flag, format_distance, priorities


def _rule(rule_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in default_rules().rules if r.id == rule_id)


def test_the_sentence_a_resident_reads() -> None:
    flag = coverage_flag(_rule("place_to_meet"), "Lozells", 0.4178, by_population=False)
    assert flag is not None
    assert flag.message == "Only 41% of the area of Lozells is within 800 m of a place to meet (target 90%)."
    assert flag.severity == "high"
    by_people = coverage_flag(_rule("place_to_meet"), "Lozells", 0.4178, by_population=True)
    assert by_people is not None
    assert by_people.message == "Only 41% of residents of Lozells live within 800 m of a place to meet (target 90%)."


def test_no_flag_at_or_above_target_and_never_rounded_up_to_it() -> None:
    assert coverage_flag(_rule("place_to_meet"), "X", 0.9, by_population=False) is None
    just_short = coverage_flag(_rule("place_to_meet"), "X", 0.8999, by_population=False)
    assert just_short is not None and "Only 89%" in just_short.message
    assert format_distance(2000) == "2 km" and format_distance(300) == "300 m" and format_distance(1500) == "1.5 km"


def test_priority_weighs_gaps_against_deprivation() -> None:
    scores = np.array([5.0, 5.0, 0.0, 2.0])
    rank, left_behind = priorities(scores, [9, 2, 1, None], ["A", "B", "C", "D"])
    # Same gaps: the more deprived (decile 2) first; no gaps at all: last, however deprived.
    assert rank == [2, 1, 4, 3]
    assert left_behind == [False, False, False, False]


def test_left_behind_needs_worst_tenth_on_both() -> None:
    scores = np.array([9.0] + [1.0] * 19)
    deciles = [1] + [1] * 19
    rank, left_behind = priorities(scores, deciles, [f"N{i:02d}" for i in range(20)])
    assert left_behind == [True] + [False] * 19
    rank2, left2 = priorities(scores, [2] + [1] * 19, [f"N{i:02d}" for i in range(20)])
    assert left2 == [False] * 20  # worst on gaps but not in the most deprived tenth
    assert rank[0] == 1 and rank2[0] == 1
