"""Patient and enrolment representations. Identity is masked where the reader may not see it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer
from directory.models import Organisation, OrganisationKind, User
from hemsjukvard.limits import max_length_of
from patients.models import Enrolment, HousingSetting, Patient

MASK = "*****"
MASKED_IDENTITY = "********-****"


class PatientSerializer(serializers.ModelSerializer[Patient]):
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
        return not getattr(patient, "identity_visible", False)

    def get_enrolled(self, patient: Patient) -> bool:
        return getattr(patient, "open_enrolment_kommun_id", None) is not None

    def to_representation(self, instance: Patient) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not getattr(instance, "identity_visible", False):
            data["personal_identity"] = MASKED_IDENTITY
            for name in ("given_name", "family_name", "street_address", "postal_code", "city"):
                data[name] = MASK
        return data


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
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    street_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    folkbokforing_kommun = _organisation_field(OrganisationKind.KOMMUN)
    housing_setting = serializers.ChoiceField(choices=HousingSetting.choices, required=False)
    listed_vardcentral = _organisation_field(OrganisationKind.VARDCENTRAL, required=False, allow_null=True)
    fast_lakarkontakt = _person_field()
    fast_vardkontakt = _person_field()
    interpreter_needed = serializers.BooleanField(required=False)
    interpreter_language = serializers.CharField(max_length=64, required=False, allow_blank=True)
    protected_identity = serializers.BooleanField(required=False)


class PatientCreateSerializer(PatientWriteSerializer):
    personal_identity = serializers.CharField(
        max_length=13, help_text=_("Personnummer or samordningsnummer, YYYYMMDD-NNNN.")
    )
    enrolment = EnrolmentInputSerializer(required=False)


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
