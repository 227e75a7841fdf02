"""Input and output of the hand-over and team operations."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer
from directory.models import Team
from directory.teams import TEAM_MEMBERS_MAX, TEAM_NAME_MAX_LENGTH

from ..models import NOTE_MAX_LENGTH


class HandOverSerializer(serializers.Serializer[Any]):
    assignee = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The person (their id) who handles the case now.")
    )
    team = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("Or: the team (its id) that handles the case now.")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="", trim_whitespace=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("assignee") is None) == (attrs.get("team") is None):
            raise serializers.ValidationError({"assignee": [_("Name a person or a team, not both.")]})
        return attrs


class ReleaseSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default="", trim_whitespace=True
    )


class TeamMemberSerializer(serializers.Serializer[Any]):
    membership = serializers.UUIDField(read_only=True)
    person = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True, max_length=300)
    role = serializers.CharField(read_only=True, max_length=16)


class TeamSerializer(serializers.ModelSerializer[Team]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "organisation", "is_active", "members", "updated_at"]

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_members(self, team: Team) -> list[dict[str, Any]]:
        return [
            {
                "membership": str(m.public_id),
                "person": str(m.user.public_id),
                "name": m.user.display_name,
                "role": m.role,
            }
            for m in team.members.all()
        ]


class TeamWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=TEAM_NAME_MAX_LENGTH)
    members = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=TEAM_MEMBERS_MAX,
        help_text=_("The memberships (their ids) of the organisation's staff in the team."),
    )
    is_active = serializers.BooleanField(required=False, default=True)
