"""Rate limits per API client and per person, counted in Django's cache (Redis outside development,
so every gunicorn worker counts against the same limit); the machinery, and the client address every
per-address limit counts, are ``directory.api.throttling``'s.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from directory.api.throttling import AddressRateThrottle, SettingsRateThrottle

from .authentication import client_token_of


class ApiClientRateThrottle(SettingsRateThrottle):
    """Per API client, over all its tokens."""

    scope = "api_client"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = client_token_of(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.client_id}


class UserRateThrottle(SettingsRateThrottle):
    """Per person (bearer token or session); API clients are counted by the class above instead."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if client_token_of(request) is not None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class OAuthTokenThrottle(AddressRateThrottle):
    """Per address on the token endpoint, so client secrets cannot be guessed at speed."""

    scope = "oauth_token"
