"""The work lists of the home page ("My work"): what waits for the person (cases, risk analyses waiting
for their approval, escalations at their joint body's level) and how many there are of each, and,
apart from those, their patients' running cases ("Mina patienter").

Only what waits for the person is counted on the navigation's badge. A case whose agreed care is
running (``active``) waits for nobody until its follow-up is started, so it is listed under the
person's patients, not as waiting: otherwise the badge grew with every patient in care.

A case handed to a colleague (``assignments``) waits for that colleague, not for the rest of the
organisation: "waiting" holds the cases of the person's organisation that are handed to them, to a team
they are in, or to nobody in particular.

Every list may be narrowed and sorted (``WorkFilters``: urgent, overdue, status, an organisation the
case names, who handles it; by deadline, urgency, newest or latest changed); the counts are never
filtered.

The lists are read by ``work_lists``, which checks access (every list is a ``case_list``), logs every
case shown in one write and returns each row as a ``Seen[ResponsibilityCase]``, whose
``identity_visible`` is decided by the patient rule exactly as on the case page: the nurse treating a
patient with skyddad identitet sees the name here too, a coordinator sees it masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from access.cases import with_patient_open_enrolment
from access.parties import case_parties_q
from access.roles import APPROVER_ROLES, CASE_PARTY_ROLES
from access.seen import Seen
from assignments.models import CaseAssignment
from directory.actor import Actor
from directory.models import Role
from directory.teams import my_team_ids

from ..models import OPEN_STATUSES, CaseStatus, Notification, ResponsibilityCase, TaskReview, Urgency
from .reads import case_list, cases_shown, notifications_unread

S = CaseStatus
# How many cases each list shows; the rest are reached from the case list.
WORK_LIST_SHOWN = 50


def _handlers(organisation_ids: list[int]) -> QuerySet[CaseAssignment]:
    """The current handler (a person or a team) of the outer case for one of ``organisation_ids``."""
    return (
        CaseAssignment.objects.current()
        .handled()
        .filter(case_id=OuterRef("pk"), organisation_id__in=organisation_ids)
    )


def _mine_q(actor: Actor) -> Q:
    """A filter on ``CaseAssignment``: handed to the actor, or to an active team they are in."""
    return Q(assignee_id=actor.user.pk) | Q(team_id__in=my_team_ids(actor))


def _not_handed_elsewhere(actor: Actor, organisation_id: int) -> Q:
    """Cases that, for ``organisation_id``, are the actor's, their team's or nobody's in particular."""
    return ~Q(Exists(_handlers([organisation_id]).exclude(_mine_q(actor))))


def _owned_q(actor: Actor) -> Q:
    """Cases whose running deadline belongs to one of the actor's (organisation, role) pairs and that
    the organisation has not handed to someone else, and cases their organisation holds and has handed
    to them or their team."""
    q = Q(pk__in=[])
    for membership in actor.memberships:
        if membership.role in CASE_PARTY_ROLES:
            q |= Q(
                owner_organisation_id=membership.organisation_id, owner_role=membership.role
            ) & _not_handed_elsewhere(actor, membership.organisation_id)
    # Handed to the actor (or their team) by their organisation: theirs, whichever of its roles holds it.
    for organisation_id in sorted(actor.organisation_ids(*CASE_PARTY_ROLES)):
        q |= Q(owner_organisation_id=organisation_id) & Q(
            Exists(_handlers([organisation_id]).filter(_mine_q(actor)))
        )
    # The kommun where the person stays answers in review for its part, though the vårdcentral holds the
    # deadline: the case waits for its nurses until their organisation has answered.
    for membership in actor.memberships:
        if membership.role == Role.NURSE:
            organisation_id = membership.organisation_id
            q |= (
                Q(status=S.IN_REVIEW, stay_kommun_id=organisation_id)
                & ~Q(Exists(TaskReview.objects.filter(case=OuterRef("pk"), organisation_id=organisation_id)))
                & _not_handed_elsewhere(actor, organisation_id)
            )
    # A physician signs while the case is in risk analysis, though the kommun holds it.
    clinics = sorted({m.organisation_id for m in actor.memberships if m.role in (Role.SPECIALIST, Role.GP)})
    for clinic in clinics:
        q |= (
            Q(status=S.RISK_ANALYSIS)
            & (Q(specialist_clinic_id=clinic) | Q(vardcentral_id=clinic))
            & _not_handed_elsewhere(actor, clinic)
        )
    return q


def _overdue_first(queryset: QuerySet[ResponsibilityCase]) -> QuerySet[ResponsibilityCase]:
    return _sorted(queryset, SORT_DUE)


SORT_DUE = "due"
SORT_URGENT = "urgent"
SORT_NEWEST = "newest"
SORT_UPDATED = "updated"
SORTS = (SORT_DUE, SORT_URGENT, SORT_NEWEST, SORT_UPDATED)

# Who handles the case for the person's organisation: "Tilldelade mig", "Mitt team", "Ej tilldelade".
HANDLER_ME = "me"
HANDLER_TEAM = "team"
HANDLER_NOBODY = "unassigned"
HANDLERS = (HANDLER_ME, HANDLER_TEAM, HANDLER_NOBODY)


def _sorted(queryset: QuerySet[ResponsibilityCase], sort: str) -> QuerySet[ResponsibilityCase]:
    """``queryset`` in the order ``sort`` names (never by anything about the patient's identity)."""
    now = timezone.now()
    ranked = queryset.annotate(
        overdue_rank=Case(
            When(due_at__lt=now, then=Value(0)),
            When(due_at__isnull=False, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        urgency_rank=Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1)),
    )
    if sort == SORT_URGENT:
        return ranked.order_by("urgency_rank", "overdue_rank", "due_at", "-created_at", "pk")
    if sort == SORT_NEWEST:
        return ranked.order_by("-created_at", "-pk")
    if sort == SORT_UPDATED:
        return ranked.order_by("-updated_at", "-pk")
    return ranked.order_by("overdue_rank", "due_at", "-created_at", "pk")


@dataclass(frozen=True)
class WorkFilters:
    """How the person narrows and sorts My work. ``organisation`` is the id of an organisation the case
    names (its kommun, vårdcentral, clinic or the joint body it is escalated to)."""

    urgent: bool = False
    overdue: bool = False
    status: str = ""
    organisation: int | None = None
    sort: str = SORT_DUE
    handler: str = ""


def _handled_as(actor: Actor, handler: str) -> Q:
    """Cases that, for one of the actor's organisations, are handled as ``handler`` says."""
    organisations = sorted(actor.organisation_ids(*CASE_PARTY_ROLES))
    handlers = _handlers(organisations)
    if handler == HANDLER_ME:
        return Q(Exists(handlers.filter(assignee_id=actor.user.pk)))
    if handler == HANDLER_TEAM:
        return Q(Exists(handlers.filter(team_id__in=my_team_ids(actor))))
    return ~Q(Exists(handlers))


def _narrowed(
    queryset: QuerySet[ResponsibilityCase], filters: WorkFilters, actor: Actor | None = None
) -> QuerySet[ResponsibilityCase]:
    if filters.urgent:
        queryset = queryset.filter(urgency=Urgency.URGENT)
    if filters.overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.organisation is not None:
        queryset = queryset.filter(case_parties_q([filters.organisation]))
    if filters.handler in HANDLERS and actor is not None:
        queryset = queryset.filter(_handled_as(actor, filters.handler))
    return _sorted(queryset, filters.sort if filters.sort in SORTS else SORT_DUE)


def cases_waiting(*, actor: Actor) -> QuerySet[ResponsibilityCase]:
    """Open cases waiting for the actor (by the owner of the running deadline), overdue first; unread.
    A case whose care is running (``active``) waits for no one: it is one of ``cases_of_my_patients``."""
    visible = case_list(actor=actor)
    approvals = Q(status=S.AWAITING_APPROVAL) & Q(
        owner_role__in=[m.role for m in actor.memberships if m.role in APPROVER_ROLES]
    )
    escalated = Q(status=S.ESCALATED)
    return _overdue_first(
        visible.filter(status__in=OPEN_STATUSES)
        .filter(_owned_q(actor))
        .exclude(approvals)
        .exclude(escalated)
        .exclude(status=S.ACTIVE)
    )


def cases_of_my_patients(*, actor: Actor) -> QuerySet[ResponsibilityCase]:
    """Mina patienter: the running cases (agreed care under way, ``active``) naming an organisation the
    actor gives care in; nothing waits for them there until the follow-up. Joint bodies have no patients
    of their own. Unread."""
    caring = {m.organisation_id for m in actor.memberships if m.role in CASE_PARTY_ROLES - {Role.GOVERNANCE}}
    return _overdue_first(case_list(actor=actor).filter(status=S.ACTIVE).filter(case_parties_q(caring)))


def analyses_awaiting_approval(*, actor: Actor) -> QuerySet[ResponsibilityCase]:
    """For MAS and MAR: cases whose risk analysis waits for their approval in their kommun; unread."""
    kommuner = [m.organisation_id for m in actor.memberships if m.role in APPROVER_ROLES]
    roles = [m.role for m in actor.memberships if m.role in APPROVER_ROLES]
    return _overdue_first(
        case_list(actor=actor).filter(
            status=S.AWAITING_APPROVAL, kommun_id__in=kommuner, owner_role__in=roles
        )
    )


def escalations_at_my_level(*, actor: Actor) -> QuerySet[ResponsibilityCase]:
    """For members of a joint body: escalated cases at the level their body decides; unread."""
    bodies = [m.organisation_id for m in actor.memberships if m.role == Role.GOVERNANCE]
    return _overdue_first(case_list(actor=actor).filter(status=S.ESCALATED, escalation_body_id__in=bodies))


@dataclass(frozen=True)
class WorkLists:
    """The lists of "My work", as the person sees them (and as they were logged): what waits for them
    (``waiting``, ``approvals``, ``escalations``) and their patients' running cases (``mine``)."""

    waiting: list[Seen[ResponsibilityCase]] = field(default_factory=list)
    approvals: list[Seen[ResponsibilityCase]] = field(default_factory=list)
    escalations: list[Seen[ResponsibilityCase]] = field(default_factory=list)
    mine: list[Seen[ResponsibilityCase]] = field(default_factory=list)


def work_lists(
    *, actor: Actor, limit: int = WORK_LIST_SHOWN, filters: WorkFilters | None = None
) -> WorkLists:
    """The first ``limit`` cases of each work list, narrowed and sorted by ``filters`` (overdue first by
    default), every case shown logged in one write."""
    filters = filters or WorkFilters()
    lists = [
        list(with_patient_open_enrolment(_narrowed(queryset, filters, actor))[:limit])
        for queryset in (
            cases_waiting(actor=actor),
            analyses_awaiting_approval(actor=actor),
            escalations_at_my_level(actor=actor),
            cases_of_my_patients(actor=actor),
        )
    ]
    shown = cases_shown(actor, list({case.pk: case for cases in lists for case in cases}.values()))
    by_pk = {seen.obj.pk: seen for seen in shown}
    waiting, approvals, escalations, mine = ([by_pk[c.pk] for c in cases if c.pk in by_pk] for cases in lists)
    return WorkLists(waiting=waiting, approvals=approvals, escalations=escalations, mine=mine)


@dataclass(frozen=True)
class WorkCounts:
    waiting: int = 0
    notifications: int = 0
    approvals: int = 0
    escalations: int = 0

    @property
    def total(self) -> int:
        return self.waiting + self.approvals + self.escalations


def work_counts(*, actor: Actor) -> WorkCounts:
    """How many items each list holds, for the navigation. Counts only: no patient data is shown."""
    roles = {m.role for m in actor.memberships}
    return WorkCounts(
        waiting=cases_waiting(actor=actor).count(),
        notifications=notifications_unread(actor=actor).count(),
        approvals=analyses_awaiting_approval(actor=actor).count() if roles & APPROVER_ROLES else 0,
        escalations=escalations_at_my_level(actor=actor).count() if Role.GOVERNANCE in roles else 0,
    )


def notifications_for(*, actor: Actor, limit: int = 20) -> list[Notification]:
    """The actor's newest unread notifications (they name a case but carry no patient data)."""
    return list(notifications_unread(actor=actor)[:limit])


def notifications_inbox(*, actor: Actor, limit: int = 200) -> list[Notification]:
    """The actor's own notifications, read and unread, newest first (they name a case by its tasks and
    carry no patient data, so reading them is not logged)."""
    return list(
        Notification.objects.filter(user=actor.user)
        .select_related("case", "organisation")
        .order_by("-created_at", "-pk")[:limit]
    )
