"""The access log (loggning enligt patientdatalagen). Rows are only ever inserted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    READ = "read", _("Read")
    LIST = "list", _("Listed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    DENIED = "denied", _("Denied")


class Purpose(models.TextChoices):
    CARE_RELATIONSHIP = "care_relationship", _("Care relationship")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    NONE = "none", _("No care relationship")


class AccessLogEntry(models.Model):
    """Who (user, role, organisation) did what to which patient's data, when, from where and why.

    Person and organisation are stored both as references and as text as they were at the time, so the
    log stays readable when a user or organisation is renamed.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    user_label = models.CharField(_("user as shown"), max_length=200)
    api_client = models.CharField(_("API client"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    organisation_label = models.CharField(_("organisation as shown"), max_length=200, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    record_type = models.CharField(_("record type"), max_length=32)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    reason = models.TextField(_("reason"), blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient", "at"]),
            models.Index(fields=["user", "at"]),
            models.Index(fields=["organisation", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.record_type}"
