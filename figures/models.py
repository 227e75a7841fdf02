"""The aggregated figures report (PDF), rendered by the worker.

A report is asked for per scope, period, language and day (``as_of``): asking again the same day gives
the same row, so the figures in a ready report never change under the person who downloads it, and a new
day gives a new report with the figures of that day. The report holds aggregates only, with groups of
fewer than five patients suppressed, so it is not patient data and has no patient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class FiguresReport(PublicIdModel):
    scope_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("figures for"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    as_of = models.DateField(_("figures as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    content = models.BinaryField(_("PDF"), null=True, blank=True)

    class Meta:
        verbose_name = _("figures report")
        verbose_name_plural = _("figures reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_organisation", "period_start", "period_end", "language", "as_of"],
                name="figures_report_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="figures_report_period_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(content__isnull=False, sha256__regex=r"^[0-9a-f]{64}$"),
                name="figures_report_ready_has_content",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures report {self.public_id}"

    @property
    def filename(self) -> str:
        return f"nyckeltal-{self.period_start}-{self.period_end}-{self.language}.pdf"
