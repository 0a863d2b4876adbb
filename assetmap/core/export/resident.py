"""What a neighbourhood's popup on the public map says: what is near and what is missing, in a resident's words.

The team's flags are sentences for a worker ("Only 57% of homes in Sale Moor 018D are within 800 m of a place
to meet (target 90%): about 650 of its 1,520 residents live further away", and caveats about the data). A
resident opening the map from a message wants one or two plain sentences: which everyday places most homes
are near, and the one or two things most missing. The worker's wording and caveats stay in the app, the CSV
and the report; none of it reaches the public map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assetmap.core.analysis.flags import format_distance
from assetmap.core.analysis.rules import SEVERITIES

MISSING_SHOWN = 2  # a popup names at most this many missing things (most serious first)


def _joined(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _near(result: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]) -> str | None:
    """"Most homes here are within 800 m of a place to meet and 400 m of a play area.\""""
    coverage = result.get("coverage") or {}
    met = [r for r in rules if r.get("distance_m") and isinstance(coverage.get(r["id"]), (int, float))
           and coverage[r["id"]] >= float(r.get("target") or 1)]
    if not met:
        return None
    by_area = all((result.get("coverage_basis") or {}).get(r["id"], "area") == "area" for r in met)
    parts = [f"{format_distance(float(r['distance_m']))} of {r['title']}" for r in met]
    return f"{'Most of this area is' if by_area else 'Most homes here are'} within {_joined(parts)}."


def _missing(flag: Mapping[str, Any], result: Mapping[str, Any], rules: Mapping[str, Mapping[str, Any]],
             labels: Mapping[str, str]) -> str | None:
    rule = rules.get(str(flag.get("rule")))
    if rule is None:
        return None
    kind = rule.get("type")
    if kind == "coverage":
        share = (result.get("coverage") or {}).get(rule["id"])
        distance, title = format_distance(float(rule.get("distance_m") or 0)), rule["title"]
        by_area = (result.get("coverage_basis") or {}).get(rule["id"], "area") == "area"
        none, most, some = (("No part of this area is", "Most of this area is", "Part of this area is") if by_area
                            else ("No home here is", "Most homes here are", "Some homes here are"))
        if not isinstance(share, (int, float)) or share <= 0:
            return f"{none} within {distance} of {title}."
        return f"{most if share < 0.5 else some} further than {distance} from {title}."
    if kind == "density":
        what = str(rule["title"]).split(" per ")[0]
        return f"There are fewer {what} nearby for the number of people who live here than in most of the area."
    if kind == "missing_category":
        label = labels.get(str(flag.get("category")))  # runs stored before flags named it: read the sentence
        if label is None:
            label = next((lab for lab in labels.values() if f"\u201c{lab}\u201d" in str(flag.get("message"))), None)
        return f"Nothing here is mapped under \u201c{label}\u201d yet: do you know of any?" if label else None
    return None


def resident_summary(result: Mapping[str, Any], rules: Sequence[Mapping[str, Any]],
                     labels: Mapping[str, str]) -> dict[str, Any]:
    """{"near": sentence or None, "missing": up to two sentences, "more": how many other gaps the team sees}."""
    by_id = {str(r.get("id")): r for r in rules}
    order = {str(r.get("id")): i for i, r in enumerate(rules)}
    flags = [f for f in result.get("flags") or [] if isinstance(f, Mapping)]
    ranked = sorted(flags, key=lambda f: (-SEVERITIES.get(str(f.get("severity")), 0),
                                          order.get(str(f.get("rule")), len(order))))
    missing: list[str] = []
    for flag in ranked:
        text = _missing(flag, result, by_id, labels)
        if text and text not in missing:
            missing.append(text)
    return {"near": _near(result, [r for r in rules if r.get("type") == "coverage"]),
            "missing": missing[:MISSING_SHOWN], "more": max(0, len(missing) - MISSING_SHOWN)}
