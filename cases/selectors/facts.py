"""What the transition guards and the deadline reminders need to know about cases: reads the system
makes for itself (no actor, no access log), over cases a selector or a service has already loaded."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace

from django.db.models import Q
from django.utils import timezone

from agreements.choices import ApproverRole
from directory.models import Membership, Organisation, OrganisationKind, Role
from directory.models import User as DirectoryUser

from ..models import (
    AnalysisDecision,
    AnalysisStatus,
    AnalysisVerdict,
    CaseStatus,
    CaseTask,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    Signature,
    TaskReview,
)
from ..policies import CaseFacts, TaskParties, reviewer_roles, task_parties
from ..transitions import Party
from .levels import level_facts_many

APPROVER_FOR_KIND = {"rehab": Role.MAR}


def mar_vacant(*, kommun_id: int, on: datetime.date | None = None) -> bool:
    """Whether the kommun has no MAR today; MAS then decides on rehabilitation (domain §2)."""
    day = on or timezone.localdate()
    return (
        not Membership.objects.active(day)
        .filter(organisation_id=kommun_id, role=Role.MAR, user__is_active=True)
        .exists()
    )


def current_analysis(case: ResponsibilityCase) -> RiskAnalysis | None:
    return RiskAnalysis.objects.filter(case=case).order_by("-number").first()


def analysis_signer_party(case: ResponsibilityCase, tasks: Sequence[CaseTask]) -> str:
    """Whose physician signs the risk analysis of ``tasks``: the one who orders them (domain §9).

    The specialist clinic where a task needs the specialist's active role, or where the clinic orders a
    task the analysis covers (as agreed, or as proposed before the split is agreed); otherwise the
    patient's listed vårdcentral.
    """
    clinic = case.specialist_clinic_id
    if clinic is None:
        return Party.VARDCENTRAL
    for task in tasks:
        if task.specialist_active_role_required:
            return Party.CLINIC
        orders = task.agreed_orders_id
        if orders is None:
            proposed = ((task.proposal or {}).get("orders") or {}).get("organisation") or {}
            if proposed.get("kind") == OrganisationKind.SPECIALIST_CLINIC:
                return Party.CLINIC
        elif orders == clinic:
            return Party.CLINIC
    return Party.VARDCENTRAL


PROPOSAL_PARTS = ("orders", "performs", "follows_up")


def _named_public_ids(task: CaseTask) -> list[str]:
    proposal = task.proposal or {}
    return [
        proposal[part]["organisation"]["id"]
        for part in PROPOSAL_PARTS
        if (proposal.get(part) or {}).get("organisation")
    ]


def task_parties_many(cases: Sequence[ResponsibilityCase]) -> dict[int, TaskParties]:
    """Who answers for each task of ``cases`` (``policies.task_parties``), by task pk, in one query.

    The cases' tasks must be loaded (``case.tasks.all()``).
    """
    return task_parties_for([(case, list(case.tasks.all())) for case in cases])


def task_parties_for(
    cases: Sequence[tuple[ResponsibilityCase, Sequence[CaseTask]]],
) -> dict[int, TaskParties]:
    """``task_parties_many`` for tasks given with their case; the organisations come from the
    proposal as it was made at submit."""
    tasks = [(case, task) for case, loaded in cases for task in loaded]
    public_ids = {pid for _case, task in tasks for pid in _named_public_ids(task)}
    # A private performer (LOV/LOU) performs for its kommun, which stays the principal (huvudman) and so
    # answers for the performer's part of a case; the kommun where the person stays answers for what the
    # proposal asks of it (agreements/README.md, "Kommun of stay"); any other kommun named is answered
    # for by the case's own kommun.
    rows = (
        Organisation.objects.filter(public_id__in=public_ids).values_list(
            "public_id", "pk", "kind", "kommun_id"
        )
        if public_ids
        else []
    )
    by_public_id = {
        str(public_id): (kommun_id if kind == OrganisationKind.PRIVATE_PERFORMER and kommun_id else pk, kind)
        for public_id, pk, kind, kommun_id in rows
    }

    def answering(case: ResponsibilityCase, public_id: str) -> int | None:
        found = by_public_id.get(public_id)
        if found is None:
            return None
        pk, kind = found
        if kind == OrganisationKind.KOMMUN and pk != case.stay_kommun_id:
            return case.kommun_id
        return pk

    return {
        task.pk: task_parties(
            named=[answering(case, pid) for pid in _named_public_ids(task)],
            unclear=task.is_unclear,
            kommun_id=case.kommun_id,
            vardcentral_id=case.vardcentral_id,
        )
        for case, task in tasks
    }


def task_answers_many(task_ids: Sequence[int]) -> dict[int, dict[int, TaskReview]]:
    """The latest answer of each party on each task (by task pk, then organisation pk)."""
    answers: dict[int, dict[int, TaskReview]] = {}
    if not task_ids:
        return answers
    for review in TaskReview.objects.filter(task_id__in=list(task_ids)).order_by("at", "pk"):
        answers.setdefault(review.task_id, {})[review.organisation_id] = review
    return answers


def _answering(
    cases: Sequence[ResponsibilityCase],
) -> tuple[dict[int, frozenset[int]], dict[int, frozenset[int]]]:
    """For each case in review: the organisations with a task they may still answer for, and of those
    the ones whose acceptance a task still needs."""
    in_review = [case for case in cases if case.status == CaseStatus.IN_REVIEW]
    if not in_review:
        return {}, {}
    parties = task_parties_many(in_review)
    pending = [
        task for case in in_review for task in case.tasks.all() if task.review_state == ReviewState.PENDING
    ]
    answers = task_answers_many([t.pk for t in pending])
    answering: dict[int, set[int]] = {case.pk: set() for case in in_review}
    awaited: dict[int, set[int]] = {case.pk: set() for case in in_review}
    for task in pending:
        answered = set(answers.get(task.pk, {}))
        answering[task.case_id] |= parties[task.pk].may_answer - answered
        awaited[task.case_id] |= parties[task.pk].awaited - answered
    return (
        {pk: frozenset(orgs) for pk, orgs in answering.items()},
        {pk: frozenset(orgs) for pk, orgs in awaited.items()},
    )


def case_facts(case: ResponsibilityCase) -> CaseFacts:
    """What the transition guards need to know about ``case`` (see ``policies.CaseFacts``)."""
    return case_facts_many([case])[case.pk]


def case_facts_many(cases: Sequence[ResponsibilityCase]) -> dict[int, CaseFacts]:
    """``case_facts`` for many cases: the risk analysis's facts and the escalation level's."""
    facts = _analysis_facts_many(cases)
    levels = level_facts_many(cases)
    return {pk: replace(f, level=levels[pk]) if pk in levels else f for pk, f in facts.items()}


def _analysis_facts_many(cases: Sequence[ResponsibilityCase]) -> dict[int, CaseFacts]:
    """The review's and the risk analysis's facts for many cases (a list page) in at most five queries.

    The cases' tasks must be loaded with their task types (``_case_queryset`` prefetches them).
    """
    needing = {case.pk: [t for t in case.tasks.all() if t.requires_risk_analysis] for case in cases}
    needing = {pk: tasks for pk, tasks in needing.items() if tasks}
    answering, awaited = _answering(cases)
    facts: dict[int, CaseFacts] = {
        case.pk: CaseFacts(
            answering=answering.get(case.pk, frozenset()), awaited=awaited.get(case.pk, frozenset())
        )
        for case in cases
    }
    if not needing:
        return facts
    by_pk = {case.pk: case for case in cases}

    def role_of(task: CaseTask) -> str:
        return task.approver_role or APPROVER_FOR_KIND.get(task.task_type.kind, Role.MAS)

    mar_kommuner = {
        by_pk[pk].kommun_id for pk, tasks in needing.items() if any(role_of(t) == Role.MAR for t in tasks)
    }
    with_mar: set[int] = set()
    if mar_kommuner:
        with_mar = set(
            Membership.objects.active(timezone.localdate())
            .filter(organisation_id__in=mar_kommuner, role=Role.MAR, user__is_active=True)
            .values_list("organisation_id", flat=True)
        )
    # The current (highest-numbered) analysis of each case, and the approvals recorded on it.
    current: dict[int, tuple[int, int, str]] = {}
    authors: dict[int, int | None] = {}
    for analysis_pk, case_pk, number, status, author in RiskAnalysis.objects.filter(
        case_id__in=list(needing)
    ).values_list("pk", "case_id", "number", "status", "created_by_id"):
        if case_pk not in current or number > current[case_pk][1]:
            current[case_pk] = (analysis_pk, number, status)
            authors[analysis_pk] = author
    decided = [
        analysis_pk
        for analysis_pk, _number, status in current.values()
        if status in (AnalysisStatus.SIGNED, AnalysisStatus.APPROVED)
    ]
    # Who wrote or signed an analysis waiting for approval: they are not its second pair of eyes.
    hands: dict[int, set[int]] = {}
    awaiting = [pk for pk, _number, status in current.values() if status == AnalysisStatus.SIGNED]
    for pk in awaiting:
        written_by = authors.get(pk)
        if written_by is not None:
            hands.setdefault(pk, set()).add(written_by)
    if awaiting:
        for analysis_pk, user_pk in Signature.objects.filter(analysis_id__in=awaiting).values_list(
            "analysis_id", "user_id"
        ):
            hands.setdefault(analysis_pk, set()).add(user_pk)
    given: dict[int, set[str]] = {}
    if decided:
        for analysis_pk, for_role in AnalysisDecision.objects.filter(
            analysis_id__in=decided, verdict=AnalysisVerdict.APPROVED
        ).values_list("analysis_id", "for_role"):
            given.setdefault(analysis_pk, set()).add(for_role)
    for case_pk, tasks in needing.items():
        case = by_pk[case_pk]
        needed: dict[str, str] = {}
        informs_mas = False
        for task in tasks:
            role = role_of(task)
            if role == ApproverRole.INFORMED:
                informs_mas = True  # nobody approves; MAS is informed when the analysis is signed
                continue
            by = role
            if role == Role.MAR:
                by = Role.MAR if case.kommun_id in with_mar else Role.MAS
            needed[role] = by
        analysis = current.get(case_pk)
        facts[case_pk] = CaseFacts(
            approvals_needed=needed,
            approvals_given=frozenset(given.get(analysis[0], set())) if analysis else frozenset(),
            specialist_must_sign=any(t.specialist_active_role_required for t in tasks),
            signer_party=analysis_signer_party(case, tasks),
            informs_mas=informs_mas,
            analysis_hands=frozenset(hands.get(analysis[0], set())) if analysis else frozenset(),
            answering=answering.get(case_pk, frozenset()),
            awaited=awaited.get(case_pk, frozenset()),
            analysis_rejected=(
                case.status == CaseStatus.RISK_ANALYSIS
                and analysis is not None
                and analysis[2] == AnalysisStatus.REJECTED
            ),
        )
    return facts


def deadline_recipients(case: ResponsibilityCase) -> list[DirectoryUser]:
    """The owner of the running deadline and the coordinators of the owner's organisation; in review,
    every party whose answer a task still awaits (and its coordinators), not only the vårdcentral."""
    if case.owner_organisation_id is None:
        return []
    roles: set[str] = {Role.COORDINATOR}
    if case.owner_role:
        roles.add(case.owner_role)
    wanted = Q(organisation_id=case.owner_organisation_id, role__in=roles)
    if case.status == CaseStatus.IN_REVIEW:
        for organisation_id in case_facts(case).awaited:
            answering = reviewer_roles(
                organisation_id,
                kommun_id=case.kommun_id,
                vardcentral_id=case.vardcentral_id,
                clinic_id=case.specialist_clinic_id,
            )
            wanted |= Q(organisation_id=organisation_id, role__in={*answering, Role.COORDINATOR})
    user_ids = (
        Membership.objects.active(timezone.localdate()).filter(wanted).values_list("user_id", flat=True)
    )
    return list(DirectoryUser.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


ASSIGNABLE_REGION_KINDS = (OrganisationKind.SPECIALIST_CLINIC, OrganisationKind.MOBILE_TEAM)


def assignable_organisations(case: ResponsibilityCase) -> list[Organisation]:
    """Every organisation a split on ``case`` may name (in a review, a position or a decision).

    The case's parties (kommun, kommun of stay, listed vårdcentral, specialist clinic), the organisations its
    proposals named, the region itself, and the region's specialist clinics and mobile teams (ASIH
    among them), which the agreement's rules may assign even where the case names none of them.
    """
    ids: list[int | None] = [
        case.kommun_id,
        case.stay_kommun_id,
        case.vardcentral_id,
        case.specialist_clinic_id,
    ]
    named = [pid for task in case.tasks.all() for pid in _named_public_ids(task)]
    region_id = Organisation.objects.filter(pk=case.kommun_id).values_list("region_id", flat=True).first()
    found = Organisation.objects.filter(
        Q(pk__in=[i for i in ids if i is not None])
        | Q(public_id__in=named)
        | Q(pk=region_id)
        | Q(region_id=region_id, kind__in=ASSIGNABLE_REGION_KINDS, is_active=True)
    )
    first = {pk: n for n, pk in enumerate(i for i in ids if i is not None)}
    return sorted(
        found, key=lambda o: (first.get(o.pk, len(first)), o.kind != OrganisationKind.REGION, o.name)
    )
