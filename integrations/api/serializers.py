"""Input and output of the integration endpoints: OAuth2 token, webhook subscriptions and deliveries."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from hemsjukvard.limits import at_most, max_length_of
from integrations.models import (
    ApiClient,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEventKind,
    WebhookSubscription,
)

# A secret is issued as hsvs_ and 43 characters; the scope is "read" or "read write".
CLIENT_SECRET_MAX_LENGTH = 200
SCOPE_MAX_LENGTH = 100


class OAuthTokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    """RFC 6749 §4.4.2, form-encoded. The client may authenticate with HTTP Basic instead of the body."""

    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    client_id = serializers.CharField(required=False, max_length=max_length_of(ApiClient, "client_id"))
    client_secret = serializers.CharField(required=False, max_length=CLIENT_SECRET_MAX_LENGTH)
    scope = serializers.CharField(
        required=False,
        max_length=SCOPE_MAX_LENGTH,
        help_text="`read` or `read write`; the client's access if left out.",
    )


class OAuthTokenResponseSerializer(serializers.Serializer[dict[str, Any]]):
    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the token stays valid.")
    scope = serializers.CharField()


class OAuthErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """RFC 6749 §5.2: the token endpoint answers errors in OAuth2's shape, not the API's."""

    error = serializers.ChoiceField(
        choices=[
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unsupported_grant_type",
            "invalid_scope",
        ]
    )
    error_description = serializers.CharField(required=False)


class SubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEventKind.choices))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret for `X-Hemsjukvard-Signature`. Shown here only; keep it.",
    )

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class SubscriptionCreateSerializer(serializers.Serializer[dict[str, Any]]):
    url = serializers.URLField(max_length=max_length_of(WebhookSubscription, "url"))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventKind.choices),
        allow_empty=False,
        **at_most(len(WebhookEventKind.values)),
    )


class SubscriptionUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    url = serializers.URLField(max_length=max_length_of(WebhookSubscription, "url"), required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventKind.choices),
        allow_empty=False,
        required=False,
        **at_most(len(WebhookEventKind.values)),
    )
    is_active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "response_excerpt", "error", "duration_ms"]
        read_only_fields = fields
        extra_kwargs = {
            "error": {
                "help_text": (
                    "Empty when the receiver answered. Otherwise `unreachable`: no connection, no answer "
                    "in time, or an address webhooks may not go to; the cause is not told."
                )
            }
        }


class DeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event = serializers.ChoiceField(source="kind", choices=WebhookEventKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "status",
            "payload",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "attempts",
        ]
        read_only_fields = fields
