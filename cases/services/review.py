"""Submit (the engine proposes), then review: accept, dispute, state a position."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import selectors as agreement_selectors
from agreements.engine import PartyAssignment, TaskProposal, rules_propose_split
from agreements.models import AgreementVersion
from directory.actor import Actor
from directory.models import Membership, Organisation
from hemsjukvard.errors import StateConflictError

from ..models import (
    AgreedBasis,
    CaseTask,
    EventKind,
    Position,
    ProposalStatus,
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
    _record,
    _ref,
    _save,
    _settled_status,
    _task,
    _tasks_by_public_id,
)
from .drafts import draft_require_complete
from .hard_rules import arrangement_payload, physician_rule_on, split_check
from .inputs import PositionInput, Split

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
    draft_require_complete(case)
    tasks = list(CaseTask.objects.filter(case=case).select_related("task_type").order_by("pk"))
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
    physician_rule = physician_rule_on(timezone.localdate(now))
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
            task.arrangement, task.arrangement_note = split.arrangement, split.arrangement_note
            task.agreed_basis = AgreedBasis.REVIEWER if task.is_unclear else AgreedBasis.PROPOSAL
        elif task.is_unclear:
            raise StateConflictError(
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
            task.arrangement, task.arrangement_note = "", ""
            task.agreed_basis = AgreedBasis.PROPOSAL
        split_check(
            task=task,
            orders=task.agreed_orders,
            performs=task.agreed_performs,
            follows_up=task.agreed_follows_up,
            arrangement=task.arrangement,
            arrangement_note=task.arrangement_note,
            field="tasks",
            physician_rule=physician_rule,
        )
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
                    **arrangement_payload(t.arrangement, t.arrangement_note),
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
    physician_rule = physician_rule_on(timezone.localdate())
    for item in positions:
        task = _task(tasks, item.task, "positions")
        if not item.text.strip():
            raise ValidationError({"positions": _("State the position in words.")})
        split_check(
            task=task,
            orders=item.orders,
            performs=item.performs,
            follows_up=item.follows_up,
            arrangement=item.arrangement,
            arrangement_note=item.arrangement_note,
            field="positions",
            physician_rule=physician_rule,
        )
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
            proposed_arrangement=item.arrangement,
            proposed_arrangement_note=item.arrangement_note,
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
                **arrangement_payload(item.arrangement, item.arrangement_note),
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
