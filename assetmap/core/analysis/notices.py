"""Missing data is a notice, not a gap: what is mapped nowhere in the project says nothing about a neighbourhood.

A category with no asset anywhere, or a rule none of whose kinds is mapped, would otherwise flag every
inhabited neighbourhood at once, and since priority multiplies the gap score by deprivation those flags
acted as a pure deprivation bonus (with no assets at all the priority list was simply the IMD order).
Here they become one project-level notice each, shown once in the app, the CLI and the report; they add
nothing to any gap score. A rule whose kinds are only partly mapped says which of them it really counted,
so "a place to meet" cannot silently mean "a place of worship".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assetmap.core.analysis.rules import Rule
from assetmap.core.taxonomy import Taxonomy


def _labels(kinds: Iterable[str], taxonomy: Taxonomy, joiner: str = "and") -> str:
    names = [taxonomy.label(k).lower() for k in kinds]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {joiner} " + names[-1]


def mapped_kinds(rule: Rule, present: frozenset[str]) -> list[str]:
    """The rule's kinds with at least one asset in the project (in the rule's own order)."""
    return [k for k in rule.kinds if k in present]


def rule_notice(rule: Rule, present: frozenset[str], taxonomy: Taxonomy) -> str | None:
    """A notice when a rule's kinds are mapped nowhere (no flags then) or only in part (flags, with the caveat)."""
    mapped = mapped_kinds(rule, present)
    if not rule.kinds:
        return None
    if not mapped:
        return (f"Nothing that counts as {rule.title} is mapped yet ({_labels(rule.kinds, taxonomy, 'or')}): "
                "add them to see where they are missing. No neighbourhood is flagged for it meanwhile.")
    missing = [k for k in rule.kinds if k not in present]
    if not missing:
        return None
    return (f"{rule.title[:1].upper() + rule.title[1:]} counts {_labels(mapped, taxonomy)}: "
            f"no {_labels(missing, taxonomy, 'or')} is mapped yet.")


def category_notice(label: str) -> str:
    return f"Nothing is mapped under \u201c{label}\u201d yet: add some to see where they are missing."


def notices_for(rules: Sequence[Rule], present_kinds: frozenset[str], unmapped_categories: Sequence[str],
                labels: Mapping[str, str], taxonomy: Taxonomy) -> list[str]:
    """Every project-level notice of a run, rules first, then the categories mapped nowhere.

    Rules over the same kinds (a coverage rule and its density twin) share one notice, in the first one's words.
    """
    out: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for rule in rules:
        if rule.type not in ("coverage", "density") or tuple(sorted(rule.kinds)) in seen:
            continue
        seen.add(tuple(sorted(rule.kinds)))
        if text := rule_notice(rule, present_kinds, taxonomy):
            out.append(text)
    out += [category_notice(labels.get(c, c)) for c in unmapped_categories]
    return out
