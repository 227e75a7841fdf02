"""Input and output of the legal-basis operations on a case (``consent.services``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer

from ..models import (
    TEXT_MAX,
    SharedPart,
    SharingBlock,
    SharingObjection,
)


class SharingReasonSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class LiftSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=TEXT_MAX, help_text=_("Why it is lifted (logged)."))


class ObjectionInputSerializer(serializers.Serializer[dict[str, Any]]):
    organisation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=_("The organisation the case must not be shared with; empty or null: every other one."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class BlockInputSerializer(serializers.Serializer[dict[str, Any]]):
    part = serializers.ChoiceField(choices=SharedPart.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class ObjectionSerializer(serializers.ModelSerializer[SharingObjection]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SharingObjection
        fields = ["id", "organisation", "reason", "recorded_at", "lifted_at", "lift_reason"]


class BlockSerializer(serializers.ModelSerializer[SharingBlock]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    part = serializers.ChoiceField(choices=SharedPart.choices, read_only=True)

    class Meta:
        model = SharingBlock
        fields = ["id", "part", "reason", "recorded_at", "lifted_at", "lift_reason"]
