"""SIP endpoints. Reads go through ``sip.selectors``, writes through ``sip.services``.

Every write needs ``If-Match`` with the plan's ETag from the last read (428 without it, 412 when the plan
changed since). Starting a plan from a case needs the case's ETag instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors as case_selectors
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.pagination import (
    AFTER_ID,
    UPDATED_SINCE,
    PaginatedListMixin,
    SyncPagination,
    filter_updated_since,
)
from hemsjukvard.api.schema import ERROR_BODY, ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS
from patients.selectors import patient_get

from .. import selectors, services
from ..inputs import UNCHANGED
from ..models import Sip
from ..policies import allowed_actions
from .serializers import (
    CreateForPatientSerializer,
    CreateFromCaseSerializer,
    DistributionInputSerializer,
    DraftUpdateSerializer,
    FollowUpInputSerializer,
    SipDistributionSerializer,
    SipFollowUpSerializer,
    SipSerializer,
    SipShown,
    WithdrawConsentSerializer,
)

FINALISE_ERRORS = {
    **WRITE_ERRORS,
    400: OpenApiResponse(
        ERROR_BODY,
        description=(
            "The plan is not complete. `fields` names each missing piece in words for the nurse: "
            "`insatser`, `responsible`, `other_measures`, `huvudansvar`, `consent`, `follow_up_on`."
        ),
    ),
}
DRAFT_EXAMPLE = {
    "huvudansvar": "9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "huvudansvar_contact": "Kommunsjuksköterska Eva Ek",
    "huvudansvar_phone": "0340-123 45",
    "fast_vardkontakt_name": "Eva Ek",
    "fast_vardkontakt_unit": "Hemsjukvården, Varbergs kommun",
    "fast_vardkontakt_phone": "0340-123 45",
    "fast_lakarkontakt_name": "Dr Lars Berg",
    "fast_lakarkontakt_unit": "Vårdcentralen Centrum, Varberg",
    "fast_lakarkontakt_phone": "0340-48 70 00",
    "what_matters": "Att få bo kvar hemma och kunna gå till affären med min dotter.",
    "own_goals": "Klara påsbytena på dagen själv inom tre månader.",
    "follow_up_on": "2025-09-15",
    "consent_given_by": "person",
    "consent_given_by_name": "Karin Svensson",
    "consent_scope": "Planen och uppgifterna i den får delas mellan kommunen, vårdcentralen och njurmedicin.",
    "consent_given_on": "2025-06-02",
    "insatser": [
        {
            "description": "Peritonealdialys (PD), påsbyte kl 22 och 06",
            "task_type": "peritoneal_dialysis",
            "responsible": "9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "orders": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "follows_up": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "starts_on": "2025-06-03",
            "frequency": "dagligen kl 22 och 06",
            "reported_by": "Kommunens sjuksköterska",
            "reported_to": "PD-mottagningen, njurmedicin",
        },
        {
            "description": "Hemtjänst: hjälp med inköp och städning",
            "basis": "sol",
            "responsible": "9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "starts_on": "2025-06-09",
            "frequency": "varje måndag",
        },
    ],
    "other_measures": [
        {
            "description": "Handlar och följer med på återbesök",
            "actor_kind": "next_of_kin",
            "actor_name": "Dottern Anna",
        },
        {
            "description": "Handlägger ansökan om bilstöd",
            "actor_kind": "forsakringskassan",
            "actor_name": "Försäkringskassan",
        },
    ],
    "participants": [
        {"name": "Karin Svensson", "kind": "person", "attendance": "yes", "phone": "0340-222 33"},
        {
            "name": "Anna Svensson",
            "kind": "next_of_kin",
            "role": "Dotter",
            "attendance": "remote",
            "phone": "070-123 45 67",
            "email": "anna.svensson@example.se",
        },
    ],
    "contact_paths": [
        {"period": "day", "who": "Hemsjukvården, kommunsjuksköterska", "phone": "0340-123 45"},
        {
            "period": "evening_night",
            "who": "Njurmedicin, PD-mottagningens jourlinje (dygnet runt)",
            "phone": "035-13 10 00",
        },
        {"period": "weekend", "who": "Njurmedicin, jourlinje", "phone": "035-13 10 00"},
    ],
}


def _etag(sip: Sip) -> str:
    return etag_for(sip, version=sip.revision)


def _revision_from_if_match(request: Request, sip: Sip) -> int:
    require_if_match(request, _etag(sip))
    return sip.revision


def _validated(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _present(actor: Actor, view: selectors.SipView) -> dict[str, Any]:
    sip = view.sip
    shared = view.shared
    shown = SipShown(
        sip=sip,
        shared=shared,
        identity_masked=not view.identity_visible,
        consent_withdrawn=selectors.consent_withdrawal(sip) is not None,
        current_version=selectors.current_version(sip) if shared else None,
        allowed_actions=allowed_actions(actor, view.facts) if shared else [],
    )
    data = SipSerializer(shown, context={"identity_visible": view.identity_visible}).data
    if not shared:
        data["versions"] = []
        data["follow_ups"] = []
        data["distributions"] = []
    return dict(data)


def _sip_response(actor: Actor, sip: Sip, *, status_code: int = status.HTTP_200_OK) -> Response:
    view = selectors.sip_get(actor=actor, public_id=sip.public_id, log=False)
    response = Response(_present(actor, view), status=status_code)
    response["ETag"] = _etag(view.sip)
    return response


def _write_schema(
    summary: str, request: Any, *, description: str = "", examples: Any = None, idempotent: bool = False
) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        description=description or None,
        request=request,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY] if idempotent else [IF_MATCH],
        responses={200: SipSerializer, **WRITE_ERRORS, **(IDEMPOTENCY_RESPONSES if idempotent else {})},
        examples=examples or [],
    )


def _drafts(items: list[dict[str, Any]] | None, kind: type[Any]) -> list[Any] | None:
    return None if items is None else [kind(**item) for item in items]


class _ListQuerySerializer(serializers.Serializer[dict[str, Any]]):
    patient = serializers.UUIDField(required=False, help_text="The patient's id.")


@extend_schema(tags=["sip"])
def _reread_follow_up(
    view: Any, request: Request, answered_id: str | None, kwargs: dict[str, Any]
) -> Response:
    """A replayed follow-up is read again through its plan: access checked and the read logged."""
    sip_view = selectors.sip_get(actor=Actor.from_request(request), public_id=kwargs["id"])
    follow_up = get_object_or_404(sip_view.sip.follow_ups.all(), public_id=answered_id)
    response = Response(SipFollowUpSerializer(follow_up).data)
    response["ETag"] = _etag(selectors.sip_reload(sip=sip_view.sip))
    return response


class SipViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"
    list_pagination_class = SyncPagination

    @extend_schema(
        summary="List SIPs",
        description=(
            "The SIPs of every patient you may see, newest first, or of one patient with `patient`. "
            "To keep a planning system in step, page with `cursor` and `updated_since`. Every plan listed "
            "is written to the access log. A plan whose patient withdrew consent is listed without its "
            "versions for everyone outside the organisation that keeps it."
        ),
        parameters=[
            OpenApiParameter("patient", OpenApiTypes.UUID, description="Only this patient's plans."),
            UPDATED_SINCE,
            AFTER_ID,
        ],
        responses={200: SipSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        query = _ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = filter_updated_since(request, selectors.sip_list(actor=actor))
        if "patient" in query.validated_data:
            patient = patient_get(actor=actor, public_id=query.validated_data["patient"])
            queryset = queryset.filter(patient=patient.obj)
        paginator = SyncPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        views = selectors.sips_listed(actor=actor, sips=list(page))
        return paginator.get_paginated_response([_present(actor, view) for view in views])

    @extend_schema(
        summary="Start a SIP for an enrolled patient",
        description=(
            "Kommun nursing staff or the region's staff on the patient start a SIP on its own (without a "
            "responsibility case) for a patient enrolled in home health care. The first version is a draft."
        ),
        request=CreateForPatientSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SipSerializer, **ERROR_RESPONSES, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample(
                "SIP för inskriven patient",
                value={"patient": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        data = _validated(CreateForPatientSerializer, request)
        patient = patient_get(actor=actor, public_id=data["patient"])
        sip = services.sip_create_for_patient(actor=actor, patient=patient)
        return _sip_response(actor, sip, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start a SIP from an agreed case",
        description=(
            "Starts the SIP for an agreed responsibility case: each task with its agreed split (who "
            "prescribes, performs and follows up) becomes an insats of the draft. The case stays *agreed* "
            "until the SIP is finalised, and then moves to *active*. Send the **case's** ETag in If-Match."
        ),
        request=CreateFromCaseSerializer,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        responses={201: SipSerializer, **WRITE_ERRORS, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample(
                "SIP efter överenskommet PD-ärende",
                value={"case": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
                request_only=True,
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="from-case")
    @idempotent
    def from_case(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        data = _validated(CreateFromCaseSerializer, request)
        case = case_selectors.case_get(actor=actor, public_id=data["case"])
        require_if_match(request, etag_for(case, version=case.version))
        sip = services.sip_create_from_case(actor=actor, case=case, expected_case_version=case.version)
        return _sip_response(actor, sip, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a SIP",
        description=(
            "The plan with its current version and every earlier version (the history), and its "
            "follow-ups. Every read is written to the access log."
        ),
        responses={200: SipSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        response = Response(_present(actor, view))
        response["ETag"] = _etag(view.sip)
        return response

    @_write_schema(
        "Change the draft",
        DraftUpdateSerializer,
        description=(
            "Changes the draft version. A finalised version never changes (409): start a new version."
        ),
        examples=[OpenApiExample("SIP-möte hemma hos Karin", value=DRAFT_EXAMPLE, request_only=True)],
    )
    @action(detail=True, methods=["patch"])
    def draft(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        data = _validated(DraftUpdateSerializer, request)
        rows = {kind: data.pop(kind, None) for kind in services.ROW_KINDS}
        handlaggare = data.pop("bistandshandlaggare", UNCHANGED)
        changes = services.DraftChanges(
            fields=data,
            bistandshandlaggare=handlaggare,
            insatser=_drafts(rows["insatser"], services.InsatsInput),
            other_measures=_drafts(rows["other_measures"], services.OtherMeasureInput),
            participants=_drafts(rows["participants"], services.ParticipantInput),
            contact_paths=_drafts(rows["contact_paths"], services.ContactPathInput),
        )
        services.sip_update_draft(actor=actor, sip=view.sip, expected_revision=revision, changes=changes)
        return _sip_response(actor, view.sip)

    @extend_schema(
        summary="Finalise the draft",
        description=(
            "Finalises the draft: it never changes again. Refused (400) unless the plan states the four "
            "elements of HSL 16 kap. 4 § — the insatser, who answers for each, what others do (or that "
            "no one else does anything) and who has huvudansvar — and the person's consent and a "
            "follow-up date; `fields` names each missing piece. Of two finalisations at once one wins; "
            "the other gets 412 (or 409 when it read the plan after the first)."
        ),
        request=None,
        parameters=[IF_MATCH],
        responses={200: SipSerializer, **FINALISE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        services.sip_finalise(actor=actor, sip=view.sip, expected_revision=revision)
        return _sip_response(actor, view.sip)

    @_write_schema(
        "Start a new version",
        None,
        description="Copies the finalised version into a new draft; the finalised version stays as it was.",
        idempotent=True,
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    @idempotent
    def new_version(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        services.sip_new_version(actor=actor, sip=view.sip, expected_revision=revision)
        return _sip_response(actor, view.sip)

    @_write_schema(
        "Withdraw consent",
        WithdrawConsentSerializer,
        description=(
            "The person (or their representative) withdraws consent. The plan stops being shared "
            "between the principals at once: only the organisation that keeps it sees its content, and "
            "the plan shows the withdrawal."
        ),
        examples=[
            OpenApiExample(
                "Karin återkallar samtycket",
                value={
                    "withdrawn_by": "person",
                    "withdrawn_by_name": "Karin Svensson",
                    "withdrawn_on": "2025-07-01",
                    "reason": "Vill inte att vårdcentralen får ta del av planen.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="withdraw-consent")
    def withdraw_consent(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        data = _validated(WithdrawConsentSerializer, request)
        services.sip_withdraw_consent(actor=actor, sip=view.sip, expected_revision=revision, **data)
        return _sip_response(actor, view.sip)

    @extend_schema(
        summary="Record a follow-up",
        description=(
            "Records the follow-up of the current finalised version. It leads to a new version (a "
            "draft copied from the one followed up) or to closing the plan."
        ),
        request=FollowUpInputSerializer,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
        responses={201: SipFollowUpSerializer, **WRITE_ERRORS, **IDEMPOTENCY_RESPONSES},
        examples=[
            OpenApiExample(
                "Uppföljning: fortsätter med ny version",
                value={
                    "held_on": "2025-09-15",
                    "outcome": "new_version",
                    "notes": "PD fungerar väl. Dottern tar över handlingen; nytt uppföljningsdatum behövs.",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="follow-ups")
    @idempotent(reread=_reread_follow_up)
    def follow_ups(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        data = _validated(FollowUpInputSerializer, request)
        follow_up = services.sip_record_follow_up(
            actor=actor, sip=view.sip, expected_revision=revision, **data
        )
        fresh = selectors.sip_reload(sip=view.sip)
        response = Response(SipFollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)
        response["ETag"] = _etag(fresh)
        return response

    @extend_schema(
        summary="Record who received the plan",
        description=(
            "Records that a finalised version of the plan was handed over or sent to the person, their "
            "representative or a participant (by hand, by post, by e-mail or through 1177), when and by "
            "whom. Nothing is sent: the record says what a person did. The plan's next PDF lists it."
        ),
        request=DistributionInputSerializer,
        parameters=[IF_MATCH],
        responses={201: SipDistributionSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Planen lämnad till Karin vid hembesöket",
                value={
                    "recipient_kind": "person",
                    "recipient_name": "Karin Svensson",
                    "method": "by_hand",
                    "given_on": "2025-06-03",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="distributions")
    def distributions(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        view = selectors.sip_get(actor=actor, public_id=id)
        revision = _revision_from_if_match(request, view.sip)
        data = _validated(DistributionInputSerializer, request)
        row = services.sip_record_distribution(
            actor=actor,
            sip=view.sip,
            expected_revision=revision,
            recipient_kind=data["recipient_kind"],
            recipient_name=data["recipient_name"],
            method=data["method"],
            given_on=data["given_on"],
            version_number=data.get("version"),
        )
        fresh = selectors.sip_reload(sip=view.sip)
        body = SipDistributionSerializer(row, context={"identity_visible": view.identity_visible}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["ETag"] = _etag(fresh)
        return response
