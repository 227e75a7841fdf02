"""Generated PDFs (care plans, escalation notices, risk analyses), one row per source version.

A ``Document`` is asked for once per kind, source, source version, language and identity masking (the
unique constraint): asking again gives the same row, a new version of the source gives a new row, and a
ready document never changes (the database refuses it, migration 0002). The PDF bytes live in
``DocumentContent``, in the database: written in the same transaction that marks the document ready, so
there is never a ready row without its file nor a file without its row, and the backup of the database
is the backup of the documents. They are small (around 100 kB) and read rarely.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel, TimestampedModel


class DocumentKind(models.TextChoices):
    """The kinds known today. The registry in ``documents.sources`` is what decides; a new kind needs
    no migration (the field has no database choices)."""

    SIP_CARE_PLAN = "sip_care_plan", _("SIP care plan")
    ESCALATION_NOTICE = "escalation_notice", _("Escalation notice")
    RISK_ANALYSIS = "risk_analysis", _("Risk analysis")
    DECISION_NOTICE = "decision_notice", _("Decision notice")


# The kinds' names in a download's file name (Swedish, as the people who keep the files speak).
FILE_NAMES = {
    "sip_care_plan": "sip-vardplan",
    "escalation_notice": "eskaleringsunderlag",
    "risk_analysis": "riskanalys",
    "decision_notice": "beslutsmeddelande",
    "access_log_extract": "loggutdrag",
}


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Document(PublicIdModel, TimestampedModel):
    kind = models.CharField(_("kind"), max_length=64)
    source_id = models.UUIDField(_("source"), help_text=_("The public id of the record the PDF shows."))
    source_version = models.CharField(_("source version"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    identity_masked = models.BooleanField(
        _("identity masked"),
        default=False,
        help_text=_(
            "The patient has skyddad identitet and the PDF shows a masked identity, for readers who may "
            "not see it."
        ),
    )
    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="documents"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("requested for organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(
        _("render attempts"), default=0, help_text=_("How many times a worker claimed the rendering.")
    )
    claimed_by = models.CharField(_("claimed by"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_id", "source_version", "language", "identity_masked"],
                name="document_once_per_source_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready")
                | Q(sha256__regex=r"^[0-9a-f]{64}$", size__isnull=False, page_count__isnull=False),
                name="document_ready_has_checksum",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="document_failed_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "source_id"]),
            models.Index(fields=["patient", "created_at"]),
            models.Index(fields=["status", "claimed_at"]),
        ]

    def __str__(self) -> str:
        # Never the patient: str() ends up in logs.
        return f"Document {self.public_id} ({self.kind} {self.source_version})"

    @property
    def filename(self) -> str:
        """The file name of a record kept by the care parties: the kind in Swedish, the day it was made
        and a short id (never the patient's name: the file may stay in a shared computer's downloads).
        A SIP, which is handed to the person, is named by ``documents.filenames`` instead."""
        made = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
        name = FILE_NAMES.get(self.kind, self.kind.replace("_", "-"))
        language = "" if self.language == settings.LANGUAGE_CODE else f"-{self.language}"
        return f"{name}-{made.isoformat()}-{str(self.source_id)[:8]}{language}.pdf"


class DocumentContent(models.Model):
    """The PDF itself, apart from the row that is polled for status, so polling never reads the bytes."""

    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    content = models.BinaryField(_("PDF"))

    class Meta:
        verbose_name = _("document content")
        verbose_name_plural = _("document contents")

    def __str__(self) -> str:
        return f"PDF of document {self.document_id}"
