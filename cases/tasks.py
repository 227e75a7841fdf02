"""Background work on cases: the periodic reminder of passed deadlines, the notification e-mails (at once
or in a daily digest).

Thin on purpose: ids in, a service does the work. Both tasks are idempotent (see the services).
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="cases.tasks.remind_overdue")
def remind_overdue() -> int:
    """Find overdue cases, remind owner and coordinator once per deadline, auto-escalate where agreed."""
    now = timezone.now()
    written = 0
    for case_id in services.overdue_case_ids(now=now):
        written += len(services.case_remind_if_overdue(case_id=case_id, now=now))
    return written


@shared_task(
    name="cases.tasks.notifications_email",
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notifications_email(notification_ids: Sequence[int]) -> int:
    return services.notifications_email(notification_ids=notification_ids)


@shared_task(name="cases.tasks.notifications_digest")
def notifications_digest() -> int:
    """Daily (beat): hand each digest to the worker through the outbox, once per person and day."""
    return services.notifications_digest_schedule(now=timezone.now())


@shared_task(
    name="cases.tasks.notification_digest_email",
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def notification_digest_email(user_id: int) -> int:
    return services.notification_digest_email(user_id=user_id)
