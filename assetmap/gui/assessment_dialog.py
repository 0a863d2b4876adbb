"""The "Assess building" dialog: one community asset transfer assessment, validated by the core.

The dialog lays out inputs keyed by the assessment JSON keys (``docs/assessment_json.md``), sends the
raw values to ``submit`` (the document's undoable ``AddAssessment``), and, when the core refuses them,
shows each problem beside its input. Nothing is written until the core accepts the whole assessment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from assetmap.core.assessments import Criterion, acv_timeline, clean_assessment, score_total
from assetmap.core.assessments.acv import clean_acv
from assetmap.core.assessments.record import (
    CONDITION_GRADES,
    ENERGY_RATINGS,
    LISTED_BUILDING,
    RECOMMENDATIONS,
    TENURE_TYPES,
)
from assetmap.core.errors import AssetmapError, ValidationError
from assetmap.core.model import ACV_STATUS
from assetmap.gui.assessment_fields import KeyedField, nest, unnest
from assetmap.gui.field_editor import pretty
from assetmap.gui.problem_label import problem_label
from assetmap.gui.screen import fit_to_screen

Spec = tuple[str, str, str, dict[str, Any]]  # key, label, kind, options
DATE_HINT = {"placeholder": "e.g. 2024-03-31 or 31/03/2024"}
MONEY = {"placeholder": "£, e.g. 450,000"}


LISTED_TEXT = {"no": "Not listed", "grade_I": "Grade I", "grade_II*": "Grade II*", "grade_II": "Grade II",
               "locally_listed": "Locally listed", "yes": "Listed (grade not known)"}


def _choices(values: Sequence[str]) -> dict[str, Any]:
    return {"choices": [(v, LISTED_TEXT.get(v) or pretty(v)) for v in values]}


SECTIONS: tuple[tuple[str, tuple[Spec, ...]], ...] = (
    ("The assessment", (
        ("date", "Date of the assessment*", "date", DATE_HINT),
        ("assessor", "Assessor*", "text", {"placeholder": "Name and role"}))),
    ("The building", (
        ("building.floor_area_m2", "Floor area (m²)", "number", {}),
        ("building.year_built", "Year built", "number", {"placeholder": "e.g. 1965"}),
        ("building.listed_building", "Listed building", "choice", _choices(LISTED_BUILDING)),
        ("building.current_use", "Current use", "text", {}),
        ("building.hours_per_week", "Hours of use a week", "number", {"placeholder": "0 to 168"}),
        ("building.groups_using", "Groups using it", "lines",
         {"placeholder": "One group per line, or just how many", "count_alone": True}),
        ("building.annual_running_costs", "Annual running costs", "number", MONEY),
        ("building.repair_backlog", "Repair backlog", "number", MONEY),
        ("building.energy_rating", "Energy rating (EPC)", "choice", _choices(ENERGY_RATINGS)))),
    ("Condition", tuple((f"condition.{k}", label, "choice", _choices(CONDITION_GRADES)) for k, label in (
        ("structure", "Structure"), ("roof", "Roof"), ("mechanical_electrical", "Mechanical and electrical"),
        ("accessibility", "Accessibility"), ("fire_safety", "Fire safety")))),
    ("Tenure and value", (
        ("tenure.type", "Tenure offered", "choice", _choices(TENURE_TYPES)),
        ("tenure.lease_years", "Lease length (years)", "number", {"placeholder": "for a lease"}),
        ("market_value", "Market value", "number", MONEY),
        ("transfer_value", "Proposed transfer value", "number", MONEY))),
    ("The organisation taking it on", (
        ("organisation.name", "Name", "text", {}),
        ("organisation.legal_form", "Legal form", "text", {"placeholder": "e.g. CIO, CBS, charitable company"}),
        ("organisation.years_running", "Years running", "number", {}),
        ("organisation.governance", "Governance", "long", {}),
        ("organisation.finances", "Finances", "long", {}),
        ("organisation.building_experience", "Experience of running buildings", "long", {}))),
    ("The case", (
        ("community_benefit", "Evidence of community benefit", "long", {}),
        ("risks", "Risks", "lines", {"placeholder": "One risk per line"}))),
)
AFTER_SCORES: tuple[tuple[str, tuple[Spec, ...]], ...] = (
    ("Recommendation", (
        ("recommendation", "Recommendation*", "choice", _choices(RECOMMENDATIONS)),
        ("reasons", "Reasons", "long", {"placeholder": "Required when the recommendation is not to transfer"}),
        ("conditions", "Conditions of transfer", "lines", {"placeholder": "One condition per line"}))),
    ("Asset of Community Value", (
        ("acv.status", "Status", "choice", _choices(ACV_STATUS)),
        ("acv.nominated_on", "Nominated on", "date", DATE_HINT),
        ("acv.decision_on", "Council decided on", "date", DATE_HINT),
        ("acv.listed_on", "Listed on", "date", DATE_HINT),
        ("acv.sale_notice_on", "Owner's notice of sale on", "date", DATE_HINT),
        ("acv.community_bid_requested", "A community group asked to be treated as a bidder", "check", {}),
        ("acv.community_bid_requested_on", "Asked on", "date", DATE_HINT))),
    ("Notes", (("notes", "Notes (kept in the project, not on the report)", "long", {}),)),
)
FALLBACK = {"tenure": "tenure.type", "acv": "acv.status", "building": "building.floor_area_m2",
            "condition": "condition.structure", "organisation": "organisation.name"}


class AssessmentDialog(QDialog):
    """Fill in, press Save: ``submit(raw)`` stores it (undoably) or raises ValidationError, shown per field."""

    def __init__(self, asset: Mapping[str, Any], criteria: Sequence[Criterion], previous: Mapping[str, Any] | None,
                 submit: Callable[[dict[str, Any]], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asset, self.criteria, self.submit = asset, list(criteria), submit
        self.saved_id = ""
        self._checked = False  # after a refused Save, problems follow every edit
        name = str(asset.get("name") or "this asset")
        self.setWindowTitle(f"Assess {name}")
        self.fields: dict[str, KeyedField] = {}
        heading = QLabel(f"Community asset transfer assessment of {name}")
        heading.setStyleSheet("font-weight: bold; font-size: 14px;")
        heading.setWordWrap(True)
        intro = QLabel("A new assessment is added to the building's history; earlier ones are kept. Fields marked * "
                       "are required, and every criterion needs a score.")
        intro.setWordWrap(True)
        self.summary = problem_label(bold=True)
        self.summary.setVisible(False)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        for title, specs in SECTIONS:
            body_layout.addWidget(self._group(title, specs))
        body_layout.addWidget(self._scores_group())
        for title, specs in AFTER_SCORES:
            body_layout.addWidget(self._group(title, specs))
        self.acv_dates = QLabel("")
        self.acv_dates.setWordWrap(True)
        self.acv_dates.setStyleSheet("color: #333;")
        acv_group = self.fields["acv.community_bid_requested_on"].parentWidget()
        acv_form = acv_group.layout() if acv_group is not None else None
        assert isinstance(acv_form, QFormLayout), "_group puts each field in a form"
        acv_form.addRow(self.acv_dates)
        self.scroll_area = QScrollArea()  # not "scroll": that would hide QWidget.scroll()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save_button is not None, "the box was made with a Save button"
        self.save_button = save_button
        self.save_button.setText("Save assessment")
        self.save_button.setToolTip("Check and add this assessment to the project (Edit ▸ Undo takes it out again).")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 640, 760)
        self._prefill(previous)
        for f in self.fields.values():
            f.edited.connect(self._edited)
        self._edited()

    # --- building the form ----------------------------------------------------------------------

    def _group(self, title: str, specs: Sequence[Spec]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label, kind, options in specs:
            field = KeyedField(key, label.rstrip("*"), kind, **options)
            self.fields[key] = field
            if kind == "check":
                form.addRow(field)
            else:
                caption = QLabel(label)
                caption.setBuddy(field.input)
                form.addRow(caption, field)
        return box

    def _scores_group(self) -> QGroupBox:
        box = QGroupBox("Scores against the project's criteria (0 = no evidence … 5 = excellent)")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for c in self.criteria:
            tip = " ".join(t for t in (c.question, f"Evidence: {c.evidence}" if c.evidence else "") if t)
            field = KeyedField(f"scores.{c.id}", c.title, "score", tip=tip)
            self.fields[field.key] = field
            caption = QLabel(f"{c.title} (weight {c.weight:g})")
            caption.setToolTip(tip)
            caption.setBuddy(field.input)
            form.addRow(caption, field)
        self.total = QLabel("")
        self.total.setStyleSheet("font-weight: bold; font-size: 13px;")
        self.total.setAccessibleName("Total score")
        return box

    def _prefill(self, previous: Mapping[str, Any] | None) -> None:
        """Start from the newest assessment (a new record: the date is today's) or the asset's ACV fields."""
        if previous:
            for key, field in self.fields.items():
                field.set_value(unnest(dict(previous), key))
        elif self.asset.get("acv_status") not in (None, "", "none"):
            self.fields["acv.status"].set_value(self.asset.get("acv_status"))
            self.fields["acv.listed_on"].set_value(self.asset.get("acv_listed_on"))
        self.fields["date"].set_value(date.today().isoformat())

    # --- values and problems ----------------------------------------------------------------------

    def raw(self) -> dict[str, Any]:
        """The assessment JSON the core expects (scores always present, so a missing one is named)."""
        raw = nest(list(self.fields.values()))
        raw.setdefault("scores", {})
        if ("acv" in raw and set(raw["acv"]) == {"community_bid_requested"}
                and not raw["acv"]["community_bid_requested"]):
            del raw["acv"]
        return raw

    def _edited(self) -> None:
        scores = {c.id: self.fields[f"scores.{c.id}"].value() for c in self.criteria}
        missing = sum(1 for v in scores.values() if v is None)
        total = score_total({k: v or 0 for k, v in scores.items()}, self.criteria).total if self.criteria else 0
        if self.criteria and missing == len(self.criteria):  # "0 out of 100" read as a verdict before any score
            self.total.setText(f"Total score: none yet. Score the {missing} criteria under “Scores” to work it out.")
        else:
            self.total.setText(f"Total score: {total:g} out of 100"
                               + (f" ({missing} {'criterion' if missing == 1 else 'criteria'} not scored yet)"
                                  if missing else ""))
        self._show_acv_dates()
        if self._checked:
            try:
                clean_assessment(self.raw(), self.criteria)
                self.show_problems({})
            except ValidationError as exc:
                self.show_problems(exc.problems)

    def _show_acv_dates(self) -> None:
        record, problems = clean_acv(self.raw().get("acv"))
        if record is None or problems:
            self.acv_dates.setText("")
            return
        t = acv_timeline(record)
        parts = [(label, getattr(t, key)) for key, label in (
            ("decision_due", "decision due"), ("listing_ends", "listing ends"),
            ("interim_moratorium_ends", "interim moratorium ends"), ("full_moratorium_ends", "full moratorium ends"),
            ("protected_period_ends", "protected period ends"))]
        shown = [f"{label} {on.isoformat()}" for label, on in parts if on]
        self.acv_dates.setText(("Dates that follow: " + "; ".join(shown) + ".") if shown else "")

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """Each problem beside its input (a section's problem beside its first input); the rest at the top."""
        placed: dict[str, list[str]] = {}
        general: list[str] = []
        for key, message in problems.items():
            target = key if key in self.fields else FALLBACK.get(key.split(".")[0])
            if key == "scores" and self.criteria:
                target = f"scores.{self.criteria[0].id}"
            if target in self.fields:
                placed.setdefault(target, []).append(message)
            else:
                general.append(f"{key}: {message}" if key else message)
        for key, field in self.fields.items():
            field.show_problem("; ".join(placed[key]) if key in placed else None)
        count = len(problems)
        text = "" if not count else (f"{count} problem{'s' if count > 1 else ''}: see the fields marked in red. "
                                     "Nothing has been saved yet.")
        self.summary.setText(text + ("\n" + "\n".join(general) if general else ""))
        self.summary.setVisible(bool(count))

    def first_problem(self) -> KeyedField | None:
        return next((f for f in self.fields.values() if f.problem.text()), None)

    def save(self) -> None:
        """Hand the raw values to the core; on a refusal show why and keep the dialog open."""
        try:
            self.saved_id = self.submit(self.raw())
        except ValidationError as exc:
            self._checked = True
            self.show_problems(exc.problems)
            first = self.first_problem()
            if first is not None:
                self.scroll_area.ensureWidgetVisible(first)
                first.input.setFocus()
            return
        except AssetmapError as exc:
            self.show_problems({"": str(exc)})
            return
        self.accept()
