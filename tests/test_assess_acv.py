"""Assets of Community Value: statutory date arithmetic at month ends and leap years, what is due next,
and the checks on the ``acv`` object."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetmap.core.assessments import acv as acv_module
from assetmap.core.assessments.acv import (
    AcvRecord,
    acv_timeline,
    add_months,
    add_weeks,
    add_years,
    clean_acv,
    next_due,
)


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2023, 8, 31), 6, date(2024, 2, 29)),  # into a leap February
    (date(2022, 8, 31), 6, date(2023, 2, 28)),  # into an ordinary February
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 30), 1, date(2024, 2, 29)),
    (date(2023, 3, 31), 6, date(2023, 9, 30)),  # 30-day month
    (date(2023, 7, 15), 6, date(2024, 1, 15)),  # across a year end
    (date(2022, 8, 31), 18, date(2024, 2, 29)),
    (date(2024, 2, 29), 18, date(2025, 8, 29)),
])
def test_add_months_is_calendar_correct(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("start", "years", "expected"), [
    (date(2020, 2, 29), 5, date(2025, 2, 28)),
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(2019, 12, 31), 5, date(2024, 12, 31)),
])
def test_add_years_at_leap_days(start: date, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


def test_add_weeks_counts_the_leap_day() -> None:
    assert add_weeks(date(2024, 2, 1), 6) == date(2024, 3, 14)
    assert add_weeks(date(2023, 2, 1), 6) == date(2023, 3, 15)
    assert add_weeks(date(2023, 12, 20), 8) == date(2024, 2, 14)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(0, 240))
def test_fallback_month_arithmetic_matches_dateutil(start: date, months: int) -> None:
    expected = add_months(start, months)
    saved = acv_module.relativedelta
    acv_module.relativedelta = None
    try:
        assert acv_module.add_months(start, months) == expected
    finally:
        acv_module.relativedelta = saved
    assert (expected.year * 12 + expected.month) - (start.year * 12 + start.month) == months
    # same day of the month, or the month's last day when the month is shorter
    assert expected.day == start.day or (expected.day < start.day and (expected + timedelta(days=1)).day == 1)


def test_full_timeline_from_a_listing_with_a_sale_notice() -> None:
    t = acv_timeline(AcvRecord(status="listed", nominated_on=date(2023, 12, 20), listed_on=date(2019, 2, 28),
                               sale_notice_on=date(2023, 8, 31), community_bid_requested=True))
    assert t.to_json() == {
        "status": "listed", "nominated_on": "2023-12-20", "decision_due": "2024-02-14",
        "listed_on": "2019-02-28", "listing_ends": "2024-02-28", "sale_notice_on": "2023-08-31",
        "interim_moratorium_ends": "2023-10-12", "full_moratorium_ends": "2024-02-29",
        "protected_period_ends": "2025-02-28",
    }


def test_no_full_moratorium_without_a_bid_request() -> None:
    t = acv_timeline(AcvRecord(status="listed", listed_on=date(2022, 1, 1), sale_notice_on=date(2023, 8, 31)))
    assert t.interim_moratorium_ends == date(2023, 10, 12)
    assert t.full_moratorium_ends is None
    assert t.protected_period_ends == date(2025, 2, 28)


def test_bid_request_must_fall_within_the_interim_moratorium() -> None:
    base = dict(status="listed", listed_on=date(2022, 1, 1), sale_notice_on=date(2023, 8, 31),
                community_bid_requested=True)
    in_time = acv_timeline(AcvRecord(**base, community_bid_requested_on=date(2023, 10, 11)))
    too_late = acv_timeline(AcvRecord(**base, community_bid_requested_on=date(2023, 10, 12)))
    assert in_time.full_moratorium_ends == date(2024, 2, 29)
    assert too_late.full_moratorium_ends is None


def test_unsuccessful_nomination_keeps_its_dates_but_nothing_is_due() -> None:
    t = acv_timeline(AcvRecord(status="unsuccessful", nominated_on=date(2024, 1, 31), decision_on=date(2024, 3, 1)))
    assert t.decision_due == date(2024, 3, 27)
    assert t.listing_ends is None and t.interim_moratorium_ends is None
    assert next_due(t, date(2024, 2, 1)) is None


def test_next_due_walks_through_the_moratorium() -> None:
    t = acv_timeline(AcvRecord(status="listed", listed_on=date(2020, 1, 20), sale_notice_on=date(2024, 2, 29),
                               community_bid_requested=True))
    assert next_due(t, date(2024, 3, 1)).key == "interim_moratorium_ends"
    assert next_due(t, date(2024, 3, 1)).days == 41
    assert next_due(t, date(2024, 4, 11)).days == 0
    assert next_due(t, date(2024, 4, 12)).key == "full_moratorium_ends"
    assert next_due(t, date(2024, 4, 12)).on == date(2024, 8, 29)
    assert next_due(t, date(2024, 9, 1)).key == "listing_ends"
    assert next_due(t, date(2025, 1, 21)).key == "protected_period_ends"
    assert next_due(t, date(2025, 8, 30)) is None


def test_overdue_decision_is_reported_with_negative_days() -> None:
    t = acv_timeline(AcvRecord(status="nominated", nominated_on=date(2024, 1, 1)))
    due = next_due(t, date(2024, 3, 1))
    assert due is not None and due.key == "decision_due" and due.on == date(2024, 2, 26) and due.days == -4
    assert "overdue" in due.describe()


@pytest.mark.parametrize(("raw", "key"), [
    ({"status": "maybe"}, "acv.status"),
    ({"status": "nominated"}, "acv.nominated_on"),
    ({"status": "listed"}, "acv.listed_on"),
    ({"status": "nominated", "nominated_on": "2024-01-01", "listed_on": "2024-02-01"}, "acv.listed_on"),
    ({"status": "listed", "nominated_on": "2024-03-01", "listed_on": "2024-02-01"}, "acv.listed_on"),
    ({"status": "listed", "listed_on": "2024-02-01", "sale_notice_on": "2024-01-01"}, "acv.sale_notice_on"),
    ({"status": "nominated", "nominated_on": "2024-01-01", "sale_notice_on": "2024-02-01"}, "acv.sale_notice_on"),
    ({"status": "listed", "listed_on": "2024-02-01", "community_bid_requested": True}, "acv.community_bid_requested"),
    ({"status": "listed", "listed_on": "2024-02-01", "community_bid_requested": "yes"}, "acv.community_bid_requested"),
    ({"status": "listed", "listed_on": "31st of Feb"}, "acv.listed_on"),
    ({"status": "listed", "listed_on": "2024-02-01", "listing_date": "2024-02-01"}, "acv.listing_date"),
])
def test_bad_acv_objects_name_the_key(raw: dict, key: str) -> None:
    _, problems = clean_acv(raw)
    assert key in problems, problems


def test_good_acv_object_accepts_uk_dates() -> None:
    record, problems = clean_acv({"status": "listed", "listed_on": "20/01/2020", "sale_notice_on": "2024-02-29"})
    assert problems == {}
    assert record.listed_on == date(2020, 1, 20)
