"""Swedish personal identity numbers: personnummer, samordningsnummer and the region's reservnummer.

A personnummer is ``YYYYMMDD-NNNN``; the last ten digits pass the Luhn check. A samordningsnummer (for
people not folkbokförda in Sweden) is the same with 60 added to the day of month. Both are stored as the
twelve digits ``YYYYMMDDNNNN`` and shown with a dash.

A **reservnummer** is the region's reserve number for a person with neither (an asylum seeker, an
unidentified patient). It has no national format: the region's is a setting (``RESERVNUMMER_PATTERN``,
``RESERVNUMMER_DESCRIPTION``). It is stored as typed without spaces and dashes, in capitals, shown as
stored, and it says nothing about the person: no birth date, age or sex is ever read from it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# What the register stores at most for any kind of number (``Patient.personal_identity``).
MAX_IDENTITY_LENGTH = 20

_PATTERN = re.compile(r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<last4>\d{4})$")


class IdentityKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


# Keyed by the stored value (a plain string), so that a record's ``identity_kind`` looks its label up.
IDENTITY_LABELS: dict[str, StrOrPromise] = {
    IdentityKind.PERSONNUMMER: _("Personnummer"),
    IdentityKind.SAMORDNINGSNUMMER: _("Samordningsnummer"),
    IdentityKind.RESERVNUMMER: _("Reservnummer"),
}


@dataclass(frozen=True)
class PersonalIdentity:
    digits: str  # twelve digits, YYYYMMDDNNNN
    kind: IdentityKind

    @property
    def formatted(self) -> str:
        return format_identity(self.digits, self.kind)

    @property
    def is_reservnummer(self) -> bool:
        return self.kind is IdentityKind.RESERVNUMMER

    @property
    def birth_date(self) -> datetime.date:
        if self.kind is IdentityKind.RESERVNUMMER:
            raise ValueError("a reservnummer carries no birth date")
        day = int(self.digits[6:8])
        if self.kind is IdentityKind.SAMORDNINGSNUMMER:
            day -= 60
        return datetime.date(int(self.digits[:4]), int(self.digits[4:6]), day)


def luhn_checksum_ok(ten_digits: str) -> bool:
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def luhn_check_digit(nine_digits: str) -> str:
    for digit in "0123456789":
        if luhn_checksum_ok(nine_digits + digit):
            return digit
    raise AssertionError("unreachable: one digit always completes a Luhn sum")


def format_identity(digits: str, kind: str = "") -> str:
    if kind == IdentityKind.RESERVNUMMER:
        return digits
    return f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 and digits.isdigit() else digits


# --- Reservnummer ---------------------------------------------------------------------------------


def reservnummer_normalised(value: str) -> str:
    """The number as stored: without spaces and dashes, in capitals."""
    return re.sub(r"[\s-]", "", value or "").upper()


def reservnummer_pattern() -> re.Pattern[str]:
    return _compiled(settings.RESERVNUMMER_PATTERN)


@lru_cache(maxsize=4)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def reservnummer_description() -> str:
    """The region's format in words, for the person typing one."""
    return str(settings.RESERVNUMMER_DESCRIPTION or _("12 digits starting with 99, e.g. 992025123456"))


def is_reservnummer(value: str) -> bool:
    normalised = reservnummer_normalised(value)
    return 0 < len(normalised) <= MAX_IDENTITY_LENGTH and bool(reservnummer_pattern().fullmatch(normalised))


def parse_reservnummer(value: str) -> PersonalIdentity:
    if not is_reservnummer(value):
        raise ValidationError(
            _("This is not a reservnummer in the region's format: %(format)s.")
            % {"format": reservnummer_description()},
            code="format",
        )
    return PersonalIdentity(digits=reservnummer_normalised(value), kind=IdentityKind.RESERVNUMMER)


def parse_patient_identity(value: str, *, kind: str = "") -> PersonalIdentity:
    """A patient's identity number of any kind: ``kind`` says which, or it is found from the number.

    Without ``kind``, a number in the region's reservnummer format is a reservnummer (the region's
    series are chosen so that they cannot be a personnummer, e.g. Region Stockholm's start with 99),
    anything else must be a valid personnummer or samordningsnummer.
    """
    if kind == IdentityKind.RESERVNUMMER or (not kind and is_reservnummer(value)):
        return parse_reservnummer(value)
    identity = parse_identity(value)
    if kind and kind != identity.kind:
        raise ValidationError(
            _("The number is a %(found)s, not a %(kind)s.")
            % {"found": IDENTITY_LABELS[identity.kind], "kind": IDENTITY_LABELS.get(kind, kind)},
            code="kind",
        )
    return identity


def parse_identity(value: str, *, today: datetime.date | None = None) -> PersonalIdentity:
    """Parse and validate; raise ``ValidationError`` with a message a nurse understands."""
    cleaned = (value or "").strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if match is None:
        raise ValidationError(
            _("Enter the personnummer as YYYYMMDD-NNNN (12 digits), for example 19121212-1212."),
            code="format",
        )
    yymmdd = match["yymmdd"]
    if match["century"]:
        century = match["century"]
        if match["sep"] == "+":
            raise ValidationError(
                _("The plus sign is only used with a 10-digit personnummer."), code="format"
            )
    else:
        # Ten digits: the century is the latest one that does not put the birth in the future; a plus
        # sign marks someone aged 100 or more.
        reference = today or datetime.date.today()
        yy = int(yymmdd[:2])
        century_int = reference.year // 100
        if yy > reference.year % 100:
            century_int -= 1
        if match["sep"] == "+":
            century_int -= 1
        century = f"{century_int:02d}"
    digits = century + yymmdd + match["last4"]

    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    kind = IdentityKind.PERSONNUMMER
    if day > 60:
        kind = IdentityKind.SAMORDNINGSNUMMER
        day -= 60
    try:
        datetime.date(year, month, day)
    except ValueError:
        message: str
        if kind is IdentityKind.SAMORDNINGSNUMMER:
            message = str(_("The date in the samordningsnummer does not exist (day minus 60 is not a date)."))
        else:
            message = _("The date in the personnummer does not exist: %(date)s.") % {
                "date": f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
            }
        raise ValidationError(message, code="date") from None

    if not luhn_checksum_ok(digits[2:]):
        raise ValidationError(
            _(
                "The check digit is wrong: the last digit should make the number pass the Luhn check. "
                "Check for a mistyped digit."
            ),
            code="checksum",
        )
    return PersonalIdentity(digits=digits, kind=kind)


def validate_identity(value: str) -> None:
    parse_identity(value)
