"""Agreement endpoints, and the responsibility proposal. Views parse, check policy and call services.

Every authenticated user may read agreements, versions, sections, task types and rules. Changing them
needs the ``admin`` role in the agreement's region (403 otherwise); only a draft version changes (409
otherwise); a change must name the ETag of the caller's last read in ``If-Match``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.errors import Conflict
from hemsjukvard.api.pagination import DefaultPagination, PaginatedListMixin
from hemsjukvard.api.schema import ERROR_BODY, ERROR_RESPONSES
from patients.selectors import patient_get

from .. import selectors, services
from ..engine import rules_propose_split
from ..models import (
    Agreement,
    AgreementVersion,
    CareTaskType,
    ResponsibilityRule,
    Section,
)
from ..policies import can_change_agreement, can_change_task_types, version_is_editable
from .serializers import (
    CONDITION_FIELDS,
    AgreementCreateSerializer,
    AgreementSerializer,
    AgreementVersionSerializer,
    AgreementVersionWriteSerializer,
    CareTaskTypeSerializer,
    CareTaskTypeWriteSerializer,
    ProposalRequestSerializer,
    ProposalResponseSerializer,
    ResponsibilityRuleSerializer,
    ResponsibilityRuleWriteSerializer,
    SectionSerializer,
    SectionWriteSerializer,
)

RECORD_PROPOSAL = "responsibility_proposal"

WRITE_RESPONSES = {
    **ERROR_RESPONSES,
    409: OpenApiResponse(ERROR_BODY, description="The version is not a draft and cannot change."),
}
CHANGE_RESPONSES = {
    **WRITE_RESPONSES,
    412: OpenApiResponse(ERROR_BODY, description="Changed by someone else since your read."),
    428: OpenApiResponse(ERROR_BODY, description="`If-Match` with the ETag of your read is missing."),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last read of this resource.",
)
UUID_EXAMPLE = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _uuid_param(request: Request, name: str) -> uuid.UUID | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Give an id (a UUID).")]}) from None


def _etag(instance: Model, data: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return etag_for(instance, version=digest[:16])


def _respond(
    serializer_class: type[BaseSerializer[Any]],
    instance: Model,
    *,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    data = serializer_class(instance).data
    response = Response(data, status=status_code)
    response["ETag"] = _etag(instance, data)
    return response


def _require_if_match(request: Request, serializer_class: type[BaseSerializer[Any]], instance: Model) -> None:
    require_if_match(request, _etag(instance, serializer_class(instance).data))


def _guard(actor: Actor, agreement: Agreement, version: AgreementVersion | None = None) -> None:
    """403 for a user who may not change the agreement; 409 for a version that is not a draft."""
    if not can_change_agreement(actor, agreement):
        raise exceptions.PermissionDenied(_("Only an administrator of the region may change its agreements."))
    if version is not None and not version_is_editable(version):
        raise Conflict(
            _(
                "This agreement version is no longer a draft and cannot be changed. "
                "Create a new draft version to change it."
            )
        )


def _paginated(
    request: Request, view: APIView, queryset: QuerySet[Any], serializer_class: type[BaseSerializer[Any]]
) -> Response:
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(queryset, request, view=view) or []
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


# --- Agreements ------------------------------------------------------------------------------------


@extend_schema(tags=["agreements"])
class AgreementViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List agreements",
        description="Every agreement (regional and local) with its versions. Readable by all.",
        parameters=[OpenApiParameter("region", OpenApiTypes.UUID, description="Only this region's.")],
        responses={200: AgreementSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.agreement_list(actor=Actor.from_request(request))
        region = _uuid_param(request, "region")
        if region is not None:
            queryset = queryset.filter(region__public_id=region)
        return _paginated(request, self, queryset.order_by("code", "pk"), AgreementSerializer)

    @extend_schema(summary="Read an agreement", responses={200: AgreementSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        queryset = selectors.agreement_list(actor=Actor.from_request(request))
        return _respond(AgreementSerializer, get_object_or_404(queryset, public_id=id))

    @extend_schema(
        summary="Create an agreement",
        description=(
            "A regional agreement, or a local one between one kommun and optionally one "
            "vårdcentral. Its content is added as versions. Region administrators only."
        ),
        request=AgreementCreateSerializer,
        responses={201: AgreementSerializer, **WRITE_RESPONSES},
        examples=[
            OpenApiExample(
                "Lokal överenskommelse i Varberg",
                value={
                    "code": "varberg-centrum-lokal",
                    "scope": "local",
                    "region": UUID_EXAMPLE,
                    "local_kommun": UUID_EXAMPLE,
                    "local_vardcentral": UUID_EXAMPLE,
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = AgreementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = Agreement(
            region=data["region"],
            code=data["code"],
            scope=data["scope"],
            local_kommun=data.get("local_kommun"),
            local_vardcentral=data.get("local_vardcentral"),
        )
        _guard(actor, agreement)
        services.agreement_create(actor=actor, agreement=agreement)
        created = selectors.agreement_list(actor=actor).get(pk=agreement.pk)
        return _respond(AgreementSerializer, created, status_code=status.HTTP_201_CREATED)


# --- Versions --------------------------------------------------------------------------------------


@extend_schema(tags=["agreements"])
class AgreementVersionViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    def _get(self, request: Request, id: uuid.UUID) -> AgreementVersion:
        queryset = selectors.agreement_version_list(actor=Actor.from_request(request))
        return get_object_or_404(queryset, public_id=id)

    @extend_schema(
        summary="List agreement versions",
        parameters=[
            OpenApiParameter("agreement", OpenApiTypes.UUID, description="Only this agreement's."),
            OpenApiParameter("status", str, enum=["draft", "in_force", "superseded"]),
        ],
        responses={200: AgreementVersionSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.agreement_version_list(actor=Actor.from_request(request))
        agreement = _uuid_param(request, "agreement")
        if agreement is not None:
            queryset = queryset.filter(agreement__public_id=agreement)
        if request.query_params.get("status"):
            queryset = queryset.filter(status=request.query_params["status"])
        return _paginated(request, self, queryset, AgreementVersionSerializer)

    @extend_schema(
        summary="Read an agreement version",
        description="Parties, validity, deadlines, escalation ladder and legal references.",
        responses={200: AgreementVersionSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        return _respond(AgreementVersionSerializer, self._get(request, id))

    @extend_schema(
        summary="Create a draft version",
        description=(
            "A new draft of an agreement. With `based_on`, everything that version says (sections, "
            "rules, legal references, deadlines, ladder, parties) is copied, and only `version`, "
            "`valid_from` and `title` are taken from the request. Region administrators only."
        ),
        request=AgreementVersionWriteSerializer,
        responses={201: AgreementVersionSerializer, **WRITE_RESPONSES},
        examples=[
            OpenApiExample(
                "Ny version av Hallandsöverenskommelsen",
                value={
                    "based_on": UUID_EXAMPLE,
                    "version": "2026.1",
                    "valid_from": "2026-01-01",
                    "title": "Överenskommelse om hemsjukvård i Halland",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = AgreementVersionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        source: AgreementVersion | None = data.get("based_on")
        agreement: Agreement | None = source.agreement if source is not None else data.get("agreement")
        if agreement is None:
            raise exceptions.ValidationError({"agreement": [_("Name the agreement or based_on.")]})
        _guard(actor, agreement)
        if source is not None:
            version = services.agreement_version_new_draft(
                actor=actor,
                source=source,
                version=data["version"],
                valid_from=data["valid_from"],
                title=data.get("title", ""),
            )
        else:
            missing = [f for f in ("title", "kommuner", "housing_settings") if f not in data]
            if missing:
                raise exceptions.ValidationError({field: [_("This field is required.")] for field in missing})
            version = AgreementVersion(agreement=agreement)
            self._apply(version, data)
            services.agreement_version_save(actor=actor, version=version, kommuner=data["kommuner"])
        return _respond(AgreementVersionSerializer, self._get(request, version.public_id), status_code=201)

    @staticmethod
    def _apply(version: AgreementVersion, data: Mapping[str, Any]) -> None:
        for field in ("version", "title", "valid_from", "valid_to", "threshold_section"):
            if field in data:
                setattr(version, field, data[field])
        if "housing_settings" in data:
            version.covered_housing_settings = list(data["housing_settings"])
        for field, value in (data.get("deadlines") or {}).items():
            setattr(version, field, value)

    @extend_schema(
        summary="Change a draft version",
        parameters=[IF_MATCH],
        request=AgreementVersionWriteSerializer,
        responses={200: AgreementVersionSerializer, **CHANGE_RESPONSES},
        examples=[
            OpenApiExample(
                "Ny giltighetstid",
                value={"title": "Överenskommelse om hemsjukvård i Halland 2027", "valid_from": "2027-01-01"},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        version = self._get(request, id)
        _guard(actor, version.agreement, version)
        _require_if_match(request, AgreementVersionSerializer, version)
        serializer = AgreementVersionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "based_on" in data or ("agreement" in data and data["agreement"] != version.agreement):
            raise exceptions.ValidationError(
                {"agreement": [_("A version cannot move to another agreement.")]}
            )
        self._apply(version, data)
        services.agreement_version_save(actor=actor, version=version, kommuner=data.get("kommuner"))
        return _respond(AgreementVersionSerializer, self._get(request, id))

    @extend_schema(
        summary="Put a draft version in force",
        description=(
            "The version in force before it becomes superseded from this version's start date; "
            "neither is otherwise changed. Every rule is checked against the law's hard rules again."
        ),
        request=None,
        parameters=[IF_MATCH],
        responses={200: AgreementVersionSerializer, **CHANGE_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="put-in-force")
    def put_in_force(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        version = self._get(request, id)
        _guard(actor, version.agreement, version)
        _require_if_match(request, AgreementVersionSerializer, version)
        services.agreement_version_put_in_force(actor=actor, version=version)
        return _respond(AgreementVersionSerializer, self._get(request, id))


# --- Parts of a draft version: sections and rules ----------------------------------------------------


class _DraftPartViewSet(PaginatedListMixin, viewsets.ViewSet):
    """Sections and rules are parts of a draft agreement version and are written the same way: only to a
    draft, by the region's administrators, with the ETag of the last read; a part never moves to another
    version. Subclasses name the model, serializers and services; their actions carry the schema."""

    lookup_field = "id"
    lookup_value_converter = "uuid"
    part_model: type[Section] | type[ResponsibilityRule]
    part_name: str  # the keyword its services take the part by
    read_serializer: type[BaseSerializer[Any]]
    write_serializer: type[BaseSerializer[Any]]
    list_selector: Callable[..., QuerySet[Any]]
    save_service: Callable[..., Any]
    delete_service: Callable[..., Any]
    moved_message: Any

    def _get(self, request: Request, id: uuid.UUID) -> Any:
        return get_object_or_404(self.list_selector(actor=Actor.from_request(request)), public_id=id)

    @staticmethod
    def _apply(part: Any, data: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _create_part(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = self.write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version: AgreementVersion | None = data.get("version")
        if version is None:
            raise exceptions.ValidationError({"version": [_("This field is required.")]})
        _guard(actor, version.agreement, version)
        part = self.part_model(version=version)
        self._apply(part, data)
        self.save_service(actor=actor, **{self.part_name: part})
        return _respond(self.read_serializer, self._get(request, part.public_id), status_code=201)

    def _update_part(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        part = self._get(request, id)
        _guard(actor, part.version.agreement, part.version)
        _require_if_match(request, self.read_serializer, part)
        serializer = self.write_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data.get("version", part.version) != part.version:
            raise exceptions.ValidationError({"version": [str(self.moved_message)]})
        self._apply(part, serializer.validated_data)
        self.save_service(actor=actor, **{self.part_name: part})
        return _respond(self.read_serializer, self._get(request, id))

    def _destroy_part(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        part = self._get(request, id)
        _guard(actor, part.version.agreement, part.version)
        _require_if_match(request, self.read_serializer, part)
        self.delete_service(actor=actor, **{self.part_name: part})
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Sections --------------------------------------------------------------------------------------


@extend_schema(tags=["agreements"])
class SectionViewSet(_DraftPartViewSet):
    part_model = Section
    part_name = "section"
    read_serializer = SectionSerializer
    write_serializer = SectionWriteSerializer
    list_selector = staticmethod(selectors.section_list)
    save_service = staticmethod(services.section_save)
    delete_service = staticmethod(services.section_delete)
    moved_message = gettext_lazy("A section cannot move to another version.")

    @extend_schema(
        summary="List agreement sections",
        parameters=[OpenApiParameter("version", OpenApiTypes.UUID, description="Only this version's.")],
        responses={200: SectionSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.section_list(actor=Actor.from_request(request))
        version = _uuid_param(request, "version")
        if version is not None:
            queryset = queryset.filter(version__public_id=version)
        return _paginated(request, self, queryset, SectionSerializer)

    @extend_schema(summary="Read a section", responses={200: SectionSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        return _respond(SectionSerializer, self._get(request, id))

    @extend_schema(
        summary="Add a section to a draft version",
        request=SectionWriteSerializer,
        responses={201: SectionSerializer, **WRITE_RESPONSES},
        examples=[
            OpenApiExample(
                "Avsnitt om peritonealdialys",
                value={
                    "version": UUID_EXAMPLE,
                    "number": "6.1",
                    "heading": "Peritonealdialys (PD)",
                    "text": "Njurmedicin ordinerar och har ett aktivt behandlingsansvar.",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        return self._create_part(request)

    @staticmethod
    def _apply(section: Section, data: Mapping[str, Any]) -> None:
        for field in ("number", "heading", "text", "position"):
            if field in data:
                setattr(section, field, data[field])

    @extend_schema(
        summary="Change a section of a draft version",
        parameters=[IF_MATCH],
        request=SectionWriteSerializer,
        responses={200: SectionSerializer, **CHANGE_RESPONSES},
        examples=[
            OpenApiExample(
                "Ändrad rubrik",
                value={
                    "heading": "Läkarmedverkan i hemsjukvården",
                    "text": "Vårdcentralen svarar för läkarinsatser.",
                },
                request_only=True,
            )
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        return self._update_part(request, id)

    @extend_schema(
        summary="Delete a section of a draft version",
        parameters=[IF_MATCH],
        responses={204: None, **CHANGE_RESPONSES},
    )
    def destroy(self, request: Request, id: uuid.UUID) -> Response:
        return self._destroy_part(request, id)


# --- Task types ------------------------------------------------------------------------------------


@extend_schema(tags=["agreements"])
class CareTaskTypeViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="List care task types",
        description="The catalogue of care tasks (insatstyper) that rules and cases name.",
        parameters=[
            OpenApiParameter("kind", str, enum=["nursing", "rehab", "physician", "specialised"]),
            OpenApiParameter("code", str, description="Only the task type with this code."),
        ],
        responses={200: CareTaskTypeSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.care_task_type_list(actor=Actor.from_request(request))
        for name in ("kind", "code"):
            if request.query_params.get(name):
                queryset = queryset.filter(**{name: request.query_params[name]})
        return _paginated(request, self, queryset, CareTaskTypeSerializer)

    @extend_schema(
        summary="Read a care task type", responses={200: CareTaskTypeSerializer, **ERROR_RESPONSES}
    )
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        queryset = selectors.care_task_type_list(actor=Actor.from_request(request))
        return _respond(CareTaskTypeSerializer, get_object_or_404(queryset, public_id=id))

    def _require(self, actor: Actor) -> None:
        if not can_change_task_types(actor):
            raise exceptions.PermissionDenied(_("Only a region administrator may change the task catalogue."))

    @extend_schema(
        summary="Add a care task type",
        description="Region administrators only.",
        request=CareTaskTypeWriteSerializer,
        responses={201: CareTaskTypeSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Peritonealdialys",
                value={
                    "code": "peritoneal_dialysis",
                    "name_sv": "Peritonealdialys (PD)",
                    "name_en": "Peritoneal dialysis (PD)",
                    "kind": "specialised",
                    "care_level": "specialised",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        self._require(actor)
        serializer = CareTaskTypeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_type = CareTaskType(**serializer.validated_data)
        services.care_task_type_save(actor=actor, task_type=task_type)
        return _respond(CareTaskTypeSerializer, task_type, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a care task type",
        description=(
            "Region administrators only. Turning a task into a physician task is refused while a "
            "rule gives it to a kommun."
        ),
        parameters=[IF_MATCH],
        request=CareTaskTypeWriteSerializer,
        responses={200: CareTaskTypeSerializer, **CHANGE_RESPONSES},
        examples=[
            OpenApiExample(
                "Rättat namn",
                value={
                    "name_sv": "Peritonealdialys (PD) i hemmet",
                    "name_en": "Peritoneal dialysis (PD) at home",
                },
                request_only=True,
            )
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        self._require(actor)
        task_type = get_object_or_404(CareTaskType, public_id=id)
        _require_if_match(request, CareTaskTypeSerializer, task_type)
        serializer = CareTaskTypeWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for field, value in serializer.validated_data.items():
            setattr(task_type, field, value)
        services.care_task_type_save(actor=actor, task_type=task_type)
        return _respond(CareTaskTypeSerializer, task_type)


# --- Rules -----------------------------------------------------------------------------------------

RULE_EXAMPLE = {
    "version": UUID_EXAMPLE,
    "task_type": "peritoneal_dialysis",
    "housing_setting": "",
    "enrolment_requirement": "any",
    "orders": {"party": "case_specialist_clinic", "organisation": UUID_EXAMPLE},
    "performs": {"party": "enrolment_kommun", "organisation": None},
    "follows_up": {"party": "case_specialist_clinic", "organisation": UUID_EXAMPLE},
    "conditions": {
        "risk_analysis_required": True,
        "approver_role": "mas",
        "specialist_active_role_required": True,
        "training_required": True,
        "contact_24_7_required": True,
        "max_duration_days": 180,
        "note": "Njurmedicin har ett aktivt behandlingsansvar.",
    },
    "section": UUID_EXAMPLE,
}


@extend_schema(tags=["agreements"])
class ResponsibilityRuleViewSet(_DraftPartViewSet):
    part_model = ResponsibilityRule
    part_name = "rule"
    read_serializer = ResponsibilityRuleSerializer
    write_serializer = ResponsibilityRuleWriteSerializer
    list_selector = staticmethod(selectors.responsibility_rule_list)
    save_service = staticmethod(services.rule_save)
    delete_service = staticmethod(services.rule_delete)
    moved_message = gettext_lazy("A rule cannot move to another version.")

    @extend_schema(
        summary="List responsibility rules",
        description="Who orders, performs and follows up each task, per agreement version.",
        parameters=[
            OpenApiParameter("version", OpenApiTypes.UUID, description="Only this version's rules."),
            OpenApiParameter("task_type", str, description="Only rules for this task code."),
        ],
        responses={200: ResponsibilityRuleSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = selectors.responsibility_rule_list(actor=Actor.from_request(request))
        version = _uuid_param(request, "version")
        if version is not None:
            queryset = queryset.filter(version__public_id=version)
        if request.query_params.get("task_type"):
            queryset = queryset.filter(task_type__code=request.query_params["task_type"])
        return _paginated(request, self, queryset, ResponsibilityRuleSerializer)

    @extend_schema(
        summary="Read a responsibility rule",
        responses={200: ResponsibilityRuleSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        return _respond(ResponsibilityRuleSerializer, self._get(request, id))

    @staticmethod
    def _apply(rule: ResponsibilityRule, data: Mapping[str, Any]) -> None:
        for field in ("task_type", "housing_setting", "enrolment_requirement", "section"):
            if field in data:
                setattr(rule, field, data[field])
        for role in ("orders", "performs", "follows_up"):
            if role in data:
                setattr(rule, f"{role}_party", data[role]["party"])
                organisation: Organisation | None = data[role].get("organisation")
                setattr(rule, f"{role}_organisation", organisation)
        for field in CONDITION_FIELDS:
            if field in (data.get("conditions") or {}):
                value = data["conditions"][field]
                setattr(rule, field, value)

    @extend_schema(
        summary="Add a rule to a draft version",
        description=(
            "Region administrators only. A rule that breaks the law's hard rules is refused: a "
            "physician task is never the kommun's, and a patient in an ordinary home without an "
            "enrolment is the vårdcentral's (tröskelprincipen)."
        ),
        request=ResponsibilityRuleWriteSerializer,
        responses={201: ResponsibilityRuleSerializer, **WRITE_RESPONSES},
        examples=[OpenApiExample("Peritonealdialys", value=RULE_EXAMPLE, request_only=True)],
    )
    def create(self, request: Request) -> Response:
        return self._create_part(request)

    @extend_schema(
        summary="Change a rule of a draft version",
        parameters=[IF_MATCH],
        request=ResponsibilityRuleWriteSerializer,
        responses={200: ResponsibilityRuleSerializer, **CHANGE_RESPONSES},
        examples=[
            OpenApiExample("Boendeform säbo", value={"housing_setting": "special_housing"}, request_only=True)
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        return self._update_part(request, id)

    @extend_schema(
        summary="Delete a rule of a draft version",
        parameters=[IF_MATCH],
        responses={204: None, **CHANGE_RESPONSES},
    )
    def destroy(self, request: Request, id: uuid.UUID) -> Response:
        return self._destroy_part(request, id)


# --- Proposals -------------------------------------------------------------------------------------

PROPOSAL_RESPONSE_EXAMPLE = {
    "patient": UUID_EXAMPLE,
    "on": "2025-06-02",
    "tasks": [
        {
            "task_type": {
                "id": UUID_EXAMPLE,
                "code": "peritoneal_dialysis",
                "name_sv": "Peritonealdialys (PD)",
                "name_en": "Peritoneal dialysis (PD)",
                "kind": "specialised",
                "care_level": "specialised",
            },
            "status": "proposed",
            "reason": "",
            "message": "Överenskommelse om hemsjukvård i Halland 2025.1 § 6.1 Peritonealdialys (PD)",
            "basis": "agreement_rule",
            "orders": {
                "party": "case_specialist_clinic",
                "organisation": {
                    "id": UUID_EXAMPLE,
                    "name": "Njurmedicin Halland",
                    "kind": "specialist_clinic",
                },
                "problem": "",
            },
            "performs": {
                "party": "enrolment_kommun",
                "organisation": {"id": UUID_EXAMPLE, "name": "Varbergs kommun", "kind": "kommun"},
                "problem": "",
            },
            "follows_up": {
                "party": "case_specialist_clinic",
                "organisation": {
                    "id": UUID_EXAMPLE,
                    "name": "Njurmedicin Halland",
                    "kind": "specialist_clinic",
                },
                "problem": "",
            },
            "conditions": {
                "risk_analysis_required": True,
                "approver_role": "mas",
                "specialist_active_role_required": True,
                "training_required": True,
                "contact_24_7_required": True,
                "delegation_allowed": False,
                "max_duration_days": 180,
                "note": "",
            },
            "rule": UUID_EXAMPLE,
            "agreement": {
                "id": UUID_EXAMPLE,
                "code": "halland-hemsjukvard",
                "version_id": UUID_EXAMPLE,
                "version": "2025.1",
                "title": "Överenskommelse om hemsjukvård i Halland",
            },
            "section": {"id": UUID_EXAMPLE, "number": "6.1", "heading": "Peritonealdialys (PD)"},
            "conflicting_rules": [],
            "review_by": "2025-11-29",
        },
        {
            "task_type": {
                "id": UUID_EXAMPLE,
                "code": "insulin_injection",
                "name_sv": "Insulininjektion",
                "name_en": "Insulin injection",
                "kind": "nursing",
                "care_level": "primary",
            },
            "status": "unclear",
            "reason": "no_rule",
            "message": (
                "Överenskommelsen täcker inte patientens boendeform; en person avgör vem som ansvarar."
            ),
            "basis": "",
            "orders": None,
            "performs": None,
            "follows_up": None,
            "conditions": {
                "risk_analysis_required": False,
                "approver_role": "",
                "specialist_active_role_required": False,
                "training_required": False,
                "contact_24_7_required": False,
                "delegation_allowed": False,
                "max_duration_days": None,
                "note": "",
            },
            "rule": None,
            "agreement": None,
            "section": None,
            "conflicting_rules": [],
            "review_by": None,
        },
    ],
}


class ResponsibilityProposalView(APIView):
    """``POST /responsibility/proposals``: run the rule engine for one patient; nothing is stored."""

    @extend_schema(
        tags=["responsibility"],
        summary="Propose who is responsible for a patient's tasks",
        description=(
            "Runs the agreement's rules for the patient's situation (housing setting, enrolment, "
            "listed vårdcentral, kommun) on the given day and returns, per task, who orders, performs "
            "and follows it up, the conditions, and the rule, agreement version and section that say "
            "so - or `unclear` with the reason (`no_rule`, `conflicting_rules`, `party_unresolved`). "
            "Nothing is stored. The read of the patient is written to the access log; a patient you "
            "may not see answers 404, exactly like one that does not exist."
        ),
        request=ProposalRequestSerializer,
        responses={200: ProposalResponseSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "PD och insulin för en inskriven patient i Varberg",
                value={
                    "patient": UUID_EXAMPLE,
                    "task_codes": ["peritoneal_dialysis", "insulin_injection"],
                    "on": "2025-06-02",
                    "specialist_clinic": UUID_EXAMPLE,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Förslag", value=PROPOSAL_RESPONSE_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = ProposalRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        on = data.get("on") or timezone.localdate()
        patient = patient_get(actor=actor, public_id=data["patient"], record_type=RECORD_PROPOSAL).obj
        specialist_clinic_id = None
        if data.get("specialist_clinic"):
            region_id = patient.folkbokforing_kommun.region_id
            clinic = Organisation.objects.filter(
                public_id=data["specialist_clinic"],
                kind=OrganisationKind.SPECIALIST_CLINIC,
                region_id=region_id,
                is_active=True,
            ).first()
            if clinic is None:
                raise exceptions.ValidationError(
                    {"specialist_clinic": [_("No active specialist clinic with this id in the region.")]}
                )
            specialist_clinic_id = clinic.pk
        situation = selectors.patient_situation(patient=patient, specialist_clinic_id=specialist_clinic_id)
        inputs = selectors.responsibility_inputs_load(
            actor=actor, situation=situation, task_codes=data["task_codes"], on=on
        )
        missing = inputs.missing_codes(data["task_codes"])
        if missing:
            raise exceptions.ValidationError(
                {"task_codes": [_("Unknown task type: %(code)s.") % {"code": code} for code in missing]}
            )
        proposals = rules_propose_split(
            situation=situation,
            task_types=[inputs.task_types[code] for code in data["task_codes"]],
            rules=inputs.rules,
            on=on,
        )
        body = {"patient": patient.public_id, "on": on, "tasks": proposals}
        return Response(ProposalResponseSerializer(body).data)


__all__ = [
    "AgreementVersionViewSet",
    "AgreementViewSet",
    "CareTaskTypeViewSet",
    "ResponsibilityProposalView",
    "ResponsibilityRuleViewSet",
    "SectionViewSet",
]
