"""Rate limits counted in Django's cache, with the client address the access log believes.

Rates are ``REST_FRAMEWORK``'s ``DEFAULT_THROTTLE_RATES``, read on each request so a changed setting
takes effect at once. A limit per address counts the address ``directory.actor.client_address`` gives
(``X-Forwarded-For`` only as far as the hops are ``TRUSTED_PROXIES``), the same one django-axes and the
access log use; DRF's own ``get_ident`` believes ``X-Forwarded-For`` from anyone unless ``NUM_PROXIES`` is
set, so a client could pick a fresh address for every request.

If the cache cannot be reached the request is let through and the failure logged: a rate limit protects
the service, and must not itself take the API down while Redis restarts.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from directory.actor import client_address

logger = logging.getLogger(__name__)


class SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope or "")
        return str(rate) if rate is not None else None

    def get_ident(self, request: Request) -> str:
        return client_address(request) or "unknown"

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


class AddressRateThrottle(SettingsRateThrottle):
    """Per client address, whoever is (or is not) signed in."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthTokenThrottle(AddressRateThrottle):
    """Token requests of people per address, so passwords cannot be tried at speed."""

    scope = "auth_token"
