"""Risk analyses: write, sign, inform MAS, approve and reject (four eyes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements.choices import ApproverRole
from agreements.models import CareTaskType
from directory.actor import Actor
from directory.models import Membership, Role, User
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.outbox import outbox_enqueue

from .. import selectors
from ..models import (
    AnalysisDecision,
    AnalysisStatus,
    AnalysisVerdict,
    CaseTask,
    EventKind,
    Hazard,
    Measure,
    Notification,
    NotificationKind,
    ResponsibilityCase,
    RiskAnalysis,
    Signature,
)
from ..policies import CaseFacts
from ..risk import is_high, risk_score
from ..transitions import A
from .core import S, _authorise, _lock, _move, _record, _save
from .inputs import AnalysisInput

# --- Risk analysis ---------------------------------------------------------------------------------


def _validate_analysis(data: AnalysisInput) -> None:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if data.review_on is not None and data.review_on < today:
        errors["review_on"] = _("The review date cannot be in the past.")
    measures = [*data.measures, *(m for hazard in data.hazards for m in hazard.measures)]
    if any(m.due_on is not None and m.due_on < today for m in measures):
        errors["measures"] = _("A measure's due date cannot be in the past.")
    if not data.hazards:
        errors["hazards"] = _("Name at least one hazard.")
    for hazard in data.hazards:
        if not (1 <= hazard.likelihood <= 4 and 1 <= hazard.consequence <= 4):
            errors["hazards"] = _("Likelihood and consequence are each scored from 1 to 4.")
        if not hazard.description.strip():
            errors["hazards"] = _("Describe each hazard.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def risk_analysis_create(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, data: AnalysisInput
) -> RiskAnalysis:
    """Write a new version of the case's risk analysis; it needs a new signature and approval.

    Writing one for an agreed or active case takes the case back to ``risk_analysis``: a changed
    analysis is not approved until it is approved again.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.CREATE_ANALYSIS)
    _validate_analysis(data)
    previous = RiskAnalysis.objects.filter(case=case).order_by("-number").first()
    if previous is not None and previous.status in (AnalysisStatus.DRAFT, AnalysisStatus.SIGNED):
        previous.status = AnalysisStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    analysis = RiskAnalysis.objects.create(
        case=case,
        number=(previous.number + 1) if previous is not None else 1,
        summary=data.summary,
        review_on=data.review_on,
        created_by=actor.user,
        organisation=membership.organisation,
    )
    for item in data.hazards:
        hazard = Hazard.objects.create(
            analysis=analysis,
            description=item.description,
            likelihood=item.likelihood,
            consequence=item.consequence,
        )
        Measure.objects.bulk_create(
            [
                Measure(
                    analysis=analysis,
                    hazard=hazard,
                    description=m.description,
                    owner_organisation=m.owner_organisation,
                    owner_name=m.owner_name,
                    due_on=m.due_on,
                )
                for m in item.measures
            ]
        )
    Measure.objects.bulk_create(
        [
            Measure(
                analysis=analysis,
                description=m.description,
                owner_organisation=m.owner_organisation,
                owner_name=m.owner_name,
                due_on=m.due_on,
            )
            for m in data.measures
        ]
    )
    _move(
        actor,
        case,
        to_status=S.RISK_ANALYSIS,
        action=A.CREATE_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_CREATED,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "high_risks": sum(1 for h in data.hazards if is_high(risk_score(h.likelihood, h.consequence))),
        },
    )
    _save(actor, case, membership=membership)
    return analysis


def _analysis_for_action(case: ResponsibilityCase, analysis: RiskAnalysis, status: str) -> RiskAnalysis:
    current = RiskAnalysis.objects.select_for_update().filter(case=case).order_by("-number").first()
    if current is None or current.pk != analysis.pk:
        raise StateConflictError(
            _("This is not the current version of the risk analysis."),
            extra={"allowed": [], "current": str(current.public_id) if current else None},
        )
    if current.status != status:
        raise StateConflictError(
            _("The risk analysis is %(status)s.") % {"status": current.get_status_display()},
            extra={"allowed": [], "analysis_status": current.status},
        )
    return current


@transaction.atomic
def risk_analysis_sign(
    *, actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, expected_version: int | None
) -> RiskAnalysis:
    """The responsible physician signs; the analysis goes to MAS/MAR for approval, if any is needed.

    Where no task of the case needs an approval (the agreement asks nobody in the kommun to approve,
    e.g. ventilator treatment the region's specialist team performs), signing completes the analysis:
    it is in effect as ``mas_informed``, with no approval recorded, and the case is ``agreed``. Whenever
    the analysis covers such a task, every active MAS of the kommun is informed at signing, also when
    another task still waits for MAS's or MAR's approval: what they are informed of does not depend on
    that approval.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.SIGN_ANALYSIS)
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.DRAFT)
    Signature.objects.create(
        analysis=analysis, user=actor.user, organisation=membership.organisation, role=membership.role
    )
    facts = selectors.case_facts(case)
    needs_approval = bool(facts.approvals_needed)
    analysis.status = AnalysisStatus.SIGNED if needs_approval else AnalysisStatus.MAS_INFORMED
    analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.AWAITING_APPROVAL if needs_approval else S.AGREED,
        action=A.SIGN_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_SIGNED,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "approval_needed": needs_approval,
        },
        facts=facts,
    )
    if facts.informs_mas or not needs_approval:
        _mas_inform(actor, case, analysis, membership=membership)
    _save(actor, case, membership=membership)
    return analysis


def _task_type_name(task_type: CareTaskType) -> str:
    if (get_language() or "sv").startswith("en"):
        return task_type.name_en or task_type.name_sv
    return task_type.name_sv


def _active_mas(kommun_id: int) -> list[User]:
    user_ids = (
        Membership.objects.active(timezone.localdate())
        .filter(organisation_id=kommun_id, role=Role.MAS)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _mas_inform(
    actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, *, membership: Membership
) -> None:
    """Inform every active MAS of the case's kommun that ``analysis`` is signed and needs no approval
    from them for its informed-only tasks: a timeline event naming who was informed, and one
    notification (also e-mailed) per MAS and analysis version.
    """
    informed_tasks = list(
        CaseTask.objects.filter(case=case, requires_risk_analysis=True, approver_role=ApproverRole.INFORMED)
        .select_related("task_type")
        .order_by("pk")
    )
    recipients = _active_mas(case.kommun_id)
    tasks = ", ".join(_task_type_name(t.task_type) for t in informed_tasks)
    people = ", ".join(user.display_name for user in recipients)
    if recipients and informed_tasks:
        reason = _(
            "The agreement asks nobody in the kommun to approve the risk analysis of %(tasks)s. "
            "The kommun's MAS is informed: %(people)s."
        ) % {"tasks": tasks, "people": people}
    elif recipients:
        reason = _(
            "No task of the case needs the risk analysis approved. The kommun's MAS is informed: %(people)s."
        ) % {"people": people}
    elif informed_tasks:
        reason = _(
            "The agreement asks nobody in the kommun to approve the risk analysis of %(tasks)s, but "
            "the kommun has no active MAS to inform."
        ) % {"tasks": tasks}
    else:
        reason = _(
            "No task of the case needs the risk analysis approved, but the kommun has no active MAS "
            "to inform."
        )
    _record(
        actor,
        case,
        kind=EventKind.MAS_INFORMED,
        action=A.SIGN_ANALYSIS,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=reason,
        payload={
            "analysis": str(analysis.public_id),
            "version": analysis.number,
            "tasks": [t.task_type.code for t in informed_tasks],
            "informed": [{"id": str(u.public_id), "name": u.display_name} for u in recipients],
        },
    )
    if not recipients:
        return
    key = f"analysis:{analysis.public_id}"
    message = _(
        "Version %(version)s of the risk analysis of case %(case)s is signed. The agreement asks you "
        "to be informed of it, not to approve it: open the case to read it."
    ) % {"version": analysis.number, "case": case.number}
    Notification.objects.bulk_create(
        [
            Notification(
                user=user, case=case, kind=NotificationKind.MAS_INFORMED, deadline_key=key, message=message
            )
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    notification_ids = list(
        Notification.objects.filter(
            case=case, kind=NotificationKind.MAS_INFORMED, deadline_key=key, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if notification_ids:
        outbox_enqueue(
            "cases.tasks.notifications_email",
            kwargs={"notification_ids": notification_ids},
            dedup_key=f"cases.mas_informed:{analysis.pk}",
        )


class FourEyesRefused(NotPermitted):
    """The approver wrote or signed the analysis: approval needs a second person (four eyes)."""

    code = "four_eyes"


def _check_four_eyes(actor: Actor, analysis: RiskAnalysis) -> None:
    """Who wrote or signed a risk analysis may not approve or reject it, in any of their roles (a nurse who is
    also acting MAS, a physician with a MAS membership): the approval is the second pair of eyes."""
    if analysis.created_by_id == actor.user.pk:
        raise FourEyesRefused(
            _(
                "You wrote this risk analysis, so someone else must approve or reject it. Another MAS or "
                "MAR of the kommun decides (four-eyes principle)."
            )
        )
    if Signature.objects.filter(analysis=analysis, user=actor.user).exists():
        raise FourEyesRefused(
            _(
                "You signed this risk analysis, so someone else must approve or reject it. Another MAS "
                "or MAR of the kommun decides (four-eyes principle)."
            )
        )


def _approval_role(facts: CaseFacts, membership: Membership) -> str:
    for need, by in sorted(facts.approvals_pending.items()):
        if by == membership.role:
            return need
    raise NotPermitted(_("Your role on this case does not allow this."))


def _record_decision(
    actor: Actor,
    analysis: RiskAnalysis,
    membership: Membership,
    facts: CaseFacts,
    *,
    verdict: str,
    reason: str = "",
) -> str:
    """Record a MAS's or MAR's verdict on ``analysis`` (never by who wrote or signed it: four eyes);
    returns the approval it stands for (``mas``/``mar``)."""
    _check_four_eyes(actor, analysis)
    for_role = _approval_role(facts, membership)
    AnalysisDecision.objects.create(
        analysis=analysis,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        for_role=for_role,
        verdict=verdict,
        reason=reason,
    )
    return for_role


@transaction.atomic
def risk_analysis_approve(
    *, actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis, expected_version: int | None
) -> RiskAnalysis:
    """MAS (nursing) or MAR (rehab; MAS where MAR is vacant) approves; all needed → ``agreed``.

    Never the person who wrote or signed the analysis (``FourEyesRefused``, 403).
    """
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.APPROVE_ANALYSIS)
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.SIGNED)
    for_role = _record_decision(actor, analysis, membership, facts, verdict=AnalysisVerdict.APPROVED)
    facts = selectors.case_facts(case)
    done = not facts.approvals_pending
    if done:
        analysis.status = AnalysisStatus.APPROVED
        analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.AGREED if done else S.AWAITING_APPROVAL,
        action=A.APPROVE_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_APPROVED,
        payload={"analysis": str(analysis.public_id), "version": analysis.number, "for_role": for_role},
        facts=facts,
    )
    _save(actor, case, membership=membership)
    return analysis


@transaction.atomic
def risk_analysis_reject(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    analysis: RiskAnalysis,
    expected_version: int | None,
    reason: str,
) -> RiskAnalysis:
    """MAS or MAR rejects, with a reason; the case goes back to ``risk_analysis`` for a new version."""
    case = _lock(case, expected_version)
    membership, facts = _authorise(actor, case, A.REJECT_ANALYSIS)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the risk analysis is rejected.")})
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.SIGNED)
    for_role = _record_decision(
        actor, analysis, membership, facts, verdict=AnalysisVerdict.REJECTED, reason=reason
    )
    analysis.status = AnalysisStatus.REJECTED
    analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.RISK_ANALYSIS,
        action=A.REJECT_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_REJECTED,
        reason=reason,
        payload={"analysis": str(analysis.public_id), "version": analysis.number, "for_role": for_role},
    )
    _save(actor, case, membership=membership)
    return analysis


@transaction.atomic
def risk_analysis_return(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    analysis: RiskAnalysis,
    expected_version: int | None,
    reason: str,
) -> RiskAnalysis:
    """The named signer returns the analysis unsigned, with comments: the kommun writes a new version.

    Only the physician who would sign it (``CaseFacts.signer_party``) may return it, and only while it
    waits for that signature; the returned version is closed (``rejected``) and the case stays in
    ``risk_analysis``, held by the kommun.
    """
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.RETURN_ANALYSIS)
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the kommun should change in the risk analysis.")})
    analysis = _analysis_for_action(case, analysis, AnalysisStatus.DRAFT)
    analysis.status = AnalysisStatus.REJECTED
    analysis.save(update_fields=["status"])
    _move(
        actor,
        case,
        to_status=S.RISK_ANALYSIS,
        action=A.RETURN_ANALYSIS,
        membership=membership,
        kind=EventKind.ANALYSIS_REJECTED,
        reason=reason,
        payload={"analysis": str(analysis.public_id), "version": analysis.number, "returned": True},
    )
    _save(actor, case, membership=membership)
    return analysis
