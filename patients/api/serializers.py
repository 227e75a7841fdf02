"""Patient and enrolment representations. Identity is masked where the reader may not see it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from access.seen import Seen
from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer
from directory.models import Organisation, OrganisationKind, User
from hemsjukvard.limits import max_length_of
from patients.models import Enrolment, HousingSetting, Patient, ProtectedIdentityChange
from patients.personnummer import IDENTITY_LABELS, MAX_IDENTITY_LENGTH, IdentityKind
from patients.services import protected_identity_not_here_message

MASK = "*****"
MASKED_IDENTITY = "********-****"


class PatientSerializer(serializers.ModelSerializer[Patient]):
    # The identity is shown only with ``identity_visible=True`` in the context, which ``patient_data``
    # puts there from what the selector decided (``Seen``); without it the patient is shown masked. A
    # comment, not a docstring: the schema would show it as the description of every patient.
    id = serializers.UUIDField(source="public_id", read_only=True)
    personal_identity = serializers.CharField(source="formatted_identity", read_only=True)
    identity_masked = serializers.SerializerMethodField()
    folkbokforing_kommun = OrganisationRefSerializer(read_only=True)
    listed_vardcentral = OrganisationRefSerializer(read_only=True, allow_null=True)
    fast_lakarkontakt = PersonRefSerializer(read_only=True, allow_null=True)
    fast_vardkontakt = PersonRefSerializer(read_only=True, allow_null=True)
    enrolled = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "personal_identity",
            "identity_kind",
            "identity_masked",
            "given_name",
            "family_name",
            "street_address",
            "postal_code",
            "city",
            "folkbokforing_kommun",
            "housing_setting",
            "housing_unit",
            "listed_vardcentral",
            "fast_lakarkontakt",
            "fast_vardkontakt",
            "interpreter_needed",
            "interpreter_language",
            "protected_identity",
            "enrolled",
            "created_at",
            "updated_at",
        ]

    def get_identity_masked(self, patient: Patient) -> bool:
        return self.context.get("identity_visible") is not True

    def get_enrolled(self, patient: Patient) -> bool:
        return getattr(patient, "open_enrolment_kommun_id", None) is not None

    def to_representation(self, instance: Patient) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("identity_visible") is not True:
            data["personal_identity"] = MASKED_IDENTITY
            for name in (
                "given_name",
                "family_name",
                "street_address",
                "postal_code",
                "city",
                "housing_unit",
            ):
                data[name] = MASK
        return data


def patient_data(seen: Seen[Patient]) -> dict[str, Any]:
    """The patient as the person who read them may see them (``PatientSerializer``)."""
    return dict(PatientSerializer(seen.obj, context={"identity_visible": seen.identity_visible}).data)


def _organisation_field(kind: str, **kwargs: Any) -> serializers.SlugRelatedField[Organisation]:
    return serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Organisation.objects.filter(kind=kind, is_active=True),
        **kwargs,
    )


def _person_field() -> serializers.SlugRelatedField[User]:
    return serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )


class EnrolmentInputSerializer(serializers.Serializer[dict[str, Any]]):
    kommun = _organisation_field(OrganisationKind.KOMMUN)
    starts_on = serializers.DateField()
    threshold_justification = serializers.CharField(
        max_length=max_length_of(Enrolment, "threshold_justification"),
        help_text=_("Why the patient cannot get to the vårdcentral on their own or with support."),
    )


class PatientWriteSerializer(serializers.Serializer[dict[str, Any]]):
    """A patient's details as a care role corrects them. Skyddad identitet is not among them: it changes
    only through ``POST /patients/{id}/protected-identity`` (``ProtectedIdentityChangeSerializer``)."""

    # Refused with a message rather than silently ignored, so that no client believes it changed them.
    refused_fields: tuple[str, ...] = ("protected_identity",)

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    folkbokforing_kommun = _organisation_field(OrganisationKind.KOMMUN)
    housing_setting = serializers.ChoiceField(choices=HousingSetting.choices, required=False)
    housing_unit = serializers.CharField(
        max_length=max_length_of(Patient, "housing_unit"),
        required=False,
        allow_blank=True,
        help_text=_(
            "The SÄBO unit the patient lives in; an agreement may name its vårdcentral for physician input."
        ),
    )
    listed_vardcentral = _organisation_field(OrganisationKind.VARDCENTRAL, required=False, allow_null=True)
    fast_lakarkontakt = _person_field()
    fast_vardkontakt = _person_field()
    interpreter_needed = serializers.BooleanField(required=False)
    interpreter_language = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        initial = self.initial_data if isinstance(self.initial_data, dict) else {}
        refused = sorted(set(initial) & set(self.refused_fields))
        if refused:
            raise serializers.ValidationError(
                {name: protected_identity_not_here_message() for name in refused}
            )
        return attrs


class PatientCreateSerializer(PatientWriteSerializer):
    refused_fields = ()

    personal_identity = serializers.CharField(
        max_length=MAX_IDENTITY_LENGTH + 8,
        help_text=_(
            "Personnummer or samordningsnummer, YYYYMMDD-NNNN; or the region's reservnummer for a person "
            "with neither (asylum seekers, unidentified patients)."
        ),
    )
    identity_kind = serializers.ChoiceField(
        choices=[(kind.value, IDENTITY_LABELS[kind]) for kind in IdentityKind],
        required=False,
        help_text=_(
            "Which kind of number it is. Left out: a number in the region's reservnummer format is a "
            "reservnummer, any other must be a valid personnummer or samordningsnummer."
        ),
    )
    protected_identity = serializers.BooleanField(
        required=False,
        help_text=_(
            "Register the patient with skyddad identitet from the start. Changed afterwards only by the "
            "kommun's MAS (`POST /patients/{id}/protected-identity`)."
        ),
    )
    enrolment = EnrolmentInputSerializer(required=False)


class RegistrationReceivedSerializer(serializers.Serializer[dict[str, Any]]):
    """The answer to a registration: the same whether the patient was new or already registered by an
    organisation the registrant has no care relationship with (then that organisation is told)."""

    status = serializers.CharField(max_length=16, help_text=_("Always `received`."))
    message = serializers.CharField(max_length=500)


class ProtectedIdentityChangeSerializer(serializers.Serializer[dict[str, Any]]):
    protected_identity = serializers.BooleanField(
        help_text=_("Whether the patient has skyddad identitet after the change.")
    )
    reason = serializers.CharField(
        max_length=max_length_of(ProtectedIdentityChange, "reason"),
        help_text=_("Why: for example Skatteverket's decision and its date."),
    )


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    kommun = OrganisationRefSerializer(read_only=True)
    enrolled_by = PersonRefSerializer(read_only=True)
    ended_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "patient",
            "kommun",
            "starts_on",
            "ends_on",
            "threshold_justification",
            "enrolled_by",
            "ended_by",
            "end_reason",
            "created_at",
        ]


class EnrolmentCreateSerializer(EnrolmentInputSerializer):
    pass


class EnrolmentEndSerializer(serializers.Serializer[dict[str, Any]]):
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=max_length_of(Enrolment, "end_reason"))
