"""The refusal page of a SITHS sign-in, and logging out of both this service and the provider."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationRequestView, OIDCLogoutView

from .oidc import REFUSAL_SESSION_KEY


class SignInRequestView(OIDCAuthenticationRequestView):
    """The provider's sign-in; ``?reauth=1`` asks the person to show their card again."""

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params: dict[str, str] = dict(super().get_extra_params(request))
        if request.GET.get("reauth"):
            params.update({"prompt": "login", "max_age": "0"})
        return params


def when_configured(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The provider's routes exist only where one is configured (``OIDC_ISSUER``)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


def refused(request: HttpRequest) -> HttpResponse:
    """Why a sign-in through the identity provider gave no access, naming the HSA-ids involved."""
    refusal = request.session.pop(REFUSAL_SESSION_KEY, None) or {"reason": "invalid_token"}
    reason = refusal.get("reason")
    if reason == "unknown_person":
        message = _(
            "Your HSA-id %(person)s is not registered in hemsjukvard. Ask your system administrator to "
            "add you from the HSA catalogue."
        ) % {"person": refusal.get("person", "-")}
    elif reason == "no_membership":
        message = _(
            "None of your commissions (%(commissions)s) gives you a role here. Your HSA-id is "
            "%(person)s. Choose another commission when you sign in, or ask your system administrator "
            "to give you a role in the unit of your commission."
        ) % {"commissions": refusal.get("commissions", "-"), "person": refusal.get("person", "-")}
    elif reason == "acr":
        message = _("The sign-in was not strong enough (level %(acr)s). Sign in with your SITHS card.") % {
            "acr": refusal.get("acr", "-")
        }
    else:
        message = _("The sign-in could not be verified. Try again; if it fails again, contact support.")
    return render(request, "identity/refused.html", {"message": message}, status=403)


@require_http_methods(["POST"])
def logout(request: HttpRequest) -> HttpResponseBase:
    """Log out here, and, for a SITHS session, at the identity provider too (RP-initiated logout)."""
    view = OIDCLogoutView if settings.OIDC_ENABLED and request.session.get("oidc_id_token") else None
    response: HttpResponseBase = (view or auth_views.LogoutView).as_view()(request)
    return response
