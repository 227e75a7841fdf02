"""Responsibility-case endpoints. Reads go through ``cases.selectors``, writes through ``cases.services``.

Every write needs ``If-Match`` with the case's ETag from the last read (428 without it, 412 when the case
changed since); risk-analysis writes use the ETag of the case they belong to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from access.legal_basis import sharing_for
from consent import services as consent_services
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, if_match_current, require_if_match
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.pagination import (
    AFTER_ID,
    UPDATED_SINCE,
    PaginatedListMixin,
    SyncPagination,
    apply_ordering,
    filter_updated_since,
    ordering_parameter,
)
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS
from patients.selectors import patient_get

from .. import selectors, services
from ..models import CaseStatus, ResponsibilityCase, RiskAnalysis
from ..policies import allowed_actions
from ..transitions import A
from .responses import case_response
from .serializers import (
    SUBMIT_EXAMPLE,
    AcceptSerializer,
    CaseCreateSerializer,
    CaseDraftUpdateSerializer,
    CaseEventSerializer,
    CaseSerializer,
    CaseTaskSerializer,
    CommentSerializer,
    DecideSerializer,
    DisputeSerializer,
    EscalateSerializer,
    OptionalReasonSerializer,
    PositionsSerializer,
    ReasonSerializer,
    RiskAnalysisCreateSerializer,
    RiskAnalysisSerializer,
    SubmitSerializer,
    case_representations,
)

CASE_EXAMPLE = {
    "patient": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "trigger": "discharge",
    "urgency": "urgent",
    "specialist_clinic": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "background": (
        "Utskrivningsklar från njurmedicin med peritonealdialys (PD) i hemmet. Njurmedicin önskar att "
        "kommunens sjuksköterskor utför påsbyten nattetid."
    ),
    "increased_staff_time": True,
    "competence_needed": True,
    "patient_safety_risk": True,
    "shift_planning": "planned",
    "tasks": ["peritoneal_dialysis"],
}


def _version_from_if_match(request: Request, case: ResponsibilityCase) -> int:
    # A write on a case is a step of its process: it must name the version it was decided on, never "*".
    require_if_match(request, etag_for(case, version=case.version))
    return case.version


def _validated(serializer_class: type[serializers.Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _basis_record(actor: Actor, case: ResponsibilityCase, basis: dict[str, Any]) -> None:
    consent_services.basis_record(actor=actor, case=case, data=consent_services.BasisInput(**basis))


def _splits(items: list[dict[str, Any]] | None) -> list[services.Split]:
    return [
        services.Split(
            task=item["task"],
            orders=item.get("orders"),
            performs=item.get("performs"),
            follows_up=item.get("follows_up"),
            arrangement=item.get("arrangement", ""),
            arrangement_note=item.get("arrangement_note", ""),
        )
        for item in items or []
    ]


def _positions(items: list[dict[str, Any]]) -> list[services.PositionInput]:
    return [
        services.PositionInput(
            task=item["task"],
            text=item["text"],
            orders=item.get("orders"),
            performs=item.get("performs"),
            follows_up=item.get("follows_up"),
            arrangement=item.get("arrangement", ""),
            arrangement_note=item.get("arrangement_note", ""),
        )
        for item in items
    ]


def _measures(items: list[dict[str, Any]] | None) -> list[services.MeasureInput]:
    return [services.MeasureInput(**item) for item in items or []]


def _action_schema(
    summary: str,
    request: Any,
    *,
    description: str = "",
    examples: list[OpenApiExample] | None = None,
    idempotent: bool = False,
) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        description=description or None,
        request=request,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY] if idempotent else [IF_MATCH],
        responses={200: CaseSerializer, **WRITE_ERRORS, **(IDEMPOTENCY_RESPONSES if idempotent else {})},
        examples=examples or [],
    )


def _example(name: str, value: dict[str, Any]) -> list[OpenApiExample]:
    return [OpenApiExample(name, value=value, request_only=True)]


CASE_ORDERING = ("created_at", "updated_at", "due_at")


@extend_schema(tags=["cases"])
class CaseViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"
    list_pagination_class = SyncPagination

    @extend_schema(
        summary="List responsibility cases",
        description="Cases naming one of your organisations. Each case listed is written to the access log.",
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values),
            OpenApiParameter("kommun", uuid.UUID, description="The kommun's id."),
            OpenApiParameter("vardcentral", uuid.UUID, description="The vårdcentral's id."),
            OpenApiParameter("task_type", str, description="A care task type code."),
            OpenApiParameter("overdue", bool, description="Only cases past (or not past) their deadline."),
            UPDATED_SINCE,
            AFTER_ID,
            ordering_parameter(CASE_ORDERING, "-created_at"),
        ],
        responses={200: CaseSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        params = request.query_params
        try:
            filters = selectors.CaseFilters(
                status=params.get("status", ""),
                kommun=uuid.UUID(params["kommun"]) if params.get("kommun") else None,
                vardcentral=uuid.UUID(params["vardcentral"]) if params.get("vardcentral") else None,
                task_type=params.get("task_type", ""),
                overdue=(params["overdue"].lower() in ("1", "true", "yes")) if "overdue" in params else None,
            )
        except ValueError:
            raise ValidationError({"non_field_errors": [_("Filter by an organisation's id.")]}) from None
        if filters.status and filters.status not in CaseStatus.values:
            raise ValidationError({"status": [_("Choose a status from the list.")]})
        queryset = filter_updated_since(request, selectors.case_list(actor=actor, filters=filters))
        paginator = SyncPagination()
        # The page is chosen over the cases table alone, then its rows are loaded (selectors.case_list_keys).
        keys = selectors.case_list_keys(queryset)
        # A sync (``updated_since``) keeps its order, (updated_at, id), unless another is asked for.
        if "updated_since" not in params or "ordering" in params:
            keys = apply_ordering(request, keys, CASE_ORDERING)
        page = paginator.paginate_queryset(keys, request, view=self)
        shown = selectors.cases_listed(actor=actor, cases=queryset, ids=[case.pk for case in page or []])
        cases = [seen.obj for seen in shown]
        facts = selectors.case_facts_many(cases)
        for case in cases:  # ``cases_listed`` has set each case's ``sharing`` for the reader
            case.allowed_actions = allowed_actions(actor, case, facts[case.pk])  # type: ignore[attr-defined, unused-ignore]
        return paginator.get_paginated_response(case_representations(cases))

    @extend_schema(
        summary="Open a responsibility case",
        description=(
            "A kommun nurse or therapist opens a draft case for a patient of the kommun, naming the "
            "tasks asked for. Nothing is proposed until the case is submitted."
        ),
        request=CaseCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CaseSerializer, **ERROR_RESPONSES, **IDEMPOTENCY_RESPONSES},
        examples=_example("PD-patient utskriven från njurmedicin", CASE_EXAMPLE),
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        data = _validated(CaseCreateSerializer, request)
        patient = patient_get(actor=actor, public_id=data.pop("patient"))
        task_codes = data.pop("tasks")
        basis = data.pop("legal_basis", None)
        visit_bands = data.pop("visit_bands", None) or {}
        with transaction.atomic():  # the case and its legal basis together or not at all
            case = services.case_open(
                actor=actor,
                patient=patient,
                data=services.CaseInput(task_codes=task_codes, visit_bands=visit_bands, **data),
            )
            if basis is not None:
                _basis_record(actor, case, basis)
        return case_response(actor, case, status_code=status.HTTP_201_CREATED)

    @extend_schema(summary="Read a responsibility case", responses={200: CaseSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        return case_response(actor, selectors.case_get(actor=actor, public_id=id), reload=False)

    @extend_schema(
        summary="Change a draft case",
        request=CaseDraftUpdateSerializer(partial=True),
        parameters=[IF_MATCH],
        responses={200: CaseSerializer, **WRITE_ERRORS},
        examples=_example("Lägg till bakgrund", {"background": "Behöver PD-byte kl 22 och 06."}),
    )
    def partial_update(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        case = selectors.case_get(actor=actor, public_id=id)
        version = _version_from_if_match(request, case)
        serializer = CaseDraftUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        task_codes = fields.pop("tasks", None)
        visit_bands = fields.pop("visit_bands", None)
        updated = services.case_update(
            actor=actor,
            case=case,
            expected_version=version,
            fields=fields,
            task_codes=task_codes,
            visit_bands=visit_bands,
        )
        return case_response(actor, updated)

    # --- actions -----------------------------------------------------------------------------------

    def _act(
        self,
        request: Request,
        id: str,
        serializer_class: type[serializers.Serializer[Any]] | None,
        call: Callable[..., ResponsibilityCase | RiskAnalysis],
    ) -> Response:
        actor = Actor.from_request(request)
        case = selectors.case_get(actor=actor, public_id=id)
        version = _version_from_if_match(request, case)
        data = _validated(serializer_class, request) if serializer_class is not None else {}
        call(actor=actor, case=case, expected_version=version, **data)
        return case_response(actor, case)

    @_action_schema(
        "Submit the case",
        SubmitSerializer,
        description="The agreement's rules propose who orders, performs and follows up each task; the "
        "listed vårdcentral then reviews the proposal within the agreement's deadline. The legal basis "
        "for sharing may be given here if it was not recorded when the case was opened.",
        examples=_example("Med samtycke", SUBMIT_EXAMPLE),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, id: str) -> Response:
        def call(*, legal_basis: dict[str, Any] | None = None, **kwargs: Any) -> ResponsibilityCase:
            with transaction.atomic():  # the basis and the submit together or not at all
                if legal_basis is not None:
                    _basis_record(kwargs["actor"], kwargs["case"], legal_basis)
                    kwargs["expected_version"] = kwargs["case"].version
                return services.case_submit(**kwargs)

        return self._act(request, id, SubmitSerializer, call)

    @_action_schema(
        "Accept the proposed split",
        AcceptSerializer,
        description="Every organisation the proposal makes responsible for a task answers for it: the "
        "listed vårdcentral for what it orders, performs or follows up, the specialist clinic for what it "
        "orders, the kommun (nurse, MAS or MAR) for what it is asked to perform. A task is agreed once "
        "every party it awaits has accepted; each answer is listed under the task's `reviews`. Naming a "
        "task your organisation does not answer for is refused (403).",
        examples=_example("Godta förslaget", {"reason": "Enligt överenskommelsen § 5.3."}),
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, id: str) -> Response:
        def call(*, tasks: list[dict[str, Any]] | None = None, **kwargs: Any) -> ResponsibilityCase:
            return services.case_accept(splits=_splits(tasks), **kwargs)

        return self._act(request, id, AcceptSerializer, call)

    @_action_schema(
        "Dispute tasks",
        DisputeSerializer,
        description="A party to a task disputes it with its position: only the tasks named are disputed, "
        "and the case becomes `disputed` once no task awaits an answer. After MAS or MAR rejected the "
        "risk analysis (status `risk_analysis`), the kommun may dispute the tasks the analysis covers "
        "instead of writing a new version (action `dispute_after_rejection`).",
        examples=_example(
            "Njurmedicin bestrider",
            {
                "positions": [
                    {
                        "task": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                        "text": "Utan utbildning av kommunens sjuksköterskor bör njurmedicin utföra PD.",
                    }
                ]
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def dispute(self, request: Request, id: str) -> Response:
        def call(*, positions: list[dict[str, Any]], **kwargs: Any) -> ResponsibilityCase:
            return services.case_dispute(positions=_positions(positions), **kwargs)

        return self._act(request, id, DisputeSerializer, call)

    @_action_schema(
        "State a position on disputed tasks",
        PositionsSerializer,
        examples=_example(
            "Kommunens ståndpunkt",
            {
                "positions": [
                    {
                        "task": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                        "text": "Kommunen kan utföra PD efter utbildning om njurmedicin ordinerar.",
                    }
                ]
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def positions(self, request: Request, id: str) -> Response:
        def call(*, positions: list[dict[str, Any]], **kwargs: Any) -> ResponsibilityCase:
            return services.case_state_position(positions=_positions(positions), **kwargs)

        return self._act(request, id, PositionsSerializer, call)

    @_action_schema(
        "Escalate to the next level",
        EscalateSerializer,
        description="Idempotent per level: a request for the level the case already stands escalated at "
        "answers the case as it is and moves nothing, also when its If-Match is from before that "
        "escalation (send `level` for this); otherwise a stale If-Match is 412.",
        examples=_example(
            "Till lokal samverkan", {"reason": "Parterna är oense om ordinationsansvaret.", "level": 1}
        ),
        idempotent=True,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def escalate(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        case = selectors.case_get(actor=actor, public_id=id)
        current = if_match_current(request, etag_for(case, version=case.version))
        data = _validated(EscalateSerializer, request)
        # A stale read goes to the service too: it answers a repeat of an escalation that is done, and
        # refuses anything else as stale (412).
        version = case.version if current else services.STALE_VERSION
        services.case_escalate(actor=actor, case=case, expected_version=version, **data)
        return case_response(actor, case)

    @_action_schema(
        "Decide an escalated case",
        DecideSerializer,
        examples=_example(
            "Beslut i GNHH",
            {
                "outcome": "agreed",
                "reasons": "Enligt överenskommelsen § 5.3 utför kommunen PD; njurmedicin ordinerar.",
                "splits": [
                    {
                        "task": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                        "orders": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                        "performs": "9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                        "follows_up": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                    }
                ],
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, id: str) -> Response:
        def call(*, splits: list[dict[str, Any]] | None = None, **kwargs: Any) -> ResponsibilityCase:
            return services.case_decide(splits=_splits(splits), **kwargs)

        return self._act(request, id, DecideSerializer, call)

    @_action_schema(
        "Record that the level cannot settle the case",
        ReasonSerializer,
        description="The body at the current level finds that it cannot settle the case, which goes to "
        "the next level of the agreement's ladder.",
        examples=_example(
            "Kan inte avgöras", {"reason": "Frågan gäller hela regionens avtal; RUG bör ta den."}
        ),
    )
    @action(detail=True, methods=["post"], url_path="cannot-settle")
    def cannot_settle(self, request: Request, id: str) -> Response:
        def call(*, reason: str, **kwargs: Any) -> ResponsibilityCase:
            return services.case_cannot_settle(reasons=reason, **kwargs)

        return self._act(request, id, ReasonSerializer, call)

    @_action_schema(
        "Accept the body's recommendation",
        OptionalReasonSerializer,
        description="Your party (the kommun, or the region side) accepts the recommendation of the "
        "current level; once both parties have, it takes effect as the decision.",
        examples=_example("Godta", {"reason": "Kommunen godtar rekommendationen."}),
    )
    @action(detail=True, methods=["post"], url_path="accept-recommendation")
    def accept_recommendation(self, request: Request, id: str) -> Response:
        def call(**kwargs: Any) -> ResponsibilityCase:
            return services.case_answer_recommendation(accept=True, **kwargs)

        return self._act(request, id, OptionalReasonSerializer, call)

    @_action_schema(
        "Decline the body's recommendation",
        ReasonSerializer,
        description="Your party does not accept the recommendation; a coordinator may then send the case "
        "to the next level.",
        examples=_example("Godtas inte", {"reason": "Regionen saknar resurser att utföra insatsen."}),
    )
    @action(detail=True, methods=["post"], url_path="decline-recommendation")
    def decline_recommendation(self, request: Request, id: str) -> Response:
        def call(**kwargs: Any) -> ResponsibilityCase:
            return services.case_answer_recommendation(accept=False, **kwargs)

        return self._act(request, id, ReasonSerializer, call)

    @_action_schema(
        "Consent to skip the current level",
        ReasonSerializer,
        description="A party's coordinator consents to skip the current level; when both parties have "
        "consented, the case goes to the next level.",
        examples=_example("Hoppa över", {"reason": "Båda parter vill ha ett bindande beslut snabbt."}),
    )
    @action(detail=True, methods=["post"], url_path="consent-skip")
    def consent_skip(self, request: Request, id: str) -> Response:
        return self._act(request, id, ReasonSerializer, services.case_consent_skip)

    @_action_schema(
        "Withdraw the case",
        ReasonSerializer,
        examples=_example("Återkallad", {"reason": "Patienten har flyttat till särskilt boende."}),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id: str) -> Response:
        return self._act(request, id, ReasonSerializer, services.case_withdraw)

    @_action_schema(
        "Comment on the case",
        CommentSerializer,
        examples=_example("Kommentar", {"text": "Utbildning i PD bokad till torsdag."}),
    )
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, id: str) -> Response:
        return self._act(request, id, CommentSerializer, services.case_comment)

    def _move(self, request: Request, id: str, move: str) -> Response:
        def call(**kwargs: Any) -> ResponsibilityCase:
            return services.case_move(action=move, **kwargs)

        return self._act(request, id, OptionalReasonSerializer, call)

    @_action_schema(
        "Start the agreed care (SIP in place)",
        OptionalReasonSerializer,
        examples=_example("Motivering", {"reason": "SIP upprättad vid möte hemma hos patienten."}),
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, id: str) -> Response:
        return self._move(request, id, A.ACTIVATE)

    @_action_schema(
        "Start the follow-up",
        OptionalReasonSerializer,
        examples=_example("Motivering", {"reason": "Uppföljningsdatum i SIP har passerat."}),
    )
    @action(detail=True, methods=["post"], url_path="start-follow-up")
    def start_follow_up(self, request: Request, id: str) -> Response:
        return self._move(request, id, A.START_FOLLOW_UP)

    @_action_schema(
        "Followed up: the care goes on",
        OptionalReasonSerializer,
        examples=_example("Motivering", {"reason": "Uppföljning genomförd; insatserna fortsätter."}),
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, id: str) -> Response:
        return self._move(request, id, A.RESUME)

    @_action_schema(
        "Followed up: close the case",
        OptionalReasonSerializer,
        examples=_example("Motivering", {"reason": "Patienten har flyttat till särskilt boende."}),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:
        return self._move(request, id, A.CLOSE)

    # --- reads -------------------------------------------------------------------------------------

    @extend_schema(
        summary="The case's tasks with proposed and agreed split",
        responses={200: CaseTaskSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def tasks(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        case = selectors.case_get(actor=actor, public_id=id)
        return Response(CaseTaskSerializer(case.tasks.all(), many=True).data)

    @extend_schema(
        summary="The case's timeline, oldest first",
        responses={200: CaseEventSerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        case, events = selectors.case_timeline(actor=actor, public_id=id)
        data = CaseEventSerializer(events, many=True).data
        if not sharing_for(actor, case).text:
            # What happened and when stays; what was written is the opener's only (access.legal_basis).
            for event in data:
                event["reason"] = ""
                event["payload"] = {}
        return Response(data)

    @extend_schema(
        summary="The risk analysis: every version, newest first",
        responses={200: RiskAnalysisSerializer(many=True), **ERROR_RESPONSES},
        methods=["GET"],
    )
    @extend_schema(
        summary="Write a new version of the risk analysis",
        request=RiskAnalysisCreateSerializer,
        parameters=[IF_MATCH],
        responses={201: RiskAnalysisSerializer, **WRITE_ERRORS},
        methods=["POST"],
        examples=_example(
            "Riskanalys PD",
            {
                "summary": "PD-byten utförs av kommunens sjuksköterskor efter utbildning.",
                "review_on": "2027-05-01",
                "hazards": [
                    {
                        "description": "Peritonit vid bristande aseptik vid påsbyte",
                        "likelihood": 2,
                        "consequence": 4,
                        "measures": [
                            {
                                "description": "Utbildning och kompetensbevis för alla som utför PD",
                                "owner_organisation": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                                "owner_name": "PD-sjuksköterska, njurmedicin",
                                "due_on": "2027-03-01",
                            }
                        ],
                    }
                ],
            },
        ),
    )
    @action(detail=True, methods=["get", "post"], url_path="risk-analyses")
    def risk_analyses(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        if request.method == "POST":
            case = selectors.case_get(actor=actor, public_id=id)
            version = _version_from_if_match(request, case)
            data = _validated(RiskAnalysisCreateSerializer, request)
            analysis = services.risk_analysis_create(
                actor=actor,
                case=case,
                expected_version=version,
                data=services.AnalysisInput(
                    summary=data.get("summary", ""),
                    review_on=data.get("review_on"),
                    hazards=[
                        services.HazardInput(
                            description=h["description"],
                            likelihood=h["likelihood"],
                            consequence=h["consequence"],
                            measures=_measures(h.get("measures")),
                        )
                        for h in data["hazards"]
                    ],
                    measures=_measures(data.get("measures")),
                ),
            )
            fresh = selectors.risk_analysis_reload(analysis=analysis)
            response = Response(RiskAnalysisSerializer(fresh).data, status=status.HTTP_201_CREATED)
            response["ETag"] = etag_for(fresh.case, version=fresh.case.version)
            return response
        _case, analyses = selectors.risk_analyses_for_case(actor=actor, public_id=id)
        return Response(RiskAnalysisSerializer(analyses, many=True).data)


def _analysis_schema(
    summary: str, request: Any, examples: list[OpenApiExample] | None = None
) -> Callable[[Any], Any]:
    return extend_schema(
        summary=summary,
        request=request,
        parameters=[IF_MATCH],
        responses={200: RiskAnalysisSerializer, **WRITE_ERRORS},
        examples=examples or [],
    )


@extend_schema(tags=["cases"])
class RiskAnalysisViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="Read one version of a risk analysis",
        responses={200: RiskAnalysisSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        analysis = selectors.risk_analysis_get(actor=actor, public_id=id)
        response = Response(RiskAnalysisSerializer(analysis).data)
        response["ETag"] = etag_for(analysis.case, version=analysis.case.version)
        return response

    def _act(
        self,
        request: Request,
        id: str,
        serializer_class: type[serializers.Serializer[Any]] | None,
        call: Callable[..., RiskAnalysis],
    ) -> Response:
        actor = Actor.from_request(request)
        analysis = selectors.risk_analysis_get(actor=actor, public_id=id)
        version = _version_from_if_match(request, analysis.case)
        data = _validated(serializer_class, request) if serializer_class is not None else {}
        call(actor=actor, case=analysis.case, analysis=analysis, expected_version=version, **data)
        fresh = selectors.risk_analysis_reload(analysis=analysis)
        response = Response(RiskAnalysisSerializer(fresh).data)
        response["ETag"] = etag_for(fresh.case, version=fresh.case.version)
        return response

    @_analysis_schema("Sign the risk analysis (responsible physician)", None)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, id: str) -> Response:
        return self._act(request, id, None, services.risk_analysis_sign)

    @_analysis_schema("Approve the risk analysis (MAS or MAR)", None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, id: str) -> Response:
        return self._act(request, id, None, services.risk_analysis_approve)

    @_analysis_schema(
        "Reject the risk analysis (MAS or MAR), with a reason",
        ReasonSerializer,
        _example("Avslag", {"reason": "Åtgärd för nattetid saknas; ange vem som svarar på larm."}),
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, id: str) -> Response:
        return self._act(request, id, ReasonSerializer, services.risk_analysis_reject)

    @_analysis_schema(
        "Return the risk analysis unsigned, with comments (the physician who signs it)",
        ReasonSerializer,
        _example("Återsänd", {"reason": "Beskriv hur peritonit upptäcks och vem som kontaktas nattetid."}),
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_analysis(self, request: Request, id: str) -> Response:
        return self._act(request, id, ReasonSerializer, services.risk_analysis_return)
