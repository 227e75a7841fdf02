"""The agreements' history: who changed which agreement how, and when (append-only)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementEventAction(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    PUT_IN_FORCE = "put_in_force", _("Put in force")
    STARTED = "started", _("Came into force")
    SUPERSEDED = "superseded", _("Superseded")
    DRAFT_CREATED = "draft_created", _("New draft version created")
    RULE_SAVED = "rule_saved", _("Rule saved")
    RULE_DELETED = "rule_deleted", _("Rule deleted")
    SECTION_SAVED = "section_saved", _("Section saved")
    SECTION_DELETED = "section_deleted", _("Section deleted")


class AgreementEvent(models.Model):
    """Who changed which agreement how, and when. Rows are only ever inserted."""

    at = models.DateTimeField(_("time"), auto_now_add=True)
    agreement = models.ForeignKey(
        "agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="events"
    )
    version = models.ForeignKey(
        "agreements.AgreementVersion",
        verbose_name=_("version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=32, choices=AgreementEventAction.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.agreement}"
