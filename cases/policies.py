"""Who may take which action on a case now: the transition table applied to one person and one case.

Pure functions over the actor, the case and ``CaseFacts`` (what the table's guards need to know and a
selector loads): no queries here, so the API's ``allowed_actions`` and the services agree by
construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from directory.actor import Actor
from directory.models import Membership, Role

from .governance import LevelFacts, level_allows
from .models import CaseStatus, ResponsibilityCase
from .transitions import TRANSITIONS, A, Party, Transition


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need beyond the case row.

    ``approvals_needed`` maps each approval the risk analysis needs (``mas``/``mar``) to the role that
    gives it (``mas`` stands in for a vacant ``mar``); ``approvals_given`` are those already recorded on
    the current version. ``informs_mas`` says the analysis covers a task the agreement asks nobody to
    approve, and has the kommun's MAS informed of instead (``ApproverRole.INFORMED``); such a task adds
    nothing to ``approvals_needed``, so where every task is of that kind signing completes the analysis.
    """

    approvals_needed: Mapping[str, str] = field(default_factory=dict)
    approvals_given: frozenset[str] = frozenset()
    specialist_must_sign: bool = False
    # The one party whose physician signs (or returns) the risk analysis: the party that orders the
    # tasks it covers, the specialist clinic where a task needs the specialist's active role
    # (``Party.CLINIC`` or ``Party.VARDCENTRAL``; empty where no task needs an analysis).
    signer_party: str = ""
    informs_mas: bool = False
    # The people who wrote or signed the current analysis while it waits for approval (four eyes).
    analysis_hands: frozenset[int] = frozenset()
    # What has happened at the current escalation level (``cases.governance``); ``None`` unless escalated.
    level: LevelFacts | None = None
    # In review: the organisations that still have an unanswered task (``task_parties``).
    answering: frozenset[int] = frozenset()
    # In review: of those, the organisations whose acceptance a task still needs (``TaskParties.awaited``).
    awaited: frozenset[int] = frozenset()
    # The current risk analysis was rejected by MAS/MAR (the kommun may dispute instead of rewriting).
    analysis_rejected: bool = False

    @property
    def approvals_pending(self) -> dict[str, str]:
        return {need: by for need, by in self.approvals_needed.items() if need not in self.approvals_given}


@dataclass(frozen=True)
class TaskParties:
    """Who answers for one task in review.

    ``may_answer``: every organisation the proposal makes responsible for the task (orders, performs or
    follows up); ``awaited``: those whose acceptance the task needs before it is agreed.
    """

    may_answer: frozenset[int]
    awaited: frozenset[int]


def reviewer_roles(
    organisation_id: int, *, kommun_id: int, vardcentral_id: int | None, clinic_id: int | None
) -> frozenset[str]:
    """Who answers for a task in an organisation: the kommun's nurses, the vårdcentral's GPs, the
    clinic's specialists, and in any other (a mobile team) its specialists and nurses."""
    if organisation_id == kommun_id:
        return frozenset({Role.NURSE})
    if organisation_id == vardcentral_id:
        return frozenset({Role.GP})
    if organisation_id == clinic_id:
        return frozenset({Role.SPECIALIST})
    return frozenset({Role.SPECIALIST, Role.NURSE})


def task_parties(
    *, named: Iterable[int | None], unclear: bool, kommun_id: int, vardcentral_id: int | None
) -> TaskParties:
    """Who answers for a task, from the organisations its proposal names.

    The region's side answers for what the proposal asks of it: the listed vårdcentral for what it
    orders, performs or follows up, the specialist clinic (or mobile team) for what it orders or does.
    The kommun asked for the task, so its request stands as its acceptance of what it is asked to do,
    but its nurse, MAS or MAR may dispute the task while it is open; where the proposal names only the
    kommun, the kommun confirms it. An unclear task has no proposal to accept: the vårdcentral (the
    kommun where the patient has none) states the split.
    """
    parties = {i for i in named if i is not None}
    if unclear:
        parties |= {vardcentral_id if vardcentral_id is not None else kommun_id, kommun_id}
    awaited = (parties - {kommun_id}) or {kommun_id}
    return TaskParties(may_answer=frozenset(parties | awaited), awaited=frozenset(awaited))


def party_ids(case: ResponsibilityCase, party: str) -> frozenset[int]:
    ids: set[int | None]
    match party:
        case Party.KOMMUN:
            ids = {case.kommun_id}
        case Party.VARDCENTRAL:
            ids = {case.vardcentral_id}
        case Party.CLINIC:
            ids = {case.specialist_clinic_id}
        case Party.PHYSICIAN:
            ids = {case.vardcentral_id, case.specialist_clinic_id}
        case Party.BODY:
            ids = {case.escalation_body_id} if case.status == CaseStatus.ESCALATED else set()
        case Party.ANY:
            ids = {case.kommun_id, case.stay_kommun_id, case.vardcentral_id, case.specialist_clinic_id}
            if case.status == CaseStatus.ESCALATED:
                ids.add(case.escalation_body_id)
        case _:
            ids = set()
    return frozenset(i for i in ids if i is not None)


# Signing and returning a risk analysis belong to its one named signer, and the role that signs for it.
SIGNER_ACTIONS = frozenset({A.SIGN_ANALYSIS, A.RETURN_ANALYSIS})
SIGNER_ROLE = {Party.CLINIC: Role.SPECIALIST, Party.VARDCENTRAL: Role.GP}


def _roles_for(transition: Transition, facts: CaseFacts) -> frozenset[str]:
    roles = transition.roles
    if transition.action in (A.APPROVE_ANALYSIS, A.REJECT_ANALYSIS):
        roles = roles & frozenset(facts.approvals_pending.values())
    elif transition.action in SIGNER_ACTIONS and facts.signer_party:
        roles = roles & {SIGNER_ROLE[facts.signer_party]}
    elif transition.action == A.DISPUTE_AFTER_REJECTION and not facts.analysis_rejected:
        roles = frozenset()
    return roles


def acting_membership(
    actor: Actor, case: ResponsibilityCase, transition: Transition, facts: CaseFacts
) -> Membership | None:
    """The membership in which ``actor`` may take ``transition`` on ``case`` (status aside), if any."""
    roles = _roles_for(transition, facts)
    organisations = (
        facts.answering if transition.party == Party.TASK_PARTY else party_ids(case, transition.party)
    )
    if transition.action in SIGNER_ACTIONS and facts.signer_party:
        organisations = organisations & party_ids(case, facts.signer_party)
    for membership in actor.memberships:
        if membership.role in roles and membership.organisation_id in organisations:
            return membership
    return None


# Who wrote or signed a risk analysis is not offered its approval (the service refuses it too).
FOUR_EYES_ACTIONS = frozenset({A.APPROVE_ANALYSIS, A.REJECT_ANALYSIS})


def allowed_actions(actor: Actor, case: ResponsibilityCase, facts: CaseFacts) -> list[str]:
    """The actions ``actor`` may take on ``case`` now, in the table's order."""
    return [
        t.action
        for t in TRANSITIONS
        if t.party != Party.SYSTEM
        and case.status in t.sources
        and not (t.action in FOUR_EYES_ACTIONS and actor.user.pk in facts.analysis_hands)
        and (membership := acting_membership(actor, case, t, facts)) is not None
        and level_allows(t.action, case, facts.level, membership.organisation_id)
    ]
