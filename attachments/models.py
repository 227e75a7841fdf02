"""Attachments (bilagor): a file that belongs to exactly one responsibility case or one SIP.

The row keeps what was uploaded (kind, title, size, SHA-256, the content type read from the bytes), by
whom and for which organisation. Removing an attachment is a soft removal: the row stays with who removed
it, when and why, and the file itself is deleted from storage. The file lives in the ``attachments``
storage (``STORAGES["attachments"]``: local disk or S3-compatible object storage), under a random name
that says nothing about the patient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hemsjukvard.db import PublicIdModel

TITLE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 1000


class AttachmentKind(models.TextChoices):
    DISCHARGE_SUMMARY = "discharge_summary", pgettext_lazy("attachment kind", "Discharge summary")
    MEDICATION_LIST = "medication_list", pgettext_lazy("attachment kind", "Medication list")
    PRESCRIPTION = "prescription", pgettext_lazy("attachment kind", "Prescription")
    TRAINING_SIGN_OFF = "training_sign_off", pgettext_lazy("attachment kind", "Training sign-off")
    OTHER = "other", pgettext_lazy("attachment kind", "Other")


class AttachmentContentType(models.TextChoices):
    """The file types taken, as read from the file's first bytes (never as the browser names them)."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG"
    JPEG = "image/jpeg", "JPEG"


class Attachment(PublicIdModel):
    case = models.ForeignKey(
        "cases.ResponsibilityCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    sip = models.ForeignKey(
        "sip.Sip",
        verbose_name=_("SIP"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # The case's or plan's patient, kept for the access log and the patient's log extract.
    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    content_type = models.CharField(_("file type"), max_length=32, choices=AttachmentContentType.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(_("name in storage"), max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    api_client = models.CharField(_("via API client"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_by_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("removed for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(_("reason for removal"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(sip__isnull=True))
                | (Q(case__isnull=True) & Q(sip__isnull=False)),
                name="attachment_belongs_to_one_case_or_one_sip",
            ),
            models.CheckConstraint(
                condition=(Q(removed_at__isnull=True) & Q(removed_by__isnull=True) & Q(removal_reason=""))
                | (Q(removed_at__isnull=False) & Q(removed_by__isnull=False) & ~Q(removal_reason="")),
                name="attachment_removal_says_who_when_and_why",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=AttachmentContentType.values),
                name="attachment_content_type_taken",
            ),
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_known"),
        ]
        indexes = [
            models.Index(fields=["case", "created_at"], name="attachment_case_idx"),
            models.Index(fields=["sip", "created_at"], name="attachment_sip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
