"""The access log (loggning enligt patientdatalagen). Rows are only ever inserted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel


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
    # The legal basis for sharing a case between care providers (``access.legal_basis``).
    SHARING_BASIS = "sharing_basis", _("Legal basis for sharing")
    OBJECTION = "objection", _("Blocked: the person objects to sharing")


class AccessLogEntry(models.Model):
    """Who (user, role, organisation) did what to which patient's data, when, from where and why.

    Person and organisation are stored both as references and as text as they were at the time, so the
    log stays readable when a user or organisation is renamed.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    user_label = models.CharField(_("user as shown"), max_length=200)
    api_client = models.CharField(_("API client"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=32, blank=True)
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
        # Every index is paid on every read of patient data (one row per record shown), so the log has
        # only what its queries use, measured at 20 M rows (audit/README.md, "Indexes"): ``at`` (the
        # review's period, newest first), the foreign keys' own indexes on patient (the extract and the
        # review by patient), user and organisation, and the partial index below.
        indexes = [
            # The period, newest first, carrying the columns that decide which kommun reviews an entry
            # and its unusual volume: the review counts and classifies a period from the index alone,
            # without reading the table. ``at`` only grows, so every insert lands on the rightmost leaf
            # page, as it did in the plain index this replaces (migration 0005).
            models.Index(
                fields=["at"],
                include=["organisation", "patient", "user", "action", "role"],
                name="audit_log_at_review_idx",
            ),
            # The review's flags: the few rows outside a care relationship, found without a scan.
            models.Index(
                fields=["at"],
                condition=~models.Q(purpose="care_relationship") | models.Q(outcome="denied"),
                name="audit_log_flagged_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.record_type}"

    @property
    def record_type_label(self) -> str:
        """The record type as the interface names it (``records.TYPE_LABELS``)."""
        from .records import record_type_label

        return record_type_label(self.record_type)

    @property
    def role_label(self) -> str:
        """The role as the interface names it (``Role``'s label); a role no longer offered as stored."""
        from directory.models import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role


class AccessLogReview(PublicIdModel):
    """A MAS's or MAR's review of one log entry, with a note. The log itself is never changed.

    One review per entry and kommun: an entry can concern two kommuner (one kommun's nurse reading
    another kommun's patient) and each reviews its own part.
    """

    # No constraint in the database: on the log partitioned by month (migration 0007) a unique
    # constraint, and so a foreign key's target, must include ``at``. Entries are never deleted; an
    # archived month's entries come back with its partition (audit.archive).
    entry = models.ForeignKey(
        AccessLogEntry,
        verbose_name=_("log entry"),
        on_delete=models.PROTECT,
        related_name="reviews",
        db_constraint=False,
    )
    kommun = models.ForeignKey(
        "directory.Organisation", verbose_name=_("kommun"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    note = models.TextField(_("note"))
    at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access log review")
        verbose_name_plural = _("access log reviews")
        constraints = [
            models.UniqueConstraint(fields=["entry", "kommun"], name="access_review_once_per_kommun"),
            models.CheckConstraint(condition=~models.Q(note=""), name="access_review_has_note"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.entry_id} by {self.reviewer_id}"


class AccessLogSample(PublicIdModel):
    """The systematic sample of one kommun's reads in one week (Monday to Sunday, local time)."""

    kommun = models.ForeignKey(
        "directory.Organisation", verbose_name=_("kommun"), on_delete=models.PROTECT, related_name="+"
    )
    week_start = models.DateField(_("week starting"))
    population = models.PositiveIntegerField(_("reads in the week"), default=0)
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("access log sample")
        verbose_name_plural = _("access log samples")
        ordering = ["-week_start", "kommun"]
        constraints = [
            models.UniqueConstraint(fields=["kommun", "week_start"], name="access_sample_once_per_week")
        ]

    def __str__(self) -> str:
        return f"Sample {self.kommun_id} {self.week_start}"


class AccessLogSampleItem(models.Model):
    sample = models.ForeignKey(AccessLogSample, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(AccessLogEntry, on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "entry"], name="access_sample_item_once")]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.entry_id}"


class ReviewNotification(PublicIdModel):
    """An in-app notice to a MAS or MAR that a sample awaits review (also e-mailed). Once per person and
    sample. Carries no patient data."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    sample = models.ForeignKey(
        AccessLogSample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review notification")
        verbose_name_plural = _("review notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sample"], name="review_notification_once_per_sample")
        ]

    def __str__(self) -> str:
        return f"Review notification {self.public_id}"


class AccessLogExtract(PublicIdModel):
    """A patient's log extract (PDL 8 kap. 5 §) as produced: the entries up to ``up_to_entry_id``.

    Fixing the last entry makes the extract a stable source for its PDF: producing it (and printing it)
    adds log rows, which must not change what it shows.
    """

    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("produced by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("for organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    up_to_entry_id = models.BigIntegerField(_("last entry included"))
    created_at = models.DateTimeField(_("produced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("log extract")
        verbose_name_plural = _("log extracts")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Log extract {self.public_id}"
