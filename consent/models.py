"""The legal basis for sharing a responsibility case, objections and spärrar.

A region and a kommun are separate care providers (PDL 2008:355, OSL 25 kap.): what one of them writes
about a person is shared with the other only on a legal basis recorded on the case. Three kinds:

* the person's **consent** (samtycke): its scope, who gave it (the person or a representative), how
  (orally or in writing), when, and until when; it can be withdrawn;
* a documented **menprövning**: the assessment, for a person who cannot consent, that sharing does not
  harm them (who assessed, when, the reasoning);
* **another legal ground**, chosen and explained.

The person may **object** to sharing with a named organisation, or with all; a **spärr** hides named
parts of the case (its free text and comments, its risk analyses, its documents) from every
organisation but the one that opened the case. Rows are never deleted: a withdrawal or a lifting is
recorded on the row, with who, when and why.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel

# Bounded sizes: the API and the forms take them from here.
SCOPE_MAX = 1000
NAME_MAX = 200
TEXT_MAX = 4000


class BasisKind(models.TextChoices):
    CONSENT = "consent", _("Consent")
    MENPROVNING = "menprovning", _("Assessment that sharing does not harm the person (menprövning)")
    OTHER_GROUND = "other_ground", _("Another legal ground")
    HISTORIC = "historic", _("Recorded before a legal basis was required")


class GivenBy(models.TextChoices):
    PERSON = "person", _("The person themself")
    REPRESENTATIVE = "representative", _("A representative (e.g. guardian or trustee)")


class ConsentForm(models.TextChoices):
    ORAL = "oral", _("Orally")
    WRITTEN = "written", _("In writing")


class OtherGround(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency: the person's life or health is at risk")
    DUTY_BY_LAW = "duty_by_law", _("A duty to share laid down in law")
    OTHER = "other", _("Other ground (explain)")


class SharedPart(models.TextChoices):
    TEXT = "text", _("Free text and comments")
    ANALYSES = "analyses", _("Risk analyses")
    DOCUMENTS = "documents", _("Documents (PDF)")


class SharingBasis(PublicIdModel):
    """The basis on which a case is shared with the other parties. The newest row not withdrawn is the
    case's basis; a withdrawal is recorded on the row and stops the sharing at once."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="sharing_bases",
    )
    kind = models.CharField(_("legal basis"), max_length=16, choices=BasisKind.choices)
    scope = models.TextField(_("scope of the consent"), max_length=SCOPE_MAX, blank=True)
    given_by = models.CharField(_("consent given by"), max_length=16, choices=GivenBy.choices, blank=True)
    representative_name = models.CharField(_("name of the representative"), max_length=NAME_MAX, blank=True)
    form = models.CharField(_("consent given"), max_length=8, choices=ConsentForm.choices, blank=True)
    given_on = models.DateField(_("consent given on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    assessed_by_name = models.CharField(_("assessed by"), max_length=NAME_MAX, blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    reasoning = models.TextField(_("reasoning"), max_length=TEXT_MAX, blank=True)
    ground = models.CharField(_("legal ground"), max_length=16, choices=OtherGround.choices, blank=True)
    ground_text = models.TextField(_("legal ground: explanation"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("recorded for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("legal basis for sharing")
        verbose_name_plural = _("legal bases for sharing")
        ordering = ["case", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class _Lifted(PublicIdModel):
    """A record that holds until it is lifted (an objection, a spärr): who lifted it, when and why."""

    reason = models.TextField(_("reason"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("recorded for"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("reason for lifting"), max_length=TEXT_MAX, blank=True)

    class Meta:
        abstract = True


class SharingObjection(_Lifted):
    """The person objects to the case being shared with ``organisation`` (with every organisation but
    the one that opened the case when empty)."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("not to be shared with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: no other organisation."),
    )

    class Meta:
        verbose_name = _("objection to sharing")
        verbose_name_plural = _("objections to sharing")
        ordering = ["case", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.organisation_id or '*'}"


class SharingBlock(_Lifted):
    """A spärr: ``part`` of the case is hidden from every organisation but the one that opened it."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("blocked part"), max_length=16, choices=SharedPart.choices)

    class Meta:
        verbose_name = _("spärr")
        verbose_name_plural = _("spärrar")
        ordering = ["case", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.part}"
