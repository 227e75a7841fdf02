"""Deadlines and the notifications they send."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import deadlines
from directory.actor import Actor
from hemsjukvard.errors import NotPermitted
from hemsjukvard.outbox import outbox_enqueue

from .. import selectors
from ..models import (
    OPEN_STATUSES,
    CaseEvent,
    EventKind,
    Notification,
    NotificationKind,
    ResponsibilityCase,
)
from ..transitions import A
from .core import S, _record, _ref, _save
from .escalation import _escalate
from .notifications import notifications_email

# --- Deadlines -------------------------------------------------------------------------------------


def _reminder_message(case: ResponsibilityCase) -> str:
    return _(
        "The deadline for case %(case)s (%(status)s) passed on %(due)s. Please act on it or hand it on."
    ) % {
        "case": case.number,
        "status": case.get_status_display(),
        "due": deadlines.last_day_text(case.due_at) if case.due_at else "",
    }


def case_remind_if_overdue(*, case_id: int, now: datetime.datetime) -> list[int]:
    """Remind about one overdue case, once per deadline; returns the notifications written.

    Safe to run twice at once (two beat runs, two workers): the case row is claimed with
    ``SKIP LOCKED``, the reminder event is looked for under that lock, and the unique constraints on
    the reminder event and on notifications (user, case, kind, deadline) stop any duplicate that might
    still slip through. Where the agreement says so, an unanswered review is escalated to level 1.
    """
    with transaction.atomic():
        case = (
            ResponsibilityCase.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("agreement_version", "owner_organisation")
            .filter(pk=case_id, status__in=list(OPEN_STATUSES), due_at__lt=now)
            .first()
        )
        if case is None:
            return []
        key = case.deadline_key
        if CaseEvent.objects.filter(case=case, kind=EventKind.REMINDER, deadline_key=key).exists():
            return []
        recipients = selectors.deadline_recipients(case)
        _record(
            None,
            case,
            kind=EventKind.REMINDER,
            action="remind",
            from_status=case.status,
            to_status=case.status,
            reason=_("The deadline passed."),
            payload={
                "due_at": case.due_at.isoformat() if case.due_at else None,
                "owner": _ref(case.owner_organisation),
                "owner_role": case.owner_role,
                "notified": [str(u.public_id) for u in recipients],
            },
            deadline_key=key,
        )
        message = _reminder_message(case)
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user,
                    case=case,
                    kind=NotificationKind.DEADLINE_PASSED,
                    deadline_key=key,
                    message=message,
                )
                for user in recipients
            ],
            ignore_conflicts=True,
        )
        notification_ids = list(
            Notification.objects.filter(
                case=case, kind=NotificationKind.DEADLINE_PASSED, deadline_key=key, emailed_at__isnull=True
            ).values_list("pk", flat=True)
        )
        version = case.agreement_version
        if case.status == S.IN_REVIEW and version is not None and version.auto_escalate_unanswered_review:
            _escalate(
                None,
                case,
                membership=None,
                action=A.AUTO_ESCALATE,
                reason=_("The review was not answered in time; the agreement escalates it."),
                now=now,
            )
        _save(None, case, membership=None)
        if notification_ids:
            outbox_enqueue(
                "cases.tasks.notifications_email",
                kwargs={"notification_ids": notification_ids},
                dedup_key=f"cases.reminder:{case.pk}:{key}",
            )
        return notification_ids


def overdue_case_ids(*, now: datetime.datetime) -> list[int]:
    return list(
        ResponsibilityCase.objects.filter(status__in=list(OPEN_STATUSES), due_at__lt=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def notification_email(*, notification_id: int) -> bool:
    """E-mail one notification, at most once (``notifications.notifications_email``). A person who chose
    the daily digest gets it there instead (``notifications.notification_digest_email``)."""
    return notifications_email(notification_ids=[notification_id]) == 1


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    if notification.user_id != actor.user.pk:
        raise NotPermitted(_("This notification belongs to someone else."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification
