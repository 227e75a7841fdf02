"""Who may do what to a responsibility case, in which status: the one table.

Each row is an action: the statuses it starts from, the status it leads to, the roles allowed and the
case party whose organisation the person must act for. Services refuse anything not in the table (409
with the allowed actions when the status is wrong, 403 when the person is wrong); the API lists the
actions a person may take as ``allowed_actions``; ``tests/cases/test_role_table.py`` tries every action
with every role. Some actions land in a status that depends on the case (``target`` lists them all):
accepting goes on to ``risk_analysis`` only if an accepted task needs a risk analysis; signing goes on
to ``awaiting_approval`` only if a task needs MAS's or MAR's approval (where the agreement asks nobody to
approve and has the kommun's MAS informed instead, signing agrees the case), and so on.

Parties: ``kommun`` (the case's kommun), ``vardcentral`` (the patient's listed vårdcentral),
``clinic`` (the ordering specialist clinic), ``physician`` (vårdcentral or clinic; for signing or
returning a risk analysis only the one named signer: ``policies.CaseFacts.signer_party``), ``body`` (the joint
body of the current escalation level), ``any`` (any of the organisations on the case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from directory.models import Role

from .models import OPEN_STATUSES, CaseStatus

S = CaseStatus


class Party:
    KOMMUN = "kommun"
    VARDCENTRAL = "vardcentral"
    CLINIC = "clinic"
    PHYSICIAN = "physician"
    BODY = "body"
    ANY = "any"
    SYSTEM = "system"


class A:
    """Action names, as the API spells them."""

    UPDATE = "update"
    SUBMIT = "submit"
    ACCEPT = "accept"
    DISPUTE = "dispute"
    STATE_POSITION = "state_position"
    ESCALATE = "escalate"
    AUTO_ESCALATE = "auto_escalate"
    DECIDE = "decide"
    CANNOT_SETTLE = "cannot_settle"
    ACCEPT_RECOMMENDATION = "accept_recommendation"
    DECLINE_RECOMMENDATION = "decline_recommendation"
    CONSENT_SKIP = "consent_skip"
    CREATE_ANALYSIS = "create_analysis"
    SIGN_ANALYSIS = "sign_analysis"
    APPROVE_ANALYSIS = "approve_analysis"
    REJECT_ANALYSIS = "reject_analysis"
    RETURN_ANALYSIS = "return_analysis"
    ACTIVATE = "activate"
    START_FOLLOW_UP = "start_follow_up"
    RESUME = "resume"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    COMMENT = "comment"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: tuple[str, ...]  # empty: the status does not change
    roles: frozenset[str]
    party: str
    summary: str


def _t(
    action: str,
    sources: Iterable[str],
    target: tuple[str, ...],
    roles: Iterable[str],
    party: str,
    summary: str,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), party, summary)


KOMMUN_STAFF = {Role.NURSE, Role.REHAB}
PARTY_ROLES = {
    Role.NURSE,
    Role.REHAB,
    Role.MAS,
    Role.MAR,
    Role.GP,
    Role.SPECIALIST,
    Role.COORDINATOR,
    Role.GOVERNANCE,
}
ANALYSIS_EDITABLE = {S.RISK_ANALYSIS, S.AGREED, S.ACTIVE}
# Who answers a joint body's recommendation for their party (the kommun, or the region side).
RECOMMENDATION_ROLES = {Role.COORDINATOR, Role.GP, Role.SPECIALIST, Role.MAS, Role.MAR}
SETTLED = (S.RISK_ANALYSIS, S.AGREED, S.CLOSED)

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t(A.UPDATE, {S.DRAFT}, (), KOMMUN_STAFF, Party.KOMMUN,
       "Change the draft (tasks, background, impact flags)."),
    _t(A.SUBMIT, {S.DRAFT}, (S.SUBMITTED, S.IN_REVIEW), KOMMUN_STAFF, Party.KOMMUN,
       "Submit: the agreement's rules propose the split and the vårdcentral reviews it."),
    _t(A.ACCEPT, {S.IN_REVIEW}, (S.IN_REVIEW, S.RISK_ANALYSIS, S.AGREED), {Role.GP}, Party.VARDCENTRAL,
       "Accept the proposed split for some or all tasks (an unclear task needs a stated split)."),
    _t(A.DISPUTE, {S.IN_REVIEW}, (S.DISPUTED,), {Role.GP}, Party.VARDCENTRAL,
       "Dispute tasks, stating the vårdcentral's position on each."),
    _t(A.STATE_POSITION, {S.DISPUTED, S.ESCALATED}, (),
       {Role.NURSE, Role.REHAB, Role.GP, Role.SPECIALIST, Role.COORDINATOR}, Party.ANY,
       "State (or correct, as a new entry) a party's position on a disputed task."),
    _t(A.ESCALATE, {S.DISPUTED, S.ESCALATED}, (S.ESCALATED,), {Role.COORDINATOR}, Party.ANY,
       "Send the dispute to level 1, or on to the next level once the current level cannot settle it "
       "(a party declined its recommendation, or its deadline passed; cases.governance)."),
    _t(A.AUTO_ESCALATE, {S.IN_REVIEW}, (S.ESCALATED,), set(), Party.SYSTEM,
       "An unanswered review passed its deadline and the agreement escalates it."),
    _t(A.DECIDE, {S.ESCALATED}, (S.ESCALATED, *SETTLED), {Role.GOVERNANCE}, Party.BODY,
       "The body at the current level decides the split per disputed task, with reasons: binding, or a "
       "recommendation (the case stays escalated until both parties accept it)."),
    _t(A.CANNOT_SETTLE, {S.ESCALATED}, (S.ESCALATED,), {Role.GOVERNANCE}, Party.BODY,
       "The body at the current level records that it cannot settle the case; it goes to the next level."),
    _t(A.ACCEPT_RECOMMENDATION, {S.ESCALATED}, (S.ESCALATED, *SETTLED), RECOMMENDATION_ROLES, Party.ANY,
       "A party accepts the body's recommendation; once both parties have, it takes effect."),
    _t(A.DECLINE_RECOMMENDATION, {S.ESCALATED}, (), RECOMMENDATION_ROLES, Party.ANY,
       "A party declines the body's recommendation, with a reason; the case may go to the next level."),
    _t(A.CONSENT_SKIP, {S.ESCALATED}, (S.ESCALATED,), {Role.COORDINATOR}, Party.ANY,
       "A party's coordinator consents to skip the current level; the second party's consent escalates."),
    _t(A.CREATE_ANALYSIS, ANALYSIS_EDITABLE, (S.RISK_ANALYSIS,), KOMMUN_STAFF, Party.KOMMUN,
       "Write a (new version of the) risk analysis."),
    _t(A.SIGN_ANALYSIS, {S.RISK_ANALYSIS}, (S.AWAITING_APPROVAL, S.AGREED), {Role.GP, Role.SPECIALIST},
       Party.PHYSICIAN, "The responsible physician signs the risk analysis; it goes to MAS/MAR for "
       "approval, or, where no task needs an approval, the case is agreed and the kommun's MAS informed."),
    _t(A.RETURN_ANALYSIS, {S.RISK_ANALYSIS}, (S.RISK_ANALYSIS,), {Role.GP, Role.SPECIALIST}, Party.PHYSICIAN,
       "The responsible physician returns the risk analysis unsigned, with comments: the kommun writes a "
       "new version."),
    _t(A.APPROVE_ANALYSIS, {S.AWAITING_APPROVAL}, (S.AWAITING_APPROVAL, S.AGREED), {Role.MAS, Role.MAR},
       Party.KOMMUN, "MAS (nursing) or MAR (rehab; MAS where MAR is vacant) approves the risk analysis."),
    _t(A.REJECT_ANALYSIS, {S.AWAITING_APPROVAL}, (S.RISK_ANALYSIS,), {Role.MAS, Role.MAR}, Party.KOMMUN,
       "MAS or MAR rejects the risk analysis, with a reason."),
    _t(A.ACTIVATE, {S.AGREED}, (S.ACTIVE,), KOMMUN_STAFF, Party.KOMMUN,
       "The SIP is in place and the agreed care has started."),
    _t(A.START_FOLLOW_UP, {S.ACTIVE}, (S.FOLLOW_UP,), KOMMUN_STAFF, Party.KOMMUN,
       "The follow-up is due."),
    _t(A.RESUME, {S.FOLLOW_UP}, (S.ACTIVE,), KOMMUN_STAFF, Party.KOMMUN,
       "Followed up: the care goes on."),
    _t(A.CLOSE, {S.FOLLOW_UP}, (S.CLOSED,), KOMMUN_STAFF, Party.KOMMUN,
       "Followed up: the care has ended."),
    _t(A.WITHDRAW, OPEN_STATUSES, (S.CLOSED,), KOMMUN_STAFF, Party.KOMMUN,
       "Withdraw the case, with a reason."),
    _t(A.COMMENT, OPEN_STATUSES, (), PARTY_ROLES, Party.ANY,
       "Comment on the case."),
)
# fmt: on

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
# Actions people take (the system's own are left out of ``allowed_actions``).
PERSON_ACTIONS = tuple(t.action for t in TRANSITIONS if t.party != Party.SYSTEM)


def transition_for(action: str) -> Transition:
    return BY_ACTION[action]


def actions_from(status: str) -> list[str]:
    """Every person's action the table allows in ``status``, whoever tries."""
    return [t.action for t in TRANSITIONS if status in t.sources and t.party != Party.SYSTEM]
