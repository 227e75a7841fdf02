"""The decision notice (beslutsmeddelande): what a joint body decided on an escalated case, as a PDF.

A document kind like the escalation notice (``cases.documents``): the decision per task in words, the
reasons, the level and its body, who decided and when, whether the decision binds or recommends, and
what follows. Its source is the decision (``EscalationDecision``); it is read by whoever may read the
case. Registered with the documents app's registry from ``CasesConfig.ready``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.cases import granting_membership as case_grant
from access.cases import visible_cases_q
from access.legal_basis import part_shared_q
from cases import selectors as case_selectors
from cases.models import CaseEvent, CaseStatus, DecisionOutcome, EscalationDecision, ResponsibilityCase
from cases.selectors.levels import level_bindings
from cases.transitions import A
from consent.models import SharedPart
from directory.actor import Actor
from directory.models import Membership
from documents.models import DocumentKind
from documents.sources import DocumentSource, PdfHeader
from patients.models import Patient

from .decisions import what_follows
from .documents import _case_reference, _label, _org, _person, documents_check_shared

ANSWERS = (A.ACCEPT_RECOMMENDATION, A.DECLINE_RECOMMENDATION)


@dataclass(frozen=True)
class DecidedTaskRow:
    name: str
    orders: str
    performs: str
    follows_up: str


@dataclass(frozen=True)
class AnswerRow:
    party: str
    person: str
    accepted: bool
    at: datetime.datetime
    reason: str


@dataclass(frozen=True)
class DecisionNoticeReport:
    header: PdfHeader
    case_reference: str
    kommun: str
    vardcentral: str
    specialist_clinic: str
    level: int
    body: str
    binding: bool
    kind: str
    outcome: str
    withdrawn: bool
    decided_by: str
    decided_at: datetime.datetime
    reasons: str
    tasks: tuple[DecidedTaskRow, ...]
    answers: tuple[AnswerRow, ...]
    status: str
    follows: str


def _queryset() -> QuerySet[EscalationDecision]:
    return EscalationDecision.objects.select_related(
        "body",
        "decided_by",
        "case__patient",
        "case__kommun",
        "case__vardcentral",
        "case__specialist_clinic",
    )


def _answers(decision: EscalationDecision) -> list[CaseEvent]:
    return [
        e
        for e in CaseEvent.objects.filter(case_id=decision.case_id, action__in=ANSWERS, kind="position")
        .select_related("user", "organisation")
        .order_by("at", "pk")
        if (e.payload or {}).get("level") == decision.level
    ]


def _follows(decision: EscalationDecision, case: ResponsibilityCase, binding: bool, has_next: bool) -> str:
    if case.status == CaseStatus.ESCALATED and (case.escalation_level or 0) == decision.level:
        if has_next:
            return _(
                "The recommendation takes effect when both parties, the kommun and the region, accept it. "
                "If a party does not accept it, the case may go to escalation level %(next)d."
            ) % {"next": decision.level + 1}
        return _("The recommendation takes effect when both parties, the kommun and the region, accept it.")
    if (case.escalation_level or 0) > decision.level:
        return _("The case went on to escalation level %(level)d.") % {"level": case.escalation_level}
    return what_follows(case.status)


class DecisionNoticeSource(DocumentSource[EscalationDecision]):
    """A joint body's decision on a case: per task, with reasons, and what follows."""

    kind = DocumentKind.DECISION_NOTICE.value
    label = DocumentKind.DECISION_NOTICE.label
    template_name = "documents/pdf/decision_notice.html"

    def load(self, *, actor: Actor, source_id: uuid.UUID) -> EscalationDecision:
        decision = _queryset().filter(public_id=source_id).first()
        # The case's own rule (and log): a decision the actor may not see is the case's 404.
        case = case_selectors.case_get(
            actor=actor, public_id=decision.case.public_id if decision else source_id
        )
        documents_check_shared(actor, case)
        return _queryset().get(public_id=source_id, case=case)

    def load_for_render(self, *, source_id: uuid.UUID) -> EscalationDecision:
        return _queryset().get(public_id=source_id)

    def grant(self, *, actor: Actor, source_id: uuid.UUID) -> Membership | None:
        # Every body that handled the case keeps reading it (``access.cases``), and so its decisions.
        decision = EscalationDecision.objects.select_related("case").filter(public_id=source_id).first()
        return case_grant(actor, decision.case) if decision is not None else None

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        visible = EscalationDecision.objects.filter(
            public_id__in=source_ids,
            case__in=ResponsibilityCase.objects.filter(visible_cases_q(actor)).filter(
                part_shared_q(actor, SharedPart.DOCUMENTS)
            ),
        )
        return set(visible.values_list("public_id", flat=True))

    def patient_of(self, source: EscalationDecision) -> Patient:
        return source.case.patient

    def version_of(self, source: EscalationDecision) -> str:
        # The decision never changes; what follows it does (the parties' answers, the case's status).
        case = source.case
        return f"{source.pk}-{case.status}-{case.escalation_level}-a{len(_answers(source))}"

    def title(self, source: EscalationDecision) -> str:
        return _("Decision notice, level %(level)d") % {"level": source.level}

    def context(self, source: EscalationDecision, *, header: PdfHeader) -> DecisionNoticeReport:
        case = source.case
        bindings = level_bindings(case)
        binding = bindings.get(source.level, True)
        english = (get_language() or "sv").startswith("en")
        names = {
            str(t.public_id): (t.task_type.name_en or t.task_type.name_sv) if english else t.task_type.name_sv
            for t in case.tasks.select_related("task_type")
        }
        return DecisionNoticeReport(
            header=header,
            case_reference=_case_reference(case),
            kommun=_org(case.kommun),
            vardcentral=_org(case.vardcentral),
            specialist_clinic=_org(case.specialist_clinic),
            level=source.level,
            body=_org(source.body),
            binding=binding,
            kind=_("Binding decision") if binding else _("Recommendation"),
            outcome=_label(DecisionOutcome, source.outcome),
            withdrawn=source.outcome == DecisionOutcome.WITHDRAWN,
            decided_by=_person(source.decided_by),
            decided_at=source.at,
            reasons=source.reasons,
            tasks=tuple(
                DecidedTaskRow(
                    name=names.get(str(entry.get("task")), str(entry.get("task_name") or "")),
                    orders=str((entry.get("orders") or {}).get("name") or "–"),
                    performs=str((entry.get("performs") or {}).get("name") or "–"),
                    follows_up=str((entry.get("follows_up") or {}).get("name") or "–"),
                )
                for entry in source.splits
            ),
            answers=tuple(
                AnswerRow(
                    party=_org(e.organisation),
                    person=_person(e.user),
                    accepted=e.action == A.ACCEPT_RECOMMENDATION,
                    at=e.at,
                    reason=e.reason,
                )
                for e in _answers(source)
            ),
            status=_label(CaseStatus, case.status),
            follows=_follows(source, case, binding, has_next=(source.level + 1) in bindings),
        )
