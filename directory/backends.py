"""The login lockout backend: django-axes' watcher, tolerant of logins that have no request.

Only a request can be locked out (the web login form and the API's token endpoint both pass one);
``authenticate()`` called by code without a request (a management command, a script) has no client to
lock out, so it is left to the next backend instead of failing.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]
from django.http import HttpRequest


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
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[no-any-return]
