"""Session rules for people: an idle timeout, an absolute lifetime, and acting only within a commission.

HSLF-FS 2016:40 asks that an unattended session does not stay open: a session idle longer than
``SESSION_IDLE_TIMEOUT`` or older than ``SESSION_ABSOLUTE_LIFETIME`` is ended, and the person signs in
again. A SITHS session (``identity.oidc``) acts only in a membership its commissions allow; until one
is chosen, pages lead to the choice and the API answers 403.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY
from directory.views import COMMISSION_MEMBERSHIPS_SESSION_KEY

STARTED_KEY = "session_started"
LAST_SEEN_KEY = "session_last_seen"
# Writing the session on every request costs a database write; a minute's precision is enough.
_TOUCH_EVERY = 60


class SessionRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and hasattr(request, "session"):
            answer = self._expire(request) or self._require_commission_choice(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _expire(self, request: HttpRequest) -> HttpResponseBase | None:
        now = int(time.time())
        session = request.session
        started = int(session.get(STARTED_KEY) or now)
        last_seen = int(session.get(LAST_SEEN_KEY) or now)
        idle = settings.SESSION_IDLE_TIMEOUT
        if now - last_seen <= idle and now - started <= settings.SESSION_ABSOLUTE_LIFETIME:
            if STARTED_KEY not in session:
                session[STARTED_KEY] = now
            if now - last_seen >= _TOUCH_EVERY or LAST_SEEN_KEY not in session:
                session[LAST_SEEN_KEY] = now
            return None
        logout(request)
        if request.path.startswith("/api/"):
            return None  # the API answers 401/403 to the now anonymous request
        messages.info(
            request,
            _("You were signed out after %(minutes)d minutes without activity. Sign in again.")
            % {"minutes": idle // 60}
            if now - last_seen > idle
            else _("Your session has ended. Sign in again."),
        )
        return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")

    def _require_commission_choice(self, request: HttpRequest) -> HttpResponseBase | None:
        allowed = request.session.get(COMMISSION_MEMBERSHIPS_SESSION_KEY)
        if allowed is None or request.session.get(ACTING_MEMBERSHIP_SESSION_KEY) in allowed:
            return None
        free = (reverse("acting"), reverse("logout"), settings.STATIC_URL, "/oidc/", "/i18n/")
        if request.path.startswith(free):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "error": {
                        "code": "acting_membership_required",
                        "message": _("Choose the organisation and role to act in first."),
                    }
                },
                status=403,
            )
        return redirect(f"{reverse('acting')}?{urlencode({'next': request.get_full_path()})}")
