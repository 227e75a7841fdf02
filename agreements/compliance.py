"""Compliance warnings: where the agreement asks for something the parties do not have in place.

A warning is not a refusal: the case goes on, and the page says what is missing and on what ground.
Today there is one: **a vacant MAR** where the agreement says every kommun must have a MAR from a date
(``AgreementVersion.mar_required_from``; proposed in prop. 2025/26:19 from 2026-07-01). The date, the
source and the term for the care ("hälso- och sjukvård i hemmet") are the agreement's data, because
the enacted statute's final form is for the agreement's owner to check. Until the post is filled, MAS
decides on rehabilitation as before (domain brief §2); the warning says so.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .models import AgreementVersion


def mar_vacancy_warning(
    *, version: AgreementVersion, kommun_name: str, mar_vacant: bool, on: datetime.date
) -> str | None:
    """The warning for a kommun without a MAR under ``version`` on ``on``; ``None`` if there is none."""
    required_from = version.mar_required_from
    if required_from is None or not mar_vacant:
        return None
    values = {
        "kommun": kommun_name,
        "date": required_from.isoformat(),
        "term": version.home_care_term_on(required_from),
        "source": version.mar_required_citation or version.title,
    }
    if on >= required_from:
        return (
            _(
                "%(kommun)s has no MAR. Since %(date)s every kommun must have a MAR for %(term)s "
                "(%(source)s). Until the post is filled, MAS decides on rehabilitation."
            )
            % values
        )
    return (
        _("%(kommun)s has no MAR. From %(date)s every kommun must have a MAR for %(term)s (%(source)s).")
        % values
    )
