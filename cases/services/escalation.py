"""Escalation up the agreement's ladder and the joint bodies' decisions."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements import deadlines
from agreements import selectors as agreement_selectors
from directory.actor import Actor
from directory.models import Membership, Organisation
from documents.models import DocumentKind
from documents.services import document_request
from hemsjukvard.errors import StaleVersionError, StateConflictError

from ..governance import SIDES, LevelFacts, level_allows, side_of, tasks_to_decide
from ..models import (
    AgreedBasis,
    CaseTask,
    Closure,
    DecisionOutcome,
    EscalationDecision,
    EventKind,
    ResponsibilityCase,
    ReviewState,
    Urgency,
)
from ..policies import CaseFacts, allowed_actions
from ..transitions import A
from .core import (
    S,
    _authorise,
    _lock,
    _move,
    _record,
    _ref,
    _save,
    _settled_status,
    _task,
    _tasks_by_public_id,
)
from .hard_rules import arrangement_payload, physician_rule_on, split_check
from .inputs import Split

logger = logging.getLogger(__name__)

# --- Escalation ------------------------------------------------------------------------------------


def task_label(task: CaseTask) -> str:
    """A task's name as people read it (Swedish, or English on an English page), never its code."""
    task_type = task.task_type
    if (get_language() or "sv").startswith("en"):
        return str(task_type.name_en or task_type.name_sv)
    return str(task_type.name_sv)


def _level_check(
    actor: Actor, case: ResponsibilityCase, facts: CaseFacts, membership: Membership, action: str
) -> LevelFacts | None:
    """Refuse (409) an action the ladder's discipline does not allow now (``cases.governance``)."""
    level = facts.level
    if level_allows(action, case, level, membership.organisation_id):
        return level
    current = case.escalation_level or 0
    if action == A.ESCALATE:
        message = _(
            "Level %(level)d has not found that it cannot settle the case and its deadline has not passed. "
            "The case goes to the next level when the level's body says it cannot settle it, a party "
            "declines its recommendation, its deadline passes, or both parties consent to skip it."
        ) % {"level": current}
    elif action in (A.DECIDE, A.CANNOT_SETTLE):
        message = _("The body at level %(level)d has already decided on the case.") % {"level": current}
    elif action == A.CONSENT_SKIP:
        message = _("Your party has already consented to skip level %(level)d, or it cannot be skipped.") % {
            "level": current
        }
    else:
        message = _("There is no recommendation at level %(level)d for your party to answer.") % {
            "level": current
        }
    allowed = allowed_actions(actor, case, facts)
    raise StateConflictError(message, extra={"allowed": allowed, "level": current})


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
    days = step.deadline_days
    if case.urgency == Urgency.URGENT and step.urgent_deadline_days:
        days = step.urgent_deadline_days
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
        payload={
            "level": level,
            "body": _ref(step.body),
            "deadline_days": days,
            "binding": step.binding,
            "identity": step.identity,
        },
        now=now,
    )
    case.due_at = deadlines.deadline_at(start=now, days=days, day_kind=step.day_kind)


@transaction.atomic
def case_escalate(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    reason: str,
    level: int | None = None,
) -> ResponsibilityCase:
    """A coordinator sends the dispute to level 1, or on to the next level once the current level cannot
    settle it (its body said so, a party declined its recommendation, or its deadline passed).

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
    membership, facts = _authorise(actor, case, A.ESCALATE)
    if target != (case.escalation_level or 0) + 1:
        raise StateConflictError(
            _("The case is at escalation level %(current)d; it can only go to level %(next)d.")
            % {"current": case.escalation_level or 0, "next": (case.escalation_level or 0) + 1},
            extra={"allowed": allowed_actions(actor, case, facts), "level": case.escalation_level or 0},
        )
    _level_check(actor, case, facts, membership, A.ESCALATE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is escalated.")})
    _escalate(actor, case, membership=membership, action=A.ESCALATE, reason=reason, now=timezone.now())
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_cannot_settle(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, reasons: str
) -> ResponsibilityCase:
    """The body at the current level finds that it cannot settle the case: it goes to the next level."""
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.CANNOT_SETTLE)
    _level_check(actor, case, facts, membership, A.CANNOT_SETTLE)
    if not reasons.strip():
        raise ValidationError({"reasons": _("Say why the level cannot settle the case.")})
    _escalate(actor, case, membership=membership, action=A.CANNOT_SETTLE, reason=reasons, now=timezone.now())
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_consent_skip(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, reason: str
) -> ResponsibilityCase:
    """A party's coordinator consents to skip the current level; once both parties (the kommun and the
    region side) have, the case goes to the next level. One party alone never moves it."""
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.CONSENT_SKIP)
    level = _level_check(actor, case, facts, membership, A.CONSENT_SKIP)
    assert level is not None
    side = side_of(case, membership.organisation_id)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the level should be skipped.")})
    _record(
        actor,
        case,
        kind=EventKind.POSITION,
        action=A.CONSENT_SKIP,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=reason,
        payload={"level": level.level, "side": side},
    )
    if level.skip_consents | {side} >= SIDES:
        _escalate(
            actor,
            case,
            membership=membership,
            action=A.CONSENT_SKIP,
            reason=_("Both parties consent to skip level %(level)d.") % {"level": level.level},
            now=timezone.now(),
        )
    _save(actor, case, membership=membership)
    return case


# --- Decisions and recommendations -----------------------------------------------------------------


def _split_payload(task: CaseTask, split: Split) -> dict[str, Any]:
    return {
        "task": str(task.public_id),
        "task_type": task.task_type.code,
        "task_name": task.task_type.name_sv,
        "orders": _ref(split.orders),
        "performs": _ref(split.performs),
        "follows_up": _ref(split.follows_up),
        **arrangement_payload(split.arrangement, split.arrangement_note),
    }


def _settle(task: CaseTask, split: Split, now: datetime.datetime) -> None:
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


def _checked_splits(case: ResponsibilityCase, splits: Sequence[Split], now: datetime.datetime) -> list[Split]:
    """The split for each task the body decides (``governance.tasks_to_decide``), checked."""
    tasks = _tasks_by_public_id(case)
    to_decide = tasks_to_decide(tasks.values())
    by_task = {s.task: s for s in splits}
    for key in by_task:
        task = _task(tasks, key, "splits")
        if task not in to_decide:
            raise ValidationError(
                {"splits": _("%(task)s is not disputed; its split stands.") % {"task": task_label(task)}}
            )
    missing = [t for t in to_decide if t.public_id not in by_task or not by_task[t.public_id].complete]
    if missing:
        raise ValidationError(
            {
                "splits": _("Decide who orders, performs and follows up: %(tasks)s.")
                % {"tasks": ", ".join(task_label(t) for t in missing)}
            }
        )
    physician_rule = physician_rule_on(timezone.localdate(now))
    for task in to_decide:
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
    return [by_task[t.public_id] for t in to_decide]


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
    """A member of the current level's body decides the disputed tasks' split, and why.

    Where the agreement makes the level's decision binding it settles the tasks; otherwise it is a
    recommendation, and the case stays at the level until both parties accept it (or one declines).
    """
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.DECIDE)
    level = _level_check(actor, case, facts, membership, A.DECIDE)
    binding = level.binding if level is not None else True
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the decision.")})
    now = timezone.now()
    decided: list[dict[str, Any]] = []
    if outcome == DecisionOutcome.AGREED:
        tasks = {t.public_id: t for t in tasks_to_decide(_tasks_by_public_id(case).values())}
        for split in _checked_splits(case, splits, now):
            task = tasks[split.task]
            if binding:
                _settle(task, split, now)
            decided.append(_split_payload(task, split))
    elif outcome != DecisionOutcome.WITHDRAWN:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    assert case.escalation_body is not None
    assert case.escalation_level is not None
    decision = EscalationDecision.objects.create(
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
        "binding": binding,
        "decision": str(decision.public_id),
        "splits": decided,
    }
    if not binding:
        to_status: str = S.ESCALATED
    elif outcome == DecisionOutcome.WITHDRAWN:
        case.closure = Closure.WITHDRAWN_BY_DECISION
        to_status = S.CLOSED
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
    transaction.on_commit(lambda: _print_decision_notice(actor, decision.public_id))
    return case


def _print_decision_notice(actor: Actor, decision_id: uuid.UUID) -> None:
    """Once the decision is committed, the worker renders its decision notice, listed on the case for
    every party (each may print its own copy as well). The decision stands if this fails: the notice
    can be asked for on the case page, so a failure here is logged, not raised."""
    try:
        document_request(
            actor=actor,
            kind=DocumentKind.DECISION_NOTICE,
            source_id=decision_id,
            language=settings.LANGUAGE_CODE,
        )
    except Exception:
        logger.exception("The decision notice of decision %s was not queued", decision_id)


def _split_of(entry: dict[str, Any]) -> Split:
    """A split as a decision recorded it (organisations by public id) for its task."""
    ids = {entry[p]["id"] for p in ("orders", "performs", "follows_up") if entry.get(p)}
    found = {str(o.public_id): o for o in Organisation.objects.filter(public_id__in=ids)}

    def named(part: str) -> Organisation | None:
        ref = entry.get(part)
        return found.get(ref["id"]) if ref else None

    return Split(
        task=uuid.UUID(entry["task"]),
        orders=named("orders"),
        performs=named("performs"),
        follows_up=named("follows_up"),
        arrangement=entry.get("arrangement", ""),
        arrangement_note=entry.get("arrangement_note", ""),
    )


@transaction.atomic
def case_answer_recommendation(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    accept: bool,
    reason: str = "",
) -> ResponsibilityCase:
    """A party (the kommun, or the region side) accepts or declines the body's recommendation.

    Once both parties have accepted, the recommendation takes effect as the decision on the disputed
    tasks; a party that declines (with a reason) lets a coordinator send the case to the next level.
    """
    action = A.ACCEPT_RECOMMENDATION if accept else A.DECLINE_RECOMMENDATION
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, action)
    level = _level_check(actor, case, facts, membership, action)
    assert level is not None
    side = side_of(case, membership.organisation_id)
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why your party does not accept the recommendation.")})
    _record(
        actor,
        case,
        kind=EventKind.POSITION,
        action=action,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=reason,
        payload={"level": level.level, "side": side},
    )
    if accept and level.accepted_by | {side} >= SIDES:
        decision = EscalationDecision.objects.get(case=case, level=level.level)
        now = timezone.now()
        if decision.outcome == DecisionOutcome.WITHDRAWN:
            case.closure = Closure.WITHDRAWN_BY_DECISION
            to_status: str = S.CLOSED
        else:
            tasks = _tasks_by_public_id(case)
            for entry in decision.splits:
                split = _split_of(entry)
                _settle(_task(tasks, split.task, "splits"), split, now)
            to_status = _settled_status(case)
        _move(
            actor,
            case,
            to_status=to_status,
            action=action,
            membership=membership,
            kind=EventKind.DECIDED,
            reason=_("Both parties accept the recommendation of level %(level)d.") % {"level": level.level},
            payload={
                "level": level.level,
                "body": _ref(decision.body),
                "outcome": decision.outcome,
                "binding": False,
                "decision": str(decision.public_id),
                "splits": decision.splits,
            },
            now=now,
        )
    _save(actor, case, membership=membership)
    return case
