"""When a SITHS session must show the card again: before emergency access (nödåtkomst).

Emergency access opens a patient outside one's care relationships, so the person proves again that they
are at the keyboard: a sign-in older than ``EMERGENCY_REAUTHENTICATION_SECONDS`` sends them through the
identity provider with ``prompt=login`` and ``max_age=0`` first. Password sessions (the demo, development)
have no provider to ask and are not affected.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from .oidc import SIGNED_IN_AT_SESSION_KEY


def needs_reauthentication(request: HttpRequest, *, within_seconds: int | None = None) -> bool:
    """True for a SITHS session whose last sign-in is older than the limit."""
    if not settings.OIDC_ENABLED or not request.session.get("oidc_id_token"):
        return False
    limit = within_seconds if within_seconds is not None else settings.EMERGENCY_REAUTHENTICATION_SECONDS
    raw = request.session.get(SIGNED_IN_AT_SESSION_KEY)
    try:
        signed_in_at = datetime.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        signed_in_at = None
    return signed_in_at is None or timezone.now() - signed_in_at > datetime.timedelta(seconds=limit)


def reauthentication_url(request: HttpRequest) -> str:
    return (
        f"{reverse('oidc_authentication_init')}?{urlencode({'reauth': '1', 'next': request.get_full_path()})}"
    )
