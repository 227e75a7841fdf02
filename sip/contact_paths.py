"""Contact paths on a SIP: a number someone can dial, and a path around the clock where a task's rule
asks for one (the agreement's ``contact_24_7_required``, as agreed on the case)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from cases import services as case_services

from .models import ContactPeriod, SipInsats, SipVersion

PHONE = re.compile(r"^\+?[0-9(][0-9 ()/-]*[0-9]$")


def looks_like_a_phone_number(text: str) -> bool:
    """Digits with the separators people write (spaces, hyphens, brackets, a slash, a leading +), and
    at least five digits: a number someone can dial at night, not a name or a note."""
    value = text.strip()
    return bool(PHONE.match(value)) and sum(c.isdigit() for c in value) >= 5


# Outside office hours: the periods a 24/7 contact path must cover besides the day.
AFTER_HOURS = (ContactPeriod.EVENING_NIGHT, ContactPeriod.WEEKEND)


def contact_path_problem(version: SipVersion, insatser: list[SipInsats]) -> str | None:
    """Where the agreement's rule for a task asks for a contact path around the clock (the proposal's
    ``contact_24_7_required``, as agreed on the case), the plan names who to call, with a phone number,
    in the evening and night and at weekends: the person and their family must never be told that
    nobody answers."""
    needing = sorted(
        {
            case_services.task_label(insats.case_task)
            for insats in insatser
            if insats.case_task is not None
            and ((insats.case_task.proposal or {}).get("conditions") or {}).get("contact_24_7_required")
        }
    )
    if not needing:
        return None
    covered = {path.period for path in version.contact_paths.all() if path.who.strip() and path.phone.strip()}
    missing = [str(ContactPeriod(period).label).lower() for period in AFTER_HOURS if period not in covered]
    if not missing:
        return None
    return _(
        "%(tasks)s need a contact path around the clock: say who the person calls, with a phone number, "
        "for %(periods)s."
    ) % {"tasks": ", ".join(needing), "periods": ", ".join(missing)}
