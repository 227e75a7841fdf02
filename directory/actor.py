"""The acting person: a user with the memberships in force for this request.

Selectors and services take an ``Actor`` rather than a bare user, so that access rules and the access log
both know *in which organisation and role* the person acts and from which address.

In the browser a person with several memberships chooses the one to act in (kept in the session); a
person's bearer token acts in the one membership it was issued for (``directory.authentication``). An API
client may call on behalf of the person signed in to it (``X-On-Behalf-Of``, optionally narrowed by
``X-Acting-Membership``); the client's authentication resolves those headers to the memberships the call
may use and hands them over on ``request.auth`` (``integrations.delegation``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Membership, Role, User

ACTING_MEMBERSHIP_SESSION_KEY = "acting_membership"
# The person an API client acts for (their HSA-id), and optionally which of their memberships.
ON_BEHALF_OF_HEADER = "X-On-Behalf-Of"
ACTING_MEMBERSHIP_HEADER = "X-Acting-Membership"


def sends_delegation_headers(request: HttpRequest) -> bool:
    return ON_BEHALF_OF_HEADER in request.headers or ACTING_MEMBERSHIP_HEADER in request.headers


def on_behalf_of_refused_message() -> str:
    return _(
        "Only an API client can act on behalf of another person; with your own login you always act as "
        "yourself. Leave out X-On-Behalf-Of and X-Acting-Membership."
    )


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
        auth = getattr(request, "auth", None)
        # An API client's access token names the client, so the access log shows it.
        api_client = str(getattr(auth, "api_client_name", "") or "")
        delegated = getattr(auth, "delegated_memberships", None)
        if delegated is not None:
            # On behalf of a person: the client's authentication chose the memberships; the person's
            # browser session, if any, has no say in a call the client makes.
            actor = cls(
                user=user,
                memberships=tuple(delegated),
                client_address=client_address(request),
                api_client=api_client,
            )
        elif sends_delegation_headers(request):
            # The API's permissions refuse this first; here it keeps the header from being ignored anywhere.
            raise PermissionDenied(on_behalf_of_refused_message())
        elif isinstance(auth, ApiToken):
            # A person's bearer token acts in the one membership it was issued for (checked in force by
            # the authentication), never in the person's others.
            actor = cls(
                user=user,
                memberships=(auth.membership,) if auth.membership is not None else (),
                client_address=client_address(request),
            )
        else:
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
            if acting_id and acting is None:
                # The chosen membership has ended: act in none until the person chooses again (the
                # session rules lead them to the choice); never fall back to all of them.
                request.session.pop(ACTING_MEMBERSHIP_SESSION_KEY, None)
                actor = cls(
                    user=user, memberships=(), client_address=client_address(request), api_client=api_client
                )
            else:
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
