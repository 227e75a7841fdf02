"""Agreements on home health care (överenskommelser om hemsjukvård) as data.

An ``Agreement`` is the lasting identity (a region's agreement, or a local agreement between one kommun
and, optionally, one vårdcentral). Its content lives in ``AgreementVersion`` rows: title, parties,
validity, sections, legal references, responsibility rules, deadlines and the escalation ladder. A new
version supersedes the old one without rewriting it; only a draft version can be changed, so every
proposal that cited a rule can always be traced to the text it cited (``services`` holds that rule).
``revision`` changes with every write of a row (the API's ETag, as for cases and SIPs).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation, OrganisationKind
from hemsjukvard.db import PublicIdModel, TimestampedModel
from patients.models import HousingSetting

from .areas import PhysicianArea, RuleTimeBands, private_performer_problem
from .choices import (
    PARTIES_ALLOWING_ORGANISATION,
    PARTIES_NEEDING_ORGANISATION,
    AgreementScope,
    AgreementStatus,
    ApproverRole,
    CareLevel,
    DayKind,
    EnrolmentRequirement,
    EscalationBodyRef,
    EscalationIdentity,
    HardRuleCode,
    PartyRef,
    TaskKind,
    default_escalation_identity,
)
from .hard_rules import PHYSICIAN_RULE_DEFAULT, HardRuleRef, PartyChoice, hard_rule_violations
from .law import HARD_RULE_DEFAULTS, VERSION_SETTING_FIELDS, AgreementSettings, HardRule

__all__ = [
    "HARD_RULE_DEFAULTS",
    "VERSION_SETTING_FIELDS",
    "Agreement",
    "AgreementEvent",
    "AgreementEventAction",
    "AgreementVersion",
    "CareTaskType",
    "EscalationLevel",
    "HardRule",
    "LegalReference",
    "PhysicianArea",
    "ResponsibilityRule",
    "Section",
]
from .threshold import threshold_rule_problems

# What a party reference may name, when the rule names an organisation with it.
ORGANISATION_KIND_FOR_PARTY: dict[str, frozenset[str]] = {
    PartyRef.CASE_SPECIALIST_CLINIC: frozenset({OrganisationKind.SPECIALIST_CLINIC}),
    PartyRef.MOBILE_TEAM: frozenset({OrganisationKind.MOBILE_TEAM}),
    PartyRef.ORGANISATION: frozenset(
        {
            OrganisationKind.REGION,
            OrganisationKind.KOMMUN,
            OrganisationKind.VARDCENTRAL,
            OrganisationKind.SPECIALIST_CLINIC,
            OrganisationKind.MOBILE_TEAM,
            OrganisationKind.PRIVATE_PERFORMER,
        }
    ),
}


class Agreement(PublicIdModel, TimestampedModel):
    """An agreement as a lasting identity; see ``AgreementVersion`` for its content."""

    region = models.ForeignKey(
        Organisation,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="agreements",
        limit_choices_to={"kind": OrganisationKind.REGION},
    )
    code = models.SlugField(
        _("code"),
        max_length=64,
        help_text=_("A short stable name, used by the import file, e.g. halland-hemsjukvard."),
    )
    scope = models.CharField(
        _("scope"), max_length=16, choices=AgreementScope.choices, default=AgreementScope.REGIONAL
    )
    local_kommun = models.ForeignKey(
        Organisation,
        verbose_name=_("kommun (local agreement)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_agreements",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
        help_text=_("For a local agreement: the kommun it binds."),
    )
    local_vardcentral = models.ForeignKey(
        Organisation,
        verbose_name=_("vårdcentral (local agreement)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_agreements_as_vardcentral",
        limit_choices_to={"kind": OrganisationKind.VARDCENTRAL},
        help_text=_(
            "For a local agreement with one vårdcentral. Leave empty for an agreement that covers "
            "every patient of the kommun."
        ),
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["region__name", "scope", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="agreement_code_unique_in_region"),
            models.CheckConstraint(
                condition=Q(
                    scope=AgreementScope.REGIONAL,
                    local_kommun__isnull=True,
                    local_vardcentral__isnull=True,
                )
                | Q(scope=AgreementScope.LOCAL, local_kommun__isnull=False),
                name="agreement_local_scope_iff_local",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.region_id is not None and self.region.kind != OrganisationKind.REGION:
            errors.setdefault("region", []).append(gettext("Choose a region."))
        if self.scope == AgreementScope.REGIONAL:
            if self.local_kommun_id is not None or self.local_vardcentral_id is not None:
                errors.setdefault("scope", []).append(
                    gettext("A regional agreement has no local kommun or vårdcentral.")
                )
        else:
            kommun = self.local_kommun if self.local_kommun_id is not None else None
            vardcentral = self.local_vardcentral if self.local_vardcentral_id is not None else None
            if kommun is None:
                errors.setdefault("local_kommun", []).append(
                    gettext("A local agreement binds one kommun: choose it.")
                )
            elif kommun.kind != OrganisationKind.KOMMUN or kommun.region_id != self.region_id:
                errors.setdefault("local_kommun", []).append(
                    gettext("Choose a kommun in the agreement's region.")
                )
            if vardcentral is not None and (
                vardcentral.kind != OrganisationKind.VARDCENTRAL or vardcentral.region_id != self.region_id
            ):
                errors.setdefault("local_vardcentral", []).append(
                    gettext("Choose a vårdcentral in the agreement's region.")
                )
        if errors:
            raise ValidationError(errors)

    @property
    def specificity(self) -> int:
        """How narrowly the agreement applies: regional 0, a whole kommun 1, kommun and vårdcentral 2."""
        if self.scope == AgreementScope.REGIONAL:
            return 0
        return 2 if self.local_vardcentral_id is not None else 1


class AgreementVersion(AgreementSettings, PublicIdModel, TimestampedModel):
    """One version of an agreement: everything it says, valid from a date."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=32, help_text=_("E.g. 2025.1"))
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for an agreement that runs until a new version replaces it. After this "
            "date the agreement is not applied at all."
        ),
    )
    kommuner = models.ManyToManyField(
        Organisation,
        verbose_name=_("kommuner (parties)"),
        related_name="agreement_versions",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
        help_text=_("The kommuner that are parties; the region is always a party."),
    )
    covered_housing_settings = models.JSONField(
        _("housing settings covered"),
        default=list,
        help_text=_(
            "The housing settings the agreement covers. For a patient in any other setting the "
            "agreement proposes nothing and the task is unclear."
        ),
    )
    threshold_section = models.ForeignKey(
        "Section",
        verbose_name=_("section on tröskelprincipen"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cited when the threshold principle gives the vårdcentral a task."),
    )
    # Deadlines and the escalation ladder (see ``EscalationLevel``).
    deadline_day_kind = models.CharField(
        _("deadlines count"), max_length=16, choices=DayKind.choices, default=DayKind.WORKING
    )
    review_deadline_days = models.PositiveSmallIntegerField(
        _("review deadline (days)"),
        default=3,
        help_text=_("Days the vårdcentral has to accept or dispute a proposed split."),
    )
    approval_deadline_days = models.PositiveSmallIntegerField(
        _("approval deadline (days)"),
        default=5,
        help_text=_("Days MAS or MAR has to approve or reject a risk analysis."),
    )
    # Shorter deadlines for cases marked urgent ("Brådskande"); empty: the ordinary deadline applies.
    urgent_review_deadline_days = models.PositiveSmallIntegerField(
        _("review deadline, urgent cases (days)"), null=True, blank=True
    )
    urgent_approval_deadline_days = models.PositiveSmallIntegerField(
        _("approval deadline, urgent cases (days)"), null=True, blank=True
    )
    auto_escalate_unanswered_review = models.BooleanField(
        _("escalate an unanswered review"),
        default=False,
        help_text=_("Whether a review that passes its deadline unanswered goes to escalation level 1."),
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        editable=False,
    )
    source_name = models.CharField(_("imported from"), max_length=300, blank=True, editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-valid_from", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version"], name="agreement_version_unique"),
            models.UniqueConstraint(
                fields=["agreement", "valid_from"],
                condition=~Q(status=AgreementStatus.DRAFT),
                name="agreement_version_one_start_per_day",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_version_valid_to_after_from",
            ),
            models.CheckConstraint(
                condition=Q(review_deadline_days__gte=1) & Q(approval_deadline_days__gte=1),
                name="agreement_version_deadlines_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "status", "valid_from"], name="agreement_version_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == AgreementStatus.DRAFT

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(gettext("The end date cannot be before the start date."))
        settings_given = self.covered_housing_settings
        if not isinstance(settings_given, list) or not all(
            isinstance(value, str) and value in HousingSetting.values for value in settings_given
        ):
            errors.setdefault("covered_housing_settings", []).append(
                gettext("Choose housing settings from the list.")
            )
        elif not settings_given:
            errors.setdefault("covered_housing_settings", []).append(
                gettext("An agreement must cover at least one housing setting.")
            )
        section = self.threshold_section if self.threshold_section_id is not None else None
        if section is not None and (self.pk is None or section.version_id != self.pk):
            errors.setdefault("threshold_section", []).append(gettext("Choose a section of this version."))
        if self.home_care_term_from is not None and not self.home_care_term.strip():
            errors.setdefault("home_care_term", []).append(gettext("Name the term used from that date."))
        for field, messages in self.band_limits_problems().items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def covers(self, housing_setting: str) -> bool:
        return housing_setting in self.covered_housing_settings

    def physician_rule(self) -> HardRuleRef | None:
        """The physician rule as in force on some day of this version's validity.

        Remembered per validity period on the instance: an import checks every rule of the version.
        """
        key = (self.valid_from, self.valid_to)
        cached: tuple[Any, HardRuleRef | None] | None = getattr(self, "_physician_rule", None)
        if cached is None or cached[0] != key:
            cached = (key, HardRule.objects.in_force(HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN, *key))
            self._physician_rule = cached
        return cached[1]


class Section(PublicIdModel):
    """A numbered section of an agreement version's text; rules cite it."""

    version = models.ForeignKey(
        AgreementVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.CharField(_("number"), max_length=16, help_text=_("E.g. 4.2"))
    heading = models.CharField(_("heading"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="section_number_unique_in_version")
        ]

    def __str__(self) -> str:
        return f"§ {self.number} {self.heading}"


class LegalReference(models.Model):
    """A provision of law the agreement rests on, as data (law, chapter, paragraph, in force from)."""

    version = models.ForeignKey(
        AgreementVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="legal_references",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_references",
        help_text=_("The section that rests on this provision, if one does."),
    )
    law = models.CharField(_("law"), max_length=200, help_text=_("E.g. Hälso- och sjukvårdslag (2017:30)"))
    chapter = models.CharField(_("chapter"), max_length=16, blank=True)
    paragraph = models.CharField(_("paragraph"), max_length=16, blank=True)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return self.citation

    @property
    def citation(self) -> str:
        parts = [self.law]
        if self.chapter:
            parts.append(f"{self.chapter} kap.")
        if self.paragraph:
            parts.append(f"{self.paragraph} §")
        return " ".join(parts)

    def clean(self) -> None:
        section = self.section if self.section_id is not None else None
        if section is not None and section.version_id != self.version_id:
            raise ValidationError({"section": gettext("Choose a section of this version.")})


class CareTaskType(PublicIdModel):
    """An entry in the catalogue of care tasks (insatstyper), shared by every agreement."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # The name the person and their family read in the SIP ("Hjälp med dialysen"), where the clinical
    # name says little to them. Empty: the clinical name is plain enough.
    plain_name_sv = models.CharField(_("plain name (Swedish)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices)
    care_level = models.CharField(_("care level"), max_length=16, choices=CareLevel.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("care task type")
        verbose_name_plural = _("care task types")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.name_sv} ({self.code})"

    def clean(self) -> None:
        if self.pk is None or self.kind != TaskKind.PHYSICIAN:
            return
        # Turning a task into a physician task must not leave a rule that gives it to a kommun.
        offending = [
            rule
            for rule in ResponsibilityRule.objects.filter(task_type_id=self.pk).select_related(
                "version__agreement",
                "orders_organisation",
                "performs_organisation",
                "follows_up_organisation",
            )
            if rule.hard_rule_problems(task_kind=TaskKind.PHYSICIAN)
        ]
        if offending:
            raise ValidationError(
                {
                    "kind": gettext(
                        "%(count)d rule(s) give this task to a kommun, which a physician task can "
                        "never be (HSL 12 kap. 3 §), for example in %(version)s. Change those rules "
                        "first."
                    )
                    % {"count": len(offending), "version": offending[0].version}
                }
            )


class ResponsibilityRule(RuleTimeBands, PublicIdModel):
    """Who orders, performs and follows up one task type, under which conditions, citing a section.

    A rule applies to a patient when its housing setting and enrolment requirement match; an empty
    housing setting means every setting the agreement covers. Where several rules match, the most
    specific wins: a local agreement beats the regional one, and a rule naming a housing setting or an
    enrolment requirement beats one that does not.
    """

    version = models.ForeignKey(
        AgreementVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="rules"
    )
    task_type = models.ForeignKey(
        CareTaskType, verbose_name=_("task type"), on_delete=models.PROTECT, related_name="rules"
    )
    housing_setting = models.CharField(
        _("housing setting"),
        max_length=32,
        choices=HousingSetting.choices,
        blank=True,
        help_text=_("Leave empty for every housing setting the agreement covers."),
    )
    enrolment_requirement = models.CharField(
        _("enrolment"),
        max_length=16,
        choices=EnrolmentRequirement.choices,
        default=EnrolmentRequirement.ANY,
    )
    orders_party = models.CharField(_("orders"), max_length=32, choices=PartyRef.choices)
    orders_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("orders: organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    performs_party = models.CharField(_("performs"), max_length=32, choices=PartyRef.choices)
    performs_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("performs: organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    follows_up_party = models.CharField(_("follows up"), max_length=32, choices=PartyRef.choices)
    follows_up_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("follows up: organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    risk_analysis_required = models.BooleanField(_("risk analysis required"), default=False)
    approver_role = models.CharField(
        _("risk analysis approved by"),
        max_length=8,
        choices=ApproverRole.choices,
        blank=True,
        help_text=_(
            "Leave empty to follow the task's kind (MAR for rehabilitation, else MAS). Choose “nobody "
            "approves” where the region performs the care and the kommun's MAS is only informed."
        ),
    )
    specialist_active_role_required = models.BooleanField(
        _("specialist must take an active role"), default=False
    )
    training_required = models.BooleanField(_("training / competence transfer required"), default=False)
    contact_24_7_required = models.BooleanField(_("24/7 contact path required"), default=False)
    delegation_allowed = models.BooleanField(_("delegation allowed"), default=False)
    max_duration_days = models.PositiveSmallIntegerField(
        _("re-review after (days)"),
        null=True,
        blank=True,
        help_text=_("The split holds for at most this many days before it is reviewed again."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("E.g. who reports the results to whom."))
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="rules"
    )
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility rules")
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "task_type", "housing_setting", "enrolment_requirement", "time_bands"],
                name="rule_unique_situation_in_version",
                violation_error_message=_(
                    "This version already has a rule for this task type, housing setting, enrolment "
                    "and time of day."
                ),
            ),
            models.CheckConstraint(
                condition=Q(approver_role="") | Q(risk_analysis_required=True),
                name="rule_approver_only_with_risk_analysis",
            ),
            models.CheckConstraint(
                condition=Q(max_duration_days__isnull=True) | Q(max_duration_days__gte=1),
                name="rule_max_duration_positive",
            ),
        ]
        indexes = [models.Index(fields=["version", "task_type"], name="rule_version_task_idx")]

    def __str__(self) -> str:
        return f"{self.task_type.code} – {self.version}"

    # --- validation ---------------------------------------------------------------------------

    def party_choices(self) -> dict[str, PartyChoice]:
        choices = {}
        for role in ("orders", "performs", "follows_up"):
            organisation: Organisation | None = getattr(self, f"{role}_organisation")
            choices[f"{role}_party"] = PartyChoice(
                party=getattr(self, f"{role}_party"),
                organisation_kind=organisation.kind if organisation is not None else None,
            )
        return choices

    def hard_rule_problems(self, *, task_kind: str | None = None) -> dict[str, list[str]]:
        """What the law's hard rules (``agreements.hard_rules``) say against this rule."""
        kind = task_kind if task_kind is not None else self.task_type.kind
        physician_rule = (
            self.version.physician_rule() if self.version_id is not None else PHYSICIAN_RULE_DEFAULT
        )
        return hard_rule_violations(
            task_kind=kind, parties=self.party_choices(), physician_rule=physician_rule
        )

    def threshold_problems(self) -> dict[str, list[str]]:
        """What the version's tröskelprincipen (``agreements.threshold``) says against this rule."""
        if self.version_id is None:
            return {}
        return threshold_rule_problems(
            enabled=self.version.threshold_principle,
            housing_setting=self.housing_setting,
            enrolment_requirement=self.enrolment_requirement,
            covers_ordinary_home=HousingSetting.ORDINARY_HOME in self.version.covered_housing_settings,
            parties=self.party_choices(),
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if (
            self.section_id is not None
            and self.version_id is not None
            and self.section.version_id != self.version_id
        ):
            errors.setdefault("section", []).append(gettext("Cite a section of the same agreement version."))
        if self.approver_role and not self.risk_analysis_required:
            errors.setdefault("approver_role", []).append(
                gettext("Only a rule that requires a risk analysis names who approves it.")
            )
        if (
            self.housing_setting
            and self.version_id is not None
            and not self.version.covers(self.housing_setting)
        ):
            errors.setdefault("housing_setting", []).append(
                gettext("The agreement version does not cover this housing setting.")
            )
        region_id = self.version.agreement.region_id if self.version_id is not None else None
        for role in ("orders", "performs", "follows_up"):
            for field, message in self._party_problems(role, region_id):
                errors.setdefault(field, []).append(message)
        if self.task_type_id is not None and all(
            getattr(self, f"{role}_party") for role in ("orders", "performs", "follows_up")
        ):
            for field, messages in self.hard_rule_problems().items():
                errors.setdefault(field, []).extend(messages)
            for field, messages in self.threshold_problems().items():
                errors.setdefault(field, []).extend(messages)
        for field, messages in self.time_band_problems().items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def _party_problems(self, role: str, region_id: int | None) -> list[tuple[str, str]]:
        party: str = getattr(self, f"{role}_party")
        organisation: Organisation | None = getattr(self, f"{role}_organisation")
        field = f"{role}_organisation"
        if party in PARTIES_NEEDING_ORGANISATION and organisation is None:
            return [(field, gettext("Choose the organisation."))]
        if organisation is None:
            return []
        if party not in PARTIES_ALLOWING_ORGANISATION:
            return [
                (
                    field,
                    gettext("This party is found from the patient; leave the organisation empty."),
                )
            ]
        problems = []
        if organisation.kind not in ORGANISATION_KIND_FOR_PARTY[party]:
            problems.append(
                (
                    field,
                    gettext("A %(kind)s cannot be this party.") % {"kind": organisation.get_kind_display()},
                )
            )
        organisation_region = (
            organisation.pk if organisation.kind == OrganisationKind.REGION else organisation.region_id
        )
        if region_id is not None and organisation_region != region_id:
            problems.append((field, gettext("Choose an organisation in the agreement's region.")))
        local_kommun_id = self.version.agreement.local_kommun_id if self.version_id is not None else None
        if performer_problem := private_performer_problem(organisation, local_kommun_id=local_kommun_id):
            problems.append((field, performer_problem))
        return problems


class EscalationLevel(models.Model):
    """One step of the agreement's escalation ladder: which body decides, within how many days."""

    version = models.ForeignKey(
        AgreementVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="escalation_levels",
    )
    level = models.PositiveSmallIntegerField(_("level"))
    body_ref = models.CharField(
        _("body"),
        max_length=32,
        choices=EscalationBodyRef.choices,
        default=EscalationBodyRef.ORGANISATION,
    )
    body = models.ForeignKey(
        Organisation,
        verbose_name=_("joint body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.JOINT_BODY},
    )
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days)"))
    urgent_deadline_days = models.PositiveSmallIntegerField(
        _("deadline, urgent cases (days)"), null=True, blank=True
    )
    binding = models.BooleanField(
        _("decision binds"),
        default=True,
        help_text=_(
            "Whether the body's decision binds the parties; otherwise it is a recommendation that takes "
            "effect when both parties accept it."
        ),
    )
    identity = models.CharField(
        _("patient identity"),
        max_length=16,
        choices=EscalationIdentity.choices,
        blank=True,
        default="",
        help_text=_(
            "Whether the body's members see the patient's name and personnummer, or only age, sex and "
            "housing. Identified at level 1 and pseudonymised from level 2 unless the agreement says "
            "otherwise."
        ),
    )

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["version", "level"]
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="escalation_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1), name="escalation_level_positive"),
            models.CheckConstraint(
                condition=Q(body_ref=EscalationBodyRef.ORGANISATION, body__isnull=False)
                | Q(body_ref=EscalationBodyRef.KOMMUN_JOINT_BODY, body__isnull=True),
                name="escalation_level_body_iff_named",
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1), name="escalation_level_deadline_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.body or self.get_body_ref_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.identity:
            self.identity = default_escalation_identity(self.level)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        body = self.body if self.body_id is not None else None
        if self.body_ref == EscalationBodyRef.ORGANISATION:
            if body is None:
                errors.setdefault("body", []).append(gettext("Choose the joint body."))
            elif body.kind != OrganisationKind.JOINT_BODY:
                errors.setdefault("body", []).append(gettext("Choose a joint body."))
            elif self.version_id is not None and body.region_id != self.version.agreement.region_id:
                errors.setdefault("body", []).append(
                    gettext("Choose a joint body in the agreement's region.")
                )
        elif self.body_id is not None:
            errors.setdefault("body", []).append(
                gettext("The body is found from the patient's kommun; leave it empty.")
            )
        if errors:
            raise ValidationError(errors)


# Models of this app kept in modules of their own; imported here so Django registers them.
from .history import AgreementEvent as AgreementEvent  # noqa: E402
from .history import AgreementEventAction as AgreementEventAction  # noqa: E402
from .risk_templates import RiskTemplate  # noqa: E402, F401
