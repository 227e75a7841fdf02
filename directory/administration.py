"""Who may administer what in /admin/, and the record of every change made there.

A superuser (made only with ``manage.py createsuperuser``) may do everything. Any other person in the
administration is an *organisation administrator*: their active ``admin`` memberships name the
organisations they administer, and they:

* see the users who hold (or held) a membership in one of those organisations, and change only those
  whose every current membership is there, who are not themselves, and who are not administrators
  (staff, superuser, or holding an ``admin`` membership): administrators are managed by a superuser;
* grant, change and remove memberships only in those organisations, never to themselves, never the
  ``admin`` role, and only to users they see;
* never set ``is_staff``, ``is_superuser``, groups or permissions, and never set anyone's password: a
  new user gets a link to their own e-mail address to choose one (``directory.forms``);
* see and revoke the API tokens of the users they may change, and see and revoke their organisations'
  API clients; creating a client or rotating its secret hands out a credential that reads patients,
  which only a superuser does.

Every change is one ``AdminEvent`` row (``admin_event_record``): who, as superuser or in which
administrator membership, which record, what changed, when, from where. The changes the system makes
itself (the HSA import, enrolling a one-time code device from the server) are rows too, with no person
and a label that names the source.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .actor import client_address
from .models import AdminEvent, ApiToken, Membership, Organisation, Role, User


@dataclass(frozen=True)
class AdminScope:
    """The person in the administration and what they administer (empty for a superuser: everything)."""

    user: User
    superuser: bool
    memberships: tuple[Membership, ...] = field(default=())

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(m.organisation_id for m in self.memberships)

    def administers(self, organisation_id: int | None) -> bool:
        return self.superuser or (organisation_id is not None and organisation_id in self.organisation_ids)

    def membership_for(self, organisation_id: int | None) -> Membership | None:
        for membership in self.memberships:
            if membership.organisation_id == organisation_id:
                return membership
        return None


def admin_scope(request: HttpRequest) -> AdminScope:
    """The scope of the person making ``request`` (computed once per request)."""
    cached = getattr(request, "_hemsjukvard_admin_scope", None)
    if isinstance(cached, AdminScope):
        return cached
    user = request.user
    if not isinstance(user, User) or not user.is_active or not user.is_staff:
        scope = AdminScope(user=User(), superuser=False)
    elif user.is_superuser:
        scope = AdminScope(user=user, superuser=True)
    else:
        memberships = (
            Membership.objects.active(timezone.localdate())
            .filter(user=user, role=Role.ADMIN, organisation__is_active=True)
            .select_related("organisation")
            .order_by("pk")
        )
        scope = AdminScope(user=user, superuser=False, memberships=tuple(memberships))
    request._hemsjukvard_admin_scope = scope  # type: ignore[attr-defined]
    return scope


def _current(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Memberships that have not ended (in force now, or starting later)."""
    today = timezone.localdate()
    return memberships.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))


# --- Users -----------------------------------------------------------------------------------------


def users_visible(scope: AdminScope) -> QuerySet[User]:
    users = User.objects.all()
    if scope.superuser:
        return users
    members = Membership.objects.filter(organisation_id__in=scope.organisation_ids).values("user_id")
    # An API client's service user is managed through the client, never as a person.
    return users.filter(pk__in=members, api_client__isnull=True)


def _administrators() -> QuerySet[Membership]:
    return _current(Membership.objects.filter(role=Role.ADMIN))


def users_grantable(scope: AdminScope) -> QuerySet[User]:
    """The users an organisation administrator may give a membership in their organisations."""
    users = users_visible(scope)
    if scope.superuser:
        return users
    return (
        users.exclude(pk=scope.user.pk)
        .filter(is_staff=False, is_superuser=False)
        .exclude(pk__in=_administrators().values("user_id"))
    )


def users_changeable(scope: AdminScope) -> QuerySet[User]:
    """Users whose account (name, e-mail, HSA-id, active) the administrator may change."""
    users = users_grantable(scope)
    if scope.superuser:
        return users
    elsewhere = _current(Membership.objects.exclude(organisation_id__in=scope.organisation_ids))
    return users.exclude(pk__in=elsewhere.values("user_id"))


def can_change_user(scope: AdminScope, user: User) -> bool:
    return scope.superuser or users_changeable(scope).filter(pk=user.pk).exists()


def user_organisation(scope: AdminScope, user: User) -> Organisation | None:
    """The organisation a change of ``user`` is made for: the first one the administrator holds them in."""
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("pk")
    if not scope.superuser:
        memberships = memberships.filter(organisation_id__in=scope.organisation_ids)
    first = memberships.first()
    return first.organisation if first is not None else None


# --- Memberships -----------------------------------------------------------------------------------


def memberships_visible(scope: AdminScope) -> QuerySet[Membership]:
    memberships = Membership.objects.all()
    if scope.superuser:
        return memberships
    return memberships.filter(organisation_id__in=scope.organisation_ids, user__api_client__isnull=True)


def can_change_membership(scope: AdminScope, membership: Membership) -> bool:
    if scope.superuser:
        return True
    return (
        membership.organisation_id in scope.organisation_ids
        and membership.role != Role.ADMIN
        and users_grantable(scope).filter(pk=membership.user_id).exists()
    )


def organisations_visible(scope: AdminScope) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    return organisations if scope.superuser else organisations.filter(pk__in=scope.organisation_ids)


def grantable_roles(scope: AdminScope) -> list[tuple[str, Any]]:
    """Role choices to grant: a superuser any, an organisation administrator all but ``admin``."""
    return [(value, label) for value, label in Role.choices if scope.superuser or value != Role.ADMIN]


# --- API tokens ------------------------------------------------------------------------------------


def api_tokens_visible(scope: AdminScope) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.all()
    return tokens if scope.superuser else tokens.filter(user__in=users_changeable(scope))


# --- The record of changes -------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """A value as the event stores it: text for records and dates, lists for many."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Iterable):
        return sorted(str(item) for item in value)
    return str(value)


def user_snapshot(user: User) -> dict[str, Any]:
    """What the record says about a user (never the password hash, only whether one is set)."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "hsa_id": user.hsa_id,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "has_password": user.has_usable_password(),
        "groups": jsonable(user.groups.all()) if user.pk else [],
        "user_permissions": jsonable(user.user_permissions.all()) if user.pk else [],
    }


def membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user.username,
        "organisation": membership.organisation.name,
        "role": membership.role,
        "valid_from": jsonable(membership.valid_from),
        "valid_to": jsonable(membership.valid_to),
    }


def api_token_snapshot(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.username,
        "prefix": token.prefix,
        "expires_at": jsonable(token.expires_at),
        "revoked_at": jsonable(token.revoked_at),
    }


def snapshot_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each field that differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "hsa_id": organisation.hsa_id,
        "region": organisation.region.name if organisation.region is not None else None,
        "kommun_code": organisation.kommun_code,
        "is_active": organisation.is_active,
    }


def admin_event_record(
    *,
    request: HttpRequest | None,
    action: str,
    target: models.Model,
    organisation: Organisation | None,
    changes: Mapping[str, Any],
    object_type: str | None = None,
    source: str = "",
) -> AdminEvent:
    """Record one change to people, memberships, organisations or credentials.

    Made in the administration (``request``): attributed to the person and the membership used. Made by
    the system itself, without a request (the HSA import, a server command): no person, and ``source``
    says what made it, e.g. "HSA-import hsa-2025-03-01.json".
    """
    public_id = getattr(target, "public_id", None)
    record = {
        "action": action,
        "object_type": object_type or target._meta.model_name or "",
        "object_id": str(public_id or target.pk),
        "object_label": str(target)[:200],
        "organisation": organisation,
        "changes": dict(changes),
    }
    if request is None:
        if not source:
            raise ValueError("a change made without a request names its source")
        return AdminEvent.objects.create(actor=None, actor_label=source[:200], **record)
    scope = admin_scope(request)
    user = scope.user if scope.user.pk else None
    acting = None if scope.superuser else scope.membership_for(organisation.pk if organisation else None)
    if acting is None and not scope.superuser and scope.memberships:
        acting = scope.memberships[0]
    return AdminEvent.objects.create(
        actor=user,
        actor_label=(user.display_name if user is not None else "?")[:200],
        as_superuser=scope.superuser,
        acting_membership=acting.public_id if acting is not None else None,
        acting_organisation=acting.organisation if acting is not None else None,
        acting_organisation_label=acting.organisation.name[:200] if acting is not None else "",
        client_address=client_address(request),
        **record,
    )
