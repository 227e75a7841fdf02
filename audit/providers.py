"""Whose staff made an access-log entry: the care providers that review the log.

Each care provider reviews the reads of its own staff, systematically, and documents it (HSLF-FS 2016:40
4 kap. 9 §). A region and a kommun are separate care providers:

* **a kommun** — its MAS and MAR review what the kommun's staff did;
* **a region** — the region together with its units (vårdcentraler, specialist clinics, mobile teams;
  ``Organisation.region`` names their huvudman). Its log reviewers (``Role.LOG_REVIEWER``, loggranskare)
  review what the staff of the region and of every one of its units did, whichever unit their
  membership is in.

An entry is the provider's when it was made through a membership in one of the provider's
organisations, or — for an attempt that was refused and so carries no organisation — when its user
held a membership there on the day of the entry. A region's staff reading a kommun's patient is the
region's to review, not the kommun's. Joint bodies are neither provider's units.

``ProviderScope`` holds the provider's organisations and the people who ever held a membership in
them, computed once per request, so each query tests the entry's own columns against constants.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from access.roles import KOMMUN_LOG_REVIEWER_ROLES, REGION_LOG_REVIEWER_ROLES
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind

REGION_UNIT_KINDS = frozenset(
    {OrganisationKind.VARDCENTRAL, OrganisationKind.SPECIALIST_CLINIC, OrganisationKind.MOBILE_TEAM}
)


def care_provider_of(organisation: Organisation) -> Organisation | None:
    """The care provider an organisation's staff act for: a kommun itself; the region for the region and
    its units; None for a joint body."""
    if organisation.kind in (OrganisationKind.KOMMUN, OrganisationKind.REGION):
        return organisation
    if organisation.kind in REGION_UNIT_KINDS:
        return organisation.region
    return None


def reviewed_provider(membership: Membership) -> Organisation | None:
    """The care provider whose log ``membership`` reviews, or None if it reviews none."""
    organisation = membership.organisation
    if organisation.kind == OrganisationKind.KOMMUN and membership.role in KOMMUN_LOG_REVIEWER_ROLES:
        return organisation
    if membership.role in REGION_LOG_REVIEWER_ROLES and (
        organisation.kind == OrganisationKind.REGION or organisation.kind in REGION_UNIT_KINDS
    ):
        return care_provider_of(organisation)
    return None


def provider_organisation_ids(provider: Organisation) -> list[int]:
    """The organisations whose staff are the provider's: the kommun; or the region and its units."""
    if provider.kind != OrganisationKind.REGION:
        return [provider.pk]
    units = Organisation.objects.filter(region_id=provider.pk, kind__in=REGION_UNIT_KINDS)
    return [provider.pk, *units.values_list("pk", flat=True)]


@dataclass(frozen=True)
class ProviderScope:
    """The provider's organisations and everyone who ever held a membership in one of them."""

    provider_id: int
    organisation_ids: tuple[int, ...]
    staff_ids: tuple[int, ...]


def provider_scope(provider: Organisation) -> ProviderScope:
    organisation_ids = tuple(provider_organisation_ids(provider))
    staff = Membership.objects.filter(organisation_id__id_in=organisation_ids).values_list(
        "user_id", flat=True
    )
    return ProviderScope(
        provider_id=provider.pk, organisation_ids=organisation_ids, staff_ids=tuple(sorted(set(staff)))
    )


def provider_entries_q(scope: ProviderScope) -> Q:
    """The definition in the module docstring, as a filter on ``AccessLogEntry``.

    The organisation test is the entry's own column against a list of constants; only a refused attempt
    (no organisation) by someone who ever held a membership with the provider is checked against the
    dates of that membership, by a correlated subquery that runs for those few entries alone.
    """
    # Membership dates against the entry's time: valid_from ≤ at, and valid_to on or after its day
    # (valid_to > at − 1 day). Days are compared in the database's time zone (UTC).
    staff_on_the_day = Membership.objects.filter(
        user_id=OuterRef("user_id"),
        organisation_id__id_in=scope.organisation_ids,
        valid_from__lte=OuterRef("at"),
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("at") - datetime.timedelta(days=1)))
    return Q(organisation_id__id_in=scope.organisation_ids) | (
        Q(organisation_id__isnull=True) & Q(user_id__id_in=scope.staff_ids) & Q(Exists(staff_on_the_day))
    )


@dataclass(frozen=True)
class ReviewContext:
    """The care provider whose log is reviewed, the reviewer's membership, and the provider's scope."""

    provider: Organisation
    membership: Membership
    scope: ProviderScope


def review_provider_get(*, actor: Actor, public_id: uuid.UUID | str | None = None) -> ReviewContext:
    """The care provider whose log ``actor`` reviews: 403 for someone who reviews no log; 404 for a
    provider they do not review. Without ``public_id``: the first they review."""
    reviewing = [(m, p) for m in actor.memberships if (p := reviewed_provider(m)) is not None]
    if not reviewing:
        raise PermissionDenied(_("Only MAS, MAR and the region's log reviewers review the access log."))
    if public_id in (None, ""):
        membership, provider = reviewing[0]
    else:
        try:
            key = uuid.UUID(str(public_id))
        except ValueError:
            raise Http404(_("No such care provider.")) from None
        found = next(((m, p) for m, p in reviewing if p.public_id == key), None)
        if found is None:
            raise Http404(_("No such care provider."))
        membership, provider = found
    return ReviewContext(provider=provider, membership=membership, scope=provider_scope(provider))


def provider_reviewer_ids(provider: Organisation, *, on: datetime.date) -> list[int]:
    """The active users who review ``provider``'s log on the day (for the sample's notice)."""
    if provider.kind == OrganisationKind.KOMMUN:
        memberships = Membership.objects.filter(organisation=provider, role__in=KOMMUN_LOG_REVIEWER_ROLES)
    else:
        memberships = Membership.objects.filter(
            organisation_id__id_in=provider_organisation_ids(provider), role__in=REGION_LOG_REVIEWER_ROLES
        )
    return sorted(set(memberships.active(on).filter(user__is_active=True).values_list("user_id", flat=True)))
