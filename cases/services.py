"""Writes on responsibility cases: every action of ``cases.transitions`` is one service here.

Each service is keyword-only, runs in one transaction, locks the case row (``select_for_update``) and
checks the version the caller read, so of two people acting on the same version only the first
succeeds and the second gets 412; it then checks the transition table (409 with the allowed actions for
a wrong status, 403 for a wrong person), writes, bumps the version, appends a ``CaseEvent`` and writes
the access log. Work for the worker goes to the outbox in the same transaction (``hemsjukvard.outbox``).

Lock order: the case row first, then rows that belong to it; nothing here locks two cases.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements import deadlines
from agreements import selectors as agreement_selectors
from agreements.choices import ApproverRole, DayKind
from agreements.engine import PartyAssignment, TaskProposal, rules_propose_split
from agreements.models import AgreementVersion, CareTaskType
from audit.models import Action
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role, User
from hemsjukvard.api.concurrency import PreconditionFailed
from hemsjukvard.api.errors import Conflict
from hemsjukvard.outbox import outbox_enqueue
from integrations.events import case_events_publish
from patients.models import Patient

from . import selectors
from .models import (
    ANALYSIS_IN_EFFECT,
    OPEN_STATUSES,
    AgreedBasis,
    AnalysisDecision,
    AnalysisStatus,
    AnalysisVerdict,
    CaseEvent,
    CaseStatus,
    CaseTask,
    Closure,
    DecisionOutcome,
    EscalationDecision,
    EventKind,
    Hazard,
    Measure,
    Notification,
    NotificationKind,
    Position,
    ProposalStatus,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    ShiftPlanning,
    Signature,
    Trigger,
    Urgency,
)
from .policies import CaseFacts, acting_membership, allowed_actions
from .transitions import A, transition_for

S = CaseStatus
DEFAULT_REVIEW_DAYS = 3
DEFAULT_APPROVAL_DAYS = 5
RECORD_CASE = selectors.RECORD_CASE


# --- Inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseInput:
    trigger: str = Trigger.CHANGED_NEEDS
    urgency: str = Urgency.ROUTINE
    background: str = ""
    specialist_clinic: Organisation | None = None
    increased_staff_time: bool = False
    increased_other_costs: bool = False
    competence_needed: bool = False
    patient_safety_risk: bool = False
    shift_planning: str = ShiftPlanning.UNKNOWN
    task_codes: Sequence[str] = ()


CASE_FIELDS = (
    "trigger",
    "urgency",
    "background",
    "specialist_clinic",
    "increased_staff_time",
    "increased_other_costs",
    "competence_needed",
    "patient_safety_risk",
    "shift_planning",
)


@dataclass(frozen=True)
class Split:
    """Who orders, performs and follows up one task."""

    task: uuid.UUID
    orders: Organisation | None = None
    performs: Organisation | None = None
    follows_up: Organisation | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.orders, self.performs, self.follows_up)


@dataclass(frozen=True)
class PositionInput:
    task: uuid.UUID
    text: str
    orders: Organisation | None = None
    performs: Organisation | None = None
    follows_up: Organisation | None = None


@dataclass(frozen=True)
class MeasureInput:
    description: str
    owner_organisation: Organisation
    due_on: datetime.date
    owner_name: str = ""


@dataclass(frozen=True)
class HazardInput:
    description: str
    likelihood: int
    consequence: int
    measures: Sequence[MeasureInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class AnalysisInput:
    hazards: Sequence[HazardInput]
    summary: str = ""
    review_on: datetime.date | None = None
    measures: Sequence[MeasureInput] = field(default_factory=tuple)


# --- The machinery every transition shares ---------------------------------------------------------


class StaleCase(PreconditionFailed):
    """The case changed since the caller read it (412)."""


# The ``expected_version`` of a caller whose read is known to be stale: no case has it, so the service
# refuses as stale whatever it would not answer without writing (a repeated escalation).
STALE_VERSION = -1


def _lock(case: ResponsibilityCase, expected_version: int | None) -> ResponsibilityCase:
    locked = (
        ResponsibilityCase.objects.select_for_update(of=("self",))
        .select_related("agreement_version", "patient")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleCase()
    return locked


def _authorise(actor: Actor, case: ResponsibilityCase, action: str) -> tuple[Membership, CaseFacts]:
    transition = transition_for(action)
    facts = selectors.case_facts(case)
    if case.status not in transition.sources:
        allowed = allowed_actions(actor, case, facts)
        raise Conflict(
            _("%(action)s is not possible while the case is %(status)s.")
            % {"action": action, "status": case.get_status_display()},
            extra={"allowed": allowed, "status": case.status},
        )
    membership = acting_membership(actor, case, transition, facts)
    if membership is None:
        raise PermissionDenied(_("Your role on this case does not allow this."))
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
            case.due_at = _due(case, days, now)
        case S.AWAITING_APPROVAL:
            pending = sorted(set((facts or CaseFacts()).approvals_pending.values())) or [Role.MAS]
            case.owner_organisation_id, case.owner_role = case.kommun_id, pending[0]
            days = version.approval_deadline_days if version else DEFAULT_APPROVAL_DAYS
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
    return CaseEvent.objects.create(
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


def _save(
    actor: Actor | None,
    case: ResponsibilityCase,
    *,
    membership: Membership | None,
    access: str = Action.UPDATE,
) -> None:
    case.version += 1
    case.save()
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


# --- Opening and changing a draft ------------------------------------------------------------------


def _case_kommun(patient: Patient) -> int:
    open_kommun = getattr(patient, "open_enrolment_kommun_id", None)
    return int(open_kommun) if open_kommun is not None else patient.folkbokforing_kommun_id


def _validate_input(fields: dict[str, Any], task_codes: Sequence[str] | None) -> list[CareTaskType]:
    errors: dict[str, str] = {}
    clinic = fields.get("specialist_clinic")
    if clinic is not None and clinic.kind != OrganisationKind.SPECIALIST_CLINIC:
        errors["specialist_clinic"] = _("Choose a specialist clinic.")
    task_types: list[CareTaskType] = []
    if task_codes is not None:
        codes = list(dict.fromkeys(task_codes))
        if not codes:
            errors["tasks"] = _("Name at least one task.")
        found = {t.code: t for t in CareTaskType.objects.filter(code__in=codes, is_active=True)}
        missing = [code for code in codes if code not in found]
        if missing:
            errors["tasks"] = _("Unknown task types: %(codes)s.") % {"codes": ", ".join(missing)}
        task_types = [found[code] for code in codes if code in found]
    if errors:
        raise ValidationError(errors)
    return task_types


@transaction.atomic
def case_open(*, actor: Actor, patient: Patient, data: CaseInput) -> ResponsibilityCase:
    """A kommun nurse (or rehab) opens a draft case; ``patient`` must come from ``patient_get``."""
    kommun_id = _case_kommun(patient)
    membership = actor.membership_for(kommun_id, roles=transition_for(A.UPDATE).roles)
    if membership is None:
        raise PermissionDenied(_("Only the kommun's nurses and therapists open cases for its patients."))
    fields = {name: getattr(data, name) for name in CASE_FIELDS}
    task_types = _validate_input(fields, data.task_codes)
    case = ResponsibilityCase.objects.create(
        patient=patient,
        opened_by=actor.user,
        opened_by_organisation=membership.organisation,
        kommun_id=kommun_id,
        vardcentral_id=patient.listed_vardcentral_id,
        owner_organisation_id=kommun_id,
        owner_role=membership.role,
        **fields,
    )
    CaseTask.objects.bulk_create([CaseTask(case=case, task_type=t) for t in task_types])
    _record(
        actor,
        case,
        kind=EventKind.CREATED,
        action="open",
        membership=membership,
        to_status=S.DRAFT,
        payload={"tasks": [t.code for t in task_types]},
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=RECORD_CASE,
                record_id=str(case.public_id),
                membership=membership,
            )
        ],
        action=Action.CREATE,
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    fields: dict[str, Any],
    task_codes: Sequence[str] | None = None,
) -> ResponsibilityCase:
    """Change a draft: its fields and, if given, the set of tasks asked for."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.UPDATE)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    task_types = _validate_input(fields, task_codes)
    changed = {}
    for name, value in fields.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed[name] = str(value.public_id) if isinstance(value, Organisation) else value
    if task_codes is not None:
        CaseTask.objects.filter(case=case).delete()
        CaseTask.objects.bulk_create([CaseTask(case=case, task_type=t) for t in task_types])
        changed["tasks"] = [t.code for t in task_types]
    _record(actor, case, kind=EventKind.UPDATED, action=A.UPDATE, membership=membership, payload=changed)
    _save(actor, case, membership=membership)
    return case


# --- Submit: the engine proposes ---------------------------------------------------------------------


def _assignment(assignment: PartyAssignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    organisation = assignment.organisation
    return {
        "party": assignment.party,
        "organisation": (
            {"id": str(organisation.public_id), "name": organisation.name, "kind": organisation.kind}
            if organisation is not None
            else None
        ),
        "problem": assignment.problem,
    }


def _snapshot(proposal: TaskProposal) -> dict[str, Any]:
    version = proposal.version
    section = proposal.section
    return {
        "status": proposal.status,
        "reason": proposal.reason,
        "message": proposal.message,
        "basis": proposal.basis,
        "orders": _assignment(proposal.orders),
        "performs": _assignment(proposal.performs),
        "follows_up": _assignment(proposal.follows_up),
        "conditions": asdict(proposal.conditions),
        "rule": str(proposal.rule.public_id) if proposal.rule is not None else None,
        "agreement_version": (
            {
                "id": str(version.public_id),
                "agreement": version.agreement_code,
                "title": version.title,
                "version": version.version,
            }
            if version is not None
            else None
        ),
        "section": (
            {"id": str(section.public_id), "number": section.number, "heading": section.heading}
            if section is not None
            else None
        ),
        "review_by": proposal.review_by.isoformat() if proposal.review_by else None,
    }


def _propose(actor: Actor, case: ResponsibilityCase, tasks: list[CaseTask], on: datetime.date) -> None:
    patient = case.patient
    situation = agreement_selectors.patient_situation(
        patient=patient, specialist_clinic_id=case.specialist_clinic_id
    )
    codes = [t.task_type.code for t in tasks]
    inputs = agreement_selectors.responsibility_inputs_load(
        actor=actor, situation=situation, task_codes=codes, on=on
    )
    found = [inputs.task_types[code] for code in codes if code in inputs.task_types]
    proposals = {
        p.task_type.code: p
        for p in rules_propose_split(situation=situation, task_types=found, rules=inputs.rules, on=on)
    }
    version_ids: list[int] = []
    for task in tasks:
        proposal = proposals.get(task.task_type.code)
        if proposal is None:  # the task type was retired after the draft was written
            task.proposal_status = ProposalStatus.UNCLEAR
            task.proposal = {"status": ProposalStatus.UNCLEAR, "reason": "no_rule", "message": ""}
        else:
            task.proposal = _snapshot(proposal)
            task.proposal_status = ProposalStatus.UNCLEAR if proposal.is_unclear else ProposalStatus.PROPOSED
            task.rule_id = proposal.rule.id if proposal.rule is not None else None
            task.agreement_version_id = proposal.version.id if proposal.version is not None else None
            conditions = proposal.conditions
            task.requires_risk_analysis = conditions.risk_analysis_required
            task.approver_role = conditions.approver_role
            task.specialist_active_role_required = conditions.specialist_active_role_required
            if proposal.version is not None:
                version_ids.append(proposal.version.id)
        task.save()
    if version_ids:
        case.agreement_version_id = version_ids[0]
    else:
        # No rule applied: deadlines and the ladder still come from the regional agreement in force.
        regional = [v for v in inputs.rules.versions if v.scope == "regional" and v.valid_from <= on]
        case.agreement_version_id = regional[0].id if regional else None
    case.agreement_version = (
        AgreementVersion.objects.filter(pk=case.agreement_version_id).first()
        if case.agreement_version_id
        else None
    )


@transaction.atomic
def case_submit(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None
) -> ResponsibilityCase:
    """Submit a draft: the agreement's rules propose a split per task; the vårdcentral reviews it."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.SUBMIT)
    tasks = list(CaseTask.objects.filter(case=case).select_related("task_type").order_by("pk"))
    if not tasks:
        raise ValidationError({"tasks": _("Name at least one task before submitting.")})
    now = timezone.now()
    _propose(actor, case, tasks, timezone.localdate(now))
    case.submitted_at = now
    _move(actor, case, to_status=S.SUBMITTED, action=A.SUBMIT, membership=membership, now=now)
    _move(
        actor,
        case,
        to_status=S.IN_REVIEW,
        action=A.SUBMIT,
        membership=membership,
        reason=_("The agreement's rules proposed a split."),
        payload={
            "proposals": {
                str(t.public_id): {"task_type": t.task_type.code, "status": t.proposal_status} for t in tasks
            },
            "unclear": [t.task_type.code for t in tasks if t.is_unclear],
        },
        now=now,
    )
    _save(actor, case, membership=membership)
    return case


# --- Review: accept and dispute --------------------------------------------------------------------


def _organisation_from_snapshot(snapshot: dict[str, Any] | None) -> Organisation | None:
    if not snapshot or not snapshot.get("organisation"):
        return None
    return Organisation.objects.filter(public_id=snapshot["organisation"]["id"]).first()


@transaction.atomic
def case_accept(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    splits: Sequence[Split] = (),
    reason: str = "",
) -> ResponsibilityCase:
    """The vårdcentral accepts the proposed split for the tasks named (all still pending if none).

    An unclear task has no proposal to accept: the reviewer states the split (a person decides), or
    disputes it. The case moves on once no task awaits review.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.ACCEPT)
    tasks = _tasks_by_public_id(case)
    now = timezone.now()
    chosen = (
        [Split(task=t.public_id) for t in tasks.values() if t.review_state == ReviewState.PENDING]
        if not splits
        else list(splits)
    )
    accepted = []
    for split in chosen:
        task = _task(tasks, split.task, "tasks")
        if task.review_state != ReviewState.PENDING:
            raise ValidationError(
                {"tasks": _("%(task)s has already been reviewed.") % {"task": task.task_type}}
            )
        if split.complete:
            task.agreed_orders, task.agreed_performs, task.agreed_follows_up = (
                split.orders,
                split.performs,
                split.follows_up,
            )
            task.agreed_basis = AgreedBasis.REVIEWER if task.is_unclear else AgreedBasis.PROPOSAL
        elif task.is_unclear:
            raise Conflict(
                _(
                    "The responsibility for %(task)s is unclear: state who orders, performs and follows "
                    "it up, or dispute it."
                )
                % {"task": task.task_type},
                extra={"allowed": allowed_actions(actor, case, _facts), "task": str(task.public_id)},
            )
        else:
            task.agreed_orders = _organisation_from_snapshot(task.proposal.get("orders"))
            task.agreed_performs = _organisation_from_snapshot(task.proposal.get("performs"))
            task.agreed_follows_up = _organisation_from_snapshot(task.proposal.get("follows_up"))
            task.agreed_basis = AgreedBasis.PROPOSAL
        task.review_state = ReviewState.ACCEPTED
        task.agreed_at = now
        task.save()
        accepted.append(task)
    pending = [t for t in tasks.values() if t.review_state == ReviewState.PENDING]
    to_status = S.IN_REVIEW if pending else _settled_status(case)
    _move(
        actor,
        case,
        to_status=to_status,
        action=A.ACCEPT,
        membership=membership,
        kind=EventKind.ACCEPTED,
        reason=reason,
        payload={
            "tasks": [
                {
                    "task": str(t.public_id),
                    "task_type": t.task_type.code,
                    "basis": t.agreed_basis,
                    "orders": _ref(t.agreed_orders),
                    "performs": _ref(t.agreed_performs),
                    "follows_up": _ref(t.agreed_follows_up),
                }
                for t in accepted
            ]
        },
        now=now,
    )
    _save(actor, case, membership=membership)
    return case


def _positions(
    actor: Actor,
    case: ResponsibilityCase,
    membership: Membership,
    tasks: dict[uuid.UUID, CaseTask],
    positions: Iterable[PositionInput],
    *,
    mark_disputed: bool,
) -> list[dict[str, Any]]:
    written = []
    for item in positions:
        task = _task(tasks, item.task, "positions")
        if not item.text.strip():
            raise ValidationError({"positions": _("State the position in words.")})
        if mark_disputed:
            if task.review_state != ReviewState.PENDING:
                raise ValidationError(
                    {"positions": _("%(task)s has already been reviewed.") % {"task": task.task_type}}
                )
            task.review_state = ReviewState.DISPUTED
            task.save(update_fields=["review_state"])
        elif task.review_state not in (ReviewState.DISPUTED, ReviewState.PENDING):
            raise ValidationError({"positions": _("%(task)s is not in dispute.") % {"task": task.task_type}})
        position = Position.objects.create(
            case=case,
            task=task,
            organisation=membership.organisation,
            user=actor.user,
            role=membership.role,
            text=item.text,
            proposed_orders=item.orders,
            proposed_performs=item.performs,
            proposed_follows_up=item.follows_up,
        )
        written.append(
            {
                "position": str(position.public_id),
                "task": str(task.public_id),
                "task_type": task.task_type.code,
                "text": item.text,
                "orders": _ref(item.orders),
                "performs": _ref(item.performs),
                "follows_up": _ref(item.follows_up),
            }
        )
    if not written:
        raise ValidationError({"positions": _("State a position on at least one task.")})
    return written


@transaction.atomic
def case_dispute(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    positions: Sequence[PositionInput],
    reason: str = "",
) -> ResponsibilityCase:
    """The vårdcentral disputes tasks, with its position on each; the case becomes ``disputed``."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.DISPUTE)
    tasks = _tasks_by_public_id(case)
    written = _positions(actor, case, membership, tasks, positions, mark_disputed=True)
    _move(
        actor,
        case,
        to_status=S.DISPUTED,
        action=A.DISPUTE,
        membership=membership,
        kind=EventKind.DISPUTED,
        reason=reason,
        payload={"positions": written},
    )
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_state_position(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    positions: Sequence[PositionInput],
) -> ResponsibilityCase:
    """A party states (or corrects, as a new entry) its position on disputed tasks."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.STATE_POSITION)
    tasks = _tasks_by_public_id(case)
    written = _positions(actor, case, membership, tasks, positions, mark_disputed=False)
    _record(
        actor,
        case,
        kind=EventKind.POSITION,
        action=A.STATE_POSITION,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        payload={"positions": written},
    )
    _save(actor, case, membership=membership)
    return case


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
        raise Conflict(
            _("No agreement applies to the case, so it has no escalation ladder."),
            extra={"allowed": []},
        )
    ladder = agreement_selectors.escalation_ladder(actor=actor, version=version, kommun_id=case.kommun_id)
    level = (case.escalation_level or 0) + 1
    step = next((s for s in ladder if s.level == level), None)
    if step is None:
        raise Conflict(
            _("The case is at the highest level of the agreement's escalation ladder."),
            extra={"allowed": [], "level": case.escalation_level},
        )
    if step.body is None:
        raise Conflict(
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
        raise StaleCase()
    case = locked
    membership, _facts = _authorise(actor, case, A.ESCALATE)
    if target != (case.escalation_level or 0) + 1:
        raise Conflict(
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
        for task in open_tasks:
            split = by_task[task.public_id]
            task.agreed_orders, task.agreed_performs, task.agreed_follows_up = (
                split.orders,
                split.performs,
                split.follows_up,
            )
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


# --- Risk analysis ---------------------------------------------------------------------------------


def _validate_analysis(data: AnalysisInput) -> None:
    errors: dict[str, str] = {}
    if not data.hazards:
        errors["hazards"] = _("Name at least one hazard.")
    for hazard in data.hazards:
        if not (1 <= hazard.likelihood <= 4 and 1 <= hazard.consequence <= 4):
            errors["hazards"] = _("Likelihood and consequence are each scored from 1 to 4.")
        if not hazard.description.strip():
            errors["hazards"] = _("Describe each hazard.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def risk_analysis_create(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, data: AnalysisInput
) -> RiskAnalysis:
    """Write a new version of the case's risk analysis; it needs a new signature and approval.

    Writing one for an agreed or active case takes the case back to ``risk_analysis``: a changed
    analysis is not approved until it is approved again.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.CREATE_ANALYSIS)
    _validate_analysis(data)
    previous = RiskAnalysis.objects.filter(case=case).order_by("-number").first()
    if previous is not None and previous.status in (AnalysisStatus.DRAFT, AnalysisStatus.SIGNED):
        previous.status = AnalysisStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    analysis = RiskAnalysis.objects.create(
        case=case,
        number=(previous.number + 1) if previous is not None else 1,
        summary=data.summary,
        review_on=data.review_on,
        created_by=actor.user,
        organisation=membership.organisation,
    )
    for item in data.hazards:
        hazard = Hazard.objects.create(
            analysis=analysis,
            description=item.description,
            likelihood=item.likelihood,
            consequence=item.consequence,
        )
        Measure.objects.bulk_create(
            [
                Measure(
                    analysis=analysis,
                    hazard=hazard,
                    description=m.description,
                    owner_organisation=m.owner_organisation,
                    owner_name=m.owner_name,
                    due_on=m.due_on,
                )
                for m in item.measures
            ]
        )
    Measure.objects.bulk_create(
        [
            Measure(
                analysis=analysis,
                description=m.description,
                owner_organisation=m.owner_organisation,
                owner_name=m.owner_name,
                due_on=m.due_on,
            )
            for m in data.measures
        ]
    )
    _move(
        actor,
        case,
        to_status=S.RISK_ANALYSIS,
        action=A.CREATE_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_CREATED,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "high_risks": sum(1 for h in data.hazards if h.likelihood * h.consequence >= 8),
        },
    )
    _save(actor, case, membership=membership)
    return analysis


def _analysis_for_action(case: ResponsibilityCase, analysis: RiskAnalysis, status: str) -> RiskAnalysis:
    current = RiskAnalysis.objects.select_for_update().filter(case=case).order_by("-number").first()
    if current is None or current.pk != analysis.pk:
        raise Conflict(
            _("This is not the current version of the risk analysis."),
            extra={"allowed": [], "current": str(current.public_id) if current else None},
        )
    if current.status != status:
        raise Conflict(
            _("The risk analysis is %(status)s.") % {"status": current.get_status_display()},
            extra={"allowed": [], "analysis_status": current.status},
        )
    return current


@transaction.atomic
def risk_analysis_sign(
    *, actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, expected_version: int | None
) -> RiskAnalysis:
    """The responsible physician signs; the analysis goes to MAS/MAR for approval, if any is needed.

    Where no task of the case needs an approval (the agreement asks nobody in the kommun to approve,
    e.g. ventilator treatment the region's specialist team performs), signing completes the analysis:
    it is in effect as ``mas_informed``, with no approval recorded, and the case is ``agreed``. Whenever
    the analysis covers such a task, every active MAS of the kommun is informed at signing, also when
    another task still waits for MAS's or MAR's approval: what they are informed of does not depend on
    that approval.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.SIGN_ANALYSIS)
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.DRAFT)
    Signature.objects.create(
        analysis=analysis, user=actor.user, organisation=membership.organisation, role=membership.role
    )
    facts = selectors.case_facts(case)
    needs_approval = bool(facts.approvals_needed)
    analysis.status = AnalysisStatus.SIGNED if needs_approval else AnalysisStatus.MAS_INFORMED
    analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.AWAITING_APPROVAL if needs_approval else S.AGREED,
        action=A.SIGN_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_SIGNED,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "approval_needed": needs_approval,
        },
        facts=facts,
    )
    if facts.informs_mas or not needs_approval:
        _mas_inform(actor, case, analysis, membership=membership)
    _save(actor, case, membership=membership)
    return analysis


def _task_type_name(task_type: CareTaskType) -> str:
    if (get_language() or "sv").startswith("en"):
        return task_type.name_en or task_type.name_sv
    return task_type.name_sv


def _active_mas(kommun_id: int) -> list[User]:
    user_ids = (
        Membership.objects.active(timezone.localdate())
        .filter(organisation_id=kommun_id, role=Role.MAS)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _mas_inform(
    actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, *, membership: Membership
) -> None:
    """Inform every active MAS of the case's kommun that ``analysis`` is signed and needs no approval
    from them for its informed-only tasks: a timeline event naming who was informed, and one
    notification (also e-mailed) per MAS and analysis version.
    """
    informed_tasks = list(
        CaseTask.objects.filter(case=case, requires_risk_analysis=True, approver_role=ApproverRole.INFORMED)
        .select_related("task_type")
        .order_by("pk")
    )
    recipients = _active_mas(case.kommun_id)
    tasks = ", ".join(_task_type_name(t.task_type) for t in informed_tasks)
    people = ", ".join(user.display_name for user in recipients)
    if recipients and informed_tasks:
        reason = _(
            "The agreement asks nobody in the kommun to approve the risk analysis of %(tasks)s. "
            "The kommun's MAS is informed: %(people)s."
        ) % {"tasks": tasks, "people": people}
    elif recipients:
        reason = _(
            "No task of the case needs the risk analysis approved. The kommun's MAS is informed: %(people)s."
        ) % {"people": people}
    elif informed_tasks:
        reason = _(
            "The agreement asks nobody in the kommun to approve the risk analysis of %(tasks)s, but "
            "the kommun has no active MAS to inform."
        ) % {"tasks": tasks}
    else:
        reason = _(
            "No task of the case needs the risk analysis approved, but the kommun has no active MAS "
            "to inform."
        )
    _record(
        actor,
        case,
        kind=EventKind.MAS_INFORMED,
        action=A.SIGN_ANALYSIS,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=reason,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "tasks": [t.task_type.code for t in informed_tasks],
            "informed": [{"id": str(u.public_id), "name": u.display_name} for u in recipients],
        },
    )
    if not recipients:
        return
    key = f"analysis:{analysis.public_id}"
    message = _(
        "Version %(version)s of the risk analysis of case %(case)s is signed. The agreement asks you "
        "to be informed of it, not to approve it: open the case to read it."
    ) % {"version": analysis.number, "case": case.public_id}
    Notification.objects.bulk_create(
        [
            Notification(
                user=user, case=case, kind=NotificationKind.MAS_INFORMED, deadline_key=key, message=message
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    notification_ids = list(
        Notification.objects.filter(
            case=case, kind=NotificationKind.MAS_INFORMED, deadline_key=key, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if notification_ids:
        outbox_enqueue(
            "cases.tasks.notifications_email",
            kwargs={"notification_ids": notification_ids},
            dedup_key=f"cases.mas_informed:{analysis.pk}",
        )


class FourEyesRefused(PermissionDenied):
    """The approver wrote or signed the analysis: approval needs a second person (four eyes)."""

    code = "four_eyes"


def _check_four_eyes(actor: Actor, analysis: RiskAnalysis) -> None:
    """Who wrote or signed a risk analysis may not approve or reject it, in any of their roles (a nurse who is
    also acting MAS, a physician with a MAS membership): the approval is the second pair of eyes."""
    if analysis.created_by_id == actor.user.pk:
        raise FourEyesRefused(
            _(
                "You wrote this risk analysis, so someone else must approve or reject it. Another MAS or "
                "MAR of the kommun decides (four-eyes principle)."
            )
        )
    if Signature.objects.filter(analysis=analysis, user=actor.user).exists():
        raise FourEyesRefused(
            _(
                "You signed this risk analysis, so someone else must approve or reject it. Another MAS "
                "or MAR of the kommun decides (four-eyes principle)."
            )
        )


def _approval_role(facts: CaseFacts, membership: Membership) -> str:
    for need, by in sorted(facts.approvals_pending.items()):
        if by == membership.role:
            return need
    raise PermissionDenied(_("Your role on this case does not allow this."))


@transaction.atomic
def risk_analysis_approve(
    *, actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, expected_version: int | None
) -> RiskAnalysis:
    """MAS (nursing) or MAR (rehab; MAS where MAR is vacant) approves; all needed → ``agreed``.

    Never the person who wrote or signed the analysis (``FourEyesRefused``, 403).
    """
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.APPROVE_ANALYSIS)
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.SIGNED)
    _check_four_eyes(actor, analysis)
    for_role = _approval_role(facts, membership)
    AnalysisDecision.objects.create(
        analysis=analysis,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        for_role=for_role,
        verdict=AnalysisVerdict.APPROVED,
    )
    facts = selectors.case_facts(case)
    done = not facts.approvals_pending
    if done:
        analysis.status = AnalysisStatus.APPROVED
        analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.AGREED if done else S.AWAITING_APPROVAL,
        action=A.APPROVE_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_APPROVED,
        payload={"analysis": str(analysis.public_id), "version": analysis.number, "for_role": for_role},
        facts=facts,
    )
    _save(actor, case, membership=membership)
    return analysis


@transaction.atomic
def risk_analysis_reject(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    analysis: RiskAnalysis,
    expected_version: int | None,
    reason: str,
) -> RiskAnalysis:
    """MAS or MAR rejects, with a reason; the case goes back to ``risk_analysis`` for a new version."""
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.REJECT_ANALYSIS)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the risk analysis is rejected.")})
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.SIGNED)
    _check_four_eyes(actor, analysis)
    for_role = _approval_role(facts, membership)
    AnalysisDecision.objects.create(
        analysis=analysis,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        for_role=for_role,
        verdict=AnalysisVerdict.REJECTED,
        reason=reason,
    )
    analysis.status = AnalysisStatus.REJECTED
    analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.RISK_ANALYSIS,
        action=A.REJECT_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_REJECTED,
        reason=reason,
        payload={"analysis": str(analysis.public_id), "version": analysis.number, "for_role": for_role},
    )
    _save(actor, case, membership=membership)
    return analysis


# --- Simple moves, withdrawal and comments ----------------------------------------------------------

SIMPLE_MOVES = {
    A.ACTIVATE: S.ACTIVE,
    A.START_FOLLOW_UP: S.FOLLOW_UP,
    A.RESUME: S.ACTIVE,
    A.CLOSE: S.CLOSED,
}


@transaction.atomic
def case_move(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, action: str, reason: str = ""
) -> ResponsibilityCase:
    """The follow-up cycle: ``activate``, ``start_follow_up``, ``resume`` and ``close``."""
    if action not in SIMPLE_MOVES:
        raise ValueError(f"{action} is not a simple move")
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, action)
    if action == A.CLOSE:
        case.closure = Closure.COMPLETED
    _move(actor, case, to_status=SIMPLE_MOVES[action], action=action, membership=membership, reason=reason)
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_withdraw(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, reason: str
) -> ResponsibilityCase:
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.WITHDRAW)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is withdrawn.")})
    case.closure = Closure.WITHDRAWN
    _move(
        actor,
        case,
        to_status=S.CLOSED,
        action=A.WITHDRAW,
        membership=membership,
        kind=EventKind.WITHDRAWN,
        reason=reason,
    )
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_comment(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, text: str
) -> ResponsibilityCase:
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.COMMENT)
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    _record(
        actor,
        case,
        kind=EventKind.COMMENT,
        action=A.COMMENT,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=text,
    )
    _save(actor, case, membership=membership)
    return case


# --- Deadlines -------------------------------------------------------------------------------------


def _reminder_message(case: ResponsibilityCase) -> str:
    return _(
        "The deadline for case %(case)s (%(status)s) passed on %(due)s. Please act on it or hand it on."
    ) % {
        "case": case.public_id,
        "status": case.get_status_display(),
        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") if case.due_at else "",
    }


def case_remind_if_overdue(*, case_id: int, now: datetime.datetime) -> list[int]:
    """Remind about one overdue case, once per deadline; returns the notifications written.

    Safe to run twice at once (two beat runs, two workers): the case row is claimed with
    ``SKIP LOCKED``, the reminder event is looked for under that lock, and the unique constraints on
    the reminder event and on notifications (user, case, kind, deadline) stop any duplicate that might
    still slip through. Where the agreement says so, an unanswered review is escalated to level 1.
    """
    with transaction.atomic():
        case = (
            ResponsibilityCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agreement_version", "owner_organisation")
            .filter(pk=case_id, status__in=list(OPEN_STATUSES), due_at__lt=now)
            .first()
        )
        if case is None:
            return []
        key = case.deadline_key
        if CaseEvent.objects.filter(case=case, kind=EventKind.REMINDER, deadline_key=key).exists():
            return []
        recipients = selectors.deadline_recipients(case)
        _record(
            None,
            case,
            kind=EventKind.REMINDER,
            action="remind",
            from_status=case.status,
            to_status=case.status,
            reason=_("The deadline passed."),
            payload={
                "due_at": case.due_at.isoformat() if case.due_at else None,
                "owner": _ref(case.owner_organisation),
                "owner_role": case.owner_role,
                "notified": [str(u.public_id) for u in recipients],
            },
            deadline_key=key,
        )
        message = _reminder_message(case)
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    case=case,
                    kind=NotificationKind.DEADLINE_PASSED,
                    deadline_key=key,
                    message=message,
                )
                for user in recipients
            ],
            ignore_conflicts=True,
        )
        notification_ids = list(
            Notification.objects.filter(
                case=case, kind=NotificationKind.DEADLINE_PASSED, deadline_key=key, emailed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        version = case.agreement_version
        if case.status == S.IN_REVIEW and version is not None and version.auto_escalate_unanswered_review:
            _escalate(
                None,
                case,
                membership=None,
                action=A.AUTO_ESCALATE,
                reason=_("The review was not answered in time; the agreement escalates it."),
                now=now,
            )
        _save(None, case, membership=None)
        if notification_ids:
            outbox_enqueue(
                "cases.tasks.notifications_email",
                kwargs={"notification_ids": notification_ids},
                dedup_key=f"cases.reminder:{case.pk}:{key}",
            )
        return notification_ids


def overdue_case_ids(*, now: datetime.datetime) -> list[int]:
    return list(
        ResponsibilityCase.objects.filter(status__in=list(OPEN_STATUSES), due_at__lt=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def notification_email(*, notification_id: int) -> bool:
    """E-mail one notification, at most once: claimed by a conditional update before sending."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not notification.user.email:
        return True
    subjects: dict[str, str] = {
        NotificationKind.DEADLINE_PASSED: _("Hemsjukvård: a deadline has passed"),
        NotificationKind.MAS_INFORMED: _("Hemsjukvård: you are informed of a risk analysis"),
    }
    try:
        send_mail(
            subject=subjects.get(notification.kind, _("Hemsjukvård: a notification")),
            message=notification.message,
            from_email=None,
            recipient_list=[notification.user.email],
        )
    except Exception:
        # Give the claim back so the task's retry sends it; then let the error surface.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.user_id != actor.user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
