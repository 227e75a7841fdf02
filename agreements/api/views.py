"""Agreement endpoints (the responsibility proposal is in ``proposals``): views parse input and call
selectors and services.

Every authenticated user may read agreements, versions, sections, task types and rules. Changing them
needs the ``admin`` role in the agreement's region (403 otherwise); only a draft version changes (409
otherwise); a change must name the ETag of the caller's last read in ``If-Match`` (428 without it, 412
when stale). The services decide all three (``agreements.services``); a view turns the request into the
changes it asks for and never changes a stored object itself. ETags are the kernel's, from each row's
revision, as for cases and SIPs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.pagination import DefaultPagination, PaginatedListMixin
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, STATE_CONFLICT, WRITE_ERRORS

from .. import selectors, services
from ..choices import time_bands_canonical
from ..models import (
    Agreement,
    AgreementVersion,
    CareTaskType,
    ResponsibilityRule,
    Section,
)
from .serializers import (
    CONDITION_FIELDS,
    AgreementCreateSerializer,
    AgreementSerializer,
    AgreementVersionCopySerializer,
    AgreementVersionNewSerializer,
    AgreementVersionSerializer,
    AgreementVersionWriteSerializer,
    CareTaskTypeSerializer,
    CareTaskTypeWriteSerializer,
    ResponsibilityRuleSerializer,
    ResponsibilityRuleWriteSerializer,
    SectionSerializer,
    SectionWriteSerializer,
)

# Adding to a version is refused once it is in force, like changing it; no If-Match (nothing was read).
CREATE_ERRORS = {**ERROR_RESPONSES, 409: STATE_CONFLICT}
UUID_EXAMPLE = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def _uuid_param(request: Request, name: str) -> uuid.UUID | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("Give an id (a UUID).")]}) from None


_Revised = Agreement | AgreementVersion | Section | ResponsibilityRule | CareTaskType


def _etag(instance: _Revised) -> str:
    return etag_for(instance, version=instance.revision)


def _respond(
    serializer_class: type[BaseSerializer[Any]],
    instance: _Revised,
    *,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    response = Response(serializer_class(instance).data, status=status_code)
    response["ETag"] = _etag(instance)
    return response


def _expected_revision(request: Request, instance: _Revised) -> int:
    """The revision the caller read, named by its If-Match (428 without one, 412 when stale); the service
    checks it again under the row's lock."""
    require_if_match(request, _etag(instance))
    return instance.revision


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
        responses={201: AgreementSerializer, **CREATE_ERRORS},
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
        request=PolymorphicProxySerializer(
            component_name="AgreementVersionCreate",
            serializers=[AgreementVersionCopySerializer, AgreementVersionNewSerializer],
            resource_type_field_name=None,
        ),
        responses={201: AgreementVersionSerializer, **CREATE_ERRORS},
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
        # Two shapes (the schema's oneOf): a copy of a version, or a version from nothing.
        copy = isinstance(request.data, Mapping) and "based_on" in request.data
        serializer: serializers.Serializer[dict[str, Any]] = (
            AgreementVersionCopySerializer(data=request.data)
            if copy
            else AgreementVersionNewSerializer(data=request.data)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if copy:
            version = services.agreement_version_new_draft(
                actor=actor,
                source=data["based_on"],
                version=data["version"],
                valid_from=data["valid_from"],
                title=data.get("title", ""),
            )
        else:
            version = services.agreement_version_create(
                actor=actor,
                version=AgreementVersion(agreement=data["agreement"], **self._changes(data)),
                kommuner=data["kommuner"],
            )
        return _respond(AgreementVersionSerializer, self._get(request, version.public_id), status_code=201)

    @staticmethod
    def _changes(data: Mapping[str, Any]) -> dict[str, Any]:
        """The version's fields the request names, by their model names."""
        changes = {
            field: data[field]
            for field in ("version", "title", "valid_from", "valid_to", "threshold_section")
            if field in data
        }
        if "housing_settings" in data:
            changes["covered_housing_settings"] = list(data["housing_settings"])
        changes.update(data.get("deadlines") or {})
        changes.update(data.get("settings") or {})
        return changes

    @extend_schema(
        summary="Change a draft version",
        parameters=[IF_MATCH],
        request=AgreementVersionWriteSerializer,
        responses={200: AgreementVersionSerializer, **WRITE_ERRORS},
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
        expected_revision = _expected_revision(request, version)
        serializer = AgreementVersionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "based_on" in data:
            raise exceptions.ValidationError(
                {"agreement": [_("A version cannot move to another agreement.")]}
            )
        changes = self._changes(data)
        if "agreement" in data:
            changes["agreement"] = data["agreement"]
        services.agreement_version_change(
            actor=actor,
            version=version,
            changes=changes,
            kommuner=data.get("kommuner"),
            expected_revision=expected_revision,
        )
        return _respond(AgreementVersionSerializer, self._get(request, id))

    @extend_schema(
        summary="Put a draft version in force",
        description=(
            "The version in force before it becomes superseded from this version's start date; "
            "neither is otherwise changed. Every rule is checked against the law's hard rules again."
        ),
        request=None,
        parameters=[IF_MATCH],
        responses={200: AgreementVersionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="put-in-force")
    def put_in_force(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        version = self._get(request, id)
        expected_revision = _expected_revision(request, version)
        services.agreement_version_put_in_force(
            actor=actor, version=version, expected_revision=expected_revision
        )
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
    create_service: Callable[..., Any]
    change_service: Callable[..., Any]
    delete_service: Callable[..., Any]

    def _get(self, request: Request, id: uuid.UUID) -> Any:
        return get_object_or_404(self.list_selector(actor=Actor.from_request(request)), public_id=id)

    @staticmethod
    def _changes(data: Mapping[str, Any]) -> dict[str, Any]:
        """The part's fields the request names, by their model names (not its version)."""
        raise NotImplementedError

    def _create_part(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = self.write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version: AgreementVersion | None = data.get("version")
        if version is None:
            raise exceptions.ValidationError({"version": [_("This field is required.")]})
        part = self.part_model(version=version, **self._changes(data))
        created = self.create_service(actor=actor, **{self.part_name: part})
        return _respond(self.read_serializer, self._get(request, created.public_id), status_code=201)

    def _update_part(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        part = self._get(request, id)
        expected_revision = _expected_revision(request, part)
        serializer = self.write_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changes = self._changes(data)
        if "version" in data:
            changes["version"] = data["version"]  # the service refuses a move to another version
        self.change_service(
            actor=actor, **{self.part_name: part}, changes=changes, expected_revision=expected_revision
        )
        return _respond(self.read_serializer, self._get(request, id))

    def _destroy_part(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        part = self._get(request, id)
        expected_revision = _expected_revision(request, part)
        self.delete_service(actor=actor, **{self.part_name: part}, expected_revision=expected_revision)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Sections --------------------------------------------------------------------------------------


@extend_schema(tags=["agreements"])
class SectionViewSet(_DraftPartViewSet):
    part_model = Section
    part_name = "section"
    read_serializer = SectionSerializer
    write_serializer = SectionWriteSerializer
    list_selector = staticmethod(selectors.section_list)
    create_service = staticmethod(services.section_create)
    change_service = staticmethod(services.section_change)
    delete_service = staticmethod(services.section_delete)

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
        responses={201: SectionSerializer, **CREATE_ERRORS},
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
    def _changes(data: Mapping[str, Any]) -> dict[str, Any]:
        return {field: data[field] for field in ("number", "heading", "text", "position") if field in data}

    @extend_schema(
        summary="Change a section of a draft version",
        parameters=[IF_MATCH],
        request=SectionWriteSerializer,
        responses={200: SectionSerializer, **WRITE_ERRORS},
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
        responses={204: None, **WRITE_ERRORS},
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
        serializer = CareTaskTypeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_type = services.care_task_type_create(
            actor=actor, task_type=CareTaskType(**serializer.validated_data)
        )
        return _respond(CareTaskTypeSerializer, task_type, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct a care task type",
        description=(
            "Region administrators only. Turning a task into a physician task is refused while a "
            "rule gives it to a kommun."
        ),
        parameters=[IF_MATCH],
        request=CareTaskTypeWriteSerializer,
        responses={200: CareTaskTypeSerializer, **WRITE_ERRORS},
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
        queryset = selectors.care_task_type_list(actor=actor)
        task_type = get_object_or_404(queryset, public_id=id)
        expected_revision = _expected_revision(request, task_type)
        serializer = CareTaskTypeWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = services.care_task_type_change(
            actor=actor,
            task_type=task_type,
            changes=dict(serializer.validated_data),
            expected_revision=expected_revision,
        )
        return _respond(CareTaskTypeSerializer, changed)


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


ROLES = ("orders", "performs", "follows_up")


@extend_schema(tags=["agreements"])
class ResponsibilityRuleViewSet(_DraftPartViewSet):
    part_model = ResponsibilityRule
    part_name = "rule"
    read_serializer = ResponsibilityRuleSerializer
    write_serializer = ResponsibilityRuleWriteSerializer
    list_selector = staticmethod(selectors.responsibility_rule_list)
    create_service = staticmethod(services.rule_create)
    change_service = staticmethod(services.rule_change)
    delete_service = staticmethod(services.rule_delete)
    # The model's errors under the request's names: ``performs_party`` is asked for as ``performs``.
    error_field_names = {
        **{f"{role}_{part}": role for role in ROLES for part in ("party", "organisation")},
        **{field: f"conditions.{field}" for field in CONDITION_FIELDS},
    }

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
    def _changes(data: Mapping[str, Any]) -> dict[str, Any]:
        changes = {
            field: data[field]
            for field in ("task_type", "housing_setting", "enrolment_requirement", "section")
            if field in data
        }
        if "time_bands" in data:
            changes["time_bands"] = time_bands_canonical(list(data["time_bands"]))
        for role in ROLES:
            if role in data:
                changes[f"{role}_party"] = data[role]["party"]
                changes[f"{role}_organisation"] = data[role].get("organisation")
        conditions = data.get("conditions") or {}
        changes.update({field: conditions[field] for field in CONDITION_FIELDS if field in conditions})
        return changes

    @extend_schema(
        summary="Add a rule to a draft version",
        description=(
            "Region administrators only. A rule that breaks the law's hard rules is refused (a "
            "physician task is never the kommun's), and so is one that gives the kommun a part for "
            "patients in an ordinary home without an enrolment where the version applies "
            "tröskelprincipen."
        ),
        request=ResponsibilityRuleWriteSerializer,
        responses={201: ResponsibilityRuleSerializer, **CREATE_ERRORS},
        examples=[OpenApiExample("Peritonealdialys", value=RULE_EXAMPLE, request_only=True)],
    )
    def create(self, request: Request) -> Response:
        return self._create_part(request)

    @extend_schema(
        summary="Change a rule of a draft version",
        parameters=[IF_MATCH],
        request=ResponsibilityRuleWriteSerializer,
        responses={200: ResponsibilityRuleSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Boendeform säbo", value={"housing_setting": "special_housing"}, request_only=True)
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        return self._update_part(request, id)

    @extend_schema(
        summary="Delete a rule of a draft version",
        parameters=[IF_MATCH],
        responses={204: None, **WRITE_ERRORS},
    )
    def destroy(self, request: Request, id: uuid.UUID) -> Response:
        return self._destroy_part(request, id)


__all__ = [
    "AgreementVersionViewSet",
    "AgreementViewSet",
    "CareTaskTypeViewSet",
    "ResponsibilityRuleViewSet",
    "SectionViewSet",
]
