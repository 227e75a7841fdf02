"""How a figure is written out: counts, shares and days as text, with small groups suppressed.

One function per kind of value, used by the page, the CSV and the PDF alike, so the three always agree.
Numbers follow the active language's format (decimal comma in Swedish).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .facts import refresh_interval
from .selectors import Cell, Share

SUPPRESSED = "<5"


def count_text(cell: Cell, *, suppress: bool) -> str:
    if suppress and cell.suppressed:
        return SUPPRESSED
    return str(cell.value)


def share_text(share: Share, *, suppress: bool) -> str:
    if suppress and share.suppressed:
        return SUPPRESSED
    ratio = share.ratio
    if ratio is None:
        return "–"
    return f"{number_format(ratio * 100, decimal_pos=1, use_l10n=True)} %"


def days_text(days: float | None, *, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    if days is None:
        return "–"
    return number_format(days, decimal_pos=1, use_l10n=True)


def chart_value(cell: Cell, *, suppress: bool) -> int:
    """What a chart draws: nothing for a suppressed group (the table beside it says "<5")."""
    return 0 if suppress and cell.suppressed else cell.value


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
