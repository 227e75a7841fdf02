"""The label that stands for a patient whose identity is hidden from the reader.

For a patient with skyddad identitet the label says only that the identity is protected. For a patient
shown pseudonymised (the members of a joint body at a pseudonymised escalation level, see
``access.pseudonym``) it gives what the body needs to weigh the case and nothing that identifies the
person: "Person, 84 år, kvinna, ordinärt boende" (age in years, sex from the personnummer's next-to-last
digit, housing); never the name, the personnummer or the address.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Patient
from .personnummer import IdentityKind, PersonalIdentity


def _identity(patient: Patient) -> PersonalIdentity | None:
    digits = patient.personal_identity or ""
    if len(digits) != 12 or not digits.isdigit():
        return None
    kind = (
        IdentityKind.SAMORDNINGSNUMMER
        if patient.identity_kind == IdentityKind.SAMORDNINGSNUMMER.value
        else IdentityKind.PERSONNUMMER
    )
    return PersonalIdentity(digits=digits, kind=kind)


def age_in_years(patient: Patient, *, today: datetime.date | None = None) -> int | None:
    """The patient's age in whole years, from the birth date in the personnummer; ``None`` if unknown."""
    identity = _identity(patient)
    if identity is None:
        return None
    try:
        born = identity.birth_date
    except ValueError:
        return None
    day = today or timezone.localdate()
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def sex_label(patient: Patient) -> str:
    """ "kvinna" or "man" from the personnummer's next-to-last digit (even: woman); "" if unknown."""
    identity = _identity(patient)
    if identity is None:
        return ""
    return pgettext("pseudonym", "man") if int(identity.digits[10]) % 2 else pgettext("pseudonym", "woman")


def pseudonym(patient: Patient, *, today: datetime.date | None = None) -> str:
    """The pseudonymised label: "Person, 84 år, kvinna, ordinärt boende"."""
    parts = [pgettext("pseudonym", "Person")]
    age = age_in_years(patient, today=today)
    if age is not None:
        parts.append(pgettext("pseudonym", "%(age)d years") % {"age": age})
    sex = sex_label(patient)
    if sex:
        parts.append(sex)
    parts.append(str(patient.get_housing_setting_display()).lower())
    return ", ".join(parts)


def masked_label(patient: Patient) -> str:
    """What is shown in place of the name when the reader may not see the identity."""
    if patient.protected_identity:
        return _("Protected identity")
    return pseudonym(patient)
