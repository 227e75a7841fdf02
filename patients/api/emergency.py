"""Emergency access (nödåtkomst): open a patient without a care relationship by stating a reason."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.api.schema import ERROR_RESPONSES
from patients import selectors

from .serializers import PatientSerializer, patient_data


class EmergencyAccessSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=2000,
        help_text=_("Why you need the patient's data now without a care relationship. Logged and reviewed."),
    )


class EmergencyAccessViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        tags=["patients"],
        summary="Open a patient by emergency access (nödåtkomst)",
        description=(
            "For a person in a care role (nurse, rehab, GP, specialist, MAS, MAR) in an organisation of the "
            "patient's region who has no care relationship with the patient. The reason is required; "
            "the read is logged as emergency access and always flagged in the log review of the reader's own "
            "care provider (the kommun's MAS/MAR, or the region's log reviewer). "
            "Anyone else gets 404."
        ),
        request=EmergencyAccessSerializer,
        responses={200: PatientSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Akut besök",
                value={"reason": "Akut hembesök under jour; patientens ordinarie team nås inte."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="emergency-access")
    def emergency_access(self, request: Request, id: str) -> Response:
        serializer = EmergencyAccessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = selectors.patient_get_emergency(
            actor=Actor.from_request(request), public_id=id, reason=serializer.validated_data["reason"]
        )
        response = Response(patient_data(patient))
        response["ETag"] = etag_for(patient.obj)
        return response
