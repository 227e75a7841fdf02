"""Agreement API representations: one serializer to read, one to write, per resource; and proposals."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer
from directory.models import Organisation, OrganisationKind
from hemsjukvard.limits import MAX_KOMMUNER, MAX_TASKS, SECTION_TEXT_MAX_LENGTH, at_most, max_length_of
from patients.models import HousingSetting

from ..choices import (
    AgreementScope,
    AgreementStatus,
    ApproverRole,
    CareLevel,
    DayKind,
    EnrolmentRequirement,
    PartyRef,
    ProposalStatus,
    TaskKind,
    ThresholdPerformer,
    TimeBand,
    time_bands_ordered,
)
from ..engine import PartyAssignment, TaskProposal
from ..models import (
    Agreement,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    LegalReference,
    ResponsibilityRule,
    Section,
)


# drf-spectacular names enum components after the field; the task kind, the version status and the
# proposal status get their names from ENUM_NAME_OVERRIDES in the settings. The covered housing
# settings are the patient's HousingSetting under another field name, so they stay inline (``anyOf``)
# rather than become a second name for the same choices.
def _inline_enum(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "anyOf": [{"enum": values}]}


class TaskKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=TaskKind.choices, **kwargs)


class AgreementStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AgreementStatus.choices, **kwargs)


class ProposalStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ProposalStatus.choices, **kwargs)


@extend_schema_field(_inline_enum(list(HousingSetting.values)))
class HousingSettingItemField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=HousingSetting.choices, **kwargs)


def _organisation_field(**kwargs: Any) -> serializers.SlugRelatedField[Organisation]:
    return serializers.SlugRelatedField(slug_field="public_id", queryset=Organisation.objects.all(), **kwargs)


# --- Task types ------------------------------------------------------------------------------------


class CareTaskTypeSerializer(serializers.ModelSerializer[CareTaskType]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = TaskKindField(read_only=True)

    class Meta:
        model = CareTaskType
        fields = [
            "id",
            "code",
            "name_sv",
            "name_en",
            "plain_name_sv",
            "kind",
            "care_level",
            "description",
            "is_active",
        ]
        read_only_fields = fields


class CareTaskTypeWriteSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.SlugField(max_length=max_length_of(CareTaskType, "code"))
    name_sv = serializers.CharField(max_length=max_length_of(CareTaskType, "name_sv"))
    name_en = serializers.CharField(max_length=max_length_of(CareTaskType, "name_en"))
    plain_name_sv = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=max_length_of(CareTaskType, "plain_name_sv"),
        help_text="The name the person and their family read in the SIP, where the clinical one says little.",
    )
    kind = TaskKindField()
    care_level = serializers.ChoiceField(choices=CareLevel.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(CareTaskType, "description")
    )
    is_active = serializers.BooleanField(required=False)


class TaskTypeRefSerializer(serializers.ModelSerializer[CareTaskType]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = TaskKindField(read_only=True)

    class Meta:
        model = CareTaskType
        fields = ["id", "code", "name_sv", "name_en", "kind"]
        read_only_fields = fields


# --- Agreements and versions -----------------------------------------------------------------------


class VersionRefSerializer(serializers.ModelSerializer[AgreementVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = AgreementStatusField(read_only=True)

    class Meta:
        model = AgreementVersion
        fields = ["id", "version", "title", "status", "valid_from", "valid_to"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer[Agreement]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    region = OrganisationRefSerializer(read_only=True)
    local_kommun = OrganisationRefSerializer(read_only=True, allow_null=True)
    local_vardcentral = OrganisationRefSerializer(read_only=True, allow_null=True)
    versions = VersionRefSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "code",
            "scope",
            "region",
            "local_kommun",
            "local_vardcentral",
            "versions",
            "created_at",
        ]
        read_only_fields = fields


class AgreementCreateSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.SlugField(max_length=max_length_of(Agreement, "code"))
    scope = serializers.ChoiceField(choices=AgreementScope.choices, default=AgreementScope.REGIONAL)
    region = _organisation_field()
    local_kommun = _organisation_field(required=False, allow_null=True)
    local_vardcentral = _organisation_field(required=False, allow_null=True)


class SectionRefSerializer(serializers.ModelSerializer[Section]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Section
        fields = ["id", "number", "heading"]
        read_only_fields = fields


class LegalReferenceSerializer(serializers.ModelSerializer[LegalReference]):
    section = serializers.CharField(source="section.number", read_only=True, allow_null=True)
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = LegalReference
        fields = ["law", "chapter", "paragraph", "valid_from", "section", "note", "citation"]
        read_only_fields = fields


class EscalationLevelSerializer(serializers.ModelSerializer[EscalationLevel]):
    body = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = EscalationLevel
        fields = ["level", "body_ref", "body", "deadline_days", "urgent_deadline_days", "binding", "identity"]
        read_only_fields = fields


class DeadlinesSerializer(serializers.Serializer[dict[str, Any]]):
    day_kind = serializers.ChoiceField(choices=DayKind.choices, source="deadline_day_kind")
    review_days = serializers.IntegerField(source="review_deadline_days", min_value=1, max_value=3650)
    approval_days = serializers.IntegerField(source="approval_deadline_days", min_value=1, max_value=3650)
    urgent_review_days = serializers.IntegerField(
        source="urgent_review_deadline_days",
        min_value=1,
        max_value=3650,
        allow_null=True,
        required=False,
        help_text=_("The review deadline for an urgent case; the ordinary one if empty."),
    )
    urgent_approval_days = serializers.IntegerField(
        source="urgent_approval_deadline_days",
        min_value=1,
        max_value=3650,
        allow_null=True,
        required=False,
        help_text=_("The approval deadline for an urgent case; the ordinary one if empty."),
    )
    auto_escalate_unanswered_review = serializers.BooleanField()


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "maxLength": 5, "example": "22:00"}
)
class HourMinuteField(serializers.Field):  # type: ignore[type-arg]
    """A time of day written as HH:MM, as the agreement file writes it."""

    default_error_messages = {"invalid": _("Write the time as HH:MM, e.g. 22:00.")}

    def to_representation(self, value: datetime.time) -> str:
        return value.strftime("%H:%M")

    def to_internal_value(self, data: Any) -> datetime.time:
        if not isinstance(data, str) or not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", data):
            self.fail("invalid")
        return datetime.time.fromisoformat(data)


class AgreementSettingsSerializer(serializers.Serializer[dict[str, Any]]):
    """The settings the law leaves to the agreement (agreements/README.md, "Settings")."""

    threshold_principle = serializers.BooleanField(
        required=False,
        help_text=_(
            "Tröskelprincipen: for a patient in an ordinary home without an enrolment, the kommun's part "
            "of each task goes to the region; who orders and follows up stays as the rule says."
        ),
    )
    threshold_specialised_performer = serializers.ChoiceField(
        choices=ThresholdPerformer.choices,
        required=False,
        help_text=_("Under tröskelprincipen, who takes the kommun's part of a specialised task."),
    )
    cases_before_enrolment = serializers.BooleanField(
        required=False,
        help_text=_("Whether the listed vårdcentral may open a case for a patient not yet enrolled."),
    )
    mar_required_from = serializers.DateField(required=False, allow_null=True)
    mar_required_citation = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(AgreementVersion, "mar_required_citation")
    )
    home_care_term = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(AgreementVersion, "home_care_term")
    )
    home_care_term_from = serializers.DateField(required=False, allow_null=True)
    day_band_from = HourMinuteField(
        required=False, help_text=_("Where the day band of planned visits starts.")
    )
    evening_band_from = HourMinuteField(required=False)
    night_band_from = HourMinuteField(required=False, help_text=_("Night lasts until the day starts again."))


class AgreementVersionSerializer(serializers.ModelSerializer[AgreementVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    agreement = serializers.UUIDField(source="agreement.public_id", read_only=True)
    agreement_code = serializers.CharField(source="agreement.code", read_only=True)
    status = AgreementStatusField(read_only=True)
    kommuner = OrganisationRefSerializer(many=True, read_only=True)
    housing_settings = serializers.ListField(
        source="covered_housing_settings", child=HousingSettingItemField(), read_only=True
    )
    threshold_section = SectionRefSerializer(read_only=True, allow_null=True)
    deadlines = DeadlinesSerializer(source="*", read_only=True)
    settings = AgreementSettingsSerializer(source="*", read_only=True)
    escalation = EscalationLevelSerializer(source="escalation_levels", many=True, read_only=True)
    legal_references = LegalReferenceSerializer(many=True, read_only=True)
    supersedes = serializers.UUIDField(source="supersedes.public_id", read_only=True, allow_null=True)

    class Meta:
        model = AgreementVersion
        fields = [
            "id",
            "agreement",
            "agreement_code",
            "version",
            "title",
            "status",
            "valid_from",
            "valid_to",
            "kommuner",
            "housing_settings",
            "threshold_section",
            "deadlines",
            "settings",
            "escalation",
            "legal_references",
            "supersedes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgreementVersionWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """A draft version: new (``agreement``, optionally ``based_on`` to copy one), or changed."""

    agreement = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Agreement.objects.all(), required=False
    )
    based_on = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=AgreementVersion.objects.all(),
        required=False,
        help_text=_("Copy sections, rules, deadlines and ladder from this version."),
    )
    version = serializers.CharField(max_length=max_length_of(AgreementVersion, "version"))
    title = serializers.CharField(max_length=max_length_of(AgreementVersion, "title"), required=False)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)
    kommuner = serializers.ListField(child=_organisation_field(), required=False, **at_most(MAX_KOMMUNER))
    housing_settings = serializers.ListField(
        child=HousingSettingItemField(), required=False, **at_most(len(HousingSetting.values))
    )
    threshold_section = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Section.objects.all(), required=False, allow_null=True
    )
    deadlines = DeadlinesSerializer(required=False)
    settings = AgreementSettingsSerializer(required=False)


class AgreementVersionCopySerializer(serializers.Serializer[dict[str, Any]]):
    """A new draft that copies a version: everything but its number, start and title."""

    based_on = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=AgreementVersion.objects.all(),
        help_text=_("Copy sections, rules, deadlines and ladder from this version."),
    )
    version = serializers.CharField(max_length=max_length_of(AgreementVersion, "version"))
    title = serializers.CharField(max_length=max_length_of(AgreementVersion, "title"), required=False)
    valid_from = serializers.DateField()


class AgreementVersionNewSerializer(AgreementVersionWriteSerializer):
    """A new draft from nothing: the agreement, its parties and the housing settings it covers."""

    based_on = None  # type: ignore[assignment]  # DRF: removes the inherited field
    agreement = serializers.SlugRelatedField(slug_field="public_id", queryset=Agreement.objects.all())
    title = serializers.CharField(max_length=max_length_of(AgreementVersion, "title"))
    kommuner = serializers.ListField(child=_organisation_field(), **at_most(MAX_KOMMUNER))
    housing_settings = serializers.ListField(
        child=HousingSettingItemField(), **at_most(len(HousingSetting.values))
    )


class SectionSerializer(serializers.ModelSerializer[Section]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.UUIDField(source="version.public_id", read_only=True)

    class Meta:
        model = Section
        fields = ["id", "version", "number", "heading", "text", "position"]
        read_only_fields = fields


class SectionWriteSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.SlugRelatedField(
        slug_field="public_id", queryset=AgreementVersion.objects.all(), required=False
    )
    number = serializers.CharField(max_length=max_length_of(Section, "number"))
    heading = serializers.CharField(max_length=max_length_of(Section, "heading"))
    # Longer than other free text: a section may quote a whole chapter of the agreement.
    text = serializers.CharField(required=False, allow_blank=True, max_length=SECTION_TEXT_MAX_LENGTH)
    position = serializers.IntegerField(required=False, min_value=0)


# --- Rules -----------------------------------------------------------------------------------------


class PartySerializer(serializers.Serializer[dict[str, Any]]):
    party = serializers.ChoiceField(choices=PartyRef.choices)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)


class PartyWriteSerializer(serializers.Serializer[dict[str, Any]]):
    party = serializers.ChoiceField(choices=PartyRef.choices)
    organisation = _organisation_field(required=False, allow_null=True)


APPROVER_HELP = _(
    "Who approves the risk analysis: mas or mar; informed when nobody approves it and the kommun's MAS "
    "is informed. Blank: by the task's kind (mar for rehabilitation, else mas)."
)


class ConditionsSerializer(serializers.Serializer[dict[str, Any]]):
    risk_analysis_required = serializers.BooleanField(required=False)
    approver_role = serializers.ChoiceField(
        choices=ApproverRole.choices,
        allow_blank=True,
        required=False,
        help_text=APPROVER_HELP,
    )
    specialist_active_role_required = serializers.BooleanField(required=False)
    training_required = serializers.BooleanField(required=False)
    contact_24_7_required = serializers.BooleanField(required=False)
    delegation_allowed = serializers.BooleanField(required=False)
    max_duration_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(ResponsibilityRule, "note")
    )


CONDITION_FIELDS = tuple(ConditionsSerializer().fields)


class ResponsibilityRuleSerializer(serializers.ModelSerializer[ResponsibilityRule]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.UUIDField(source="version.public_id", read_only=True)
    task_type = TaskTypeRefSerializer(read_only=True)
    # Blank when the rule holds in every housing setting; the schema must allow that.
    housing_setting = serializers.ChoiceField(
        choices=HousingSetting.choices, allow_blank=True, read_only=True
    )
    orders = serializers.SerializerMethodField()
    performs = serializers.SerializerMethodField()
    follows_up = serializers.SerializerMethodField()
    conditions = ConditionsSerializer(source="*", read_only=True)
    section = SectionRefSerializer(read_only=True)
    time_bands = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityRule
        fields = [
            "id",
            "version",
            "task_type",
            "housing_setting",
            "enrolment_requirement",
            "time_bands",
            "orders",
            "performs",
            "follows_up",
            "conditions",
            "section",
        ]
        read_only_fields = fields

    def _party(self, rule: ResponsibilityRule, role: str) -> dict[str, Any]:
        organisation = getattr(rule, f"{role}_organisation")
        return {
            "party": getattr(rule, f"{role}_party"),
            "organisation": OrganisationRefSerializer(organisation).data if organisation else None,
        }

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=TimeBand.choices)))
    def get_time_bands(self, rule: ResponsibilityRule) -> list[str]:
        """The times of day of planned visits the rule holds for; empty: at any time."""
        return time_bands_ordered(list(rule.time_band_set))

    @extend_schema_field(PartySerializer)
    def get_orders(self, rule: ResponsibilityRule) -> dict[str, Any]:
        return self._party(rule, "orders")

    @extend_schema_field(PartySerializer)
    def get_performs(self, rule: ResponsibilityRule) -> dict[str, Any]:
        return self._party(rule, "performs")

    @extend_schema_field(PartySerializer)
    def get_follows_up(self, rule: ResponsibilityRule) -> dict[str, Any]:
        return self._party(rule, "follows_up")


class ResponsibilityRuleWriteSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.SlugRelatedField(
        slug_field="public_id", queryset=AgreementVersion.objects.all(), required=False
    )
    task_type = serializers.SlugRelatedField(slug_field="code", queryset=CareTaskType.objects.all())
    housing_setting = serializers.ChoiceField(
        choices=HousingSetting.choices, allow_blank=True, required=False
    )
    enrolment_requirement = serializers.ChoiceField(choices=EnrolmentRequirement.choices, required=False)
    time_bands = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeBand.choices),
        required=False,
        max_length=len(TimeBand.values),
        help_text=_("The times of day of planned visits the rule holds for; empty: at any time."),
    )
    orders = PartyWriteSerializer()
    performs = PartyWriteSerializer()
    follows_up = PartyWriteSerializer()
    conditions = ConditionsSerializer(required=False)
    section = serializers.SlugRelatedField(slug_field="public_id", queryset=Section.objects.all())


# --- Proposals -------------------------------------------------------------------------------------


class TaskBandsSerializer(serializers.Serializer[dict[str, Any]]):
    """When one task's visits are planned: the task's code and the times of day (day, evening, night)."""

    task = serializers.SlugField(max_length=max_length_of(CareTaskType, "code"))
    bands = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeBand.choices), min_length=1, max_length=len(TimeBand.values)
    )


def bands_by_task(entries: list[dict[str, Any]] | None) -> dict[str, list[str]] | None:
    """The list of ``TaskBandsSerializer`` entries as a mapping from task code to bands."""
    if entries is None:
        return None
    found: dict[str, list[str]] = {}
    for entry in entries:
        found.setdefault(entry["task"], []).extend(entry["bands"])
    return found


class ProposalRequestSerializer(serializers.Serializer[dict[str, Any]]):
    patient = serializers.UUIDField(help_text=_("The patient's id."))
    task_codes = serializers.ListField(
        child=serializers.SlugField(max_length=max_length_of(CareTaskType, "code")),
        min_length=1,
        **at_most(MAX_TASKS),
        help_text=_("Codes from the task type catalogue, e.g. peritoneal_dialysis."),
    )
    on = serializers.DateField(
        required=False, help_text=_("The day the agreements are read for; today if left out.")
    )
    specialist_clinic = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("The specialist clinic named on the case, if any."),
    )
    stay_kommun = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_(
            "The kommun where the person stays, if not at home: it takes the kommunal part (HSL 12 kap. 2 §)."
        ),
    )
    time_bands = serializers.ListField(
        child=TaskBandsSerializer(),
        required=False,
        **at_most(MAX_TASKS),
        help_text=_("Per task, the times of day its visits are planned."),
    )

    def validate_task_codes(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Name each task once."))
        return value


class ProposalOrganisationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)


class PartyAssignmentSerializer(serializers.Serializer[PartyAssignment]):
    party = serializers.ChoiceField(choices=PartyRef.choices)
    organisation = ProposalOrganisationSerializer(allow_null=True)
    problem = serializers.CharField(allow_blank=True)
    principal = ProposalOrganisationSerializer(
        allow_null=True,
        help_text=_("For a private performer: the kommun it acts for, which stays the principal (huvudman)."),
    )


class ProposalTaskTypeSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name_sv = serializers.CharField()
    name_en = serializers.CharField()
    kind = TaskKindField()
    care_level = serializers.ChoiceField(choices=CareLevel.choices)


class ProposalConditionsSerializer(serializers.Serializer[Any]):
    risk_analysis_required = serializers.BooleanField()
    approver_role = serializers.ChoiceField(
        choices=ApproverRole.choices,
        allow_blank=True,
        help_text=APPROVER_HELP,
    )
    specialist_active_role_required = serializers.BooleanField()
    training_required = serializers.BooleanField()
    contact_24_7_required = serializers.BooleanField()
    delegation_allowed = serializers.BooleanField()
    max_duration_days = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class ProposalAgreementSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="agreement_public_id")
    code = serializers.CharField(source="agreement_code")
    version_id = serializers.UUIDField(source="public_id")
    version = serializers.CharField()
    title = serializers.CharField()


class ProposalSectionSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    heading = serializers.CharField()


class TaskProposalSerializer(serializers.Serializer[TaskProposal]):
    task_type = ProposalTaskTypeSerializer()
    status = ProposalStatusField()
    reason = serializers.CharField(
        allow_blank=True,
        help_text=_("no_rule, conflicting_rules, party_unresolved or time_bands_differ when unclear."),
    )
    message = serializers.CharField()
    basis = serializers.CharField(allow_blank=True, help_text=_("agreement_rule or threshold_principle."))
    orders = PartyAssignmentSerializer(allow_null=True)
    performs = PartyAssignmentSerializer(allow_null=True)
    follows_up = PartyAssignmentSerializer(allow_null=True)
    conditions = ProposalConditionsSerializer()
    rule = serializers.UUIDField(source="rule.public_id", allow_null=True)
    agreement = ProposalAgreementSerializer(source="version", allow_null=True)
    section = ProposalSectionSerializer(allow_null=True)
    conflicting_rules = serializers.SerializerMethodField()
    review_by = serializers.DateField(allow_null=True)
    time_bands = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeBand.choices),
        help_text=_("The times of day the task's visits are planned, as given."),
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "What else decided the proposal: the time of day, physician input by area, the kommun of stay."
        ),
    )

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_conflicting_rules(self, proposal: TaskProposal) -> list[str]:
        return [str(rule.public_id) for rule in proposal.candidate_rules]


class ProposalResponseSerializer(serializers.Serializer[dict[str, Any]]):
    patient = serializers.UUIDField()
    on = serializers.DateField()
    tasks = TaskProposalSerializer(many=True)
