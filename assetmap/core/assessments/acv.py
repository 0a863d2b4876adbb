"""Assets of Community Value (Localism Act 2011 Part 5 Chapter 3; Assets of Community Value
(England) Regulations 2012): the dates that follow from a nomination, a listing and a notice of sale.

Every computed date is the day the period runs out, i.e. the start date plus the period (the
first day the duty or moratorium no longer applies; the Act's periods "begin with" the start
date). Months and years are calendar months and years: 31 August + 6 months is the last day of
February, 29 February + 5 years is 28 February.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from assetmap.core.model import ACV_STATUS, is_blank, parse_date

try:  # pandas depends on python-dateutil, so it is always there in practice
    from dateutil.relativedelta import relativedelta
except ImportError:  # pragma: no cover - fallback kept for a minimal install
    relativedelta = None

DECISION_WEEKS = 8  # regulation 7: the council decides within 8 weeks of receiving a nomination
LISTING_YEARS = 5  # regulation 2: an entry is removed at the end of 5 years from listing
INTERIM_WEEKS = 6  # s.95(6): interim moratorium, 6 weeks from the notice of sale
FULL_MONTHS = 6  # s.95(6): full moratorium, 6 months from the notice, if a group asked to bid
PROTECTED_MONTHS = 18  # s.95(6): protected period, 18 months from the notice


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    if relativedelta is not None:
        shifted: date = start + relativedelta(months=months)  # dateutil ships no type hints
        return shifted
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    for day in range(start.day, 27, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    return date(year, month + 1, min(start.day, 28))


def add_years(start: date, years: int) -> date:
    return add_months(start, 12 * years)


def add_weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


@dataclass(frozen=True)
class AcvRecord:
    """What was recorded about a nomination, listing or sale (dates as ``date``)."""

    status: str = "none"
    nominated_on: date | None = None
    decision_on: date | None = None
    listed_on: date | None = None
    sale_notice_on: date | None = None
    community_bid_requested: bool = False
    community_bid_requested_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "AcvRecord":
        """From stored JSON (already validated)."""
        if not data:
            return cls()
        values: dict[str, Any] = {k: data.get(k) for k in cls.__dataclass_fields__}
        for k, v in values.items():
            if k.endswith("_on") and v:
                values[k] = date.fromisoformat(v)
        values["status"] = values.get("status") or "none"
        values["community_bid_requested"] = bool(values.get("community_bid_requested"))
        return cls(**values)


@dataclass(frozen=True)
class AcvTimeline:
    """The dates that follow from an ``AcvRecord``; None where they do not apply."""

    status: str
    nominated_on: date | None
    decision_due: date | None
    listed_on: date | None
    listing_ends: date | None
    sale_notice_on: date | None
    interim_moratorium_ends: date | None
    full_moratorium_ends: date | None
    protected_period_ends: date | None

    def to_json(self) -> dict[str, str | None]:
        """The ``acv`` object of ``assetmap assessments --json`` (ISO 8601 dates, null where not applicable)."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class DueItem:
    key: str  # the AcvTimeline field
    label: str
    on: date
    days: int  # from today; negative when overdue

    def describe(self) -> str:
        when = "today" if self.days == 0 else (
            f"in {self.days} days" if self.days > 0 else f"{-self.days} days overdue")
        return f"{self.label}: {self.on.isoformat()} ({when})"


LABELS: dict[str, str] = {
    "decision_due": "Council's decision on the nomination due",
    "listing_ends": "Listing ends",
    "interim_moratorium_ends": "Interim moratorium ends (last chance for a community group to ask to bid)",
    "full_moratorium_ends": "Full moratorium ends (owner may then sell to anyone)",
    "protected_period_ends": "Protected period ends (a new sale would start a new moratorium)",
}


def acv_timeline(record: AcvRecord) -> AcvTimeline:
    """Compute the statutory dates for what has been recorded."""
    decision_due = add_weeks(record.nominated_on, DECISION_WEEKS) if record.nominated_on else None
    listed = record.listed_on if record.status in ("listed", "expired") else None
    listing_ends = add_years(listed, LISTING_YEARS) if listed else None
    notice = record.sale_notice_on if listed else None
    interim = add_weeks(notice, INTERIM_WEEKS) if notice else None
    full = None
    if notice and record.community_bid_requested and interim:
        asked = record.community_bid_requested_on
        if asked is None or notice <= asked < interim:
            full = add_months(notice, FULL_MONTHS)
    protected = add_months(notice, PROTECTED_MONTHS) if notice else None
    return AcvTimeline(record.status, record.nominated_on, decision_due, listed, listing_ends, notice,
                       interim, full, protected)


def next_due(timeline: AcvTimeline, today: date) -> DueItem | None:
    """What is due next on or after ``today`` (an overdue decision on a nomination comes first)."""
    if timeline.status == "nominated" and timeline.decision_due:
        return DueItem("decision_due", LABELS["decision_due"], timeline.decision_due,
                       (timeline.decision_due - today).days)
    if timeline.status != "listed":
        return None
    keys = ("interim_moratorium_ends", "full_moratorium_ends", "protected_period_ends", "listing_ends")
    upcoming = [(getattr(timeline, k), k) for k in keys if getattr(timeline, k) and getattr(timeline, k) >= today]
    if not upcoming:
        return None
    on, key = min(upcoming)
    return DueItem(key, LABELS[key], on, (on - today).days)


def _date(raw: Mapping[str, Any], key: str, problems: dict[str, str]) -> date | None:
    value = raw.get(key)
    if is_blank(value):
        return None
    try:
        return date.fromisoformat(parse_date(value))
    except (ValueError, TypeError) as exc:
        problems[f"acv.{key}"] = str(exc)
        return None


def clean_acv(raw: Any) -> tuple[AcvRecord | None, dict[str, str]]:
    """Check the ``acv`` object of an assessment; returns (record, problems keyed ``acv.<key>``)."""
    if raw is None:
        return None, {}
    if not isinstance(raw, Mapping):
        return None, {"acv": "expected an object with status, nominated_on, listed_on, sale_notice_on, ..."}
    problems: dict[str, str] = {}
    known = set(AcvRecord.__dataclass_fields__)
    for key in raw:
        if key not in known:
            problems[f"acv.{key}"] = f"unknown key (expected one of: {', '.join(sorted(known))})"
    status = str(raw.get("status") or "").strip().lower()
    if status not in ACV_STATUS:
        problems["acv.status"] = f"expected one of: {', '.join(ACV_STATUS)}"
    dates = {k: _date(raw, k, problems) for k in known if k.endswith("_on")}
    bid = raw.get("community_bid_requested", False)
    if bid is None:
        bid = False
    if not isinstance(bid, bool):
        problems["acv.community_bid_requested"] = "expected true or false"
        bid = False
    record = AcvRecord(status=status or "none", community_bid_requested=bid, **dates)
    _check_consistency(record, problems)
    return record, problems


def _check_consistency(r: AcvRecord, problems: dict[str, str]) -> None:
    if "acv.status" in problems:
        return
    if r.status in ("nominated", "unsuccessful") and not r.nominated_on:
        problems.setdefault("acv.nominated_on", f"required when status is '{r.status}'")
    if r.status in ("listed", "expired") and not r.listed_on:
        problems.setdefault("acv.listed_on", f"required when status is '{r.status}'")
    if r.status in ("none", "nominated", "unsuccessful") and r.listed_on:
        problems.setdefault("acv.listed_on", f"given but status is '{r.status}' (use 'listed' or 'expired')")
    if r.status == "none" and r.nominated_on:
        problems.setdefault("acv.nominated_on",
                            "given but status is 'none' (use 'nominated', 'listed' or 'unsuccessful')")
    if r.nominated_on and r.listed_on and r.listed_on < r.nominated_on:
        problems.setdefault("acv.listed_on", "is before nominated_on")
    if r.nominated_on and r.decision_on and r.decision_on < r.nominated_on:
        problems.setdefault("acv.decision_on", "is before nominated_on")
    if r.sale_notice_on:
        if not r.listed_on:
            problems.setdefault("acv.sale_notice_on",
                                "a notice of sale only applies to a listed asset (give listed_on)")
        elif r.sale_notice_on < r.listed_on:
            problems.setdefault("acv.sale_notice_on", "is before listed_on")
    if r.community_bid_requested and not r.sale_notice_on:
        problems.setdefault("acv.community_bid_requested", "true but no sale_notice_on is given")
    if r.community_bid_requested_on and not r.community_bid_requested:
        problems.setdefault("acv.community_bid_requested", "expected true when community_bid_requested_on is given")
