"""A deadline shows as the day it runs out ("Senast 12 dec"), never as the midnight after its last day
("Senast 00:00"); a deadline at a time of day keeps its time."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone, translation

from agreements.choices import DayKind
from agreements.deadlines import deadline_at, last_day, last_day_text
from cases.templatetags.casework import deadline

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_a_whole_day_deadline_is_its_last_day() -> None:
    # Five working days from Monday 7 December 2026 run out at the end of Monday 14 December.
    due = deadline_at(start=datetime.date(2026, 12, 7), days=5, day_kind=DayKind.WORKING)
    assert due == datetime.datetime(2026, 12, 15, tzinfo=STOCKHOLM)
    assert last_day(due) == (datetime.date(2026, 12, 14), True)
    assert last_day_text(due) == "2026-12-14"
    # In UTC the same instant is the evening before; the day is still read in Sweden.
    assert last_day(due.astimezone(datetime.UTC)) == (datetime.date(2026, 12, 14), True)


def test_a_deadline_at_a_time_keeps_the_time() -> None:
    due = datetime.datetime(2026, 12, 12, 14, 30, tzinfo=STOCKHOLM)
    assert last_day(due) == (datetime.date(2026, 12, 12), False)
    assert last_day_text(due) == "2026-12-12 14:30"


def test_the_page_shows_a_day_and_month_with_the_instant_in_the_time_element() -> None:
    this_year = timezone.localdate().year
    whole_day = datetime.datetime(this_year, 12, 13, tzinfo=STOCKHOLM)
    with translation.override("sv"):
        shown = deadline(whole_day)
        assert ">12 dec</time>" in shown
        assert "00:00<" not in shown
        assert f'datetime="{whole_day.isoformat()}"' in shown
        at_a_time = datetime.datetime(this_year, 12, 12, 14, 30, tzinfo=STOCKHOLM)
        assert ">12 dec 14:30</time>" in deadline(at_a_time)
        assert ">4 jan 2099</time>" in deadline(datetime.datetime(2099, 1, 5, tzinfo=STOCKHOLM))
        assert deadline(None) == "–"
