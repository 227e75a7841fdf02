from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from directory.models import Membership, Organisation, User
from hemsjukvard.limits import max_length_of

# Far above any password a person types; the bound keeps a request from making the server hash megabytes.
PASSWORD_MAX_LENGTH = 4096


class OrganisationRefSerializer(serializers.ModelSerializer[Organisation]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    region = OrganisationRefSerializer(read_only=True, allow_null=True)
    kommun = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "ownership",
            "region",
            "kommun",
            "hsa_id",
            "kommun_code",
            "is_active",
        ]


class PersonRefSerializer(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "hsa_id"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role", "valid_from", "valid_to"]


class MeSerializer(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True, source="active_memberships")

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "hsa_id", "memberships"]


class TokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    username = serializers.CharField(max_length=max_length_of(User, "username"))
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH
    )
    membership = serializers.UUIDField(
        required=False,
        help_text=_(
            "The membership (organisation and role) the token acts in, as listed by GET /api/v1/me. "
            "Needed when you have several; with one it is that one."
        ),
    )


class TokenResponseSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(help_text=_("Send as 'Authorization: Bearer <token>'."))
    token_type = serializers.CharField()
    expires_at = serializers.DateTimeField()
    membership = MembershipSerializer(
        allow_null=True, help_text=_("The organisation and role the token acts in.")
    )
