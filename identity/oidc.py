"""Sign-in with SITHS through the region's OpenID Connect provider (mozilla-django-oidc).

mozilla-django-oidc runs the authorization code flow with PKCE, state and nonce, and checks the ID
token's signature against the provider's published keys. This backend adds what a Swedish care
installation needs on top:

* the token's issuer, audience and level of assurance (``acr``, SITHS two-factor) are checked against
  the settings; mozilla-django-oidc checks neither issuer nor audience;
* a person is found by HSA-id (``employeeHsaId``) among the people imported from HSA; nobody is created
  from a sign-in;
* the commission (medarbetaruppdrag) picks the membership the person acts in: a membership in the
  organisation whose HSA-id is the commission's unit, in a role the commission's purpose allows. One
  match becomes the acting membership; several are offered to choose from (``directory.views.acting``);
  none refuses the sign-in with a page that names the HSA-ids, and the refusal is logged.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY
from directory.models import Membership, User
from directory.views import COMMISSION_MEMBERSHIPS_SESSION_KEY

from .claims import SignIn, sign_in_from_claims

logger = logging.getLogger("hemsjukvard.security")

REFUSAL_SESSION_KEY = "identity_refusal"
SIGNED_IN_AT_SESSION_KEY = "identity_signed_in_at"


class SignInRefused(SuspiciousOperation):
    """A valid sign-in that gives no right to act here; the reason is kept for the refusal page."""


class SithsBackend(OIDCAuthenticationBackend):
    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            # A bad token (signature, issuer, audience, nonce, expiry) or a failed code exchange: the
            # person sees the refusal page, the log says why.
            if request is not None and REFUSAL_SESSION_KEY not in request.session:
                logger.warning("SITHS sign-in refused: invalid_token %s", type(exc).__name__)
                request.session[REFUSAL_SESSION_KEY] = {"reason": "invalid_token"}
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except jwt.PyJWTError as exc:  # expired, not yet valid, badly signed
            raise SuspiciousOperation(f"ID token refused: {type(exc).__name__}") from exc
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another audience")
        if len(audiences) > 1 and payload.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token authorised for another party")
        if settings.OIDC_ACR_VALUES and payload.get("acr") not in settings.OIDC_ACR_VALUES:
            self._refuse("acr", acr=str(payload.get("acr") or "-"))
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # The ID token is signed and carries the commission claims; userinfo may add to them.
        claims: dict[str, Any] = dict(super().get_userinfo(access_token, id_token, payload))
        return {**claims, **payload}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(sign_in_from_claims(claims).person_hsa_id)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return User.objects.filter(hsa_id=sign_in_from_claims(claims).person_hsa_id, is_active=True)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        sign_in = sign_in_from_claims(claims)
        memberships = commission_memberships(user, sign_in)
        if not memberships:
            self._refuse(
                "no_membership",
                person=sign_in.person_hsa_id,
                commissions=", ".join(f"{c.hsa_id} ({c.unit_hsa_id})" for c in sign_in.usable) or "-",
            )
        session = self.request.session
        session[COMMISSION_MEMBERSHIPS_SESSION_KEY] = [str(m.public_id) for m in memberships]
        session[SIGNED_IN_AT_SESSION_KEY] = timezone.now().isoformat()
        if len(memberships) == 1:
            session[ACTING_MEMBERSHIP_SESSION_KEY] = str(memberships[0].public_id)
        else:
            session.pop(ACTING_MEMBERSHIP_SESSION_KEY, None)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        user: User | None = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            claims = {**payload}
            self._refuse("unknown_person", person=sign_in_from_claims(claims).person_hsa_id or "-")
        return user

    def _refuse(self, reason: str, **details: str) -> None:
        logger.warning("SITHS sign-in refused: %s %s", reason, details)
        self.request.session[REFUSAL_SESSION_KEY] = {"reason": reason, **details}
        raise SignInRefused(reason)


def commission_memberships(user: User, sign_in: SignIn) -> list[Membership]:
    """The person's active memberships that one of the sign-in's commissions lets them act in."""
    units = {c.unit_hsa_id for c in sign_in.usable}
    candidates = (
        Membership.objects.active(timezone.localdate())
        .filter(user=user, organisation__is_active=True, organisation__hsa_id__in=units)
        .select_related("organisation")
        .order_by("organisation__name", "role", "pk")
    )
    return [
        m
        for m in candidates
        if any(c.unit_hsa_id == m.organisation.hsa_id and c.allows(m.role) for c in sign_in.usable)
    ]


def is_provider_callback(request: HttpRequest, credentials: Any = None) -> bool:
    """django-axes: the provider's callback is not a password attempt (see settings)."""
    return request.path.startswith("/oidc/")


def provider_logout_url(request: HttpRequest) -> str:
    """RP-initiated logout: end the provider's session too, then come back to the login page."""
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(settings.LOGOUT_REDIRECT_URL_AFTER_OIDC),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
