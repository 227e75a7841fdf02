"""The baseline of the case-list benchmark: the same cases, written the plain DRF way (bench only).

A ``ReadOnlyModelViewSet`` with nested ``ModelSerializer``s that give the same JSON fields as
``GET /api/v1/cases``, over the same rows (the same visibility filter, status filter and order,
25 a page), and the obligations any implementation has: each case shown is written to the access log
and carries ``allowed_actions``. What it does not have is the product's work on the query: no
``select_related``/``prefetch_related`` (each nested object is its own query), the facts behind
``allowed_actions`` read per case, and one access-log INSERT per case. Mounted only by
``bench.urls_bench``; it is not part of the product.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from access.cases import granting_membership, visible_cases_q
from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from cases.models import CaseTask, ResponsibilityCase
from cases.policies import allowed_actions
from cases.selectors import case_facts
from directory.actor import Actor
from directory.models import Organisation, User
from hemsjukvard.api.pagination import DefaultPagination


class PlainOrganisationSerializer(serializers.ModelSerializer[Organisation]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class PlainPersonSerializer(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "hsa_id"]


class PlainTaskSerializer(serializers.ModelSerializer[CaseTask]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task_type = serializers.CharField(source="task_type.code", read_only=True)
    task_type_name = serializers.CharField(source="task_type.name_sv", read_only=True)
    agreed_orders = PlainOrganisationSerializer(read_only=True, allow_null=True)
    agreed_performs = PlainOrganisationSerializer(read_only=True, allow_null=True)
    agreed_follows_up = PlainOrganisationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseTask
        fields = [
            "id",
            "task_type",
            "task_type_name",
            "note",
            "proposal_status",
            "proposal",
            "requires_risk_analysis",
            "approver_role",
            "specialist_active_role_required",
            "review_state",
            "agreed_orders",
            "agreed_performs",
            "agreed_follows_up",
            "agreed_basis",
            "agreed_at",
        ]


class PlainCaseSerializer(serializers.ModelSerializer[ResponsibilityCase]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    opened_by = PlainPersonSerializer(read_only=True)
    opened_by_organisation = PlainOrganisationSerializer(read_only=True)
    kommun = PlainOrganisationSerializer(read_only=True)
    vardcentral = PlainOrganisationSerializer(read_only=True, allow_null=True)
    specialist_clinic = PlainOrganisationSerializer(read_only=True, allow_null=True)
    owner_organisation = PlainOrganisationSerializer(read_only=True, allow_null=True)
    escalation_body = PlainOrganisationSerializer(read_only=True, allow_null=True)
    tasks = PlainTaskSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityCase
        fields = [
            "id",
            "patient",
            "status",
            "allowed_actions",
            "trigger",
            "urgency",
            "background",
            "increased_staff_time",
            "increased_other_costs",
            "competence_needed",
            "patient_safety_risk",
            "shift_planning",
            "opened_by",
            "opened_by_organisation",
            "kommun",
            "vardcentral",
            "specialist_clinic",
            "owner_organisation",
            "owner_role",
            "due_at",
            "overdue",
            "escalation_level",
            "escalation_body",
            "closure",
            "tasks",
            "version",
            "created_at",
            "submitted_at",
            "agreed_at",
            "closed_at",
        ]

    def get_overdue(self, case: ResponsibilityCase) -> bool:
        from django.utils import timezone

        return case.is_open and case.due_at is not None and case.due_at < timezone.now()

    def get_allowed_actions(self, case: ResponsibilityCase) -> list[str]:
        return allowed_actions(self.context["actor"], case, case_facts(case))


class PlainCaseViewSet(viewsets.ReadOnlyModelViewSet[ResponsibilityCase]):
    serializer_class = PlainCaseSerializer
    pagination_class = DefaultPagination
    lookup_field = "public_id"

    def get_queryset(self) -> QuerySet[ResponsibilityCase]:
        actor = Actor.from_request(self.request)
        queryset = ResponsibilityCase.objects.filter(visible_cases_q(actor))
        status = self.request.query_params.get("status")
        if status:
            queryset = queryset.filter(status=status)
        return queryset.order_by("-created_at", "-pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "actor": Actor.from_request(self.request)}

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        actor = Actor.from_request(self.request)
        for case in page or []:
            access_log_record(
                actor=actor,
                accesses=[
                    Access(
                        patient_id=case.patient_id,
                        record_type=RECORD_CASE,
                        record_id=str(case.public_id),
                        membership=granting_membership(actor, case),
                    )
                ],
                action=Action.LIST,
            )
        return page
