"""Reads of who handles a case, for a case already read through ``cases.selectors`` (which checked
access and logged the read): the current handler per organisation, and whom the acting person may hand
the case to."""

from __future__ import annotations

from dataclasses import dataclass, field

from access.parties import case_organisation_ids
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Organisation, Team
from directory.teams import handler_memberships, my_team_ids

from . import policies
from .models import CaseAssignment


@dataclass(frozen=True)
class HandlerRow:
    """One organisation on the case and who handles the case for it (``None``: nobody in particular)."""

    organisation: Organisation
    assignment: CaseAssignment | None


@dataclass(frozen=True)
class HandOver:
    """What the acting person may do on the case's handlers: for which organisation, to whom."""

    membership: Membership | None = None
    current: CaseAssignment | None = None
    colleagues: list[Membership] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    holds: bool = False

    @property
    def can_hand_over(self) -> bool:
        return self.membership is not None and self.holds


def current_by_organisation(case_ids: list[int]) -> dict[tuple[int, int], CaseAssignment]:
    """The current hand-over row of each (case, organisation) of ``case_ids``, in one query."""
    rows = (
        CaseAssignment.objects.for_cases(case_ids)
        .current()
        .select_related("assignee", "team", "organisation", "assigned_by")
    )
    return {(row.case_id, row.organisation_id): row for row in rows}


def case_handlers(*, case: ResponsibilityCase) -> list[HandlerRow]:
    """Every organisation the case names, with its current handler."""
    current = current_by_organisation([case.pk])
    organisations = Organisation.objects.filter(pk__in=list(case_organisation_ids(case))).order_by("name")
    return [HandlerRow(o, current.get((case.pk, o.pk))) for o in organisations]


def hand_over_choices(*, actor: Actor, case: ResponsibilityCase) -> HandOver:
    """Whom the actor may hand the case to for their organisation on it (nobody: an empty ``HandOver``)."""
    membership = policies.handing_membership(actor, case, None)
    if membership is None or not policies.is_open(case):
        return HandOver()
    current = current_by_organisation([case.pk]).get((case.pk, membership.organisation_id))
    team_ids = set(my_team_ids(actor))
    colleagues = list({m.user_id: m for m in handler_memberships(membership.organisation_id)}.values())
    teams = list(
        Team.objects.filter(organisation_id=membership.organisation_id, is_active=True).order_by("name")
    )
    return HandOver(
        membership=membership,
        current=current,
        colleagues=colleagues,
        teams=teams,
        holds=policies.holds(membership, current, team_ids),
    )
