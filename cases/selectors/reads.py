"""Reads of responsibility cases and their risk analyses. Each takes the acting person, applies
``access.cases`` and logs.

A case is patient data: every case read (and every case shown in a list) is written to the access log,
and a case the person may not see answers the same 404 as one that does not exist. A list is logged by
the function that returns its rows (``cases_listed``, ``cases_for_patient``, the work lists), one row
per case shown; each row is a ``Seen[ResponsibilityCase]`` that says whether the patient's identity may
be shown with it, decided by the patient rule as on the case page (``case_read``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import cases_seen, granting_membership, visible_cases_q
from access.legal_basis import objection_blocks, sharing_for
from access.patients import identity_visible_many
from access.seen import Seen
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ANALYSIS, RECORD_CASE, RECORD_TIMELINE
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation
from hemsjukvard.errors import NotPermitted
from patients.models import Patient

from ..models import (
    OPEN_STATUSES,
    CaseEvent,
    CaseTask,
    Notification,
    ResponsibilityCase,
    RiskAnalysis,
    TaskReview,
)


def _case_queryset() -> QuerySet[ResponsibilityCase]:
    return ResponsibilityCase.objects.select_related(
        "patient",
        "kommun",
        "vardcentral",
        "specialist_clinic",
        "stay_kommun",
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
            )
            .prefetch_related(
                Prefetch(
                    "reviews",
                    queryset=TaskReview.objects.select_related("organisation", "user").order_by("at", "pk"),
                )
            )
            .order_by("pk"),
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
    """Cases ``actor`` may see, filtered, unread: choose a page of it (``case_list_keys``) and show that
    page through ``cases_listed``, which loads and logs it."""
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

    A list page is chosen over this and then loaded with ``cases_listed``. At national scale the page
    query with ``_case_queryset``'s nine joins took ~40 ms to *plan* (and the sort of the wide rows
    started a parallel worker); over the cases table alone it plans in 0.2 ms and runs in 1.5 ms.
    """
    return cases.select_related(None).prefetch_related(None).only(*LIST_KEYS)


def cases_listed(
    *, actor: Actor, cases: QuerySet[ResponsibilityCase], ids: Sequence[int]
) -> list[Seen[ResponsibilityCase]]:
    """The cases ``ids`` of ``cases`` (a ``case_list``, so still only what the actor may see) as the
    actor sees them, in the order of ``ids``, each one logged as listed.

    Loaded as ``_case_queryset`` loads them but in five small queries (the cases with patient and opener,
    their tasks with task types, the parties' answers on them, and every organisation named, once), and
    one log write.
    """
    if not ids:
        return []
    # No open-enrolment annotation: the identity rule asks for it only when a patient on the page has
    # skyddad identitet (``access.cases.cases_seen``), and the subquery cost ~6 ms a page to compile.
    rows = (
        cases.select_related(None)
        .select_related("patient", "opened_by")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=CaseTask.objects.select_related("task_type")
                .prefetch_related(
                    Prefetch(
                        "reviews",
                        queryset=TaskReview.objects.select_related("organisation", "user").order_by(
                            "at", "pk"
                        ),
                    )
                )
                .order_by("pk"),
            )
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
    return cases_shown(actor, loaded)


_CASE_ORGANISATIONS = (
    "kommun",
    "vardcentral",
    "specialist_clinic",
    "escalation_body",
    "owner_organisation",
    "opened_by_organisation",
    "stay_kommun",
)
_TASK_ORGANISATIONS = ("agreed_orders", "agreed_performs", "agreed_follows_up")


def cases_shown(actor: Actor, cases: Sequence[ResponsibilityCase]) -> list[Seen[ResponsibilityCase]]:
    """``cases`` as ``actor`` sees them (``access.cases.cases_seen``), logged as listed in one write: one
    row per case shown. The one place a list of cases is logged."""
    shown = cases_seen(actor=actor, cases=cases)
    _log_shown(actor, shown)
    return shown


def _log_shown(actor: Actor, shown: Sequence[Seen[ResponsibilityCase]]) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=seen.obj.patient_id,
                record_type=RECORD_CASE,
                record_id=str(seen.obj.public_id),
                membership=seen.membership,
            )
            for seen in shown
        ],
        action=Action.LIST,
    )


def cases_for_patient(
    *, actor: Actor, patient: Seen[Patient], limit: int = 50
) -> list[Seen[ResponsibilityCase]]:
    """The open cases of a patient read through ``patient_get``, newest first (at most ``limit``), as
    ``actor`` sees them, each one logged as listed. Each row shows the patient's identity exactly when
    the patient's page does."""
    cases = list(case_list(actor=actor).filter(patient_id=patient.obj.pk, status__in=OPEN_STATUSES)[:limit])
    shown = []
    for case in cases:
        membership = granting_membership(actor, case)
        if membership is not None:
            shown.append(Seen(obj=case, membership=membership, identity_visible=patient.identity_visible))
    _log_shown(actor, shown)
    return shown


def _deny(actor: Actor, *, patient_id: int | None, record_type: str, record_id: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=record_type, record_id=record_id)],
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return Http404(_("No case found."))


def _checked(
    actor: Actor, public_id: uuid.UUID | str, *, record_type: str, log: bool
) -> tuple[ResponsibilityCase, Membership]:
    """The case and the membership through which ``actor`` sees it; the read (or the denied attempt)
    logged; 404 when there is no such case or they may not see it."""
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
    if objection_blocks(actor, case):
        # A read the care relationship would allow, refused because the person objects to it.
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
            outcome=Outcome.DENIED,
            purpose=Purpose.OBJECTION,
        )
        raise Http404(_("No case found."))
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
    return case, membership


def case_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    record_type: str = RECORD_CASE,
    log: bool = True,
) -> ResponsibilityCase:
    """One case, if ``actor`` may see it; logs the read (or the denied attempt) either way.

    For what acts on the case or prints it; a page that shows it to the person reads it with
    ``case_read``, which also says whether the patient's identity may be shown.
    """
    case, _membership = _checked(actor, public_id, record_type=record_type, log=log)
    return case


def case_get_by_number(*, actor: Actor, number: str) -> ResponsibilityCase:
    """The case with the human number ``number`` (``HSV-2026-000123``, any case of letters), as
    ``case_get`` reads it: 404 for a number that names no case, as for a case the person may not see."""
    found = (
        ResponsibilityCase.objects.filter(number=number.strip().upper())
        .values_list("public_id", flat=True)
        .first()
    )
    if found is None:
        raise Http404(_("No case found."))
    return case_get(actor=actor, public_id=found)


def case_read(
    *, actor: Actor, public_id: uuid.UUID | str, record_type: str = RECORD_CASE
) -> Seen[ResponsibilityCase]:
    """One case as ``actor`` sees it (``case_get``, logged the same way), with whether its patient's
    identity may be shown: the patient rule, as for every row of a list of cases."""
    case, membership = _checked(actor, public_id, record_type=record_type, log=True)
    visible = identity_visible_many(actor=actor, patients=[case.patient])[case.patient_id]
    # Without a legal basis for sharing, only the opener's organisation sees who the case is about.
    shared = sharing_for(actor, case).health
    return Seen(obj=case, membership=membership, identity_visible=visible and shared)


def case_events(*, case: ResponsibilityCase) -> list[CaseEvent]:
    """The timeline of a case already read through ``case_get`` or ``case_read`` (which checked access
    and logged the read), oldest first."""
    return list(
        CaseEvent.objects.filter(case=case).select_related("user", "organisation").order_by("at", "pk")
    )


def case_timeline(*, actor: Actor, public_id: uuid.UUID | str) -> tuple[ResponsibilityCase, list[CaseEvent]]:
    """A case's timeline, oldest first; the read is logged as a read of the timeline."""
    case = case_get(actor=actor, public_id=public_id, record_type=RECORD_TIMELINE)
    return case, case_events(case=case)


def analyses_check_shared(actor: Actor, case: ResponsibilityCase) -> None:
    """Refuse the risk analyses of a case that are not shared with ``actor`` (``access.legal_basis``):
    no valid legal basis, or a spärr on them."""
    if not sharing_for(actor, case).analyses:
        raise NotPermitted(
            _(
                "The case's risk analyses are not shared with your organisation: there is no valid legal "
                "basis for sharing, or they are under a spärr. Ask the organisation that opened the case."
            ),
            code="not_shared",
        )


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
    """All versions of a case's risk analysis, newest first; the read is logged as one of the analysis."""
    case = case_get(actor=actor, public_id=public_id, record_type=RECORD_ANALYSIS)
    analyses_check_shared(actor, case)
    return case, risk_analyses(case=case)


def risk_analyses(*, case: ResponsibilityCase) -> list[RiskAnalysis]:
    """All versions of the risk analysis of a case already read with ``record_type=RECORD_ANALYSIS``
    (``case_read`` or ``case_get``, which checked access and logged the read), newest first."""
    return list(_analysis_queryset().filter(case=case).order_by("-number"))


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
    analyses_check_shared(actor, case)
    analysis = _analysis_queryset().get(public_id=key)
    analysis.case = case
    return analysis


def notifications_unread(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's own unread notifications; they name a case but carry no patient data."""
    return (
        Notification.objects.filter(user=actor.user, read_at__isnull=True)
        .select_related("case", "organisation")
        .order_by("-created_at", "-pk")
    )


def notifications_all(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's own notifications, read and unread, newest first."""
    return (
        Notification.objects.filter(user=actor.user)
        .select_related("case", "organisation")
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


def case_reload(*, case: ResponsibilityCase) -> ResponsibilityCase:
    """The case as stored now, for answering the person who just changed it.

    No access check and no log row: the service that wrote checked and logged. The person may no
    longer see the case afterwards (a body after its decision), yet must see what they did.
    """
    return _case_queryset().get(pk=case.pk)


def risk_analysis_reload(*, analysis: RiskAnalysis) -> RiskAnalysis:
    return _analysis_queryset().select_related("case").get(pk=analysis.pk)
