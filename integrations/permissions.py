"""Read-only API clients may read and nothing else (their memberships alone would let them write).

Only an API client may name the person it acts for: a person's own token or browser session sending
``X-On-Behalf-Of`` or ``X-Acting-Membership`` is refused rather than silently acting as the sender.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from directory.actor import on_behalf_of_refused_message, sends_delegation_headers

from .authentication import client_token_of


class ClientAccessPermission(BasePermission):
    message: str | Promise = _("This API client may only read.")
    code: str | None = None

    def has_permission(self, request: Request, view: Any) -> bool:
        token = client_token_of(request)
        if token is None:
            if sends_delegation_headers(request):
                # DRF makes a permission instance per request, so the message is this request's own.
                self.message = on_behalf_of_refused_message()
                self.code = "on_behalf_of_not_allowed"
                return False
            return True
        if request.method in SAFE_METHODS:
            return True
        return not token.read_only


class IsApiClient(BasePermission):
    message = _("Only an API client (OAuth2 client credentials) can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return client_token_of(request) is not None
