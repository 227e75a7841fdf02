"""Working-day deadlines on the Swedish calendar, computed for any year."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from agreements.choices import DayKind
from agreements.deadlines import (
    STOCKHOLM,
    add_working_days,
    approval_deadline_at,
    deadline_at,
    deadline_on,
    holiday_name,
    is_working_day,
    non_working_days,
    review_deadline_at,
    working_days_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Midsommar 2025: midsommarafton Fri 20 June and midsommardagen Sat 21 June.
        (D(2025, 6, 19), 1, D(2025, 6, 23)),
        (D(2025, 6, 19), 3, D(2025, 6, 25)),
        (D(2025, 6, 18), 2, D(2025, 6, 23)),
        # Jul and nyår 2025/26: 24, 25, 26 and 31 December, 1 and 6 January are not working days.
        (D(2025, 12, 22), 3, D(2025, 12, 30)),
        (D(2025, 12, 23), 5, D(2026, 1, 7)),
        (D(2025, 12, 30), 1, D(2026, 1, 2)),
        # Påsk 2025: långfredagen 18 April, annandag påsk 21 April.
        (D(2025, 4, 17), 1, D(2025, 4, 22)),
        # Kristi himmelsfärd Thu 29 May 2025, nationaldagen Fri 6 June 2025.
        (D(2025, 5, 28), 1, D(2025, 5, 30)),
        (D(2025, 6, 5), 1, D(2025, 6, 9)),
        # An ordinary week, and a start on a Sunday.
        (D(2025, 9, 8), 3, D(2025, 9, 11)),
        (D(2025, 9, 7), 1, D(2025, 9, 8)),
        (D(2025, 9, 8), 0, D(2025, 9, 8)),
    ],
)
def test_working_days(start: datetime.date, days: int, expected: datetime.date) -> None:
    assert deadline_on(start=start, days=days, day_kind=DayKind.WORKING) == expected


def test_calendar_days_are_a_plain_count_even_onto_a_holiday() -> None:
    assert deadline_on(start=D(2025, 12, 23), days=3, day_kind=DayKind.CALENDAR) == D(2025, 12, 26)


def test_the_evenings_before_holidays_are_not_working_days() -> None:
    for day in (D(2025, 6, 20), D(2025, 12, 24), D(2025, 12, 31), D(2026, 6, 19)):
        assert not is_working_day(day), day
    assert holiday_name(D(2025, 6, 20)) == "Midsommarafton"
    assert holiday_name(D(2025, 12, 24)) == "Julafton"


def test_holidays_are_computed_for_any_year() -> None:
    # Easter 2030 is 21 April: långfredagen 19 April and annandag påsk 22 April.
    assert {D(2030, 4, 19), D(2030, 4, 22)} <= non_working_days(2030)
    assert add_working_days(D(2030, 4, 18), 1) == D(2030, 4, 23)


def test_sundays_are_weekend_not_listed_holidays() -> None:
    # The holidays package can list every Sunday as a Swedish holiday; we count weekends ourselves.
    assert D(2025, 3, 2) not in non_working_days(2025)
    assert not is_working_day(D(2025, 3, 2))
    assert not is_working_day(D(2025, 3, 1))
    assert is_working_day(D(2025, 3, 3))


def test_a_moment_counts_from_its_day_in_sweden() -> None:
    # 22:30 UTC on Thursday 19 June 2025 is already midsommarafton in Sweden.
    moment = datetime.datetime(2025, 6, 19, 22, 30, tzinfo=datetime.UTC)
    assert deadline_on(start=moment, days=1, day_kind=DayKind.WORKING) == D(2025, 6, 23)
    with pytest.raises(ValueError, match="naive"):
        deadline_on(start=datetime.datetime(2025, 6, 19, 12, 0), days=1, day_kind=DayKind.WORKING)


def test_a_deadline_runs_out_at_midnight_in_stockholm() -> None:
    ends = deadline_at(start=D(2025, 6, 19), days=3, day_kind=DayKind.WORKING)
    assert ends == datetime.datetime(2025, 6, 26, 0, 0, tzinfo=STOCKHOLM)
    assert ends.astimezone(datetime.UTC) == datetime.datetime(2025, 6, 25, 22, 0, tzinfo=datetime.UTC)


def test_agreement_deadlines_use_the_agreement_settings() -> None:
    settings = SimpleNamespace(
        deadline_day_kind=DayKind.WORKING, review_deadline_days=3, approval_deadline_days=5
    )
    submitted = datetime.datetime(2025, 12, 22, 9, 0, tzinfo=STOCKHOLM)
    assert review_deadline_at(settings, start=submitted).date() == D(2025, 12, 31)
    assert approval_deadline_at(settings, start=submitted).date() == D(2026, 1, 6)


def test_working_days_between() -> None:
    assert working_days_between(D(2025, 12, 22), D(2025, 12, 30)) == 3
    assert working_days_between(D(2025, 12, 30), D(2025, 12, 22)) == 0
