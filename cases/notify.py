"""Who is told what at which step of a case or its SIP: the one rule.

Pure functions: a step (the action, the statuses it moved between, the organisations on the case, the
deadline) in, a list of notices out, each naming the organisation and the roles in it that must act (or
are informed), the kind, the text and the due time. ``cases.services.notifications`` finds the people
(every active member with that role there, never the person who acted) and writes one notification
each, once per step.

The text names the case by its tasks, never by the patient: a notice is read in lists, e-mails and
integrations where the patient's identity (skyddad identitet) may not be shown; the case page, behind
the access rule, names the patient.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from agreements import deadlines
from directory.models import OrganisationKind, Role

from .models import CaseStatus, EventKind, NotificationKind
from .policies import reviewer_roles
from .transitions import A

S = CaseStatus
K = NotificationKind

# The case's events that are steps someone is told of; the others (opening, draft changes, reminders,
# "MAS informed") notify in their own service or not at all.
STEP_EVENT_KINDS = frozenset(
    {
        EventKind.TRANSITION,
        EventKind.ACCEPTED,
        EventKind.DISPUTED,
        EventKind.POSITION,
        EventKind.ESCALATED,
        EventKind.DECIDED,
        EventKind.ANALYSIS_CREATED,
        EventKind.ANALYSIS_SIGNED,
        EventKind.ANALYSIS_APPROVED,
        EventKind.ANALYSIS_REJECTED,
        EventKind.WITHDRAWN,
        EventKind.COMMENT,
    }
)

# Who answers for an organisation taking part in a SIP, by the organisation's kind.
SIP_ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.KOMMUN: frozenset({Role.NURSE}),
    OrganisationKind.VARDCENTRAL: frozenset({Role.GP}),
    OrganisationKind.SPECIALIST_CLINIC: frozenset({Role.SPECIALIST}),
    OrganisationKind.MOBILE_TEAM: frozenset({Role.SPECIALIST, Role.NURSE}),
}


@dataclass(frozen=True)
class Step:
    """One recorded step of a case, with what the rule needs to know about the case."""

    action: str
    event_kind: str
    from_status: str
    to_status: str
    kommun_id: int
    vardcentral_id: int | None
    clinic_id: int | None
    body_id: int | None
    due_at: datetime.datetime | None
    case_label: str
    approver_roles: tuple[str, ...] = ()
    specialist_signs: bool = False
    was_escalated: bool = False
    # In review: the organisations whose acceptance a task still needs (``CaseFacts.awaited``).
    answering_ids: tuple[int, ...] = ()
    # The escalation level and its body's name, once escalated.
    level: int | None = None
    body_name: str = ""


@dataclass(frozen=True)
class Notice:
    organisation_id: int
    roles: frozenset[str]
    kind: str
    acts: bool
    text: str
    due_at: datetime.datetime | None = None
    # One person rather than everyone holding the roles there (e.g. the biståndshandläggare named on a plan).
    user_id: int | None = None


P = ParamSpec("P")
R = TypeVar("R")


def _in_the_site_language(rule: Callable[P, R]) -> Callable[P, R]:
    """A notice is written once and read by others, in lists, e-mails and integrations: in the site's
    language (Swedish), never in the language of the person whose step it was."""

    @functools.wraps(rule)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return rule(*args, **kwargs)

    return wrapped


def _date(moment: datetime.datetime | None) -> str:
    # A deadline: the last day it runs, not the midnight after it.
    return deadlines.last_day_text(moment) if moment is not None else ""


def _notice(
    organisation_id: int | None,
    roles: Iterable[str],
    kind: str,
    text: str,
    *,
    acts: bool = False,
    due_at: datetime.datetime | None = None,
) -> list[Notice]:
    if organisation_id is None:
        return []
    return [Notice(organisation_id, frozenset(roles), kind, acts, text, due_at)]


def _parties(step: Step, kind: str, text: str, *, coordinator: bool = False) -> list[Notice]:
    """The kommun's nurses, the vårdcentral's GPs and the clinic's specialists (and both sides'
    coordinators, who take the case up the ladder, where it has been in dispute), informed."""
    kommun_roles = {Role.NURSE, Role.COORDINATOR} if coordinator else {Role.NURSE}
    vardcentral_roles = {Role.GP, Role.COORDINATOR} if coordinator else {Role.GP}
    return [
        *_notice(step.kommun_id, kommun_roles, kind, text),
        *_notice(step.vardcentral_id, vardcentral_roles, kind, text),
        *_notice(step.clinic_id, {Role.SPECIALIST}, kind, text),
    ]


def _reviewer_roles(step: Step, organisation_id: int) -> frozenset[str]:
    return reviewer_roles(
        organisation_id,
        kommun_id=step.kommun_id,
        vardcentral_id=step.vardcentral_id,
        clinic_id=step.clinic_id,
    )


def _review_requested(step: Step, names: dict[str, str]) -> list[Notice]:
    """Every party that still answers for a task of the case is asked to, by the review deadline."""
    text = (
        _(
            "Review the tasks your organisation answers for in the case about %(case)s: accept or dispute "
            "each by %(due)s."
        )
        % names
    )
    notices: list[Notice] = []
    for organisation_id in step.answering_ids:
        notices += _notice(
            organisation_id,
            _reviewer_roles(step, organisation_id),
            K.REVIEW_REQUESTED,
            text,
            acts=True,
            due_at=step.due_at,
        )
    return notices


def _coordinators(step: Step, kind: str, text: str, *, acts: bool) -> list[Notice]:
    """Both sides' coordinators: the kommun's and the listed vårdcentral's."""
    return [
        *_notice(step.kommun_id, {Role.COORDINATOR}, kind, text, acts=acts),
        *_notice(step.vardcentral_id, {Role.COORDINATOR}, kind, text, acts=acts),
    ]


def _analysis_requested(step: Step) -> list[Notice]:
    names = {"case": step.case_label, "body": step.body_name or _("The joint body")}
    text = (
        _("%(body)s has settled the dispute over %(case)s: write the risk analysis of the case.") % names
        if step.action in (A.DECIDE, A.ACCEPT_RECOMMENDATION)
        else _("Write the risk analysis of the case about %(case)s.") % names
    )
    return _notice(step.kommun_id, {Role.NURSE}, K.ANALYSIS_REQUESTED, text, acts=True)


def _agreed(step: Step) -> list[Notice]:
    text = _(
        "The case about %(case)s is agreed: every task has a responsible party. Draw up the SIP and "
        "start the care."
    ) % {"case": step.case_label}
    return _parties(step, K.CASE_AGREED, text, coordinator=step.was_escalated)


@_in_the_site_language
def case_notices(step: Step) -> list[Notice]:
    """Who is told of ``step``, those who must act first (a person gets one notice per step)."""
    if step.event_kind not in STEP_EVENT_KINDS:
        return []
    case, due = step.case_label, _date(step.due_at)
    names = {"case": case, "due": due}
    match step.action:
        case A.SUBMIT if step.to_status == S.IN_REVIEW:
            if not step.answering_ids:  # an older caller that did not say who answers: the vårdcentral
                return _notice(
                    step.vardcentral_id,
                    {Role.GP},
                    K.REVIEW_REQUESTED,
                    _(
                        "Review the proposed split of responsibility in the case about %(case)s: accept "
                        "or dispute it by %(due)s."
                    )
                    % names,
                    acts=True,
                    due_at=step.due_at,
                )
            return _review_requested(step, names)
        case A.ACCEPT if step.to_status == S.IN_REVIEW:
            return _notice(
                step.kommun_id,
                {Role.NURSE},
                K.TASKS_ACCEPTED,
                _("Some tasks of the case about %(case)s are accepted; the others wait for review.") % names,
            )
        case A.ACCEPT | A.DECIDE | A.ACCEPT_RECOMMENDATION if step.to_status == S.RISK_ANALYSIS:
            decided = step.action in (A.DECIDE, A.ACCEPT_RECOMMENDATION)
            kind = K.CASE_DECIDED if decided else K.TASKS_ACCEPTED
            text = (
                _(
                    "%(body)s has decided the case about %(case)s; the decision notice is on the case page "
                    "and a risk analysis follows."
                )
                % {**names, "body": step.body_name or _("The joint body")}
                if decided
                else _("The split of the case about %(case)s is accepted; a risk analysis follows.") % names
            )
            return [*_analysis_requested(step), *_parties(step, kind, text, coordinator=step.was_escalated)]
        case A.DECIDE if step.to_status == S.ESCALATED:
            # A recommending level decided: each party accepts it, or not, for its side.
            text = (
                _(
                    "The joint body recommends how to settle the case about %(case)s: accept it for your "
                    "party, or say why you do not."
                )
                % names
            )
            return [
                # Those who may answer it (``transitions.RECOMMENDATION_ROLES``) act; the nurses hear.
                *_notice(
                    step.kommun_id, {Role.COORDINATOR, Role.MAS}, K.RECOMMENDATION_MADE, text, acts=True
                ),
                *_notice(
                    step.vardcentral_id, {Role.GP, Role.COORDINATOR}, K.RECOMMENDATION_MADE, text, acts=True
                ),
                *_notice(step.clinic_id, {Role.SPECIALIST}, K.RECOMMENDATION_MADE, text, acts=True),
                *_notice(
                    step.kommun_id,
                    {Role.NURSE},
                    K.RECOMMENDATION_MADE,
                    _("The joint body recommends how to settle the case about %(case)s.") % names,
                ),
            ]
        case A.ACCEPT_RECOMMENDATION if step.to_status == S.ESCALATED:
            text = _("A party accepts the joint body's recommendation for the case about %(case)s.") % names
            return [
                *_parties(step, K.POSITION_STATED, text, coordinator=True),
                *_notice(step.body_id, {Role.GOVERNANCE}, K.POSITION_STATED, text),
            ]
        case A.DECLINE_RECOMMENDATION:
            text = (
                _(
                    "A party does not accept the joint body's recommendation for the case about %(case)s: "
                    "a coordinator may send it to the next level."
                )
                % names
            )
            return [
                *_coordinators(step, K.POSITION_STATED, text, acts=True),
                *_notice(step.body_id, {Role.GOVERNANCE}, K.POSITION_STATED, text),
            ]
        case A.CONSENT_SKIP if step.event_kind == EventKind.POSITION:
            text = (
                _(
                    "A party consents to skip this level for the case about %(case)s; the case moves on "
                    "once the other party consents too."
                )
                % names
            )
            return _coordinators(step, K.POSITION_STATED, text, acts=True)
        case A.RETURN_ANALYSIS:
            return _notice(
                step.kommun_id,
                {Role.NURSE},
                K.ANALYSIS_REJECTED,
                _(
                    "The physician returned the risk analysis of the case about %(case)s with comments: "
                    "write a new version."
                )
                % names,
                acts=True,
            )
        case A.DECIDE | A.ACCEPT_RECOMMENDATION if step.to_status == S.CLOSED:
            return _parties(
                step,
                K.CASE_DECIDED,
                _("The joint body has decided the case about %(case)s and closed it.") % names,
                coordinator=True,
            )
        case A.ACCEPT | A.DECIDE | A.ACCEPT_RECOMMENDATION | A.SIGN_ANALYSIS | A.APPROVE_ANALYSIS if (
            step.to_status == S.AGREED
        ):
            return _agreed(step)
        case A.DISPUTE | A.DISPUTE_AFTER_REJECTION:
            text = (
                _(
                    "Tasks of the case about %(case)s are disputed. State your position, or escalate the "
                    "dispute to the joint body."
                )
                % names
            )
            return [
                *_notice(step.kommun_id, {Role.COORDINATOR, Role.NURSE}, K.CASE_DISPUTED, text, acts=True),
                *_notice(step.vardcentral_id, {Role.GP}, K.CASE_DISPUTED, text, acts=True),
                *_notice(step.clinic_id, {Role.SPECIALIST}, K.CASE_DISPUTED, text, acts=True),
            ]
        case A.STATE_POSITION:
            text = _("A party has stated its position on the disputed case about %(case)s.") % names
            body = step.body_id if step.from_status == S.ESCALATED else None
            return [
                *_parties(step, K.POSITION_STATED, text, coordinator=True),
                *_notice(body, {Role.GOVERNANCE}, K.POSITION_STATED, text),
            ]
        case A.ESCALATE | A.AUTO_ESCALATE | A.CANNOT_SETTLE | A.CONSENT_SKIP if (
            step.event_kind == EventKind.ESCALATED
        ):
            return [
                *_notice(
                    step.body_id,
                    {Role.GOVERNANCE},
                    K.CASE_ESCALATED,
                    _(
                        "The case about %(case)s is escalated to your body (level %(level)s): decide it "
                        "by %(due)s."
                    )
                    % {**names, "level": step.level or ""},
                    acts=True,
                    due_at=step.due_at,
                ),
                *_parties(
                    step,
                    K.CASE_ESCALATED,
                    _("The case about %(case)s is escalated to %(body)s (level %(level)s).")
                    % {**names, "body": step.body_name, "level": step.level or ""},
                    coordinator=True,
                ),
            ]
        case A.CREATE_ANALYSIS:
            signer = (
                _notice(step.clinic_id, {Role.SPECIALIST}, K.SIGNATURE_REQUESTED, "", acts=True)
                if step.specialist_signs and step.clinic_id is not None
                else _notice(step.vardcentral_id, {Role.GP}, K.SIGNATURE_REQUESTED, "", acts=True)
            )
            text = _("A risk analysis of the case about %(case)s is written: read and sign it.") % names
            return [Notice(n.organisation_id, n.roles, n.kind, n.acts, text) for n in signer]
        case A.SIGN_ANALYSIS | A.APPROVE_ANALYSIS if step.to_status == S.AWAITING_APPROVAL:
            return _notice(
                step.kommun_id,
                step.approver_roles or (Role.MAS,),
                K.APPROVAL_REQUESTED,
                _("The risk analysis of the case about %(case)s is signed: approve or reject it by %(due)s.")
                % names,
                acts=True,
                due_at=step.due_at,
            )
        case A.REJECT_ANALYSIS:
            return _notice(
                step.kommun_id,
                {Role.NURSE},
                K.ANALYSIS_REJECTED,
                _("The risk analysis of the case about %(case)s is rejected: write a new version.") % names,
                acts=True,
            )
        case A.RETURN_ANALYSIS:
            return _notice(
                step.kommun_id,
                {Role.NURSE},
                K.ANALYSIS_REJECTED,
                _(
                    "The physician has returned the risk analysis of the case about %(case)s unsigned, "
                    "with comments: write a new version."
                )
                % names,
                acts=True,
            )
        case A.ACTIVATE:
            return _parties(
                step, K.CASE_ACTIVE, _("The care in the case about %(case)s has started.") % names
            )
        case A.CLOSE:
            return _parties(
                step, K.CASE_CLOSED, _("The case about %(case)s is followed up and closed.") % names
            )
        case A.WITHDRAW:
            return _parties(
                step,
                K.CASE_WITHDRAWN,
                _("The kommun has withdrawn the case about %(case)s.") % names,
                coordinator=step.was_escalated,
            )
        case A.COMMENT:
            body = step.body_id if step.from_status == S.ESCALATED else None
            text = _("A new comment on the case about %(case)s.") % names
            return [
                *_parties(step, K.COMMENTED, text, coordinator=step.was_escalated),
                *_notice(body, {Role.GOVERNANCE}, K.COMMENTED, text),
            ]
    return []


# --- SIP ---------------------------------------------------------------------------------------------

SIP_STEPS: dict[str, str] = {
    "created": K.SIP_STARTED,
    "finalised": K.SIP_FINALISED,
    "consent_withdrawn": K.SIP_CONSENT_WITHDRAWN,
    "closed": K.SIP_CLOSED,
}


@_in_the_site_language
def sip_notices(
    *, sip_event_kind: str, organisations: Iterable[tuple[int, str]], case_label: str
) -> list[Notice]:
    """Who is told of a SIP step: the organisations taking part in the plan (``(id, kind)`` pairs: its
    participants and the organisations responsible for, ordering or following up its insatser)."""
    kind = SIP_STEPS.get(sip_event_kind)
    if kind is None:
        return []
    names = {"case": case_label}
    texts: dict[str, str] = {
        K.SIP_STARTED: _(
            "A SIP is being drawn up for the case about %(case)s and names your organisation: take part "
            "in the planning."
        ),
        K.SIP_FINALISED: _("The SIP for the case about %(case)s is finalised: read your part in it."),
        K.SIP_CONSENT_WITHDRAWN: _(
            "Consent to the SIP for the case about %(case)s is withdrawn: information may no longer be "
            "shared under it."
        ),
        K.SIP_CLOSED: _("The SIP for the case about %(case)s is closed."),
    }
    acts = kind == K.SIP_STARTED
    notices: list[Notice] = []
    for organisation_id, organisation_kind in dict(organisations).items():
        roles = SIP_ROLES_BY_KIND.get(organisation_kind)
        if roles:
            notices += _notice(organisation_id, roles, kind, texts[kind] % names, acts=acts)
    return notices


@_in_the_site_language
def sip_named_notices(*, organisation_id: int | None, user_id: int, case_label: str) -> list[Notice]:
    """The biståndshandläggare named on a plan is told, herself only, in her membership in the kommun
    (``organisation_id``): she reaches the plan from My work, never the case."""
    if organisation_id is None:
        return []
    text = _(
        "A SIP for the case about %(case)s names you as biståndshandläggare: you can read the plan and "
        "write its social services (SoL) insatser. It is listed under My work."
    ) % {"case": case_label}
    return [
        Notice(organisation_id, frozenset({Role.BISTANDSHANDLAGGARE}), K.SIP_NAMED, True, text, None, user_id)
    ]


def sip_new_draft_notices(*, organisation_id: int | None, user_id: int, case_label: str) -> list[Notice]:
    """The plan's biståndshandläggare is told, herself only, that a new version is open as a draft: her
    social services (SoL) part can change again until the care staff finalise it."""
    if organisation_id is None:
        return []
    text = _(
        "The SIP for the case about %(case)s has a new draft version: you can write its social services "
        "(SoL) insatser again until it is finalised. It is listed under My work."
    ) % {"case": case_label}
    return [
        Notice(
            organisation_id, frozenset({Role.BISTANDSHANDLAGGARE}), K.SIP_NEW_DRAFT, True, text, None, user_id
        )
    ]
