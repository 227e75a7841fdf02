"""How a figure is written out, and the one rule for small groups, used by the page, the CSV and the PDF.

**The suppression rule.** A count with fewer than five patients behind it (``Cell.suppressed``) is
written "<5", wherever it is shown: on the page, in every CSV file and in the PDF report, whoever looks.
A median or a percentage is never written "<5" (it would read as a value): it is given whenever the group
it describes is shown, and left out ("–") when that group is itself "<5", since it would give the hidden
count away. ``count_text``, ``share_text`` and ``days_text`` are the only places the rule is applied.

**Numbers** follow the active language: in Swedish a decimal comma and a no-break space between
thousands (``1 234,5``), in English ``1,234.5``. Rounding is to the nearest, halves away from zero
(4 of 26 is 15,4 %, not 15,3 %), computed exactly, not from a float.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .facts import refresh_interval
from .selectors import Cell, Share

SUPPRESSED = "<5"
# Neither a value nor a suppressed count: no cases to divide by, or a median or share of a "<5" group.
NOTHING = "–"
# Between thousands, and between a number and its unit: a line never breaks inside "1 234 %".
NO_BREAK_SPACE = "\u00a0"


def _swedish() -> bool:
    return not (get_language() or "sv").startswith("en")


def number_text(value: int | float | Decimal, decimals: int = 0) -> str:
    """``value`` rounded half away from zero to ``decimals`` places, grouped in thousands."""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _dot, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    thousands, decimal_mark = (NO_BREAK_SPACE, ",") if _swedish() else (",", ".")
    text = thousands.join(groups)
    if fraction:
        text += decimal_mark + fraction
    return sign + text


def _percent(part: int, whole: int) -> Decimal:
    return Decimal(part * 100) / Decimal(whole)


def percent_text(part: int, whole: int) -> str:
    if not whole:
        return NOTHING
    return f"{number_text(_percent(part, whole), 1)}{NO_BREAK_SPACE}%"


def count_text(cell: Cell) -> str:
    """A count, or "<5" for a small group."""
    return SUPPRESSED if cell.suppressed else number_text(cell.value)


def share_text(share: Share) -> str:
    """``share.part`` as a percentage of ``share.whole``: given whenever the part is shown."""
    if share.suppressed:
        return NOTHING
    return percent_text(share.part.value, share.whole.value)


def days_text(days: float | None, *, group: Cell) -> str:
    """Days (a median or percentile) of ``group``: given whenever the group is shown."""
    if days is None or group.suppressed:
        return NOTHING
    return number_text(days, 1)


def chart_value(cell: Cell) -> int:
    """What a chart draws: nothing for a suppressed group (its label and the table say "<5")."""
    return 0 if cell.suppressed else cell.value


def date_text(day: datetime.date) -> str:
    """A date as Swedish people write it (and as ISO 8601 does): 2025-03-31."""
    return day.isoformat()


# --- Change since the previous period (the key-figure tiles) ---------------------------------------


def _signed(text: str, positive: bool, zero: bool) -> str:
    if zero:
        return "±0"
    return ("+" if positive else "\u2212") + text.lstrip("-")


def count_change_text(now: Cell, before: Cell) -> str:
    """``now`` against ``before`` as "+3"; empty when either is "<5" (the difference would tell)."""
    if now.suppressed or before.suppressed:
        return ""
    difference = now.value - before.value
    return _signed(number_text(difference), difference > 0, difference == 0)


def share_change_text(now: Share, before: Share) -> str:
    """The change of a percentage, in percentage points; empty when either is not shown."""
    if share_text(now) == NOTHING or share_text(before) == NOTHING:
        return ""
    difference = _percent(now.part.value, now.whole.value) - _percent(before.part.value, before.whole.value)
    points = number_text(difference, 1)
    return _("%(points)s percentage points") % {
        "points": _signed(points, difference > 0, points.strip("-").replace(",", ".") == "0.0")
    }


def days_change_text(now: float | None, now_group: Cell, before: float | None, before_group: Cell) -> str:
    if now is None or before is None or now_group.suppressed or before_group.suppressed:
        return ""
    difference = Decimal(str(now)) - Decimal(str(before))
    days = number_text(difference, 1)
    return _("%(days)s days") % {
        "days": _signed(days, difference > 0, days.strip("-").replace(",", ".") == "0.0")
    }


def freshness_text(*, as_of: datetime.datetime, snapshot: bool, now: datetime.datetime | None = None) -> str:
    """Which moment the figures describe, said on the page, in the PDF report and (as data) in the API."""
    at = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")
    if not snapshot:
        return _("Figures as of %(time)s, counted just now.") % {"time": at}
    minutes = round(refresh_interval().total_seconds() / 60)
    text = _("Figures as of %(time)s (brought up to date every %(minutes)d minutes).") % {
        "time": at,
        "minutes": minutes,
    }
    if (now or timezone.now()) - as_of > 2 * refresh_interval():
        text += " " + _("They are older than usual: the regular update has not run since then.")
    return text
