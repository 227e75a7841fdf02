"""API for the acting person, organisations and bearer tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from directory.actor import Actor
from directory.authentication import BearerTokenAuthentication, token_issue
from directory.models import Organisation
from hemsjukvard.api.schema import ERROR_RESPONSES

from .serializers import (
    MeSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)


class TokenThrottle(AnonRateThrottle):
    rate = "20/min"


class TokenView(APIView):
    permission_classes = [AllowAny]
    # Not the session: a token request must not ride on a browser cookie without CSRF.
    authentication_classes = [BearerTokenAuthentication]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        summary="Get a bearer token",
        description="Exchange a username and password for a bearer token for API calls.",
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Sjuksköterska", value={"username": "nurse.varberg", "password": "…"}, request_only=True
            )
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        raw, token = token_issue(user=user)
        return Response({"token": raw, "token_type": "Bearer", "expires_at": token.expires_at})


class MeView(APIView):
    @extend_schema(
        summary="Who am I",
        description="The authenticated user and the memberships (organisation and role) in force today.",
        responses={200: MeSerializer, **ERROR_RESPONSES},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        actor.user.active_memberships = list(actor.memberships)  # type: ignore[attr-defined]
        return Response(MeSerializer(actor.user).data)


@extend_schema(tags=["organisations"])
class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Organisation]
):
    """Organisations are public directory data: every authenticated user may read them."""

    serializer_class = OrganisationSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = Organisation.objects.select_related("region", "kommun").order_by("name")
        kind = self.request.query_params.get("kind")
        if kind:
            queryset = queryset.filter(kind=kind)
        return queryset

    @extend_schema(
        summary="List organisations",
        responses={200: OrganisationSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Read an organisation", responses={200: OrganisationSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().retrieve(request, *args, **kwargs)
