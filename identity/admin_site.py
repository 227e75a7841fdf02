"""The admin site: an administrator who signs in to /admin/ with a password gives a one-time code too.

In production people sign in only with SITHS; the one password sign-in left is the administrators'
break-glass sign-in to /admin/. Where ``ADMIN_OTP_REQUIRED`` is on (production's default) it also asks
for a one-time code from an authenticator app (TOTP, django-otp; enrolled with ``manage.py totp_enrol``),
and the admin lets in only a session verified by such a code, or one signed in with SITHS, which is
two-factor already. A code is accepted once (django-otp keeps the last time step used, ``last_t``); a
refused code is logged to ``hemsjukvard.security`` and makes the next tries wait (django-otp throttles
per device, doubling the wait after each failure).
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from directory.models import User

logger = logging.getLogger("hemsjukvard.security")

# A session signed in with a SITHS card through the region's identity provider (identity.oidc).
SITHS_BACKEND = "identity.oidc.SithsBackend"


def second_factor_verified(request: HttpRequest) -> bool:
    """Whether this session's sign-in had two factors: a one-time code after the password, or SITHS."""
    if request.session.get(BACKEND_SESSION_KEY) == SITHS_BACKEND:
        return True
    is_verified = getattr(request.user, "is_verified", None)  # django_otp's OTPMiddleware
    return bool(is_verified is not None and is_verified())


class AdminLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username, password and the one-time code of the administrator's enrolled authenticator app."""

    otp_token = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the one-time code from your authenticator app."),
        "invalid_token": _("Wrong or already used one-time code. Wait for the next code and try again."),
        "n_failed_attempts": _("Too many wrong one-time codes. Wait a moment and try again."),
        "verification_not_allowed": _("A one-time code cannot be checked right now. Try again later."),
        "device_required": _(
            "No authenticator app is enrolled for this account. It is enrolled on the server with "
            "manage.py totp_enrol."
        ),
    }

    def clean(self) -> dict[str, Any]:
        cleaned_data: dict[str, Any] = super().clean()  # the password (django-axes counts failures)
        user = self.get_user()
        try:
            self.clean_otp(user)
        except forms.ValidationError as exc:
            logger.warning(
                "Admin sign-in refused: one-time code %s for %s",
                exc.code or "throttled",
                user.get_username() if user is not None else "-",
            )
            raise
        return cleaned_data

    def _chosen_device(self, user: User) -> Any:
        # The account's one authenticator app (``totp_enrol`` keeps one), locked until the code is checked,
        # so two sign-ins with the same code cannot both see it unused.
        return TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()

    def _update_form(self, user: User) -> None:
        """django-otp would render the password back into the page and list devices: neither here."""


class AdminSite(OTPAdminSite):
    """Django's admin site; with ``ADMIN_OTP_REQUIRED`` only for a session with a second factor."""

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    @property
    def login_form(self) -> type[AdminAuthenticationForm]:
        return AdminLoginForm if settings.ADMIN_OTP_REQUIRED else AdminAuthenticationForm

    @property
    def login_template(self) -> str | None:
        return "identity/admin_login.html" if settings.ADMIN_OTP_REQUIRED else None

    def has_permission(self, request: HttpRequest) -> bool:
        # Django's rule (active staff), then the second factor where it is required; not django-otp's
        # rule, which would also refuse a SITHS session and every session where the setting is off.
        if not admin.AdminSite.has_permission(self, request):
            return False
        return not settings.ADMIN_OTP_REQUIRED or second_factor_verified(request)
