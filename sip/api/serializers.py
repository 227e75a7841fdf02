"""SIP serializers: input per action and one output shape (the plan with its versions).

The output masks the fields that name the person or a närstående (``sip.masking``) unless the view puts
``identity_visible=True`` in the serializer's context: without it, the plan is shown masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from rest_framework import serializers

from agreements.models import CareTaskType
from directory.api.serializers import OrganisationRefSerializer
from directory.models import Organisation, User
from hemsjukvard.limits import (
    MAX_CONTACT_PATHS,
    MAX_INSATSER,
    MAX_OTHER_MEASURES,
    MAX_PARTICIPANTS,
    at_most,
    max_length_of,
)

from ..masking import identifying_fields, shown
from ..models import (
    Attendance,
    ConsentGivenBy,
    ConsentWithdrawal,
    ContactPeriod,
    DistributionMethod,
    FollowUpOutcome,
    LegalBasis,
    OtherActorKind,
    ParticipantKind,
    RecipientKind,
    Sip,
    SipContactPath,
    SipDistribution,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipStatus,
    SipVersion,
    VersionStatus,
)


class OrganisationRefField(serializers.SlugRelatedField[Organisation]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", queryset=Organisation.objects.all(), **kwargs)


def _choice_field(choices: type[models.TextChoices]) -> Any:
    """A choice field for one of the SIP's choice sets (each named in ENUM_NAME_OVERRIDES)."""

    class _Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices.choices, **kwargs)

    return _Field


OtherActorKindField = _choice_field(OtherActorKind)
ParticipantKindField = _choice_field(ParticipantKind)
ContactPeriodField = _choice_field(ContactPeriod)
ConsentGivenByField = _choice_field(ConsentGivenBy)
FollowUpOutcomeField = _choice_field(FollowUpOutcome)
SipStatusField = _choice_field(SipStatus)
VersionStatusField = _choice_field(VersionStatus)
LegalBasisField = _choice_field(LegalBasis)
AttendanceField = _choice_field(Attendance)
RecipientKindField = _choice_field(RecipientKind)
DistributionMethodField = _choice_field(DistributionMethod)


# --- Input ---------------------------------------------------------------------------------------


class CreateForPatientSerializer(serializers.Serializer[dict[str, Any]]):
    patient = serializers.UUIDField(help_text="The patient's id.")


class CreateFromCaseSerializer(serializers.Serializer[dict[str, Any]]):
    case = serializers.UUIDField(help_text="The id of an agreed responsibility case.")


class InsatsInputSerializer(serializers.Serializer[dict[str, Any]]):
    description = serializers.CharField(max_length=max_length_of(SipInsats, "description"))
    responsible = OrganisationRefField(required=False, allow_null=True)
    orders = OrganisationRefField(required=False, allow_null=True)
    follows_up = OrganisationRefField(required=False, allow_null=True)
    task_type = serializers.SlugRelatedField(
        slug_field="code", queryset=CareTaskType.objects.all(), required=False, allow_null=True
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipInsats, "notes")
    )
    basis = LegalBasisField(required=False, default=LegalBasis.HSL)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    frequency = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipInsats, "frequency")
    )
    reported_by = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipInsats, "reported_by")
    )
    reported_to = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipInsats, "reported_to")
    )


class OtherMeasureInputSerializer(serializers.Serializer[dict[str, Any]]):
    description = serializers.CharField(max_length=max_length_of(SipOtherMeasure, "description"))
    actor_kind = OtherActorKindField()
    actor_name = serializers.CharField(max_length=max_length_of(SipOtherMeasure, "actor_name"))


class ParticipantInputSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=max_length_of(SipParticipant, "name"))
    kind = ParticipantKindField()
    organisation = OrganisationRefField(required=False, allow_null=True)
    role = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipParticipant, "role")
    )
    attendance = AttendanceField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipParticipant, "phone")
    )
    email = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipParticipant, "email")
    )


class ContactPathInputSerializer(serializers.Serializer[dict[str, Any]]):
    period = ContactPeriodField()
    who = serializers.CharField(max_length=max_length_of(SipContactPath, "who"))
    phone = serializers.CharField(max_length=max_length_of(SipContactPath, "phone"))
    organisation = OrganisationRefField(required=False, allow_null=True)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(SipContactPath, "notes")
    )


def _draft_text(name: str) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length_of(SipVersion, name))


class DraftUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    """Every field is optional; a list that is sent replaces the draft's list."""

    huvudansvar = OrganisationRefField(required=False, allow_null=True)
    huvudansvar_contact = _draft_text("huvudansvar_contact")
    huvudansvar_phone = _draft_text("huvudansvar_phone")
    bistandshandlaggare = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text="The user id of socialtjänst's biståndshandläggare who works with the plan.",
    )
    fast_vardkontakt_name = _draft_text("fast_vardkontakt_name")
    fast_vardkontakt_unit = _draft_text("fast_vardkontakt_unit")
    fast_vardkontakt_phone = _draft_text("fast_vardkontakt_phone")
    fast_lakarkontakt_name = _draft_text("fast_lakarkontakt_name")
    fast_lakarkontakt_unit = _draft_text("fast_lakarkontakt_unit")
    fast_lakarkontakt_phone = _draft_text("fast_lakarkontakt_phone")
    no_other_measures = serializers.BooleanField(required=False)
    what_matters = _draft_text("what_matters")
    own_goals = _draft_text("own_goals")
    interpreter_needed = serializers.BooleanField(required=False)
    interpreter_language = _draft_text("interpreter_language")
    follow_up_on = serializers.DateField(required=False, allow_null=True)
    consent_given_by = ConsentGivenByField(required=False, allow_blank=True)
    consent_given_by_name = _draft_text("consent_given_by_name")
    consent_representative_role = _draft_text("consent_representative_role")
    consent_scope = _draft_text("consent_scope")
    consent_given_on = serializers.DateField(required=False, allow_null=True)
    consent_valid_to = serializers.DateField(required=False, allow_null=True)
    insatser = InsatsInputSerializer(many=True, required=False, **at_most(MAX_INSATSER))
    other_measures = OtherMeasureInputSerializer(many=True, required=False, **at_most(MAX_OTHER_MEASURES))
    participants = ParticipantInputSerializer(many=True, required=False, **at_most(MAX_PARTICIPANTS))
    contact_paths = ContactPathInputSerializer(many=True, required=False, **at_most(MAX_CONTACT_PATHS))


class WithdrawConsentSerializer(serializers.Serializer[dict[str, Any]]):
    withdrawn_by = ConsentGivenByField()
    withdrawn_by_name = serializers.CharField(
        max_length=max_length_of(ConsentWithdrawal, "withdrawn_by_name")
    )
    withdrawn_on = serializers.DateField()
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(ConsentWithdrawal, "reason")
    )


class DistributionInputSerializer(serializers.Serializer[dict[str, Any]]):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="The version handed out; default the latest finalised.",
    )
    recipient_kind = RecipientKindField()
    recipient_name = serializers.CharField(max_length=max_length_of(SipDistribution, "recipient_name"))
    method = DistributionMethodField()
    given_on = serializers.DateField()


class FollowUpInputSerializer(serializers.Serializer[dict[str, Any]]):
    held_on = serializers.DateField()
    outcome = FollowUpOutcomeField()
    notes = serializers.CharField(max_length=max_length_of(SipFollowUp, "notes"))


# --- Output --------------------------------------------------------------------------------------


# Output of a plan's rows: their identifying fields as the reader may see them (``sip.masking``). A
# comment, not a docstring: the schema would show it as the description of every row.
class _MasksIdentity:
    context: dict[str, Any]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)  # type: ignore[misc]
        visible = self.context.get("identity_visible") is True
        for name in identifying_fields(instance):
            if name in data:
                data[name] = shown(instance, name, identity_visible=visible)
        return data


class InsatsSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    task_type = serializers.CharField(source="task_type.code", allow_null=True, default=None)
    responsible = OrganisationRefSerializer(allow_null=True)
    orders = OrganisationRefSerializer(allow_null=True)
    follows_up = OrganisationRefSerializer(allow_null=True)
    notes = serializers.CharField()
    basis = LegalBasisField()
    starts_on = serializers.DateField(allow_null=True)
    frequency = serializers.CharField()
    reported_by = serializers.CharField()
    reported_to = serializers.CharField()


class OtherMeasureSerializer(_MasksIdentity, serializers.Serializer[Any]):
    description = serializers.CharField()
    actor_kind = OtherActorKindField()
    actor_name = serializers.CharField()


class ParticipantSerializer(_MasksIdentity, serializers.Serializer[Any]):
    name = serializers.CharField()
    kind = ParticipantKindField()
    organisation = OrganisationRefSerializer(allow_null=True)
    role = serializers.CharField()
    attendance = AttendanceField(allow_blank=True)
    phone = serializers.CharField()
    email = serializers.CharField()


class ContactPathSerializer(serializers.Serializer[Any]):
    period = ContactPeriodField()
    who = serializers.CharField()
    phone = serializers.CharField()
    organisation = OrganisationRefSerializer(allow_null=True)
    notes = serializers.CharField()


class ConsentWithdrawalSerializer(_MasksIdentity, serializers.Serializer[Any]):
    withdrawn_by = ConsentGivenByField()
    withdrawn_by_name = serializers.CharField()
    withdrawn_on = serializers.DateField()
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class SipVersionSerializer(_MasksIdentity, serializers.ModelSerializer[SipVersion]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = VersionStatusField()
    consent_given_by = ConsentGivenByField(allow_blank=True)
    huvudansvar = OrganisationRefSerializer(allow_null=True)
    insatser = InsatsSerializer(many=True)
    other_measures = OtherMeasureSerializer(many=True)
    participants = ParticipantSerializer(many=True)
    contact_paths = ContactPathSerializer(many=True)
    consent_withdrawal = serializers.SerializerMethodField()
    finalised_by = serializers.CharField(source="finalised_by.display_name", allow_null=True, default=None)

    class Meta:
        model = SipVersion
        fields = [
            "id",
            "number",
            "status",
            "huvudansvar",
            "huvudansvar_contact",
            "huvudansvar_phone",
            "fast_vardkontakt_name",
            "fast_vardkontakt_unit",
            "fast_vardkontakt_phone",
            "fast_lakarkontakt_name",
            "fast_lakarkontakt_unit",
            "fast_lakarkontakt_phone",
            "insatser",
            "other_measures",
            "no_other_measures",
            "what_matters",
            "own_goals",
            "participants",
            "contact_paths",
            "follow_up_on",
            "interpreter_needed",
            "interpreter_language",
            "consent_given_by",
            "consent_given_by_name",
            "consent_representative_role",
            "consent_scope",
            "consent_given_on",
            "consent_valid_to",
            "consent_withdrawal",
            "created_at",
            "finalised_at",
            "finalised_by",
        ]

    def get_consent_withdrawal(self, version: SipVersion) -> dict[str, Any] | None:
        from ..selectors import _withdrawal

        withdrawal = _withdrawal(version)
        if withdrawal is None:
            return None
        return dict(ConsentWithdrawalSerializer(withdrawal, context=self.context).data)


class SipDistributionSerializer(_MasksIdentity, serializers.ModelSerializer[SipDistribution]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    version = serializers.IntegerField(source="version.number")
    recipient_kind = RecipientKindField()
    method = DistributionMethodField()
    given_by = serializers.CharField(source="given_by.display_name")
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = SipDistribution
        fields = [
            "id",
            "version",
            "recipient_kind",
            "recipient_name",
            "method",
            "given_on",
            "given_by",
            "organisation",
            "recorded_at",
        ]


class SipFollowUpSerializer(serializers.ModelSerializer[SipFollowUp]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    outcome = FollowUpOutcomeField()
    version = serializers.IntegerField(source="version.number")
    new_version = serializers.IntegerField(source="new_version.number", allow_null=True, default=None)
    held_by = serializers.CharField(source="held_by.display_name")
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = SipFollowUp
        fields = ["id", "version", "held_on", "held_by", "organisation", "outcome", "notes", "new_version"]


@dataclass(frozen=True)
class SipShown:
    """A plan as the API shows it to one reader: the plan, and what was decided for this reader from the
    read (``sip.selectors.SipView``), which are values of the answer, not columns of the plan."""

    sip: Sip
    shared: bool
    identity_masked: bool
    consent_withdrawn: bool
    current_version: SipVersion | None
    allowed_actions: list[str]


class SipSerializer(serializers.Serializer[SipShown]):
    """The plan: the current version, the whole history of versions, and its follow-ups.

    ``shared`` is false after the person withdrew consent, for readers outside the organisation that
    keeps the plan: they then get no versions, only the withdrawal. ``identity_masked`` is true when the
    reader may not see the identity of a patient with skyddad identitet: the names and contact details
    of the person, närstående, other private persons and whoever gave or withdrew consent are then
    ``*****``.
    """

    id = serializers.UUIDField(source="sip.public_id", read_only=True)
    patient = serializers.UUIDField(source="sip.patient.public_id")
    case = serializers.UUIDField(source="sip.case.public_id", allow_null=True, default=None)
    status = SipStatusField(source="sip.status")
    kept_by = OrganisationRefSerializer(source="sip.owner_organisation")
    bistandshandlaggare = serializers.CharField(
        source="sip.bistandshandlaggare.display_name", allow_null=True, default=None
    )
    shared = serializers.BooleanField()
    identity_masked = serializers.BooleanField()
    consent_withdrawn = serializers.BooleanField()
    current_version = SipVersionSerializer(allow_null=True)
    versions = SipVersionSerializer(many=True, source="sip.versions")
    follow_ups = SipFollowUpSerializer(many=True, source="sip.follow_ups")
    distributions = SipDistributionSerializer(many=True, source="sip.distributions")
    allowed_actions = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField(source="sip.created_at", read_only=True)
    updated_at = serializers.DateTimeField(source="sip.updated_at", read_only=True)
