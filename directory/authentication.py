"""Bearer tokens of people: ``Authorization: Bearer <token>`` from ``POST /api/v1/auth/token``.

A token acts in one membership (organisation and role), as a browser session does once the person has
chosen: a person with several memberships names the one the token is for. A token dies when it is
revoked (``POST /api/v1/auth/logout``), when it expires, when the person's password changes (the token
carries a marker of the password it was issued under, so every way of changing it counts: the admin,
``changepassword``, a reset), when the person is deactivated, and when its membership ends.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .models import ApiToken, Membership, User, hash_token

# Refreshing last_used_at on every call would turn every read into a write; once a minute is enough
# to see whether a token is in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class MembershipRequiredError(Exception):
    """The person has several memberships and did not say which one the token is for."""

    def __init__(self, memberships: list[Membership]) -> None:
        super().__init__("choose a membership")
        self.memberships = memberships


class MembershipNotFoundError(Exception):
    """The membership named is not one of the person's memberships in force."""


def token_memberships(user: User, *, on: datetime.date | None = None) -> list[Membership]:
    """The memberships a token may be issued for: in force today, in an active organisation."""
    return list(
        Membership.objects.active(on or timezone.localdate())
        .filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role", "pk")
    )


def password_marker(user: User) -> str:
    """Changes whenever the password changes; stored on the token, never the password itself."""
    return hashlib.sha256(f"hemsjukvard-api-token:{user.password}".encode()).hexdigest()


def token_issue(*, user: User, membership: Membership | None = None) -> tuple[str, ApiToken]:
    """Issue a token acting in ``membership``; without it, in the person's only membership (if any).

    Raises ``MembershipRequiredError`` when the person has several and none is named, and
    ``MembershipNotFoundError`` when the one named is not the person's or not in force.
    """
    choices = token_memberships(user)
    if membership is None:
        if len(choices) > 1:
            raise MembershipRequiredError(choices)
        membership = choices[0] if choices else None
    elif membership.pk not in {choice.pk for choice in choices}:
        raise MembershipNotFoundError()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        membership=membership,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        password_marker=password_marker(user),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS),
    )
    return raw, token


def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_revoke_for_user(*, user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _still_good(token: ApiToken, today: datetime.date) -> bool:
    user = token.user
    if not user.is_active:
        return False
    if not constant_time_compare(token.password_marker, password_marker(user)):
        return False
    membership = token.membership
    if membership is None:
        # Issued to a person without a membership, and good only while they still have none: a token
        # whose membership was deleted must not start acting in another.
        return not token_memberships(user, on=today)
    return membership.is_active_on(today) and membership.organisation.is_active


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            raw = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user", "membership__organisation")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        if not _still_good(token, timezone.localdate(now)):
            # Revoked for good: a password changed back, or a person or membership reactivated, does not
            # bring the token back.
            token_revoke(token=token)
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


@receiver(post_save, sender=User, dispatch_uid="directory.revoke_tokens_of_deactivated_person")
def _revoke_tokens_of_deactivated_person(sender: type[User], instance: User, **kwargs: Any) -> None:
    """A deactivated person's tokens are revoked at once, however the person was deactivated (the admin,
    a script), so that reactivating them later does not bring old tokens back."""
    if not instance.is_active:
        tokens_revoke_for_user(user=instance)
