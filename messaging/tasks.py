"""Background work on messages: the hourly reminder of reply-by dates passed without an answer.

Thin on purpose: the service claims each message before telling anyone, so a run repeated or two runs
at once remind once.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="messaging.tasks.remind_overdue_messages")
def remind_overdue_messages() -> int:
    today = timezone.localdate()
    written = 0
    for message_id in services.overdue_message_ids(today=today):
        written += len(services.message_remind_if_overdue(message_id=message_id, today=today))
    return written
