"""Patient and enrolment endpoints. Reads and writes go through selectors and services only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from access.patients import patient_facts
from access.seen import Seen
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.errors import Conflict
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.pagination import DefaultPagination, PaginatedListMixin
from hemsjukvard.api.schema import ERROR_BODY, ERROR_RESPONSES, IF_MATCH, IF_MATCH_ERRORS
from patients import policies, selectors, services
from patients.models import Patient

from .serializers import (
    EnrolmentCreateSerializer,
    EnrolmentEndSerializer,
    EnrolmentSerializer,
    PatientCreateSerializer,
    PatientSerializer,
    PatientWriteSerializer,
    ProtectedIdentityChangeSerializer,
    RegistrationReceivedSerializer,
    patient_data,
)

PATIENT_EXAMPLE = {
    "personal_identity": "19400312-9816",
    "given_name": "Karin",
    "family_name": "Svensson",
    "street_address": "Storgatan 3",
    "postal_code": "43230",
    "city": "Varberg",
    "folkbokforing_kommun": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "housing_setting": "ordinary_home",
    "enrolment": {
        "kommun": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "starts_on": "2026-11-22",
        "threshold_justification": "Kan inte ta sig till vårdcentralen på egen hand eller med stöd.",
    },
}


def _enrolment_response(enrolment: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(EnrolmentSerializer(enrolment).data, status=status_code)
    response["ETag"] = etag_for(enrolment)
    return response


def _patient_response(patient: Seen[Patient], *, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(patient_data(patient), status=status_code)
    response["ETag"] = etag_for(patient.obj)
    return response


@extend_schema(tags=["patients"])
def _registration_received() -> Response:
    """REGISTERED and RECEIVED (and their replays): one answer, built from nothing that differs."""
    body = RegistrationReceivedSerializer(
        {"status": "received", "message": _("The registration has been received.")}
    ).data
    return Response(body, status=status.HTTP_202_ACCEPTED)


class PatientViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List or search patients",
        description=(
            "Patients you may see. `search` takes a personnummer (with or without dash and century) "
            "or words of a name. Patients with skyddad identitet are never found by identity unless you "
            "may see their identity. Each patient listed is written to the access log."
        ),
        parameters=[OpenApiParameter("search", str, description="Personnummer or name.")],
        responses={200: PatientSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        queryset = selectors.patient_list(actor=actor, search=request.query_params.get("search", ""))
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        shown = selectors.patients_listed(actor=actor, patients=page)
        return paginator.get_paginated_response([patient_data(seen) for seen in shown])

    @extend_schema(
        summary="Register a patient",
        description=(
            "Register a patient, optionally enrolling them in home health care in the same step. The "
            "registration must put the patient within your care relationship (enrol them in your kommun, "
            "or list them at your vårdcentral).\n\n"
            "The answer is `202` with `status: received`, the same whether the personnummer was new or "
            "already registered by an organisation you have no care relationship with: the register "
            "never tells anyone outside a care relationship who is in it. In the second case nothing "
            "is changed and the attempt is logged for the patient's kommun to review. To continue with "
            "a new patient, find them with `GET /patients?search=<personnummer>`. If the patient is "
            "already registered and you may see them, the answer is `409` with `code: "
            "already_registered` and the patient's `id`."
        ),
        request=PatientCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            202: RegistrationReceivedSerializer,
            409: OpenApiResponse(
                ERROR_BODY,
                description="Already registered, and you may see the patient: `patient` is their id.",
            ),
            **ERROR_RESPONSES,
            **IDEMPOTENCY_RESPONSES,
        },
        examples=[
            OpenApiExample("Ny patient i Varberg", value=PATIENT_EXAMPLE, request_only=True),
            # The one answer there is (in English; in the caller's language otherwise).
            OpenApiExample(
                "Registreringen har tagits emot",
                value={"status": "received", "message": "The registration has been received."},
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    @idempotent(reread=lambda view, request, answered_id, kwargs: _registration_received())
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = PatientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        identity = data.pop("personal_identity")
        identity_kind = data.pop("identity_kind", "")
        enrolment_data = data.pop("enrolment", None)
        registration = services.patient_register(
            actor=actor,
            personal_identity=identity,
            identity_kind=identity_kind,
            fields=data,
            enrolment=services.EnrolmentInput(**enrolment_data) if enrolment_data else None,
        )
        if registration.outcome is services.RegistrationOutcome.ALREADY_VISIBLE:
            assert registration.patient is not None
            raise Conflict(
                _("The patient is already registered."),
                extra={"code": "already_registered", "patient": str(registration.patient.public_id)},
            )
        return _registration_received()

    @extend_schema(summary="Read a patient", responses={200: PatientSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        return _patient_response(selectors.patient_get(actor=actor, public_id=id))

    @extend_schema(
        summary="Correct a patient's details",
        description=(
            "Requires `If-Match` with the ETag from your last read. `protected_identity` cannot be "
            "changed here (a `400` says so): see `POST /patients/{id}/protected-identity`."
        ),
        request=PatientWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: PatientSerializer, **ERROR_RESPONSES, **IF_MATCH_ERRORS},
        examples=[
            OpenApiExample(
                "Ny adress",
                value={"street_address": "Västra vägen 12", "postal_code": "43231", "city": "Varberg"},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        patient = selectors.patient_get(actor=actor, public_id=id)
        require_if_match(request, etag_for(patient.obj))
        serializer = PatientWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.patient_update(
            actor=actor, patient=patient, fields=dict(serializer.validated_data)
        )
        return _patient_response(updated)

    @extend_schema(
        summary="Change a patient's skyddad identitet",
        description=(
            "Skyddad identitet follows Skatteverket's marking. Only a MAS of the patient's kommun (of "
            "enrolment or folkbokföring) records a change, with the reason; the change is logged as its "
            "own event. A PATCH of the patient cannot change it. Requires `If-Match`."
        ),
        request=ProtectedIdentityChangeSerializer,
        parameters=[IF_MATCH],
        responses={200: PatientSerializer, **ERROR_RESPONSES, **IF_MATCH_ERRORS},
        examples=[
            OpenApiExample(
                "Skatteverket har beslutat om sekretessmarkering",
                value={
                    "protected_identity": True,
                    "reason": "Skatteverkets beslut om sekretessmarkering 2026-11-20.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="protected-identity")
    def protected_identity(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        patient = selectors.patient_get(actor=actor, public_id=id)
        # A role that may never change it learns so before anything about versions.
        if policies.protected_identity_membership(actor, patient_facts(patient.obj)) is None:
            raise PermissionDenied(services.protected_identity_refused_message())
        require_if_match(request, etag_for(patient.obj))
        serializer = ProtectedIdentityChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = services.patient_set_protected_identity(
            actor=actor, patient=patient, **serializer.validated_data
        )
        return _patient_response(changed)

    @extend_schema(
        summary="A patient's enrolments",
        responses={200: EnrolmentSerializer(many=True), **ERROR_RESPONSES},
        methods=["GET"],
    )
    @extend_schema(
        summary="Enrol the patient in home health care",
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer, **ERROR_RESPONSES},
        methods=["POST"],
        examples=[
            OpenApiExample(
                "Inskrivning i hemsjukvården",
                value={
                    "kommun": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "starts_on": "2026-11-22",
                    "threshold_justification": (
                        "Kan inte ta sig till vårdcentralen på egen hand eller med stöd."
                    ),
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"])
    def enrolments(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        patient = selectors.patient_get(actor=actor, public_id=id)
        if request.method == "POST":
            serializer = EnrolmentCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            enrolment = services.enrolment_start(
                actor=actor,
                patient=patient,
                data=services.EnrolmentInput(**serializer.validated_data),
            )
            return _enrolment_response(enrolment, status_code=status.HTTP_201_CREATED)
        enrolments = selectors.enrolments_for_patient(actor=actor, patient=patient)
        return Response(EnrolmentSerializer(enrolments, many=True).data)


@extend_schema(tags=["patients"])
class EnrolmentViewSet(viewsets.ViewSet):
    lookup_value_converter = "uuid"

    @extend_schema(summary="Read an enrolment", responses={200: EnrolmentSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, pk: str) -> Response:
        actor = Actor.from_request(request)
        return _enrolment_response(selectors.enrolment_get(actor=actor, public_id=pk).obj)

    @extend_schema(
        summary="End an enrolment",
        request=EnrolmentEndSerializer,
        parameters=[IF_MATCH],
        responses={200: EnrolmentSerializer, **ERROR_RESPONSES, **IF_MATCH_ERRORS},
        examples=[
            OpenApiExample(
                "Utskrivning",
                value={"ends_on": "2026-11-20", "reason": "Flyttat till särskilt boende i Falkenberg."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        actor = Actor.from_request(request)
        enrolment = selectors.enrolment_get(actor=actor, public_id=pk).obj
        require_if_match(request, etag_for(enrolment))
        serializer = EnrolmentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ended = services.enrolment_end(actor=actor, enrolment=enrolment, **serializer.validated_data)
        return _enrolment_response(ended)
