"""The registers behind an agreement's safety conditions.

* ``CompetenceTransfer`` (kompetensöverföring): a unit (usually the specialist clinic) has trained named
  staff of the unit that performs a task (usually the kommun); a task whose rule asks for training is
  not performed until one is in force (``competence.rules``).
* ``Delegation`` (SOSFS 1997:14): a licensed person hands one task to a named person, in writing, for at
  most twelve months, revocably; across principals after consultation.
* ``ReReview``: the re-review an agreed split (the rule's ``max_duration_days``) or a risk analysis (its
  ``review_on``) is due for.
* ``RegisterEvent``: who recorded, revoked or linked what, and when; append-only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel

NAMES_MAX = 500
TEXT_MAX = 4000


class CompetenceTransfer(PublicIdModel):
    """Kompetensöverföring: who trained whom, in which task, when, and until when it holds."""

    task_type = models.ForeignKey(
        "agreements.CareTaskType", verbose_name=_("task type"), on_delete=models.PROTECT, related_name="+"
    )
    training_unit = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("training unit"),
        on_delete=models.PROTECT,
        related_name="trainings_given",
    )
    trainers = models.CharField(_("trained by (names)"), max_length=NAMES_MAX)
    receiving_unit = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="trainings_received",
    )
    trained_staff = models.CharField(_("staff trained (names)"), max_length=NAMES_MAX)
    trained_on = models.DateField(_("trained on"))
    valid_until = models.DateField(_("valid until"))
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True, max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("competence transfer")
        verbose_name_plural = _("competence transfers")
        ordering = ["-trained_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("trained_on")), name="competence_valid_after_training"
            )
        ]
        indexes = [models.Index(fields=["receiving_unit", "task_type", "valid_until"])]

    def __str__(self) -> str:
        return f"Competence transfer {self.public_id}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.trained_on <= day <= self.valid_until


class Delegation(PublicIdModel):
    """A delegation of one health-care task (SOSFS 1997:14): personal, written, time-limited, revocable."""

    task_type = models.ForeignKey(
        "agreements.CareTaskType", verbose_name=_("task type"), on_delete=models.PROTECT, related_name="+"
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegated by"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    delegating_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("delegating organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    delegating_role = models.CharField(_("delegating person's profession"), max_length=16)
    receiver_name = models.CharField(_("receiver"), max_length=200)
    receiver_title = models.CharField(_("receiver's title"), max_length=200, blank=True)
    receiver_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("receiver's organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(_("written decision"), max_length=TEXT_MAX)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    consulted_with = models.CharField(_("consulted with"), max_length=200, blank=True)
    consulted_on = models.DateField(_("consulted on"), null=True, blank=True)
    consultation_note = models.TextField(_("consultation note"), blank=True, max_length=TEXT_MAX)
    case_tasks = models.ManyToManyField(
        "cases.CaseTask", verbose_name=_("case tasks"), blank=True, related_name="delegations"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True, max_length=TEXT_MAX)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="delegation_valid_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Delegation {self.public_id}"

    def in_force_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class ReReviewSource(models.TextChoices):
    RULE = "rule", _("The agreement's rule (review again within a number of days)")
    RISK_ANALYSIS = "risk_analysis", _("The risk analysis's review date")


class ReReview(PublicIdModel):
    """A re-review a case is due for; ``key`` names its source and period, so it is made once."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=ReReviewSource.choices)
    key = models.CharField(_("key"), max_length=64)
    due_on = models.DateField(_("due on"), db_index=True)
    what = models.CharField(_("what"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-review")
        verbose_name_plural = _("re-reviews")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="rereview_once_per_key")]

    def __str__(self) -> str:
        return f"Re-review {self.key} of {self.case_id}"


class RegisterAction(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    REVOKED = "revoked", _("Revoked")
    LINKED = "linked", _("Linked to a case task")


class RegisterEvent(models.Model):
    """Who changed which register entry, when, acting in which organisation; never edited."""

    transfer = models.ForeignKey(
        CompetenceTransfer, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=RegisterAction.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, blank=True)
    api_client = models.CharField(_("API client"), max_length=200, blank=True)
    client_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("register event")
        verbose_name_plural = _("register events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transfer__isnull=False) | Q(delegation__isnull=False),
                name="register_event_names_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"
