"""Input and output of the integration endpoints: OAuth2 token, webhook subscriptions and deliveries."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from integrations.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEventKind,
    WebhookSubscription,
)


class OAuthTokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    """RFC 6749 §4.4.2, form-encoded. The client may authenticate with HTTP Basic instead of the body."""

    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    client_id = serializers.CharField(required=False)
    client_secret = serializers.CharField(required=False)
    scope = serializers.CharField(
        required=False, help_text="`read` or `read write`; the client's access if left out."
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
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventKind.choices), allow_empty=False
    )


class SubscriptionUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventKind.choices), allow_empty=False, required=False
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
