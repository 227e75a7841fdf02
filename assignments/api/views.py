"""Hand a case over for my organisation, and the teams of my organisation.

The case is read through ``cases.selectors`` (access checked and logged: another organisation's case is
a 404); hand-overs are written through ``assignments.services`` and answered with the case, whose
``handlers`` say who handles it now. A hand-over is a change of the case: it needs ``If-Match`` with the
case's ETag, and the answer carries the new one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors as case_selectors
from cases.api.responses import case_response
from cases.api.serializers import CaseSerializer
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Organisation, Team, User
from directory.teams import (
    handler_memberships,
    keeper_organisation_ids,
    team_for_keeper,
    team_save,
    teams_for,
)
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS
from hemsjukvard.errors import NotPermitted

from .. import policies, services
from .serializers import HandOverSerializer, ReleaseSerializer, TeamSerializer, TeamWriteSerializer


def _checked_case(request: Request, id: str) -> tuple[Actor, ResponsibilityCase]:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=id)
    require_if_match(request, etag_for(case, version=case.version))
    return actor, case


def _organisation_of(actor: Actor, case: ResponsibilityCase) -> int:
    membership = policies.handing_membership(actor, case, None)
    if membership is None:
        raise NotPermitted(
            _("Only people of an organisation on the case hand over its part of the case."),
            code="not_of_organisation",
        )
    return membership.organisation_id


def _as_api_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


@extend_schema(tags=["cases"])
class CaseHandlerViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="Hand the case over within my organisation",
        description=(
            "Hand the case, for your organisation on it, to a colleague (`assignee`: a person of the same "
            "organisation whose role handles cases) or to one of its active teams (`team`). A nurse takes "
            "a case or hands it on while it is hers, her team's or nobody's; the coordinator hands over "
            "any. The new handler (every member of the team) is notified; the case leaves the others' "
            '"waiting for me" list. Answers the case, with `handlers`.'
        ),
        request=HandOverSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Till en kollega",
                value={
                    "assignee": "9b2e4c1a-6f0d-4a8e-bb57-0c3f1d2e7a91",
                    "note": "Semester v. 28–31; PD-utbildningen är bokad.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def handler(self, request: Request, id: str) -> Response:
        actor, case = _checked_case(request, id)
        serializer = HandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation_id = _organisation_of(actor, case)
        assignee: User | None = None
        team: Team | None = None
        if data.get("assignee") is not None:
            assignee = User.objects.filter(public_id=data["assignee"]).first()
            if assignee is None or not handler_memberships(organisation_id).filter(user=assignee).exists():
                raise ValidationError(
                    {"assignee": [_("Name a colleague of your organisation whose role handles cases.")]}
                )
        else:
            team = Team.objects.filter(public_id=data["team"], organisation_id=organisation_id).first()
            if team is None:
                raise ValidationError({"team": [_("Name an active team of your organisation.")]})
        try:
            services.case_assign(
                actor=actor,
                case=case,
                assignee=assignee,
                team=team,
                organisation_id=organisation_id,
                note=data.get("note", ""),
                expected_version=case.version,
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return case_response(actor, case)

    @extend_schema(
        summary="Hand the case back to my organisation",
        description="Nobody in particular handles the case for your organisation any more: it waits for "
        "everyone there whose turn it is. The same rule as handing over.",
        request=ReleaseSerializer,
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Tillbaka", value={"note": "Tillbaka från semestern."}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="handler/release", url_name="handler-release")
    def release(self, request: Request, id: str) -> Response:
        actor, case = _checked_case(request, id)
        serializer = ReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.case_unassign(
                actor=actor,
                case=case,
                organisation_id=_organisation_of(actor, case),
                note=serializer.validated_data.get("note", ""),
                expected_version=case.version,
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return case_response(actor, case)


def _team(team: Team) -> dict[str, Any]:
    fresh = Team.objects.select_related("organisation").prefetch_related("members__user").get(pk=team.pk)
    return dict(TeamSerializer(fresh).data)


@extend_schema(tags=["teams"])
class TeamViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List the teams of my organisation",
        description="The teams of the organisations you handle cases in, with their members. Not patient "
        "data.",
        responses={200: TeamSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        return Response(TeamSerializer(teams_for(Actor.from_request(request)), many=True).data)

    @extend_schema(summary="Read a team", responses={200: TeamSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: str) -> Response:
        for team in teams_for(Actor.from_request(request)):
            if str(team.public_id) == str(id):
                return Response(TeamSerializer(team).data)
        raise Http404

    @extend_schema(
        summary="Create a team of my organisation",
        description="The organisation's coordinator creates a team; members are memberships of the "
        "organisation whose role handles cases.",
        request=TeamWriteSerializer,
        responses={201: TeamSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Kväll", value={"name": "Hemsjukvården Varberg kväll", "members": []}, request_only=True
            )
        ],
    )
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = TeamWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        keeper = sorted(keeper_organisation_ids(actor))
        if not keeper:
            raise NotPermitted(_("Only the organisation's coordinator keeps its teams."))
        try:
            team = team_save(
                actor=actor,
                organisation=Organisation.objects.get(pk=keeper[0]),
                name=data["name"],
                member_ids=data.get("members", []),
                is_active=data.get("is_active", True),
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return Response(_team(team), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a team of my organisation",
        description="Its name, members (the whole list) or whether it is active; the coordinator only.",
        request=TeamWriteSerializer(partial=True),
        responses={200: TeamSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Inaktiv", value={"is_active": False}, request_only=True)],
    )
    def partial_update(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        try:
            team = team_for_keeper(actor, uuid.UUID(str(id)))
        except (Team.DoesNotExist, ValueError):
            raise Http404 from None
        serializer = TeamWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            team = team_save(
                actor=actor,
                team=team,
                name=data.get("name"),
                member_ids=data.get("members"),
                is_active=data.get("is_active"),
            )
        except DjangoValidationError as error:
            raise _as_api_error(error) from None
        return Response(_team(team))
