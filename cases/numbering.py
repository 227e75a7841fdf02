"""Human case numbers (ärendenummer) such as ``HSV-2026-000123``.

A case is reached from outside by its UUID, but people on the phone, in a PDF or an e-mail need a number
they can read out. The number is the installation's prefix (``CASE_NUMBER_PREFIX``), the year the case
was opened (Europe/Stockholm) and a sequence that runs across the whole installation and never resets, so
a number is unique by its sequence alone and the year only helps the reader.

The sequence is one counter row, incremented with ``UPDATE … SET value = value + 1`` inside a
transaction: on PostgreSQL the row lock makes a concurrent opening wait until the first one commits or
rolls back (an opening that rolls back gives its number back); SQLite has one writer at a time. The
same code therefore runs on the demo and in production, and the unique constraint on the number is the
last guard.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COUNTER = "case_number"
DIGITS = 6


class CaseNumberCounter(models.Model):
    """The last sequence number handed out; one row per counter name."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    value = models.PositiveBigIntegerField(_("value"), default=0)

    class Meta:
        app_label = "cases"
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def next_sequence(using: str | None = None) -> int:
    """Take the next value of the installation's case sequence; the row stays locked until commit."""
    with transaction.atomic(using=using):
        counters = CaseNumberCounter.objects.using(using) if using else CaseNumberCounter.objects
        if not counters.filter(name=COUNTER).update(value=F("value") + 1):
            # The first number in a new (or emptied) database: create the row, and if another opening
            # created it at the same moment, take the lock on theirs.
            counters.select_for_update().get_or_create(name=COUNTER, defaults={"value": 0})
            counters.filter(name=COUNTER).update(value=F("value") + 1)
        return int(counters.values_list("value", flat=True).get(name=COUNTER))


def format_case_number(sequence: int, year: int, prefix: str | None = None) -> str:
    prefix = settings.CASE_NUMBER_PREFIX if prefix is None else prefix
    return f"{prefix}-{year}-{sequence:0{DIGITS}d}"


def next_case_number() -> str:
    """The number for a case being opened now (the model field's default)."""
    return format_case_number(next_sequence(), timezone.localdate().year)
