"""Who may record or lift a case's legal basis for sharing, an objection or a spärr.

The staff of the organisation that opened the case, in a care role, acting on it; and the MAS of the
case's kommun, who owns patient safety there. Nobody else: the other parties read under the basis, they
do not set it. Role sets are ``access.roles``.
"""

from __future__ import annotations

from access.roles import SHARING_OVERSIGHT_ROLES, SHARING_RECORDER_ROLES
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership


def sharing_membership(actor: Actor, case: ResponsibilityCase) -> Membership | None:
    """The membership through which ``actor`` records the case's basis, objections and spärrar."""
    for membership in actor.memberships:
        if (
            membership.organisation_id == case.opened_by_organisation_id
            and membership.role in SHARING_RECORDER_ROLES
        ):
            return membership
    for membership in actor.memberships:
        if membership.organisation_id == case.kommun_id and membership.role in SHARING_OVERSIGHT_ROLES:
            return membership
    return None


def can_manage_sharing(actor: Actor, case: ResponsibilityCase) -> bool:
    return sharing_membership(actor, case) is not None
