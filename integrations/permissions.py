"""Read-only API clients may read and nothing else (their memberships alone would let them write)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from .authentication import client_token_of


class ClientAccessPermission(BasePermission):
    message = _("This API client may only read.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = client_token_of(request)
        if token is None or request.method in SAFE_METHODS:
            return True
        return not token.read_only


class IsApiClient(BasePermission):
    message = _("Only an API client (OAuth2 client credentials) can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return client_token_of(request) is not None
