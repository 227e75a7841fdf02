"""Submit (the engine proposes), then review: accept, dispute, state a position."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import selectors as agreement_selectors
from agreements.engine import PartyAssignment, TaskProposal, rules_propose_split
from agreements.models import AgreementVersion
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind
from hemsjukvard.errors import NotPermitted, StateConflictError

from .. import selectors
from ..models import (
    AgreedBasis,
    CaseTask,
    EventKind,
    Position,
    ProposalStatus,
    ResponsibilityCase,
    ReviewAnswer,
    ReviewState,
    TaskReview,
)
from ..policies import CaseFacts, TaskParties, allowed_actions
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
    principal = assignment.principal
    return {
        "party": assignment.party,
        "organisation": (
            {"id": str(organisation.public_id), "name": organisation.name, "kind": organisation.kind}
            if organisation is not None
            else None
        ),
        "problem": assignment.problem,
        # A private performer acts for a kommun, which stays the principal (huvudman).
        **(
            {"principal": {"id": str(principal.public_id), "name": principal.name, "kind": principal.kind}}
            if principal is not None
            else {}
        ),
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
        "time_bands": list(proposal.time_bands),
        "notes": list(proposal.notes),
    }


def _propose(actor: Actor, case: ResponsibilityCase, tasks: list[CaseTask], on: datetime.date) -> None:
    patient = case.patient
    situation = agreement_selectors.patient_situation(
        patient=patient,
        specialist_clinic_id=case.specialist_clinic_id,
        stay_kommun=case.stay_kommun if case.stay_kommun_on(on) is not None else None,
    )
    codes = [t.task_type.code for t in tasks]
    inputs = agreement_selectors.responsibility_inputs_load(
        actor=actor, situation=situation, task_codes=codes, on=on
    )
    found = [inputs.task_types[code] for code in codes if code in inputs.task_types]
    bands = {t.task_type.code: t.visit_band_list for t in tasks if t.visit_bands}
    proposals = {
        p.task_type.code: p
        for p in rules_propose_split(
            situation=situation, task_types=found, rules=inputs.rules, on=on, time_bands=bands
        )
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
    _physician_party_from_area(case, proposals.values())
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


def _physician_party_from_area(case: ResponsibilityCase, proposals: Iterable[TaskProposal]) -> None:
    """Where the agreement names the vårdcentral for the person's SÄBO unit or area (``physician_areas``),
    that vårdcentral, not the one the person is listed at, gives the physician input: it becomes the case's
    vårdcentral, so that it sees the case and answers for its part."""
    named = {
        assignment.organisation.id
        for proposal in proposals
        for assignment in (proposal.orders, proposal.performs, proposal.follows_up)
        if assignment is not None
        and assignment.organisation is not None
        and assignment.organisation.kind == OrganisationKind.VARDCENTRAL
    }
    if len(named) == 1 and case.vardcentral_id not in named:
        case.vardcentral_id = named.pop()


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


# --- Review: every party to a task answers for it ------------------------------------------------------


def _organisation_from_snapshot(snapshot: dict[str, Any] | None) -> Organisation | None:
    if not snapshot or not snapshot.get("organisation"):
        return None
    return Organisation.objects.filter(public_id=snapshot["organisation"]["id"]).first()


@dataclass
class _Review:
    """The tasks of a case under review, who answers for each and the answers given so far."""

    tasks: dict[uuid.UUID, CaseTask]
    parties: dict[int, TaskParties]
    answers: dict[int, dict[int, TaskReview]]

    @classmethod
    def load(cls, case: ResponsibilityCase) -> _Review:
        tasks = _tasks_by_public_id(case)
        loaded = list(tasks.values())
        parties = selectors.task_parties_for([(case, loaded)])
        return cls(tasks, parties, selectors.task_answers_many([t.pk for t in loaded]))

    def answerable(self, task: CaseTask, organisation_id: int) -> bool:
        return (
            task.review_state == ReviewState.PENDING and organisation_id in self.parties[task.pk].may_answer
        )

    def answered(self, task: CaseTask, organisation_id: int) -> bool:
        return organisation_id in self.answers.get(task.pk, {})

    def pending_for(self, organisation_id: int) -> list[CaseTask]:
        return [
            t
            for t in self.tasks.values()
            if self.answerable(t, organisation_id) and not self.answered(t, organisation_id)
        ]

    def record(self, review: TaskReview) -> None:
        self.answers.setdefault(review.task_id, {})[review.organisation_id] = review

    def all_accepted(self, task: CaseTask) -> bool:
        given = self.answers.get(task.pk, {})
        return all(
            org in given and given[org].answer == ReviewAnswer.ACCEPTED
            for org in self.parties[task.pk].awaited
        )

    def status(self, case: ResponsibilityCase) -> str:
        """In review while a task awaits an answer; then disputed if a task is; else settled."""
        states = {t.review_state for t in self.tasks.values()}
        if ReviewState.PENDING in states:
            return S.IN_REVIEW
        if ReviewState.DISPUTED in states:
            return S.DISPUTED
        return _settled_status(case)


def _answering_task(review: _Review, task: CaseTask, membership: Membership, field_name: str) -> None:
    """Refuse an answer on ``task`` by ``membership``'s organisation unless it is one still awaited."""
    organisation_id = membership.organisation_id
    if organisation_id not in review.parties[task.pk].may_answer:
        raise NotPermitted(
            _("%(organisation)s does not answer for %(task)s.")
            % {"organisation": membership.organisation, "task": task.task_type}
        )
    if task.review_state != ReviewState.PENDING or review.answered(task, organisation_id):
        raise ValidationError(
            {field_name: _("%(task)s has already been reviewed.") % {"task": task.task_type}}
        )


def _answer(
    actor: Actor,
    case: ResponsibilityCase,
    membership: Membership,
    task: CaseTask,
    answer: str,
    *,
    text: str = "",
    split: Split | PositionInput | None = None,
) -> TaskReview:
    return TaskReview.objects.create(
        case=case,
        task=task,
        organisation=membership.organisation,
        user=actor.user,
        role=membership.role,
        answer=answer,
        text=text,
        orders=split.orders if split is not None else None,
        performs=split.performs if split is not None else None,
        follows_up=split.follows_up if split is not None else None,
        arrangement=split.arrangement if split is not None else "",
        arrangement_note=split.arrangement_note if split is not None else "",
    )


def _agree(task: CaseTask, review: _Review, now: datetime.datetime) -> None:
    """Every party the task awaits has accepted: the task is agreed, on the split a reviewer stated
    (an unclear task) or else on the proposal."""
    stated = [
        r
        for r in review.answers.get(task.pk, {}).values()
        if r.answer == ReviewAnswer.ACCEPTED and r.performs_id is not None
    ]
    if stated:
        latest = max(stated, key=lambda r: (r.at, r.pk))
        task.agreed_orders, task.agreed_performs, task.agreed_follows_up = (
            latest.orders,
            latest.performs,
            latest.follows_up,
        )
        task.arrangement, task.arrangement_note = latest.arrangement, latest.arrangement_note
        task.agreed_basis = AgreedBasis.REVIEWER if task.is_unclear else AgreedBasis.PROPOSAL
    else:
        task.agreed_orders = _organisation_from_snapshot(task.proposal.get("orders"))
        task.agreed_performs = _organisation_from_snapshot(task.proposal.get("performs"))
        task.agreed_follows_up = _organisation_from_snapshot(task.proposal.get("follows_up"))
        task.arrangement, task.arrangement_note = "", ""
        task.agreed_basis = AgreedBasis.PROPOSAL
    task.review_state = ReviewState.ACCEPTED
    task.agreed_at = now
    task.save()


def _accept_answers(
    actor: Actor,
    case: ResponsibilityCase,
    membership: Membership,
    review: _Review,
    splits: Sequence[Split],
    facts: CaseFacts,
) -> list[dict[str, Any]]:
    physician_rule = physician_rule_on(timezone.localdate())
    answered: list[dict[str, Any]] = []
    for split in splits:
        task = _task(review.tasks, split.task, "tasks")
        _answering_task(review, task, membership, "tasks")
        if split.complete:
            orders, performs, follows_up = split.orders, split.performs, split.follows_up
            arrangement, arrangement_note = split.arrangement, split.arrangement_note
        elif task.is_unclear:
            raise StateConflictError(
                _(
                    "The responsibility for %(task)s is unclear: state who orders, performs and follows "
                    "it up, or dispute it."
                )
                % {"task": task.task_type},
                extra={"allowed": allowed_actions(actor, case, facts), "task": str(task.public_id)},
            )
        else:
            orders = _organisation_from_snapshot(task.proposal.get("orders"))
            performs = _organisation_from_snapshot(task.proposal.get("performs"))
            follows_up = _organisation_from_snapshot(task.proposal.get("follows_up"))
            arrangement, arrangement_note = "", ""
        split_check(
            task=task,
            orders=orders,
            performs=performs,
            follows_up=follows_up,
            arrangement=arrangement,
            arrangement_note=arrangement_note,
            field="tasks",
            physician_rule=physician_rule,
        )
        stated = split if split.complete else None
        review.record(_answer(actor, case, membership, task, ReviewAnswer.ACCEPTED, split=stated))
        answered.append({"task": str(task.public_id), "task_type": task.task_type.code})
    return answered


@transaction.atomic
def case_review(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    accept: Sequence[Split] = (),
    dispute: Sequence[PositionInput] = (),
    reason: str = "",
) -> ResponsibilityCase:
    """A party to the proposal answers for tasks it is party to, in one go: it accepts some (``accept``)
    and disputes others with its position on each (``dispute``).

    Each task is agreed once every party it awaits has accepted (on the proposal, or on the split a
    reviewer stated for an unclear task, which has no proposal to accept); a dispute by any party
    marks that task disputed. The case stays in review while a task awaits an answer; then it is
    disputed if a task is, and otherwise moves on to the risk analysis or is agreed.
    """
    case = _lock(case, expected_version)
    if not accept and not dispute:
        raise ValidationError({"tasks": _("Answer for at least one task.")})
    membership, facts = _authorise(actor, case, A.ACCEPT if accept else A.DISPUTE)
    if accept and dispute:
        _authorise(actor, case, A.DISPUTE)
    review = _Review.load(case)
    now = timezone.now()
    answered = _accept_answers(actor, case, membership, review, accept, facts)
    for item in dispute:
        task = _task(review.tasks, item.task, "positions")
        _answering_task(review, task, membership, "positions")
        review.record(_answer(actor, case, membership, task, ReviewAnswer.DISPUTED, text=item.text))
        task.review_state = ReviewState.DISPUTED
        task.save(update_fields=["review_state"])
    written = _positions(actor, case, membership, review.tasks, dispute) if dispute else []
    agreed = []
    for task in review.tasks.values():
        if task.review_state == ReviewState.PENDING and review.all_accepted(task):
            _agree(task, review, now)
            agreed.append(task)
    to_status = review.status(case)
    if accept:
        _move(
            actor,
            case,
            to_status=to_status,
            action=A.ACCEPT,
            membership=membership,
            kind=EventKind.ACCEPTED,
            reason=reason if not dispute else "",
            payload={
                "answered": answered,
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
                    for t in agreed
                ],
            },
            now=now,
        )
    if dispute:
        _move(
            actor,
            case,
            to_status=to_status,
            action=A.DISPUTE,
            membership=membership,
            kind=EventKind.DISPUTED,
            reason=reason,
            payload={"positions": written},
            now=now,
        )
    _save(actor, case, membership=membership)
    return case


def case_accept(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    splits: Sequence[Split] = (),
    reason: str = "",
) -> ResponsibilityCase:
    """A party to the proposal accepts it for the tasks named (every task still awaiting its answer if
    none); see ``case_review``."""
    if not splits:
        with transaction.atomic():
            locked = _lock(case, expected_version)
            membership, _facts = _authorise(actor, locked, A.ACCEPT)
            splits = [
                Split(task=t.public_id) for t in _Review.load(locked).pending_for(membership.organisation_id)
            ]
            return case_review(actor=actor, case=locked, expected_version=None, accept=splits, reason=reason)
    return case_review(
        actor=actor, case=case, expected_version=expected_version, accept=splits, reason=reason
    )


def _positions(
    actor: Actor,
    case: ResponsibilityCase,
    membership: Membership,
    tasks: dict[uuid.UUID, CaseTask],
    positions: Iterable[PositionInput],
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
        if task.review_state not in (ReviewState.DISPUTED, ReviewState.PENDING):
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


def case_dispute(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    positions: Sequence[PositionInput],
    reason: str = "",
) -> ResponsibilityCase:
    """A party disputes tasks it answers for, with its position on each; only those tasks are disputed
    (``case_review``). After MAS or MAR rejected the risk analysis, the kommun disputes the tasks the
    analysis covers instead (``case_dispute_after_rejection``)."""
    status = ResponsibilityCase.objects.filter(pk=case.pk).values_list("status", flat=True).first()
    if status == S.RISK_ANALYSIS:
        return case_dispute_after_rejection(
            actor=actor, case=case, expected_version=expected_version, positions=positions, reason=reason
        )
    return case_review(
        actor=actor, case=case, expected_version=expected_version, dispute=positions, reason=reason
    )


@transaction.atomic
def case_dispute_after_rejection(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    positions: Sequence[PositionInput],
    reason: str = "",
) -> ResponsibilityCase:
    """MAS or MAR rejected the risk analysis: instead of writing a new version, the kommun disputes the
    tasks it covers (their agreed split no longer stands) and the case is disputed, on its way to the
    escalation ladder."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.DISPUTE_AFTER_REJECTION)
    tasks = _tasks_by_public_id(case)
    if not positions:
        raise ValidationError({"positions": _("State a position on at least one task.")})
    for item in positions:
        task = _task(tasks, item.task, "positions")
        if not task.requires_risk_analysis or task.review_state not in (
            ReviewState.ACCEPTED,
            ReviewState.DECIDED,
        ):
            raise ValidationError(
                {"positions": _("The risk analysis does not cover %(task)s.") % {"task": task.task_type}}
            )
        TaskReview.objects.create(
            case=case,
            task=task,
            organisation=membership.organisation,
            user=actor.user,
            role=membership.role,
            answer=ReviewAnswer.DISPUTED,
            text=item.text,
        )
        task.review_state = ReviewState.DISPUTED
        task.agreed_orders = task.agreed_performs = task.agreed_follows_up = None
        task.agreed_basis, task.agreed_at = "", None
        task.save()
    written = _positions(actor, case, membership, tasks, positions)
    _move(
        actor,
        case,
        to_status=S.DISPUTED,
        action=A.DISPUTE_AFTER_REJECTION,
        membership=membership,
        kind=EventKind.DISPUTED,
        reason=reason,
        payload={"positions": written, "after_rejection": True},
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
    written = _positions(actor, case, membership, tasks, positions)
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
