"""Session rules for people: an idle timeout, an absolute lifetime, and acting only within a commission.

HSLF-FS 2016:40 asks that an unattended session does not stay open: a session idle longer than
``SESSION_IDLE_TIMEOUT`` or older than ``SESSION_ABSOLUTE_LIFETIME`` is ended, and the person signs in
again. A session acts in one membership (organisation and role), as an API token does: with one
membership that one; with several (a nurse who is also acting MAS), the one the person chooses, and
until then pages lead to the choice and the API answers 403. A SITHS session (``identity.oidc``) chooses
only among the memberships its commissions allow. The admin site scopes by every admin membership itself
and is not held to one.
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
from directory.models import Role, User
from directory.views import COMMISSION_MEMBERSHIPS_SESSION_KEY, active_memberships

STARTED_KEY = "session_started"
LAST_SEEN_KEY = "session_last_seen"
# Writing the session on every request costs a database write; a minute's precision is enough.
_TOUCH_EVERY = 60


class SessionRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated and hasattr(request, "session"):
            answer = self._expire(request) or self._require_one_membership(request)
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

    def _require_one_membership(self, request: HttpRequest) -> HttpResponseBase | None:
        session = request.session
        acting = session.get(ACTING_MEMBERSHIP_SESSION_KEY)
        allowed = session.get(COMMISSION_MEMBERSHIPS_SESSION_KEY)
        if acting and (allowed is None or acting in allowed):
            return None  # Actor.from_request checks that it is still the person's and active
        user = request.user
        assert isinstance(user, User)
        memberships = active_memberships(user, request)
        if len(memberships) == 1:
            session[ACTING_MEMBERSHIP_SESSION_KEY] = str(memberships[0].public_id)
            return None
        if not memberships and allowed is None:
            return None  # no role at all: every page says so, and nothing is shown
        if all(m.role == Role.ADMIN for m in memberships):
            return None  # administration only: no patient data either way, and the admin scopes itself
        free = (reverse("acting"), reverse("logout"), settings.STATIC_URL, "/oidc/", "/i18n/", "/admin/")
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
