"""The registers' API: competence transfers and delegations (read, record, revoke, link)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from hemsjukvard.api.pagination import DefaultPagination, PaginatedListMixin
from hemsjukvard.api.schema import ERROR_RESPONSES

from .. import selectors, services
from .serializers import (
    CompetenceTransferInputSerializer,
    CompetenceTransferSerializer,
    DelegationInputSerializer,
    DelegationSerializer,
    LinkInputSerializer,
    ReasonInputSerializer,
    case_tasks_named,
)


def _example(name: str, value: dict[str, Any]) -> list[OpenApiExample]:
    return [OpenApiExample(name, value=value, request_only=True)]


REVOKE_EXAMPLE = _example("Återkalla", {"reason": "Personen har slutat; ny delegering vid behov."})


def _validated(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema(tags=["competence"])
class CompetenceTransferViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List competence transfers",
        description=(
            "Trainings (kompetensöverföring) given or received by one of your organisations; MAS and MAR "
            "see every training their kommun has received."
        ),
        responses={200: CompetenceTransferSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.transfers_visible(actor=Actor.from_request(request)), request, self
        )
        return paginator.get_paginated_response(CompetenceTransferSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a competence transfer",
        description=(
            "The receiving unit's nurse, or staff of the unit that trained, records who trained whom in "
            "which task, when, and until when it holds. A task whose rule requires training cannot start "
            "(the case cannot be activated) until one is recorded and in force for the performing unit."
        ),
        request=CompetenceTransferInputSerializer,
        responses={201: CompetenceTransferSerializer, **ERROR_RESPONSES},
        examples=_example(
            "PD-utbildning från njurmedicin",
            {
                "task_type": "peritoneal_dialysis",
                "training_unit": "7c0e8a52-2f0b-4f57-9d0e-3d0f4a3b8c11",
                "trainers": "Karin Lind, PD-sjuksköterska",
                "receiving_unit": "0b6c2b9e-5d7f-4a53-8a51-2a6f0f1d9e22",
                "trained_staff": "Hemsjukvårdens sjuksköterskor (8 personer)",
                "trained_on": "2026-03-02",
                "valid_until": "2027-03-01",
                "note": "Teori och praktisk övning.",
            },
        ),
    )
    def create(self, request: Request) -> Response:
        transfer = services.transfer_record(
            actor=Actor.from_request(request), **_validated(CompetenceTransferInputSerializer, request)
        )
        return Response(CompetenceTransferSerializer(transfer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a competence transfer", responses={200: CompetenceTransferSerializer, **ERROR_RESPONSES}
    )
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        transfer = selectors.transfer_get(actor=Actor.from_request(request), public_id=id)
        return Response(CompetenceTransferSerializer(transfer).data)

    @extend_schema(
        summary="Revoke a competence transfer",
        request=ReasonInputSerializer,
        responses={200: CompetenceTransferSerializer, **ERROR_RESPONSES},
        examples=REVOKE_EXAMPLE,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        transfer = selectors.transfer_get(actor=actor, public_id=id)
        data = _validated(ReasonInputSerializer, request)
        transfer = services.transfer_revoke(actor=actor, transfer=transfer, reason=data["reason"])
        return Response(CompetenceTransferSerializer(selectors.transfer_get(actor=actor, public_id=id)).data)


@extend_schema(tags=["competence"])
class DelegationViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List delegations",
        description="Delegations (SOSFS 1997:14) given by you, or by or to one of your organisations.",
        responses={200: DelegationSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(
            selectors.delegations_visible(actor=Actor.from_request(request)), request, self
        )
        return paginator.get_paginated_response(DelegationSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a delegation",
        description=(
            "A licensed person delegates one task to a named person, in writing, for at most 12 months. "
            "Where the receiver works for the other principal, the consultation is recorded with it. "
            "`case_tasks` links the case tasks the agreement lets be delegated."
        ),
        request=DelegationInputSerializer,
        responses={201: DelegationSerializer, **ERROR_RESPONSES},
        examples=_example(
            "Insulin till undersköterska",
            {
                "task_type": "insulin_injection",
                "receiver_name": "Sara Nilsson",
                "receiver_title": "Undersköterska, hemtjänsten",
                "receiver_organisation": "0b6c2b9e-5d7f-4a53-8a51-2a6f0f1d9e22",
                "decision": "Delegerar subkutan insulingivning med penna enligt ordination.",
                "valid_from": "2026-03-02",
                "valid_until": "2027-03-01",
                "case_tasks": ["3f1a7c2e-8b4d-4e6f-9a0b-1c2d3e4f5a6b"],
            },
        ),
    )
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        data = _validated(DelegationInputSerializer, request)
        data["case_tasks"] = case_tasks_named(data["case_tasks"])
        delegation = services.delegation_record(actor=actor, **data)
        fresh = selectors.delegation_get(actor=actor, public_id=delegation.public_id)
        return Response(DelegationSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Read a delegation", responses={200: DelegationSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        delegation = selectors.delegation_get(actor=Actor.from_request(request), public_id=id)
        return Response(DelegationSerializer(delegation).data)

    @extend_schema(
        summary="Revoke a delegation",
        request=ReasonInputSerializer,
        responses={200: DelegationSerializer, **ERROR_RESPONSES},
        examples=REVOKE_EXAMPLE,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        delegation = selectors.delegation_get(actor=actor, public_id=id)
        data = _validated(ReasonInputSerializer, request)
        services.delegation_revoke(actor=actor, delegation=delegation, reason=data["reason"])
        return Response(DelegationSerializer(selectors.delegation_get(actor=actor, public_id=id)).data)

    @extend_schema(
        summary="Link a delegation to a case task",
        request=LinkInputSerializer,
        responses={200: DelegationSerializer, **ERROR_RESPONSES},
        examples=_example("Koppla till insatsen", {"case_task": "3f1a7c2e-8b4d-4e6f-9a0b-1c2d3e4f5a6b"}),
    )
    @action(detail=True, methods=["post"], url_path="case-tasks")
    def link(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        delegation = selectors.delegation_get(actor=actor, public_id=id)
        data = _validated(LinkInputSerializer, request)
        (task,) = case_tasks_named([data["case_task"]])
        services.delegation_link(actor=actor, delegation=delegation, case_task=task)
        return Response(DelegationSerializer(selectors.delegation_get(actor=actor, public_id=id)).data)
