"""Escalation up the agreement's ladder and the joint bodies' decisions."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import deadlines
from agreements import selectors as agreement_selectors
from directory.actor import Actor
from directory.models import Membership
from hemsjukvard.errors import StaleVersionError, StateConflictError

from ..models import (
    AgreedBasis,
    Closure,
    DecisionOutcome,
    EscalationDecision,
    EventKind,
    ResponsibilityCase,
    ReviewState,
)
from ..policies import allowed_actions
from ..transitions import A
from .core import (
    S,
    _authorise,
    _lock,
    _move,
    _ref,
    _save,
    _settled_status,
    _task,
    _tasks_by_public_id,
)
from .hard_rules import arrangement_payload, physician_rule_on, split_check
from .inputs import Split

# --- Escalation ------------------------------------------------------------------------------------


def _escalate(
    actor: Actor | None,
    case: ResponsibilityCase,
    *,
    membership: Membership | None,
    action: str,
    reason: str,
    now: datetime.datetime,
) -> None:
    version = case.agreement_version
    if version is None:
        raise StateConflictError(
            _("No agreement applies to the case, so it has no escalation ladder."),
            extra={"allowed": []},
        )
    ladder = agreement_selectors.escalation_ladder(actor=actor, version=version, kommun_id=case.kommun_id)
    level = (case.escalation_level or 0) + 1
    step = next((s for s in ladder if s.level == level), None)
    if step is None:
        raise StateConflictError(
            _("The case is at the highest level of the agreement's escalation ladder."),
            extra={"allowed": [], "level": case.escalation_level},
        )
    if step.body is None:
        raise StateConflictError(
            _("No joint body is set up for escalation level %(level)d.") % {"level": level},
            extra={"allowed": [], "level": level},
        )
    case.escalation_level = level
    case.escalation_body = step.body
    _move(
        actor,
        case,
        to_status=S.ESCALATED,
        action=action,
        membership=membership,
        kind=EventKind.ESCALATED,
        reason=reason,
        payload={"level": level, "body": _ref(step.body), "deadline_days": step.deadline_days},
        now=now,
    )
    case.due_at = deadlines.deadline_at(start=now, days=step.deadline_days, day_kind=step.day_kind)


@transaction.atomic
def case_escalate(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    reason: str,
    level: int | None = None,
) -> ResponsibilityCase:
    """A coordinator sends the dispute to the next level of the agreement's ladder.

    Idempotent per level: ``level`` is the level the coordinator escalates to, by default the one above
    the level of the case as they read it (``case``). When the case already stands escalated at that
    level or higher (the same request repeated, or a colleague was first), the answer is the case as it
    is: nothing is written and the case does not climb further, whichever version the caller read.
    """
    target = level if level is not None else (case.escalation_level or 0) + 1
    locked = _lock(case, None)
    if locked.status == S.ESCALATED and (locked.escalation_level or 0) >= target:
        _authorise(actor, locked, A.ESCALATE)
        return locked
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersionError()
    case = locked
    membership, _facts = _authorise(actor, case, A.ESCALATE)
    if target != (case.escalation_level or 0) + 1:
        raise StateConflictError(
            _("The case is at escalation level %(current)d; it can only go to level %(next)d.")
            % {"current": case.escalation_level or 0, "next": (case.escalation_level or 0) + 1},
            extra={"allowed": allowed_actions(actor, case, _facts), "level": case.escalation_level or 0},
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is escalated.")})
    _escalate(actor, case, membership=membership, action=A.ESCALATE, reason=reason, now=timezone.now())
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_decide(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    outcome: str,
    reasons: str,
    splits: Sequence[Split] = (),
) -> ResponsibilityCase:
    """A member of the current level's body decides: the split per task (the agreed split) and why."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.DECIDE)
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the decision.")})
    tasks = _tasks_by_public_id(case)
    now = timezone.now()
    decided: list[dict[str, Any]] = []
    if outcome == DecisionOutcome.AGREED:
        by_task = {s.task: s for s in splits}
        for key in by_task:
            _task(tasks, key, "splits")
        open_tasks = [t for t in tasks.values() if t.review_state != ReviewState.ACCEPTED]
        missing = [t for t in open_tasks if t.public_id not in by_task or not by_task[t.public_id].complete]
        if missing:
            raise ValidationError(
                {
                    "splits": _("Decide who orders, performs and follows up: %(tasks)s.")
                    % {"tasks": ", ".join(t.task_type.code for t in missing)}
                }
            )
        physician_rule = physician_rule_on(timezone.localdate(now))
        for task in open_tasks:
            split = by_task[task.public_id]
            split_check(
                task=task,
                orders=split.orders,
                performs=split.performs,
                follows_up=split.follows_up,
                arrangement=split.arrangement,
                arrangement_note=split.arrangement_note,
                field="splits",
                physician_rule=physician_rule,
            )
        for task in open_tasks:
            split = by_task[task.public_id]
            task.agreed_orders, task.agreed_performs, task.agreed_follows_up = (
                split.orders,
                split.performs,
                split.follows_up,
            )
            task.arrangement, task.arrangement_note = split.arrangement, split.arrangement_note
            task.agreed_basis = AgreedBasis.ESCALATION
            task.review_state = ReviewState.DECIDED
            task.agreed_at = now
            task.save()
            decided.append(
                {
                    "task": str(task.public_id),
                    "task_type": task.task_type.code,
                    "orders": _ref(split.orders),
                    "performs": _ref(split.performs),
                    "follows_up": _ref(split.follows_up),
                    **arrangement_payload(split.arrangement, split.arrangement_note),
                }
            )
    elif outcome != DecisionOutcome.WITHDRAWN:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    assert case.escalation_body is not None
    assert case.escalation_level is not None
    EscalationDecision.objects.create(
        case=case,
        level=case.escalation_level,
        body=case.escalation_body,
        decided_by=actor.user,
        outcome=outcome,
        reasons=reasons,
        splits=decided,
    )
    payload = {
        "level": case.escalation_level,
        "body": _ref(case.escalation_body),
        "outcome": outcome,
        "splits": decided,
    }
    if outcome == DecisionOutcome.WITHDRAWN:
        case.closure = Closure.WITHDRAWN_BY_DECISION
        to_status: str = S.CLOSED
    else:
        to_status = _settled_status(case)
    # The membership is read before the move: the body stops being a party once the case leaves
    # ``escalated``, but the decision was its own.
    _move(
        actor,
        case,
        to_status=to_status,
        action=A.DECIDE,
        membership=membership,
        kind=EventKind.DECIDED,
        reason=reasons,
        payload=payload,
        now=now,
    )
    _save(actor, case, membership=membership)
    return case
