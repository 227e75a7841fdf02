"""The joint bodies' part of the case page: the decision form's starting point, the decisions as people
read them, and the status line that says where the ladder stands.

Pure arrangement of records already read for the page (``presenters.case_page``); the rules of the
ladder are in ``cases.governance``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from directory.models import Organisation

from .governance import LevelFacts
from .models import CaseStatus, CaseTask, DecisionOutcome, EscalationDecision, Position, ResponsibilityCase
from .transitions import A

S = CaseStatus
PARTS = ("orders", "performs", "follows_up")

ACTION_LABELS: dict[str, Any] = {
    A.CANNOT_SETTLE: gettext_lazy("The level cannot settle the case"),
    A.ACCEPT_RECOMMENDATION: gettext_lazy("Accept the recommendation"),
    A.DECLINE_RECOMMENDATION: gettext_lazy("Do not accept the recommendation"),
    A.CONSENT_SKIP: gettext_lazy("Consent to skip this level"),
}

NEXT_FOR_ME: dict[str, Any] = {
    A.ACCEPT_RECOMMENDATION: gettext_lazy(
        "The joint body recommends a split: accept it for your party, or say why you do not."
    ),
    A.CANNOT_SETTLE: gettext_lazy(
        "Decide the disputed tasks, or record that this level cannot settle the case."
    ),
}

DONE_MESSAGES: dict[str, Any] = {
    A.CANNOT_SETTLE: gettext_lazy(
        "Recorded: the level cannot settle the case, which goes to the next level."
    ),
    A.ACCEPT_RECOMMENDATION: gettext_lazy("Your party's acceptance of the recommendation is recorded."),
    A.DECLINE_RECOMMENDATION: gettext_lazy(
        "Recorded: your party does not accept the recommendation. A coordinator may escalate the case."
    ),
    A.CONSENT_SKIP: gettext_lazy("Your party's consent to skip the level is recorded."),
}

# What follows a settled case, by the status the decision left it in.
_WHAT_FOLLOWS: dict[str, Any] = {
    S.RISK_ANALYSIS: gettext_lazy("Next: the kommun writes the risk analysis and the physician signs it."),
    S.AWAITING_APPROVAL: gettext_lazy("Next: MAS or MAR approves the risk analysis."),
    S.AGREED: gettext_lazy("Responsibility is agreed: next, the SIP and the start of the care."),
    S.ACTIVE: gettext_lazy("The care is under way."),
    S.FOLLOW_UP: gettext_lazy("The care is being followed up."),
    S.CLOSED: gettext_lazy("The case is closed."),
}


def what_follows(status: str) -> str:
    return str(_WHAT_FOLLOWS.get(status, ""))


def _proposed_id(task: CaseTask, part: str) -> str | None:
    snapshot = (task.proposal or {}).get(part) or {}
    organisation = snapshot.get("organisation") or {}
    value = organisation.get("id")
    return str(value) if value else None


def decision_initial(
    tasks: Sequence[CaseTask], positions: Iterable[Position], organisations: Sequence[Organisation]
) -> dict[str, str]:
    """The decision form's starting values: for each part of each task, the split the parties' latest
    positions agree on, else the agreement's proposal (an organisation the form does not offer is left
    for the body to choose)."""
    offered = {str(o.public_id) for o in organisations}
    latest: dict[tuple[int, int], Position] = {}
    for position in sorted(positions, key=lambda p: (p.at, p.pk)):
        latest[(position.task_id, position.organisation_id)] = position
    initial: dict[str, str] = {}
    for task in tasks:
        stated = [p for (task_id, _org), p in latest.items() if task_id == task.pk]
        for part in PARTS:
            named = {
                str(getattr(p, f"proposed_{part}").public_id)
                for p in stated
                if getattr(p, f"proposed_{part}_id") is not None
            }
            value = named.pop() if len(named) == 1 else _proposed_id(task, part)
            if value in offered:
                initial[f"split_{task.public_id}_{part}"] = value
    return initial


@dataclass(frozen=True)
class LadderStatus:
    """The line under the case's status: where it stands on the ladder, or how it was settled."""

    escalated: bool
    level: int
    body: str
    recommendation_open: bool
    settled_level: int | None
    settled_body: str
    follows: str


def ladder_status(
    case: ResponsibilityCase, decisions: Sequence[EscalationDecision], level: LevelFacts | None
) -> LadderStatus | None:
    if case.escalation_level is None:
        return None
    settled = None
    if case.status != S.ESCALATED:
        settled = next(
            (d for d in sorted(decisions, key=lambda d: -d.level) if d.level == case.escalation_level), None
        )
    return LadderStatus(
        escalated=case.status == S.ESCALATED,
        level=case.escalation_level,
        body=case.escalation_body.name if case.escalation_body is not None else "",
        recommendation_open=level.recommendation_open if level is not None else False,
        settled_level=settled.level if settled is not None else None,
        settled_body=settled.body.name if settled is not None else "",
        follows=what_follows(case.status),
    )


@dataclass(frozen=True)
class DecidedTask:
    name: str
    orders: str
    performs: str
    follows_up: str


@dataclass(frozen=True)
class DecisionView:
    decision: EscalationDecision
    binding: bool
    withdrawn: bool
    tasks: tuple[DecidedTask, ...]


def _ref_name(ref: dict[str, Any] | None) -> str:
    return str((ref or {}).get("name") or "–")


def decision_views(
    decisions: Sequence[EscalationDecision], bindings: dict[int, bool], task_names: dict[str, str]
) -> list[DecisionView]:
    """Each decision with its split per task in words (``task_names``: task public id → name)."""
    return [
        DecisionView(
            decision=d,
            binding=bindings.get(d.level, True),
            withdrawn=d.outcome == DecisionOutcome.WITHDRAWN,
            tasks=tuple(
                DecidedTask(
                    name=task_names.get(str(entry.get("task")), str(entry.get("task_name") or "")),
                    orders=_ref_name(entry.get("orders")),
                    performs=_ref_name(entry.get("performs")),
                    follows_up=_ref_name(entry.get("follows_up")),
                )
                for entry in d.splits
            ),
        )
        for d in decisions
    ]
