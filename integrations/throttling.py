"""Rate limits per API client and per person, counted in Django's cache (Redis outside development,
so every gunicorn worker counts against the same limit). Rates are ``REST_FRAMEWORK``'s
``DEFAULT_THROTTLE_RATES``, read on each request so a changed setting takes effect at once.

If the cache cannot be reached the request is let through and the failure logged: a rate limit protects
the service, and must not itself take the API down while Redis restarts.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from directory.actor import client_address

from .authentication import client_token_of

logger = logging.getLogger(__name__)


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope or "")
        return str(rate) if rate is not None else None

    def allow_request(self, request: Request, view: Any) -> bool:
        # The rate is read per request, not once per class, so tests and operators can change it.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.exception("Rate limit not checked: the cache is unreachable")
            return True


class ApiClientRateThrottle(_SettingsRateThrottle):
    """Per API client, over all its tokens."""

    scope = "api_client"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = client_token_of(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.client_id}


class UserRateThrottle(_SettingsRateThrottle):
    """Per person (bearer token or session); API clients are counted by the class above instead."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if client_token_of(request) is not None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": user.pk}


class OAuthTokenThrottle(_SettingsRateThrottle, AnonRateThrottle):
    """Per address on the token endpoint, so client secrets cannot be guessed at speed."""

    scope = "oauth_token"

    def get_ident(self, request: Request) -> str:
        # The address the access log believes (X-Forwarded-For only from TRUSTED_PROXIES), not DRF's,
        # which takes X-Forwarded-For from anyone unless NUM_PROXIES is set.
        return client_address(request) or "unknown"
