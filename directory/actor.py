"""The acting person: a user with the memberships in force for this request.

Selectors and services take an ``Actor`` rather than a bare user, so that access rules and the access log
both know *in which organisation and role* the person acts and from which address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from .models import Membership, Role, User

ACTING_MEMBERSHIP_SESSION_KEY = "acting_membership"


@dataclass(frozen=True)
class Actor:
    user: User
    memberships: tuple[Membership, ...]
    client_address: str | None = None
    api_client: str = ""
    _by_role: dict[str, frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_role: dict[str, set[int]] = {}
        for membership in self.memberships:
            by_role.setdefault(membership.role, set()).add(membership.organisation_id)
        self._by_role.update({role: frozenset(ids) for role, ids in by_role.items()})

    @classmethod
    def for_user(
        cls,
        user: User,
        *,
        client_address: str | None = None,
        acting: Membership | None = None,
        api_client: str = "",
    ) -> Actor:
        if acting is not None:
            memberships: Iterable[Membership] = [acting]
        else:
            memberships = (
                Membership.objects.active(timezone.localdate())
                .filter(user=user, organisation__is_active=True)
                .select_related("organisation")
                .order_by("pk")
            )
        return cls(
            user=user,
            memberships=tuple(memberships),
            client_address=client_address,
            api_client=api_client,
        )

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        cached = getattr(request, "_hemsjukvard_actor", None)
        if isinstance(cached, Actor):
            return cached
        user = request.user
        assert isinstance(user, User), "an Actor needs an authenticated user"
        acting = None
        acting_id = (
            request.session.get(ACTING_MEMBERSHIP_SESSION_KEY) if hasattr(request, "session") else None
        )
        if acting_id:
            acting = (
                Membership.objects.active(timezone.localdate())
                .filter(user=user, public_id=acting_id, organisation__is_active=True)
                .select_related("organisation")
                .first()
            )
        # An API client's access token (integrations) names the client, so the access log shows it.
        api_client = str(getattr(getattr(request, "auth", None), "api_client_name", "") or "")
        actor = cls.for_user(
            user, client_address=client_address(request), acting=acting, api_client=api_client
        )
        request._hemsjukvard_actor = actor  # type: ignore[attr-defined]
        return actor

    def organisation_ids(self, *roles: str) -> frozenset[int]:
        """Organisations where the actor holds any of ``roles`` (all care roles if none named)."""
        wanted = roles or tuple(role for role in self._by_role if role != Role.ADMIN)
        ids: set[int] = set()
        for role in wanted:
            ids |= self._by_role.get(role, frozenset())
        return frozenset(ids)

    def has_role(self, role: str, organisation_id: int | None = None) -> bool:
        ids = self._by_role.get(role, frozenset())
        return bool(ids) if organisation_id is None else organisation_id in ids

    def membership_for(self, organisation_id: int, roles: Iterable[str] | None = None) -> Membership | None:
        wanted = set(roles) if roles is not None else None
        for membership in self.memberships:
            if membership.organisation_id == organisation_id and (
                wanted is None or membership.role in wanted
            ):
                return membership
        return None


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_address(request: HttpRequest) -> str | None:
    """The address the access log records: the client, not the reverse proxy in front of the app.

    X-Forwarded-For is read from the right and believed only as far as the hops are trusted proxies
    (``TRUSTED_PROXIES``); anything further left could have been written by the client itself.
    """
    address = str(request.META.get("REMOTE_ADDR") or "")
    if address and _trusted(address):
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([hop for hop in forwarded if hop]):
            address = hop
            if not _trusted(hop):
                break
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
