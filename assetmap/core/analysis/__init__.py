"""Gap analysis: counts, walking-distance coverage, plain-language flags and priorities (DESIGN section 4)."""

from assetmap.core.analysis.rules import (
    RuleSet,
    default_rules,
    ensure_project_rules,
    project_rules,
    set_project_rules,
    validate_rules,
)
from assetmap.core.analysis.run import (
    GapOptions,
    GapResult,
    analyse,
    run_gaps,
    stored_results,
)

__all__ = [
    "GapOptions", "GapResult", "RuleSet", "analyse", "default_rules", "ensure_project_rules", "project_rules",
    "run_gaps", "set_project_rules", "stored_results", "validate_rules",
]
