"""The legal-basis operations on a case: record or withdraw the basis for sharing, record or lift an
objection or a spärr. Each reads the case through ``cases.selectors`` (access rule and log, 404 for a
case the caller may not see) and writes through ``consent.services``."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.api.responses import case_response
from cases.api.serializers import BasisInputSerializer, CaseSerializer
from directory.actor import Actor
from directory.models import Organisation
from hemsjukvard.api.schema import WRITE_ERRORS

from .. import services
from ..models import SharingBlock, SharingObjection
from .serializers import (
    BlockInputSerializer,
    BlockSerializer,
    LiftSerializer,
    ObjectionInputSerializer,
    ObjectionSerializer,
    SharingReasonSerializer,
)


def _valid(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _example(name: str, value: dict[str, Any], answer: dict[str, Any] | None = None) -> list[OpenApiExample]:
    examples = [OpenApiExample(name, value=value, request_only=True)]
    if answer is not None:
        examples.append(OpenApiExample(name, value=answer, response_only=True))
    return examples


_OBJECTION = {
    "id": "6b1f0c2e-3d4a-4b5c-9d8e-7f6a5b4c3d2e",
    "organisation": None,
    "reason": "Vill inte att uppgifterna delas.",
    "recorded_at": "2026-12-07T10:15:00+01:00",
    "lifted_at": None,
    "lift_reason": "",
}
_BLOCK = {
    "id": "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
    "part": "documents",
    "reason": "Personens begäran.",
    "recorded_at": "2026-12-07T10:15:00+01:00",
    "lifted_at": None,
    "lift_reason": "",
}


@extend_schema(
    tags=["cases"],
    summary="Record the legal basis for sharing the case",
    description=(
        "The organisation that opened the case (or the kommun's MAS) records on which legal basis the "
        "case is shared with the other parties: the person's consent, a menprövning or another ground. "
        "Without a valid basis the other parties see what is asked but no health details."
    ),
    request=BasisInputSerializer,
    responses={201: CaseSerializer, **WRITE_ERRORS},
    examples=_example(
        "Muntligt samtycke",
        {
            "kind": "consent",
            "scope": "Ärendet och riskanalysen delas med vårdcentralen och njurmedicin.",
            "given_by": "person",
            "form": "oral",
            "given_on": "2026-03-02",
            "valid_until": "2027-03-02",
        },
    ),
)
@api_view(["POST"])
def legal_basis(request: Request, id: uuid.UUID) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(BasisInputSerializer, request)
    services.basis_record(actor=actor, case=case, data=services.BasisInput(**data))
    return case_response(actor, case, status_code=status.HTTP_201_CREATED)


@extend_schema(
    tags=["cases"],
    summary="Withdraw the legal basis (consent withdrawn)",
    description="The person withdraws consent: the other parties stop seeing the health details at once.",
    request=SharingReasonSerializer,
    responses={200: CaseSerializer, **WRITE_ERRORS},
    examples=_example("Samtycket återkallat", {"reason": "Personen vill inte att vårdcentralen tar del."}),
)
@api_view(["POST"])
def legal_basis_withdraw(request: Request, id: uuid.UUID) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(SharingReasonSerializer, request)
    services.basis_withdraw(actor=actor, case=case, reason=data.get("reason", ""))
    return case_response(actor, case)


@extend_schema(
    tags=["cases"],
    summary="Record the person's objection to sharing",
    description=(
        "The person objects to the case being shared with an organisation (or with every other one): "
        "its staff can no longer read the case, and each attempt is logged as refused."
    ),
    request=ObjectionInputSerializer,
    responses={201: ObjectionSerializer, **WRITE_ERRORS},
    examples=_example(
        "Invändning", {"organisation": None, "reason": "Vill inte att uppgifterna delas."}, _OBJECTION
    ),
)
@api_view(["POST"])
def objections(request: Request, id: uuid.UUID) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(ObjectionInputSerializer, request)
    organisation = None
    if data.get("organisation"):
        organisation = Organisation.objects.filter(public_id=data["organisation"]).first()
        if organisation is None:
            raise ValidationError({"organisation": [_("No organisation with that id.")]})
    objection = services.objection_record(
        actor=actor, case=case, organisation=organisation, reason=data.get("reason", "")
    )
    return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


def _on_case(model: Any, case: Any, key: str) -> Any:
    try:
        found = model.objects.filter(public_id=uuid.UUID(str(key)), case=case).first()
    except ValueError:
        found = None
    if found is None:
        raise Http404(_("Not found."))
    return found


@extend_schema(
    tags=["cases"],
    summary="Lift an objection",
    request=LiftSerializer,
    responses={200: ObjectionSerializer, **WRITE_ERRORS},
    examples=_example(
        "Invändningen hävd",
        {"reason": "Personen har ändrat sig och samtycker nu."},
        {
            **_OBJECTION,
            "lifted_at": "2026-12-08T09:00:00+01:00",
            "lift_reason": "Personen har ändrat sig och samtycker nu.",
        },
    ),
)
@api_view(["POST"])
def objection_lift(request: Request, id: uuid.UUID, objection_id: str) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(LiftSerializer, request)
    with transaction.atomic():
        objection = services.objection_lift(
            actor=actor,
            case=case,
            objection=_on_case(SharingObjection, case, objection_id),
            reason=data["reason"],
        )
    return Response(ObjectionSerializer(objection).data)


@extend_schema(
    tags=["cases"],
    summary="Set a spärr on a part of the case",
    description=(
        "The part (free text and comments, risk analyses or documents) is hidden from every organisation "
        "but the one that opened the case."
    ),
    request=BlockInputSerializer,
    responses={201: BlockSerializer, **WRITE_ERRORS},
    examples=_example("Spärr på dokument", {"part": "documents", "reason": "Personens begäran."}, _BLOCK),
)
@api_view(["POST"])
def blocks(request: Request, id: uuid.UUID) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(BlockInputSerializer, request)
    block = services.block_set(actor=actor, case=case, part=data["part"], reason=data.get("reason", ""))
    return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["cases"],
    summary="Lift a spärr",
    request=LiftSerializer,
    responses={200: BlockSerializer, **WRITE_ERRORS},
    examples=_example(
        "Spärren hävd",
        {"reason": "Personen har själv begärt att spärren tas bort."},
        {
            **_BLOCK,
            "lifted_at": "2026-12-08T09:00:00+01:00",
            "lift_reason": "Personen har själv begärt att spärren tas bort.",
        },
    ),
)
@api_view(["POST"])
def block_lift(request: Request, id: uuid.UUID, block_id: str) -> Response:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    data = _valid(LiftSerializer, request)
    block = services.block_lift(
        actor=actor, case=case, block=_on_case(SharingBlock, case, block_id), reason=data["reason"]
    )
    return Response(BlockSerializer(block).data)
