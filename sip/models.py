"""SIP (samordnad individuell plan, HSL 16 kap. 4 §): the plan, its versions and what hangs on them.

A ``Sip`` is one person's coordinated plan; its content lives in numbered ``SipVersion`` rows. A version
is a draft until it is finalised; a finalised version and its rows never change again (the services
refuse it, and so does the database: migration 0002), so a change is always a new version. The current
version is the one with the highest number. Consent withdrawals, follow-ups and the plan's events are
dated records that are only ever inserted.

The law's four elements are (1) the insatser needed (``SipInsats``), (2) which principal answers for each
(``SipInsats.responsible``), (3) measures by others than kommun and region (``SipOtherMeasure``, or the
explicit statement that there are none) and (4) which principal has huvudansvar, the overall
responsibility (``SipVersion.huvudansvar``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel, TimestampedModel


class SipStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINALISED = "finalised", _("Finalised")
    CLOSED = "closed", _("Closed")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINALISED = "finalised", _("Finalised")


class LegalBasis(models.TextChoices):
    """Which law an insats is given under: health care (HSL) or the kommun's social services (SoL)."""

    HSL = "hsl", _("Health care (HSL)")
    SOL = "sol", _("Social services (SoL)")


class Attendance(models.TextChoices):
    YES = "yes", _("Yes")
    REMOTE = "remote", _("Yes, by phone or video")
    NO = "no", _("No")


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", _("The person themself")
    REPRESENTATIVE = "representative", _("A representative (e.g. guardian or trustee)")


class Sip(PublicIdModel, TimestampedModel):
    """One person's coordinated individual plan. ``revision`` changes with every write (the ETag)."""

    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="sips"
    )
    case = models.ForeignKey(
        "cases.ResponsibilityCase",
        verbose_name=_("responsibility case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sips",
        help_text=_("The agreed case the plan was made from, if any."),
    )
    owner_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The organisation that started the plan and keeps it."),
    )
    status = models.CharField(_("status"), max_length=16, choices=SipStatus.choices, default=SipStatus.DRAFT)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Socialtjänst's party to the plan: the biståndshandläggare who works with the person. Naming her is
    # what lets her read the plan and write its SoL insatser (``access.sips``): need to know, not a role.
    bistandshandlaggare = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("biståndshandläggare"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SIP")
        verbose_name_plural = _("SIPs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(case__isnull=False), name="sip_one_per_case"
            ),
            models.CheckConstraint(
                condition=Q(status=SipStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=SipStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="sip_closed_iff_closed_at",
            ),
        ]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self) -> str:
        # Never the patient's name: str() ends up in logs.
        return f"SIP {self.public_id}"


class SipVersion(PublicIdModel):
    """One version of the plan. Immutable once finalised (service and database)."""

    sip = models.ForeignKey(Sip, verbose_name=_("SIP"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # (4) Huvudansvar: the principal with overall responsibility for the plan.
    huvudansvar = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("overall responsibility (huvudansvar)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    huvudansvar_contact = models.CharField(
        _("named person for the overall responsibility"), max_length=200, blank=True
    )
    huvudansvar_phone = models.CharField(_("phone to the named person"), max_length=64, blank=True)
    # The person's named contacts (Lag 2017:612, HSL 6 kap.): who to turn to in care and among physicians.
    fast_vardkontakt_name = models.CharField(_("fast vårdkontakt"), max_length=200, blank=True)
    fast_vardkontakt_unit = models.CharField(_("fast vårdkontakt's unit"), max_length=200, blank=True)
    fast_vardkontakt_phone = models.CharField(_("fast vårdkontakt's phone"), max_length=64, blank=True)
    fast_lakarkontakt_name = models.CharField(_("fast läkarkontakt"), max_length=200, blank=True)
    fast_lakarkontakt_unit = models.CharField(_("fast läkarkontakt's unit"), max_length=200, blank=True)
    fast_lakarkontakt_phone = models.CharField(_("fast läkarkontakt's phone"), max_length=64, blank=True)
    # (3) When no one but kommun and region does anything, the plan says so explicitly.
    no_other_measures = models.BooleanField(_("no measures by others than kommun and region"), default=False)
    what_matters = models.TextField(_("what matters to the person"), blank=True)
    own_goals = models.TextField(_("the person's own goals"), blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=64, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    # Consent to the plan and to sharing it between the principals (HSL 16 kap. 4 §, OSL).
    consent_given_by = models.CharField(
        _("consent given by"), max_length=16, choices=ConsentGivenBy.choices, blank=True
    )
    consent_given_by_name = models.CharField(_("name of who gave consent"), max_length=200, blank=True)
    consent_representative_role = models.CharField(_("the representative's role"), max_length=100, blank=True)
    consent_scope = models.TextField(_("what the consent covers"), blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_valid_to = models.DateField(_("consent valid to"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finalised_by_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("finalised for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SIP version")
        verbose_name_plural = _("SIP versions")
        ordering = ["sip", "number"]
        constraints = [
            models.UniqueConstraint(fields=["sip", "number"], name="sip_version_number_unique"),
            models.UniqueConstraint(
                fields=["sip"], condition=Q(status="draft"), name="sip_version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(finalised_at__isnull=False, follow_up_on__isnull=False, huvudansvar__isnull=False),
                name="sip_version_finalised_is_complete",
            ),
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="sip_version_interpreter_language_when_needed",
            ),
        ]

    def __str__(self) -> str:
        return f"SIP {self.sip_id} version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ContactPeriod(models.TextChoices):
    DAY = "day", _("Daytime")
    EVENING_NIGHT = "evening_night", _("Evening and night")
    WEEKEND = "weekend", _("Weekends and holidays")


class ParticipantKind(models.TextChoices):
    PERSON = "person", _("The person themself")
    NEXT_OF_KIN = "next_of_kin", _("Next of kin (närstående)")
    KOMMUN = "kommun", _("Kommun")
    REGION = "region", _("Region")
    OTHER = "other", _("Other")


class OtherActorKind(models.TextChoices):
    NEXT_OF_KIN = "next_of_kin", _("Next of kin (närstående)")
    FORSAKRINGSKASSAN = "forsakringskassan", _("Försäkringskassan")
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Arbetsförmedlingen")
    SCHOOL = "school", _("School")
    VOLUNTARY = "voluntary", _("Voluntary organisation")
    PRIVATE_PROVIDER = "private_provider", _("Private provider")
    PERSON = "person", _("The person themself")
    OTHER = "other", _("Other")


class SipInsats(models.Model):
    """(1) An insats the person needs and (2) the principal (organisation) that answers for it."""

    version = models.ForeignKey(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.CASCADE, related_name="insatser"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    description = models.TextField(_("insats"))
    task_type = models.ForeignKey(
        "agreements.CareTaskType",
        verbose_name=_("task type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case_task = models.ForeignKey(
        "cases.CaseTask",
        verbose_name=_("case task"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("answers for it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    orders = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("orders (medical responsibility)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    follows_up = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("follows up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    basis = models.CharField(
        _("given under"), max_length=8, choices=LegalBasis.choices, default=LegalBasis.HSL
    )
    # When: the day it starts and how often or for how long ("dagligen kl 08 och 20", "v. 50–52").
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    frequency = models.CharField(_("how often or for how long"), max_length=200, blank=True)
    # Who reports the results to whom, e.g. the kommun's nurse reports blood pressure to the specialist.
    reported_by = models.CharField(_("results reported by"), max_length=200, blank=True)
    reported_to = models.CharField(_("results reported to"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return f"Insats {self.position} of {self.version_id}"


class SipOtherMeasure(models.Model):
    """(3) A measure by someone other than kommun and region: närstående, Försäkringskassan, …"""

    version = models.ForeignKey(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.CASCADE, related_name="other_measures"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    description = models.TextField(_("measure"))
    actor_kind = models.CharField(_("kind of actor"), max_length=32, choices=OtherActorKind.choices)
    actor_name = models.CharField(_("who"), max_length=200)

    class Meta:
        verbose_name = _("measure by others")
        verbose_name_plural = _("measures by others")
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return f"Measure {self.position} of {self.version_id}"


class SipParticipant(models.Model):
    """Who took part in drawing up the plan (the person, närstående, staff), present or not."""

    version = models.ForeignKey(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.CASCADE, related_name="participants"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ParticipantKind.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=200, blank=True)
    attendance = models.CharField(
        _("attended"),
        max_length=8,
        choices=Attendance.choices,
        blank=True,
        help_text=_("Empty: not recorded."),
    )
    phone = models.CharField(_("phone"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return f"Participant {self.position} of {self.version_id}"


class SipContactPath(models.Model):
    """Who the municipal nurse (or the person) calls in a period, e.g. the PD clinic's 24/7 line."""

    version = models.ForeignKey(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.CASCADE, related_name="contact_paths"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    period = models.CharField(_("when"), max_length=16, choices=ContactPeriod.choices)
    who = models.CharField(_("who to call"), max_length=200)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("contact path")
        verbose_name_plural = _("contact paths")
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return f"Contact path {self.period} of {self.version_id}"


class ConsentWithdrawal(PublicIdModel):
    """The person (or their representative) withdrew the consent given in ``version``. Immutable.

    A withdrawn consent stops the sharing of the plan between the principals: only the organisation that
    keeps the plan sees its content afterwards, and the plan shows the withdrawal.
    """

    sip = models.ForeignKey(
        Sip, verbose_name=_("SIP"), on_delete=models.PROTECT, related_name="consent_withdrawals"
    )
    version = models.OneToOneField(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_by = models.CharField(_("withdrawn by"), max_length=16, choices=ConsentGivenBy.choices)
    withdrawn_by_name = models.CharField(_("name of who withdrew it"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("recorded for"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")
        ordering = ["sip", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Consent withdrawal {self.public_id}"


class FollowUpOutcome(models.TextChoices):
    NEW_VERSION = "new_version", _("The plan goes on in a new version")
    CLOSE = "close", _("The plan is closed")


class SipFollowUp(PublicIdModel):
    """A follow-up of one finalised version: when, by whom, how it went, and what it led to. Immutable."""

    sip = models.ForeignKey(Sip, verbose_name=_("SIP"), on_delete=models.PROTECT, related_name="follow_ups")
    version = models.ForeignKey(
        SipVersion, verbose_name=_("version followed up"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    held_on = models.DateField(_("held on"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome.choices)
    notes = models.TextField(_("notes"))
    new_version = models.OneToOneField(
        SipVersion,
        verbose_name=_("new version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_follow_up",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SIP follow-up")
        verbose_name_plural = _("SIP follow-ups")
        ordering = ["sip", "held_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="sip_follow_up_once_per_version"),
            models.CheckConstraint(
                condition=Q(outcome="close", new_version__isnull=True)
                | Q(outcome="new_version", new_version__isnull=False),
                name="sip_follow_up_outcome_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.public_id}"


class SipEventKind(models.TextChoices):
    CREATED = "created", _("Plan started")
    DRAFT_CHANGED = "draft_changed", _("Draft changed")
    FINALISED = "finalised", _("Version finalised")
    NEW_VERSION = "new_version", _("New version started")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Plan closed")
    DISTRIBUTED = "distributed", _("Plan handed out or sent")


class SipEvent(models.Model):
    """One entry of the plan's history. Rows are only ever inserted (the database refuses the rest)."""

    sip = models.ForeignKey(Sip, verbose_name=_("SIP"), on_delete=models.PROTECT, related_name="events")
    version = models.ForeignKey(
        SipVersion,
        verbose_name=_("SIP version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=32)
    kind = models.CharField(_("kind"), max_length=32, choices=SipEventKind.choices)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("SIP event")
        verbose_name_plural = _("SIP events")
        ordering = ["sip", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.sip_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class RecipientKind(models.TextChoices):
    PERSON = "person", _("The person themself")
    REPRESENTATIVE = "representative", _("The person's representative")
    PARTICIPANT = "participant", _("A participant")


class DistributionMethod(models.TextChoices):
    BY_HAND = "by_hand", _("Handed over")
    POST = "post", _("By post")
    EMAIL = "email", _("By e-mail")
    E_SERVICE_1177 = "1177", _("Through 1177")


class SipDistribution(PublicIdModel):
    """Who received a finalised version of the plan, how and when, and who gave or sent it. Immutable.

    The product records the handing out; it sends nothing itself.
    """

    sip = models.ForeignKey(
        Sip, verbose_name=_("SIP"), on_delete=models.PROTECT, related_name="distributions"
    )
    version = models.ForeignKey(
        SipVersion, verbose_name=_("SIP version"), on_delete=models.PROTECT, related_name="distributions"
    )
    recipient_kind = models.CharField(_("received by"), max_length=16, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("recipient's name"), max_length=200)
    method = models.CharField(_("how"), max_length=16, choices=DistributionMethod.choices)
    given_on = models.DateField(_("given or sent on"))
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given or sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SIP handed out")
        verbose_name_plural = _("SIP handed out")
        ordering = ["sip", "given_on", "pk"]

    def __str__(self) -> str:
        return f"Distribution {self.public_id}"
