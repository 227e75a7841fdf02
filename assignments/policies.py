"""Who may hand a case over, and to whom: pure rules on what is already loaded.

- Only people of the organisation hand its part of the case over: a person in a role that handles cases
  (``directory.teams.HANDLER_ROLES``) in an organisation the case names.
- A coordinator hands over any case of the organisation. Anyone else (a nurse, a physician) takes a
  case or hands it on only while it is theirs, their team's or nobody's: a colleague's case is handed
  on by that colleague or the coordinator.
- The new handler is a person of the same organisation in a role that handles cases, or an active team
  of the organisation; a case is handed over only while it is open.
"""

from __future__ import annotations

from collections.abc import Collection

from access.parties import case_organisation_ids
from cases.models import OPEN_STATUSES, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Role
from directory.teams import HANDLER_ROLES

from .models import CaseAssignment

REASSIGN_ANY_ROLES = frozenset({Role.COORDINATOR})


def handing_membership(
    actor: Actor, case: ResponsibilityCase, organisation_id: int | None
) -> Membership | None:
    """The actor's membership in which they hand over the case for ``organisation_id`` (the one
    organisation of theirs the case names when not given); ``None`` if they may not."""
    parties = case_organisation_ids(case)
    candidates = [
        m
        for m in actor.memberships
        if m.role in HANDLER_ROLES
        and m.organisation_id in parties
        and (organisation_id is None or m.organisation_id == organisation_id)
    ]
    # A coordinator's membership first: it may do more.
    candidates.sort(key=lambda m: (m.role not in REASSIGN_ANY_ROLES, m.pk))
    return candidates[0] if candidates else None


def is_open(case: ResponsibilityCase) -> bool:
    return case.status in OPEN_STATUSES


def holds(membership: Membership, current: CaseAssignment | None, team_ids: Collection[int]) -> bool:
    """Whether the case is the acting person's to hand on: nobody's, theirs or their team's (or they
    are the organisation's coordinator)."""
    if membership.role in REASSIGN_ANY_ROLES:
        return True
    if current is None or not current.is_handled:
        return True
    if current.assignee_id is not None:
        return current.assignee_id == membership.user_id
    return current.team_id in team_ids
