"""Patients and their enrolment (inskrivning) in municipal home health care."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from directory.models import OrganisationKind
from hemsjukvard.db import PublicIdModel, TimestampedModel
from hemsjukvard.search import search_name_of

from .personnummer import IDENTITY_LABELS, MAX_IDENTITY_LENGTH, IdentityKind, format_identity


class HousingSetting(models.TextChoices):
    ORDINARY_HOME = "ordinary_home", _("Ordinary home")
    SPECIAL_HOUSING = "special_housing", _("Special housing (SÄBO)")
    SHORT_TERM_HOUSING = "short_term_housing", _("Short-term housing")
    LSS_HOUSING = "lss_housing", _("LSS housing")
    SOCIAL_PSYCHIATRY_HOUSING = "social_psychiatry_housing", _("Social psychiatry housing")
    DAY_ACTIVITY = "day_activity", _("Day activity")


class Patient(PublicIdModel, TimestampedModel):
    """A person whose health care at home the region and kommun share.

    ``protected_identity`` is skyddad identitet: name, address and personnummer are masked for everyone
    but the enrolling kommun's nursing staff and the listed vårdcentral (see ``access.patients``).
    """

    # Twelve digits for a personnummer or samordningsnummer; a reservnummer as the region writes it.
    personal_identity = models.CharField(
        _("personnummer, samordningsnummer or reservnummer"), max_length=MAX_IDENTITY_LENGTH, unique=True
    )
    identity_kind = models.CharField(
        _("kind of identity number"),
        max_length=20,
        choices=[(kind.value, kind.value) for kind in IdentityKind],
        default=IdentityKind.PERSONNUMMER.value,
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    # The names folded for search (``patients.search``); kept by ``save`` and by every bulk write.
    search_name = models.CharField(
        _("name as searched"), max_length=201, blank=True, db_default="", editable=False
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    folkbokforing_kommun = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("kommun of folkbokföring"),
        on_delete=models.PROTECT,
        related_name="folkbokforda_patients",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
    )
    housing_setting = models.CharField(
        _("housing setting"),
        max_length=32,
        choices=HousingSetting.choices,
        default=HousingSetting.ORDINARY_HOME,
    )
    housing_unit = models.CharField(
        _("housing unit (särskilt boende)"),
        max_length=200,
        blank=True,
        help_text=_("The name of the SÄBO or short-term unit the patient lives in, e.g. Solgården."),
    )
    listed_vardcentral = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("listed vårdcentral"),
        on_delete=models.PROTECT,
        related_name="listed_patients",
        null=True,
        blank=True,
        limit_choices_to={"kind": OrganisationKind.VARDCENTRAL},
    )
    fast_lakarkontakt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fast läkarkontakt (named physician)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    fast_vardkontakt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fast vårdkontakt (named care contact)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=64, blank=True)
    protected_identity = models.BooleanField(_("skyddad identitet (protected identity)"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="patient_interpreter_language_when_needed",
            ),
        ]
        indexes = [
            models.Index(fields=["listed_vardcentral"]),
            models.Index(fields=["folkbokforing_kommun", "housing_setting"]),
            models.Index(fields=["family_name", "given_name"]),
        ]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and admin messages shown to many people.
        return f"Patient {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, not a rule: the name as a search compares it, written with the name.
        self.search_name = search_name_of(self.given_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def formatted_identity(self) -> str:
        return format_identity(self.personal_identity, self.identity_kind)

    @property
    def identity_label(self) -> str:
        """What the number is called where it is shown: Personnummer, Samordningsnummer, Reservnummer."""
        return str(IDENTITY_LABELS.get(self.identity_kind, IDENTITY_LABELS[IdentityKind.PERSONNUMMER]))

    @property
    def has_reservnummer(self) -> bool:
        return self.identity_kind == IdentityKind.RESERVNUMMER

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def open(self) -> EnrolmentQuerySet:
        return self.filter(ends_on__isnull=True)


class Enrolment(PublicIdModel, TimestampedModel):
    """Inskrivning i hemsjukvård.

    Tröskelprincipen (the threshold principle): a person is enrolled only if they cannot get to the
    vårdcentral on their own or with support, and the need is continuous; the justification is required.
    """

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="enrolments"
    )
    kommun = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
    )
    starts_on = models.DateField(_("enrolled from"))
    ends_on = models.DateField(_("enrolled until"), null=True, blank=True)
    threshold_justification = models.TextField(_("justification under the threshold principle"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(ends_on__isnull=True),
                name="enrolment_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=~Q(threshold_justification=""),
                name="enrolment_justification_required",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kommun", "patient"],
                condition=Q(ends_on__isnull=True),
                name="enrolment_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Enrolment {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.ends_on is None


class ProtectedIdentityChange(PublicIdModel):
    """One change of a patient's skyddad identitet, with who made it, in which role, and why.

    The marking is Skatteverket's (sekretessmarkering, kvarskrivning, fingerade personuppgifter): the
    register follows it, it does not decide it. So it is never a field of an ordinary correction: only
    the roles in ``access.roles.PROTECTED_IDENTITY_ROLES`` change it, each time with the reason
    (typically Skatteverket's decision), and each change is a row here and in the access log.
    """

    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="protected_identity_changes",
    )
    protected_identity = models.BooleanField(_("skyddad identitet after the change"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.CharField(_("API client"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change of protected identity")
        verbose_name_plural = _("changes of protected identity")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="protected_identity_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Protected identity change {self.public_id}"
