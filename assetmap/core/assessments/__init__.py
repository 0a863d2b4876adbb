"""Community asset transfer assessments and Assets of Community Value (issue 6).

The GUI and the CLI call these functions; nothing here imports Qt.
"""

from assetmap.core.assessments.acv import (
    AcvRecord,
    AcvTimeline,
    DueItem,
    acv_timeline,
    add_months,
    add_weeks,
    add_years,
    next_due,
)
from assetmap.core.assessments.criteria import (
    Criterion,
    default_criteria_data,
    project_criteria,
    project_criteria_data,
    set_project_criteria,
)
from assetmap.core.assessments.record import clean_assessment
from assetmap.core.assessments.scoring import (
    GDC_UNDERVALUE_LIMIT,
    LEASE_THRESHOLD_YEARS,
    ScoreResult,
    assessment_flags,
    score_total,
)
from assetmap.core.assessments.store import (
    AddAssessment,
    acv_for,
    add_assessment,
    assessment_summaries,
    assessments_for,
    get_assessment,
    latest_assessments,
)

__all__ = [
    "AcvRecord", "AcvTimeline", "AddAssessment", "Criterion", "DueItem", "GDC_UNDERVALUE_LIMIT",
    "LEASE_THRESHOLD_YEARS", "ScoreResult", "acv_for", "acv_timeline", "add_assessment", "add_months", "add_weeks",
    "add_years", "assessment_flags", "assessment_summaries", "assessments_for", "clean_assessment",
    "default_criteria_data", "get_assessment", "latest_assessments", "next_due", "project_criteria",
    "project_criteria_data", "score_total", "set_project_criteria",
]
