"""The machinery every case transition shares: lock, authorise, move, record, save."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import deadlines
from agreements.choices import DayKind
from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation, Role
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current, save_next_version

from .. import selectors
from ..events import case_changed_publish, case_events_publish
from ..models import (
    ANALYSIS_IN_EFFECT,
    CaseEvent,
    CaseStatus,
    CaseTask,
    EventKind,
    ResponsibilityCase,
    Urgency,
)
from ..policies import CaseFacts, acting_membership, allowed_actions
from ..transitions import transition_for
from .notifications import case_step_notify

S = CaseStatus
DEFAULT_REVIEW_DAYS = 3
DEFAULT_APPROVAL_DAYS = 5


# --- The machinery every transition shares ---------------------------------------------------------


# The ``expected_version`` of a caller whose read is known to be stale: no case has it, so the service
# refuses as stale whatever it would not answer without writing (a repeated escalation).
STALE_VERSION = -1


def _lock(case: ResponsibilityCase, expected_version: int | None) -> ResponsibilityCase:
    return lock_current(
        ResponsibilityCase.objects.select_related("agreement_version", "patient"),
        case.pk,
        version_field="version",
        expected=expected_version,
    )


def _authorise(actor: Actor, case: ResponsibilityCase, action: str) -> tuple[Membership, CaseFacts]:
    transition = transition_for(action)
    facts = selectors.case_facts(case)
    if case.status not in transition.sources:
        allowed = allowed_actions(actor, case, facts)
        raise StateConflictError(
            _("%(action)s is not possible while the case is %(status)s.")
            % {"action": action, "status": case.get_status_display()},
            extra={"allowed": allowed, "status": case.status},
        )
    membership = acting_membership(actor, case, transition, facts)
    if membership is None:
        raise NotPermitted(_("Your role on this case does not allow this."))
    return membership, facts


def _day_kind(case: ResponsibilityCase) -> str:
    version = case.agreement_version
    return version.deadline_day_kind if version is not None else DayKind.WORKING


def _due(case: ResponsibilityCase, days: int, now: datetime.datetime) -> datetime.datetime:
    return deadlines.deadline_at(start=now, days=days, day_kind=_day_kind(case))


def _set_owner(case: ResponsibilityCase, facts: CaseFacts | None, now: datetime.datetime) -> None:
    """Who holds the case in its (new) status, and until when (deadlines from the agreement)."""
    version = case.agreement_version
    case.due_at = None
    match case.status:
        case S.IN_REVIEW:
            case.owner_organisation_id, case.owner_role = case.vardcentral_id, Role.GP
            days = version.review_deadline_days if version else DEFAULT_REVIEW_DAYS
            if version and case.urgency == Urgency.URGENT and version.urgent_review_deadline_days:
                days = version.urgent_review_deadline_days
            case.due_at = _due(case, days, now)
        case S.AWAITING_APPROVAL:
            pending = sorted(set((facts or CaseFacts()).approvals_pending.values())) or [Role.MAS]
            case.owner_organisation_id, case.owner_role = case.kommun_id, pending[0]
            days = version.approval_deadline_days if version else DEFAULT_APPROVAL_DAYS
            if version and case.urgency == Urgency.URGENT and version.urgent_approval_deadline_days:
                days = version.urgent_approval_deadline_days
            case.due_at = _due(case, days, now)
        case S.DISPUTED:
            case.owner_organisation_id, case.owner_role = case.kommun_id, Role.COORDINATOR
        case S.ESCALATED:
            case.owner_organisation_id, case.owner_role = case.escalation_body_id, Role.GOVERNANCE
        case S.CLOSED:
            case.owner_organisation_id, case.owner_role = None, ""
        case _:
            case.owner_organisation_id, case.owner_role = case.kommun_id, Role.NURSE


def _record(
    actor: Actor | None,
    case: ResponsibilityCase,
    *,
    kind: str,
    action: str = "",
    membership: Membership | None = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    deadline_key: str = "",
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        user=actor.user if actor is not None else None,
        organisation=membership.organisation if membership is not None else None,
        role=membership.role if membership is not None else "",
        api_client=actor.api_client if actor is not None else "",
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload or {},
        deadline_key=deadline_key,
    )
    case_step_notify(actor=actor, case=case, event=event)  # every step tells whoever's turn it is
    case_changed_publish(case=case, change=kind)
    return event


def _save(
    actor: Actor | None,
    case: ResponsibilityCase,
    *,
    membership: Membership | None,
    access: str = Action.UPDATE,
) -> None:
    save_next_version(case, version_field="version")
    if actor is not None:
        access_log_record(
            actor=actor,
            accesses=[
                Access(
                    patient_id=case.patient_id,
                    record_type=RECORD_CASE,
                    record_id=str(case.public_id),
                    membership=membership,
                )
            ],
            action=access,
        )


def _move(
    actor: Actor | None,
    case: ResponsibilityCase,
    *,
    to_status: str,
    action: str,
    membership: Membership | None,
    kind: str = EventKind.TRANSITION,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    facts: CaseFacts | None = None,
    now: datetime.datetime | None = None,
) -> CaseEvent:
    """Change the status (or not: ``to_status`` may equal the current one) and record the event.

    The status must be one the transition table lets ``action`` lead to, so the table stays the one
    description of where each action goes.
    """
    now = now or timezone.now()
    from_status = case.status
    target = transition_for(action).target
    if to_status not in target and not (not target and to_status == from_status):
        raise RuntimeError(f"{action} does not lead to {to_status} in cases.transitions")
    case.status = to_status
    if to_status != from_status:
        _set_owner(case, facts, now)
        if to_status == S.AGREED and case.agreed_at is None:
            case.agreed_at = now
        if to_status == S.CLOSED:
            case.closed_at = now
    case_events_publish(case=case, kind=kind, from_status=from_status, to_status=to_status)
    return _record(
        actor,
        case,
        kind=kind,
        action=action,
        membership=membership,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        payload=payload,
    )


def _tasks_by_public_id(case: ResponsibilityCase) -> dict[uuid.UUID, CaseTask]:
    return {t.public_id: t for t in CaseTask.objects.filter(case=case).select_related("task_type")}


def _task(tasks: dict[uuid.UUID, CaseTask], key: uuid.UUID, field_name: str) -> CaseTask:
    task = tasks.get(key)
    if task is None:
        raise ValidationError({field_name: _("The case has no task %(task)s.") % {"task": key}})
    return task


def _settled_status(case: ResponsibilityCase) -> str:
    """Where a case goes once every task's split is settled.

    A case with a task that requires a risk analysis cannot become ``agreed`` without one in effect
    (approved, or signed with the kommun's MAS informed where the agreement asks for no approval).
    """
    needs_analysis = CaseTask.objects.filter(case=case, requires_risk_analysis=True).exists()
    if needs_analysis:
        analysis = selectors.current_analysis(case)
        if analysis is None or analysis.status not in ANALYSIS_IN_EFFECT:
            return S.RISK_ANALYSIS
    return S.AGREED


def _ref(organisation: Organisation | None) -> dict[str, str] | None:
    if organisation is None:
        return None
    return {"id": str(organisation.public_id), "name": organisation.name}
