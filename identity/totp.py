"""The authenticator apps (TOTP devices) of administrators who sign in to /admin/ with a password.

An administrator's one-time codes come from one authenticator app, enrolled on the server with
``manage.py totp_enrol <username>`` (which prints the ``otpauth://`` address once) and removed there with
``manage.py totp_remove <username>`` or by a superuser in the admin. Only staff accounts, the ones the
admin site lets in, are enrolled. Enrolling and removing are ``AdminEvent`` rows like every other change
to people's credentials (never the key).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from directory.administration import admin_event_record
from directory.models import AdminEventAction, User

DEVICE_NAME = "Autentiseringsapp"
OBJECT_TYPE = "totp_device"


class TotpEnrolmentError(Exception):
    """The account cannot get an authenticator app (not staff, not active, or it has one already)."""


def server_source(command: str) -> str:
    """The label of a change made on the server: the command, and the server account that ran it."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):  # no name for the process's user id (a container)
        account = "?"
    return f"manage.py {command} ({account})"


def device_snapshot(device: Any) -> dict[str, Any]:
    """What the record says about a device: whose it is and its name, never its key."""
    return {"user": device.user.username, "name": device.name, "confirmed": device.confirmed}


@transaction.atomic
def totp_enrol(*, user: User, source: str, replace: bool = False) -> Any:
    """A confirmed TOTP device for the staff account ``user``; its ``config_url`` is shown to them once.

    An account keeps one authenticator app: with ``replace`` the old one is removed first (a lost phone),
    without it an account that has one is refused.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_staff:
        raise TotpEnrolmentError(
            f"{user.username} is not an administrator (staff): only staff accounts sign in to /admin/ with "
            "a password and a one-time code; people sign in with SITHS."
        )
    if not user.is_active:
        raise TotpEnrolmentError(f"{user.username} is not active.")
    existing = list(TOTPDevice.objects.filter(user=user).select_related("user").order_by("pk"))
    if existing and not replace:
        raise TotpEnrolmentError(
            f"{user.username} already has an authenticator app; enrol with --replace to replace it."
        )
    for device in existing:
        totp_remove(device=device, request=None, source=source)
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    admin_event_record(
        request=None,
        action=AdminEventAction.CREATED,
        target=device,
        organisation=None,
        changes={name: [None, value] for name, value in device_snapshot(device).items()},
        object_type=OBJECT_TYPE,
        source=source,
    )
    return device


@transaction.atomic
def totp_remove(*, device: Any, request: HttpRequest | None, source: str = "") -> None:
    """Remove an authenticator app: in the admin (``request``) or on the server (``source``)."""
    admin_event_record(
        request=request,
        action=AdminEventAction.DELETED,
        target=device,
        organisation=None,
        changes={name: [value, None] for name, value in device_snapshot(device).items()},
        object_type=OBJECT_TYPE,
        source=source,
    )
    device.delete()
