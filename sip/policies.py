"""Who may change a SIP, and when. Pure functions over the actor and ``SipFacts`` (loaded by a selector).

The plan is kept by the people who give the care: the kommun's nursing staff (nurse, rehab, MAS, MAR) and
the region's staff (vårdcentral physicians, specialists, the mobile team's nurses, coordinators) of an
organisation on the plan — the organisation that keeps it, the patient's enrolment kommun and listed
vårdcentral, the parties of the case it came from, and every organisation the plan names as answering
for something. Joint-body members and administrators never edit a plan. A closed plan is read-only.

Socialtjänst's biståndshandläggare named on the plan (``access.sips.handlaggare_membership``) changes
its draft's SoL parts only: the kommun's socialtjänst insatser and what others do
(``sip.services.drafts``); the health care (HSL) insatser and the rest of the plan are the care staff's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from access.roles import SIP_KOMMUN_EDITORS, SIP_REGION_EDITORS, SIP_SOL_EDITORS
from directory.actor import Actor
from directory.models import Membership, OrganisationKind

from .models import SipStatus

REGION_SIDE_KINDS = frozenset(
    {
        OrganisationKind.REGION,
        OrganisationKind.VARDCENTRAL,
        OrganisationKind.SPECIALIST_CLINIC,
        OrganisationKind.MOBILE_TEAM,
    }
)
# Organisations that can be a principal answering for an insats or holding huvudansvar.
PRINCIPAL_KINDS = frozenset({OrganisationKind.KOMMUN, *REGION_SIDE_KINDS})


class SipAction:
    UPDATE_DRAFT = "update_draft"
    FINALISE = "finalise"
    NEW_VERSION = "new_version"
    WITHDRAW_CONSENT = "withdraw_consent"
    RECORD_FOLLOW_UP = "record_follow_up"
    RECORD_DISTRIBUTION = "record_distribution"


ALL_ACTIONS = (
    SipAction.UPDATE_DRAFT,
    SipAction.FINALISE,
    SipAction.NEW_VERSION,
    SipAction.WITHDRAW_CONSENT,
    SipAction.RECORD_FOLLOW_UP,
    SipAction.RECORD_DISTRIBUTION,
)


@dataclass(frozen=True)
class SipFacts:
    """What the rules need to know about one plan."""

    status: str
    organisation_ids: frozenset[int]
    current_is_draft: bool
    has_finalised: bool
    consent_withdrawable: bool
    handlaggare_user_id: int | None = None


def is_editor_role(membership: Membership) -> bool:
    kind = membership.organisation.kind
    if kind == OrganisationKind.KOMMUN:
        return membership.role in SIP_KOMMUN_EDITORS
    if kind in REGION_SIDE_KINDS:
        return membership.role in SIP_REGION_EDITORS
    return False


def editing_membership(actor: Actor, organisation_ids: Collection[int]) -> Membership | None:
    """The membership in which ``actor`` may edit a plan naming ``organisation_ids``, if any."""
    for membership in actor.memberships:
        if membership.organisation_id in organisation_ids and is_editor_role(membership):
            return membership
    return None


def can_create_sip(actor: Actor, organisation_ids: Collection[int]) -> Membership | None:
    """Starting a plan: the same people who may edit one, for the patient's organisations."""
    return editing_membership(actor, organisation_ids)


def action_allowed_by_status(action: str, facts: SipFacts) -> bool:
    if facts.status == SipStatus.CLOSED:
        return False
    match action:
        case SipAction.UPDATE_DRAFT | SipAction.FINALISE:
            return facts.current_is_draft
        case SipAction.NEW_VERSION | SipAction.RECORD_FOLLOW_UP:
            return not facts.current_is_draft and facts.has_finalised
        case SipAction.WITHDRAW_CONSENT:
            return facts.consent_withdrawable
        case SipAction.RECORD_DISTRIBUTION:
            return facts.has_finalised
    return False


def can(actor: Actor, action: str, facts: SipFacts) -> bool:
    return action_allowed_by_status(action, facts) and (
        editing_membership(actor, facts.organisation_ids) is not None
    )


def is_sol_editor(membership: Membership) -> bool:
    """Whether ``membership`` changes only a plan's SoL parts (socialtjänst)."""
    return membership.organisation.kind == OrganisationKind.KOMMUN and membership.role in SIP_SOL_EDITORS


# What the biståndshandläggare named on a plan may do: change the SoL parts of its draft.
SOL_EDITOR_ACTIONS = (SipAction.UPDATE_DRAFT,)


def allowed_actions(actor: Actor, facts: SipFacts) -> list[str]:
    """The actions ``actor`` may take on the plan now."""
    if editing_membership(actor, facts.organisation_ids) is None:
        named = facts.handlaggare_user_id is not None and facts.handlaggare_user_id == actor.user.pk
        if named and any(is_sol_editor(m) for m in actor.memberships):
            return [a for a in SOL_EDITOR_ACTIONS if action_allowed_by_status(a, facts)]
        return []
    return [action for action in ALL_ACTIONS if action_allowed_by_status(action, facts)]
