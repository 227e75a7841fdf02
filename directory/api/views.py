"""API for the acting person, organisations and bearer tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.actor import Actor
from directory.authentication import (
    BearerTokenAuthentication,
    MembershipNotFoundError,
    MembershipRequiredError,
    token_issue,
    token_revoke,
)
from directory.models import ApiToken, Membership, Organisation, User
from hemsjukvard.api.schema import ERROR_RESPONSES

from .serializers import (
    MembershipSerializer,
    MeSerializer,
    OrganisationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from .throttling import AuthTokenThrottle

MEMBERSHIP_REQUIRED = "membership_required"


def _membership_required(memberships: list[Membership]) -> Response:
    """400 ``membership_required``: the person has several memberships and must name one; the answer
    lists them (the password was right, so the person may see their own)."""
    message = _(
        "You have several roles. Say which one the token is for: send membership with one of the ids "
        "listed under memberships."
    )
    return Response(
        {
            "error": {
                "code": MEMBERSHIP_REQUIRED,
                "message": message,
                "fields": {"membership": [message]},
                "memberships": MembershipSerializer(memberships, many=True).data,
            }
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class PasswordLoginDisabled(exceptions.PermissionDenied):
    default_code = "password_login_disabled"
    default_detail = _(
        "People do not get tokens with a password here. Integrations use an API client "
        "(POST /api/v1/oauth/token), acting for the signed-in person with X-On-Behalf-Of."
    )


class TokenView(APIView):
    permission_classes = [AllowAny]
    # Not the session: a token request must not ride on a browser cookie without CSRF.
    authentication_classes = [BearerTokenAuthentication]
    throttle_classes = [AuthTokenThrottle]

    @extend_schema(
        summary="Get a bearer token",
        description=(
            "Exchange a username and password for a bearer token for API calls. The token acts in one "
            "of your memberships (organisation and role), as the browser does once you have chosen: "
            "with one membership it is that one; with several, name it in `membership`, or the answer "
            "is `400` with the code `membership_required` and your memberships under "
            "`error.memberships`. Too many failed attempts for a username, or from one address over "
            "all usernames, lock further attempts out for a while (`429`, code `locked_out`). Where "
            "people sign in with SITHS only (production), this answers `403` with the code "
            "`password_login_disabled`: integrations use an API client acting for the person."
        ),
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Sjuksköterska", value={"username": "nurse.varberg", "password": "…"}, request_only=True
            ),
            OpenApiExample(
                "Sjuksköterska som också är MAS",
                value={
                    "username": "nurse.falkenberg",
                    "password": "…",
                    "membership": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                },
                request_only=True,
            ),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        if not settings.PASSWORD_LOGIN:
            raise PasswordLoginDisabled()
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if not isinstance(user, User) or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        wanted = serializer.validated_data.get("membership")
        membership = None
        if wanted is not None:
            membership = Membership.objects.filter(user=user, public_id=wanted).first()
            if membership is None:
                raise exceptions.ValidationError({"membership": [_("You have no such membership.")]})
        try:
            raw, token = token_issue(user=user, membership=membership)
        except MembershipRequiredError as exc:
            return _membership_required(exc.memberships)
        except MembershipNotFoundError as exc:
            raise exceptions.ValidationError(
                {"membership": [_("This membership is not in force today.")]}
            ) from exc
        return Response(
            {
                "token": raw,
                "token_type": "Bearer",
                "expires_at": token.expires_at,
                "membership": MembershipSerializer(token.membership).data if token.membership else None,
            }
        )


class LogoutView(APIView):
    @extend_schema(
        summary="Revoke your bearer token",
        description=(
            "Revokes the bearer token this request is made with (from `POST /api/v1/auth/token`); it "
            "answers `401` from then on. Tokens are also revoked when your password changes and when "
            "your account is deactivated."
        ),
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked."), **ERROR_RESPONSES},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise exceptions.PermissionDenied(
                _(
                    "Only a person's bearer token from POST /api/v1/auth/token is revoked here; in the "
                    "browser, log out on the page."
                )
            )
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
