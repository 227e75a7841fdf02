"""Reminders the registers send before a safety condition lapses, and the re-reviews agreements ask for.

Notifications go through the cases' notification system (one ``Notification`` per person, case, kind
and key, so a sweep run twice tells nobody twice) and are e-mailed by the worker through the outbox
(at once, or in the person's daily digest), like every notification of a case step.
A notification belongs to a case: a transfer or delegation about to expire is told on each case that
relies on it (an agreed or active case whose task the unit performs, or the case tasks a delegation is
linked to). One that no case relies on is e-mailed instead, once per end date: a training to the
receiving unit's MAS, a delegation to the person who delegated. When that person has left, the
delegating organisation's MAS (a coordinator on the region's side) is told in their place: someone must
decide whether the care goes on. The daily beat task (``competence.tasks.safety_reminders``) runs them
all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    ANALYSIS_IN_EFFECT,
    CaseEvent,
    CaseStatus,
    CaseTask,
    Notification,
    NotificationKind,
    ResponsibilityCase,
    RiskAnalysis,
)
from cases.services.notifications import notifications_dispatch
from directory.models import Membership, OrganisationKind, Role, User
from hemsjukvard.outbox import outbox_enqueue

from .models import CompetenceTransfer, Delegation, ReReview, ReReviewSource
from .rules import in_force_q, needs_training, task_name

# How long before the end the unit (or the delegating person) is told: time to book a new training.
TRAINING_REMINDER_DAYS = 30
DELEGATION_REMINDER_DAYS = 30
RELYING_STATUSES = (CaseStatus.AGREED, CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)


def _users_in(organisation_id: int, roles: Iterable[str], day: datetime.date) -> list[int]:
    return list(
        Membership.objects.active(day)
        .filter(organisation_id=organisation_id, role__in=list(roles), user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def _notify(
    *, user_ids: Iterable[int], case_id: int, kind: str, key: str, message: str, due: datetime.date | None
) -> list[int]:
    due_at = (
        timezone.make_aware(datetime.datetime.combine(due, datetime.time(23, 59)))
        if due is not None
        else None
    )
    told = Notification.objects.filter(case_id=case_id, kind=kind, deadline_key=key)
    already = set(told.values_list("user_id", flat=True))
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id,
                case_id=case_id,
                kind=kind,
                deadline_key=key,
                message=message,
                acts=True,
                due_at=due_at,
            )
            for user_id in sorted(set(user_ids) - already)
        ],
        ignore_conflicts=True,
    )
    return list(told.exclude(user_id__in=already).values_list("pk", flat=True))


def _email(notification_ids: list[int], dedup_key: str) -> None:
    """E-mail (at once, or in the person's digest) and publish ``notification.created``, as for every
    notification of a case step."""
    notifications_dispatch(notification_ids=notification_ids, dedup_key=dedup_key)


@transaction.atomic
def trainings_remind_expiring(*, today: datetime.date) -> list[int]:
    """Tell the performing unit's nurses and MAS, on each case that relies on it, that a competence
    transfer ends within ``TRAINING_REMINDER_DAYS`` days."""
    written: list[int] = []
    expiring = CompetenceTransfer.objects.filter(
        **in_force_q(today), valid_until__lte=today + datetime.timedelta(days=TRAINING_REMINDER_DAYS)
    ).select_related("task_type", "receiving_unit", "training_unit")
    for transfer in expiring:
        tasks = [
            task
            for task in CaseTask.objects.filter(
                agreed_performs_id=transfer.receiving_unit_id,
                task_type_id=transfer.task_type_id,
                case__status__in=RELYING_STATUSES,
            )
            if needs_training(task)
        ]
        key = f"training:{transfer.pk}:{transfer.valid_until.isoformat()}"
        if not tasks:
            # No case relies on it (yet): the unit's MAS, who keeps the register, is e-mailed instead.
            outbox_enqueue(
                "competence.tasks.training_expiry_email",
                kwargs={"transfer_id": transfer.pk},
                dedup_key=f"competence.{key}",
            )
            continue
        users = _users_in(transfer.receiving_unit_id, (Role.NURSE, Role.MAS), today)
        message = _training_message(transfer)
        for case_id in sorted({t.case_id for t in tasks}):
            ids = _notify(
                user_ids=users,
                case_id=case_id,
                kind=NotificationKind.TRAINING_EXPIRING,
                key=key,
                message=message,
                due=transfer.valid_until,
            )
            _email(ids, f"competence.training:{transfer.pk}:{case_id}:{transfer.valid_until}")
            written += ids
    return written


def _training_message(transfer: CompetenceTransfer) -> str:
    return _(
        "The competence transfer in %(task)s to %(unit)s (trained by %(trainer)s) is valid until "
        "%(date)s. Book a new training and record it before then."
    ) % {
        "task": task_name(transfer.task_type.name_sv),
        "unit": transfer.receiving_unit.name,
        "trainer": transfer.training_unit.name,
        "date": transfer.valid_until.isoformat(),
    }


def delegation_answerable(delegation: Delegation, today: datetime.date) -> list[int]:
    """Who is told that a delegation ends: the person who delegated, or, when they have left, the
    delegating organisation's MAS (a coordinator on the region's side), who must decide in their place."""
    if User.objects.filter(pk=delegation.delegated_by_id, is_active=True).exists():
        return [delegation.delegated_by_id]
    kommun_side = delegation.delegating_organisation.kind in (
        OrganisationKind.KOMMUN,
        OrganisationKind.PRIVATE_PERFORMER,
    )
    return _users_in(
        delegation.delegating_organisation_id, (Role.MAS,) if kommun_side else (Role.COORDINATOR,), today
    )


@transaction.atomic
def delegations_remind_expiring(*, today: datetime.date) -> list[int]:
    """Tell the person who delegated (``delegation_answerable``), on each linked case, that the delegation
    ends within ``DELEGATION_REMINDER_DAYS`` days: a new decision is needed for the care to go on."""
    written: list[int] = []
    expiring = (
        Delegation.objects.filter(
            revoked_at__isnull=True,
            valid_from__lte=today,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=DELEGATION_REMINDER_DAYS),
        )
        .select_related("task_type", "delegated_by", "delegating_organisation")
        .prefetch_related("case_tasks")
    )
    for delegation in expiring:
        message = _delegation_message(delegation, today)
        key = f"delegation:{delegation.pk}:{delegation.valid_until.isoformat()}"
        case_ids = sorted({t.case_id for t in delegation.case_tasks.all()})
        if not case_ids:
            # No case relies on it (yet): a notification belongs to a case, so the person who delegated is
            # e-mailed instead, once per end date.
            outbox_enqueue(
                "competence.tasks.delegation_expiry_email",
                kwargs={"delegation_id": delegation.pk},
                dedup_key=f"competence.{key}",
            )
            continue
        for case_id in case_ids:
            ids = _notify(
                user_ids=delegation_answerable(delegation, today),
                case_id=case_id,
                kind=NotificationKind.DELEGATION_EXPIRING,
                key=key,
                message=message,
                due=delegation.valid_until,
            )
            _email(ids, f"competence.delegation:{delegation.pk}:{case_id}:{delegation.valid_until}")
            written += ids
    return written


def _delegation_message(delegation: Delegation, today: datetime.date) -> str:
    facts = {
        "task": task_name(delegation.task_type.name_sv),
        "receiver": delegation.receiver_name,
        "date": delegation.valid_until.isoformat(),
        "person": delegation.delegated_by.display_name,
    }
    if delegation_answerable(delegation, today) == [delegation.delegated_by_id]:
        message = _(
            "Your delegation of %(task)s to %(receiver)s ends on %(date)s. Decide whether to delegate again."
        )
        return message % facts
    return (
        _(
            "The delegation of %(task)s to %(receiver)s by %(person)s, who no longer works here, ends on "
            "%(date)s. Decide whether someone should delegate again."
        )
        % facts
    )


def _email_users(user_ids: list[int], subject: str, body: str) -> bool:
    addresses = list(
        User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not addresses:
        return False
    # One message per person: no one learns who else was told.
    for address in addresses:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    return True


def delegation_expiry_email(*, delegation_id: int) -> bool:
    """E-mail who must decide (``delegation_answerable``) that a delegation no case is linked to ends soon
    (the outbox sends it once per end date). Nothing is sent for a delegation revoked since; no patient is
    named (a delegation is about staff)."""
    delegation = (
        Delegation.objects.filter(pk=delegation_id, revoked_at__isnull=True)
        .select_related("task_type", "delegated_by", "delegating_organisation")
        .first()
    )
    if delegation is None:
        return False  # revoked since
    today = timezone.localdate()
    return _email_users(
        delegation_answerable(delegation, today),
        _("A delegation ends on %(date)s") % {"date": delegation.valid_until.isoformat()},
        _delegation_message(delegation, today)
        + "\n\n"
        + _("The delegation register lists it under Competence and delegation."),
    )


def training_expiry_email(*, transfer_id: int) -> bool:
    """E-mail the receiving unit's MAS (its nurses where it has no MAS) that a competence transfer no case
    relies on ends soon, once per end date. Nothing is sent for a transfer revoked since."""
    transfer = (
        CompetenceTransfer.objects.filter(pk=transfer_id, revoked_at__isnull=True)
        .select_related("task_type", "receiving_unit", "training_unit")
        .first()
    )
    if transfer is None:
        return False
    today = timezone.localdate()
    users = _users_in(transfer.receiving_unit_id, (Role.MAS,), today) or _users_in(
        transfer.receiving_unit_id, (Role.NURSE,), today
    )
    return _email_users(
        users,
        _("A competence transfer ends on %(date)s") % {"date": transfer.valid_until.isoformat()},
        _training_message(transfer)
        + "\n\n"
        + _("The competence register lists it under Competence and delegation."),
    )


# --- Re-reviews ------------------------------------------------------------------------------------


def _period_starts(case_ids: list[int]) -> dict[int, datetime.date]:
    """When each case's current period began: the last follow-up that let the care go on, else agreement."""
    starts: dict[int, datetime.date] = {}
    for case_id, at in (
        CaseEvent.objects.filter(case_id__in=case_ids, action="resume")
        .order_by("at")
        .values_list("case_id", "at")
    ):
        starts[case_id] = timezone.localdate(at)
    return starts


@transaction.atomic
def rereviews_sync(*, today: datetime.date) -> int:
    """Make the re-reviews the agreements ask for, once each, and close those no longer due.

    A task whose rule says "review again within N days" (``max_duration_days``) is due N days after the
    case was agreed, or after its last follow-up; a risk analysis in effect is due on its ``review_on``.
    """
    wanted: dict[tuple[int, str], ReReview] = {}
    tasks = list(
        CaseTask.objects.filter(case__status__in=RELYING_STATUSES, case__agreed_at__isnull=False)
        .filter(proposal__conditions__max_duration_days__isnull=False)
        .select_related("case", "task_type")
    )
    starts = _period_starts(sorted({t.case_id for t in tasks}))
    for task in tasks:
        days = ((task.proposal or {}).get("conditions") or {}).get("max_duration_days")
        if not isinstance(days, int) or days <= 0:
            continue
        assert task.case.agreed_at is not None
        start = starts.get(task.case_id, timezone.localdate(task.case.agreed_at))
        key = f"rule:{task.pk}:{start.isoformat()}"
        wanted[(task.case_id, key)] = ReReview(
            case_id=task.case_id,
            source=ReReviewSource.RULE,
            key=key,
            due_on=start + datetime.timedelta(days=days),
            what=_("Review the split of %(task)s again (the agreement's rule)")
            % {"task": task_name(task.task_type.name_sv)},
        )
    for analysis in RiskAnalysis.objects.filter(
        status__in=list(ANALYSIS_IN_EFFECT),
        review_on__isnull=False,
        case__status__in=[s for s in CaseStatus if s != CaseStatus.CLOSED],
    ):
        assert analysis.review_on is not None
        key = f"analysis:{analysis.pk}"
        wanted[(analysis.case_id, key)] = ReReview(
            case_id=analysis.case_id,
            source=ReReviewSource.RISK_ANALYSIS,
            key=key,
            due_on=analysis.review_on,
            what=_("Review risk analysis version %(number)s again") % {"number": analysis.number},
        )
    ReReview.objects.bulk_create(list(wanted.values()), ignore_conflicts=True)
    stale = [
        row.pk
        for row in ReReview.objects.filter(done_at__isnull=True).only("pk", "case_id", "key")
        if (row.case_id, row.key) not in wanted
    ]
    return ReReview.objects.filter(pk__in=stale).update(done_at=timezone.now())


@transaction.atomic
def rereviews_remind(*, today: datetime.date) -> list[int]:
    """Tell the case's owner (the kommun's nurses; MAS too for a risk analysis) that a re-review is due."""
    written: list[int] = []
    due = (
        ReReview.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(done_at__isnull=True, reminded_at__isnull=True, due_on__lte=today)
        .select_related("case")
    )
    for row in due:
        roles = (Role.NURSE, Role.MAS) if row.source == ReReviewSource.RISK_ANALYSIS else (Role.NURSE,)
        ids = _notify(
            user_ids=_users_in(row.case.kommun_id, roles, today),
            case_id=row.case_id,
            kind=NotificationKind.REREVIEW_DUE,
            key=f"rereview:{row.pk}",
            message=_("%(what)s: due on %(date)s.") % {"what": row.what, "date": row.due_on.isoformat()},
            due=row.due_on,
        )
        _email(ids, f"competence.rereview:{row.pk}")
        row.reminded_at = timezone.now()
        row.save(update_fields=["reminded_at"])
        written += ids
    return written


def overdue_rereviews_q(today: datetime.date) -> Q:
    return Q(done_at__isnull=True, due_on__lt=today)


def overdue_rereview_count(*, today: datetime.date, cases: Iterable[ResponsibilityCase] | None = None) -> int:
    rows = ReReview.objects.filter(overdue_rereviews_q(today))
    if cases is not None:
        rows = rows.filter(case__in=list(cases))
    return rows.count()
