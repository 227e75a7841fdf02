"""The document kinds built on responsibility cases: the risk analysis and the escalation notice.

Each is a ``DocumentSource`` (see ``documents.sources``) with a report dataclass that the template prints
as ``report``. Everything a template shows is prepared here as plain text, in the language active while
the context is built (the task renders inside ``translation.override``). Both are registered with the
documents app's registry from ``CasesConfig.ready``, as the SIP and the access log register theirs.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.cases import visible_cases_q
from access.legal_basis import part_shared_q, sharing_for
from cases import selectors as case_selectors
from cases.models import (
    AnalysisStatus,
    AnalysisVerdict,
    CaseEvent,
    CaseStatus,
    CaseTask,
    DecisionOutcome,
    EscalationDecision,
    EventKind,
    Position,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    Trigger,
    Urgency,
)
from cases.risk import RiskMatrix, risk_matrix, risk_score
from consent.models import SharedPart
from directory.actor import Actor
from directory.models import Organisation, Role, User
from documents.models import DocumentKind
from documents.sources import DocumentSource, PdfHeader
from hemsjukvard.errors import NotPermitted, StateConflictError
from patients.models import Patient


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _org(organisation: Organisation | None) -> str:
    return organisation.name if organisation is not None else "–"


def _person(user: User | None) -> str:
    return user.display_name if user is not None else _("the system")


def _snapshot_party(snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return "–"
    organisation = snapshot.get("organisation") or {}
    return str(organisation.get("name") or snapshot.get("party") or "–")


def rule_citation(task: CaseTask) -> str:
    """The agreement section the proposal cited, as it was cited when the case was submitted."""
    proposal = task.proposal or {}
    section = proposal.get("section") or {}
    version = proposal.get("agreement_version") or {}
    if not section and not version:
        return _("No rule in the agreement covers this task (unclear responsibility).")
    parts = []
    if version:
        parts.append(f"{version.get('title', '')} {version.get('version', '')}".strip())
    if section:
        parts.append(f"§ {section.get('number', '')} {section.get('heading', '')}".strip())
    return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class TaskRow:
    name: str
    orders: str
    performs: str
    follows_up: str
    basis: str
    citation: str
    review: str


def _task_row(task: CaseTask) -> TaskRow:
    proposal = task.proposal or {}
    if task.agreed_performs_id is not None:
        orders, performs, follows_up = (
            _org(task.agreed_orders),
            _org(task.agreed_performs),
            _org(task.agreed_follows_up),
        )
        basis = _("Agreed")
    else:
        orders = _snapshot_party(proposal.get("orders"))
        performs = _snapshot_party(proposal.get("performs"))
        follows_up = _snapshot_party(proposal.get("follows_up"))
        basis = _("Proposed by the agreement") if task.proposal_status == "proposed" else _("Unclear")
    return TaskRow(
        name=_task_name(task),
        orders=orders,
        performs=performs,
        follows_up=follows_up,
        basis=basis,
        citation=rule_citation(task),
        review=_label(ReviewState, task.review_state),
    )


def _task_name(task: CaseTask) -> str:
    task_type = task.task_type
    return task_type.name_en if (get_language() or "sv").startswith("en") else task_type.name_sv


def _case_reference(case: ResponsibilityCase) -> str:
    return _("Case %(id)s") % {"id": case.number}


# --- Risk analysis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    description: str
    owner: str
    due_on: datetime.date


@dataclass(frozen=True)
class HazardRow:
    description: str
    likelihood: int
    consequence: int
    score: int
    high: bool
    measures: tuple[MeasureRow, ...]


@dataclass(frozen=True)
class SignatureRow:
    name: str
    role: str
    organisation: str
    at: datetime.datetime


@dataclass(frozen=True)
class DecisionRow:
    verdict: str
    approved: bool
    name: str
    role: str
    for_role: str
    organisation: str
    at: datetime.datetime
    reason: str


@dataclass(frozen=True)
class RiskAnalysisReport:
    header: PdfHeader
    case_reference: str
    kommun: str
    vardcentral: str
    specialist_clinic: str
    number: int
    status: str
    approved: bool
    summary: str
    review_on: datetime.date | None
    written_by: str
    organisation: str
    created_at: datetime.datetime
    tasks: tuple[TaskRow, ...]
    hazards: tuple[HazardRow, ...]
    matrix: RiskMatrix
    other_measures: tuple[MeasureRow, ...]
    signatures: tuple[SignatureRow, ...]
    decisions: tuple[DecisionRow, ...]


def _analysis_queryset() -> QuerySet[RiskAnalysis]:
    return RiskAnalysis.objects.select_related(
        "created_by",
        "organisation",
        "case__patient",
        "case__kommun",
        "case__vardcentral",
        "case__specialist_clinic",
    ).prefetch_related(
        Prefetch(
            "case__tasks",
            queryset=CaseTask.objects.select_related(
                "task_type", "agreed_orders", "agreed_performs", "agreed_follows_up"
            ).order_by("pk"),
        ),
        "hazards",
        "measures__owner_organisation",
        "signatures__user",
        "signatures__organisation",
        "decisions__user",
        "decisions__organisation",
    )


def _cases_visible_to(actor: Actor) -> QuerySet[ResponsibilityCase]:
    """The cases whose documents ``actor`` may read: cases they see whose documents are shared with them
    (a valid legal basis and no spärr on documents, or the opener's own organisation)."""
    return ResponsibilityCase.objects.filter(visible_cases_q(actor)).filter(
        part_shared_q(actor, SharedPart.DOCUMENTS)
    )


def documents_check_shared(actor: Actor, case: ResponsibilityCase, *, analyses: bool = False) -> None:
    """Refuse to print a case's document that is not shared with ``actor`` (``access.legal_basis``)."""
    shared = sharing_for(actor, case)
    if not shared.documents or (analyses and not shared.analyses):
        raise NotPermitted(
            _(
                "The case's documents are not shared with your organisation: there is no valid legal "
                "basis for sharing, or they are under a spärr. Ask the organisation that opened the case."
            ),
            code="not_shared",
        )


class RiskAnalysisSource(DocumentSource[RiskAnalysis]):
    """One version of a case's risk analysis: hazards on the risk matrix, measures, signatures, approval."""

    kind = DocumentKind.RISK_ANALYSIS.value
    label = DocumentKind.RISK_ANALYSIS.label
    template_name = "documents/pdf/risk_analysis.html"

    def load(self, *, actor: Actor, source_id: uuid.UUID) -> RiskAnalysis:
        analysis = case_selectors.risk_analysis_get(actor=actor, public_id=source_id)
        documents_check_shared(actor, analysis.case, analyses=True)
        return _analysis_queryset().get(pk=analysis.pk)

    def load_for_render(self, *, source_id: uuid.UUID) -> RiskAnalysis:
        return _analysis_queryset().get(public_id=source_id)

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        # The case's parties, as for the analysis itself (``cases.selectors.risk_analysis_get``).
        cases = _cases_visible_to(actor).filter(part_shared_q(actor, SharedPart.ANALYSES))
        visible = RiskAnalysis.objects.filter(public_id__in=source_ids, case__in=cases)
        return set(visible.values_list("public_id", flat=True))

    def patient_of(self, source: RiskAnalysis) -> Patient:
        return source.case.patient

    def version_of(self, source: RiskAnalysis) -> str:
        # The version number, and what is added to it without a new number: signatures and decisions.
        return (
            f"{source.number}-{source.status}-s{len(source.signatures.all())}-d{len(source.decisions.all())}"
        )

    def title(self, source: RiskAnalysis) -> str:
        return _("Risk analysis, version %(number)d") % {"number": source.number}

    def context(self, source: RiskAnalysis, *, header: PdfHeader) -> RiskAnalysisReport:
        case = source.case
        measures = list(source.measures.all())
        hazards = list(source.hazards.all())

        def measure_row(measure: Any) -> MeasureRow:
            owner = _org(measure.owner_organisation)
            if measure.owner_name:
                owner = f"{owner} ({measure.owner_name})"
            return MeasureRow(description=measure.description, owner=owner, due_on=measure.due_on)

        return RiskAnalysisReport(
            header=header,
            case_reference=_case_reference(case),
            kommun=_org(case.kommun),
            vardcentral=_org(case.vardcentral),
            specialist_clinic=_org(case.specialist_clinic),
            number=source.number,
            status=_label(AnalysisStatus, source.status),
            approved=source.status == AnalysisStatus.APPROVED,
            summary=source.summary,
            review_on=source.review_on,
            written_by=_person(source.created_by),
            organisation=_org(source.organisation),
            created_at=source.created_at,
            tasks=tuple(_task_row(t) for t in case.tasks.all() if t.requires_risk_analysis)
            or tuple(_task_row(t) for t in case.tasks.all()),
            hazards=tuple(
                HazardRow(
                    description=h.description,
                    likelihood=h.likelihood,
                    consequence=h.consequence,
                    score=risk_score(h.likelihood, h.consequence),
                    high=h.is_high,
                    measures=tuple(measure_row(m) for m in measures if m.hazard_id == h.pk),
                )
                for h in hazards
            ),
            matrix=risk_matrix(hazards),
            other_measures=tuple(measure_row(m) for m in measures if m.hazard_id is None),
            signatures=tuple(
                SignatureRow(
                    name=_person(s.user),
                    role=_label(Role, s.role),
                    organisation=_org(s.organisation),
                    at=s.at,
                )
                for s in source.signatures.all()
            ),
            decisions=tuple(
                DecisionRow(
                    verdict=_label(AnalysisVerdict, d.verdict),
                    approved=d.verdict == AnalysisVerdict.APPROVED,
                    name=_person(d.user),
                    role=_label(Role, d.role),
                    for_role=_label(Role, d.for_role),
                    organisation=_org(d.organisation),
                    at=d.at,
                    reason=d.reason,
                )
                for d in source.decisions.all()
            ),
        )


# --- Escalation notice ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionRow:
    party: str
    stated_by: str
    role: str
    at: datetime.datetime
    text: str
    orders: str
    performs: str
    follows_up: str


@dataclass(frozen=True)
class NoticeTask:
    row: TaskRow
    disputed: bool
    positions: tuple[PositionRow, ...]


@dataclass(frozen=True)
class EventRow:
    at: datetime.datetime
    what: str
    who: str
    organisation: str
    change: str
    reason: str


@dataclass(frozen=True)
class EarlierDecision:
    level: int
    body: str
    outcome: str
    reasons: str
    at: datetime.datetime


@dataclass(frozen=True)
class EscalationNoticeReport:
    header: PdfHeader
    case_reference: str
    status: str
    trigger: str
    urgency: str
    opened_at: datetime.datetime
    opened_by: str
    kommun: str
    vardcentral: str
    specialist_clinic: str
    background: str
    level: int | None
    body: str
    deadline: datetime.datetime | None
    still_escalated: bool
    tasks: tuple[NoticeTask, ...]
    timeline: tuple[EventRow, ...]
    decisions: tuple[EarlierDecision, ...]


def _case_queryset() -> QuerySet[ResponsibilityCase]:
    return ResponsibilityCase.objects.select_related(
        "patient", "kommun", "vardcentral", "specialist_clinic", "escalation_body", "opened_by_organisation"
    ).prefetch_related(
        Prefetch(
            "tasks",
            queryset=CaseTask.objects.select_related(
                "task_type", "agreed_orders", "agreed_performs", "agreed_follows_up"
            ).order_by("pk"),
        ),
        Prefetch(
            "positions",
            queryset=Position.objects.select_related(
                "organisation", "user", "proposed_orders", "proposed_performs", "proposed_follows_up"
            ).order_by("at", "pk"),
        ),
        Prefetch(
            "events", queryset=CaseEvent.objects.select_related("user", "organisation").order_by("at", "pk")
        ),
        Prefetch("decisions", queryset=EscalationDecision.objects.select_related("body").order_by("level")),
    )


class EscalationNoticeSource(DocumentSource[ResponsibilityCase]):
    """The notice to the joint body at the case's escalation level: what is disputed and what is asked."""

    kind = DocumentKind.ESCALATION_NOTICE.value
    label = DocumentKind.ESCALATION_NOTICE.label
    template_name = "documents/pdf/escalation_notice.html"

    def load(self, *, actor: Actor, source_id: uuid.UUID) -> ResponsibilityCase:
        case = case_selectors.case_get(actor=actor, public_id=source_id)
        documents_check_shared(actor, case)
        return _case_queryset().get(pk=case.pk)

    def load_for_render(self, *, source_id: uuid.UUID) -> ResponsibilityCase:
        return _case_queryset().get(public_id=source_id)

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        # The case's parties, as for the case itself (``cases.selectors.case_get``).
        visible = _cases_visible_to(actor).filter(public_id__in=source_ids)
        return set(visible.values_list("public_id", flat=True))

    def patient_of(self, source: ResponsibilityCase) -> Patient:
        return source.patient

    def version_of(self, source: ResponsibilityCase) -> str:
        # The case's own version, and the last timeline entry (the notice prints the whole timeline).
        last_event = max((e.pk for e in source.events.all()), default=0)
        return f"{source.version}-e{last_event}"

    def check_printable(self, source: ResponsibilityCase) -> None:
        if source.escalation_level is None:
            raise StateConflictError(
                _("The case has not been escalated, so there is no escalation notice to print."),
                extra={"status": source.status},
            )

    def title(self, source: ResponsibilityCase) -> str:
        return _("Escalation notice, level %(level)s") % {"level": source.escalation_level}

    def context(self, source: ResponsibilityCase, *, header: PdfHeader) -> EscalationNoticeReport:
        positions = list(source.positions.all())
        tasks = []
        for task in source.tasks.all():
            task_positions = tuple(
                PositionRow(
                    party=_org(p.organisation),
                    stated_by=_person(p.user),
                    role=_label(Role, p.role),
                    at=p.at,
                    text=p.text,
                    orders=_org(p.proposed_orders),
                    performs=_org(p.proposed_performs),
                    follows_up=_org(p.proposed_follows_up),
                )
                for p in positions
                if p.task_id == task.pk
            )
            tasks.append(
                NoticeTask(
                    row=_task_row(task),
                    disputed=task.review_state == ReviewState.DISPUTED or task.is_unclear,
                    positions=task_positions,
                )
            )
        timeline = []
        for event in source.events.all():
            change = ""
            if event.from_status and event.to_status and event.from_status != event.to_status:
                change = f"{_label(CaseStatus, event.from_status)} → {_label(CaseStatus, event.to_status)}"
            timeline.append(
                EventRow(
                    at=event.at,
                    what=_label(EventKind, event.kind),
                    who=_person(event.user),
                    organisation=_org(event.organisation),
                    change=change,
                    reason=event.reason,
                )
            )
        return EscalationNoticeReport(
            header=header,
            case_reference=_case_reference(source),
            status=_label(CaseStatus, source.status),
            trigger=_label(Trigger, source.trigger),
            urgency=_label(Urgency, source.urgency),
            opened_at=source.created_at,
            opened_by=_org(source.opened_by_organisation),
            kommun=_org(source.kommun),
            vardcentral=_org(source.vardcentral),
            specialist_clinic=_org(source.specialist_clinic),
            background=source.background,
            level=source.escalation_level,
            body=_org(source.escalation_body),
            deadline=source.due_at if source.status == CaseStatus.ESCALATED else None,
            still_escalated=source.status == CaseStatus.ESCALATED,
            tasks=tuple(tasks),
            timeline=tuple(timeline),
            decisions=tuple(
                EarlierDecision(
                    level=d.level,
                    body=_org(d.body),
                    outcome=_label(DecisionOutcome, d.outcome),
                    reasons=d.reasons,
                    at=d.at,
                )
                for d in source.decisions.all()
            ),
        )
