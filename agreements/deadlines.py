"""Deadline arithmetic in working days or calendar days, on the Swedish calendar (Europe/Stockholm).

A **working day** is Monday to Friday and not a non-working day. The non-working days are computed for
every year, never listed by hand:

* the public holidays of Lag (1989:253) om allmänna helgdagar (nyårsdagen, trettondedag jul,
  långfredagen, påskdagen, annandag påsk, första maj, Kristi himmelsfärdsdag, nationaldagen,
  pingstdagen, midsommardagen, alla helgons dag, juldagen, annandag jul), from the ``holidays`` package;
* **midsommarafton, julafton and nyårsafton**. They are not public holidays in law, but Swedish public
  administration is closed on them and the law treats them as holidays where deadlines are concerned
  (Lag (1930:173) om beräkning av lagstadgad tid; semesterlagen 7 §). A review deadline that fell on
  julafton would land on a day nobody at the vårdcentral or kommun is there to answer, so they count as
  non-working days here. The ``holidays`` package has them as its ``DE_FACTO`` category.

The ``holidays`` package can also list every Sunday as a Swedish holiday (``include_sundays``); we turn
that off explicitly and treat Saturday and Sunday as the weekend ourselves, so the result does not
depend on the package's default, which has changed between versions.

Counting: the day something happens is day 0; "3 working days" ends at the close of the third working
day after it. Something that happens on a non-working day starts counting from the next working day in
the same way. Calendar days are a plain count, without moving a deadline that falls on a holiday (the
agreement chose calendar days on purpose, e.g. for the three days of Lag (2017:612) 5 kap.).
A deadline is a whole day in Europe/Stockholm; ``deadline_at`` gives the aware instant it ends.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays
from holidays.constants import DE_FACTO, PUBLIC

from .choices import DayKind

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SATURDAY = 5


@lru_cache(maxsize=64)
def non_working_days(year: int) -> frozenset[datetime.date]:
    """The public holidays and de-facto holidays (midsommar-, jul- and nyårsafton) of ``year``."""
    calendar = holidays.country_holidays(
        "SE", years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False
    )
    return frozenset(calendar.keys())


def holiday_name(day: datetime.date) -> str | None:
    """The Swedish name of the holiday on ``day``, if it is one (for showing people why)."""
    calendar = holidays.country_holidays(
        "SE", years=day.year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv"
    )
    name = calendar.get(day)
    return str(name) if name else None


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < SATURDAY and day not in non_working_days(day.year)


def local_date(moment: datetime.date | datetime.datetime) -> datetime.date:
    """The day in Sweden on which ``moment`` happened; a naive datetime is refused."""
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is None:
            raise ValueError("A naive datetime has no place in a deadline; pass an aware one.")
        return moment.astimezone(STOCKHOLM).date()
    return moment


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("A deadline cannot lie before its start.")
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def add_calendar_days(start: datetime.date, days: int) -> datetime.date:
    if days < 0:
        raise ValueError("A deadline cannot lie before its start.")
    return start + datetime.timedelta(days=days)


def deadline_on(
    *, start: datetime.date | datetime.datetime, days: int, day_kind: DayKind | str
) -> datetime.date:
    """The last day of a deadline of ``days`` working or calendar days counted from ``start``."""
    first = local_date(start)
    if day_kind == DayKind.WORKING:
        return add_working_days(first, days)
    if day_kind == DayKind.CALENDAR:
        return add_calendar_days(first, days)
    raise ValueError(f"Unknown kind of day: {day_kind!r}")


def deadline_at(
    *, start: datetime.date | datetime.datetime, days: int, day_kind: DayKind | str
) -> datetime.datetime:
    """The aware instant a deadline runs out: the start of the day after its last day, in Sweden."""
    last = deadline_on(start=start, days=days, day_kind=day_kind)
    following = last + datetime.timedelta(days=1)
    return datetime.datetime.combine(following, datetime.time.min, tzinfo=STOCKHOLM)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if ``end`` is not after ``start``)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


class DeadlineSettings(Protocol):
    """What an agreement version says about deadlines (``AgreementVersion`` has these fields)."""

    deadline_day_kind: str
    review_deadline_days: int
    approval_deadline_days: int


def review_deadline_at(
    settings: DeadlineSettings, *, start: datetime.date | datetime.datetime
) -> datetime.datetime:
    """When the vårdcentral's review of a proposed split runs out, for a case submitted at ``start``."""
    return deadline_at(start=start, days=settings.review_deadline_days, day_kind=settings.deadline_day_kind)


def approval_deadline_at(
    settings: DeadlineSettings, *, start: datetime.date | datetime.datetime
) -> datetime.datetime:
    """When MAS's or MAR's approval of a risk analysis submitted at ``start`` runs out."""
    return deadline_at(start=start, days=settings.approval_deadline_days, day_kind=settings.deadline_day_kind)


def escalation_deadline_at(
    settings: DeadlineSettings, *, days: int, start: datetime.date | datetime.datetime
) -> datetime.datetime:
    """When an escalation level with ``days`` to decide runs out, counted the agreement's way."""
    return deadline_at(start=start, days=days, day_kind=settings.deadline_day_kind)


def last_day(due_at: datetime.datetime) -> tuple[datetime.date, bool]:
    """The day a deadline instant falls on as people say it, and whether it is a whole-day deadline.

    ``deadline_at`` sets a deadline at the start of the day after its last day, so an instant at
    midnight in Sweden reads "by 12 December" (the day before), never "by 13 December 00:00".
    """
    local = due_at.astimezone(STOCKHOLM)
    if local.time() == datetime.time.min:
        return local.date() - datetime.timedelta(days=1), True
    return local.date(), False


def last_day_text(due_at: datetime.datetime) -> str:
    """A deadline in a message: ``2026-12-12`` for a whole-day deadline, ``2026-12-12 14:30`` otherwise."""
    day, whole_day = last_day(due_at)
    return day.isoformat() if whole_day else f"{day.isoformat()} {due_at.astimezone(STOCKHOLM):%H:%M}"
