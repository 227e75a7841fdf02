"""Responsibility cases (ansvarsärenden) and everything recorded on them.

A case asks "who is responsible for each of these tasks for this patient?". Its status moves along the
table in ``cases.transitions``; every change is a ``CaseEvent``. Positions, escalation decisions,
signatures and approval decisions are personal and immutable: the database refuses to change or delete
them (migration 0002), so a correction is always a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agreements.choices import SplitArrangement
from directory.models import OrganisationKind
from hemsjukvard.db import PublicIdModel, TimestampedModel

from .numbering import next_case_number
from .preferences import EmailChoice as EmailChoice
from .preferences import NotificationPreference as NotificationPreference
from .risk import is_high, risk_score
from .whereabouts import CaseStay, TaskVisitTimes


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RISK_ANALYSIS = "risk_analysis", _("Risk analysis")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    AGREED = "agreed", _("Agreed")
    ACTIVE = "active", _("Active")
    FOLLOW_UP = "follow_up", _("Follow-up")
    DISPUTED = "disputed", _("Disputed")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(s.value for s in CaseStatus if s != CaseStatus.CLOSED)


class Trigger(models.TextChoices):
    DISCHARGE = "discharge", _("Discharge from hospital")
    SPECIALIST_REQUEST = "specialist_request", _("Request from specialist care")
    CHANGED_NEEDS = "changed_needs", _("Changed care needs")
    NEW_ENROLMENT = "new_enrolment", _("New enrolment")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class ShiftPlanning(models.TextChoices):
    """Vårdöverskjutning: was the shift of care planned with agreement, or unorganised (oorganiserad)?"""

    UNKNOWN = "unknown", _("Not assessed")
    PLANNED = "planned", _("Planned with agreement")
    UNORGANISED = "unorganised", _("Unorganised")


class Closure(models.TextChoices):
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WITHDRAWN_BY_DECISION = "withdrawn_by_decision", _("Withdrawn by escalation decision")
    COMPLETED = "completed", _("Completed after follow-up")


class ResponsibilityCase(CaseStay, PublicIdModel, TimestampedModel):
    """Ansvarsärende: one question of responsibility for one patient's home health care."""

    number = models.CharField(
        _("case number"), max_length=32, unique=True, editable=False, default=next_case_number
    )
    patient = models.ForeignKey(
        "patients.Patient", verbose_name=_("patient"), on_delete=models.PROTECT, related_name="cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_by_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("opened by organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kommun = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        related_name="cases_as_kommun",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
    )
    vardcentral = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("vårdcentral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_vardcentral",
        limit_choices_to={"kind": OrganisationKind.VARDCENTRAL},
    )
    specialist_clinic = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("ordering specialist clinic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_clinic",
        limit_choices_to={"kind": OrganisationKind.SPECIALIST_CLINIC},
    )
    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    background = models.TextField(_("background"), blank=True)
    # Vårdöverskjutning impact flags (domain §7).
    increased_staff_time = models.BooleanField(_("more staff time (ökad personaltid)"), default=False)
    increased_other_costs = models.BooleanField(_("other costs (ökade övriga kostnader)"), default=False)
    competence_needed = models.BooleanField(_("competence needed (kompetenshöjning)"), default=False)
    patient_safety_risk = models.BooleanField(_("patient-safety risk (patientsäkerhetsrisk)"), default=False)
    shift_planning = models.CharField(
        _("planned or unorganised"),
        max_length=16,
        choices=ShiftPlanning.choices,
        default=ShiftPlanning.UNKNOWN,
    )

    status = models.CharField(
        _("status"), max_length=32, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    owner_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_role = models.CharField(_("owner role"), max_length=16, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), null=True, blank=True)
    escalation_body = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("escalation body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_body",
        limit_choices_to={"kind": OrganisationKind.JOINT_BODY},
    )
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion",
        verbose_name=_("agreement version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agreement version whose deadlines and escalation ladder the case follows."),
    )
    closure = models.CharField(_("closed as"), max_length=32, choices=Closure.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("responsibility case")
        verbose_name_plural = _("responsibility cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.ESCALATED)
                | Q(escalation_level__isnull=False, escalation_body__isnull=False),
                name="case_escalated_has_level_and_body",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="case_closed_iff_closed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["kommun", "status"]),
            models.Index(fields=["vardcentral", "status"]),
            models.Index(fields=["specialist_clinic", "status"]),
            models.Index(fields=["patient", "status"]),
        ]

    def __str__(self) -> str:
        # Never the patient's name: str() ends up in logs.
        return f"Case {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline_key(self) -> str:
        """Names the deadline now running, so a reminder for it is sent once and only once."""
        if self.due_at is None:
            return ""
        return f"{self.status}:{self.escalation_level or 0}:{int(self.due_at.timestamp())}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Not yet proposed")
    PROPOSED = "proposed", _("Proposed")
    UNCLEAR = "unclear", _("Unclear")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    DISPUTED = "disputed", _("Disputed")
    DECIDED = "decided", _("Decided")


class AgreedBasis(models.TextChoices):
    PROPOSAL = "proposal", _("The agreement's proposal, accepted")
    REVIEWER = "reviewer", _("Decided by the reviewer (unclear task)")
    ESCALATION = "escalation", _("Decided by the escalation body")


class CaseTask(TaskVisitTimes, PublicIdModel):
    """A task asked for on a case, with the engine's proposal as it was at submit and the agreed split."""

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks"
    )
    task_type = models.ForeignKey(
        "agreements.CareTaskType", verbose_name=_("task type"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    proposal_status = models.CharField(
        _("proposal"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposal = models.JSONField(
        _("proposal as made"),
        default=dict,
        blank=True,
        help_text=_("The engine's proposal at submit: parties, conditions, rule and section cited."),
    )
    rule = models.ForeignKey(
        "agreements.ResponsibilityRule",
        verbose_name=_("rule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreement_version = models.ForeignKey(
        "agreements.AgreementVersion",
        verbose_name=_("agreement version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requires_risk_analysis = models.BooleanField(_("requires a risk analysis"), default=False)
    approver_role = models.CharField(_("risk analysis approved by"), max_length=8, blank=True)
    specialist_active_role_required = models.BooleanField(_("specialist active role"), default=False)
    review_state = models.CharField(
        _("review"), max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    agreed_orders = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("agreed: orders"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_performs = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("agreed: performs"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_follows_up = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("agreed: follows up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agreed_basis = models.CharField(_("agreed by"), max_length=16, choices=AgreedBasis.choices, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    # The law's exception to a hard rule, recorded with the split (``agreements.hard_rules``).
    arrangement = models.CharField(
        _("arrangement"), max_length=32, choices=SplitArrangement.choices, blank=True
    )
    arrangement_note = models.TextField(_("arrangement: note"), blank=True)

    class Meta:
        verbose_name = _("case task")
        verbose_name_plural = _("case tasks")
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "task_type"], name="case_task_type_once_per_case"),
            models.CheckConstraint(
                condition=~Q(review_state__in=["accepted", "decided"]) | Q(agreed_performs__isnull=False),
                name="case_task_agreed_has_split",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_type_id} on {self.case_id}"

    @property
    def is_unclear(self) -> bool:
        return self.proposal_status == ProposalStatus.UNCLEAR


class ReviewAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISPUTED = "disputed", _("Disputed")


class TaskReview(models.Model):
    """One party's answer on one task of the proposal: accepted or disputed. Immutable.

    Every organisation the proposal makes responsible for a task answers for it on its own (the
    vårdcentral, the specialist clinic, the kommun); the task is agreed once every party whose answer
    it awaits has accepted, and disputed as soon as one party disputes it. A reviewer who accepts an
    unclear task states the split it accepts (``orders``/``performs``/``follows_up``).
    """

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="task_reviews"
    )
    task = models.ForeignKey(
        CaseTask, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reviews"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    answer = models.CharField(_("answer"), max_length=16, choices=ReviewAnswer.choices)
    text = models.TextField(_("position"), blank=True)
    orders = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    performs = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follows_up = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrangement = models.CharField(
        _("arrangement"), max_length=32, choices=SplitArrangement.choices, blank=True
    )
    arrangement_note = models.TextField(_("arrangement: note"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("task review")
        verbose_name_plural = _("task reviews")
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.organisation_id} {self.answer}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Case opened")
    UPDATED = "updated", _("Draft changed")
    TRANSITION = "transition", _("Status changed")
    ACCEPTED = "accepted", _("Tasks accepted")
    DISPUTED = "disputed", _("Tasks disputed")
    POSITION = "position", _("Position stated")
    ESCALATED = "escalated", _("Escalated")
    DECIDED = "decided", _("Decided")
    ANALYSIS_CREATED = "analysis_created", _("Risk analysis written")
    ANALYSIS_SIGNED = "analysis_signed", _("Risk analysis signed")
    ANALYSIS_APPROVED = "analysis_approved", _("Risk analysis approved")
    ANALYSIS_REJECTED = "analysis_rejected", _("Risk analysis rejected")
    MAS_INFORMED = "mas_informed", _("MAS informed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMMENT = "comment", _("Comment")
    REMINDER = "reminder", _("Deadline passed: reminder sent")
    ATTACHMENT_ADDED = "attachment_added", _("File attached")
    ATTACHMENT_REMOVED = "attachment_removed", _("Attachment removed")
    SHARING = "sharing", _("Legal basis for sharing")  # the action says which (consent.services)
    HANDED_OVER = "handed_over", _("Handed over to a colleague or team")


class CaseEvent(models.Model):
    """One entry of a case's timeline. Rows are only ever inserted (the database refuses the rest)."""

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted (e.g. a deadline passed)."),
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=16, blank=True)
    api_client = models.CharField(
        _("via API client"),
        max_length=200,
        blank=True,
        help_text=_("The integration through which the person acted, if not in the browser or by own token."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    action = models.CharField(_("action"), max_length=32, blank=True)
    from_status = models.CharField(_("from status"), max_length=32, blank=True)
    to_status = models.CharField(_("to status"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    deadline_key = models.CharField(_("deadline"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "deadline_key"],
                condition=Q(kind="reminder"),
                name="case_event_one_reminder_per_deadline",
            )
        ]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class Position(PublicIdModel):
    """A party's position on a disputed task: text and the split it proposes. Immutable."""

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="positions"
    )
    task = models.ForeignKey(
        CaseTask, verbose_name=_("task"), on_delete=models.PROTECT, related_name="positions"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("stated by"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    text = models.TextField(_("position"))
    proposed_orders = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_performs = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_follows_up = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_arrangement = models.CharField(
        _("arrangement proposed"), max_length=32, choices=SplitArrangement.choices, blank=True
    )
    proposed_arrangement_note = models.TextField(_("arrangement proposed: note"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["case", "at", "pk"]


class DecisionOutcome(models.TextChoices):
    AGREED = "agreed", _("Responsibility decided")
    WITHDRAWN = "withdrawn", _("Case withdrawn")


class EscalationDecision(PublicIdModel):
    """The decision of the body at an escalation level: split per task and reasons. Immutable."""

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="decisions"
    )
    level = models.PositiveSmallIntegerField(_("level"))
    body = models.ForeignKey(
        "directory.Organisation", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=DecisionOutcome.choices)
    reasons = models.TextField(_("reasons"))
    splits = models.JSONField(_("split per task"), default=list, blank=True)

    class Meta:
        verbose_name = _("escalation decision")
        verbose_name_plural = _("escalation decisions")
        ordering = ["case", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="escalation_decision_once_per_level")
        ]


class AnalysisStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    APPROVED = "approved", _("Approved")
    # Signed, and in effect without an approval: the agreement asks nobody in the kommun to approve
    # it and has the kommun's MAS informed instead (``ApproverRole.INFORMED``).
    MAS_INFORMED = "mas_informed", _("Signed, MAS informed (no approval needed)")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


# An analysis in one of these statuses is the one in effect for the case.
ANALYSIS_IN_EFFECT = frozenset({AnalysisStatus.APPROVED, AnalysisStatus.MAS_INFORMED})


class RiskAnalysis(PublicIdModel):
    """Riskanalys, one version. A change is a new version that needs a new signature and approval."""

    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="risk_analyses"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=AnalysisStatus.choices, default=AnalysisStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk analysis")
        verbose_name_plural = _("risk analyses")
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="risk_analysis_version_unique"),
        ]

    def __str__(self) -> str:
        return f"Risk analysis {self.number} of {self.case_id}"


class Hazard(models.Model):
    """A hazard scored on Socialstyrelsen's matrix (``cases.risk``): likelihood 1–4 × consequence 1–4."""

    analysis = models.ForeignKey(
        RiskAnalysis, verbose_name=_("risk analysis"), on_delete=models.PROTECT, related_name="hazards"
    )
    description = models.TextField(_("hazard"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–4)"))
    consequence = models.PositiveSmallIntegerField(_("consequence (1–4)"))
    score = models.GeneratedField(
        expression=F("likelihood") * F("consequence"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("risk score"),
    )

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["analysis", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=4), name="hazard_likelihood_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(consequence__gte=1, consequence__lte=4), name="hazard_consequence_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.likelihood}×{self.consequence}: {self.description[:40]}"

    @property
    def is_high(self) -> bool:
        return is_high(risk_score(self.likelihood, self.consequence))


class Measure(models.Model):
    analysis = models.ForeignKey(
        RiskAnalysis, verbose_name=_("risk analysis"), on_delete=models.PROTECT, related_name="measures"
    )
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("hazard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    description = models.TextField(_("measure"))
    owner_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(_("owner (person or function)"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"))

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["analysis", "pk"]

    def __str__(self) -> str:
        return f"{self.description[:40]} ({self.due_on})"


class Signature(models.Model):
    """A physician's personal signature of one risk-analysis version. Immutable."""

    analysis = models.ForeignKey(
        RiskAnalysis, verbose_name=_("risk analysis"), on_delete=models.PROTECT, related_name="signatures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["analysis", "user"], name="signature_once_per_person")]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class AnalysisVerdict(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AnalysisDecision(models.Model):
    """MAS's or MAR's approval or rejection of one risk-analysis version. Personal and immutable.

    ``for_role`` is the approval the analysis needed (MAS for nursing, MAR for rehabilitation); ``role``
    is the role the person acted in (MAS standing in where MAR is vacant). One decision per needed role
    and version, enforced by the database, so two approvals at once cannot both be recorded.
    """

    analysis = models.ForeignKey(
        RiskAnalysis, verbose_name=_("risk analysis"), on_delete=models.PROTECT, related_name="decisions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    for_role = models.CharField(_("approval needed from"), max_length=16)
    verdict = models.CharField(_("decision"), max_length=16, choices=AnalysisVerdict.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk analysis decision")
        verbose_name_plural = _("risk analysis decisions")
        ordering = ["analysis", "at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "for_role"], name="analysis_decision_once_per_role"),
            models.CheckConstraint(
                condition=Q(verdict="approved") | ~Q(reason=""), name="analysis_rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} ({self.for_role}) {self.at:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    DEADLINE_PASSED = "deadline_passed", _("Deadline passed")
    MAS_INFORMED = "mas_informed", _("MAS informed of a risk analysis")
    CASE_REFERRED = "case_referred", _("A case opened by the vårdcentral before enrolment")
    # One kind per step of a case (cases.notify says who is told what at which step); messaging's last.
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    CASE_SUBMITTED = "case_submitted", _("Case submitted")
    TASKS_ACCEPTED = "tasks_accepted", _("Tasks accepted")
    CASE_DISPUTED = "case_disputed", _("Case disputed")
    POSITION_STATED = "position_stated", _("Position stated")
    CASE_ESCALATED = "case_escalated", _("Case escalated")
    CASE_DECIDED = "case_decided", _("Case decided")
    RECOMMENDATION_MADE = "recommendation_made", _("Recommendation to answer")
    ANALYSIS_REQUESTED = "analysis_requested", _("Risk analysis requested")
    SIGNATURE_REQUESTED = "signature_requested", _("Signature requested")
    APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
    ANALYSIS_REJECTED = "analysis_rejected", _("Risk analysis rejected")
    CASE_AGREED = "case_agreed", _("Case agreed")
    CASE_ACTIVE = "case_active", _("Care started")
    CASE_WITHDRAWN = "case_withdrawn", _("Case withdrawn")
    CASE_CLOSED = "case_closed", _("Case closed")
    COMMENTED = "commented", _("New comment")
    SIP_STARTED = "sip_started", _("SIP started")
    SIP_FINALISED = "sip_finalised", _("SIP finalised")
    SIP_CONSENT_WITHDRAWN = "sip_consent_withdrawn", _("SIP consent withdrawn")
    SIP_CLOSED = "sip_closed", _("SIP closed")
    SIP_NAMED = "sip_named", _("Named biståndshandläggare on a SIP")
    SIP_NEW_DRAFT = "sip_new_draft", _("A SIP's new draft to write in")
    TRAINING_EXPIRING = "training_expiring", _("Competence transfer about to expire")
    DELEGATION_EXPIRING = "delegation_expiring", _("Delegation about to expire")
    REREVIEW_DUE = "rereview_due", _("Re-review due")
    MESSAGE_RECEIVED = "message_received", _("Message to answer")
    MESSAGE_ANSWERED = "message_answered", _("Message answered")
    MESSAGE_OVERDUE = "message_overdue", _("Message not answered in time")
    CASE_HANDED_OVER = "case_handed_over", _("Case handed over to you")


# Notices that lead a biståndshandläggare to a plan: she reaches the plan, never its case.
PLAN_NOTIFICATION_KINDS = frozenset({NotificationKind.SIP_NAMED, NotificationKind.SIP_NEW_DRAFT})


class Notification(PublicIdModel):
    """An in-app notice to one person (also e-mailed). At most one per person, case, kind and key.

    ``deadline_key`` names the thing notified about: the running deadline for a reminder, the risk
    analysis version for "MAS informed", the case or SIP event for a step (``event:<id>``), a message
    (``message:<id>``), so a step retried never notifies twice. ``organisation`` and ``role`` say in
    which membership they are told; ``acts`` whether they must act (or are informed), ``due_at`` by when.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_notifications",
    )
    case = models.ForeignKey(
        ResponsibilityCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    deadline_key = models.CharField(_("deadline"), max_length=64)
    message = models.TextField(_("message"))
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=32, blank=True)
    acts = models.BooleanField(_("must act"), default=False)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "case", "kind", "deadline_key"], name="notification_once_per_deadline"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    @property
    def opens_plan(self) -> bool:
        """Whether the notice leads to the case's plan rather than the case (``PLAN_NOTIFICATION_KINDS``)."""
        return self.kind in PLAN_NOTIFICATION_KINDS
