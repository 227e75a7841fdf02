"""Login, logout, the lockout page and the choice of acting organisation and role.

A person with several memberships (a nurse who is also acting MAS) chooses which one they act in; the
choice is kept in the session under ``ACTING_MEMBERSHIP_SESSION_KEY`` and ``Actor.from_request`` reads
it, so every selector, service and log entry of the session knows the organisation and role.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .actor import ACTING_MEMBERSHIP_SESSION_KEY
from .forms import ActingMembershipForm, LoginForm
from .models import Membership, User

# A session signed in through the identity provider may act only in the memberships its commissions
# allow (public ids, set by ``identity.oidc`` at sign-in); a password session may act in any of its own.
COMMISSION_MEMBERSHIPS_SESSION_KEY = "identity_commission_memberships"


def active_memberships(user: User, request: HttpRequest | None = None) -> list[Membership]:
    memberships = (
        Membership.objects.active(timezone.localdate())
        .filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role", "pk")
    )
    allowed = request.session.get(COMMISSION_MEMBERSHIPS_SESSION_KEY) if request is not None else None
    if allowed is not None:
        memberships = memberships.filter(public_id__in=allowed)
    return list(memberships)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_LOGIN:
            form = self.get_form()
            form.add_error(None, _("Sign-in with a password is turned off here. Sign in with SITHS."))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_login"] = settings.PASSWORD_LOGIN
        context["oidc_enabled"] = settings.OIDC_ENABLED
        return context

    def get_success_url(self) -> str:
        # Several memberships: choose the one to act in first, then go where the person was going.
        user = self.request.user
        target = super().get_success_url()
        if isinstance(user, User) and len(active_memberships(user, self.request)) > 1:
            from django.urls import reverse
            from django.utils.http import urlencode

            return f"{reverse('acting')}?{urlencode({'next': target})}"
        return target


def locked_out(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a locked-out login: JSON for the API, a page for people (429)."""
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _(
        "Too many failed login attempts. The account is locked for %(minutes)d minutes. "
        "Try again later, or contact your system administrator."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message}}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def acting(request: HttpRequest) -> HttpResponseBase:
    """Choose the organisation and role to act in, for users with several."""
    user = request.user
    assert isinstance(user, User)
    memberships = active_memberships(user, request)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    current = request.session.get(ACTING_MEMBERSHIP_SESSION_KEY)
    form = ActingMembershipForm(
        request.POST if request.method == "POST" else None,
        memberships=memberships,
        initial={"membership": current},
    )
    if request.method == "POST" and form.is_valid():
        chosen = next(m for m in memberships if str(m.public_id) == form.cleaned_data["membership"])
        request.session[ACTING_MEMBERSHIP_SESSION_KEY] = str(chosen.public_id)
        messages.success(
            request,
            _("You now act as %(role)s in %(organisation)s.")
            % {"role": chosen.get_role_display(), "organisation": chosen.organisation.name},
        )
        return redirect(target or "home")
    return render(
        request,
        "directory/acting.html",
        {"form": form, "next": target, "memberships": memberships},
        status=400 if request.method == "POST" else 200,
    )
