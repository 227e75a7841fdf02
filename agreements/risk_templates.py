"""Risk-analysis templates kept with an agreement version: per task type, the typical hazards (with cause,
consequence and a suggested score on Socialstyrelsen's matrix, ``cases.risk``) and the measures that
usually answer them (what, which principal, within how many days). Read from the file's
``risk_templates`` section (``agreements/README.md``); a version without them works as before."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# A template's measure that gives no ``within_days`` of its own is due this many days after the analysis
# is written: time to carry it out, and early in the care. The split's re-review (``review_after_days``,
# often half a year) is when the split is looked at again, far too late for a measure that makes the
# care safe.
MEASURE_DAYS_DEFAULT = 14
# The soonest a measure is due: the day after the analysis is written, never the same day (a measure
# due the day it is written is overdue before anyone can act on it).
MEASURE_DAYS_MIN = 1


def measure_days(measure: Mapping[str, Any]) -> int:
    """Within how many days a template's measure is due: the file's ``within_days``, 14 when the file
    leaves it out, and never fewer than 1 (0, which older files gave for "before the care starts", is
    read as the next day)."""
    days = measure.get("within_days")
    if days is None:
        return MEASURE_DAYS_DEFAULT
    return max(MEASURE_DAYS_MIN, int(days))


def measures_due_on(
    measures: Iterable[Mapping[str, Any]], *, written_on: datetime.date
) -> datetime.date | None:
    """The due date of a template's measures put together on an analysis written on ``written_on``: the
    earliest of them; ``None`` without measures."""
    days = [measure_days(m) for m in measures]
    if not days:
        return None
    return written_on + datetime.timedelta(days=min(days))


class RiskTemplate(models.Model):
    """The template of one task type in one agreement version. ``hazards`` is the file's list as
    validated by the schema: ``description``, ``cause``, ``consequence``, ``likelihood`` and
    ``severity`` (1–4), and ``measures`` (``what``, ``who``: ``kommun`` or ``region``, and
    ``within_days``, optional: see ``measure_days``)."""

    version = models.ForeignKey(
        "agreements.AgreementVersion",
        verbose_name=_("agreement version"),
        on_delete=models.CASCADE,
        related_name="risk_templates",
    )
    task_type = models.ForeignKey(
        "agreements.CareTaskType", verbose_name=_("task type"), on_delete=models.PROTECT, related_name="+"
    )
    hazards = models.JSONField(_("hazards"), default=list)

    class Meta:
        verbose_name = _("risk-analysis template")
        verbose_name_plural = _("risk-analysis templates")
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "task_type"], name="risk_template_once_per_task")
        ]

    def __str__(self) -> str:
        return f"Risk template {self.task_type_id} of {self.version_id}"
