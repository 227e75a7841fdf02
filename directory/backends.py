"""The login lockout backend: django-axes' watcher, plus a limit per address over all usernames.

django-axes locks a username at one address after ``AXES_FAILURE_LIMIT`` failures. Trying one password on
many usernames (password spraying) never trips that, so failures are also summed per address over all
usernames, within axes' cool-off time, and the address is locked at ``AXES_ADDRESS_FAILURE_LIMIT``. The
address is the one axes records (``AXES_CLIENT_IP_CALLABLE``: ``directory.actor.client_address``, the
client behind ``TRUSTED_PROXIES``), so a client cannot escape by writing its own ``X-Forwarded-For``.
The lockout answer is axes' own (``directory.views.locked_out``), on the web login and the API alike.

Only a request can be locked out (the web login form and the API's token endpoint both pass one);
``authenticate()`` called by code without a request (a management command, a script) has no client to
lock out, so it is left to the next backend instead of failing.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
from axes.exceptions import AxesBackendPermissionDenied  # type: ignore[import-untyped]
from axes.helpers import get_cool_off  # type: ignore[import-untyped]
from axes.models import AccessAttempt  # type: ignore[import-untyped]
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from .actor import client_address


def address_failures(address: str, request: HttpRequest | None = None) -> int:
    """Failed logins from ``address`` over all usernames within the cool-off time."""
    attempts = AccessAttempt.objects.filter(ip_address=address)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gt=timezone.now() - cool_off)
    return int(attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0)


def address_locked_out(address: str | None, request: HttpRequest | None = None) -> bool:
    if address is None:
        return False
    return address_failures(address, request) >= int(settings.AXES_ADDRESS_FAILURE_LIMIT)


class LoginLockoutBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        if getattr(settings, "AXES_ENABLED", True) and address_locked_out(client_address(request), request):
            # What axes does for a locked username: its middleware turns the flag into the lockout
            # answer, and Django's authenticate() reports the refused attempt as a failure.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("Too many failed logins from this address")
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[no-any-return]
