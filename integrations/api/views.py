"""The OAuth2 token endpoint for API clients, and an API client's own webhook subscriptions."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any
from urllib.parse import unquote_plus

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hemsjukvard.api.pagination import DefaultPagination
from hemsjukvard.api.parsers import JSONParser
from hemsjukvard.api.schema import ERROR_RESPONSES
from integrations import services
from integrations.authentication import client_token_of
from integrations.models import ApiClient, WebhookDelivery, WebhookSubscription
from integrations.permissions import ClientAccessPermission, IsApiClient
from integrations.throttling import OAuthTokenThrottle

from .serializers import (
    DeliverySerializer,
    OAuthErrorSerializer,
    OAuthTokenRequestSerializer,
    OAuthTokenResponseSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionCreateSerializer,
    SubscriptionSerializer,
    SubscriptionUpdateSerializer,
)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _oauth_error(code: str, description: str, *, http_status: int = 400, basic: bool = False) -> Response:
    headers = dict(NO_STORE)
    if basic and http_status == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Basic realm="api"'
    return Response({"error": code, "error_description": description}, status=http_status, headers=headers)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from HTTP Basic (RFC 6749 §2.3.1: form-urlencoded, then base64)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return ("", "")
    return unquote_plus(client_id), unquote_plus(secret)


class OAuthTokenView(APIView):
    permission_classes = [AllowAny]
    # No session and no bearer token: the client authenticates with its id and secret only.
    authentication_classes: list[Any] = []
    throttle_classes = [OAuthTokenThrottle]
    parser_classes = [FormParser, JSONParser]

    @extend_schema(
        summary="Get an access token for an API client",
        description=(
            "OAuth2 client credentials grant (RFC 6749 §4.4). Send `grant_type=client_credentials` with "
            "`client_id` and `client_secret` (form-encoded, or HTTP Basic), optionally `scope` (`read` or "
            "`read write`, at most the client's access). The answer is a short-lived bearer token; ask for "
            "a new one when it expires. Errors use OAuth2's shape (`error`, `error_description`), not the "
            "API's."
        ),
        request={
            "application/x-www-form-urlencoded": OAuthTokenRequestSerializer,
            "application/json": OAuthTokenRequestSerializer,
        },
        responses={
            200: OAuthTokenResponseSerializer,
            400: OpenApiResponse(OAuthErrorSerializer, description="Malformed request, grant or scope."),
            401: OpenApiResponse(OAuthErrorSerializer, description="Unknown client or wrong secret."),
        },
        examples=[
            OpenApiExample(
                "Kommunens journalsystem",
                value={
                    "grant_type": "client_credentials",
                    "client_id": "hsvc_5f0c2a9e1b7d4c3a8e6f0b12",
                    "client_secret": "hsvs_…",
                    "scope": "read",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"access_token": "hsvat_…", "token_type": "Bearer", "expires_in": 900, "scope": "read"},
                response_only=True,
            ),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = request.data
        grant_type = data.get("grant_type")
        if not grant_type:
            return _oauth_error("invalid_request", _("grant_type is missing."))
        if grant_type != "client_credentials":
            return _oauth_error("unsupported_grant_type", _("Only client_credentials is supported."))
        basic = _basic_credentials(request)
        body_id, body_secret = data.get("client_id"), data.get("client_secret")
        if basic is not None and (body_id or body_secret):
            return _oauth_error("invalid_request", _("Authenticate the client one way only."))
        client_id, secret = basic if basic is not None else (body_id, body_secret)
        if not client_id or not secret or not isinstance(client_id, str) or not isinstance(secret, str):
            if basic is not None:
                return _oauth_error(
                    "invalid_client", _("Client authentication failed."), http_status=401, basic=True
                )
            return _oauth_error("invalid_request", _("client_id and client_secret are required."))
        try:
            client = services.client_authenticate(client_id=client_id, client_secret=secret)
            scope = data.get("scope")
            issued = services.client_token_issue(
                client=client, scope=scope if isinstance(scope, str) else None
            )
        except services.InvalidClientError:
            return _oauth_error(
                "invalid_client", _("Client authentication failed."), http_status=401, basic=basic is not None
            )
        except services.InvalidScopeError:
            return _oauth_error("invalid_scope", _("The scope asked for exceeds the client's access."))
        return Response(
            {
                "access_token": issued.token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            },
            headers=NO_STORE,
        )


def _client(request: Request) -> ApiClient:
    token = client_token_of(request)
    assert token is not None  # IsApiClient
    return token.client


@extend_schema(tags=["webhooks"])
class WebhookSubscriptionViewSet(viewsets.ViewSet):
    """The calling API client's own subscriptions; another client's answer 404. Creating, changing and
    ending one needs a read/write client (403 otherwise)."""

    # This list replaces the default permissions, so it names the read-only rule again.
    permission_classes = [IsApiClient, ClientAccessPermission]
    pagination_class = DefaultPagination  # lists answer in pages; this tells the schema so
    lookup_field = "id"
    lookup_value_converter = "uuid"

    def _get(self, request: Request, id: uuid.UUID) -> WebhookSubscription:
        subscription = WebhookSubscription.objects.filter(client=_client(request), public_id=id).first()
        if subscription is None:
            raise Http404(_("No webhook subscription found."))
        return subscription

    @extend_schema(
        summary="List the client's webhook subscriptions",
        responses={200: SubscriptionSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        queryset = WebhookSubscription.objects.filter(client=_client(request)).order_by("created_at", "pk")
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        if page is None:
            return Response(SubscriptionSerializer(queryset, many=True).data)
        return paginator.get_paginated_response(SubscriptionSerializer(page, many=True).data)

    @extend_schema(
        summary="Subscribe to events",
        description=(
            "Events are posted as JSON to `url` (https, on a public address: a name that resolves to a "
            "local, private or link-local address is refused, and checked again at each delivery) by a "
            "background worker, signed with "
            '`X-Hemsjukvard-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the '
            "secret>`, and retried with exponential backoff until the receiver answers 2xx. Only events "
            "about records the client may read are sent; a payload holds ids, state and a link to the "
            "record, never names or personnummer. The secret is shown in this answer only."
        ),
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionCreatedSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Följ ärenden",
                value={
                    "url": "https://journal.kommun.example.se/hooks/hemsjukvard",
                    "events": ["case.submitted", "case.agreed", "sip.finalised"],
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        serializer = SubscriptionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(client=_client(request), **serializer.validated_data)
        return Response(SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read a webhook subscription", responses={200: SubscriptionSerializer, **ERROR_RESPONSES}
    )
    def retrieve(self, request: Request, id: uuid.UUID) -> Response:
        return Response(SubscriptionSerializer(self._get(request, id)).data)

    @extend_schema(
        summary="Change a webhook subscription",
        request=SubscriptionUpdateSerializer,
        responses={200: SubscriptionSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample("Pausa leveranser", value={"is_active": False}, request_only=True),
            OpenApiExample(
                "Byt händelser",
                value={"events": ["case.agreed", "document.ready"]},
                request_only=True,
            ),
        ],
    )
    def partial_update(self, request: Request, id: uuid.UUID) -> Response:
        subscription = self._get(request, id)
        serializer = SubscriptionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_update(subscription=subscription, **serializer.validated_data)
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(summary="End a webhook subscription", responses={204: None, **ERROR_RESPONSES})
    def destroy(self, request: Request, id: uuid.UUID) -> Response:
        services.subscription_delete(subscription=self._get(request, id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Recent deliveries of a subscription",
        description="The deliveries, newest first, each with every attempt and what the receiver answered.",
        responses={200: DeliverySerializer(many=True), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, id: uuid.UUID) -> Response:
        subscription = self._get(request, id)
        queryset = (
            WebhookDelivery.objects.filter(subscription=subscription)
            .prefetch_related("attempts")
            .order_by("-created_at", "-pk")
        )
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        if page is None:
            return Response(DeliverySerializer(queryset, many=True).data)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)
