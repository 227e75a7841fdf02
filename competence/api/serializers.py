"""The registers' representations (output) and the input of each write."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agreements.api.serializers import TaskTypeRefSerializer
from agreements.models import CareTaskType
from cases.models import CaseTask
from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer
from directory.models import Organisation

from ..models import NAMES_MAX, TEXT_MAX, CompetenceTransfer, Delegation

MAX_LINKED_TASKS = 20


class CompetenceTransferSerializer(serializers.ModelSerializer[CompetenceTransfer]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task_type = TaskTypeRefSerializer(read_only=True)
    training_unit = OrganisationRefSerializer(read_only=True)
    receiving_unit = OrganisationRefSerializer(read_only=True)
    recorded_by = PersonRefSerializer(read_only=True)
    revoked_by = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CompetenceTransfer
        fields = [
            "id",
            "task_type",
            "training_unit",
            "trainers",
            "receiving_unit",
            "trained_staff",
            "trained_on",
            "valid_until",
            "note",
            "recorded_by",
            "recorded_at",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
        ]
        read_only_fields = fields


class LinkedCaseTaskSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    task_type = serializers.CharField(source="task_type.code", read_only=True)


class DelegationSerializer(serializers.ModelSerializer[Delegation]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task_type = TaskTypeRefSerializer(read_only=True)
    delegated_by = PersonRefSerializer(read_only=True)
    delegating_organisation = OrganisationRefSerializer(read_only=True)
    receiver_organisation = OrganisationRefSerializer(read_only=True)
    case_tasks = LinkedCaseTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "task_type",
            "delegated_by",
            "delegating_organisation",
            "delegating_role",
            "receiver_name",
            "receiver_title",
            "receiver_organisation",
            "decision",
            "valid_from",
            "valid_until",
            "consulted_with",
            "consulted_on",
            "consultation_note",
            "case_tasks",
            "recorded_at",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields


class _OrganisationField(serializers.SlugRelatedField[Organisation]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="public_id", queryset=Organisation.objects.filter(is_active=True), **kwargs
        )


class _TaskTypeField(serializers.SlugRelatedField[CareTaskType]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=CareTaskType.objects.all(), **kwargs)


class CompetenceTransferInputSerializer(serializers.Serializer[Any]):
    task_type = _TaskTypeField(help_text=_("The task type's code, e.g. peritoneal-dialysis."))
    training_unit = _OrganisationField(help_text=_("The id of the unit that gave the training."))
    trainers = serializers.CharField(max_length=NAMES_MAX, help_text=_("Who trained (names)."))
    receiving_unit = _OrganisationField(help_text=_("The id of the unit trained (the performing unit)."))
    trained_staff = serializers.CharField(max_length=NAMES_MAX, help_text=_("Who was trained (names)."))
    trained_on = serializers.DateField()
    valid_until = serializers.DateField()
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class ReasonInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=TEXT_MAX)


class DelegationInputSerializer(serializers.Serializer[Any]):
    task_type = _TaskTypeField()
    receiver_name = serializers.CharField(
        max_length=200, help_text=_("The named person the task is delegated to.")
    )
    receiver_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    receiver_organisation = _OrganisationField()
    decision = serializers.CharField(max_length=TEXT_MAX, help_text=_("The written delegation decision."))
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(help_text=_("At most 12 months after valid_from."))
    consulted_with = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    consulted_on = serializers.DateField(required=False, allow_null=True, default=None)
    consultation_note = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )
    case_tasks = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=MAX_LINKED_TASKS
    )


class LinkInputSerializer(serializers.Serializer[Any]):
    case_task = serializers.UUIDField()


def case_tasks_named(ids: list[Any]) -> list[CaseTask]:
    """The case tasks ``ids`` name; an unknown id is refused like an unseen one (the service checks)."""
    found = {
        t.public_id: t for t in CaseTask.objects.filter(public_id__in=ids).select_related("case", "task_type")
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise serializers.ValidationError({"case_tasks": [_("No case task %(id)s.") % {"id": missing[0]}]})
    return [found[i] for i in ids]
