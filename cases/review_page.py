"""The review on a case's page: who answers for each task, what each party answered, and which tasks
await the person reading the page (``policies.task_parties``, ``TaskReview``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from directory.actor import Actor
from directory.models import Organisation, User

from . import selectors
from .models import CaseStatus, CaseTask, ResponsibilityCase, ReviewState, TaskReview
from .policies import acting_membership
from .presenters import task_name
from .transitions import A, transition_for


@dataclass(frozen=True)
class PartyAnswer:
    organisation: Organisation
    answer: str  # "" while awaited
    answer_label: str
    by: User | None
    role: str
    text: str
    at: object | None
    awaited: bool


@dataclass
class ReviewRow:
    task: CaseTask
    name: str
    parties: list[PartyAnswer] = field(default_factory=list)


def review_rows(case: ResponsibilityCase) -> list[ReviewRow]:
    """Per task: every party to it, with its answer (or that it is awaited), in the proposal's order."""
    if case.status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED):
        return []
    tasks = list(case.tasks.all())
    parties = selectors.task_parties_for([(case, tasks)])
    answers = selectors.task_answers_many([t.pk for t in tasks])
    ids = {org for p in parties.values() for org in p.may_answer}
    ids |= {org for given in answers.values() for org in given}
    organisations = Organisation.objects.in_bulk(list(ids))
    rows = []
    for task in tasks:
        given = answers.get(task.pk, {})
        awaited = parties[task.pk].awaited
        shown = sorted(awaited | set(given), key=lambda pk: (pk not in awaited, organisations[pk].name))
        row = ReviewRow(task=task, name=task_name(task.task_type))
        for pk in shown:
            review: TaskReview | None = given.get(pk)
            row.parties.append(
                PartyAnswer(
                    organisation=organisations[pk],
                    answer=review.answer if review else "",
                    answer_label=str(review.get_answer_display()) if review else "",
                    by=review.user if review else None,
                    role=review.role if review else "",
                    text=review.text if review else "",
                    at=review.at if review else None,
                    awaited=pk in awaited and review is None and task.review_state == ReviewState.PENDING,
                )
            )
        rows.append(row)
    return rows


def tasks_awaiting(actor: Actor, case: ResponsibilityCase) -> list[CaseTask]:
    """The tasks ``actor``'s organisation may still answer for (accept or dispute), in task order."""
    membership = acting_membership(actor, case, transition_for(A.ACCEPT), selectors.case_facts(case))
    if membership is None or case.status != CaseStatus.IN_REVIEW:
        return []
    tasks = [t for t in case.tasks.all() if t.review_state == ReviewState.PENDING]
    parties = selectors.task_parties_for([(case, tasks)])
    answers = selectors.task_answers_many([t.pk for t in tasks])
    organisation = membership.organisation_id
    return [
        t
        for t in tasks
        if organisation in parties[t.pk].may_answer and organisation not in answers.get(t.pk, {})
    ]


def tasks_analysed(case: ResponsibilityCase) -> list[CaseTask]:
    """The agreed tasks a rejected risk analysis covers: what the kommun may dispute after a rejection."""
    return [
        t
        for t in case.tasks.all()
        if t.requires_risk_analysis and t.review_state in (ReviewState.ACCEPTED, ReviewState.DECIDED)
    ]
