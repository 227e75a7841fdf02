"""Contact paths on a SIP: a number someone can dial, and a path around the clock where a task's rule
asks for one (the agreement's ``contact_24_7_required``, as agreed on the case)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from cases import services as case_services

from .models import ContactPeriod, SipInsats, SipVersion

PHONE = re.compile(r"^\+?[0-9(][0-9 ()/-]*[0-9]$")
# Numbers of three to five digits that are dialled as they are: the emergency number, 1177 Vårdguiden,
# the police's and the insurance fund's non-emergency lines.
SHORT_NUMBERS = frozenset({"112", "1177", "11313", "11414", "114 14"})


def looks_like_a_phone_number(text: str) -> bool:
    """A Swedish phone number as people write it (0340-123 45, 070-123 45 67, 08-12 34 56,
    +46 70 123 45 67, +46 (0)70…), a short service number (112, 1177) or a foreign number with its
    country code: a number someone can dial at night, not a name or a note."""
    value = text.strip()
    if value in SHORT_NUMBERS:
        return True
    if not PHONE.match(value):
        return False
    digits = "".join(c for c in value if c.isdigit())
    if value.startswith("+46") or digits.startswith("0046"):
        national = digits[2:] if value.startswith("+") else digits[4:]
        national = national.removeprefix("0")  # "+46 (0)70 …"
        return 7 <= len(national) <= 10 and not national.startswith("0")
    if value.startswith("+") or digits.startswith("00"):
        return 8 <= len(digits.lstrip("0")) <= 15
    # A Swedish number with its area code: a 0, then 6 to 10 digits (an area code of 1–3 digits after the
    # 0 and a subscriber number of 5–8).
    return digits.startswith("0") and 7 <= len(digits) <= 11


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
