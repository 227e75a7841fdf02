"""Risk-analysis templates kept with an agreement version: per task type, the typical hazards (with cause,
consequence and a suggested score on Socialstyrelsen's matrix, ``cases.risk``) and the measures that
usually answer them (what, which principal, within how many days). Read from the file's
``risk_templates`` section (``agreements/README.md``); a version without them works as before."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskTemplate(models.Model):
    """The template of one task type in one agreement version. ``hazards`` is the file's list as
    validated by the schema: ``description``, ``cause``, ``consequence``, ``likelihood`` and
    ``severity`` (1–4), and ``measures`` (``what``, ``who``: ``kommun`` or ``region``, ``within_days``)."""

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
