"""Your next step: what happens next on a case, said to one person, one function per status.

Each status's function answers for every role; ``step_facts`` gathers what they need from a case the
caller has already read through a selector.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import deadlines
from competence.rules import missing_training
from directory.actor import Actor
from directory.models import Organisation, Role

from . import decisions
from .governance import LevelFacts
from .models import AnalysisStatus, CaseStatus, Position, ResponsibilityCase, RiskAnalysis
from .policies import CaseFacts
from .transitions import A, Party

S = CaseStatus

# The viewer's part on a case, as the next step names it (a person may hold several; the first that
# has a step wins, ``viewer_parts``).
KOMMUN_STAFF_ROLES = frozenset({Role.NURSE, Role.REHAB})
APPROVER_ROLES = frozenset({Role.MAS, Role.MAR})


@dataclass(frozen=True)
class NextStep:
    """What happens next on a case, said to one person.

    ``code`` names the step (``write_analysis``, ``sign_analysis``, ``wait`` …, for tests and styles),
    ``who`` the person or body that must act, ``due`` the deadline as a date in Europe/Stockholm.
    """

    for_me: bool
    text: str
    code: str = ""
    who: str = ""
    due: datetime.date | None = None


@dataclass(frozen=True)
class StepFacts:
    """What the next step depends on: the case, what the viewer may do, and who holds the ball."""

    case: ResponsibilityCase
    actions: frozenset[str]
    analysis_status: str | None = None
    signer: str = ""
    approver: str = ""
    # The viewer's organisation has stated a position on every disputed task (nothing more to say).
    positions_stated: bool = False
    # In review: the viewer's organisation is one whose acceptance a task still needs; and who those are.
    review_awaits_me: bool = False
    reviewers: str = ""
    # Escalated: what has happened at the current level (``cases.governance``).
    level: LevelFacts | None = None

    def can(self, *actions: str) -> bool:
        return any(a in self.actions for a in actions)

    @property
    def due(self) -> datetime.date | None:
        due_at = self.case.due_at
        return deadlines.last_day(due_at)[0] if due_at is not None else None


STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def _role_at(organisation: Organisation | None, role: str) -> str:
    label = str(Role(role).label)
    return f"{label}, {organisation.name}" if organisation is not None else label


def _mine(code: str, text: Any, who: str, due: datetime.date | None = None) -> NextStep:
    return NextStep(for_me=True, text=str(text), code=code, who=who, due=due)


def _theirs(code: str, text: Any, who: str, due: datetime.date | None = None) -> NextStep:
    return NextStep(for_me=False, text=str(text), code=code, who=who, due=due)


def _step_draft(f: StepFacts) -> NextStep:
    who = _role_at(f.case.kommun, Role.NURSE)
    if f.can(A.SUBMIT, A.UPDATE):
        return _mine("submit", _("Complete the draft (tasks and background) and submit it for review."), who)
    return _theirs("wait", _("The kommun's nurse completes the draft and submits it."), who)


def _step_submitted(f: StepFacts) -> NextStep:
    return _theirs("wait", _("The agreement's rules propose a split."), "")


def _step_in_review(f: StepFacts) -> NextStep:
    who = f.reviewers or _role_at(f.case.vardcentral, Role.GP)
    # The kommun may still dispute what it asked for, but its request stands as its acceptance: only
    # a party whose answer a task needs is told it is its turn.
    if f.review_awaits_me and f.can(A.ACCEPT, A.DISPUTE):
        return _mine(
            "review",
            _("Review the proposed split: accept it, or dispute it with your position."),
            who,
            f.due,
        )
    return _theirs("wait", _("The parties the proposal makes responsible review the split."), who, f.due)


def _step_risk_analysis(f: StepFacts) -> NextStep:
    writer = _role_at(f.case.kommun, Role.NURSE)
    if f.analysis_status == AnalysisStatus.DRAFT:
        if f.can(A.SIGN_ANALYSIS):
            return _mine(
                "sign_analysis",
                _("Read the risk analysis and sign it, or return it to the kommun with comments."),
                f.signer,
            )
        return _theirs(
            "wait", _("The risk analysis is written; the responsible physician signs it."), f.signer
        )
    if f.can(A.CREATE_ANALYSIS):
        if f.analysis_status == AnalysisStatus.REJECTED:
            return _mine(
                "write_analysis",
                _("The risk analysis was sent back: write a new version (it starts as a copy of the last)."),
                writer,
            )
        return _mine("write_analysis", _("Write the risk analysis for the tasks that need one."), writer)
    return _theirs(
        "wait", _("The kommun writes the risk analysis; then the responsible physician signs it."), writer
    )


def _step_awaiting_approval(f: StepFacts) -> NextStep:
    who = f"{f.approver}, {f.case.kommun.name}" if f.approver else _role_at(f.case.kommun, Role.MAS)
    if f.can(A.APPROVE_ANALYSIS, A.REJECT_ANALYSIS):
        return _mine(
            "approve_analysis", _("Approve the risk analysis, or reject it with a reason."), who, f.due
        )
    return _theirs("wait", _("MAS or MAR approves or rejects the risk analysis."), who, f.due)


def _step_agreed(f: StepFacts) -> NextStep:
    who = _role_at(f.case.kommun, Role.NURSE)
    # The agreement's training condition: the care cannot start until the transfer is recorded.
    missing = missing_training(f.case, on=timezone.localdate())
    if missing:
        text = _(
            "%(missing)s: record the competence transfer (Competence and delegation) before the care starts."
        ) % {"missing": "; ".join(missing)}
        return _mine("training", text, who) if f.can(A.ACTIVATE) else _theirs("training", text, who)
    if f.can(A.ACTIVATE):
        return _mine(
            "sip",
            _(
                "Responsibility is agreed: draw up and finalise the SIP (the case becomes active then), "
                "or record that the care has started."
            ),
            who,
        )
    return _theirs("wait", _("Responsibility is agreed: the kommun draws up the SIP with the parties."), who)


def _step_active(f: StepFacts) -> NextStep:
    who = _role_at(f.case.kommun, Role.NURSE)
    if f.can(A.START_FOLLOW_UP):
        return _mine("follow_up", _("The care is under way. When the follow-up is due, start it."), who)
    return _theirs("wait", _("The care is under way; the kommun follows it up when due."), who)


def _step_follow_up(f: StepFacts) -> NextStep:
    who = _role_at(f.case.kommun, Role.NURSE)
    if f.can(A.RESUME, A.CLOSE):
        return _mine(
            "record_follow_up",
            _("Record the outcome of the follow-up: the care goes on, or it has ended."),
            who,
        )
    return _theirs("wait", _("The kommun follows up: the care goes on, or the case is closed."), who)


def _step_disputed(f: StepFacts) -> NextStep:
    coordinator = _role_at(f.case.kommun, Role.COORDINATOR)
    if f.can(A.STATE_POSITION) and not f.positions_stated:
        return _mine(
            "state_position", _("State your organisation's position on the disputed tasks."), coordinator
        )
    if f.can(A.ESCALATE):
        return _mine(
            "escalate",
            _("The parties' positions are in: send the dispute to the next level of the escalation ladder."),
            coordinator,
        )
    return _theirs(
        "wait",
        _("Your position is recorded. The parties state theirs; a coordinator may escalate the dispute."),
        coordinator,
    )


def _step_escalated(f: StepFacts) -> NextStep:
    body = f.case.escalation_body
    who = body.name if body is not None else ""
    parties = "; ".join(o.name for o in (f.case.kommun, f.case.vardcentral) if o is not None)
    coordinators = _role_at(f.case.kommun, Role.COORDINATOR)
    level = f.level
    if f.can(A.ACCEPT_RECOMMENDATION):
        return _mine("recommendation", str(decisions.NEXT_FOR_ME[A.ACCEPT_RECOMMENDATION]), parties, f.due)
    if f.can(A.DECIDE):
        text = (
            str(decisions.NEXT_FOR_ME[A.CANNOT_SETTLE])
            if f.can(A.CANNOT_SETTLE)
            else _("Decide who is responsible for each disputed task, with reasons.")
        )
        return _mine("decide", text, who, f.due)
    if f.can(A.ESCALATE):
        text = _("Send the dispute to the next level of the escalation ladder.")
        return _mine("escalate", text, coordinators, f.due)
    if level is not None and level.skip_consents and f.can(A.CONSENT_SKIP):
        text = _("The other party consents to skip this level: consent too, or let the body decide.")
        return _mine("consent_skip", text, parties, f.due)
    if level is not None and level.recommendation_open:
        text = _("The parties answer the joint body's recommendation; it takes effect when both accept it.")
        return _theirs("wait", text, parties, f.due)
    if level is not None and level.declined_by:
        text = _(
            "A party did not accept the recommendation: a coordinator may send the case to the next level."
        )
        return _theirs("wait", text, coordinators, f.due)
    return _theirs("wait", _("The joint body at this level decides."), who, f.due)


def _step_closed(f: StepFacts) -> NextStep:
    return _theirs("closed", _("The case is closed."), "")


NEXT_STEPS: dict[str, Callable[[StepFacts], NextStep]] = {
    S.DRAFT: _step_draft,
    S.SUBMITTED: _step_submitted,
    S.IN_REVIEW: _step_in_review,
    S.RISK_ANALYSIS: _step_risk_analysis,
    S.AWAITING_APPROVAL: _step_awaiting_approval,
    S.AGREED: _step_agreed,
    S.ACTIVE: _step_active,
    S.FOLLOW_UP: _step_follow_up,
    S.DISPUTED: _step_disputed,
    S.ESCALATED: _step_escalated,
    S.CLOSED: _step_closed,
}


def next_step(facts: StepFacts) -> NextStep:
    """What happens next, said to this person: the status's function decides for every role."""
    return NEXT_STEPS[facts.case.status](facts)


def analysis_signer(case: ResponsibilityCase, facts: CaseFacts) -> str:
    """The one named signer of the case's risk analysis (``CaseFacts.signer_party``), in words."""
    if facts.signer_party == Party.CLINIC:
        return _role_at(case.specialist_clinic, Role.SPECIALIST)
    if facts.signer_party == Party.VARDCENTRAL:
        return _role_at(case.vardcentral, Role.GP)
    return ""


def _approver(facts: CaseFacts) -> str:
    return " / ".join(sorted({str(Role(r).label) for r in facts.approvals_pending.values()}))


def step_facts(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    actions: Sequence[str],
    facts: CaseFacts,
    analysis: RiskAnalysis | None,
    positions: Sequence[Position] = (),
) -> StepFacts:
    """Gather what ``next_step`` needs about ``case`` as ``actor`` sees it (read already checked)."""
    mine = {m.organisation_id for m in actor.memberships}
    disputed = [t.pk for t in case.tasks.all() if t.review_state == "disputed"]
    stated = {p.task_id for p in positions if p.organisation_id in mine}
    return StepFacts(
        case=case,
        actions=frozenset(actions),
        analysis_status=analysis.status if analysis is not None else None,
        signer=analysis_signer(case, facts),
        approver=_approver(facts),
        positions_stated=bool(disputed) and all(pk in stated for pk in disputed),
        review_awaits_me=bool(mine & facts.awaited),
        level=facts.level,
        reviewers=_reviewers(case, facts),
    )


def _reviewers(case: ResponsibilityCase, facts: CaseFacts) -> str:
    """The parties whose answer the review still needs, in words (the vårdcentral's GP, the clinic's
    specialist, the kommun's nurse, or another organisation by name)."""
    roles = {
        case.vardcentral_id: Role.GP,
        case.specialist_clinic_id: Role.SPECIALIST,
        case.kommun_id: Role.NURSE,
    }
    named = {o.pk: o for o in (case.vardcentral, case.specialist_clinic, case.kommun) if o is not None}
    words = []
    for organisation_id in sorted(facts.awaited):
        organisation = named.get(organisation_id)
        if organisation is None:
            words.append(
                str(
                    Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True).first()
                    or ""
                )
            )
        else:
            words.append(_role_at(organisation, roles[organisation_id]))
    return "; ".join(w for w in words if w)
