"""Whose figures a person may see, and whether they see them from inside or outside the organisation.

Who sees what (issue 7):

* **kommun staff** (nurse, rehab, MAS, MAR, coordinator of a kommun) see their kommun's figures;
* **vårdcentral staff** (GP, coordinator of a vårdcentral) see their vårdcentral's figures;
* **region coordinators** (coordinator of the region organisation) and **governance** (members of a
  joint body) see the whole region, and may narrow it to any kommun or vårdcentral of the region;
* the **admin** role and every other role (e.g. a specialist) see no figures (403).

Inside and outside: a person views a scope *from inside* when they hold a (non-admin) membership in the
very organisation whose figures are shown — a kommun's nurse looking at that kommun, a region coordinator
looking at the whole region. Everyone else looks *from outside*. It changes no figure: groups of fewer
than five patients show as "<5" to everyone, on the page as in every export (``figures.present``); who
may see the cases behind a figure is the access rule's question (``figures.drilldown``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from access.roles import FIGURES_KOMMUN_ROLES, FIGURES_VARDCENTRAL_ROLES
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, Role


class ScopeKind:
    REGION = "region"
    KOMMUN = "kommun"
    VARDCENTRAL = "vardcentral"
    # Every case in the register: the national overview the figures are sized for. No role is given it
    # (``figure_scopes`` never offers it); the benchmarks and operators' tools build it directly.
    COUNTRY = "country"


@dataclass(frozen=True)
class FigureScope:
    kind: str
    organisation_id: int
    public_id: uuid.UUID
    name: str
    region_id: int
    inside: bool

    def cases_q(self, prefix: str = "") -> Q:
        """A filter on ``ResponsibilityCase`` (or, with ``prefix``, on a model that points at one)."""
        if self.kind == ScopeKind.KOMMUN:
            return Q(**{f"{prefix}kommun_id": self.organisation_id})
        if self.kind == ScopeKind.VARDCENTRAL:
            return Q(**{f"{prefix}vardcentral_id": self.organisation_id})
        if self.kind == ScopeKind.COUNTRY:
            return Q()
        return Q(**{f"{prefix}kommun__region_id": self.region_id})

    def facts_q(self) -> Q:
        """A filter on the rows of ``figures.facts`` (live or from the snapshot): they all carry
        ``kommun_id``, ``vardcentral_id`` and ``region_id``."""
        if self.kind == ScopeKind.KOMMUN:
            return Q(kommun_id=self.organisation_id)
        if self.kind == ScopeKind.VARDCENTRAL:
            return Q(vardcentral_id=self.organisation_id)
        if self.kind == ScopeKind.COUNTRY:
            return Q()
        return Q(region_id=self.region_id)


def _region_of(organisation: Organisation) -> int:
    return (
        organisation.pk if organisation.kind == OrganisationKind.REGION else int(organisation.region_id or 0)
    )


def scope_for(organisation: Organisation, *, inside: bool = False) -> FigureScope:
    """The figures of one region, kommun or vårdcentral, without asking who looks (for the worker)."""
    return _scope(organisation, inside_ids=frozenset({organisation.pk}) if inside else frozenset())


def _scope(organisation: Organisation, *, inside_ids: frozenset[int]) -> FigureScope:
    kind = {
        OrganisationKind.REGION: ScopeKind.REGION,
        OrganisationKind.KOMMUN: ScopeKind.KOMMUN,
        OrganisationKind.VARDCENTRAL: ScopeKind.VARDCENTRAL,
    }[OrganisationKind(organisation.kind)]
    return FigureScope(
        kind=kind,
        organisation_id=organisation.pk,
        public_id=organisation.public_id,
        name=organisation.name,
        region_id=_region_of(organisation),
        inside=organisation.pk in inside_ids,
    )


def figure_scopes(*, actor: Actor) -> list[FigureScope]:
    """Every scope ``actor`` may look at, the broadest first."""
    inside_ids = frozenset(m.organisation_id for m in actor.memberships if m.role != Role.ADMIN)
    own: dict[int, Organisation] = {}
    regions: set[int] = set()
    for membership in actor.memberships:
        organisation = membership.organisation
        kind = organisation.kind
        own_kommun = kind == OrganisationKind.KOMMUN and membership.role in FIGURES_KOMMUN_ROLES
        own_vardcentral = (
            kind == OrganisationKind.VARDCENTRAL and membership.role in FIGURES_VARDCENTRAL_ROLES
        )
        if own_kommun or own_vardcentral:
            own[organisation.pk] = organisation
        elif (kind == OrganisationKind.REGION and membership.role == Role.COORDINATOR) or (
            kind == OrganisationKind.JOINT_BODY and membership.role == Role.GOVERNANCE
        ):
            regions.add(_region_of(organisation))
    organisations: list[Organisation] = []
    if regions:
        organisations = list(
            Organisation.objects.filter(
                Q(pk__in=regions)
                | Q(
                    region_id__in=regions,
                    kind__in=[OrganisationKind.KOMMUN, OrganisationKind.VARDCENTRAL],
                    is_active=True,
                )
            )
        )
    seen = {o.pk for o in organisations}
    organisations += [o for pk, o in own.items() if pk not in seen]
    order = {OrganisationKind.REGION: 0, OrganisationKind.KOMMUN: 1, OrganisationKind.VARDCENTRAL: 2}
    organisations.sort(key=lambda o: (order.get(OrganisationKind(o.kind), 3), o.name))
    return [_scope(o, inside_ids=inside_ids) for o in organisations]


def figure_scope_get(*, actor: Actor, public_id: uuid.UUID | str | None = None) -> FigureScope:
    """The scope asked for (the broadest one when none is named).

    403 for a person who may see no figures at all; 404 for an organisation they may not look at (it
    is the same answer as for one that does not exist).
    """
    scopes = figure_scopes(actor=actor)
    if not scopes:
        raise PermissionDenied(_("Your roles give no access to figures."))
    if public_id in (None, ""):
        return scopes[0]
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No such organisation.")) from None
    for scope in scopes:
        if scope.public_id == key:
            return scope
    raise Http404(_("No such organisation."))


def country_scope() -> FigureScope:
    """Every case in the register, seen from outside (small groups suppressed). No role is offered it."""
    return FigureScope(
        kind=ScopeKind.COUNTRY,
        organisation_id=0,
        public_id=uuid.UUID(int=0),
        name=_("The whole country"),
        region_id=0,
        inside=False,
    )
