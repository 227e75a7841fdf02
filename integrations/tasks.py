"""The worker's side of webhooks: post one delivery, retry with exponential backoff, sweep lost retries.

``acks_late``: a worker that dies mid-post leaves the message to be delivered again; the claim in
``services.delivery_attempt`` makes that safe. Each failed attempt (no answer, a timeout, any non-2xx)
schedules the next one with a growing countdown, up to ``WEBHOOK_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from . import services

REQUEUE_SLACK = datetime.timedelta(minutes=10)


@shared_task(bind=True, name="integrations.tasks.deliver_webhook", acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(self: Any, delivery_id: int) -> str:
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        # The attempt count lives on the delivery, not in Celery: max_retries=None leaves the limit to it.
        raise self.retry(countdown=outcome.retry_in, max_retries=None, exc=None)
    return outcome.status


@shared_task(name="integrations.tasks.requeue_overdue_deliveries")
def requeue_overdue_deliveries() -> int:
    ids = services.deliveries_overdue(now=timezone.now(), slack=REQUEUE_SLACK)
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
