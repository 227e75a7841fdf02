"""Read-only helpers that shape cases for the browser pages: work-list rows, next steps, proposals, the
matrix.

Nothing here writes or reads patient data: every read goes through a selector (which checks access and
logs, the work lists in ``cases.selectors.worklist``), and these helpers arrange what it returned for a
template.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from access.seen import Seen
from agreements import selectors as agreement_selectors
from agreements.choices import ApproverRole, TimeBand, UnclearReason
from agreements.choices import ProposalStatus as RuleProposalStatus
from agreements.compliance import mar_vacancy_warning
from agreements.engine import PartyAssignment, TaskProposal, rules_propose_split
from agreements.models import CareTaskType
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, Role
from patients.models import Patient

from . import decisions, selectors
from .models import (
    CaseStatus,
    CaseTask,
    EscalationDecision,
    Hazard,
    Position,
    ResponsibilityCase,
    RiskAnalysis,
    Urgency,
)
from .next_step import NextStep, analysis_signer, next_step, step_facts
from .policies import allowed_actions
from .risk import risk_level, risk_score
from .transitions import A

S = CaseStatus

# --- Work-list rows ----------------------------------------------------------------------------------


def is_overdue(case: ResponsibilityCase) -> bool:
    return case.due_at is not None and case.is_open and case.due_at < timezone.now()


@dataclass(frozen=True)
class WorkRow:
    """A case in a list: ``identity_visible`` is what the selector decided for this row (``Seen``)."""

    case: ResponsibilityCase
    identity_visible: bool
    overdue: bool
    task_names: list[str]


def work_rows(cases: Iterable[Seen[ResponsibilityCase]]) -> list[WorkRow]:
    return [
        WorkRow(
            case=seen.obj,
            identity_visible=seen.identity_visible,
            overdue=is_overdue(seen.obj),
            task_names=[task_name(t.task_type) for t in seen.obj.tasks.all()],
        )
        for seen in cases
    ]


# --- Names in the active language --------------------------------------------------------------------


def task_name(task_type: Any) -> str:
    """A task type's name in the page's language (the catalogue holds both)."""
    if (get_language() or "sv").startswith("en"):
        return str(task_type.name_en or task_type.name_sv)
    return str(task_type.name_sv)


def task_catalogue() -> list[CareTaskType]:
    """The active catalogue of care tasks (not patient data), in the page's language order."""
    types = [t for t in agreement_selectors.care_task_type_list(actor=None) if t.is_active]
    return sorted(types, key=lambda t: (t.kind, task_name(t).lower()))


def specialist_clinics(*, region_id: int | None) -> list[Organisation]:
    if region_id is None:
        return []
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.SPECIALIST_CLINIC, region_id=region_id, is_active=True
        ).order_by("name")
    )


# --- The responsibility proposal -----------------------------------------------------------------------

PARTY_LABELS = {
    "orders": gettext_lazy("Orders"),
    "performs": gettext_lazy("Performs"),
    "follows_up": gettext_lazy("Follows up"),
}


@dataclass(frozen=True)
class ProposedParty:
    role: str
    organisation: str
    problem: str = ""


@dataclass(frozen=True)
class ProposalRow:
    """One task's proposal, from the engine (live) or from the snapshot stored at submit."""

    task: str
    code: str
    unclear: bool
    reason: str
    message: str
    parties: list[ProposedParty]
    conditions: list[str]
    citation: str
    review_by: datetime.date | None = None
    # When the visits are planned (band names), and what else decided the proposal (area, stay, time).
    visits: str = ""
    notes: tuple[str, ...] = ()


def performer_name(name: str, principal: str) -> str:
    """A private performer is shown with the kommun it acts for, which stays the principal."""
    if not principal:
        return name
    return _("%(performer)s (private performer for %(kommun)s, the principal)") % {
        "performer": name,
        "kommun": principal,
    }


def visits_text(bands: Iterable[str]) -> str:
    return ", ".join(str(TimeBand(b).label).lower() for b in bands if b in TimeBand.values)


def _condition_texts(conditions: dict[str, Any]) -> list[str]:
    texts = []
    if conditions.get("risk_analysis_required"):
        if conditions.get("approver_role") == ApproverRole.INFORMED:
            texts.append(_("Risk analysis required; nobody approves it, the kommun's MAS is informed"))
        else:
            approver = str(conditions.get("approver_role") or Role.MAS).upper()
            texts.append(_("Risk analysis required, approved by %(approver)s") % {"approver": approver})
    if conditions.get("specialist_active_role_required"):
        texts.append(_("The specialist must take an active role"))
    if conditions.get("training_required"):
        texts.append(_("Competence transfer and training required"))
    if conditions.get("contact_24_7_required"):
        texts.append(_("A contact path around the clock (24/7) is required"))
    if conditions.get("delegation_allowed"):
        texts.append(_("May be delegated"))
    if conditions.get("max_duration_days"):
        texts.append(_("Review again within %(days)s days") % {"days": conditions["max_duration_days"]})
    if conditions.get("note"):
        texts.append(str(conditions["note"]))
    return texts


def _reason_text(reason: str) -> str:
    try:
        return str(UnclearReason(reason).label)
    except ValueError:
        return ""


def _live_party(role: str, assignment: PartyAssignment | None) -> ProposedParty:
    if assignment is None:
        return ProposedParty(role=role, organisation="")
    name = assignment.organisation.name if assignment.organisation is not None else ""
    principal = assignment.principal.name if assignment.principal is not None else ""
    return ProposedParty(role=role, organisation=performer_name(name, principal), problem=assignment.problem)


def proposal_row_live(proposal: TaskProposal) -> ProposalRow:
    conditions = proposal.conditions
    citation = ""
    if proposal.version is not None:
        citation = f"{proposal.version.title} {proposal.version.version}"
        if proposal.section is not None:
            citation += f", § {proposal.section.number} {proposal.section.heading}"
    return ProposalRow(
        task=task_name(proposal.task_type),
        code=proposal.task_type.code,
        unclear=proposal.status == RuleProposalStatus.UNCLEAR,
        reason=_reason_text(proposal.reason),
        message=proposal.message,
        parties=[
            _live_party("orders", proposal.orders),
            _live_party("performs", proposal.performs),
            _live_party("follows_up", proposal.follows_up),
        ],
        conditions=_condition_texts(
            {
                "risk_analysis_required": conditions.risk_analysis_required,
                "approver_role": conditions.approver_role,
                "specialist_active_role_required": conditions.specialist_active_role_required,
                "training_required": conditions.training_required,
                "contact_24_7_required": conditions.contact_24_7_required,
                "delegation_allowed": conditions.delegation_allowed,
                "max_duration_days": conditions.max_duration_days,
                "note": conditions.note,
            }
        ),
        citation=citation,
        review_by=proposal.review_by,
        visits=visits_text(proposal.time_bands),
        notes=proposal.notes,
    )


def _snapshot_party(role: str, snapshot: dict[str, Any] | None) -> ProposedParty:
    if not snapshot:
        return ProposedParty(role=role, organisation="")
    organisation = snapshot.get("organisation") or {}
    principal = snapshot.get("principal") or {}
    return ProposedParty(
        role=role,
        organisation=performer_name(str(organisation.get("name") or ""), str(principal.get("name") or "")),
        problem=str(snapshot.get("problem") or ""),
    )


def proposal_row_stored(task: CaseTask) -> ProposalRow:
    snapshot = task.proposal or {}
    version = snapshot.get("agreement_version") or {}
    section = snapshot.get("section") or {}
    citation = ""
    if version:
        citation = f"{version.get('title', '')} {version.get('version', '')}".strip()
        if section:
            citation += f", § {section.get('number', '')} {section.get('heading', '')}".rstrip()
    review_by = snapshot.get("review_by")
    return ProposalRow(
        task=task_name(task.task_type),
        code=task.task_type.code,
        unclear=task.is_unclear,
        reason=_reason_text(str(snapshot.get("reason") or "")),
        message=str(snapshot.get("message") or ""),
        parties=[
            _snapshot_party("orders", snapshot.get("orders")),
            _snapshot_party("performs", snapshot.get("performs")),
            _snapshot_party("follows_up", snapshot.get("follows_up")),
        ],
        conditions=_condition_texts(snapshot.get("conditions") or {}),
        citation=citation,
        review_by=datetime.date.fromisoformat(review_by) if review_by else None,
        visits=visits_text(snapshot.get("time_bands") or task.visit_band_list),
        notes=tuple(str(n) for n in snapshot.get("notes") or ()),
    )


@dataclass(frozen=True)
class ProposalPreview:
    rows: list[ProposalRow]
    unknown_codes: list[str]

    @property
    def unclear_count(self) -> int:
        return sum(1 for r in self.rows if r.unclear)


def proposal_preview(
    *,
    actor: Actor,
    patient: Seen[Patient],
    task_codes: Sequence[str],
    specialist_clinic: Organisation | None,
    stay_kommun: Organisation | None = None,
    visit_bands: dict[str, list[str]] | None = None,
) -> ProposalPreview:
    """What the agreement's rules propose for these tasks today; nothing is stored.

    ``patient`` is what ``patients.selectors.patient_get`` returned (access checked, read logged), as in
    the API's ``POST /responsibility/proposals``; this runs the same selector and engine.
    """
    codes = list(dict.fromkeys(c for c in task_codes if c))
    if not codes:
        return ProposalPreview(rows=[], unknown_codes=[])
    on = timezone.localdate()
    situation = agreement_selectors.patient_situation(
        patient=patient.obj,
        specialist_clinic_id=specialist_clinic.pk if specialist_clinic else None,
        stay_kommun=stay_kommun,
    )
    inputs = agreement_selectors.responsibility_inputs_load(
        actor=actor, situation=situation, task_codes=codes, on=on
    )
    found = [inputs.task_types[c] for c in codes if c in inputs.task_types]
    proposals = rules_propose_split(
        situation=situation, task_types=found, rules=inputs.rules, on=on, time_bands=visit_bands
    )
    return ProposalPreview(
        rows=[proposal_row_live(p) for p in proposals], unknown_codes=inputs.missing_codes(codes)
    )


# --- The case page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    task: CaseTask
    proposal: ProposalRow
    agreed: list[ProposedParty]


def task_views(case: ResponsibilityCase) -> list[TaskView]:
    views = []
    for task in case.tasks.all():
        agreed = []
        if task.agreed_performs_id is not None:
            agreed = [
                ProposedParty("orders", task.agreed_orders.name if task.agreed_orders else ""),
                ProposedParty("performs", task.agreed_performs.name if task.agreed_performs else ""),
                ProposedParty("follows_up", task.agreed_follows_up.name if task.agreed_follows_up else ""),
            ]
        views.append(TaskView(task=task, proposal=proposal_row_stored(task), agreed=agreed))
    return views


def case_organisations(case: ResponsibilityCase) -> list[Organisation]:
    """The organisations a split on this case may name (``selectors.assignable_organisations``)."""
    return selectors.assignable_organisations(case)


ACTION_LABELS: dict[str, Any] = {
    A.UPDATE: gettext_lazy("Change the draft"),
    A.SUBMIT: gettext_lazy("Submit for review"),
    A.ACCEPT: gettext_lazy("Review the split: accept or dispute"),
    A.DISPUTE: gettext_lazy("Dispute"),
    A.DISPUTE_AFTER_REJECTION: gettext_lazy("Dispute the tasks instead of a new version"),
    A.STATE_POSITION: gettext_lazy("State a position"),
    A.ESCALATE: gettext_lazy("Escalate"),
    A.DECIDE: gettext_lazy("Record the decision"),
    A.CREATE_ANALYSIS: gettext_lazy("Write the risk analysis"),
    A.SIGN_ANALYSIS: gettext_lazy("Sign the risk analysis"),
    A.APPROVE_ANALYSIS: gettext_lazy("Approve the risk analysis"),
    A.REJECT_ANALYSIS: gettext_lazy("Reject the risk analysis"),
    A.RETURN_ANALYSIS: gettext_lazy("Return the risk analysis with comments"),
    A.ACTIVATE: gettext_lazy("Care has started (activate)"),
    A.START_FOLLOW_UP: gettext_lazy("Start the follow-up"),
    A.RESUME: gettext_lazy("Followed up: care goes on"),
    A.CLOSE: gettext_lazy("Followed up: close the case"),
    A.WITHDRAW: gettext_lazy("Withdraw the case"),
    A.COMMENT: gettext_lazy("Comment"),
    **decisions.ACTION_LABELS,
}

# The button of an action's form, where the action's name (the form's heading) would not read as what
# pressing it does.
SUBMIT_LABELS: dict[str, Any] = {
    A.COMMENT: gettext_lazy("Post the comment"),
}

# --- The story: why the case was opened, for every party -----------------------------------------


@dataclass(frozen=True)
class CaseStory:
    background: str
    trigger: str
    urgency: str
    urgent: bool
    impacts: list[str]
    shift_planning: str


IMPACT_FLAGS = (
    ("increased_staff_time", gettext_lazy("More staff time (ökad personaltid)")),
    ("increased_other_costs", gettext_lazy("Other costs (ökade övriga kostnader)")),
    ("competence_needed", gettext_lazy("Competence needed (kompetenshöjning)")),
    ("patient_safety_risk", gettext_lazy("Patient-safety risk (patientsäkerhetsrisk)")),
)


def case_story(case: ResponsibilityCase) -> CaseStory:
    """Background, trigger, urgency and the vårdöverskjutning impact flags, in the page's language."""
    return CaseStory(
        background=case.background,
        trigger=str(case.get_trigger_display()),
        urgency=str(case.get_urgency_display()),
        urgent=case.urgency == Urgency.URGENT,
        impacts=[str(label) for name, label in IMPACT_FLAGS if getattr(case, name)],
        shift_planning=str(case.get_shift_planning_display()),
    )


@dataclass
class CasePage:
    case: ResponsibilityCase
    # Whether the page may show the patient's identity (skyddad identitet): the selector's decision.
    identity_visible: bool
    actions: list[str]
    next: NextStep
    story: CaseStory
    tasks: list[TaskView]
    positions: list[Position]
    decisions: list[EscalationDecision]
    analysis: RiskAnalysis | None
    organisations: list[Organisation]
    overdue: bool
    unclear_pending: list[CaseTask] = field(default_factory=list)
    disputed: list[CaseTask] = field(default_factory=list)
    open_tasks: list[CaseTask] = field(default_factory=list)
    compliance_warnings: list[str] = field(default_factory=list)
    # The one physician who signs (or returns) the risk analysis, in words.
    signer: str = ""


def case_page(*, actor: Actor, case: Seen[ResponsibilityCase]) -> CasePage:
    """Arrange a case as ``actor`` read it (``selectors.case_read``) for its page, with the actions the
    table allows."""
    record = case.obj
    facts = selectors.case_facts(record)
    actions = allowed_actions(actor, record, facts)
    tasks = list(record.tasks.all())
    positions = list(
        Position.objects.filter(case=record).select_related(
            "task__task_type",
            "organisation",
            "user",
            "proposed_orders",
            "proposed_performs",
            "proposed_follows_up",
        )
    )
    analysis = selectors.current_analysis(record)
    step = next_step(
        step_facts(
            actor=actor, case=record, actions=actions, facts=facts, analysis=analysis, positions=positions
        )
    )
    return CasePage(
        case=record,
        identity_visible=case.identity_visible,
        actions=actions,
        next=step,
        story=case_story(record),
        tasks=task_views(record),
        positions=positions,
        decisions=list(EscalationDecision.objects.filter(case=record).select_related("body", "decided_by")),
        analysis=analysis,
        organisations=case_organisations(record),
        overdue=is_overdue(record),
        unclear_pending=[t for t in tasks if t.is_unclear and t.review_state == "pending"],
        disputed=[t for t in tasks if t.review_state == "disputed"],
        open_tasks=[t for t in tasks if t.review_state != "accepted"],
        compliance_warnings=compliance_warnings(record),
        signer=analysis_signer(record, facts),
    )


def compliance_warnings(case: ResponsibilityCase) -> list[str]:
    """What the case's agreement requires that the parties lack (``agreements.compliance``)."""
    version = case.agreement_version
    if version is None or version.mar_required_from is None:
        return []
    warning = mar_vacancy_warning(
        version=version,
        kommun_name=case.kommun.name,
        mar_vacant=selectors.mar_vacant(kommun_id=case.kommun_id),
        on=timezone.localdate(),
    )
    return [warning] if warning else []


# --- The risk matrix (built by ``cases.risk``) --------------------------------------------------------


@dataclass(frozen=True)
class ScoredHazard:
    number: int
    description: str
    likelihood: int
    consequence: int
    score: int
    css: str
    words: str


def scored(items: Iterable[tuple[str, int, int]]) -> list[ScoredHazard]:
    """The hazards numbered from 1 in the order given."""
    return scored_numbered((number, *item) for number, item in enumerate(items, start=1))


def scored_numbered(items: Iterable[tuple[int, str, int, int]]) -> list[ScoredHazard]:
    """The hazards with the numbers given (a form's hazards keep the numbers of the form's fieldsets)."""
    out = []
    for number, description, likelihood, consequence in items:
        score = risk_score(likelihood, consequence)
        level = risk_level(score)
        out.append(
            ScoredHazard(number, description, likelihood, consequence, score, level.css, str(level.label))
        )
    return out


def scored_hazards(hazards: Iterable[Hazard]) -> list[ScoredHazard]:
    return scored((h.description, h.likelihood, h.consequence) for h in hazards)


@dataclass(frozen=True)
class AnalysisCopy:
    """The last version of a risk analysis as the initial data of the form for the next one."""

    fields: dict[str, Any] = field(default_factory=dict)
    hazards: list[dict[str, Any]] = field(default_factory=list)


def analysis_copy(analysis: RiskAnalysis | None) -> AnalysisCopy:
    """Summary, review date (unless passed), hazards and each hazard's first measure of ``analysis``."""
    if analysis is None:
        return AnalysisCopy()
    today = timezone.localdate()
    fields: dict[str, Any] = {"summary": analysis.summary}
    if analysis.review_on is not None and analysis.review_on >= today:
        fields["review_on"] = analysis.review_on
    hazards = []
    for hazard in analysis.hazards.all().order_by("pk"):
        row: dict[str, Any] = {
            "description": hazard.description,
            "likelihood": hazard.likelihood,
            "consequence": hazard.consequence,
        }
        measure = hazard.measures.order_by("pk").first()
        if measure is not None:
            row["measure"] = measure.description
            row["measure_owner"] = measure.owner_organisation
            if measure.due_on is not None and measure.due_on >= today:
                row["measure_due"] = measure.due_on
        hazards.append(row)
    return AnalysisCopy(fields=fields, hazards=hazards)


def parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None
