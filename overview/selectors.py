"""The patient overview, as one person may see it: the patient's cases, plans, risk analyses, registers
and enrolments, the dates coming up, and one timeline of what happened.

One read, logged once: the patient through ``patients.selectors.patient_get`` (the access rule; a patient
the person may not see is the same 404 as one that does not exist, and the denied attempt is logged), as
a read of the overview (``RECORD_OVERVIEW``, purpose: the care relationship). Every part keeps its own
rule, so the overview never shows more than the records' own pages would:

* cases by ``access.cases.visible_cases_q``: a case of an organisation the person may not open is not
  shown, dated, counted or hinted at; its risk analyses, re-reviews and linked delegations neither;
* SIPs by ``access.sips``: seen with the patient, but after a withdrawn consent only the organisation
  that keeps the plan sees its content, dates and history (the others see the withdrawal);
* competence transfers and delegations by ``competence.policies``, and only those about the task types
  of the cases shown (transfers to the unit that performs them, delegations linked to their tasks).

The number of queries is fixed, whatever the number of records (``tests/overview``); the timeline reads
at most ``page × page_size`` rows of each source.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import visible_cases_q
from access.seen import Seen
from access.sips import sip_ids_shared_with
from audit.records import RECORD_OVERVIEW
from cases.models import (
    ANALYSIS_IN_EFFECT,
    OPEN_STATUSES,
    AnalysisDecision,
    AnalysisVerdict,
    CaseEvent,
    CaseStatus,
    CaseTask,
    EventKind,
    ResponsibilityCase,
    RiskAnalysis,
)
from competence import policies as competence_policies
from competence.models import CompetenceTransfer, Delegation, ReReview
from directory.actor import Actor
from patients.models import Enrolment, Patient
from patients.selectors import patient_get
from sip.models import Sip, SipEvent, SipEventKind, SipStatus, SipVersion, VersionStatus

PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 50
# The timeline reads ``page × page_size`` rows of each source: deeper pages are refused, not slow.
MAX_PAGE: Final = 50
# Cases and plans shown; a patient has a handful, this only bounds the unusual.
RECORDS_MAX: Final = 200
# An expiry that passed this long ago is history, not a coming date.
EXPIRED_SHOWN_DAYS: Final = 30


class Kind:
    """What a coming date or a timeline entry is about; the API's ``kind`` values and the page's links."""

    CASE = "case"
    SIP = "sip"
    RISK_ANALYSIS = "risk_analysis"
    RE_REVIEW = "re_review"
    COMPETENCE_TRANSFER = "competence_transfer"
    DELEGATION = "delegation"
    ENROLMENT = "enrolment"


@dataclass(frozen=True)
class CaseRow:
    case: ResponsibilityCase
    task_names: list[str]
    next_deadline: datetime.date | None

    @property
    def is_open(self) -> bool:
        return self.case.status in OPEN_STATUSES


@dataclass(frozen=True)
class SipRow:
    """A plan; ``shared`` false: consent was withdrawn and the person is outside the keeping organisation,
    so versions and dates are not shown."""

    sip: Sip
    shared: bool
    versions: int
    latest_finalised: int | None
    next_follow_up: datetime.date | None


@dataclass(frozen=True)
class AnalysisRow:
    analysis: RiskAnalysis
    case: ResponsibilityCase
    re_reviews: list[ReReview]


@dataclass(frozen=True)
class ComingDate:
    on: datetime.date
    kind: str
    what: str
    reference: str
    record_id: uuid.UUID
    case_id: uuid.UUID | None = None

    @property
    def overdue(self) -> bool:
        return self.on < timezone.localdate()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    what: str
    detail: str
    reference: str
    record_id: uuid.UUID
    case_id: uuid.UUID | None = None
    organisation: str = ""
    person: str = ""


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    page_size: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.number < min(self.pages, MAX_PAGE)

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class PatientOverview:
    patient: Seen[Patient]
    coming: list[ComingDate]
    cases: list[CaseRow]
    sips: list[SipRow]
    analyses: list[AnalysisRow]
    transfers: list[CompetenceTransfer]
    delegations: list[Delegation]
    enrolments: list[Enrolment]
    timeline: TimelinePage


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _visible_cases(actor: Actor, patient: Patient) -> list[ResponsibilityCase]:
    return list(
        ResponsibilityCase.objects.filter(patient=patient)
        .filter(visible_cases_q(actor))
        .select_related("kommun", "vardcentral", "specialist_clinic", "owner_organisation")
        .order_by("-created_at", "-pk")[:RECORDS_MAX]
    )


def _tasks_of(cases: Sequence[ResponsibilityCase]) -> list[CaseTask]:
    return list(
        CaseTask.objects.filter(case__in=[c.pk for c in cases]).select_related("task_type").order_by("pk")
    )


def _sip_rows(actor: Actor, patient: Patient) -> list[SipRow]:
    sips = list(
        Sip.objects.filter(patient=patient)
        .select_related("owner_organisation")
        .order_by("-created_at", "-pk")[:RECORDS_MAX]
    )
    if not sips:
        return []
    shared = sip_ids_shared_with(actor, [s.pk for s in sips])
    versions: dict[int, list[SipVersion]] = {}
    for version in SipVersion.objects.filter(sip__in=[s.pk for s in sips]).only(
        "pk", "sip_id", "number", "status", "follow_up_on"
    ):
        versions.setdefault(version.sip_id, []).append(version)
    followed_up = set(
        SipVersion.objects.filter(sip__in=[s.pk for s in sips], follow_ups__isnull=False).values_list(
            "pk", flat=True
        )
    )
    rows = []
    for sip in sips:
        own = sorted(versions.get(sip.pk, []), key=lambda v: v.number)
        finalised = [v for v in own if v.status == VersionStatus.FINALISED]
        latest = finalised[-1] if finalised else None
        is_shared = sip.pk in shared
        next_follow_up = None
        if (
            is_shared
            and latest is not None
            and sip.status != SipStatus.CLOSED
            and latest.pk not in followed_up
            and latest.follow_up_on is not None
        ):
            next_follow_up = latest.follow_up_on
        rows.append(
            SipRow(
                sip=sip,
                shared=is_shared,
                versions=len(own) if is_shared else 0,
                latest_finalised=latest.number if (is_shared and latest is not None) else None,
                next_follow_up=next_follow_up,
            )
        )
    return rows


def _analyses(cases: Sequence[ResponsibilityCase]) -> tuple[list[RiskAnalysis], list[ReReview]]:
    """The latest version of each case's risk analysis, and the re-reviews still due on those cases."""
    by_case: dict[int, RiskAnalysis] = {}
    for analysis in RiskAnalysis.objects.filter(case__in=[c.pk for c in cases]).order_by("case_id", "number"):
        by_case[analysis.case_id] = analysis
    re_reviews = list(
        ReReview.objects.filter(case__in=[c.pk for c in cases], done_at__isnull=True).order_by("due_on", "pk")
    )
    return list(by_case.values()), re_reviews


def _registers(
    actor: Actor, cases: Sequence[ResponsibilityCase], tasks: Sequence[CaseTask]
) -> tuple[list[CompetenceTransfer], list[Delegation]]:
    """Competence transfers in the cases' task types to the units performing them, and delegations linked
    to the cases' tasks, as far as ``competence.policies`` lets the person read them."""
    if not tasks:
        return [], []
    kommun_of = {c.pk: c.kommun_id for c in cases}
    task_types = {t.task_type_id for t in tasks}
    performers = {t.agreed_performs_id or kommun_of.get(t.case_id) for t in tasks} - {None}
    transfers = list(
        CompetenceTransfer.objects.filter(competence_policies.transfers_visible_q(actor))
        .filter(task_type_id__in=task_types, receiving_unit_id__in=performers, revoked_at__isnull=True)
        .select_related("task_type", "training_unit", "receiving_unit")
        .order_by("valid_until", "pk")[:RECORDS_MAX]
    )
    delegations = list(
        Delegation.objects.filter(competence_policies.delegations_visible_q(actor))
        .filter(case_tasks__in=[t.pk for t in tasks], revoked_at__isnull=True)
        .select_related("task_type", "delegating_organisation", "receiver_organisation")
        .distinct()
        .order_by("valid_until", "pk")[:RECORDS_MAX]
    )
    return transfers, delegations


def _coming_dates(
    *,
    cases: Sequence[CaseRow],
    sips: Sequence[SipRow],
    analyses: Sequence[AnalysisRow],
    re_reviews: Sequence[tuple[ReReview, ResponsibilityCase]],
    transfers: Sequence[CompetenceTransfer],
    delegations: Sequence[Delegation],
) -> list[ComingDate]:
    today = timezone.localdate()
    dates: list[ComingDate] = []
    for row in cases:
        if row.is_open and row.next_deadline is not None:
            dates.append(
                ComingDate(
                    on=row.next_deadline,
                    kind=Kind.CASE,
                    what=_("Deadline: %(status)s") % {"status": row.case.get_status_display()},
                    reference=row.case.number,
                    record_id=row.case.public_id,
                    case_id=row.case.public_id,
                )
            )
    for sip_row in sips:
        if sip_row.next_follow_up is not None:
            dates.append(
                ComingDate(
                    on=sip_row.next_follow_up,
                    kind=Kind.SIP,
                    what=_("SIP follow-up"),
                    reference=_("SIP version %(number)s") % {"number": sip_row.latest_finalised},
                    record_id=sip_row.sip.public_id,
                )
            )
    re_reviewed: set[tuple[int, datetime.date]] = set()
    for re_review, case in re_reviews:
        re_reviewed.add((case.pk, re_review.due_on))
        dates.append(
            ComingDate(
                on=re_review.due_on,
                kind=Kind.RE_REVIEW,
                what=_("Re-review: %(what)s") % {"what": re_review.what},
                reference=case.number,
                record_id=case.public_id,
                case_id=case.public_id,
            )
        )
    for analysis_row in analyses:
        analysis = analysis_row.analysis
        if (
            analysis.status in ANALYSIS_IN_EFFECT
            and analysis.review_on is not None
            and (analysis_row.case.pk, analysis.review_on) not in re_reviewed
            and analysis_row.case.status != CaseStatus.CLOSED
        ):
            dates.append(
                ComingDate(
                    on=analysis.review_on,
                    kind=Kind.RISK_ANALYSIS,
                    what=_("Risk analysis review (version %(number)s)") % {"number": analysis.number},
                    reference=analysis_row.case.number,
                    record_id=analysis.public_id,
                    case_id=analysis_row.case.public_id,
                )
            )
    oldest_expiry = today - datetime.timedelta(days=EXPIRED_SHOWN_DAYS)
    for transfer in transfers:
        if transfer.valid_until >= oldest_expiry:
            dates.append(
                ComingDate(
                    on=transfer.valid_until,
                    kind=Kind.COMPETENCE_TRANSFER,
                    what=_("Competence transfer ends: %(task)s") % {"task": transfer.task_type.name_sv},
                    reference=transfer.receiving_unit.name,
                    record_id=transfer.public_id,
                )
            )
    for delegation in delegations:
        if delegation.valid_until >= oldest_expiry:
            dates.append(
                ComingDate(
                    on=delegation.valid_until,
                    kind=Kind.DELEGATION,
                    what=_("Delegation ends: %(task)s") % {"task": delegation.task_type.name_sv},
                    reference=delegation.receiver_name,
                    record_id=delegation.public_id,
                )
            )
    return sorted(dates, key=lambda d: (d.on, d.kind, d.reference))


# --- The timeline -----------------------------------------------------------------------------------

# Decisions on a risk analysis come from the decisions themselves (with the version and who approves),
# so the case's own events about them are left out rather than shown twice.
_CASE_EVENTS_SHOWN_ELSEWHERE = (EventKind.ANALYSIS_APPROVED, EventKind.ANALYSIS_REJECTED)


def _status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value


def _case_entries(cases: dict[int, ResponsibilityCase], limit: int) -> tuple[list[TimelineEntry], int]:
    events = CaseEvent.objects.filter(case__in=list(cases)).exclude(kind__in=_CASE_EVENTS_SHOWN_ELSEWHERE)
    count = events.count() if cases else 0
    entries = []
    for event in (
        events.select_related("user", "organisation").order_by("-at", "-pk")[:limit] if cases else []
    ):
        case = cases[event.case_id]
        detail = ""
        if event.to_status and event.from_status != event.to_status:
            detail = _("%(from)s → %(to)s") % {
                "from": _status_label(event.from_status) if event.from_status else "–",
                "to": _status_label(event.to_status),
            }
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=Kind.CASE,
                what=event.get_kind_display(),
                detail=detail,
                reference=case.number,
                record_id=case.public_id,
                case_id=case.public_id,
                organisation=event.organisation.name if event.organisation else "",
                person=event.user.display_name if event.user else _("The system"),
            )
        )
    return entries, count


def _sip_entries(sips: Sequence[SipRow], limit: int) -> tuple[list[TimelineEntry], int]:
    shown = Q(sip__in=[r.sip.pk for r in sips if r.shared]) | Q(
        sip__in=[r.sip.pk for r in sips if not r.shared], kind=SipEventKind.CONSENT_WITHDRAWN
    )
    if not sips:
        return [], 0
    events: QuerySet[SipEvent] = SipEvent.objects.filter(shown)
    by_pk = {r.sip.pk: r.sip for r in sips}
    entries = [
        TimelineEntry(
            at=event.at,
            kind=Kind.SIP,
            what=event.get_kind_display(),
            detail="",
            reference=_("SIP"),
            record_id=by_pk[event.sip_id].public_id,
            organisation=event.organisation.name,
            person=event.user.display_name,
        )
        for event in events.select_related("user", "organisation").order_by("-at", "-pk")[:limit]
    ]
    return entries, events.count()


def _decision_entries(cases: dict[int, ResponsibilityCase], limit: int) -> tuple[list[TimelineEntry], int]:
    if not cases:
        return [], 0
    decisions = AnalysisDecision.objects.filter(analysis__case__in=list(cases))
    entries = []
    for decision in decisions.select_related("analysis", "user", "organisation").order_by("-at", "-pk")[
        :limit
    ]:
        case = cases[decision.analysis.case_id]
        what = (
            _("Risk analysis approved (version %(number)s)")
            if decision.verdict == AnalysisVerdict.APPROVED
            else _("Risk analysis rejected (version %(number)s)")
        ) % {"number": decision.analysis.number}
        entries.append(
            TimelineEntry(
                at=decision.at,
                kind=Kind.RISK_ANALYSIS,
                what=what,
                detail=_("Approval by %(role)s") % {"role": decision.for_role.upper()},
                reference=case.number,
                record_id=decision.analysis.public_id,
                case_id=case.public_id,
                organisation=decision.organisation.name,
                person=decision.user.display_name,
            )
        )
    return entries, decisions.count()


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _enrolment_entries(enrolments: Iterable[Enrolment]) -> list[TimelineEntry]:
    entries = []
    for enrolment in enrolments:
        entries.append(
            TimelineEntry(
                at=_start_of(enrolment.starts_on),
                kind=Kind.ENROLMENT,
                what=_("Enrolled in home health care"),
                detail="",
                reference=enrolment.kommun.name,
                record_id=enrolment.public_id,
                organisation=enrolment.kommun.name,
                person=enrolment.enrolled_by.display_name if enrolment.enrolled_by else "",
            )
        )
        if enrolment.ends_on is not None:
            entries.append(
                TimelineEntry(
                    at=_start_of(enrolment.ends_on),
                    kind=Kind.ENROLMENT,
                    what=_("Enrolment ended"),
                    detail=enrolment.end_reason,
                    reference=enrolment.kommun.name,
                    record_id=enrolment.public_id,
                    organisation=enrolment.kommun.name,
                    person=enrolment.ended_by.display_name if enrolment.ended_by else "",
                )
            )
    return entries


def _timeline(
    *,
    cases: Sequence[ResponsibilityCase],
    sips: Sequence[SipRow],
    enrolments: Sequence[Enrolment],
    page: int,
    page_size: int,
) -> TimelinePage:
    """Newest first. Each source is read in its own order up to the end of the page asked for, then the
    sources are merged: the page is exact without reading any source's whole history."""
    limit = page * page_size
    by_pk = {c.pk: c for c in cases}
    case_entries, case_count = _case_entries(by_pk, limit)
    sip_entries, sip_count = _sip_entries(sips, limit)
    decision_entries, decision_count = _decision_entries(by_pk, limit)
    enrolment_entries = _enrolment_entries(enrolments)
    merged = sorted(
        [*case_entries, *sip_entries, *decision_entries, *enrolment_entries],
        key=lambda e: e.at,
        reverse=True,
    )
    return TimelinePage(
        entries=merged[(page - 1) * page_size : limit],
        number=page,
        page_size=page_size,
        count=case_count + sip_count + decision_count + len(enrolment_entries),
    )


def patient_overview(
    *, actor: Actor, public_id: uuid.UUID | str, page: int = 1, page_size: int = PAGE_SIZE
) -> PatientOverview:
    """The overview of one patient for ``actor``; 404 (logged as denied) when they may not see the
    patient, one access-log row for the read otherwise. ``page`` (1 to ``MAX_PAGE``) and ``page_size``
    (1 to ``MAX_PAGE_SIZE``) choose the page of the timeline; the caller checks them."""
    if not (1 <= page <= MAX_PAGE and 1 <= page_size <= MAX_PAGE_SIZE):
        raise ValueError("page or page_size out of bounds")
    seen = patient_get(actor=actor, public_id=public_id, record_type=RECORD_OVERVIEW)
    patient = seen.obj
    cases = _visible_cases(actor, patient)
    tasks = _tasks_of(cases)
    names: dict[int, list[str]] = {}
    for task in tasks:
        names.setdefault(task.case_id, []).append(task.task_type.name_sv)
    case_rows = [
        CaseRow(
            case=case,
            task_names=names.get(case.pk, []),
            next_deadline=_local_date(case.due_at)
            if case.due_at is not None and case.status in OPEN_STATUSES
            else None,
        )
        for case in cases
    ]
    analyses, re_reviews = _analyses(cases)
    by_case = {c.pk: c for c in cases}
    analysis_rows = [
        AnalysisRow(
            analysis=analysis,
            case=by_case[analysis.case_id],
            re_reviews=[r for r in re_reviews if r.case_id == analysis.case_id],
        )
        for analysis in analyses
    ]
    sip_rows = _sip_rows(actor, patient)
    transfers, delegations = _registers(actor, cases, tasks)
    enrolments = list(
        Enrolment.objects.filter(patient=patient)
        .select_related("kommun", "enrolled_by", "ended_by")
        .order_by("-starts_on", "-pk")
    )
    return PatientOverview(
        patient=seen,
        coming=_coming_dates(
            cases=case_rows,
            sips=sip_rows,
            analyses=analysis_rows,
            re_reviews=[(r, by_case[r.case_id]) for r in re_reviews],
            transfers=transfers,
            delegations=delegations,
        ),
        cases=case_rows,
        sips=sip_rows,
        analyses=analysis_rows,
        transfers=transfers,
        delegations=delegations,
        enrolments=enrolments,
        timeline=_timeline(cases=cases, sips=sip_rows, enrolments=enrolments, page=page, page_size=page_size),
    )
