"""Reads of responsibility cases. Each takes the acting person, applies ``cases.access`` and logs.

A case is patient data: every case read (and every case shown in a list) is written to the access log,
and a case the person may not see answers the same 404 as one that does not exist.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import ApproverRole
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ANALYSIS, RECORD_TIMELINE
from audit.records import RECORD_CASE as RECORD_CASE  # re-exported: cases.services reads it here
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation, Role
from directory.models import User as DirectoryUser

from .access import granting_membership, visible_cases_q
from .models import (
    OPEN_STATUSES,
    AnalysisDecision,
    AnalysisStatus,
    AnalysisVerdict,
    CaseEvent,
    CaseTask,
    Notification,
    ResponsibilityCase,
    RiskAnalysis,
)
from .policies import CaseFacts

APPROVER_FOR_KIND = {"rehab": Role.MAR}


def _case_queryset() -> QuerySet[ResponsibilityCase]:
    return ResponsibilityCase.objects.select_related(
        "patient",
        "kommun",
        "vardcentral",
        "specialist_clinic",
        "escalation_body",
        "owner_organisation",
        "opened_by",
        "opened_by_organisation",
        "agreement_version",
    ).prefetch_related(
        Prefetch(
            "tasks",
            queryset=CaseTask.objects.select_related(
                "task_type", "agreed_orders", "agreed_performs", "agreed_follows_up"
            ).order_by("pk"),
        )
    )


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    kommun: uuid.UUID | None = None
    vardcentral: uuid.UUID | None = None
    task_type: str = ""
    overdue: bool | None = None


def case_list(*, actor: Actor, filters: CaseFilters | None = None) -> QuerySet[ResponsibilityCase]:
    """Cases ``actor`` may see, filtered; log what is shown with ``cases_log_listed``."""
    filters = filters or CaseFilters()
    queryset = _case_queryset().filter(visible_cases_q(actor))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kommun:
        queryset = queryset.filter(kommun__public_id=filters.kommun)
    if filters.vardcentral:
        queryset = queryset.filter(vardcentral__public_id=filters.vardcentral)
    if filters.task_type:
        queryset = queryset.filter(
            Exists(CaseTask.objects.filter(case=OuterRef("pk"), task_type__code=filters.task_type))
        )
    if filters.overdue is not None:
        overdue = {"status__in": OPEN_STATUSES, "due_at__lt": timezone.now()}
        queryset = queryset.filter(**overdue) if filters.overdue else queryset.exclude(**overdue)
    return queryset.order_by("-created_at", "-pk")


LIST_KEYS = ("pk", "created_at", "updated_at", "due_at")


def case_list_keys(cases: QuerySet[ResponsibilityCase]) -> QuerySet[ResponsibilityCase]:
    """``cases`` (a ``case_list``) narrowed to the columns a page is chosen by: id and the orderings.

    A list page is chosen over this and then loaded with ``case_list_rows``. At national scale the page
    query with ``_case_queryset``'s nine joins took ~40 ms to *plan* (and the sort of the wide rows
    started a parallel worker); over the cases table alone it plans in 0.2 ms and runs in 1.5 ms.
    """
    return cases.select_related(None).prefetch_related(None).only(*LIST_KEYS)


def case_list_rows(*, cases: QuerySet[ResponsibilityCase], ids: Sequence[int]) -> list[ResponsibilityCase]:
    """The cases ``ids`` of ``cases`` (a ``case_list``, so still only what the actor may see), in the
    order of ``ids``, loaded as ``_case_queryset`` loads them but in four small queries: the cases with
    patient and opener, their tasks with task types, and every organisation named, once.
    """
    if not ids:
        return []
    rows = (
        cases.select_related(None)
        .select_related("patient", "opened_by")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("tasks", queryset=CaseTask.objects.select_related("task_type").order_by("pk"))
        )
        .filter(pk__in=list(ids))
        .order_by()
    )
    by_pk = {case.pk: case for case in rows}
    loaded = [by_pk[pk] for pk in ids if pk in by_pk]
    named: set[int | None] = set()
    for case in loaded:
        named.update(getattr(case, f"{name}_id") for name in _CASE_ORGANISATIONS)
        for task in case.tasks.all():
            named.update(getattr(task, f"{name}_id") for name in _TASK_ORGANISATIONS)
    organisations = Organisation.objects.in_bulk([pk for pk in named if pk is not None])
    for case in loaded:
        for name in _CASE_ORGANISATIONS:
            setattr(case, name, organisations.get(getattr(case, f"{name}_id")))
        for task in case.tasks.all():
            for name in _TASK_ORGANISATIONS:
                setattr(task, name, organisations.get(getattr(task, f"{name}_id")))
    return loaded


_CASE_ORGANISATIONS = (
    "kommun",
    "vardcentral",
    "specialist_clinic",
    "escalation_body",
    "owner_organisation",
    "opened_by_organisation",
)
_TASK_ORGANISATIONS = ("agreed_orders", "agreed_performs", "agreed_follows_up")


def cases_log_listed(*, actor: Actor, cases: list[ResponsibilityCase]) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=case.patient_id,
                record_type=RECORD_CASE,
                record_id=str(case.public_id),
                membership=granting_membership(actor, case),
            )
            for case in cases
        ],
        action=Action.LIST,
    )


def _deny(actor: Actor, *, patient_id: int | None, record_type: str, record_id: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=record_type, record_id=record_id)],
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return Http404(_("No case found."))


def case_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    record_type: str = RECORD_CASE,
    log: bool = True,
) -> ResponsibilityCase:
    """One case, if ``actor`` may see it; logs the read (or the denied attempt) either way."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No case found.")) from None
    case = _case_queryset().filter(public_id=key).first()
    if case is None:
        raise _deny(actor, patient_id=None, record_type=record_type, record_id=str(key))
    membership = granting_membership(actor, case)
    if membership is None:
        raise _deny(actor, patient_id=case.patient_id, record_type=record_type, record_id=str(key))
    case.granted_by = membership  # type: ignore[attr-defined]
    if log:
        access_log_record(
            actor=actor,
            accesses=[
                Access(
                    patient_id=case.patient_id,
                    record_type=record_type,
                    record_id=str(key),
                    membership=membership,
                )
            ],
            action=Action.READ,
        )
    return case


def case_timeline(*, actor: Actor, public_id: uuid.UUID | str) -> tuple[ResponsibilityCase, list[CaseEvent]]:
    case = case_get(actor=actor, public_id=public_id, record_type=RECORD_TIMELINE)
    events = list(
        CaseEvent.objects.filter(case=case).select_related("user", "organisation").order_by("at", "pk")
    )
    return case, events


def _analysis_queryset() -> QuerySet[RiskAnalysis]:
    return RiskAnalysis.objects.select_related("created_by", "organisation", "case").prefetch_related(
        "hazards",
        "measures__owner_organisation",
        "signatures__user",
        "signatures__organisation",
        "decisions__user",
        "decisions__organisation",
    )


def risk_analyses_for_case(
    *, actor: Actor, public_id: uuid.UUID | str
) -> tuple[ResponsibilityCase, list[RiskAnalysis]]:
    """All versions of a case's risk analysis, newest first."""
    case = case_get(actor=actor, public_id=public_id, record_type=RECORD_ANALYSIS)
    return case, list(_analysis_queryset().filter(case=case).order_by("-number"))


def risk_analysis_get(*, actor: Actor, public_id: uuid.UUID | str) -> RiskAnalysis:
    """One risk-analysis version, if ``actor`` may see its case (logged like a case read)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No risk analysis found.")) from None
    case_public_id = (
        RiskAnalysis.objects.filter(public_id=key).values_list("case__public_id", flat=True).first()
    )
    if case_public_id is None:
        raise _deny(actor, patient_id=None, record_type=RECORD_ANALYSIS, record_id=str(key))
    case = case_get(actor=actor, public_id=case_public_id, record_type=RECORD_ANALYSIS)
    analysis = _analysis_queryset().get(public_id=key)
    analysis.case = case
    return analysis


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


def case_facts(case: ResponsibilityCase) -> CaseFacts:
    """What the transition guards need to know about ``case`` (see ``policies.CaseFacts``)."""
    return case_facts_many([case])[case.pk]


def case_facts_many(cases: Sequence[ResponsibilityCase]) -> dict[int, CaseFacts]:
    """``case_facts`` for many cases (a list page) in at most three queries, however many cases.

    The cases' tasks must be loaded with their task types (``_case_queryset`` prefetches them).
    """
    needing = {case.pk: [t for t in case.tasks.all() if t.requires_risk_analysis] for case in cases}
    needing = {pk: tasks for pk, tasks in needing.items() if tasks}
    facts: dict[int, CaseFacts] = {case.pk: CaseFacts() for case in cases}
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
    for analysis_pk, case_pk, number, status in RiskAnalysis.objects.filter(
        case_id__in=list(needing)
    ).values_list("pk", "case_id", "number", "status"):
        if case_pk not in current or number > current[case_pk][1]:
            current[case_pk] = (analysis_pk, number, status)
    decided = [
        analysis_pk
        for analysis_pk, _number, status in current.values()
        if status in (AnalysisStatus.SIGNED, AnalysisStatus.APPROVED)
    ]
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
            informs_mas=informs_mas,
        )
    return facts


def notifications_unread(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's own unread notifications; they name a case but carry no patient data."""
    return (
        Notification.objects.filter(user=actor.user, read_at__isnull=True)
        .select_related("case")
        .order_by("-created_at", "-pk")
    )


def notification_get(*, actor: Actor, public_id: uuid.UUID | str) -> Notification:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No notification found.")) from None
    notification = Notification.objects.filter(public_id=key, user=actor.user).first()
    if notification is None:
        raise Http404(_("No notification found."))
    return notification


def deadline_recipients(case: ResponsibilityCase) -> list[DirectoryUser]:
    """The owner of the running deadline and the coordinators of the owner's organisation."""
    if case.owner_organisation_id is None:
        return []
    roles: set[str] = {Role.COORDINATOR}
    if case.owner_role:
        roles.add(case.owner_role)
    user_ids = (
        Membership.objects.active(timezone.localdate())
        .filter(organisation_id=case.owner_organisation_id, role__in=roles)
        .values_list("user_id", flat=True)
    )
    return list(DirectoryUser.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def case_reload(*, case: ResponsibilityCase) -> ResponsibilityCase:
    """The case as stored now, for answering the person who just changed it.

    No access check and no log row: the service that wrote checked and logged. The person may no
    longer see the case afterwards (a body after its decision), yet must see what they did.
    """
    return _case_queryset().get(pk=case.pk)


def risk_analysis_reload(*, analysis: RiskAnalysis) -> RiskAnalysis:
    return _analysis_queryset().select_related("case").get(pk=analysis.pk)
